/**
 * # The churn check
 *
 * A group whose count reaches its threshold is suspended only when the launches of its window
 * did not stay: a scale-out, however large, or an instance refresh keeps its new instances
 * InService; a launch loop loses them. The check compares the window's launches (from the
 * store) with the group's live instances (from `DescribeAutoScalingGroups`).
 *
 * Each launch of the window is classed as one of:
 *
 * - **kept**: InService and not Unhealthy; Standby or EnteringStandby (a person put it there,
 *   it is not lost); a healthy warm-pool state (`Warmed:Pending*`, `Warmed:Stopped`,
 *   `Warmed:Running`, `Warmed:Hibernated`), when the caller passes the warm pool's instances.
 * - **pending in grace**: `Pending`, `Pending:Wait` or `Pending:Proceed` (and `Quarantined`),
 *   launched less than the grace time ago. Not churned: it has not had its chance yet.
 * - **churned**: gone from the group; `Terminating*`, `Terminated`, `Detaching`, `Detached`,
 *   `Warmed:Terminating*`, `Warmed:Terminated`; HealthStatus `Unhealthy` in any state; still
 *   pending after the grace time; any lifecycle state this file does not know.
 * - **excluded**: a synthetic id `<eventID>#<n>` (a record whose instance list CloudTrail cut).
 *   Its real id is unknown, so the group cannot be asked about it: it is left out of
 *   `considered` and counted in `excluded`.
 *
 * The grace time is the group's HealthCheckGracePeriod, but never less than
 * {@link PENDING_FLOOR_MS}: groups created through the API default to a grace period of 0,
 * and a fresh scale-out is all Pending for its first minute; it must not read as churn.
 *
 * The check allows the suspension when `churned ≥ ⌈requiredShare × considered⌉`, and
 * `considered` is not 0. Pending instances stay in `considered`, so a scale-out caught while
 * it boots is blocked, not waved through. A window with nothing to consider (every launch
 * excluded) does not allow it: the check found no evidence of a loop.
 */
import type { ChurnFinding } from './report';

/** The shortest grace a pending instance gets, whatever the group's grace period says. */
export const PENDING_FLOOR_MS = 5 * 60_000;

/** One launch of the window, from the store. */
export interface WindowLaunch {
  readonly instanceId: string;
  /** Epoch milliseconds: when it was launched. */
  readonly time: number;
}

/** One instance the group (or its warm pool) lists now. */
export interface GroupInstance {
  readonly instanceId: string;
  /** Auto Scaling's `LifecycleState`, e.g. `InService`, `Pending:Wait`, `Terminating`. */
  readonly lifecycleState: string;
  /** Auto Scaling's `HealthStatus`: `Healthy` or `Unhealthy`. */
  readonly healthStatus: string;
}

/** What the check needs. */
export interface ChurnInput {
  readonly launches: readonly WindowLaunch[];
  /** The group's instances, warm pool included when it has one. */
  readonly instances: readonly GroupInstance[];
  /** The group's HealthCheckGracePeriod, in seconds. */
  readonly gracePeriodSeconds: number;
  /** Epoch milliseconds. */
  readonly now: number;
  /** The share of considered launches that must be churned, in (0, 1]. */
  readonly requiredShare: number;
}

/** What the check found, and whether it allows the suspension. */
export interface ChurnResult extends ChurnFinding {
  readonly allows: boolean;
  /** Churned launches needed to allow: ⌈requiredShare × considered⌉. */
  readonly required: number;
  /** Synthetic ids left out of `considered`. */
  readonly excluded: number;
}

/** What one launch turned out to be. */
export const LAUNCH_FATE = {
  kept: 'kept',
  pendingInGrace: 'pending-in-grace',
  churned: 'churned',
  excluded: 'excluded',
} as const;
export type LaunchFate = (typeof LAUNCH_FATE)[keyof typeof LAUNCH_FATE];

const PENDING = new Set(['Pending', 'Pending:Wait', 'Pending:Proceed', 'Quarantined']);
const KEPT = new Set([
  'InService',
  'Standby',
  'EnteringStandby',
  'Warmed:Pending',
  'Warmed:Pending:Wait',
  'Warmed:Pending:Proceed',
  'Warmed:Stopped',
  'Warmed:Running',
  'Warmed:Hibernated',
]);

/** True for the stand-in ids of a record whose instance list CloudTrail cut. */
export function isSyntheticId(instanceId: string): boolean {
  return instanceId.includes('#');
}

/**
 * Class one launch.
 *
 * @param launch the launch, from the store
 * @param live the group's entry for that instance, or undefined when the group no longer lists it
 * @param graceMs the grace a pending instance gets (already raised to the floor)
 * @param now epoch milliseconds
 */
export function launchFate(
  launch: WindowLaunch,
  live: GroupInstance | undefined,
  graceMs: number,
  now: number,
): LaunchFate {
  if (isSyntheticId(launch.instanceId)) return LAUNCH_FATE.excluded;
  if (live === undefined) return LAUNCH_FATE.churned;
  if (live.healthStatus.toLowerCase() === 'unhealthy') return LAUNCH_FATE.churned;
  if (KEPT.has(live.lifecycleState)) return LAUNCH_FATE.kept;
  if (PENDING.has(live.lifecycleState)) {
    return now - launch.time < graceMs ? LAUNCH_FATE.pendingInGrace : LAUNCH_FATE.churned;
  }
  return LAUNCH_FATE.churned;
}

/**
 * Run the churn check over a window's launches.
 *
 * @example
 * checkChurn({
 *   launches: [{ instanceId: 'i-1', time: 0 }, { instanceId: 'i-2', time: 0 }],
 *   instances: [{ instanceId: 'i-2', lifecycleState: 'InService', healthStatus: 'Healthy' }],
 *   gracePeriodSeconds: 300, now: 600_000, requiredShare: 0.5,
 * }); // { considered: 2, churned: 1, pendingInGrace: 0, required: 1, allows: true, ... }
 */
export function checkChurn(input: ChurnInput): ChurnResult {
  const live = new Map(input.instances.map((i) => [i.instanceId, i]));
  const graceMs = Math.max(Math.max(0, input.gracePeriodSeconds) * 1000, PENDING_FLOOR_MS);
  // One launch per id, even if the caller passes duplicates.
  const seen = new Set<string>();
  let considered = 0;
  let churned = 0;
  let pendingInGrace = 0;
  let excluded = 0;
  for (const launch of input.launches) {
    if (seen.has(launch.instanceId)) continue;
    seen.add(launch.instanceId);
    const fate = launchFate(launch, live.get(launch.instanceId), graceMs, input.now);
    if (fate === LAUNCH_FATE.excluded) {
      excluded += 1;
      continue;
    }
    considered += 1;
    if (fate === LAUNCH_FATE.churned) churned += 1;
    if (fate === LAUNCH_FATE.pendingInGrace) pendingInGrace += 1;
  }
  // The epsilon keeps 0.3 × 10 = 3.0000000000000004 from asking for 4.
  const required = Math.max(1, Math.ceil(input.requiredShare * considered - 1e-9));
  return {
    considered,
    churned,
    pendingInGrace,
    requiredShare: input.requiredShare,
    required,
    excluded,
    allows: considered > 0 && churned >= required,
  };
}
