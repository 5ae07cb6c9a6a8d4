/**
 * What the guard found and did about one trip: the single input of every alert format
 * (SNS text, Slack Block Kit, the chat-applications JSON) and of the logs.
 */
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

/** The churn check's findings (group scope). */
export interface ChurnFinding {
  /** Launches of the window that the check looked at. */
  readonly considered: number;
  /** Of those, no longer InService in the group: gone, terminating, or unhealthy. */
  readonly churned: number;
  /** Of those, still pending inside the health-check grace period (not counted as churned). */
  readonly pendingInGrace: number;
  /** The share that must be churned to suspend (e.g. 0.5). */
  readonly requiredShare: number;
  /** Synthetic ids (records whose instance list CloudTrail cut) left out of `considered`. */
  readonly excluded?: number;
}

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
    | 'churn-blocked';
}

/** Auto-resume's plan for a suspended group. */
export type AutoResumePlan =
  | { readonly kind: 'scheduled'; readonly at: number; readonly trip: number; readonly cooldownMs: number }
  | { readonly kind: 'manual'; readonly trip: number; readonly maxTrips: number };

/** Everything an alert says. Times are epoch milliseconds. */
export interface TripReport {
  readonly scope: ScopeKey;
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
  readonly churn?: ChurnFinding;
  /** Whether the guard's tags were written; false with `tagError` when the group is at its tag limit. */
  readonly tagged?: boolean;
  readonly tagError?: string;
  /** AMI scope: what happened to each group that launched the AMI in the window. */
  readonly groups?: readonly AmiGroupOutcome[];
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
}
