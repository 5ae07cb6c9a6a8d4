/**
 * The fake cloud (`fake-cloud/`) answering from the LIVE state of a {@link World} at its simulated
 * time: the simulator's source of the cloud's state. Every call is recorded with its simulated time
 * and the group it concerns, so a harness can count calls per group per minute. A terminated
 * instance stays visible to EC2 for an hour.
 */
import { autoScalingCallGroup } from '../../fake-cloud/auto-scaling';
import { SERVICES } from '../../fake-cloud/services';
import type * as View from '../../fake-cloud/state';
import { type Cloud, type CloudCall, type Json, list, type Params, startCloud } from '../../fake-cloud/wire';
import type { World } from './world';
import { ACCOUNT, type Cluster, type Group, HOUR, type Instance, REGION } from './world-model';

/** {@link View.CloudState} read from (and written to) a {@link World} at its simulated time. */
export class WorldState implements View.CloudState {
  readonly account = ACCOUNT;
  readonly region = REGION;

  constructor(readonly world: World) {}

  now(): number {
    return this.world.now;
  }

  callGroup(service: string, input: Params | Json): string | undefined {
    if (service === 'autoscaling') return autoScalingCallGroup(input as Params);
    if (service === 'ecs') {
      const ref = input['cluster'];
      if (typeof ref !== 'string') return undefined;
      const name = ref.slice(ref.lastIndexOf('/') + 1);
      for (const g of this.world.groups.values())
        if (g.spec.capacityProvider?.cluster === name) return g.name;
      return undefined;
    }
    if (service === 'ec2') {
      const ids = list(input as Params, 'InstanceId');
      return ids.length > 0 ? this.world.instances.get(ids[0]!)?.group : undefined;
    }
    return undefined;
  }

  private instanceView(i: Instance, g: Group): View.AsgInstanceView {
    return {
      id: i.id,
      type: 'm7i.large',
      zone: i.zone,
      lifecycle: i.lifecycle,
      health: i.health,
      protectedFromScaleIn: i.protectedFromScaleIn,
      launchTemplate: { id: `lt-0abc${g.name.length}`, name: g.name, version: '1' },
    };
  }

  private view(g: Group): View.GroupView {
    const w = this.world;
    return {
      name: g.name,
      arn: g.arn,
      minSize: g.minSize,
      maxSize: g.maxSize,
      desired: g.desired,
      healthCheckType: g.spec.healthCheckType,
      gracePeriodS: g.spec.gracePeriodS,
      zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      instances: w.groupInstances(g).map((i) => this.instanceView(i, g)),
      suspended: [...g.suspended].map(([process, at]) => ({
        process,
        reason: `User suspended at ${new Date(at).toISOString()}`,
      })),
      tags: g.tags,
      mixedInstancesPolicy: true,
      newInstancesProtectedFromScaleIn: g.spec.capacityProvider?.managedTerminationProtection ?? false,
      capacityRebalance: false,
      ...(g.spec.warmPool
        ? { warmPool: { minSize: g.spec.warmPool.minSize, size: w.warmInstances(g).length } }
        : {}),
      ...(g.spec.launchHook
        ? {
            launchHook: {
              name: g.spec.launchHook.name,
              heartbeatTimeoutS: g.spec.launchHook.heartbeatTimeoutS,
            },
          }
        : {}),
    };
  }

  groups(): View.GroupView[] {
    return [...this.world.groups.values()].map((g) => this.view(g));
  }

  group(name: string): View.GroupView | undefined {
    const g = this.world.groups.get(name);
    return g === undefined ? undefined : this.view(g);
  }

  warmPool(name: string): View.AsgInstanceView[] | undefined {
    const g = this.world.groups.get(name);
    if (g === undefined || !g.spec.warmPool) return undefined;
    return this.world.warmInstances(g).map((i) => this.instanceView(i, g));
  }

  activities(): View.ActivityView[] {
    const w = this.world;
    return w.activities
      .filter((a) => a.start <= w.now)
      .map((a) => ({
        id: a.id,
        group: a.group,
        groupArn: w.groups.get(a.group)!.arn,
        description: a.description,
        cause: a.cause,
        start: a.start,
        ...(a.end !== undefined && a.end <= w.now ? { end: a.end } : {}),
        status: a.status,
        progress: a.progress,
        details: JSON.stringify({
          'Subnet ID': `subnet-0${a.zone.slice(-1)}1234567890abcd`,
          'Availability Zone': a.zone,
        }),
      }));
  }

  suspendProcesses(group: string, processes: readonly string[]): void {
    this.world.suspendProcesses(group, [...processes]);
  }

  resumeProcesses(group: string, processes: readonly string[]): void {
    this.world.resumeProcesses(group, [...processes]);
  }

  setTag(group: string, key: string, value: string): void {
    this.world.groups.get(group)!.tags.set(key, value);
  }

  deleteTag(group: string, key: string): void {
    this.world.groups.get(group)!.tags.delete(key);
  }

  image(id: string): { name: string; description: string } | undefined {
    return this.world.images.get(id);
  }

  private visible(i: Instance): boolean {
    const w = this.world;
    return (
      i.launchedAt <= w.now &&
      (i.terminatedAt === undefined || i.lifecycle !== 'Gone' || w.now - i.terminatedAt < HOUR)
    );
  }

  private ec2View(i: Instance): View.Ec2InstanceView {
    return {
      id: i.id,
      imageId: i.imageId,
      type: 'm7i.large',
      state: i.ec2State,
      launchTime: i.launchedAt,
      zone: i.zone,
      ...(i.stateReason ? { stateReason: i.stateReason } : {}),
      spot: i.spot,
      group: i.group,
    };
  }

  ec2Instance(id: string): View.Ec2InstanceView | undefined {
    const i = this.world.instances.get(id);
    return i === undefined || !this.visible(i) ? undefined : this.ec2View(i);
  }

  ec2Instances(): View.Ec2InstanceView[] {
    return [...this.world.instances.values()].filter((i) => this.visible(i)).map((i) => this.ec2View(i));
  }

  /**
   * None: the simulator's groups name no launch template of their own (their instances' template
   * is a label), so the role check has nothing to read here and its finding stays "unknown".
   */
  launchTemplate(): undefined {
    return undefined;
  }

  capacityProviders(): View.CapacityProviderView[] {
    const out: View.CapacityProviderView[] = [];
    for (const g of this.world.groups.values()) {
      const cp = g.spec.capacityProvider;
      if (!cp) continue;
      out.push({
        name: cp.name,
        arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:capacity-provider/${cp.name}`,
        autoScalingGroupArn: g.arn,
        maxStep: cp.maxStep,
        warmupS: Math.round(cp.warmupMs / 1000),
        managedTerminationProtection: cp.managedTerminationProtection,
        updateStatus: 'UPDATE_COMPLETE',
      });
    }
    return out;
  }

  private clusterView(c: Cluster): View.ClusterView {
    const w = this.world;
    const registered = w.containerInstances(c.name).filter((x) => x.status === 'ACTIVE').length;
    return {
      name: c.name,
      arn: c.arn,
      capacityProviders: c.capacityProviders,
      registered,
      running: Math.min(registered, c.tasks(w.now)),
      pending: Math.max(0, c.tasks(w.now) - registered),
    };
  }

  clusters(): View.ClusterView[] {
    return [...this.world.clusters.values()].map((c) => this.clusterView(c));
  }

  cluster(ref: string): View.ClusterView | undefined {
    const c = this.world.clusters.get(ref.includes('/') ? ref.slice(ref.lastIndexOf('/') + 1) : ref);
    return c === undefined ? undefined : this.clusterView(c);
  }

  containerInstances(cluster: string): View.ContainerInstanceView[] {
    const w = this.world;
    return w.containerInstances(cluster).map((x) => ({
      arn: x.arn,
      ec2InstanceId: x.inst.id,
      status: x.status,
      agentConnected: x.status === 'ACTIVE',
      ...(w.groups.get(x.inst.group)!.spec.capacityProvider
        ? { capacityProviderName: w.groups.get(x.inst.group)!.spec.capacityProvider!.name }
        : {}),
      registeredAt: x.inst.registeredAt ?? w.now,
    }));
  }
}

/** The running fake cloud over a world. */
export interface FakeCloud extends Cloud<WorldState> {
  /** Every call carries its simulated time. */
  readonly calls: (CloudCall & { readonly at: number })[];
  /** The world answered from; swap it between scenarios. */
  world: World;
}

/** Start the fake cloud on a free loopback port, answering from `world`. */
export async function startFakeCloud(world: World): Promise<FakeCloud> {
  const cloud = await startCloud({
    state: new WorldState(world),
    services: SERVICES,
    label: 'sim',
  });
  return Object.defineProperty(cloud, 'world', {
    get: () => cloud.state.world,
    set: (w: World) => {
      cloud.state = new WorldState(w);
    },
    enumerable: true,
  }) as FakeCloud;
}
