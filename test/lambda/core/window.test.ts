import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScopeWindow } from '../../../lambda/core/window';

const H = 3_600_000;

describe('ScopeWindow', () => {
  it('counts distinct ids in (t − window, t]', () => {
    // Prepare
    const w = new ScopeWindow(H);
    // Act
    w.add([{ instanceId: 'a', time: 0 }]);
    w.add([{ instanceId: 'b', time: H / 2 }]);
    w.add([{ instanceId: 'c', time: H }]);
    // Assess: a sits exactly at t − window, the open end, so it is out
    expect(w.count()).toBe(2);
    expect(w.newest()).toBe(H);
  });

  it('counts a duplicate once and keeps the earliest time', () => {
    const w = new ScopeWindow(H);
    expect(w.add([{ instanceId: 'a', time: 5_000 }])).toEqual({ added: 1, lowered: 0, duplicates: 0 });
    expect(w.add([{ instanceId: 'a', time: 9_000 }])).toEqual({ added: 0, lowered: 0, duplicates: 1 });
    expect(w.add([{ instanceId: 'a', time: 1_000 }])).toEqual({ added: 0, lowered: 1, duplicates: 0 });
    expect(w.inWindow()).toEqual([{ instanceId: 'a', time: 1_000 }]);
  });

  it('gives the same state whatever the order and duplication of records', () => {
    const mention = fc.record({
      instanceId: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
      time: fc.integer({ min: 0, max: 3 * H }),
    });
    fc.assert(
      fc.property(
        fc.array(fc.array(mention, { maxLength: 3 }), { maxLength: 30 }),
        fc.integer(),
        (records, seed) => {
          const inOrder = new ScopeWindow(H);
          for (const r of records) inOrder.add(r);
          const shuffled = [...records, ...records.slice(0, seed % (records.length + 1))].sort(
            (x, y) =>
              ((JSON.stringify(x).length * 31 + seed) % 7) - ((JSON.stringify(y).length * 31 + seed) % 7),
          );
          const other = new ScopeWindow(H);
          for (const r of shuffled) other.add(r);
          expect(other.count()).toBe(inOrder.count());
          expect(other.inWindow()).toEqual(inOrder.inWindow());
        },
      ),
      { numRuns: 500 },
    );
  });

  it('only adds to the count when a record arrives late', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3 * H }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 3 * H }),
        (times, late) => {
          const w = new ScopeWindow(H);
          for (const [i, time] of times.entries()) w.add([{ instanceId: `i${i}`, time }]);
          const before = w.count();
          const newest = w.newest() ?? 0;
          fc.pre(late <= newest);
          w.add([{ instanceId: 'late', time: late }]);
          expect(w.count()).toBeGreaterThanOrEqual(before);
        },
      ),
    );
  });
});
