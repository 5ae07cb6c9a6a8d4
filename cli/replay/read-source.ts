/**
 * Reads one input (a file or standard input) as a stream and hands out its records one by one.
 *
 * The format is recognised from the bytes, not trusted from the name: gzip by its magic number,
 * a CloudTrail log file by its `{"Records":[` opening, anything else as JSON Lines. A `.json`
 * file that is not a log file (one pretty-printed event, say) is read whole as one JSON value.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { constants, createGunzip, gunzipSync } from 'node:zlib';
import { mayMatter } from './prefilter';
import { RECORDS_PREFIX, RecordsSplitter, SplitError } from './records-splitter';

/** One input to read. */
export interface Source {
  /** The path as given (or found in a directory), or `-` for standard input. */
  readonly label: string;
  /** Opens the raw byte stream. */
  readonly open: () => Readable;
  /** True for a `.json` / `.json.gz` file, which may hold one JSON document. */
  readonly jsonDocument: boolean;
}

/** A record's place in its input, for messages: `file:line` and, in a log file, its index. */
export interface Where {
  readonly line: number;
  /** 1-based position in a `Records` array or top-level JSON array. */
  readonly index?: number;
}

/**
 * One record of an input: its JSON value, or why it is not valid JSON, or `skipped` when the
 * prefilter showed it cannot be a launch, a failed launch or a termination (it was not parsed;
 * `object` tells whether its text is `{...}`, as every CloudTrail record and event is).
 */
export type SourceItem =
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'malformed'; readonly reason: string }
  | { readonly kind: 'skipped'; readonly object: boolean };

/** What an input yields, one call per record. */
export type RecordSink = (item: SourceItem, where: Where) => void;

const SKIPPED_OBJECT: SourceItem = { kind: 'skipped', object: true };
const SKIPPED_OTHER: SourceItem = { kind: 'skipped', object: false };

/** The input as a whole cannot be read: not gzip, not JSON, cut off, or an I/O error. */
export class SourceError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'SourceError';
  }
}

/** Whether a file name says it may hold one JSON document (`.json`, `.json.gz`). */
export function isJsonDocumentName(name: string): boolean {
  return /\.json(\.gz)?$/i.test(name);
}

/** A source for a file on disk, streamed (for files too big to hold whole; see `read-batch.ts`). */
export function fileSource(path: string): Source {
  return {
    label: path,
    // Node's default 64 KiB chunks: a 1 MiB buffer per file was most of the garbage on small files.
    open: () => createReadStream(path),
    jsonDocument: isJsonDocumentName(path),
  };
}

/** A source for standard input: a log file or JSON Lines, uncompressed (gzip is accepted too). */
export function stdinSource(stdin: Readable): Source {
  return { label: '-', open: () => stdin, jsonDocument: false };
}

const PEEK_BYTES = 64;

/**
 * Read every record of a source.
 *
 * @throws SourceError when the input is not readable as a whole (the caller skips it)
 */
export async function readSource(source: Source, sink: RecordSink): Promise<void> {
  let line = 1;
  let reader: ChunkReader | undefined;
  let raw: Readable | undefined;
  try {
    raw = source.open();
    const pending: Buffer[] = [];
    let pendingBytes = 0;
    for await (const chunk of decoded(raw)) {
      if (reader === undefined) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes < PEEK_BYTES) continue;
        reader = chooseReader(Buffer.concat(pending), source.jsonDocument, sink);
        for (const c of pending) reader.push(c);
        continue;
      }
      reader.push(chunk);
    }
    if (reader === undefined) {
      reader = chooseReader(Buffer.concat(pending), source.jsonDocument, sink);
      for (const c of pending) reader.push(c);
    }
    reader.end();
  } catch (error) {
    if (error instanceof SourceError) throw error;
    if (error instanceof SplitError) throw new SourceError(error.message, error.line);
    line = reader?.line() ?? line;
    throw new SourceError(describe(error), line);
  } finally {
    // Release the file at once, also when gzip or JSON failed half way.
    if (raw !== undefined && source.label !== '-') raw.destroy();
  }
}

/**
 * The most bytes one gunzip call may produce; a bigger input is streamed instead (see
 * `read-batch.ts`), so memory per reader stays bounded whatever the archive holds.
 */
export const MAX_WHOLE_BYTES = 64 << 20;

/** Thrown by {@link readBytes} when the input inflates past {@link MAX_WHOLE_BYTES}. */
export class TooLargeError extends Error {
  constructor() {
    super(`inflates to more than ${MAX_WHOLE_BYTES} bytes`);
    this.name = 'TooLargeError';
  }
}

/**
 * Read every record of an input held whole in memory (a small file, an S3 object): one gunzip
 * call and one pass over the bytes, no streams. Same records, same order and same errors as
 * {@link readSource} on the same bytes.
 *
 * @throws SourceError when the input is not readable as a whole (the caller skips it)
 * @throws TooLargeError when it inflates past {@link MAX_WHOLE_BYTES} (the caller streams it)
 */
export function readBytes(bytes: Buffer, jsonDocument: boolean, sink: RecordSink): void {
  let reader: ChunkReader | undefined;
  try {
    let text = bytes;
    if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
      try {
        text = gunzipSync(bytes, { maxOutputLength: MAX_WHOLE_BYTES, chunkSize: outputChunk(bytes.length) });
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw new TooLargeError();
        // As a stream would: hand out what decodes before the break, then report the break at
        // the line it reached.
        const partial = partialGunzip(bytes);
        reader = chooseReader(partial, jsonDocument, sink);
        if (partial.length > 0) reader.push(partial);
        throw error;
      }
    }
    reader = chooseReader(text, jsonDocument, sink);
    if (text.length > 0) reader.push(text);
    reader.end();
  } catch (error) {
    if (error instanceof TooLargeError || error instanceof SourceError) throw error;
    if (error instanceof SplitError) throw new SourceError(error.message, error.line);
    throw new SourceError(describe(error), reader?.line() ?? 1);
  }
}

/**
 * An output chunk big enough for most inputs in one piece (CloudTrail JSON inflates about 7 to
 * 10 times): zlib's default 16 KiB chunks cost a copy and garbage per piece.
 */
function outputChunk(compressed: number): number {
  return Math.min(MAX_WHOLE_BYTES, Math.max(1 << 16, 2 ** Math.ceil(Math.log2(compressed * 12))));
}

/** What a broken gzip stream decodes to before it breaks (empty when nothing does). */
function partialGunzip(bytes: Buffer): Buffer {
  try {
    return gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: MAX_WHOLE_BYTES });
  } catch {
    // Broken from its first bytes: nothing decodes, the error is reported at line 1.
    return Buffer.alloc(0);
  }
}

interface ChunkReader {
  push(chunk: Buffer): void;
  end(): void;
  /** The line reached so far, for an error that stops the read. */
  line(): number;
}

/** Gunzip when the stream starts with the gzip magic number, else pass the bytes through. */
async function* decoded(raw: Readable): AsyncGenerator<Buffer> {
  let gunzip: ReturnType<typeof createGunzip> | undefined;
  const iterator = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  let first = await iterator.next();
  while (!first.done && toBuffer(first.value).length === 0) first = await iterator.next();
  if (first.done) return;
  const head = toBuffer(first.value);
  if (head[0] !== 0x1f || head[1] !== 0x8b) {
    yield head;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) yield toBuffer(r.value);
    return;
  }
  gunzip = createGunzip({ chunkSize: 1 << 16 });
  const feed = (async () => {
    try {
      gunzip.write(head);
      for (let r = await iterator.next(); !r.done; r = await iterator.next()) {
        if (!gunzip.write(toBuffer(r.value))) await new Promise((resolve) => gunzip!.once('drain', resolve));
      }
      gunzip.end();
    } catch (error) {
      gunzip.destroy(error as Error);
    }
  })();
  for await (const chunk of gunzip) yield chunk as Buffer;
  await feed;
}

function toBuffer(value: Buffer | string): Buffer {
  return typeof value === 'string' ? Buffer.from(value) : value;
}

function chooseReader(head: Buffer, jsonDocument: boolean, sink: RecordSink): ChunkReader {
  const text = head.toString('latin1', 0, Math.min(head.length, 4096));
  if (RECORDS_PREFIX.test(text)) return recordsReader(sink);
  if (jsonDocument) return documentReader(sink);
  return linesReader(sink);
}

function recordsReader(sink: RecordSink): ChunkReader {
  let lastLine = 1;
  const splitter = new RecordsSplitter((r) => {
    lastLine = r.line;
    const item = mayMatter(r.bytes)
      ? parseJson(r.bytes.toString('utf8'))
      : r.bytes[0] === OPEN_BRACE
        ? SKIPPED_OBJECT
        : SKIPPED_OTHER;
    sink(item, {
      line: r.line,
      index: r.index,
    });
  });
  return { push: (c) => splitter.push(c), end: () => splitter.end(), line: () => lastLine };
}

/** JSON Lines: one event or record per line; blank lines are skipped. */
function linesReader(sink: RecordSink): ChunkReader {
  let rest: Buffer | undefined;
  let line = 0;
  const one = (bytes: Buffer): void => {
    line += 1;
    if (!mayMatter(bytes)) {
      if (!isBlank(bytes)) sink(looksLikeObject(bytes) ? SKIPPED_OBJECT : SKIPPED_OTHER, { line });
      return;
    }
    sink(parseJson(bytes.toString('utf8')), { line });
  };
  return {
    push(chunk) {
      const buf = rest === undefined ? chunk : Buffer.concat([rest, chunk]);
      let from = 0;
      for (let nl = buf.indexOf(0x0a, from); nl !== -1; nl = buf.indexOf(0x0a, from)) {
        one(buf.subarray(from, nl));
        from = nl + 1;
      }
      rest = from < buf.length ? buf.subarray(from) : undefined;
    },
    end() {
      if (rest !== undefined) one(rest);
      rest = undefined;
    },
    line: () => line + 1,
  };
}

/**
 * A `.json` file that is not a CloudTrail log file: one JSON value, read whole. An object with a
 * `Records` array or a top-level array yields its elements; any other value is one record.
 */
function documentReader(sink: RecordSink): ChunkReader {
  const parts: Buffer[] = [];
  return {
    push: (c) => parts.push(c),
    end() {
      const text = Buffer.concat(parts).toString('utf8');
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new SourceError(`not valid JSON: ${describe(error)}`, lineOfError(text, error));
      }
      const records =
        value !== null && typeof value === 'object' && Array.isArray((value as { Records?: unknown }).Records)
          ? ((value as { Records: unknown[] }).Records as unknown[])
          : Array.isArray(value)
            ? value
            : undefined;
      if (records === undefined) {
        sink({ kind: 'value', value }, { line: 1 });
        return;
      }
      records.forEach((r, k) => {
        sink({ kind: 'value', value: r }, { line: 1, index: k + 1 });
      });
    },
    line: () => 1,
  };
}

function parseJson(text: string): SourceItem {
  try {
    return { kind: 'value', value: JSON.parse(text) };
  } catch (error) {
    return { kind: 'malformed', reason: `not valid JSON: ${describe(error)}` };
  }
}

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** `{...}` once blanks are trimmed: a CSV row or a bare value is not. */
function looksLikeObject(bytes: Buffer): boolean {
  let a = 0;
  let b = bytes.length - 1;
  while (a <= b && isSpace(bytes[a]!)) a += 1;
  while (b >= a && isSpace(bytes[b]!)) b -= 1;
  return a < b && bytes[a] === OPEN_BRACE && bytes[b] === CLOSE_BRACE;
}

function isBlank(bytes: Buffer): boolean {
  for (const c of bytes) if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false;
  return true;
}

/** The line of a JSON.parse error, from the position V8 puts in its message. */
function lineOfError(text: string, error: unknown): number {
  const m = /position (\d+)/.exec(describe(error));
  if (m === null) return 1;
  const pos = Math.min(Number(m[1]), text.length);
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < pos; i = text.indexOf('\n', i + 1)) line += 1;
  return line;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
