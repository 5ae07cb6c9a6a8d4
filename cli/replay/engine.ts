/**
 * The counting engine of `replay`: the semantics of `lambda/core/window.ts` and the count rule of
 * `lambda/core/episode.ts`, computed incrementally.
 *
 * Because records are handled in (eventTime, eventID) order, every new mention's time is at least
 * the newest time its scope knows. So a duplicate mention never lowers a time, the evaluation time
 * t is the time of the record being handled, and the window's open end only moves forward: each
 * scope keeps its distinct ids in arrival order and a pointer to the oldest id still in the
 * window. Each record costs O(its mentions) plus the ids that leave the window, never a rescan.
 * `test/cli/replay/engine.test.ts` checks it against {@link ScopeWindow} and {@link stepEpisode}.
 */
import { stepEpisode } from '../../lambda/core/episode';
import type { ScopeKey } from '../../lambda/core/types';
import type { LaunchStore } from './launch-store';
import { sortRecords } from './order';

/** Thresholds and window of a replay. */
export interface ReplayPolicy {
  readonly asgThreshold: number;
  readonly amiThreshold: number;
  /** Window length in milliseconds. */
  readonly windowMs: number;
}

/** A scope that tripped under the count rule. */
export interface Trip {
  readonly scope: ScopeKey;
  /** Distinct instances in the window, the tripping launch included. */
  readonly launches: number;
  readonly threshold: number;
  /** Epoch milliseconds: the eventTime of the launch that tripped. */
  readonly at: number;
  /** Epoch milliseconds: at − window, the window's open end. */
  readonly windowStart: number;
  /** The eventID of the launch that tripped. */
  readonly eventId: string;
  /**
   * Group trips only: how many of the window's instances the archive shows terminated at or
   * before `at` (the churn the live guard confirms a trip with).
   */
  readonly terminatedBefore?: number;
  /** The window's launches at the trip (instance id, epoch ms), when asked for (`replay --prices`). */
  readonly window?: readonly { readonly instanceId: string; readonly launchedAt: number }[];
}

/** The busiest window a scope had. */
export interface ScopePeak {
  readonly scope: ScopeKey;
  /** The most distinct instances in any one window. */
  readonly peak: number;
  /** Epoch milliseconds: the end of the first window that reached the peak. */
  readonly at: number;
  /** Distinct instances the scope counted over the whole archive. */
  readonly total: number;
  /** How many times the scope tripped. */
  readonly trips: number;
}

/** What a replay found. */
export interface ReplayResult {
  /** In the order they happened (by `at`, then eventID). */
  readonly trips: Trip[];
  /** One per scope, in the order scopes were first read. */
  readonly peaks: ScopePeak[];
}

interface ScopeState {
  readonly seen: Set<number>;
  /** Times of the distinct ids, in arrival order (non-decreasing). */
  readonly times: number[];
  readonly ids: number[];
  /** Index of the oldest id still in the window. */
  head: number;
  armed: boolean;
  peak: number;
  peakAt: number;
  trips: number;
}

/**
 * Handle the store's launches in (eventTime, eventID) order and apply the count rule to every
 * scope a launch changed. Sorts `store.launches` in place.
 */
export function replayLaunches(
  store: LaunchStore,
  policy: ReplayPolicy,
  options: { readonly keepWindows?: boolean } = {},
): ReplayResult {
  const terminatedAt = terminationTimes(store);
  const states: ScopeState[] = store.scopes.map(() => ({
    seen: new Set<number>(),
    times: [],
    ids: [],
    head: 0,
    armed: true,
    peak: 0,
    peakAt: 0,
    trips: 0,
  }));
  const trips: Trip[] = [];
  for (const launch of sortRecords(store.launches)) {
    const { data, time } = launch;
    let p = 0;
    while (p < data.length) {
      const s = data[p]!;
      const n = data[p + 1]!;
      p += 2;
      const state = states[s]!;
      let added = 0;
      for (let k = 0; k < n; k += 1) {
        const id = data[p + k]!;
        if (state.seen.has(id)) continue;
        state.seen.add(id);
        state.times.push(time);
        state.ids.push(id);
        added += 1;
      }
      p += n;
      // A record that adds nothing changes nothing (it cannot lower a time in this order).
      if (added === 0) continue;
      const start = time - policy.windowMs;
      while (state.times[state.head]! <= start) state.head += 1;
      const count = state.times.length - state.head;
      if (count > state.peak) {
        state.peak = count;
        state.peakAt = time;
      }
      const scope = store.scopes[s]!;
      const threshold = scope.scope === 'asg' ? policy.asgThreshold : policy.amiThreshold;
      const step = stepEpisode(state.armed, count, threshold, true);
      state.armed = step.armed;
      if (!step.trip) continue;
      state.trips += 1;
      const trip: Trip = {
        scope,
        launches: count,
        threshold,
        at: time,
        windowStart: start,
        eventId: launch.eventId,
        ...(options.keepWindows ? { window: windowOf(state, store) } : {}),
      };
      trips.push(
        scope.scope === 'asg' ? { ...trip, terminatedBefore: terminatedIn(state, terminatedAt, time) } : trip,
      );
    }
  }
  const peaks = states.map((state, s) => ({
    scope: store.scopes[s]!,
    peak: state.peak,
    at: state.peakAt,
    total: state.ids.length,
    trips: state.trips,
  }));
  return { trips, peaks };
}

/** The launches in a scope's window now. */
function windowOf(state: ScopeState, store: LaunchStore): { instanceId: string; launchedAt: number }[] {
  const out: { instanceId: string; launchedAt: number }[] = [];
  for (let k = state.head; k < state.ids.length; k += 1)
    out.push({ instanceId: store.instanceIds[state.ids[k]!]!, launchedAt: state.times[k]! });
  return out;
}

/** Instance index → earliest termination time (+∞ when never seen terminated). */
function terminationTimes(store: LaunchStore): Float64Array {
  const out = new Float64Array(store.instanceIds.length).fill(Number.POSITIVE_INFINITY);
  for (let i = 0; i < store.instanceIds.length; i += 1) {
    const t = store.terminations.get(store.instanceIds[i]!);
    if (t !== undefined) out[i] = t;
  }
  return out;
}

function terminatedIn(state: ScopeState, terminatedAt: Float64Array, at: number): number {
  let n = 0;
  for (let k = state.head; k < state.ids.length; k += 1) if (terminatedAt[state.ids[k]!]! <= at) n += 1;
  return n;
}
