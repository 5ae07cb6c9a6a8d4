/** The guard's alarms: its functions failing or throttled, its queues filling, the guard blind or idle. */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { METRIC, METRIC_NAMESPACE } from '../lambda/core/metric-names';
import type { ResolvedSettings } from './props';

/** Powertools service name: the `service` dimension of the guard's metrics. */
export const SERVICE_NAME = 'launch-loop-guard';

/** What the alarms watch, and the topics they alert. */
export interface GuardAlarmSources {
  readonly topics: readonly sns.ITopic[];
  readonly handler: lambda.IFunction;
  readonly deadLetterQueue: sqs.IQueue;
  readonly failureQueue: sqs.IQueue;
  readonly webhookNotifier?: lambda.IFunction | undefined;
}

/** One alarm per way the guard can fail or go quiet, each alerting every topic. */
export function newGuardAlarms(
  scope: Construct,
  watched: GuardAlarmSources,
  settings: ResolvedSettings,
): cloudwatch.Alarm[] {
  const topics = watched.topics;
  const period = Duration.minutes(5);
  const alarms: cloudwatch.Alarm[] = [];
  const add = (id: string, description: string, metric: cloudwatch.IMetric, extra = {}) => {
    const alarm = new cloudwatch.Alarm(scope, id, {
      alarmDescription: `launch-loop-guard: ${description}`,
      metric,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...extra,
    });
    for (const t of topics) alarm.addAlarmAction(new cwActions.SnsAction(t));
    alarms.push(alarm);
  };
  const failures: readonly [id: string, description: string, metric: cloudwatch.IMetric][] = [
    [
      'GuardErrorsAlarm',
      'the guard function failed; Lambda retries twice, then the event goes to the failure queue',
      watched.handler.metricErrors({ period, statistic: 'Sum' }),
    ],
    [
      'GuardThrottlesAlarm',
      'the guard function was throttled: launches are being handled late',
      watched.handler.metricThrottles({ period, statistic: 'Sum' }),
    ],
    [
      'DeadLetterQueueAlarm',
      'EventBridge could not deliver events to the guard (see the dead-letter queue)',
      watched.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
    ],
    [
      'FailureQueueAlarm',
      'launch events the guard function could not handle (see the failure queue)',
      watched.failureQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
    ],
  ];
  for (const [id, description, metric] of failures) add(id, description, metric);
  add(
    'GuardBlindAlarm',
    'the guard cannot do its job (access denied, its table or key missing or disabled): launches are not being counted; fix the permissions, then replay the failure queue',
    new cloudwatch.Metric({
      namespace: METRIC_NAMESPACE,
      metricName: METRIC.guardBlind,
      dimensionsMap: { service: SERVICE_NAME },
      // One-minute periods: the alert reaches the topic within 5 minutes of the first blind event.
      period: Duration.minutes(1),
      statistic: 'Sum',
    }),
  );
  if (watched.webhookNotifier !== undefined) {
    add(
      'SlackWebhookErrorsAlarm',
      'the Slack webhook notifier failed to post an alert',
      watched.webhookNotifier.metricErrors({ period, statistic: 'Sum' }),
    );
  }
  if (settings.noLaunchEventsAlarmHours !== undefined) {
    const hours = settings.noLaunchEventsAlarmHours;
    add(
      'NoLaunchEventsAlarm',
      `no launch event handled for ${hours} h: is a trail still logging management events?`,
      new cloudwatch.Metric({
        namespace: METRIC_NAMESPACE,
        metricName: METRIC.launchEvents,
        dimensionsMap: { service: SERVICE_NAME },
        period: Duration.hours(1),
        statistic: 'Sum',
      }),
      {
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: hours,
        datapointsToAlarm: hours,
        // No data is exactly what a blind guard looks like.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      },
    );
  }
  return alarms;
}
