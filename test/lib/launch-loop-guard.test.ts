/**
 * The guard construct's defaults and its least privilege, on one bundled stack (its options:
 * ./launch-loop-guard-options.test.ts).
 */
import { Match } from 'aws-cdk-lib/assertions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../lambda/config';
import { METRIC, METRIC_NAMESPACE } from '../../lambda/core/metric-names';
import { FORBIDDEN_ACTIONS, GUARD_PERMISSIONS, RUNTIME_PERMISSIONS } from '../../lambda/permissions';
import { AUTO_SCALING_PATTERN, CLOUDTRAIL_LAUNCH_PATTERN, toEventBridgeJson } from '../../lib/event-patterns';
import { SERVICE_NAME, TARGET_MAX_EVENT_AGE, TARGET_RETRY_ATTEMPTS } from '../../lib/launch-loop-guard';
import { trailChangePattern } from '../../lib/trail-alert';
import { ACCOUNT, guardEnv, guardStack, logicalId, roleActions } from './stacks';

// One bundled stack for the defaults (esbuild runs once); the options skip bundling.
const base = guardStack({}, true);
const t = base.template;
const guardId = logicalId(base.stack, base.guard.handler);
const topicId = logicalId(base.stack, base.guard.topic as sns.Topic);

describe('LaunchLoopGuard defaults', () => {
  it('creates the table the store expects: pk, TTL ttl, on demand, PITR, encrypted', () => {
    t.resourceCountIs('AWS::DynamoDB::Table', 1);
    t.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('configures the function from the ENV names with the documented defaults', () => {
    expect(guardEnv(t)).toEqual({
      [ENV.tableName]: { Ref: logicalId(base.stack, base.guard.table) },
      [ENV.failedStreak]: '4',
      [ENV.deadlineQueueUrl]: { Ref: logicalId(base.stack, base.guard.deadlineQueue) },
      [ENV.topicArn]: { Ref: topicId },
      [ENV.window]: '1h',
      [ENV.maxWindow]: '1d',
      [ENV.asgThreshold]: '10',
      [ENV.amiThreshold]: '50',
      [ENV.dryRun]: 'false',
      [ENV.suspendProcesses]: 'Launch',
      [ENV.amiAction]: 'alert',
      [ENV.amiMaxGroups]: '5',
      [ENV.churnShare]: '0.5',
      [ENV.amiChangeAlerts]: 'family',
      [ENV.resumerFunction]: { Ref: logicalId(base.stack, base.guard.resumer) },
      [ENV.resumerRegion]: { Ref: 'AWS::Region' },
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
  });

  it('runs the bundled handler on the latest Node.js runtime, without reserved concurrency', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      ReservedConcurrentExecutions: Match.absent(),
    });
  });

  it('sends failed async invocations to the failure queue after 2 retries or 6 hours', () => {
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: guardId },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 21_600,
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [logicalId(base.stack, base.guard.failureQueue), 'Arn'] },
        },
      },
    });
  });

  it.each([
    {
      name: 'CloudTrail launch',
      rule: () => base.guard.cloudTrailLaunchRule,
      pattern: CLOUDTRAIL_LAUNCH_PATTERN,
    },
    { name: 'Auto Scaling', rule: () => base.guard.autoScalingRule, pattern: AUTO_SCALING_PATTERN },
  ])(
    'targets the function from the $name rule with a retry policy and the dead-letter queue',
    ({ rule, pattern }) => {
      const id = logicalId(base.stack, rule());
      const resource = t.toJSON().Resources[id];
      expect(resource.Properties.EventPattern).toEqual(toEventBridgeJson(pattern));
      expect(resource.Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [guardId, 'Arn'] },
          DeadLetterConfig: {
            Arn: { 'Fn::GetAtt': [logicalId(base.stack, base.guard.deadLetterQueue), 'Arn'] },
          },
          RetryPolicy: {
            MaximumRetryAttempts: TARGET_RETRY_ATTEMPTS,
            MaximumEventAgeInSeconds: TARGET_MAX_EVENT_AGE.toSeconds(),
          },
        }),
      ]);
    },
  );

  it('alerts the topic on StopLogging, DeleteTrail, UpdateTrail and PutEventSelectors of any trail', () => {
    const resource = t.toJSON().Resources[logicalId(base.stack, base.guard.trailTamperingRule)];
    // Behaviour changed (issue 20): one rule for calls that succeeded, one for failed attempts.
    expect(resource.Properties.EventPattern).toEqual(toEventBridgeJson(trailChangePattern('ok')));
    expect(resource.Properties.EventPattern.detail.errorCode).toEqual([{ exists: false }]);
    const attempt = t.toJSON().Resources[logicalId(base.stack, base.guard.trailTamperingAttemptRule)];
    expect(attempt.Properties.EventPattern.detail.errorCode).toEqual([{ exists: true }]);
    expect(attempt.Properties.Targets[0].InputTransformer.InputTemplate).toContain('attempted, denied');
    expect(attempt.Properties.Targets[0].InputTransformer.InputTemplate).toContain('<detail-errorCode>');
    expect(resource.Properties.EventPattern.detail.eventName).toEqual(
      expect.arrayContaining(['StopLogging', 'DeleteTrail', 'UpdateTrail']),
    );
    expect(resource.Properties.Targets).toHaveLength(1);
    expect(resource.Properties.Targets[0]).toMatchObject({
      Arn: { Ref: topicId },
      DeadLetterConfig: expect.any(Object),
      RetryPolicy: expect.any(Object),
      InputTransformer: {
        InputPathsMap: expect.objectContaining({ 'detail-eventName': '$.detail.eventName' }),
      },
    });
  });

  it('encrypts the topic with its key and enforces SSL', () => {
    t.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(base.stack, base.guard.key), 'Arn'] },
    });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' } }),
        ]),
      },
    });
  });

  it('lets CloudWatch (this account only) and the function use the key', () => {
    t.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: [...RUNTIME_PERMISSIONS.topicKey],
            Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
          }),
        ]),
      },
    });
    expect(roleActions(t, logicalId(base.stack, base.guard.handler.role as never))).toEqual(
      expect.arrayContaining([...RUNTIME_PERMISSIONS.topicKey]),
    );
  });

  it('grants services the key and the topics for this account only: no unconditioned service principal', () => {
    // Prepare: the chat topic too, whose rule target is the other SNS target.
    const { template } = guardStack({
      slack: { chatbot: { workspaceId: 'T0123ABCD', channelId: 'C0456EFGH' } },
    });
    const policies = [
      ...Object.values(template.findResources('AWS::KMS::Key')).map((r) => r.Properties.KeyPolicy),
      ...Object.values(template.findResources('AWS::SNS::TopicPolicy')).map(
        (r) => r.Properties.PolicyDocument,
      ),
    ] as { Statement: { Effect: string; Principal?: { Service?: unknown }; Condition?: unknown }[] }[];
    // Assess
    expect(policies).toHaveLength(3);
    const serviceGrants = policies
      .flatMap((p) => p.Statement)
      .filter((s) => s.Effect === 'Allow' && s.Principal?.Service !== undefined);
    expect(serviceGrants.length).toBeGreaterThan(0);
    for (const grant of serviceGrants) {
      expect(JSON.stringify(grant.Principal)).not.toContain('events.amazonaws.com');
      // CloudWatch Logs is pinned by the encryption context, which names this account's log groups.
      if (JSON.stringify(grant.Principal).includes('logs.')) {
        expect(JSON.stringify(grant.Condition)).toContain(`:${ACCOUNT}:log-group:*`);
      } else {
        expect(grant.Condition).toEqual({ StringEquals: { 'aws:SourceAccount': ACCOUNT } });
      }
    }
  });

  it("publishes trail changes through a role only this account's rules can use", () => {
    // Assess
    const rule = Object.values(t.findResources('AWS::Events::Rule')).find((r) =>
      JSON.stringify(r.Properties.EventPattern).includes('StopLogging'),
    ) as { Properties: { Targets: { RoleArn?: unknown }[] } };
    expect(rule.Properties.Targets.every((target) => target.RoleArn !== undefined)).toBe(true);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } },
          }),
        ],
      },
    });
  });

  it('encrypts the three queues and enforces SSL on them', () => {
    t.resourceCountIs('AWS::SQS::Queue', 3);
    t.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    t.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      },
      3,
    );
  });

  it('alarms on errors, throttles, both queues and a blind guard, to the topic', () => {
    expect(base.guard.alarms).toHaveLength(5);
    t.resourceCountIs('AWS::CloudWatch::Alarm', 5);
    t.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: topicId }] });
    for (const metric of ['Errors', 'Throttles']) {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Namespace: 'AWS/Lambda',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
    t.resourcePropertiesCountIs(
      'AWS::CloudWatch::Alarm',
      { MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Threshold: 0 },
      2,
    );
  });

  it('alarms on the first GuardBlind datapoint within 5 minutes, through the alarm topic', () => {
    const blind = Object.values(t.findResources('AWS::CloudWatch::Alarm')).filter(
      (r) => r.Properties.MetricName === METRIC.guardBlind,
    );
    expect(blind).toHaveLength(1);
    const props = blind[0]!.Properties;
    expect(props).toMatchObject({
      Namespace: METRIC_NAMESPACE,
      Dimensions: [{ Name: 'service', Value: SERVICE_NAME }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId }],
    });
    // One blind event is enough, and the periods it needs fit in 5 minutes.
    expect(props.Period * (props.DatapointsToAlarm ?? props.EvaluationPeriods)).toBeLessThanOrEqual(300);
  });

  it('deploys the resumer function even without auto-resume, on the table and topic only', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Description: Match.stringLikeRegexp('resumes a group the guard suspended'),
      Environment: {
        Variables: {
          [ENV.tableName]: { Ref: logicalId(base.stack, base.guard.table) },
          [ENV.topicArn]: { Ref: topicId },
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      },
    });
    t.resourceCountIs('AWS::Lambda::Function', 2);
  });

  it('creates no trail, no Slack delivery and no auto-resume', () => {
    t.resourceCountIs('AWS::CloudTrail::Trail', 0);
    t.resourceCountIs('AWS::S3::Bucket', 0);
    t.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
    t.resourceCountIs('AWS::SNS::Topic', 1);
    t.resourceCountIs('AWS::SNS::Subscription', 0);
    t.resourceCountIs('AWS::Scheduler::ScheduleGroup', 0);
    expect(base.guard.trail).toBeUndefined();
    expect(base.guard.chatTopic).toBeUndefined();
    expect(base.guard.webhookNotifier).toBeUndefined();
    expect(base.guard.autoResume).toBeUndefined();
    expect(guardEnv(t)[ENV.chatTopicArn]).toBeUndefined();
  });
});

describe('LaunchLoopGuard least privilege', () => {
  const roleId = logicalId(base.stack, base.guard.handler.role as never);
  const actions = roleActions(t, roleId);
  const runtime: string[] = [
    ...RUNTIME_PERMISSIONS.logs,
    ...RUNTIME_PERMISSIONS.topicKey,
    ...RUNTIME_PERMISSIONS.failureQueue,
    ...RUNTIME_PERMISSIONS.deadlineQueue,
  ];

  it('grants exactly the adapters’ actions plus logs, the topic key and the failure queue', () => {
    expect([...new Set(actions)].sort()).toEqual([...new Set([...GUARD_PERMISSIONS, ...runtime])].sort());
  });

  it('grants every adapter action and nothing outside the lists', () => {
    const adapterActions = actions.filter((a) => !runtime.includes(a));
    // sqs:SendMessage is both an adapter's (the deadline queue) and the failure destination's.
    expect(new Set(adapterActions)).toEqual(new Set(GUARD_PERMISSIONS.filter((a) => !runtime.includes(a))));
    expect(actions).toContain('sqs:SendMessage');
  });

  it('never grants instance termination, stops, IAM writes or whole-service wildcards', () => {
    for (const action of actions) {
      for (const forbidden of FORBIDDEN_ACTIONS) expect(action).not.toMatch(forbidden);
    }
    expect(actions).not.toContain('ec2:TerminateInstances');
    expect(actions).not.toContain('ec2:StopInstances');
  });

  it('attaches no managed policy to the function role', () => {
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
      }),
      ManagedPolicyArns: Match.absent(),
    });
  });

  it('scopes table actions to the table and publishing to the topic', () => {
    const policies = Object.values(t.findResources('AWS::IAM::Policy'));
    const statements = policies.flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Sid?: string; Resource: unknown }[],
    );
    expect(statements.find((s) => s.Sid === 'LaunchTable')?.Resource).toEqual({
      'Fn::GetAtt': [logicalId(base.stack, base.guard.table), 'Arn'],
    });
    expect(statements.find((s) => s.Sid === 'AlertTopics')?.Resource).toEqual({ Ref: topicId });
  });

  it('reads prices read-only: GetProducts alone on `*` (it names no resource), Spot prices with the describes', () => {
    const policies = Object.values(t.findResources('AWS::IAM::Policy'));
    const statements = policies.flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Sid?: string; Action: unknown; Resource: unknown }[],
    );
    expect(statements.find((s) => s.Sid === 'PriceList')).toMatchObject({
      Action: 'pricing:GetProducts',
      Resource: '*',
    });
    const describes = statements.find((s) => s.Sid === 'ReadOnlyDescribe')?.Action as string[];
    expect(describes).toEqual(
      expect.arrayContaining(['ec2:DescribeSpotPriceHistory', 'ec2:DescribeInstances']),
    );
  });

  it("scopes the role check's IAM reads to this account's instance profiles and roles", () => {
    const policies = Object.values(t.findResources('AWS::IAM::Policy'));
    const statements = policies.flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Sid?: string; Action: unknown; Resource: unknown }[],
    );
    const arn = (kind: string) => ({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, `:${kind}/*`],
      ],
    });
    expect(statements.find((s) => s.Sid === 'InstanceProfilesOfThisAccount')).toMatchObject({
      Action: 'iam:GetInstanceProfile',
      Resource: arn('instance-profile'),
    });
    expect(statements.find((s) => s.Sid === 'SimulateRolesOfThisAccount')).toMatchObject({
      Action: 'iam:SimulatePrincipalPolicy',
      Resource: arn('role'),
    });
    expect(actions).toContain('ec2:DescribeLaunchTemplateVersions');
  });
});
