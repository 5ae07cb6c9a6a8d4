/**
 * The ports: every interface the runtime's steps (count, judge, trip, delayed check, AMI change,
 * role check, diagnosis, organization routing) talk to, and the values those interfaces exchange.
 * A step imports its collaborators' types from here, never from another step's file, so no import
 * circle can form between the steps (`.dependency-cruiser.cjs` checks it). An adapter imports the
 * interface it implements from here.
 *
 * Types only, importing only the core. Every port is required: a capability that is off is a
 * value of the configuration (`GuardConfig`) that the step reads, never a missing port or method.
 */
import type { AmiChangeReport } from './core/ami-change-alert';
import type { UngroupedFacts } from './core/ami-confirm';
import type { ResumeRequest } from './core/auto-resume';
import type { TripClaim, TripOwner } from './core/claim';
import type { ImageInfo } from './core/diagnose';
import type { Departure, GroupInstance } from './core/fate';
import type { KeptFate } from './core/fate-item';
import type { BilledInstance, PriceKeyFacts } from './core/loop-cost';
import type { TripReport } from './core/report';
import type { LaunchTemplateRef, RoleCheckGroup, RoleFinding } from './core/role-check';
import type { CachedSettings, ItemState, TripProgress } from './core/scope-item';
import type { RecordRequest, ScopeView } from './core/scope-record';
import type { ScopeKey, ScopePolicy } from './core/types';

export type { TripClaim, TripOwner } from './core/claim';
export type { RecordRequest, ScopeView } from './core/scope-record';
export type { ScopeSummary } from './core/scope-summary';

/** The store's role: count launches per scope, own trips, cache settings, keep fates. */
export interface ScopeStore {
  record(req: RecordRequest, defaults: ScopePolicy): Promise<ScopeView>;
  saveSettings(key: ScopeKey, settings: CachedSettings | undefined): Promise<void>;
  claimTrip(key: ScopeKey, episode: number, owner: TripOwner, now: number): Promise<TripClaim>;
  saveProgress(key: ScopeKey, episode: number, owner: TripOwner, progress: TripProgress): Promise<boolean>;
  releaseTrip(key: ScopeKey, episode: number, owner: TripOwner): Promise<void>;
  rearm(key: ScopeKey, episode: number): Promise<void>;
  /**
   * Keep decided fates of a scope's launches in its fate item (`core/fate-item.ts`), each value
   * `encodeFate(…)`; the first decision stays.
   */
  saveFates(key: ScopeKey, fates: ReadonlyMap<string, string>): Promise<void>;
  /** The fates kept for a scope (its fate item, without those cut by `resume`). */
  readFates(key: ScopeKey): Promise<ReadonlyMap<string, KeptFate>>;
  /** Keep a group's time-to-useful history (`core/time-to-useful.ts`) in its count item. */
  saveLearned(key: ScopeKey, samples: readonly number[]): Promise<void>;
  /** Read one scope's item (the delayed check reads the trip state and the history). */
  read(key: ScopeKey): Promise<ItemState | undefined>;
}

/** Structured logging (Powertools Logger fits). */
export interface GuardLog {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/** Metrics sink (Powertools Metrics behind it in the handler). */
export interface GuardMetrics {
  count(name: string, value?: number): void;
  /** An amount without a CloudWatch unit (USD for `EstimatedLoopCost`). */
  amount(name: string, value: number): void;
}

/** Looks up what can be known about AMIs for the alert (names, likely causes). */
export interface Diagnoser {
  diagnose(report: TripReport): Promise<Pick<TripReport, 'diagnosis' | 'imageNames'>>;
}

/**
 * Everything the steps talk to: every port is always there. A capability that is off is read from
 * the configuration (no auto-resume: `GuardConfig.autoResume` undefined; no delayed checks:
 * `deadlineQueueUrl` undefined; no AMI-change alert: `amiChangeAlerts` `off`), and the wiring's
 * stand-in for it refuses to be called.
 */
export interface GuardDeps {
  readonly counter: ScopeStore;
  readonly suspender: AsgSuspender;
  readonly notifier: Notifier;
  readonly log: GuardLog;
  readonly metrics: GuardMetrics;
  /** Resume schedules (auto-resume; called only when `GuardConfig.autoResume` is set). */
  readonly scheduler: ResumeScheduler;
  readonly streaks: { setResumeStreak(key: ScopeView['key'], streak: number, at: number): Promise<void> };
  readonly diagnoser: Diagnoser;
  /** Why instances left and how long launch hooks hold (Auto Scaling), to judge launches. */
  readonly history: GroupHistory;
  /** ECS registration, to judge launches of groups that back a cluster. */
  readonly ecs: EcsRegistry;
  /** EC2 state reasons (Spot or crash), to judge launches whose instance ended. */
  readonly instances: InstanceStates;
  /** Delayed checks of group launches at their deadline (called only when `GuardConfig.deadlineQueueUrl` is set). */
  readonly deadlines: DeadlineQueue;
  /** AMI descriptions for the AMI-change alert (cached; called unless `GuardConfig.amiChangeAlerts` is `off`). */
  readonly images: ImageInfoSource;
  /** The instance-role check of the AMI-change alert and of the trip alert. */
  readonly roles: RoleChecker;
  /** Instance facts and prices for the cost line of trip alerts. */
  readonly costs: LoopCostSources;
}

/** Checks a group's instance role. */
export interface RoleChecker {
  /** What can be learned about the group's instance role. Never rejects. */
  check(region: string, group: RoleCheckGroup): Promise<RoleFinding>;
}

/** Prices kept per container and per UTC day (`steps/loop-cost.ts` PriceCache). */
export interface PriceStore {
  get(key: string, at: number, lookup: () => Promise<number | undefined>): Promise<number | undefined>;
  put(key: string, at: number, price: number): void;
  /** The prices known today, in the shape `replay --prices` reads. */
  toFile(): {
    readonly currency: 'USD';
    readonly day: string;
    readonly prices: Readonly<Record<string, number>>;
  };
}

/** What estimating a loop's cost needs. */
export interface LoopCostSources {
  readonly facts: BillingFacts;
  readonly onDemand: OnDemandPrices;
  readonly cache: PriceStore;
}

// ---- Auto Scaling (`adapters/asg-suspender.ts`)
/** A group as the guard needs to see it, read at one moment. */
export interface GroupSnapshot {
  readonly name: string;
  readonly arn?: string;
  readonly tags: Readonly<Record<string, string>>;
  /** The group's instances, then its warm pool's (states `Warmed:*`) when it has one. */
  readonly instances: readonly GroupInstance[];
  /** Names of the processes suspended now (by anyone). */
  readonly suspendedProcesses: readonly string[];
  readonly healthCheckGracePeriodSeconds: number;
  readonly desiredCapacity: number;
  readonly minSize: number;
  readonly maxSize: number;
  /** Auto Scaling's `Status`, e.g. `Delete in progress`; undefined for a normal group. */
  readonly status?: string;
  /** The group's launch template, or its mixed instances policy's (for the instance-role check). */
  readonly launchTemplate?: { readonly id?: string; readonly name?: string; readonly version?: string };
}

/** What a call that changes a group found: done, or the group no longer exists. */
export type ChangeOutcome = 'done' | 'gone';

/** What writing the guard's tags found. `tag-limit`: the group already holds 50 tags. */
export type TagOutcome = 'tagged' | 'tag-limit' | 'gone';

/** The Auto Scaling calls the guard, the CLI and auto-resume make. */
export interface AsgSuspender {
  /** The group's live state, or undefined when no such group exists. */
  describeGroup(region: string, name: string): Promise<GroupSnapshot | undefined>;
  /** `SuspendProcesses` with exactly these processes. */
  suspend(region: string, name: string, processes: readonly string[]): Promise<ChangeOutcome>;
  /** `ResumeProcesses` with exactly these processes. */
  resume(region: string, name: string, processes: readonly string[]): Promise<ChangeOutcome>;
  /** Write tags on the group itself (`PropagateAtLaunch=false`: never copied to instances). */
  tagGroup(region: string, name: string, tags: Readonly<Record<string, string>>): Promise<TagOutcome>;
  /** Remove tags by key. */
  untagGroup(region: string, name: string, keys: readonly string[]): Promise<ChangeOutcome>;
  /** The groups of a region that carry the guard's `suspended-at` tag. */
  listSuspendedGroups(region: string): Promise<GroupSnapshot[]>;
}

/** The Auto Scaling reads that judge a group's launches: why instances left, how long hooks hold. */
export interface GroupHistory {
  /**
   * Why the group's instances left, from its newest scaling activities, by instance id: one
   * `DescribeScalingActivities` page, or with `want` as many as it takes (at most
   * `ACTIVITY_PAGES`) to find the wanted instances' departures or reach `since` (epoch ms).
   */
  departures(
    region: string,
    name: string,
    want?: { readonly ids: readonly string[]; readonly since: number },
  ): Promise<ReadonlyMap<string, Departure>>;
  /** The longest heartbeat timeout (ms) of the group's launch lifecycle hooks; undefined without one. */
  launchHookMs(region: string, name: string): Promise<number | undefined>;
}

// ---- The delayed checks' queue (`adapters/deadline-queue.ts`, SQS)
/** What a delayed check looks at: launches of one group. Times in epoch ms. */
export interface DeadlineCheck {
  readonly account: string;
  readonly region: string;
  readonly group: string;
  readonly launches: readonly { readonly instanceId: string; readonly launchedAt: number }[];
}

/** Where delayed checks go. */
export interface DeadlineQueue {
  /** Deliver `check` to the guard after `delaySeconds` (capped at `MAX_DELAY_S`). */
  schedule(check: DeadlineCheck, delaySeconds: number): Promise<void>;
}

// ---- What instances are billed as (`adapters/ec2-billing.ts`)
/** One launch whose cost is wanted. Epoch milliseconds. */
export interface LaunchToBill {
  readonly instanceId: string;
  readonly launchedAt: number;
}

/** Reads what instances are billed as, and Spot prices. */
export interface BillingFacts {
  /** The instances EC2 still shows (terminated ones for about an hour). Never rejects. */
  instances(region: string, launches: readonly LaunchToBill[]): Promise<BilledInstance[]>;
  /**
   * The current Spot price (USD per hour) of one instance type and product in every zone of a
   * Region, in one call. Never rejects: empty when it cannot be had.
   */
  spotPrices(
    region: string,
    instanceType: string,
    product: string,
    at: number,
  ): Promise<ReadonlyMap<string, number>>;
}

// ---- AMI descriptions (`adapters/ec2-diagnosis.ts`)
/** Why some or all images could not be read. */
export type ImageLookupProblem =
  | { readonly kind: 'access-denied'; readonly message: string }
  | {
      readonly kind: 'failed';
      readonly code: string;
      readonly message: string;
      /** `transient` (a retry might work) or `permanent` (an unknown id, …). */
      readonly failure: 'transient' | 'permanent';
    };

/** What could be learned about the AMIs. */
export interface ImageLookup {
  readonly images: readonly ImageInfo[];
  /** Ids that EC2 did not describe (deregistered, not shared, malformed, or not looked up). */
  readonly missing: readonly string[];
  readonly problem?: ImageLookupProblem;
}

/** Reads AMI facts for diagnosis. */
export interface ImageInfoSource {
  /** Describe the AMIs of a region. Never rejects. */
  describe(region: string, imageIds: readonly string[]): Promise<ImageLookup>;
}

// ---- EC2 instance states (`adapters/ec2-instances.ts`)
/** What EC2 shows of one launch of an AMI: its group (the `aws:autoscaling:groupName` tag), else its own state. */
export interface LaunchFactsOfAmi extends UngroupedFacts {
  readonly groupName?: string;
  /** The instance's AMI. */
  readonly imageId?: string;
}

/** Reads why instances ended. */
export interface InstanceStates {
  /** State reason codes by instance id, for the instances EC2 still shows. Never rejects. */
  stateReasons(region: string, instanceIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
  /**
   * The AMI scope's confirmation: each instance's group, state and end time, and the status
   * checks of running instances outside any group. Instances EC2 no longer shows are absent.
   * Never rejects.
   */
  launchFacts(region: string, instanceIds: readonly string[]): Promise<ReadonlyMap<string, LaunchFactsOfAmi>>;
}

// ---- ECS registration (`adapters/ecs-registry.ts`)
/** The ECS reads the guard makes. */
export interface EcsRegistry {
  /**
   * The cluster whose capacity provider uses this group, or undefined when none does.
   * @throws EcsLookupError
   */
  clusterOfGroup(region: string, groupArn: string): Promise<string | undefined>;
  /**
   * The ids among `instanceIds` that are container instances of `cluster` (any status but
   * INACTIVE), each with its `registeredAt` (epoch ms) when ECS gives it: the guard learns from it
   * how long a group's launches take to become useful.
   * @throws EcsLookupError
   */
  registrations(
    region: string,
    cluster: string,
    instanceIds: readonly string[],
  ): Promise<Map<string, number | undefined>>;
}

// ---- Alerts (`adapters/notifier.ts`, SNS)
/** What a publication returned. */
export interface Published {
  /** The main topic's MessageId. */
  readonly messageId: string;
  /** The chat topic's MessageId, when there is a chat topic. */
  readonly chatMessageId?: string;
}

/** Sends alerts. */
export interface Notifier {
  /** Publish a trip's alert. */
  publishTrip(report: TripReport): Promise<Published>;
  /** Publish an AMI-change alert (notify only) to the main topic and the chat topic. */
  publishAmiChange(report: AmiChangeReport): Promise<Published>;
  /** Publish a message that is not a trip (alarms, trail tampering) to the main topic. */
  publishText(
    subject: string,
    body: string,
    attributes: Readonly<Record<string, string>>,
  ): Promise<Published>;
}

// ---- On-Demand prices (`adapters/price-list.ts`)
/** On-Demand prices by instance. */
export interface OnDemandPrices {
  /** USD per hour, or undefined when it cannot be had. Never rejects. */
  onDemandHourly(facts: PriceKeyFacts): Promise<number | undefined>;
}

// ---- Resume schedules (`adapters/scheduler.ts`, EventBridge Scheduler)
/** Where schedules go and what they invoke (from `AutoResumeConfig`). */
export interface SchedulerTarget {
  readonly scheduleGroup: string;
  /** The role EventBridge Scheduler assumes to invoke the resumer. */
  readonly schedulerRoleArn: string;
  /** The resumer function's ARN. */
  readonly targetArn: string;
}

/** Whether a schedule was created now or already existed (a retry of the same trip). */
export type ScheduleOutcome = 'created' | 'already-scheduled';

/** The role the guard sees: plan one resume. */
export interface ResumeScheduler {
  /**
   * Schedule one resume.
   *
   * @param name idempotent per group and trip (see `scheduleName`)
   * @param at epoch milliseconds
   * @throws GuardError when EventBridge Scheduler refuses for another reason than a duplicate name
   */
  schedule(name: string, at: number, request: ResumeRequest): Promise<ScheduleOutcome>;
}

// ---- IAM roles (`adapters/iam-role.ts`)
/** A role as an instance profile holds it. */
export interface RoleRef {
  readonly name: string;
  readonly arn: string;
}

/** The simulator's decision for one action: `allowed`, `implicitDeny` or `explicitDeny`. */
export interface SimulatedDecision {
  readonly action: string;
  readonly decision: string;
}

/** Reads roles and simulates their policies. */
export interface RoleReader {
  /** The role of an instance profile (by name). Never rejects. */
  roleOfProfile(profileName: string): Promise<RoleRef | LookupProblem>;
  /**
   * Simulate the role's policies for these actions, against one resource ARN (`*` when
   * undefined). Never rejects.
   */
  simulate(
    roleArn: string,
    actions: readonly string[],
    resourceArn?: string,
  ): Promise<SimulatedDecision[] | LookupProblem>;
}

// ---- Launch templates (`adapters/launch-template.ts`)
/** What a launch template version says about the instances' identity and boot. */
export interface LaunchTemplateFacts {
  /** The instance profile as the template names it (ARN or name), if it names one. */
  readonly instanceProfile?: string;
  /** The user data, decoded from base64, if any. */
  readonly userData?: string;
}

/** A lookup that failed, by the error's name (`AccessDenied`, `InvalidLaunchTemplateId.NotFound`, …). */
export interface LookupProblem {
  readonly code: string;
  readonly message: string;
}

/** Reads launch templates. */
export interface LaunchTemplateReader {
  /** Read one version (the template's default when the ref names none). Never rejects. */
  read(region: string, ref: LaunchTemplateRef): Promise<LaunchTemplateFacts | LookupProblem>;
}

// ---- Member accounts' credentials (`adapters/member-credentials.ts`)
/** Credentials as the AWS SDK's `credentials` option takes them (with an expiry for refresh). */
export interface MemberCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

// ---- Account names (`adapters/account-names.ts`, Organizations)
/** What a lookup found. */
export interface AccountNameLookup {
  readonly name?: string;
  /** The SDK error name when the lookup failed. */
  readonly problem?: string;
}

/** Names accounts. */
export interface AccountNameSource {
  /** The account's name; never rejects. */
  nameOf(account: string): Promise<AccountNameLookup>;
}
