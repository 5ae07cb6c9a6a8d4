/**
 * Issue 18's targets on the simulator: a managed-scaling step larger than the count's cap is
 * stopped within two batches at any threshold, AWS's default step (one step to MaxSize, nothing
 * after) is suspended and alerted within minutes of its deadline by the delayed check, the
 * incident's step-10 form with history within its first batch, and a 200-launch storm once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type SimEnv, startSimEnv } from '../../../bench/sim/harness';
import { SCENARIOS } from '../../../bench/sim/scenarios';
import { MINUTE } from '../../../bench/sim/world';

let env: SimEnv;
beforeAll(async () => (env = await startSimEnv()));
afterAll(() => env.close());

function scenario(name: string) {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`no scenario ${name}`);
  return s;
}

/** Play a scenario with the group threshold set to `threshold`. */
function atThreshold(name: string, threshold: number) {
  return runScenario(scenario(name), env, { env: { LLG_ASG_THRESHOLD: String(threshold) } });
}

describe('the incident fast forms', () => {
  it.each([5, 10, 30])(
    'stops a step of 50 (batches above the cap of threshold + 8) before its third batch at threshold %d',
    async (threshold) => {
      // Act
      const r = await atThreshold('loop-ecs-step-50', threshold);
      // Assess
      expect(r.suspensions).toHaveLength(1);
      expect(r.launchesBeforeSuspension).toBeLessThanOrEqual(100);
      expect(r.deadLetters).toBe(0);
    },
  );

  it.each([10, 40])(
    "suspends and alerts AWS's default step (100 at once, nothing after) at threshold %d, naming the useless instances",
    async (threshold) => {
      // Act
      const r = await atThreshold('loop-ecs-step-default', threshold);
      // Assess: the delayed check trips it, with no later launch to wait for
      expect(r.suspensions).toHaveLength(1);
      expect(r.launchesBeforeSuspension).toBe(100);
      const alert = r.published.find((p) => p.subject?.includes('cp-step-10000'));
      expect(alert?.subject).toMatch(/^Launch loop: suspended cp-step-10000/);
      expect(alert?.message).toMatch(/Failed launches: (i-[0-9a-f]+, ){19}i-[0-9a-f]+ and \d+ more\./);
      expect(alert?.message).toContain('never registered with ECS cluster step-10000');
      // Within minutes of the launches' deadline (10 minutes after the step)
      expect(alert!.at! - r.firstFailedAt!).toBeLessThanOrEqual(10 * MINUTE + 5 * MINUTE);
    },
  );

  it('stops the step-10 form without history before its third batch', async () => {
    const r = await runScenario(scenario('loop-ecs-step-10'), env);
    expect(r.suspensions).toHaveLength(1);
    expect(r.launchesBeforeSuspension).toBeLessThanOrEqual(20);
  });

  it('stops the step-10 form within its first failed batch when the group has history', async () => {
    const r = await runScenario(scenario('loop-ecs-step-10-with-history'), env);
    expect(r.suspensions).toHaveLength(1);
    expect(r.launchesSinceFirstFailure).toBeLessThanOrEqual(10);
  });

  it('suspends a 200-launch replacement storm once, naming its failed launches', async () => {
    const r = await runScenario(scenario('loop-replacement-storm-200'), env);
    expect(r.suspensions).toHaveLength(1);
    const alerts = r.published.filter((p) => p.subject?.includes('storm'));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.message).toMatch(/Failed launches: i-[0-9a-f]+/);
    expect(alerts[0]?.message).toContain('replaced after failing a health check');
  });
});
