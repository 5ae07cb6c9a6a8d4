/**
 * The guard's dependencies for the simulator, built as `lambda/handler.ts` builds them: the REAL
 * adapters over SDK clients made without explicit endpoints, so that the
 * `AWS_ENDPOINT_URL_<SERVICE>` variables the harness sets route them to dynalite and the fake
 * cloud. Only logging and metrics are the harness's own, to read them back.
 *
 * When the guard gains an adapter (ECS lookups, a delay queue, …), wire it here as the handler
 * does; the harness needs no other change.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SNSClient } from '@aws-sdk/client-sns';
import { AutoScalingSuspender } from '../../lambda/adapters/asg-suspender';
import { type DeadlineQueue, MAX_DELAY_S } from '../../lambda/adapters/deadline-queue';
import { Ec2ImageInfo } from '../../lambda/adapters/ec2-diagnosis';
import { Ec2InstanceStates } from '../../lambda/adapters/ec2-instances';
import { SdkEcsRegistry } from '../../lambda/adapters/ecs-registry';
import { DynamoDbLaunchCounter } from '../../lambda/adapters/launch-counter';
import { SnsNotifier } from '../../lambda/adapters/notifier';
import type { GuardConfig } from '../../lambda/config';
import { runDeadlineChecks } from '../../lambda/deadline';
import { ImageDiagnoser } from '../../lambda/diagnoser';
import type { GuardDeps, GuardLog, GuardMetrics } from '../../lambda/guard';

/** What the harness hands to the wiring. */
export interface SimWiring {
  readonly log: GuardLog;
  readonly metrics: GuardMetrics;
  /** The simulated clock, for an adapter that needs one (the guard's core takes `now` as an argument). */
  readonly now: () => number;
  /**
   * Run `invoke` at simulated time `at` (epoch ms), after the world has advanced to it: the way
   * to simulate a delayed delivery (a queue with `DelaySeconds`, a scheduled check). `invoke`
   * gets the simulated time; a rejection counts as an invocation error, retried like an event.
   */
  readonly defer: (at: number, invoke: (now: number) => Promise<unknown>) => void;
}

/** Build the guard's dependencies the way the handler does (auto-resume off: no scheduler). */
export function buildGuardDeps(config: GuardConfig, wiring: SimWiring): GuardDeps {
  const counter = new DynamoDbLaunchCounter(new DynamoDBClient({}), config.tableName, config.maxWindowMs);
  // The memo of departures not found runs on the simulated clock, as on the real one in Lambda.
  const suspender = new AutoScalingSuspender((region) => new AutoScalingClient({ region }), wiring.now);
  // The deadline queue: SQS delays a message, then Lambda delivers it in a batch. Here the
  // harness runs the same consumer at the simulated time the message becomes visible.
  const deadlines: DeadlineQueue = {
    schedule: async (check, delaySeconds) => {
      const body = JSON.stringify(check);
      const at = wiring.now() + Math.min(MAX_DELAY_S, Math.max(0, Math.ceil(delaySeconds))) * 1000;
      wiring.defer(at, async (now) => {
        const result = await runDeadlineChecks(
          [{ messageId: `m-${at}`, body, eventSource: 'aws:sqs' }],
          deps,
          config,
          now,
        );
        if (result.batchItemFailures.length > 0)
          throw new Error('deadline check failed: SQS delivers it again');
      });
    },
  };
  const deps: GuardDeps = {
    counter,
    streaks: counter,
    suspender,
    history: suspender,
    // The ECS mapping cache runs on the simulated clock, as it runs on the real one in Lambda.
    ecs: new SdkEcsRegistry((region) => new ECSClient({ region }), wiring.now),
    instances: new Ec2InstanceStates((region) => new EC2Client({ region })),
    deadlines,
    notifier: new SnsNotifier(new SNSClient({}), config.topicArn, config.chatTopicArn),
    diagnoser: new ImageDiagnoser(new Ec2ImageInfo((region) => new EC2Client({ region })), wiring.log),
    log: wiring.log,
    metrics: wiring.metrics,
  };
  return deps;
}
