/**
 * The DynamoDB requests of the scope store (`scope-store.ts`), one builder per kind of write.
 * Each turns a plan or a value of the core (`core/scope-record.ts`, `core/fate-item.ts`,
 * `core/scope-item.ts`) into an `UpdateItem` input: attribute names behind placeholders, values
 * marshalled. No decision is made here, and nothing is sent.
 */
import type { AttributeValue, UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { TripOwner } from '../core/claim';
import { FATE_ATTR, fateItemId } from '../core/fate-item';
import {
  ATTR,
  type CachedSettings,
  type CleanupPlan,
  cleanupAttrs,
  cleanupWatermark,
  type ItemState,
  idAttr,
  REMOVALS_PER_WRITE,
  type TripProgress,
} from '../core/scope-item';
import type { RecordWrite } from '../core/scope-record';
import { encodeSamples } from '../core/time-to-useful';

type Names = Record<string, string>;
type Values = Record<string, AttributeValue>;

/** The optional parts of an update, in the order the request names them. */
interface UpdateParts {
  readonly condition?: string;
  readonly names?: Names;
  readonly values?: Values;
  readonly returnValues?: 'ALL_OLD' | 'ALL_NEW';
  readonly capacity?: boolean;
  readonly oldOnFailure?: boolean;
}

/** One `UpdateItem` of the item `pk`. */
function update(table: string, pk: string, expression: string, parts: UpdateParts): UpdateItemCommandInput {
  return {
    TableName: table,
    Key: { pk: { S: pk } },
    UpdateExpression: expression,
    ...(parts.condition !== undefined ? { ConditionExpression: parts.condition } : {}),
    ...(parts.names ? { ExpressionAttributeNames: parts.names } : {}),
    ...(parts.values ? { ExpressionAttributeValues: parts.values } : {}),
    ...(parts.returnValues ? { ReturnValues: parts.returnValues } : {}),
    ...(parts.capacity ? { ReturnConsumedCapacity: 'TOTAL' as const } : {}),
    ...(parts.oldOnFailure ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
  };
}

function n(value: number): AttributeValue {
  return { N: String(value) };
}

/** Placeholders `#<prefix><i>` for attribute names, in order. */
function placeholders(prefix: string, attrs: readonly string[], names: Names): string[] {
  return attrs.map((a, i) => {
    names[`#${prefix}${i}`] = a;
    return `#${prefix}${i}`;
  });
}

/** `SET` clauses that write each fate only where none is kept yet (the first decision stays). */
function fateSets(write: readonly (readonly [string, string])[], names: Names, values: Values): string[] {
  return write.map(([attr, fate], j) => {
    names[`#f${j}`] = attr;
    values[`:f${j}`] = { S: fate };
    return `#f${j} = if_not_exists(#f${j}, :f${j})`;
  });
}

/** One write of a record: ids and leases with `SET`, sets with `ADD`, a carried cleanup with `REMOVE`. */
export function recordRequest(table: string, pk: string, write: RecordWrite): UpdateItemCommandInput {
  const names: Names = { '#ep': ATTR.episode, '#ttl': ATTR.ttl };
  const values: Values = { ':zero': n(0), ':ttl': n(write.expiry) };
  const sets = ['#ep = if_not_exists(#ep, :zero)', '#ttl = :ttl'];
  const adds: string[] = [];
  write.ids.forEach(([attr, t], i) => {
    names[`#i${i}`] = attr;
    values[`:t${i}`] = n(t);
    sets.push(`#i${i} = if_not_exists(#i${i}, :t${i})`);
  });
  const put = (placeholder: string, attr: string, value: number | undefined): void => {
    if (value === undefined) return;
    names[`#${placeholder}`] = attr;
    values[`:${placeholder}`] = n(value);
    sets.push(`#${placeholder} = :${placeholder}`);
  };
  put('q', ATTR.settingsLease, write.settingsLease);
  for (const [i, [attr, t]] of write.groups.entries()) put(`g${i}`, attr, t);
  put('jq', ATTR.judgeLease, write.judgeLease);
  const add = (placeholder: string, attr: string, members: readonly string[]): void => {
    if (members.length === 0) return;
    names[`#${placeholder}`] = attr;
    values[`:${placeholder}`] = { SS: [...members] };
    adds.push(`#${placeholder} :${placeholder}`);
  };
  add('c', ATTR.callers, write.callers);
  add('a', ATTR.amis, write.amis);
  const removes = placeholders('r', write.remove, names);
  put('wm', ATTR.watermark, write.watermark);
  const expression = [
    `SET ${sets.join(', ')}`,
    adds.length > 0 ? `ADD ${adds.join(', ')}` : '',
    removes.length > 0 ? `REMOVE ${removes.join(', ')}` : '',
  ]
    .filter((part) => part !== '')
    .join(' ');
  return update(table, pk, expression, { names, values, returnValues: 'ALL_OLD', capacity: true });
}

/** Lower a known id's time (a later mention carried an earlier one); applies only if it lowers. */
export function lowerRequest(
  table: string,
  pk: string,
  instanceId: string,
  time: number,
): UpdateItemCommandInput {
  return update(table, pk, 'SET #id = :t', {
    condition: '#id > :t',
    names: { '#id': idAttr(instanceId) },
    values: { ':t': n(time) },
    capacity: true,
  });
}

/** A cleanup write of its own; only one per cleanup version applies. */
export function cleanupRequest(
  table: string,
  pk: string,
  state: ItemState,
  plan: CleanupPlan,
): UpdateItemCommandInput {
  const names: Names = { '#cv': ATTR.cleanupVersion };
  const values: Values = { ':cv': n(state.cleanupVersion), ':next': n(state.cleanupVersion + 1) };
  const removes = placeholders('r', cleanupAttrs(plan).slice(0, REMOVALS_PER_WRITE), names);
  const sets = ['#cv = :next'];
  const watermark = cleanupWatermark(plan, state);
  if (watermark !== undefined) {
    names['#wm'] = ATTR.watermark;
    values[':wm'] = n(watermark);
    sets.push('#wm = :wm');
  }
  // Only one cleanup per version: a concurrent one that lost the race has nothing left to do.
  return update(table, pk, `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`, {
    condition: state.cleanupVersion === 0 ? 'attribute_not_exists(#cv) OR #cv = :cv' : '#cv = :cv',
    names,
    values,
    capacity: true,
  });
}

/** Cache a group's settings in its item, or remove them (undefined: the defaults). */
export function settingsRequest(
  table: string,
  pk: string,
  settings: CachedSettings | undefined,
): UpdateItemCommandInput {
  const names = { '#s': ATTR.settings };
  return settings
    ? update(table, pk, 'SET #s = :s', { names, values: { ':s': { S: JSON.stringify(settings) } } })
    : update(table, pk, 'REMOVE #s', { names });
}

/** The episode and trip attributes, by the placeholders every trip write uses for them. */
const TRIP_NAMES: Readonly<Names> = {
  '#ep': ATTR.episode,
  '#te': ATTR.trippedEpisode,
  '#tb': ATTR.tripOwner,
  '#tat': ATTR.tripAt,
  '#tst': ATTR.tripProgress,
};

/**
 * A conditional write of a scope's episode and trip attributes. Names only the placeholders the
 * two expressions use: DynamoDB refuses unused ones.
 */
function tripWrite(
  table: string,
  pk: string,
  expression: string,
  condition: string,
  values: Values,
): UpdateItemCommandInput {
  const text = `${expression} ${condition}`;
  const names = Object.fromEntries(
    Object.entries(TRIP_NAMES).filter(([placeholder]) => new RegExp(`${placeholder}\\b`).test(text)),
  );
  return update(table, pk, expression, { condition, names, values });
}

/** What a trip write is about: the table, the scope's item and the episode. */
export interface TripTarget {
  readonly table: string;
  readonly pk: string;
  readonly episode: number;
}

/** The episode and owner values a trip write compares or sets. */
function held(target: TripTarget, owner: TripOwner): Values {
  return { ':ep': n(target.episode), ':me': { S: owner } };
}

/** Take an episode's trip (it fails when the episode moved on or is tripped already). */
export function claimRequest(
  t: TripTarget,
  owner: TripOwner,
  now: number,
  progress: TripProgress,
): UpdateItemCommandInput {
  return update(t.table, t.pk, 'SET #te = :ep, #tb = :me, #tat = :now, #tst = :p', {
    condition: '#ep = :ep AND (attribute_not_exists(#te) OR #te <> :ep)',
    names: TRIP_NAMES,
    values: { ...held(t, owner), ':now': n(now), ':p': { S: JSON.stringify(progress) } },
    oldOnFailure: true,
  });
}

/** Take over a trip from the owner and time `current` shows (fails if either changed). */
export function takeOverRequest(
  t: TripTarget,
  current: ItemState,
  owner: TripOwner,
  now: number,
): UpdateItemCommandInput {
  return tripWrite(
    t.table,
    t.pk,
    'SET #tb = :me, #tat = :now',
    '#te = :ep AND #tb = :old AND #tat = :oldAt',
    {
      ...held(t, owner),
      ':now': n(now),
      ':old': { S: current.tripOwner ?? '' },
      ':oldAt': n(current.tripAt ?? 0),
    },
  );
}

/** Record a trip's progress while the trip is still `owner`'s. */
export function progressRequest(
  t: TripTarget,
  owner: TripOwner,
  progress: TripProgress,
): UpdateItemCommandInput {
  const values = { ...held(t, owner), ':p': { S: JSON.stringify(progress) } };
  return tripWrite(t.table, t.pk, 'SET #tst = :p', '#te = :ep AND #tb = :me', values);
}

/** Give `owner`'s claimed trip back. */
export function releaseRequest(t: TripTarget, owner: TripOwner): UpdateItemCommandInput {
  return tripWrite(t.table, t.pk, 'REMOVE #te, #tb, #tat, #tst', '#te = :ep AND #tb = :me', held(t, owner));
}

/** End the episode that tripped. */
export function rearmRequest(t: TripTarget): UpdateItemCommandInput {
  const values = { ':ep': n(t.episode), ':next': n(t.episode + 1) };
  return tripWrite(t.table, t.pk, 'SET #ep = :next REMOVE #tb, #tat', '#ep = :ep AND #te = :ep', values);
}

/** Ignore the fates of launches at or before `cut` (the fate item of scope `pk`). */
export function cutFatesRequest(table: string, pk: string, cut: number): UpdateItemCommandInput {
  return update(table, fateItemId(pk), 'SET #cut = :cut', {
    names: { '#cut': FATE_ATTR.cut },
    values: { ':cut': n(cut) },
  });
}

/** The writes that clear `attrs` from a scope's item and start episode `next`. */
export function clearRequests(
  table: string,
  pk: string,
  attrs: readonly string[],
  next: number,
): UpdateItemCommandInput[] {
  const out: UpdateItemCommandInput[] = [];
  for (let i = 0; i < attrs.length; i += REMOVALS_PER_WRITE) {
    const names: Names = { '#ep': ATTR.episode };
    const removes = placeholders('r', attrs.slice(i, i + REMOVALS_PER_WRITE), names);
    out.push(
      update(table, pk, `SET #ep = :next REMOVE ${removes.join(', ')}`, {
        names,
        values: { ':next': n(next) },
      }),
    );
  }
  return out;
}

/** One write of fates to a fate item, returning the item as it then is. */
export function fatesRequest(
  table: string,
  fatePk: string,
  write: readonly (readonly [string, string])[],
  expiry: number,
): UpdateItemCommandInput {
  const names: Names = { '#ttl': FATE_ATTR.ttl };
  const values: Values = { ':ttl': n(expiry) };
  const sets = ['#ttl = :ttl', ...fateSets(write, names, values)];
  return update(table, fatePk, `SET ${sets.join(', ')}`, {
    names,
    values,
    returnValues: 'ALL_NEW',
    capacity: true,
  });
}

/** The same fates mirrored into the count's item, if it exists. */
export function mirrorFatesRequest(
  table: string,
  pk: string,
  write: readonly (readonly [string, string])[],
): UpdateItemCommandInput {
  const names: Names = { '#pk': ATTR.pk };
  const values: Values = {};
  const sets = fateSets(write, names, values);
  return update(table, pk, `SET ${sets.join(', ')}`, {
    condition: 'attribute_exists(#pk)',
    names,
    values,
    capacity: true,
  });
}

/** Remove attributes from an item (forgotten fates). */
export function removeRequest(table: string, pk: string, attrs: readonly string[]): UpdateItemCommandInput {
  const names: Names = {};
  const removes = placeholders('r', attrs, names);
  return update(table, pk, `REMOVE ${removes.join(', ')}`, { names });
}

/** Keep a group's time-to-useful history, if its item exists. */
export function learnedRequest(
  table: string,
  pk: string,
  samples: readonly number[],
): UpdateItemCommandInput {
  return update(table, pk, 'SET #ttu = :ttu', {
    condition: 'attribute_exists(#pk)',
    names: { '#ttu': ATTR.learned, '#pk': ATTR.pk },
    values: { ':ttu': { S: encodeSamples(samples) } },
  });
}

/** Set a group's auto-resume streak. */
export function streakRequest(table: string, pk: string, streak: number, at: number): UpdateItemCommandInput {
  return update(table, pk, 'SET #rs = :rs, #rsat = :at', {
    names: { '#rs': ATTR.resumeStreak, '#rsat': ATTR.resumeStreakAt },
    values: { ':rs': n(streak), ':at': n(at) },
  });
}
