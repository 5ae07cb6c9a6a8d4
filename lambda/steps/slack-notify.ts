/**
 * Turns the SNS messages of the main topic into Slack messages and posts them. A trip carries
 * its report in the `report` message attribute and becomes Block Kit; anything else (alarms,
 * trail changes) becomes a text message.
 */
import type { SNSEvent, SNSMessage } from 'aws-lambda';
import type { PostResult } from '../adapters/slack-post';
import type { AmiChangeReport } from '../core/ami-change-alert';
import type { TripReport } from '../core/report';

/** The message attribute holding a trip's report JSON (the notifier adapter sets it). */
export const REPORT_ATTRIBUTE = 'report';
/** The message attribute holding an AMI-change report's JSON (the notifier adapter sets it). */
export const AMI_CHANGE_ATTRIBUTE = 'amiChange';

/** A Slack message body. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks?: readonly unknown[];
}

/** What {@link notify} needs. */
export interface NotifyDeps {
  /** The webhook URL (read from Secrets Manager). */
  readonly url: () => Promise<string>;
  readonly post: (url: string, body: SlackMessage) => Promise<PostResult>;
  readonly renderReport: (report: TripReport) => SlackMessage;
  readonly renderText: (text: string) => SlackMessage;
  /** Block Kit for an AMI-change alert; without it the alert is posted as text. */
  readonly renderAmiChange?: (report: AmiChangeReport) => SlackMessage;
}

/** A CloudWatch alarm notification, as SNS delivers it (only the fields used). */
interface AlarmMessage {
  readonly AlarmName: string;
  readonly AlarmDescription?: string | null;
  readonly NewStateValue?: string;
  readonly NewStateReason?: string;
  readonly Region?: string;
}

function asAlarm(message: string): AlarmMessage | undefined {
  if (!message.trimStart().startsWith('{')) return undefined;
  try {
    const o = JSON.parse(message) as Partial<AlarmMessage> | null;
    return o !== null && typeof o === 'object' && typeof o.AlarmName === 'string'
      ? (o as AlarmMessage)
      : undefined;
  } catch {
    // Not JSON after all: it is plain text for people.
    return undefined;
  }
}

/** The text of a message that is not a trip: an alarm summary, or the subject and the body. */
export function textOf(sns: Pick<SNSMessage, 'Subject' | 'Message'>): string {
  const alarm = asAlarm(sns.Message);
  if (alarm !== undefined) {
    return [
      `${alarm.NewStateValue ?? 'ALARM'}: ${alarm.AlarmName}${alarm.Region ? ` (${alarm.Region})` : ''}`,
      alarm.AlarmDescription ?? '',
      alarm.NewStateReason ?? '',
    ]
      .filter((line) => line !== '')
      .join('\n');
  }
  const subject = sns.Subject?.trim();
  return subject ? `${subject}\n${sns.Message}` : sns.Message;
}

/** The Slack message for one SNS message. */
export function slackMessageFor(
  sns: SNSMessage,
  deps: Pick<NotifyDeps, 'renderReport' | 'renderText' | 'renderAmiChange'>,
) {
  const amiChange = sns.MessageAttributes?.[AMI_CHANGE_ATTRIBUTE];
  if (amiChange?.Value !== undefined && deps.renderAmiChange !== undefined) {
    try {
      return deps.renderAmiChange(JSON.parse(amiChange.Value) as AmiChangeReport);
    } catch {
      // A report that does not parse must not swallow the alert: fall back to its text.
      return deps.renderText(textOf(sns));
    }
  }
  const attr = sns.MessageAttributes?.[REPORT_ATTRIBUTE];
  if (attr?.Value !== undefined) {
    try {
      return deps.renderReport(JSON.parse(attr.Value) as TripReport);
    } catch {
      // A report that does not parse must not swallow the alert: fall back to its text.
      return deps.renderText(textOf(sns));
    }
  }
  return deps.renderText(textOf(sns));
}

/**
 * Post every record of the event, in order.
 *
 * @throws NotifyError when a post fails after its retries (Lambda then retries the invocation)
 */
export async function notify(event: SNSEvent, deps: NotifyDeps): Promise<PostResult[]> {
  const url = await deps.url();
  const results: PostResult[] = [];
  for (const record of event.Records) {
    results.push(await deps.post(url, slackMessageFor(record.Sns, deps)));
  }
  return results;
}
