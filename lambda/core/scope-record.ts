/**
 * What recording one launch record does to a scope's item, the rules without the writes: which
 * mentions a record writes and in how many writes, the state each write found once the cleanup
 * it carried is taken off, the sets merged for the alerts, the count and its cleanup, and the
 * view the count step gets. Pure: the store (`adapters/scope-store.ts`) sends the writes these
 * plan and hands back what DynamoDB returned.
 */
import { effectivePolicy } from './claim';
import { holdsJudgeLease, holdsSettingsLease, judgePeriod, scopeItemExpiry, settingsPeriod } from './leases';
import {
  ATTR,
  applyMentions,
  type CleanupPlan,
  cleanupAttrs,
  type Evaluation,
  evaluate,
  groupAttr,
  IDS_PER_WRITE,
  type ItemState,
  idAttr,
  isArmed,
  type MentionOutcome,
  planCleanup,
  REMOVALS_PER_WRITE,
  toSeconds,
} from './scope-item';
import type { ScopeMentions } from './scopes';
import { SCOPE_KIND, type ScopeKey, type ScopePolicy } from './types';
import type { Mention } from './window';

/** One scope's share of a launch record, and when it is handled. */
export interface RecordRequest extends ScopeMentions {
  /** Handling time (ms): sets the item's TTL and the lease periods. */
  readonly now: number;
}

/** Callers, AMI ids and groups known for a scope, a record included (for the alerts). */
export interface ScopeSets {
  readonly callers: readonly string[];
  readonly imageIds: readonly string[];
  /** AMI scope: the groups that launched it, each with its newest launch (epoch seconds). */
  readonly groups: ReadonlyMap<string, number>;
}

/** What one record cost the store (for the benchmark). */
export interface RecordCost {
  /** Requests sent and write capacity consumed by this call. */
  readonly requests: number;
  readonly writeUnits: number;
}

/** The leases a record's first write took (see `leases.ts`). */
export interface ScopeLeases {
  /**
   * Group scope: this invocation holds the settings lease of the current 5-minute period (one
   * invocation per group and period, across all containers): it reads the group's tags.
   */
  readonly refreshSettings: boolean;
  /**
   * This invocation holds the judge lease of the current minute (one invocation per scope and
   * minute, across all containers): a group may be read to apply the streak rule, an AMI's
   * launches judged to confirm its count (`ami-judge.ts`).
   */
  readonly judge: boolean;
}

/** What the store knows about a scope right after recording a launch. */
export interface ScopeView extends ScopeSets, RecordCost, ScopeLeases {
  readonly key: ScopeKey;
  /** The item just before this invocation's last write (trip state, settings, sets). */
  readonly before: ItemState;
  readonly outcome: MentionOutcome;
  /** The policy the count was evaluated with (cached group settings, else the defaults). */
  readonly policy: ScopePolicy;
  readonly evaluation: Evaluation;
  readonly armed: boolean;
}

/** A record's mentions, one per instance at its earliest time, in first-seen order. */
export function earliestMentions(mentions: readonly Mention[]): Mention[] {
  const byId = new Map<string, number>();
  for (const m of mentions) {
    const t = byId.get(m.instanceId);
    if (t === undefined || m.time < t) byId.set(m.instanceId, m.time);
  }
  return [...byId].map(([instanceId, time]) => ({ instanceId, time }));
}

/** The writes a record takes: its mentions by {@link IDS_PER_WRITE}, at least one write. */
export function recordChunks(mentions: readonly Mention[]): Mention[][] {
  const chunks: Mention[][] = [];
  const once = earliestMentions(mentions);
  for (let i = 0; i < once.length; i += IDS_PER_WRITE) chunks.push(once.slice(i, i + IDS_PER_WRITE));
  if (chunks.length === 0) chunks.push([]);
  return chunks;
}

/** The newest time (epoch seconds) of a record's mentions. */
export function latestSeconds(mentions: readonly Mention[]): number {
  return toSeconds(Math.max(...mentions.map((m) => m.time)));
}

/**
 * The old item as the write that carried `plan` left it: the removals applied (at most
 * {@link REMOVALS_PER_WRITE} ids), except ids the write also wrote.
 */
export function withoutRemoved(state: ItemState, plan: CleanupPlan, chunk: readonly Mention[]): ItemState {
  const written = new Set(chunk.map((m) => m.instanceId));
  const ids = new Map(state.ids);
  for (const id of plan.removeIds.slice(0, REMOVALS_PER_WRITE)) if (!written.has(id)) ids.delete(id);
  const groups = new Map(state.groups);
  for (const g of plan.removeGroups) groups.delete(g);
  return {
    ...state,
    ids,
    groups,
    ...(plan.watermark !== undefined ? { watermark: plan.watermark } : {}),
    ...(plan.dropCallers ? { callers: [] } : {}),
    ...(plan.dropAmis ? { amis: [] } : {}),
  };
}

/**
 * What one write of `chunk` found and did: the state before its own mentions (the old item, less
 * what the cleanup it carried removed) and what its mentions did to it.
 *
 * @param old the item the write returned (`ALL_OLD`)
 * @param ride the cleanup the write carried, if any
 */
export function afterWrite(
  old: ItemState,
  chunk: readonly Mention[],
  ride: CleanupPlan | undefined,
): { readonly before: ItemState; readonly outcome: MentionOutcome } {
  const before = ride ? withoutRemoved(old, ride, chunk) : old;
  return { before, outcome: applyMentions(before, chunk) };
}

/** One outcome for a record written in several writes: the last write's ids, every write's changes. */
export function joinOutcomes(outcomes: readonly MentionOutcome[]): MentionOutcome {
  return {
    ids: outcomes[outcomes.length - 1]!.ids,
    added: outcomes.flatMap((o) => o.added),
    lowered: outcomes.flatMap((o) => o.lowered),
    duplicates: outcomes.reduce((sum, o) => sum + o.duplicates, 0),
  };
}

/** The alert sets of a scope after a record: the old sets plus the record's. */
export function mergeSets(state: ItemState, req: RecordRequest): ScopeSets {
  const groups = new Map(state.groups);
  if (req.key.scope === SCOPE_KIND.ami && req.mentions.length > 0) {
    const t = latestSeconds(req.mentions);
    for (const g of req.groupNames) groups.set(g, Math.max(groups.get(g) ?? t, t));
  }
  const callers = [...new Set([...state.callers, ...req.callers])];
  const imageIds = [...new Set([...state.amis, ...(req.key.scope === SCOPE_KIND.asg ? req.imageIds : [])])];
  return { callers, imageIds, groups };
}

/** A record's count and what its item can lose next. */
export interface RecordCount {
  readonly policy: ScopePolicy;
  readonly evaluation: Evaluation;
  readonly sets: ScopeSets;
  /** A cleanup worth a write of its own now (only when no plan was carried). */
  readonly separate?: CleanupPlan;
  /** Otherwise, what the next ordinary write for the scope may carry. */
  readonly next?: CleanupPlan;
}

/**
 * Count a scope after a record and plan its cleanup. A cold container (nothing carried) facing
 * a large item cleans up at once; a warm one carries whatever can go into its next write.
 *
 * @param state the item before the record's last write
 * @param ids the ids after the record
 * @param carried whether the record's first write carried a plan
 */
export function countRecord(
  req: RecordRequest,
  state: ItemState,
  ids: ReadonlyMap<string, number>,
  defaults: ScopePolicy,
  carried: boolean,
): RecordCount {
  const policy = effectivePolicy(state, defaults);
  const windowS = Math.round(policy.windowMs / 1000);
  const sets = mergeSets(state, req);
  const evaluation = evaluate(ids, state.watermark, windowS);
  const kept = { groups: sets.groups, callers: sets.callers, amis: sets.imageIds, fates: state.fates };
  const separate = carried ? undefined : planCleanup(ids, evaluation, kept, windowS, policy.threshold);
  if (separate) return { policy, evaluation, sets, separate };
  const next = planCleanup(ids, evaluation, kept, windowS, policy.threshold, 1);
  return { policy, evaluation, sets, ...(next ? { next } : {}) };
}

/** The view of a recorded scope, from its count, the leases its write took and what it cost. */
export function scopeView(
  req: RecordRequest,
  state: ItemState,
  outcome: MentionOutcome,
  counted: RecordCount,
  cost: RecordCost,
): ScopeView {
  return {
    key: req.key,
    before: state,
    outcome,
    policy: counted.policy,
    evaluation: counted.evaluation,
    armed: isArmed(state),
    refreshSettings: holdsSettingsLease(state, req.key.scope, req.now),
    judge: holdsJudgeLease(state, req.now),
    requests: cost.requests,
    writeUnits: cost.writeUnits,
    callers: counted.sets.callers,
    imageIds: counted.sets.imageIds,
    groups: counted.sets.groups,
  };
}

/** An attribute name with the number a write sets it to (epoch seconds). */
export type TimedAttr = readonly [name: string, seconds: number];

/**
 * What one write of a record puts in the scope's item, in the order the write names it. The
 * store turns it into one `UpdateItem` (`SET`, `ADD`, `REMOVE`) returning the old item.
 */
export interface RecordWrite {
  /** The item's `ttl`. */
  readonly expiry: number;
  /** The chunk's ids with their times, written only where absent (the first writer's time stays). */
  readonly ids: readonly TimedAttr[];
  /** First write of a group scope: the settings lease's period. */
  readonly settingsLease?: number;
  /** First write of an AMI scope: its groups, each at the record's newest launch. */
  readonly groups: readonly TimedAttr[];
  /** First write: the judge lease's minute. */
  readonly judgeLease?: number;
  /** Added to the caller set (first write). */
  readonly callers: readonly string[];
  /** Added to the AMI set (last write of a group scope). */
  readonly amis: readonly string[];
  /** Attributes the carried cleanup removes (none that this write sets). */
  readonly remove: readonly string[];
  /** The carried cleanup's watermark. */
  readonly watermark?: number;
}

/**
 * Plan one write of a record.
 *
 * @param chunk this write's mentions (see {@link recordChunks})
 * @param ride the cleanup plan this write carries (first write only)
 * @param maxWindowMs the longest window any scope may use (the item's expiry)
 */
export function recordWrite(
  req: RecordRequest,
  chunk: readonly Mention[],
  place: { readonly first: boolean; readonly last: boolean },
  ride: CleanupPlan | undefined,
  maxWindowMs: number,
): RecordWrite {
  const asg = req.key.scope === SCOPE_KIND.asg;
  const first = place.first;
  const groupTime = first && !asg && req.mentions.length > 0 ? latestSeconds(req.mentions) : undefined;
  const groups: TimedAttr[] =
    groupTime === undefined ? [] : [...new Set(req.groupNames)].map((g) => [groupAttr(g), groupTime]);
  const callers = first && req.callers.length > 0 && !ride?.dropCallers ? [...new Set(req.callers)] : [];
  // The AMI set is added to by a record's last write, so that the item that write returns
  // (`before`) holds the set as it was before this record: the AMI-change check reads it, and
  // of concurrent writers adding one AMI exactly one finds it missing.
  const amis =
    place.last && asg && req.imageIds.length > 0 && !ride?.dropAmis ? [...new Set(req.imageIds)] : [];
  const ids: TimedAttr[] = chunk.map((m) => [idAttr(m.instanceId), toSeconds(m.time)]);
  const write = {
    expiry: scopeItemExpiry(req.now, maxWindowMs),
    ids,
    ...(first && asg ? { settingsLease: settingsPeriod(req.now) } : {}),
    groups,
    ...(first ? { judgeLease: judgePeriod(req.now) } : {}),
    callers,
    amis,
  };
  if (!ride) return { ...write, remove: [] };
  // The same attribute cannot be set and removed in one expression.
  const written = new Set<string>([
    ATTR.episode,
    ATTR.ttl,
    ...ids.map(([a]) => a),
    ...(write.settingsLease !== undefined ? [ATTR.settingsLease] : []),
    ...groups.map(([a]) => a),
    ...(write.judgeLease !== undefined ? [ATTR.judgeLease] : []),
    ...(callers.length > 0 ? [ATTR.callers] : []),
    ...(amis.length > 0 ? [ATTR.amis] : []),
  ]);
  const remove = cleanupAttrs(ride)
    .filter((a) => !written.has(a))
    .slice(0, REMOVALS_PER_WRITE);
  return { ...write, remove, ...(ride.watermark !== undefined ? { watermark: ride.watermark } : {}) };
}
