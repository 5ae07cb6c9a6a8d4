/**
 * The function's entry: wiring only. Configuration is read once at cold start, so a broken
 * deployment fails at once rather than during a launch storm. SDK clients use the default
 * configuration, so `AWS_ENDPOINT_URL_<SERVICE>` can point them elsewhere (the demo does).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
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
import type { Context } from 'aws-lambda';
import { OrganizationsAccountNames } from './adapters/account-names';
import { AutoScalingSuspender } from './adapters/asg-suspender';
import { SqsDeadlineQueue } from './adapters/deadline-queue';
import { Ec2BillingFacts } from './adapters/ec2-billing';
import { Ec2ImageInfo } from './adapters/ec2-diagnosis';
import { Ec2InstanceStates } from './adapters/ec2-instances';
import { SdkEcsRegistry } from './adapters/ecs-registry';
import { IamRoleReader } from './adapters/iam-role';
import { DynamoDbLaunchCounter } from './adapters/launch-counter';
import { Ec2LaunchTemplateReader } from './adapters/launch-template';
import { MemberAccounts } from './adapters/member-credentials';
import { SnsNotifier } from './adapters/notifier';
import { PriceListOnDemand } from './adapters/price-list';
import { EventBridgeResumeScheduler } from './adapters/scheduler';
import { CachedImageInfo } from './ami-change-step';
import { loadConfig } from './config';
import { METRIC_NAMESPACE } from './core/metric-names';
import { type BatchResult, isQueueBatch, runDeadlineChecks } from './deadline';
import { ImageDiagnoser } from './diagnoser';
import { eventIdOf, type GuardDeps, type GuardResult, run } from './guard';
import { PriceCache } from './loop-cost-step';
import { AccountNamingNotifier, depsForEvent, memberDeps, type OrganizationDeps } from './organization';
import { InstanceRoleChecker } from './role-checker';

const config = loadConfig();
const logger = new Logger({ serviceName: 'launch-loop-guard' });
const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: 'launch-loop-guard' });
const counter = new DynamoDbLaunchCounter(new DynamoDBClient({}), config.tableName, config.maxWindowMs);
// The AMI-change lookups are best effort: short timeouts and one retry, so they end well inside the invocation.
const lookup = { maxAttempts: 2, requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 } };
const lookupEc2 = (region: string) => new EC2Client({ region, ...lookup });

// Prices for the alert's cost line: two short attempts, and the trip path waits for them at most COST_WAIT_MS.
const priceLookup = { maxAttempts: 2, requestHandler: { connectionTimeout: 500, requestTimeout: 800 } };
const warnOf = (message: string, error?: unknown) => logger.warn(message, { error: String(error) });

const suspender = new AutoScalingSuspender((region) => new AutoScalingClient({ region }));

const deps: GuardDeps = {
  counter,
  streaks: counter,
  suspender,
  history: suspender,
  ecs: new SdkEcsRegistry((region) => new ECSClient({ region })),
  instances: new Ec2InstanceStates(
    (region) => new EC2Client({ region }),
    (message, error) => logger.warn(message, { error: String(error) }),
  ),
  notifier: new SnsNotifier(new SNSClient({}), config.topicArn, config.chatTopicArn),
  diagnoser: new ImageDiagnoser(new Ec2ImageInfo((region) => new EC2Client({ region })), logger),
  images: new CachedImageInfo(new Ec2ImageInfo(lookupEc2)),
  roles: new InstanceRoleChecker(
    new Ec2LaunchTemplateReader(lookupEc2),
    new IamRoleReader(new IAMClient(lookup)),
  ),
  ...(config.autoResume
    ? { scheduler: new EventBridgeResumeScheduler(new SchedulerClient({}), config.autoResume) }
    : {}),
  ...(config.deadlineQueueUrl
    ? { deadlines: new SqsDeadlineQueue(new SQSClient({}), config.deadlineQueueUrl) }
    : {}),
  costs: {
    facts: new Ec2BillingFacts((region) => new EC2Client({ region, ...priceLookup }), warnOf),
    onDemand: new PriceListOnDemand((region) => new PricingClient({ region, ...priceLookup }), warnOf),
    cache: new PriceCache(),
  },
  log: logger,
  metrics: {
    count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
    amount: (name, value) => metrics.addMetric(name, MetricUnit.NoUnit, value),
  },
};

// Central organization mode: each member account through its member role, alerts name the account.
const members = config.organization && new MemberAccounts(new STSClient({}), config.organization);
const org: OrganizationDeps | undefined =
  members &&
  memberDeps(members, logger, {
    autoScaling: (options) => new AutoScalingClient(options),
    ec2: (options) => new EC2Client(options),
  });
const baseDeps: GuardDeps = org
  ? {
      ...deps,
      notifier: new AccountNamingNotifier(
        deps.notifier,
        new OrganizationsAccountNames(new OrganizationsClient({})),
        logger,
        (account) => members?.isMember(account) ?? false,
      ),
    }
  : deps;

/**
 * EventBridge invokes this for every launch event. The request id owns the trips it takes: Lambda
 * retries a failed asynchronous invocation under the same request id, and a second delivery of the
 * event is a new invocation (https://repost.aws/knowledge-center/lambda-function-duplicate-invocations).
 */
export const handler = async (
  event: unknown,
  context?: Pick<Context, 'awsRequestId'>,
): Promise<GuardResult | BatchResult> => {
  // The delayed checks of launches at their deadline arrive from the guard's own queue.
  if (isQueueBatch(event)) {
    try {
      return await runDeadlineChecks(event.Records, deps, config, Date.now());
    } finally {
      metrics.publishStoredMetrics();
    }
  }
  logger.appendKeys({ eventId: eventIdOf(event) });
  try {
    const eventDeps = org ? depsForEvent(event, baseDeps, org) : deps;
    return await run(event, eventDeps, config, Date.now(), context?.awsRequestId);
  } catch (error) {
    logger.error('event failed: Lambda will retry it', error as Error);
    throw error;
  } finally {
    metrics.publishStoredMetrics();
    logger.resetKeys();
  }
};
