/**
 * # Where decided fates live: one item per scope, apart from the count
 *
 * The count's item (`scope-item.ts`) keeps only the newest `threshold + CAP_MARGIN` ids, so
 * that every launch's write stays one small `UpdateItem`. A batch larger than that cap pushes
 * older launches out; when their fates lived in the same item they died with them, and a loop
 * whose managed scaling adds 50 instances a step was never confirmed (issue 18). The fates now
 * live in an item of their own, keyed `fates#<scope id>`:
 *
 * - one attribute per decided launch, named `f` + the id's attribute name, its value
 *   `<fate>:<reason>:<launch time, epoch seconds>`. The launch time travels with the fate, so a
 *   rule can place a fate in the window whether or not the count still holds the id.
 * - `cut`: launches at or before this time (epoch seconds) are ignored. `resume` sets it, so the
 *   fates that caused a suspension do not trip the group again; the item needs no scan to clear.
 * - `ttl`, as the count's item.
 *
 * Nothing on the launch path writes this item, so the count's write cost does not grow with the
 * fates kept (a scope with 300 launches in its window keeps 300 fates here, about 14 KB, and the
 * count's item stays under 1 KB). The delayed check writes it (`saveFates`); the rules read it
 * when they judge. The item is per scope, not per group: an AMI scope can keep its own fates
 * under `fates#ami#…` with the same layout and rules.
 *
 * Forgetting: a fate goes once its launch is older than the longest window plus
 * {@link DEDUP_SKEW_S}, except the newest {@link KEEP_FATES}, which the streak rule may need
 * whatever their age. Cleanup waits until {@link CLEANUP_BATCH} can go at once.
 */
import { itemExpiry } from './leases';
import {
  type AttrValue,
  CLEANUP_BATCH,
  DEDUP_SKEW_S,
  decodeItem,
  fateAttr,
  IDS_PER_WRITE,
  type ItemAttrs,
  REMOVALS_PER_WRITE,
} from './scope-item';

/** The fate item's attributes other than fates. */
export const FATE_ATTR = { cut: 'cut', ttl: 'ttl' } as const;

/** The newest fates kept whatever their age (at least the longest streak a tag may ask for, twice). */
export const KEEP_FATES = 32;

/** The partition key of a scope's fate item. */
export function fateItemId(scopeId: string): string {
  return `fates#${scopeId}`;
}

/** One kept fate. */
export interface KeptFate {
  /** `useful:<reason>` or `failed:<reason>`, as `storedFate` in `fate.ts` makes it. */
  readonly fate: string;
  /** The launch time, epoch seconds; undefined for a fate written before times were kept. */
  readonly launchedAt?: number;
}

/** The value stored for a fate. */
export function encodeFate(fate: string, launchedAtMs: number): string {
  return `${fate}:${Math.floor(launchedAtMs / 1000)}`;
}

/** Read a stored value back: the fate (`<fate>:<reason>`) and, when present, its launch time. */
export function decodeFate(value: string): KeptFate {
  const parts = value.split(':');
  const t = parts.length >= 3 ? Number(parts[2]) : Number.NaN;
  return {
    fate: parts.slice(0, 2).join(':'),
    ...(Number.isFinite(t) ? { launchedAt: t } : {}),
  };
}

/**
 * The fates an item holds, by instance id, without those at or before its `cut`.
 *
 * @param fates stored values by instance id (the adapter decodes the attribute names)
 */
export function keptFates(
  fates: ReadonlyMap<string, string>,
  cut: number | undefined,
): ReadonlyMap<string, KeptFate> {
  const out = new Map<string, KeptFate>();
  for (const [id, value] of fates) {
    const kept = decodeFate(value);
    if (cut !== undefined && kept.launchedAt !== undefined && kept.launchedAt <= cut) continue;
    out.set(id, kept);
  }
  return out;
}

/** The fate strings alone, as the judge takes them (`decided`). */
export function decidedOf(fates: ReadonlyMap<string, KeptFate>): ReadonlyMap<string, string> {
  return new Map([...fates].map(([id, f]) => [id, f.fate]));
}

/**
 * The launches a rule judges: the count's ids and every kept fate with a launch time, one per
 * instance (the earliest time wins). Times in epoch seconds, as the count's item keeps them.
 */
export function knownLaunches(
  ids: ReadonlyMap<string, number>,
  fates: ReadonlyMap<string, KeptFate>,
): Map<string, number> {
  const out = new Map(ids);
  for (const [id, f] of fates) {
    if (f.launchedAt === undefined) continue;
    const t = out.get(id);
    if (t === undefined || f.launchedAt < t) out.set(id, f.launchedAt);
  }
  return out;
}

/**
 * The fate attributes that can go: launches older than `newest − windowS − DEDUP_SKEW_S`,
 * except the newest {@link KEEP_FATES}; undefined while fewer than `batch` can go.
 *
 * @param newest the newest launch time the item holds (epoch seconds)
 */
export function planFateCleanup(
  fates: ReadonlyMap<string, KeptFate>,
  windowS: number,
  batch: number = CLEANUP_BATCH,
): readonly string[] | undefined {
  const timed = [...fates]
    .filter((e): e is [string, KeptFate & { launchedAt: number }] => e[1].launchedAt !== undefined)
    .sort((x, y) => y[1].launchedAt - x[1].launchedAt || (x[0] < y[0] ? -1 : 1));
  const newest = timed[0]?.[1].launchedAt;
  if (newest === undefined) return undefined;
  const forgetBefore = newest - windowS - DEDUP_SKEW_S;
  const gone = timed
    .slice(KEEP_FATES)
    .filter(([, f]) => f.launchedAt <= forgetBefore)
    .map(([id]) => fateAttr(id));
  return gone.length >= batch ? gone : undefined;
}

/** Fates to keep, as attribute name and stored value, in groups of one write each. */
export function fateWrites(fates: ReadonlyMap<string, string>): (readonly [name: string, value: string])[][] {
  const entries = [...fates].map(([id, value]) => [fateAttr(id), value] as const);
  const writes: (readonly [string, string])[][] = [];
  for (let i = 0; i < entries.length; i += IDS_PER_WRITE) writes.push(entries.slice(i, i + IDS_PER_WRITE));
  return writes;
}

/**
 * The fate item's expiry when `fates` are written: as long as the count's item lives after the
 * newest of their launches.
 *
 * @param fates stored values (see {@link encodeFate}) by instance id
 * @param maxWindowMs the longest window any scope may use
 */
export function fateItemExpiry(fates: ReadonlyMap<string, string>, maxWindowMs: number): number {
  const newest = Math.max(0, ...[...fates.values()].map((v) => decodeFate(v).launchedAt ?? 0));
  return itemExpiry(newest, maxWindowMs);
}

/** The fates a read fate item keeps (without those at or before its `cut`). */
export function decodeFateItem(attrs: ItemAttrs | undefined): ReadonlyMap<string, KeptFate> {
  if (!attrs) return new Map();
  const cut: AttrValue | undefined = attrs[FATE_ATTR.cut];
  return keptFates(decodeItem(attrs).fates, cut?.N === undefined ? undefined : Number(cut.N));
}

/**
 * What one write removes from a fate item as the write of new fates left it (`ALL_NEW`): the
 * fates past the forgetting horizon of the longest window, when enough can go at once.
 */
export function fateItemCleanup(after: ItemAttrs, maxWindowMs: number): readonly string[] | undefined {
  const kept = keptFates(decodeItem(after).fates, undefined);
  return planFateCleanup(kept, Math.ceil(maxWindowMs / 1000))?.slice(0, REMOVALS_PER_WRITE);
}
