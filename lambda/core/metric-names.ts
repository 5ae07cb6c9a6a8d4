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
} as const;
