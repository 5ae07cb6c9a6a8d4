/**
 * The guard against the simulated accounts: every loop suspended once, within its target number
 * of launches, and no healthy group suspended — for the scenarios' own seeds and two more each,
 * so that the outcome does not rest on one delivery order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type SimEnv, startSimEnv } from '../../../bench/sim/harness';
import { SCENARIOS } from '../../../bench/sim/scenarios';

let env: SimEnv;
beforeAll(async () => {
  env = await startSimEnv();
});
afterAll(async () => {
  await env.close();
});

describe('the guard on the simulated accounts', () => {
  const cases = SCENARIOS.flatMap((s) => [0, 1, 2].map((k) => [s.name, k] as const));
  it.each(cases)('%s (seed variant %d)', async (name, k) => {
    // Prepare
    const scenario = SCENARIOS.find((s) => s.name === name)!;
    // Act
    const r = await runScenario(
      { ...scenario, seed: k === 0 ? scenario.seed : scenario.seed * 7919 + k },
      env,
      {},
    );
    // Assess
    expect(r.deadLetters).toBe(0);
    if (r.loop) {
      expect(r.suspensions).toHaveLength(1);
      expect(r.launchesSinceFirstFailure).toBeLessThanOrEqual(r.withinLaunches!);
      // One alert names the loop's group. A loop of 50 launches or more of one AMI also raises
      // the AMI scope's own count alert, and nothing else (issue 24 folds it into the group's page).
      const named = r.published.filter((p) => scenario.loopGroups.some((g) => p.subject?.includes(g)));
      expect(named).toHaveLength(1);
      const others = r.published.filter((p) => !named.includes(p));
      expect(others.length).toBeLessThanOrEqual(r.launches >= 50 ? 1 : 0);
      for (const o of others) expect(o.subject).toMatch(/^Launch loop on AMI ami-/);
    } else {
      expect(r.suspensions).toEqual([]);
    }
  });
});
