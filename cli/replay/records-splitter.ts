/**
 * Splits the `Records` array of a CloudTrail log file (`{"Records":[...]}`) into one text per
 * record as the bytes stream in, so a file is never held whole: only the record being read is.
 *
 * It finds record boundaries by tracking strings and brackets only; each record's text is then
 * checked by `JSON.parse`, so a broken record is reported alone and the rest of the file is kept.
 */

/** One element of the `Records` array. */
export interface SplitRecord {
  /** The element's JSON text, as UTF-8 bytes (a view of the input chunk when it fits in one). */
  readonly bytes: Buffer;
  /** 1-based position in the array. */
  readonly index: number;
  /** 1-based line of the file where the element starts. */
  readonly line: number;
}

/** The file ends or breaks where no record boundary can be found. */
export class SplitError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'SplitError';
  }
}

/** Matches the opening of a CloudTrail log file up to the `[` of its `Records` array. */
export const RECORDS_PREFIX = /^\s*\{\s*"Records"\s*:\s*\[/;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

type Phase = 'prefix' | 'between' | 'element' | 'after';

/** Feed it chunks with {@link push}, then call {@link end}; it calls back once per record. */
export class RecordsSplitter {
  private phase: Phase = 'prefix';
  private prefix = '';
  private line = 1;
  private index = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Element bytes from earlier chunks. */
  private parts: Buffer[] = [];
  private elementLine = 1;
  /** The element is a bare value (number, literal, string) rather than an object or array. */
  private bare = false;

  constructor(private readonly onRecord: (record: SplitRecord) => void) {}

  /** Consume one chunk. @throws SplitError when the bytes cannot be a `Records` array */
  push(chunk: Buffer): void {
    let i = 0;
    if (this.phase === 'prefix') i = this.consumePrefix(chunk);
    const n = chunk.length;
    let start = this.phase === 'element' ? 0 : -1;
    while (i < n) {
      if (this.phase === 'between') {
        const c = chunk[i]!;
        if (c === NEWLINE) this.line += 1;
        else if (c === CLOSE_BRACKET) this.phase = 'after';
        else if (c !== COMMA && c !== 0x20 && c !== 0x09 && c !== 0x0d) {
          this.phase = 'element';
          this.elementLine = this.line;
          this.parts = [];
          start = i;
          this.bare = c !== OPEN_BRACE && c !== OPEN_BRACKET && c !== QUOTE;
          // The opening byte is consumed here: an object or array opens depth 1, a quote a string.
          this.depth = c === QUOTE ? 0 : 1;
          this.inString = c === QUOTE;
          this.escaped = false;
          if (this.bare) continue;
        }
        i += 1;
        continue;
      }
      if (this.phase === 'after') {
        if (chunk[i] === NEWLINE) this.line += 1;
        i += 1;
        continue;
      }
      // phase === 'element'
      const end = this.bare ? this.scanBare(chunk, i) : this.scanNested(chunk, i);
      if (end === -1) {
        i = n;
        break;
      }
      this.emit(chunk, start, end);
      start = -1;
      i = end;
      this.phase = 'between';
    }
    if (this.phase === 'element' && start !== -1 && start < n) this.parts.push(chunk.subarray(start));
  }

  /** Finish. @throws SplitError when the array or a record was left open */
  end(): void {
    if (this.phase === 'prefix') throw new SplitError('not a CloudTrail log file (no "Records" array)', 1);
    if (this.phase === 'element' && this.bare) {
      this.emit(Buffer.alloc(0), 0, 0);
      this.phase = 'between';
    }
    if (this.phase === 'element') {
      throw new SplitError(`record #${this.index + 1} is cut off at the end of the file`, this.elementLine);
    }
    if (this.phase === 'between') throw new SplitError('the "Records" array is not closed', this.line);
  }

  private consumePrefix(chunk: Buffer): number {
    const before = this.prefix.length;
    this.prefix += chunk.toString('latin1', 0, Math.min(chunk.length, 4096));
    const m = RECORDS_PREFIX.exec(this.prefix);
    if (m === null) {
      if (this.prefix.length >= 4096 || /^\s*[^\s{]/.test(this.prefix)) {
        throw new SplitError('not a CloudTrail log file (no "Records" array)', 1);
      }
      return chunk.length;
    }
    const used = m[0].length - before;
    for (let k = 0; k < m[0].length; k += 1) if (m[0].charCodeAt(k) === NEWLINE) this.line += 1;
    this.prefix = '';
    this.phase = 'between';
    return used;
  }

  /**
   * Scan an object, array or string element; returns the index just past its end, or -1.
   * Inside strings it jumps from quote to quote with `indexOf` (most of a record is strings).
   */
  private scanNested(chunk: Buffer, from: number): number {
    const n = chunk.length;
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    let line = this.line;
    let i = from;
    while (i < n) {
      if (inString) {
        // `s` is a position where no escape is pending: backslash runs are counted from there.
        const s = escaped ? i + 1 : i;
        escaped = false;
        let q = chunk.indexOf(QUOTE, s);
        while (q !== -1 && oddBackslashesBefore(chunk, q, s)) q = chunk.indexOf(QUOTE, q + 1);
        if (q === -1) {
          escaped = oddBackslashesBefore(chunk, n, s);
          i = n;
          break;
        }
        inString = false;
        i = q + 1;
        if (depth === 0) {
          this.save(0, false, false, line);
          return i;
        }
        continue;
      }
      const c = chunk[i]!;
      if (c === QUOTE) inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth += 1;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth -= 1;
        if (depth === 0) {
          this.save(0, false, false, line);
          return i + 1;
        }
      } else if (c === NEWLINE) line += 1;
      i += 1;
    }
    this.save(depth, inString, escaped, line);
    return -1;
  }

  /** Scan a bare value up to the next comma, bracket or blank; returns its end, or -1. */
  private scanBare(chunk: Buffer, from: number): number {
    for (let i = from; i < chunk.length; i += 1) {
      const c = chunk[i]!;
      if (c === COMMA || c === CLOSE_BRACKET || c === 0x20 || c === NEWLINE || c === 0x09 || c === 0x0d) {
        return i;
      }
    }
    return -1;
  }

  private save(depth: number, inString: boolean, escaped: boolean, line: number): void {
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    this.line = line;
  }

  private emit(chunk: Buffer, start: number, end: number): void {
    this.index += 1;
    const tail = chunk.subarray(Math.max(start, 0), end);
    const bytes = this.parts.length === 0 ? tail : Buffer.concat([...this.parts, tail]);
    this.parts = [];
    this.onRecord({ bytes, index: this.index, line: this.elementLine });
  }
}

/** Whether the backslashes right before `end` (not looking before `start`) are an odd run. */
function oddBackslashesBefore(chunk: Buffer, end: number, start: number): boolean {
  let k = end - 1;
  while (k >= start && chunk[k] === BACKSLASH) k -= 1;
  return ((end - 1 - k) & 1) === 1;
}
