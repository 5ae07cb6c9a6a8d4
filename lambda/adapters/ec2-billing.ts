/**
 * EC2 adapter for the loop's cost: what each launched instance is billed as (type, zone, Spot or
 * On-Demand, platform, tenancy, running time) from `DescribeInstances`, and the current Spot
 * price per zone from `DescribeSpotPriceHistory`. Best effort: it never throws; what it cannot
 * read is left out, and the estimate says so.
 */
import {
  DescribeInstancesCommand,
  DescribeSpotPriceHistoryCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import type { BilledInstance } from '../core/loop-cost';
import type { BillingFacts, LaunchToBill } from '../ports';
import { cachedClient } from './regional-clients';

/** The IAM actions this adapter calls (read-only). */
export const PERMISSIONS = ['ec2:DescribeInstances', 'ec2:DescribeSpotPriceHistory'] as const;

/** Ids per DescribeInstances call (the API takes up to 1,000 ids). */
const IDS_PER_CALL = 200;

/**
 * When a stopped or terminated instance stopped running: EC2 writes it into
 * `StateTransitionReason`, e.g. `User initiated (2026-12-07 10:42:05 GMT)`.
 */
export function endedAtOf(stateName: string | undefined, reason: string | undefined): number | undefined {
  if (stateName === undefined || !/^(shutting-down|terminated|stopping|stopped)$/.test(stateName))
    return undefined;
  const m = /\((\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) GMT\)/.exec(reason ?? '');
  return m ? Date.parse(`${m[1]}T${m[2]}Z`) : undefined;
}

/** {@link BillingFacts} over the AWS SDK. One client per Region, made on first use. */
export class Ec2BillingFacts implements BillingFacts {
  private readonly clients = new Map<string, EC2Client>();

  constructor(
    private readonly clientFor: (region: string) => EC2Client,
    private readonly onProblem: (message: string, error?: unknown) => void = () => {},
  ) {}

  private client(region: string): EC2Client {
    return cachedClient(this.clients, region, (r) => this.clientFor(r));
  }

  async instances(region: string, launches: readonly LaunchToBill[]): Promise<BilledInstance[]> {
    const out: BilledInstance[] = [];
    const launchedAt = new Map(launches.map((l) => [l.instanceId, l.launchedAt]));
    const ids = [...launchedAt.keys()].filter((id) => /^i-[0-9a-f]{8,17}$/.test(id));
    for (let i = 0; i < ids.length; i += IDS_PER_CALL) {
      try {
        const res = await this.client(region).send(
          new DescribeInstancesCommand({ InstanceIds: ids.slice(i, i + IDS_PER_CALL) }),
        );
        for (const r of res.Reservations ?? [])
          for (const inst of r.Instances ?? []) {
            if (inst.InstanceId === undefined || inst.InstanceType === undefined) continue;
            const ended = endedAtOf(inst.State?.Name, inst.StateTransitionReason);
            out.push({
              instanceId: inst.InstanceId,
              region,
              instanceType: inst.InstanceType,
              market: inst.InstanceLifecycle === 'spot' ? 'spot' : 'on-demand',
              ...(inst.UsageOperation ? { operation: inst.UsageOperation } : {}),
              ...(inst.PlatformDetails ? { platform: inst.PlatformDetails } : {}),
              ...(inst.Placement?.Tenancy ? { tenancy: inst.Placement.Tenancy } : {}),
              ...(inst.Placement?.AvailabilityZone ? { zone: inst.Placement.AvailabilityZone } : {}),
              launchedAt: inst.LaunchTime?.getTime() ?? launchedAt.get(inst.InstanceId) ?? 0,
              ...(ended !== undefined ? { endedAt: ended } : {}),
            });
          }
      } catch (error) {
        // InvalidInstanceID.NotFound for instances gone longer than EC2 keeps them, or no access:
        // those launches are left unpriced.
        this.onProblem(`DescribeInstances failed in ${region}`, error);
      }
    }
    return out;
  }

  async spotPrices(
    region: string,
    instanceType: string,
    product: string,
    at: number,
  ): Promise<ReadonlyMap<string, number>> {
    const prices = new Map<string, number>();
    try {
      // A start time of now returns each zone's price in force now, one item per zone and product (a
      // page of 100 holds them all; the API reference: "the price
      // is valid within the time period that you specified").
      const res = await this.client(region).send(
        new DescribeSpotPriceHistoryCommand({
          InstanceTypes: [instanceType as never],
          ProductDescriptions: [product, `${product} (Amazon VPC)`],
          StartTime: new Date(at),
          MaxResults: 100,
        }),
      );
      // Newest first per zone; a VPC product and its classic twin are the same price.
      const sorted = [...(res.SpotPriceHistory ?? [])].sort(
        (a, b) => (b.Timestamp?.getTime() ?? 0) - (a.Timestamp?.getTime() ?? 0),
      );
      for (const h of sorted) {
        const zone = h.AvailabilityZone;
        const price = Number(h.SpotPrice);
        const productMatches =
          h.ProductDescription === product || h.ProductDescription === `${product} (Amazon VPC)`;
        if (zone && productMatches && Number.isFinite(price) && !prices.has(zone)) prices.set(zone, price);
      }
    } catch (error) {
      this.onProblem(`DescribeSpotPriceHistory failed for ${instanceType} in ${region}`, error);
    }
    return prices;
  }
}
