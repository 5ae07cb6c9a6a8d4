/**
 * The guard's dependencies for the simulator, from the function's own wiring
 * (`lambda/wiring.ts`): the REAL adapters over SDK clients made without explicit endpoints, so
 * that the `AWS_ENDPOINT_URL_<SERVICE>` variables the harness sets route them to dynalite and the
 * fake cloud. Only logging, metrics, the clock and the deadline queue's delivery are the
 * harness's own.
 */
import { MAX_DELAY_S } from '../../lambda/adapters/deadline-queue';
import type { GuardConfig } from '../../lambda/config';
import type { DeadlineQueue, GuardDeps, GuardLog, GuardMetrics } from '../../lambda/ports';
import { runDeadlineChecks } from '../../lambda/steps/delayed-check';
import { sdkClients, buildGuardDeps as wire } from '../../lambda/wiring';

/** What the harness hands to the wiring. */
export interface SimWiring {
  readonly log: GuardLog;
  /** The harness's counters (an amount, `EstimatedLoopCost`, is counted as its value). */
  readonly metrics: Pick<GuardMetrics, 'count'>;
  /** The simulated clock, for an adapter that needs one (the guard's core takes `now` as an argument). */
  readonly now: () => number;
  /**
   * Run `invoke` at simulated time `at` (epoch ms), after the world has advanced to it: the way
   * to simulate a delayed delivery (a queue with `DelaySeconds`, a scheduled check). `invoke`
   * gets the simulated time; a rejection counts as an invocation error, retried like an event.
   */
  readonly defer: (at: number, invoke: (now: number) => Promise<unknown>) => void;
}

/**
 * The delayed checks' queue the simulated guard is configured with (`LLG_DEADLINE_QUEUE_URL`):
 * delayed checks are on, as the construct deploys them; the harness delivers them itself.
 */
export const SIM_DEADLINE_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/000000000000/simulated-deadlines';

/** Build the guard's dependencies with the handler's wiring (auto-resume off: no scheduler). */
export function buildGuardDeps(config: GuardConfig, sim: SimWiring): GuardDeps {
  // The deadline queue: SQS delays a message, then Lambda delivers it in a batch. Here the
  // harness runs the same consumer at the simulated time the message becomes visible.
  const deadlines: DeadlineQueue = {
    schedule: async (check, delaySeconds) => {
      const body = JSON.stringify(check);
      const at = sim.now() + Math.min(MAX_DELAY_S, Math.max(0, Math.ceil(delaySeconds))) * 1000;
      sim.defer(at, async (now) => {
        const result = await runDeadlineChecks(
          [{ messageId: `m-${at}`, body, eventSource: 'aws:sqs' }],
          wiring,
          config,
          now,
        );
        if (result.batchItemFailures.length > 0)
          throw new Error('deadline check failed: SQS delivers it again');
      });
    },
  };
  // The ECS mapping cache runs on the simulated clock, as it runs on the real one in Lambda.
  const metrics = {
    count: sim.metrics.count,
    amount: (name: string, value: number) => sim.metrics.count(name, value),
  };
  const wiring = wire(config, sdkClients(), { log: sim.log, metrics, now: sim.now, deadlines });
  return wiring.home;
}
