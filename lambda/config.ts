/**
 * The guard's configuration: the only file that reads `process.env`.
 *
 * The construct writes these variables from the same {@link ENV} constant, so writer and
 * reader cannot drift. Importing this file has no side effects.
 */

import { AMI_CHANGE_ALERTS, type AmiChangeAlerts } from './core/ami-change';
import { parseDuration, WINDOW_LIMITS, windowProblem } from './core/duration';
import { ConfigError } from './core/errors';
import {
  type GroupSettings,
  groupSettings,
  MAX_STREAK,
  MIN_STREAK,
  type SettingsDefaults,
} from './core/group-settings';
import { DEFAULTS } from './core/types';

/** Environment variable names, shared with the construct. */
export const ENV = {
  tableName: 'LLG_TABLE_NAME',
  topicArn: 'LLG_TOPIC_ARN',
  chatTopicArn: 'LLG_CHAT_TOPIC_ARN',
  window: 'LLG_WINDOW',
  asgThreshold: 'LLG_ASG_THRESHOLD',
  amiThreshold: 'LLG_AMI_THRESHOLD',
  dryRun: 'LLG_DRY_RUN',
  suspendProcesses: 'LLG_SUSPEND_PROCESSES',
  amiAction: 'LLG_AMI_ACTION',
  amiMaxGroups: 'LLG_AMI_MAX_GROUPS',
  churnShare: 'LLG_CHURN_SHARE',
  maxWindow: 'LLG_MAX_WINDOW',
  autoResume: 'LLG_AUTO_RESUME',
  failedStreak: 'LLG_FAILED_STREAK',
  /** The queue of delayed checks of launches at their deadline (unset: no delayed checks). */
  deadlineQueueUrl: 'LLG_DEADLINE_QUEUE_URL',
  /** Central organization mode: the member role's ARN with `{account}` in place of the account id. */
  memberRoleArn: 'LLG_MEMBER_ROLE_ARN',
  /** Central organization mode: the account the function runs in (acts there without a role). */
  homeAccount: 'LLG_HOME_ACCOUNT',
  /** Central organization mode: the target OU and root ids, comma-separated (unset: all targets). */
  targets: 'LLG_TARGETS',
  /** Central organization mode, resumer: the operator role's ARN with `{account}` for the account id. */
  operatorRoleArn: 'LLG_OPERATOR_ROLE_ARN',
  amiChangeAlerts: 'LLG_AMI_CHANGE_ALERTS',
  /** The resumer function's name, for the `aws lambda invoke` line of the alert. */
  resumerFunction: 'LLG_RESUMER_FUNCTION',
  /** The region the resumer function runs in (the guard's home region). */
  resumerRegion: 'LLG_RESUMER_REGION',
} as const;

/** The deployed resumer function a person can invoke to resume a group. */
export interface ResumerRef {
  readonly functionName: string;
  readonly region: string;
}

/** What an AMI trip does. */
export const AMI_ACTION = { alert: 'alert', suspend: 'suspend' } as const;
export type AmiAction = (typeof AMI_ACTION)[keyof typeof AMI_ACTION];

/** Auto-resume settings (off unless the construct sets them). */
export interface AutoResumeConfig {
  /** First cool-down, in milliseconds. */
  readonly baseMs: number;
  /** Longest cool-down, in milliseconds. */
  readonly maxMs: number;
  /** After this many trips the group stays suspended until a person resumes it. */
  readonly maxTrips: number;
  readonly scheduleGroup: string;
  readonly schedulerRoleArn: string;
  readonly targetArn: string;
}

/** Everything the handler needs, checked once at cold start. */
export interface GuardConfig {
  readonly tableName: string;
  readonly topicArn: string;
  readonly chatTopicArn?: string;
  readonly windowMs: number;
  /** The longest window a tag may ask for (bounded by the table's item TTL). */
  readonly maxWindowMs: number;
  readonly asgThreshold: number;
  readonly amiThreshold: number;
  readonly dryRun: boolean;
  readonly suspendProcesses: readonly string[];
  readonly amiAction: AmiAction;
  readonly amiMaxGroups: number;
  /** Share of the window's launches that must be churned before suspending; undefined = check off. */
  readonly churnShare?: number;
  /** Failed launches in a row that trip a group (the streak rule); 0 turns the rule off. */
  readonly failedStreak: number;
  /** The delayed checks' queue; undefined: launches are judged only when later events come. */
  readonly deadlineQueueUrl?: string;
  readonly autoResume?: AutoResumeConfig;
  /** Which AMI changes of a group are announced: `family` (family changes and unknown ones), `all`, `off`. */
  readonly amiChangeAlerts: AmiChangeAlerts;
  /** Set in central organization mode: act in member accounts through their member role. */
  readonly organization?: OrganizationConfig;
  /** The resumer function, when the construct names it (it always does). */
  readonly resumer?: ResumerRef;
  /**
   * The resumer in central mode: the member accounts' operator role, `{account}` standing for the
   * account id. Undefined: the resumer acts in its own account only.
   */
  readonly operatorRoleArn?: string;
}

/** The central guard's settings (organization mode `central`). */
export interface OrganizationConfig {
  /** The member role's ARN, `{account}` standing for the member account id. */
  readonly memberRoleArn: string;
  /** The account the function runs in. */
  readonly homeAccount: string;
  /**
   * The target OU and root ids: a denied AssumeRole into an account outside them is permanent.
   * Undefined: every account counts as a target (every denial is blind).
   */
  readonly targets?: readonly string[];
}

/** Auto Scaling's process names, as `SuspendProcesses` accepts them. */
export const SCALING_PROCESSES = [
  'Launch',
  'Terminate',
  'AddToLoadBalancer',
  'AlarmNotification',
  'AZRebalance',
  'HealthCheck',
  'InstanceRefresh',
  'ReplaceUnhealthy',
  'ScheduledActions',
] as const;

type Env = Readonly<Record<string, string | undefined>>;

function required(env: Env, key: string): string {
  const v = env[key]?.trim();
  if (!v) throw new ConfigError(`${key} is required but not set`);
  return v;
}

function positiveInt(env: Env, key: string, fallback: number): number {
  const raw = env[key]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new ConfigError(`${key} must be a whole number ≥ 1, got "${raw}"`);
  return n;
}

function duration(env: Env, key: string, fallback: number): number {
  const raw = env[key]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const ms = parseDuration(raw);
  if (ms === undefined)
    throw new ConfigError(`${key} must be a duration such as 90s, 15m or 1h, got "${raw}"`);
  return ms;
}

function bool(env: Env, key: string): boolean {
  const raw = env[key]?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new ConfigError(`${key} must be true or false, got "${env[key]}"`);
}

function churn(env: Env): number | undefined {
  const raw = env[ENV.churnShare]?.trim();
  if (raw === undefined || raw === '') return DEFAULTS.churnShare;
  if (raw.toLowerCase() === 'off') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > 1) {
    throw new ConfigError(`${ENV.churnShare} must be a share in (0, 1] or "off", got "${raw}"`);
  }
  return n;
}

function streak(env: Env): number {
  const raw = env[ENV.failedStreak]?.trim();
  if (raw === undefined || raw === '') return DEFAULTS.failedStreak;
  if (raw.toLowerCase() === 'off') return 0;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < MIN_STREAK || n > MAX_STREAK) {
    throw new ConfigError(
      `${ENV.failedStreak} must be a whole number from ${MIN_STREAK} to ${MAX_STREAK} or "off", got "${raw}"`,
    );
  }
  return n;
}

function processes(env: Env): string[] {
  const raw = env[ENV.suspendProcesses]?.trim();
  if (raw === undefined || raw === '') return ['Launch'];
  const list = raw
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const known = new Set<string>(SCALING_PROCESSES);
  const bad = list.filter((p) => !known.has(p));
  if (list.length === 0 || bad.length > 0) {
    throw new ConfigError(`${ENV.suspendProcesses} must list Auto Scaling processes, got "${raw}"`);
  }
  return [...new Set(list)];
}

function amiChangeAlerts(env: Env): AmiChangeAlerts {
  const raw = env[ENV.amiChangeAlerts]?.trim();
  if (raw === undefined || raw === '') return AMI_CHANGE_ALERTS.family;
  const known = Object.values(AMI_CHANGE_ALERTS) as string[];
  if (!known.includes(raw)) {
    throw new ConfigError(`${ENV.amiChangeAlerts} must be "family", "all" or "off", got "${raw}"`);
  }
  return raw as AmiChangeAlerts;
}

function autoResume(env: Env): AutoResumeConfig | undefined {
  const raw = env[ENV.autoResume]?.trim();
  if (raw === undefined || raw === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new ConfigError(`${ENV.autoResume} must be JSON`, { cause: error });
  }
  const o = parsed as Partial<AutoResumeConfig> | null;
  const ok =
    o !== null &&
    typeof o === 'object' &&
    Number.isSafeInteger(o.baseMs) &&
    (o.baseMs ?? 0) > 0 &&
    Number.isSafeInteger(o.maxMs) &&
    (o.maxMs ?? 0) >= (o.baseMs ?? 0) &&
    Number.isSafeInteger(o.maxTrips) &&
    (o.maxTrips ?? 0) >= 1 &&
    typeof o.scheduleGroup === 'string' &&
    typeof o.schedulerRoleArn === 'string' &&
    typeof o.targetArn === 'string';
  if (!ok) {
    throw new ConfigError(
      `${ENV.autoResume} must hold baseMs, maxMs ≥ baseMs, maxTrips ≥ 1, scheduleGroup, schedulerRoleArn and targetArn`,
    );
  }
  return o as AutoResumeConfig;
}

function organization(env: Env): OrganizationConfig | undefined {
  const memberRoleArn = env[ENV.memberRoleArn]?.trim();
  const homeAccount = env[ENV.homeAccount]?.trim();
  if (!memberRoleArn && !homeAccount) return undefined;
  if (!memberRoleArn || !/^arn:[a-z-]+:iam::\{account\}:role\/[\w+=,.@/-]+$/.test(memberRoleArn)) {
    throw new ConfigError(
      `${ENV.memberRoleArn} must be a role ARN with {account} as its account, got "${memberRoleArn ?? ''}"`,
    );
  }
  if (!homeAccount || !/^\d{12}$/.test(homeAccount)) {
    throw new ConfigError(`${ENV.homeAccount} must be a 12-digit account id, got "${homeAccount ?? ''}"`);
  }
  const targets = orgTargets(env);
  return { memberRoleArn, homeAccount, ...(targets === undefined ? {} : { targets }) };
}

/** The target OU and root ids of `LLG_TARGETS` (undefined when unset). */
function orgTargets(env: Env): string[] | undefined {
  const raw = env[ENV.targets]?.trim();
  if (!raw) return undefined;
  const ids = raw.split(',').map((t) => t.trim());
  const bad = ids.filter((t) => !/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/.test(t));
  if (bad.length > 0) {
    throw new ConfigError(`${ENV.targets} must list OU or root ids (ou-…, r-…), got "${bad.join(', ')}"`);
  }
  return ids;
}

/**
 * The resumer's operator role template (central mode): with it the resumer acts in a member
 * account through that account's operator role; without it, in its own account only.
 */
function operatorRoleArn(env: Env): string | undefined {
  const arn = env[ENV.operatorRoleArn]?.trim();
  if (!arn) return undefined;
  if (!/^arn:[a-z-]+:iam::\{account\}:role\/[\w+=,.@/-]+$/.test(arn)) {
    throw new ConfigError(
      `${ENV.operatorRoleArn} must be a role ARN with {account} as its account, got "${arn}"`,
    );
  }
  return arn;
}

/** What a group's tags fall back to: the deployment's settings. */
export function settingsDefaults(config: GuardConfig): SettingsDefaults {
  return {
    threshold: config.asgThreshold,
    windowMs: config.windowMs,
    maxWindowMs: config.maxWindowMs,
    streak: config.failedStreak,
  };
}

/** The settings a group's tags give under this deployment's configuration. */
export function settingsOf(tags: Readonly<Record<string, string>>, config: GuardConfig): GroupSettings {
  return groupSettings(tags, settingsDefaults(config));
}

/**
 * Read and check the configuration.
 *
 * @throws ConfigError naming the variable and the value when one is wrong
 */
export function loadConfig(env: Env = process.env): GuardConfig {
  const windowMs = duration(env, ENV.window, DEFAULTS.windowMs);
  const windowRule = windowProblem(windowMs);
  if (windowRule !== undefined)
    throw new ConfigError(`${ENV.window} ${windowRule}, got "${env[ENV.window]}"`);
  const maxWindowMs = duration(env, ENV.maxWindow, WINDOW_LIMITS.maxMs);
  if (windowMs > maxWindowMs) {
    throw new ConfigError(`${ENV.window} (${env[ENV.window]}) is longer than ${ENV.maxWindow}`);
  }
  const amiAction = env[ENV.amiAction]?.trim() || AMI_ACTION.alert;
  if (amiAction !== AMI_ACTION.alert && amiAction !== AMI_ACTION.suspend) {
    throw new ConfigError(`${ENV.amiAction} must be "alert" or "suspend", got "${amiAction}"`);
  }
  const chatTopicArn = env[ENV.chatTopicArn]?.trim();
  const resumerFunction = env[ENV.resumerFunction]?.trim();
  const resumerRegion = env[ENV.resumerRegion]?.trim();
  if (Boolean(resumerFunction) !== Boolean(resumerRegion)) {
    throw new ConfigError(`${ENV.resumerFunction} and ${ENV.resumerRegion} must be set together`);
  }
  return {
    tableName: required(env, ENV.tableName),
    topicArn: required(env, ENV.topicArn),
    ...(chatTopicArn ? { chatTopicArn } : {}),
    windowMs,
    maxWindowMs,
    asgThreshold: positiveInt(env, ENV.asgThreshold, DEFAULTS.asgThreshold),
    amiThreshold: positiveInt(env, ENV.amiThreshold, DEFAULTS.amiThreshold),
    dryRun: bool(env, ENV.dryRun),
    suspendProcesses: processes(env),
    amiAction,
    amiMaxGroups: positiveInt(env, ENV.amiMaxGroups, DEFAULTS.amiMaxGroups),
    churnShare: churn(env),
    failedStreak: streak(env),
    ...(env[ENV.deadlineQueueUrl]?.trim() ? { deadlineQueueUrl: env[ENV.deadlineQueueUrl]!.trim() } : {}),
    autoResume: autoResume(env),
    organization: organization(env),
    ...optionalOperatorRole(env),
    amiChangeAlerts: amiChangeAlerts(env),
    ...(resumerFunction && resumerRegion
      ? { resumer: { functionName: resumerFunction, region: resumerRegion } }
      : {}),
  };
}

function optionalOperatorRole(env: Env): { operatorRoleArn?: string } {
  const arn = operatorRoleArn(env);
  return arn === undefined ? {} : { operatorRoleArn: arn };
}
