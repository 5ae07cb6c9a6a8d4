/**
 * Auto Scaling's operations (awsQuery), answered from a {@link CloudState}. Limits as AWS documents
 * them (API references of each operation, e.g.
 * https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeWarmPool.html):
 * DescribeAutoScalingGroups and DescribeScalingActivities take `MaxRecords` ≤ 100 (and at most 50
 * `ActivityIds`), DescribeWarmPool ≤ 50; over it, `ValidationError`. A group carries at most 50 tags.
 */
import { SCALING_PROCESSES } from '../lambda/config';
import type { ActivityView, AsgInstanceView, CloudState, GroupView } from './state';
import {
  ApiError,
  esc,
  iso,
  list,
  maxRecords,
  type Operation,
  type Params,
  page,
  type QueryService,
  structs,
} from './wire';

export const AUTOSCALING_NS = 'http://autoscaling.amazonaws.com/doc/2011-01-01/';

function instanceXml(i: AsgInstanceView): string {
  const template = i.launchTemplate
    ? `<LaunchTemplate><LaunchTemplateId>${i.launchTemplate.id}</LaunchTemplateId><LaunchTemplateName>${esc(i.launchTemplate.name)}</LaunchTemplateName><Version>${i.launchTemplate.version}</Version></LaunchTemplate>`
    : '';
  return `<member><InstanceId>${i.id}</InstanceId><InstanceType>${i.type}</InstanceType><AvailabilityZone>${i.zone}</AvailabilityZone><LifecycleState>${i.lifecycle}</LifecycleState><HealthStatus>${i.health}</HealthStatus>${template}<ProtectedFromScaleIn>${i.protectedFromScaleIn}</ProtectedFromScaleIn></member>`;
}

function groupXml(g: GroupView): string {
  const suspended = g.suspended
    .map(
      (s) =>
        `<member><ProcessName>${s.process}</ProcessName><SuspensionReason>${esc(s.reason)}</SuspensionReason></member>`,
    )
    .join('');
  const tags = [...g.tags]
    .map(
      ([k, v]) =>
        `<member><ResourceId>${esc(g.name)}</ResourceId><ResourceType>auto-scaling-group</ResourceType><Key>${esc(k)}</Key><Value>${esc(v)}</Value><PropagateAtLaunch>false</PropagateAtLaunch></member>`,
    )
    .join('');
  const mixed = g.mixedInstancesPolicy ? '<MixedInstancesPolicy></MixedInstancesPolicy>' : '';
  const protectNew =
    g.newInstancesProtectedFromScaleIn === undefined
      ? ''
      : `<NewInstancesProtectedFromScaleIn>${g.newInstancesProtectedFromScaleIn}</NewInstancesProtectedFromScaleIn>`;
  const warm = g.warmPool
    ? `<WarmPoolConfiguration><MinSize>${g.warmPool.minSize}</MinSize><PoolState>Stopped</PoolState></WarmPoolConfiguration><WarmPoolSize>${g.warmPool.size}</WarmPoolSize>`
    : '';
  const rebalance =
    g.capacityRebalance === undefined ? '' : `<CapacityRebalance>${g.capacityRebalance}</CapacityRebalance>`;
  const zones = g.zones.map((z) => `<member>${z}</member>`).join('');
  const template = g.launchTemplate
    ? `<LaunchTemplate><LaunchTemplateId>${esc(g.launchTemplate.id)}</LaunchTemplateId><LaunchTemplateName>${esc(g.launchTemplate.name)}</LaunchTemplateName><Version>$Default</Version></LaunchTemplate>`
    : '';
  return `<member><AutoScalingGroupName>${esc(g.name)}</AutoScalingGroupName><AutoScalingGroupARN>${esc(g.arn)}</AutoScalingGroupARN>${template}${mixed}<MinSize>${g.minSize}</MinSize><MaxSize>${g.maxSize}</MaxSize><DesiredCapacity>${g.desired}</DesiredCapacity><DefaultCooldown>300</DefaultCooldown><AvailabilityZones>${zones}</AvailabilityZones><HealthCheckType>${g.healthCheckType}</HealthCheckType><HealthCheckGracePeriod>${g.gracePeriodS}</HealthCheckGracePeriod><CreatedTime>2025-11-02T09:00:00Z</CreatedTime><Instances>${g.instances.map(instanceXml).join('')}</Instances><SuspendedProcesses>${suspended}</SuspendedProcesses><Tags>${tags}</Tags>${protectNew}${warm}${rebalance}</member>`;
}

function activityXml(a: ActivityView): string {
  const end = a.end !== undefined ? `<EndTime>${iso(a.end)}</EndTime>` : '';
  return `<member><ActivityId>${esc(a.id)}</ActivityId><AutoScalingGroupName>${esc(a.group)}</AutoScalingGroupName><Description>${esc(a.description)}</Description><Cause>${esc(a.cause)}</Cause><StartTime>${iso(a.start)}</StartTime>${end}<StatusCode>${a.status}</StatusCode><Progress>${a.progress}</Progress><Details>${esc(a.details)}</Details><AutoScalingGroupARN>${esc(a.groupArn)}</AutoScalingGroupARN></member>`;
}

function named(state: CloudState, name: string | undefined): GroupView {
  const g = name === undefined ? undefined : state.group(name);
  if (g === undefined)
    throw new ApiError('ValidationError', `AutoScalingGroup name not found - ${name ?? ''}`);
  return g;
}

function nextToken(next: string | undefined): string {
  return next ? `<NextToken>${next}</NextToken>` : '';
}

type AsgOperation = Operation<CloudState, Params, string>;

const processes =
  (change: 'suspend' | 'resume'): AsgOperation =>
  ({ state }, p) => {
    const g = named(state, p['AutoScalingGroupName']);
    const asked = list(p, 'ScalingProcesses');
    // No process named: every process (API reference).
    const chosen = asked.length === 0 ? [...SCALING_PROCESSES] : asked;
    if (change === 'suspend') state.suspendProcesses(g.name, chosen);
    else state.resumeProcesses(g.name, chosen);
    return '';
  };

const tags =
  (change: 'set' | 'delete'): AsgOperation =>
  ({ state }, p) => {
    for (const t of structs(p, 'Tags')) {
      const g = named(state, t['ResourceId']);
      if (change === 'set') {
        if (!g.tags.has(t['Key']!) && g.tags.size >= 50)
          throw new ApiError(
            'LimitExceeded',
            'The quota for tags per Auto Scaling group (50) has been reached',
          );
        state.setTag(g.name, t['Key']!, t['Value'] ?? '');
      } else state.deleteTag(g.name, t['Key']!);
    }
    return '';
  };

/** Auto Scaling's operations by name. */
export const AUTO_SCALING_OPERATIONS: Readonly<Record<string, AsgOperation>> = {
  DescribeAutoScalingGroups: ({ state }, p) => {
    const size = maxRecords(p, 'MaxRecords', 100, 50);
    const names = list(p, 'AutoScalingGroupNames');
    const filters = structs(p, 'Filters');
    const found = state.groups().filter((g) => {
      if (names.length > 0 && !names.includes(g.name)) return false;
      for (const f of filters) {
        const values = list(f, 'Values');
        if (f['Name'] === 'tag-key' && !values.some((v) => g.tags.has(v))) return false;
      }
      return true;
    });
    const { items, next } = page(found, p['NextToken'], size);
    return `<AutoScalingGroups>${items.map(groupXml).join('')}</AutoScalingGroups>${nextToken(next)}`;
  },
  DescribeWarmPool: ({ state }, p) => {
    const size = maxRecords(p, 'MaxRecords', 50, 50);
    const g = named(state, p['AutoScalingGroupName']);
    const warm = state.warmPool(g.name);
    if (!g.warmPool || warm === undefined) return '<Instances></Instances>';
    const { items, next } = page(warm, p['NextToken'], size);
    return `<WarmPoolConfiguration><MinSize>${g.warmPool.minSize}</MinSize><PoolState>Stopped</PoolState></WarmPoolConfiguration><Instances>${items.map(instanceXml).join('')}</Instances>${nextToken(next)}`;
  },
  DescribeScalingActivities: ({ state }, p) => {
    const size = maxRecords(p, 'MaxRecords', 100, 100);
    const name = p['AutoScalingGroupName'];
    const ids = list(p, 'ActivityIds');
    if (ids.length > 50)
      throw new ApiError(
        'ValidationError',
        `1 validation error detected: Value at 'activityIds' failed to satisfy constraint: Member must have length less than or equal to 50`,
      );
    const found = state
      .activities()
      .filter((a) => (name === undefined || a.group === name) && (ids.length === 0 || ids.includes(a.id)))
      .sort((a, b) => b.start - a.start);
    const { items, next } = page(found, p['NextToken'], size);
    return `<Activities>${items.map(activityXml).join('')}</Activities>${nextToken(next)}`;
  },
  DescribeLifecycleHooks: ({ state }, p) => {
    const g = named(state, p['AutoScalingGroupName']);
    const hook = g.launchHook;
    if (!hook) return '<LifecycleHooks></LifecycleHooks>';
    const global = Math.min(100 * hook.heartbeatTimeoutS, 172_800);
    return `<LifecycleHooks><member><LifecycleHookName>${esc(hook.name)}</LifecycleHookName><AutoScalingGroupName>${esc(g.name)}</AutoScalingGroupName><LifecycleTransition>autoscaling:EC2_INSTANCE_LAUNCHING</LifecycleTransition><HeartbeatTimeout>${hook.heartbeatTimeoutS}</HeartbeatTimeout><GlobalTimeout>${global}</GlobalTimeout><DefaultResult>CONTINUE</DefaultResult></member></LifecycleHooks>`;
  },
  SuspendProcesses: processes('suspend'),
  ResumeProcesses: processes('resume'),
  CreateOrUpdateTags: tags('set'),
  DeleteTags: tags('delete'),
};

/** The group an Auto Scaling call names, for per-group call counts. */
export function autoScalingCallGroup(p: Params): string | undefined {
  return p['AutoScalingGroupName'] ?? p['AutoScalingGroupNames.member.1'] ?? p['Tags.member.1.ResourceId'];
}

/** Auto Scaling as a service of the fake cloud. */
export const AUTO_SCALING: QueryService<CloudState> = {
  protocol: 'awsQuery',
  service: 'autoscaling',
  version: '2011-01-01',
  namespace: AUTOSCALING_NS,
  unknownCode: 'InvalidAction',
  operations: AUTO_SCALING_OPERATIONS,
};
