/**
 * Posting a message to a Slack incoming webhook, with bounded retries on 429 and 5xx.
 */
import { NotifyError } from '../core/errors';

/** How hard to try. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Wait before the second attempt; doubles after each further failure. */
  readonly baseDelayMs: number;
  /** No single wait is longer, whatever `Retry-After` asks for. */
  readonly maxDelayMs: number;
}

/** Four attempts over at most about 1 + 2 + 4 s (or what `Retry-After` asks, up to 10 s each). */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 10_000 };

/** What a post took. */
export interface PostResult {
  readonly attempts: number;
  readonly status: number;
}

export type Sleep = (ms: number) => Promise<void>;

const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The wait before the next attempt: `Retry-After` (seconds) when the server sent one, else
 * exponential backoff; never more than `maxDelayMs`.
 */
export function retryDelayMs(attempt: number, retryAfter: string | null, policy: RetryPolicy): number {
  const seconds = retryAfter === null ? Number.NaN : Number(retryAfter.trim());
  const asked = Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
  const backoff = policy.baseDelayMs * 2 ** (attempt - 1);
  return Math.min(asked ?? backoff, policy.maxDelayMs);
}

function retriable(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * POST a JSON body to the webhook. Retries on 429 (honouring `Retry-After`), on 5xx and on
 * network errors, up to `policy.maxAttempts`; any other status fails at once.
 *
 * @throws NotifyError when the last attempt fails or Slack rejects the message (4xx)
 */
export async function postToWebhook(
  url: string,
  body: unknown,
  policy: RetryPolicy = DEFAULT_RETRY,
  sleep: Sleep = realSleep,
): Promise<PostResult> {
  const payload = JSON.stringify(body);
  let lastError: unknown;
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    let retryAfter: string | null = null;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: payload,
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      if (res.ok) return { attempts: attempt, status: res.status };
      lastError = new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
      if (!retriable(res.status)) {
        throw new NotifyError(`Slack rejected the message (HTTP ${res.status}: ${text.slice(0, 200)})`, {
          cause: lastError,
        });
      }
      retryAfter = res.headers.get('retry-after');
    } catch (error) {
      if (error instanceof NotifyError) throw error;
      lastError = error;
    }
    if (attempt < policy.maxAttempts) await sleep(retryDelayMs(attempt, retryAfter, policy));
  }
  throw new NotifyError(`Slack webhook failed after ${policy.maxAttempts} attempts`, { cause: lastError });
}
