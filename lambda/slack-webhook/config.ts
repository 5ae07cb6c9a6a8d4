/** Environment of the Slack webhook notifier; the construct writes it from this same constant. */
export const WEBHOOK_ENV = {
  /** ARN (or name) of the Secrets Manager secret that holds the incoming-webhook URL. */
  secretId: 'LLG_SLACK_WEBHOOK_SECRET_ID',
} as const;
