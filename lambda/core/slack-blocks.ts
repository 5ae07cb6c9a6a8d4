/**
 * The trip as a Slack Block Kit message, for the incoming-webhook notifier. Minimal own types
 * (no Slack package is installed); Slack's limits are kept: header text 150 characters, section
 * text 3,000, at most 10 fields of 2,000 each, at most 50 blocks.
 */
import {
  accountText,
  actionLines,
  amiLines,
  costLine,
  evidenceLine,
  headline,
  imageText,
  iso,
  LAUNCH_SUSPENDED_MEANS,
  launchesLine,
  listText,
  ruleText,
  scopeLabel,
} from './alert';
import { awsUndoCommands, byHandCommands, resumerCommands, undoCommands } from './alert-commands';
import { COST_NOT_COUNTED } from './loop-cost';
import type { TripReport } from './report';

/** Slack's limits, as documented for Block Kit. */
export const SLACK_LIMITS = { header: 150, sectionText: 3000, field: 2000, fields: 10, blocks: 50 } as const;

/** A Block Kit text object. */
export interface SlackText {
  readonly type: 'plain_text' | 'mrkdwn';
  readonly text: string;
  readonly emoji?: boolean;
}

/** The blocks this file makes. */
export type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackText }
  | { readonly type: 'section'; readonly text?: SlackText; readonly fields?: readonly SlackText[] }
  | { readonly type: 'context'; readonly elements: readonly SlackText[] }
  | { readonly type: 'divider' };

/** A message for `chat.postMessage` or an incoming webhook. */
export interface SlackMessage {
  /** The notification text (shown where blocks cannot be). */
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

/** Escape the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * Build the Block Kit message of a trip.
 *
 * @example
 * await fetch(webhookUrl, { method: 'POST', body: JSON.stringify(slackBlocks(report)) });
 */
export function slackBlocks(report: TripReport): SlackMessage {
  const title = headline(report);
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: clip(`🚨 ${title}`, SLACK_LIMITS.header), emoji: true },
    },
    section(`*${escapeMrkdwn(scopeLabel(report))}*\n${escapeMrkdwn(launchesLine(report))}`),
    {
      type: 'section',
      fields: [
        field('Account', accountText(report)),
        field('Region', report.scope.region),
        field('First launch', iso(report.firstLaunch)),
        field('Last launch', iso(report.lastLaunch)),
        field(
          'AMIs',
          listText(
            report.imageIds.map((id) => imageText(report, id)),
            5,
          ),
        ),
        field('Action', report.action),
      ],
    },
  ];
  const cost = costLine(report);
  if (cost !== undefined) blocks.push(context(`${cost} ${COST_NOT_COUNTED}`));
  const evidence = evidenceLine(report);
  if (evidence !== undefined) {
    blocks.push(section(`*Why*\n${escapeMrkdwn(evidence)}`));
    blocks.push(context(ruleText(report) ?? ''));
  }
  const amis = amiLines(report);
  if (amis.length > 0)
    blocks.push(section(`*The AMI*\n${amis.map((l) => `• ${escapeMrkdwn(l)}`).join('\n')}`));
  if (report.diagnosis !== undefined && report.diagnosis.length > 0) {
    blocks.push(section(`*Likely cause*\n${report.diagnosis.map((d) => `• ${escapeMrkdwn(d)}`).join('\n')}`));
  }
  blocks.push(
    section(
      `*What was done*\n${actionLines(report)
        .map((l) => `• ${escapeMrkdwn(l)}`)
        .join('\n')}`,
    ),
  );
  const undo = undoCommands(report);
  if (undo.length > 0) {
    blocks.push(context(LAUNCH_SUSPENDED_MEANS));
    blocks.push(
      section(
        `*How to undo it* (fix the cause first), with the AWS CLI:\n${codeBlock(awsUndoCommands(report))}`,
      ),
    );
    const viaResumer = resumerCommands(report);
    if (viaResumer.length > 0) {
      blocks.push(
        section(
          `Or through the guard's resumer function (also clears the group's launch window and resets its auto-resume backoff):\n${codeBlock(viaResumer)}`,
        ),
      );
    }
  } else {
    const byHand = byHandCommands(report);
    if (byHand.length > 0) blocks.push(section(`*Nothing was changed.* By hand:\n${codeBlock(byHand)}`));
  }
  blocks.push(context(`Callers: ${listText(report.callers, 3)} · event ${report.eventId}`));
  // The fallback text is mrkdwn too (notifications, clients without blocks): escaped like the blocks.
  return { text: escapeMrkdwn(title), blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

/** A plain message that is not a trip (alarms, trail tampering). */
export function slackTextMessage(text: string): SlackMessage {
  return { text: clip(escapeMrkdwn(text), SLACK_LIMITS.sectionText), blocks: [section(escapeMrkdwn(text))] };
}

function section(mrkdwn: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(mrkdwn, SLACK_LIMITS.sectionText) } };
}

function field(label: string, value: string): SlackText {
  return { type: 'mrkdwn', text: clip(`*${label}*\n${escapeMrkdwn(value)}`, SLACK_LIMITS.field) };
}

function context(text: string): SlackBlock {
  return {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: clip(escapeMrkdwn(text), SLACK_LIMITS.sectionText) }],
  };
}

function codeBlock(lines: readonly string[]): string {
  return `\`\`\`${lines.map(escapeMrkdwn).join('\n')}\`\`\``;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
