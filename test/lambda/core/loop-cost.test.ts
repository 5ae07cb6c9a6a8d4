import { describe, expect, it } from 'vitest';
import {
  type BilledInstance,
  billedSeconds,
  billingUnitOf,
  costText,
  estimateLoopCost,
  priceKey,
  spotProductOf,
  usd,
} from '../../../lambda/core/loop-cost';

const T0 = Date.parse('2026-12-07T10:00:00Z');
const MIN = 60_000;

/** us-east-1 on-demand prices from the Price List documents in test/fixtures/pricing. */
const LINUX_M5_LARGE = 0.096;
const WINDOWS_M5_XLARGE = 0.376;
/** The Spot price of the DescribeSpotPriceHistory example in test/fixtures/pricing. */
const SPOT_M1_XLARGE = 0.08;

function linux(id: string, launchedMin: number, endedMin?: number): BilledInstance {
  return {
    instanceId: id,
    region: 'us-east-1',
    instanceType: 'm5.large',
    market: 'on-demand',
    operation: 'RunInstances',
    platform: 'Linux/UNIX',
    launchedAt: T0 + launchedMin * MIN,
    ...(endedMin !== undefined ? { endedAt: T0 + endedMin * MIN } : {}),
  };
}

describe('billing units', () => {
  it.each([
    ['Linux/UNIX', 'per-second'],
    ['Windows', 'per-second'],
    ['Windows with SQL Server Standard', 'per-second'],
    ['Red Hat Enterprise Linux', 'per-second'],
    ['Ubuntu Pro', 'per-second'],
    ['SUSE Linux', 'hourly'],
    ['Some Marketplace OS', 'hourly'],
  ] as const)('bills %s %s', (platform, unit) => {
    expect(billingUnitOf(platform)).toBe(unit);
  });

  it.each([
    [0, 'per-second', 60],
    [30, 'per-second', 60],
    [60, 'per-second', 60],
    [61.2, 'per-second', 62],
    [10, 'hourly', 3600],
    [3601, 'hourly', 7200],
  ] as const)('bills %s s of running as %s: %s s', (running, unit, billed) => {
    expect(billedSeconds(running, unit)).toBe(billed);
  });

  it('lists Spot prices under the platform’s product description', () => {
    expect(spotProductOf('Linux/UNIX')).toBe('Linux/UNIX');
    expect(spotProductOf('Windows BYOL')).toBe('Windows');
    expect(spotProductOf('Red Hat Enterprise Linux with HA')).toBe('Red Hat Enterprise Linux');
    expect(spotProductOf('SUSE Linux')).toBe('SUSE Linux');
  });
});

describe('estimateLoopCost', () => {
  it('recomputes a Linux on-demand loop by hand, to the cent', () => {
    // Prepare: three m5.large at $0.096/h. i-1 runs 45 min (2,700 s), i-2 ran 30 s (billed 60 s),
    // i-3 runs 5 min (300 s). By hand: 0.096 × (2700 + 60 + 300) / 3600 = 0.0816.
    const prices = { [priceKey(linux('x', 0))]: LINUX_M5_LARGE };
    const at = T0 + 45 * MIN;
    // Act
    const cost = estimateLoopCost({
      instances: [linux('i-1', 0), linux('i-2', 10, 10.5), linux('i-3', 40)],
      prices,
      at,
      maxSize: 10,
    });
    // Assess: spent $0.08; per day at rate 0.0816 / 0.75 h × 24 = $2.61; at MaxSize 10 × 0.096 × 24 = $23.04.
    expect(usd(cost.spentUsd!)).toBe('$0.08');
    expect(cost.spentUsd).toBeCloseTo(0.0816, 10);
    expect(usd(cost.perDayAtRateUsd!)).toBe('$2.61');
    expect(usd(cost.perDayAtMaxUsd!)).toBe('$23.04');
    expect(cost.priced).toBe(3);
  });

  it('recomputes a Windows on-demand loop by hand, to the cent', () => {
    // Prepare: two m5.xlarge Windows at $0.376/h: 90 min (5,400 s) and 20 s (billed 60 s).
    // By hand: 0.376 × 5400 / 3600 = 0.564; 0.376 × 60 / 3600 = 0.006267; total 0.570267.
    const win = (id: string, from: number, to?: number): BilledInstance => ({
      ...linux(id, from, to),
      instanceType: 'm5.xlarge',
      operation: 'RunInstances:0002',
      platform: 'Windows',
    });
    const prices = { [priceKey(win('x', 0))]: WINDOWS_M5_XLARGE };
    // Act
    const cost = estimateLoopCost({
      instances: [win('i-1', 0), win('i-2', 5, 5 + 1 / 3)],
      prices,
      at: T0 + 90 * MIN,
      maxSize: 4,
    });
    // Assess: $0.57; per day 0.570267 / 1.5 h × 24 = $9.12; at MaxSize 4 × 0.376 × 24 = $36.10.
    expect(usd(cost.spentUsd!)).toBe('$0.57');
    expect(usd(cost.perDayAtRateUsd!)).toBe('$9.12');
    expect(usd(cost.perDayAtMaxUsd!)).toBe('$36.10');
  });

  it('recomputes a Spot loop by hand, to the cent, with the zone’s price', () => {
    // Prepare: two m1.xlarge Spot in us-west-1a at $0.08/h, 30 min each: 2 × 0.08 × 0.5 = 0.08.
    const spot = (id: string): BilledInstance => ({
      instanceId: id,
      region: 'us-west-1',
      zone: 'us-west-1a',
      instanceType: 'm1.xlarge',
      market: 'spot',
      platform: 'Linux/UNIX',
      launchedAt: T0,
    });
    const prices = { 'spot|us-west-1a|m1.xlarge|Linux/UNIX': SPOT_M1_XLARGE };
    // Act
    const cost = estimateLoopCost({ instances: [spot('i-1'), spot('i-2')], prices, at: T0 + 30 * MIN });
    // Assess: spent $0.08; per day 0.08 / 0.5 h × 24 = $3.84; no MaxSize, no "at MaxSize" figure.
    expect(usd(cost.spentUsd!)).toBe('$0.08');
    expect(usd(cost.perDayAtRateUsd!)).toBe('$3.84');
    expect(cost.perDayAtMaxUsd).toBeUndefined();
    expect(cost.markets).toEqual(['spot']);
  });

  it('bills SUSE by the whole hour', () => {
    const suse: BilledInstance = {
      ...linux('i-1', 0),
      operation: 'RunInstances:000g',
      platform: 'SUSE Linux',
    };
    const cost = estimateLoopCost({
      instances: [suse],
      prices: { [priceKey(suse)]: 0.5 },
      at: T0 + 10 * MIN,
    });
    expect(cost.spentUsd).toBe(0.5);
  });

  it('is unknown without any price, and a lower bound when some are missing', () => {
    const none = estimateLoopCost({ instances: [linux('i-1', 0)], prices: {}, at: T0 + MIN });
    expect(none.spentUsd).toBeUndefined();
    expect(costText(none)).toMatch(/^unknown/);
    const other = { ...linux('i-2', 0), instanceType: 'c5.large' };
    const some = estimateLoopCost({
      instances: [linux('i-1', 0), other],
      prices: { [priceKey(linux('i-1', 0))]: LINUX_M5_LARGE },
      at: T0 + 60 * MIN,
    });
    expect(some.priced).toBe(1);
    expect(costText(some)).toMatch(/^at least \$0\.10 spent so far by 1 of 2 launches/);
  });

  it('says the estimate in one line', () => {
    const cost = estimateLoopCost({
      instances: [linux('i-1', 0), linux('i-2', 0)],
      prices: { [priceKey(linux('i-1', 0))]: LINUX_M5_LARGE },
      at: T0 + 60 * MIN,
      maxSize: 100,
    });
    expect(costText(cost)).toBe(
      'about $0.19 spent so far by 2 launches (m5.large; on-demand); $4.61/day if it keeps launching at this rate; $230.40/day if it reaches MaxSize 100 and keeps them',
    );
  });

  it('bills the 60-second minimum to an instance launched at the estimate', () => {
    const cost = estimateLoopCost({
      instances: [linux('i-1', 0)],
      prices: { [priceKey(linux('i-1', 0))]: LINUX_M5_LARGE },
      at: T0,
    });
    expect(cost.spentUsd).toBeCloseTo((LINUX_M5_LARGE * 60) / 3600, 10);
  });
});
