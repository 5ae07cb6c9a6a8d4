/**
 * The simulated world's vocabulary: its account, region and clock, Auto Scaling's `Cause`
 * phrases, and the shapes of groups, instances, activities and deliveries (see ./world.ts).
 */
export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';
/** Simulated time starts here (a Monday, 08:00 UTC). */
export const SIM_T0 = Date.UTC(2026, 0, 12, 8, 0, 0);
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'] as const;

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

/** Lifecycle states of an instance that no longer counts toward its group's capacity. */
export const NON_ACTIVE = new Set([
  'Terminating',
  'Terminating:Wait',
  'Terminating:Proceed',
  'Terminated',
  'Gone',
]);

/** The ARN of an instance's container-instance record (its id derived from the instance id). */
export function containerInstanceArn(cluster: string, instanceId: string): string {
  const id = instanceId.slice(2).padEnd(32, '0').slice(0, 32);
  return `arn:aws:ecs:${REGION}:${ACCOUNT}:container-instance/${cluster}/${id}`;
}
