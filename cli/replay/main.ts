/**
 * `replay`: run the detection core's counting and count rule over CloudTrail history.
 *
 * `replay [--asg-threshold N] [--ami-threshold N] [--window D] [--format text|json] PATH...`
 *
 * Exit 0 when it ran (trips or not); exit 2 with one line on standard error for a bad flag, a bad
 * value or an unreadable PATH. A malformed record never stops the run.
 */
import type { Readable, Writable } from 'node:stream';
import { parseEvent } from '../../lambda/core/parse-event';
import type { FailedAttempt, LaunchRecord, TerminationRecord } from '../../lambda/core/types';
import { REPLAY_HELP } from '../help';
import { parseReplayArgs, type ReplayOptions, UsageError } from './args';
import { replayLaunches } from './engine';
import { InputError, resolveInputs } from './inputs';
import { LaunchStore } from './launch-store';
import { formatJson, formatSummary, formatText, type ReadSummary } from './output';
import { fileSource, readSource, type Source, SourceError, stdinSource, type Where } from './read-source';

/** How many malformed records the summary names. */
export const MALFORMED_EXAMPLES = 5;

/** The streams `replay` talks to (the process's own, or test doubles). */
export interface ReplayIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/** Run `replay` on the process's streams. @returns the exit code */
export function main(argv: readonly string[]): Promise<number> {
  return runReplay(argv, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
}

/** Run `replay` with the given arguments (those after `replay`) and streams. @returns the exit code */
export async function runReplay(argv: readonly string[], io: ReplayIo): Promise<number> {
  let options: ReplayOptions | 'help';
  let inputs: ReturnType<typeof resolveInputs>;
  try {
    options = parseReplayArgs(argv);
    if (options === 'help') {
      io.stdout.write(`${REPLAY_HELP}\n`);
      return 0;
    }
    inputs = resolveInputs(options.paths);
  } catch (error) {
    if (error instanceof UsageError || error instanceof InputError) {
      io.stderr.write(`replay: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const sources = inputs.inputs.map((p) => (p === '-' ? stdinSource(io.stdin) : fileSource(p)));
  const { store, summary } = await readAll(sources, inputs.skipped);
  const result = replayLaunches(store, options);
  io.stdout.write(options.format === 'json' ? formatJson(result) : formatText(result, options));
  io.stderr.write(formatSummary(summary));
  return 0;
}

interface FileBatch {
  records: number;
  malformed: string[];
  launches: LaunchRecord[];
  failed: FailedAttempt[];
  terminations: TerminationRecord[];
}

/**
 * Read every source, one at a time. A source's records are committed only when the whole source
 * was read: one that breaks half way (bad gzip, cut-off JSON) is reported and skipped entirely.
 */
export async function readAll(
  sources: readonly Source[],
  skipped: readonly string[] = [],
): Promise<{ store: LaunchStore; summary: ReadSummary }> {
  const store = new LaunchStore();
  let recordsRead = 0;
  let filesRead = 0;
  let malformed = 0;
  const malformedExamples: string[] = [];
  const fileErrors: string[] = [];
  for (const source of sources) {
    const batch: FileBatch = { records: 0, malformed: [], launches: [], failed: [], terminations: [] };
    try {
      await readSource(source, (item, where) => {
        batch.records += 1;
        if (item.kind === 'skipped') return;
        if (item.kind === 'malformed') {
          batch.malformed.push(`${place(source.label, where)}: ${item.reason}`);
          return;
        }
        const parsed = parseEvent(item.value);
        if (parsed.kind === 'launch') batch.launches.push(parsed);
        else if (parsed.kind === 'failed') batch.failed.push(parsed);
        else if (parsed.kind === 'terminate') batch.terminations.push(parsed);
        else if (parsed.malformed) batch.malformed.push(`${place(source.label, where)}: ${parsed.reason}`);
      });
    } catch (error) {
      if (!(error instanceof SourceError)) throw error;
      fileErrors.push(`${source.label}:${error.line}: ${error.message}`);
      continue;
    }
    filesRead += 1;
    recordsRead += batch.records;
    malformed += batch.malformed.length;
    for (const m of batch.malformed)
      if (malformedExamples.length < MALFORMED_EXAMPLES) malformedExamples.push(m);
    for (const r of batch.launches) store.addLaunch(r);
    for (const r of batch.failed) store.addFailed(r);
    for (const r of batch.terminations) store.addTermination(r);
  }
  return {
    store,
    summary: {
      filesRead,
      recordsRead,
      launchStats: store.stats,
      distinctInstances: store.instanceIds.length,
      instancesInScope: store.instancesInScope(),
      malformed,
      malformedExamples,
      fileErrors,
      skipped,
    },
  };
}

/** `file:line`, plus the record's index in a `Records` array (log files are often one line). */
function place(label: string, where: Where): string {
  return where.index === undefined
    ? `${label}:${where.line}`
    : `${label}:${where.line} (record #${where.index})`;
}
