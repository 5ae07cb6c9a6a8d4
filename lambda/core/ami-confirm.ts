/**
 * # When an AMI's count is a loop, and who pages for it
 *
 * The AMI scope counts launches of one image across every group and outside any group. A count
 * over its threshold is not a loop by itself: a scale-out of 80 instances of one image is normal.
 * Like a group, the AMI is confirmed by what became of its launches (`fate.ts`):
 *
 * - **Launches of a group** get the group's fate (judged with the group's own deadline, ECS
 *   cluster and history), whichever scope asks.
 * - **Launches outside any Auto Scaling group** get a fate from EC2 alone
 *   ({@link judgeUngrouped}): *useful* when the instance is running with both status checks `ok`
 *   at its deadline (10 minutes after launch); *failed* when it is still pending or a status
 *   check is not `ok` at its deadline, or it stopped or ended before its deadline (whoever ended
 *   it: a controller's relaunch loop ends its instances by API call); *neutral* when a Spot
 *   interruption ended it, when it ended after its deadline, or when EC2 no longer shows it.
 *
 * The AMI trips when its count reaches the threshold and its decided launches confirm it with
 * the count rule's own share and minimum ({@link confirmCount}).
 *
 * **One page per incident.** A group that tripped, or is tripping, on its own launches sends its
 * own alert, and that alert carries the AMI's count as a line (`ami-evidence.ts`). The AMI sends
 * an alert of its own only when its launches that no such group covers confirm the rule on their
 * own: launches across several groups none of which trips, or launches outside any group
 * ({@link decideAmi}).
 */
import {
  type CountConfirmation,
  confirmCount,
  countFates,
  DEFAULT_DEADLINE_MS,
  FATE,
  FATE_REASON,
  type FateCounts,
  isSyntheticId,
  type JudgedLaunch,
  type LaunchFacts,
  MAX_HOLD_MS,
  MIN_DECIDED,
  streakRule,
} from './fate';

/** What EC2 shows of an instance launched outside any Auto Scaling group. */
export interface UngroupedFacts {
  /** EC2's state name: `pending`, `running`, `shutting-down`, `terminated`, `stopping`, `stopped`. */
  readonly state: string;
  /** The state reason code, e.g. `Server.SpotInstanceTermination`. */
  readonly stateReason?: string;
  /** When the instance stopped or ended (epoch ms), read from EC2's state transition reason. */
  readonly endedAt?: number;
  /**
   * The instance and system status checks (`ok`, `impaired`, `initializing`,
   * `insufficient-data`, `not-applicable`); absent when they could not be read.
   */
  readonly checks?: { readonly instance: string; readonly system: string };
}

/** The deadline of a launch outside any group: the shortest group deadline. */
export const UNGROUPED_DEADLINE_MS = DEFAULT_DEADLINE_MS;

const SPOT_REASON = 'Server.SpotInstanceTermination';
const ENDED = new Set(['shutting-down', 'terminated', 'stopping', 'stopped']);

function verdict(
  launch: LaunchFacts,
  fate: JudgedLaunch['fate'],
  reason: JudgedLaunch['reason'],
): JudgedLaunch {
  return { ...launch, fate, reason };
}

/**
 * Judge a launch outside any Auto Scaling group from what EC2 shows of it.
 *
 * @param facts what EC2 shows, or undefined when it shows nothing (ended over an hour ago, or the
 *   lookup failed): then the launch is undecided before its deadline and neutral after
 * @example
 * judgeUngrouped({ instanceId: 'i-1', launchedAt: 0 }, { state: 'terminated' }, 3 * 60_000);
 * // { fate: 'failed', reason: 'gone-unexplained', … }: it ended before its deadline
 */
export function judgeUngrouped(
  launch: LaunchFacts,
  facts: UngroupedFacts | undefined,
  now: number,
  deadlineMs: number = UNGROUPED_DEADLINE_MS,
): JudgedLaunch {
  if (isSyntheticId(launch.instanceId)) return verdict(launch, FATE.neutral, FATE_REASON.noInstanceId);
  const due = now - launch.launchedAt >= deadlineMs;
  if (facts === undefined)
    return due
      ? verdict(launch, FATE.neutral, FATE_REASON.unknownState)
      : verdict(launch, FATE.undecided, FATE_REASON.booting);
  if (facts.stateReason === SPOT_REASON) return verdict(launch, FATE.neutral, FATE_REASON.spot);
  if (ENDED.has(facts.state)) {
    const endedEarly = facts.endedAt !== undefined ? facts.endedAt - launch.launchedAt < deadlineMs : !due;
    return endedEarly
      ? verdict(launch, FATE.failed, FATE_REASON.goneUnknown)
      : verdict(launch, FATE.neutral, FATE_REASON.servedThenEnded);
  }
  if (!due) return verdict(launch, FATE.undecided, FATE_REASON.booting);
  if (facts.state === 'pending') return verdict(launch, FATE.failed, FATE_REASON.stillPending);
  if (facts.state !== 'running') {
    return now - launch.launchedAt >= MAX_HOLD_MS
      ? verdict(launch, FATE.neutral, FATE_REASON.unknownState)
      : verdict(launch, FATE.undecided, FATE_REASON.unknownState);
  }
  const checks = facts.checks;
  // Status checks that could not be read never invent a failure.
  if (checks === undefined) return verdict(launch, FATE.undecided, FATE_REASON.unknownState);
  if (checks.instance === 'ok' && checks.system === 'ok')
    return verdict(launch, FATE.useful, FATE_REASON.inService);
  if (checks.instance === 'impaired' || checks.system === 'impaired')
    return verdict(launch, FATE.failed, FATE_REASON.unhealthy);
  return verdict(launch, FATE.failed, FATE_REASON.stillPending);
}

/** A launch of the AMI with its fate and, when it belongs to one, its group. */
export interface AmiLaunchFate extends JudgedLaunch {
  readonly group?: string;
}

/** What the AMI scope does about a count over its threshold. */
export type AmiDecision =
  | {
      /** The AMI's decided launches do not confirm a loop: no alert, no action. */
      readonly kind: 'not-confirmed';
      readonly counts: FateCounts;
      readonly check: CountConfirmation;
    }
  | {
      /** A loop, but every group it confirms on alerts on its own: the AMI's count is a line there. */
      readonly kind: 'covered';
      readonly counts: FateCounts;
      readonly check: CountConfirmation;
      /** The groups whose own alerts cover the AMI's launches. */
      readonly coveredBy: readonly string[];
    }
  | {
      /** A loop that no group alert covers: the AMI alerts on its own. */
      readonly kind: 'alert';
      readonly counts: FateCounts;
      readonly check: CountConfirmation;
      /** The fates of the launches no group alert covers (these confirm the rule on their own). */
      readonly uncovered: FateCounts;
      readonly coveredBy: readonly string[];
      /** Groups not covered that have failed launches of the AMI, most failures first. */
      readonly failingGroups: readonly string[];
      /** Failed launches outside any group. */
      readonly ungroupedFailed: number;
    };

/**
 * Decide the AMI scope's trip from its launches' fates.
 *
 * @param launches the window's launches of the AMI, judged
 * @param covering the groups that tripped or are tripping on their own launches (their own
 *   alert covers their launches)
 * @param share the count rule's share of decided launches that must have failed
 */
export function decideAmi(
  launches: readonly AmiLaunchFate[],
  covering: ReadonlySet<string>,
  share: number,
): AmiDecision {
  const counts = countFates(launches);
  const check = confirmCount(counts, share);
  if (!check.confirms) return { kind: 'not-confirmed', counts, check };
  const coveredBy = [
    ...new Set(launches.flatMap((l) => (l.group !== undefined && covering.has(l.group) ? [l.group] : []))),
  ].sort();
  const open = launches.filter((l) => l.group === undefined || !covering.has(l.group));
  const uncovered = countFates(open);
  if (!confirmCount(uncovered, share).confirms) return { kind: 'covered', counts, check, coveredBy };
  const failures = new Map<string, number>();
  let ungroupedFailed = 0;
  for (const l of open) {
    if (l.fate !== FATE.failed) continue;
    if (l.group === undefined) ungroupedFailed += 1;
    else failures.set(l.group, (failures.get(l.group) ?? 0) + 1);
  }
  const failingGroups = [...failures].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([g]) => g);
  return { kind: 'alert', counts, check, uncovered, coveredBy, failingGroups, ungroupedFailed };
}

/** Whether one group's own launches confirm a suspension, and why (in words, for the alert). */
export interface GroupConfirmation {
  readonly confirms: boolean;
  readonly why: string;
}

/**
 * `amiAction: 'suspend'`: a group is suspended only when its own launches confirm it, by the
 * count rule's share and minimum or by its streak rule, never on the AMI's count alone.
 *
 * @param judged the group's launches, judged, oldest first
 * @param streak the group's streak setting (0: off)
 */
export function confirmGroupLaunches(
  judged: readonly JudgedLaunch[],
  share: number,
  streak: number,
): GroupConfirmation {
  const counts = countFates(judged);
  const check = confirmCount(counts, share);
  if (check.confirms)
    return { confirms: true, why: `${check.failed} of its ${check.decided} decided launches failed` };
  if (streak > 0) {
    const found = streakRule(judged, streak);
    if (found.trips) return { confirms: true, why: `its last ${streak} decided launches failed` };
  }
  if (check.decided < MIN_DECIDED)
    return {
      confirms: false,
      why: `only ${check.decided} of its launches decided (${counts.undecided} undecided): its own launches do not confirm a loop`,
    };
  return {
    confirms: false,
    why: `${check.failed} of its ${check.decided} decided launches failed (${check.required} needed): its own launches do not confirm a loop`,
  };
}
