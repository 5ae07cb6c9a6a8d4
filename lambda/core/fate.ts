/**
 * # What became of a launch
 *
 * The guard suspends a group when its launches keep *failing*, not when they are many and not
 * when they disappear. Each launch of a group gets a fate:
 *
 * - **useful**: `InService` (or `Standby`, or a ready warm-pool state) and `Healthy` at its
 *   deadline; where the group backs an ECS cluster, also registered as a container instance
 *   of that cluster (registration decides at once: it is what the instance was for).
 * - **failed**: `Unhealthy` (Auto Scaling marks an instance so only after its grace period);
 *   gone or leaving for a health reason (the activity's `Cause` names a health check, ELB, or
 *   "terminated or stopped"), unless EC2 says a Spot interruption did it; still pending at its
 *   deadline; `InService` but not registered with its ECS cluster at its deadline; gone for a
 *   cause nobody recorded before its deadline (it never became useful).
 * - **neutral**, never evidence of a loop: ended by scale-in, a desired-capacity change, a
 *   scheduled action, an instance refresh, an AZ rebalance, a Spot interruption or a person;
 *   detached; a root-volume replacement; kept in a warm pool or a retained state on purpose;
 *   an instance whose id CloudTrail cut from the record.
 * - **undecided**: before its deadline; held by a launch lifecycle hook (for the hook's own
 *   heartbeat timeout, at most {@link MAX_HOLD_MS}); a lifecycle state this file does not know.
 *
 * A failure is decided as soon as it cannot be undone (Unhealthy, gone); usefulness waits for
 * the deadline, except an ECS registration. Nothing is stored: the guard judges from the
 * group's live state, its scaling activities and ECS each time it needs fates, so a retry or a
 * second container judges the same way.
 *
 * The deadline is 10 minutes after launch, or the group's `HealthCheckGracePeriod` plus 5
 * minutes when that is longer, or a tag's value. Cluster Autoscaler's `max-node-provision-time`
 * and Karpenter's registration timeout give a node 15 minutes, bootstrap included; an ECS agent
 * registers within a few minutes of boot.
 */

import {
  CAUSE,
  type CauseClass,
  classifyCause,
  DEFAULT_DEADLINE_MS,
  FATE,
  FATE_REASON,
  type Fate,
  type FateReason,
  GRACE_MARGIN_MS,
  lifecycleClass,
  MAX_HOLD_MS,
} from './fate-classes';

export * from './fate-classes';

/** One launch to judge. Times are epoch milliseconds. */
export interface LaunchFacts {
  readonly instanceId: string;
  readonly launchedAt: number;
}

/** What the group shows for an instance now (absent: the group no longer lists it). */
export interface LiveInstance {
  readonly lifecycleState: string;
  readonly healthStatus: string;
}

/** One instance the group (or its warm pool) lists now, as the Auto Scaling adapter reads it. */
export interface GroupInstance extends LiveInstance {
  readonly instanceId: string;
}

/** Why and when an instance left, from Auto Scaling's activities. */
export interface Departure {
  readonly cause: string;
  /** When the activity started (epoch ms), if known. */
  readonly at?: number;
}

/** Everything known about the group when its launches are judged. */
export interface JudgeInput {
  readonly now: number;
  readonly deadlineMs: number;
  /** The group's instances and warm pool, by id. */
  readonly live: ReadonlyMap<string, LiveInstance>;
  /** Departures found in the group's activities, by instance id. */
  readonly departures: ReadonlyMap<string, Departure>;
  /** EC2 state reason codes of instances that ended (e.g. `Server.SpotInstanceTermination`). */
  readonly stateReasons: ReadonlyMap<string, string>;
  /**
   * ECS registration: `undefined` when the group backs no cluster or the lookup failed (then
   * registration is not asked: a failed lookup never invents a failure); else the set of the
   * group's instance ids registered with the cluster.
   */
  readonly registered?: ReadonlySet<string>;
  /** The longest heartbeat timeout of the group's launch lifecycle hooks (ms), if any. */
  readonly launchHookMs?: number;
  /**
   * Fates decided earlier and kept (`useful:<reason>` or `failed:<reason>`, see
   * {@link storedFate}): a launch decided at its deadline stays decided, whatever becomes of its
   * instance later (an instance that never registered and was then scaled in still failed).
   */
  readonly decided?: ReadonlyMap<string, string>;
}

/** The stored form of a decided fate, or undefined for one that is not kept. */
export function storedFate(j: JudgedLaunch): string | undefined {
  if (j.fate !== FATE.useful && j.fate !== FATE.failed) return undefined;
  // A departure nobody explained may be a lookup that failed this time: judge it again next time.
  if (j.reason === FATE_REASON.goneUnknown) return undefined;
  return `${j.fate}:${j.reason}`;
}

/** Read a stored fate back, or undefined when the value is not one this file wrote. */
function readStored(value: string | undefined): { fate: Fate; reason: FateReason } | undefined {
  if (value === undefined) return undefined;
  const [fate, reason] = value.split(':');
  const reasons = Object.values(FATE_REASON) as string[];
  if ((fate !== FATE.useful && fate !== FATE.failed) || reason === undefined || !reasons.includes(reason))
    return undefined;
  return { fate, reason: reason as FateReason };
}

/** A launch and its fate. */
export interface JudgedLaunch extends LaunchFacts {
  readonly fate: Fate;
  readonly reason: FateReason;
  /** The activity cause behind a departure, when one was found. */
  readonly cause?: string;
  /** True when the fate was decided earlier and kept. */
  readonly stored?: boolean;
}

/** The deadline of a group's launches. */
export function deadlineFor(gracePeriodSeconds: number, override?: number): number {
  if (override !== undefined) return override;
  return Math.max(DEFAULT_DEADLINE_MS, Math.max(0, gracePeriodSeconds) * 1000 + GRACE_MARGIN_MS);
}

/** True for the stand-in ids of a record whose instance list CloudTrail cut. */
export function isSyntheticId(instanceId: string): boolean {
  return instanceId.includes('#');
}

const SPOT_REASON = 'Server.SpotInstanceTermination';

function verdict(launch: LaunchFacts, fate: Fate, reason: FateReason, cause?: string): JudgedLaunch {
  return { ...launch, fate, reason, ...(cause !== undefined ? { cause } : {}) };
}

/**
 * Judge one launch.
 *
 * @example
 * judgeLaunch({ instanceId: 'i-1', launchedAt: 0 }, {
 *   now: 11 * 60_000, deadlineMs: 10 * 60_000, departures: new Map(), stateReasons: new Map(),
 *   live: new Map([['i-1', { lifecycleState: 'InService', healthStatus: 'Healthy' }]]),
 *   registered: new Set(),
 * }); // { fate: 'failed', reason: 'not-registered', … }
 */
export function judgeLaunch(launch: LaunchFacts, input: JudgeInput): JudgedLaunch {
  if (isSyntheticId(launch.instanceId)) return verdict(launch, FATE.neutral, FATE_REASON.noInstanceId);
  const kept = readStored(input.decided?.get(launch.instanceId));
  if (kept !== undefined) return { ...verdict(launch, kept.fate, kept.reason), stored: true };
  const age = input.now - launch.launchedAt;
  const due = age >= input.deadlineMs;
  const live = input.live.get(launch.instanceId);
  if (live === undefined) return departed(launch, input, due);
  if (live.healthStatus.toLowerCase() === 'unhealthy') {
    // A Spot interruption makes EC2's status check fail first: the instance shows Unhealthy.
    if (input.stateReasons.get(launch.instanceId) === SPOT_REASON)
      return verdict(launch, FATE.neutral, FATE_REASON.spot);
    return verdict(launch, FATE.failed, FATE_REASON.unhealthy);
  }
  const klass = lifecycleClass(live.lifecycleState);
  switch (klass) {
    case 'in-service': {
      const registered = input.registered;
      if (registered?.has(launch.instanceId)) return verdict(launch, FATE.useful, FATE_REASON.registered);
      if (!due) return verdict(launch, FATE.undecided, FATE_REASON.booting);
      return registered === undefined
        ? verdict(launch, FATE.useful, FATE_REASON.inService)
        : verdict(launch, FATE.failed, FATE_REASON.notRegistered);
    }
    case 'standby':
      return due
        ? verdict(launch, FATE.useful, FATE_REASON.inService)
        : verdict(launch, FATE.undecided, FATE_REASON.booting);
    case 'warm':
      return verdict(launch, FATE.useful, FATE_REASON.warm);
    case 'pending':
      return due
        ? verdict(launch, FATE.failed, FATE_REASON.stillPending)
        : verdict(launch, FATE.undecided, FATE_REASON.booting);
    case 'hook': {
      const hold = Math.min(
        MAX_HOLD_MS,
        Math.max(input.deadlineMs, (input.launchHookMs ?? 0) + GRACE_MARGIN_MS),
      );
      return age >= hold
        ? verdict(launch, FATE.failed, FATE_REASON.stillPending)
        : verdict(launch, FATE.undecided, FATE_REASON.held);
    }
    case 'retained':
      return verdict(launch, FATE.neutral, FATE_REASON.retained);
    case 'leaving':
      return departed(launch, input, due);
    case 'detached':
      return verdict(launch, FATE.neutral, FATE_REASON.detached);
    case 'root-volume':
      return verdict(launch, FATE.neutral, FATE_REASON.rootVolume);
    case undefined:
      return age >= MAX_HOLD_MS
        ? verdict(launch, FATE.neutral, FATE_REASON.unknownState)
        : verdict(launch, FATE.undecided, FATE_REASON.unknownState);
  }
}

/** A launch whose instance is gone or leaving: judged by why it left. */
function departed(launch: LaunchFacts, input: JudgeInput, due: boolean): JudgedLaunch {
  const departure = input.departures.get(launch.instanceId);
  const cause = departure?.cause;
  if (input.stateReasons.get(launch.instanceId) === SPOT_REASON)
    return verdict(launch, FATE.neutral, FATE_REASON.spot, cause);
  const klass = cause === undefined ? CAUSE.unknown : classifyCause(cause);
  if (klass === CAUSE.health) return verdict(launch, FATE.failed, FATE_REASON.healthReplaced, cause);
  if (klass !== CAUSE.unknown) return verdict(launch, FATE.neutral, NEUTRAL_CAUSE_REASON[klass], cause);
  // Unexplained: a failure only if it never had the chance to be useful (it left before
  // its deadline); one that outlived its deadline is not held against the group.
  const leftAt = departure?.at ?? input.now;
  const early = leftAt - launch.launchedAt < input.deadlineMs;
  if (early) return verdict(launch, FATE.failed, FATE_REASON.goneUnknown, cause);
  return due || departure !== undefined
    ? verdict(launch, FATE.neutral, FATE_REASON.servedThenEnded, cause)
    : verdict(launch, FATE.undecided, FATE_REASON.booting, cause);
}

/** The neutral fate's reason for each cause that takes an instance out on purpose. */
const NEUTRAL_CAUSE_REASON = {
  [CAUSE.scaleIn]: FATE_REASON.scaledIn,
  [CAUSE.refresh]: FATE_REASON.refresh,
  [CAUSE.rebalance]: FATE_REASON.rebalance,
  [CAUSE.person]: FATE_REASON.person,
  [CAUSE.scheduled]: FATE_REASON.scheduled,
} as const satisfies Record<Exclude<CauseClass, typeof CAUSE.health | typeof CAUSE.unknown>, FateReason>;

/** Judge every launch (one per instance id), oldest first. */
export function judgeLaunches(launches: readonly LaunchFacts[], input: JudgeInput): JudgedLaunch[] {
  const seen = new Set<string>();
  const out: JudgedLaunch[] = [];
  for (const l of [...launches].sort(
    (a, b) => a.launchedAt - b.launchedAt || cmp(a.instanceId, b.instanceId),
  )) {
    if (seen.has(l.instanceId)) continue;
    seen.add(l.instanceId);
    out.push(judgeLaunch(l, input));
  }
  return out;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Counts of a set of judged launches. */
export interface FateCounts {
  readonly useful: number;
  readonly failed: number;
  readonly neutral: number;
  readonly undecided: number;
  /** Failed launches by reason. */
  readonly failedBy: Readonly<Partial<Record<FateReason, number>>>;
  /** Neutral launches by reason. */
  readonly neutralBy: Readonly<Partial<Record<FateReason, number>>>;
}

/** Count fates. */
export function countFates(judged: readonly JudgedLaunch[]): FateCounts {
  const counts = { useful: 0, failed: 0, neutral: 0, undecided: 0 };
  const failedBy: Partial<Record<FateReason, number>> = {};
  const neutralBy: Partial<Record<FateReason, number>> = {};
  for (const j of judged) {
    counts[j.fate] += 1;
    if (j.fate === FATE.failed) failedBy[j.reason] = (failedBy[j.reason] ?? 0) + 1;
    if (j.fate === FATE.neutral) neutralBy[j.reason] = (neutralBy[j.reason] ?? 0) + 1;
  }
  return { ...counts, failedBy, neutralBy };
}

/** The least number of decided (useful or failed) launches the count rule needs. */
export const MIN_DECIDED = 3;

/** What the count rule's confirmation found. */
export interface CountConfirmation {
  readonly confirms: boolean;
  readonly decided: number;
  readonly failed: number;
  /** Failed launches needed: ⌈share × decided⌉, at least 1. */
  readonly required: number;
}

/**
 * Confirm a count-rule trip: at least `share` of the window's decided launches failed, at least
 * {@link MIN_DECIDED} are decided, and no more are undecided than decided. Neutral launches are
 * left out.
 */
export function confirmCount(counts: FateCounts, share: number): CountConfirmation {
  const decided = counts.useful + counts.failed;
  // The epsilon keeps 0.3 × 10 = 3.0000000000000004 from asking for 4.
  const required = Math.max(1, Math.ceil(share * decided - 1e-9));
  return {
    // Most of the window must be judged: a scale-out whose first few instances failed while the
    // rest still boot is not a loop yet (the streak rule sees a loop's failures in order).
    confirms: decided >= MIN_DECIDED && counts.failed >= required && counts.undecided <= decided,
    decided,
    failed: counts.failed,
    required,
  };
}

/** What the streak rule found. */
export interface StreakFinding {
  readonly trips: boolean;
  /** Failed launches at the end of the decided sequence. */
  readonly streak: number;
  readonly needed: number;
  /** The launches of the streak (the last `needed` decided ones when it trips). */
  readonly launches: readonly JudgedLaunch[];
}

/**
 * The streak rule: the group's last `needed` decided launches all failed, whatever the rate.
 *
 * @param judged judged launches, oldest first
 * @param after only launches later than this (epoch ms) count: the launches of an earlier
 *   streak trip are not counted twice
 */
export function streakRule(judged: readonly JudgedLaunch[], needed: number, after?: number): StreakFinding {
  const decided = judged.filter(
    (j) =>
      (j.fate === FATE.useful || j.fate === FATE.failed) && (after === undefined || j.launchedAt > after),
  );
  let streak = 0;
  for (let i = decided.length - 1; i >= 0 && decided[i]!.fate === FATE.failed; i -= 1) streak += 1;
  const trips = needed >= 1 && streak >= needed;
  return { trips, streak, needed, launches: trips ? decided.slice(-needed) : [] };
}

/**
 * Launches known only from the store: a kept fate is that fate (`stored`), any other launch is
 * undecided (the delayed check judges live only the launches it was sent for).
 */
export function judgeKept(
  launches: readonly LaunchFacts[],
  decided: ReadonlyMap<string, string>,
): JudgedLaunch[] {
  return launches.map((l) => {
    const kept = readStored(decided.get(l.instanceId));
    return kept !== undefined
      ? { ...verdict(l, kept.fate, kept.reason), stored: true }
      : verdict(l, FATE.undecided, FATE_REASON.booting);
  });
}

/** The judged launches in the window that ends at the newest of them (the count rule's window). */
export function inWindowOf(judged: readonly JudgedLaunch[], windowMs: number): JudgedLaunch[] {
  const newest = Math.max(...judged.map((j) => j.launchedAt));
  return judged.filter((j) => j.launchedAt > newest - windowMs);
}

/** What the two rules need to know about a group. */
export interface RulePolicy {
  readonly threshold: number;
  readonly windowMs: number;
  /** Failed launches in a row that trip; 0: the streak rule is off. */
  readonly streak: number;
  /** The count rule's failed share; undefined: the count rule trips on the count alone (not here). */
  readonly share?: number;
  /** Only launches later than this (epoch ms) count for the streak (an earlier streak's end). */
  readonly streakAfter?: number;
}

/**
 * Which rule, if any, the judged launches meet: the count rule (at least `threshold` launches
 * in the window, confirmed by their fates) or the streak rule. Oldest first.
 */
export function ruleMet(judged: readonly JudgedLaunch[], policy: RulePolicy): 'count' | 'streak' | undefined {
  if (judged.length === 0) return undefined;
  const window = inWindowOf(judged, policy.windowMs);
  if (
    policy.share !== undefined &&
    window.length >= policy.threshold &&
    confirmCount(countFates(window), policy.share).confirms
  )
    return 'count';
  if (policy.streak > 0 && streakRule(judged, policy.streak, policy.streakAfter).trips) return 'streak';
  return undefined;
}
