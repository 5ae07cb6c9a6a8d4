import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebhookServer } from '../../../fake-cloud/support/webhook-server';
import { DEFAULT_RETRY, postToWebhook, retryDelayMs } from '../../../lambda/adapters/slack-post';
import { NotifyError } from '../../../lambda/core/errors';

const server = new WebhookServer();
let sleeps: number[] = [];
const recordSleep = async (ms: number) => {
  sleeps.push(ms);
};
const message = { text: 'hello', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*hello*' } }] };

beforeAll(() => server.start());
afterAll(() => server.stop());
beforeEach(() => {
  server.reset();
  sleeps = [];
});

describe('postToWebhook', () => {
  it('POSTs the JSON body once when the webhook answers 200', async () => {
    // Act
    const result = await postToWebhook(server.url, message, DEFAULT_RETRY, recordSleep);

    // Assess
    expect(result).toEqual({ attempts: 1, status: 200 });
    expect(server.received).toHaveLength(1);
    expect(server.received[0]?.method).toBe('POST');
    expect(server.received[0]?.path).toBe('/services/T000/B000/XXXX');
    expect(server.received[0]?.headers['content-type']).toMatch(/^application\/json/);
    expect(server.bodies()).toEqual([message]);
    expect(sleeps).toEqual([]);
  });

  it('waits as long as Retry-After asks after a 429, then posts the same body again', async () => {
    // Prepare
    server.script({ status: 429, headers: { 'retry-after': '3' }, body: 'rate_limited' });

    // Act
    const result = await postToWebhook(server.url, message, DEFAULT_RETRY, recordSleep);

    // Assess
    expect(result).toEqual({ attempts: 2, status: 200 });
    expect(sleeps).toEqual([3000]);
    expect(server.bodies()).toEqual([message, message]);
  });

  it('caps a long Retry-After at the policy maximum', async () => {
    // Prepare
    server.script({ status: 429, headers: { 'retry-after': '3600' } });

    // Act
    await postToWebhook(server.url, message, DEFAULT_RETRY, recordSleep);

    // Assess
    expect(sleeps).toEqual([DEFAULT_RETRY.maxDelayMs]);
  });

  it('backs off exponentially on 5xx and succeeds on the third attempt', async () => {
    // Prepare
    server.script({ status: 500, body: 'internal' }, { status: 503, body: 'unavailable' });

    // Act
    const result = await postToWebhook(server.url, message, DEFAULT_RETRY, recordSleep);

    // Assess
    expect(result).toEqual({ attempts: 3, status: 200 });
    expect(sleeps).toEqual([1000, 2000]);
    expect(server.received).toHaveLength(3);
  });

  it('gives up after maxAttempts with a NotifyError carrying the last failure', async () => {
    // Prepare
    server.script({ status: 502 }, { status: 502 }, { status: 502 }, { status: 502 }, { status: 502 });

    // Act
    const error = await postToWebhook(server.url, message, DEFAULT_RETRY, recordSleep).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(error).toBeInstanceOf(NotifyError);
    expect((error as NotifyError).message).toBe('Slack webhook failed after 4 attempts');
    expect(String((error as NotifyError).cause)).toContain('HTTP 502');
    expect(server.received).toHaveLength(4);
    expect(sleeps).toEqual([1000, 2000, 4000]);
  });

  it('does not retry a message Slack rejects (4xx other than 429)', async () => {
    // Prepare
    server.script({ status: 400, body: 'invalid_blocks' });

    // Act
    const error = await postToWebhook(server.url, message, DEFAULT_RETRY, recordSleep).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(error).toBeInstanceOf(NotifyError);
    expect((error as Error).message).toContain('invalid_blocks');
    expect(server.received).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('retries when the connection is refused, then fails', async () => {
    // Prepare: a port nobody listens on any more
    const gone = new WebhookServer();
    await gone.start();
    await gone.stop();

    // Act
    const error = await postToWebhook(
      gone.url,
      message,
      { ...DEFAULT_RETRY, maxAttempts: 2 },
      recordSleep,
    ).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(NotifyError);
    expect(sleeps).toEqual([1000]);
  });
});

describe('retryDelayMs', () => {
  it.each([
    { attempt: 1, retryAfter: null, expected: 1000 },
    { attempt: 2, retryAfter: null, expected: 2000 },
    { attempt: 3, retryAfter: null, expected: 4000 },
    { attempt: 5, retryAfter: null, expected: 10_000 },
    { attempt: 1, retryAfter: '0', expected: 0 },
    { attempt: 1, retryAfter: ' 7 ', expected: 7000 },
    { attempt: 2, retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT', expected: 2000 },
    { attempt: 1, retryAfter: '-3', expected: 1000 },
  ])(
    'waits $expected ms before attempt $attempt + 1 (Retry-After $retryAfter)',
    ({ attempt, retryAfter, expected }) => {
      expect(retryDelayMs(attempt, retryAfter, DEFAULT_RETRY)).toBe(expected);
    },
  );
});
