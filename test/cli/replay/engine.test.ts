import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayLaunches, type Trip } from '../../../cli/replay/engine';
import { LaunchStore } from '../../../cli/replay/launch-store';
import { stepEpisode } from '../../../lambda/core/episode';
import { launchScopes } from '../../../lambda/core/scopes';
import type { LaunchRecord } from '../../../lambda/core/types';
import { scopeId } from '../../../lambda/core/types';
import { ScopeWindow } from '../../../lambda/core/window';

const S = 1_000;
const POLICY = { asgThreshold: 3, amiThreshold: 4, windowMs: 60 * S };

/**
 * The reference: every record in (eventTime, eventID) order through ScopeWindow and stepEpisode,
 * evaluating a scope after each record that changed its state.
 */
function reference(records: readonly LaunchRecord[]): { trips: Trip[]; peaks: Map<string, number> } {
  const sorted = [...records].sort((a, b) =>
    a.eventTime !== b.eventTime
      ? a.eventTime - b.eventTime
      : a.eventId < b.eventId
        ? -1
        : a.eventId > b.eventId
          ? 1
          : 0,
  );
  const windows = new Map<string, { w: ScopeWindow; armed: boolean }>();
  const trips: Trip[] = [];
  const peaks = new Map<string, number>();
  for (const record of sorted) {
    for (const scope of launchScopes(record)) {
      const id = scopeId(scope.key);
      let state = windows.get(id);
      if (state === undefined) {
        state = { w: new ScopeWindow(POLICY.windowMs), armed: true };
        windows.set(id, state);
      }
      const added = state.w.add(scope.mentions);
      if (added.added === 0 && added.lowered === 0) continue;
      const count = state.w.count();
      peaks.set(id, Math.max(peaks.get(id) ?? 0, count));
      const threshold = scope.key.scope === 'asg' ? POLICY.asgThreshold : POLICY.amiThreshold;
      const step = stepEpisode(state.armed, count, threshold, added.added > 0);
      state.armed = step.armed;
      if (step.trip) {
        trips.push({
          scope: scope.key,
          launches: count,
          threshold,
          at: record.eventTime,
          windowStart: record.eventTime - POLICY.windowMs,
          eventId: record.eventId,
        });
      }
    }
  }
  return { trips, peaks };
}

const launchRecord = fc
  .record({
    second: fc.integer({ min: 0, max: 300 }),
    region: fc.constantFrom('us-east-1', 'eu-west-1'),
    instances: fc.array(
      fc.record({
        instanceId: fc.constantFrom('i-a', 'i-b', 'i-c', 'i-d', 'i-e', 'i-f', 'i-g', 'i-h', 'i-i', 'i-j'),
        groupName: fc.option(fc.constantFrom('g1', 'g2'), { nil: undefined }),
        imageId: fc.option(fc.constantFrom('ami-1', 'ami-2'), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map(
    (r): LaunchRecord => ({
      kind: 'launch',
      source: 'RunInstances',
      account: '111122223333',
      region: r.region,
      eventId: '',
      eventTime: r.second * S,
      caller: {},
      instances: r.instances,
      truncated: false,
    }),
  );

describe('replayLaunches', () => {
  it('gives the same trips and peaks as ScopeWindow + stepEpisode, whatever the order and duplicates', () => {
    fc.assert(
      fc.property(
        // An eventID names one record: distinct records get distinct ids (in an order unrelated
        // to their times), a duplicate delivery is the same record again.
        fc
          .array(launchRecord, { maxLength: 60 })
          .map((rs) => rs.map((r, k) => ({ ...r, eventId: `e${(k * 7919) % 1000}-${k}` }))),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.integer(),
        (records, dupPicks, seed) => {
          // Prepare: duplicate deliveries, then a shuffled reading order (files in any order)
          const delivered = [
            ...records,
            ...dupPicks.filter(() => records.length > 0).map((k) => records[k % records.length]!),
          ];
          const shuffled = fc.sample(fc.shuffledSubarray(delivered, { minLength: delivered.length }), {
            seed,
            numRuns: 1,
          })[0]!;
          const store = new LaunchStore();
          for (const r of shuffled) store.addLaunch(r);
          // Act
          const got = replayLaunches(store, POLICY);
          const want = reference(delivered);
          // Assess
          expect(got.trips.map(({ terminatedBefore: _, ...t }) => t)).toEqual(want.trips);
          const gotPeaks = new Map(got.peaks.map((p) => [scopeId(p.scope), p.peak]));
          expect(gotPeaks).toEqual(want.peaks);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('counts the window instances terminated at or before the trip', () => {
    // Prepare
    const store = new LaunchStore();
    const launch = (n: number): LaunchRecord => ({
      kind: 'launch',
      source: 'RunInstances',
      account: 'a',
      region: 'r',
      eventId: `e${n}`,
      eventTime: n * S,
      caller: {},
      instances: [{ instanceId: `i-${n}`, groupName: 'g' }],
      truncated: false,
    });
    for (const n of [1, 2, 3]) store.addLaunch(launch(n));
    const end = (id: string, at: number) =>
      store.addTermination({
        kind: 'terminate',
        account: 'a',
        region: 'r',
        eventId: `t-${id}`,
        eventTime: at,
        caller: {},
        instanceIds: [id],
      });
    end('i-1', 2 * S);
    end('i-2', 3 * S);
    end('i-3', 4 * S);
    // Act
    const { trips } = replayLaunches(store, POLICY);
    // Assess: i-1 and i-2 ended by the trip at 3 s; i-3 ended after it
    expect(trips).toMatchObject([{ at: 3 * S, launches: 3, terminatedBefore: 2 }]);
  });
});
