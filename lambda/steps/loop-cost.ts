/**
 * The loop's cost for a trip alert, `status` and `replay --online`: read what the window's
 * launches are billed as, get one price per price key (cached per container and per UTC day),
 * and estimate with `core/loop-cost.ts`.
 *
 * Never in the way: {@link withinBound} gives up after {@link COST_WAIT_MS} and the alert says
 * "unknown"; the lookups go on in the background and fill the cache for the next trip. A failed
 * lookup is not cached, so the next trip asks again.
 */
import {
  type BilledInstance,
  estimateLoopCost,
  type LoopCost,
  type PriceBook,
  priceKey,
  spotProductOf,
} from '../core/loop-cost';
import type { LaunchToBill, LoopCostSources } from '../ports';

/** The longest the trip path waits for the estimate (ms). The suspension never waits for it. */
export const COST_WAIT_MS = 2_000;

/**
 * The price file `replay --prices` reads and `PriceCache.toFile` writes: USD per hour by
 * {@link priceKey} (`on-demand|<region>|<type>|<operation>|<tenancy>`, `spot|<zone>|<type>|<product>`).
 */
export interface PriceFile {
  readonly currency: 'USD';
  /** The UTC day the prices were read (`YYYY-MM-DD`). */
  readonly day: string;
  readonly prices: Readonly<Record<string, number>>;
}

/** The UTC day of an epoch-ms time. */
export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

/** Prices kept per container and per UTC day: a price read yesterday is read again today. */
export class PriceCache {
  private day = '';
  private readonly prices = new Map<string, number>();
  private readonly pending = new Map<string, Promise<number | undefined>>();

  /**
   * The price under `key`, from the cache, from a lookup already under way, or from `lookup`
   * (called at most once per key at a time; a failure is not kept).
   */
  get(key: string, at: number, lookup: () => Promise<number | undefined>): Promise<number | undefined> {
    this.roll(at);
    const known = this.prices.get(key);
    if (known !== undefined) return Promise.resolve(known);
    const running = this.pending.get(key);
    if (running !== undefined) return running;
    const day = this.day;
    const p = lookup().then(
      (price) => {
        this.pending.delete(key);
        if (price !== undefined && this.day === day) this.prices.set(key, price);
        return price;
      },
      () => {
        this.pending.delete(key);
        return undefined;
      },
    );
    this.pending.set(key, p);
    return p;
  }

  /** Keep a price (a price file's, or a Spot call's other zones). */
  put(key: string, at: number, price: number): void {
    this.roll(at);
    this.prices.set(key, price);
  }

  /** The day's prices, in the price-file shape. */
  toFile(): PriceFile {
    return { currency: 'USD', day: this.day, prices: Object.fromEntries([...this.prices].sort()) };
  }

  private roll(at: number): void {
    const day = utcDay(at);
    if (day === this.day) return;
    this.day = day;
    this.prices.clear();
    this.pending.clear();
  }
}

export type { LoopCostSources } from '../ports';

/**
 * The prices of these instances: one lookup per On-Demand price key, one Spot call per (Region,
 * instance type, product) that answers for every zone.
 */
export async function pricesFor(
  sources: LoopCostSources,
  instances: readonly BilledInstance[],
  at: number,
): Promise<PriceBook> {
  const book: Record<string, number | undefined> = {};
  const wanted = new Map<string, BilledInstance>();
  for (const inst of instances) if (!wanted.has(priceKey(inst))) wanted.set(priceKey(inst), inst);
  const spotCalls = new Map<string, Promise<ReadonlyMap<string, number>>>();
  await Promise.all(
    [...wanted].map(async ([key, inst]) => {
      if (inst.market === 'on-demand') {
        book[key] = await sources.cache.get(key, at, () => sources.onDemand.onDemandHourly(inst));
        return;
      }
      const product = spotProductOf(inst.platform);
      book[key] = await sources.cache.get(key, at, async () => {
        const callKey = `${inst.region}|${inst.instanceType}|${product}`;
        let call = spotCalls.get(callKey);
        if (call === undefined) {
          call = sources.facts.spotPrices(inst.region, inst.instanceType, product, at);
          spotCalls.set(callKey, call);
        }
        const zones = await call;
        for (const [zone, price] of zones) sources.cache.put(priceKey({ ...inst, zone }), at, price);
        return inst.zone !== undefined ? zones.get(inst.zone) : undefined;
      });
    }),
  );
  return book;
}

/** Estimate the cost of these launches (read from EC2, priced, computed). Never rejects. */
export async function estimateLaunchCost(
  sources: LoopCostSources,
  region: string,
  launches: readonly LaunchToBill[],
  at: number,
  maxSize?: number,
): Promise<LoopCost> {
  const instances = await sources.facts.instances(region, launches);
  const prices = await pricesFor(sources, instances, at);
  const cost = estimateLoopCost({ instances, prices, at, ...(maxSize !== undefined ? { maxSize } : {}) });
  // Launches EC2 no longer shows count as unpriced: the estimate is then "at least".
  return { ...cost, instances: Math.max(cost.instances, launches.length) };
}

/** An estimate that could not be had in time: the alert says "unknown". */
export function unknownCost(launches: number, at: number, maxSize?: number): LoopCost {
  return {
    instances: launches,
    priced: 0,
    markets: [],
    instanceTypes: [],
    at,
    ...(maxSize !== undefined ? { maxSize } : {}),
  };
}

/**
 * The promise's value, or `undefined` once `ms` have passed (the promise runs on; its rejection
 * is swallowed). The timer is cleared when the promise wins, so nothing lingers.
 */
export function withinBound<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  const settled = promise.then(
    (v) => v,
    () => undefined,
  );
  return Promise.race([settled, late]).finally(() => clearTimeout(timer));
}
