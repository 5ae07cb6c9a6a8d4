import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LifecycleState } from '@aws-sdk/client-auto-scaling';
import { describe, expect, it } from 'vitest';
import {
  CAUSE,
  classifyCause,
  confirmCount,
  countFates,
  deadlineFor,
  FATE,
  FATE_REASON,
  type JudgeInput,
  judgeLaunch,
  judgeLaunches,
  LIFECYCLE_CLASS,
  lifecycleClass,
  MAX_HOLD_MS,
  streakRule,
} from '../../../lambda/core/fate';

const MIN = 60_000;
const L = { instanceId: 'i-0123456789abcdef0', launchedAt: 0 };
const CAUSES = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'fixtures', 'autoscaling', 'causes.json'), 'utf8'),
) as { causes: { class: string; text: string }[] };
const HEALTH = CAUSES.causes.find((c) => c.class === 'health')!.text;
const SCALE_IN = CAUSES.causes.find((c) => c.class === 'scale-in')!.text;

function input(over: Partial<JudgeInput> = {}): JudgeInput {
  return {
    now: 11 * MIN,
    deadlineMs: 10 * MIN,
    live: new Map(),
    departures: new Map(),
    stateReasons: new Map(),
    ...over,
  };
}

function live(state: string, health = 'Healthy') {
  return new Map([[L.instanceId, { lifecycleState: state, healthStatus: health }]]);
}

describe('classifyCause', () => {
  it.each(CAUSES.causes.map((c) => [c.class, c.text] as const))('reads a real %s cause', (klass, text) => {
    // Act + Assess
    expect(classifyCause(text)).toBe(klass);
  });

  it('calls a cause it cannot read unknown', () => {
    expect(classifyCause('At 2025-12-10T08:00:00Z something new happened.')).toBe(CAUSE.unknown);
  });
});

describe('lifecycleClass', () => {
  it('names every lifecycle state the installed SDK lists', () => {
    // Prepare
    const states = Object.values(LifecycleState);
    // Assess
    const unknown = states.filter((s) => lifecycleClass(s) === undefined);
    expect(unknown).toEqual([]);
    expect(states.length).toBeGreaterThan(20);
  });

  it('names no state the SDK does not list', () => {
    const sdk = new Set<string>(Object.values(LifecycleState));
    expect(Object.keys(LIFECYCLE_CLASS).filter((s) => !sdk.has(s))).toEqual([]);
  });
});

describe('deadlineFor', () => {
  it.each([
    [0, undefined, 10 * MIN],
    [300, undefined, 10 * MIN],
    [900, undefined, 20 * MIN],
    [900, 5 * MIN, 5 * MIN],
  ])('grace %d s, tag %j: %d ms', (grace, tag, expected) => {
    expect(deadlineFor(grace, tag)).toBe(expected);
  });
});

describe('judgeLaunch', () => {
  it.each([
    [
      'InService, past the deadline, no ECS',
      input({ live: live('InService') }),
      FATE.useful,
      FATE_REASON.inService,
    ],
    [
      'InService and registered, before the deadline',
      input({ now: 3 * MIN, live: live('InService'), registered: new Set([L.instanceId]) }),
      FATE.useful,
      FATE_REASON.registered,
    ],
    [
      'InService, not registered, past the deadline',
      input({ live: live('InService'), registered: new Set() }),
      FATE.failed,
      FATE_REASON.notRegistered,
    ],
    [
      'InService, not registered, before the deadline',
      input({ now: 5 * MIN, live: live('InService'), registered: new Set() }),
      FATE.undecided,
      FATE_REASON.booting,
    ],
    [
      'Unhealthy at once',
      input({ now: 2 * MIN, live: live('InService', 'Unhealthy') }),
      FATE.failed,
      FATE_REASON.unhealthy,
    ],
    [
      'still Pending past the deadline',
      input({ live: live('Pending') }),
      FATE.failed,
      FATE_REASON.stillPending,
    ],
    [
      'Pending before the deadline',
      input({ now: 4 * MIN, live: live('Pending') }),
      FATE.undecided,
      FATE_REASON.booting,
    ],
    ['Standby past the deadline', input({ live: live('Standby') }), FATE.useful, FATE_REASON.inService],
    [
      'in the warm pool, stopped',
      input({ now: MIN, live: live('Warmed:Stopped') }),
      FATE.useful,
      FATE_REASON.warm,
    ],
    [
      'retained on purpose',
      input({ live: live('Warmed:Pending:Retained') }),
      FATE.neutral,
      FATE_REASON.retained,
    ],
    ['detached by a person', input({ live: live('Detached') }), FATE.neutral, FATE_REASON.detached],
    [
      'root volume replaced',
      input({ live: live('ReplacingRootVolume') }),
      FATE.neutral,
      FATE_REASON.rootVolume,
    ],
    [
      'held by a 30-minute launch hook at 20 minutes',
      input({ now: 20 * MIN, live: live('Pending:Wait'), launchHookMs: 30 * MIN }),
      FATE.undecided,
      FATE_REASON.held,
    ],
    [
      'held by a 30-minute launch hook at 36 minutes',
      input({ now: 36 * MIN, live: live('Pending:Wait'), launchHookMs: 30 * MIN }),
      FATE.failed,
      FATE_REASON.stillPending,
    ],
    [
      'held by a 2-hour hook past the 1-hour cap',
      input({ now: MAX_HOLD_MS, live: live('Pending:Wait'), launchHookMs: 120 * MIN }),
      FATE.failed,
      FATE_REASON.stillPending,
    ],
    [
      'gone after a health check',
      input({ now: 4 * MIN, departures: new Map([[L.instanceId, { cause: HEALTH, at: 3 * MIN }]]) }),
      FATE.failed,
      FATE_REASON.healthReplaced,
    ],
    [
      'terminating after a health check',
      input({
        now: 4 * MIN,
        live: live('Terminating:Wait'),
        departures: new Map([[L.instanceId, { cause: HEALTH }]]),
      }),
      FATE.failed,
      FATE_REASON.healthReplaced,
    ],
    [
      'gone by Spot interruption',
      input({
        departures: new Map([[L.instanceId, { cause: HEALTH }]]),
        stateReasons: new Map([[L.instanceId, 'Server.SpotInstanceTermination']]),
      }),
      FATE.neutral,
      FATE_REASON.spot,
    ],
    [
      'gone by scale-in',
      input({ now: 3 * MIN, departures: new Map([[L.instanceId, { cause: SCALE_IN, at: 2 * MIN }]]) }),
      FATE.neutral,
      FATE_REASON.scaledIn,
    ],
    ['gone early, no cause found', input({ now: 5 * MIN }), FATE.failed, FATE_REASON.goneUnknown],
    [
      'gone after its deadline for a cause nobody can read',
      input({
        now: 50 * MIN,
        departures: new Map([[L.instanceId, { cause: 'something else', at: 40 * MIN }]]),
      }),
      FATE.neutral,
      FATE_REASON.servedThenEnded,
    ],
    ['an id CloudTrail cut', input({ live: new Map() }), FATE.neutral, FATE_REASON.noInstanceId],
    ['a state nobody knows yet', input({ live: live('Hovering') }), FATE.undecided, FATE_REASON.unknownState],
  ])('%s', (_name, facts, fate, reason) => {
    // Act
    const launch = _name === 'an id CloudTrail cut' ? { instanceId: 'event-1#0', launchedAt: 0 } : L;
    const judged = judgeLaunch(launch, facts);
    // Assess
    expect([judged.fate, judged.reason]).toEqual([fate, reason]);
  });

  it('never invents a failure when registration is unknown (ECS lookup failed)', () => {
    // Act
    const judged = judgeLaunch(L, input({ now: 30 * MIN, live: live('InService') }));
    // Assess
    expect(judged.fate).toBe(FATE.useful);
  });
});

describe('judgeLaunches and countFates', () => {
  it('judges each instance once, oldest first, and counts fates by reason', () => {
    // Prepare
    const launches = [
      { instanceId: 'i-00000000000000002', launchedAt: 2 * MIN },
      { instanceId: 'i-00000000000000001', launchedAt: MIN },
      { instanceId: 'i-00000000000000001', launchedAt: MIN },
      { instanceId: 'i-00000000000000003', launchedAt: 29 * MIN },
    ];
    // Act
    const judged = judgeLaunches(
      launches,
      input({
        now: 30 * MIN,
        live: new Map([
          ['i-00000000000000002', { lifecycleState: 'InService', healthStatus: 'Healthy' }],
          ['i-00000000000000003', { lifecycleState: 'Pending', healthStatus: 'Healthy' }],
        ]),
        departures: new Map([['i-00000000000000001', { cause: HEALTH, at: 5 * MIN }]]),
      }),
    );
    const counts = countFates(judged);
    // Assess
    expect(judged.map((j) => j.instanceId)).toEqual([
      'i-00000000000000001',
      'i-00000000000000002',
      'i-00000000000000003',
    ]);
    expect(counts).toMatchObject({ useful: 1, failed: 1, neutral: 0, undecided: 1 });
    expect(counts.failedBy).toEqual({ 'health-replaced': 1 });
  });
});

describe('confirmCount', () => {
  const counts = (useful: number, failed: number, neutral = 0, undecided = 0) => ({
    useful,
    failed,
    neutral,
    undecided,
    failedBy: {},
    neutralBy: {},
  });

  it.each([
    [counts(0, 3), 0.5, true],
    [counts(0, 2, 5, 5), 0.5, false],
    [counts(3, 3), 0.5, true],
    [counts(4, 3), 0.5, false],
    [counts(7, 3), 0.3, true],
    [counts(0, 0, 20, 20), 0.5, false],
    // A scale-out whose first 3 instances failed while 9 still boot is not confirmed yet.
    [counts(0, 3, 0, 9), 0.5, false],
    [counts(0, 6, 0, 6), 0.5, true],
  ])('%j with share %d confirms: %s', (c, share, expected) => {
    expect(confirmCount(c, share).confirms).toBe(expected);
  });
});

describe('streakRule', () => {
  const j = (fate: 'useful' | 'failed' | 'neutral' | 'undecided', minute: number) => ({
    instanceId: `i-${String(minute).padStart(17, '0')}`,
    launchedAt: minute * MIN,
    fate,
    reason: FATE_REASON.inService,
  });

  it('trips when the last N decided launches failed, skipping neutral and undecided ones', () => {
    // Prepare
    const judged = [
      j('useful', 0),
      j('failed', 15),
      j('neutral', 20),
      j('failed', 30),
      j('failed', 45),
      j('failed', 60),
      j('undecided', 75),
    ];
    // Act
    const found = streakRule(judged, 4);
    // Assess
    expect(found.trips).toBe(true);
    expect(found.launches.map((l) => l.launchedAt / MIN)).toEqual([15, 30, 45, 60]);
  });

  it('does not trip when a useful launch breaks the streak', () => {
    // One launch a minute: failed, failed, useful, then three failed.
    const fates = ['failed', 'failed', 'useful', 'failed', 'failed', 'failed'] as const;
    const judged = fates.map((fate, minute) => j(fate, minute));
    expect(streakRule(judged, 4)).toMatchObject({ trips: false, streak: 3 });
  });

  it('counts only launches after an earlier streak', () => {
    const judged = [j('failed', 0), j('failed', 1), j('failed', 2), j('failed', 3), j('failed', 4)];
    expect(streakRule(judged, 4, 3 * MIN).trips).toBe(false);
    expect(streakRule(judged, 4).trips).toBe(true);
  });
});
