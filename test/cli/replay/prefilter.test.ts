import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayMatter } from '../../../cli/replay/prefilter';
import { fixtureNames, loadFixture } from '../../../fake-cloud/support/fixtures';
import { parseEvent } from '../../../lambda/core/parse-event';

/** True when skipping the record unparsed would lose something parseEvent would have found. */
function matters(value: unknown): boolean {
  const parsed = parseEvent(value);
  return parsed.kind !== 'not-launch' || parsed.malformed;
}

describe('mayMatter', () => {
  it.each(fixtureNames())('never drops %s when parseEvent finds something in it', (name) => {
    const value = loadFixture(name);
    const bytes = Buffer.from(JSON.stringify(value));
    expect(matters(value) ? mayMatter(bytes) : true).toBe(true);
  });

  it('skips a bare record of another call unparsed', () => {
    // The S3 CreateBucket record inside the AWS docs example envelope
    const detail = (loadFixture('eventbridge-cloudtrail-s3-createbucket.awsdocs.json') as { detail: unknown })
      .detail;
    expect(mayMatter(Buffer.from(JSON.stringify(detail)))).toBe(false);
  });

  it('never drops a mutated fixture that parseEvent finds something in', () => {
    const fixtures = fixtureNames().map((n) => loadFixture(n) as Record<string, unknown>);
    fc.assert(
      fc.property(
        fc.constantFrom(...fixtures),
        fc.dictionary(
          fc.constantFrom(
            'eventName',
            'errorCode',
            'responseElements',
            'detail-type',
            'source',
            'eventSource',
            'detail',
          ),
          fc.jsonValue(),
        ),
        (fixture, changes) => {
          const value = { ...fixture, ...changes };
          if (matters(value)) expect(mayMatter(Buffer.from(JSON.stringify(value)))).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
