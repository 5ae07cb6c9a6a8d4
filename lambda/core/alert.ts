/**
 * The alert people read: an SNS subject, a plain-text body and message attributes, built from
 * one {@link TripReport}. The pieces (headline, what was done, undo commands) are exported so
 * the Slack and chat-applications formats say exactly the same things.
 */
import {
  awsUndoCommands,
  byHandCommands,
  resumerCommands,
  suspendedGroups,
  suspendedProcesses,
  undoCommands,
  WRITTEN_TAGS,
} from './alert-commands';
import { amiEvidenceLines, amiFailureLines } from './ami-evidence';
import { formatDuration } from './duration';
import { COST_NOT_COUNTED, costText } from './loop-cost';
import { type AmiGroupOutcome, TRIP_ACTION, TRIP_RULE, type TripEvidence, type TripReport } from './report';

export {
  awsUndoCommands,
  byHandCommands,
  deleteTagsCommand,
  resumerCommands,
  shellWord,
  suspendedGroups,
  undoCommands,
} from './alert-commands';

/** SNS subjects must be shorter than 100 characters. */
export const SUBJECT_MAX = 99;
/** Lists (callers, AMIs, groups) longer than this are cut with "and N more". */
export const LIST_MAX = 10;

/** The rule that tripped, in words (shared by every alert format). */
export function ruleText(report: TripReport): string | undefined {
  const e = report.evidence;
  if (e === undefined) return undefined;
  const deadline = formatDuration(e.deadlineMs);
  const useful = e.cluster
    ? `InService, Healthy and registered with ECS cluster ${e.cluster}`
    : 'InService and Healthy';
  const judged = `A launch counts as failed when it is not ${useful} ${deadline} after launch, or was replaced for a failed health check; scale-ins, refreshes, Spot interruptions and a person's actions never count.`;
  switch (e.rule) {
    case TRIP_RULE.streak:
      return `Streak rule: the group's last ${e.streakNeeded} decided launches all failed, whatever their rate. ${judged}`;
    case TRIP_RULE.count:
      return `Count rule: ${report.threshold} launches in ${formatDuration(report.windowMs)}, and at least ${percent(e.requiredShare ?? 0.5)} of the decided ones (at least 3) failed. ${judged}`;
    case TRIP_RULE.countOnly:
      return `Count rule alone: the confirmation by the launches' fates is off (churnShare: off).`;
  }
}

/** What a suspended Launch means (shared by every alert format). */
export const LAUNCH_SUSPENDED_MEANS =
  'While Launch is suspended the group launches nothing: it does not scale out, and instances ' +
  'that fail their health checks are not replaced. When Launch is resumed, Auto Scaling replaces ' +
  'every instance it found unhealthy meanwhile, all at once.';

/** An alert ready for SNS `Publish`. */
export interface Alert {
  /** At most 99 characters, printable ASCII only, no line breaks. */
  readonly subject: string;
  readonly body: string;
  /** scope, key, account, region, action: for subscription filter policies. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** One SNS message attribute. */
export interface SnsStringAttribute {
  readonly DataType: 'String';
  readonly StringValue: string;
}

/**
 * Build the SNS alert of a trip.
 *
 * @example
 * buildAlert(report).subject; // 'Launch loop: suspended Launch of ecs-capacity-provider-asg (12 in 1h) eu-west-1'
 */
export function buildAlert(report: TripReport): Alert {
  return { subject: subject(report), body: body(report), attributes: alertAttributes(report) };
}

/** The attributes subscribers filter on. */
export function alertAttributes(report: TripReport): Record<string, string> {
  return {
    scope: report.scope.scope,
    key: report.scope.key,
    account: report.scope.account,
    region: report.scope.region,
    action: report.action,
  };
}

/**
 * Turn plain attributes into SNS `MessageAttributes`. Empty values are left out: SNS refuses them.
 */
export function snsAttributes(
  attributes: Readonly<Record<string, string>>,
): Record<string, SnsStringAttribute> {
  const out: Record<string, SnsStringAttribute> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== '') out[name] = { DataType: 'String', StringValue: value };
  }
  return out;
}

/** "Auto Scaling group NAME" or "AMI ami-…". */
export function scopeLabel(report: TripReport): string {
  return report.scope.scope === 'asg' ? `Auto Scaling group ${report.scope.key}` : `AMI ${report.scope.key}`;
}

/** One line saying what happened, e.g. "Launch suspended on Auto Scaling group X". */
export function headline(report: TripReport): string {
  const where = scopeLabel(report);
  const suspended = suspendedGroups(report);
  switch (report.action) {
    case TRIP_ACTION.suspended:
      return report.scope.scope === 'asg'
        ? `${processList(report)} suspended on ${where}: launch loop`
        : `Launch loop on ${where}: ${suspended.length} group(s) suspended`;
    case TRIP_ACTION.wouldSuspend:
      return `Dry run: would have suspended ${report.scope.scope === 'asg' ? where : `the groups launching ${where}`}`;
    case TRIP_ACTION.alreadySuspended:
      return `Launch loop on ${where}: Launch was already suspended, the group was not touched`;
    case TRIP_ACTION.exempt:
      return `Launch loop on ${where}: the group is exempt, the guard did not act`;
    case TRIP_ACTION.groupGone:
      return `Launch loop on ${where}: the group was deleted before the guard could act`;
    case TRIP_ACTION.stale:
      return `Launch loop on ${where} seen late: counted, not acted on`;
    case TRIP_ACTION.alertOnly:
      return `Launch loop on ${where}: alert only, nothing was suspended`;
  }
}

/**
 * The trip's headline evidence. Count rule: "12 distinct instances launched in 1h (threshold
 * 10)", with "at least" when the store kept only part of the window. Streak rule: the streak
 * first, since the count did not trip anything ("the last 5 decided launches all failed …").
 */
export function launchesLine(report: TripReport): string {
  const n = `${report.launchesAtLeast ? 'at least ' : ''}${report.launches}`;
  const launched = `${n} distinct instances launched in ${formatDuration(report.windowMs)}`;
  const e = report.evidence;
  if (e?.rule === TRIP_RULE.streak) {
    return `the last ${streakLength(e)} decided launches all failed (the streak rule trips at ${e.streakNeeded ?? streakLength(e)} in a row); ${launched}`;
  }
  return `${launched} (threshold ${report.threshold})`;
}

/** Failed launches in a row behind a streak trip: the streak seen, else the one needed. */
function streakLength(e: TripEvidence): number {
  return e.streak ?? e.streakNeeded ?? e.failed;
}

/**
 * The `launch-loop-guard:reason` tag of a suspended group: the same numbers as the alert's
 * headline evidence ({@link launchesLine}).
 */
export function reasonTag(
  evidence: TripEvidence | undefined,
  launches: number,
  windowMs: number,
  threshold: number,
): string {
  if (evidence?.rule === TRIP_RULE.streak) {
    return `launch loop: the last ${streakLength(evidence)} decided launches failed`;
  }
  return `launch loop: ${launches} launches in ${formatDuration(windowMs)} (threshold ${threshold})`;
}

/** Failed-launch reasons in words, for the evidence line. */
const FAILED_WORDS: Readonly<Record<string, (deadline: string, cluster?: string) => string>> = {
  'not-registered': (d, c) =>
    `never registered with ECS cluster ${c ?? '?'} (InService, not a container instance ${d} after launch)`,
  'health-replaced': () => 'replaced after failing a health check',
  unhealthy: () => 'marked Unhealthy',
  'still-pending': (d) => `still pending ${d} after launch`,
  'gone-unexplained': (d) => `gone within ${d} of launch, no cause recorded`,
};

/** What became of the launches, in one sentence, or undefined when fates were not judged. */
export function evidenceLine(report: TripReport): string | undefined {
  const e = report.evidence;
  if (e === undefined) return undefined;
  const deadline = formatDuration(e.deadlineMs);
  const reasons = Object.entries(e.failedBy)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([reason, n]) => ({ n, words: FAILED_WORDS[reason]?.(deadline, e.cluster) ?? reason }));
  const lead =
    e.rule === TRIP_RULE.streak
      ? reasons.length === 1
        ? `${streakLength(e)} of the last ${streakLength(e)} decided launches ${reasons[0]!.words}`
        : `the last ${streakLength(e)} decided launches all failed: ${reasons.map((r) => `${r.n} ${r.words}`).join(', ')}`
      : `${e.failed} of the ${e.useful + e.failed} decided launches in the window failed` +
        (reasons.length > 0 ? ` (${reasons.map((r) => `${r.n} ${r.words}`).join(', ')})` : '') +
        (e.requiredShare !== undefined ? `; required: ${percent(e.requiredShare)}` : '');
  const parts = [lead];
  const neutral = Object.entries(e.neutralBy).map(([reason, n]) => `${n} ${reason}`);
  parts.push(
    `${e.useful} useful, ${e.neutral} neutral${neutral.length > 0 ? ` (${neutral.join(', ')})` : ''}, ${e.undecided} not yet decided`,
  );
  if (e.ecsLookupFailed) parts.push('the ECS lookup failed, so registration was not counted');
  if (e.causes.length > 0)
    parts.push(
      `Auto Scaling said: "${e.causes
        .slice(0, 2)
        .map((c) => c.slice(0, 200))
        .join('" / "')}"`,
    );
  const text = parts.join('; ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** The cost estimate in one sentence, or undefined when the report carries none. */
export function costLine(report: TripReport): string | undefined {
  return report.cost === undefined ? undefined : `Estimated cost: ${costText(report.cost)}.`;
}

/** The alert body's cost block: the estimate and what it leaves out (empty without an estimate). */
function costSection(report: TripReport): string[] {
  const line = costLine(report);
  return line === undefined ? [] : ['', 'WHAT IT COSTS (ESTIMATE)', `  ${line}`, `  ${COST_NOT_COUNTED}`];
}

/**
 * The alert's AMI lines (shared by every alert format). Group scope: one line per AMI of the
 * trip, with its own count (this alert stands for it). AMI scope: where its failures are, and
 * which groups' own alerts cover theirs.
 */
export function amiLines(report: TripReport): string[] {
  return report.scope.scope === 'asg'
    ? amiEvidenceLines(report.amiEvidence, report.scope.key)
    : amiFailureLines(report.amiFailures);
}

/** The failed launches by instance id (the useless instances the group may still run), or undefined. */
export function failedLine(report: TripReport): string | undefined {
  const e = report.evidence;
  const ids = e?.failedInstances ?? [];
  if (e === undefined || ids.length === 0) return undefined;
  const more = e.failed - ids.length;
  return `Failed launches: ${ids.join(', ')}${more > 0 ? ` and ${more} more` : ''}.`;
}

/** The sentences saying what the guard did (and did not do). */
export function actionLines(report: TripReport): string[] {
  const lines: string[] = [];
  const processes = processList(report);
  switch (report.action) {
    case TRIP_ACTION.suspended:
      if (report.scope.scope === 'asg') lines.push(`Suspended ${processes} on the group.`);
      break;
    case TRIP_ACTION.wouldSuspend:
      lines.push(`Dry run: the guard would have suspended ${processes}; nothing was changed.`);
      break;
    case TRIP_ACTION.alreadySuspended:
      lines.push(
        'Launch was already suspended (by a person or by AWS): the guard did not touch or tag the group.',
      );
      break;
    case TRIP_ACTION.exempt:
      lines.push('The group is tagged launch-loop-guard:exempt=true: the guard never acts on it.');
      break;
    case TRIP_ACTION.groupGone:
      lines.push('The group no longer exists: nothing to suspend.');
      break;
    case TRIP_ACTION.stale:
      lines.push(
        'The launch was handled after its window had passed (retries or throttling): it was counted, but a late event never suspends anything.',
      );
      break;
    case TRIP_ACTION.alertOnly:
      lines.push('AMI trips alert only (the default): no group was suspended.');
      break;
  }
  if (report.tagged === true) {
    lines.push(`Tagged the group ${andList([...WRITTEN_TAGS])}.`);
  } else if (report.tagged === false) {
    lines.push(
      `The guard's tags could not be written${report.tagError ? ` (${report.tagError})` : ''}; the suspension stands.`,
    );
  }
  for (const g of report.groups ?? []) lines.push(`Group ${g.groupName}: ${groupOutcomeText(g)}.`);
  if (report.ungroupedCallers !== undefined && report.ungroupedCallers.length > 0) {
    lines.push(`Launches outside any Auto Scaling group, by: ${listText(report.ungroupedCallers)}.`);
  }
  const plan = report.autoResume;
  if (plan?.kind === 'scheduled') {
    lines.push(
      `Auto-resume: trip ${plan.trip}; the guard resumes the group at ${iso(plan.at)} (cool-down ${formatDuration(plan.cooldownMs)}).`,
    );
  } else if (plan?.kind === 'manual') {
    lines.push(
      `Auto-resume: trip ${plan.trip} of at most ${plan.maxTrips}; the group stays suspended until a person resumes it.`,
    );
  }
  return lines;
}

/** ISO-8601 time of epoch milliseconds. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** "a, b, c and 4 more". */
export function listText(items: readonly string[], max = LIST_MAX): string {
  if (items.length === 0) return 'none recorded';
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

/** An AMI id with its name when diagnosis could read it. */
export function imageText(report: TripReport, imageId: string): string {
  const name = report.imageNames?.[imageId];
  return name ? `${imageId} (${name})` : imageId;
}

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

function processList(report: TripReport): string {
  return suspendedProcesses(report).join(', ');
}

function groupOutcomeText(g: AmiGroupOutcome): string {
  switch (g.outcome) {
    case 'suspended':
      return `Launch suspended${g.why ? ` (${g.why})` : ''}`;
    case 'would-suspend':
      return 'would have been suspended (dry run)';
    case 'exempt':
      return 'left alone, tagged exempt';
    case 'already-suspended':
      return 'left alone, Launch was already suspended';
    case 'over-cap':
      return 'left alone, over the cap of groups one AMI trip may suspend';
    case 'gone':
      return 'left alone, the group no longer exists';
    case 'not-confirmed':
      return `left alone, ${g.why ?? 'its own launches do not confirm a loop'}`;
    case 'own-alert':
      return 'left to its own trip: it tripped on its own launches, and its own alert says what was done';
  }
}

function subject(report: TripReport): string {
  const e = report.evidence;
  const count =
    e?.rule === TRIP_RULE.streak
      ? `${streakLength(e)} failed in a row`
      : `${report.launchesAtLeast ? '>=' : ''}${report.launches} in ${formatDuration(report.windowMs)}`;
  const tail = ` (${count}) ${report.scope.region}`;
  const prefixes: Record<TripReport['action'], string> = {
    [TRIP_ACTION.suspended]:
      report.scope.scope === 'asg' ? 'Launch loop: suspended ' : 'Launch loop: suspended groups of ',
    [TRIP_ACTION.wouldSuspend]: 'Launch loop (dry run): would suspend ',
    [TRIP_ACTION.alreadySuspended]: 'Launch loop: already suspended, not touched: ',
    [TRIP_ACTION.exempt]: 'Launch loop: exempt group, no action: ',
    [TRIP_ACTION.groupGone]: 'Launch loop: group gone: ',
    [TRIP_ACTION.stale]: 'Launch loop seen late, no action: ',
    [TRIP_ACTION.alertOnly]: 'Launch loop on AMI ',
  };
  const prefix = prefixes[report.action];
  const room = SUBJECT_MAX - prefix.length - tail.length;
  return `${prefix}${cut(asciiLine(report.scope.key), room)}${tail}`;
}

/** "a", "a and b", "a, b and c". */
function andList(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** Make any text a valid SNS subject: printable ASCII, one line, at most 99 characters. */
export function subjectLine(text: string): string {
  return cut(asciiLine(text.replace(/\s+/g, ' ').trim()), SUBJECT_MAX);
}

/** SNS has refused subjects with control or non-ASCII characters: keep printable ASCII only. */
function asciiLine(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

function cut(text: string, room: number): string {
  if (text.length <= room) return text;
  return `${text.slice(0, Math.max(0, room - 3))}...`;
}

/** The account id, and its name when the report carries one (`123456789012 (payments-prod)`). */
export function accountText(report: TripReport): string {
  return report.accountName ? `${report.scope.account} (${report.accountName})` : report.scope.account;
}

function body(report: TripReport): string {
  const out: string[] = [];
  out.push(headline(report), '');
  out.push('WHAT TRIPPED');
  out.push(`  Scope:         ${scopeLabel(report)}`);
  out.push(`  Account:       ${accountText(report)}`);
  out.push(`  Region:        ${report.scope.region}`);
  out.push(`  Launches:      ${launchesLine(report)}`);
  out.push(`  First launch:  ${iso(report.firstLaunch)}`);
  out.push(`  Last launch:   ${iso(report.lastLaunch)}`);
  out.push(`  Callers:       ${listText(report.callers)}`);
  out.push(`  AMIs:          ${listText(report.imageIds.map((id) => imageText(report, id)))}`);
  out.push(`  Event:         ${report.eventId}`);
  if (report.launchesAtLeast) {
    out.push('  (The store keeps only part of a window this busy: the true count is higher.)');
  }
  out.push(...costSection(report));
  const evidence = evidenceLine(report);
  if (evidence !== undefined) {
    out.push('', 'WHY: WHAT BECAME OF THE LAUNCHES', `  ${evidence}`, `  ${ruleText(report)}`);
    const named = failedLine(report);
    if (named !== undefined) out.push(`  ${named}`);
  }
  const amis = amiLines(report);
  if (amis.length > 0) out.push('', 'THE AMI', ...amis.map((l) => `  ${l}`));
  if (report.diagnosis !== undefined && report.diagnosis.length > 0) {
    out.push('', 'LIKELY CAUSE');
    for (const d of report.diagnosis) out.push(`  - ${d}`);
  }
  out.push('', 'WHAT WAS DONE');
  for (const line of actionLines(report)) out.push(`  - ${line}`);
  out.push('  The guard never stops or terminates instances.');
  out.push('', 'WHAT A SUSPENDED LAUNCH MEANS', `  ${LAUNCH_SUSPENDED_MEANS}`);
  const undo = undoCommands(report);
  const byHand = byHandCommands(report);
  if (undo.length > 0) {
    out.push('', 'HOW TO UNDO IT');
    out.push(
      `  Fix the cause first (AMI, instance role, ECS registration), then resume with the AWS CLI${report.viaMemberRole ? `, with credentials for account ${report.scope.account}` : ''}:`,
    );
    for (const c of awsUndoCommands(report)) out.push(`    ${c}`);
    const viaResumer = resumerCommands(report);
    if (viaResumer.length > 0) {
      out.push(
        `  or through the guard's resumer function${report.viaMemberRole ? ` (with credentials of the central account; it acts in account ${report.scope.account} through that account's operator role)` : ''}, which also clears the group's launch window and resets its auto-resume backoff:`,
      );
      for (const c of viaResumer) out.push(`    ${c}`);
    }
  } else {
    out.push('', 'HOW TO UNDO IT', '  Nothing to undo: the guard changed nothing.');
    if (byHand.length > 0) {
      const verb =
        report.action === TRIP_ACTION.alreadySuspended
          ? 'resume it, once the cause is fixed'
          : 'stop the loop by hand';
      out.push(`  To ${verb}:`);
      for (const c of byHand) out.push(`    ${c}`);
    }
  }
  return out.join('\n');
}
