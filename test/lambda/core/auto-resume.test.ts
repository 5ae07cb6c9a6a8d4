import { describe, expect, it } from 'vitest';
import {
  atExpression,
  type BackoffSettings,
  cooldownMs,
  decideResume,
  parseResumeRequest,
  planAutoResume,
  processesToResume,
  scheduleName,
  streakActive,
} from '../../../lambda/core/auto-resume';

const MIN = 60_000;
const HOUR = 60 * MIN;
const S: BackoffSettings = { baseMs: 15 * MIN, maxMs: 4 * HOUR, maxTrips: 4 };

describe('cooldownMs', () => {
  it.each([
    [1, 15 * MIN],
    [2, 30 * MIN],
    [3, 60 * MIN],
    [4, 2 * HOUR],
    [5, 4 * HOUR],
    [6, 4 * HOUR],
    [200, 4 * HOUR],
  ])('gives trip %i a cool-down of %i ms (doubling, capped)', (trip, expected) => {
    expect(cooldownMs(trip, S)).toBe(expected);
  });
});

describe('planAutoResume', () => {
  it('schedules the first trip of a group without a streak at now + base', () => {
    // Act
    const step = planAutoResume(undefined, 1_000_000, S);

    // Assess
    expect(step.plan).toEqual({ kind: 'scheduled', at: 1_000_000 + 15 * MIN, trip: 1, cooldownMs: 15 * MIN });
    expect(step.streak).toEqual({ trips: 1, lastTripAt: 1_000_000 });
  });

  it('treats a kept streak of 0 trips (reset by a person) as no streak', () => {
    expect(planAutoResume({ trips: 0, lastTripAt: 0 }, 10 * MIN, S).plan).toMatchObject({ trip: 1 });
  });

  it('walks a looping group through 15 min, 30, 60, 120, then manual after 4 trips', () => {
    // Prepare: each trip happens 5 minutes after the previous resume
    let streak: { trips: number; lastTripAt: number } | undefined;
    let now = 0;
    const plans: unknown[] = [];

    // Act
    for (let i = 0; i < 6; i += 1) {
      const step = planAutoResume(streak, now, S);
      plans.push(step.plan.kind === 'scheduled' ? step.plan.cooldownMs / MIN : `manual ${step.plan.trip}`);
      streak = step.streak;
      now += (step.plan.kind === 'scheduled' ? step.plan.cooldownMs : HOUR) + 5 * MIN;
    }

    // Assess
    expect(plans).toEqual([15, 30, 60, 120, 'manual 5', 'manual 6']);
  });

  it.each([
    // [previous trips, minutes since the last trip, expected trip]
    [1, 15 + 240 - 1, 2],
    [1, 15 + 240, 1],
    [3, 60 + 240 - 1, 4],
    [3, 60 + 240, 1],
    [5, 240 + 240 - 1, 6],
    [5, 240 + 240, 1],
  ])(
    'after trip %i, a trip %i min later is trip %i (streak ends after cool-down + max)',
    (trips, minutes, expected) => {
      // Act
      const step = planAutoResume({ trips, lastTripAt: 0 }, minutes * MIN, S);

      // Assess
      expect(step.plan.trip).toBe(expected);
      expect(streakActive({ trips, lastTripAt: 0 }, minutes * MIN, S)).toBe(expected !== 1);
    },
  );

  it('keeps the last trip time when a trip arrives with an older time', () => {
    expect(planAutoResume({ trips: 1, lastTripAt: 10 * MIN }, 9 * MIN, S).streak).toEqual({
      trips: 2,
      lastTripAt: 10 * MIN,
    });
  });

  it('says manual at once when maxTrips is 1 and the group trips again', () => {
    // Prepare
    const one = { ...S, maxTrips: 1 };

    // Act
    const step = planAutoResume({ trips: 1, lastTripAt: 0 }, 20 * MIN, one);

    // Assess
    expect(step.plan).toEqual({ kind: 'manual', trip: 2, maxTrips: 1 });
  });
});

describe('scheduleName', () => {
  it('is the same for the same group, trip time and trip, and valid for EventBridge Scheduler', () => {
    // Act
    const a = scheduleName('ecs-neuron-capacity-provider-asg', 1_765_000_000_000, 3);
    const b = scheduleName('ecs-neuron-capacity-provider-asg', 1_765_000_000_000, 3);

    // Assess
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9A-Za-z\-_.]{1,64}$/);
    expect(a.endsWith('-3')).toBe(true);
  });

  it.each([
    ['a/b c:d', 'a-b-c-d'],
    ['x'.repeat(255), 'x'.repeat(28)],
  ])('makes a valid name from %s', (group, slug) => {
    const name = scheduleName(group, 0, 12);
    expect(name).toMatch(/^[0-9A-Za-z\-_.]{1,64}$/);
    expect(name.startsWith(`llg-${slug}-`)).toBe(true);
  });

  it('tells apart long names that share their first 28 characters, and trips, and trip times', () => {
    const names = new Set([
      scheduleName(`${'p'.repeat(40)}-a`, 0, 1),
      scheduleName(`${'p'.repeat(40)}-b`, 0, 1),
      scheduleName(`${'p'.repeat(40)}-a`, 0, 2),
      scheduleName(`${'p'.repeat(40)}-a`, 60_000, 1),
    ]);
    expect(names.size).toBe(4);
  });
});

describe('atExpression', () => {
  it.each([
    [Date.UTC(2025, 11, 9, 8, 30, 0), 'at(2025-12-09T08:30:00)'],
    [Date.UTC(2025, 11, 9, 8, 30, 0) + 1, 'at(2025-12-09T08:30:01)'],
  ])('formats %i as %s (UTC, seconds rounded up)', (ms, expected) => {
    expect(atExpression(ms)).toBe(expected);
  });
});

describe('parseResumeRequest', () => {
  const good = {
    account: '123456789012',
    region: 'eu-west-1',
    groupName: 'g',
    processes: ['Launch'],
    trip: 2,
  };

  it('reads a request', () => {
    expect(parseResumeRequest(good)).toEqual(good);
    expect(parseResumeRequest({ ...good, suspendedAt: '2025-12-09T08:30:00.000Z' })).toEqual({
      ...good,
      suspendedAt: '2025-12-09T08:30:00.000Z',
    });
  });

  it.each([
    [null, /not an object/],
    [{ ...good, groupName: '' }, /groupName/],
    [{ ...good, trip: 0 }, /trip/],
    [{ ...good, trip: '2' }, /trip/],
    [{ ...good, processes: [] }, /processes/],
    [{ ...good, processes: [1] }, /processes/],
  ])('refuses %o', (input, message) => {
    const out = parseResumeRequest(input);
    expect('error' in out && out.error).toMatch(message);
  });
});

describe('processesToResume', () => {
  it.each([
    [{}, ['Launch', 'AZRebalance'], ['Launch']],
    [
      { 'launch-loop-guard:suspended-processes': 'Launch,ReplaceUnhealthy' },
      ['Launch', 'ReplaceUnhealthy', 'AZRebalance'],
      ['Launch', 'ReplaceUnhealthy'],
    ],
    [{ 'launch-loop-guard:suspended-processes': 'Launch, Terminate' }, ['Terminate'], ['Terminate']],
    [{}, ['AZRebalance'], []],
    [{ 'launch-loop-guard:suspended-processes': ' , ' }, ['Launch'], ['Launch']],
  ])('with tags %o and %o suspended resumes %o', (tags, suspended, expected) => {
    expect(processesToResume(tags, suspended)).toEqual(expected);
  });
});

describe('decideResume', () => {
  const guarded = {
    tags: {
      'launch-loop-guard:suspended-at': '2025-12-09T08:30:00.000Z',
      'launch-loop-guard:reason': '10 launches in 1h',
      team: 'ml',
    },
    suspendedProcesses: ['Launch', 'AZRebalance'],
  };

  it('says gone for a group that does not exist', () => {
    expect(decideResume(undefined)).toEqual({ kind: 'gone' });
  });

  it('resumes Launch only and removes only the guard tags present', () => {
    expect(decideResume(guarded)).toEqual({
      kind: 'resume',
      processes: ['Launch'],
      tagKeys: ['launch-loop-guard:suspended-at', 'launch-loop-guard:reason'],
      forced: false,
    });
  });

  it('refuses a group without the guard tag, naming what is suspended', () => {
    expect(decideResume({ tags: {}, suspendedProcesses: ['Launch'] })).toEqual({
      kind: 'not-guard-suspended',
      suspendedProcesses: ['Launch'],
    });
  });

  it('resumes such a group with force', () => {
    expect(decideResume({ tags: {}, suspendedProcesses: ['Launch'] }, { force: true })).toEqual({
      kind: 'resume',
      processes: ['Launch'],
      tagKeys: [],
      forced: true,
    });
  });

  it('leaves a later suspension alone', () => {
    expect(decideResume(guarded, { expectSuspendedAt: '2025-12-09T07:00:00.000Z' })).toEqual({
      kind: 'superseded',
      suspendedAt: '2025-12-09T08:30:00.000Z',
    });
    expect(decideResume(guarded, { expectSuspendedAt: '2025-12-09T08:30:00.000Z' }).kind).toBe('resume');
  });
});
