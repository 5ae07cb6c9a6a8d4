/**
 * The function's entry: wiring only. Configuration is read once at cold start, so a broken
 * deployment fails at once rather than during a launch storm. SDK clients use the default
 * configuration, so `AWS_ENDPOINT_URL_<SERVICE>` can point them elsewhere (the demo does).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { loadConfig } from '../config';
import { METRIC_NAMESPACE } from '../core/metric-names';
import { eventIdOf, type GuardResult, run } from '../steps/count';
import { type BatchResult, isQueueBatch, runDeadlineChecks } from '../steps/delayed-check';
import { buildGuardDeps, sdkClients } from '../wiring';

const config = loadConfig();
const logger = new Logger({ serviceName: 'launch-loop-guard' });
const metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: 'launch-loop-guard' });
const wiring = buildGuardDeps(config, sdkClients(), {
  log: logger,
  metrics: {
    count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value),
    amount: (name, value) => metrics.addMetric(name, MetricUnit.NoUnit, value),
  },
  now: Date.now,
});

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
      return await runDeadlineChecks(event.Records, wiring, config, Date.now());
    } finally {
      metrics.publishStoredMetrics();
    }
  }
  logger.appendKeys({ eventId: eventIdOf(event) });
  try {
    return await run(event, wiring.forEvent(event), config, Date.now(), context?.awsRequestId);
  } catch (error) {
    logger.error('event failed: Lambda will retry it', error as Error);
    throw error;
  } finally {
    metrics.publishStoredMetrics();
    logger.resetKeys();
  }
};
