/**
 * A local cloud on 127.0.0.1 that answers Auto Scaling, ECS, EC2 and SNS over their real wire
 * protocols from the LIVE state of a {@link World} at its simulated time, so that the guard's
 * unchanged SDK clients reach it through `AWS_ENDPOINT_URL_<SERVICE>`.
 *
 * Protocols of the pinned SDK clients: Auto Scaling and SNS speak awsQuery (form-encoded POST,
 * `Action` and `Version`, XML answers), EC2 the EC2 query protocol (same requests, lower-camel
 * XML, `<Response><Errors>` errors), ECS JSON 1.1 (`X-Amz-Target:
 * AmazonEC2ContainerServiceV20141113.<Op>`, errors as `{"__type": …}`).
 *
 * Limits enforced as AWS documents them (API references of each operation, e.g.
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeWarmPool.html and
 * API_DescribeScalingActivities.html beside it; the ECS limits from the SDK's model docs):
 * - DescribeAutoScalingGroups and DescribeScalingActivities: `MaxRecords` ≤ 100 (and at most
 *   50 `ActivityIds`); DescribeWarmPool: `MaxRecords` ≤ 50. Over it: `ValidationError`.
 * - ECS DescribeCapacityProviders: `maxResults` 1–10 (default 10, then `nextToken`), up to 100
 *   names; ListClusters and ListContainerInstances: `maxResults` ≤ 100; DescribeClusters and
 *   DescribeContainerInstances: ≤ 100 per call. Over it: `InvalidParameterException`.
 * - EC2 DescribeInstances: an unknown id fails the call (`InvalidInstanceID.NotFound`); a
 *   terminated instance stays visible for an hour.
 *
 * Every call is recorded with its simulated time and the group it concerns, so a harness can
 * count calls per group per minute.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SCALING_PROCESSES } from '../../lambda/config';
import { ACCOUNT, type Cluster, type Group, HOUR, type Instance, REGION, type World } from './world';

/** One request the fake answered. */
export interface CloudCall {
  readonly service: 'autoscaling' | 'ecs' | 'ec2' | 'sns';
  readonly action: string;
  /** Simulated time of the call. */
  readonly at: number;
  /** The group the call is about, when it names one (directly, by cluster or by instance). */
  readonly group?: string;
  /** The error code answered, if any. */
  readonly error?: string;
}

/** A published SNS message. */
export interface CloudPublish {
  readonly at: number;
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
}

/** The running fake. */
export interface FakeCloud {
  readonly endpoint: string;
  /** The world answered from; swap it between scenarios. */
  world: World;
  readonly calls: CloudCall[];
  readonly published: CloudPublish[];
  close(): Promise<void>;
}

const AUTOSCALING_NS = 'http://autoscaling.amazonaws.com/doc/2011-01-01/';
const SNS_NS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const ECS_TARGET = 'AmazonEC2ContainerServiceV20141113.';

type Params = Record<string, string>;

class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function iso(t: number): string {
  return new Date(t).toISOString();
}

/** `Prefix.member.N` (awsQuery) or `Prefix.N` (EC2) lists. */
function list(p: Params, prefix: string): string[] {
  const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(?:member\\.)?(\\d+)$`);
  const out: [number, string][] = [];
  for (const [k, v] of Object.entries(p)) {
    const m = re.exec(k);
    if (m) out.push([Number(m[1]), v]);
  }
  return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** `Prefix.member.N.Field` structures. */
function structs(p: Params, prefix: string): Params[] {
  const byIndex = new Map<number, Params>();
  const re = new RegExp(`^${prefix}\\.member\\.(\\d+)\\.(.+)$`);
  for (const [k, v] of Object.entries(p)) {
    const m = re.exec(k);
    if (!m) continue;
    const s = byIndex.get(Number(m[1])) ?? {};
    s[m[2]!] = v;
    byIndex.set(Number(m[1]), s);
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
}

function maxRecords(p: Params, key: string, max: number, fallback: number): number {
  const raw = p[key];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new ApiError(
      'ValidationError',
      `1 validation error detected: Value '${raw}' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to ${max}`,
    );
  }
  return n;
}

function page<T>(
  items: readonly T[],
  token: string | undefined,
  size: number,
): { items: T[]; next?: string } {
  const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64').toString('utf8'));
  if (!Number.isInteger(start) || start < 0) throw new ApiError('InvalidNextToken', 'The token is not valid');
  const slice = items.slice(start, start + size);
  const end = start + size;
  return end < items.length
    ? { items: slice, next: Buffer.from(String(end)).toString('base64') }
    : { items: slice };
}

// ---------------------------------------------------------------------------------------------
// Auto Scaling

function instanceXml(i: Instance, g: Group): string {
  return `<member><InstanceId>${i.id}</InstanceId><InstanceType>m7i.large</InstanceType><AvailabilityZone>${i.zone}</AvailabilityZone><LifecycleState>${i.lifecycle}</LifecycleState><HealthStatus>${i.health}</HealthStatus><LaunchTemplate><LaunchTemplateId>lt-0abc${g.name.length}</LaunchTemplateId><LaunchTemplateName>${esc(g.name)}</LaunchTemplateName><Version>1</Version></LaunchTemplate><ProtectedFromScaleIn>${i.protectedFromScaleIn}</ProtectedFromScaleIn></member>`;
}

function groupXml(world: World, g: Group): string {
  const instances = world
    .groupInstances(g)
    .map((i) => instanceXml(i, g))
    .join('');
  const suspended = [...g.suspended.keys()]
    .map(
      (p) =>
        `<member><ProcessName>${p}</ProcessName><SuspensionReason>User suspended at ${iso(g.suspended.get(p)!)}</SuspensionReason></member>`,
    )
    .join('');
  const tags = [...g.tags]
    .map(
      ([k, v]) =>
        `<member><ResourceId>${esc(g.name)}</ResourceId><ResourceType>auto-scaling-group</ResourceType><Key>${esc(k)}</Key><Value>${esc(v)}</Value><PropagateAtLaunch>false</PropagateAtLaunch></member>`,
    )
    .join('');
  const warm = g.spec.warmPool
    ? `<WarmPoolConfiguration><MinSize>${g.spec.warmPool.minSize}</MinSize><PoolState>Stopped</PoolState></WarmPoolConfiguration><WarmPoolSize>${world.warmInstances(g).length}</WarmPoolSize>`
    : '';
  const protectNew = g.spec.capacityProvider?.managedTerminationProtection ?? false;
  return `<member><AutoScalingGroupName>${esc(g.name)}</AutoScalingGroupName><AutoScalingGroupARN>${esc(g.arn)}</AutoScalingGroupARN><MixedInstancesPolicy></MixedInstancesPolicy><MinSize>${g.minSize}</MinSize><MaxSize>${g.maxSize}</MaxSize><DesiredCapacity>${g.desired}</DesiredCapacity><DefaultCooldown>300</DefaultCooldown><AvailabilityZones><member>us-east-1a</member><member>us-east-1b</member><member>us-east-1c</member></AvailabilityZones><HealthCheckType>${g.spec.healthCheckType}</HealthCheckType><HealthCheckGracePeriod>${g.spec.gracePeriodS}</HealthCheckGracePeriod><CreatedTime>2025-11-02T09:00:00Z</CreatedTime><Instances>${instances}</Instances><SuspendedProcesses>${suspended}</SuspendedProcesses><Tags>${tags}</Tags><NewInstancesProtectedFromScaleIn>${protectNew}</NewInstancesProtectedFromScaleIn>${warm}<CapacityRebalance>false</CapacityRebalance></member>`;
}

function activityXml(world: World, a: World['activities'][number]): string {
  const g = world.groups.get(a.group)!;
  const details = JSON.stringify({
    'Subnet ID': `subnet-0${a.zone.slice(-1)}1234567890abcd`,
    'Availability Zone': a.zone,
  });
  return `<member><ActivityId>${a.id}</ActivityId><AutoScalingGroupName>${esc(a.group)}</AutoScalingGroupName><Description>${esc(a.description)}</Description><Cause>${esc(a.cause)}</Cause><StartTime>${iso(a.start)}</StartTime>${a.end !== undefined && a.end <= world.now ? `<EndTime>${iso(a.end)}</EndTime>` : ''}<StatusCode>${a.status}</StatusCode><Progress>${a.progress}</Progress><Details>${esc(details)}</Details><AutoScalingGroupARN>${esc(g.arn)}</AutoScalingGroupARN></member>`;
}

function autoScaling(world: World, action: string, p: Params): string {
  const named = (name: string | undefined): Group => {
    const g = name === undefined ? undefined : world.groups.get(name);
    if (g === undefined)
      throw new ApiError('ValidationError', `AutoScalingGroup name not found - ${name ?? ''}`);
    return g;
  };
  switch (action) {
    case 'DescribeAutoScalingGroups': {
      const size = maxRecords(p, 'MaxRecords', 100, 50);
      const names = list(p, 'AutoScalingGroupNames');
      const filters = structs(p, 'Filters');
      const found = [...world.groups.values()].filter((g) => {
        if (names.length > 0 && !names.includes(g.name)) return false;
        for (const f of filters) {
          const values = list(f as Params, 'Values');
          if (f['Name'] === 'tag-key' && !values.some((v) => g.tags.has(v))) return false;
        }
        return true;
      });
      const { items, next } = page(found, p['NextToken'], size);
      return `<AutoScalingGroups>${items.map((g) => groupXml(world, g)).join('')}</AutoScalingGroups>${next ? `<NextToken>${next}</NextToken>` : ''}`;
    }
    case 'DescribeWarmPool': {
      const size = maxRecords(p, 'MaxRecords', 50, 50);
      const g = named(p['AutoScalingGroupName']);
      if (!g.spec.warmPool) return '<Instances></Instances>';
      const { items, next } = page(world.warmInstances(g), p['NextToken'], size);
      return `<WarmPoolConfiguration><MinSize>${g.spec.warmPool.minSize}</MinSize><PoolState>Stopped</PoolState></WarmPoolConfiguration><Instances>${items.map((i) => instanceXml(i, g)).join('')}</Instances>${next ? `<NextToken>${next}</NextToken>` : ''}`;
    }
    case 'DescribeScalingActivities': {
      const size = maxRecords(p, 'MaxRecords', 100, 100);
      const name = p['AutoScalingGroupName'];
      const ids = list(p, 'ActivityIds');
      if (ids.length > 50)
        throw new ApiError(
          'ValidationError',
          `1 validation error detected: Value at 'activityIds' failed to satisfy constraint: Member must have length less than or equal to 50`,
        );
      const found = world.activities
        .filter((a) => a.start <= world.now)
        .filter((a) => (name === undefined || a.group === name) && (ids.length === 0 || ids.includes(a.id)))
        .sort((a, b) => b.start - a.start);
      const { items, next } = page(found, p['NextToken'], size);
      return `<Activities>${items.map((a) => activityXml(world, a)).join('')}</Activities>${next ? `<NextToken>${next}</NextToken>` : ''}`;
    }
    case 'DescribeLifecycleHooks': {
      const g = named(p['AutoScalingGroupName']);
      const hook = g.spec.launchHook;
      if (!hook) return '<LifecycleHooks></LifecycleHooks>';
      const global = Math.min(100 * hook.heartbeatTimeoutS, 172_800);
      return `<LifecycleHooks><member><LifecycleHookName>${esc(hook.name)}</LifecycleHookName><AutoScalingGroupName>${esc(g.name)}</AutoScalingGroupName><LifecycleTransition>autoscaling:EC2_INSTANCE_LAUNCHING</LifecycleTransition><HeartbeatTimeout>${hook.heartbeatTimeoutS}</HeartbeatTimeout><GlobalTimeout>${global}</GlobalTimeout><DefaultResult>CONTINUE</DefaultResult></member></LifecycleHooks>`;
    }
    case 'SuspendProcesses':
    case 'ResumeProcesses': {
      const g = named(p['AutoScalingGroupName']);
      const processes = list(p, 'ScalingProcesses');
      const chosen = processes.length === 0 ? [...SCALING_PROCESSES] : processes;
      if (action === 'SuspendProcesses') world.suspendProcesses(g.name, chosen);
      else world.resumeProcesses(g.name, chosen);
      return '';
    }
    case 'CreateOrUpdateTags':
    case 'DeleteTags': {
      for (const t of structs(p, 'Tags')) {
        const g = named(t['ResourceId']);
        if (action === 'CreateOrUpdateTags') {
          if (!g.tags.has(t['Key']!) && g.tags.size >= 50)
            throw new ApiError(
              'LimitExceeded',
              'The quota for tags per Auto Scaling group (50) has been reached',
            );
          g.tags.set(t['Key']!, t['Value'] ?? '');
        } else g.tags.delete(t['Key']!);
      }
      return '';
    }
    default:
      throw new ApiError('InvalidAction', `${action} is not answered by the simulator`);
  }
}

function groupOfAutoScaling(p: Params): string | undefined {
  return p['AutoScalingGroupName'] ?? p['AutoScalingGroupNames.member.1'] ?? p['Tags.member.1.ResourceId'];
}

// ---------------------------------------------------------------------------------------------
// ECS (JSON 1.1)

type Json = Record<string, unknown>;

function ecsLimit(value: unknown, max: number, name: string): number {
  if (value === undefined) return max;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max)
    throw new ApiError('InvalidParameterException', `${name} must be between 1 and ${max}.`);
  return value;
}

function clusterOf(world: World, ref: unknown): Cluster {
  const name =
    typeof ref === 'string' ? (ref.includes('/') ? ref.slice(ref.lastIndexOf('/') + 1) : ref) : 'default';
  const c = world.clusters.get(name);
  if (c === undefined) throw new ApiError('ClusterNotFoundException', 'Cluster not found.');
  return c;
}

/** The cluster query language's `ec2InstanceId in ['i-1', 'i-2']` (the only form the simulator reads). */
function instanceFilter(filter: unknown): Set<string> | undefined {
  if (filter === undefined) return undefined;
  const m = typeof filter === 'string' ? /^\s*ec2InstanceId\s+in\s+\[(.*)\]\s*$/.exec(filter) : null;
  if (!m) throw new ApiError('InvalidParameterException', `Unsupported filter: ${String(filter)}`);
  const ids = [...m[1]!.matchAll(/['"]?\s*(i-[0-9a-f]+)\s*['"]?/g)].map((x) => x[1]!);
  return new Set(ids);
}

function ecs(world: World, action: string, body: Json): Json {
  switch (action) {
    case 'ListClusters': {
      const size = ecsLimit(body['maxResults'], 100, 'maxResults');
      const arns = [...world.clusters.values()].map((c) => c.arn);
      const { items, next } = page(arns, body['nextToken'] as string | undefined, size);
      return { clusterArns: items, ...(next ? { nextToken: next } : {}) };
    }
    case 'DescribeClusters': {
      const refs = (body['clusters'] as string[] | undefined) ?? ['default'];
      if (refs.length > 100)
        throw new ApiError('InvalidParameterException', 'clusters can have at most 100 items.');
      const clusters: Json[] = [];
      const failures: Json[] = [];
      for (const ref of refs) {
        try {
          const c = clusterOf(world, ref);
          const registered = world.containerInstances(c.name).filter((x) => x.status === 'ACTIVE').length;
          clusters.push({
            clusterArn: c.arn,
            clusterName: c.name,
            status: 'ACTIVE',
            registeredContainerInstancesCount: registered,
            runningTasksCount: Math.min(registered, c.tasks(world.now)),
            pendingTasksCount: Math.max(0, c.tasks(world.now) - registered),
            activeServicesCount: 1,
            capacityProviders: c.capacityProviders,
            defaultCapacityProviderStrategy: c.capacityProviders.map((cp) => ({
              capacityProvider: cp,
              weight: 1,
              base: 0,
            })),
          });
        } catch {
          failures.push({ arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${ref}`, reason: 'MISSING' });
        }
      }
      return { clusters, failures };
    }
    case 'DescribeCapacityProviders': {
      const size = ecsLimit(body['maxResults'], 10, 'maxResults');
      const names = body['capacityProviders'] as string[] | undefined;
      if (names !== undefined && names.length > 100)
        throw new ApiError('InvalidParameterException', 'capacityProviders can have at most 100 items.');
      // ECS lists its two Fargate providers beside the account's own.
      const all: Json[] = [
        {
          capacityProviderArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:capacity-provider/FARGATE`,
          name: 'FARGATE',
          status: 'ACTIVE',
          tags: [],
        },
        {
          capacityProviderArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:capacity-provider/FARGATE_SPOT`,
          name: 'FARGATE_SPOT',
          status: 'ACTIVE',
          tags: [],
        },
      ];
      for (const g of world.groups.values()) {
        const cp = g.spec.capacityProvider;
        if (!cp) continue;
        all.push({
          capacityProviderArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:capacity-provider/${cp.name}`,
          name: cp.name,
          status: 'ACTIVE',
          autoScalingGroupProvider: {
            autoScalingGroupArn: g.arn,
            managedScaling: {
              status: 'ENABLED',
              targetCapacity: 100,
              minimumScalingStepSize: 1,
              maximumScalingStepSize: cp.maxStep,
              instanceWarmupPeriod: Math.round(cp.warmupMs / 1000),
            },
            managedTerminationProtection: cp.managedTerminationProtection ? 'ENABLED' : 'DISABLED',
            managedDraining: 'ENABLED',
          },
          updateStatus: 'UPDATE_COMPLETE',
          tags: [],
        });
      }
      // With `cluster`, only the providers associated with that cluster.
      const ofCluster =
        body['cluster'] === undefined ? undefined : clusterOf(world, body['cluster']).capacityProviders;
      const wanted = all
        .filter(
          (c) => names === undefined || names.some((n) => n === c['name'] || n === c['capacityProviderArn']),
        )
        .filter((c) => ofCluster === undefined || ofCluster.includes(String(c['name'])));
      const { items, next } = page(wanted, body['nextToken'] as string | undefined, size);
      return { capacityProviders: items, failures: [], ...(next ? { nextToken: next } : {}) };
    }
    case 'ListContainerInstances': {
      const size = ecsLimit(body['maxResults'], 100, 'maxResults');
      const c = clusterOf(world, body['cluster']);
      const ids = instanceFilter(body['filter']);
      const status = body['status'] as string | undefined;
      const arns = world
        .containerInstances(c.name)
        .filter((x) => (status === undefined ? x.status !== 'INACTIVE' : x.status === status))
        .filter((x) => ids === undefined || ids.has(x.inst.id))
        .map((x) => x.arn);
      const { items, next } = page(arns, body['nextToken'] as string | undefined, size);
      return { containerInstanceArns: items, ...(next ? { nextToken: next } : {}) };
    }
    case 'DescribeContainerInstances': {
      const c = clusterOf(world, body['cluster']);
      const refs = (body['containerInstances'] as string[] | undefined) ?? [];
      if (refs.length > 100)
        throw new ApiError('InvalidParameterException', 'containerInstances can have at most 100 items.');
      const known = new Map(world.containerInstances(c.name).map((x) => [x.arn, x]));
      const containerInstances: Json[] = [];
      const failures: Json[] = [];
      for (const ref of refs) {
        const arn = ref.startsWith('arn:')
          ? ref
          : `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/${c.name}/${ref}`;
        const x = known.get(arn);
        if (!x) {
          failures.push({ arn, reason: 'MISSING' });
          continue;
        }
        const g = world.groups.get(x.inst.group)!;
        containerInstances.push({
          containerInstanceArn: x.arn,
          ec2InstanceId: x.inst.id,
          status: x.status,
          agentConnected: x.status === 'ACTIVE',
          capacityProviderName: g.spec.capacityProvider?.name,
          registeredAt: (x.inst.registeredAt ?? world.now) / 1000,
          runningTasksCount: 0,
          pendingTasksCount: 0,
          attributes: [],
        });
      }
      return { containerInstances, failures };
    }
    default:
      throw new ApiError('UnknownOperationException', `${action} is not answered by the simulator`);
  }
}

function groupOfEcs(world: World, body: Json): string | undefined {
  const ref = body['cluster'];
  if (typeof ref !== 'string') return undefined;
  const name = ref.slice(ref.lastIndexOf('/') + 1);
  for (const g of world.groups.values()) if (g.spec.capacityProvider?.cluster === name) return g.name;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// EC2 (query)

const STATE_CODE: Record<Instance['ec2State'], number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

function visible(world: World, i: Instance): boolean {
  return (
    i.launchedAt <= world.now &&
    (i.terminatedAt === undefined || i.lifecycle !== 'Gone' || world.now - i.terminatedAt < HOUR)
  );
}

/** `Filter.N.Name` / `Filter.N.Value.M`: the instance filters the simulator knows; any other is refused. */
function ec2Filters(p: Params): ((i: Instance) => boolean)[] {
  const out: ((i: Instance) => boolean)[] = [];
  for (let n = 1; p[`Filter.${n}.Name`] !== undefined; n += 1) {
    const name = p[`Filter.${n}.Name`]!;
    const values = new Set(list(p, `Filter.${n}.Value`));
    if (name === 'instance-id') out.push((i) => values.has(i.id));
    else if (name === 'instance-state-name') out.push((i) => values.has(i.ec2State));
    else if (name === 'tag:aws:autoscaling:groupName') out.push((i) => values.has(i.group));
    else throw new ApiError('InvalidParameterValue', `The filter '${name}' is invalid`);
  }
  return out;
}

function ec2(world: World, action: string, p: Params): string {
  switch (action) {
    case 'DescribeImages': {
      const items = list(p, 'ImageId')
        .flatMap((id) => {
          const image = world.images.get(id);
          return image === undefined
            ? []
            : [
                `<item><imageId>${id}</imageId><name>${esc(image.name)}</name><description>${esc(image.description)}</description><imageOwnerAlias>amazon</imageOwnerAlias><architecture>x86_64</architecture><imageState>available</imageState><public>true</public></item>`,
              ];
        })
        .join('');
      return `<imagesSet>${items}</imagesSet>`;
    }
    case 'DescribeInstances': {
      const ids = list(p, 'InstanceId');
      if (ids.length > 0 && p['MaxResults'] !== undefined)
        throw new ApiError(
          'InvalidParameterCombination',
          'The parameter instancesSet cannot be used with the parameter maxResults',
        );
      const found: Instance[] = [];
      for (const id of ids) {
        const i = world.instances.get(id);
        if (i === undefined || !visible(world, i))
          throw new ApiError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
        found.push(i);
      }
      const filters = ec2Filters(p);
      const chosen = (
        ids.length > 0 ? found : [...world.instances.values()].filter((i) => visible(world, i))
      ).filter((i) => filters.every((f) => f(i)));
      const items = chosen
        .map((i) => {
          const reason = i.stateReason
            ? `<stateReason><code>${i.stateReason.code}</code><message>${esc(i.stateReason.message)}</message></stateReason>`
            : '';
          const lifecycle = i.spot ? '<instanceLifecycle>spot</instanceLifecycle>' : '';
          return `<item><reservationId>r-${i.id.slice(2)}</reservationId><ownerId>${ACCOUNT}</ownerId><groupSet/><instancesSet><item><instanceId>${i.id}</instanceId><imageId>${i.imageId}</imageId><instanceState><code>${STATE_CODE[i.ec2State]}</code><name>${i.ec2State}</name></instanceState><reason/><amiLaunchIndex>0</amiLaunchIndex><instanceType>m7i.large</instanceType><launchTime>${iso(i.launchedAt)}</launchTime><placement><availabilityZone>${i.zone}</availabilityZone></placement>${reason}${lifecycle}<tagSet><item><key>aws:autoscaling:groupName</key><value>${esc(i.group)}</value></item></tagSet></item></instancesSet></item>`;
        })
        .join('');
      return `<reservationSet>${items}</reservationSet>`;
    }
    default:
      throw new ApiError('InvalidAction', `${action} is not answered by the simulator`);
  }
}

// ---------------------------------------------------------------------------------------------
// Server

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function queryOk(res: ServerResponse, ns: string, action: string, result: string): void {
  res.writeHead(200, { 'content-type': 'text/xml' });
  res.end(
    `<${action}Response xmlns="${ns}">${result === '' ? '' : `<${action}Result>${result}</${action}Result>`}<ResponseMetadata><RequestId>sim</RequestId></ResponseMetadata></${action}Response>`,
  );
}

function queryError(res: ServerResponse, ns: string, e: ApiError): void {
  res.writeHead(e.status, { 'content-type': 'text/xml' });
  res.end(
    `<ErrorResponse xmlns="${ns}"><Error><Type>Sender</Type><Code>${e.code}</Code><Message>${esc(e.message)}</Message></Error><RequestId>sim</RequestId></ErrorResponse>`,
  );
}

/** Start the fake cloud on a free loopback port, answering from `world`. */
export async function startFakeCloud(world: World): Promise<FakeCloud> {
  let server: Server | undefined;
  const fake: FakeCloud = {
    endpoint: '',
    world,
    calls: [],
    published: [],
    close: () =>
      new Promise<void>((resolve) => {
        if (server === undefined) {
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const handle = (req: IncomingMessage, res: ServerResponse, text: string): void => {
    const w = fake.world;
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string' && target.startsWith(ECS_TARGET)) {
      const action = target.slice(ECS_TARGET.length);
      const input = (text === '' ? {} : JSON.parse(text)) as Json;
      const group = groupOfEcs(w, input);
      try {
        const out = ecs(w, action, input);
        fake.calls.push({ service: 'ecs', action, at: w.now, ...(group ? { group } : {}) });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(out));
      } catch (error) {
        const e = error instanceof ApiError ? error : new ApiError('ServerException', String(error), 500);
        fake.calls.push({ service: 'ecs', action, at: w.now, error: e.code, ...(group ? { group } : {}) });
        res.writeHead(e.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': e.code });
        res.end(JSON.stringify({ __type: e.code, message: e.message }));
      }
      return;
    }
    const p = Object.fromEntries(new URLSearchParams(text));
    const action = p['Action'] ?? '';
    const version = p['Version'] ?? '';
    if (version === '2011-01-01') {
      const group = groupOfAutoScaling(p);
      try {
        const result = autoScaling(w, action, p);
        fake.calls.push({ service: 'autoscaling', action, at: w.now, ...(group ? { group } : {}) });
        queryOk(res, AUTOSCALING_NS, action, result);
      } catch (error) {
        const e = error instanceof ApiError ? error : new ApiError('InternalFailure', String(error), 500);
        fake.calls.push({
          service: 'autoscaling',
          action,
          at: w.now,
          error: e.code,
          ...(group ? { group } : {}),
        });
        queryError(res, AUTOSCALING_NS, e);
      }
      return;
    }
    if (version === '2010-03-31') {
      fake.calls.push({ service: 'sns', action, at: w.now });
      if (action !== 'Publish') {
        queryError(res, SNS_NS, new ApiError('InvalidAction', `${action} is not answered`));
        return;
      }
      fake.published.push({
        at: w.now,
        topicArn: p['TopicArn'] ?? '',
        ...(p['Subject'] !== undefined ? { subject: p['Subject'] } : {}),
        message: p['Message'] ?? '',
      });
      queryOk(res, SNS_NS, action, `<MessageId>sim-message-${fake.published.length}</MessageId>`);
      return;
    }
    const ids = list(p, 'InstanceId');
    const group = ids.length > 0 ? w.instances.get(ids[0]!)?.group : undefined;
    try {
      const result = ec2(w, action, p);
      fake.calls.push({ service: 'ec2', action, at: w.now, ...(group ? { group } : {}) });
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(`<${action}Response xmlns="${EC2_NS}"><requestId>sim</requestId>${result}</${action}Response>`);
    } catch (error) {
      const e = error instanceof ApiError ? error : new ApiError('InternalError', String(error), 500);
      fake.calls.push({ service: 'ec2', action, at: w.now, error: e.code, ...(group ? { group } : {}) });
      res.writeHead(e.status, { 'content-type': 'text/xml' });
      res.end(
        `<Response><Errors><Error><Code>${e.code}</Code><Message>${esc(e.message)}</Message></Error></Errors><RequestID>sim</RequestID></Response>`,
      );
    }
  };
  server = createServer((req, res) => {
    body(req).then(
      (text) => handle(req, res, text),
      (error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      },
    );
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  (fake as { endpoint: string }).endpoint = `http://127.0.0.1:${port}`;
  return fake;
}
