/**
 * The guard against the simulated accounts: every loop suspended once, within its target number
 * of launches and paged exactly once, and no healthy group suspended or called a loop — for the
 * scenarios' own seeds and three more each,
 * so that the outcome does not rest on one delivery order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type SimEnv, startSimEnv } from '../../../bench/sim/harness';
import { SCENARIOS } from '../../../bench/sim/scenarios';

let env: SimEnv;
beforeAll(async () => (env = await startSimEnv()));
afterAll(() => env.close());

describe('the guard on the simulated accounts', () => {
  const cases = SCENARIOS.flatMap((s) => [0, 1, 2, 3].map((k) => [s.name, k] as const));
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
      expect(r.alerts).toBe(1);
      // One page per incident: the one alert is the loop's (issue 24).
      expect(r.loopAlerts).toBe(1);
    } else {
      expect(r.suspensions).toEqual([]);
      // Never called a loop: no loop alert names its groups or their AMIs (issue 24).
      expect(r.loopAlertScopes).toEqual([]);
    }
  });
});
