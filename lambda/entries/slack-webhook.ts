/**
 * The Slack incoming-webhook notifier: subscribed to the guard's main topic, it posts each
 * message to the webhook whose URL a Secrets Manager secret holds.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSEvent } from 'aws-lambda';
import { postToWebhook } from '../adapters/slack-post';
import { WebhookUrlSource } from '../adapters/webhook-secret';
import { amiChangeSlackBlocks } from '../core/ami-change-alert';
import { slackBlocks, slackTextMessage } from '../core/slack-blocks';
import { type NotifyDeps, notify } from '../steps/slack-notify';
import { loadWebhookConfig } from '../webhook-config';

const config = loadWebhookConfig();
const source = new WebhookUrlSource(new SecretsManagerClient({}), config.secretId);

const deps: NotifyDeps = {
  url: () => source.url(),
  post: (url, body) => postToWebhook(url, body),
  renderReport: slackBlocks,
  renderText: slackTextMessage,
  renderAmiChange: amiChangeSlackBlocks,
};

export const handler = async (event: SNSEvent): Promise<void> => {
  await notify(event, deps);
};
