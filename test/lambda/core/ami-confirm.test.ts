import { describe, expect, it } from 'vitest';
import {
  type AmiLaunchFate,
  confirmGroupLaunches,
  decideAmi,
  judgeUngrouped,
  UNGROUPED_DEADLINE_MS,
  type UngroupedFacts,
} from '../../../lambda/core/ami-confirm';
import { FATE, type Fate, type FateReason, type JudgedLaunch } from '../../../lambda/core/fate';

const MIN = 60_000;
const LAUNCH = { instanceId: 'i-0123456789abcdef0', launchedAt: 0 };
/** A running instance whose system check is ok and whose instance check is `instance`. */
const running = (instance: string): UngroupedFacts => ({
  state: 'running',
  checks: { instance, system: 'ok' },
});

describe('judgeUngrouped', () => {
  it.each<[string, UngroupedFacts | undefined, number, Fate, FateReason]>([
    ['running, both checks ok, at its deadline', running('ok'), 10 * MIN, 'useful', 'in-service'],
    ['running, checks ok, before its deadline', running('ok'), 5 * MIN, 'undecided', 'before-deadline'],
    [
      'running, instance check impaired at its deadline',
      running('impaired'),
      11 * MIN,
      'failed',
      'unhealthy',
    ],
    [
      'running, checks still initializing at its deadline',
      running('initializing'),
      11 * MIN,
      'failed',
      'still-pending',
    ],
    ['running, checks unread', { state: 'running' }, 11 * MIN, 'undecided', 'unknown-state'],
    ['still pending at its deadline', { state: 'pending' }, 10 * MIN, 'failed', 'still-pending'],
    [
      'terminated 1 min after launch',
      { state: 'terminated', endedAt: MIN },
      20 * MIN,
      'failed',
      'gone-unexplained',
    ],
    [
      'stopped 1 min after launch, seen before its deadline',
      { state: 'stopped' },
      3 * MIN,
      'failed',
      'gone-unexplained',
    ],
    [
      'terminated 30 min after launch',
      { state: 'terminated', endedAt: 30 * MIN },
      40 * MIN,
      'neutral',
      'ended-after-deadline',
    ],
    [
      'terminated, time unknown, seen after its deadline',
      { state: 'terminated' },
      40 * MIN,
      'neutral',
      'ended-after-deadline',
    ],
    [
      'ended by a Spot interruption',
      { state: 'terminated', endedAt: MIN, stateReason: 'Server.SpotInstanceTermination' },
      5 * MIN,
      'neutral',
      'spot-interruption',
    ],
    ['not shown by EC2, before its deadline', undefined, 5 * MIN, 'undecided', 'before-deadline'],
    ['not shown by EC2, after its deadline', undefined, 15 * MIN, 'neutral', 'unknown-state'],
  ])('judges a launch %s', (_name, facts, now, fate, reason) => {
    // Act
    const judged = judgeUngrouped(LAUNCH, facts, now);
    // Assess
    expect(judged).toMatchObject({ instanceId: LAUNCH.instanceId, fate, reason });
  });

  it('judges the stand-in id of a truncated record neutral', () => {
    expect(judgeUngrouped({ instanceId: 'evt#3', launchedAt: 0 }, { state: 'pending' }, 30 * MIN).fate).toBe(
      FATE.neutral,
    );
  });

  it('uses the shortest group deadline', () => {
    expect(UNGROUPED_DEADLINE_MS).toBe(10 * MIN);
  });
});

function launches(n: number, fate: Fate, group?: string, from = 0): AmiLaunchFate[] {
  return Array.from({ length: n }, (_, i) => ({
    instanceId: `i-${String(from + i).padStart(17, '0')}`,
    launchedAt: (from + i) * 1000,
    fate,
    reason: fate === 'failed' ? 'not-registered' : fate === 'useful' ? 'in-service' : 'before-deadline',
    ...(group !== undefined ? { group } : {}),
  }));
}

describe('decideAmi', () => {
  it('does not confirm a healthy scale-out of 80 of one AMI', () => {
    // Prepare
    const all = [...launches(78, 'useful', 'api'), ...launches(2, 'failed', 'api', 78)];
    // Act
    const d = decideAmi(all, new Set(), 0.5);
    // Assess
    expect(d).toMatchObject({ kind: 'not-confirmed', check: { decided: 80, failed: 2 } });
  });

  it('waits while more launches are undecided than decided', () => {
    const all = [...launches(10, 'failed', 'api'), ...launches(40, 'undecided', 'api', 10)];
    expect(decideAmi(all, new Set(), 0.5).kind).toBe('not-confirmed');
  });

  it('leaves the page to the group when the group that tripped holds the failures', () => {
    // Prepare: a looping group and a healthy one share the AMI
    const all = [...launches(40, 'failed', 'storm'), ...launches(20, 'useful', 'web', 40)];
    // Act
    const d = decideAmi(all, new Set(['storm']), 0.5);
    // Assess
    expect(d).toMatchObject({ kind: 'covered', coveredBy: ['storm'] });
  });

  it('alerts on its own for failures across several groups none of which trips', () => {
    // Prepare
    const all = [
      ...launches(20, 'failed', 'a'),
      ...launches(20, 'failed', 'b', 20),
      ...launches(15, 'failed', 'c', 40),
    ];
    // Act
    const d = decideAmi(all, new Set(), 0.5);
    // Assess
    expect(d).toMatchObject({
      kind: 'alert',
      failingGroups: ['a', 'b', 'c'],
      ungroupedFailed: 0,
      coveredBy: [],
    });
  });

  it('alerts on its own for failures outside any group, beside a group that covers its own', () => {
    // Prepare
    const all = [...launches(30, 'failed', 'storm'), ...launches(25, 'failed', undefined, 30)];
    // Act
    const d = decideAmi(all, new Set(['storm']), 0.5);
    // Assess
    expect(d).toMatchObject({ kind: 'alert', coveredBy: ['storm'], ungroupedFailed: 25 });
    if (d.kind === 'alert') expect(d.uncovered.failed).toBe(25);
  });

  it('counts neutral launches out, as the count rule does', () => {
    const all = [...launches(3, 'failed'), ...launches(50, 'neutral', undefined, 3)];
    expect(decideAmi(all, new Set(), 0.5).kind).toBe('alert');
  });
});

describe('confirmGroupLaunches', () => {
  const judged = (fates: Fate[]): JudgedLaunch[] =>
    fates.map((fate, i) => ({
      instanceId: `i-${i}`,
      launchedAt: i,
      fate,
      reason: fate === 'failed' ? 'health-replaced' : 'in-service',
    }));

  it.each<[string, Fate[], number, boolean, string]>([
    ['its launches fail', ['failed', 'failed', 'failed'], 0, true, '3 of its 3 decided launches failed'],
    [
      'its launches are useful',
      ['useful', 'useful', 'useful'],
      4,
      false,
      '0 of its 3 decided launches failed (2 needed)',
    ],
    [
      'one launch is decided',
      ['failed', 'undecided'],
      4,
      false,
      'only 1 of its launches decided (1 undecided)',
    ],
    [
      'a streak of failures ends a useful run',
      ['useful', 'useful', 'useful', 'useful', 'useful', 'useful', 'failed', 'failed'],
      2,
      true,
      'its last 2 decided launches failed',
    ],
  ])('confirms a group when %s: %s', (_name, fates, streak, confirms, why) => {
    // Act
    const found = confirmGroupLaunches(judged(fates), 0.5, streak);
    // Assess
    expect(found.confirms).toBe(confirms);
    expect(found.why).toContain(why);
  });
});
