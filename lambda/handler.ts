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
import { IAMClient } from '@aws-sdk/client-iam';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SNSClient } from '@aws-sdk/client-sns';
import { AutoScalingSuspender } from './adapters/asg-suspender';
import { Ec2ImageInfo } from './adapters/ec2-diagnosis';
import { IamRoleReader } from './adapters/iam-role';
import { DynamoDbLaunchCounter } from './adapters/launch-counter';
import { Ec2LaunchTemplateReader } from './adapters/launch-template';
import { SnsNotifier } from './adapters/notifier';
import { EventBridgeResumeScheduler } from './adapters/scheduler';
import { CachedImageInfo } from './ami-change-step';
import { loadConfig } from './config';
import { METRIC_NAMESPACE } from './core/metric-names';
import { ImageDiagnoser } from './diagnoser';
import { eventIdOf, type GuardDeps, type GuardResult, run } from './guard';
import { InstanceRoleChecker } from './role-checker';

const config = loadConfig();
const logger = new Logger({ serviceName: 'launch-loop-guard' });
const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: 'launch-loop-guard' });
const counter = new DynamoDbLaunchCounter(new DynamoDBClient({}), config.tableName, config.maxWindowMs);
// The AMI-change lookups are best effort: short timeouts and one retry, so they end well inside the invocation.
const lookup = { maxAttempts: 2, requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 } };
const lookupEc2 = (region: string) => new EC2Client({ region, ...lookup });

const deps: GuardDeps = {
  counter,
  streaks: counter,
  suspender: new AutoScalingSuspender((region) => new AutoScalingClient({ region })),
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
  log: logger,
  metrics: { count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value) },
};

/** EventBridge invokes this for every launch event. */
export const handler = async (event: unknown): Promise<GuardResult> => {
  logger.appendKeys({ eventId: eventIdOf(event) });
  try {
    return await run(event, deps, config, Date.now());
  } catch (error) {
    logger.error('event failed: Lambda will retry it', error as Error);
    throw error;
  } finally {
    metrics.publishStoredMetrics();
    logger.resetKeys();
  }
};
