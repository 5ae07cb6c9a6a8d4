/**
 * Auto Scaling adapter: reads a group's live state, suspends and resumes its processes, and
 * writes and removes the guard's tags. Thin: domain values in, SDK commands out, SDK failures
 * turned into typed results (expected) or {@link SuspendError} (everything else).
 */
import {
  type AutoScalingClient,
  type AutoScalingGroup,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeLifecycleHooksCommand,
  DescribeScalingActivitiesCommand,
  DescribeWarmPoolCommand,
  type Instance,
  ResumeProcessesCommand,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { SuspendError } from '../core/errors';
import type { Departure } from '../core/fate';
import { TAG } from '../core/group-settings';
import type { AsgSuspender, ChangeOutcome, GroupHistory, GroupSnapshot, TagOutcome } from '../ports';
import { awsCause } from './aws-error';
import { cachedClient } from './regional-clients';

/**
 * The IAM actions each user of this adapter needs, so that no function holds more than it calls:
 * the guard suspends and tags, auto-resume and the CLI's `resume` resume and untag, `status`
 * only reads. `describeGroup` needs DescribeWarmPool too, for groups with a warm pool.
 */
export const PERMISSIONS_FOR = {
  /** describeGroup, suspend, tagGroup; departures and launchHookMs to judge launches (read-only). */
  guard: [
    'autoscaling:DescribeAutoScalingGroups',
    'autoscaling:DescribeWarmPool',
    'autoscaling:SuspendProcesses',
    'autoscaling:CreateOrUpdateTags',
    'autoscaling:DescribeScalingActivities',
    'autoscaling:DescribeLifecycleHooks',
  ],
  /** describeGroup, resume, untagGroup. */
  resume: [
    'autoscaling:DescribeAutoScalingGroups',
    'autoscaling:DescribeWarmPool',
    'autoscaling:ResumeProcesses',
    'autoscaling:DeleteTags',
  ],
  /** listSuspendedGroups. */
  status: ['autoscaling:DescribeAutoScalingGroups'],
} as const;

/** Every IAM action this adapter can call (the union of {@link PERMISSIONS_FOR}). */
export const PERMISSIONS = [
  'autoscaling:DescribeAutoScalingGroups',
  'autoscaling:DescribeWarmPool',
  'autoscaling:SuspendProcesses',
  'autoscaling:ResumeProcesses',
  'autoscaling:DescribeScalingActivities',
  'autoscaling:DescribeLifecycleHooks',
  'autoscaling:CreateOrUpdateTags',
  'autoscaling:DeleteTags',
] as const;

/**
 * Page size of `DescribeWarmPool`. The API reference: "The maximum number of instances to return
 * with this call. The maximum value is 50." (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_DescribeWarmPool.html);
 * AWS refuses a larger value, so 100 made every warm-pool group unreadable.
 */
export const WARM_POOL_PAGE = 50;

/** Page size of `DescribeAutoScalingGroups` (the API's maximum: 100). */
export const GROUPS_PAGE = 100;

/** `DescribeScalingActivities` returns at most 100 activities a call (API reference: MaxRecords). */
export const ACTIVITIES_PER_CALL = 100;
/** The most `DescribeScalingActivities` pages one judgement reads (500 activities). */
export const ACTIVITY_PAGES = 5;
/** How long a departure that a full page-back did not find is not paged for again. */
const UNFOUND_MEMO_MS = 5 * 60_000;
/** Groups whose departures not found a container remembers. */
const UNFOUND_GROUPS = 100;

/** True for the error Auto Scaling gives for a group that does not exist (or is being deleted). */
export function isGroupGone(error: unknown): boolean {
  if (!(error instanceof Error) || errorCode(error) !== 'ValidationError') return false;
  return /not found|pending delete|being deleted/i.test(error.message);
}

/** True for the error Auto Scaling gives when a group cannot take more tags. */
export function isTagLimit(error: unknown): boolean {
  const code = error instanceof Error ? errorCode(error) : undefined;
  return code === 'LimitExceededFault' || code === 'LimitExceeded';
}

function errorCode(error: Error): string {
  const withCode = error as Error & { Code?: unknown; code?: unknown };
  if (typeof withCode.Code === 'string') return withCode.Code;
  if (typeof withCode.code === 'string') return withCode.code;
  return error.name;
}

/**
 * {@link AsgSuspender} over the AWS SDK. One client per region, made on first use.
 *
 * @example
 * const suspender = new AutoScalingSuspender((region) => new AutoScalingClient({ region }));
 */
export class AutoScalingSuspender implements AsgSuspender, GroupHistory {
  private readonly clients = new Map<string, AutoScalingClient>();

  /**
   * Per group, the instances whose departure a full page-back did not find, and when: later
   * judgements within {@link UNFOUND_MEMO_MS} do not page back for them again (a storm's many
   * delayed checks would otherwise each read {@link ACTIVITY_PAGES} pages). Bounded in size.
   */
  private readonly unfound = new Map<string, { readonly at: number; readonly ids: Set<string> }>();

  /**
   * @param clientFor makes the Auto Scaling client of a region
   * @param clock epoch ms (for the memo of departures not found)
   */
  constructor(
    private readonly clientFor: (region: string) => AutoScalingClient,
    private readonly clock: () => number = Date.now,
  ) {}

  /** @throws SuspendError when Auto Scaling fails (throttling, access denied, …) */
  async describeGroup(region: string, name: string): Promise<GroupSnapshot | undefined> {
    const client = this.client(region);
    const out = await this.call('DescribeAutoScalingGroups', region, name, () =>
      client.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })),
    );
    const group = out.AutoScalingGroups?.find((g) => g.AutoScalingGroupName === name);
    if (group === undefined) return undefined;
    const warm = group.WarmPoolConfiguration === undefined ? [] : await this.warmPool(region, name);
    return snapshot(group, warm);
  }

  /** @throws SuspendError when Auto Scaling fails for another reason than a missing group */
  async suspend(region: string, name: string, processes: readonly string[]): Promise<ChangeOutcome> {
    const client = this.client(region);
    return this.change('SuspendProcesses', region, name, () =>
      client.send(
        new SuspendProcessesCommand({ AutoScalingGroupName: name, ScalingProcesses: [...processes] }),
      ),
    );
  }

  /** @throws SuspendError when Auto Scaling fails for another reason than a missing group */
  async resume(region: string, name: string, processes: readonly string[]): Promise<ChangeOutcome> {
    const client = this.client(region);
    return this.change('ResumeProcesses', region, name, () =>
      client.send(
        new ResumeProcessesCommand({ AutoScalingGroupName: name, ScalingProcesses: [...processes] }),
      ),
    );
  }

  /** @throws SuspendError when Auto Scaling fails for another reason than a missing group or the tag limit */
  async tagGroup(region: string, name: string, tags: Readonly<Record<string, string>>): Promise<TagOutcome> {
    const client = this.client(region);
    const command = new CreateOrUpdateTagsCommand({
      Tags: Object.entries(tags).map(([Key, Value]) => ({
        ResourceId: name,
        ResourceType: 'auto-scaling-group',
        Key,
        Value,
        PropagateAtLaunch: false,
      })),
    });
    try {
      await client.send(command);
      return 'tagged';
    } catch (error) {
      if (isTagLimit(error)) return 'tag-limit';
      if (isGroupGone(error)) return 'gone';
      throw new SuspendError(`CreateOrUpdateTags failed for group ${name} in ${region}`, awsCause(error));
    }
  }

  /** @throws SuspendError when Auto Scaling fails for another reason than a missing group */
  async untagGroup(region: string, name: string, keys: readonly string[]): Promise<ChangeOutcome> {
    const client = this.client(region);
    return this.change('DeleteTags', region, name, () =>
      client.send(
        new DeleteTagsCommand({
          Tags: keys.map((Key) => ({ ResourceId: name, ResourceType: 'auto-scaling-group', Key })),
        }),
      ),
    );
  }

  /** @throws SuspendError when Auto Scaling fails */
  async listSuspendedGroups(region: string): Promise<GroupSnapshot[]> {
    const client = this.client(region);
    const found: GroupSnapshot[] = [];
    const pages = this.pages('DescribeAutoScalingGroups', region, '(all)', (token) =>
      client.send(
        new DescribeAutoScalingGroupsCommand({
          Filters: [{ Name: 'tag-key', Values: [TAG.suspendedAt] }],
          MaxRecords: GROUPS_PAGE,
          NextToken: token,
        }),
      ),
    );
    for await (const out of pages) for (const g of out.AutoScalingGroups ?? []) found.push(snapshot(g, []));
    return found;
  }

  /**
   * Why the group's instances left, newest activities first. With `want`, pages back (at most
   * {@link ACTIVITY_PAGES} calls) until every wanted instance's departure is found or the
   * activities are older than `since`: in a storm of hundreds of launches and terminations a
   * single page holds only the newest 100, and the older launches' causes fall off it.
   *
   * @throws SuspendError when Auto Scaling fails
   */
  async departures(
    region: string,
    name: string,
    want?: { readonly ids: readonly string[]; readonly since: number },
  ): Promise<ReadonlyMap<string, Departure>> {
    const client = this.client(region);
    const found = new Map<string, Departure>();
    const memoKey = `${region}#${name}`;
    const memo = this.unfound.get(memoKey);
    const fresh = memo !== undefined && this.clock() - memo.at < UNFOUND_MEMO_MS ? memo.ids : undefined;
    const missing = new Set((want?.ids ?? []).filter((id) => !fresh?.has(id)));
    const activityPages = this.pages('DescribeScalingActivities', region, name, (token) =>
      client.send(
        new DescribeScalingActivitiesCommand({
          AutoScalingGroupName: name,
          MaxRecords: ACTIVITIES_PER_CALL,
          NextToken: token,
        }),
      ),
    );
    let pages = 0;
    for await (const out of activityPages) {
      pages += 1;
      let oldest = Number.POSITIVE_INFINITY;
      for (const a of out.Activities ?? []) {
        if (a.StartTime !== undefined) oldest = Math.min(oldest, a.StartTime.getTime());
        // "Terminating EC2 instance: i-0123456789abcdef0" (the activity's Description).
        const id = /^Terminating EC2 instance: (i-[0-9a-f]+)/.exec(a.Description ?? '')?.[1];
        if (id === undefined || found.has(id)) continue;
        missing.delete(id);
        found.set(id, {
          cause: a.Cause ?? '',
          ...(a.StartTime !== undefined ? { at: a.StartTime.getTime() } : {}),
        });
      }
      const covered = want === undefined || missing.size === 0 || oldest < want.since;
      if (covered) break;
      if (pages >= ACTIVITY_PAGES) {
        this.rememberUnfound(memoKey, missing, fresh);
        break;
      }
    }
    return found;
  }

  private rememberUnfound(
    key: string,
    missing: ReadonlySet<string>,
    fresh: ReadonlySet<string> | undefined,
  ): void {
    if (this.unfound.size >= UNFOUND_GROUPS && !this.unfound.has(key)) {
      const oldest = this.unfound.keys().next().value;
      if (oldest !== undefined) this.unfound.delete(oldest);
    }
    this.unfound.set(key, { at: this.clock(), ids: new Set([...(fresh ?? []), ...missing]) });
  }

  /** @throws SuspendError when Auto Scaling fails */
  async launchHookMs(region: string, name: string): Promise<number | undefined> {
    const client = this.client(region);
    const out = await this.call('DescribeLifecycleHooks', region, name, () =>
      client.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: name })),
    );
    const launching = (out.LifecycleHooks ?? []).filter(
      (h) => h.LifecycleTransition === 'autoscaling:EC2_INSTANCE_LAUNCHING',
    );
    if (launching.length === 0) return undefined;
    // HeartbeatTimeout defaults to 3600 s when a hook is created without one.
    return Math.max(...launching.map((h) => (h.HeartbeatTimeout ?? 3600) * 1000));
  }

  private client(region: string): AutoScalingClient {
    return cachedClient(this.clients, region, (r) => this.clientFor(r));
  }

  private async warmPool(region: string, name: string): Promise<Instance[]> {
    const client = this.client(region);
    const instances: Instance[] = [];
    const pages = this.pages('DescribeWarmPool', region, name, (token) =>
      client.send(
        new DescribeWarmPoolCommand({
          AutoScalingGroupName: name,
          MaxRecords: WARM_POOL_PAGE,
          NextToken: token,
        }),
      ),
    );
    for await (const out of pages) instances.push(...(out.Instances ?? []));
    return instances;
  }

  /**
   * The pages of a paged Auto Scaling call, each fetched when the caller asks for it (a caller
   * that stops reading fetches no more), until one comes without a `NextToken`.
   *
   * @throws SuspendError when Auto Scaling fails
   */
  private async *pages<T extends { NextToken?: string | undefined }>(
    operation: string,
    region: string,
    name: string,
    send: (token: string | undefined) => Promise<T>,
  ): AsyncGenerator<T> {
    let token: string | undefined;
    do {
      const out = await this.call(operation, region, name, () => send(token));
      yield out;
      token = out.NextToken;
    } while (token);
  }

  private async call<T>(operation: string, region: string, name: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new SuspendError(`${operation} failed for group ${name} in ${region}`, awsCause(error));
    }
  }

  private async change(
    operation: string,
    region: string,
    name: string,
    send: () => Promise<unknown>,
  ): Promise<ChangeOutcome> {
    try {
      await send();
      return 'done';
    } catch (error) {
      if (isGroupGone(error)) return 'gone';
      throw new SuspendError(`${operation} failed for group ${name} in ${region}`, awsCause(error));
    }
  }
}

function snapshot(group: AutoScalingGroup, warm: readonly Instance[]): GroupSnapshot {
  const tags: Record<string, string> = {};
  for (const t of group.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
  const instances = [...(group.Instances ?? []), ...warm]
    .filter((i) => i.InstanceId !== undefined)
    .map((i) => ({
      instanceId: i.InstanceId!,
      lifecycleState: String(i.LifecycleState ?? ''),
      healthStatus: i.HealthStatus ?? '',
    }));
  return {
    name: group.AutoScalingGroupName ?? '',
    ...(group.AutoScalingGroupARN ? { arn: group.AutoScalingGroupARN } : {}),
    tags,
    instances,
    suspendedProcesses: (group.SuspendedProcesses ?? [])
      .map((p) => p.ProcessName)
      .filter((p): p is string => p !== undefined),
    healthCheckGracePeriodSeconds: group.HealthCheckGracePeriod ?? 0,
    desiredCapacity: group.DesiredCapacity ?? 0,
    minSize: group.MinSize ?? 0,
    maxSize: group.MaxSize ?? 0,
    ...(group.Status ? { status: group.Status } : {}),
    ...launchTemplateOf(group),
  };
}

function launchTemplateOf(group: AutoScalingGroup): Pick<GroupSnapshot, 'launchTemplate'> {
  const spec =
    group.LaunchTemplate ?? group.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
  if (spec?.LaunchTemplateId === undefined && spec?.LaunchTemplateName === undefined) return {};
  return {
    launchTemplate: {
      ...(spec.LaunchTemplateId ? { id: spec.LaunchTemplateId } : {}),
      ...(spec.LaunchTemplateName ? { name: spec.LaunchTemplateName } : {}),
      ...(spec.Version ? { version: spec.Version } : {}),
    },
  };
}
