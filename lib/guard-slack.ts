/** The guard's Slack outputs: an AWS Chatbot channel, or a function posting to an incoming webhook. */
import { Duration, Stack } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { WEBHOOK_ENV } from '../lambda/webhook-config';
import { guardFunction } from './function-code';
import { SERVICE_NAME } from './guard-alarms';
import type { LaunchLoopGuardProps } from './props';

/** The AWS Chatbot Slack channel of the chat topic: a role with no permission, capped by a guardrail. */
export function chatbotChannel(
  scope: Construct,
  options: NonNullable<NonNullable<LaunchLoopGuardProps['slack']>['chatbot']>,
  chatTopic: sns.Topic,
): chatbot.SlackChannelConfiguration {
  // The channel only relays notifications: its role holds no permission, and the guardrail
  // keeps it so even if someone attaches one.
  const role = new iam.Role(scope, 'ChatbotRole', {
    description: 'launch-loop-guard: AWS Chatbot channel role (notifications only, no permissions)',
    assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
  });
  const guardrail = new iam.ManagedPolicy(scope, 'ChatbotGuardrail', {
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
  return new chatbot.SlackChannelConfiguration(scope, 'SlackChannel', {
    slackChannelConfigurationName:
      options.configurationName ?? `launch-loop-guard-${Stack.of(scope).stackName}`.slice(0, 128),
    slackWorkspaceId: options.workspaceId,
    slackChannelId: options.channelId,
    notificationTopics: [chatTopic],
    role,
    guardrailPolicies: [guardrail],
    loggingLevel: chatbot.LoggingLevel.ERROR,
  });
}

/** The function that posts the alert topic's messages to a Slack incoming webhook. */
export function webhookFunction(
  scope: Construct,
  secret: NonNullable<NonNullable<LaunchLoopGuardProps['slack']>['webhookSecret']>,
  topic: sns.ITopic,
  logGroup: logs.ILogGroup,
): lambda.Function {
  const role = new iam.Role(scope, 'SlackWebhookRole', {
    description: 'launch-loop-guard: the Slack webhook notifier (reads its secret, writes its logs)',
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
  });
  const fn = guardFunction(scope, 'SlackWebhook', 'slack-webhook', {
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
  topic.addSubscription(new subscriptions.LambdaSubscription(fn));
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
