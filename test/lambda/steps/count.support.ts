/**
 * What the tests of `run()` share (count.test.ts, count-group.test.ts, count-ami.test.ts,
 * count-failures.test.ts): the store on dynalite, Auto Scaling, SNS, EventBridge Scheduler and EC2
 * through aws-sdk-client-mock with the real command shapes, one group looping on one AMI.
 */
import {
  AutoScalingClient,
  AutoScalingServiceException,
  CreateOrUpdateTagsCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { beforeEach } from 'vitest';
import { autoScalingGroup, type GroupSpec } from '../../../fake-cloud/support/auto-scaling';
import { MIN, T0 } from '../../../fake-cloud/support/clock';
import { useDynamo } from '../../../fake-cloud/support/dynamo-suite';
import {
  freshTable,
  guardDeps,
  type LogLine,
  recorder,
  storeAndAutoScaling,
} from '../../../fake-cloud/support/guard-deps';
import { instanceId, launchEvent } from '../../../fake-cloud/support/launch-events';
import { mockClients } from '../../../fake-cloud/support/sdk-mocks';
import { SnsNotifier } from '../../../lambda/adapters/notifier';
import type { DynamoDbScopeStore } from '../../../lambda/adapters/scope-store';
import type { GuardConfig } from '../../../lambda/config';
import type { TripReport } from '../../../lambda/core/report';
import type { GuardDeps } from '../../../lambda/ports';
import { type GuardResult, run } from '../../../lambda/steps/count';

export { MIN, T0 };

export const [asg, sns] = mockClients(AutoScalingClient, SNSClient);
export const [scheduler, ec2] = mockClients(SchedulerClient, EC2Client);
export const GROUP = 'ecs-capacity-provider-asg';
export const AMI = 'ami-0a1b2c3d4e5f60718';
export const REGION = 'us-west-2';
export const TOPIC = 'arn:aws:sns:us-west-2:111122223333:launch-loop-guard';

export const dynamo = useDynamo();

export interface Harness {
  deps: GuardDeps;
  config: GuardConfig;
  metrics: Map<string, number>;
  logs: LogLine[];
  counter: DynamoDbScopeStore;
}

/**
 * A fresh table and the guard's dependencies on it. The AMI-change alert is off (its own tests
 * are ami-change.test.ts) unless `env` turns it on.
 */
export async function harness(env: Record<string, string> = {}): Promise<Harness> {
  const { config, counter } = await freshTable(dynamo(), {
    LLG_TOPIC_ARN: TOPIC,
    LLG_RESUMER_FUNCTION: 'llg-resumer',
    LLG_RESUMER_REGION: 'us-west-2',
    LLG_AMI_CHANGE_ALERTS: 'off',
    ...env,
  });
  const { metrics, logs, log, sink } = recorder();
  const deps = guardDeps({
    ...storeAndAutoScaling(counter),
    notifier: new SnsNotifier(new SNSClient({ region: REGION }), TOPIC),
    log,
    metrics: sink,
  });
  return { deps, config, metrics, logs, counter };
}

/** The group as Auto Scaling describes it. */
export function describeGroup(opts: {
  instances?: GroupSpec['instances'];
  tags?: Record<string, string>;
  suspended?: string[];
}): void {
  asg
    .on(DescribeAutoScalingGroupsCommand)
    .resolves({ AutoScalingGroups: [autoScalingGroup(GROUP, { ...opts, region: REGION })] });
}

/** Auto Scaling refuses DescribeAutoScalingGroups with this error. */
export function describeFails(name: string, httpStatusCode: number, message: string): void {
  asg
    .on(DescribeAutoScalingGroupsCommand)
    .rejects(
      new AutoScalingServiceException({ name, $fault: 'client', $metadata: { httpStatusCode }, message }),
    );
}

/** Every group asked for exists and has lost all its instances; the named ones are exempt. */
export function describeAnyGroup(exempt: string[] = []): void {
  asg.on(DescribeAutoScalingGroupsCommand).callsFake((input: { AutoScalingGroupNames?: string[] }) => ({
    AutoScalingGroups: (input.AutoScalingGroupNames ?? []).map((name) =>
      autoScalingGroup(name, {
        region: REGION,
        tags: exempt.includes(name) ? { 'launch-loop-guard:exempt': 'true' } : {},
      }),
    ),
  }));
}

/** Auto Scaling's activities say these instances were terminated for this cause. */
export function departed(ids: string[], cause: string, at = T0): void {
  asg.on(DescribeScalingActivitiesCommand).resolves({
    Activities: ids.map((id, i) => ({
      ActivityId: `a-${i}`,
      AutoScalingGroupName: GROUP,
      Description: `Terminating EC2 instance: ${id}`,
      Cause: cause,
      StartTime: new Date(at),
      StatusCode: 'Successful',
      Progress: 100,
    })),
  });
}

export const HEALTH_CAUSE =
  'At 2025-12-09T12:05:00Z an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped.';

export function inService(ids: string[]): NonNullable<GroupSpec['instances']> {
  return ids.map((InstanceId) => ({
    InstanceId,
    LifecycleState: 'InService',
    HealthStatus: 'Healthy',
    AvailabilityZone: 'us-west-2a',
    ProtectedFromScaleIn: false,
  }));
}

/** One launch every 3 minutes, each event a single instance. */
export function loop(count: number, from = 0): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) =>
    launchEvent({
      group: GROUP,
      imageId: AMI,
      instanceIds: [instanceId(from + i)],
      time: T0 + (from + i) * 3 * MIN,
    }),
  );
}

/** Handle events in turn, each a minute after its own time unless `now` is given. */
export async function replay(
  h: Pick<Harness, 'deps' | 'config'>,
  events: Record<string, unknown>[],
  now?: number,
): Promise<GuardResult[]> {
  const out: GuardResult[] = [];
  for (const e of events) out.push(await run(e, h.deps, h.config, now ?? Date.parse(String(e.time)) + MIN));
  return out;
}

export function publishedReports(): TripReport[] {
  return sns
    .commandCalls(PublishCommand)
    .map((c) => c.args[0].input.MessageAttributes?.report?.StringValue)
    .filter((s): s is string => s !== undefined)
    .map((s) => JSON.parse(s) as TripReport);
}

/** Every test starts with mocks that answer as a healthy account does. */
beforeEach(() => {
  asg.reset();
  ec2.reset();
  sns.reset();
  scheduler.reset();
  scheduler
    .on(CreateScheduleCommand)
    .resolves({ ScheduleArn: 'arn:aws:scheduler:us-west-2:111122223333:schedule/g/s' });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  asg.on(SuspendProcessesCommand).resolves({});
  asg.on(CreateOrUpdateTagsCommand).resolves({});
  asg.on(DescribeScalingActivitiesCommand).resolves({ Activities: [] });
  describeGroup({});
});

/**
 * The loop's tripping launch as invocation `request-1`: its first nine launches are counted, then
 * `fail` arranges a failure, then the 10th is handled at 28 minutes.
 *
 * @returns what the 10th threw (or returned), and the event, for Lambda's retry
 */
export async function tenthLaunchFails(
  h: Pick<Harness, 'deps' | 'config'>,
  fail: () => void,
): Promise<{ error: unknown; tenth: Record<string, unknown> }> {
  const events = loop(10);
  await replay(h, events.slice(0, 9));
  fail();
  const tenth = events[9]!;
  const error = await run(tenth, h.deps, h.config, T0 + 28 * MIN, 'request-1').catch((e: unknown) => e);
  return { error, tenth };
}
