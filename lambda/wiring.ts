/**
 * The one wiring of the guard function: every dependency of `run()` and of the delayed checks is
 * built here, from the configuration and a set of SDK client factories. The function's entry
 * (`entries/guard.ts`), the organization path, the delayed checks, the simulator (`bench/sim`) and the
 * demo (through `entries/guard.ts`) all take their dependencies from {@link buildGuardDeps}; nothing
 * else constructs them.
 *
 * Accounts: the function's own account is reached with the function's own credentials. In
 * central organization mode every other account is reached through its member role
 * (`adapters/member-credentials.ts`), with adapters of its own (see {@link GuardWiring.forAccount}).
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { PricingClient } from '@aws-sdk/client-pricing';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { OrganizationsAccountNames } from './adapters/account-names';
import { AutoScalingSuspender } from './adapters/asg-suspender';
import { SqsDeadlineQueue } from './adapters/deadline-queue';
import { Ec2BillingFacts } from './adapters/ec2-billing';
import { Ec2ImageInfo } from './adapters/ec2-diagnosis';
import { Ec2InstanceStates } from './adapters/ec2-instances';
import { SdkEcsRegistry } from './adapters/ecs-registry';
import { IamRoleReader } from './adapters/iam-role';
import { Ec2LaunchTemplateReader } from './adapters/launch-template';
import { MemberAccounts } from './adapters/member-credentials';
import { SnsNotifier } from './adapters/notifier';
import { OrganizationsTargets } from './adapters/org-targets';
import { PriceListOnDemand } from './adapters/price-list';
import { EventBridgeResumeScheduler } from './adapters/scheduler';
import { DynamoDbScopeStore } from './adapters/scope-store';
import type { GuardConfig } from './config';
import type {
  DeadlineQueue,
  GuardDeps,
  GuardLog,
  GuardMetrics,
  MemberCredentials,
  ResumeScheduler,
} from './ports';
import { CachedImageInfo } from './steps/ami-change';
import { ImageDiagnoser } from './steps/diagnose';
import { PriceCache } from './steps/loop-cost';
import { AccountNamingNotifier, perAccount, routeEvent } from './steps/organization';
import { InstanceRoleChecker } from './steps/role-check';

/** The options the wiring gives a regional or IAM client: a region, a member role's credentials, timeouts. */
export interface ClientOptions {
  readonly region?: string;
  readonly credentials?: () => Promise<MemberCredentials>;
  readonly maxAttempts?: number;
  readonly requestHandler?: { readonly connectionTimeout: number; readonly requestTimeout: number };
}

/**
 * How SDK clients are made. The function uses {@link sdkClients} (default configuration, so
 * `AWS_ENDPOINT_URL_<SERVICE>` can point them elsewhere); a test may route them to its fakes.
 * A factory is called only for what the configuration turns on.
 */
export interface GuardClients {
  readonly dynamo: () => DynamoDBClient;
  readonly sns: () => SNSClient;
  readonly sqs: () => SQSClient;
  readonly scheduler: () => SchedulerClient;
  readonly sts: () => STSClient;
  readonly organizations: () => OrganizationsClient;
  readonly autoScaling: (options: ClientOptions) => AutoScalingClient;
  readonly ec2: (options: ClientOptions) => EC2Client;
  readonly ecs: (options: ClientOptions) => ECSClient;
  readonly iam: (options: ClientOptions) => IAMClient;
  /** The Price List Query API (served from a few Regions only; the adapter picks the nearest). */
  readonly pricing: (options: ClientOptions) => PricingClient;
}

/** The SDK's clients with their default configuration. */
export function sdkClients(): GuardClients {
  return {
    dynamo: () => new DynamoDBClient({}),
    sns: () => new SNSClient({}),
    sqs: () => new SQSClient({}),
    scheduler: () => new SchedulerClient({}),
    sts: () => new STSClient({}),
    organizations: () => new OrganizationsClient({}),
    autoScaling: (o) => new AutoScalingClient(o),
    ec2: (o) => new EC2Client(o),
    ecs: (o) => new ECSClient(o),
    iam: (o) => new IAMClient(o),
    pricing: (o) => new PricingClient(o),
  };
}

/** What the runtime around the guard supplies. */
export interface GuardRuntime {
  readonly log: GuardLog;
  readonly metrics: GuardMetrics;
  /** The clock of the adapters' caches (ECS mapping, member credentials); the simulator's is simulated. */
  readonly now: () => number;
  /**
   * A queue standing in for SQS (the simulator delivers the delayed checks itself). Without it
   * the checks go to the SQS queue of the configuration, when one is configured.
   */
  readonly deadlines?: DeadlineQueue;
}

/** The guard's dependencies, per account. */
export interface GuardWiring {
  /** The function's own account (the only one outside central organization mode). */
  readonly home: GuardDeps;
  /** The dependencies that act in `account` (the home ones for the home account). */
  forAccount(account: string): GuardDeps;
  /** The dependencies for one event as Lambda delivers it (its account's, for a launch). */
  forEvent(raw: unknown): GuardDeps;
}

/** The AMI-change lookups are best effort: short timeouts and one retry, so they end well inside the invocation. */
const LOOKUP = { maxAttempts: 2, requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 } };
/** Prices for the alert's cost line: two short attempts; the trip path waits for them at most `COST_WAIT_MS`. */
const PRICE_LOOKUP = { maxAttempts: 2, requestHandler: { connectionTimeout: 500, requestTimeout: 800 } };

/** The scheduler when auto-resume is off: the trip reads `config.autoResume` and never calls it. */
const NO_RESUME_SCHEDULES: ResumeScheduler = {
  schedule: () =>
    Promise.reject(new Error('auto-resume is off (LLG_AUTO_RESUME unset): nothing schedules a resume')),
};

/** The queue when delayed checks are off: the count reads `config.deadlineQueueUrl` and never calls it. */
const NO_DELAYED_CHECKS: DeadlineQueue = {
  schedule: () =>
    Promise.reject(new Error('delayed checks are off (LLG_DEADLINE_QUEUE_URL unset): nothing is queued')),
};

/**
 * Build every dependency of the guard.
 *
 * @param config the function's configuration (`loadConfig()`)
 * @param clients how SDK clients are made
 * @param runtime logging, metrics, the caches' clock, and a stand-in deadline queue
 */
export function buildGuardDeps(
  config: GuardConfig,
  clients: GuardClients,
  runtime: GuardRuntime,
): GuardWiring {
  const { log } = runtime;
  const counter = new DynamoDbScopeStore(clients.dynamo(), config.tableName, config.maxWindowMs);
  const shared = {
    counter,
    streaks: counter,
    notifier: new SnsNotifier(clients.sns(), config.topicArn, config.chatTopicArn),
    scheduler: config.autoResume
      ? new EventBridgeResumeScheduler(clients.scheduler(), config.autoResume)
      : NO_RESUME_SCHEDULES,
    deadlines:
      runtime.deadlines ??
      (config.deadlineQueueUrl
        ? new SqsDeadlineQueue(clients.sqs(), config.deadlineQueueUrl)
        : NO_DELAYED_CHECKS),
    log,
    metrics: runtime.metrics,
  };
  // On-demand prices are the same for every account: one Price List reader for all of them.
  const onDemand = new PriceListOnDemand(
    (region) => clients.pricing({ region, ...PRICE_LOOKUP }),
    (message, error) => log.warn(message, { error: String(error) }),
  );
  const own: GuardDeps = { ...shared, ...accountAdapters(clients, runtime, onDemand, (o) => o) };
  if (config.organization === undefined) {
    return { home: own, forAccount: () => own, forEvent: () => own };
  }

  // Central organization mode: alerts name the account; every other account is read and acted
  // on through its member role, with adapters (and caches) of its own.
  const targets =
    config.organization.targets === undefined
      ? undefined
      : new OrganizationsTargets(clients.organizations(), config.organization.targets, runtime.now);
  const members = new MemberAccounts(
    clients.sts(),
    config.organization,
    runtime.now,
    targets === undefined ? undefined : (account) => targets.isTarget(account),
  );
  const home: GuardDeps = {
    ...own,
    notifier: new AccountNamingNotifier(
      own.notifier,
      new OrganizationsAccountNames(clients.organizations()),
      log,
      (account) => members.isMember(account),
    ),
  };
  const member = perAccount(
    (account): GuardDeps => ({
      ...home,
      ...accountAdapters(clients, runtime, onDemand, (o) => {
        const credentials = members.credentials(account);
        return credentials === undefined ? o : { ...o, credentials };
      }),
    }),
  );
  const forAccount = (account: string): GuardDeps => (members.isMember(account) ? member(account) : home);
  return { home, forAccount, forEvent: (raw) => routeEvent(raw, home, forAccount) };
}

/** The adapters that read or act in one account (the ones the member role's permissions serve). */
type AccountAdapters = Pick<
  GuardDeps,
  'suspender' | 'history' | 'ecs' | 'instances' | 'diagnoser' | 'images' | 'roles' | 'costs'
>;

/**
 * The adapters of one account. Each set has its own caches (the ECS cluster mapping, image
 * facts, prices: zone names, and so Spot prices, differ per account), so what one account's
 * lookups found never answers for another.
 *
 * @param inAccount adds the account's credentials to a client's options (none for the home account)
 */
function accountAdapters(
  clients: GuardClients,
  runtime: GuardRuntime,
  onDemand: PriceListOnDemand,
  inAccount: (options: ClientOptions) => ClientOptions,
): AccountAdapters {
  const { log } = runtime;
  const warn = (message: string, error?: unknown) => log.warn(message, { error: String(error) });
  const ec2 = (region: string) => clients.ec2(inAccount({ region }));
  const lookupEc2 = (region: string) => clients.ec2(inAccount({ region, ...LOOKUP }));
  // The memo of departures not found runs on the runtime's clock (the simulator's is simulated).
  const suspender = new AutoScalingSuspender(
    (region) => clients.autoScaling(inAccount({ region })),
    runtime.now,
  );
  return {
    suspender,
    history: suspender,
    ecs: new SdkEcsRegistry((region) => clients.ecs(inAccount({ region })), runtime.now),
    instances: new Ec2InstanceStates(ec2, warn),
    diagnoser: new ImageDiagnoser(new Ec2ImageInfo(ec2), log),
    images: new CachedImageInfo(new Ec2ImageInfo(lookupEc2)),
    roles: new InstanceRoleChecker(
      new Ec2LaunchTemplateReader(lookupEc2),
      new IamRoleReader(clients.iam(inAccount(LOOKUP))),
    ),
    costs: {
      facts: new Ec2BillingFacts((region) => clients.ec2(inAccount({ region, ...PRICE_LOOKUP })), warn),
      onDemand,
      cache: new PriceCache(),
    },
  };
}
