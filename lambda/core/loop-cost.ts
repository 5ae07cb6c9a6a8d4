/**
 * What a launch loop costs: the compute money the window's launches already spent, and what the
 * loop costs per day if it goes on. Pure: the instances' facts and the prices arrive as values.
 *
 * Billing, as AWS documents it (https://repost.aws/knowledge-center/ec2-instance-hour-billing):
 * Linux, Windows (with or without SQL Server), Red Hat Enterprise Linux, Ubuntu and Ubuntu Pro
 * are billed per second with a 60-second minimum each time an instance enters the running state;
 * SUSE, and anything else with its own hourly charge, by the hour, each partial hour a full one.
 * On-Demand and Spot bill the same way; only the hourly price differs. Prices are USD per hour.
 *
 * Not counted: EBS volumes, data transfer, public IPv4 addresses, licences sold outside EC2's
 * price (BYOL, Marketplace), Savings Plans and Reserved Instance discounts, and credits.
 */

/** How an instance's running time turns into billed time. */
export type BillingUnit = 'per-second' | 'hourly';

/** The purchase option an instance runs under. */
export type Market = 'on-demand' | 'spot';

/** What is not counted, in one short line (shared by every format). */
export const COST_NOT_COUNTED =
  'Compute only: EBS, data transfer, IPv4 addresses, licences outside EC2 prices and discounts are not counted.';

/** One second-billed launch is billed for at least this long. */
export const MIN_BILLED_SECONDS = 60;
/** One hour-billed launch is billed in whole hours. */
const HOUR_S = 3600;
const DAY_H = 24;

/**
 * The billing unit of an instance from its EC2 `PlatformDetails` (e.g. `Linux/UNIX`, `Windows`,
 * `Red Hat Enterprise Linux`, `SUSE Linux`, `Ubuntu Pro`). An unknown platform is billed by the
 * hour: the estimate then errs high, never low.
 */
export function billingUnitOf(platformDetails: string | undefined): BillingUnit {
  const p = platformDetails ?? 'Linux/UNIX';
  if (/suse/i.test(p)) return 'hourly';
  if (/linux|unix|windows|red hat|ubuntu/i.test(p)) return 'per-second';
  return 'hourly';
}

/** Seconds billed for one stretch of running time. */
export function billedSeconds(runningSeconds: number, unit: BillingUnit): number {
  const s = Math.max(0, runningSeconds);
  if (unit === 'hourly') return Math.max(1, Math.ceil(s / HOUR_S)) * HOUR_S;
  return Math.max(MIN_BILLED_SECONDS, Math.ceil(s));
}

/** The product description Spot prices are listed under for a platform. */
export function spotProductOf(platformDetails: string | undefined): string {
  const p = platformDetails ?? '';
  if (/windows/i.test(p)) return 'Windows';
  if (/red hat/i.test(p)) return 'Red Hat Enterprise Linux';
  if (/suse/i.test(p)) return 'SUSE Linux';
  return 'Linux/UNIX';
}

/** What an instance's price depends on. */
export interface PriceKeyFacts {
  readonly region: string;
  readonly instanceType: string;
  readonly market: Market;
  /** EC2 `UsageOperation` (`RunInstances`, `RunInstances:0002` for Windows, …): the Price List's `operation`. */
  readonly operation?: string;
  /** `default` (shared), `dedicated` or `host`. */
  readonly tenancy?: string;
  /** Spot: the instance's zone. */
  readonly zone?: string;
  /** EC2 `PlatformDetails`. */
  readonly platform?: string;
}

/**
 * The key a price is kept under (in the live cache and in a `replay --prices` file):
 * `on-demand|<region>|<type>|<operation>|<tenancy>` or `spot|<zone>|<type>|<product>`.
 */
export function priceKey(f: PriceKeyFacts): string {
  if (f.market === 'spot') return `spot|${f.zone ?? f.region}|${f.instanceType}|${spotProductOf(f.platform)}`;
  return `on-demand|${f.region}|${f.instanceType}|${f.operation ?? 'RunInstances'}|${f.tenancy ?? 'default'}`;
}

/** One launched instance, as far as its cost goes. Times are epoch milliseconds. */
export interface BilledInstance extends PriceKeyFacts {
  readonly instanceId: string;
  readonly launchedAt: number;
  /** When it stopped running (terminated or stopped); undefined while it runs. */
  readonly endedAt?: number;
}

/** Prices by {@link priceKey}: USD per hour, or undefined when the price could not be had. */
export type PriceBook = Readonly<Record<string, number | undefined>>;

/** What the loop costs. Every amount is USD; undefined means unknown. */
export interface LoopCost {
  /** Launches the estimate covers (the window's, with facts). */
  readonly instances: number;
  /** Of those, the ones with a price. */
  readonly priced: number;
  /** Compute already spent by the priced launches, until `at`. */
  readonly spentUsd?: number;
  /** Per day if the group keeps launching at the observed rate: what was spent, per day of the span it took. */
  readonly perDayAtRateUsd?: number;
  /** Per day if the group reaches MaxSize and keeps the instances. */
  readonly perDayAtMaxUsd?: number;
  readonly maxSize?: number;
  /** The mean hourly price of the priced launches. */
  readonly hourlyUsd?: number;
  /** Which prices: on-demand, spot, or both. */
  readonly markets: readonly Market[];
  /** The instance types seen, most frequent first. */
  readonly instanceTypes: readonly string[];
  /** When the estimate was made (epoch ms). */
  readonly at: number;
}

/** What {@link estimateLoopCost} needs. */
export interface LoopCostInput {
  readonly instances: readonly BilledInstance[];
  readonly prices: PriceBook;
  /** The estimate's time: running instances are billed until then. */
  readonly at: number;
  /** The group's MaxSize, for the "at MaxSize" figure (group scope). */
  readonly maxSize?: number;
}

/**
 * Estimate a loop's cost.
 *
 * - spent: Σ price × billed time (running time from launch to end, or to `at`, per {@link billedSeconds});
 * - per day at the observed rate: spent ÷ the span from the first launch to `at` × 24 h (the span is
 *   at least one minute);
 * - per day at MaxSize: MaxSize × the mean hourly price × 24 h.
 *
 * @example
 * estimateLoopCost({ instances: [{ instanceId: 'i-1', region: 'us-east-1', instanceType: 'm5.large',
 *   market: 'on-demand', launchedAt: 0 }], prices: { 'on-demand|us-east-1|m5.large|RunInstances|default': 0.096 },
 *   at: 3_600_000, maxSize: 10 }).spentUsd; // 0.096
 */
export function estimateLoopCost(input: LoopCostInput): LoopCost {
  const { instances, prices, at } = input;
  let spent = 0;
  let priced = 0;
  let hourlySum = 0;
  let first = Number.POSITIVE_INFINITY;
  const markets = new Set<Market>();
  const types = new Map<string, number>();
  for (const inst of instances) {
    types.set(inst.instanceType, (types.get(inst.instanceType) ?? 0) + 1);
    const price = prices[priceKey(inst)];
    if (price === undefined || !Number.isFinite(price) || price < 0) continue;
    const end = Math.min(inst.endedAt ?? at, at);
    const running = Math.max(0, end - inst.launchedAt) / 1000;
    spent += (price * billedSeconds(running, billingUnitOf(inst.platform))) / HOUR_S;
    hourlySum += price;
    priced += 1;
    markets.add(inst.market);
    first = Math.min(first, inst.launchedAt);
  }
  const instanceTypes = [...types.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([t]) => t);
  const base = {
    instances: instances.length,
    priced,
    markets: [...markets].sort(),
    instanceTypes,
    at,
    ...(input.maxSize !== undefined ? { maxSize: input.maxSize } : {}),
  };
  if (priced === 0) return base;
  const hourly = hourlySum / priced;
  const spanH = Math.max(MIN_BILLED_SECONDS, (at - first) / 1000) / HOUR_S;
  return {
    ...base,
    spentUsd: spent,
    perDayAtRateUsd: (spent / spanH) * DAY_H,
    hourlyUsd: hourly,
    ...(input.maxSize !== undefined && input.maxSize > 0
      ? { perDayAtMaxUsd: input.maxSize * hourly * DAY_H }
      : {}),
  };
}

/** Dollars for people: `$1,234.57`, `$0.42`, `<$0.01`. */
export function usd(amount: number): string {
  if (amount > 0 && amount < 0.005) return '<$0.01';
  return `$${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** Round to the cent, for metrics and JSON. */
export function cents(amount: number): number {
  return Math.round(amount * 100) / 100;
}

/**
 * The estimate in one line, e.g. "about $12.34 spent so far by 40 launches (m5.large, on-demand);
 * $296.16/day at this rate; $230.40/day at MaxSize 100". "unknown" when no price could be had.
 */
export function costText(cost: LoopCost | undefined): string {
  if (cost === undefined || cost.spentUsd === undefined) return 'unknown (no price could be had in time)';
  const partial = cost.priced < cost.instances ? `at least ` : 'about ';
  const types = cost.instanceTypes.slice(0, 3).join(', ') + (cost.instanceTypes.length > 3 ? ', …' : '');
  const who = `${cost.priced}${cost.priced < cost.instances ? ` of ${cost.instances}` : ''} launches (${types}; ${cost.markets.join(' + ')})`;
  const parts = [
    `${partial}${usd(cost.spentUsd)} spent so far by ${who}`,
    `${usd(cost.perDayAtRateUsd ?? 0)}/day if it keeps launching at this rate`,
  ];
  if (cost.perDayAtMaxUsd !== undefined)
    parts.push(`${usd(cost.perDayAtMaxUsd)}/day if it reaches MaxSize ${cost.maxSize} and keeps them`);
  return parts.join('; ');
}

/** What a launch record says an instance is billed as (no region, no times). */
export type RecordedBilling = Omit<BilledInstance, 'region' | 'launchedAt' | 'endedAt'>;

/**
 * What a RunInstances record (bare, or wrapped by EventBridge) says each launched instance is
 * billed as: type, zone, tenancy, Spot (`instanceLifecycle`), Windows (`platform`). CloudTrail
 * does not record the usage operation, so RHEL, SUSE and Ubuntu Pro read as Linux: their
 * licence part is not counted (as everywhere here). Empty for anything else.
 */
export function recordedBilling(raw: unknown): RecordedBilling[] {
  const rec = raw as { detail?: unknown } | null;
  const body = (
    rec !== null && typeof rec === 'object' && typeof rec.detail === 'object' ? rec.detail : raw
  ) as {
    eventName?: unknown;
    responseElements?: { instancesSet?: { items?: unknown } } | null;
  } | null;
  if (body === null || typeof body !== 'object' || body.eventName !== 'RunInstances') return [];
  const items = body.responseElements?.instancesSet?.items;
  if (!Array.isArray(items)) return [];
  const out: RecordedBilling[] = [];
  for (const item of items as Record<string, unknown>[]) {
    if (item === null || typeof item !== 'object') continue;
    const instanceId = item['instanceId'];
    const instanceType = item['instanceType'];
    if (typeof instanceId !== 'string' || typeof instanceType !== 'string') continue;
    const placement = (item['placement'] ?? {}) as { availabilityZone?: unknown; tenancy?: unknown };
    const windows = item['platform'] === 'windows';
    out.push({
      instanceId,
      instanceType,
      market: item['instanceLifecycle'] === 'spot' ? 'spot' : 'on-demand',
      operation: windows ? 'RunInstances:0002' : 'RunInstances',
      platform: windows ? 'Windows' : 'Linux/UNIX',
      ...(typeof placement.availabilityZone === 'string' ? { zone: placement.availabilityZone } : {}),
      ...(typeof placement.tenancy === 'string' ? { tenancy: placement.tenancy } : {}),
    });
  }
  return out;
}
