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
import { CLAIMED, parseScopeId, settleClaim, type TripClaim, type TripOwner } from '../core/claim';
import { CounterStoreError } from '../core/errors';
import {
  decodeFateItem,
  FATE_ATTR,
  fateItemCleanup,
  fateItemExpiry,
  fateItemId,
  fateWrites,
  type KeptFate,
} from '../core/fate-item';
import {
  ATTR,
  type CachedSettings,
  type CleanupPlan,
  cleanupAttrs,
  cleanupWatermark,
  clearedAttrs,
  clearedCut,
  decodeItem,
  type ItemAttrs,
  type ItemState,
  idAttr,
  type MentionOutcome,
  REMOVALS_PER_WRITE,
  type TripProgress,
} from '../core/scope-item';
import {
  afterWrite,
  countRecord,
  joinOutcomes,
  type RecordRequest,
  type RecordWrite,
  recordChunks,
  recordWrite,
  type ScopeView,
  scopeView,
} from '../core/scope-record';
import { type ScopeSummary, summarizeScope } from '../core/scope-summary';
import { encodeSamples } from '../core/time-to-useful';
import { type ScopeKey, type ScopePolicy, scopeId } from '../core/types';
import type { ScopeStore } from '../ports';
import { awsCause } from './aws-error';

/**
 * IAM actions the guard function uses through this adapter: `UpdateItem` to count, own trips
 * and keep fates; `GetItem` for the delayed check's read of a scope and for the rules' read of
 * the fates kept apart from the count (`readFates`).
 */
export const PERMISSIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem'] as const;
/** IAM actions of the operator tools and the resumer (`listScopes`, `clearScope`). */
export const OPERATOR_PERMISSIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Scan'] as const;

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

/** Scopes whose planned cleanup a container remembers. */
const MAX_PENDING = 1000;

function n(value: number): AttributeValue {
  return { N: String(value) };
}

/** Placeholders `#<prefix><i>` for attribute names, in order. */
function placeholders(prefix: string, attrs: readonly string[], names: Record<string, string>): string[] {
  return attrs.map((a, i) => {
    names[`#${prefix}${i}`] = a;
    return `#${prefix}${i}`;
  });
}

/** `SET` clauses that write each fate only where none is kept yet (the first decision stays). */
function fateSets(
  write: readonly (readonly [string, string])[],
  names: Record<string, string>,
  values: Record<string, AttributeValue>,
): string[] {
  return write.map(([attr, fate], j) => {
    names[`#f${j}`] = attr;
    values[`:f${j}`] = { S: fate };
    return `#f${j} = if_not_exists(#f${j}, :f${j})`;
  });
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
    const chunks = recordChunks(req.mentions);
    let requests = 0;
    let writeUnits = 0;
    let before: ItemState | undefined;
    const outcomes: MentionOutcome[] = [];
    const carried = this.pending.get(pk);
    this.pending.delete(pk);
    for (const [index, chunk] of chunks.entries()) {
      const ride = index === 0 ? carried : undefined;
      const place = { first: index === 0, last: index === chunks.length - 1 };
      const write = recordWrite(req, chunk, place, ride, this.maxWindowMs);
      const out = await this.send(this.recordInput(pk, write), `record ${pk}`);
      requests += 1;
      writeUnits += out.ConsumedCapacity?.CapacityUnits ?? 0;
      const found = afterWrite(decodeItem(out.Attributes as ItemAttrs | undefined), chunk, ride);
      before = found.before;
      outcomes.push(found.outcome);
    }
    const state = before!;
    const outcome = joinOutcomes(outcomes);

    for (const l of outcome.lowered) {
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
    const counted = countRecord(req, state, outcome.ids, defaults, carried !== undefined);
    if (counted.separate) {
      writeUnits += await this.cleanup(pk, state, counted.separate);
      requests += 1;
    } else if (counted.next) {
      this.remember(pk, counted.next);
    }
    return scopeView(req, state, outcome, counted, { requests, writeUnits });
  }

  private remember(pk: string, plan: CleanupPlan): void {
    if (this.pending.size >= MAX_PENDING) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.pending.delete(oldest);
    }
    this.pending.set(pk, plan);
  }

  /** One write of a record: ids and leases with `SET`, sets with `ADD`, a carried cleanup with `REMOVE`. */
  private recordInput(pk: string, write: RecordWrite): UpdateItemCommandInput {
    const names: Record<string, string> = { '#ep': ATTR.episode, '#ttl': ATTR.ttl };
    const values: Record<string, AttributeValue> = { ':zero': n(0), ':ttl': n(write.expiry) };
    const sets = ['#ep = if_not_exists(#ep, :zero)', '#ttl = :ttl'];
    const adds: string[] = [];
    write.ids.forEach(([attr, t], i) => {
      names[`#i${i}`] = attr;
      values[`:t${i}`] = n(t);
      sets.push(`#i${i} = if_not_exists(#i${i}, :t${i})`);
    });
    const lease = (placeholder: string, attr: string, period: number | undefined): void => {
      if (period === undefined) return;
      names[`#${placeholder}`] = attr;
      values[`:${placeholder}`] = n(period);
      sets.push(`#${placeholder} = :${placeholder}`);
    };
    lease('q', ATTR.settingsLease, write.settingsLease);
    for (const [i, [attr, t]] of write.groups.entries()) lease(`g${i}`, attr, t);
    lease('jq', ATTR.judgeLease, write.judgeLease);
    const add = (placeholder: string, attr: string, members: readonly string[]): void => {
      if (members.length === 0) return;
      names[`#${placeholder}`] = attr;
      values[`:${placeholder}`] = { SS: [...members] };
      adds.push(`#${placeholder} :${placeholder}`);
    };
    add('c', ATTR.callers, write.callers);
    add('a', ATTR.amis, write.amis);
    const removes = placeholders('r', write.remove, names);
    lease('wm', ATTR.watermark, write.watermark);
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

  /** A separate cleanup write; returns the write capacity it used. */
  private async cleanup(pk: string, state: ItemState, plan: CleanupPlan): Promise<number> {
    const names: Record<string, string> = { '#cv': ATTR.cleanupVersion };
    const values: Record<string, AttributeValue> = {
      ':cv': n(state.cleanupVersion),
      ':next': n(state.cleanupVersion + 1),
    };
    const removes = placeholders('r', cleanupAttrs(plan).slice(0, REMOVALS_PER_WRITE), names);
    const sets = ['#cv = :next'];
    const watermark = cleanupWatermark(plan, state);
    if (watermark !== undefined) {
      names['#wm'] = ATTR.watermark;
      values[':wm'] = n(watermark);
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
    return writeUnits;
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
            ':p': { S: JSON.stringify(CLAIMED) },
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
      const claim = settleClaim(current, episode, owner, now);
      if (claim.kind !== 'take-over') return claim;
      return (await this.takeOver(pk, episode, current, owner, now))
        ? { kind: 'resumed', progress: claim.progress }
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
    const attrs = clearedAttrs(state);
    // The fates of the cleared launches stay in their item but are ignored from now on.
    await this.send(
      {
        TableName: this.tableName,
        Key: { pk: { S: fateItemId(pk) } },
        UpdateExpression: 'SET #cut = :cut',
        ExpressionAttributeNames: { '#cut': FATE_ATTR.cut },
        ExpressionAttributeValues: { ':cut': n(clearedCut(state)) },
      },
      `cut fates ${pk}`,
    );
    for (let i = 0; i < attrs.length; i += REMOVALS_PER_WRITE) {
      const names: Record<string, string> = { '#ep': ATTR.episode };
      const removes = placeholders('r', attrs.slice(i, i + REMOVALS_PER_WRITE), names);
      await this.send(
        {
          TableName: this.tableName,
          Key: { pk: { S: pk } },
          UpdateExpression: `SET #ep = :next REMOVE ${removes.join(', ')}`,
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
    const writes = fateWrites(fates);
    const expiry = fateItemExpiry(fates, this.maxWindowMs);
    let after: ItemAttrs | undefined;
    for (const write of writes) {
      const names: Record<string, string> = { '#ttl': FATE_ATTR.ttl };
      const values: Record<string, AttributeValue> = { ':ttl': n(expiry) };
      const sets = ['#ttl = :ttl', ...fateSets(write, names, values)];
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
    for (const write of writes) {
      const names: Record<string, string> = { '#pk': ATTR.pk };
      const values: Record<string, AttributeValue> = {};
      const sets = fateSets(write, names, values);
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
    const gone = after === undefined ? undefined : fateItemCleanup(after, this.maxWindowMs);
    if (gone === undefined) return;
    const names: Record<string, string> = {};
    const removes = placeholders('r', gone, names);
    await this.send(
      {
        TableName: this.tableName,
        Key: { pk: { S: pk } },
        UpdateExpression: `REMOVE ${removes.join(', ')}`,
        ExpressionAttributeNames: names,
      },
      `forget fates ${pk}`,
    );
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
    return decodeFateItem(out.Item as ItemAttrs | undefined);
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
        out.push(summarizeScope(key, decodeItem(item as ItemAttrs), defaults[key.scope]));
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
