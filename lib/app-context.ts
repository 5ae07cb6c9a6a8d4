/**
 * What the CDK app accepts as context (`-c key=value` or cdk.json), and how it says no: one line
 * naming the key, the value and what is expected, as the CLI's usage errors do.
 */

/** A context value the app cannot use. `bin/launch-loop-guard.ts` prints the message alone. */
export class ContextError extends Error {
  constructor(
    /** The context key. */
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = 'ContextError';
  }
}

/** Every context key the app reads (README, "Deploy"; `lib/org-app.ts` for the `org*` keys). */
export const CONTEXT_KEYS: readonly string[] = [
  'homeRegion',
  'regions',
  'account',
  'stackPrefix',
  'windowMinutes',
  'asgThreshold',
  'amiThreshold',
  'dryRun',
  'amiAction',
  'churnShare',
  'amiChangeAlerts',
  'emails',
  'createTrail',
  'noLaunchEventsAlarmHours',
  'reservedConcurrency',
  'slackWorkspaceId',
  'slackChannelId',
  'slackWebhookSecretName',
  'autoResume',
  'autoResumeCooldownMinutes',
  'autoResumeMaxTrips',
  'controlTower',
  'vpcSubnetIds',
  'vpcSecurityGroupIds',
  'vpcId',
  'accessLogsBucket',
  'logRetentionDays',
  'orgMode',
  'orgTargets',
  'orgId',
  'orgCallAs',
  'orgOperatorPrincipals',
];

/**
 * Keys written the way the app's are (letters and digits only). The CDK's own keys have a colon,
 * a dash or an `@` (`@aws-cdk/core:…` feature flags, `aws:cdk:…`, `cli-telemetry`, cached lookups
 * such as `availability-zones:account=…`) and are none of the app's business.
 */
const APP_STYLE_KEY = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * Refuse a context key written like the app's that the app does not read: a misspelt key would
 * otherwise be ignored in silence (`-c windowMinute=30` deploying the default window).
 *
 * @throws ContextError naming the key, with the nearest known key when one is close
 */
export function checkContextKeys(keys: Iterable<string>): void {
  for (const key of keys) {
    if (!APP_STYLE_KEY.test(key) || CONTEXT_KEYS.includes(key)) continue;
    const near = nearestKey(key);
    throw new ContextError(
      key,
      `context ${key} is not a key launch-loop-guard reads${near === undefined ? '' : ` (did you mean ${near}?)`}; the keys are listed in the README, "Deploy"`,
    );
  }
}

/** The known key closest to `key` (case ignored, at most 3 edits), if any. */
export function nearestKey(key: string): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const known of CONTEXT_KEYS) {
    const distance = editDistance(key.toLowerCase(), known.toLowerCase());
    if (distance <= 3 && (best === undefined || distance < best.distance)) best = { key: known, distance };
  }
  return best?.key;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The region the CDK CLI uses when it finds none (the app cannot tell it from a chosen one). */
const CLI_FALLBACK_REGION = 'us-east-1';

/**
 * The region the user chose outside context, if any: `AWS_REGION`, `AWS_DEFAULT_REGION`, the
 * AWS profile's region, or `CDK_DEFAULT_REGION`. Under the CDK CLI (`CDK_CLI_VERSION` set) that
 * last one is always set, to us-east-1 when the CLI found no region, so there it counts only
 * when it is another region.
 *
 * @param profileRegion the `region` of the AWS profile in use, read by the caller
 */
export function regionFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  profileRegion?: string,
): string | undefined {
  const given = [env.AWS_REGION, env.AWS_DEFAULT_REGION, profileRegion].find(
    (r) => r !== undefined && r !== '',
  );
  if (given !== undefined) return given;
  const cdk = env.CDK_DEFAULT_REGION;
  if (cdk === undefined || cdk === '') return undefined;
  if (env.CDK_CLI_VERSION !== undefined && cdk === CLI_FALLBACK_REGION) return undefined;
  return cdk;
}

/**
 * The `region` of a profile in the text of an AWS config file (`[default]` or `[profile NAME]`).
 */
export function profileRegionIn(configText: string, profile: string): string | undefined {
  const header = profile === 'default' ? 'default' : `profile ${profile}`;
  let inSection = false;
  for (const raw of configText.split('\n')) {
    const line = raw.trim();
    const section = /^\[(.+)\]$/.exec(line);
    if (section !== null) {
      inSection = section[1]!.trim() === header;
      continue;
    }
    const region = /^region\s*=\s*(\S+)/.exec(line);
    if (inSection && region !== null) return region[1];
  }
  return undefined;
}
