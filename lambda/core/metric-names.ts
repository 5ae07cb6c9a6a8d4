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
  /** Trips by rule: `TripsCountRule`, `TripsStreakRule`, `TripsCountOnly` (see {@link tripMetric}). */
  tripsByRulePrefix: 'Trips',
  /** Count-rule trips that the launches' fates did not confirm (too few decided, or too few failed). */
  tripsNotConfirmed: 'TripsNotConfirmed',
  /** AMI trips whose launches the groups' own alerts cover: the AMI sent no alert of its own. */
  amiTripsCovered: 'AmiTripsCovered',
  /** Launches judged, by fate: `LaunchesUseful`, `LaunchesFailed`, `LaunchesNeutral`, `LaunchesUndecided`. */
  launchesByFatePrefix: 'Launches',
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
  /**
   * USD per day the tripped loop would cost had it gone on (at MaxSize for a group, else at the
   * observed rate), one value per trip alert with a price: what the guard stopped.
   */
  estimatedLoopCost: 'EstimatedLoopCost',
} as const;

/** The metric of trips by one rule, e.g. `TripsStreakRule`. */
export function tripMetric(rule: 'count' | 'streak' | 'count-only'): string {
  return { count: 'TripsCountRule', streak: 'TripsStreakRule', 'count-only': 'TripsCountOnly' }[rule];
}

/** The metric of launches judged with one fate, e.g. `LaunchesFailed`. */
export function fateMetric(fate: 'useful' | 'failed' | 'neutral' | 'undecided'): string {
  return `Launches${fate.charAt(0).toUpperCase()}${fate.slice(1)}`;
}
