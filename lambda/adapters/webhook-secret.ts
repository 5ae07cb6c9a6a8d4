/**
 * The webhook URL, read from Secrets Manager and cached for a few minutes (so a rotated URL is
 * picked up without a redeploy).
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../core/errors';

/** How long a read URL is trusted. */
export const SECRET_TTL_MS = 5 * 60 * 1000;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The URL a secret's value names: the plain URL, or JSON with a `url` (or `webhookUrl`) field.
 * Only `https:` URLs are accepted, except on the loopback interface (tests and local relays).
 *
 * @throws ConfigError when the value holds no usable URL
 */
export function webhookUrlFromSecret(value: string): string {
  let candidate = value.trim();
  if (candidate.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(candidate);
    } catch (error) {
      throw new ConfigError('the Slack webhook secret looks like JSON but does not parse', { cause: error });
    }
    const o = parsed as { url?: unknown; webhookUrl?: unknown };
    const url = o.url ?? o.webhookUrl;
    if (typeof url !== 'string') throw new ConfigError('the Slack webhook secret JSON has no "url" field');
    candidate = url.trim();
  }
  let url: URL;
  try {
    url = new URL(candidate);
  } catch (error) {
    throw new ConfigError('the Slack webhook secret does not hold a URL', { cause: error });
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new ConfigError(`the Slack webhook URL must use https, got ${url.protocol}`);
  }
  return url.toString();
}

/** Reads the webhook URL from one secret, at most once per {@link SECRET_TTL_MS}. */
export class WebhookUrlSource {
  private cached?: { readonly url: string; readonly until: number };

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The URL, from the cache or from Secrets Manager.
   *
   * @throws ConfigError when the secret holds no usable URL; SDK errors propagate
   */
  async url(): Promise<string> {
    const t = this.now();
    if (this.cached !== undefined && t < this.cached.until) return this.cached.url;
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    if (out.SecretString === undefined) throw new ConfigError(`secret ${this.secretId} has no string value`);
    const url = webhookUrlFromSecret(out.SecretString);
    this.cached = { url, until: t + SECRET_TTL_MS };
    return url;
  }
}
