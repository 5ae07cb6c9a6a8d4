import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGuardDeps } from '../../../bench/sim/guard-deps';
import { loopAlertsNaming, runScenario, type SimEnv, startSimEnv } from '../../../bench/sim/harness';
import { SCENARIOS } from '../../../bench/sim/scenarios';
import { MINUTE, SIM_T0 } from '../../../bench/sim/world';

describe('harness', () => {
  let env: SimEnv;
  beforeAll(async () => (env = await startSimEnv()));
  afterAll(() => env.close());

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

describe('loopAlertsNaming', () => {
  it("counts the loop alerts that name the scenario's groups or AMIs, and no other alert", () => {
    // Prepare
    const body = (scope: string) =>
      `Launch loop ...\n\nWHAT TRIPPED\n  Scope:         ${scope}\n  Account:       1`;
    const published = [
      { subject: 'Launch loop: suspended web (12 in 1h) us-east-1', message: body('Auto Scaling group web') },
      {
        subject: 'Launch loop on AMI ami-0d136904eaba14b45 (54 in 1h) us-east-1',
        message: body('AMI ami-0d136904eaba14b45'),
      },
      {
        subject: 'Launch loop: suspended other (12 in 1h) us-east-1',
        message: body('Auto Scaling group other'),
      },
      { subject: 'Likely unintended AMI change: web us-east-1', message: body('Auto Scaling group web') },
      { message: 'no subject' },
    ];
    // Act
    const named = loopAlertsNaming(published, new Set(['web']), new Set(['ami-0d136904eaba14b45']));
    // Assess
    expect(named).toEqual(['asg web', 'ami ami-0d136904eaba14b45']);
  });
});
