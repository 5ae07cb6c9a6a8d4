/**
 * run(): counting launches per group and per AMI and tripping once (the store on dynalite, the
 * AWS calls mocked; shared setup in count.support.ts).
 */
import {
  CreateOrUpdateTagsCommand,
  DescribeAutoScalingGroupsCommand,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { PublishCommand } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { autoScalingGroup } from '../../../fake-cloud/support/auto-scaling';
import { instanceId, launchEvent } from '../../../fake-cloud/support/launch-events';
import { stepEpisode } from '../../../lambda/core/episode';
import { METRIC } from '../../../lambda/core/metric-names';
import { parseEvent } from '../../../lambda/core/parse-event';
import { launchScopes } from '../../../lambda/core/scopes';
import { ScopeWindow } from '../../../lambda/core/window';
import { type GuardResult, run } from '../../../lambda/steps/count';
import {
  AMI,
  asg,
  departed,
  describeAnyGroup,
  describeGroup,
  GROUP,
  HEALTH_CAUSE,
  harness,
  inService,
  loop,
  MIN,
  publishedReports,
  REGION,
  replay,
  sns,
  T0,
} from './count.support';

describe('run: counting and tripping', () => {
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
});
