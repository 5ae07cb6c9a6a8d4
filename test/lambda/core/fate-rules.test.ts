import { describe, expect, it } from 'vitest';
import { inWindowOf, judgeKept, ruleMet } from '../../../lambda/core/fate';

const T0 = 1_768_204_800_000;
const MIN = 60_000;
const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;

/** `n` launches from `start`, one a second, with the kept fate `fate` (undefined: none kept). */
function batch(from: number, n: number, start: number, fate?: string) {
  const launches = Array.from({ length: n }, (_, i) => ({
    instanceId: id(from + i),
    launchedAt: start + i * 1000,
  }));
  const decided = new Map(fate === undefined ? [] : launches.map((l) => [l.instanceId, fate] as const));
  return { launches, decided };
}

const policy = { threshold: 10, windowMs: 60 * MIN, streak: 4, share: 0.5 };

describe('the rules over kept fates', () => {
  it('trips on a batch of 50 decided failed launches followed by 50 undecided ones (larger than any cap)', () => {
    // Prepare: the first batch was decided at its deadline; the second still boots
    const first = batch(0, 50, T0, 'failed:not-registered');
    const second = batch(100, 50, T0 + 5 * MIN);
    const judged = judgeKept([...first.launches, ...second.launches], first.decided);
    // Act, Assess: the count rule confirms (50 failed of 50 decided, 50 undecided ≤ 50 decided)
    expect(ruleMet(judged, policy)).toBe('count');
    // Without the count rule, the last 4 decided launches failed: the streak rule
    expect(ruleMet(judged, { ...policy, share: undefined })).toBe('streak');
  });

  it('trips one step of 100 decided failed launches with nothing after', () => {
    const step = batch(0, 100, T0, 'failed:not-registered');
    expect(ruleMet(judgeKept(step.launches, step.decided), { ...policy, threshold: 200 })).toBe('streak');
  });

  it('leaves a group whose decided launches were useful, however many are undecided', () => {
    const done = batch(0, 10, T0, 'useful:registered');
    const booting = batch(100, 50, T0 + 5 * MIN);
    const judged = judgeKept([...done.launches, ...booting.launches], done.decided);
    expect(ruleMet(judged, policy)).toBeUndefined();
  });

  it('counts a streak only after the end of the last one, and not with the rule off', () => {
    const step = batch(0, 10, T0, 'failed:unhealthy');
    const judged = judgeKept(step.launches, step.decided);
    expect(ruleMet(judged, { ...policy, share: undefined, streakAfter: T0 + 9000 })).toBeUndefined();
    expect(ruleMet(judged, { ...policy, share: undefined, streak: 0 })).toBeUndefined();
    expect(ruleMet([], policy)).toBeUndefined();
  });

  it('judges the count rule on the window that ends at the newest launch', () => {
    const old = batch(0, 5, T0, 'failed:unhealthy');
    const recent = batch(100, 3, T0 + 90 * MIN, 'useful:in-service');
    const judged = judgeKept(
      [...old.launches, ...recent.launches],
      new Map([...old.decided, ...recent.decided]),
    );
    expect(inWindowOf(judged, 60 * MIN).map((j) => j.instanceId)).toEqual(
      recent.launches.map((l) => l.instanceId),
    );
  });
});
