/**
 * The props of {@link LaunchLoopGuard} and their validation at synth.
 */
import { Duration, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { AMI_ACTION, type AmiAction, type GuardConfig, SCALING_PROCESSES } from '../lambda/config';
import { AMI_CHANGE_ALERTS, type AmiChangeAlerts } from '../lambda/core/ami-change';
import { WINDOW_LIMITS, windowProblem } from '../lambda/core/duration';
import { MAX_STREAK, MIN_STREAK } from '../lambda/core/group-settings';
import { DEFAULTS } from '../lambda/core/types';
import type { AutoResumeOptions } from './auto-resume';

/** The longest counting window, tag overrides included; the table's item TTL is built on it. */
export const MAX_WINDOW = Duration.millis(WINDOW_LIMITS.maxMs);

/** AWS Chatbot (Amazon Q Developer in chat applications) delivery to one Slack channel. */
export interface SlackChatbotOptions {
  /**
   * The Slack workspace id (e.g. `T0123456789`). The workspace must first be authorized once in
   * the AWS Chatbot console; CloudFormation cannot do that step.
   */
  readonly workspaceId: string;
  /** The Slack channel id (e.g. `C0123456789`); for a private channel, invite the app first. */
  readonly channelId: string;
  /**
   * Name of the channel configuration.
   * @default 'launch-loop-guard-<stack name>'
   */
  readonly configurationName?: string;
}

/** Slack delivery: through AWS Chatbot, through an incoming webhook, or both. */
export interface SlackOptions {
  /**
   * Deliver through AWS Chatbot, to a chat topic of its own that carries Chatbot's custom
   * notification JSON (one thread per scope).
   * @default - no Chatbot configuration
   */
  readonly chatbot?: SlackChatbotOptions;
  /**
   * A Secrets Manager secret whose value is the incoming-webhook URL (the plain URL, or JSON
   * with a `url` field). A small function subscribed to the main topic posts a Block Kit message.
   * @default - no webhook notifier
   */
  readonly webhookSecret?: secretsmanager.ISecret;
}

/** Props of {@link LaunchLoopGuard}. */
export interface LaunchLoopGuardProps {
  /**
   * Length of the trailing counting window, from 1 minute to 24 hours, in whole seconds.
   * @default Duration.minutes(60)
   */
  readonly window?: Duration;
  /**
   * Launches of one Auto Scaling group inside one window that trip the guard (a group's
   * `launch-loop-guard:threshold` tag overrides it).
   * @default 10
   */
  readonly asgThreshold?: number;
  /**
   * Launches of one AMI inside one window, across groups and callers, that trip the guard.
   * @default 50
   */
  readonly amiThreshold?: number;
  /**
   * Count, decide and alert, but never suspend or tag a group; alerts say "would have suspended".
   * @default false
   */
  readonly dryRun?: boolean;
  /**
   * The Auto Scaling processes to suspend when a group trips.
   * @default ['Launch']
   */
  readonly suspendProcesses?: string[];
  /**
   * What an AMI trip does: `alert` only, or `suspend` the non-exempt groups that launched it.
   * @default 'alert'
   */
  readonly amiAction?: AmiAction;
  /**
   * At most this many groups are suspended by one AMI trip (with `amiAction: 'suspend'`).
   * @default 5
   */
  readonly amiMaxGroups?: number;
  /**
   * The count rule's confirmation: the share of the window's decided launches (useful or failed,
   * see the README's "How it decides") that must have failed before a group is suspended, in
   * (0, 1]; or `'off'` to suspend on the count alone.
   * @default 0.5
   */
  readonly churnShare?: number | 'off';
  /**
   * The streak rule: a group whose last N decided launches all failed is suspended, whatever
   * their rate; from 2 to 10, or `'off'`. A group's tag `launch-loop-guard:failed-streak` overrides it.
   * @default 4
   */
  readonly failedStreak?: number | 'off';
  /**
   * An existing topic for alerts. Its key policy and access policy are yours: EventBridge and
   * CloudWatch must be allowed to publish to it.
   * @default - a new topic encrypted with the construct's key, exposed as `topic`
   */
  readonly topic?: sns.ITopic;
  /**
   * E-mail addresses subscribed to the topic (each must confirm its subscription).
   * @default - none
   */
  readonly emails?: string[];
  /**
   * Slack delivery.
   * @default - no Slack delivery
   */
  readonly slack?: SlackOptions;
  /**
   * Create a multi-region trail logging write management events, with its own encrypted bucket.
   * Without any trail EventBridge sees no `RunInstances`; a second trail costs $2 per 100,000
   * management events.
   * @default false
   */
  readonly createTrail?: boolean;
  /**
   * How long the created trail's log files are kept in its bucket.
   * @default Duration.days(90)
   */
  readonly trailRetention?: Duration;
  /**
   * Alarm when no launch event was handled for this many hours (1 to 168). It catches a guard
   * that went blind, e.g. because the trail was deleted; leave it off in accounts that can go
   * that long without launching anything.
   * @default - no such alarm
   */
  readonly noLaunchEventsAlarmHours?: number;
  /**
   * Reserved concurrency of the guard function.
   * @default - none: the function draws on the account's unreserved pool (see the README)
   */
  readonly reservedConcurrency?: number;
  /**
   * Resume a tripped group after a cool-down that doubles with each trip of a streak.
   * @default - off: a suspended group stays suspended until a person resumes it
   */
  readonly autoResume?: AutoResumeOptions;
  /**
   * Alert at a group's first launch of an AMI its recent launches did not use (notify only, never
   * suspends): `family` announces family changes (standard → ECS Neuron, likely unintended) and
   * changes whose family cannot be told; `all` also announces routine upgrades within a family,
   * at low severity; `off` announces nothing and makes no lookups.
   * @default 'family'
   */
  readonly amiChangeAlerts?: AmiChangeAlerts;
  /**
   * Add stack outputs for operators: the table name (`launch-loop-guard status --table`), the
   * topic ARN, the resumer function's name (the alerts' `aws lambda invoke`), and the URLs of the
   * failure queue (to redrive) and the deadline queue. Their keys are the construct's unique id
   * followed by `TableName`, `TopicArn`, `ResumerFunctionName`, `FailureQueueUrl` and
   * `DeadlineQueueUrl` (`GuardTableName` for a construct `Guard` at the top of its stack).
   * @default true
   */
  readonly outputs?: boolean;
  /**
   * Meet the AWS Control Tower proactive controls that cost money or change behaviour (see the
   * README's "Security"): the created trail also delivers to CloudWatch Logs and is encrypted with
   * the guard's key; the buckets the guard creates are KMS-encrypted, versioned, object-locked and
   * send EventBridge notifications. The controls that need your own resources are met by
   * `vpcSubnetIds` and `accessLogsBucket`.
   * @default false
   */
  readonly controlTower?: boolean;
  /**
   * Run every function of the guard in these subnets (Control Tower's `lambda_inside_vpc_check`).
   * The functions then reach AWS APIs through VPC endpoints or a NAT gateway (the README lists
   * which).
   * @default - the functions run outside any VPC
   */
  readonly vpcSubnetIds?: string[];
  /**
   * Security groups of the functions in `vpcSubnetIds`.
   * @default - a security group is created in `vpcId` that allows HTTPS out and nothing in
   */
  readonly vpcSecurityGroupIds?: string[];
  /**
   * The VPC of `vpcSubnetIds`; needed only to create the functions' security group when
   * `vpcSecurityGroupIds` is not given.
   * @default - none
   */
  readonly vpcId?: string;
  /**
   * A bucket that receives the S3 server access logs of every bucket the guard creates
   * (Control Tower's `s3_bucket_logging_enabled_check`). Its policy must let
   * `logging.s3.amazonaws.com` write.
   * @default - no server access logs
   */
  readonly accessLogsBucket?: s3.IBucket;
  /**
   * How long the functions' log groups (and the trail's, with `controlTower`) keep their events.
   * Control Tower's `cloudwatch_log_group_retention_period_check` wants at least a year.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/** Where the guard's functions run, when `vpcSubnetIds` is given. */
export interface FunctionVpc {
  readonly subnetIds: readonly string[];
  /** Empty when the construct creates the group in `vpcId`. */
  readonly securityGroupIds: readonly string[];
  readonly vpcId?: string;
}

/** The props with every default filled, as the function's environment needs them. */
export interface ResolvedSettings
  extends Pick<
    GuardConfig,
    | 'windowMs'
    | 'asgThreshold'
    | 'amiThreshold'
    | 'dryRun'
    | 'suspendProcesses'
    | 'amiAction'
    | 'amiMaxGroups'
  > {
  readonly churnShare: number | 'off';
  readonly failedStreak: number | 'off';
  readonly emails: readonly string[];
  readonly trailRetentionDays: number;
  readonly noLaunchEventsAlarmHours?: number;
  readonly reservedConcurrency?: number;
  readonly amiChangeAlerts: AmiChangeAlerts;
  readonly controlTower: boolean;
  readonly logRetention: logs.RetentionDays;
  readonly vpc?: FunctionVpc;
}

/** A prop the construct refuses; the app turns it into the context key the user typed. */
export class PropError extends Error {
  constructor(
    /** The prop, e.g. `window` or `slack.chatbot.channelId`. */
    readonly prop: string,
    /** What is expected, e.g. `must be a whole number from 1 to 100000`. */
    readonly rule: string,
    shown: string,
  ) {
    super(`LaunchLoopGuard: ${prop} ${rule}, got ${shown}`);
    this.name = 'PropError';
  }
}

function fail(prop: string, value: unknown, rule: string): never {
  const shown = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
  throw new PropError(prop, rule, shown);
}

function wholeNumber(prop: string, value: number | undefined, fallback: number, min: number, max: number) {
  if (value === undefined) return fallback;
  if (Token.isUnresolved(value)) fail(prop, String(value), 'must be a number known at synth');
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    fail(prop, value, `must be a whole number from ${min} to ${max}`);
  }
  return value;
}

function durationMs(prop: string, value: Duration | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (Token.isUnresolved(value.toString())) fail(prop, value.toString(), 'must be known at synth');
  return value.toMilliseconds();
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const SLACK_ID = /^[A-Z0-9]{2,}$/;

/**
 * Check the props and fill the defaults.
 *
 * @throws Error naming the prop and the value when one is wrong
 */
export function resolveProps(props: LaunchLoopGuardProps): ResolvedSettings {
  const windowMs = durationMs('window', props.window, DEFAULTS.windowMs);
  const windowRule = windowProblem(windowMs);
  if (windowRule !== undefined) fail('window', props.window?.toHumanString(), windowRule);
  const suspendProcesses = props.suspendProcesses ?? ['Launch'];
  const known = new Set<string>(SCALING_PROCESSES);
  if (suspendProcesses.length === 0 || suspendProcesses.some((p) => !known.has(p))) {
    fail('suspendProcesses', suspendProcesses, `must list processes among ${SCALING_PROCESSES.join(', ')}`);
  }
  const amiAction = props.amiAction ?? AMI_ACTION.alert;
  if (amiAction !== AMI_ACTION.alert && amiAction !== AMI_ACTION.suspend) {
    fail('amiAction', amiAction, 'must be "alert" or "suspend"');
  }
  const churnShare = props.churnShare ?? DEFAULTS.churnShare;
  if (churnShare !== 'off' && (typeof churnShare !== 'number' || !(churnShare > 0 && churnShare <= 1))) {
    fail('churnShare', churnShare, 'must be a share in (0, 1] or "off"');
  }
  const failedStreak =
    props.failedStreak === 'off'
      ? 'off'
      : wholeNumber('failedStreak', props.failedStreak, DEFAULTS.failedStreak, MIN_STREAK, MAX_STREAK);
  const emails = props.emails ?? [];
  for (const e of emails) if (!EMAIL.test(e)) fail('emails', e, 'must hold e-mail addresses');
  const chatbot = props.slack?.chatbot;
  if (chatbot !== undefined) {
    if (!SLACK_ID.test(chatbot.workspaceId)) {
      fail(
        'slack.chatbot.workspaceId',
        chatbot.workspaceId,
        'must be a Slack workspace id such as T0123456789',
      );
    }
    if (!SLACK_ID.test(chatbot.channelId)) {
      fail('slack.chatbot.channelId', chatbot.channelId, 'must be a Slack channel id such as C0123456789');
    }
  }
  const trailRetentionMs = durationMs(
    'trailRetention',
    props.trailRetention,
    Duration.days(90).toMilliseconds(),
  );
  const trailRetentionDays = trailRetentionMs / 86_400_000;
  if (!Number.isSafeInteger(trailRetentionDays) || trailRetentionDays < 1) {
    fail(
      'trailRetention',
      props.trailRetention?.toHumanString(),
      'must be a whole number of days, at least 1',
    );
  }
  if (props.trailRetention !== undefined && props.createTrail !== true) {
    fail('trailRetention', props.trailRetention.toHumanString(), 'applies only with createTrail: true');
  }
  const amiChangeAlerts = props.amiChangeAlerts ?? AMI_CHANGE_ALERTS.family;
  if (!(Object.values(AMI_CHANGE_ALERTS) as string[]).includes(amiChangeAlerts)) {
    fail('amiChangeAlerts', amiChangeAlerts, 'must be "family", "all" or "off"');
  }
  const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
  if (!(Object.values(logs.RetentionDays) as unknown[]).includes(logRetention)) {
    fail('logRetention', logRetention, 'must be one of logs.RetentionDays');
  }
  const vpc = resolveVpc(props);
  return {
    windowMs,
    amiChangeAlerts,
    controlTower: props.controlTower ?? false,
    logRetention,
    ...(vpc === undefined ? {} : { vpc }),
    asgThreshold: wholeNumber('asgThreshold', props.asgThreshold, DEFAULTS.asgThreshold, 1, 100_000),
    amiThreshold: wholeNumber('amiThreshold', props.amiThreshold, DEFAULTS.amiThreshold, 1, 100_000),
    dryRun: props.dryRun ?? false,
    suspendProcesses: [...new Set(suspendProcesses)],
    amiAction,
    amiMaxGroups: wholeNumber('amiMaxGroups', props.amiMaxGroups, DEFAULTS.amiMaxGroups, 1, 100),
    churnShare,
    failedStreak,
    emails,
    trailRetentionDays,
    ...(props.noLaunchEventsAlarmHours === undefined
      ? {}
      : {
          noLaunchEventsAlarmHours: wholeNumber(
            'noLaunchEventsAlarmHours',
            props.noLaunchEventsAlarmHours,
            0,
            1,
            168,
          ),
        }),
    ...(props.reservedConcurrency === undefined
      ? {}
      : { reservedConcurrency: wholeNumber('reservedConcurrency', props.reservedConcurrency, 0, 1, 10_000) }),
  };
}

const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/;
const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;

/** A literal id list must match its pattern; a token (a parameter, an import) is taken as given. */
function ids(prop: string, values: readonly string[] | undefined, pattern: RegExp, what: string): string[] {
  const list = values ?? [];
  for (const v of list) {
    if (!Token.isUnresolved(v) && !pattern.test(v)) fail(prop, v, `must hold ${what} ids`);
  }
  return [...list];
}

function resolveVpc(props: LaunchLoopGuardProps): FunctionVpc | undefined {
  const subnetIds = ids('vpcSubnetIds', props.vpcSubnetIds, SUBNET_ID, 'subnet (subnet-…)');
  const securityGroupIds = ids(
    'vpcSecurityGroupIds',
    props.vpcSecurityGroupIds,
    SECURITY_GROUP_ID,
    'security group (sg-…)',
  );
  const vpcId = props.vpcId;
  if (vpcId !== undefined && !Token.isUnresolved(vpcId) && !VPC_ID.test(vpcId)) {
    fail('vpcId', vpcId, 'must be a VPC id (vpc-…)');
  }
  if (subnetIds.length === 0) {
    if (securityGroupIds.length > 0 || vpcId !== undefined) {
      fail('vpcSubnetIds', props.vpcSubnetIds ?? [], 'must be given with vpcSecurityGroupIds or vpcId');
    }
    return undefined;
  }
  if (securityGroupIds.length === 0 && vpcId === undefined) {
    fail(
      'vpcSecurityGroupIds',
      [],
      'or vpcId must be given with vpcSubnetIds (Lambda needs a security group; with vpcId the construct creates one)',
    );
  }
  return { subnetIds, securityGroupIds, ...(vpcId === undefined ? {} : { vpcId }) };
}
