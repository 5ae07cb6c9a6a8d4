/** The guard construct's options, each on its own unbundled stack. */
import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../lambda/config';
import { METRIC, METRIC_NAMESPACE } from '../../lambda/core/metric-names';
import { RUNTIME_PERMISSIONS } from '../../lambda/permissions';
import { WEBHOOK_ENV } from '../../lambda/webhook-config';
import { SERVICE_NAME } from '../../lib/launch-loop-guard';
import { ACCOUNT, guardEnv, guardStack, logicalId, REGION, roleActions } from './stacks';

const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:llg/slack-AbCdEf`;

describe('LaunchLoopGuard options', () => {
  it('writes every counting option into the environment', () => {
    // Prepare / Act
    const { template } = guardStack({
      window: Duration.minutes(90),
      asgThreshold: 4,
      amiThreshold: 30,
      dryRun: true,
      suspendProcesses: ['Launch', 'AZRebalance', 'Launch'],
      amiAction: 'suspend',
      amiMaxGroups: 3,
      churnShare: 'off',
      amiChangeAlerts: 'all',
    });

    // Assess
    expect(guardEnv(template)).toMatchObject({
      [ENV.amiChangeAlerts]: 'all',
      [ENV.window]: '90m',
      [ENV.asgThreshold]: '4',
      [ENV.amiThreshold]: '30',
      [ENV.dryRun]: 'true',
      [ENV.suspendProcesses]: 'Launch,AZRebalance',
      [ENV.amiAction]: 'suspend',
      [ENV.amiMaxGroups]: '3',
      [ENV.churnShare]: 'off',
    });
  });

  it('uses an existing topic instead of creating one', () => {
    // Prepare
    const arn = `arn:aws:sns:${REGION}:${ACCOUNT}:existing`;

    // Act
    const built = guardStack((stack) => ({ topic: sns.Topic.fromTopicArn(stack, 'Existing', arn) }));

    // Assess
    built.template.resourceCountIs('AWS::SNS::Topic', 0);
    expect(guardEnv(built.template)[ENV.topicArn]).toBe(arn);
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [arn] });
  });

  it('subscribes each e-mail address', () => {
    const { template } = guardStack({ emails: ['oncall@example.com', 'platform@example.org'] });
    template.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email' }, 2);
    template.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'platform@example.org' });
  });

  it('sets reserved concurrency when asked', () => {
    const { template } = guardStack({ reservedConcurrency: 50 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('counts EC2 launches'),
      ReservedConcurrentExecutions: 50,
    });
  });

  it('adds the no-launch-events alarm on LaunchEvents, treating missing data as breaching', () => {
    const { template, guard } = guardStack({ noLaunchEventsAlarmHours: 6 });
    expect(guard.alarms).toHaveLength(6);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: METRIC_NAMESPACE,
      MetricName: METRIC.launchEvents,
      Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
      Period: 3600,
      EvaluationPeriods: 6,
      DatapointsToAlarm: 6,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('creates an encrypted, SSL-only, expiring bucket and a multi-region write-only trail', () => {
    const { template, guard } = guardStack({ createTrail: true, trailRetention: Duration.days(30) });
    expect(guard.trail).toBeDefined();
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsMultiRegionTrail: true,
      IsLogging: true,
      EnableLogFileValidation: true,
      EventSelectors: [Match.objectLike({ IncludeManagementEvents: true, ReadWriteType: 'WriteOnly' })],
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 30, Status: 'Enabled' })]),
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('delivers through AWS Chatbot with a chat topic of its own', () => {
    // Act
    const { template, guard, stack } = guardStack({
      slack: { chatbot: { workspaceId: 'T0123ABCD', channelId: 'C0456EFGH' } },
    });

    // Assess
    const chatTopicId = logicalId(stack, guard.chatTopic as sns.Topic);
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T0123ABCD',
      SlackChannelId: 'C0456EFGH',
      SnsTopicArns: [{ Ref: chatTopicId }],
      GuardrailPolicies: [Match.anyValue()],
    });
    template.resourceCountIs('AWS::SNS::Topic', 2);
    expect(guardEnv(template)[ENV.chatTopicArn]).toEqual({ Ref: chatTopicId });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AlertTopics',
            Resource: [{ Ref: logicalId(stack, guard.topic as sns.Topic) }, { Ref: chatTopicId }],
          }),
        ]),
      },
    });
    // Trail changes reach the chat topic in Chatbot's custom-notification form.
    const rule = template.toJSON().Resources[logicalId(stack, guard.trailTamperingRule)];
    const chatTarget = rule.Properties.Targets.find(
      (x: { Arn: unknown }) => JSON.stringify(x.Arn) === JSON.stringify({ Ref: chatTopicId }),
    );
    expect(chatTarget.InputTransformer.InputTemplate).toMatch(/"version":"1.0","source":"custom"/);
    expect(chatTarget.InputTransformer.InputTemplate).toMatch(/"threadId":"launch-loop-guard-trail"/);
    // Alarms go to both topics.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: logicalId(stack, guard.topic as sns.Topic) }, { Ref: chatTopicId }],
    });
  });

  it('subscribes the webhook notifier to the main topic and passes the secret by ARN only', () => {
    // Act
    const { template, guard, stack } = guardStack((scope) => ({
      slack: { webhookSecret: secretsmanager.Secret.fromSecretCompleteArn(scope, 'Secret', SECRET_ARN) },
    }));

    // Assess
    expect(guard.webhookNotifier).toBeDefined();
    const fnId = logicalId(stack, guard.webhookNotifier as never);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: logicalId(stack, guard.topic as sns.Topic) },
      Endpoint: { 'Fn::GetAtt': [fnId, 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [WEBHOOK_ENV.secretId]: SECRET_ARN }) },
    });
    const actions = roleActions(template, logicalId(stack, guard.webhookNotifier?.role as never));
    expect(new Set(actions)).toEqual(
      new Set([
        ...RUNTIME_PERMISSIONS.logs,
        'secretsmanager:GetSecretValue',
        'secretsmanager:DescribeSecret',
      ]),
    );
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
    });
  });

  it('wires auto-resume when asked, exposing it', () => {
    const { template, guard } = guardStack({ autoResume: { cooldown: Duration.minutes(20), maxTrips: 3 } });
    expect(guard.autoResume).toBeDefined();
    // The schedules invoke the resumer every deployment has: no second one.
    expect(guard.autoResume?.resumer).toBe(guard.resumer);
    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    expect(guardEnv(template)[ENV.autoResume]).toBeDefined();
  });
});
