/**
 * What `replay` keeps in memory while it reads: the launches, compactly, and nothing else of a
 * record. Memory grows with the number of launches and scopes (and with the terminated instance
 * ids used for the churn column), never with the other records or the size of the input.
 */

import type { RecordedBilling } from '../../lambda/core/loop-cost';
import { launchScopes } from '../../lambda/core/scopes';
import type { FailedAttempt, LaunchRecord, ScopeKey, TerminationRecord } from '../../lambda/core/types';
import { scopeId } from '../../lambda/core/types';

/**
 * One launch record, reduced to what counting needs: its time, its eventID (for ordering and
 * output) and, per scope, the interned ids of the instances it mentions.
 */
export interface CompactLaunch {
  /** Epoch milliseconds. */
  readonly time: number;
  readonly eventId: string;
  /** `[scopeIndex, n, instanceIndex × n]` repeated, one run per scope the record counts in. */
  readonly data: Int32Array;
}

/** Totals shown in the summary. */
export interface LaunchStats {
  /** Launch records kept (successful RunInstances, CreateFleet, Auto Scaling launch events). */
  launchRecords: number;
  /** Every instance mention of every launch record, duplicates included. */
  instanceMentions: number;
  /** Distinct instance ids from truncated records (the synthetic `<eventID>#<n>` ids). */
  truncatedLaunches: number;
  /** Distinct failed calls (by eventID), dry runs included. */
  failedAttempts: number;
  /** Of those, `Client.DryRunOperation`. */
  dryRuns: number;
  /** Termination records seen. */
  terminationRecords: number;
}

/** The launches, scopes and terminations read so far. */
export class LaunchStore {
  /** Scope index → scope. */
  readonly scopes: ScopeKey[] = [];
  /** Instance index → instance id. */
  readonly instanceIds: string[] = [];
  /** The launch records, in the order they were added (not yet sorted). */
  readonly launches: CompactLaunch[] = [];
  /** Instance id → earliest termination time seen for it. */
  readonly terminations = new Map<string, number>();
  /** Instance id → what its RunInstances record says it is billed as (the first record's). */
  readonly billing = new Map<string, RecordedBilling>();
  readonly stats: LaunchStats = {
    launchRecords: 0,
    instanceMentions: 0,
    truncatedLaunches: 0,
    failedAttempts: 0,
    dryRuns: 0,
    terminationRecords: 0,
  };
  private readonly scopeIndex = new Map<string, number>();
  private readonly instanceIndex = new Map<string, number>();
  private readonly failedEventIds = new Set<string>();
  private inScope = new Uint8Array(1024);

  /** Keep a launch record's essentials. */
  addLaunch(record: LaunchRecord): void {
    this.stats.launchRecords += 1;
    this.stats.instanceMentions += record.instances.length;
    for (const instance of record.instances) {
      const before = this.instanceIds.length;
      this.intern(instance.instanceId);
      if (record.truncated && this.instanceIds.length > before) this.stats.truncatedLaunches += 1;
    }
    const runs: number[] = [];
    for (const scope of launchScopes(record)) {
      const id = scopeId(scope.key);
      let s = this.scopeIndex.get(id);
      if (s === undefined) {
        s = this.scopes.length;
        this.scopes.push(scope.key);
        this.scopeIndex.set(id, s);
      }
      runs.push(s, scope.mentions.length);
      for (const m of scope.mentions) {
        const i = this.intern(m.instanceId);
        this.inScope[i] = 1;
        runs.push(i);
      }
    }
    this.launches.push({ time: record.eventTime, eventId: record.eventId, data: Int32Array.from(runs) });
  }

  /** Count a failed call once per eventID. */
  addFailed(record: FailedAttempt): void {
    if (this.failedEventIds.has(record.eventId)) return;
    this.failedEventIds.add(record.eventId);
    this.stats.failedAttempts += 1;
    if (record.errorCode === 'Client.DryRunOperation') this.stats.dryRuns += 1;
  }

  /** Remember when each instance was first seen terminated. */
  addTermination(record: TerminationRecord): void {
    this.stats.terminationRecords += 1;
    for (const id of record.instanceIds) {
      const known = this.terminations.get(id);
      if (known === undefined || record.eventTime < known) this.terminations.set(id, record.eventTime);
    }
  }

  /** Distinct instances launched that counted in at least one scope. */
  instancesInScope(): number {
    let n = 0;
    for (let i = 0; i < this.instanceIds.length; i += 1) n += this.inScope[i]!;
    return n;
  }

  /** The index of an instance id, adding it when new. */
  private intern(instanceId: string): number {
    let i = this.instanceIndex.get(instanceId);
    if (i === undefined) {
      i = this.instanceIds.length;
      this.instanceIds.push(instanceId);
      this.instanceIndex.set(instanceId, i);
      if (i >= this.inScope.length) {
        const grown = new Uint8Array(this.inScope.length * 2);
        grown.set(this.inScope);
        this.inScope = grown;
      }
    }
    return i;
  }
}
