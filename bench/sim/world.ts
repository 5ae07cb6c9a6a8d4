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
import { instanceId as hexInstanceId } from '../../fake-cloud/support/launch-events';
import { WorldBase } from './world-base';
import {
  ACCOUNT,
  CAUSE,
  type Cluster,
  type DesiredChange,
  type Group,
  type GroupSpec,
  HOUR,
  type Instance,
  type InstanceBehaviour,
  MINUTE,
  NON_ACTIVE,
  REGION,
  SECOND,
  type WorldOptions,
  ZONES,
} from './world-model';

/** What a scenario or a test needs besides the world itself. */
export { ACCOUNT, type GroupSpec, HOUR, MINUTE, REGION, SECOND, SIM_T0 } from './world-model';

/** Internal step: health checks, managed scaling and reconciliation run at least this often. */
const STEP_MS = 5 * SECOND;

/** The simulated account and region: set-up, the actions a scenario takes, and time. */
export class World extends WorldBase {
  private readonly timers: { at: number; seq: number; run: (w: World) => void }[] = [];
  private seq = 0;
  private idSeq = 0;
  private readonly idBase: number;

  constructor(options: WorldOptions) {
    super(options);
    this.idBase = (options.seed % 4096) * 0x1_0000_0000;
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
}
