/**
 * Optional auto-resume: a tripped group is resumed after a cool-down that doubles with each trip
 * of a streak, up to a cap; after `maxTrips` trips the group waits for a person.
 *
 * Built on EventBridge Scheduler one-time `at()` schedules that delete themselves after they
 * run: the guard creates one per trip, the schedule invokes the resumer function once.
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { ScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import { PERMISSIONS as SCHEDULER_PERMISSIONS } from '../lambda/adapters/scheduler';
import { type AutoResumeConfig, ENV } from '../lambda/config';
import type { BackoffSettings } from '../lambda/core/auto-resume';
import { Resumer } from './resumer';

export { RESUMER_ASG_PERMISSIONS, RESUMER_TABLE_PERMISSIONS } from './resumer';

/** Auto-resume settings, as the guard construct's `autoResume` prop takes them. */
export interface AutoResumeOptions {
  /**
   * Cool-down before the first automatic resume of a streak; each further trip doubles it.
   * @default Duration.minutes(15)
   */
  readonly cooldown?: Duration;
  /**
   * Longest cool-down. A group that stays clear of trips this long after its resume starts a
   * new streak.
   * @default Duration.hours(4)
   */
  readonly maxCooldown?: Duration;
  /**
   * Trips of one streak that are resumed automatically; the next one stays suspended until a
   * person resumes the group, and its alert says so.
   * @default 4
   */
  readonly maxTrips?: number;
}

/** Props of {@link AutoResume}. */
export interface AutoResumeProps extends AutoResumeOptions {
  /** The guard function: it gets the permission to create schedules and the `LLG_AUTO_RESUME` setting. */
  readonly guardFunction: lambda.Function;
  /** The guard's table (windows and trip streaks). */
  readonly table: dynamodb.ITable;
  /** The topic the resumer reports to. */
  readonly topic: sns.ITopic;
  /**
   * The resumer function the schedules invoke (the guard passes the one it always deploys).
   * @default - a new {@link Resumer} on `table` and `topic`
   */
  readonly resumer?: lambda.IFunction;
}

/**
 * The resumer function, its schedule group and the role EventBridge Scheduler uses to invoke it.
 *
 * @example
 * new AutoResume(this, 'AutoResume', { guardFunction, table, topic, cooldown: Duration.minutes(30) });
 */
export class AutoResume extends Construct {
  /** The function that the schedules invoke: resumes a group the guard suspended. */
  public readonly resumer: lambda.IFunction;
  /** The group holding the one-time resume schedules. */
  public readonly scheduleGroup: ScheduleGroup;
  /** The role EventBridge Scheduler assumes; it may invoke only the resumer. */
  public readonly schedulerRole: iam.Role;
  /** The settings written to the guard's `LLG_AUTO_RESUME`. */
  public readonly settings: BackoffSettings;

  constructor(scope: Construct, id: string, props: AutoResumeProps) {
    super(scope, id);
    const baseMs = (props.cooldown ?? Duration.minutes(15)).toMilliseconds();
    const maxMs = (props.maxCooldown ?? Duration.hours(4)).toMilliseconds();
    const maxTrips = props.maxTrips ?? 4;
    if (!Number.isSafeInteger(baseMs) || baseMs < 60_000) {
      throw new Error(`autoResume.cooldown must be at least 1 minute, got ${baseMs} ms`);
    }
    if (!Number.isSafeInteger(maxMs) || maxMs < baseMs) {
      throw new Error(`autoResume.maxCooldown must be at least the cooldown, got ${maxMs} ms`);
    }
    if (!Number.isSafeInteger(maxTrips) || maxTrips < 1) {
      throw new Error(`autoResume.maxTrips must be a whole number ≥ 1, got ${maxTrips}`);
    }
    this.settings = { baseMs, maxMs, maxTrips };
    const stack = Stack.of(this);

    this.resumer =
      props.resumer ?? new Resumer(this, 'Resumer', { table: props.table, topic: props.topic }).function;

    this.scheduleGroup = new ScheduleGroup(this, 'Schedules', { removalPolicy: RemovalPolicy.DESTROY });

    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: 'launch-loop-guard: lets EventBridge Scheduler invoke the resumer, nothing else',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    this.schedulerRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeResumerOnly',
        actions: ['lambda:InvokeFunction'],
        resources: [this.resumer.functionArn],
      }),
    );

    const [createSchedule, passRole] = SCHEDULER_PERMISSIONS;
    props.guardFunction.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'CreateResumeSchedules',
        actions: [createSchedule],
        resources: [
          stack.formatArn({
            service: 'scheduler',
            resource: 'schedule',
            resourceName: `${this.scheduleGroup.scheduleGroupName}/*`,
          }),
        ],
      }),
    );
    props.guardFunction.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'PassSchedulerRole',
        actions: [passRole],
        resources: [this.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    const config: AutoResumeConfig = {
      baseMs,
      maxMs,
      maxTrips,
      scheduleGroup: this.scheduleGroup.scheduleGroupName,
      schedulerRoleArn: this.schedulerRole.roleArn,
      targetArn: this.resumer.functionArn,
    };
    props.guardFunction.addEnvironment(ENV.autoResume, stack.toJsonString(config));

    // The guard's policy lives on its role, which may be a sibling of the function: suppress there.
    NagSuppressions.addResourceSuppressions(
      props.guardFunction.role ?? props.guardFunction,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'scheduler:CreateSchedule on the schedules of the construct own schedule group only; their names are made per trip at run time.',
          appliesTo: [
            {
              // Account and region are tokens in an environment-agnostic (offline) synth.
              regex:
                '/^Resource::arn:<AWS::Partition>:scheduler:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|\\d{12}):schedule\\/[^/]+\\/\\*$/g',
            },
          ],
        },
      ],
      true,
    );
  }
}
