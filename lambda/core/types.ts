/**
 * Domain types shared by the parser, the counting semantics, the store and the CLI.
 *
 * Times are milliseconds since the Unix epoch (UTC) everywhere in the core.
 */

/** Who made an API call, as CloudTrail names it. */
export interface Caller {
  /** `userIdentity.arn` (or the principal id when no ARN is recorded). */
  readonly arn?: string;
  /** `userIdentity.invokedBy`, e.g. `autoscaling.amazonaws.com`. */
  readonly invokedBy?: string;
}

/** One instance that a launch record shows. */
export interface LaunchedInstance {
  /**
   * The EC2 instance id. For a record whose instance list CloudTrail cut, a synthetic id
   * `<eventID>#<n>` (n from 0 to minCount − 1), so that the record is deduplicated by eventID.
   */
  readonly instanceId: string;
  readonly imageId?: string;
  readonly groupName?: string;
  readonly launchTemplateId?: string;
  /** The instance profile the instance carries (`iamInstanceProfile.arn` of a RunInstances record). */
  readonly instanceProfileArn?: string;
}

/** Where a launch was read from. */
export const LAUNCH_SOURCE = {
  runInstances: 'RunInstances',
  createFleet: 'CreateFleet',
  autoScaling: 'EC2 Instance Launch Successful',
} as const;
export type LaunchSource = (typeof LAUNCH_SOURCE)[keyof typeof LAUNCH_SOURCE];

/** Facts shared by every parsed record. */
export interface RecordHeader {
  readonly account: string;
  readonly region: string;
  /** CloudTrail `eventID`, or the EventBridge event `id` for Auto Scaling's own events. */
  readonly eventId: string;
  /** Epoch milliseconds. */
  readonly eventTime: number;
  readonly caller: Caller;
}

/** A successful call that launched instances. */
export interface LaunchRecord extends RecordHeader {
  readonly kind: 'launch';
  readonly source: LaunchSource;
  readonly instances: readonly LaunchedInstance[];
  /** Set when CloudTrail cut the instance list and `minCount` synthetic ids stand in for it. */
  readonly truncated: boolean;
  /** Instances of the record left out because an identifier was malformed; absent when none. */
  readonly droppedInstances?: number;
  /** Why the first of them was left out (a `NOT_LAUNCH_REASON` text). */
  readonly droppedReason?: string;
}

/** A launch call that failed (`errorCode` set, `Client.DryRunOperation` included): nothing launched. */
export interface FailedAttempt extends RecordHeader {
  readonly kind: 'failed';
  readonly eventName: string;
  readonly errorCode: string;
  readonly imageId?: string;
  readonly groupName?: string;
}

/** Instances that ended: `TerminateInstances`, or Auto Scaling's `EC2 Instance Terminate Successful`. */
export interface TerminationRecord extends RecordHeader {
  readonly kind: 'terminate';
  readonly instanceIds: readonly string[];
  readonly groupName?: string;
}

/** Anything that is not one of the above, with the reason, for logs and metrics. */
export interface NotLaunch {
  readonly kind: 'not-launch';
  readonly reason: string;
  /** True when the input looked like a record we handle but was broken (counted as malformed). */
  readonly malformed: boolean;
}

export type ParsedEvent = LaunchRecord | FailedAttempt | TerminationRecord | NotLaunch;

/** The two kinds of counted scope. */
export const SCOPE_KIND = { asg: 'asg', ami: 'ami' } as const;
export type ScopeKind = (typeof SCOPE_KIND)[keyof typeof SCOPE_KIND];

/** A counted scope: (account, region, group name) or (account, region, AMI id). */
export interface ScopeKey {
  readonly scope: ScopeKind;
  readonly account: string;
  readonly region: string;
  /** The group name or the AMI id. */
  readonly key: string;
}

/** Thresholds and window that apply to one scope. */
export interface ScopePolicy {
  readonly threshold: number;
  /** Window length in milliseconds. */
  readonly windowMs: number;
}

/** The defaults used by the deployed guard and by `replay` alike. */
export const DEFAULTS = {
  windowMs: 60 * 60 * 1000,
  asgThreshold: 10,
  amiThreshold: 50,
  /** Share of the window's launches that must be churned before the live guard suspends. */
  churnShare: 0.5,
  /** Failed launches in a row that trip a group, whatever their rate (the streak rule). */
  failedStreak: 4,
  /** How long a group's cached settings (its tags) are trusted. */
  settingsTtlMs: 5 * 60 * 1000,
  /** At most this many groups are suspended by one AMI trip (when the AMI action suspends). */
  amiMaxGroups: 5,
} as const;

/** Stable text form of a scope, used as a map key and a DynamoDB partition key. */
export function scopeId(key: ScopeKey): string {
  return `${key.scope}#${key.account}#${key.region}#${key.key}`;
}
