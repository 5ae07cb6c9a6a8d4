/**
 * What `replay` prints: trips on standard output (JSON Lines or a table for people) and the
 * summary on standard error.
 */
import { formatDuration } from '../../lambda/core/duration';
import type { LoopCost } from '../../lambda/core/loop-cost';
import { DEFAULTS, type ScopeKind } from '../../lambda/core/types';
import { costFields } from './costs';
import type { ReplayPolicy, ReplayResult, ScopePeak, Trip } from './engine';
import type { LaunchStats } from './launch-store';

/** How many scopes of each kind the text output lists by peak. */
export const TOP_PEAKS = 10;

/** Everything the summary reports about the reading. */
export interface ReadSummary {
  readonly filesRead: number;
  readonly recordsRead: number;
  /** Of those, the JSON objects (records and events are objects; a CSV row is not). */
  readonly objectsRead: number;
  readonly launchStats: LaunchStats;
  /** Distinct instance ids in launch records. */
  readonly distinctInstances: number;
  /** Of those, the ones counted in at least one scope (they named a group or an AMI). */
  readonly instancesInScope: number;
  readonly malformed: number;
  /** The first few malformed records, as `file:line: reason`. */
  readonly malformedExamples: readonly string[];
  /** Inputs read whole that held no JSON object (an empty file, a CSV, a Terraform file). */
  readonly inputsWithoutRecords: number;
  /** Inputs that could not be read as a whole, as `file:line: reason`. */
  readonly fileErrors: readonly string[];
  /** Digest and Insights files or folders left out. */
  readonly skipped: readonly string[];
}

/** CloudTrail's own time format: ISO 8601, UTC, milliseconds only when there are some. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** One JSON object per trip, one per line, in the contract's key order. */
export function formatJson(result: ReplayResult, costs?: readonly LoopCost[]): string {
  return result.trips
    .map((t, i) =>
      JSON.stringify({
        scope: t.scope.scope,
        account: t.scope.account,
        region: t.scope.region,
        key: t.scope.key,
        launches: t.launches,
        threshold: t.threshold,
        at: isoTime(t.at),
        windowStart: isoTime(t.windowStart),
        eventId: t.eventId,
        // With --prices or --online only: the contract without them is unchanged.
        ...(costs !== undefined ? costFields(costs[i]) : {}),
      }),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** The report for people: trips, the busiest windows per scope, and what the count rule leaves out. */
export function formatText(result: ReplayResult, policy: ReplayPolicy): string {
  const window = formatDuration(policy.windowMs);
  const out: string[] = [];
  out.push(
    `Trips (window ${window}, group threshold ${policy.asgThreshold}, AMI threshold ${policy.amiThreshold}): ${result.trips.length}`,
  );
  if (result.trips.length > 0) out.push(...table(tripHeader(), result.trips.map(tripRow)));
  for (const kind of ['asg', 'ami'] as const) {
    const peaks = topPeaks(result.peaks, kind);
    const label = kind === 'asg' ? 'Auto Scaling groups' : 'AMIs';
    const total = result.peaks.filter((p) => p.scope.scope === kind).length;
    out.push('');
    out.push(`Peak launches in any one ${window} window, ${label} (top ${peaks.length} of ${total}):`);
    if (peaks.length > 0) out.push(...table(peakHeader(), peaks.map(peakRow)));
  }
  out.push('', ...FATES_CAVEAT);
  return `${out.join('\n')}\n`;
}

function tripHeader(): string[] {
  return [
    'SCOPE',
    'ACCOUNT',
    'REGION',
    'KEY',
    'LAUNCHES',
    'THRESHOLD',
    'AT',
    'WINDOW START',
    'TERMINATED',
    'EVENT ID',
  ];
}

function tripRow(t: Trip): string[] {
  return [
    t.scope.scope,
    t.scope.account,
    t.scope.region,
    t.scope.key,
    String(t.launches),
    String(t.threshold),
    isoTime(t.at),
    isoTime(t.windowStart),
    t.terminatedBefore === undefined ? '-' : `${t.terminatedBefore}/${t.launches}`,
    t.eventId,
  ];
}

function peakHeader(): string[] {
  return ['ACCOUNT', 'REGION', 'KEY', 'PEAK', 'WINDOW END', 'TOTAL', 'TRIPS'];
}

function peakRow(p: ScopePeak): string[] {
  return [
    p.scope.account,
    p.scope.region,
    p.scope.key,
    String(p.peak),
    isoTime(p.at),
    String(p.total),
    String(p.trips),
  ];
}

/** The scopes of one kind with the highest peaks; ties by earliest peak, then by name. */
export function topPeaks(peaks: readonly ScopePeak[], kind: ScopeKind): ScopePeak[] {
  return peaks
    .filter((p) => p.scope.scope === kind)
    .sort((a, b) => b.peak - a.peak || a.at - b.at || compareText(label(a), label(b)))
    .slice(0, TOP_PEAKS);
}

function label(p: ScopePeak): string {
  return `${p.scope.account}/${p.scope.region}/${p.scope.key}`;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/**
 * What the text report says the live guard does beyond the count rule. An archive records
 * launches and terminations, not what became of each launch, so replay cannot judge fates.
 */
export const FATES_CAVEAT: readonly string[] = [
  'replay applies the count rule only. The live guard also judges what became of each launch (useful, failed,',
  "neutral or undecided, from the group's live state at the launch's deadline): it acts on a count trip only",
  `when at least ${shareText(DEFAULTS.churnShare)} (churnShare) of the window's decided launches failed, and its streak rule trips a group`,
  `whose last ${DEFAULTS.failedStreak} decided launches failed, at any rate. So it may act on fewer count trips than listed here, and`,
  'on slow loops listed nowhere. "terminated" is how many of the window\'s instances this archive shows ended',
  'before the trip: a hint, not a fate (a scale-in ends instances too).',
];

function shareText(share: number): string {
  return share === 0.5 ? 'half' : `${Math.round(share * 100)}%`;
}

/** The input counts every line of the summary takes, computed in one place. */
export interface InputCounts {
  /** Every input tried: read, empty or unreadable. */
  readonly inputs: number;
  /** Records read: the JSON objects (a CloudTrail record or an event each). */
  readonly records: number;
  /** Inputs that yielded no record: read but empty of JSON objects, or unreadable. */
  readonly withoutRecords: number;
  readonly unreadable: number;
}

/** The counts of {@link ReadSummary}, the only place they are derived. */
export function inputCounts(s: ReadSummary): InputCounts {
  const unreadable = s.fileErrors.length;
  return {
    inputs: s.filesRead + unreadable,
    records: s.objectsRead,
    withoutRecords: s.inputsWithoutRecords + unreadable,
    unreadable,
  };
}

/** `1 input`, `2 inputs`. */
export function inputsText(n: number): string {
  return `${n} input${n === 1 ? '' : 's'}`;
}

/** The last line when no input yielded a record. */
export function noRecordLine(s: ReadSummary): string {
  const c = inputCounts(s);
  return (
    `replay: no input yielded a record: ${inputsText(c.inputs)} read, none holding a JSON object ` +
    '(expected CloudTrail log files {"Records":[...]}, or JSON Lines of records or EventBridge events)'
  );
}

/** The summary written to standard error. */
export function formatSummary(s: ReadSummary): string {
  const st = s.launchStats;
  const c = inputCounts(s);
  const out = [`replay: read ${c.records} record${c.records === 1 ? '' : 's'} from ${inputsText(c.inputs)}`];
  if (c.withoutRecords > 0) {
    const parts = [`${c.withoutRecords - c.unreadable} without a JSON object`, `${c.unreadable} unreadable`];
    out.push(`  inputs that yielded no record: ${c.withoutRecords} (${parts.join(', ')})`);
  }
  out.push(`  launches counted (distinct instances): ${s.distinctInstances}`);
  if (s.distinctInstances > s.instancesInScope) {
    out.push(
      `    of which named neither a group nor an AMI (counted in no scope): ${s.distinctInstances - s.instancesInScope}`,
    );
  }
  out.push(
    `  duplicate mentions ignored: ${st.instanceMentions - s.distinctInstances}`,
    `  launches counted from truncated records: ${st.truncatedLaunches}`,
    `  failed attempts: ${st.failedAttempts}${st.dryRuns > 0 ? ` (${st.dryRuns} dry runs)` : ''}`,
    `  terminations seen: ${st.terminationRecords} records`,
    `  malformed records skipped: ${s.malformed}`,
  );
  for (const m of s.malformedExamples) out.push(`    ${m}`);
  if (s.malformed > s.malformedExamples.length)
    out.push(`    … and ${s.malformed - s.malformedExamples.length} more`);
  if (s.fileErrors.length > 0) {
    out.push(`  files skipped as unreadable: ${s.fileErrors.length}`);
    for (const e of s.fileErrors) out.push(`    ${e}`);
  }
  if (s.skipped.length > 0) out.push(`  digest and Insights files or folders skipped: ${s.skipped.length}`);
  if (c.unreadable > 0 && c.records > 0) {
    out.push(
      `replay: ${c.unreadable} of ${c.inputs} inputs could not be read and were left out; the results cover the rest`,
    );
  }
  return `${out.join('\n')}\n`;
}
