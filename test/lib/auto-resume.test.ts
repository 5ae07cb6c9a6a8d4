import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../lambda/config';
import {
  AutoResume,
  type AutoResumeOptions,
  RESUMER_ASG_PERMISSIONS,
  RESUMER_TABLE_PERMISSIONS,
} from '../../lib/auto-resume';

interface Built {
  readonly stack: Stack;
  readonly template: Template;
  readonly construct: AutoResume;
}

/** A stack with a stand-in guard function, table and topic, and the construct under test. */
function build(options: AutoResumeOptions = {}, nag = false): Built {
  const app = new App();
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const table = new dynamodb.TableV2(stack, 'Table', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    timeToLiveAttribute: 'ttl',
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  });
  const topic = new sns.Topic(stack, 'Topic', { enforceSSL: true });
  const guardFunction = new lambda.Function(stack, 'Guard', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
  });
  NagSuppressions.addResourceSuppressions(
    guardFunction,
    [{ id: 'AwsSolutions-IAM4', reason: 'stand-in guard function of the test' }],
    true,
  );
  const construct = new AutoResume(stack, 'AutoResume', { guardFunction, table, topic, ...options });
  if (nag) Aspects.of(stack).add(new AwsSolutionsChecks());
  return { stack, template: Template.fromStack(stack), construct };
}

function guardEnv(template: Template): string {
  const fns = template.findResources('AWS::Lambda::Function', {
    Properties: { Handler: 'index.handler' },
  });
  const [guard] = Object.values(fns) as {
    Properties: { Environment: { Variables: Record<string, unknown> } };
  }[];
  return JSON.stringify(guard!.Properties.Environment.Variables[ENV.autoResume]);
}

describe('AutoResume', () => {
  let defaults: Built;
  beforeAll(() => {
    defaults = build();
  });

  it('creates the resumer function from lambda/entries/resumer.ts with the table and topic in its environment', () => {
    // Assess
    defaults.template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Environment: {
        Variables: Match.objectLike({
          [ENV.tableName]: Match.anyValue(),
          [ENV.topicArn]: Match.anyValue(),
        }),
      },
      Description: Match.stringLikeRegexp('resumes a group'),
    });
  });

  it('creates one schedule group', () => {
    defaults.template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
  });

  it('gives EventBridge Scheduler a role that may invoke only the resumer', () => {
    // Prepare
    const resumerLogicalId = defaults.stack.getLogicalId(
      defaults.construct.resumer.node.defaultChild as lambda.CfnFunction,
    );
    const roleLogicalId = defaults.stack.getLogicalId(
      defaults.construct.schedulerRole.node.defaultChild as never,
    );

    // Assess
    defaults.template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          }),
        ],
      },
    });
    const policies = defaults.template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: roleLogicalId }] },
    });
    const statements = Object.values(policies).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: unknown[] } } }).Properties.PolicyDocument
          .Statement,
    );
    expect(statements).toEqual([
      {
        Sid: 'InvokeResumerOnly',
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [resumerLogicalId, 'Arn'] },
      },
    ]);
  });

  it('lets the guard create schedules in its group only and pass the scheduler role only', () => {
    // Prepare
    const groupName = defaults.stack.resolve(defaults.construct.scheduleGroup.scheduleGroupName);
    const roleId = defaults.stack.getLogicalId(defaults.construct.schedulerRole.node.defaultChild as never);

    // Assess
    defaults.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: 'CreateResumeSchedules',
            Action: 'scheduler:CreateSchedule',
            Effect: 'Allow',
            Resource: {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  `:scheduler:eu-west-1:123456789012:schedule/${groupName}/*`,
                ],
              ],
            },
          },
          {
            Sid: 'PassSchedulerRole',
            Action: 'iam:PassRole',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [roleId, 'Arn'] },
            Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
          },
        ]),
      },
    });
  });

  it('grants the resumer exactly the Auto Scaling actions its adapter lists, the table actions and Publish', () => {
    // Assess
    defaults.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        // Behaviour changed (issue 20): no Auto Scaling write on `*`, tag removal limited to the
        // guard's keys.
        Statement: Match.arrayWith([
          {
            Sid: 'ResumeReadOnlyDescribe',
            Action: ['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeWarmPool'],
            Effect: 'Allow',
            Resource: '*',
          },
          Match.objectLike({
            Sid: 'ResumeAutoScalingGroupsOfThisAccount',
            Action: 'autoscaling:ResumeProcesses',
          }),
          Match.objectLike({
            Sid: 'ResumeGuardTagsOnly',
            Action: 'autoscaling:DeleteTags',
            Condition: {
              'ForAllValues:StringLike': { 'aws:TagKeys': ['launch-loop-guard:*'] },
              Null: { 'aws:TagKeys': 'false' },
            },
          }),
          Match.objectLike({ Action: [...RESUMER_TABLE_PERMISSIONS] }),
          Match.objectLike({ Action: 'sns:Publish' }),
        ]),
      },
    });
    expect(RESUMER_ASG_PERMISSIONS).toEqual([
      'autoscaling:DescribeAutoScalingGroups',
      'autoscaling:DescribeWarmPool',
      'autoscaling:ResumeProcesses',
      'autoscaling:DeleteTags',
    ]);
    expect(RESUMER_TABLE_PERMISSIONS).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
  });

  it('writes the default backoff (15 min, 4 h, 4 trips) to the guard as LLG_AUTO_RESUME', () => {
    // Act
    const env = guardEnv(defaults.template);

    // Assess
    expect(env).toContain('\\"baseMs\\":900000');
    expect(env).toContain('\\"maxMs\\":14400000');
    expect(env).toContain('\\"maxTrips\\":4');
    expect(env).toContain('scheduleGroup');
    expect(env).toContain('schedulerRoleArn');
    expect(env).toContain('targetArn');
    expect(defaults.construct.settings).toEqual({ baseMs: 900_000, maxMs: 14_400_000, maxTrips: 4 });
  });

  it('writes the given backoff', () => {
    // Act
    const { construct } = build({
      cooldown: Duration.minutes(5),
      maxCooldown: Duration.hours(1),
      maxTrips: 2,
    });

    // Assess
    expect(construct.settings).toEqual({ baseMs: 300_000, maxMs: 3_600_000, maxTrips: 2 });
  });

  it.each([
    [{ cooldown: Duration.seconds(30) }, /cooldown must be at least 1 minute/],
    [
      { cooldown: Duration.hours(2), maxCooldown: Duration.hours(1) },
      /maxCooldown must be at least the cooldown/,
    ],
    [{ maxTrips: 0 }, /maxTrips must be a whole number/],
    [{ maxTrips: 1.5 }, /maxTrips must be a whole number/],
  ])('refuses %o', (options, message) => {
    expect(() => build(options)).toThrow(message);
  });

  it('passes cdk-nag AwsSolutions with no unsuppressed error or warning', () => {
    // Act
    const { stack } = build({}, true);
    Template.fromStack(stack);
    const annotations = Annotations.fromStack(stack);

    // Assess
    const findings = [
      ...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
      ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ].map((f) => `${f.id}: ${String(f.entry.data).slice(0, 120)}`);
    expect(findings).toEqual([]);
  });
});
