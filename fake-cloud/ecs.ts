/**
 * ECS's operations (JSON 1.1), answered from a {@link CloudState}. Limits from the SDK's model
 * docs: DescribeCapacityProviders `maxResults` 1–10 (default 10, then `nextToken`) and up to 100
 * names; ListClusters and ListContainerInstances `maxResults` ≤ 100; DescribeClusters and
 * DescribeContainerInstances ≤ 100 per call. Over it: `InvalidParameterException`.
 */
import type { CloudState, ClusterView } from './state';
import { ApiError, type Json, type JsonService, jsonLimit, type Operation, page } from './wire';

export const ECS_TARGET = 'AmazonEC2ContainerServiceV20141113.';

function clusterOf(state: CloudState, ref: unknown): ClusterView {
  const c = state.cluster(typeof ref === 'string' && ref !== '' ? ref : 'default');
  if (c === undefined) throw new ApiError('ClusterNotFoundException', 'Cluster not found.');
  return c;
}

/**
 * The ids a `ListContainerInstances` filter asks for: the cluster query language's
 * `ec2InstanceId in ['i-1', 'i-2']` (what the guard sends) or `ec2InstanceId == 'i-1'`; anything
 * else is refused, as ECS refuses a filter it cannot parse.
 */
function instanceFilter(filter: unknown): Set<string> | undefined {
  if (filter === undefined) return undefined;
  const text = typeof filter === 'string' ? filter : '';
  const one = /^\s*ec2InstanceId\s*==\s*'([^']*)'\s*$/.exec(text);
  if (one) return new Set([one[1]!]);
  const m = /^\s*ec2InstanceId\s+in\s+\[(.*)\]\s*$/.exec(text);
  if (!m) throw new ApiError('InvalidParameterException', `Unsupported filter: ${String(filter)}`);
  return new Set([...m[1]!.matchAll(/['"]?\s*(i-[0-9a-f]+)\s*['"]?/g)].map((x) => x[1]!));
}

type EcsOperation = Operation<CloudState, Json, Json>;

/** ECS's operations by name. */
export const ECS_OPERATIONS: Readonly<Record<string, EcsOperation>> = {
  ListClusters: ({ state }, body) => {
    const size = jsonLimit(body['maxResults'], 100, 'maxResults');
    const arns = state.clusters().map((c) => c.arn);
    const { items, next } = page(arns, body['nextToken'] as string | undefined, size);
    return { clusterArns: items, ...(next ? { nextToken: next } : {}) };
  },
  DescribeClusters: ({ state }, body) => {
    const refs = (body['clusters'] as string[] | undefined) ?? ['default'];
    if (refs.length > 100)
      throw new ApiError('InvalidParameterException', 'clusters can have at most 100 items.');
    const clusters: Json[] = [];
    const failures: Json[] = [];
    for (const ref of refs) {
      const c = state.cluster(ref);
      if (c === undefined) {
        failures.push({
          arn: `arn:aws:ecs:${state.region}:${state.account}:cluster/${ref}`,
          reason: 'MISSING',
        });
        continue;
      }
      clusters.push({
        clusterArn: c.arn,
        clusterName: c.name,
        status: 'ACTIVE',
        registeredContainerInstancesCount: c.registered,
        runningTasksCount: c.running,
        pendingTasksCount: c.pending,
        activeServicesCount: 1,
        capacityProviders: c.capacityProviders,
        defaultCapacityProviderStrategy: c.capacityProviders.map((cp) => ({
          capacityProvider: cp,
          weight: 1,
          base: 0,
        })),
      });
    }
    return { clusters, failures };
  },
  DescribeCapacityProviders: ({ state }, body) => {
    const size = jsonLimit(body['maxResults'], 10, 'maxResults');
    const names = body['capacityProviders'] as string[] | undefined;
    if (names !== undefined && names.length > 100)
      throw new ApiError('InvalidParameterException', 'capacityProviders can have at most 100 items.');
    const arn = (name: string) => `arn:aws:ecs:${state.region}:${state.account}:capacity-provider/${name}`;
    // ECS lists its two Fargate providers beside the account's own.
    const all: Json[] = [
      { capacityProviderArn: arn('FARGATE'), name: 'FARGATE', status: 'ACTIVE', tags: [] },
      { capacityProviderArn: arn('FARGATE_SPOT'), name: 'FARGATE_SPOT', status: 'ACTIVE', tags: [] },
      ...state.capacityProviders().map((cp) => ({
        capacityProviderArn: cp.arn,
        name: cp.name,
        status: 'ACTIVE',
        autoScalingGroupProvider: {
          autoScalingGroupArn: cp.autoScalingGroupArn,
          managedScaling: {
            status: 'ENABLED',
            targetCapacity: 100,
            minimumScalingStepSize: 1,
            maximumScalingStepSize: cp.maxStep,
            instanceWarmupPeriod: cp.warmupS,
          },
          managedTerminationProtection: cp.managedTerminationProtection ? 'ENABLED' : 'DISABLED',
          managedDraining: 'ENABLED',
        },
        ...(cp.updateStatus !== undefined ? { updateStatus: cp.updateStatus } : {}),
        tags: [],
      })),
    ];
    // With `cluster`, only the providers associated with that cluster.
    const ofCluster =
      body['cluster'] === undefined ? undefined : clusterOf(state, body['cluster']).capacityProviders;
    const wanted = all
      .filter(
        (c) => names === undefined || names.some((n) => n === c['name'] || n === c['capacityProviderArn']),
      )
      .filter((c) => ofCluster === undefined || ofCluster.includes(String(c['name'])));
    const { items, next } = page(wanted, body['nextToken'] as string | undefined, size);
    return { capacityProviders: items, failures: [], ...(next ? { nextToken: next } : {}) };
  },
  ListContainerInstances: ({ state }, body) => {
    const size = jsonLimit(body['maxResults'], 100, 'maxResults');
    const c = clusterOf(state, body['cluster']);
    const ids = instanceFilter(body['filter']);
    // Without a status, every container instance but the INACTIVE ones (API reference).
    const status = body['status'] as string | undefined;
    const arns = state
      .containerInstances(c.name)
      .filter((x) => (status === undefined ? x.status !== 'INACTIVE' : x.status === status))
      .filter((x) => ids === undefined || ids.has(x.ec2InstanceId))
      .map((x) => x.arn);
    const { items, next } = page(arns, body['nextToken'] as string | undefined, size);
    return { containerInstanceArns: items, ...(next ? { nextToken: next } : {}) };
  },
  DescribeContainerInstances: ({ state }, body) => {
    const c = clusterOf(state, body['cluster']);
    const refs = (body['containerInstances'] as string[] | undefined) ?? [];
    if (refs.length > 100)
      throw new ApiError('InvalidParameterException', 'containerInstances can have at most 100 items.');
    const known = state.containerInstances(c.name);
    const containerInstances: Json[] = [];
    const failures: Json[] = [];
    for (const ref of refs) {
      const arn = ref.startsWith('arn:')
        ? ref
        : `arn:aws:ecs:${state.region}:${state.account}:container-instance/${c.name}/${ref}`;
      const x = known.find((k) => k.arn === arn);
      if (!x) {
        failures.push({ arn, reason: 'MISSING' });
        continue;
      }
      containerInstances.push({
        containerInstanceArn: x.arn,
        ec2InstanceId: x.ec2InstanceId,
        status: x.status,
        agentConnected: x.agentConnected,
        capacityProviderName: x.capacityProviderName,
        ...(x.registeredAt !== undefined ? { registeredAt: x.registeredAt / 1000 } : {}),
        runningTasksCount: 0,
        pendingTasksCount: 0,
        attributes: [],
      });
    }
    return { containerInstances, failures };
  },
};

/** ECS as a service of the fake cloud. */
export const ECS: JsonService<CloudState> = {
  protocol: 'json',
  service: 'ecs',
  target: ECS_TARGET,
  contentType: 'application/x-amz-json-1.1',
  unknownCode: 'UnknownOperationException',
  operations: ECS_OPERATIONS,
};
