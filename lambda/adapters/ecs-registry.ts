/**
 * ECS adapter: which cluster an Auto Scaling group serves, and which of its instances are
 * registered there as container instances. Read-only, called only to judge launches.
 *
 * Group → cluster: `DescribeCapacityProviders` gives each provider's
 * `autoScalingGroupProvider.autoScalingGroupArn`, and `DescribeClusters` each cluster's
 * `capacityProviders` (with managed scaling a provider belongs to one cluster). The mapping of
 * a region is read once and kept for {@link CLUSTER_CACHE_MS}: providers change rarely, and a
 * launch storm must not become an ECS read storm.
 *
 * Registration: `ListContainerInstances` with the cluster query filter
 * `ec2InstanceId in ['i-…', …]` gives the container instances (ARNs) of those EC2 instances,
 * and `DescribeContainerInstances` their EC2 ids. Without a `status` filter the list holds
 * every status but INACTIVE (ECS API reference, ListContainerInstances).
 */
import {
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  type ECSClient,
  ListClustersCommand,
  ListContainerInstancesCommand,
} from '@aws-sdk/client-ecs';
import { GuardError } from '../core/errors';
import type { EcsRegistry } from '../ports';
import { cachedClient } from './regional-clients';

/** The IAM actions this adapter calls, for the guard function's policy. All read-only. */
export const PERMISSIONS = [
  'ecs:DescribeCapacityProviders',
  'ecs:ListClusters',
  'ecs:DescribeClusters',
  'ecs:ListContainerInstances',
  'ecs:DescribeContainerInstances',
] as const;

/** How long a region's group → cluster mapping is kept. */
export const CLUSTER_CACHE_MS = 5 * 60_000;
/** API limits (ECS API reference): DescribeCapacityProviders maxResults ≤ 10; the others ≤ 100. */
export const LIMITS = {
  capacityProviders: 10,
  clusters: 100,
  describeClusters: 100,
  containerInstances: 100,
};
/** Instance ids per filter expression: keeps the query well inside the filter's length limit. */
const IDS_PER_FILTER = 20;

/** An ECS lookup failed: the caller judges without registration (it never invents a failure). */
export class EcsLookupError extends GuardError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EcsLookupError';
  }
}

/** {@link EcsRegistry} over the AWS SDK. One client per region, made on first use. */
export class SdkEcsRegistry implements EcsRegistry {
  private readonly clients = new Map<string, ECSClient>();
  private readonly maps = new Map<string, { readonly at: number; readonly byGroup: Map<string, string> }>();

  /**
   * @param clientFor makes the ECS client of a region
   * @param clock epoch ms (for the cache)
   */
  constructor(
    private readonly clientFor: (region: string) => ECSClient,
    private readonly clock: () => number = Date.now,
  ) {}

  async clusterOfGroup(region: string, groupArn: string): Promise<string | undefined> {
    const cached = this.maps.get(region);
    if (cached !== undefined && this.clock() - cached.at < CLUSTER_CACHE_MS)
      return cached.byGroup.get(groupArn);
    const byGroup = await this.call(region, 'reading capacity providers and clusters', () =>
      this.readMap(region),
    );
    this.maps.set(region, { at: this.clock(), byGroup });
    return byGroup.get(groupArn);
  }

  async registrations(
    region: string,
    cluster: string,
    instanceIds: readonly string[],
  ): Promise<Map<string, number | undefined>> {
    const client = this.client(region);
    const found = new Map<string, number | undefined>();
    for (let i = 0; i < instanceIds.length; i += IDS_PER_FILTER) {
      const chunk = instanceIds.slice(i, i + IDS_PER_FILTER);
      const filter = `ec2InstanceId in [${chunk.map((id) => `'${id}'`).join(', ')}]`;
      const arns: string[] = [];
      let token: string | undefined;
      do {
        const out = await this.call(region, `listing container instances of ${cluster}`, () =>
          client.send(
            new ListContainerInstancesCommand({
              cluster,
              filter,
              maxResults: LIMITS.containerInstances,
              nextToken: token,
            }),
          ),
        );
        arns.push(...(out.containerInstanceArns ?? []));
        token = out.nextToken;
      } while (token);
      if (arns.length === 0) continue;
      const out = await this.call(region, `describing container instances of ${cluster}`, () =>
        client.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: arns })),
      );
      for (const ci of out.containerInstances ?? []) {
        if (ci.ec2InstanceId !== undefined && ci.status !== 'INACTIVE')
          found.set(ci.ec2InstanceId, ci.registeredAt?.getTime());
      }
    }
    return found;
  }

  private async readMap(region: string): Promise<Map<string, string>> {
    const client = this.client(region);
    const providerOfGroup = new Map<string, string>();
    let token: string | undefined;
    do {
      const out = await client.send(
        new DescribeCapacityProvidersCommand({ maxResults: LIMITS.capacityProviders, nextToken: token }),
      );
      for (const p of out.capacityProviders ?? []) {
        const arn = p.autoScalingGroupProvider?.autoScalingGroupArn;
        if (arn !== undefined && p.name !== undefined) providerOfGroup.set(arn, p.name);
      }
      token = out.nextToken;
    } while (token);
    const byGroup = new Map<string, string>();
    if (providerOfGroup.size === 0) return byGroup;
    const clusterOfProvider = new Map<string, string>();
    const clusterArns: string[] = [];
    token = undefined;
    do {
      const page: { clusterArns?: string[]; nextToken?: string } = await client.send(
        new ListClustersCommand({ maxResults: LIMITS.clusters, nextToken: token }),
      );
      clusterArns.push(...(page.clusterArns ?? []));
      token = page.nextToken;
    } while (token);
    for (let i = 0; i < clusterArns.length; i += LIMITS.describeClusters) {
      const out = await client.send(
        new DescribeClustersCommand({ clusters: clusterArns.slice(i, i + LIMITS.describeClusters) }),
      );
      for (const c of out.clusters ?? []) {
        for (const p of c.capacityProviders ?? []) if (c.clusterName) clusterOfProvider.set(p, c.clusterName);
      }
    }
    for (const [groupArn, provider] of providerOfGroup) {
      const cluster = clusterOfProvider.get(provider);
      if (cluster !== undefined) byGroup.set(groupArn, cluster);
    }
    return byGroup;
  }

  private async call<T>(region: string, what: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new EcsLookupError(`ECS failed ${what} in ${region}`, { cause: error });
    }
  }

  private client(region: string): ECSClient {
    return cachedClient(this.clients, region, (r) => this.clientFor(r));
  }
}
