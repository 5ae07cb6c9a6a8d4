/**
 * Reads one input into a {@link FileBatch}: its records classified by `parseEvent`, reduced to
 * the launches, failed attempts and terminations replay keeps. The same code runs in the main
 * thread and in the reading workers (`read-worker.ts`), so a batch is the same wherever it was
 * read.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { type RecordedBilling, recordedBilling } from '../../lambda/core/loop-cost';
import { parseEvent } from '../../lambda/core/parse-event';
import type { FailedAttempt, LaunchRecord, TerminationRecord } from '../../lambda/core/types';
import {
  fileSource,
  isJsonDocumentName,
  MAX_WHOLE_BYTES,
  type RecordSink,
  readBytes,
  readSource,
  type Source,
  SourceError,
  TooLargeError,
  type Where,
} from './read-source';

/** How many malformed records the summary names. */
export const MALFORMED_EXAMPLES = 5;

/**
 * Files up to this size are read whole and gunzipped in one call; bigger ones are streamed.
 * CloudTrail writes a file per account, region and about 5 minutes, mostly far smaller.
 */
export const WHOLE_FILE_BYTES = 8 << 20;

/** What one input yielded. Plain data: it crosses from a worker thread by structured clone. */
export interface FileBatch {
  /** Records read, those the prefilter skipped included. */
  records: number;
  /** Of those, the JSON objects (valid ones, or unparsed ones whose text is `{...}`). */
  objects: number;
  malformed: number;
  /** The first {@link MALFORMED_EXAMPLES} malformed records, as `file:line: reason`. */
  malformedExamples: string[];
  launches: LaunchRecord[];
  failed: FailedAttempt[];
  terminations: TerminationRecord[];
  /** What the RunInstances records say their instances are billed as (for `--prices`/`--online`). */
  billing?: RecordedBilling[];
  /** Set when the input could not be read as a whole (`file:line: reason`): the rest is empty. */
  error?: string;
}

/** A batch that read nothing (yet). */
export function emptyBatch(): FileBatch {
  return {
    records: 0,
    objects: 0,
    malformed: 0,
    malformedExamples: [],
    launches: [],
    failed: [],
    terminations: [],
  };
}

/** A sink that classifies each record into `batch`. */
function batchSink(label: string, batch: FileBatch): RecordSink {
  const bad = (where: Where, reason: string): void => {
    batch.malformed += 1;
    if (batch.malformedExamples.length < MALFORMED_EXAMPLES) {
      batch.malformedExamples.push(`${place(label, where)}: ${reason}`);
    }
  };
  return (item, where) => {
    batch.records += 1;
    if (item.kind === 'skipped') {
      if (item.object) batch.objects += 1;
      return;
    }
    if (item.kind === 'malformed') {
      bad(where, item.reason);
      return;
    }
    if (item.value !== null && typeof item.value === 'object' && !Array.isArray(item.value))
      batch.objects += 1;
    const parsed = parseEvent(item.value);
    if (parsed.kind === 'launch') {
      batch.launches.push(parsed);
      const billing = recordedBilling(item.value);
      if (billing.length > 0) {
        batch.billing ??= [];
        batch.billing.push(...billing);
      }
    } else if (parsed.kind === 'failed') batch.failed.push(parsed);
    else if (parsed.kind === 'terminate') batch.terminations.push(parsed);
    else if (parsed.malformed) bad(where, parsed.reason);
  };
}

/** An input that broke half way keeps nothing but the error: its records are all or nothing. */
function failed(label: string, error: SourceError): FileBatch {
  return { ...emptyBatch(), error: `${label}:${error.line}: ${error.message}` };
}

/** Read a streamed source (standard input, a big file). */
export async function readSourceBatch(source: Source): Promise<FileBatch> {
  const batch = emptyBatch();
  try {
    await readSource(source, batchSink(source.label, batch));
  } catch (error) {
    if (error instanceof SourceError) return failed(source.label, error);
    throw error;
  }
  return batch;
}

/**
 * Read an input held whole (a small file, an S3 object).
 *
 * @returns the batch, or undefined when the bytes inflate too much to hold (stream them instead)
 */
export function readBytesBatch(label: string, bytes: Buffer, jsonDocument: boolean): FileBatch | undefined {
  const batch = emptyBatch();
  try {
    readBytes(bytes, jsonDocument, batchSink(label, batch));
  } catch (error) {
    if (error instanceof TooLargeError) return undefined;
    if (error instanceof SourceError) return failed(label, error);
    throw error;
  }
  return batch;
}

/**
 * Read a file on disk: whole when it is small, else streamed. A small file is read with
 * synchronous calls: on a reading thread nothing else waits for it, and per-call promise
 * overhead was a fifth of the time on an archive of small files.
 */
export async function readFileBatch(path: string): Promise<FileBatch> {
  let bytes: Buffer | undefined;
  try {
    bytes = readSmallFile(path);
  } catch (error) {
    return failed(path, new SourceError(describe(error), 1));
  }
  const batch = bytes === undefined ? undefined : readBytesBatch(path, bytes, isJsonDocumentName(path));
  return batch ?? readSourceBatch(fileSource(path));
}

/** The file's bytes when it holds at most {@link WHOLE_FILE_BYTES}, else undefined. */
function readSmallFile(path: string): Buffer | undefined {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    if (size > WHOLE_FILE_BYTES || size > MAX_WHOLE_BYTES) return undefined;
    const bytes = Buffer.allocUnsafe(size);
    let done = 0;
    while (done < size) {
      const n = readSync(fd, bytes, done, size - done, done);
      if (n === 0) break;
      done += n;
    }
    return done === size ? bytes : bytes.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

/** `file:line`, plus the record's index in a `Records` array (log files are often one line). */
function place(label: string, where: Where): string {
  return where.index === undefined
    ? `${label}:${where.line}`
    : `${label}:${where.line} (record #${where.index})`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
