/**
 * The deployable app: the guard in a home region, a forwarder in every other region listed.
 * `bin/launch-loop-guard.ts` reads the CDK context into {@link AppConfig} and calls {@link buildApp}.
 */
import { Annotations, type App, Duration } from 'aws-cdk-lib';
import { ContextError, regionFromEnvironment } from './app-context';
import { GuardForwarderStack } from './forwarder-stack';
import { LaunchLoopGuardStack } from './launch-loop-guard-stack';
import { type BuiltOrgApp, buildOrgApp, type OrgAppConfig, readOrgConfig } from './org-app';
import { type LaunchLoopGuardProps, PropError, resolveProps } from './props';

/** What the app deploys. */
export interface AppConfig {
  /** The account; undefined leaves it to the CLI's credentials (`CDK_DEFAULT_ACCOUNT`). */
  readonly account?: string;
  /** The region the guard runs in. */
  readonly homeRegion: string;
  /**
   * True when neither `homeRegion` nor a CLI region was given and the guard falls back to
   * us-east-1: {@link buildApp} says so with a warning at synth.
   */
  readonly homeRegionDefaulted?: boolean;
  /** The other regions: each gets a forwarder stack. */
  readonly regions: string[];
  /** The guard's settings (`slack.webhookSecret` comes from `slackWebhookSecretName`). */
  readonly guard: LaunchLoopGuardProps;
  readonly slackWorkspaceId?: string;
  readonly slackChannelId?: string;
  /** Name of the Secrets Manager secret (in the home region) holding the webhook URL. */
  readonly slackWebhookSecretName?: string;
  /** Name of the bucket for S3 server access logs (may hold `${AWS::AccountId}`, `${AWS::Region}`). */
  readonly accessLogsBucketName?: string;
  /** Stack name prefix. */
  readonly stackPrefix: string;
  /** Set when the app guards an AWS Organization (`orgMode`, `orgTargets`, `orgId`, `orgCallAs`). */
  readonly org?: OrgAppConfig;
}

/** The stacks {@link buildApp} made. */
export interface BuiltApp {
  readonly home: LaunchLoopGuardStack;
  readonly forwarders: GuardForwarderStack[];
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
/** Where the guard goes when no region is given at all (the CDK's own fallback). */
export const DEFAULT_HOME_REGION = 'us-east-1';
/** Partitions whose regions cannot send events to a bus in another region (see the README). */
const NO_CROSS_REGION = /^(us-gov-|cn-|us-iso)/;

type Get = (key: string) => unknown;

function text(get: Get, key: string): string | undefined {
  const v = get(key);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
    throw new ContextError(key, `context ${key} must be a string, got ${JSON.stringify(v)}`);
  }
  return String(v).trim();
}

function list(get: Get, key: string): string[] {
  const v = get(key);
  if (v === undefined || v === null || v === '') return [];
  const items = Array.isArray(v) ? v.map(String) : String(v).split(',');
  return items.map((s) => s.trim()).filter((s) => s !== '');
}

function num(get: Get, key: string): number | undefined {
  const v = text(get, key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new ContextError(key, `context ${key} must be a number, got "${v}"`);
  return n;
}

function bool(get: Get, key: string): boolean | undefined {
  const v = text(get, key);
  if (v === undefined) return undefined;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new ContextError(key, `context ${key} must be true or false, got "${v}"`);
}

function optionalList<K extends string>(key: K, values: string[]): Partial<Record<K, string[]>> {
  return values.length === 0 ? {} : ({ [key]: values } as Record<K, string[]>);
}

function minutes(get: Get, key: string): Duration | undefined {
  const n = num(get, key);
  if (n === undefined) return undefined;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new ContextError(key, `context ${key} must be whole minutes, at least 1, got "${text(get, key)}"`);
  }
  return Duration.minutes(n);
}

/**
 * Read the app's settings from CDK context (`-c key=value` or cdk.json) and the environment.
 *
 * Keys: `homeRegion`, `regions` (comma list or array), `account`, `stackPrefix`, `windowMinutes`,
 * `asgThreshold`, `amiThreshold`, `dryRun`, `amiAction`, `churnShare` (a share or `off`),
 * `amiChangeAlerts` (`family`, `all` or `off`),
 * `emails`, `createTrail`, `noLaunchEventsAlarmHours`, `reservedConcurrency`,
 * `slackWorkspaceId`, `slackChannelId`, `slackWebhookSecretName`, `autoResume`,
 * `autoResumeCooldownMinutes`, `autoResumeMaxTrips`; security (README, "Security"): `controlTower`,
 * `vpcSubnetIds`, `vpcSecurityGroupIds`, `vpcId`, `accessLogsBucket`, `logRetentionDays`; organizations: `orgMode`, `orgTargets`,
 * `orgId`, `orgCallAs` (see `lib/org-app.ts`).
 *
 * @throws Error naming the key and the value when one is wrong
 */
export function readAppConfig(
  get: Get,
  env: Readonly<Record<string, string | undefined>>,
  profileRegion?: string,
): AppConfig {
  const contextHome = text(get, 'homeRegion');
  const givenHome = contextHome ?? regionFromEnvironment(env, profileRegion);
  const homeRegion = givenHome ?? DEFAULT_HOME_REGION;
  if (!REGION.test(homeRegion)) {
    const key = contextHome === undefined ? 'homeRegion (from the environment)' : 'homeRegion';
    throw new ContextError(
      'homeRegion',
      `context ${key} must be a region name such as eu-west-1, got "${homeRegion}"`,
    );
  }
  const regions = [...new Set(list(get, 'regions'))].filter((r) => r !== homeRegion);
  for (const r of regions) {
    if (!REGION.test(r)) {
      throw new ContextError(
        'regions',
        `context regions must hold region names such as us-east-1,eu-central-1, got "${r}"`,
      );
    }
  }
  const blocked = [homeRegion, ...regions].filter((r) => NO_CROSS_REGION.test(r));
  if (regions.length > 0 && blocked.length > 0) {
    throw new ContextError(
      'regions',
      `context regions: ${blocked.join(', ')} cannot forward events across regions (GovCloud, China and ISO partitions); deploy one guard per region there`,
    );
  }
  const churn = text(get, 'churnShare');
  const autoResume = bool(get, 'autoResume');
  const cooldown = minutes(get, 'autoResumeCooldownMinutes');
  const maxTrips = num(get, 'autoResumeMaxTrips');
  const guard: Omit<LaunchLoopGuardProps, 'slack'> = {
    window: minutes(get, 'windowMinutes'),
    asgThreshold: num(get, 'asgThreshold'),
    amiThreshold: num(get, 'amiThreshold'),
    dryRun: bool(get, 'dryRun'),
    amiAction: text(get, 'amiAction') as LaunchLoopGuardProps['amiAction'],
    churnShare: churn === undefined ? undefined : churn === 'off' ? 'off' : Number(churn),
    amiChangeAlerts: text(get, 'amiChangeAlerts') as LaunchLoopGuardProps['amiChangeAlerts'],
    emails: list(get, 'emails'),
    createTrail: bool(get, 'createTrail'),
    noLaunchEventsAlarmHours: num(get, 'noLaunchEventsAlarmHours'),
    reservedConcurrency: num(get, 'reservedConcurrency'),
    controlTower: bool(get, 'controlTower'),
    ...optionalList('vpcSubnetIds', list(get, 'vpcSubnetIds')),
    ...optionalList('vpcSecurityGroupIds', list(get, 'vpcSecurityGroupIds')),
    vpcId: text(get, 'vpcId'),
    logRetention: num(get, 'logRetentionDays') as LaunchLoopGuardProps['logRetention'],
    ...(autoResume === true || cooldown !== undefined || maxTrips !== undefined
      ? { autoResume: { cooldown, maxTrips } }
      : {}),
  };
  const workspaceId = text(get, 'slackWorkspaceId');
  const channelId = text(get, 'slackChannelId');
  checkGuard(
    workspaceId === undefined || channelId === undefined
      ? guard
      : { ...guard, slack: { chatbot: { workspaceId, channelId } } },
    get,
  );
  const account = text(get, 'account') ?? env.CDK_DEFAULT_ACCOUNT;
  const org = readOrgConfig(get, { text, list }, account);
  return {
    ...(org === undefined ? {} : { org }),
    account,
    homeRegion,
    ...(givenHome === undefined ? { homeRegionDefaulted: true } : {}),
    regions,
    guard,
    slackWorkspaceId: text(get, 'slackWorkspaceId'),
    slackChannelId: text(get, 'slackChannelId'),
    slackWebhookSecretName: text(get, 'slackWebhookSecretName'),
    accessLogsBucketName: text(get, 'accessLogsBucket'),
    stackPrefix: text(get, 'stackPrefix') ?? 'LaunchLoopGuard',
  };
}

/** The context key of each prop the app sets, and how the key's unit changes the prop's rule. */
const KEY_OF_PROP: Readonly<Record<string, { key: string; rule?: string }>> = {
  window: { key: 'windowMinutes', rule: 'must be whole minutes from 1 to 1440 (24 hours)' },
  asgThreshold: { key: 'asgThreshold' },
  amiThreshold: { key: 'amiThreshold' },
  amiAction: { key: 'amiAction' },
  churnShare: { key: 'churnShare' },
  amiChangeAlerts: { key: 'amiChangeAlerts' },
  emails: { key: 'emails' },
  noLaunchEventsAlarmHours: { key: 'noLaunchEventsAlarmHours' },
  reservedConcurrency: { key: 'reservedConcurrency' },
  'slack.chatbot.workspaceId': { key: 'slackWorkspaceId' },
  'slack.chatbot.channelId': { key: 'slackChannelId' },
};

/**
 * Check the guard's settings with the construct's own rules, before any stack exists, and name
 * what the user typed: `-c windowMinutes=100000`, not the prop's "69 days 10 hours".
 *
 * @throws ContextError naming the key, its value and what is expected
 */
function checkGuard(guard: LaunchLoopGuardProps, get: Get): void {
  const maxTrips = guard.autoResume?.maxTrips;
  if (maxTrips !== undefined && !(Number.isSafeInteger(maxTrips) && maxTrips >= 1)) {
    const raw = text(get, 'autoResumeMaxTrips');
    throw new ContextError(
      'autoResumeMaxTrips',
      `context autoResumeMaxTrips must be a whole number, at least 1, got "${raw}"`,
    );
  }
  try {
    resolveProps(guard);
  } catch (error) {
    const mapped = error instanceof PropError ? KEY_OF_PROP[error.prop] : undefined;
    if (error instanceof PropError && mapped !== undefined) {
      const raw = get(mapped.key);
      // A list key names the one item refused (`emails`); others the value as typed.
      const shown =
        mapped.key === 'emails'
          ? error.message.slice(error.message.lastIndexOf(', got ') + 6)
          : JSON.stringify(String(raw));
      throw new ContextError(mapped.key, `context ${mapped.key} ${mapped.rule ?? error.rule}, got ${shown}`);
    }
    throw error;
  }
}

/** Add the home stack and one forwarder stack per other region to the app. */
export function buildApp(app: App, config: AppConfig): BuiltApp {
  if (config.org !== undefined)
    throw new Error('buildApp: the config is for an organization: use buildOrganizationApp');
  const { slackWorkspaceId, slackChannelId, slackWebhookSecretName } = config;
  if ((slackWorkspaceId === undefined) !== (slackChannelId === undefined)) {
    throw new ContextError(
      'slackChannelId',
      'context slackWorkspaceId and slackChannelId must be given together',
    );
  }
  const home = new LaunchLoopGuardStack(app, config.stackPrefix, {
    env: { account: config.account, region: config.homeRegion },
    guard: {
      ...config.guard,
      ...(slackWorkspaceId !== undefined && slackChannelId !== undefined
        ? { slack: { chatbot: { workspaceId: slackWorkspaceId, channelId: slackChannelId } } }
        : {}),
    },
    slackWebhookSecretName,
    accessLogsBucketName: config.accessLogsBucketName,
  });
  if (config.homeRegionDefaulted === true) {
    // Not silent: a guard in a region nobody chose watches nothing the account launches elsewhere.
    Annotations.of(home).addWarningV2(
      'launch-loop-guard:homeRegionDefaulted',
      `No home region given (-c homeRegion=…, AWS_REGION, AWS_DEFAULT_REGION or the AWS profile's region): the guard goes to ${DEFAULT_HOME_REGION}. Pass -c homeRegion=<region> to choose.`,
    );
  }
  const forwarders = config.regions.map(
    (region) =>
      new GuardForwarderStack(app, `${config.stackPrefix}-Forwarder-${region}`, {
        env: { account: config.account, region },
        homeRegion: config.homeRegion,
      }),
  );
  return { home, forwarders };
}

/**
 * Add the stacks of the organization mode (`config.org`) to the app; chat settings as in one
 * account.
 */
export function buildOrganizationApp(app: App, config: AppConfig): BuiltOrgApp {
  const org = config.org;
  if (org === undefined)
    throw new Error('buildOrganizationApp: the config names no organization (orgTargets)');
  const { slackWorkspaceId, slackChannelId } = config;
  if ((slackWorkspaceId === undefined) !== (slackChannelId === undefined)) {
    throw new ContextError(
      'slackChannelId',
      'context slackWorkspaceId and slackChannelId must be given together',
    );
  }
  return buildOrgApp(app, {
    org,
    account: config.account ?? '',
    homeRegion: config.homeRegion,
    regions: config.regions,
    stackPrefix: config.stackPrefix,
    guard: {
      ...config.guard,
      ...(slackWorkspaceId !== undefined && slackChannelId !== undefined
        ? { slack: { chatbot: { workspaceId: slackWorkspaceId, channelId: slackChannelId } } }
        : {}),
    },
    slackWebhookSecretName: config.slackWebhookSecretName,
    accessLogsBucketName: config.accessLogsBucketName,
  });
}
