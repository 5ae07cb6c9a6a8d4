/**
 * The judgement of a group's launches against fakes of its ports (Auto Scaling's history, ECS
 * registration, EC2 state reasons, the store): what each lookup changes in the fates, and what
 * the judgement keeps.
 */
import { describe, expect, it } from 'vitest';
import { guardDeps, refusing } from '../../../fake-cloud/support/guard-deps';
import {
  DEFAULT_DEADLINE_MS,
  type Departure,
  deadlineFor,
  FATE,
  FATE_REASON,
} from '../../../lambda/core/fate';
import { LEARN_MIN_SAMPLES, learnedDeadline } from '../../../lambda/core/time-to-useful';
import type { EcsRegistry, GroupHistory, GroupSnapshot, InstanceStates } from '../../../lambda/ports';
import {
  FIRST_CHECK_DELAY_S,
  firstCheckDelayS,
  type JudgeDeps,
  judgeAndKeep,
  judgeDeps,
  judgeGroup,
  launchesToJudge,
} from '../../../lambda/steps/judge';
import { FakeLog, FakeStore, fakesOf, GROUP, GROUP_KEY, groupOf, ids, MIN, REGION, T0 } from './trip/fakes';

const [A, B, C, D] = ids(4) as [string, string, string, string];
const ARN = `arn:aws:autoscaling:${REGION}:111122223333:autoScalingGroup:uuid:autoScalingGroupName/${GROUP}`;
const settings = {};

/** Launches made `minutesAgo` before T0 (epoch ms). */
function launched(...entries: readonly [string, number][]) {
  return entries.map(([instanceId, minutesAgo]) => ({ instanceId, launchedAt: T0 - minutesAgo * MIN }));
}

function withInstances(
  instances: GroupSnapshot['instances'],
  extra: Partial<GroupSnapshot> = {},
): GroupSnapshot {
  return { ...groupOf(), instances, ...extra };
}

const inService = (instanceId: string) => ({
  instanceId,
  lifecycleState: 'InService',
  healthStatus: 'Healthy',
});

/** ECS that knows one cluster and these registrations; it keeps the ids it was asked about. */
function ecsOf(registeredAt: ReadonlyMap<string, number | undefined>, fail = false) {
  const asked: string[][] = [];
  const ecs: EcsRegistry = {
    async clusterOfGroup() {
      if (fail) throw new Error('ecs:ListClusters denied');
      return 'prod';
    },
    async registrations(_r, _c, instanceIds) {
      asked.push([...instanceIds]);
      return new Map([...registeredAt].filter(([id]) => instanceIds.includes(id)));
    },
  };
  return { ecs, asked };
}

/** Auto Scaling's history with these departures and this launch hook; it keeps what it was asked. */
function historyOf(departures: ReadonlyMap<string, Departure>, hookMs?: number, fail = false) {
  const asked: { ids: readonly string[]; since: number }[] = [];
  let hookReads = 0;
  const history: GroupHistory = {
    async departures(_r, _n, want) {
      if (fail) throw new Error('throttled');
      if (want) asked.push(want);
      return departures;
    },
    async launchHookMs() {
      hookReads += 1;
      if (fail) throw new Error('throttled');
      return hookMs;
    },
  };
  return { history, asked, hookReads: () => hookReads };
}

/** The judging ports a test exercises; the others know nothing (no cluster, no departures, no state reasons). */
function deps(parts: Partial<JudgeDeps> = {}): JudgeDeps {
  const { history, ecs, instances } = guardDeps({ counter: refusing('counter') });
  return { log: new FakeLog(), history, ecs, instances, ...parts };
}

describe('judgeGroup', () => {
  it('judges launches by the live group alone when the other ports know nothing', async () => {
    // Prepare
    const group = withInstances([
      inService(A),
      { instanceId: B, lifecycleState: 'InService', healthStatus: 'Unhealthy' },
      inService(C),
    ]);
    // Act
    const judgement = await judgeGroup(
      deps(),
      REGION,
      group,
      launched([A, 20], [B, 20], [C, 2]),
      settings,
      T0,
    );
    // Assess
    expect(judgement.judged.map((j) => [j.instanceId, j.fate, j.reason])).toEqual([
      [A, FATE.useful, FATE_REASON.inService],
      [B, FATE.failed, FATE_REASON.unhealthy],
      [C, FATE.undecided, FATE_REASON.booting],
    ]);
    expect(judgement.counts).toMatchObject({ useful: 1, failed: 1, undecided: 1 });
    expect(judgement.deadlineMs).toBe(deadlineFor(300));
    expect(judgement.ecs).toBe('none');
    expect([...judgement.newlyDecided.keys()]).toEqual([A, B]);
  });

  it("decides an ECS group's in-service launches by registration, asks ECS only about those, and learns their time to useful", async () => {
    // Prepare
    const group = withInstances(
      [inService(A), inService(B), { instanceId: C, lifecycleState: 'Pending', healthStatus: 'Healthy' }],
      { arn: ARN },
    );
    const { ecs, asked } = ecsOf(new Map([[A, T0 - 17 * MIN]]));
    // Act
    const judgement = await judgeGroup(
      deps({ ecs }),
      REGION,
      group,
      launched([A, 20], [B, 20], [C, 20]),
      settings,
      T0,
    );
    // Assess
    expect(asked).toEqual([[A, B]]);
    expect(judgement.judged.map((j) => [j.instanceId, j.reason])).toEqual([
      [A, FATE_REASON.registered],
      [B, FATE_REASON.notRegistered],
      [C, FATE_REASON.stillPending],
    ]);
    expect(judgement).toMatchObject({ cluster: 'prod', ecs: 'checked', samples: [180], learned: false });
  });

  it('judges without registration when ECS cannot be read, and never invents a failure from it', async () => {
    // Prepare
    const group = withInstances([inService(A)], { arn: ARN });
    const log = new FakeLog();
    // Act
    const judgement = await judgeGroup(
      deps({ log, ecs: ecsOf(new Map(), true).ecs }),
      REGION,
      group,
      launched([A, 20]),
      settings,
      T0,
    );
    // Assess
    expect(judgement.ecs).toBe('failed');
    expect(judgement.judged[0]).toMatchObject({ fate: FATE.useful, reason: FATE_REASON.inService });
    expect(log.lines).toContainEqual({
      level: 'warn',
      message: 'ECS lookup failed: launches judged without registration',
    });
  });

  it('judges a launch whose instance left by the cause Auto Scaling gives, paging back to its launch', async () => {
    // Prepare: A was replaced for a failed health check, B scaled in
    const health =
      'At 2026-12-07T09:50:00Z an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped.';
    const scaleIn =
      'At 2026-12-07T09:50:00Z a user request update of AutoScalingGroup constraints to min: 0 changed the desired capacity from 2 to 1. At 2026-12-07T09:50:10Z an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from 2 to 1.';
    const { history, asked } = historyOf(
      new Map([
        [A, { cause: health }],
        [B, { cause: scaleIn }],
      ]),
    );
    const stateAsks: string[][] = [];
    const instances: InstanceStates = {
      async stateReasons(_r, instanceIds) {
        stateAsks.push([...instanceIds]);
        return new Map();
      },
      launchFacts: async () => new Map(),
    };
    // Act
    const judgement = await judgeGroup(
      deps({ history, instances }),
      REGION,
      withInstances([]),
      launched([A, 30], [B, 20]),
      settings,
      T0,
    );
    // Assess
    expect(asked).toEqual([{ ids: [A, B], since: T0 - 30 * MIN }]);
    expect(judgement.judged.map((j) => [j.instanceId, j.fate])).toEqual([
      [A, FATE.failed],
      [B, FATE.neutral],
    ]);
    // "terminated or stopped" may be a Spot interruption: EC2 is asked about that one only
    expect(stateAsks).toEqual([[A]]);
    expect(judgement.causes).toEqual([health, scaleIn]);
  });

  it('counts an Unhealthy instance that a Spot interruption stopped as neutral', async () => {
    // Prepare
    const group = withInstances([{ instanceId: A, lifecycleState: 'InService', healthStatus: 'Unhealthy' }]);
    const instances: InstanceStates = {
      async stateReasons() {
        return new Map([[A, 'Server.SpotInstanceTermination']]);
      },
      launchFacts: async () => new Map(),
    };
    // Act
    const judgement = await judgeGroup(deps({ instances }), REGION, group, launched([A, 20]), settings, T0);
    // Assess
    expect(judgement.judged[0]).toMatchObject({ fate: FATE.neutral, reason: FATE_REASON.spot });
  });

  it("holds a launch waiting in a launch hook for the hook's timeout, and for the longest hold when hooks are unreadable", async () => {
    // Prepare
    const group = withInstances([{ instanceId: A, lifecycleState: 'Pending:Wait', healthStatus: 'Healthy' }]);
    const hooked = historyOf(new Map(), 30 * MIN);
    const unreadable = historyOf(new Map(), undefined, true);
    const log = new FakeLog();
    const heldFor = (d: JudgeDeps, minutesAgo: number) =>
      judgeGroup(d, REGION, group, launched([A, minutesAgo]), settings, T0);
    // Act
    const held = await heldFor(deps({ history: hooked.history }), 20);
    const late = await heldFor(deps({ history: hooked.history }), 40);
    const blind = await heldFor(deps({ log, history: unreadable.history }), 50);
    // Assess
    expect(held.judged[0]).toMatchObject({ fate: FATE.undecided, reason: FATE_REASON.held });
    expect(late.judged[0]).toMatchObject({ fate: FATE.failed, reason: FATE_REASON.stillPending });
    expect(blind.judged[0]).toMatchObject({ fate: FATE.undecided, reason: FATE_REASON.held });
    expect(hooked.hookReads()).toBe(2);
    expect(log.lines).toContainEqual({
      level: 'warn',
      message: 'lifecycle hooks unreadable: held instances get the longest hold',
    });
  });

  it('keeps a decided fate without asking anything about that launch again', async () => {
    // Prepare: A was judged failed earlier; it is gone now
    const first = await judgeGroup(
      deps(),
      REGION,
      withInstances([{ instanceId: A, lifecycleState: 'InService', healthStatus: 'Unhealthy' }]),
      launched([A, 20]),
      settings,
      T0,
    );
    const { history, asked } = historyOf(new Map());
    // Act
    const again = await judgeGroup(
      deps({ history }),
      REGION,
      withInstances([]),
      launched([A, 20]),
      settings,
      T0 + MIN,
      first.newlyDecided,
    );
    // Assess
    expect(again.judged[0]).toMatchObject({ fate: FATE.failed, reason: FATE_REASON.unhealthy, stored: true });
    expect(asked).toEqual([]);
    expect(again.newlyDecided.size).toBe(0);
  });

  it("judges an ECS group's launches at its learned deadline, earlier than the configured one", async () => {
    // Prepare: five registrations took 2 minutes each; B is 8 minutes old and not registered
    const learned = Array.from({ length: LEARN_MIN_SAMPLES }, () => 120);
    const group = withInstances([inService(B)], { arn: ARN });
    // Act
    const judgement = await judgeGroup(
      deps({ ecs: ecsOf(new Map()).ecs }),
      REGION,
      group,
      launched([B, 8]),
      settings,
      T0,
      new Map(),
      learned,
    );
    // Assess
    expect(judgement.learned).toBe(true);
    expect(judgement.deadlineMs).toBe(learnedDeadline(learned, deadlineFor(300)));
    expect(judgement.judged[0]).toMatchObject({ fate: FATE.failed, reason: FATE_REASON.notRegistered });
  });
});

describe('firstCheckDelayS', () => {
  it('waits the shortest deadline and a little slack, or the learned deadline when there is one', () => {
    const learned = Array.from({ length: LEARN_MIN_SAMPLES }, () => 60);
    expect(firstCheckDelayS([])).toBe(FIRST_CHECK_DELAY_S);
    expect(FIRST_CHECK_DELAY_S).toBe(DEFAULT_DEADLINE_MS / 1000 + 5);
    expect(firstCheckDelayS(learned)).toBe((learnedDeadline(learned, DEFAULT_DEADLINE_MS) ?? 0) / 1000 + 5);
    expect(firstCheckDelayS(learned)).toBeLessThan(FIRST_CHECK_DELAY_S);
  });
});

describe('judgeAndKeep', () => {
  it('keeps the fates it decided and adds what it learned to the group history', async () => {
    // Prepare
    const fakes = fakesOf();
    const group = withInstances([inService(A), inService(B)], { arn: ARN });
    const { ecs } = ecsOf(new Map([[A, T0 - 18 * MIN]]));
    // Act
    const judgement = await judgeAndKeep(
      { ...fakes.deps, ecs },
      GROUP_KEY,
      group,
      launched([A, 20], [B, 20]),
      settings,
      T0,
      undefined,
      [100],
    );
    // Assess
    expect([...fakes.store.fates.keys()]).toEqual([A, B]);
    expect(fakes.store.fates.get(B)).toBe(judgement.newlyDecided.get(B));
    expect(fakes.store.learned).toEqual([[100, 120]]);
  });
});

describe('launchesToJudge', () => {
  it("adds the launches only the fate item keeps, and merges the count's fates with the kept ones", async () => {
    // Prepare: D was pushed out of the count by its cap, its fate kept apart
    const store = new FakeStore();
    store.readFates = async () => new Map([[D, { fate: 'failed:unhealthy', launchedAt: T0 / 1000 - 3000 }]]);
    const fakes = fakesOf();
    // Act
    const known = await launchesToJudge(
      { ...fakes.deps, counter: store },
      GROUP_KEY,
      new Map([[A, T0 / 1000 - 600]]),
      new Map([[A, 'useful:in-service']]),
    );
    // Assess
    expect(known.launches).toEqual([
      { instanceId: A, launchedAt: T0 - 600_000 },
      { instanceId: D, launchedAt: T0 - 3_000_000 },
    ]);
    expect(known.decided).toEqual(
      new Map([
        [A, 'useful:in-service'],
        [D, 'failed:unhealthy'],
      ]),
    );
  });
});

describe('judgeDeps', () => {
  it('passes on the judging ports (every port is wired)', () => {
    const fakes = fakesOf();
    const { history } = historyOf(new Map());
    const { log, ecs, instances } = fakes.deps;
    expect(judgeDeps(fakes.deps)).toEqual({ log, history: fakes.deps.history, ecs, instances });
    expect(judgeDeps({ ...fakes.deps, history })).toEqual({ log, history, ecs, instances });
  });
});
