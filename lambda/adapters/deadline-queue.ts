/**
 * SQS adapter: a delayed check of a group's launches at their deadline. A launch is judged by
 * what its instance looks like when its deadline passes (`core/fate.ts`); a loop whose
 * instances are scaled in a few minutes later (an ECS capacity provider cycling every 15
 * minutes) leaves no later launch event in between. So every group launch schedules one
 * message, delayed to its deadline (SQS delays up to 15 minutes, `DelaySeconds` ≤ 900), and the
 * guard function receives the messages in batches.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { CounterStoreError } from '../core/errors';
import type { DeadlineCheck, DeadlineQueue } from '../ports';
import { awsCause } from './aws-error';

/** The IAM actions the guard function calls through this adapter (the queue's own consumer permissions come with its event source). */
export const PERMISSIONS = ['sqs:SendMessage'] as const;

/** The longest delay SQS takes (API reference, SendMessage `DelaySeconds`: 0 to 900). */
export const MAX_DELAY_S = 900;

/** {@link DeadlineQueue} over SQS. */
export class SqsDeadlineQueue implements DeadlineQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /**
   * @throws CounterStoreError classed by `aws-error.ts`: transient (Lambda retries the launch
   * event; its count is idempotent), or blind (the queue is gone or denied: `GuardBlind`).
   */
  async schedule(check: DeadlineCheck, delaySeconds: number): Promise<void> {
    try {
      await this.client.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          MessageBody: JSON.stringify(check),
          DelaySeconds: Math.max(0, Math.min(MAX_DELAY_S, Math.ceil(delaySeconds))),
        }),
      );
    } catch (error) {
      throw new CounterStoreError(`scheduling the deadline check of ${check.group} failed`, awsCause(error));
    }
  }
}

/** Read a check back from a message body, or undefined when it is not one. */
export function parseDeadlineCheck(body: string): DeadlineCheck | undefined {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return undefined;
  }
  const c = v as Partial<DeadlineCheck> | null;
  const ok =
    c !== null &&
    typeof c === 'object' &&
    typeof c.account === 'string' &&
    typeof c.region === 'string' &&
    typeof c.group === 'string' &&
    Array.isArray(c.launches) &&
    c.launches.every(
      (l) =>
        typeof l?.instanceId === 'string' &&
        typeof l.launchedAt === 'number' &&
        Number.isFinite(l.launchedAt),
    );
  return ok ? (c as DeadlineCheck) : undefined;
}
