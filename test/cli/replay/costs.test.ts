import { join } from 'node:path';
import { DescribeSpotPriceHistoryCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { tripCosts } from '../../../cli/replay/costs';
import { replayLaunches } from '../../../cli/replay/engine';
import { readAll } from '../../../cli/replay/main';
import { PriceCache } from '../../../lambda/steps/loop-cost';
import { launchSeries, MIN, replay, T0, tempDir, terminate, trips, writeLines, writeLog } from './support';

/** p2.xlarge, the type of the Auto Scaling RunInstances fixture, in us-west-2 (USD per hour). */
const PRICES = {
  currency: 'USD',
  day: '2025-03-01',
  prices: { 'on-demand|us-west-2|p2.xlarge|RunInstances|default': 0.9 },
};

describe('replay --prices', () => {
  it('adds each trip’s estimated cost and the total the guard would have stopped, recomputed by hand', async () => {
    // Prepare: 10 launches a minute apart; the 10th trips the group at T0 + 9 min.
    const dir = tempDir();
    const log = writeLog(join(dir, 'log.json'), launchSeries(10, T0));
    const prices = writeLines(join(dir, 'prices.json'), [PRICES]);
    // Act
    const json = await replay(['--format', 'json', '--prices', prices, log]);
    const text = await replay(['--prices', prices, log]);
    // Assess: running 540, 480, …, 60, 0 s; the last two billed 60 s each: 2,760 s × 0.9 / 3600 = $0.69;
    // per day at the rate: 0.69 / (9 min) × 24 h = $110.40.
    expect(json.code).toBe(0);
    expect(trips(json)).toHaveLength(1);
    expect(trips(json)[0]).toMatchObject({ estimatedCostUsd: 0.69, costPerDayAtRateUsd: 110.4 });
    expect(json.stderr).toContain('Total the guard would have stopped: $110.40 per day (0 trips unknown)');
    expect(text.stdout).toContain('$0.69 spent by 10 of 10 launches; $110.40/day at its rate');
    expect(text.stdout).toContain(
      'Total the guard would have stopped: $110.40 per day of the 1 priced loops',
    );
  });

  it('stops billing an instance at its termination in the archive', async () => {
    const dir = tempDir();
    const records = [
      ...launchSeries(9, T0),
      terminate({ eventId: 'z-1', time: T0 + 2 * MIN }, ['i-00000000000000000']),
    ];
    records.push(...launchSeries(1, T0 + 9 * MIN, 9));
    const log = writeLog(join(dir, 'log.json'), records);
    const prices = writeLines(join(dir, 'prices.json'), [PRICES]);
    const out = await replay(['--format', 'json', '--prices', prices, log]);
    // i-…0 ran 120 s instead of 540 s: 2,340 s × 0.9 / 3600 = $0.585 → $0.59 (cents rounded half up).
    expect(trips(out)[0]).toMatchObject({ estimatedCostUsd: 0.59 });
  });

  it('reads the price file the guard’s cache writes', async () => {
    // Prepare: the live path's cache, as it logs it
    const cache = new PriceCache();
    await cache.get('on-demand|us-west-2|p2.xlarge|RunInstances|default', T0, async () => 0.9);
    const dir = tempDir();
    const log = writeLog(join(dir, 'log.json'), launchSeries(10, T0));
    const prices = writeLines(join(dir, 'prices.json'), [cache.toFile()]);
    // Act
    const out = await replay(['--format', 'json', '--prices', prices, log]);
    // Assess
    expect(trips(out)[0]).toMatchObject({ estimatedCostUsd: 0.69 });
  });

  it('leaves the JSON contract as it was without a price source', async () => {
    const dir = tempDir();
    const log = writeLog(join(dir, 'log.json'), launchSeries(10, T0));
    const out = await replay(['--format', 'json', log]);
    expect(Object.keys(trips(out)[0]!)).not.toContain('estimatedCostUsd');
  });

  it('says "unknown" for a trip whose prices the file lacks', async () => {
    const dir = tempDir();
    const log = writeLog(join(dir, 'log.json'), launchSeries(10, T0));
    const prices = writeLines(join(dir, 'prices.json'), [{ currency: 'USD', day: '2025-03-01', prices: {} }]);
    const out = await replay(['--prices', prices, log]);
    expect(out.stdout).toContain('unknown (no price for its instances)');
    expect(out.stdout).toContain('(1 unknown)');
  });

  it.each([
    [['--prices', 'x.json', '--online'], '--prices and --online: give one'],
    [['--prices', '/nonexistent/prices.json'], '--prices /nonexistent/prices.json: cannot read it as JSON'],
  ])('refuses %j with a clear message', async (flags, message) => {
    const dir = tempDir();
    const log = writeLog(join(dir, 'log.json'), launchSeries(10, T0));
    const out = await replay([...flags, log]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain(message);
  });

  it('refuses a price file that is not the guard’s shape', async () => {
    const dir = tempDir();
    const log = writeLog(join(dir, 'log.json'), launchSeries(10, T0));
    const prices = writeLines(join(dir, 'prices.json'), [{ prices: { k: 'cheap' } }]);
    const out = await replay(['--prices', prices, log]);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('the price of k must be a number of USD per hour');
  });
});

describe('replay --online', () => {
  it('asks the Price List once for the trip’s one type and Region', async () => {
    // Prepare
    const pricing = mockClient(PricingClient);
    const ec2 = mockClient(EC2Client);
    pricing.on(GetProductsCommand).resolves({
      PriceList: [
        JSON.stringify({
          product: { attributes: { instanceType: 'p2.xlarge' } },
          terms: {
            OnDemand: {
              t: { priceDimensions: { d: { unit: 'Hrs', pricePerUnit: { USD: '0.9000000000' } } } },
            },
          },
        }),
      ],
    });
    ec2.on(DescribeSpotPriceHistoryCommand).resolves({});
    const dir = tempDir();
    const { store } = await readAll([
      { kind: 'file', path: writeLog(join(dir, 'log.json'), launchSeries(10, T0)) },
    ]);
    const result = replayLaunches(
      store,
      { asgThreshold: 10, amiThreshold: 50, windowMs: 3_600_000 },
      { keepWindows: true },
    );
    const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };
    // Act
    const costs = await tripCosts(result, store, {
      online: {
        pricing: (region) => new PricingClient({ region, credentials }),
        ec2: (region) => new EC2Client({ region, credentials }),
      },
      now: T0,
    });
    // Assess
    expect(pricing).toHaveReceivedCommandTimes(GetProductsCommand, 1);
    expect(costs.costs[0]!.spentUsd).toBeCloseTo(0.69, 10);
    pricing.restore();
    ec2.restore();
  });
});
