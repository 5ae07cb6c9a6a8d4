/**
 * AWS Price List Query API adapter: the On-Demand hourly price of one instance type in one Region,
 * from `pricing:GetProducts`. Thin: filters in, one price out. Best effort: it never throws; a
 * price it cannot have is `undefined` and the alert says "unknown".
 *
 * The Query API is served only from `us-east-1`, `eu-central-1` and `ap-south-1` (AWS Billing User
 * Guide, "Using the AWS Price List Query API": `api.pricing.<region>.amazonaws.com`); any of them
 * answers for every Region, so the client goes to the one nearest the guard.
 */
import { GetProductsCommand, type PricingClient } from '@aws-sdk/client-pricing';
import type { PriceKeyFacts } from '../core/loop-cost';
import type { OnDemandPrices } from '../ports';
import { cachedClient } from './regional-clients';

/** The IAM actions this adapter calls (read-only; the action allows no resource-level scope). */
export const PERMISSIONS = ['pricing:GetProducts'] as const;

/** The Regions that serve the Price List Query API. */
export const PRICE_LIST_REGIONS = ['us-east-1', 'eu-central-1', 'ap-south-1'] as const;

/** The Price List endpoint nearest a Region: Europe, the Middle East and Africa → Frankfurt, Asia Pacific → Mumbai, else N. Virginia. */
export function priceListRegionFor(region: string): (typeof PRICE_LIST_REGIONS)[number] {
  if (/^(eu|me|af|il)-/.test(region)) return 'eu-central-1';
  if (/^ap-/.test(region)) return 'ap-south-1';
  return 'us-east-1';
}

/** EC2 tenancy (`default`, `dedicated`, `host`) as the Price List names it. */
const TENANCY: Readonly<Record<string, string>> = { default: 'Shared', dedicated: 'Dedicated', host: 'Host' };

/**
 * The Price List's operating system and licence model of the common EC2 usage operations (EC2's
 * `UsageOperation`, which the Price List calls `operation`). Other operations are filtered by
 * `operation` alone, which already names the platform, licence and pre-installed software.
 */
const OPERATIONS: Readonly<Record<string, { readonly os: string; readonly license: string }>> = {
  RunInstances: { os: 'Linux', license: 'No License required' },
  'RunInstances:0002': { os: 'Windows', license: 'No License required' },
  'RunInstances:0800': { os: 'Windows', license: 'Bring your own license' },
  'RunInstances:0010': { os: 'RHEL', license: 'No License required' },
  'RunInstances:000g': { os: 'SUSE', license: 'No License required' },
  'RunInstances:0g00': { os: 'Ubuntu Pro', license: 'No License required' },
};

/** The `GetProducts` filters of one instance's On-Demand price. */
export function onDemandFilters(f: PriceKeyFacts): { Type: 'TERM_MATCH'; Field: string; Value: string }[] {
  const operation = f.operation ?? 'RunInstances';
  const known = OPERATIONS[operation];
  const pairs: [string, string][] = [
    ['instanceType', f.instanceType],
    ['regionCode', f.region],
    ['operation', operation],
    ['tenancy', TENANCY[f.tenancy ?? 'default'] ?? 'Shared'],
    // Used capacity, not the (idle) capacity reservations priced alike; on demand, not Capacity Blocks.
    ['capacitystatus', 'Used'],
    ['marketoption', 'OnDemand'],
    ...(known
      ? ([
          ['operatingSystem', known.os],
          ['preInstalledSw', 'NA'],
          ['licenseModel', known.license],
        ] as [string, string][])
      : []),
  ];
  return pairs.map(([Field, Value]) => ({ Type: 'TERM_MATCH', Field, Value }));
}

/**
 * The hourly USD price of the OnDemand terms of Price List documents (`GetProducts`' `PriceList`,
 * JSON strings). Undefined when none is found, or when the documents disagree (the filters did
 * not single out one product: a guess would be a lie).
 */
export function onDemandPriceOf(priceList: readonly unknown[]): number | undefined {
  const found = new Set<number>();
  for (const raw of priceList) {
    let doc: unknown;
    try {
      // The SDK may hand each document over as a String object (its lazy JSON string).
      doc = typeof raw === 'string' || raw instanceof String ? JSON.parse(String(raw)) : raw;
    } catch {
      // A document that is not JSON holds no price; the others may.
      continue;
    }
    const onDemand = (doc as { terms?: { OnDemand?: Record<string, unknown> } })?.terms?.OnDemand ?? {};
    for (const term of Object.values(onDemand)) {
      const dims = (term as { priceDimensions?: Record<string, unknown> })?.priceDimensions ?? {};
      for (const dim of Object.values(dims)) {
        const d = dim as { unit?: string; pricePerUnit?: { USD?: string } };
        const price = Number(d.pricePerUnit?.USD);
        if (d.unit === 'Hrs' && d.pricePerUnit?.USD !== undefined && Number.isFinite(price)) found.add(price);
      }
    }
  }
  return found.size === 1 ? [...found][0] : undefined;
}

/** {@link OnDemandPrices} from the Price List Query API. One client per endpoint Region, made on first use. */
export class PriceListOnDemand implements OnDemandPrices {
  private readonly clients = new Map<string, PricingClient>();

  constructor(
    private readonly clientFor: (endpointRegion: string) => PricingClient,
    private readonly onProblem: (message: string, error?: unknown) => void = () => {},
  ) {}

  async onDemandHourly(facts: PriceKeyFacts): Promise<number | undefined> {
    const endpoint = priceListRegionFor(facts.region);
    const client = cachedClient(this.clients, endpoint, (e) => this.clientFor(e));
    try {
      const out = await client.send(
        new GetProductsCommand({
          ServiceCode: 'AmazonEC2',
          FormatVersion: 'aws_v1',
          Filters: onDemandFilters(facts),
          MaxResults: 10,
        }),
      );
      const price = onDemandPriceOf(out.PriceList ?? []);
      if (price === undefined)
        this.onProblem(`no single On-Demand price for ${facts.instanceType} in ${facts.region}`);
      return price;
    } catch (error) {
      this.onProblem(`GetProducts failed for ${facts.instanceType} in ${facts.region}`, error);
      return undefined;
    }
  }
}
