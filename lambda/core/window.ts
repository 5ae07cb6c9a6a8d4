/**
 * # Counting semantics
 *
 * This is the one definition of how launches are counted. `replay` implements it in memory,
 * the live guard implements it in DynamoDB (`lambda/adapters/scope-store.ts`); both are
 * tested against {@link ScopeWindow}, the reference model below.
 *
 * 1. **Scopes.** Every launched instance is counted in up to two scopes: (account, region,
 *    group name) when the launch names its Auto Scaling group, and (account, region, AMI id)
 *    when it names its AMI. A launch with neither is counted nowhere.
 * 2. **Distinct instances.** A scope's state is the set of distinct instance ids it has seen,
 *    each with one time: the earliest eventTime of any record that mentioned that id for that
 *    scope. A duplicate mention (the same record delivered twice, CreateFleet plus the
 *    RunInstances of the same launch, Auto Scaling's own launch event) never adds an id twice;
 *    when it carries an earlier time, it lowers the id's time. "Launches" always means distinct
 *    instances, never records. A record whose instance list CloudTrail cut stands for
 *    `minCount` synthetic ids `<eventID>#<n>`, so it is deduplicated by its eventID.
 * 3. **Evaluation time.** A scope is evaluated at t, the newest time in its state.
 * 4. **Count.** The count is the number of ids whose time is in (t − window, t]: the window is
 *    open at its old end and closed at t.
 * 5. **Order does not matter.** The state is a function of the set of mentions, so any order
 *    and any number of duplicates give the same state. A record delivered late (an older time)
 *    can only add to the count: it cannot move t forward, so no id leaves the window because of it.
 * 6. **Time resolution.** CloudTrail times have whole-second resolution; the parser keeps them
 *    as epoch milliseconds that are multiples of 1,000, and the store keeps whole seconds.
 *
 * The episode rule that turns counts into trips is in `episode.ts`.
 */

/** What adding one record's mentions to a scope did. */
export interface AddResult {
  /** Ids that the scope had not seen before. */
  readonly added: number;
  /** Ids already seen whose time this record lowered. */
  readonly lowered: number;
  /** Mentions of ids already seen that changed nothing. */
  readonly duplicates: number;
}

/** One mention of an instance in a scope. */
export interface Mention {
  readonly instanceId: string;
  /** Epoch milliseconds. */
  readonly time: number;
}

/**
 * The reference model of one scope's counting state: simple, exact, and in memory.
 *
 * @example
 * const w = new ScopeWindow(60 * 60_000);
 * w.add([{ instanceId: 'i-1', time: 0 }]);
 * w.count(); // 1
 */
export class ScopeWindow {
  private readonly times = new Map<string, number>();
  private newestTime = Number.NEGATIVE_INFINITY;

  /** @param windowMs the window length in milliseconds (positive). */
  constructor(private readonly windowMs: number) {}

  /** Add a record's mentions; ids repeated inside one record count once. */
  add(mentions: readonly Mention[]): AddResult {
    let added = 0;
    let lowered = 0;
    let duplicates = 0;
    for (const m of mentions) {
      const known = this.times.get(m.instanceId);
      if (known === undefined) {
        this.times.set(m.instanceId, m.time);
        added += 1;
      } else if (m.time < known) {
        this.times.set(m.instanceId, m.time);
        lowered += 1;
      } else {
        duplicates += 1;
      }
    }
    this.newestTime = Number.NEGATIVE_INFINITY;
    for (const t of this.times.values()) if (t > this.newestTime) this.newestTime = t;
    return { added, lowered, duplicates };
  }

  /** The evaluation time t, or undefined for an empty scope. */
  newest(): number | undefined {
    return this.times.size === 0 ? undefined : this.newestTime;
  }

  /** Distinct ids with time in (t − window, t]. */
  count(): number {
    if (this.times.size === 0) return 0;
    const start = this.newestTime - this.windowMs;
    let n = 0;
    for (const t of this.times.values()) if (t > start) n += 1;
    return n;
  }

  /** The ids in the window with their times, oldest first. */
  inWindow(): Mention[] {
    if (this.times.size === 0) return [];
    const start = this.newestTime - this.windowMs;
    return [...this.times]
      .filter(([, t]) => t > start)
      .map(([instanceId, time]) => ({ instanceId, time }))
      .sort((a, b) => a.time - b.time || a.instanceId.localeCompare(b.instanceId));
  }
}
