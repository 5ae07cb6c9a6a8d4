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
import type { S3Client } from '@aws-sdk/client-s3';
import { usd } from '../../lambda/core/loop-cost';
import { REPLAY_HELP } from '../help';
import { parseReplayArgs, type ReplayOptions, UsageError } from './args';
import { ATHENA, tripsSql } from './athena-sql';
import { formatCosts, type PriceClients, readPriceFile, type TripCosts, tripCosts } from './costs';
import { replayLaunches } from './engine';
import { InputError, resolveInputs } from './inputs';
import { LaunchStore } from './launch-store';
import { formatJson, formatSummary, formatText, inputCounts, noRecordLine, type ReadSummary } from './output';
import { Progress } from './progress';
import {
  emptyBatch,
  type FileBatch,
  MALFORMED_EXAMPLES,
  readSourceBatch,
  WHOLE_FILE_BYTES,
} from './read-batch';
import { type BatchReader, defaultThreads, inOrder, inThreadReader, WorkerReader } from './read-pool';
import { isJsonDocumentName, type Source, stdinSource } from './read-source';
import type { DayRange } from './s3-inputs';
import { isS3Url, parseS3Url, type S3Location } from './s3-url';

export { MALFORMED_EXAMPLES };

/** The streams `replay` talks to (the process's own, or test doubles), and how it reaches S3. */
export interface ReplayIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** The S3 client for `s3://` PATHs (default: the standard credential chain and region). */
  readonly s3?: (profile: string | undefined) => S3Client;
  /** The clients of `--online` (default: the standard credential chain). */
  readonly prices?: PriceClients;
}

/** The real S3 client: standard chain, or the named profile; follows a bucket to its region. */
async function defaultS3(profile: string | undefined): Promise<S3Client> {
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new S3Client({ ...(profile === undefined ? {} : { profile }), followRegionRedirects: true });
}

/** Run `replay` on the process's streams. @returns the exit code */
export function main(argv: readonly string[]): Promise<number> {
  return runReplay(argv, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr });
}

/** Run `replay` with the given arguments (those after `replay`) and streams. @returns the exit code */
export async function runReplay(argv: readonly string[], io: ReplayIo): Promise<number> {
  let options: ReplayOptions | 'help';
  let inputs: ReturnType<typeof resolveInputs>;
  let local: string[];
  let s3: S3Location[];
  try {
    options = parseReplayArgs(argv, defaultThreads());
    if (options === 'help') {
      io.stdout.write(`${REPLAY_HELP}\n`);
      return 0;
    }
    if (options.sql !== undefined) {
      io.stdout.write(
        tripsSql(options, { table: options.sql.table, since: options.since, until: options.until }, ATHENA),
      );
      return 0;
    }
    local = options.paths.filter((p) => !isS3Url(p));
    s3 = options.paths.filter(isS3Url).map((url) => {
      const location = parseS3Url(url);
      if (location === undefined || location.bucket === '')
        throw new UsageError(`${url} is not s3://bucket/prefix`);
      return location;
    });
    if (s3.length === 0 && (options.since !== undefined || options.until !== undefined)) {
      throw new UsageError('--since and --until pick day folders of s3:// PATHs; give one');
    }
    inputs = local.length === 0 ? { inputs: [], skipped: [] } : resolveInputs(local);
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
  if (s3.length > 0) {
    const days = { since: options.since, until: options.until };
    const s3in = await import('./s3-inputs.js');
    const client = io.s3 === undefined ? await defaultS3(options.profile) : io.s3(options.profile);
    const progress = new Progress(io.stderr);
    try {
      const objects = s3Reads(s3in, client, s3, days, progress);
      const { store, summary } = await readAll(
        concat(reads, objects),
        inputs.skipped,
        options.threads,
        progress,
      );
      progress.finish();
      return report(store, summary, options, io);
    } catch (error) {
      progress.finish();
      if (!(error instanceof s3in.S3InputError)) throw error;
      io.stderr.write(`replay: ${error.message}\n`);
      return 2;
    } finally {
      client.destroy();
    }
  }
  if (reads.length === 0) {
    io.stderr.write(
      `replay: no log file in ${options.paths.join(', ')}: expected CloudTrail files (*.json, *.jsonl, either gzipped)` +
        `${inputs.skipped.length > 0 ? `; ${inputs.skipped.length} digest or Insights files or folders were left out` : ''}\n`,
    );
    return 2;
  }
  const { store, summary } = await readAll(reads, inputs.skipped, options.threads);
  return report(store, summary, options, io);
}

/** Print the trips and the summary; exit 2 when no input yielded a record. */
async function report(
  store: LaunchStore,
  summary: ReadSummary,
  options: ReplayOptions,
  io: ReplayIo,
): Promise<number> {
  if (inputCounts(summary).records === 0) {
    io.stderr.write(formatSummary(summary));
    io.stderr.write(`${noRecordLine(summary)}\n`);
    return 2;
  }
  const priced = options.prices !== undefined || options.online === true;
  const result = replayLaunches(store, options, { keepWindows: priced });
  let costs: TripCosts | undefined;
  if (priced) {
    try {
      costs = await tripCosts(
        result,
        store,
        options.prices !== undefined
          ? { file: readPriceFile(options.prices) }
          : { online: io.prices ?? (await defaultPriceClients()), now: Date.now() },
      );
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      io.stderr.write(`replay: ${error.message}\n`);
      return 2;
    }
  }
  io.stdout.write(
    options.format === 'json'
      ? formatJson(result, costs?.costs)
      : formatText(result, options) + (costs ? formatCosts(result, costs) : ''),
  );
  io.stderr.write(formatSummary(summary));
  if (costs && options.format === 'json')
    io.stderr.write(
      `Total the guard would have stopped: ${usd(costs.stoppedPerDayUsd)} per day (${costs.unknown} trips unknown)\n`,
    );
  return 0;
}

/** Price List and EC2 clients for `--online`: short timeouts, one retry. */
async function defaultPriceClients(): Promise<PriceClients> {
  const { PricingClient } = await import('@aws-sdk/client-pricing');
  const { EC2Client } = await import('@aws-sdk/client-ec2');
  const lookup = { maxAttempts: 2, requestHandler: { connectionTimeout: 1_000, requestTimeout: 5_000 } };
  return {
    pricing: (region) => new PricingClient({ region, ...lookup }),
    ec2: (region) => new EC2Client({ region, ...lookup }),
  };
}

async function* concat<T>(first: readonly T[], rest: AsyncIterable<T>): AsyncGenerator<T> {
  yield* first;
  yield* rest;
}

/** The S3 objects of every location, in PATH order then key order, as read inputs. */
async function* s3Reads(
  s3in: typeof import('./s3-inputs.js'),
  client: S3Client,
  locations: readonly S3Location[],
  days: DayRange,
  progress: Progress,
): AsyncGenerator<ReadInput> {
  for (const location of locations) {
    for await (const object of s3in.listLogObjects(client, location, days)) {
      progress.list(object.size);
      yield {
        kind: 'object',
        label: `s3://${location.bucket}/${object.key}`,
        size: object.size,
        jsonDocument: isJsonDocumentName(object.key),
        fetch: () => s3in.fetchObject(client, location.bucket, object.key),
        stream: () => s3in.streamObject(client, location.bucket, object.key),
      };
    }
  }
  progress.listingComplete();
}

/**
 * One input of {@link readAll}: a file (read whole or streamed, on any thread), a stream, or an
 * object fetched whole (then parsed on any thread) or streamed when it is big.
 */
export type ReadInput =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'stream'; readonly source: Source }
  | {
      readonly kind: 'object';
      readonly label: string;
      readonly size: number;
      readonly jsonDocument: boolean;
      readonly fetch: () => Promise<Uint8Array>;
      readonly stream: () => Readable;
    };

/**
 * Read every input, on up to `threads` threads. A source's records are committed only when the
 * whole source was read: one that breaks half way (bad gzip, cut-off JSON) is reported and
 * skipped entirely. Batches are committed in input order, so the result is the same whatever
 * the number of threads.
 */
export async function readAll(
  inputs: readonly ReadInput[] | AsyncIterable<ReadInput>,
  skipped: readonly string[] = [],
  threads = 1,
  progress?: Progress,
): Promise<{ store: LaunchStore; summary: ReadSummary }> {
  const store = new LaunchStore();
  let recordsRead = 0;
  let objectsRead = 0;
  let filesRead = 0;
  let inputsWithoutRecords = 0;
  let malformed = 0;
  const malformedExamples: string[] = [];
  const fileErrors: string[] = [];
  const commitOne = (batch: FileBatch): void => {
    if (batch.error !== undefined) {
      fileErrors.push(batch.error);
      return;
    }
    filesRead += 1;
    if (batch.objects === 0) inputsWithoutRecords += 1;
    recordsRead += batch.records;
    objectsRead += batch.objects;
    malformed += batch.malformed;
    for (const m of batch.malformedExamples)
      if (malformedExamples.length < MALFORMED_EXAMPLES) malformedExamples.push(m);
    for (const r of batch.launches) store.addLaunch(r);
    for (const r of batch.failed) store.addFailed(r);
    for (const r of batch.terminations) store.addTermination(r);
    for (const b of batch.billing ?? [])
      if (!store.billing.has(b.instanceId)) store.billing.set(b.instanceId, b);
  };
  // Threads only for what they can share: a lone file or standard input is read right here.
  const commit = (batches: readonly FileBatch[]): void => {
    for (const b of batches) commitOne(b);
  };
  const files = Array.isArray(inputs) ? inputs.filter((i) => i.kind === 'file').length : undefined;
  const workers = files === undefined ? threads : Math.min(threads, files);
  const reader = workers > 1 ? new WorkerReader(workers) : inThreadReader();
  // Small files go to a thread a few dozen at a time: a message per file cost more than the file.
  const perJob = Math.max(1, Math.min(32, Math.floor((files ?? 0) / (8 * Math.max(workers, 1)))));
  try {
    // A few jobs per thread in flight: reads overlap parsing, memory stays a few files per thread.
    await inOrder(jobs(inputs, perJob, reader, progress), 4 * Math.max(workers, 1), commit);
  } finally {
    await reader.close();
  }
  return {
    store,
    summary: {
      filesRead,
      inputsWithoutRecords,
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

/** The read jobs, in input order: runs of up to `perJob` files, then one job per other input. */
async function* jobs(
  inputs: readonly ReadInput[] | AsyncIterable<ReadInput>,
  perJob: number,
  reader: BatchReader,
  progress: Progress | undefined,
): AsyncGenerator<() => Promise<FileBatch[]>> {
  let paths: string[] = [];
  const files = (run: readonly string[]) => async () => (await reader.read({ kind: 'files', paths: run }))!;
  for await (const input of inputs) {
    if (input.kind === 'file') {
      paths.push(input.path);
      if (paths.length >= perJob) {
        yield files(paths);
        paths = [];
      }
      continue;
    }
    if (paths.length > 0) {
      yield files(paths);
      paths = [];
    }
    if (input.kind === 'stream') {
      const source = input.source;
      yield async () => [await readSourceBatch(source)];
    } else yield async () => [await readObject(input, reader, progress)];
  }
  if (paths.length > 0) yield files(paths);
}

/** Fetch an object whole and parse it on a reading thread; stream it when it is big. */
async function readObject(
  input: ReadInput & { kind: 'object' },
  reader: BatchReader,
  progress: Progress | undefined,
): Promise<FileBatch> {
  const streamed = (): Promise<FileBatch> =>
    readSourceBatch({ label: input.label, open: input.stream, jsonDocument: input.jsonDocument });
  let batch: FileBatch;
  if (input.size > WHOLE_FILE_BYTES) batch = await streamed();
  else {
    let bytes: Uint8Array;
    try {
      bytes = await input.fetch();
    } catch (error) {
      // One object that cannot be fetched (denied by its KMS key, deleted since the listing) is
      // reported like a broken file; the SDK already retried what was transient.
      return unreadable(input.label, error);
    }
    const job = { kind: 'bytes', label: input.label, bytes, jsonDocument: input.jsonDocument } as const;
    batch = (await reader.read(job))?.[0] ?? (await streamed());
  }
  progress?.read(input.size);
  return batch;
}

function unreadable(label: string, error: unknown): FileBatch {
  const name = (error as { name?: unknown }).name;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const reason = status === undefined ? String(name) : `${String(name)} (HTTP ${status})`;
  return { ...emptyBatch(), error: `${label}:1: cannot fetch: ${reason}` };
}
