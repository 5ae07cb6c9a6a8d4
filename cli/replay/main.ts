/**
 * `replay`: run the detection core's counting and count rule over CloudTrail history.
 *
 * `replay [--asg-threshold N] [--ami-threshold N] [--window D] [--format text|json] [--threads N] PATH...`
 *
 * Exit codes:
 * - 0 when it ran (trips or not) and at least one input yielded a record;
 * - 2 with one line on standard error for a bad flag, a bad value, an unreadable PATH, or PATHs
 *   that hold no log file (an empty folder, only digest files);
 * - 2 after the summary when no input yielded a record (every file broken, a CSV, an empty
 *   standard input): a JSON object is what every CloudTrail record and event is.
 *
 * Partly readable inputs: a malformed record is reported (`file:line`) and skipped, the rest of
 * its file kept; a file that cannot be read as a whole (bad gzip, cut off, not JSON) is reported
 * and skipped entirely, never half counted. Both leave the exit code 0 as long as some input
 * yielded a record, and the summary's last line then says how many inputs were left out.
 */
import type { Readable, Writable } from 'node:stream';
import { parseReplayArgs, type ReplayOptions, USAGE, UsageError } from './args';
import { replayLaunches } from './engine';
import { InputError, resolveInputs } from './inputs';
import { LaunchStore } from './launch-store';
import { formatJson, formatSummary, formatText, type ReadSummary } from './output';
import { type FileBatch, MALFORMED_EXAMPLES, readSourceBatch } from './read-batch';
import { defaultThreads, inOrder, inThreadReader, WorkerReader } from './read-pool';
import { type Source, stdinSource } from './read-source';

export { MALFORMED_EXAMPLES };

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
    options = parseReplayArgs(argv, defaultThreads());
    if (options === 'help') {
      io.stdout.write(`${USAGE}\n`);
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
  const reads: ReadInput[] = inputs.inputs.map((p) =>
    p === '-' ? { kind: 'stream', source: stdinSource(io.stdin) } : { kind: 'file', path: p },
  );
  if (reads.length === 0) {
    io.stderr.write(
      `replay: no log file in ${options.paths.join(', ')}: expected CloudTrail files (*.json, *.jsonl, either gzipped)` +
        `${inputs.skipped.length > 0 ? `; ${inputs.skipped.length} digest or Insights files or folders were left out` : ''}\n`,
    );
    return 2;
  }
  const { store, summary } = await readAll(reads, inputs.skipped, options.threads);
  if (summary.objectsRead === 0) {
    io.stderr.write(formatSummary(summary));
    io.stderr.write(
      `replay: no input yielded a record: ${reads.length} input${reads.length === 1 ? '' : 's'} read, ` +
        'none holding a JSON object (expected CloudTrail log files {"Records":[...]}, or JSON Lines of records or EventBridge events)\n',
    );
    return 2;
  }
  const result = replayLaunches(store, options);
  io.stdout.write(options.format === 'json' ? formatJson(result) : formatText(result, options));
  io.stderr.write(formatSummary(summary));
  return 0;
}

/** One input of {@link readAll}: a file (read whole or streamed, on any thread) or a stream. */
export type ReadInput =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'stream'; readonly source: Source };

/**
 * Read every input, on up to `threads` threads. A source's records are committed only when the
 * whole source was read: one that breaks half way (bad gzip, cut-off JSON) is reported and
 * skipped entirely. Batches are committed in input order, so the result is the same whatever
 * the number of threads.
 */
export async function readAll(
  inputs: readonly ReadInput[],
  skipped: readonly string[] = [],
  threads = 1,
): Promise<{ store: LaunchStore; summary: ReadSummary }> {
  const store = new LaunchStore();
  let recordsRead = 0;
  let objectsRead = 0;
  let filesRead = 0;
  let malformed = 0;
  const malformedExamples: string[] = [];
  const fileErrors: string[] = [];
  const commit = (batch: FileBatch): void => {
    if (batch.error !== undefined) {
      fileErrors.push(batch.error);
      return;
    }
    filesRead += 1;
    recordsRead += batch.records;
    objectsRead += batch.objects;
    malformed += batch.malformed;
    for (const m of batch.malformedExamples)
      if (malformedExamples.length < MALFORMED_EXAMPLES) malformedExamples.push(m);
    for (const r of batch.launches) store.addLaunch(r);
    for (const r of batch.failed) store.addFailed(r);
    for (const r of batch.terminations) store.addTermination(r);
  };
  const files = inputs.filter((i) => i.kind === 'file').length;
  const workers = Math.min(threads, files);
  const reader = workers > 1 ? new WorkerReader(workers) : inThreadReader();
  try {
    const jobs = inputs.map((input) =>
      input.kind === 'stream'
        ? () => readSourceBatch(input.source)
        : async () => (await reader.read({ kind: 'file', path: input.path }))!,
    );
    // A few jobs per thread in flight: reads overlap parsing, memory stays a few files per thread.
    await inOrder(jobs, 4 * Math.max(workers, 1), commit);
  } finally {
    await reader.close();
  }
  return {
    store,
    summary: {
      filesRead,
      recordsRead,
      objectsRead,
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
