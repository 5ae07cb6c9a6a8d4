/**
 * The DynamoDB store: the counting semantics of `lambda/core/window.ts` on one item per scope.
 *
 * This file sends and reads; it decides nothing. The item layout and the rules are in the core
 * (`core/scope-item.ts`, `core/scope-record.ts`, `core/leases.ts`, `core/claim.ts`,
 * `core/fate-item.ts`), the requests are built in `scope-requests.ts`. A failed condition is
 * handed back to the core as the item that failed it (a trip claim) or as "not applied".
 *
 * On the path that does not trip, a scope costs one `UpdateItem` per event (ids are written with
 * `if_not_exists` and the item comes back as it was just before the write), plus an occasional
 * cleanup and, once per group per 5 minutes at most, a settings write. Everything is a
 * single-item conditional write: no transactions.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
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
  fateItemCleanup,
  fateItemExpiry,
  fateItemId,
  fateWrites,
  type KeptFate,
} from '../core/fate-item';
import {
  type CachedSettings,
  type CleanupPlan,
  clearedAttrs,
  clearedCut,
  decodeItem,
  type ItemAttrs,
  type ItemState,
  type MentionOutcome,
  type TripProgress,
} from '../core/scope-item';
import {
  afterWrite,
  countRecord,
  joinOutcomes,
  type RecordRequest,
  recordChunks,
  recordWrite,
  type ScopeView,
  scopeView,
} from '../core/scope-record';
import { type ScopeSummary, summarizeScope } from '../core/scope-summary';
import { type ScopeKey, type ScopePolicy, scopeId } from '../core/types';
import type { ScopeStore } from '../ports';
import { awsCause } from './aws-error';
import {
  claimRequest,
  cleanupRequest,
  clearRequests,
  cutFatesRequest,
  fatesRequest,
  learnedRequest,
  lowerRequest,
  mirrorFatesRequest,
  progressRequest,
  rearmRequest,
  recordRequest,
  releaseRequest,
  removeRequest,
  settingsRequest,
  streakRequest,
  type TripTarget,
  takeOverRequest,
} from './scope-requests';

/**
 * IAM actions the guard function uses through this adapter: `UpdateItem` to count, own trips
 * and keep fates; `GetItem` for the delayed check's read of a scope and for the rules' read of
 * the fates kept apart from the count (`readFates`).
 */
export const PERMISSIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem'] as const;
/** IAM actions of the operator tools and the resumer (`listScopes`, `clearScope`). */
export const OPERATOR_PERMISSIONS = ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Scan'] as const;

/** Scopes whose planned cleanup a container remembers. */
const MAX_PENDING = 1000;

function isConditionFailed(error: unknown): error is ConditionalCheckFailedException {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException'
  );
}

/** Counts launches in DynamoDB. */
export class DynamoDbScopeStore implements ScopeStore {
  /**
   * Per scope, what this container's last write found removable. It rides along in the next
   * ordinary write for that scope, so a warm container never pays a separate cleanup request.
   * Removing is idempotent, and the watermark only marks counts as "at least" (no decision
   * depends on it), so a plan made from a slightly old state is still safe to apply.
   */
  private readonly pending = new Map<string, CleanupPlan>();

  /**
   * @param client a DynamoDB client (tests pass one pointed at dynalite)
   * @param tableName the table (partition key `pk`, TTL attribute `ttl`)
   * @param maxWindowMs the longest window any scope may use: items live at least that long
   */
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
      const out = await this.send(recordRequest(this.tableName, pk, write), `record ${pk}`);
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
        lowerRequest(this.tableName, pk, l.instanceId, l.time),
        `lower ${pk}`,
      );
      writeUnits += lowering.writeUnits;
      requests += 1;
    }
    const counted = countRecord(req, state, outcome.ids, defaults, carried !== undefined);
    if (counted.separate) {
      const cleanup = cleanupRequest(this.tableName, pk, state, counted.separate);
      writeUnits += (await this.conditional(cleanup, `cleanup ${pk}`)).writeUnits;
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

  /**
   * Cache a group's settings in its item; undefined removes them (the group uses the defaults).
   * The guard writes only when the settings it read differ from the cached ones, so a group
   * without guard tags never pays this write.
   */
  async saveSettings(key: ScopeKey, settings: CachedSettings | undefined): Promise<void> {
    await this.send(settingsRequest(this.tableName, scopeId(key), settings), `save settings ${scopeId(key)}`);
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
        new UpdateItemCommand(claimRequest(this.trip(pk, episode), owner, now, CLAIMED)),
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
      const takeOver = takeOverRequest(this.trip(pk, episode), current, owner, now);
      return (await this.conditional(takeOver, `take over trip ${pk}`)).applied
        ? { kind: 'resumed', progress: claim.progress }
        : { kind: 'lost' };
    }
  }

  /** Record how far a trip's actions got. False when the trip is no longer this owner's. */
  async saveProgress(
    key: ScopeKey,
    episode: number,
    owner: TripOwner,
    progress: TripProgress,
  ): Promise<boolean> {
    const pk = scopeId(key);
    const write = progressRequest(this.trip(pk, episode), owner, progress);
    return (await this.conditional(write, `save trip progress ${pk}`)).applied;
  }

  /** Give a claimed trip back (the churn check blocked it): the scope stays armed. */
  async releaseTrip(key: ScopeKey, episode: number, owner: TripOwner): Promise<void> {
    const pk = scopeId(key);
    await this.conditional(releaseRequest(this.trip(pk, episode), owner), `release trip ${pk}`);
  }

  /**
   * End the episode that tripped: the scope can trip again. The finished trip's progress stays
   * (until the next claim replaces it): the streak rule reads where the last streak ended.
   */
  async rearm(key: ScopeKey, episode: number): Promise<void> {
    const pk = scopeId(key);
    await this.conditional(rearmRequest(this.trip(pk, episode)), `rearm ${pk}`);
  }

  /** Read one scope's item (operator tools). */
  async read(key: ScopeKey): Promise<ItemState | undefined> {
    const item = await this.getItem(scopeId(key), `read ${scopeId(key)}`);
    return item ? decodeItem(item) : undefined;
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
    // The fates of the cleared launches stay in their item but are ignored from now on.
    await this.send(cutFatesRequest(this.tableName, pk, clearedCut(state)), `cut fates ${pk}`);
    for (const write of clearRequests(this.tableName, pk, clearedAttrs(state), state.episode + 1))
      await this.send(write, `clear ${pk}`);
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
      const out = await this.send(fatesRequest(this.tableName, pk, write, expiry), `save fates ${pk}`);
      after = out.Attributes as ItemAttrs | undefined;
    }
    // The count's item mirrors the fates of the ids it holds (its cleanup drops the others), so
    // that the launch path sees them in its own write's `ALL_OLD`.
    for (const write of writes)
      await this.conditional(
        mirrorFatesRequest(this.tableName, scopeId(key), write),
        `mirror fates ${scopeId(key)}`,
      );
    const gone = after === undefined ? undefined : fateItemCleanup(after, this.maxWindowMs);
    if (gone !== undefined) await this.send(removeRequest(this.tableName, pk, gone), `forget fates ${pk}`);
  }

  /** The fates kept for a scope (a consistent read of its fate item). */
  async readFates(key: ScopeKey): Promise<ReadonlyMap<string, KeptFate>> {
    const pk = fateItemId(scopeId(key));
    return decodeFateItem(await this.getItem(pk, `read fates ${pk}`));
  }

  /** Keep a group's time-to-useful history in its count item (nothing for a scope that is gone). */
  async saveLearned(key: ScopeKey, samples: readonly number[]): Promise<void> {
    const pk = scopeId(key);
    await this.conditional(learnedRequest(this.tableName, pk, samples), `save learned ${pk}`);
  }

  /** Set a group's auto-resume streak (how many trips in a row, and when the last was). */
  async setResumeStreak(key: ScopeKey, streak: number, at: number): Promise<void> {
    const pk = scopeId(key);
    await this.send(streakRequest(this.tableName, pk, streak, at), `set resume streak ${pk}`);
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

  /** The target of a write to `pk`'s trip of `episode`. */
  private trip(pk: string, episode: number): TripTarget {
    return { table: this.tableName, pk, episode };
  }

  /** A consistent read of one item. */
  private async getItem(pk: string, what: string): Promise<ItemAttrs | undefined> {
    try {
      const out = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: { pk: { S: pk } }, ConsistentRead: true }),
      );
      return out.Item as ItemAttrs | undefined;
    } catch (error) {
      throw new CounterStoreError(`${what} failed`, awsCause(error));
    }
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
