import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  MAX_WHOLE_BYTES,
  readBytes,
  readSource,
  SourceError,
  type SourceItem,
  TooLargeError,
  type Where,
} from '../../../cli/replay/read-source';
import { launchSeries, otherCall, T0 } from './support';

interface Read {
  readonly items: { item: SourceItem; where: Where }[];
  readonly error?: { message: string; line: number };
}

function collect(
  read: (sink: (item: SourceItem, where: Where) => void) => void | Promise<void>,
): Promise<Read> {
  const items: Read['items'] = [];
  return Promise.resolve()
    .then(() => read((item, where) => items.push({ item, where })))
    .then(
      () => ({ items }),
      (error: unknown) => {
        if (!(error instanceof SourceError)) throw error;
        return { items, error: { message: error.message, line: error.line } };
      },
    );
}

/** The same bytes as a stream of small chunks, as a file or standard input delivers them. */
function streamed(bytes: Buffer, jsonDocument: boolean): Promise<Read> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 97) chunks.push(bytes.subarray(i, i + 97));
  return collect((sink) => readSource({ label: 'x', open: () => Readable.from(chunks), jsonDocument }, sink));
}

const log = JSON.stringify({ Records: [...launchSeries(3, T0), otherCall({ eventId: 'e-9', time: T0 })] });
const lines = [...launchSeries(2, T0), otherCall({ eventId: 'e-9', time: T0 })]
  .map((r) => JSON.stringify(r))
  .join('\n');
const gzLog = gzipSync(log);

describe('readBytes', () => {
  it.each([
    ['a log file', Buffer.from(log), true],
    ['a gzipped log file', gzLog, true],
    ['JSON Lines', Buffer.from(lines), false],
    ['gzipped JSON Lines', gzipSync(lines), false],
    ['one pretty-printed event', Buffer.from(JSON.stringify(launchSeries(1, T0)[0], null, 2)), true],
    ['a cut-off gzip', gzLog.subarray(0, Math.floor(gzLog.length * 0.7)), true],
    ['a gzip cut in its header', gzLog.subarray(0, 12), true],
    ['a cut-off log file', Buffer.from(log.slice(0, -30)), true],
    ['a CSV', Buffer.from('a,b,c\n1,2,3\n'), false],
    ['an empty file', Buffer.alloc(0), false],
    ['an empty .json file', Buffer.alloc(0), true],
  ])('yields the same records, places and errors as the stream reader for %s', async (_name, bytes, doc) => {
    // Act
    const whole = await collect((sink) => readBytes(bytes, doc, sink));
    const stream = await streamed(bytes, doc);
    // Assess
    expect(whole).toEqual(stream);
  });

  it('marks unparsed records that are JSON objects, and rows that are not', async () => {
    // Act
    const csv = await collect((sink) => readBytes(Buffer.from('a,b,c\n{"x": 1}\n'), false, sink));
    // Assess
    expect(csv.items.map((i) => i.item)).toEqual([
      { kind: 'skipped', object: false },
      { kind: 'skipped', object: true },
    ]);
  });

  it('hands a gzip that inflates past the limit back to be streamed', () => {
    // Prepare: zeros compress about a thousand times
    const bomb = gzipSync(Buffer.alloc(MAX_WHOLE_BYTES + 1));
    // Act + Assess
    expect(() => readBytes(bomb, false, () => undefined)).toThrow(TooLargeError);
  });
});
