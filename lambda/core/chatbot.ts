/**
 * The trip in the custom-notification JSON of Amazon Q Developer in chat applications (formerly
 * AWS Chatbot). That service drops any SNS message that is not in this form, so the chat topic
 * carries only this.
 *
 * Form (AWS documentation, "Custom notifications using Amazon Q Developer in chat applications"):
 * `version` "1.0", `source` "custom", optional `id`; `content` with `textType`
 * ("client-markdown"), `title`, `description` (required), `nextSteps[]`, `keywords[]`;
 * `metadata` with `threadId`, `summary`, `eventType`, `relatedResources[]`,
 * `additionalContext` (string values). Notifications with the same `threadId` are grouped in one
 * thread (when the channel's preferences allow threads).
 *
 * The limits below are ours, kept well inside the chat clients' own (Slack cuts a text block at
 * 3,000 characters).
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
import { byHandCommands, undoCommands } from './alert-commands';
import { formatDuration } from './duration';
import { COST_NOT_COUNTED } from './loop-cost';
import type { TripReport } from './report';
import { escapeMrkdwn } from './slack-blocks';
import { scopeId } from './types';

/** Our limits for the chat message's fields. */
export const CHAT_LIMITS = {
  title: 250,
  description: 3000,
  nextSteps: 5,
  nextStep: 500,
  keywords: 10,
  threadId: 128,
} as const;

/** Amazon Q Developer in chat applications' custom notification. */
export interface ChatbotMessage {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id?: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps?: readonly string[];
    readonly keywords?: readonly string[];
  };
  readonly metadata: {
    readonly threadId: string;
    readonly summary?: string;
    readonly eventType?: string;
    readonly relatedResources?: readonly string[];
    readonly additionalContext?: Readonly<Record<string, string>>;
  };
}

/** The thread of a scope: stable, so every trip of one scope lands in one thread. */
export function chatThreadId(report: Pick<TripReport, 'scope'>): string {
  const id = `launch-loop-guard#${scopeId(report.scope)}`;
  if (id.length <= CHAT_LIMITS.threadId) return id;
  // Long group names: keep a readable head and make the tail unique with a hash of the whole id.
  const hash = fnv1a(id).toString(16).padStart(8, '0');
  return `${id.slice(0, CHAT_LIMITS.threadId - 9)}~${hash}`;
}

/**
 * Build the chat-applications notification of a trip.
 *
 * @example
 * JSON.stringify(chatbotMessage(report)); // publish this to the chat topic
 */
export function chatbotMessage(report: TripReport): ChatbotMessage {
  const lines: string[] = [];
  lines.push(`*${scopeLabel(report)}* in account ${accountText(report)}, ${report.scope.region}`);
  lines.push(`*Launches:* ${launchesLine(report)}`);
  lines.push(`*First / last launch:* ${iso(report.firstLaunch)} / ${iso(report.lastLaunch)}`);
  lines.push(
    `*AMIs:* ${listText(
      report.imageIds.map((id) => imageText(report, id)),
      5,
    )}`,
  );
  lines.push(`*Callers:* ${listText(report.callers, 3)}`);
  const cost = costLine(report);
  if (cost !== undefined) lines.push(`*Cost:* ${cost} ${COST_NOT_COUNTED}`);
  const evidence = evidenceLine(report);
  if (evidence !== undefined) lines.push(`*Why:* ${evidence} ${ruleText(report) ?? ''}`);
  for (const line of amiLines(report)) lines.push(`*AMI:* ${line}`);
  if (report.diagnosis !== undefined && report.diagnosis.length > 0) {
    lines.push(`*Likely cause:* ${report.diagnosis.join(' ')}`);
  }
  lines.push(`*Done:* ${actionLines(report).join(' ')}`);
  if (undoCommands(report).length > 0) lines.push(`*Meaning:* ${LAUNCH_SUSPENDED_MEANS}`);
  const steps = [...undoCommands(report), ...byHandCommands(report)]
    .slice(0, CHAT_LIMITS.nextSteps)
    .map((c) => clip(`\`${escapeMrkdwn(c)}\``, CHAT_LIMITS.nextStep));
  const related = [
    ...(report.scope.scope === 'asg' ? [report.scope.key] : []),
    ...report.imageIds,
    ...(report.groups ?? []).map((g) => g.groupName),
  ];
  return {
    version: '1.0',
    source: 'custom',
    id: report.eventId,
    content: {
      textType: 'client-markdown',
      // Every line carries values from events and tags (group, caller and AMI names): escaped, so
      // that none can become a link or a mention in Slack.
      title: clip(`:rotating_light: ${escapeMrkdwn(headline(report))}`, CHAT_LIMITS.title),
      description: clip(escapeMrkdwn(lines.join('\n')), CHAT_LIMITS.description),
      ...(steps.length > 0 ? { nextSteps: steps } : {}),
      keywords: ['launch-loop-guard', report.action, report.scope.region].slice(0, CHAT_LIMITS.keywords),
    },
    metadata: {
      threadId: chatThreadId(report),
      summary: clip(escapeMrkdwn(headline(report)), CHAT_LIMITS.title),
      eventType: `launch-loop-guard:${report.action}`,
      relatedResources: [...new Set(related)],
      additionalContext: {
        scope: report.scope.scope,
        key: report.scope.key,
        account: report.scope.account,
        region: report.scope.region,
        action: report.action,
        launches: String(report.launches),
        threshold: String(report.threshold),
        window: formatDuration(report.windowMs),
        dryRun: String(report.dryRun),
      },
    },
  };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** 32-bit FNV-1a over UTF-16 code units: small, stable, no dependency. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
