/**
 * The Slack webhook notifier's configuration: the only file of that function that reads
 * `process.env`. The construct writes the variable from the same {@link WEBHOOK_ENV} constant.
 */
import { ConfigError } from './core/errors';

/** Environment of the Slack webhook notifier. */
export const WEBHOOK_ENV = {
  /** ARN (or name) of the Secrets Manager secret that holds the incoming-webhook URL. */
  secretId: 'LLG_SLACK_WEBHOOK_SECRET_ID',
} as const;

/** What the notifier needs. */
export interface WebhookConfig {
  readonly secretId: string;
}

/**
 * Read the configuration once, at cold start.
 *
 * @throws ConfigError naming the variable when it is missing
 */
export function loadWebhookConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): WebhookConfig {
  const secretId = env[WEBHOOK_ENV.secretId]?.trim();
  if (!secretId) throw new ConfigError(`${WEBHOOK_ENV.secretId} is required but not set`);
  return { secretId };
}
