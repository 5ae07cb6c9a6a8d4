/**
 * The resumer function, deployed with every guard: auto-resume schedules invoke it, and so can a
 * person, with the AWS CLI only (the alert prints the command):
 *
 * ```
 * aws lambda invoke --function-name <ResumerFunctionName> --region <home region> \
 *   --cli-binary-format raw-in-base64-out \
 *   --payload '{"action":"resume","account":"…","region":"…","groupName":"…"}' /dev/stdout
 * ```
 *
 * It resumes only what the guard suspended, removes its tags, clears the group's launch window
 * and resets its auto-resume backoff.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { PERMISSIONS_FOR as ASG_PERMISSIONS_FOR } from '../lambda/adapters/asg-suspender';
import { OPERATOR_PERMISSIONS as TABLE_PERMISSIONS } from '../lambda/adapters/scope-store';
import { ENV } from '../lambda/config';
import { guardFunction } from './function-code';
import { autoScalingStatements } from './least-privilege';

/** The resumer's Auto Scaling actions: the Auto Scaling adapter's list for resuming. */
export const RESUMER_ASG_PERMISSIONS: readonly string[] = ASG_PERMISSIONS_FOR.resume;
/** The resumer's table actions: clearing a group's window (no Scan). */
export const RESUMER_TABLE_PERMISSIONS = TABLE_PERMISSIONS.filter((a) => a !== 'dynamodb:Scan');

/** Props of {@link Resumer}. */
export interface ResumerProps {
  /** The guard's table (windows and trip streaks). */
  readonly table: dynamodb.ITable;
  /** The topic the resumer reports each resume to. */
  readonly topic: sns.ITopic;
  /**
   * The function's log group (the guard passes one encrypted with its key).
   * @default - a log group of its own, kept for a year
   */
  readonly logGroup?: logs.ILogGroup;
}

/**
 * The function that resumes a group the guard suspended.
 *
 * @example
 * const resumer = new Resumer(this, 'Resumer', { table, topic });
 * new CfnOutput(this, 'ResumerFunctionName', { value: resumer.function.functionName });
 */
export class Resumer extends Construct {
  /** The resumer function. */
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: ResumerProps) {
    super(scope, id);
    const logGroup =
      props.logGroup ??
      new logs.LogGroup(this, 'Logs', {
        retention: logs.RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.DESTROY,
      });
    // A role of its own: log writes to its own log group only (no AWSLambdaBasicExecutionRole,
    // which may write to any log group of the account).
    const role = new iam.Role(this, 'Role', {
      description: 'launch-loop-guard: the resumer (resumes groups the guard suspended, writes its logs)',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    this.function = guardFunction(this, 'Function', 'resumer', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(30),
      role,
      logGroup,
      description: 'launch-loop-guard: resumes a group the guard suspended (auto-resume or on request)',
      environment: {
        [ENV.tableName]: props.table.tableName,
        [ENV.topicArn]: props.topic.topicArn,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });
    logGroup.grantWrite(role);
    // Describe on `*` (no resource-level permissions), ResumeProcesses on this account's groups,
    // DeleteTags on the guard's own tag keys only.
    for (const statement of autoScalingStatements(RESUMER_ASG_PERMISSIONS, 'Resume')) {
      role.addToPrincipalPolicy(statement);
    }
    props.table.grant(this.function, ...RESUMER_TABLE_PERMISSIONS);
    props.topic.grantPublish(this.function);

    NagSuppressions.addResourceSuppressions(
      role,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'DescribeAutoScalingGroups and DescribeWarmPool have no resource-level permissions; ResumeProcesses and DeleteTags are limited to the Auto Scaling groups of this account (any region: the resumer acts where the guard suspended), DeleteTags to the launch-loop-guard: tag keys.',
          appliesTo: [
            'Resource::*',
            'Resource::arn:<AWS::Partition>:autoscaling:*:<AWS::AccountId>:autoScalingGroup:*:autoScalingGroupName/*',
          ],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'kms:GenerateDataKey* is the family SNS needs to publish to the KMS-encrypted topic; it is granted on that one key only.',
          appliesTo: ['Action::kms:GenerateDataKey*'],
        },
        {
          id: 'AwsSolutions-IAM5',
          reason: "Log streams of the function's own log group are created at run time.",
          appliesTo: [{ regex: '/^Resource::<.*Logs.*\\.Arn>:\\*$/g' }],
        },
      ],
      true,
    );
  }
}
