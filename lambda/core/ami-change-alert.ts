/**
 * The AMI-change alert in its three forms: SNS text for people (with message attributes for
 * filters), the custom-notification JSON of Amazon Q Developer in chat applications, and a Slack
 * Block Kit message for the webhook notifier. All are built from one {@link AmiChangeReport}.
 *
 * The alert only informs: it never suspends anything, and says so.
 */
import {
  AMI_CHANGE,
  type AmiChangeAssessment,
  type AmiChangeKind,
  type AmiChangeSeverity,
  FAMILY_LABEL,
  type ImageSide,
} from './ami-change';
import { chatThreadId } from './chatbot';
import { formatDuration } from './duration';
import { type RoleFinding, roleLine, SIMULATOR_CAVEAT } from './role-check';
import { escapeMrkdwn, SLACK_LIMITS, type SlackBlock, type SlackMessage } from './slack-blocks';
import type { ScopeKey } from './types';

/** The `action` attribute of every AMI-change message (subscription filters can select it). */
export const AMI_CHANGE_ACTION = 'ami-changed';

/** Everything an AMI-change alert says. Times are epoch milliseconds. */
export interface AmiChangeReport {
  readonly kind: 'ami-change';
  /** The group scope. */
  readonly group: ScopeKey;
  readonly assessment: AmiChangeAssessment;
  /** The instance-role check, when it ran (it runs only for announced changes). */
  readonly role?: RoleFinding;
  /** One sentence, when the evidence points to a cause. */
  readonly likelyCause?: string;
  /** Why the images could not be described (`DescribeImages` failed), if so. */
  readonly imageLookupProblem?: string;
  readonly eventId: string;
  /** When the first launch with the new AMI happened. */
  readonly launchedAt: number;
  readonly instanceIds: readonly string[];
  /** The group's count rule, so the alert can say when the guard would act. */
  readonly threshold: number;
  readonly windowMs: number;
}

/** An alert ready for SNS `Publish`. */
export interface AmiChangeAlert {
  /** At most 99 characters, printable ASCII, one line. */
  readonly subject: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
}

const SUBJECT_MAX = 99;

/** The one-line verdict. */
export function amiChangeHeadline(report: AmiChangeReport, group: string = report.group.key): string {
  const { before, after, change } = report.assessment;
  switch (change) {
    case AMI_CHANGE.familyChange:
      return `Likely unintended AMI change on ${group}: ${familyText(before)} -> ${familyText(after)}`;
    case AMI_CHANGE.routine:
      return `Routine AMI upgrade on ${group}: newer ${familyText(after)}`;
    case AMI_CHANGE.unknown:
      return `AMI changed on ${group}: ${after.imageId}, family unknown`;
  }
}

/** The SNS subject: the headline, with a long group name shortened rather than the verdict cut. */
export function amiChangeSubject(report: AmiChangeReport): string {
  const full = ascii(amiChangeHeadline(report));
  if (full.length <= SUBJECT_MAX) return full;
  const keep = Math.max(1, report.group.key.length - (full.length - SUBJECT_MAX) - 3);
  const shortened = ascii(amiChangeHeadline(report, `${report.group.key.slice(0, keep)}...`));
  return shortened.length <= SUBJECT_MAX ? shortened : `${shortened.slice(0, SUBJECT_MAX - 3)}...`;
}

function familyText(side: ImageSide): string {
  return side.family ?? (side.name !== undefined ? 'an unlisted image' : 'unknown');
}

function verdict(change: AmiChangeKind, a: AmiChangeAssessment): string {
  switch (change) {
    case AMI_CHANGE.familyChange:
      return `The image family changed (${familyText(a.before)} -> ${familyText(a.after)}): this is likely unintended.`;
    case AMI_CHANGE.routine:
      return `A newer release of the same family (${familyText(a.after)}): a routine upgrade.`;
    case AMI_CHANGE.unknown:
      return 'The guard cannot tell whether the image family changed: check the new AMI.';
  }
}

/** The side-by-side rows: label, before, now. */
export function comparisonRows(a: AmiChangeAssessment): [string, string, string][] {
  const owner = (s: ImageSide) =>
    s.ownerAlias !== undefined && s.ownerId !== undefined
      ? `${s.ownerAlias} (${s.ownerId})`
      : (s.ownerAlias ?? s.ownerId ?? 'unknown');
  const row = (label: string, f: (s: ImageSide) => string | undefined): [string, string, string] => [
    label,
    f(a.before) ?? 'unknown',
    f(a.after) ?? 'unknown',
  ];
  return [
    row('AMI id', (s) => s.imageId),
    row('Name', (s) => s.name),
    row('Owner', owner),
    row('Created', (s) => s.creationDate),
    row('Architecture', (s) => s.architecture),
    row('Family', (s) => s.family ?? (s.name !== undefined ? 'not in the catalogue' : undefined)),
  ];
}

function table(rows: readonly [string, string, string][]): string[] {
  const all: [string, string, string][] = [['', 'before', 'now'], ...rows];
  const w0 = Math.max(...all.map((r) => r[0].length));
  const w1 = Math.max(...all.map((r) => r[1].length));
  return all.map(([l, b, n]) => `  ${l.padEnd(w0)}  ${b.padEnd(w1)}  ${n}`.trimEnd());
}

/** A word safe to paste into a POSIX shell. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=@+-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** Read-only commands that show what changed (they run without this repository). */
export function lookCommands(report: AmiChangeReport): string[] {
  const { region, key } = report.group;
  const a = report.assessment;
  return [
    `aws ec2 describe-images --include-deprecated --image-ids ${a.after.imageId} ${a.before.imageId} --region ${region}`,
    `aws autoscaling describe-auto-scaling-groups --auto-scaling-group-names ${shellWord(key)} --region ${region}`,
  ];
}

/** What to do when the change is not wanted. */
export const UNINTENDED_FIX =
  'If it is not intended: pin the AMI id in the launch template, or resolve it from one family only (an SSM ' +
  'public parameter such as /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64 or ' +
  '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id, or a name filter that matches one ' +
  'family), then roll the group back to the previous AMI.';

/** The sentence that says nothing was changed, and when the guard would act. */
export function notifyOnlyLine(report: AmiChangeReport): string {
  return (
    'Nothing was changed: this alert only informs. The guard suspends the group only if its launches keep ' +
    `failing: the last 4 in a row, or half of ${report.threshold} in ${formatDuration(report.windowMs)}.`
  );
}

/**
 * Build the SNS alert.
 *
 * @example
 * buildAmiChangeAlert(report).subject;
 * // 'Likely unintended AMI change on ecs-asg: al2023-standard -> al2023-ecs-neuron'
 */
export function buildAmiChangeAlert(report: AmiChangeReport): AmiChangeAlert {
  const a = report.assessment;
  const lines: string[] = [];
  lines.push(`${amiChangeHeadline(report)}`);
  lines.push(`Severity: ${a.severity}`);
  lines.push('');
  lines.push(
    `Auto Scaling group ${report.group.key} in account ${report.group.account}, ${report.group.region}, ` +
      `launched an AMI its recent launches did not use, at ${iso(report.launchedAt)} ` +
      `(${listText(report.instanceIds, 3)}).`,
  );
  lines.push(verdict(a.change, a));
  lines.push('');
  lines.push(...table(comparisonRows(a)));
  if (a.wordsAdded.length > 0) lines.push(`  Words the new name adds: ${a.wordsAdded.join(', ')}`);
  if (a.otherPrevious.length > 0)
    lines.push(`  Other AMIs the group launched recently: ${listText(a.otherPrevious, 5)}`);
  if (report.imageLookupProblem !== undefined)
    lines.push(`  The images could not be described: ${report.imageLookupProblem}`);
  lines.push('');
  if (report.likelyCause !== undefined) lines.push(`Likely cause: ${report.likelyCause}.`);
  if (report.role !== undefined) {
    lines.push(`Instance role: ${roleLine(report.role)}.`);
    if (report.role.permissions !== undefined) lines.push(`(${SIMULATOR_CAVEAT}.)`);
  }
  if (report.likelyCause !== undefined || report.role !== undefined) lines.push('');
  lines.push(notifyOnlyLine(report));
  if (a.change !== AMI_CHANGE.routine) lines.push(UNINTENDED_FIX);
  lines.push('');
  lines.push('To look (read-only):');
  for (const c of lookCommands(report)) lines.push(`  ${c}`);
  lines.push('');
  lines.push(`Event ${report.eventId}`);
  return {
    subject: amiChangeSubject(report),
    body: lines.join('\n'),
    attributes: amiChangeAttributes(report),
  };
}

/** The attributes subscribers filter on (the trip alert's, plus severity and change). */
export function amiChangeAttributes(report: AmiChangeReport): Record<string, string> {
  return {
    scope: report.group.scope,
    key: report.group.key,
    account: report.group.account,
    region: report.group.region,
    action: AMI_CHANGE_ACTION,
    severity: report.assessment.severity,
    change: report.assessment.change,
  };
}

/** Amazon Q Developer in chat applications' custom notification (the chat topic carries only this). */
export interface AmiChangeChatMessage {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps: readonly string[];
    readonly keywords: readonly string[];
  };
  readonly metadata: {
    readonly threadId: string;
    readonly summary: string;
    readonly eventType: string;
    readonly relatedResources: readonly string[];
    readonly additionalContext: Readonly<Record<string, string>>;
  };
}

const SEVERITY_EMOJI: Readonly<Record<AmiChangeSeverity, string>> = {
  high: ':warning:',
  medium: ':grey_question:',
  low: ':information_source:',
};

/**
 * The chat-applications notification. It lands in the group's thread, beside a later trip.
 *
 * @example
 * JSON.stringify(amiChangeChatMessage(report)); // publish this to the chat topic
 */
export function amiChangeChatMessage(report: AmiChangeReport): AmiChangeChatMessage {
  const a = report.assessment;
  const lines = [
    `*Auto Scaling group ${report.group.key}* in account ${report.group.account}, ${report.group.region}`,
    verdict(a.change, a),
    ...comparisonRows(a).map(([l, b, n]) => `*${l}:* ${b} → ${n}`),
  ];
  if (a.wordsAdded.length > 0) lines.push(`*Words the new name adds:* ${a.wordsAdded.join(', ')}`);
  if (report.likelyCause !== undefined) lines.push(`*Likely cause:* ${report.likelyCause}.`);
  if (report.role !== undefined) lines.push(`*Instance role:* ${roleLine(report.role)}.`);
  lines.push(notifyOnlyLine(report));
  return {
    version: '1.0',
    source: 'custom',
    id: `${report.eventId}#${a.after.imageId}`,
    content: {
      textType: 'client-markdown',
      // Values from events and tags, escaped so that none becomes a Slack link or mention.
      title: clip(`${SEVERITY_EMOJI[a.severity]} ${escapeMrkdwn(amiChangeHeadline(report))}`, 250),
      description: clip(escapeMrkdwn(lines.join('\n')), 3000),
      nextSteps: lookCommands(report).map((c) => clip(`\`${escapeMrkdwn(c)}\``, 500)),
      keywords: ['launch-loop-guard', AMI_CHANGE_ACTION, a.severity, report.group.region],
    },
    metadata: {
      threadId: chatThreadId({ scope: report.group }),
      summary: clip(escapeMrkdwn(amiChangeHeadline(report)), 250),
      eventType: `launch-loop-guard:${AMI_CHANGE_ACTION}`,
      relatedResources: [report.group.key, a.after.imageId, a.before.imageId],
      additionalContext: {
        scope: report.group.scope,
        key: report.group.key,
        account: report.group.account,
        region: report.group.region,
        action: AMI_CHANGE_ACTION,
        change: a.change,
        severity: a.severity,
        before: a.before.imageId,
        now: a.after.imageId,
        ...(a.before.family !== undefined ? { beforeFamily: a.before.family } : {}),
        ...(a.after.family !== undefined ? { nowFamily: a.after.family } : {}),
      },
    },
  };
}

/** The Block Kit message for the Slack webhook notifier. */
export function amiChangeSlackBlocks(report: AmiChangeReport): SlackMessage {
  const a = report.assessment;
  const title = amiChangeHeadline(report);
  const icon = a.severity === 'high' ? '⚠️' : a.severity === 'medium' ? '❔' : 'ℹ️';
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: clip(`${icon} ${title}`, SLACK_LIMITS.header), emoji: true },
    },
    section(
      `*Auto Scaling group ${escapeMrkdwn(report.group.key)}* (${report.group.account}, ${report.group.region})\n` +
        escapeMrkdwn(verdict(a.change, a)),
    ),
    {
      type: 'section',
      fields: [field('Before', sideText(a.before)), field('Now', sideText(a.after))],
    },
  ];
  if (a.wordsAdded.length > 0)
    blocks.push(section(`*Words the new name adds:* ${escapeMrkdwn(a.wordsAdded.join(', '))}`));
  if (report.likelyCause !== undefined)
    blocks.push(section(`*Likely cause*\n${escapeMrkdwn(report.likelyCause)}`));
  if (report.role !== undefined)
    blocks.push(section(`*Instance role*\n${escapeMrkdwn(roleLine(report.role))}`));
  blocks.push(context(notifyOnlyLine(report)));
  blocks.push(
    section(`*To look* (read-only)\n\`\`\`${lookCommands(report).map(escapeMrkdwn).join('\n')}\`\`\``),
  );
  blocks.push(context(`Severity ${a.severity} · event ${report.eventId}`));
  return { text: escapeMrkdwn(title), blocks };
}

function sideText(s: ImageSide): string {
  const family =
    s.family !== undefined
      ? `${s.family}${FAMILY_LABEL[s.family] ? ` (${FAMILY_LABEL[s.family]})` : ''}`
      : 'unknown';
  return [
    s.imageId,
    s.name ?? 'name unknown',
    `owner ${s.ownerAlias ?? s.ownerId ?? 'unknown'}`,
    `created ${s.creationDate ?? 'unknown'}`,
    `${s.architecture ?? 'architecture unknown'}`,
    `family ${family}`,
  ].join('\n');
}

function section(mrkdwn: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(mrkdwn, SLACK_LIMITS.sectionText) } };
}

function field(label: string, value: string): { type: 'mrkdwn'; text: string } {
  return { type: 'mrkdwn', text: clip(`*${label}*\n${escapeMrkdwn(value)}`, SLACK_LIMITS.field) };
}

function context(text: string): SlackBlock {
  return {
    type: 'context',
    elements: [{ type: 'mrkdwn', text: clip(escapeMrkdwn(text), SLACK_LIMITS.sectionText) }],
  };
}

/** SNS subjects: printable ASCII, no line breaks. */
function ascii(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function listText(items: readonly string[], max: number): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
