/**
 * # The simulated world
 *
 * Auto Scaling groups, their instances, ECS clusters and capacity providers, advanced in
 * simulated time. Everything random comes from one seeded generator (mulberry32), so a scenario
 * with a seed plays the same way every time.
 *
 * What it models, each from AWS's documentation (facts kept in the project's issue 8 and the
 * comments below):
 * - **Lifecycle.** A launch is `Pending` until it boots; with a launch lifecycle hook it waits in
 *   `Pending:Wait` until the hook completes or its `HeartbeatTimeout` passes (default result
 *   CONTINUE), then `InService`. A warm-pool launch goes `Warmed:Pending` → `Warmed:Stopped`, and
 *   a scale-out takes warmed instances first (no new launch for those).
 * - **Health.** EC2 checks see a stopped or terminated instance at once (no grace: AWS does not
 *   wait for the grace period when the instance is not running); ELB checks count only after
 *   the grace period. An `Unhealthy` instance is terminated with a health `Cause` and replaced by
 *   a launch whose `Cause` says "unhealthy instance needing to be replaced".
 * - **ECS.** An instance of a capacity-provider group registers as a container instance after
 *   boot (or never). Managed scaling raises the desired capacity while tasks wait (M > N as long
 *   as a task is PROVISIONING) and lowers it when nothing waits and instances are empty.
 *   Managed termination protection keeps unregistered or busy instances from scale-in.
 * - **Spot.** An interrupted instance goes to `terminated` with the state reason
 *   `Server.SpotInstanceTermination`; Auto Scaling's EC2 health check then replaces it.
 * - **Scale-in, instance refresh, scheduled actions, user requests, AZ rebalance**, each with
 *   Auto Scaling's own `Cause` phrases (see {@link CAUSE}).
 * - **Events.** Each launch emits a CloudTrail `RunInstances` (EventBridge envelope from the real
 *   capture) delivered 2–6 minutes later with jitter, so out of order, and a few percent twice;
 *   Auto Scaling's own `EC2 Instance Launch Successful` / `Terminate Successful` (with `Cause`)
 *   within a minute of the activity's end.
 *
 * Ground truth: every launch records whether it was a failure by construction (its instance
 * never becomes useful: never registers, crashes at boot, fails its health check), so a
 * scenario knows when its first failed launch happened.
 */
import { loadFixture } from '../../fake-cloud/support/fixtures';
import { instanceId as hexInstanceId, launchEvent } from '../../fake-cloud/support/launch-events';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';
/** Simulated time starts here (a Monday, 08:00 UTC). */
export const SIM_T0 = Date.UTC(2026, 0, 12, 8, 0, 0);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
/** Internal step: health checks, managed scaling and reconciliation run at least this often. */
const STEP_MS = 5 * SECOND;
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'] as const;
const ASG_LAUNCH_TEMPLATE = 'eventbridge-asg-launch-successful.aws-lambda-go.json';

/** A deterministic pseudo-random generator (mulberry32, as bench/guard.bench.ts). */
export function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `2026-01-12T08:00:00Z`, as Auto Scaling writes times in its causes. */
export function isoSeconds(t: number): string {
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** What the desired capacity was changed by, for the Cause of the launches and terminations it makes. */
export type DesiredChange =
  | { readonly kind: 'user-set' }
  | { readonly kind: 'user-update' }
  | { readonly kind: 'scheduled' }
  | { readonly kind: 'policy'; readonly policy: string }
  | { readonly kind: 'ecs-managed' };

/**
 * Auto Scaling's `Cause` phrases, as AWS writes them (two spaces between sentences). Sources:
 * the Auto Scaling user guide's activity examples and real activity histories quoted on re:Post
 * (collected in the project's AWS notes).
 */
export const CAUSE = {
  healthReplacementLaunch: (t: number) =>
    `At ${isoSeconds(t)} an instance was launched in response to an unhealthy instance needing to be replaced.`,
  ec2HealthTermination: (t: number) =>
    `At ${isoSeconds(t)} an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped.`,
  elbHealthTermination: (t: number) =>
    `At ${isoSeconds(t)} an instance was taken out of service in response to an ELB system health check failure.`,
  refreshTermination: (t: number, id: string) =>
    `At ${isoSeconds(t)} an instance was taken out of service in response to an instance refresh.  At ${isoSeconds(t)} instance ${id} was selected for termination.`,
  // Assumption: the replacement launch of a refresh reads like the termination's phrase.
  refreshLaunch: (t: number) =>
    `At ${isoSeconds(t)} an instance was launched in response to an instance refresh.`,
  rebalanceLaunch: (t: number) =>
    `At ${isoSeconds(t)} an instance was launched to aid in balancing the group's zones.`,
  rebalanceTermination: (t: number, id: string, from: number, to: number, zones: string) =>
    `At ${isoSeconds(t)} instances were launched to balance instances in zones ${zones} with other zones resulting in more than desired number of instances in the group.  At ${isoSeconds(t)} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from ${from} to ${to}.  At ${isoSeconds(t)} instance ${id} was selected for termination.`,
  // Assumption (no real sample at hand): warm-pool fills name the warm pool in this form.
  warmPoolLaunch: (t: number) =>
    `At ${isoSeconds(t)} an instance was launched in response to a difference between desired and actual capacity in the warm pool.`,
  /** The first sentence: who changed the desired capacity. */
  desired(change: DesiredChange, t: number, group: Group, from: number, to: number, uuid: string): string {
    const at = isoSeconds(t);
    const limits = `min: ${group.minSize}, max: ${group.maxSize}, desired: ${to}`;
    switch (change.kind) {
      case 'user-set':
        return `At ${at} a user request explicitly set group desired capacity changing the desired capacity from ${from} to ${to}.`;
      case 'user-update':
        return `At ${at} a user request update of AutoScalingGroup constraints to ${limits} changing the desired capacity from ${from} to ${to}.`;
      case 'scheduled':
        return `At ${at} a scheduled action update of AutoScalingGroup constraints to ${limits} changing the desired capacity from ${from} to ${to}.`;
      case 'policy': {
        const alarm = `TargetTracking-${group.name}-Alarm${to > from ? 'High' : 'Low'}-${uuid}`;
        return `At ${at} a monitor alarm ${alarm} in state ALARM triggered policy ${change.policy} changing the desired capacity from ${from} to ${to}.`;
      }
      case 'ecs-managed': {
        const alarm = `TargetTracking-${group.name}-Alarm${to > from ? 'High' : 'Low'}-${uuid}`;
        return `At ${at} a monitor alarm ${alarm} in state ALARM triggered policy ECSManagedAutoScalingPolicy-${uuid} changing the desired capacity from ${from} to ${to}.`;
      }
    }
  },
  capacityLaunch: (t: number, from: number, to: number) =>
    `At ${isoSeconds(t)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${from} to ${to}.`,
  capacityTermination: (t: number, id: string, from: number, to: number) =>
    `At ${isoSeconds(t)} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from ${from} to ${to}.  At ${isoSeconds(t)} instance ${id} was selected for termination.`,
  allProtected: (t: number) =>
    `At ${isoSeconds(t)} Could not scale to desired capacity because all remaining instances are protected from scale-in.`,
} as const;

/** How one instance behaves once launched. */
export type InstanceBehaviour =
  /** Boots, passes its checks, registers with its ECS cluster (if any) `registerAfterMs` after boot. */
  | { readonly kind: 'healthy'; readonly registerAfterMs?: number }
  /** InService and Healthy, but its ECS agent never registers. */
  | { readonly kind: 'never-register' }
  /** Shuts itself down `afterBootMs` after boot (state reason `Client.InstanceInitiatedShutdown`). */
  | { readonly kind: 'crash-at-boot'; readonly afterBootMs: number }
  /** Fails its ELB health check `afterGraceMs` after the grace period ends. */
  | { readonly kind: 'unhealthy-after'; readonly afterGraceMs: number };

/** A capacity provider linking a group to an ECS cluster. */
export interface CapacityProviderSpec {
  readonly name: string;
  readonly cluster: string;
  readonly managedTerminationProtection: boolean;
  /** Managed scaling evaluates this often (its alarm's period). */
  readonly scaleIntervalMs: number;
  /**
   * Up to this much later than `scaleIntervalMs`, at random: managed scaling's alarm acts on the
   * next 1-minute datapoint after the warm-up, so batches come "about" every interval. @default 0
   */
  readonly scaleJitterMs?: number;
  /** The largest step of one evaluation (`maximumScalingStepSize`). */
  readonly maxStep: number;
  /**
   * `instanceWarmupPeriod`: an unregistered instance younger than this still counts as coming
   * capacity for a waiting task; an older one no longer does, so M > N again.
   */
  readonly warmupMs: number;
}

/** What a scenario declares about a group. */
export interface GroupSpec {
  readonly name: string;
  readonly minSize: number;
  readonly maxSize: number;
  readonly desired: number;
  readonly gracePeriodS: number;
  readonly healthCheckType: 'EC2' | 'ELB';
  readonly imageId: string;
  /** Boot time range, ms. */
  readonly bootMs: readonly [number, number];
  /** Behaviour of the group's n-th launch (0-based). */
  readonly behaviour: (n: number, rnd: () => number) => InstanceBehaviour;
  readonly capacityProvider?: CapacityProviderSpec;
  readonly launchHook?: {
    readonly name: string;
    readonly heartbeatTimeoutS: number;
    /** How long the bootstrap holds the hook, ms; undefined: until the heartbeat timeout. */
    readonly completeAfterMs?: readonly [number, number];
  };
  readonly warmPool?: { readonly minSize: number };
  readonly spot?: boolean;
  /** Instances InService (and registered) at the start, launched before the simulation. */
  readonly initialInstances?: number;
  readonly tags?: Readonly<Record<string, string>>;
}

/** One Auto Scaling scaling activity. */
export interface Activity {
  readonly id: string;
  readonly group: string;
  readonly description: string;
  readonly cause: string;
  readonly start: number;
  end?: number;
  status: string;
  progress: number;
  readonly zone: string;
}

/** One instance of the world, from launch to an hour after it terminated. */
export interface Instance {
  readonly id: string;
  readonly group: string;
  readonly imageId: string;
  readonly zone: string;
  readonly launchedAt: number;
  bootAt: number;
  readonly behaviour: InstanceBehaviour;
  readonly spot: boolean;
  /** True while it is a warm-pool instance that has not been taken into the group. */
  warm: boolean;
  /** Auto Scaling's LifecycleState; `Gone` once it left the group. */
  lifecycle: string;
  health: 'Healthy' | 'Unhealthy';
  ec2State: 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';
  stateReason?: { readonly code: string; readonly message: string };
  protectedFromScaleIn: boolean;
  registeredAt?: number;
  deregisteredAt?: number;
  inServiceAt?: number;
  hookDoneAt?: number;
  unhealthyAt?: number;
  /** Which check marked it Unhealthy. */
  unhealthyBy?: 'EC2' | 'ELB';
  stopAt?: number;
  terminateDoneAt?: number;
  terminatedAt?: number;
  launchActivity: Activity;
  terminateActivity?: Activity;
  /** Ground truth: this launch never became useful by construction. */
  readonly failed: boolean;
}

/** A group's live state. */
export interface Group {
  readonly spec: GroupSpec;
  readonly name: string;
  readonly arn: string;
  minSize: number;
  maxSize: number;
  desired: number;
  readonly suspended: Map<string, number>;
  readonly tags: Map<string, string>;
  readonly instances: Map<string, Instance>;
  launches: number;
  /** Causes waiting for the next launches (health replacements, refresh), oldest first. */
  readonly replacementCauses: string[];
  lastChange?: { change: DesiredChange; from: number; to: number; at: number; uuid: string };
  protectedNoticeAt?: number;
  refresh?: { batch: number; warmupMs: number; todo: string[]; waitUntil: number; inFlight: string[] };
  nextManagedScalingAt: number;
  /** Instances allowed above desired for a while (an AZ rebalance launches before it terminates). */
  overage: number;
}

/** A cluster and what waits in it. */
export interface Cluster {
  readonly name: string;
  readonly arn: string;
  readonly capacityProviders: string[];
  /** Tasks the cluster wants to run at a time, one per instance (a task waits until an instance registers). */
  tasks: (t: number) => number;
}

/** One event the world hands to the function, at its delivery time. */
export interface Delivery {
  readonly at: number;
  readonly kind: 'cloudtrail' | 'asg-launch' | 'asg-terminate';
  readonly duplicate: boolean;
  readonly group: string;
  readonly event: Record<string, unknown>;
}

/** One launch, with its ground truth. */
export interface LaunchFact {
  readonly instanceId: string;
  readonly group: string;
  readonly at: number;
  readonly failed: boolean;
}

/** World-wide knobs. */
export interface WorldOptions {
  readonly seed: number;
  /** Share of CloudTrail records delivered twice. @default 0.03 */
  readonly duplicateShare?: number;
  /** CloudTrail's delivery delay range, ms. @default 2–6 minutes */
  readonly trailDelayMs?: readonly [number, number];
}

const NON_ACTIVE = new Set(['Terminating', 'Terminating:Wait', 'Terminating:Proceed', 'Terminated', 'Gone']);

/** The simulated account and region. */
export class World {
  now = SIM_T0;
  readonly rnd: () => number;
  readonly groups = new Map<string, Group>();
  readonly clusters = new Map<string, Cluster>();
  readonly instances = new Map<string, Instance>();
  readonly activities: Activity[] = [];
  readonly launches: LaunchFact[] = [];
  readonly images = new Map<string, { name: string; description: string }>();
  private readonly pending: Delivery[] = [];
  private readonly timers: { at: number; seq: number; run: (w: World) => void }[] = [];
  private seq = 0;
  private idSeq = 0;
  private readonly idBase: number;
  private readonly duplicateShare: number;
  private readonly trailDelay: readonly [number, number];

  constructor(options: WorldOptions) {
    this.rnd = mulberry32(options.seed);
    this.idBase = (options.seed % 4096) * 0x1_0000_0000;
    this.duplicateShare = options.duplicateShare ?? 0.03;
    this.trailDelay = options.trailDelayMs ?? [2 * MINUTE, 6 * MINUTE];
  }

  // -------------------------------------------------------------------------------------------
  // Set-up

  /** Add a group; its initial instances are InService (and registered) already. */
  addGroup(spec: GroupSpec): Group {
    const group: Group = {
      spec,
      name: spec.name,
      arn: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:${this.uuid()}:autoScalingGroupName/${spec.name}`,
      minSize: spec.minSize,
      maxSize: spec.maxSize,
      desired: spec.desired,
      suspended: new Map(),
      tags: new Map(Object.entries(spec.tags ?? {})),
      instances: new Map(),
      launches: 0,
      replacementCauses: [],
      nextManagedScalingAt: this.now,
      overage: 0,
    };
    if (spec.capacityProvider) group.tags.set('AmazonECSManaged', '');
    this.groups.set(spec.name, group);
    if (!this.images.has(spec.imageId)) {
      this.images.set(spec.imageId, {
        name: `al2023-ami-ecs-hvm-2023.0.20251209-kernel-6.1-x86_64`,
        description: 'Amazon Linux AMI 2023.0.20251209 x86_64 ECS HVM EBS',
      });
    }
    const before = this.now - 24 * HOUR;
    for (let i = 0; i < (spec.initialInstances ?? 0); i += 1) {
      const inst = this.newInstance(group, before, { kind: 'healthy' }, false, 'initial');
      inst.lifecycle = 'InService';
      inst.ec2State = 'running';
      inst.inServiceAt = before + MINUTE;
      if (spec.capacityProvider) inst.registeredAt = before + 2 * MINUTE;
      this.endActivity(inst.launchActivity, before + MINUTE, 'Successful');
    }
    return group;
  }

  /** Add an ECS cluster; capacity providers name it from their group's spec. */
  addCluster(name: string, tasks: (t: number) => number = () => 0): Cluster {
    const providers = [...this.groups.values()]
      .filter((g) => g.spec.capacityProvider?.cluster === name)
      .map((g) => g.spec.capacityProvider!.name);
    const cluster: Cluster = {
      name,
      arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${name}`,
      capacityProviders: providers,
      tasks,
    };
    this.clusters.set(name, cluster);
    return cluster;
  }

  /** Run `action` at simulated time `at`. */
  at(at: number, action: (w: World) => void): void {
    this.timers.push({ at, seq: this.seq++, run: action });
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  // -------------------------------------------------------------------------------------------
  // Actions a scenario (or a caller of the fake's API) takes

  /** Change a group's desired capacity, remembering who did it for the causes. */
  setDesired(name: string, desired: number, change: DesiredChange): void {
    const g = this.group(name);
    const to = Math.max(g.minSize, Math.min(g.maxSize, desired));
    if (to === g.desired) return;
    g.lastChange = { change, from: g.desired, to, at: this.now, uuid: this.uuid() };
    g.desired = to;
  }

  /** Set min, max and desired at once (user request or scheduled action). */
  updateGroup(name: string, limits: { min: number; max: number; desired: number }, scheduled: boolean): void {
    const g = this.group(name);
    g.minSize = limits.min;
    g.maxSize = limits.max;
    this.setDesired(name, limits.desired, { kind: scheduled ? 'scheduled' : 'user-update' });
  }

  /** Start an instance refresh that replaces every current instance, `batch` at a time. */
  startInstanceRefresh(name: string, batch: number, warmupMs: number): void {
    const g = this.group(name);
    const todo = [...g.instances.values()].filter((i) => i.lifecycle === 'InService').map((i) => i.id);
    g.refresh = { batch, warmupMs, todo, waitUntil: this.now, inFlight: [] };
  }

  /** Interrupt `count` running Spot instances of a group now. */
  spotInterrupt(name: string, count: number): void {
    const g = this.group(name);
    const running = [...g.instances.values()].filter((i) => i.lifecycle === 'InService' && i.spot);
    for (const inst of this.pick(running, count)) {
      inst.ec2State = 'terminated';
      inst.terminatedAt = this.now;
      inst.stateReason = {
        code: 'Server.SpotInstanceTermination',
        message: 'Server.SpotInstanceTermination: Spot instance termination',
      };
    }
  }

  /** Launch `count` instances to balance zones, then terminate as many of the oldest. */
  rebalanceZones(name: string, count: number): void {
    const g = this.group(name);
    const old = [...g.instances.values()]
      .filter((i) => i.lifecycle === 'InService' && !i.protectedFromScaleIn)
      .sort((a, b) => a.launchedAt - b.launchedAt)
      .slice(0, count);
    for (let i = 0; i < old.length; i += 1) g.replacementCauses.push(CAUSE.rebalanceLaunch(this.now));
    this.launchBatch(g, old.length);
    g.overage += old.length;
    const size = this.active(g).length;
    this.at(this.now + 2 * MINUTE, (w) => {
      g.overage -= old.length;
      for (const [n, inst] of old.entries()) {
        if (NON_ACTIVE.has(inst.lifecycle)) continue;
        w.terminate(inst, CAUSE.rebalanceTermination(w.now, inst.id, size - n, size - n - 1, inst.zone));
      }
    });
  }

  /** SuspendProcesses: the named processes stop, at once. */
  suspendProcesses(name: string, processes: readonly string[]): void {
    const g = this.group(name);
    for (const p of processes) if (!g.suspended.has(p)) g.suspended.set(p, this.now);
  }

  /** ResumeProcesses. */
  resumeProcesses(name: string, processes: readonly string[]): void {
    const g = this.group(name);
    for (const p of processes) g.suspended.delete(p);
  }

  // -------------------------------------------------------------------------------------------
  // Time

  /** Advance simulated time to `t`, running everything due on the way. */
  advanceTo(t: number): void {
    while (this.now < t) {
      const next = Math.min(t, Math.floor(this.now / STEP_MS) * STEP_MS + STEP_MS);
      this.now = next;
      this.step();
    }
  }

  /** The deliveries due by `t`, in delivery order, removed from the queue. */
  takeDue(t: number): Delivery[] {
    const due = this.pending.filter((d) => d.at <= t).sort((a, b) => a.at - b.at);
    if (due.length > 0) {
      const rest = this.pending.filter((d) => d.at > t);
      this.pending.length = 0;
      this.pending.push(...rest);
    }
    return due;
  }

  /** The earliest pending delivery's time, if any. */
  nextDeliveryAt(): number | undefined {
    let min: number | undefined;
    for (const d of this.pending) if (min === undefined || d.at < min) min = d.at;
    return min;
  }

  /** Instances the group lists now (not yet gone), warm pool excluded. */
  groupInstances(g: Group): Instance[] {
    return [...g.instances.values()].filter(
      (i) => i.lifecycle !== 'Gone' && !i.lifecycle.startsWith('Warmed:'),
    );
  }

  /** Instances of the group's warm pool. */
  warmInstances(g: Group): Instance[] {
    return [...g.instances.values()].filter((i) => i.lifecycle.startsWith('Warmed:'));
  }

  /** Registered container instances of a cluster now, with their status. */
  containerInstances(cluster: string): { inst: Instance; arn: string; status: 'ACTIVE' | 'INACTIVE' }[] {
    const out: { inst: Instance; arn: string; status: 'ACTIVE' | 'INACTIVE' }[] = [];
    for (const inst of this.instances.values()) {
      const g = this.groups.get(inst.group);
      if (g?.spec.capacityProvider?.cluster !== cluster) continue;
      if (inst.registeredAt === undefined || inst.registeredAt > this.now) continue;
      const inactive = inst.deregisteredAt !== undefined && inst.deregisteredAt <= this.now;
      out.push({
        inst,
        arn: containerInstanceArn(cluster, inst.id),
        status: inactive ? 'INACTIVE' : 'ACTIVE',
      });
    }
    return out;
  }

  group(name: string): Group {
    const g = this.groups.get(name);
    if (g === undefined) throw new Error(`no group ${name} in the world`);
    return g;
  }

  // -------------------------------------------------------------------------------------------
  // Internals

  private step(): void {
    while (this.timers.length > 0 && this.timers[0]!.at <= this.now) this.timers.shift()!.run(this);
    for (const inst of this.instances.values()) this.stepInstance(inst);
    for (const g of this.groups.values()) {
      this.managedScaling(g);
      this.stepRefresh(g);
      this.reconcile(g);
    }
  }

  private stepInstance(inst: Instance): void {
    const g = this.groups.get(inst.group)!;
    const now = this.now;
    if (inst.lifecycle === 'Gone') return;
    // Boot.
    if (inst.ec2State === 'pending' && now >= inst.bootAt) {
      inst.ec2State = 'running';
      if (inst.warm) {
        inst.lifecycle = 'Warmed:Stopped';
        inst.ec2State = 'stopped';
        this.endActivity(inst.launchActivity, now, 'Successful');
      } else if (g.spec.launchHook) {
        inst.lifecycle = 'Pending:Wait';
        inst.launchActivity.status = 'MidLifecycleAction';
        const hook = g.spec.launchHook;
        const hold = hook.completeAfterMs ? this.between(hook.completeAfterMs) : Number.POSITIVE_INFINITY;
        inst.hookDoneAt = now + Math.min(hold, hook.heartbeatTimeoutS * SECOND);
      } else {
        this.enterService(inst);
      }
      const b = inst.behaviour;
      if (b.kind === 'crash-at-boot') inst.stopAt = now + b.afterBootMs;
      if (b.kind === 'healthy' && g.spec.capacityProvider && !inst.warm)
        inst.registeredAt = now + (b.registerAfterMs ?? this.between([30 * SECOND, 90 * SECOND]));
    }
    if (inst.lifecycle === 'Pending:Wait' && inst.hookDoneAt !== undefined && now >= inst.hookDoneAt) {
      this.enterService(inst);
    }
    // Boot-time shutdown: the instance stops itself.
    if (inst.stopAt !== undefined && now >= inst.stopAt && inst.ec2State === 'running') {
      inst.ec2State = 'stopped';
      inst.stateReason = {
        code: 'Client.InstanceInitiatedShutdown',
        message: 'Client.InstanceInitiatedShutdown: Instance initiated shutdown',
      };
    }
    const active = !NON_ACTIVE.has(inst.lifecycle) && !inst.lifecycle.startsWith('Warmed:');
    // EC2 health check: a stopped or terminated instance is unhealthy without waiting for grace.
    if (
      active &&
      inst.health === 'Healthy' &&
      (inst.ec2State === 'stopped' || inst.ec2State === 'terminated')
    ) {
      if (inst.unhealthyAt === undefined) inst.unhealthyAt = now + this.between([10 * SECOND, 40 * SECOND]);
      if (now >= inst.unhealthyAt) {
        inst.health = 'Unhealthy';
        inst.unhealthyBy = 'EC2';
      }
    }
    // ELB health check, after the grace period.
    const b = inst.behaviour;
    if (
      inst.lifecycle === 'InService' &&
      b.kind === 'unhealthy-after' &&
      inst.health === 'Healthy' &&
      g.spec.healthCheckType === 'ELB' &&
      now >= inst.launchedAt + g.spec.gracePeriodS * SECOND + b.afterGraceMs
    ) {
      inst.health = 'Unhealthy';
      inst.unhealthyBy = 'ELB';
    }
    if (
      active &&
      inst.health === 'Unhealthy' &&
      !g.suspended.has('HealthCheck') &&
      !g.suspended.has('ReplaceUnhealthy')
    ) {
      const cause =
        inst.unhealthyBy === 'ELB' ? CAUSE.elbHealthTermination(now) : CAUSE.ec2HealthTermination(now);
      g.replacementCauses.push(CAUSE.healthReplacementLaunch(now));
      this.terminate(inst, cause);
    }
    // Termination finishes.
    if (
      inst.lifecycle === 'Terminating' &&
      inst.terminateDoneAt !== undefined &&
      now >= inst.terminateDoneAt
    ) {
      inst.lifecycle = 'Gone';
      inst.ec2State = 'terminated';
      inst.terminatedAt ??= now;
      if (inst.registeredAt !== undefined && inst.registeredAt <= now) inst.deregisteredAt = now;
      else inst.registeredAt = undefined;
      this.endActivity(inst.terminateActivity!, now, 'Successful');
      this.emitAsg('asg-terminate', inst, inst.terminateActivity!);
    }
  }

  private enterService(inst: Instance): void {
    inst.lifecycle = 'InService';
    inst.inServiceAt = this.now;
    this.endActivity(inst.launchActivity, this.now, 'Successful');
    this.emitAsg('asg-launch', inst, inst.launchActivity);
  }

  private managedScaling(g: Group): void {
    const cp = g.spec.capacityProvider;
    if (!cp || this.now < g.nextManagedScalingAt) return;
    g.nextManagedScalingAt =
      this.now + cp.scaleIntervalMs + (cp.scaleJitterMs ? Math.round(this.rnd() * cp.scaleJitterMs) : 0);
    const cluster = this.clusters.get(cp.cluster);
    if (!cluster) return;
    const active = this.active(g);
    const registered = (i: Instance) => i.registeredAt !== undefined && i.registeredAt <= this.now;
    const tasks = cluster.tasks(this.now);
    const waiting = Math.max(0, tasks - active.filter(registered).length);
    if (waiting > 0) {
      // M > N while a task is PROVISIONING and no young instance is still expected to take it.
      const coming = active.filter((i) => !registered(i) && this.now - i.launchedAt < cp.warmupMs).length;
      const step = Math.min(cp.maxStep, waiting - coming);
      if (step > 0)
        this.setDesired(g.name, Math.min(g.maxSize, active.length + step), { kind: 'ecs-managed' });
      return;
    }
    // Nothing waits: instances beyond the tasks are empty, and managed scaling scales in.
    const target = Math.max(g.minSize, Math.min(active.length, tasks));
    if (target < g.desired) this.setDesired(g.name, target, { kind: 'ecs-managed' });
  }

  private stepRefresh(g: Group): void {
    const r = g.refresh;
    if (!r || this.now < r.waitUntil) return;
    // The previous batch must be InService and warmed up before the next one goes.
    const pending = r.inFlight.filter((id) => {
      const inst = this.instances.get(id);
      return (
        inst !== undefined && (inst.inServiceAt === undefined || this.now < inst.inServiceAt + r.warmupMs)
      );
    });
    if (pending.length > 0) return;
    r.inFlight = [];
    if (r.todo.length === 0) {
      g.refresh = undefined;
      return;
    }
    for (const id of r.todo.splice(0, r.batch)) {
      const inst = this.instances.get(id);
      if (!inst || NON_ACTIVE.has(inst.lifecycle)) continue;
      g.replacementCauses.push(CAUSE.refreshLaunch(this.now));
      this.terminate(inst, CAUSE.refreshTermination(this.now, inst.id));
    }
    r.waitUntil = this.now + 30 * SECOND;
    const launched = this.reconcile(g);
    r.inFlight.push(...launched);
  }

  /** Launch or terminate toward the desired capacity; returns the ids launched. */
  private reconcile(g: Group): string[] {
    const active = this.active(g);
    const launched: string[] = [];
    if (active.length < g.desired && !g.suspended.has('Launch')) {
      let missing = g.desired - active.length;
      // A warm pool serves first: a warmed instance starts, no new launch.
      for (const warm of this.warmInstances(g).filter((i) => i.lifecycle === 'Warmed:Stopped')) {
        if (missing === 0) break;
        warm.lifecycle = 'Pending';
        warm.ec2State = 'pending';
        warm.bootAt = this.now + 30 * SECOND;
        warm.warm = false;
        warm.launchActivity = this.activity(
          g,
          `Launching a new EC2 instance from warm pool: ${warm.id}`,
          this.launchCause(g, active.length),
          warm.zone,
        );
        missing -= 1;
      }
      launched.push(...this.launchBatch(g, missing));
    } else if (active.length > g.desired + g.overage && !g.suspended.has('Terminate')) {
      const surplus = active.length - g.desired - g.overage;
      const candidates = active.filter((i) => !i.protectedFromScaleIn);
      if (candidates.length === 0) {
        if (g.protectedNoticeAt === undefined || this.now - g.protectedNoticeAt > 10 * MINUTE) {
          g.protectedNoticeAt = this.now;
          const a = this.activity(g, 'Terminating EC2 instances', CAUSE.allProtected(this.now), ZONES[0]);
          this.endActivity(a, this.now, 'Failed');
        }
      }
      const from = active.length;
      for (const [n, inst] of this.pick(candidates, surplus).entries()) {
        const change = g.lastChange;
        const first = change
          ? `${CAUSE.desired(change.change, change.at, g, change.from, change.to, change.uuid)}  `
          : '';
        this.terminate(
          inst,
          `${first}${CAUSE.capacityTermination(this.now, inst.id, from - n, from - n - 1)}`,
        );
      }
    }
    const wp = g.spec.warmPool;
    if (wp && !g.suspended.has('Launch')) {
      const warm = this.warmInstances(g).length;
      if (warm < wp.minSize) launched.push(...this.launchBatch(g, wp.minSize - warm, true));
    }
    return launched;
  }

  private launchCause(g: Group, from: number): string {
    const queued = g.replacementCauses.shift();
    if (queued !== undefined) return queued;
    const change = g.lastChange;
    if (!change) return CAUSE.capacityLaunch(this.now, from, from + 1);
    return `${CAUSE.desired(change.change, change.at, g, change.from, change.to, change.uuid)}  ${CAUSE.capacityLaunch(this.now, change.from, change.to)}`;
  }

  /** Launch `count` instances: one RunInstances per 10, as EC2 records them. */
  private launchBatch(g: Group, count: number, warm = false): string[] {
    if (count <= 0) return [];
    const ids: Instance[] = [];
    const from = this.active(g).length;
    for (let i = 0; i < count; i += 1) {
      const cause = warm ? CAUSE.warmPoolLaunch(this.now) : this.launchCause(g, from + i);
      const behaviour = g.spec.behaviour(g.launches, this.rnd);
      ids.push(this.newInstance(g, this.now, behaviour, warm, cause));
    }
    for (let i = 0; i < ids.length; i += 10) {
      const chunk = ids.slice(i, i + 10);
      this.emitTrail(g, chunk);
    }
    return ids.map((i) => i.id);
  }

  private newInstance(
    g: Group,
    at: number,
    behaviour: InstanceBehaviour,
    warm: boolean,
    cause: string,
  ): Instance {
    this.idSeq += 1;
    const id = hexInstanceId(this.idBase + this.idSeq);
    const zone = ZONES[(g.launches + this.idSeq) % ZONES.length]!;
    const description = warm
      ? `Launching a new EC2 instance into warm pool: ${id}`
      : `Launching a new EC2 instance: ${id}`;
    const launchActivity = this.activity(g, description, cause, zone, at);
    const failed = behaviour.kind !== 'healthy';
    const inst: Instance = {
      id,
      group: g.name,
      imageId: g.spec.imageId,
      zone,
      launchedAt: at,
      bootAt: at + this.between(g.spec.bootMs),
      behaviour,
      spot: g.spec.spot ?? false,
      warm,
      lifecycle: warm ? 'Warmed:Pending' : 'Pending',
      health: 'Healthy',
      ec2State: 'pending',
      protectedFromScaleIn: g.spec.capacityProvider?.managedTerminationProtection ?? false,
      launchActivity,
      failed,
    };
    g.instances.set(id, inst);
    this.instances.set(id, inst);
    if (cause !== 'initial') {
      g.launches += 1;
      this.launches.push({ instanceId: id, group: g.name, at, failed });
    }
    return inst;
  }

  /** Start terminating an instance (Auto Scaling takes it out of service now). */
  terminate(inst: Instance, cause: string): void {
    const g = this.groups.get(inst.group)!;
    if (inst.launchActivity.end === undefined) this.endActivity(inst.launchActivity, this.now, 'Successful');
    inst.lifecycle = 'Terminating';
    inst.terminateDoneAt = this.now + this.between([30 * SECOND, 75 * SECOND]);
    if (inst.ec2State === 'running') inst.ec2State = 'shutting-down';
    inst.terminateActivity = this.activity(g, `Terminating EC2 instance: ${inst.id}`, cause, inst.zone);
  }

  private active(g: Group): Instance[] {
    return [...g.instances.values()].filter(
      (i) => !NON_ACTIVE.has(i.lifecycle) && !i.lifecycle.startsWith('Warmed:'),
    );
  }

  private activity(g: Group, description: string, cause: string, zone: string, at = this.now): Activity {
    const a: Activity = {
      id: this.uuid(),
      group: g.name,
      description,
      cause: cause === 'initial' ? CAUSE.capacityLaunch(at, 0, 1) : cause,
      start: at,
      status: 'InProgress',
      progress: 50,
      zone,
    };
    this.activities.push(a);
    return a;
  }

  private endActivity(a: Activity, at: number, status: string): void {
    a.end = at;
    a.status = status;
    a.progress = 100;
  }

  private emitTrail(g: Group, chunk: readonly Instance[]): void {
    const at = this.now;
    const eventId = this.uuid();
    const event = launchEvent({
      group: g.name,
      instanceIds: chunk.map((i) => i.id),
      imageId: g.spec.imageId,
      time: at,
      eventId,
      region: REGION,
      account: ACCOUNT,
    });
    this.pending.push({
      at: at + this.between(this.trailDelay),
      kind: 'cloudtrail',
      duplicate: false,
      group: g.name,
      event,
    });
    // At-least-once delivery: now and then the same record comes twice.
    if (this.rnd() < this.duplicateShare) {
      this.pending.push({
        at: at + this.between([this.trailDelay[0], this.trailDelay[1] + 4 * MINUTE]),
        kind: 'cloudtrail',
        duplicate: true,
        group: g.name,
        event: structuredClone(event),
      });
    }
  }

  private emitAsg(kind: 'asg-launch' | 'asg-terminate', inst: Instance, a: Activity): void {
    const g = this.groups.get(inst.group)!;
    // biome-ignore lint/suspicious/noExplicitAny: a deep edit of a known fixture's JSON
    const event = structuredClone(loadFixture(ASG_LAUNCH_TEMPLATE)) as Record<string, any>;
    const id = this.uuid();
    event.id = id;
    event['detail-type'] =
      kind === 'asg-launch' ? 'EC2 Instance Launch Successful' : 'EC2 Instance Terminate Successful';
    event.account = ACCOUNT;
    event.region = REGION;
    event.time = isoSeconds(a.end ?? this.now);
    event.resources = [g.arn, `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${inst.id}`];
    const d = event.detail;
    // As in AWS's sample of the event: the activity's status when the event was emitted.
    d.StatusCode = 'InProgress';
    d.Description = a.description;
    d.AutoScalingGroupName = g.name;
    d.ActivityId = a.id;
    d.Details = {
      'Availability Zone': inst.zone,
      'Subnet ID': `subnet-0${inst.zone.slice(-1)}1234567890abcd`,
    };
    d.RequestId = a.id;
    d.EC2InstanceId = inst.id;
    d.StartTime = isoSeconds(a.start);
    d.EndTime = isoSeconds(a.end ?? this.now);
    d.Cause = a.cause;
    this.pending.push({
      at: this.now + this.between([5 * SECOND, 60 * SECOND]),
      kind,
      duplicate: false,
      group: g.name,
      event,
    });
  }

  private pick<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length > 0)
      out.push(pool.splice(Math.floor(this.rnd() * pool.length), 1)[0]!);
    return out;
  }

  between(range: readonly [number, number]): number {
    return Math.round(range[0] + this.rnd() * (range[1] - range[0]));
  }

  uuid(): string {
    const hex = (n: number) =>
      Array.from({ length: n }, () => Math.floor(this.rnd() * 16).toString(16)).join('');
    return `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;
  }
}

/** The ARN of an instance's container-instance record (its id derived from the instance id). */
export function containerInstanceArn(cluster: string, instanceId: string): string {
  const id = instanceId.slice(2).padEnd(32, '0').slice(0, 32);
  return `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/${cluster}/${id}`;
}
