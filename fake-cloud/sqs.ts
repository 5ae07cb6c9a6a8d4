/**
 * SQS: the guard's deadline queue, answered in SQS's JSON protocol
 * (`X-Amz-Target: AmazonSQS.<Operation>`, AWS JSON 1.0), and delivered to the function as
 * Lambda's event source mapping would: messages become visible after their `DelaySeconds`, and
 * visible ones go out in batches of up to 10, gathered over a 10-second batching window (the
 * construct's `SqsEventSource` settings). A message the function reports as failed comes back
 * after the queue's visibility timeout. `SendMessage` is the service's one operation; the delivery
 * ({@link nextBatch}, {@link settle}) is the demo's to drive (`demo/run-demo.ts`).
 *
 * A service of the demo's state only (`services.ts`): the simulator delivers its deadline checks
 * itself (`bench/sim/guard-deps.ts`).
 */
import { createHash } from 'node:crypto';
import { ApiError, type Json, type JsonService, type Operation, type WireState } from './wire';

/** The JSON target prefix of SQS. */
export const SQS_TARGET = 'AmazonSQS.';

/** What the construct sets on the deadline queue's event source and the queue. */
export const DEADLINE_DELIVERY = {
  batchSize: 10,
  batchingWindowMs: 10_000,
  visibilityTimeoutMs: 360_000,
} as const;

/** One message in the queue. */
export interface FakeMessage {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  /** When it becomes visible: sent plus its delay, or back after a failed delivery. */
  visibleAt: number;
  receiveCount: number;
}

/** The demo's deadline queue. */
export interface FakeQueue {
  readonly url: string;
  readonly arn: string;
  readonly messages: FakeMessage[];
}

/** A state SQS can answer from: its queues by URL. */
export interface SqsState extends WireState {
  readonly queues: ReadonlyMap<string, FakeQueue>;
}

/** An empty queue named `name` at `endpoint`. */
export function fakeQueue(endpoint: string, account: string, region: string, name: string): FakeQueue {
  return {
    url: `${endpoint}/${account}/${name}`,
    arn: `arn:aws:sqs:${region}:${account}:${name}`,
    messages: [],
  };
}

type SqsOperation = Operation<SqsState, Json, Json>;

/** SQS's operations by name. */
export const SQS_OPERATIONS: Readonly<Record<string, SqsOperation>> = {
  SendMessage: ({ state }, body) => {
    const queue = state.queues.get(String(body['QueueUrl'] ?? ''));
    if (queue === undefined) throw new ApiError('QueueDoesNotExist', 'The specified queue does not exist.');
    const text = String(body['MessageBody'] ?? '');
    const delayS = Number(body['DelaySeconds'] ?? 0);
    if (!Number.isInteger(delayS) || delayS < 0 || delayS > 900)
      throw new ApiError('InvalidParameterValue', `DelaySeconds must be 0 to 900, got ${delayS}`);
    // The state's clock; the demo's keeps none and runs the function with `Date.now` set to the
    // simulated time.
    const now = state.now() ?? Date.now();
    // A message id in SQS's UUID form, the same every run (the demo's alert names the message
    // that tripped, and its picture must not change from one run to the next).
    const h = createHash('md5').update(`${queue.arn}#${queue.messages.length}#${text}`).digest('hex');
    const messageId = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
    queue.messages.push({
      messageId,
      body: text,
      sentAt: now,
      visibleAt: now + delayS * 1000,
      receiveCount: 0,
    });
    // The SDK checks this digest of the body it sent.
    const md5 = createHash('md5').update(text).digest('hex');
    return { MessageId: messageId, MD5OfMessageBody: md5 };
  },
};

/** SQS as a service of the fake cloud (AWS JSON 1.0). */
export const SQS: JsonService<SqsState> = {
  protocol: 'json',
  service: 'sqs',
  target: SQS_TARGET,
  contentType: 'application/x-amz-json-1.0',
  unknownCode: 'InvalidAction',
  operations: SQS_OPERATIONS,
};

/** One batch as Lambda hands it to the function. */
export interface DeliveredBatch {
  /** When Lambda invokes the function with it. */
  readonly at: number;
  readonly messages: readonly FakeMessage[];
  /** The event: `{ Records: [...] }` with `eventSource: 'aws:sqs'`. */
  readonly event: { readonly Records: readonly Record<string, unknown>[] };
}

/**
 * The next batch Lambda would deliver no later than `until`, or undefined: the earliest visible
 * message opens a batching window; the batch closes when it holds 10 messages or the window ends.
 * The batch's messages are in flight until {@link settle}.
 */
export function nextBatch(queue: FakeQueue, until: number): DeliveredBatch | undefined {
  const waiting = queue.messages
    .filter((m) => m.visibleAt <= until)
    .sort((a, b) => a.visibleAt - b.visibleAt);
  const first = waiting[0];
  if (first === undefined) return undefined;
  const windowEnd = first.visibleAt + DEADLINE_DELIVERY.batchingWindowMs;
  const inWindow = queue.messages
    .filter((m) => m.visibleAt <= windowEnd)
    .sort((a, b) => a.visibleAt - b.visibleAt)
    .slice(0, DEADLINE_DELIVERY.batchSize);
  const at = inWindow.length === DEADLINE_DELIVERY.batchSize ? inWindow.at(-1)!.visibleAt : windowEnd;
  if (at > until) return undefined;
  for (const m of inWindow) {
    m.receiveCount += 1;
    m.visibleAt = Number.POSITIVE_INFINITY;
  }
  const records = inWindow.map((m) => ({
    messageId: m.messageId,
    receiptHandle: `demo-${m.messageId}-${m.receiveCount}`,
    body: m.body,
    attributes: {
      ApproximateReceiveCount: String(m.receiveCount),
      SentTimestamp: String(m.sentAt),
      ApproximateFirstReceiveTimestamp: String(at),
    },
    messageAttributes: {},
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: queue.arn.split(':')[3],
  }));
  return { at, messages: inWindow, event: { Records: records } };
}

/**
 * After the function returned: delete the batch's messages except those it reported as failed
 * (`batchItemFailures`), which come back after the visibility timeout; all of them when it threw.
 */
export function settle(queue: FakeQueue, batch: DeliveredBatch, failedIds: readonly string[] | 'all'): void {
  for (const m of batch.messages) {
    const failed = failedIds === 'all' || failedIds.includes(m.messageId);
    if (failed) m.visibleAt = batch.at + DEADLINE_DELIVERY.visibilityTimeoutMs;
    else queue.messages.splice(queue.messages.indexOf(m), 1);
  }
}
