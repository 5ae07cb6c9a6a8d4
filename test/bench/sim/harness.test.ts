import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGuardDeps } from '../../../bench/sim/guard-deps';
import { runScenario, type SimEnv, startSimEnv } from '../../../bench/sim/harness';
import { SCENARIOS } from '../../../bench/sim/scenarios';
import { MINUTE, SIM_T0 } from '../../../bench/sim/world';

describe('harness', () => {
  let env: SimEnv;

  beforeAll(async () => {
    env = await startSimEnv();
  });

  afterAll(async () => {
    await env.close();
  });

  it('plays every delivery through the real guard, its store on dynalite and its reads on the fake cloud', async () => {
    // Prepare
    const scenario = SCENARIOS.find((s) => s.name === 'loop-crash-at-boot')!;
    const callsBefore = env.cloud.calls.length;

    // Act
    const report = await runScenario(scenario, env, { durationMs: 20 * MINUTE });

    // Assess: the mechanics only; how well the guard scores is the bench's business.
    expect(report.loop).toBe(true);
    expect(report.deliveries).toBeGreaterThan(10);
    expect(report.errors).toBe(0);
    expect(report.dynamoPerScopeAll).toBeGreaterThanOrEqual(1);
    expect(report.firstFailedAt).toBeGreaterThanOrEqual(SIM_T0);
    expect(report.launches).toBeGreaterThan(0);
    const calls = env.cloud.calls.slice(callsBefore);
    expect(calls.some((c) => c.action === 'DescribeAutoScalingGroups' && c.group === 'worker-crash')).toBe(
      true,
    );
    expect(calls.every((c) => c.at >= SIM_T0 && c.at <= SIM_T0 + 20 * MINUTE)).toBe(true);
  });

  it('runs a call the deps deferred at its simulated time, after the world advanced to it', async () => {
    // Prepare
    const scenario = SCENARIOS.find((s) => s.name === 'healthy-scale-out-40')!;
    const seen: { now: number; instances: number }[] = [];
    const at = SIM_T0 + 35 * MINUTE;

    // Act
    await runScenario(scenario, env, {
      durationMs: 40 * MINUTE,
      buildDeps: (config, wiring) => {
        wiring.defer(at, async (now) => {
          seen.push({ now, instances: env.cloud.world.groupInstances(env.cloud.world.group('api')).length });
        });
        return buildGuardDeps(config, wiring);
      },
    });

    // Assess
    expect(seen).toEqual([{ now: at, instances: 45 }]);
  });
});
