/**
 * `replay --prices FILE` and `replay --online`: the estimated cost of each historical trip, and
 * the total the guard would have stopped.
 *
 * A trip's cost is the compute its window's launches had spent when it tripped: each launch from
 * its launch to its termination in the archive (or to the trip), billed as `core/loop-cost.ts`
 * says, at the price of its type, Region and platform as its RunInstances record shows them
 * (Auto Scaling events and CreateFleet records carry no instance type: those launches are left
 * unpriced). The total the guard would have stopped is the sum, over the trips, of what each loop
 * costs per day at its observed rate: what one more day of each would have cost.
 *
 * Prices: a price file (USD per hour by price key, the shape the live guard caches, see
 * {@link PriceFile}), or the Price List API now (`--online`: today's On-Demand prices; Spot prices
 * are today's too, not those of the trip's day).
 */
import { readFileSync } from 'node:fs';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { PricingClient } from '@aws-sdk/client-pricing';
import { Ec2BillingFacts } from '../../lambda/adapters/ec2-billing';
import { PriceListOnDemand } from '../../lambda/adapters/price-list';
import {
  type BilledInstance,
  COST_NOT_COUNTED,
  cents,
  estimateLoopCost,
  type LoopCost,
  type PriceBook,
  usd,
} from '../../lambda/core/loop-cost';
import { PriceCache, type PriceFile, pricesFor } from '../../lambda/steps/loop-cost';
import { UsageError } from './args';
import type { ReplayResult, Trip } from './engine';
import type { LaunchStore } from './launch-store';

/** What the trips cost, in trip order, and the total the guard would have stopped (USD per day). */
export interface TripCosts {
  readonly costs: readonly LoopCost[];
  readonly stoppedPerDayUsd: number;
  /** Trips with no price at all. */
  readonly unknown: number;
}

/** The clients `--online` reads prices with. */
export interface PriceClients {
  readonly pricing: (region: string) => PricingClient;
  readonly ec2: (region: string) => EC2Client;
}

/**
 * Read a price file. Accepts the guard's cache shape (`{ "currency": "USD", "day": ..., "prices":
 * { key: number } }`).
 *
 * @throws UsageError naming the file and what is wrong with it
 */
export function readPriceFile(path: string): PriceBook {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--prices ${path}: cannot read it as JSON (${(error as Error).message})`);
  }
  const file = data as Partial<PriceFile> | null;
  if (file === null || typeof file !== 'object' || typeof file.prices !== 'object' || file.prices === null)
    throw new UsageError(`--prices ${path}: expected {"currency":"USD","day":"YYYY-MM-DD","prices":{...}}`);
  if (file.currency !== undefined && file.currency !== 'USD')
    throw new UsageError(`--prices ${path}: prices must be in USD, not ${String(file.currency)}`);
  for (const [key, value] of Object.entries(file.prices)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw new UsageError(`--prices ${path}: the price of ${key} must be a number of USD per hour`);
  }
  return file.prices as PriceBook;
}

/** The billed instances of a trip's window, from the archive. */
export function tripInstances(trip: Trip, store: LaunchStore): BilledInstance[] {
  const out: BilledInstance[] = [];
  for (const launch of trip.window ?? []) {
    const billing = store.billing.get(launch.instanceId);
    if (billing === undefined) continue;
    const ended = store.terminations.get(launch.instanceId);
    out.push({
      ...billing,
      region: trip.scope.region,
      launchedAt: launch.launchedAt,
      ...(ended !== undefined && ended <= trip.at ? { endedAt: ended } : {}),
    });
  }
  return out;
}

/** Estimate every trip's cost with these prices (a file's, or the Price List's now). */
export async function tripCosts(
  result: ReplayResult,
  store: LaunchStore,
  prices: { readonly file: PriceBook } | { readonly online: PriceClients; readonly now: number },
): Promise<TripCosts> {
  const sources =
    'online' in prices
      ? {
          facts: new Ec2BillingFacts(prices.online.ec2),
          onDemand: new PriceListOnDemand(prices.online.pricing),
          cache: new PriceCache(),
        }
      : undefined;
  const costs: LoopCost[] = [];
  let stopped = 0;
  let unknown = 0;
  for (const trip of result.trips) {
    const instances = tripInstances(trip, store);
    const book =
      'file' in prices
        ? prices.file
        : await pricesFor(sources!, instances, 'now' in prices ? prices.now : trip.at);
    const cost = estimateLoopCost({ instances, prices: book, at: trip.at });
    const withAll = { ...cost, instances: Math.max(cost.instances, trip.window?.length ?? 0) };
    costs.push(withAll);
    if (withAll.perDayAtRateUsd === undefined) unknown += 1;
    else stopped += withAll.perDayAtRateUsd;
  }
  return { costs, stoppedPerDayUsd: stopped, unknown };
}

/** The JSON fields a priced trip gains (`null` when unknown). */
export function costFields(cost: LoopCost | undefined): Record<string, number | null> {
  return {
    estimatedCostUsd: cost?.spentUsd === undefined ? null : cents(cost.spentUsd),
    costPerDayAtRateUsd: cost?.perDayAtRateUsd === undefined ? null : cents(cost.perDayAtRateUsd),
  };
}

/** The text report's cost section. */
export function formatCosts(result: ReplayResult, costs: TripCosts): string {
  const lines = ['', `Estimated cost of each trip (${COST_NOT_COUNTED})`];
  result.trips.forEach((trip, i) => {
    const cost = costs.costs[i];
    const spent = cost?.spentUsd;
    lines.push(
      `  ${new Date(trip.at).toISOString()}  ${trip.scope.scope} ${trip.scope.key}  ${
        spent === undefined
          ? 'unknown (no price for its instances)'
          : `${cost!.priced < cost!.instances ? 'at least ' : ''}${usd(spent)} spent by ${cost!.priced} of ${cost!.instances} launches; ${usd(cost!.perDayAtRateUsd ?? 0)}/day at its rate`
      }`,
    );
  });
  lines.push(
    `Total the guard would have stopped: ${usd(costs.stoppedPerDayUsd)} per day of the ${result.trips.length - costs.unknown} priced loops${
      costs.unknown > 0 ? ` (${costs.unknown} unknown)` : ''
    }`,
  );
  return `${lines.join('\n')}\n`;
}
