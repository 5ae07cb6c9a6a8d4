import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSEvent, SNSMessageAttributes } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebhookServer } from '../../../fake-cloud/support/webhook-server';
import {
  AMI_CHANGE_ATTRIBUTE as NOTIFIER_AMI_CHANGE_ATTRIBUTE,
  REPORT_ATTRIBUTE as NOTIFIER_REPORT_ATTRIBUTE,
} from '../../../lambda/adapters/notifier';
import { amiChangeSlackBlocks } from '../../../lambda/core/ami-change-alert';
import { slackBlocks, slackTextMessage } from '../../../lambda/core/slack-blocks';
import { AMI_CHANGE_ATTRIBUTE, REPORT_ATTRIBUTE, textOf } from '../../../lambda/steps/slack-notify';
import { WEBHOOK_ENV } from '../../../lambda/webhook-config';
import { incidentAmiChange } from '../core/example-ami-change';
import { amiReport, suspendedReport } from '../core/example-reports';

const server = new WebhookServer();
const sm = mockClient(SecretsManagerClient);
let handler: (event: SNSEvent) => Promise<void>;

function snsEvent(
  message: string,
  attributes: SNSMessageAttributes = {},
  subject: string | null = null,
): SNSEvent {
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:eu-west-1:123456789012:llg-topic:sub',
        Sns: {
          Type: 'Notification',
          MessageId: 'm-1',
          TopicArn: 'arn:aws:sns:eu-west-1:123456789012:llg-topic',
          Subject: subject as string,
          Message: message,
          Timestamp: '2025-12-10T09:00:00.000Z',
          SignatureVersion: '1',
          Signature: 'x',
          SigningCertUrl: 'https://example.invalid/cert',
          UnsubscribeUrl: 'https://example.invalid/unsub',
          MessageAttributes: attributes,
        },
      },
    ],
  };
}

const alarm = {
  AlarmName: 'LaunchLoopGuard-GuardErrorsAlarm',
  AlarmDescription: 'launch-loop-guard: the guard function failed',
  NewStateValue: 'ALARM',
  NewStateReason: 'Threshold Crossed: 1 datapoint [2.0] was greater than the threshold (0.0).',
  Region: 'EU (Ireland)',
};

beforeAll(async () => {
  await server.start();
  vi.stubEnv(WEBHOOK_ENV.secretId, 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:llg/slack-AbCdEf');
  sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ url: server.url }) });
  ({ handler } = await import('../../../lambda/entries/slack-webhook.js'));
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await server.stop();
});
beforeEach(() => server.reset());

describe('slack-webhook handler', () => {
  it('uses the same report attribute name as the notifier adapter', () => {
    expect(REPORT_ATTRIBUTE).toBe(NOTIFIER_REPORT_ATTRIBUTE);
  });

  it.each([
    { name: 'a suspended group', report: suspendedReport() },
    { name: 'an AMI alert', report: amiReport() },
  ])('posts the Block Kit message of $name when the message carries its report', async ({ report }) => {
    // Prepare
    const event = snsEvent('text for people', {
      [REPORT_ATTRIBUTE]: { Type: 'String', Value: JSON.stringify(report) },
      scope: { Type: 'String', Value: report.scope.scope },
    });

    // Act
    await handler(event);

    // Assess
    expect(server.bodies()).toEqual([JSON.parse(JSON.stringify(slackBlocks(report)))]);
    expect(sm).toHaveReceivedCommandWith(GetSecretValueCommand, {
      SecretId: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:llg/slack-AbCdEf',
    });
  });

  it('posts the Block Kit message of an AMI-change alert', async () => {
    // Prepare
    expect(AMI_CHANGE_ATTRIBUTE).toBe(NOTIFIER_AMI_CHANGE_ATTRIBUTE);
    const report = incidentAmiChange();
    const event = snsEvent('text for people', {
      [AMI_CHANGE_ATTRIBUTE]: { Type: 'String', Value: JSON.stringify(report) },
      action: { Type: 'String', Value: 'ami-changed' },
    });

    // Act
    await handler(event);

    // Assess
    expect(server.bodies()).toEqual([JSON.parse(JSON.stringify(amiChangeSlackBlocks(report)))]);
  });

  it('posts a CloudWatch alarm as a text message', async () => {
    // Act
    await handler(snsEvent(JSON.stringify(alarm), {}, 'ALARM: "LaunchLoopGuard-GuardErrorsAlarm"'));

    // Assess
    const text = textOf({ Subject: '', Message: JSON.stringify(alarm) });
    expect(text).toBe(
      'ALARM: LaunchLoopGuard-GuardErrorsAlarm (EU (Ireland))\nlaunch-loop-guard: the guard function failed\nThreshold Crossed: 1 datapoint [2.0] was greater than the threshold (0.0).',
    );
    expect(server.bodies()).toEqual([JSON.parse(JSON.stringify(slackTextMessage(text)))]);
  });

  it('posts a trail-change alert (plain text from EventBridge) with its subject', async () => {
    // Act
    await handler(snsEvent('launch-loop-guard: trail change. StopLogging of trail main', {}, 'Trail'));

    // Assess
    expect(server.bodies()).toEqual([
      JSON.parse(
        JSON.stringify(slackTextMessage('Trail\nlaunch-loop-guard: trail change. StopLogging of trail main')),
      ),
    ]);
  });

  it('falls back to the text when the report attribute does not parse', async () => {
    // Act
    await handler(snsEvent('the body', { [REPORT_ATTRIBUTE]: { Type: 'String', Value: '{broken' } }));

    // Assess
    expect(server.bodies()).toEqual([JSON.parse(JSON.stringify(slackTextMessage('the body')))]);
  });

  it('retries after a 429 with Retry-After: 0 and delivers the same blocks', async () => {
    // Prepare
    server.script({ status: 429, headers: { 'retry-after': '0' } });
    const report = suspendedReport();

    // Act
    await handler(snsEvent('x', { [REPORT_ATTRIBUTE]: { Type: 'String', Value: JSON.stringify(report) } }));

    // Assess
    const expected = JSON.parse(JSON.stringify(slackBlocks(report)));
    expect(server.bodies()).toEqual([expected, expected]);
  });

  it('fails the invocation when Slack rejects the message, so Lambda retries it', async () => {
    // Prepare
    server.script({ status: 404, body: 'no_service' });

    // Act / Assess
    await expect(handler(snsEvent('x'))).rejects.toThrow(/no_service/);
  });
});
