/**
 * # How one scope lives in one DynamoDB item
 *
 * The store (`lambda/adapters/scope-store.ts`) implements the counting semantics of
 * `window.ts` on one item per scope, with one `UpdateItem` per scope per event. This file is
 * its pure half: the item's attribute layout, and what the store computes from the item as it
 * was just before its own write (`ReturnValues: ALL_OLD`). Updates to one item are serialized
 * by DynamoDB, so "the old item plus my own change" is exactly the new item, whatever runs
 * concurrently: every invocation sees a state that really existed.
 *
 * Layout (short attribute names keep the item, and so the write cost, small):
 * - one attribute per instance id, its value the id's time in epoch seconds, written with
 *   `if_not_exists`, so the first writer's time stays. A later mention with an earlier time
 *   lowers it with a conditional follow-up write (rare: it needs a duplicate that arrives
 *   before its own earlier record). Names: `j<base64 of the 17 hex digits>` for current ids,
 *   `i<8 hex>` for old short ids, `s<id>` for the synthetic ids of truncated records.
 * - `ep` the current episode number; `te` the episode that tripped (armed when `te` ≠ `ep`);
 *   `tb`, `tat`, `tst`: who owns the trip, since when, and how far its actions got.
 * - `wm` the eviction watermark (see below); `cv` the cleanup version.
 * - `q` the settings lease: the 5-minute period whose tag check was claimed (the first write of
 *   each period claims it, so one invocation per group and period reads the tags); `s` the
 *   group settings from its tags, absent when they are the defaults.
 * - `c` callers, `a` AMI ids (group scope), `g<name>` groups with their newest launch time
 *   (AMI scope): small sets for the alert. `a` also tells the AMI-change check whether a launch's
 *   AMI is new to its group (`core/ami-change.ts`): it is added to with `ADD` by a record's last
 *   write, so that write's `ALL_OLD` is the set before the record.
 * - `ttu` the time-to-useful of the group's recent registered launches (`time-to-useful.ts`).
 * - decided fates live in an item of their own (`fate-item.ts`), apart from the count's cap.
 * - `ttl` for DynamoDB's expiry. Correctness never depends on it: every count is computed from
 *   the times in the item, so an expired item that is still readable counts exactly the same.
 *
 * Two bounds keep the item small; both are documented deviations from the in-memory model:
 * 1. **Forgetting.** An id whose time is older than t − window − {@link DEDUP_SKEW_S} is
 *    removed by cleanup. A later mention of it is out of the window anyway, as long as every
 *    mention of an instance comes within {@link DEDUP_SKEW_S} of its first one (all sources
 *    are records of the launch itself: RunInstances, CreateFleet and Auto Scaling's event).
 * 2. **Cap.** Only the newest `threshold + CAP_MARGIN` ids in the window are kept. The ids
 *    evicted above that leave their newest time as the watermark `wm`; while `wm` is inside the
 *    window the count is a lower bound (`saturated`). Decisions do not change: the count rule
 *    only asks whether the count reaches the threshold, and it does whenever the scope is
 *    saturated. One case is beyond any small item: a second mention of an evicted id (say
 *    Auto Scaling's own launch event arriving after `threshold + 24` newer launches of the same
 *    scope were recorded) is counted again. That needs a scope already far above its threshold,
 *    and can only add to a count that is at or above the threshold anyway; it stops mattering
 *    once the evicted ids are {@link DEDUP_SKEW_S} out of the window.
 */
import type { AmiGroupOutcome, AutoResumePlan } from './report';
import { decodeSamples } from './time-to-useful';
import type { Mention } from './window';

/** A DynamoDB attribute value, in the plain marshalled shape (no SDK import in the core). */
export interface AttrValue {
  readonly S?: string;
  readonly N?: string;
  readonly SS?: readonly string[];
  readonly BOOL?: boolean;
}
export type ItemAttrs = Readonly<Record<string, AttrValue>>;

/** How far apart (seconds) two mentions of one instance can be and still be deduplicated. */
export const DEDUP_SKEW_S = 15 * 60;
/** The store keeps this many ids above the scope's threshold before evicting. */
export const CAP_MARGIN = 8;
/** Cleanup runs once this many ids (or group entries) can go at once: it bounds its cost to ~1/16 of writes. */
export const CLEANUP_BATCH = 16;
/**
 * More callers or AMI ids than this are dropped at the next cleanup. They feed the alerts; after
 * the AMI set is dropped, its group has no history until its next launch, so a change at that
 * very launch goes unannounced.
 */
export const MAX_SET = 8;

/** Attribute names of the scope item. */
export const ATTR = {
  pk: 'pk',
  ttl: 'ttl',
  episode: 'ep',
  trippedEpisode: 'te',
  tripOwner: 'tb',
  tripAt: 'tat',
  tripProgress: 'tst',
  watermark: 'wm',
  cleanupVersion: 'cv',
  settingsLease: 'q',
  settings: 's',
  callers: 'c',
  amis: 'a',
  resumeStreak: 'rs',
  resumeStreakAt: 'rsat',
  judgeLease: 'jq',
  learned: 'ttu',
} as const;

/** The newest ids a scope keeps whatever their age, so that the streak rule sees slow loops. */
export const KEEP_NEWEST = 10;
/** The period of the judge lease: one invocation per group and minute judges its launches. */
export const JUDGE_PERIOD_MS = 60_000;

const B64 = /^[A-Za-z0-9_-]{12}$/;

/** The attribute name that stores an instance id. */
export function idAttr(instanceId: string): string {
  const long = /^i-([0-9a-f]{17})$/.exec(instanceId);
  if (long) return `j${Buffer.from(`0${long[1]}`, 'hex').toString('base64url')}`;
  const short = /^i-([0-9a-f]{8})$/.exec(instanceId);
  if (short) return `i${short[1]}`;
  return `s${instanceId}`;
}

/** The instance id an attribute name stores, or undefined when the attribute is not an id. */
export function attrId(name: string): string | undefined {
  const tag = name[0];
  const rest = name.slice(1);
  if (tag === 'j' && B64.test(rest)) return `i-${Buffer.from(rest, 'base64url').toString('hex').slice(1)}`;
  if (tag === 'i' && /^[0-9a-f]{8}$/.test(rest)) return `i-${rest}`;
  if (tag === 's' && rest.length > 0) return rest;
  return undefined;
}

/**
 * The attribute name that stores a launch's decided fate (group scope): `f` and the id's own
 * attribute name. Its value is `useful` or `failed:<reason>`; written once, it stays (a launch
 * is decided at its deadline, whatever becomes of the instance later).
 */
export function fateAttr(instanceId: string): string {
  return `f${idAttr(instanceId)}`;
}

/** The attribute name that stores a group seen by an AMI scope. */
export function groupAttr(groupName: string): string {
  return `g:${groupName}`;
}

/** How far the actions of a claimed trip got, so that a retry never acts twice. */
export interface TripProgress {
  readonly step: 'claimed' | 'suspended' | 'tagged' | 'done';
  readonly processes?: readonly string[];
  readonly tagged?: boolean;
  readonly tagError?: string;
  readonly alertSent?: boolean;
  /** AMI scope: what the trip did to each group (so that a retry does not redo it). */
  readonly groups?: readonly AmiGroupOutcome[];
  /** The `suspended-at` tag value, fixed at the suspension so that a retry writes the same one. */
  readonly suspendedAt?: string;
  /** Auto-resume's plan, fixed once made so that a retry neither schedules twice nor counts the trip twice. */
  readonly autoResume?: AutoResumePlan;
  /** Streak rule: the newest launch (epoch ms) of the streak that tripped; a later streak counts only newer ones. */
  readonly streakUpTo?: number;
}

/** The group settings that the count path needs, cached in the group's item. */
export interface CachedSettings {
  readonly threshold: number;
  readonly windowMs: number;
  readonly exempt: boolean;
}

/** The decoded item. Times in epoch seconds. */
export interface ItemState {
  readonly ids: ReadonlyMap<string, number>;
  readonly watermark?: number;
  readonly episode: number;
  readonly trippedEpisode?: number;
  readonly tripOwner?: string;
  readonly tripAt?: number;
  readonly tripProgress?: TripProgress;
  readonly cleanupVersion: number;
  readonly settingsLease?: number;
  readonly settings?: CachedSettings;
  readonly callers: readonly string[];
  readonly amis: readonly string[];
  readonly groups: ReadonlyMap<string, number>;
  readonly resumeStreak: number;
  readonly resumeStreakAt?: number;
  readonly judgeLease?: number;
  /**
   * Decided fates of the ids this item holds (by instance id): a mirror of the fate item
   * (`fate-item.ts`), which keeps them whatever the cap. The launch path reads them for free
   * (`ALL_OLD`) to decide whether a judgement could find a streak at all.
   */
  readonly fates: ReadonlyMap<string, string>;
  /** Group scope: the time-to-useful (seconds) of its recent registered launches (`time-to-useful.ts`). */
  readonly learned: readonly number[];
}

function num(v: AttrValue | undefined): number | undefined {
  if (v?.N === undefined) return undefined;
  const n = Number(v.N);
  return Number.isFinite(n) ? n : undefined;
}

function json<T>(v: AttrValue | undefined): T | undefined {
  if (v?.S === undefined) return undefined;
  try {
    return JSON.parse(v.S) as T;
  } catch {
    // A value this code did not write: treat it as absent rather than fail every launch.
    return undefined;
  }
}

/** Decode an item (possibly empty: a new scope). */
export function decodeItem(attrs: ItemAttrs | undefined): ItemState {
  const a = attrs ?? {};
  const ids = new Map<string, number>();
  const groups = new Map<string, number>();
  const fates = new Map<string, string>();
  for (const [name, value] of Object.entries(a)) {
    if (name.startsWith('f') && value.S !== undefined) {
      const id = attrId(name.slice(1));
      if (id !== undefined) fates.set(id, value.S);
      continue;
    }
    if (name.startsWith('g:')) {
      const t = num(value);
      if (t !== undefined) groups.set(name.slice(2), t);
      continue;
    }
    const id = attrId(name);
    const t = num(value);
    if (id !== undefined && t !== undefined && !(name in ATTR_NAMES)) ids.set(id, t);
  }
  return {
    ids,
    watermark: num(a[ATTR.watermark]),
    episode: num(a[ATTR.episode]) ?? 0,
    trippedEpisode: num(a[ATTR.trippedEpisode]),
    tripOwner: a[ATTR.tripOwner]?.S,
    tripAt: num(a[ATTR.tripAt]),
    tripProgress: json<TripProgress>(a[ATTR.tripProgress]),
    cleanupVersion: num(a[ATTR.cleanupVersion]) ?? 0,
    settingsLease: num(a[ATTR.settingsLease]),
    settings: json<CachedSettings>(a[ATTR.settings]),
    callers: [...(a[ATTR.callers]?.SS ?? [])],
    amis: [...(a[ATTR.amis]?.SS ?? [])],
    groups,
    resumeStreak: num(a[ATTR.resumeStreak]) ?? 0,
    resumeStreakAt: num(a[ATTR.resumeStreakAt]),
    judgeLease: num(a[ATTR.judgeLease]),
    fates,
    learned: decodeSamples(a[ATTR.learned]?.S),
  };
}

const ATTR_NAMES: Readonly<Record<string, true>> = Object.fromEntries(
  Object.values(ATTR).map((n) => [n, true]),
);

/** Whether the scope is armed (can trip) in this state. */
export function isArmed(state: ItemState): boolean {
  return state.trippedEpisode !== state.episode;
}

/** What one write of mentions did to the scope's ids. Times in epoch seconds. */
export interface MentionOutcome {
  /** The ids after the write (the old ids plus the new ones, with lowered times applied). */
  readonly ids: ReadonlyMap<string, number>;
  readonly added: readonly { readonly instanceId: string; readonly time: number }[];
  /** Known ids whose time this write must lower (a conditional follow-up write). */
  readonly lowered: readonly { readonly instanceId: string; readonly time: number }[];
  readonly duplicates: number;
}

/** Seconds from epoch milliseconds (the parser gives whole seconds). */
export function toSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/**
 * Apply a record's mentions to the state the item had just before this write.
 *
 * @param old the item before the write (`ALL_OLD`)
 * @param mentions the record's mentions for this scope (epoch ms)
 */
export function applyMentions(old: ItemState, mentions: readonly Mention[]): MentionOutcome {
  const ids = new Map(old.ids);
  const added: { instanceId: string; time: number }[] = [];
  const lowered: { instanceId: string; time: number }[] = [];
  let duplicates = 0;
  // One record may name an instance twice: the write keeps the first value, so do the same here.
  const seen = new Set<string>();
  for (const m of mentions) {
    const time = toSeconds(m.time);
    const known = ids.get(m.instanceId);
    if (seen.has(m.instanceId) || known !== undefined) {
      const current = ids.get(m.instanceId) ?? time;
      if (time < current) {
        ids.set(m.instanceId, time);
        lowered.push({ instanceId: m.instanceId, time });
      } else {
        duplicates += 1;
      }
      continue;
    }
    seen.add(m.instanceId);
    ids.set(m.instanceId, time);
    added.push({ instanceId: m.instanceId, time });
  }
  return { ids, added, lowered, duplicates };
}

/** The count of a state, per `window.ts`. Times in epoch seconds. */
export interface Evaluation {
  /** t, the newest time (seconds), or undefined for an empty scope. */
  readonly newest?: number;
  readonly count: number;
  /** True when evicted ids may still be in the window: the true count is at least `count`. */
  readonly saturated: boolean;
  /** The window's ids, oldest first. */
  readonly inWindow: readonly { readonly instanceId: string; readonly time: number }[];
}

/** Count the ids in (t − window, t]. */
export function evaluate(
  ids: ReadonlyMap<string, number>,
  watermark: number | undefined,
  windowS: number,
): Evaluation {
  let newest: number | undefined;
  for (const t of ids.values()) if (newest === undefined || t > newest) newest = t;
  if (newest === undefined) return { count: 0, saturated: false, inWindow: [] };
  const start = newest - windowS;
  const inWindow = [...ids]
    .filter(([, t]) => t > start)
    .map(([instanceId, time]) => ({ instanceId, time }))
    .sort((x, y) => x.time - y.time || (x.instanceId < y.instanceId ? -1 : 1));
  return {
    newest,
    count: inWindow.length,
    saturated: watermark !== undefined && watermark > start,
    inWindow,
  };
}

/** Ids (or fates) per write: keeps one `UpdateItem`'s expression well under DynamoDB's 4 KB limit. */
export const IDS_PER_WRITE = 40;
/** Attribute removals per write (a cleanup's, or the one an ordinary write carries). */
export const REMOVALS_PER_WRITE = 100;

/** What a cleanup write removes. */
export interface CleanupPlan {
  readonly removeIds: readonly string[];
  /** The new watermark when in-window ids are evicted above the cap. */
  readonly watermark?: number;
  readonly removeGroups: readonly string[];
  /** The decided fates of removed ids, as attribute names. */
  readonly removeFates?: readonly string[];
  readonly dropCallers: boolean;
  readonly dropAmis: boolean;
}

/**
 * Decide what the item can lose: ids past the forgetting horizon, ids above the cap, groups
 * out of the window, oversized caller or AMI sets.
 *
 * The store carries a plan made with `batch` 1 inside its next ordinary write for the same
 * scope (no extra request); a plan for a separate cleanup write waits until
 * {@link CLEANUP_BATCH} things can go at once, so it adds at most 1/16 of a request per event.
 *
 * @param ev the evaluation of `ids` (see {@link evaluate}): the window's ids, oldest first
 * @returns the plan, or undefined when fewer than `batch` things can go
 */
export function planCleanup(
  ids: ReadonlyMap<string, number>,
  ev: Evaluation,
  state: Pick<ItemState, 'groups' | 'callers' | 'amis'> & { readonly fates?: ReadonlyMap<string, string> },
  windowS: number,
  threshold: number,
  batch: number = CLEANUP_BATCH,
): CleanupPlan | undefined {
  const newest = ev.newest;
  if (newest === undefined) return undefined;
  const forgetBefore = newest - windowS - DEDUP_SKEW_S;
  // The newest KEEP_NEWEST ids stay whatever their age: the streak rule judges them.
  const kept = new Set(
    [...ids]
      .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
      .slice(0, KEEP_NEWEST)
      .map(([id]) => id),
  );
  const forgettable = [...ids].filter(([id, t]) => t <= forgetBefore && !kept.has(id)).map(([id]) => id);
  const cap = threshold + CAP_MARGIN;
  const over = ev.count - cap;
  const staleGroups = [...state.groups].filter(([, t]) => t <= newest - windowS).map(([g]) => g);
  const needed =
    forgettable.length >= batch ||
    over >= batch ||
    staleGroups.length >= batch ||
    state.callers.length > MAX_SET ||
    state.amis.length > MAX_SET;
  if (!needed) return undefined;
  const evicted = over > 0 ? ev.inWindow.slice(0, over) : [];
  const removeIds = [...forgettable, ...evicted.map((e) => e.instanceId)];
  // Fates of removed ids go with them, and so do fates of ids the item no longer holds (the
  // delayed check mirrors fates here without knowing which ids the count still keeps).
  const removed = new Set(removeIds);
  const removeFates = [...(state.fates?.keys() ?? [])]
    .filter((id) => removed.has(id) || !ids.has(id))
    .map(fateAttr);
  return {
    removeIds,
    ...(removeFates.length > 0 ? { removeFates } : {}),
    ...(evicted.length > 0 ? { watermark: evicted[evicted.length - 1]!.time } : {}),
    removeGroups: staleGroups,
    dropCallers: state.callers.length > MAX_SET,
    dropAmis: state.amis.length > MAX_SET,
  };
}

/** The attributes a cleanup plan removes, ids first (a write takes the first {@link REMOVALS_PER_WRITE}). */
export function cleanupAttrs(plan: CleanupPlan): string[] {
  return [
    ...plan.removeIds.map(idAttr),
    ...(plan.removeFates ?? []),
    ...plan.removeGroups.map(groupAttr),
    ...(plan.dropCallers ? [ATTR.callers] : []),
    ...(plan.dropAmis ? [ATTR.amis] : []),
  ];
}

/** The watermark a separate cleanup writes: never lower than the one the item has. */
export function cleanupWatermark(plan: CleanupPlan, state: Pick<ItemState, 'watermark'>): number | undefined {
  if (plan.watermark === undefined) return undefined;
  return Math.max(plan.watermark, state.watermark ?? plan.watermark);
}

/**
 * What `resume` clears from a scope's item: its window (ids, mirrored fates, groups, watermark)
 * and its trip. Settings and the auto-resume streak stay.
 */
export function clearedAttrs(state: ItemState): string[] {
  return [
    ...[...state.ids.keys()].map(idAttr),
    ...[...state.fates.keys()].map(fateAttr),
    ...[...state.groups.keys()].map(groupAttr),
    ATTR.watermark,
    ATTR.trippedEpisode,
    ATTR.tripOwner,
    ATTR.tripAt,
    ATTR.tripProgress,
  ];
}

/** The fate item's cut when a scope is cleared: its newest launch (epoch seconds), 0 when empty. */
export function clearedCut(state: ItemState): number {
  return Math.max(0, ...state.ids.values());
}
