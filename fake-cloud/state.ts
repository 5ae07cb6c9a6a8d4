/**
 * What the fake cloud answers from: one state interface, two sources. The demo's static maps
 * (`static-state.ts`, moved along by the demo's script) and the simulator's world
 * (`bench/sim/world-state.ts`, moved along by its simulated clock) both give the operations
 * (`auto-scaling.ts`, `ec2.ts`, `ecs.ts`, `sns.ts`) the same views, so the wire format is written
 * once. SQS and IAM (`sqs.ts`, `iam.ts`) answer from the demo's state only (`services.ts`).
 */
import type { WireState } from './wire';

/** An instance as Auto Scaling shows it in a group (or its warm pool). */
export interface AsgInstanceView {
  readonly id: string;
  readonly type: string;
  readonly zone: string;
  readonly lifecycle: string;
  readonly health: string;
  readonly protectedFromScaleIn: boolean;
  readonly launchTemplate?: { readonly id: string; readonly name: string; readonly version: string };
}

/** An Auto Scaling group as DescribeAutoScalingGroups shows it. */
export interface GroupView {
  readonly name: string;
  readonly arn: string;
  readonly minSize: number;
  readonly maxSize: number;
  readonly desired: number;
  readonly healthCheckType: string;
  readonly gracePeriodS: number;
  readonly zones: readonly string[];
  readonly instances: readonly AsgInstanceView[];
  readonly suspended: readonly { readonly process: string; readonly reason: string }[];
  readonly tags: ReadonlyMap<string, string>;
  /** Shown only when set (the simulator's groups carry these elements, the demo's do not). */
  readonly mixedInstancesPolicy?: boolean;
  readonly newInstancesProtectedFromScaleIn?: boolean;
  readonly capacityRebalance?: boolean;
  readonly warmPool?: { readonly minSize: number; readonly size: number };
  readonly launchHook?: { readonly name: string; readonly heartbeatTimeoutS: number };
  /** The group's own launch template (its `$Default` version); shown only when set. */
  readonly launchTemplate?: { readonly id: string; readonly name: string };
}

/** One scaling activity, as DescribeScalingActivities shows it. Times are epoch ms. */
export interface ActivityView {
  readonly id: string;
  readonly group: string;
  readonly groupArn: string;
  readonly description: string;
  readonly cause: string;
  readonly start: number;
  /** Only once it ended (as of the state's time). */
  readonly end?: number;
  readonly status: string;
  readonly progress: number;
  /** Auto Scaling's `Details` JSON text (subnet, zone). */
  readonly details: string;
}

/** An instance as EC2 DescribeInstances shows it. */
export interface Ec2InstanceView {
  readonly id: string;
  readonly imageId: string;
  readonly type: string;
  readonly state: string;
  readonly launchTime: number;
  readonly zone: string;
  readonly stateReason?: { readonly code: string; readonly message: string };
  readonly spot?: boolean;
  /** Its `aws:autoscaling:groupName` tag, when it has one. */
  readonly group?: string;
}

/** A launch template's default version, as far as DescribeLaunchTemplateVersions shows it. */
export interface LaunchTemplateView {
  readonly id: string;
  readonly name: string;
  readonly imageId: string;
  readonly instanceProfileArn: string;
  /** Plain text (the answer encodes it in base64, as EC2 does). */
  readonly userData?: string;
}

/** An ECS capacity provider of the Auto Scaling group kind. */
export interface CapacityProviderView {
  readonly name: string;
  readonly arn: string;
  readonly autoScalingGroupArn: string;
  readonly maxStep: number;
  readonly warmupS: number;
  readonly managedTerminationProtection: boolean;
  readonly updateStatus?: string;
}

/** An ECS cluster with its counts at the state's time. */
export interface ClusterView {
  readonly name: string;
  readonly arn: string;
  readonly capacityProviders: readonly string[];
  readonly registered: number;
  readonly running: number;
  readonly pending: number;
}

/** A container instance: an EC2 instance whose ECS agent registered with a cluster. */
export interface ContainerInstanceView {
  readonly arn: string;
  readonly ec2InstanceId: string;
  readonly status: string;
  readonly agentConnected: boolean;
  readonly capacityProviderName?: string;
  /** Epoch ms. */
  readonly registeredAt?: number;
}

/** The published message as the state keeps it. */
export interface PublishInput {
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** The state the fake cloud answers from. */
export interface CloudState extends WireState {
  readonly account: string;
  readonly region: string;
  // Auto Scaling
  groups(): readonly GroupView[];
  group(name: string): GroupView | undefined;
  /** The warm pool's instances; undefined when the group has none. */
  warmPool(name: string): readonly AsgInstanceView[] | undefined;
  /** The activities visible at the state's time, in the state's order. */
  activities(): readonly ActivityView[];
  suspendProcesses(group: string, processes: readonly string[]): void;
  resumeProcesses(group: string, processes: readonly string[]): void;
  setTag(group: string, key: string, value: string): void;
  deleteTag(group: string, key: string): void;
  // EC2
  image(id: string): { readonly name: string; readonly description: string } | undefined;
  /** An instance EC2 still shows; undefined when unknown (or gone long enough). */
  ec2Instance(id: string): Ec2InstanceView | undefined;
  ec2Instances(): readonly Ec2InstanceView[];
  /** A launch template by id or name; undefined when unknown. */
  launchTemplate(ref: string): LaunchTemplateView | undefined;
  // ECS
  capacityProviders(): readonly CapacityProviderView[];
  clusters(): readonly ClusterView[];
  /** A cluster by name or ARN. */
  cluster(ref: string): ClusterView | undefined;
  containerInstances(cluster: string): readonly ContainerInstanceView[];
}
