/** CloudWatch namespace and metric names, shared by the function and the construct's alarms. */
export const METRIC_NAMESPACE = 'LaunchLoopGuard';

export const METRIC = {
  /** Launch events handled (records, not instances). */
  launchEvents: 'LaunchEvents',
  /** Distinct instances newly counted, per scope. */
  launchesCounted: 'LaunchesCounted',
  /** Mentions of instances already counted. */
  duplicates: 'DuplicateMentions',
  trips: 'Trips',
  tripsBlockedByChurn: 'TripsBlockedByChurn',
  suspensions: 'Suspensions',
  exemptSkips: 'ExemptSkips',
  staleEvents: 'StaleEvents',
  malformedEvents: 'MalformedEvents',
  irrelevantEvents: 'IrrelevantEvents',
  failedAttempts: 'FailedLaunchAttempts',
  alertsFailed: 'AlertsFailed',
  /** Scopes of an event dropped after a failure a retry cannot fix (validation, not found). */
  permanentFailures: 'PermanentFailures',
  /** Events the guard could not handle because it is denied or its own resources are gone. */
  guardBlind: 'GuardBlind',
  /** Instances dropped from an otherwise good record because their id is malformed. */
  malformedInstances: 'MalformedInstances',
} as const;
