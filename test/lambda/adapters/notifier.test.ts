import { PublishCommand, SNSClient, SNSServiceException } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  AMI_CHANGE_ATTRIBUTE,
  PERMISSIONS,
  REPORT_ATTRIBUTE_MAX,
  SnsNotifier,
} from '../../../lambda/adapters/notifier';
import { buildAlert } from '../../../lambda/core/alert';
import { amiChangeChatMessage, buildAmiChangeAlert } from '../../../lambda/core/ami-change-alert';
import { NotifyError } from '../../../lambda/core/errors';
import { incidentAmiChange } from '../core/example-ami-change';
import { GROUP, suspendedReport } from '../core/example-reports';
import { clientErrorsOf, TEST_CREDENTIALS } from './sdk-fakes';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:launch-loop-guard';
const CHAT_TOPIC = 'arn:aws:sns:eu-west-1:123456789012:launch-loop-guard-chat';

const sns = mockClient(SNSClient);

const snsError = clientErrorsOf(SNSServiceException);

function client(): SNSClient {
  return new SNSClient({ region: 'eu-west-1', credentials: TEST_CREDENTIALS });
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('SnsNotifier', () => {
  beforeEach(() => {
    sns.reset();
  });

  describe('publishTrip', () => {
    it('publishes subject, body, filter attributes and the report JSON to the main topic', async () => {
      // Prepare
      sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
      const report = suspendedReport();
      const alert = buildAlert(report);
      // Act
      const out = await new SnsNotifier(client(), TOPIC).publishTrip(report);
      // Assess
      expect(out).toEqual({ messageId: 'm-1' });
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
      const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
      expect(input).toEqual({
        TopicArn: TOPIC,
        Subject: alert.subject,
        Message: alert.body,
        MessageAttributes: {
          scope: { DataType: 'String', StringValue: 'asg' },
          key: { DataType: 'String', StringValue: GROUP },
          account: { DataType: 'String', StringValue: '123456789012' },
          region: { DataType: 'String', StringValue: 'eu-west-1' },
          action: { DataType: 'String', StringValue: 'suspended' },
          report: { DataType: 'String', StringValue: JSON.stringify(report) },
        },
      });
      expect(JSON.parse(input.MessageAttributes!.report!.StringValue!)).toEqual(report);
    });

    it('publishes the chat-applications JSON to the chat topic when there is one', async () => {
      // Prepare
      sns.on(PublishCommand, { TopicArn: TOPIC }).resolves({ MessageId: 'm-1' });
      sns.on(PublishCommand, { TopicArn: CHAT_TOPIC }).resolves({ MessageId: 'c-1' });
      // Act
      const out = await new SnsNotifier(client(), TOPIC, CHAT_TOPIC).publishTrip(suspendedReport());
      // Assess
      expect(out).toEqual({ messageId: 'm-1', chatMessageId: 'c-1' });
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
      const chat = sns.commandCalls(PublishCommand, { TopicArn: CHAT_TOPIC })[0]!.args[0].input;
      expect(chat.Subject).toBeUndefined();
      const message = JSON.parse(chat.Message!);
      expect(message).toMatchObject({
        version: '1.0',
        source: 'custom',
        content: { textType: 'client-markdown' },
        metadata: { threadId: `launch-loop-guard#asg#123456789012#eu-west-1#${GROUP}` },
      });
      expect(chat.MessageAttributes?.report).toBeUndefined();
      expect(chat.MessageAttributes?.action).toEqual({ DataType: 'String', StringValue: 'suspended' });
    });

    it('leaves the report attribute out when the report is too large for SNS', async () => {
      // Prepare
      sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
      const callers = Array.from(
        { length: 3000 },
        (_, i) => `arn:aws:sts::123456789012:assumed-role/some-long-role-name/session-${i}`,
      );
      const report = suspendedReport({ callers });
      expect(JSON.stringify(report).length).toBeGreaterThan(REPORT_ATTRIBUTE_MAX);
      // Act
      await new SnsNotifier(client(), TOPIC).publishTrip(report);
      // Assess
      const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
      expect(input.MessageAttributes?.report).toBeUndefined();
      expect(input.MessageAttributes?.scope).toEqual({ DataType: 'String', StringValue: 'asg' });
    });

    it.each([
      ['throttling', () => snsError('Throttled', 'Rate exceeded')],
      [
        'access denied',
        () => snsError('AuthorizationError', 'User is not authorized to perform: SNS:Publish'),
      ],
      ['a KMS key that cannot be used', () => snsError('KMSAccessDenied', 'KMS access denied')],
    ])('surfaces %s on the main topic as a NotifyError with the cause', async (_label, make) => {
      // Prepare
      const sdkError = make();
      sns.on(PublishCommand).rejects(sdkError);
      // Act
      const error = await rejection(
        new SnsNotifier(client(), TOPIC, CHAT_TOPIC).publishTrip(suspendedReport()),
      );
      // Assess
      expect(error).toBeInstanceOf(NotifyError);
      expect((error as NotifyError).cause).toBe(sdkError);
      expect((error as NotifyError).message).toBe(`publishing the alert for asg ${GROUP} failed`);
      expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    });

    it('says the main alert was sent when only the chat topic fails', async () => {
      // Prepare
      const sdkError = snsError('NotFound', 'Topic does not exist');
      sns.on(PublishCommand, { TopicArn: TOPIC }).resolves({ MessageId: 'm-1' });
      sns.on(PublishCommand, { TopicArn: CHAT_TOPIC }).rejects(sdkError);
      // Act
      const error = await rejection(
        new SnsNotifier(client(), TOPIC, CHAT_TOPIC).publishTrip(suspendedReport()),
      );
      // Assess
      expect(error).toBeInstanceOf(NotifyError);
      expect((error as NotifyError).cause).toBe(sdkError);
      expect((error as NotifyError).message).toContain('(the main alert was sent)');
    });
  });

  describe('publishText', () => {
    it('publishes a message that is not a trip, with a subject made valid for SNS', async () => {
      // Prepare
      sns.on(PublishCommand).resolves({ MessageId: 'm-2' });
      // Act
      const out = await new SnsNotifier(client(), TOPIC).publishText(
        'CloudTrail logging stopped:\ntrail management-events in eu-west-1',
        'StopLogging was called by arn:aws:iam::123456789012:user/mallory.',
        { kind: 'trail-tampering', region: 'eu-west-1' },
      );
      // Assess
      expect(out).toEqual({ messageId: 'm-2' });
      expect(sns).toHaveReceivedCommandWith(PublishCommand, {
        TopicArn: TOPIC,
        Subject: 'CloudTrail logging stopped: trail management-events in eu-west-1',
        Message: 'StopLogging was called by arn:aws:iam::123456789012:user/mallory.',
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'trail-tampering' },
          region: { DataType: 'String', StringValue: 'eu-west-1' },
        },
      });
    });

    it('surfaces a failure as a NotifyError with the cause', async () => {
      // Prepare
      const sdkError = snsError('Throttled', 'Rate exceeded');
      sns.on(PublishCommand).rejects(sdkError);
      // Act
      const error = await rejection(new SnsNotifier(client(), TOPIC).publishText('s', 'b', {}));
      // Assess
      expect(error).toBeInstanceOf(NotifyError);
      expect((error as NotifyError).cause).toBe(sdkError);
    });
  });

  describe('publishAmiChange', () => {
    it('publishes the text, the filter attributes and the report JSON, then the chat JSON', async () => {
      // Prepare
      sns.on(PublishCommand, { TopicArn: TOPIC }).resolves({ MessageId: 'm-1' });
      sns.on(PublishCommand, { TopicArn: CHAT_TOPIC }).resolves({ MessageId: 'c-1' });
      const report = incidentAmiChange();
      const alert = buildAmiChangeAlert(report);
      // Act
      const out = await new SnsNotifier(client(), TOPIC, CHAT_TOPIC).publishAmiChange(report);
      // Assess
      expect(out).toEqual({ messageId: 'm-1', chatMessageId: 'c-1' });
      const [main, chat] = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
      expect(main).toMatchObject({ TopicArn: TOPIC, Subject: alert.subject, Message: alert.body });
      expect(main!.MessageAttributes?.action).toEqual({ DataType: 'String', StringValue: 'ami-changed' });
      expect(main!.MessageAttributes?.severity).toEqual({ DataType: 'String', StringValue: 'high' });
      expect(JSON.parse(main!.MessageAttributes![AMI_CHANGE_ATTRIBUTE]!.StringValue!)).toEqual(report);
      expect(main!.MessageAttributes?.report).toBeUndefined();
      expect(chat!.TopicArn).toBe(CHAT_TOPIC);
      expect(JSON.parse(chat!.Message!)).toEqual(JSON.parse(JSON.stringify(amiChangeChatMessage(report))));
    });

    it('surfaces a failure as a NotifyError that names the group and the AMI', async () => {
      // Prepare
      const sdkError = snsError('Throttled', 'Rate exceeded');
      sns.on(PublishCommand).rejects(sdkError);
      // Act
      const error = await rejection(new SnsNotifier(client(), TOPIC).publishAmiChange(incidentAmiChange()));
      // Assess
      expect(error).toBeInstanceOf(NotifyError);
      expect((error as NotifyError).message).toContain('ecs-capacity-provider-asg (ami-0d136904eaba14b45)');
      expect((error as NotifyError).cause).toBe(sdkError);
    });
  });

  it('declares only sns:Publish', () => {
    expect(PERMISSIONS).toEqual(['sns:Publish']);
  });
});
