/**
 * The home-region stack: one {@link LaunchLoopGuard}, checked by cdk-nag's AWS Solutions rules.
 */
import { Aspects, CfnOutput, Fn, Stack, type StackProps, Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { LaunchLoopGuard } from './launch-loop-guard';
import type { LaunchLoopGuardProps } from './props';

/** Props of {@link LaunchLoopGuardStack}. */
export interface LaunchLoopGuardStackProps extends StackProps {
  /**
   * The guard's settings.
   * @default - the construct's defaults
   */
  readonly guard?: LaunchLoopGuardProps;
  /**
   * Run cdk-nag's AwsSolutionsChecks on the stack (findings fail `cdk synth`).
   * @default true
   */
  readonly nag?: boolean;
  /**
   * Name of a Secrets Manager secret holding a Slack incoming-webhook URL; sets
   * `guard.slack.webhookSecret` (for apps that configure the guard from context).
   * @default - `guard.slack.webhookSecret` as given
   */
  readonly slackWebhookSecretName?: string;
  /**
   * Name of the bucket for S3 server access logs; sets `guard.accessLogsBucket`. It may hold
   * `${AWS::AccountId}` and `${AWS::Region}` (resolved by CloudFormation, for stack sets).
   * @default - `guard.accessLogsBucket` as given
   */
  readonly accessLogsBucketName?: string;
}

/** Composes the guard; no business rules. */
export class LaunchLoopGuardStack extends Stack {
  /** The guard. */
  public readonly guard: LaunchLoopGuard;

  constructor(scope: Construct, id: string, props: LaunchLoopGuardStackProps = {}) {
    super(scope, id, {
      description: 'launch-loop-guard: stops EC2 Auto Scaling launch loops (home region)',
      ...props,
    });
    // This stack names its outputs itself, without the construct's prefix (scripts read them).
    this.guard = new LaunchLoopGuard(this, 'Guard', stackGuardProps(this, props.guard ?? {}, props));
    // What operators pass to `launch-loop-guard status --table` / `resume --table`.
    new CfnOutput(this, 'TableName', {
      value: this.guard.table.tableName,
      description: 'The guard table: pass it to `launch-loop-guard status` and `resume` as --table',
    });
    // What the alerts' `aws lambda invoke --function-name` names.
    new CfnOutput(this, 'ResumerFunctionName', {
      value: this.guard.resumer.functionName,
      description:
        'The resumer function: `aws lambda invoke` it with {"action":"resume","account","region","groupName"} to resume a group the guard suspended',
    });
    new CfnOutput(this, 'TopicArn', {
      value: this.guard.topic.topicArn,
      description: 'Where the guard alerts',
    });
    if (props.nag !== false) Aspects.of(this).add(new AwsSolutionsChecks({ verbose: true }));
  }
}

/**
 * The guard's props in a stack that names its outputs itself (`outputs: false`), with the
 * webhook secret and the access-log bucket given by name (`slackWebhookSecretName`,
 * `accessLogsBucketName`) in place of the construct's own props.
 */
export function stackGuardProps(
  scope: Construct,
  guard: LaunchLoopGuardProps,
  names: {
    readonly slackWebhookSecretName?: string | undefined;
    readonly accessLogsBucketName?: string | undefined;
  },
): LaunchLoopGuardProps {
  const webhookSecret =
    names.slackWebhookSecretName === undefined
      ? guard.slack?.webhookSecret
      : secretsmanager.Secret.fromSecretNameV2(scope, 'SlackWebhookSecret', names.slackWebhookSecretName);
  return {
    ...guard,
    ...(webhookSecret === undefined ? {} : { slack: { ...guard.slack, webhookSecret } }),
    outputs: false,
    ...(names.accessLogsBucketName === undefined
      ? {}
      : { accessLogsBucket: accessLogsBucket(scope, names.accessLogsBucketName) }),
  };
}

/**
 * The access-log bucket named in context. `${AWS::AccountId}` and `${AWS::Region}` in the name are
 * filled in at synth when the stack's account and region are known, else by CloudFormation (a
 * stack set template names each account's own bucket).
 */
export function accessLogsBucket(scope: Construct, name: string): s3.IBucket {
  const stack = Stack.of(scope);
  let resolved = name;
  if (!Token.isUnresolved(stack.account)) resolved = resolved.split(`\${AWS::AccountId}`).join(stack.account);
  if (!Token.isUnresolved(stack.region)) resolved = resolved.split(`\${AWS::Region}`).join(stack.region);
  return s3.Bucket.fromBucketName(
    scope,
    'AccessLogsBucket',
    resolved.includes('${') ? Fn.sub(resolved) : resolved,
  );
}
