/**
 * The fake cloud over static maps: the demo's state (and the tests'). It holds state only; what
 * happens to it over time (launches, health, terminations) is the caller's to write (the demo
 * advances it to each event's delivery time, `demo/loop-world.ts`).
 */
import { type FakeIam, fakeIam, type IamState } from './iam';
import { DEMO_SERVICES } from './services';
import { type FakeQueue, fakeQueue, type SqsState } from './sqs';
import type * as View from './state';
import {
  type Cloud,
  type CloudCall,
  type CloudFailure,
  type CloudHooks,
  type CloudPublish,
  startCloud,
} from './wire';

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
export type FakeCall = CloudCall;
/** A published SNS message. */
export type FakePublish = CloudPublish;
/** An error the fake answers instead of acting (a test's injected failure). */
export type FakeFailure = CloudFailure;
/** A test's hooks into the fake (the demo sets none). */
export type FakeHooks = CloudHooks;

const ZONE = 'eu-west-1a';
const DETAILS = '{"Subnet ID":"subnet-0a1b2c3d4e5f60789","Availability Zone":"eu-west-1a"}';

/** {@link View.CloudState} (with SQS and IAM) over maps a caller fills and changes. */
export class StaticState implements View.CloudState, SqsState, IamState {
  readonly account = '123456789012';
  readonly region = 'eu-west-1';
  readonly groupMap = new Map<string, FakeGroup>();
  readonly images = new Map<string, { name: string; description: string }>();
  /** What EC2 DescribeInstances knows, by instance id. */
  readonly instances = new Map<string, FakeEc2Instance>();
  readonly ecs: FakeEcs = { clusters: new Map(), capacityProviders: new Map() };
  /** SQS queues by URL. */
  readonly queues = new Map<string, FakeQueue>();
  /** Instance profiles, roles and launch templates. */
  readonly iam: FakeIam = fakeIam();

  now(): undefined {
    return undefined;
  }

  private view(g: FakeGroup): View.GroupView {
    return {
      name: g.name,
      arn: g.arn,
      minSize: 0,
      maxSize: g.maxSize ?? 4,
      desired: g.desired,
      healthCheckType: 'EC2',
      gracePeriodS: g.healthCheckGracePeriod,
      zones: [ZONE],
      instances: [...g.instances.values()].map(
        (i): View.AsgInstanceView => ({
          id: i.instanceId,
          type: i.instanceType ?? 'inf2.xlarge',
          zone: ZONE,
          lifecycle: i.lifecycleState,
          health: i.healthStatus,
          protectedFromScaleIn: i.protectedFromScaleIn === true,
        }),
      ),
      suspended: [...g.suspended].map((process) => ({ process, reason: 'User suspended' })),
      tags: g.tags,
      ...(g.launchTemplate !== undefined ? { launchTemplate: g.launchTemplate } : {}),
    };
  }

  private named(name: string): FakeGroup {
    const g = this.groupMap.get(name);
    if (g === undefined) throw new Error(`no group ${name}`);
    return g;
  }

  groups(): View.GroupView[] {
    return [...this.groupMap.values()].map((g) => this.view(g));
  }

  group(name: string): View.GroupView | undefined {
    const g = this.groupMap.get(name);
    return g === undefined ? undefined : this.view(g);
  }

  warmPool(): undefined {
    return undefined;
  }

  activities(): View.ActivityView[] {
    return [...this.groupMap.values()].flatMap((g) =>
      (g.activities ?? []).map(
        (a): View.ActivityView => ({
          id: a.activityId,
          group: g.name,
          groupArn: g.arn,
          description: a.description,
          cause: a.cause,
          start: a.startTime,
          ...(a.endTime !== undefined ? { end: a.endTime } : {}),
          status: a.statusCode,
          progress: a.statusCode === 'Successful' ? 100 : 50,
          details: DETAILS,
        }),
      ),
    );
  }

  suspendProcesses(group: string, processes: readonly string[]): void {
    for (const p of processes) this.named(group).suspended.add(p);
  }

  resumeProcesses(group: string, processes: readonly string[]): void {
    for (const p of processes) this.named(group).suspended.delete(p);
  }

  setTag(group: string, key: string, value: string): void {
    this.named(group).tags.set(key, value);
  }

  deleteTag(group: string, key: string): void {
    this.named(group).tags.delete(key);
  }

  image(id: string): { name: string; description: string } | undefined {
    return this.images.get(id);
  }

  private ec2View(i: FakeEc2Instance): View.Ec2InstanceView {
    return {
      id: i.instanceId,
      imageId: i.imageId,
      type: i.instanceType,
      state: i.state,
      launchTime: i.launchTime,
      zone: ZONE,
      ...(i.stateReason !== undefined ? { stateReason: i.stateReason } : {}),
    };
  }

  ec2Instance(id: string): View.Ec2InstanceView | undefined {
    const i = this.instances.get(id);
    return i === undefined ? undefined : this.ec2View(i);
  }

  ec2Instances(): View.Ec2InstanceView[] {
    return [...this.instances.values()].map((i) => this.ec2View(i));
  }

  launchTemplate(ref: string): View.LaunchTemplateView | undefined {
    return [...this.iam.launchTemplates.values()].find((t) => t.id === ref || t.name === ref);
  }

  capacityProviders(): View.CapacityProviderView[] {
    return [...this.ecs.capacityProviders.values()].map((cp) => ({
      name: cp.name,
      arn: cp.arn,
      autoScalingGroupArn: cp.autoScalingGroupArn,
      maxStep: 10000,
      warmupS: 300,
      managedTerminationProtection: true,
    }));
  }

  private clusterView(c: FakeCluster): View.ClusterView {
    return {
      name: c.name,
      arn: c.arn,
      capacityProviders: c.capacityProviders,
      registered: c.containerInstances.filter((i) => i.status !== 'INACTIVE').length,
      running: 0,
      pending: c.pendingTasks,
    };
  }

  clusters(): View.ClusterView[] {
    return [...this.ecs.clusters.values()].map((c) => this.clusterView(c));
  }

  cluster(ref: string): View.ClusterView | undefined {
    const c = [...this.ecs.clusters.values()].find((x) => x.name === ref || x.arn === ref);
    return c === undefined ? undefined : this.clusterView(c);
  }

  containerInstances(cluster: string): View.ContainerInstanceView[] {
    return (this.ecs.clusters.get(cluster)?.containerInstances ?? []).map((i) => ({
      arn: i.arn,
      ec2InstanceId: i.ec2InstanceId,
      status: i.status,
      agentConnected: i.agentConnected,
      ...(i.capacityProviderName ? { capacityProviderName: i.capacityProviderName } : {}),
    }));
  }
}

/** The running fake over static maps. */
export interface FakeAws extends Cloud<StaticState> {
  readonly groups: Map<string, FakeGroup>;
  readonly images: Map<string, { name: string; description: string }>;
  /** What EC2 DescribeInstances knows, by instance id. */
  readonly instances: Map<string, FakeEc2Instance>;
  readonly ecs: FakeEcs;
  /** The guard's deadline queue (`launch-loop-guard-deadlines`, empty at start). */
  readonly sqs: FakeQueue;
  /** Instance profiles, roles and launch templates. */
  readonly iam: FakeIam;
}

/**
 * Start the fake over empty maps on a free loopback port (Auto Scaling, SNS, EC2, ECS, the Price
 * List, SQS with the deadline queue, IAM).
 */
export async function startFakeAws(): Promise<FakeAws> {
  const state = new StaticState();
  const cloud = await startCloud({ state, services: DEMO_SERVICES, label: 'demo' });
  const sqs = fakeQueue(cloud.endpoint, state.account, state.region, 'launch-loop-guard-deadlines');
  state.queues.set(sqs.url, sqs);
  return Object.assign(cloud, {
    groups: state.groupMap,
    images: state.images,
    instances: state.instances,
    ecs: state.ecs,
    sqs,
    iam: state.iam,
  });
}
