import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BilledInstance } from '../../../lambda/core/loop-cost';
import type { BillingFacts, OnDemandPrices } from '../../../lambda/ports';
import { estimateLaunchCost, PriceCache, pricesFor, withinBound } from '../../../lambda/steps/loop-cost';

const T0 = Date.parse('2026-12-07T10:00:00Z');
const HOUR = 3_600_000;

function instance(n: number, extra: Partial<BilledInstance> = {}): BilledInstance {
  return {
    instanceId: `i-${n.toString(16).padStart(17, '0')}`,
    region: 'us-east-1',
    instanceType: 'm5.large',
    market: 'on-demand',
    operation: 'RunInstances',
    platform: 'Linux/UNIX',
    zone: 'us-east-1a',
    launchedAt: T0,
    ...extra,
  };
}

function sources(
  instances: BilledInstance[],
  onDemand: OnDemandPrices['onDemandHourly'],
  spot = new Map<string, number>(),
) {
  const facts: BillingFacts = {
    instances: vi.fn(async () => instances),
    spotPrices: vi.fn(async () => spot),
  };
  return { facts, onDemand: { onDemandHourly: vi.fn(onDemand) }, cache: new PriceCache() };
}

describe('pricesFor', () => {
  it('asks once per price key for 500 launches of one type, and once per day', async () => {
    // Prepare
    const many = Array.from({ length: 500 }, (_, i) => instance(i));
    const s = sources(many, async () => 0.096);
    // Act
    const book = await pricesFor(s, many, T0);
    await pricesFor(s, many, T0 + HOUR);
    await pricesFor(s, many, T0 + 24 * HOUR);
    // Assess: the cache holds the day's price; the next UTC day asks again.
    expect(book).toEqual({ 'on-demand|us-east-1|m5.large|RunInstances|default': 0.096 });
    expect(s.onDemand.onDemandHourly).toHaveBeenCalledTimes(2);
  });

  it('makes one Spot call per type and product, and keeps every zone it returned', async () => {
    const spot = [instance(1, { market: 'spot' }), instance(2, { market: 'spot', zone: 'us-east-1b' })];
    const s = sources(
      spot,
      async () => undefined,
      new Map([
        ['us-east-1a', 0.03],
        ['us-east-1b', 0.031],
      ]),
    );
    const book = await pricesFor(s, spot, T0);
    expect(s.facts.spotPrices).toHaveBeenCalledTimes(1);
    expect(book).toEqual({
      'spot|us-east-1a|m5.large|Linux/UNIX': 0.03,
      'spot|us-east-1b|m5.large|Linux/UNIX': 0.031,
    });
    expect(s.cache.toFile().prices).toEqual(book);
  });

  it('does not keep a failed lookup: the next trip asks again', async () => {
    let answer: number | undefined;
    const s = sources([instance(1)], async () => answer);
    expect(await pricesFor(s, [instance(1)], T0)).toEqual({
      'on-demand|us-east-1|m5.large|RunInstances|default': undefined,
    });
    answer = 0.096;
    expect(await pricesFor(s, [instance(1)], T0)).toEqual({
      'on-demand|us-east-1|m5.large|RunInstances|default': 0.096,
    });
    expect(s.onDemand.onDemandHourly).toHaveBeenCalledTimes(2);
  });
});

describe('estimateLaunchCost', () => {
  it('counts launches EC2 no longer shows as unpriced', async () => {
    const s = sources([instance(1)], async () => 0.096);
    const cost = await estimateLaunchCost(
      s,
      'us-east-1',
      [
        { instanceId: instance(1).instanceId, launchedAt: T0 },
        { instanceId: instance(2).instanceId, launchedAt: T0 },
      ],
      T0 + HOUR,
      10,
    );
    expect(cost).toMatchObject({ instances: 2, priced: 1, spentUsd: 0.096, maxSize: 10 });
  });
});

describe('withinBound', () => {
  afterEach(() => vi.useRealTimers());

  it('gives up at the bound on the simulated clock, and passes a quick answer through', async () => {
    vi.useFakeTimers();
    const slow = withinBound(new Promise((resolve) => setTimeout(() => resolve('late'), 5_000)), 2_000);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await slow).toBeUndefined();
    expect(await withinBound(Promise.resolve('quick'), 2_000)).toBe('quick');
    expect(await withinBound(Promise.reject(new Error('x')), 2_000)).toBeUndefined();
    expect(vi.getTimerCount()).toBe(1); // only the abandoned 5 s lookup, never a bound's timer
  });
});
