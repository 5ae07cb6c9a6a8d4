/**
 * The DynamoDB store: the counting semantics of `lambda/core/window.ts` on one item per scope.
 *
 * The item layout and the pure computations are in `lambda/core/scope-item.ts`. On the path
 * that does not trip, a scope costs one `UpdateItem` per event (ids are written with
 * `if_not_exists` and the item comes back as it was just before the write), plus an occasional
 * cleanup and, once per group per 5 minutes at most, a settings write. Everything is a
 * single-item conditional write: no transactions.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  type GetItemCommandOutput,
  ScanCommand,
  type ScanCommandOutput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
  type UpdateItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { arbitrateClaim, effectivePolicy, parseScopeId } from '../core/claim';
import { CounterStoreError } from '../core/errors';
import {
  decodeFate,
  FATE_ATTR,
  fateItemId,
  type KeptFate,
  keptFates,
  planFateCleanup,
} from '../core/fate-item';
import {
  ATTR,
  applyMentions,
  type CachedSettings,
  type CleanupPlan,
  DEDUP_SKEW_S,
  decodeItem,
  type Evaluation,
  evaluate,
  fateAttr,
  groupAttr,
  type ItemAttrs,
  type ItemState,
  idAttr,
  isArmed,
  JUDGE_PERIOD_MS,
  type MentionOutcome,
  planCleanup,
  type TripProgress,
  toSeconds,
} from '../core/scope-item';
import { encodeSamples } from '../core/time-to-useful';
import { DEFAULTS, SCOPE_KIND, type ScopeKey, type ScopePolicy, scopeId } from '../core/types';
import type { Mention } from '../core/window';
import { awsCause } from './aws-error';

/**
 * IAM actions the guard function uses through this adapter: `UpdateItem` to count, own trips
 * and keep fates; `GetItem` for the delayed check's read of a scope and for the rules' read of
 * the fates kept apart from the count (`readFates`).
 */
export const PERMISSIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem'] as const;
/** IAM actions of the operator tools and the resumer (`listScopes`, `clearScope`). */
export const OPERATOR_PERMISSIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Scan'] as const;

/** Ids per UpdateItem: keeps the update expression well under DynamoDB's 4 KB limit. */
const IDS_PER_WRITE = 40;
/** Attribute removals per cleanup write. */
const REMOVALS_PER_WRITE = 100;
/** The episode and trip attributes, by the placeholders every trip write uses for them. */
const TRIP_NAMES: Readonly<Record<string, string>> = {
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
  tableName: string,
  pk: string,
  update: string,
  condition: string,
  values: Record<string, AttributeValue>,
): UpdateItemCommandInput {
  const text = `${update} ${condition}`;
  return {
    TableName: tableName,
    Key: { pk: { S: pk } },
    UpdateExpression: update,
    ConditionExpression: condition,
    ExpressionAttributeNames: Object.fromEntries(
      Object.entries(TRIP_NAMES).filter(([placeholder]) => new RegExp(`${placeholder}\\b`).test(text)),
    ),
    ExpressionAttributeValues: values,
  };
}

/** Kept here for the callers that import them from the store (they live in `core/claim.ts`). */
export { effectivePolicy, parseScopeId };

/** Scopes whose planned cleanup a container remembers. */
const MAX_PENDING = 1000;

/** One scope's share of a launch record. */
export interface RecordRequest {
  readonly key: ScopeKey;
  readonly mentions: readonly Mention[];
  readonly callers: readonly string[];
  /** Group scope: the AMI ids of these launches. */
  readonly imageIds: readonly string[];
  /** AMI scope: the groups of these launches. */
  readonly groupNames: readonly string[];
  /** Handling time (ms): sets the item's TTL and the settings lease period. */
  readonly now: number;
}

/** What the store knows about a scope right after recording a launch. */
export interface ScopeView {
  readonly key: ScopeKey;
  /** The item just before this invocation's last write (trip state, settings, sets). */
  readonly before: ItemState;
  readonly outcome: MentionOutcome;
  /** The policy the count was evaluated with (cached group settings, else the defaults). */
  readonly policy: ScopePolicy;
  readonly evaluation: Evaluation;
  readonly armed: boolean;
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
  /** Requests sent and write capacity consumed by this call (for the benchmark). */
  readonly requests: number;
  readonly writeUnits: number;
  /** Callers, AMI ids and groups known for the scope, this record included. */
  readonly callers: readonly string[];
  readonly imageIds: readonly string[];
  readonly groups: ReadonlyMap<string, number>;
}

/**
 * Who holds a trip: one invocation of the function, never one event. Lambda's retry of an
 * invocation is the same invocation (it resumes the trip); a concurrent duplicate of the same
 * event is another invocation (it leaves the trip alone). A distinct type, so that an event id
 * cannot be passed where an owner is expected.
 */
export type TripOwner = string & { readonly tripOwner: unique symbol };

/** The owner name of one invocation, from its Lambda request id (`context.awsRequestId`). */
export function tripOwner(invocationId: string): TripOwner {
  return invocationId as TripOwner;
}

/** The outcome of trying to take a trip. */
export type TripClaim =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'resumed'; readonly progress: TripProgress }
  | { readonly kind: 'lost' };

/** A scope as `status` lists it. */
export interface ScopeSummary {
  readonly key: ScopeKey;
  readonly count: number;
  readonly saturated: boolean;
  readonly threshold: number;
  readonly windowMs: number;
  readonly newest?: number;
  readonly armed: boolean;
  readonly tripProgress?: TripProgress;
}

/** The role: count launches per scope, own trips, cache settings. */
export interface ScopeStore {
  record(req: RecordRequest, defaults: ScopePolicy): Promise<ScopeView>;
  saveSettings(key: ScopeKey, settings: CachedSettings | undefined): Promise<void>;
  claimTrip(key: ScopeKey, episode: number, owner: TripOwner, now: number): Promise<TripClaim>;
  saveProgress(key: ScopeKey, episode: number, owner: TripOwner, progress: TripProgress): Promise<boolean>;
  releaseTrip(key: ScopeKey, episode: number, owner: TripOwner): Promise<void>;
  rearm(key: ScopeKey, episode: number): Promise<void>;
  /**
   * Keep decided fates of a scope's launches in its fate item (`core/fate-item.ts`), each value
   * `encodeFate(…)`; the first decision stays.
   */
  saveFates(key: ScopeKey, fates: ReadonlyMap<string, string>): Promise<void>;
  /** The fates kept for a scope (its fate item, without those cut by `resume`). */
  readFates(key: ScopeKey): Promise<ReadonlyMap<string, KeptFate>>;
  /** Keep a group's time-to-useful history (`core/time-to-useful.ts`) in its count item. */
  saveLearned(key: ScopeKey, samples: readonly number[]): Promise<void>;
  /** Read one scope's item (the delayed check reads the trip state and the history). */
  read(key: ScopeKey): Promise<ItemState | undefined>;
}

/** The old item as the write that carried `plan` left it (the removals applied, except ids it also wrote). */
function withoutRemoved(state: ItemState, plan: CleanupPlan, chunk: readonly Mention[]): ItemState {
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

/** The newest time (epoch seconds) of a record's mentions. */
function latestSeconds(mentions: readonly Mention[]): number {
  return toSeconds(Math.max(...mentions.map((m) => m.time)));
}

function n(value: number): AttributeValue {
  return { N: String(value) };
}

function isConditionFailed(error: unknown): error is ConditionalCheckFailedException {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException'
  );
}

/** Counts launches in DynamoDB. */
export class DynamoDbScopeStore implements ScopeStore {
  /**
   * @param client a DynamoDB client (tests pass one pointed at dynalite)
   * @param tableName the table (partition key `pk`, TTL attribute `ttl`)
   * @param maxWindowMs the longest window any scope may use: items live at least that long
   */
  /**
   * Per scope, what this container's last write found removable. It rides along in the next
   * ordinary write for that scope, so a warm container never pays a separate cleanup request.
   * Removing is idempotent, and the watermark only marks counts as "at least" (no decision
   * depends on it), so a plan made from a slightly old state is still safe to apply.
   */
  private readonly pending = new Map<string, CleanupPlan>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly maxWindowMs: number = 24 * 3_600_000,
  ) {}

  /**
   * Record one record's launches for one scope and return the scope's new state.
   *
   * @throws CounterStoreError when DynamoDB fails
   */
  async record(req: RecordRequest, defaults: ScopePolicy): Promise<ScopeView> {
    const pk = scopeId(req.key);
    const byId = new Map<string, number>();
    for (const m of req.mentions) {
      const t = byId.get(m.instanceId);
      if (t === undefined || m.time < t) byId.set(m.instanceId, m.time);
    }
    const mentions = [...byId].map(([instanceId, time]) => ({ instanceId, time }));
    const chunks: Mention[][] = [];
    for (let i = 0; i < mentions.length; i += IDS_PER_WRITE)
      chunks.push(mentions.slice(i, i + IDS_PER_WRITE));
    if (chunks.length === 0) chunks.push([]);

    let requests = 0;
    let writeUnits = 0;
    let before: ItemState | undefined;
    let outcome: MentionOutcome | undefined;
    const added: MentionOutcome['added'][number][] = [];
    const lowered: MentionOutcome['lowered'][number][] = [];
    let duplicates = 0;
    const carried = this.pending.get(pk);
    this.pending.delete(pk);
    for (const [index, chunk] of chunks.entries()) {
      const ride = index === 0 ? carried : undefined;
      const last = index === chunks.length - 1;
      const out = await this.send(this.recordInput(pk, req, chunk, index === 0, last, ride), `record ${pk}`);
      requests += 1;
      writeUnits += out.ConsumedCapacity?.CapacityUnits ?? 0;
      const old = decodeItem(out.Attributes as ItemAttrs | undefined);
      // The state this write left, before its own mentions: the old item less what it removed.
      before = ride ? withoutRemoved(old, ride, chunk) : old;
      outcome = applyMentions(before, chunk);
      added.push(...outcome.added);
      lowered.push(...outcome.lowered);
      duplicates += outcome.duplicates;
    }
    const state = before!;
    const ids = outcome!.ids;

    for (const l of lowered) {
      const lowering = await this.conditional(
        {
          TableName: this.tableName,
          Key: { pk: { S: pk } },
          UpdateExpression: 'SET #id = :t',
          ConditionExpression: '#id > :t',
          ExpressionAttributeNames: { '#id': idAttr(l.instanceId) },
          ExpressionAttributeValues: { ':t': n(l.time) },
          ReturnConsumedCapacity: 'TOTAL',
        },
        `lower ${pk}`,
      );
      writeUnits += lowering.writeUnits;
      requests += 1;
    }
    const policy = effectivePolicy(state, defaults);
    const windowS = Math.round(policy.windowMs / 1000);
    const groups = new Map(state.groups);
    if (req.key.scope === SCOPE_KIND.ami && req.mentions.length > 0) {
      const t = latestSeconds(req.mentions);
      for (const g of req.groupNames) groups.set(g, Math.max(groups.get(g) ?? t, t));
    }
    const callers = [...new Set([...state.callers, ...req.callers])];
    const imageIds = [...new Set([...state.amis, ...(req.key.scope === SCOPE_KIND.asg ? req.imageIds : [])])];

    const evaluation = evaluate(ids, state.watermark, windowS);
    const sets = { groups, callers, amis: imageIds, fates: state.fates };
    // A cold container (nothing carried) facing a large item cleans up at once; a warm one
    // carries whatever can go into its next write for this scope.
    const separate = carried ? undefined : planCleanup(ids, evaluation, sets, windowS, policy.threshold);
    if (separate) {
      const cleaned = await this.cleanup(pk, state, separate);
      requests += cleaned.requests;
      writeUnits += cleaned.writeUnits;
    } else {
      const next = planCleanup(ids, evaluation, sets, windowS, policy.threshold, 1);
      if (next) this.remember(pk, next);
    }

    const period = Math.floor(req.now / DEFAULTS.settingsTtlMs);
    const holdsLease = req.key.scope === SCOPE_KIND.asg && state.settingsLease !== period;
    // Both scopes: a group's judging, and an AMI's confirmation while its count is over its threshold.
    const judge = state.judgeLease !== Math.floor(req.now / JUDGE_PERIOD_MS);
    return {
      key: req.key,
      before: state,
      outcome: { ids, added, lowered, duplicates },
      policy,
      evaluation,
      armed: isArmed(state),
      refreshSettings: holdsLease,
      judge,
      requests,
      writeUnits,
      callers,
      imageIds,
      groups,
    };
  }

  private remember(pk: string, plan: CleanupPlan): void {
    if (this.pending.size >= MAX_PENDING) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.pending.delete(oldest);
    }
    this.pending.set(pk, plan);
  }

  private recordInput(
    pk: string,
    req: RecordRequest,
    chunk: readonly Mention[],
    first: boolean,
    last: boolean,
    ride?: CleanupPlan,
  ): UpdateItemCommandInput {
    const names: Record<string, string> = { '#ep': ATTR.episode, '#ttl': ATTR.ttl };
    const values: Record<string, AttributeValue> = {
      ':zero': n(0),
      ':ttl': n(toSeconds(req.now) + Math.ceil(this.maxWindowMs / 1000) + DEDUP_SKEW_S + 86_400),
    };
    const sets = ['#ep = if_not_exists(#ep, :zero)', '#ttl = :ttl'];
    const adds: string[] = [];
    chunk.forEach((m, i) => {
      names[`#i${i}`] = idAttr(m.instanceId);
      values[`:t${i}`] = n(toSeconds(m.time));
      sets.push(`#i${i} = if_not_exists(#i${i}, :t${i})`);
    });
    if (first) {
      if (req.key.scope === SCOPE_KIND.asg) {
        names['#q'] = ATTR.settingsLease;
        values[':q'] = n(Math.floor(req.now / DEFAULTS.settingsTtlMs));
        sets.push('#q = :q');
      } else if (req.mentions.length > 0) {
        const t = latestSeconds(req.mentions);
        [...new Set(req.groupNames)].forEach((g, i) => {
          names[`#g${i}`] = groupAttr(g);
          values[`:g${i}`] = n(t);
          sets.push(`#g${i} = :g${i}`);
        });
      }
      names['#jq'] = ATTR.judgeLease;
      values[':jq'] = n(Math.floor(req.now / JUDGE_PERIOD_MS));
      sets.push('#jq = :jq');
      if (req.callers.length > 0 && !ride?.dropCallers) {
        names['#c'] = ATTR.callers;
        values[':c'] = { SS: [...new Set(req.callers)] };
        adds.push('#c :c');
      }
    }
    // The AMI set is added to by a record's last write, so that the item that write returns
    // (`before`) holds the set as it was before this record: the AMI-change check reads it, and
    // of concurrent writers adding one AMI exactly one finds it missing.
    if (last && req.key.scope === SCOPE_KIND.asg && req.imageIds.length > 0 && !ride?.dropAmis) {
      names['#a'] = ATTR.amis;
      values[':a'] = { SS: [...new Set(req.imageIds)] };
      adds.push('#a :a');
    }
    const removes: string[] = [];
    if (ride) {
      const written = new Set(Object.values(names));
      const attrs = [
        ...ride.removeIds.map(idAttr),
        ...(ride.removeFates ?? []),
        ...ride.removeGroups.map(groupAttr),
        ...(ride.dropCallers ? [ATTR.callers] : []),
        ...(ride.dropAmis ? [ATTR.amis] : []),
      ]
        // The same attribute cannot be set and removed in one expression.
        .filter((a) => !written.has(a))
        .slice(0, REMOVALS_PER_WRITE);
      attrs.forEach((a, i) => {
        names[`#r${i}`] = a;
        removes.push(`#r${i}`);
      });
      if (ride.watermark !== undefined) {
        names['#wm'] = ATTR.watermark;
        values[':wm'] = n(ride.watermark);
        sets.push('#wm = :wm');
      }
    }
    return {
      TableName: this.tableName,
      Key: { pk: { S: pk } },
      UpdateExpression: [
        `SET ${sets.join(', ')}`,
        adds.length > 0 ? `ADD ${adds.join(', ')}` : '',
        removes.length > 0 ? `REMOVE ${removes.join(', ')}` : '',
      ]
        .filter((part) => part !== '')
        .join(' '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_OLD',
      ReturnConsumedCapacity: 'TOTAL',
    };
  }

  private async cleanup(
    pk: string,
    state: ItemState,
    plan: CleanupPlan,
  ): Promise<{ requests: number; writeUnits: number }> {
    const names: Record<string, string> = { '#cv': ATTR.cleanupVersion };
    const values: Record<string, AttributeValue> = {
      ':cv': n(state.cleanupVersion),
      ':next': n(state.cleanupVersion + 1),
    };
    const removes: string[] = [];
    const attrs = [
      ...plan.removeIds.map(idAttr),
      ...(plan.removeFates ?? []),
      ...plan.removeGroups.map(groupAttr),
      ...(plan.dropCallers ? [ATTR.callers] : []),
      ...(plan.dropAmis ? [ATTR.amis] : []),
    ].slice(0, REMOVALS_PER_WRITE);
    attrs.forEach((a, i) => {
      names[`#r${i}`] = a;
      removes.push(`#r${i}`);
    });
    const sets = ['#cv = :next'];
    if (plan.watermark !== undefined) {
      names['#wm'] = ATTR.watermark;
      values[':wm'] = n(Math.max(plan.watermark, state.watermark ?? plan.watermark));
      sets.push('#wm = :wm');
    }
    // Only one cleanup per version: a concurrent one that lost the race has nothing left to do.
    const { writeUnits } = await this.conditional(
      {
        TableName: this.tableName,
        Key: { pk: { S: pk } },
        UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
        ConditionExpression:
          state.cleanupVersion === 0 ? 'attribute_not_exists(#cv) OR #cv = :cv' : '#cv = :cv',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnConsumedCapacity: 'TOTAL',
      },
      `cleanup ${pk}`,
    );
    return { requests: 1, writeUnits };
  }

  /**
   * Cache a group's settings in its item; undefined removes them (the group uses the defaults).
   * The guard writes only when the settings it read differ from the cached ones, so a group
   * without guard tags never pays this write.
   */
  async saveSettings(key: ScopeKey, settings: CachedSettings | undefined): Promise<void> {
    await this.send(
      settings
        ? {
            TableName: this.tableName,
            Key: { pk: { S: scopeId(key) } },
            UpdateExpression: 'SET #s = :s',
            ExpressionAttributeNames: { '#s': ATTR.settings },
            ExpressionAttributeValues: { ':s': { S: JSON.stringify(settings) } },
          }
        : {
            TableName: this.tableName,
            Key: { pk: { S: scopeId(key) } },
            UpdateExpression: 'REMOVE #s',
            ExpressionAttributeNames: { '#s': ATTR.settings },
          },
      `save settings ${scopeId(key)}`,
    );
  }

  /**
   * Take the trip of the current episode. Exactly one invocation gets `claimed` per episode;
   * a retry of that same invocation (same owner) gets `resumed` with how far it got, and so
   * does an invocation that takes over a trip whose owner made no progress for 10 minutes.
   * Any other invocation, a concurrent duplicate of the owner's event included, gets `lost`.
   */
  async claimTrip(key: ScopeKey, episode: number, owner: TripOwner, now: number): Promise<TripClaim> {
    const pk = scopeId(key);
    const claimed: TripProgress = { step: 'claimed' };
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: { S: pk } },
          UpdateExpression: 'SET #te = :ep, #tb = :me, #tat = :now, #tst = :p',
          ConditionExpression: '#ep = :ep AND (attribute_not_exists(#te) OR #te <> :ep)',
          ExpressionAttributeNames: TRIP_NAMES,
          ExpressionAttributeValues: {
            ':ep': n(episode),
            ':me': { S: owner },
            ':now': n(now),
            ':p': { S: JSON.stringify(claimed) },
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { kind: 'claimed' };
    } catch (error) {
      if (!isConditionFailed(error)) throw new CounterStoreError(`claim trip ${pk} failed`, awsCause(error));
      // DynamoDB returns the item that failed the condition; an emulator may not, so read it then.
      const current = error.Item
        ? decodeItem(error.Item as ItemAttrs)
        : ((await this.read(key)) ?? decodeItem(undefined));
      const verdict = arbitrateClaim(current, episode, owner, now);
      if (verdict === 'lost') return { kind: 'lost' };
      const progress = current.tripProgress ?? claimed;
      if (verdict === 'resume') return { kind: 'resumed', progress };
      return (await this.takeOver(pk, episode, current, owner, now))
        ? { kind: 'resumed', progress }
        : { kind: 'lost' };
    }
  }

  private async takeOver(
    pk: string,
    episode: number,
    current: ItemState,
    owner: TripOwner,
    now: number,
  ): Promise<boolean> {
    const { applied } = await this.conditional(
      tripWrite(
        this.tableName,
        pk,
        'SET #tb = :me, #tat = :now',
        '#te = :ep AND #tb = :old AND #tat = :oldAt',
        {
          ':ep': n(episode),
          ':me': { S: owner },
          ':now': n(now),
          ':old': { S: current.tripOwner ?? '' },
          ':oldAt': n(current.tripAt ?? 0),
        },
      ),
      `take over trip ${pk}`,
    );
    return applied;
  }

  /** Record how far a trip's actions got. False when the trip is no longer this owner's. */
  async saveProgress(
    key: ScopeKey,
    episode: number,
    owner: TripOwner,
    progress: TripProgress,
  ): Promise<boolean> {
    const { applied } = await this.conditional(
      tripWrite(this.tableName, scopeId(key), 'SET #tst = :p', '#te = :ep AND #tb = :me', {
        ':ep': n(episode),
        ':me': { S: owner },
        ':p': { S: JSON.stringify(progress) },
      }),
      `save trip progress ${scopeId(key)}`,
    );
    return applied;
  }

  /** Give a claimed trip back (the churn check blocked it): the scope stays armed. */
  async releaseTrip(key: ScopeKey, episode: number, owner: TripOwner): Promise<void> {
    await this.conditional(
      tripWrite(this.tableName, scopeId(key), 'REMOVE #te, #tb, #tat, #tst', '#te = :ep AND #tb = :me', {
        ':ep': n(episode),
        ':me': { S: owner },
      }),
      `release trip ${scopeId(key)}`,
    );
  }

  /**
   * End the episode that tripped: the scope can trip again. The finished trip's progress stays
   * (until the next claim replaces it): the streak rule reads where the last streak ended.
   */
  async rearm(key: ScopeKey, episode: number): Promise<void> {
    await this.conditional(
      tripWrite(this.tableName, scopeId(key), 'SET #ep = :next REMOVE #tb, #tat', '#ep = :ep AND #te = :ep', {
        ':ep': n(episode),
        ':next': n(episode + 1),
      }),
      `rearm ${scopeId(key)}`,
    );
  }

  /** Read one scope's item (operator tools). */
  async read(key: ScopeKey): Promise<ItemState | undefined> {
    let out: GetItemCommandOutput;
    try {
      out = await this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: { pk: { S: scopeId(key) } },
          ConsistentRead: true,
        }),
      );
    } catch (error) {
      throw new CounterStoreError(`read ${scopeId(key)} failed`, awsCause(error));
    }
    return out.Item ? decodeItem(out.Item as ItemAttrs) : undefined;
  }

  /**
   * Forget a scope's window and end its episode (used by `resume`), so that it does not trip
   * again at once on the launches that caused the suspension. Settings and the auto-resume
   * streak stay.
   */
  async clearScope(key: ScopeKey): Promise<void> {
    const pk = scopeId(key);
    const state = await this.read(key);
    if (!state) return;
    const attrs = [
      ...[...state.ids.keys()].map(idAttr),
      ...[...state.fates.keys()].map(fateAttr),
      ...[...state.groups.keys()].map(groupAttr),
      ATTR.watermark,
      ATTR.trippedEpisode,
      ATTR.tripOwner,
      ATTR.tripAt,
      ATTR.tripProgress,
    ];
    // The fates of the cleared launches stay in their item but are ignored from now on.
    const newest = Math.max(0, ...state.ids.values());
    await this.send(
      {
        TableName: this.tableName,
        Key: { pk: { S: fateItemId(pk) } },
        UpdateExpression: 'SET #cut = :cut',
        ExpressionAttributeNames: { '#cut': FATE_ATTR.cut },
        ExpressionAttributeValues: { ':cut': n(newest) },
      },
      `cut fates ${pk}`,
    );
    for (let i = 0; i < attrs.length; i += REMOVALS_PER_WRITE) {
      const names: Record<string, string> = { '#ep': ATTR.episode };
      const part = attrs.slice(i, i + REMOVALS_PER_WRITE);
      part.forEach((a, j) => {
        names[`#r${j}`] = a;
      });
      await this.send(
        {
          TableName: this.tableName,
          Key: { pk: { S: pk } },
          UpdateExpression: `SET #ep = :next REMOVE ${part.map((_, j) => `#r${j}`).join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: { ':next': n(state.episode + 1) },
        },
        `clear ${pk}`,
      );
    }
  }

  /**
   * Keep decided fates in the scope's fate item, each written once (the first decision stays),
   * then drop the fates past the forgetting horizon when enough can go at once. The fate item
   * is apart from the count's item: the launch path's write never carries the fates.
   */
  async saveFates(key: ScopeKey, fates: ReadonlyMap<string, string>): Promise<void> {
    const pk = fateItemId(scopeId(key));
    const entries = [...fates];
    let after: ItemAttrs | undefined;
    for (let i = 0; i < entries.length; i += IDS_PER_WRITE) {
      const names: Record<string, string> = { '#ttl': FATE_ATTR.ttl };
      const values: Record<string, AttributeValue> = { ':ttl': n(this.expiry(entries)) };
      const sets: string[] = ['#ttl = :ttl'];
      entries.slice(i, i + IDS_PER_WRITE).forEach(([id, fate], j) => {
        names[`#f${j}`] = fateAttr(id);
        values[`:f${j}`] = { S: fate };
        sets.push(`#f${j} = if_not_exists(#f${j}, :f${j})`);
      });
      const out = await this.send(
        {
          TableName: this.tableName,
          Key: { pk: { S: pk } },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnConsumedCapacity: 'TOTAL',
        },
        `save fates ${pk}`,
      );
      after = out.Attributes as ItemAttrs | undefined;
    }
    // The count's item mirrors the fates of the ids it holds (its cleanup drops the others), so
    // that the launch path sees them in its own write's `ALL_OLD`.
    for (let i = 0; i < entries.length; i += IDS_PER_WRITE) {
      const names: Record<string, string> = { '#pk': ATTR.pk };
      const values: Record<string, AttributeValue> = {};
      const sets: string[] = [];
      entries.slice(i, i + IDS_PER_WRITE).forEach(([id, fate], j) => {
        names[`#f${j}`] = fateAttr(id);
        values[`:f${j}`] = { S: fate };
        sets.push(`#f${j} = if_not_exists(#f${j}, :f${j})`);
      });
      await this.conditional(
        {
          TableName: this.tableName,
          Key: { pk: { S: scopeId(key) } },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnConsumedCapacity: 'TOTAL',
        },
        `mirror fates ${scopeId(key)}`,
      );
    }
    if (after === undefined) return;
    const kept = keptFates(decodeItem(after).fates, undefined);
    const gone = planFateCleanup(kept, Math.ceil(this.maxWindowMs / 1000));
    if (gone === undefined) return;
    const part = gone.slice(0, REMOVALS_PER_WRITE);
    await this.send(
      {
        TableName: this.tableName,
        Key: { pk: { S: pk } },
        UpdateExpression: `REMOVE ${part.map((_, j) => `#r${j}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(part.map((a, j) => [`#r${j}`, a])),
      },
      `forget fates ${pk}`,
    );
  }

  /** The item's expiry for fates: as long as the count's item lives after its newest launch. */
  private expiry(entries: readonly [string, string][]): number {
    const newest = Math.max(0, ...entries.map(([, v]) => decodeFate(v).launchedAt ?? 0));
    return newest + Math.ceil(this.maxWindowMs / 1000) + DEDUP_SKEW_S + 86_400;
  }

  /** The fates kept for a scope (a consistent read of its fate item). */
  async readFates(key: ScopeKey): Promise<ReadonlyMap<string, KeptFate>> {
    const pk = fateItemId(scopeId(key));
    let out: GetItemCommandOutput;
    try {
      out = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: pk } }, ConsistentRead: true }),
      );
    } catch (error) {
      throw new CounterStoreError(`read fates ${pk} failed`, awsCause(error));
    }
    if (!out.Item) return new Map();
    const attrs = out.Item as ItemAttrs;
    const cut = attrs[FATE_ATTR.cut]?.N;
    return keptFates(decodeItem(attrs).fates, cut === undefined ? undefined : Number(cut));
  }

  /** Keep a group's time-to-useful history in its count item (nothing for a scope that is gone). */
  async saveLearned(key: ScopeKey, samples: readonly number[]): Promise<void> {
    await this.conditional(
      {
        TableName: this.tableName,
        Key: { pk: { S: scopeId(key) } },
        UpdateExpression: 'SET #ttu = :ttu',
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#ttu': ATTR.learned, '#pk': ATTR.pk },
        ExpressionAttributeValues: { ':ttu': { S: encodeSamples(samples) } },
      },
      `save learned ${scopeId(key)}`,
    );
  }

  /** Set a group's auto-resume streak (how many trips in a row, and when the last was). */
  async setResumeStreak(key: ScopeKey, streak: number, at: number): Promise<void> {
    await this.send(
      {
        TableName: this.tableName,
        Key: { pk: { S: scopeId(key) } },
        UpdateExpression: 'SET #rs = :rs, #rsat = :at',
        ExpressionAttributeNames: { '#rs': ATTR.resumeStreak, '#rsat': ATTR.resumeStreakAt },
        ExpressionAttributeValues: { ':rs': n(streak), ':at': n(at) },
      },
      `set resume streak ${scopeId(key)}`,
    );
  }

  /** Every scope in the table with its current count (operator tools; a full Scan). */
  async listScopes(defaults: { asg: ScopePolicy; ami: ScopePolicy }): Promise<ScopeSummary[]> {
    const out: ScopeSummary[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      let page: ScanCommandOutput;
      try {
        page = await this.client.send(
          new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: start }),
        );
      } catch (error) {
        throw new CounterStoreError(`scan ${this.tableName} failed`, awsCause(error));
      }
      for (const item of page.Items ?? []) {
        const key = parseScopeId(item.pk?.S ?? '');
        if (!key) continue;
        const state = decodeItem(item as ItemAttrs);
        const policy = effectivePolicy(state, defaults[key.scope]);
        const ev = evaluate(state.ids, state.watermark, Math.round(policy.windowMs / 1000));
        out.push({
          key,
          count: ev.count,
          saturated: ev.saturated,
          threshold: policy.threshold,
          windowMs: policy.windowMs,
          ...(ev.newest !== undefined ? { newest: ev.newest * 1000 } : {}),
          armed: isArmed(state),
          ...(state.tripProgress ? { tripProgress: state.tripProgress } : {}),
        });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  private async send(input: UpdateItemCommandInput, what: string): Promise<UpdateItemCommandOutput> {
    try {
      return await this.client.send(new UpdateItemCommand(input));
    } catch (error) {
      throw new CounterStoreError(`${what} failed`, awsCause(error));
    }
  }

  /**
   * A conditional write whose failed condition means "someone else did it, or it no longer
   * applies": never an error. Returns whether it applied and the write capacity it used.
   */
  private async conditional(
    input: UpdateItemCommandInput,
    what: string,
  ): Promise<{ applied: boolean; writeUnits: number }> {
    try {
      const out = await this.client.send(new UpdateItemCommand(input));
      return { applied: true, writeUnits: out.ConsumedCapacity?.CapacityUnits ?? 0 };
    } catch (error) {
      if (isConditionFailed(error)) return { applied: false, writeUnits: 0 };
      throw new CounterStoreError(`${what} failed`, awsCause(error));
    }
  }
}
