import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordsSplitter, SplitError, type SplitRecord } from '../../../cli/replay/records-splitter';
import { fixtureNames, loadFixture } from '../../../fake-cloud/support/fixtures';

function split(text: string, cuts: readonly number[]): SplitRecord[] {
  const out: SplitRecord[] = [];
  const s = new RecordsSplitter((r) => out.push(r));
  const bytes = Buffer.from(text);
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const p of [...points, bytes.length]) {
    s.push(bytes.subarray(from, p));
    from = p;
  }
  s.end();
  return out;
}

const FIXTURES = fixtureNames().map((n) => loadFixture(n));

describe('RecordsSplitter', () => {
  it('yields every record of any log file, however the bytes are chunked', () => {
    const value = fc.oneof(
      fc.constantFrom(...FIXTURES),
      fc.jsonValue(),
      fc.dictionary(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })),
    );
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 6 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 12 }),
        (records, pretty, cuts) => {
          const text = JSON.stringify({ Records: records }, null, pretty ? 2 : undefined);
          const got = split(text, cuts);
          expect(got.map((r) => JSON.parse(r.bytes.toString('utf8')))).toEqual(JSON.parse(text).Records);
          expect(got.map((r) => r.index)).toEqual(records.map((_, k) => k + 1));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('gives the line where each record starts', () => {
    const text = JSON.stringify({ Records: [{ a: 1 }, { b: 'x\\"}' }] }, null, 2);
    expect(split(text, []).map((r) => r.line)).toEqual([3, 6]);
  });

  it.each([
    ['{"Records":[{"a":1},{"b":', 'record #2 is cut off at the end of the file'],
    ['{"Records":[{"a":1}', 'the "Records" array is not closed'],
    ['{"other":[]}', 'not a CloudTrail log file (no "Records" array)'],
  ])('rejects %s', (text, message) => {
    expect(() => split(text, [])).toThrow(SplitError);
    expect(() => split(text, [])).toThrow(message);
  });
});
