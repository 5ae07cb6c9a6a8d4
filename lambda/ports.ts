/**
 * The ports: every interface the runtime's steps (count, judge, trip, delayed check, AMI change,
 * role check, diagnosis, organization routing) talk to, and the values those interfaces exchange.
 * A step imports its collaborators' types from here, never from another step's file, so no import
 * circle can form between the steps (`.dependency-cruiser.cjs` checks it).
 *
 * Types only. The port interfaces that an adapter implements are still declared beside their
 * adapter and re-exported here; they move into this file in issue 19's phase 2 (after the
 * branches that change the store and the Auto Scaling adapter have merged).
 */
import type { AsgSuspender, GroupHistory } from './adapters/asg-suspender';
import type { DeadlineQueue } from './adapters/deadline-queue';
import type { BillingFacts } from './adapters/ec2-billing';
import type { ImageInfoSource } from './adapters/ec2-diagnosis';
import type { InstanceStates } from './adapters/ec2-instances';
import type { EcsRegistry } from './adapters/ecs-registry';
import type { Notifier } from './adapters/notifier';
import type { OnDemandPrices } from './adapters/price-list';
import type { ResumeScheduler } from './adapters/scheduler';
import type { TripClaim, TripOwner } from './core/claim';
import type { KeptFate } from './core/fate-item';
import type { TripReport } from './core/report';
import type { RoleCheckGroup, RoleFinding } from './core/role-check';
import type { CachedSettings, ItemState, TripProgress } from './core/scope-item';
import type { RecordRequest, ScopeView } from './core/scope-record';
import type { ScopeKey, ScopePolicy } from './core/types';

export type { AccountNameLookup, AccountNameSource } from './adapters/account-names';
export type {
  AsgSuspender,
  ChangeOutcome,
  GroupHistory,
  GroupSnapshot,
  TagOutcome,
} from './adapters/asg-suspender';
export type { DeadlineCheck, DeadlineQueue } from './adapters/deadline-queue';
export type { ImageInfoSource, ImageLookup, ImageLookupProblem } from './adapters/ec2-diagnosis';
export type { InstanceStates } from './adapters/ec2-instances';
export type { EcsRegistry } from './adapters/ecs-registry';
export type { RoleReader, RoleRef, SimulatedDecision } from './adapters/iam-role';
export type { LaunchTemplateFacts, LaunchTemplateReader, LookupProblem } from './adapters/launch-template';
export type { MemberCredentials } from './adapters/member-credentials';
export type { Notifier, Published } from './adapters/notifier';
export type { ResumeScheduler, ScheduleOutcome, SchedulerTarget } from './adapters/scheduler';
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
  saveFates?(key: ScopeKey, fates: ReadonlyMap<string, string>): Promise<void>;
  /** The fates kept for a scope (its fate item, without those cut by `resume`). */
  readFates?(key: ScopeKey): Promise<ReadonlyMap<string, KeptFate>>;
  /** Keep a group's time-to-useful history (`core/time-to-useful.ts`) in its count item. */
  saveLearned?(key: ScopeKey, samples: readonly number[]): Promise<void>;
  /** Read one scope's item (the delayed check reads the trip state and the history). */
  read?(key: ScopeKey): Promise<ItemState | undefined>;
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
  /** An amount without a CloudWatch unit (USD for `EstimatedLoopCost`); a sink without it gets `count`. */
  amount?(name: string, value: number): void;
}

/** Looks up what can be known about AMIs for the alert (names, likely causes). */
export interface Diagnoser {
  diagnose(report: TripReport): Promise<Pick<TripReport, 'diagnosis' | 'imageNames'>>;
}

/** Everything `run()` talks to. */
export interface GuardDeps {
  readonly counter: ScopeStore;
  readonly suspender: AsgSuspender;
  readonly notifier: Notifier;
  readonly log: GuardLog;
  readonly metrics: GuardMetrics;
  readonly scheduler?: ResumeScheduler;
  readonly streaks?: { setResumeStreak(key: ScopeView['key'], streak: number, at: number): Promise<void> };
  readonly diagnoser?: Diagnoser;
  /** Why instances left and how long launch hooks hold (Auto Scaling), to judge launches. */
  readonly history?: GroupHistory;
  /** ECS registration, to judge launches of groups that back a cluster. */
  readonly ecs?: EcsRegistry;
  /** EC2 state reasons (Spot or crash), to judge launches whose instance ended. */
  readonly instances?: InstanceStates;
  /** Delayed checks of group launches at their deadline (see `deadline.ts`). */
  readonly deadlines?: DeadlineQueue;
  /** AMI descriptions for the AMI-change alert (cached); without it the alert is off. */
  readonly images?: ImageInfoSource;
  /** The instance-role check of the AMI-change alert. */
  readonly roles?: RoleChecker;
  /** Instance facts and prices for the cost line of trip alerts; without it the alert has none. */
  readonly costs?: LoopCostSources;
}

/** Checks a group's instance role. */
export interface RoleChecker {
  /** What can be learned about the group's instance role. Never rejects. */
  check(region: string, group: RoleCheckGroup): Promise<RoleFinding>;
}

/** Prices kept per container and per UTC day (`loop-cost-step.ts` PriceCache). */
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
