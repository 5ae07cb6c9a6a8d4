/**
 * The LaunchLoopGuard L3 construct: the table, the guard function, its rules, queues, topics,
 * alarms, Slack delivery and (optionally) a trail, with least-privilege IAM.
 */
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as eventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { ENV } from '../lambda/config';
import { formatDuration } from '../lambda/core/duration';
import { METRIC, METRIC_NAMESPACE } from '../lambda/core/metric-names';
import { GUARD_PERMISSIONS, RUNTIME_PERMISSIONS } from '../lambda/permissions';
import { WEBHOOK_ENV } from '../lambda/webhook-config';
import { AutoResume } from './auto-resume';
import { AUTO_SCALING_PATTERN, CLOUDTRAIL_LAUNCH_PATTERN } from './event-patterns';
import { guardFunction } from './function-code';
import { autoScalingStatements, denyGrantsExceptForAwsResources } from './least-privilege';
import { type LaunchLoopGuardProps, MAX_WINDOW, type ResolvedSettings, resolveProps } from './props';
import { Resumer } from './resumer';
import { trailAlertTargets, trailChangePattern } from './trail-alert';

/** Powertools service name: the `service` dimension of the guard's metrics. */
export const SERVICE_NAME = 'launch-loop-guard';

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
    this.trailAlertRole = this.trailAlertPublisher();
    this.trailTamperingRule = this.tamperingRule('ok');
    this.trailTamperingAttemptRule = this.tamperingRule('attempt');
    this.rules = [
      this.cloudTrailLaunchRule,
      this.autoScalingRule,
      this.trailTamperingRule,
      this.trailTamperingAttemptRule,
    ];

    if (props.slack?.chatbot !== undefined && this.chatTopic !== undefined) {
      this.slackChannel = this.chatbotChannel(props.slack.chatbot, this.chatTopic);
    }
    if (props.slack?.webhookSecret !== undefined) {
      this.webhookNotifier = this.webhookFunction(props.slack.webhookSecret);
    }
    if (props.createTrail === true) this.trail = this.newTrail(settings, props.accessLogsBucket);

    this.alarms = this.newAlarms(settings);

    if (props.autoResume !== undefined) {
      this.autoResume = new AutoResume(this, 'AutoResume', {
        ...props.autoResume,
        guardFunction: this.handler,
        table: this.table,
        topic: this.topic,
        resumer: this.resumer,
      });
    }
    if (settings.vpc !== undefined) this.placeFunctionsInVpc(settings.vpc);
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

  /**
   * Run every function of this construct in the given subnets: the VPC configuration, the
   * network-interface permissions Lambda needs on each role, and (without given security groups)
   * one group that allows HTTPS out and nothing in.
   */
  private placeFunctionsInVpc(vpc: NonNullable<ResolvedSettings['vpc']>): void {
    const securityGroupIds = [...vpc.securityGroupIds];
    if (securityGroupIds.length === 0 && vpc.vpcId !== undefined) {
      const group = new ec2.CfnSecurityGroup(this, 'FunctionSecurityGroup', {
        groupDescription: 'launch-loop-guard functions: HTTPS to AWS APIs and Slack, nothing in',
        vpcId: vpc.vpcId,
        securityGroupEgress: [
          { ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIp: '0.0.0.0/0', description: 'HTTPS out' },
        ],
      });
      securityGroupIds.push(group.attrGroupId);
    }
    const functions = this.node.findAll().filter((c): c is lambda.Function => c instanceof lambda.Function);
    for (const fn of functions) {
      const cfn = fn.node.defaultChild as lambda.CfnFunction;
      cfn.vpcConfig = { subnetIds: [...vpc.subnetIds], securityGroupIds };
      const role = fn.role;
      if (role === undefined) continue;
      // What AWSLambdaVPCAccessExecutionRole grants, without the managed policy. Lambda creates
      // and deletes the interfaces at deploy time, before the function's code runs.
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'LambdaNetworkInterfaces',
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
      NagSuppressions.addResourceSuppressions(
        role,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason:
              'Lambda needs these network-interface actions to attach the function to its subnets; EC2 gives DescribeNetworkInterfaces no resource-level permission and the interfaces are made by Lambda at run time.',
            appliesTo: ['Resource::*'],
          },
        ],
        true,
      );
    }
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
    this.grantAdapterPermissions(role);
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
  private grantAdapterPermissions(role: iam.Role): void {
    const autoScalingWrites: string[] = [];
    const topics = [this.topic.topicArn, ...(this.chatTopic ? [this.chatTopic.topicArn] : [])];
    const byResource = new Map<string, { resources: string[]; actions: string[] }>();
    const add = (sid: string, resources: string[], action: string) => {
      const entry = byResource.get(sid) ?? { resources, actions: [] };
      entry.actions.push(action);
      byResource.set(sid, entry);
    };
    for (const action of GUARD_PERMISSIONS) {
      const [service, name = ''] = action.split(':');
      if (service === 'dynamodb') add('LaunchTable', [this.table.tableArn], action);
      else if (service === 'sns') add('AlertTopics', topics, action);
      else if (name.startsWith('Describe') || (service === 'ecs' && name.startsWith('List')))
        // Read-only calls: the clusters and groups to read are only known at run time.
        add('ReadOnlyDescribe', ['*'], action);
      else if (service === 'autoscaling') autoScalingWrites.push(action);
      else if (service === 'sqs') add('DeadlineQueue', [this.deadlineQueue.queueArn], action);
      else if (action === 'iam:GetInstanceProfile')
        add(
          'InstanceProfilesOfThisAccount',
          [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:instance-profile/*`],
          action,
        );
      else if (action === 'pricing:GetProducts')
        // The Price List has no resources to name: AWS documents this action with `*` only.
        add('PriceList', ['*'], action);
      else if (action === 'iam:SimulatePrincipalPolicy')
        // Instance roles are found at run time; roles at the paths AWS reserves for its own
        // service-linked and SSO roles are never an instance profile's, and are denied below.
        add('SimulateRolesOfThisAccount', [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/*`], action);
      else {
        throw new Error(
          `LaunchLoopGuard: lambda/permissions.ts lists "${action}", which the construct cannot scope; add a rule for it`,
        );
      }
    }
    for (const [sid, { resources, actions }] of byResource) {
      role.addToPolicy(new iam.PolicyStatement({ sid, actions, resources }));
    }
    for (const statement of autoScalingStatements(autoScalingWrites)) role.addToPolicy(statement);
    if (byResource.has('SimulateRolesOfThisAccount')) {
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'NeverSimulateReservedRoles',
          effect: iam.Effect.DENY,
          actions: ['iam:SimulatePrincipalPolicy'],
          resources: [
            `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-service-role/*`,
            `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/aws-reserved/*`,
          ],
        }),
      );
    }
  }

  private tamperingRule(outcome: 'ok' | 'attempt'): events.Rule {
    const rule = new events.Rule(
      this,
      outcome === 'ok' ? 'TrailTamperingRule' : 'TrailTamperingAttemptRule',
      {
        description:
          outcome === 'ok'
            ? 'launch-loop-guard: a trail was stopped, deleted or changed (the guard may go blind)'
            : 'launch-loop-guard: someone tried, and failed, to stop, delete or change a trail',
        eventPattern: trailChangePattern(outcome),
      },
    );
    const publisher = this.trailAlertRole;
    const targetProps = {
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: TARGET_RETRY_ATTEMPTS,
      maxEventAge: TARGET_MAX_EVENT_AGE,
      role: publisher,
    };
    for (const target of trailAlertTargets(
      outcome,
      { main: this.topic, ...(this.chatTopic === undefined ? {} : { chat: this.chatTopic }) },
      targetProps,
      '',
    )) {
      rule.addTarget(target);
    }
    // After the targets: their grants create the role's default policy.
    NagSuppressions.addResourceSuppressions(
      publisher,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'kms:GenerateDataKey* is the documented action family for publishing to an encrypted topic; granted on the construct key only.',
          appliesTo: ['Action::kms:GenerateDataKey*'],
        },
      ],
      true,
    );
    return rule;
  }

  /**
   * EventBridge publishes trail-change alerts with this role, not as its service principal: an
   * SnsTopic target without a role adds an unconditioned `events.amazonaws.com` grant to the
   * topic policy and the key policy, which any account's rule could use. The trust is limited to
   * this account's rules (EventBridge sets aws:SourceAccount:
   * docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html).
   */
  private trailAlertPublisher(): iam.Role {
    return new iam.Role(this, 'TrailAlertRole', {
      description: 'launch-loop-guard: lets the trail-change rule publish to the alert topics, nothing else',
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    });
  }

  private chatbotChannel(
    options: NonNullable<NonNullable<LaunchLoopGuardProps['slack']>['chatbot']>,
    chatTopic: sns.Topic,
  ): chatbot.SlackChannelConfiguration {
    // The channel only relays notifications: its role holds no permission, and the guardrail
    // keeps it so even if someone attaches one.
    const role = new iam.Role(this, 'ChatbotRole', {
      description: 'launch-loop-guard: AWS Chatbot channel role (notifications only, no permissions)',
      assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
    });
    const guardrail = new iam.ManagedPolicy(this, 'ChatbotGuardrail', {
      description: 'launch-loop-guard: the Slack channel may read alarms, nothing else',
      statements: [new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: ['*'] })],
    });
    NagSuppressions.addResourceSuppressions(guardrail, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'A guardrail caps what the chat channel may do; cloudwatch:DescribeAlarms has no narrower resource.',
        appliesTo: ['Resource::*'],
      },
    ]);
    return new chatbot.SlackChannelConfiguration(this, 'SlackChannel', {
      slackChannelConfigurationName:
        options.configurationName ?? `launch-loop-guard-${Stack.of(this).stackName}`.slice(0, 128),
      slackWorkspaceId: options.workspaceId,
      slackChannelId: options.channelId,
      notificationTopics: [chatTopic],
      role,
      guardrailPolicies: [guardrail],
      loggingLevel: chatbot.LoggingLevel.ERROR,
    });
  }

  private webhookFunction(secret: NonNullable<NonNullable<LaunchLoopGuardProps['slack']>['webhookSecret']>) {
    const logGroup = this.newLogGroup('SlackWebhookLogs');
    const role = new iam.Role(this, 'SlackWebhookRole', {
      description: 'launch-loop-guard: the Slack webhook notifier (reads its secret, writes its logs)',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    const fn = guardFunction(this, 'SlackWebhook', 'slack-webhook', {
      description: 'launch-loop-guard: posts alerts to a Slack incoming webhook',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // Room for the bounded retries on 429 and 5xx.
      timeout: Duration.seconds(60),
      role,
      logGroup,
      environment: {
        [WEBHOOK_ENV.secretId]: secret.secretArn,
        POWERTOOLS_SERVICE_NAME: `${SERVICE_NAME}-slack`,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      retryAttempts: 2,
    });
    logGroup.grantWrite(role);
    secret.grantRead(role);
    this.topic.addSubscription(new subscriptions.LambdaSubscription(fn));
    NagSuppressions.addResourceSuppressions(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason: "Log streams of the function's own log group are created at run time.",
          appliesTo: [{ regex: '/^Resource::<.*SlackWebhookLogs.*\\.Arn>:\\*$/g' }],
        },
      ],
      true,
    );
    return fn;
  }

  private newTrail(settings: ResolvedSettings, accessLogs: s3.IBucket | undefined): cloudtrail.Trail {
    const strict = settings.controlTower;
    const bucket = new s3.Bucket(this, 'TrailBucket', {
      ...(strict
        ? { encryption: s3.BucketEncryption.KMS, encryptionKey: this.key, bucketKeyEnabled: true }
        : { encryption: s3.BucketEncryption.S3_MANAGED }),
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Object lock needs versioning; without a default retention it locks nothing by itself,
      // but lets an auditor put a legal hold or retention on a log file.
      versioned: strict,
      objectLockEnabled: strict,
      ...(accessLogs === undefined
        ? {}
        : { serverAccessLogsBucket: accessLogs, serverAccessLogsPrefix: 'launch-loop-guard-trail/' }),
      lifecycleRules: [
        {
          id: 'expire-trail-logs',
          expiration: Duration.days(settings.trailRetentionDays),
          ...(strict ? { noncurrentVersionExpiration: Duration.days(1) } : {}),
        },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      // Audit logs outlive the guard: an uninstall leaves the bucket (see the README).
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (strict) {
      // Straight on the bucket resource: the L2 `eventBridgeEnabled` would add a custom-resource
      // function (outside the VPC) to configure the same thing.
      (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
        eventBridgeConfiguration: { eventBridgeEnabled: true },
      };
    }
    if (accessLogs === undefined) {
      NagSuppressions.addResourceSuppressions(bucket, [
        {
          id: 'AwsSolutions-S1',
          reason:
            'No accessLogsBucket was given: the guard cannot make a log bucket that itself needs a log bucket. CloudTrail data events can record reads of the log files; the README says how to pass accessLogsBucket.',
        },
      ]);
    }
    const logGroup = strict ? this.newLogGroup('TrailLogs') : undefined;
    const trail = new cloudtrail.Trail(this, 'Trail', {
      bucket,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      // Launches and trail changes are write calls: read events would only add cost.
      managementEvents: cloudtrail.ReadWriteType.WRITE_ONLY,
      enableFileValidation: true,
      ...(strict
        ? { encryptionKey: this.key, sendToCloudWatchLogs: true, cloudWatchLogGroup: logGroup }
        : {}),
    });
    if (strict) this.allowTrailToUseKey(trail);
    this.pinTrailBucketPolicy(bucket);
    return trail;
  }

  /**
   * The Trail construct grants `cloudtrail.amazonaws.com` the bucket with no condition: limit its
   * statements to this account's trails (the trail's own ARN would be a circular reference).
   */
  private pinTrailBucketPolicy(bucket: s3.Bucket): void {
    const policy = bucket.policy;
    if (policy === undefined) return;
    const resolved = Stack.of(this).resolve(policy.document) as {
      Statement: { Principal?: { Service?: unknown }; Condition?: Record<string, Record<string, unknown>> }[];
    };
    const cfn = policy.node.defaultChild as s3.CfnBucketPolicy;
    resolved.Statement.forEach((statement, i) => {
      if (statement.Principal?.Service !== 'cloudtrail.amazonaws.com') return;
      const condition = statement.Condition ?? {};
      cfn.addPropertyOverride(`PolicyDocument.Statement.${i}.Condition`, {
        ...condition,
        StringEquals: { ...condition.StringEquals, 'aws:SourceAccount': Stack.of(this).account },
      });
    });
  }

  /**
   * CloudTrail encrypts the log files with the guard's key: only for this account's trails
   * (docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
   */
  private allowTrailToUseKey(trail: cloudtrail.Trail): void {
    const account = Stack.of(this).account;
    const trailArns = `arn:${Aws.PARTITION}:cloudtrail:*:${account}:trail/*`;
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudTrailOfThisAccountToEncrypt',
        principals: [new iam.ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': trailArns },
        },
      }),
    );
    // CDK's LogsRole trusts cloudtrail.amazonaws.com with no condition: pin it to this trail.
    const logsRole = trail.node.tryFindChild('LogsRole') as iam.Role | undefined;
    const cfnRole = logsRole?.node.defaultChild as iam.CfnRole | undefined;
    cfnRole?.addPropertyOverride('AssumeRolePolicyDocument.Statement.0.Condition', {
      StringEquals: { 'aws:SourceAccount': account },
    });
  }

  private newAlarms(settings: ResolvedSettings): cloudwatch.Alarm[] {
    const topics: sns.ITopic[] = [this.topic, ...(this.chatTopic ? [this.chatTopic] : [])];
    const period = Duration.minutes(5);
    const alarms: cloudwatch.Alarm[] = [];
    const add = (id: string, description: string, metric: cloudwatch.IMetric, extra = {}) => {
      const alarm = new cloudwatch.Alarm(this, id, {
        alarmDescription: `launch-loop-guard: ${description}`,
        metric,
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...extra,
      });
      for (const t of topics) alarm.addAlarmAction(new cwActions.SnsAction(t));
      alarms.push(alarm);
    };
    add(
      'GuardErrorsAlarm',
      'the guard function failed; Lambda retries twice, then the event goes to the failure queue',
      this.handler.metricErrors({ period, statistic: 'Sum' }),
    );
    add(
      'GuardThrottlesAlarm',
      'the guard function was throttled: launches are being handled late',
      this.handler.metricThrottles({ period, statistic: 'Sum' }),
    );
    add(
      'DeadLetterQueueAlarm',
      'EventBridge could not deliver events to the guard (see the dead-letter queue)',
      this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
    );
    add(
      'FailureQueueAlarm',
      'launch events the guard function could not handle (see the failure queue)',
      this.failureQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
    );
    add(
      'GuardBlindAlarm',
      'the guard cannot do its job (access denied, its table or key missing or disabled): launches are not being counted; fix the permissions, then replay the failure queue',
      new cloudwatch.Metric({
        namespace: METRIC_NAMESPACE,
        metricName: METRIC.guardBlind,
        dimensionsMap: { service: SERVICE_NAME },
        // One-minute periods: the alert reaches the topic within 5 minutes of the first blind event.
        period: Duration.minutes(1),
        statistic: 'Sum',
      }),
    );
    if (this.webhookNotifier !== undefined) {
      add(
        'SlackWebhookErrorsAlarm',
        'the Slack webhook notifier failed to post an alert',
        this.webhookNotifier.metricErrors({ period, statistic: 'Sum' }),
      );
    }
    if (settings.noLaunchEventsAlarmHours !== undefined) {
      const hours = settings.noLaunchEventsAlarmHours;
      add(
        'NoLaunchEventsAlarm',
        `no launch event handled for ${hours} h: is a trail still logging management events?`,
        new cloudwatch.Metric({
          namespace: METRIC_NAMESPACE,
          metricName: METRIC.launchEvents,
          dimensionsMap: { service: SERVICE_NAME },
          period: Duration.hours(1),
          statistic: 'Sum',
        }),
        {
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: hours,
          datapointsToAlarm: hours,
          // No data is exactly what a blind guard looks like.
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        },
      );
    }
    return alarms;
  }
}
