/**
 * A small local stand-in for Auto Scaling, SNS, EC2 (DescribeImages, DescribeInstances) and ECS,
 * on 127.0.0.1, speaking the services' real wire protocols, so that the unchanged SDK clients of
 * the guard reach it through `AWS_ENDPOINT_URL_AUTO_SCALING`, `AWS_ENDPOINT_URL_SNS`,
 * `AWS_ENDPOINT_URL_EC2` and `AWS_ENDPOINT_URL_ECS`.
 *
 * `@aws-sdk/client-auto-scaling` and `@aws-sdk/client-sns` 3.1169.0 use the awsQuery protocol
 * (form-encoded POST, `Action` and `Version` parameters, XML answers); `@aws-sdk/client-ec2` uses
 * the EC2 query protocol (the same requests, lower-camel XML answers), told apart by `Version`.
 * `@aws-sdk/client-ecs` uses JSON 1.1: a JSON POST with
 * `X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>`, JSON answers, errors as
 * `{"__type": "<Code>", "message": …}`. SQS (the deadline queue, JSON 1.0) and IAM with
 * `DescribeLaunchTemplateVersions` (the instance-role check) are answered by demo/fake-sqs.ts
 * and demo/fake-iam.ts.
 *
 * It holds state only; what happens to it over time (launches, health, terminations) is the
 * caller's to write (the demo advances it to each event's delivery time).
 */

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeLaunchTemplateVersions, type FakeIam, fakeIam, iamAnswer, iamError } from './fake-iam';
import { type FakeQueue, fakeQueue, sqsAnswer, sqsError } from './fake-sqs';

/** An instance of a fake group. */
export interface FakeInstance {
  readonly instanceId: string;
  lifecycleState: string;
  healthStatus: string;
  /** @default 'inf2.xlarge' */
  readonly instanceType?: string;
  /** Scale-in protection (ECS managed termination protection sets it). @default false */
  protectedFromScaleIn?: boolean;
}

/** One scaling activity, as DescribeScalingActivities shows it. Times are epoch ms. */
export interface FakeActivity {
  readonly activityId: string;
  /** `Launching a new EC2 instance: i-…` or `Terminating EC2 instance: i-…`. */
  readonly description: string;
  /** Auto Scaling's own words, e.g. `At … an instance was taken out of service in response to …`. */
  readonly cause: string;
  readonly startTime: number;
  endTime?: number;
  statusCode: string;
}

/** A fake Auto Scaling group: what DescribeAutoScalingGroups shows. */
export interface FakeGroup {
  readonly name: string;
  readonly arn: string;
  readonly healthCheckGracePeriod: number;
  readonly tags: Map<string, string>;
  readonly suspended: Set<string>;
  readonly instances: Map<string, FakeInstance>;
  desired: number;
  /** @default 4 */
  maxSize?: number;
  /** The group's scaling activities, in any order (the fake answers newest first). */
  activities?: FakeActivity[];
  /** The group's launch template (its default version is in `iam.launchTemplates`). */
  launchTemplate?: { readonly id: string; readonly name: string };
}

/** An EC2 instance as DescribeInstances shows it (kept after it terminated, as EC2 does for a while). */
export interface FakeEc2Instance {
  readonly instanceId: string;
  readonly imageId: string;
  readonly instanceType: string;
  readonly launchTime: number;
  /** `pending`, `running`, `stopping`, `stopped`, `shutting-down`, `terminated`. */
  state: string;
  /** e.g. `{ code: 'Client.InstanceInitiatedShutdown', message: 'Client.InstanceInitiatedShutdown: Instance initiated shutdown' }`. */
  stateReason?: { readonly code: string; readonly message: string };
}

/** An ECS cluster of the fake. */
export interface FakeCluster {
  readonly name: string;
  readonly arn: string;
  readonly capacityProviders: string[];
  /** Its container instances (registered EC2 instances). */
  readonly containerInstances: FakeContainerInstance[];
  pendingTasks: number;
}

/** A container instance: an EC2 instance whose ECS agent registered with the cluster. */
export interface FakeContainerInstance {
  readonly arn: string;
  readonly ec2InstanceId: string;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE' | 'REGISTERING' | 'REGISTRATION_FAILED';
  agentConnected: boolean;
  readonly capacityProviderName?: string;
}

/** An ECS capacity provider of the fake (Auto Scaling group kind). */
export interface FakeCapacityProvider {
  readonly name: string;
  readonly arn: string;
  readonly autoScalingGroupArn: string;
}

/** The fake's ECS state. */
export interface FakeEcs {
  readonly clusters: Map<string, FakeCluster>;
  readonly capacityProviders: Map<string, FakeCapacityProvider>;
}

/** One request the fake answered, for the demo's timeline. */
export interface FakeCall {
  readonly service: 'autoscaling' | 'sns' | 'ec2' | 'ecs' | 'sqs' | 'iam';
  readonly action: string;
  /** Query parameters; for ECS, the JSON body's members (non-strings as JSON text). */
  readonly params: Readonly<Record<string, string>>;
}

/** A published SNS message. */
export interface FakePublish {
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** An error the fake answers instead of acting (a test's injected failure). */
export interface FakeFailure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/**
 * A test's hooks into the fake (the demo sets none). Each may return a promise to hold the call
 * there: `received` before the fake acts (and may answer an error instead), `answering` after it
 * acted but before the caller hears of it (the call is "in flight" for the caller).
 */
export interface FakeHooks {
  received?(call: FakeCall): Promise<FakeFailure | undefined> | FakeFailure | undefined;
  answering?(call: FakeCall): Promise<void> | void;
}

/** The running fake. */
export interface FakeAws {
  readonly endpoint: string;
  readonly groups: Map<string, FakeGroup>;
  readonly images: Map<string, { name: string; description: string }>;
  /** What EC2 DescribeInstances knows, by instance id. */
  readonly instances: Map<string, FakeEc2Instance>;
  readonly ecs: FakeEcs;
  readonly calls: FakeCall[];
  readonly published: FakePublish[];
  /** The guard's deadline queue (demo/fake-sqs.ts). */
  readonly sqs: FakeQueue;
  /** Instance profiles, roles and launch templates (demo/fake-iam.ts). */
  readonly iam: FakeIam;
  hooks: FakeHooks;
  close(): Promise<void>;
}

/** An answer, built before it is sent (so that a hook can hold it). */
interface Reply {
  readonly status: number;
  readonly body: string;
}

const AUTOSCALING_NS = 'http://autoscaling.amazonaws.com/doc/2011-01-01/';
const SNS_NS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** `Prefix.member.N` (awsQuery) or `Prefix.N` (EC2) lists from flat parameters. */
function list(params: Record<string, string>, prefix: string): string[] {
  const out: [number, string][] = [];
  for (const [k, v] of Object.entries(params)) {
    const m = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(?:member\\.)?(\\d+)$`).exec(k);
    if (m) out.push([Number(m[1]), v]);
  }
  return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** `Prefix.member.N.Field` structures. */
function structs(params: Record<string, string>, prefix: string): Record<string, string>[] {
  const byIndex = new Map<number, Record<string, string>>();
  for (const [k, v] of Object.entries(params)) {
    const m = new RegExp(`^${prefix}\\.member\\.(\\d+)\\.(.+)$`).exec(k);
    if (!m) continue;
    const i = Number(m[1]);
    const s = byIndex.get(i) ?? {};
    s[m[2]!] = v;
    byIndex.set(i, s);
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
}

function groupXml(g: FakeGroup): string {
  const instances = [...g.instances.values()]
    .map(
      (i) =>
        `<member><InstanceId>${i.instanceId}</InstanceId><InstanceType>${i.instanceType ?? 'inf2.xlarge'}</InstanceType><AvailabilityZone>eu-west-1a</AvailabilityZone><LifecycleState>${i.lifecycleState}</LifecycleState><HealthStatus>${i.healthStatus}</HealthStatus><ProtectedFromScaleIn>${i.protectedFromScaleIn === true}</ProtectedFromScaleIn></member>`,
    )
    .join('');
  const suspended = [...g.suspended]
    .map(
      (p) =>
        `<member><ProcessName>${p}</ProcessName><SuspensionReason>User suspended</SuspensionReason></member>`,
    )
    .join('');
  const tags = [...g.tags]
    .map(
      ([k, v]) =>
        `<member><ResourceId>${esc(g.name)}</ResourceId><ResourceType>auto-scaling-group</ResourceType><Key>${esc(k)}</Key><Value>${esc(v)}</Value><PropagateAtLaunch>false</PropagateAtLaunch></member>`,
    )
    .join('');
  return `<member><AutoScalingGroupName>${esc(g.name)}</AutoScalingGroupName><AutoScalingGroupARN>${esc(g.arn)}</AutoScalingGroupARN><MinSize>0</MinSize><MaxSize>${g.maxSize ?? 4}</MaxSize><DesiredCapacity>${g.desired}</DesiredCapacity><DefaultCooldown>300</DefaultCooldown><AvailabilityZones><member>eu-west-1a</member></AvailabilityZones><HealthCheckType>EC2</HealthCheckType><HealthCheckGracePeriod>${g.healthCheckGracePeriod}</HealthCheckGracePeriod><CreatedTime>2025-11-02T09:00:00Z</CreatedTime><Instances>${instances}</Instances><SuspendedProcesses>${suspended}</SuspendedProcesses><Tags>${tags}</Tags>${g.launchTemplate === undefined ? '' : `<LaunchTemplate><LaunchTemplateId>${esc(g.launchTemplate.id)}</LaunchTemplateId><LaunchTemplateName>${esc(g.launchTemplate.name)}</LaunchTemplateName><Version>$Default</Version></LaunchTemplate>`}</member>`;
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

function activityXml(g: FakeGroup, a: FakeActivity): string {
  const end = a.endTime !== undefined ? `<EndTime>${isoTime(a.endTime)}</EndTime>` : '';
  const progress = a.statusCode === 'Successful' ? 100 : 50;
  return `<member><ActivityId>${esc(a.activityId)}</ActivityId><AutoScalingGroupName>${esc(g.name)}</AutoScalingGroupName><AutoScalingGroupARN>${esc(g.arn)}</AutoScalingGroupARN><Description>${esc(a.description)}</Description><Cause>${esc(a.cause)}</Cause><StartTime>${isoTime(a.startTime)}</StartTime>${end}<StatusCode>${a.statusCode}</StatusCode><Progress>${progress}</Progress><Details>${esc('{"Subnet ID":"subnet-0a1b2c3d4e5f60789","Availability Zone":"eu-west-1a"}')}</Details></member>`;
}

function queryError(ns: string, code: string, message: string, status = 400): Reply {
  return {
    status,
    body: `<ErrorResponse xmlns="${ns}"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${code}</Code><Message>${esc(message)}</Message></Error><RequestId>demo</RequestId></ErrorResponse>`,
  };
}

function ok(ns: string, action: string, result: string): Reply {
  return {
    status: 200,
    body: `<${action}Response xmlns="${ns}">${result === '' ? '' : `<${action}Result>${result}</${action}Result>`}<ResponseMetadata><RequestId>demo-${Date.now()}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

function autoScaling(fake: FakeAws, action: string, p: Record<string, string>): Reply {
  const named = (name: string | undefined): FakeGroup | undefined =>
    name ? fake.groups.get(name) : undefined;
  switch (action) {
    case 'DescribeAutoScalingGroups': {
      const names = list(p, 'AutoScalingGroupNames');
      const tagKey =
        p['Filters.member.1.Name'] === 'tag-key' ? p['Filters.member.1.Values.member.1'] : undefined;
      const found = [...fake.groups.values()].filter(
        (g) => (names.length === 0 || names.includes(g.name)) && (tagKey === undefined || g.tags.has(tagKey)),
      );
      return ok(
        AUTOSCALING_NS,
        action,
        `<AutoScalingGroups>${found.map(groupXml).join('')}</AutoScalingGroups>`,
      );
    }
    case 'DescribeWarmPool':
      return ok(AUTOSCALING_NS, action, '<Instances></Instances>');
    case 'DescribeScalingActivities': {
      const g = named(p['AutoScalingGroupName']);
      if (g === undefined) return ok(AUTOSCALING_NS, action, '<Activities></Activities>');
      // Newest first, at most MaxRecords (default and maximum 100), NextToken an offset.
      const max = Math.min(100, Number(p['MaxRecords'] ?? 100) || 100);
      const from = Number(p['NextToken'] ?? 0) || 0;
      const all = [...(g.activities ?? [])].sort((a, b) => b.startTime - a.startTime);
      const page = all.slice(from, from + max);
      const next = from + max < all.length ? `<NextToken>${from + max}</NextToken>` : '';
      return ok(
        AUTOSCALING_NS,
        action,
        `<Activities>${page.map((a) => activityXml(g, a)).join('')}</Activities>${next}`,
      );
    }
    case 'DescribeLifecycleHooks':
      // The demo's groups have no lifecycle hook.
      return ok(AUTOSCALING_NS, action, '<LifecycleHooks></LifecycleHooks>');
    case 'SuspendProcesses':
    case 'ResumeProcesses': {
      const g = named(p['AutoScalingGroupName']);
      if (g === undefined)
        return queryError(AUTOSCALING_NS, 'ValidationError', 'AutoScalingGroup name not found');
      for (const proc of list(p, 'ScalingProcesses')) {
        if (action === 'SuspendProcesses') g.suspended.add(proc);
        else g.suspended.delete(proc);
      }
      return ok(AUTOSCALING_NS, action, '');
    }
    case 'CreateOrUpdateTags':
    case 'DeleteTags': {
      for (const t of structs(p, 'Tags')) {
        const g = named(t['ResourceId']);
        if (g === undefined)
          return queryError(AUTOSCALING_NS, 'ValidationError', 'AutoScalingGroup name not found');
        if (action === 'CreateOrUpdateTags') g.tags.set(t['Key']!, t['Value'] ?? '');
        else g.tags.delete(t['Key']!);
      }
      return ok(AUTOSCALING_NS, action, '');
    }
    default:
      return queryError(AUTOSCALING_NS, 'InvalidAction', `${action} is not answered by the demo`);
  }
}

function sns(fake: FakeAws, action: string, p: Record<string, string>): Reply {
  if (action !== 'Publish')
    return queryError(SNS_NS, 'InvalidAction', `${action} is not answered by the demo`);
  const attributes: Record<string, string> = {};
  for (const e of structs(p, 'MessageAttributes.entry')) {
    if (e['Name'] !== undefined) attributes[e['Name']] = e['Value.StringValue'] ?? '';
  }
  // SNS encodes its map as MessageAttributes.entry.N.Name / .Value.*: read that form too.
  for (const [k, v] of Object.entries(p)) {
    const m = /^MessageAttributes\.entry\.(\d+)\.Name$/.exec(k);
    if (m) attributes[v] = p[`MessageAttributes.entry.${m[1]}.Value.StringValue`] ?? '';
  }
  fake.published.push({
    topicArn: p['TopicArn'] ?? '',
    ...(p['Subject'] !== undefined ? { subject: p['Subject'] } : {}),
    message: p['Message'] ?? '',
    attributes,
  });
  return ok(SNS_NS, action, `<MessageId>demo-message-${fake.published.length}</MessageId>`);
}

function ec2Error(code: string, message: string, status = 400): Reply {
  return {
    status,
    body: `<Response><Errors><Error><Code>${code}</Code><Message>${esc(message)}</Message></Error></Errors><RequestID>demo</RequestID></Response>`,
  };
}

/** EC2's numeric state codes (API reference, InstanceState). */
const EC2_STATE_CODE: Readonly<Record<string, number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

function describeInstances(fake: FakeAws, p: Record<string, string>): Reply {
  const ids = list(p, 'InstanceId');
  // Like EC2, one unknown id fails the whole call.
  const unknown = ids.find((id) => !fake.instances.has(id));
  if (unknown !== undefined)
    return ec2Error('InvalidInstanceID.NotFound', `The instance ID '${unknown}' does not exist`);
  const items = ids
    .map((id) => fake.instances.get(id)!)
    .map((i) => {
      const reason =
        i.stateReason === undefined
          ? ''
          : `<stateReason><code>${esc(i.stateReason.code)}</code><message>${esc(i.stateReason.message)}</message></stateReason>`;
      return `<item><reservationId>r-0${i.instanceId.slice(2, 18)}</reservationId><ownerId>123456789012</ownerId><groupSet/><instancesSet><item><instanceId>${i.instanceId}</instanceId><imageId>${i.imageId}</imageId><instanceState><code>${EC2_STATE_CODE[i.state] ?? 0}</code><name>${i.state}</name></instanceState><instanceType>${i.instanceType}</instanceType><launchTime>${isoTime(i.launchTime)}</launchTime><placement><availabilityZone>eu-west-1a</availabilityZone><tenancy>default</tenancy></placement>${reason}<architecture>x86_64</architecture></item></instancesSet></item>`;
    })
    .join('');
  return {
    status: 200,
    body: `<DescribeInstancesResponse xmlns="${EC2_NS}"><requestId>demo</requestId><reservationSet>${items}</reservationSet></DescribeInstancesResponse>`,
  };
}

function ec2(fake: FakeAws, action: string, p: Record<string, string>): Reply {
  if (action === 'DescribeInstances') return describeInstances(fake, p);
  if (action === 'DescribeLaunchTemplateVersions') return describeLaunchTemplateVersions(fake.iam, p);
  if (action !== 'DescribeImages') return ec2Error('InvalidAction', `${action} is not answered by the demo`);
  const items = list(p, 'ImageId')
    .flatMap((id) => {
      const image = fake.images.get(id);
      return image === undefined
        ? []
        : [
            `<item><imageId>${id}</imageId><name>${esc(image.name)}</name><description>${esc(image.description)}</description><imageOwnerAlias>amazon</imageOwnerAlias><architecture>x86_64</architecture><imageState>available</imageState><public>true</public></item>`,
          ];
    })
    .join('');
  return {
    status: 200,
    body: `<DescribeImagesResponse xmlns="${EC2_NS}"><requestId>demo</requestId><imagesSet>${items}</imagesSet></DescribeImagesResponse>`,
  };
}

const ECS_TARGET = 'AmazonEC2ContainerServiceV20141113.';
const SQS_TARGET = 'AmazonSQS.';

function ecsError(code: string, message: string, status = 400): Reply {
  return { status, body: JSON.stringify({ __type: code, message }) };
}

function ecsOk(result: Record<string, unknown>): Reply {
  return { status: 200, body: JSON.stringify(result) };
}

/** A page of `items` from a `nextToken` (an offset here) and `maxResults`. */
function ecsPage<T>(
  items: readonly T[],
  body: Record<string, unknown>,
  limit: number,
): { page: T[]; nextToken?: string } {
  const max = Math.min(limit, Number(body['maxResults'] ?? limit) || limit);
  const from = Number(body['nextToken'] ?? 0) || 0;
  const page = items.slice(from, from + max);
  return from + max < items.length ? { page, nextToken: String(from + max) } : { page };
}

/**
 * The ids a `ListContainerInstances` filter asks for. The demo understands the cluster query
 * language's `ec2InstanceId in ['i-1', 'i-2']` and `ec2InstanceId == 'i-1'`, which is what the
 * guard sends; anything else is refused, as ECS refuses a filter it cannot parse.
 */
function filterIds(filter: string): string[] | undefined {
  const inList = /^\s*ec2InstanceId\s+in\s+\[(.*)\]\s*$/.exec(filter);
  const one = /^\s*ec2InstanceId\s*==\s*'([^']*)'\s*$/.exec(filter);
  if (one) return [one[1]!];
  if (!inList) return undefined;
  return [...inList[1]!.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
}

function clusterNamed(fake: FakeAws, nameOrArn: unknown): FakeCluster | undefined {
  const key = typeof nameOrArn === 'string' && nameOrArn !== '' ? nameOrArn : 'default';
  return [...fake.ecs.clusters.values()].find((c) => c.name === key || c.arn === key);
}

function ecs(fake: FakeAws, action: string, body: Record<string, unknown>): Reply {
  switch (action) {
    case 'DescribeCapacityProviders': {
      // Every account also has the FARGATE providers, which have no Auto Scaling group.
      const names = Array.isArray(body['capacityProviders']) ? (body['capacityProviders'] as string[]) : [];
      const all = [
        ...[...fake.ecs.capacityProviders.values()].map((cp) => ({
          capacityProviderArn: cp.arn,
          name: cp.name,
          status: 'ACTIVE',
          autoScalingGroupProvider: {
            autoScalingGroupArn: cp.autoScalingGroupArn,
            managedScaling: {
              status: 'ENABLED',
              targetCapacity: 100,
              minimumScalingStepSize: 1,
              maximumScalingStepSize: 10000,
              instanceWarmupPeriod: 300,
            },
            managedTerminationProtection: 'ENABLED',
            managedDraining: 'ENABLED',
          },
          tags: [],
        })),
        { name: 'FARGATE', status: 'ACTIVE', tags: [] },
        { name: 'FARGATE_SPOT', status: 'ACTIVE', tags: [] },
      ].filter(
        (cp) =>
          names.length === 0 ||
          names.includes(cp.name) ||
          ('capacityProviderArn' in cp && names.includes(cp.capacityProviderArn)),
      );
      // maxResults: 1-10 (API reference).
      const { page, nextToken } = ecsPage(all, body, 10);
      return ecsOk({ capacityProviders: page, failures: [], ...(nextToken ? { nextToken } : {}) });
    }
    case 'ListClusters': {
      const { page, nextToken } = ecsPage(
        [...fake.ecs.clusters.values()].map((c) => c.arn),
        body,
        100,
      );
      return ecsOk({ clusterArns: page, ...(nextToken ? { nextToken } : {}) });
    }
    case 'DescribeClusters': {
      const asked = Array.isArray(body['clusters']) ? (body['clusters'] as string[]) : ['default'];
      const clusters: Record<string, unknown>[] = [];
      const failures: Record<string, unknown>[] = [];
      for (const name of asked) {
        const c = clusterNamed(fake, name);
        if (c === undefined) {
          failures.push({ arn: name, reason: 'MISSING' });
          continue;
        }
        clusters.push({
          clusterArn: c.arn,
          clusterName: c.name,
          status: 'ACTIVE',
          registeredContainerInstancesCount: c.containerInstances.filter((i) => i.status !== 'INACTIVE')
            .length,
          runningTasksCount: 0,
          pendingTasksCount: c.pendingTasks,
          activeServicesCount: 1,
          capacityProviders: c.capacityProviders,
          defaultCapacityProviderStrategy: c.capacityProviders.map((p) => ({
            capacityProvider: p,
            weight: 1,
          })),
        });
      }
      return ecsOk({ clusters, failures });
    }
    case 'ListContainerInstances': {
      const c = clusterNamed(fake, body['cluster']);
      if (c === undefined) return ecsError('ClusterNotFoundException', 'Cluster not found.');
      const filter = typeof body['filter'] === 'string' ? body['filter'] : undefined;
      const ids = filter === undefined ? undefined : filterIds(filter);
      if (filter !== undefined && ids === undefined)
        return ecsError('InvalidParameterException', `The demo cannot read the filter: ${filter}`);
      // Without a status, every container instance but the INACTIVE ones (API reference).
      const status = typeof body['status'] === 'string' ? body['status'] : undefined;
      const found = c.containerInstances.filter(
        (i) =>
          (status === undefined ? i.status !== 'INACTIVE' : i.status === status) &&
          (ids === undefined || ids.includes(i.ec2InstanceId)),
      );
      const { page, nextToken } = ecsPage(
        found.map((i) => i.arn),
        body,
        100,
      );
      return ecsOk({ containerInstanceArns: page, ...(nextToken ? { nextToken } : {}) });
    }
    case 'DescribeContainerInstances': {
      const c = clusterNamed(fake, body['cluster']);
      if (c === undefined) return ecsError('ClusterNotFoundException', 'Cluster not found.');
      const asked = Array.isArray(body['containerInstances']) ? (body['containerInstances'] as string[]) : [];
      if (asked.length === 0 || asked.length > 100)
        return ecsError('InvalidParameterException', 'containerInstances must hold 1 to 100 items.');
      const containerInstances: Record<string, unknown>[] = [];
      const failures: Record<string, unknown>[] = [];
      for (const ref of asked) {
        const i = c.containerInstances.find((ci) => ci.arn === ref || ci.arn.endsWith(`/${ref}`));
        if (i === undefined) {
          failures.push({ arn: ref, reason: 'MISSING' });
          continue;
        }
        containerInstances.push({
          containerInstanceArn: i.arn,
          ec2InstanceId: i.ec2InstanceId,
          status: i.status,
          agentConnected: i.agentConnected,
          ...(i.capacityProviderName ? { capacityProviderName: i.capacityProviderName } : {}),
          runningTasksCount: 0,
          pendingTasksCount: 0,
        });
      }
      return ecsOk({ containerInstances, failures });
    }
    default:
      return ecsError('InvalidAction', `${action} is not answered by the demo`);
  }
}

/** Act on one call (unless a hook fails it first) and build the answer. */
async function answer(fake: FakeAws, call: FakeCall): Promise<Reply> {
  const failure = await fake.hooks.received?.(call);
  if (failure !== undefined) {
    if (call.service === 'ecs') return ecsError(failure.code, failure.message, failure.status);
    if (call.service === 'sqs') return sqsError(failure.code, failure.message, failure.status);
    if (call.service === 'iam') return iamError(failure.code, failure.message, failure.status);
    return call.service === 'ec2'
      ? ec2Error(failure.code, failure.message, failure.status)
      : queryError(
          call.service === 'sns' ? SNS_NS : AUTOSCALING_NS,
          failure.code,
          failure.message,
          failure.status,
        );
  }
  if (call.service === 'autoscaling') return autoScaling(fake, call.action, call.params);
  if (call.service === 'sns') return sns(fake, call.action, call.params);
  if (call.service === 'ecs') return ecs(fake, call.action, ecsBodies.get(call) ?? {});
  if (call.service === 'sqs') return sqsAnswer(fake.sqs, call.action, ecsBodies.get(call) ?? {}, Date.now());
  if (call.service === 'iam') return iamAnswer(fake.iam, call.action, call.params);
  return ec2(fake, call.action, call.params);
}

/** The parsed JSON body of each ECS call (its `params` hold the same members as text). */
const ecsBodies = new WeakMap<FakeCall, Record<string, unknown>>();

/** A JSON body's members as strings, for {@link FakeCall.params}. */
function flatParams(body: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  );
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Start the fake on a free loopback port. */
export async function startFakeAws(): Promise<FakeAws> {
  let server: Server | undefined;
  const fake: FakeAws = {
    endpoint: '',
    groups: new Map(),
    images: new Map(),
    instances: new Map(),
    ecs: { clusters: new Map(), capacityProviders: new Map() },
    calls: [],
    published: [],
    sqs: fakeQueue('', '123456789012', 'eu-west-1', 'launch-loop-guard-deadlines'),
    iam: fakeIam(),
    hooks: {},
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
  server = createServer((req, res) => {
    const handle = async (): Promise<void> => {
      const text = await body(req);
      const target = req.headers['x-amz-target'];
      const jsonService =
        typeof target !== 'string'
          ? undefined
          : target.startsWith(ECS_TARGET)
            ? ('ecs' as const)
            : target.startsWith(SQS_TARGET)
              ? ('sqs' as const)
              : undefined;
      if (typeof target === 'string' && jsonService !== undefined) {
        const json = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
        const call: FakeCall = {
          service: jsonService,
          action: target.slice(target.indexOf('.') + 1),
          params: flatParams(json),
        };
        ecsBodies.set(call, json);
        fake.calls.push(call);
        const reply = await answer(fake, call);
        await fake.hooks.answering?.(call);
        res.writeHead(reply.status, {
          'content-type': jsonService === 'sqs' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1',
        });
        res.end(reply.body);
        return;
      }
      const p = Object.fromEntries(new URLSearchParams(text));
      const action = p['Action'] ?? '';
      const version = p['Version'] ?? '';
      const service =
        version === '2011-01-01'
          ? 'autoscaling'
          : version === '2010-03-31'
            ? 'sns'
            : version === '2010-05-08'
              ? 'iam'
              : 'ec2';
      const call: FakeCall = { service, action, params: p };
      fake.calls.push(call);
      const reply = await answer(fake, call);
      await fake.hooks.answering?.(call);
      res.writeHead(reply.status, { 'content-type': 'text/xml' });
      res.end(reply.body);
    };
    handle().then(
      () => undefined,
      (error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      },
    );
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  (fake as { endpoint: string }).endpoint = `http://127.0.0.1:${port}`;
  (fake as { sqs: FakeQueue }).sqs = fakeQueue(
    fake.endpoint,
    '123456789012',
    'eu-west-1',
    'launch-loop-guard-deadlines',
  );
  return fake;
}
