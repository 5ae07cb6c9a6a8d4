import {
  AutoScalingClient,
  AutoScalingServiceException,
  CreateOrUpdateTagsCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  type Instance,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeInstanceStatusCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { autoScalingGroup } from '../../../fake-cloud/support/auto-scaling';
import { type LocalDynamo, startDynamo } from '../../../fake-cloud/support/dynalite';
import { loadFixture } from '../../../fake-cloud/support/fixtures';
import { instanceId, launchEvent } from '../../../fake-cloud/support/launch-events';
import { AutoScalingSuspender } from '../../../lambda/adapters/asg-suspender';
import { Ec2InstanceStates } from '../../../lambda/adapters/ec2-instances';
import { SnsNotifier } from '../../../lambda/adapters/notifier';
import { EventBridgeResumeScheduler } from '../../../lambda/adapters/scheduler';
import { DynamoDbScopeStore } from '../../../lambda/adapters/scope-store';
import { type GuardConfig, loadConfig } from '../../../lambda/config';
import { stepEpisode } from '../../../lambda/core/episode';
import { CounterStoreError, GuardBlindError, NotifyError, SuspendError } from '../../../lambda/core/errors';
import { METRIC } from '../../../lambda/core/metric-names';
import { parseEvent } from '../../../lambda/core/parse-event';
import type { TripReport } from '../../../lambda/core/report';
import { launchScopes } from '../../../lambda/core/scopes';
import { ScopeWindow } from '../../../lambda/core/window';
import type { GuardDeps } from '../../../lambda/ports';
import { eventIdOf, type GuardResult, run } from '../../../lambda/steps/count';

const asg = mockClient(AutoScalingClient);
const sns = mockClient(SNSClient);
const scheduler = mockClient(SchedulerClient);
const ec2 = mockClient(EC2Client);
const T0 = Date.UTC(2025, 11, 9, 12, 0, 0);
const MIN = 60_000;
const GROUP = 'ecs-capacity-provider-asg';
const AMI = 'ami-0a1b2c3d4e5f60718';
const REGION = 'us-west-2';
const TOPIC = 'arn:aws:sns:us-west-2:111122223333:launch-loop-guard';

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynamo();
});
afterAll(async () => {
  await db.close();
});

interface Harness {
  deps: GuardDeps;
  config: GuardConfig;
  metrics: Map<string, number>;
  logs: { level: string; message: string; extra: Record<string, unknown>[] }[];
  counter: DynamoDbScopeStore;
}

async function harness(env: Record<string, string> = {}): Promise<Harness> {
  const table = await db.createTable();
  const config = loadConfig({
    LLG_TABLE_NAME: table,
    LLG_TOPIC_ARN: TOPIC,
    LLG_RESUMER_FUNCTION: 'llg-resumer',
    LLG_RESUMER_REGION: 'us-west-2',
    ...env,
  });
  const metrics = new Map<string, number>();
  const logs: Harness['logs'] = [];
  const log =
    (level: string) =>
    (message: string, ...extra: Record<string, unknown>[]) => {
      logs.push({ level, message, extra });
    };
  const counter = new DynamoDbScopeStore(db.client, table, config.maxWindowMs);
  const suspender = new AutoScalingSuspender((region) => new AutoScalingClient({ region, maxAttempts: 1 }));
  const deps: GuardDeps = {
    counter,
    streaks: counter,
    suspender,
    history: suspender,
    notifier: new SnsNotifier(new SNSClient({ region: REGION }), TOPIC),
    log: { info: log('info'), warn: log('warn'), error: log('error') },
    metrics: { count: (name, value = 1) => metrics.set(name, (metrics.get(name) ?? 0) + value) },
  };
  return { deps, config, metrics, logs, counter };
}

/** The group as Auto Scaling describes it. */
function describeGroup(opts: {
  instances?: Instance[];
  tags?: Record<string, string>;
  suspended?: string[];
}): void {
  asg
    .on(DescribeAutoScalingGroupsCommand)
    .resolves({ AutoScalingGroups: [autoScalingGroup(GROUP, { ...opts, region: REGION })] });
}

/** Every group asked for exists and has lost all its instances; the named ones are exempt. */
function describeAnyGroup(exempt: string[] = []): void {
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
function departed(ids: string[], cause: string, at = T0): void {
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

const HEALTH_CAUSE =
  'At 2025-12-09T12:05:00Z an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped.';

function inService(ids: string[]): Instance[] {
  return ids.map((InstanceId) => ({
    InstanceId,
    LifecycleState: 'InService',
    HealthStatus: 'Healthy',
    AvailabilityZone: 'us-west-2a',
    ProtectedFromScaleIn: false,
  }));
}

/** One launch every 3 minutes, each event a single instance. */
function loop(count: number, from = 0): Record<string, unknown>[] {
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
async function replay(h: Harness, events: Record<string, unknown>[], now?: number): Promise<GuardResult[]> {
  const out: GuardResult[] = [];
  for (const e of events) out.push(await run(e, h.deps, h.config, now ?? Date.parse(String(e.time)) + MIN));
  return out;
}

function publishedReports(): TripReport[] {
  return sns
    .commandCalls(PublishCommand)
    .map((c) => c.args[0].input.MessageAttributes?.report?.StringValue)
    .filter((s): s is string => s !== undefined)
    .map((s) => JSON.parse(s) as TripReport);
}

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

describe('run', () => {
  it('suspends a group whose instances vanish once its launches reach the threshold', async () => {
    // Prepare: the group lists none of the instances it launched (they were replaced)
    const h = await harness();
    // Act
    const results = await replay(h, loop(10));
    // Assess
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 1);
    expect(asg).toHaveReceivedCommandWith(SuspendProcessesCommand, {
      AutoScalingGroupName: GROUP,
      ScalingProcesses: ['Launch'],
    });
    const tags = asg.commandCalls(CreateOrUpdateTagsCommand)[0]!.args[0].input.Tags ?? [];
    expect(tags.map((t) => [t.Key, t.PropagateAtLaunch])).toEqual([
      ['launch-loop-guard:suspended-at', false],
      ['launch-loop-guard:reason', false],
      ['launch-loop-guard:suspended-processes', false],
    ]);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const [report] = publishedReports();
    expect(report).toMatchObject({ action: 'suspended', launches: 10, threshold: 10, tagged: true });
    // No scaling activities are read here: the three launches gone within their deadline failed,
    // the older ones left for a cause nobody recorded after serving past it (neutral).
    expect(report!.evidence).toMatchObject({ rule: 'count', failed: 3, useful: 0, neutral: 7 });
    const body = sns.commandCalls(PublishCommand)[0]!.args[0].input.Message ?? '';
    expect(body).toContain(
      `aws lambda invoke --function-name llg-resumer --region us-west-2 --cli-binary-format raw-in-base64-out --payload '{"action":"resume","account":"111122223333","region":"${REGION}","groupName":"${GROUP}"}' /dev/stdout`,
    );
    expect(body).toContain(
      `aws autoscaling resume-processes --auto-scaling-group-name ${GROUP} --scaling-processes Launch --region ${REGION}`,
    );
    expect(results.at(-1)).toMatchObject({ kind: 'counted' });
    expect(h.metrics.get(METRIC.suspensions)).toBe(1);
    expect(h.metrics.get(METRIC.launchesCounted)).toBe(20); // 10 for the group, 10 for the AMI
  });

  it("pages once for a group loop that crosses the AMI threshold on the same launches: the AMI's count is a line of the group's alert", async () => {
    // Prepare: the AMI threshold is the group's, so both scopes cross on the same event
    const h = await harness({ LLG_AMI_THRESHOLD: '10' });
    // Act
    await replay(h, loop(12));
    // Assess
    const reports = publishedReports();
    expect(reports.map((r) => r.scope.scope)).toEqual(['asg']);
    expect(reports[0]!.amiEvidence).toEqual([
      expect.objectContaining({ imageId: AMI, launches: 10, threshold: 10, groups: [GROUP] }),
    ]);
    const body = sns.commandCalls(PublishCommand)[0]!.args[0].input.Message ?? '';
    expect(body).toContain(
      `AMI ${AMI}: 10 launches in 1h (at or over the AMI threshold of 10), all by this group. This alert stands for the AMI's`,
    );
    // The AMI's later launches are covered by the group's trip (it is suspended and tagged).
    expect(h.metrics.get(METRIC.amiTripsCovered)).toBeGreaterThanOrEqual(1);
  });

  /**
   * Groups that lose every launch, except `healthy`, whose listed ids are InService and Healthy.
   * A suspension and the guard's tags show in later reads, as they do on AWS.
   */
  function groupsWith(healthy: Record<string, string[]>): void {
    const suspended = new Map<string, Record<string, string>>();
    asg.on(SuspendProcessesCommand).callsFake((input: { AutoScalingGroupName?: string }) => {
      suspended.set(input.AutoScalingGroupName ?? '', {});
      return {};
    });
    asg
      .on(CreateOrUpdateTagsCommand)
      .callsFake((input: { Tags?: { ResourceId?: string; Key?: string; Value?: string }[] }) => {
        for (const t of input.Tags ?? []) {
          const tags = suspended.get(t.ResourceId ?? '');
          if (tags !== undefined && t.Key !== undefined) tags[t.Key] = t.Value ?? '';
        }
        return {};
      });
    asg.on(DescribeAutoScalingGroupsCommand).callsFake((input: { AutoScalingGroupNames?: string[] }) => ({
      AutoScalingGroups: (input.AutoScalingGroupNames ?? []).map((name) =>
        autoScalingGroup(name, {
          region: REGION,
          ...(suspended.has(name) ? { suspended: ['Launch'], tags: suspended.get(name) } : {}),
          instances: (healthy[name] ?? []).map((InstanceId) => ({
            InstanceId,
            LifecycleState: 'InService',
            HealthStatus: 'Healthy',
            AvailabilityZone: `${REGION}a`,
            ProtectedFromScaleIn: false,
          })),
        }),
      ),
    }));
  }

  it('pages once when a looping group and a healthy one share an AMI that passes its threshold', async () => {
    // Prepare: `web` launched 8 healthy instances of the AMI; `storm` then loses every launch
    const h = await harness({ LLG_AMI_THRESHOLD: '15' });
    const web = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => instanceId(100 + i));
    groupsWith({ web });
    const storm = Array.from({ length: 10 }, (_, i) =>
      launchEvent({
        group: 'storm',
        imageId: AMI,
        instanceIds: [instanceId(i)],
        time: T0 + 11 * MIN + i * MIN,
      }),
    );
    // Act
    await replay(h, [launchEvent({ group: 'web', imageId: AMI, instanceIds: web, time: T0 })]);
    await replay(h, storm);
    // Assess: the group's alert is the one page; the AMI's confirmed loop is covered by it
    expect(publishedReports().map((r) => `${r.scope.scope} ${r.scope.key}`)).toEqual(['asg storm']);
    expect(h.metrics.get(METRIC.amiTripsCovered)).toBeGreaterThanOrEqual(1);
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 1);
  });

  it('alerts for the AMI alone when its failures span groups none of which trips', async () => {
    // Prepare: three groups lose every launch within minutes, below their own threshold, the streak rule off
    const h = await harness({ LLG_AMI_THRESHOLD: '15', LLG_ASG_THRESHOLD: '100', LLG_FAILED_STREAK: 'off' });
    groupsWith({});
    const events = ['g-a', 'g-b', 'g-c'].flatMap((g, k) =>
      Array.from({ length: 5 }, (_, i) =>
        launchEvent({
          group: g,
          imageId: AMI,
          instanceIds: [instanceId(k * 10 + i)],
          time: T0 + (k * 5 + i) * 20_000,
        }),
      ),
    );
    // Act
    await replay(h, events);
    // Assess
    const reports = publishedReports();
    expect(reports.map((r) => `${r.scope.scope} ${r.action}`)).toEqual(['ami alert-only']);
    expect([...(reports[0]!.amiFailures?.failingGroups ?? [])].sort()).toEqual(['g-a', 'g-b', 'g-c']);
    expect(reports[0]!.amiFailures?.coveredBy).toEqual([]);
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 0);
  });

  it('acts exactly once when 500 concurrent events cross the threshold', async () => {
    // Prepare
    const h = await harness();
    const events = Array.from({ length: 500 }, (_, i) =>
      launchEvent({ group: GROUP, imageId: AMI, instanceIds: [instanceId(i)], time: T0 + i * 1000 }),
    );
    // Act
    const results = await Promise.all(events.map((e) => run(e, h.deps, h.config, T0 + 600_000)));
    // Assess
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 1);
    // One page per incident: the group's alert covers the AMI's launches (all of them the
    // group's), so the AMI scope (threshold 50) sends no alert of its own.
    const reports = publishedReports();
    expect(reports.filter((r) => r.scope.scope === 'asg')).toHaveLength(1);
    expect(reports.filter((r) => r.scope.scope === 'ami')).toHaveLength(0);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(h.metrics.get(METRIC.amiTripsCovered)).toBeGreaterThan(0);
    expect(results.every((r) => r.kind === 'counted')).toBe(true);
    expect(h.metrics.get(METRIC.launchesCounted)).toBe(1000);
  });

  it('trips exactly when the reference model trips, for bursts delivered late, twice and out of order', async () => {
    // Prepare: 4 groups, launches in bursts and pauses over 5 hours, every 7th delivered twice,
    // delivery order shuffled within about 10 minutes (a fixed pseudo-random order)
    // The count rule alone (the streak rule is the model's extension, tested on its own).
    const h = await harness({ LLG_AMI_THRESHOLD: '100000', LLG_FAILED_STREAK: 'off' });
    describeAnyGroup();
    const events: Record<string, unknown>[] = [];
    let n = 0;
    for (let minute = 0; minute < 300; minute += 1) {
      for (let g = 0; g < 4; g += 1) {
        const rate = Math.floor(minute / 40 + g) % 3 === 0 ? 1 : 9; // a launch every minute, or every 9
        if (minute % rate !== 0) continue;
        const e = launchEvent({
          group: `g${g}`,
          imageId: AMI,
          instanceIds: [instanceId(n++)],
          time: T0 + minute * MIN,
        });
        events.push(e);
        if (n % 7 === 0) events.push(structuredClone(e));
      }
    }
    let seed = 7;
    const jitter = () => {
      seed = (seed * 16807) % 2147483647;
      return (seed / 2147483647) * 10 * MIN;
    };
    const delivered = events
      .map((e) => ({ e, at: Date.parse(String(e.time)) + jitter() }))
      .sort((a, b) => a.at - b.at)
      .map(({ e }) => e);
    // The model, fed the same deliveries
    const windows = new Map<string, ScopeWindow>();
    const armed = new Map<string, boolean>();
    let modelTrips = 0;
    for (const e of delivered) {
      const record = parseEvent(e);
      if (record.kind !== 'launch') continue;
      const [group] = launchScopes(record);
      const w = windows.get(group!.key.key) ?? new ScopeWindow(h.config.windowMs);
      windows.set(group!.key.key, w);
      const added = w.add(group!.mentions);
      const step = stepEpisode(armed.get(group!.key.key) ?? true, w.count(), 10, added.added > 0);
      armed.set(group!.key.key, step.armed);
      if (step.trip) modelTrips += 1;
    }
    // Act
    await replay(h, delivered);
    // Assess: every group loses its instances here, so every count-rule trip is a suspension
    expect(modelTrips).toBeGreaterThan(4);
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, modelTrips);
  });

  it('counts a 20-instance call as 20 launches', async () => {
    const h = await harness({ LLG_ASG_THRESHOLD: '100' });
    const ids = Array.from({ length: 20 }, (_, i) => instanceId(i));
    const [result] = await replay(h, [
      launchEvent({ group: GROUP, imageId: AMI, instanceIds: ids, time: T0 }),
    ]);
    expect(result).toMatchObject({
      kind: 'counted',
      scopes: [
        { scope: 'asg', key: GROUP, launches: 20, added: 20 },
        { scope: 'ami', key: AMI, launches: 20, added: 20 },
      ],
    });
  });

  it('gives exact counts under duplicate and out-of-order delivery', async () => {
    const h = await harness({ LLG_ASG_THRESHOLD: '100', LLG_AMI_THRESHOLD: '100' });
    const events = loop(12);
    const shuffled = [...events.slice(6), ...events, ...events.slice(0, 6).reverse()];
    const results = await replay(h, shuffled);
    const last = results.at(-1) as Extract<GuardResult, { kind: 'counted' }>;
    expect(last.scopes[0]).toMatchObject({ launches: 12, added: 0, duplicates: 1 });
    expect(h.metrics.get(METRIC.duplicates)).toBe(24);
    expect(h.metrics.get(METRIC.launchesCounted)).toBe(24);
  });

  it('does not suspend a scale-out whose 40 new instances are in service', async () => {
    // Prepare: one call launching 40, all InService
    const h = await harness();
    const ids = Array.from({ length: 40 }, (_, i) => instanceId(i));
    describeGroup({ instances: inService(ids) });
    // Act
    await replay(h, [launchEvent({ group: GROUP, imageId: AMI, instanceIds: ids, time: T0 })], T0 + 20 * MIN);
    // Assess
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 0);
    expect(h.metrics.get(METRIC.tripsNotConfirmed)).toBe(1);
    expect(publishedReports().filter((r) => r.scope.scope === 'asg')).toHaveLength(0);
  });

  it('keeps the fates it decided, and tries again at the next launch after a trip it did not confirm', async () => {
    // Prepare: 10 launches, in service past their deadline: decided useful, the trip not confirmed
    const h = await harness();
    const first = Array.from({ length: 10 }, (_, i) => instanceId(i));
    describeGroup({ instances: inService(first) });
    await replay(
      h,
      [launchEvent({ group: GROUP, imageId: AMI, instanceIds: first, time: T0 })],
      T0 + 20 * MIN,
    );
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 0);
    // Act: the first 10 are replaced later (they served: they stay useful), and the next 10
    // launches are replaced for failed health checks within minutes.
    const next = Array.from({ length: 10 }, (_, i) => instanceId(20 + i));
    describeGroup({ instances: [] });
    departed([...first, ...next], HEALTH_CAUSE, T0 + 30 * MIN);
    await replay(
      h,
      next.map((id, i) =>
        launchEvent({ group: GROUP, imageId: AMI, instanceIds: [id], time: T0 + 25 * MIN + i * 2 * MIN }),
      ),
    );
    // Assess: the failing launches trip it; the served ones stay useful and never count against it
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 1);
    const [report] = publishedReports().filter((r) => r.scope.scope === 'asg');
    // (The store keeps threshold + 8 ids of a busy window: the oldest of the first ten may be gone.)
    expect(report?.evidence?.useful).toBeGreaterThanOrEqual(9);
    expect(report?.evidence?.neutral).toBe(0);
    expect(report?.evidence?.failedBy['health-replaced']).toBeGreaterThanOrEqual(4);
    expect(report?.evidence?.failedBy['not-registered']).toBeUndefined();
  });

  it('suspends without the churn check when it is turned off', async () => {
    const h = await harness({ LLG_CHURN_SHARE: 'off' });
    const ids = Array.from({ length: 10 }, (_, i) => instanceId(i));
    describeGroup({ instances: inService(ids) });
    await replay(h, [launchEvent({ group: GROUP, imageId: AMI, instanceIds: ids, time: T0 })], T0 + 20 * MIN);
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 1);
  });

  it('honours a tag that lowers the threshold below the default', async () => {
    const h = await harness();
    describeGroup({ tags: { 'launch-loop-guard:threshold': '3' } });
    await replay(h, loop(3));
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 1);
    expect(publishedReports()[0]).toMatchObject({ launches: 3, threshold: 3 });
  });

  it('reads a group settings once per 5 minutes, not once per event', async () => {
    const h = await harness({ LLG_ASG_THRESHOLD: '100' });
    await replay(h, loop(30), T0 + 60_000);
    expect(asg).toHaveReceivedCommandTimes(DescribeAutoScalingGroupsCommand, 1);
  });

  it('caches a group settings only when its tags change them from the defaults', async () => {
    const key = { scope: 'asg' as const, account: '111122223333', region: REGION, key: GROUP };
    const plain = await harness();
    await replay(plain, loop(2));
    expect((await plain.counter.read(key))?.settings).toBeUndefined();
    const tagged = await harness();
    describeGroup({ tags: { 'launch-loop-guard:threshold': '25' } });
    await replay(tagged, loop(2));
    expect((await tagged.counter.read(key))?.settings).toEqual({
      threshold: 25,
      windowMs: 3_600_000,
      exempt: false,
    });
  });

  it('never acts on an exempt group, and logs it', async () => {
    const h = await harness();
    describeGroup({ tags: { 'launch-loop-guard:exempt': 'true' } });
    await replay(h, loop(15));
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 0);
    expect(asg).toHaveReceivedCommandTimes(CreateOrUpdateTagsCommand, 0);
    expect(publishedReports().filter((r) => r.scope.scope === 'asg')).toHaveLength(0);
    expect(h.metrics.get(METRIC.exemptSkips)).toBeGreaterThan(0);
    expect(h.logs.some((l) => l.message.includes('exempt'))).toBe(true);
  });

  it('refuses a window tag longer than the item TTL allows, with a clear log line', async () => {
    const h = await harness({ LLG_MAX_WINDOW: '6h' });
    describeGroup({ tags: { 'launch-loop-guard:window': '48h' } });
    await replay(h, loop(1));
    const warning = h.logs.find((l) => l.level === 'warn' && l.message === 'group tag ignored');
    expect(JSON.stringify(warning?.extra)).toContain('launch-loop-guard:window');
  });

  it('leaves a group whose Launch is already suspended alone, and says so', async () => {
    const h = await harness();
    describeGroup({ suspended: ['Launch'] });
    await replay(h, loop(10));
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 0);
    expect(asg).toHaveReceivedCommandTimes(CreateOrUpdateTagsCommand, 0);
    expect(publishedReports()[0]).toMatchObject({ action: 'already-suspended' });
  });

  it('alerts and does not crash when the group was deleted meanwhile', async () => {
    const h = await harness({ LLG_ASG_THRESHOLD: '2' });
    await replay(h, loop(1));
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    await replay(h, loop(1, 1));
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 0);
    expect(publishedReports()[0]).toMatchObject({ action: 'group-gone' });
  });

  it('counts a stale event but only alerts', async () => {
    const h = await harness({ LLG_FAILED_STREAK: 'off' });
    departed(
      Array.from({ length: 10 }, (_, i) => instanceId(i)),
      HEALTH_CAUSE,
    );
    // Handled 3 hours after the launches (after retries and throttling).
    await replay(h, loop(10), T0 + 3 * 60 * MIN);
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 0);
    expect(publishedReports()[0]).toMatchObject({ action: 'stale', launches: 10 });
    expect(h.metrics.get(METRIC.staleEvents)).toBe(1);
  });

  it('does everything but suspend and tag in dry-run mode', async () => {
    const h = await harness({ LLG_DRY_RUN: 'true' });
    await replay(h, loop(10));
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 0);
    expect(asg).toHaveReceivedCommandTimes(CreateOrUpdateTagsCommand, 0);
    expect(publishedReports()[0]).toMatchObject({ action: 'would-suspend', dryRun: true });
    const body = sns.commandCalls(PublishCommand)[0]!.args[0].input.Message ?? '';
    expect(body).toMatch(/would have suspended/i);
  });

  it('keeps the suspension and says so when the group is at its tag limit', async () => {
    const h = await harness();
    asg
      .on(CreateOrUpdateTagsCommand)
      .rejects(
        Object.assign(new Error('maximum number of tags'), { name: 'LimitExceeded', Code: 'LimitExceeded' }),
      );
    await replay(h, loop(10));
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 1);
    expect(publishedReports()[0]).toMatchObject({ action: 'suspended', tagged: false });
  });

  it('throws on throttling so that Lambda retries, and the retry acts once', async () => {
    const h = await harness();
    const events = loop(10);
    await replay(h, events.slice(0, 9));
    asg
      .on(SuspendProcessesCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }))
      .resolves({});
    const error = await run(events[9]!, h.deps, h.config, T0 + 28 * MIN, 'request-1').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SuspendError);
    // Lambda retries the same invocation: the same event under the same request id.
    await run(events[9]!, h.deps, h.config, T0 + 29 * MIN, 'request-1');
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 2);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('does not suspend twice when a retry follows a failed alert', async () => {
    const h = await harness();
    const events = loop(10);
    await replay(h, events.slice(0, 9));
    sns
      .on(PublishCommand)
      .rejectsOnce(Object.assign(new Error('KMS unavailable'), { name: 'KMSInvalidStateException' }))
      .resolves({ MessageId: 'm-2' });
    const error = await run(events[9]!, h.deps, h.config, T0 + 28 * MIN, 'request-1').catch(
      (e: unknown) => e,
    );
    // The topic's key in an invalid state blinds the guard: counted, thrown, kept for a replay.
    expect(error).toBeInstanceOf(GuardBlindError);
    expect((error as Error).cause).toBeInstanceOf(NotifyError);
    expect(h.metrics.get(METRIC.guardBlind)).toBe(1);
    await run(events[9]!, h.deps, h.config, T0 + 29 * MIN, 'request-1');
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 1);
    expect(asg).toHaveReceivedCommandTimes(CreateOrUpdateTagsCommand, 1);
    // The failed publish and the retry's: the same alert, sent again, about the one suspension.
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(publishedReports().map((r) => [r.action, r.launches])).toEqual([
      ['suspended', 10],
      ['suspended', 10],
    ]);
  });

  it('leaves a trip to the invocation that owns it: another delivery of the event acts only after 10 idle minutes', async () => {
    // Prepare: the 10th launch suspends the group under request-1, then its alert fails
    const h = await harness();
    const events = loop(10);
    await replay(h, events.slice(0, 9));
    sns
      .on(PublishCommand)
      .rejectsOnce(
        Object.assign(new Error('internal error'), {
          name: 'InternalError',
          $metadata: { httpStatusCode: 500 },
        }),
      )
      .resolves({ MessageId: 'm-2' });
    await expect(run(events[9]!, h.deps, h.config, T0 + 28 * MIN, 'request-1')).rejects.toBeInstanceOf(
      NotifyError,
    );
    // Act: a second delivery of the same event (request-2) a minute later, then another 11 minutes later
    const soon = await run(events[9]!, h.deps, h.config, T0 + 29 * MIN, 'request-2');
    const publishedSoon = sns.commandCalls(PublishCommand).length;
    const late = await run(events[9]!, h.deps, h.config, T0 + 39 * MIN, 'request-3');
    // Assess
    expect(soon).toMatchObject({ kind: 'counted', scopes: [{ scope: 'asg', trip: 'lost' }, {}] });
    expect(publishedSoon).toBe(1);
    expect(late).toMatchObject({ kind: 'counted', scopes: [{ scope: 'asg', trip: 'suspended' }, {}] });
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 1);
    expect(asg).toHaveReceivedCommandTimes(CreateOrUpdateTagsCommand, 1);
    expect(publishedReports().map((r) => r.action)).toEqual(['suspended', 'suspended']);
  });

  it('does not trip again after the suspension, and re-arms once the count falls below the threshold', async () => {
    const h = await harness();
    await replay(h, loop(14));
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 1);
    // Two hours later, a launch finds the window nearly empty: the episode ends.
    const later = launchEvent({
      group: GROUP,
      imageId: AMI,
      instanceIds: [instanceId(900)],
      time: T0 + 3 * 60 * MIN,
    });
    await replay(h, [later], T0 + 3 * 60 * MIN);
    const item = await h.counter.read({ scope: 'asg', account: '111122223333', region: REGION, key: GROUP });
    expect(item?.episode).toBe(1);
  });

  it('schedules one auto-resume per trip, even when a retry follows a failed alert', async () => {
    // Prepare
    const autoResume = {
      baseMs: 15 * MIN,
      maxMs: 240 * MIN,
      maxTrips: 4,
      scheduleGroup: 'launch-loop-guard',
      schedulerRoleArn: 'arn:aws:iam::111122223333:role/scheduler',
      targetArn: 'arn:aws:lambda:us-west-2:111122223333:function:resumer',
    };
    const h = await harness({ LLG_AUTO_RESUME: JSON.stringify(autoResume) });
    const deps = {
      ...h.deps,
      scheduler: new EventBridgeResumeScheduler(new SchedulerClient({ region: REGION }), autoResume),
    };
    const events = loop(10);
    for (const e of events.slice(0, 9)) await run(e, deps, h.config, Date.parse(String(e.time)) + MIN);
    sns.on(PublishCommand).rejectsOnce(new Error('SNS down')).resolves({ MessageId: 'm-2' });
    // Act: the tripping event fails at the alert, then Lambda retries it
    await expect(run(events[9]!, deps, h.config, T0 + 28 * MIN, 'request-1')).rejects.toBeInstanceOf(
      NotifyError,
    );
    await run(events[9]!, deps, h.config, T0 + 29 * MIN, 'request-1');
    // Assess
    expect(scheduler).toHaveReceivedCommandTimes(CreateScheduleCommand, 1);
    const input = JSON.parse(
      scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input.Target?.Input ?? '{}',
    );
    const tagged = asg.commandCalls(CreateOrUpdateTagsCommand)[0]!.args[0].input.Tags ?? [];
    expect(input).toMatchObject({ groupName: GROUP, processes: ['Launch'], trip: 1 });
    expect(input.suspendedAt).toBe(tagged.find((t) => t.Key === 'launch-loop-guard:suspended-at')?.Value);
    expect(publishedReports().at(-1)?.autoResume).toMatchObject({
      kind: 'scheduled',
      trip: 1,
      cooldownMs: 15 * MIN,
    });
    const item = await h.counter.read({ scope: 'asg', account: '111122223333', region: REGION, key: GROUP });
    expect(item?.resumeStreak).toBe(1);
  });

  /** EC2 shows these instances outside any group, in this state (`endedAt`: when they ended). */
  function ec2Shows(ids: string[], state: string, opts: { endedAt?: number; checks?: string } = {}): void {
    const ended =
      opts.endedAt !== undefined
        ? `User initiated (${new Date(opts.endedAt).toISOString().slice(0, 19).replace('T', ' ')} GMT)`
        : '';
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: ids.map((InstanceId) => ({
            InstanceId,
            State: { Name: state as 'running' },
            StateTransitionReason: ended,
          })),
        },
      ],
    });
    ec2.on(DescribeInstanceStatusCommand).resolves({
      InstanceStatuses: ids.map((InstanceId) => ({
        InstanceId,
        InstanceStatus: { Status: (opts.checks ?? 'ok') as 'ok' },
        SystemStatus: { Status: 'ok' },
      })),
    });
  }

  function withInstances(h: Harness): Harness {
    const instances = new Ec2InstanceStates((region) => new EC2Client({ region, maxAttempts: 1 }));
    return { ...h, deps: { ...h.deps, instances } };
  }

  it('alerts only on an AMI trip by default when its launches outside any group failed, naming the callers', async () => {
    // Prepare: three launches outside any group, ended a minute after launch
    const h = withInstances(await harness({ LLG_AMI_THRESHOLD: '3', LLG_ASG_THRESHOLD: '100' }));
    const ids = [instanceId(1), instanceId(2), instanceId(3)];
    ec2Shows(ids, 'terminated', { endedAt: T0 + MIN });
    // Act
    await replay(h, [launchEvent({ imageId: AMI, instanceIds: ids, time: T0 })], T0 + 2 * MIN);
    // Assess
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 0);
    const [report] = publishedReports();
    expect(report).toMatchObject({ action: 'alert-only', scope: { scope: 'ami', key: AMI } });
    expect(report!.evidence).toMatchObject({ failed: 3, useful: 0 });
    expect(report!.ungroupedCallers?.[0]).toContain('AWSServiceRoleForAutoScaling');
    const body = sns.commandCalls(PublishCommand)[0]!.args[0].input.Message ?? '';
    expect(body).toContain('Failed launches of the AMI: 3 outside any Auto Scaling group.');
  });

  it('sends no AMI alert when its launches outside any group run with their status checks passing', async () => {
    // Prepare: over the AMI threshold, every instance running and healthy at its deadline
    const h = withInstances(await harness({ LLG_AMI_THRESHOLD: '3', LLG_ASG_THRESHOLD: '100' }));
    const ids = [instanceId(1), instanceId(2), instanceId(3), instanceId(4)];
    ec2Shows(ids, 'running');
    // Act: the last launch is judged after the first three reached their deadline
    await replay(h, [launchEvent({ imageId: AMI, instanceIds: ids.slice(0, 3), time: T0 })], T0 + MIN);
    await replay(h, [launchEvent({ imageId: AMI, instanceIds: ids.slice(3), time: T0 + 11 * MIN })]);
    // Assess
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
    expect(h.metrics.get(METRIC.tripsNotConfirmed)).toBe(2);
  });

  it('suspends, on an AMI trip when asked to, only groups whose own launches confirm it, at most the cap', async () => {
    // Prepare: four groups lose every launch; one more is exempt; one keeps its launches InService
    const h = await harness({
      LLG_AMI_THRESHOLD: '15',
      LLG_ASG_THRESHOLD: '100',
      LLG_FAILED_STREAK: 'off',
      LLG_AMI_ACTION: 'suspend',
      LLG_AMI_MAX_GROUPS: '2',
    });
    const groups = ['g-a', 'g-b', 'g-exempt', 'g-c', 'g-healthy'];
    const idsOf = (i: number) => [0, 1, 2].map((k) => instanceId(i * 10 + k));
    asg.on(DescribeAutoScalingGroupsCommand).callsFake((input: { AutoScalingGroupNames?: string[] }) => ({
      AutoScalingGroups: (input.AutoScalingGroupNames ?? []).map((name) =>
        autoScalingGroup(name, {
          region: REGION,
          tags: name === 'g-exempt' ? { 'launch-loop-guard:exempt': 'true' } : {},
          instances:
            name === 'g-healthy'
              ? idsOf(5).map((InstanceId) => ({
                  InstanceId,
                  LifecycleState: 'InService',
                  HealthStatus: 'Healthy',
                  AvailabilityZone: `${REGION}a`,
                  ProtectedFromScaleIn: false,
                }))
              : [],
        }),
      ),
    }));
    // Act: the healthy group launched first, so its launches are decided (useful) at the trip
    await replay(h, [launchEvent({ group: 'g-healthy', imageId: AMI, instanceIds: idsOf(5), time: T0 })]);
    await replay(
      h,
      groups
        .slice(0, 4)
        .map((g, i) =>
          launchEvent({ group: g, imageId: AMI, instanceIds: idsOf(i), time: T0 + 11 * MIN + i * MIN }),
        ),
    );
    // Assess
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 2);
    const report = publishedReports().find((r) => r.scope.scope === 'ami');
    const outcome = (g: string) => report?.groups?.find((x) => x.groupName === g);
    expect(report?.groups?.filter((g) => g.outcome === 'suspended')).toHaveLength(2);
    expect(outcome('g-exempt')?.outcome).toBe('exempt');
    expect(report?.groups?.filter((g) => g.outcome === 'over-cap').length).toBeGreaterThan(0);
    expect(outcome('g-healthy')).toMatchObject({ outcome: 'not-confirmed' });
    expect(outcome('g-healthy')?.why).toContain('0 of its 3 decided launches failed');
    const body = sns.commandCalls(PublishCommand).at(-1)!.args[0].input.Message ?? '';
    expect(body).toContain('Group g-healthy: left alone, 0 of its 3 decided launches failed');
  });

  it('never suspends a group on an AMI count that its own launches do not confirm', async () => {
    // Prepare: one launch each in six groups, all gone: the AMI is a loop, no group alone shows one
    const h = await harness({
      LLG_AMI_THRESHOLD: '6',
      LLG_ASG_THRESHOLD: '100',
      LLG_AMI_ACTION: 'suspend',
    });
    describeAnyGroup();
    const groups = ['g-a', 'g-b', 'g-c', 'g-d', 'g-e', 'g-f'];
    // Act
    await replay(
      h,
      groups.map((g, i) =>
        launchEvent({ group: g, imageId: AMI, instanceIds: [instanceId(i)], time: T0 + i * MIN }),
      ),
    );
    // Assess: the AMI alerts, and says why each group was left alone
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 0);
    const report = publishedReports().find((r) => r.scope.scope === 'ami');
    expect(report?.action).toBe('alert-only');
    expect(report?.groups?.map((g) => g.outcome)).toEqual(groups.map(() => 'not-confirmed'));
    // The five newest groups are read and judged; the sixth is left undecided (the read cap).
    expect(report?.groups?.find((g) => g.groupName === 'g-f')?.why).toContain(
      'only 1 of its launches decided',
    );
    expect(report?.groups?.find((g) => g.groupName === 'g-a')?.why).toContain('not judged');
  });

  it('counts the shared Auto Scaling fixture for its group and its AMI', async () => {
    const h = await harness();
    const [result] = await replay(h, [
      loadFixture('derived-eventbridge-runinstances-asg-slr.json') as Record<string, unknown>,
    ]);
    expect(result).toMatchObject({
      kind: 'counted',
      scopes: [
        { scope: 'asg', key: 'eks-ng-0ca246e9-cac9e862-bfd9-a821-c9fd-9916df5654eb', launches: 1 },
        { scope: 'ami', key: 'ami-013e7d3a6659f358d', launches: 1 },
      ],
    });
  });

  it('logs, counts and drops a malformed event without throwing', async () => {
    const h = await harness();
    const broken = launchEvent({ group: GROUP, instanceIds: [instanceId(1)], time: T0 }) as {
      detail: Record<string, unknown>;
    };
    delete broken.detail.eventID;
    broken.detail.eventTime = 'yesterday';
    const result = await run(broken, h.deps, h.config, T0);
    expect(result).toMatchObject({ kind: 'ignored', malformed: true });
    expect(h.metrics.get(METRIC.malformedEvents)).toBe(1);
    expect(h.logs.some((l) => l.level === 'warn')).toBe(true);
  });

  it('drops an irrelevant event and a failed call without acting', async () => {
    const h = await harness();
    expect(
      await run(loadFixture('eventbridge-cloudtrail-s3-createbucket.awsdocs.json'), h.deps, h.config, T0),
    ).toMatchObject({
      kind: 'ignored',
      malformed: false,
    });
    // Stratus anonymised the fixture's region (ca-south-3r): a real one makes it a record again.
    const failed = structuredClone(
      loadFixture('derived-eventbridge-runinstances-failed-unauthorized.json'),
    ) as Record<string, Record<string, unknown>>;
    failed['detail']!['awsRegion'] = REGION;
    expect(await run(failed, h.deps, h.config, T0)).toMatchObject({
      kind: 'failed-attempt',
      errorCode: 'Client.UnauthorizedOperation',
    });
    expect(h.metrics.get(METRIC.failedAttempts)).toBe(1);
  });

  it('throws when the store cannot be reached, so that the event is retried', async () => {
    // Prepare: a DynamoDB endpoint nobody listens on (connection refused: transient)
    const h = await harness();
    const nowhere = new DynamoDBClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    const broken = { ...h.deps, counter: new DynamoDbScopeStore(nowhere, h.config.tableName) };
    // Act
    const error = await run(loop(1)[0]!, broken, h.config, T0).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(CounterStoreError);
    expect((error as CounterStoreError).failure).toBe('transient');
    expect(h.metrics.get(METRIC.guardBlind)).toBeUndefined();
    nowhere.destroy();
  });

  it('counts GuardBlind and throws when the table is missing, so the event is kept for a replay', async () => {
    // Prepare: dynalite answers ResourceNotFoundException for a table that does not exist
    const h = await harness();
    const broken = { ...h.deps, counter: new DynamoDbScopeStore(db.client, 'missing-table') };
    // Act
    const error = await run(loop(1)[0]!, broken, h.config, T0).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(GuardBlindError);
    expect((error as Error).cause).toBeInstanceOf(CounterStoreError);
    expect(h.metrics.get(METRIC.guardBlind)).toBe(1);
    expect(
      h.logs.some((l) => l.level === 'error' && l.extra[0]?.['error'] === 'ResourceNotFoundException'),
    ).toBe(true);
  });

  it('counts GuardBlind and throws when Auto Scaling denies access', async () => {
    // Prepare: the settings refresh is the first Auto Scaling call of a new group
    const h = await harness();
    asg.on(DescribeAutoScalingGroupsCommand).rejects(
      new AutoScalingServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'User is not authorized to perform: autoscaling:DescribeAutoScalingGroups',
      }),
    );
    // Act
    const error = await run(loop(1)[0]!, h.deps, h.config, T0).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(GuardBlindError);
    expect(h.metrics.get(METRIC.guardBlind)).toBe(1);
  });

  it('drops the scope, counts it and keeps counting the others when Auto Scaling refuses the input', async () => {
    // Prepare: a ValidationError a retry cannot fix, on the group scope only
    const h = await harness();
    asg.on(DescribeAutoScalingGroupsCommand).rejects(
      new AutoScalingServiceException({
        name: 'ValidationError',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: '1 validation error detected',
      }),
    );
    // Act
    const result = await run(loop(1)[0]!, h.deps, h.config, T0);
    // Assess
    expect(result).toMatchObject({
      kind: 'counted',
      scopes: [{ scope: 'ami', key: AMI, added: 1 }],
      failed: [{ scope: 'asg', key: GROUP, error: 'ValidationError' }],
    });
    expect(h.metrics.get(METRIC.permanentFailures)).toBe(1);
    expect(h.metrics.get(METRIC.guardBlind)).toBeUndefined();
  });

  it('throws a throttled Auto Scaling call as it is, so that Lambda retries', async () => {
    // Prepare
    const h = await harness();
    asg.on(DescribeAutoScalingGroupsCommand).rejects(
      new AutoScalingServiceException({
        name: 'Throttling',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'Rate exceeded',
      }),
    );
    // Act
    const error = await run(loop(1)[0]!, h.deps, h.config, T0).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(SuspendError);
    expect((error as SuspendError).failure).toBe('transient');
    expect(h.metrics.get(METRIC.permanentFailures)).toBeUndefined();
  });

  it('finds the eventID to put on log lines', () => {
    expect(
      eventIdOf(launchEvent({ group: GROUP, instanceIds: [instanceId(1)], time: T0, eventId: 'abc' })),
    ).toBe('abc');
    expect(eventIdOf({ id: 'eb-1' })).toBe('eb-1');
    expect(eventIdOf(42)).toBeUndefined();
  });
});
