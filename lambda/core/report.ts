/**
 * What the guard found and did about one trip: the single input of every alert format
 * (SNS text, Slack Block Kit, the chat-applications JSON) and of the logs.
 */

import type { LoopCost } from './loop-cost';
import type { ScopeKey } from './types';

/** What the guard did about a trip. */
export const TRIP_ACTION = {
  /** SuspendProcesses succeeded. */
  suspended: 'suspended',
  /** Dry run: everything but the suspension and the tags. */
  wouldSuspend: 'would-suspend',
  /** Launch was already suspended (by a person or by AWS); the group was not touched. */
  alreadySuspended: 'already-suspended',
  /** The group is tagged `launch-loop-guard:exempt=true`. */
  exempt: 'exempt',
  /** The group was deleted before the guard reached it. */
  groupGone: 'group-gone',
  /** The event was handled after its window had passed: counted, never acted on. */
  stale: 'stale',
  /** AMI scope with the default action: alert only. */
  alertOnly: 'alert-only',
} as const;
export type TripAction = (typeof TRIP_ACTION)[keyof typeof TRIP_ACTION];

/** The rule that tripped a group. */
export const TRIP_RULE = {
  /** The window's count reached the threshold, and enough decided launches failed. */
  count: 'count',
  /** The last N decided launches all failed. */
  streak: 'streak',
  /** The count alone (`churnShare: 'off'`: no confirmation by fates). */
  countOnly: 'count-only',
} as const;
export type TripRule = (typeof TRIP_RULE)[keyof typeof TRIP_RULE];

/** What became of the launches behind a group trip (see `core/fate.ts`). */
export interface TripEvidence {
  readonly rule: TripRule;
  /** Launches judged: the window's (count rule) or the group's newest (streak rule). */
  readonly judged: number;
  readonly useful: number;
  readonly failed: number;
  readonly neutral: number;
  readonly undecided: number;
  /** Failed launches by reason (`not-registered`, `health-replaced`, `unhealthy`, …). */
  readonly failedBy: Readonly<Record<string, number>>;
  /** Neutral launches by reason (`scaled-in`, `spot-interruption`, …). */
  readonly neutralBy: Readonly<Record<string, number>>;
  /** Count rule: the share of decided launches that must have failed. */
  readonly requiredShare?: number;
  /** Streak rule: failed launches in a row, and how many trip the group. */
  readonly streak?: number;
  readonly streakNeeded?: number;
  /** How long a launch had to become useful. */
  readonly deadlineMs: number;
  /** The ECS cluster the instances had to join, when the group backs one. */
  readonly cluster?: string;
  /** True when an ECS lookup failed (registration was not counted). */
  readonly ecsLookupFailed?: boolean;
  /** A few of Auto Scaling's own causes for the departures. */
  readonly causes: readonly string[];
  /** The failed launches behind the trip (instance ids, oldest first; at most {@link MAX_NAMED}). */
  readonly failedInstances?: readonly string[];
}

/** The most failed instances an alert names. */
export const MAX_NAMED = 20;

/** One group that an AMI trip suspended or left alone. */
export interface AmiGroupOutcome {
  readonly groupName: string;
  readonly outcome:
    | 'suspended'
    | 'would-suspend'
    | 'exempt'
    | 'already-suspended'
    | 'over-cap'
    | 'gone'
    /** Its own launches do not confirm a loop: never suspended on the AMI's count alone. */
    | 'not-confirmed'
    /** It tripped, or is tripping, on its own launches: its own alert covers it. */
    | 'own-alert';
  /** Why, in words, when the outcome needs it (`not-confirmed`: what its launches showed). */
  readonly why?: string;
}

/** Auto-resume's plan for a suspended group. */
export type AutoResumePlan =
  | { readonly kind: 'scheduled'; readonly at: number; readonly trip: number; readonly cooldownMs: number }
  | { readonly kind: 'manual'; readonly trip: number; readonly maxTrips: number };

/** Everything an alert says. Times are epoch milliseconds. */
export interface TripReport {
  readonly scope: ScopeKey;
  /** The account's name in AWS Organizations (central organization mode), when it could be read. */
  readonly accountName?: string;
  /** The guard acted through the account's member role (central mode): `resume` needs `--account`. */
  readonly viaMemberRole?: boolean;
  readonly action: TripAction;
  readonly dryRun: boolean;
  /** Distinct instances launched in the window. */
  readonly launches: number;
  /** True when the store keeps only part of a very busy window: the true count is at least `launches`. */
  readonly launchesAtLeast: boolean;
  readonly threshold: number;
  readonly windowMs: number;
  readonly firstLaunch: number;
  readonly lastLaunch: number;
  /** CloudTrail callers (`userIdentity.arn`, or `invokedBy`) seen for this scope. */
  readonly callers: readonly string[];
  /** AMI ids seen (group scope) or the AMI itself (AMI scope). */
  readonly imageIds: readonly string[];
  /** The eventID of the launch that tripped. */
  readonly eventId: string;
  /** The Auto Scaling processes suspended (or that would have been). */
  readonly processes: readonly string[];
  /** Group scope: the launches' fates behind the trip. */
  readonly evidence?: TripEvidence;
  /** Whether the guard's tags were written; false with `tagError` when the group is at its tag limit. */
  readonly tagged?: boolean;
  readonly tagError?: string;
  /** AMI scope: what happened to each group that launched the AMI in the window. */
  readonly groups?: readonly AmiGroupOutcome[];
  /** Group scope: the trip's AMIs with their own counts across all groups (one page per incident). */
  readonly amiEvidence?: readonly AmiEvidence[];
  /** AMI scope: where its failures are, and the groups whose own alerts cover theirs. */
  readonly amiFailures?: AmiFailures;
  /** AMI scope: callers of launches outside any Auto Scaling group. */
  readonly ungroupedCallers?: readonly string[];
  readonly autoResume?: AutoResumePlan;
  /** The guard's table, for the `resume` command in the alert (`--table`). */
  readonly tableName?: string;
  /** The deployed resumer function, for the alert's `aws lambda invoke` line. */
  readonly resumer?: { readonly functionName: string; readonly region: string };
  /** Likely causes, one sentence each (from diagnosis). */
  readonly diagnosis?: readonly string[];
  /** Names and descriptions of the AMIs, when diagnosis could read them. */
  readonly imageNames?: Readonly<Record<string, string>>;
  /** What the loop costs (estimate); without a price, its amounts are absent ("unknown"). */
  readonly cost?: LoopCost;
}

/** One AMI's count, as a group's alert shows it. */
export interface AmiEvidence {
  readonly imageId: string;
  /** Distinct launches of the AMI in its window (all groups and none). */
  readonly launches: number;
  /** True when the store keeps only part of the window: the true count is at least `launches`. */
  readonly launchesAtLeast: boolean;
  readonly threshold: number;
  readonly windowMs: number;
  /** The groups that launched the AMI in its window. */
  readonly groups: readonly string[];
}

/** What an AMI's own alert says about where its failures are (see `ami-confirm.ts`). */
export interface AmiFailures {
  /** Groups, not covered by an alert of their own, with failed launches of the AMI, most first. */
  readonly failingGroups: readonly string[];
  /** Failed launches outside any Auto Scaling group. */
  readonly ungroupedFailed: number;
  /** Groups whose own alerts cover their launches (left out of this alert). */
  readonly coveredBy: readonly string[];
  /** The deadline of a launch outside any group. */
  readonly ungroupedDeadlineMs: number;
}
