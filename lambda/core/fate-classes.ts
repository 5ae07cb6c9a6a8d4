/**
 * The words fates are told in: the four fates and their reasons, the deadlines, how Auto Scaling's
 * lifecycle states and activity causes are read. Re-exported by `./fate.ts`, which judges with them.
 */

/** The four fates. */
export const FATE = {
  useful: 'useful',
  failed: 'failed',
  neutral: 'neutral',
  undecided: 'undecided',
} as const;
export type Fate = (typeof FATE)[keyof typeof FATE];

/** Why a launch got its fate (one word each, for metrics, logs and the alert). */
export const FATE_REASON = {
  // useful
  inService: 'in-service',
  registered: 'registered',
  warm: 'warm-pool',
  // failed
  unhealthy: 'unhealthy',
  healthReplaced: 'health-replaced',
  stillPending: 'still-pending',
  notRegistered: 'not-registered',
  goneUnknown: 'gone-unexplained',
  // neutral
  scaledIn: 'scaled-in',
  refresh: 'instance-refresh',
  rebalance: 'az-rebalance',
  spot: 'spot-interruption',
  person: 'user-request',
  scheduled: 'scheduled-action',
  detached: 'detached',
  rootVolume: 'root-volume-replacement',
  retained: 'retained',
  servedThenEnded: 'ended-after-deadline',
  noInstanceId: 'no-instance-id',
  // undecided
  booting: 'before-deadline',
  held: 'held-by-hook',
  unknownState: 'unknown-state',
} as const;
export type FateReason = (typeof FATE_REASON)[keyof typeof FATE_REASON];

/** The shortest deadline a launch gets. */
export const DEFAULT_DEADLINE_MS = 10 * 60_000;
/** Added to the group's grace period when that gives a later deadline. */
export const GRACE_MARGIN_MS = 5 * 60_000;
/** A launch held by a lifecycle hook or in an unknown state is judged at the latest this long after launch. */
export const MAX_HOLD_MS = 60 * 60_000;

/**
 * How Auto Scaling's `LifecycleState` values are read. Every value of the SDK's
 * `LifecycleState` enum is named here (a test fails when the SDK lists one that is not).
 */
export const LIFECYCLE_CLASS = {
  InService: 'in-service',
  Standby: 'standby',
  EnteringStandby: 'standby',
  Pending: 'pending',
  'Pending:Proceed': 'pending',
  'Pending:Wait': 'hook',
  Quarantined: 'pending',
  'Warmed:Pending': 'pending',
  'Warmed:Pending:Proceed': 'pending',
  'Warmed:Pending:Wait': 'hook',
  'Warmed:Pending:Retained': 'retained',
  'Warmed:Running': 'warm',
  'Warmed:Stopped': 'warm',
  'Warmed:Hibernated': 'warm',
  Terminating: 'leaving',
  'Terminating:Proceed': 'leaving',
  'Terminating:Wait': 'leaving',
  'Terminating:Retained': 'leaving',
  Terminated: 'leaving',
  'Warmed:Terminating': 'leaving',
  'Warmed:Terminating:Proceed': 'leaving',
  'Warmed:Terminating:Wait': 'leaving',
  'Warmed:Terminating:Retained': 'leaving',
  'Warmed:Terminated': 'leaving',
  Detaching: 'detached',
  Detached: 'detached',
  ReplacingRootVolume: 'root-volume',
  'ReplacingRootVolume:Proceed': 'root-volume',
  'ReplacingRootVolume:Wait': 'root-volume',
  RootVolumeReplaced: 'root-volume',
} as const satisfies Record<string, string>;
export type LifecycleClass = (typeof LIFECYCLE_CLASS)[keyof typeof LIFECYCLE_CLASS];

/** Class a lifecycle state, or undefined for one this table does not know. */
export function lifecycleClass(state: string): LifecycleClass | undefined {
  return Object.hasOwn(LIFECYCLE_CLASS, state)
    ? LIFECYCLE_CLASS[state as keyof typeof LIFECYCLE_CLASS]
    : undefined;
}

/** Why Auto Scaling took an instance out, read from an activity's `Cause`. */
export const CAUSE = {
  health: 'health',
  scaleIn: 'scale-in',
  refresh: 'instance-refresh',
  rebalance: 'az-rebalance',
  person: 'user-request',
  scheduled: 'scheduled-action',
  unknown: 'unknown',
} as const;
export type CauseClass = (typeof CAUSE)[keyof typeof CAUSE];

/**
 * Class an Auto Scaling activity `Cause`. Auto Scaling writes no structured reason, so this
 * matches the phrases it writes (examples in test/fixtures/autoscaling/causes.json). The
 * "taken out of service in response to …" clause says why an instance left; it is read first,
 * because a cause also tells the capacity change that came before it.
 */
export function classifyCause(cause: string): CauseClass {
  const text = cause.replace(/\s+/g, ' ');
  const out = /taken out of service in response to (.*?)(?:\.(?: |$)|$)/i.exec(text)?.[1] ?? '';
  const reason = out !== '' ? out : text;
  if (/health[ -]?check|health-check|unhealthy|terminated or stopped|system health/i.test(reason))
    return CAUSE.health;
  if (/instance refresh/i.test(reason)) return CAUSE.refresh;
  if (/balanc/i.test(reason)) return CAUSE.rebalance;
  if (/difference between desired and actual capacity|shrinking the capacity/i.test(reason))
    return reasonFromCapacityChange(text);
  if (/user request/i.test(reason)) return CAUSE.person;
  if (/scheduled action/i.test(reason)) return CAUSE.scheduled;
  return CAUSE.unknown;
}

/** A capacity-driven removal: what changed the desired capacity decides the wording. */
function reasonFromCapacityChange(text: string): CauseClass {
  if (/scheduled action/i.test(text)) return CAUSE.scheduled;
  if (/user request/i.test(text)) return CAUSE.person;
  return CAUSE.scaleIn;
}
