/**
 * The fake cloud's SQS (the demo's deadline queue), reached by the guard's own adapter over the
 * SDK's JSON 1.0 protocol, and delivered as Lambda's event source mapping would: after each
 * message's delay, in batches of up to 10 over a 10-second window, failed items back after the
 * visibility timeout.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEADLINE_DELIVERY, nextBatch, settle } from '../../fake-cloud/sqs';
import { type FakeAws, startFakeAws } from '../../fake-cloud/static-state';
import { parseDeadlineCheck, SqsDeadlineQueue } from '../../lambda/adapters/deadline-queue';
import { CounterStoreError } from '../../lambda/core/errors';
import { fakeClientConfig } from './client-config';

const REGION = 'eu-west-1';

let fake: FakeAws;
let client: SQSClient;

function check(n: number) {
  return {
    account: '123456789012',
    region: REGION,
    group: 'g',
    launches: [{ instanceId: `i-${n.toString(16).padStart(17, '0')}`, launchedAt: n }],
  };
}

beforeAll(async () => {
  fake = await startFakeAws();
  client = new SQSClient(fakeClientConfig(fake.endpoint, REGION));
});

beforeEach(() => {
  fake.sqs.messages.length = 0;
});

afterAll(async () => {
  client?.destroy();
  await fake?.close();
});

describe('fake SQS (JSON 1.0)', () => {
  it('keeps what SendMessage sent, visible after its delay (the SDK checks the MD5 it answers)', async () => {
    // Act
    await new SqsDeadlineQueue(client, fake.sqs.url).schedule(check(1), 540);
    // Assess
    const [m] = fake.sqs.messages;
    expect(parseDeadlineCheck(m!.body)).toEqual(check(1));
    expect(m!.visibleAt - m!.sentAt).toBe(540_000);
    expect(fake.calls.at(-1)).toMatchObject({ service: 'sqs', action: 'SendMessage' });
    expect(fake.calls.at(-1)?.params['DelaySeconds']).toBe('540');
  });

  it('answers QueueDoesNotExist for another URL; the adapter reports it as a store error', async () => {
    // Act
    const sent = new SqsDeadlineQueue(client, `${fake.endpoint}/123456789012/other`).schedule(check(2), 1);
    // Assess
    await expect(sent).rejects.toBeInstanceOf(CounterStoreError);
    expect(fake.calls.at(-1)).toMatchObject({ service: 'sqs', error: 'QueueDoesNotExist' });
    expect(fake.sqs.messages).toHaveLength(0);
  });

  it('refuses a delay over 900 s (InvalidParameterValue) and keeps nothing', async () => {
    // Act
    const sent = client.send(
      new SendMessageCommand({
        QueueUrl: fake.sqs.url,
        MessageBody: 'x',
        DelaySeconds: 901,
      }),
    );
    // Assess
    await expect(sent).rejects.toMatchObject({ name: 'InvalidParameterValue' });
    expect(fake.sqs.messages).toHaveLength(0);
  });
});

describe("the deadline queue's delivery (Lambda's event source mapping)", () => {
  it('delivers nothing before the delay, then batches of at most 10 gathered over the window', async () => {
    // Prepare: 12 checks sent now with a 60 s delay
    const queue = new SqsDeadlineQueue(client, fake.sqs.url);
    for (let n = 0; n < 12; n += 1) await queue.schedule(check(n), 60);
    const visible = Math.max(...fake.sqs.messages.map((m) => m.visibleAt));
    const first = Math.min(...fake.sqs.messages.map((m) => m.visibleAt));
    // Act / Assess
    expect(nextBatch(fake.sqs, first - 1)).toBeUndefined();
    const a = nextBatch(fake.sqs, visible + DEADLINE_DELIVERY.batchingWindowMs);
    expect(a?.messages).toHaveLength(10);
    expect(a!.at).toBeGreaterThanOrEqual(first);
    expect(a!.event.Records[0]).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:launch-loop-guard-deadlines',
    });
    settle(fake.sqs, a!, []);
    expect(fake.sqs.messages).toHaveLength(2);
    // The next window opens when the earliest of the two left becomes visible.
    const opens = Math.min(...fake.sqs.messages.map((m) => m.visibleAt));
    const b = nextBatch(fake.sqs, visible + DEADLINE_DELIVERY.batchingWindowMs);
    expect(b?.messages).toHaveLength(2);
    expect(b!.at).toBe(opens + DEADLINE_DELIVERY.batchingWindowMs);
  });

  it('brings a failed item back after the visibility timeout and deletes the rest', async () => {
    // Prepare
    const queue = new SqsDeadlineQueue(client, fake.sqs.url);
    await queue.schedule(check(1), 0);
    await queue.schedule(check(2), 0);
    const until = Math.max(...fake.sqs.messages.map((m) => m.visibleAt)) + DEADLINE_DELIVERY.batchingWindowMs;
    const batch = nextBatch(fake.sqs, until)!;
    const failed = batch.messages[1]!.messageId;
    // Act
    settle(fake.sqs, batch, [failed]);
    // Assess
    expect(fake.sqs.messages.map((m) => m.messageId)).toEqual([failed]);
    expect(nextBatch(fake.sqs, batch.at + DEADLINE_DELIVERY.visibilityTimeoutMs - 1)).toBeUndefined();
    const again = nextBatch(
      fake.sqs,
      batch.at + DEADLINE_DELIVERY.visibilityTimeoutMs + DEADLINE_DELIVERY.batchingWindowMs,
    );
    expect(again?.messages.map((m) => m.messageId)).toEqual([failed]);
    expect(again?.event.Records[0]?.['attributes']).toMatchObject({ ApproximateReceiveCount: '2' });
  });
});
