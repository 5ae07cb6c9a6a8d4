/**
 * The simulated world's state and book-keeping, beneath {@link World}'s behaviour: the groups,
 * clusters and instances, the scaling activities, the queue of deliveries to the function with
 * the events that fill it, and the one seeded generator everything random draws from.
 */
import { loadFixture } from '../../fake-cloud/support/fixtures';
import { launchEvent } from '../../fake-cloud/support/launch-events';
import { mulberry32 } from '../random';
import {
  ACCOUNT,
  type Activity,
  CAUSE,
  type Cluster,
  containerInstanceArn,
  type Delivery,
  type Group,
  type Instance,
  isoSeconds,
  type LaunchFact,
  MINUTE,
  NON_ACTIVE,
  REGION,
  SECOND,
  SIM_T0,
  type WorldOptions,
} from './world-model';

const ASG_LAUNCH_TEMPLATE = 'eventbridge-asg-launch-successful.aws-lambda-go.json';

/** The state of the simulated account and region, and the records every change of it leaves. */
export abstract class WorldBase {
  now = SIM_T0;
  readonly rnd: () => number;
  readonly groups = new Map<string, Group>();
  readonly clusters = new Map<string, Cluster>();
  readonly instances = new Map<string, Instance>();
  readonly activities: Activity[] = [];
  readonly launches: LaunchFact[] = [];
  readonly images = new Map<string, { name: string; description: string }>();
  private readonly pending: Delivery[] = [];
  private readonly duplicateShare: number;
  private readonly trailDelay: readonly [number, number];

  constructor(options: WorldOptions) {
    this.rnd = mulberry32(options.seed);
    this.duplicateShare = options.duplicateShare ?? 0.03;
    this.trailDelay = options.trailDelayMs ?? [2 * MINUTE, 6 * MINUTE];
  }

  // -------------------------------------------------------------------------------------------
  // Deliveries and queries

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
  // Book-keeping

  /** Start terminating an instance (Auto Scaling takes it out of service now). */
  terminate(inst: Instance, cause: string): void {
    const g = this.groups.get(inst.group)!;
    if (inst.launchActivity.end === undefined) this.endActivity(inst.launchActivity, this.now, 'Successful');
    inst.lifecycle = 'Terminating';
    inst.terminateDoneAt = this.now + this.between([30 * SECOND, 75 * SECOND]);
    if (inst.ec2State === 'running') inst.ec2State = 'shutting-down';
    inst.terminateActivity = this.activity(g, `Terminating EC2 instance: ${inst.id}`, cause, inst.zone);
  }

  protected enterService(inst: Instance): void {
    inst.lifecycle = 'InService';
    inst.inServiceAt = this.now;
    this.endActivity(inst.launchActivity, this.now, 'Successful');
    this.emitAsg('asg-launch', inst, inst.launchActivity);
  }

  protected active(g: Group): Instance[] {
    return [...g.instances.values()].filter(
      (i) => !NON_ACTIVE.has(i.lifecycle) && !i.lifecycle.startsWith('Warmed:'),
    );
  }

  protected activity(g: Group, description: string, cause: string, zone: string, at = this.now): Activity {
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

  protected endActivity(a: Activity, at: number, status: string): void {
    a.end = at;
    a.status = status;
    a.progress = 100;
  }

  protected emitTrail(g: Group, chunk: readonly Instance[]): void {
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

  protected emitAsg(kind: 'asg-launch' | 'asg-terminate', inst: Instance, a: Activity): void {
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

  protected pick<T>(items: readonly T[], count: number): T[] {
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
