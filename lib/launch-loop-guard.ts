/**
 * The LaunchLoopGuard L3 construct: the table, the guard function, its rules, queues, topics,
 * alarms, Slack delivery and (optionally) a trail, with least-privilege IAM.
 */
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as chatbot from 'aws-cdk-lib/aws-chatbot';
import type * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as eventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { ENV } from '../lambda/config';
import { formatDuration } from '../lambda/core/duration';
import { METRIC_NAMESPACE } from '../lambda/core/metric-names';
import { RUNTIME_PERMISSIONS } from '../lambda/permissions';
import { AutoResume } from './auto-resume';
import { AUTO_SCALING_PATTERN, CLOUDTRAIL_LAUNCH_PATTERN } from './event-patterns';
import { guardFunction } from './function-code';
import { placeFunctionsInVpc } from './function-vpc';
import { newGuardAlarms, SERVICE_NAME } from './guard-alarms';
import { chatbotChannel, webhookFunction } from './guard-slack';
import { newGuardTrail } from './guard-trail';
import { denyGrantsExceptForAwsResources, grantAdapterPermissions } from './least-privilege';
import { type LaunchLoopGuardProps, MAX_WINDOW, type ResolvedSettings, resolveProps } from './props';
import { Resumer } from './resumer';
import { trailAlertPublisher, trailTamperingRule } from './trail-alert';

export { SERVICE_NAME } from './guard-alarms';

/** How long EventBridge keeps retrying a target before the event goes to the dead-letter queue. */
export const TARGET_MAX_EVENT_AGE = Duration.hours(6);
/** EventBridge's own maximum number of retries of a target. */
export const TARGET_RETRY_ATTEMPTS = 185;

/**
 * Stops EC2 Auto Scaling launch loops in the account: counts launches per group and per AMI
 * from CloudTrail and Auto Scaling events, suspends a runaway group's `Launch` process, tags it
 * and alerts. It never stops or terminates an instance.
 *
 * Deploy one per account, in a home region; other regions forward their events to it (see
 * `GuardForwarderStack`).
 *
 * @example
 * new LaunchLoopGuard(stack, 'Guard', {
 *   asgThreshold: 8,
 *   emails: ['oncall@example.com'],
 *   slack: { chatbot: { workspaceId: 'T0123456789', channelId: 'C0123456789' } },
 * });
 */
export class LaunchLoopGuard extends Construct {
  /** Launch windows per scope (partition key `pk`, TTL attribute `ttl`). */
  public readonly table: dynamodb.Table;
  /** The guard function. */
  public readonly handler: lambda.Function;
  /**
   * The resumer function: resumes a group the guard suspended (tags removed, window cleared,
   * backoff reset). Auto-resume schedules invoke it, and the alerts tell people how to.
   */
  public readonly resumer: lambda.Function;
  /** The table's name: what `launch-loop-guard status` and `resume` take as `--table`. */
  public readonly tableName: string;
  /** The resumer function's name: what the alerts' `aws lambda invoke --function-name` needs. */
  public readonly resumerFunctionName: string;
  /**
   * The key that encrypts the topics and the log groups (and, with `controlTower`, the trail and
   * its bucket); the queues use SQS-managed encryption.
   */
  public readonly key: kms.Key;
  /**
   * The role EventBridge uses to publish trail-change alerts to the topics (no service principal
   * of EventBridge appears in the topic or key policies).
   */
  public readonly trailAlertRole: iam.Role;
  /** Alerts for people and subscribers: trips, alarms and trail changes. */
  public readonly topic: sns.ITopic;
  /** Alerts in AWS Chatbot's custom notification form; set when `slack.chatbot` is given. */
  public readonly chatTopic?: sns.Topic;
  /** `RunInstances` and `CreateFleet` from CloudTrail. */
  public readonly cloudTrailLaunchRule: events.Rule;
  /** Auto Scaling's own launch and terminate events. */
  public readonly autoScalingRule: events.Rule;
  /** `StopLogging`, `DeleteTrail`, `UpdateTrail`, `PutEventSelectors` of any trail, when the call succeeded. */
  public readonly trailTamperingRule: events.Rule;
  /** The same calls when they failed: the alert says "attempted, denied". */
  public readonly trailTamperingAttemptRule: events.Rule;
  /** Every rule above. */
  public readonly rules: events.Rule[];
  /** Events EventBridge could not hand to a target after its retries. */
  public readonly deadLetterQueue: sqs.Queue;
  /** Invocations the guard function failed (after Lambda's two retries) or that aged out. */
  public readonly failureQueue: sqs.Queue;
  /** Delayed checks of group launches at their deadline (the guard sends, and receives them). */
  public readonly deadlineQueue: sqs.Queue;
  /** The alarms, all publishing to `topic` (and to `chatTopic` when set). */
  public readonly alarms: cloudwatch.Alarm[];
  /** The trail, when `createTrail` is set. */
  public readonly trail?: cloudtrail.Trail;
  /** The incoming-webhook notifier, when `slack.webhookSecret` is set. */
  public readonly webhookNotifier?: lambda.Function;
  /** The Chatbot channel configuration, when `slack.chatbot` is set. */
  public readonly slackChannel?: chatbot.SlackChannelConfiguration;
  /** Auto-resume, when `autoResume` is set. */
  public readonly autoResume?: AutoResume;

  private readonly settings: ResolvedSettings;

  constructor(scope: Construct, id: string, props: LaunchLoopGuardProps = {}) {
    super(scope, id);
    const settings = resolveProps(props);
    const stack = Stack.of(this);

    this.key = new kms.Key(this, 'Key', {
      description: 'launch-loop-guard: encrypts its alert topics and log groups',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // CloudWatch alarms publish to encrypted topics only when the key lets them; scoped to this
    // account. EventBridge publishes through a role of this account (see tamperingRule), so no
    // service principal of EventBridge appears in the key or topic policies.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToUseTheKey',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: [...RUNTIME_PERMISSIONS.topicKey],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    this.hardenKey();
    this.settings = settings;

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'ttl',
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // The table only holds trailing windows of launches: nothing to keep after an uninstall.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.topic = props.topic ?? this.newTopic('Topic', 'launch-loop-guard alerts');
    if (props.slack?.chatbot !== undefined) {
      this.chatTopic = this.newTopic('ChatTopic', 'launch-loop-guard alerts for AWS Chatbot');
    }
    for (const email of settings.emails)
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));

    this.deadLetterQueue = this.newQueue('DeadLetterQueue');
    this.failureQueue = this.newQueue('FailureQueue');
    NagSuppressions.addResourceSuppressions(this.deadLetterQueue, [
      { id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the rule targets.' },
    ]);
    NagSuppressions.addResourceSuppressions(this.failureQueue, [
      {
        id: 'AwsSolutions-SQS3',
        reason: "This queue is itself the guard function's on-failure destination (a dead-letter store).",
      },
    ]);

    this.deadlineQueue = new sqs.Queue(this, 'DeadlineQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Longer than the function's timeout (60 s), as an SQS event source requires.
      visibilityTimeout: Duration.minutes(6),
      retentionPeriod: Duration.hours(4),
      deadLetterQueue: { queue: this.failureQueue, maxReceiveCount: 5 },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.resumer = new Resumer(this, 'Resumer', {
      table: this.table,
      topic: this.topic,
      logGroup: this.newLogGroup('ResumerLogs'),
    }).function;
    this.tableName = this.table.tableName;
    this.resumerFunctionName = this.resumer.functionName;
    this.handler = this.newGuardFunction(settings);
    this.handler.addEventSource(
      new eventSources.SqsEventSource(this.deadlineQueue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(10),
        reportBatchItemFailures: true,
      }),
    );

    this.cloudTrailLaunchRule = new events.Rule(this, 'CloudTrailLaunchRule', {
      description: 'launch-loop-guard: RunInstances and CreateFleet recorded by CloudTrail',
      eventPattern: CLOUDTRAIL_LAUNCH_PATTERN,
    });
    this.autoScalingRule = new events.Rule(this, 'AutoScalingRule', {
      description: "launch-loop-guard: Auto Scaling's own instance launch and terminate events",
      eventPattern: AUTO_SCALING_PATTERN,
    });
    for (const rule of [this.cloudTrailLaunchRule, this.autoScalingRule]) {
      rule.addTarget(
        new targets.LambdaFunction(this.handler, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: TARGET_RETRY_ATTEMPTS,
          maxEventAge: TARGET_MAX_EVENT_AGE,
        }),
      );
    }
    this.trailAlertRole = trailAlertPublisher(this);
    const alertTopics = { main: this.topic, chat: this.chatTopic };
    const delivery = {
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: TARGET_RETRY_ATTEMPTS,
      maxEventAge: TARGET_MAX_EVENT_AGE,
    };
    this.trailTamperingRule = trailTamperingRule(this, 'ok', alertTopics, delivery, this.trailAlertRole);
    this.trailTamperingAttemptRule = trailTamperingRule(
      this,
      'attempt',
      alertTopics,
      delivery,
      this.trailAlertRole,
    );
    this.rules = [
      this.cloudTrailLaunchRule,
      this.autoScalingRule,
      this.trailTamperingRule,
      this.trailTamperingAttemptRule,
    ];

    if (props.slack?.chatbot !== undefined && this.chatTopic !== undefined) {
      this.slackChannel = chatbotChannel(this, props.slack.chatbot, this.chatTopic);
    }
    if (props.slack?.webhookSecret !== undefined) {
      this.webhookNotifier = webhookFunction(
        this,
        props.slack.webhookSecret,
        this.topic,
        this.newLogGroup('SlackWebhookLogs'),
      );
    }
    if (props.createTrail === true) {
      this.trail = newGuardTrail(this, this.key, settings, props.accessLogsBucket, (logsId) =>
        this.newLogGroup(logsId),
      );
    }

    this.alarms = newGuardAlarms(
      this,
      {
        topics: [this.topic, ...(this.chatTopic ? [this.chatTopic] : [])],
        handler: this.handler,
        deadLetterQueue: this.deadLetterQueue,
        failureQueue: this.failureQueue,
        webhookNotifier: this.webhookNotifier,
      },
      settings,
    );

    if (props.autoResume !== undefined) {
      this.autoResume = new AutoResume(this, 'AutoResume', {
        ...props.autoResume,
        guardFunction: this.handler,
        table: this.table,
        topic: this.topic,
        resumer: this.resumer,
      });
    }
    if (settings.vpc !== undefined) placeFunctionsInVpc(this, settings.vpc);
    if (props.outputs !== false) this.newOutputs();
  }

  /** Stack outputs for operators, keyed by this construct's unique id (see `outputs`). */
  private newOutputs(): void {
    // The construct's path below its stack, letters and digits only: `Guard` for the usual case.
    const scopes = this.node.scopes;
    const below = scopes.slice(scopes.indexOf(Stack.of(this)) + 1);
    const prefix = below.map((c) => c.node.id.replace(/[^A-Za-z0-9]/g, '')).join('');
    const outputs: Record<string, { value: string; description: string }> = {
      TableName: {
        value: this.tableName,
        description: 'The guard table: pass it to `launch-loop-guard status` and `resume` as --table',
      },
      TopicArn: { value: this.topic.topicArn, description: 'Where the guard alerts' },
      ResumerFunctionName: {
        value: this.resumerFunctionName,
        description:
          'The resumer function: `aws lambda invoke` it with {"action":"resume","account","region","groupName"} to resume a group the guard suspended',
      },
      FailureQueueUrl: {
        value: this.failureQueue.queueUrl,
        description: 'Events the guard function failed on: redrive them once the cause is fixed',
      },
      DeadlineQueueUrl: {
        value: this.deadlineQueue.queueUrl,
        description: "The delayed checks at each launch's deadline (the guard sends and receives them)",
      },
    };
    for (const [name, output] of Object.entries(outputs)) {
      new CfnOutput(this, name, output).overrideLogicalId(`${prefix}${name}`);
    }
  }

  private newTopic(id: string, displayName: string): sns.Topic {
    const topic = new sns.Topic(this, id, { displayName, masterKey: this.key, enforceSSL: true });
    // A topic policy replaces the default one, so CloudWatch alarms need their own statement.
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    return topic;
  }

  private newQueue(id: string): sqs.Queue {
    return new sqs.Queue(this, id, {
      // SQS-managed encryption: EventBridge and Lambda can write to it without key grants.
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
      // It is a dead-letter store, and says so (Control Tower's sqs_dlq_check skips such a queue).
      // Not `byQueue`: the deadline queue names this one as its dead-letter queue, so naming it
      // back would be a circular reference; `allowAll` admits queues of this account only.
      redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.ALLOW_ALL },
    });
  }

  /** A log group encrypted with the guard's key, kept as long as `logRetention` says. */
  private newLogGroup(id: string): logs.LogGroup {
    return new logs.LogGroup(this, id, {
      retention: this.settings.logRetention,
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }

  /**
   * Key policy statements every deployment gets: CloudWatch Logs may use the key for this
   * account's log groups only (the encryption context names the log group), and nobody may create
   * a grant unless it is for an AWS resource (Control Tower's kms_create_grant_aws_service_check).
   */
  private hardenKey(): void {
    const stack = Stack.of(this);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new iam.ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          // docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${stack.account}:log-group:*`,
          },
        },
      }),
    );
    this.key.addToResourcePolicy(denyGrantsExceptForAwsResources());
  }

  private newGuardFunction(settings: ResolvedSettings): lambda.Function {
    const logGroup = this.newLogGroup('GuardLogs');
    const role = new iam.Role(this, 'GuardRole', {
      description: 'launch-loop-guard: the guard function (least privilege, see lambda/permissions.ts)',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    const environment: Record<string, string> = {
      [ENV.tableName]: this.table.tableName,
      [ENV.topicArn]: this.topic.topicArn,
      [ENV.window]: formatDuration(settings.windowMs),
      [ENV.maxWindow]: formatDuration(MAX_WINDOW.toMilliseconds()),
      [ENV.asgThreshold]: String(settings.asgThreshold),
      [ENV.amiThreshold]: String(settings.amiThreshold),
      [ENV.dryRun]: String(settings.dryRun),
      [ENV.suspendProcesses]: settings.suspendProcesses.join(','),
      [ENV.amiAction]: settings.amiAction,
      [ENV.amiMaxGroups]: String(settings.amiMaxGroups),
      [ENV.churnShare]: String(settings.churnShare),
      [ENV.failedStreak]: String(settings.failedStreak),
      [ENV.deadlineQueueUrl]: this.deadlineQueue.queueUrl,
      [ENV.amiChangeAlerts]: settings.amiChangeAlerts,
      // The alert's `aws lambda invoke` line names the resumer; it runs beside the guard.
      [ENV.resumerFunction]: this.resumer.functionName,
      [ENV.resumerRegion]: Aws.REGION,
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    if (this.chatTopic !== undefined) environment[ENV.chatTopicArn] = this.chatTopic.topicArn;

    const fn = guardFunction(this, 'Guard', 'guard', {
      description: 'launch-loop-guard: counts EC2 launches and suspends runaway Auto Scaling groups',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(60),
      role,
      logGroup,
      environment,
      // Lambda's async defaults, written out: two retries of a failed invocation, throttled
      // events kept up to 6 hours, then the failure queue.
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new destinations.SqsDestination(this.failureQueue),
      ...(settings.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: settings.reservedConcurrency }),
    });
    logGroup.grantWrite(role);
    grantAdapterPermissions(role, {
      tableArn: this.table.tableArn,
      topicArns: [this.topic.topicArn, ...(this.chatTopic ? [this.chatTopic.topicArn] : [])],
      deadlineQueueArn: this.deadlineQueue.queueArn,
    });
    this.key.grant(role, ...RUNTIME_PERMISSIONS.topicKey);

    NagSuppressions.addResourceSuppressions(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'Describe calls (Auto Scaling groups and warm pools, EC2 images) have no resource-level permissions; Auto Scaling writes are limited to groups of this account, which the guard finds at run time in any region.',
          appliesTo: [
            'Resource::*',
            'Resource::arn:<AWS::Partition>:autoscaling:*:<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/*',
          ],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'kms:GenerateDataKey* is the documented action family for publishing to an encrypted topic.',
          appliesTo: ['Action::kms:GenerateDataKey*'],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'The instance-role check reads the instance profile and simulates the role of whichever group launched a new AMI; both are found at run time, and the actions only read.',
          appliesTo: [
            'Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:instance-profile/*',
            'Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*',
          ],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason: "Log streams of the function's own log group are created at run time.",
          appliesTo: [{ regex: '/^Resource::<.*GuardLogs.*\\.Arn>:\\*$/g' }],
        },
      ],
      true,
    );
    return fn;
  }

  /** Add each adapter's actions on the narrowest resources that action allows. */
}
