/**
 * SNS adapter: publishes a trip's alert to the main topic (text for people, attributes for
 * filters, the report's JSON for machines) and, when configured, the chat-applications JSON to
 * a topic of its own.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { buildAlert, snsAttributes, subjectLine } from '../core/alert';
import { type AmiChangeReport, amiChangeChatMessage, buildAmiChangeAlert } from '../core/ami-change-alert';
import { chatbotMessage } from '../core/chatbot';
import { NotifyError } from '../core/errors';
import type { TripReport } from '../core/report';
import type { Notifier, Published } from '../ports';
import { awsCause } from './aws-error';

/** The IAM actions this adapter calls, for the function's policy. */
export const PERMISSIONS = ['sns:Publish'] as const;

/** The message attribute that carries the report's JSON (for the Slack webhook function). */
export const REPORT_ATTRIBUTE = 'report';

/** The message attribute that carries an AMI-change report's JSON (for the Slack webhook function). */
export const AMI_CHANGE_ATTRIBUTE = 'amiChange';

/**
 * The largest report JSON sent as an attribute. A message and its attributes share SNS's
 * 256 KB limit; the text body stays far below the rest.
 */
export const REPORT_ATTRIBUTE_MAX = 128 * 1024;

/**
 * {@link Notifier} over SNS.
 *
 * @example
 * new SnsNotifier(new SNSClient({}), config.topicArn, config.chatTopicArn);
 */
export class SnsNotifier implements Notifier {
  /**
   * @param client the SNS client
   * @param topicArn the main topic: text for people and message attributes
   * @param chatTopicArn the topic of the chat-applications configuration, if any
   */
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
    private readonly chatTopicArn?: string,
  ) {}

  /**
   * Publish to the main topic, then to the chat topic.
   *
   * @throws NotifyError when either publication fails; its message says which one
   */
  async publishTrip(report: TripReport): Promise<Published> {
    return this.publishAlert(
      buildAlert(report),
      { name: REPORT_ATTRIBUTE, json: JSON.stringify(report) },
      () => chatbotMessage(report),
      `the alert for ${report.scope.scope} ${report.scope.key}`,
      `the chat message for ${report.scope.scope} ${report.scope.key} (the main alert was sent)`,
    );
  }

  /**
   * Publish to the main topic (text, attributes, the report's JSON), then to the chat topic.
   *
   * @throws NotifyError when either publication fails; its message says which one
   */
  async publishAmiChange(report: AmiChangeReport): Promise<Published> {
    const what = `the AMI-change alert for group ${report.group.key} (${report.assessment.after.imageId})`;
    return this.publishAlert(
      buildAmiChangeAlert(report),
      { name: AMI_CHANGE_ATTRIBUTE, json: JSON.stringify(report) },
      () => amiChangeChatMessage(report),
      what,
      `the chat message of ${what} (the main alert was sent)`,
    );
  }

  /**
   * The subject is made valid for SNS (one line of printable ASCII, at most 99 characters).
   *
   * @throws NotifyError when the publication fails
   */
  async publishText(
    subject: string,
    body: string,
    attributes: Readonly<Record<string, string>>,
  ): Promise<Published> {
    const messageId = await this.publish(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: subjectLine(subject),
        Message: body,
        MessageAttributes: snsAttributes(attributes),
      }),
      `the message "${subject}"`,
    );
    return { messageId };
  }

  private async publish(command: PublishCommand, what: string): Promise<string> {
    try {
      const out = await this.client.send(command);
      return out.MessageId ?? '';
    } catch (error) {
      throw new NotifyError(`publishing ${what} failed`, awsCause(error));
    }
  }

  /**
   * The main topic gets the alert's text and attributes, with the report's JSON as one more
   * attribute when it fits; the chat topic (when there is one) the chat message, after it.
   */
  private async publishAlert(
    alert: {
      readonly subject: string;
      readonly body: string;
      readonly attributes: Readonly<Record<string, string>>;
    },
    report: { readonly name: string; readonly json: string },
    chatMessage: () => unknown,
    what: string,
    whatInChat: string,
  ): Promise<Published> {
    const attributes: Record<string, string> = { ...alert.attributes };
    if (Buffer.byteLength(report.json, 'utf8') <= REPORT_ATTRIBUTE_MAX) attributes[report.name] = report.json;
    const messageId = await this.publish(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: alert.subject,
        Message: alert.body,
        MessageAttributes: snsAttributes(attributes),
      }),
      what,
    );
    if (this.chatTopicArn === undefined) return { messageId };
    const chatMessageId = await this.publish(
      new PublishCommand({
        TopicArn: this.chatTopicArn,
        Message: JSON.stringify(chatMessage()),
        MessageAttributes: snsAttributes(alert.attributes),
      }),
      whatInChat,
    );
    return { messageId, chatMessageId };
  }
}
