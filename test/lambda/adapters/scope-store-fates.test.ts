/**
 * The fate item on dynalite (issue 18): fates outlive the count's cap, the first decision
 * stays, `resume` cuts them, old ones are forgotten in batches, the history of time-to-useful
 * is kept in the count's item.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T0 } from '../../../fake-cloud/support/clock';
import { type LocalDynamo, startDynamo } from '../../../fake-cloud/support/dynalite';
import { DynamoDbScopeStore } from '../../../lambda/adapters/scope-store';
import { encodeFate, KEEP_FATES } from '../../../lambda/core/fate-item';
import { CAP_MARGIN, DEDUP_SKEW_S } from '../../../lambda/core/scope-item';
import type { ScopeKey } from '../../../lambda/core/types';

const H = 3_600_000;
const GROUP: ScopeKey = { scope: 'asg', account: '111122223333', region: 'us-east-1', key: 'cp-asg' };
const iid = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynamo();
});
afterAll(async () => {
  await db.close();
});

async function record(counter: DynamoDbScopeStore, from: number, n: number, at: number) {
  for (let i = 0; i < n; i += 1)
    await counter.record(
      {
        key: GROUP,
        mentions: [{ instanceId: iid(from + i), time: at + i * 1000 }],
        callers: [],
        imageIds: ['ami-0abc'],
        groupNames: [],
        now: at + i * 1000,
      },
      { threshold: 10, windowMs: H },
    );
}

describe('the fate item', () => {
  it('keeps the fates of a batch of 50 after the count evicted their ids (cap threshold + 8)', async () => {
    // Prepare: 50 launches, then their fates, then 50 more launches push them out of the count
    const counter = new DynamoDbScopeStore(db.client, await db.createTable(), H);
    await record(counter, 0, 50, T0);
    const fates = new Map(
      Array.from({ length: 50 }, (_, i) => [iid(i), encodeFate('failed:not-registered', T0 + i * 1000)]),
    );
    await counter.saveFates(GROUP, fates);
    await record(counter, 100, 50, T0 + 5 * 60_000);
    // Act
    const item = await counter.read(GROUP);
    const kept = await counter.readFates(GROUP);
    // Assess
    expect(item!.ids.size).toBeLessThanOrEqual(10 + CAP_MARGIN + 16);
    expect(item!.ids.has(iid(0))).toBe(false);
    expect(kept.size).toBe(50);
    expect(kept.get(iid(0))).toEqual({ fate: 'failed:not-registered', launchedAt: Math.floor(T0 / 1000) });
  });

  it('keeps the first decision, and ignores the fates before the cut that resume writes', async () => {
    const counter = new DynamoDbScopeStore(db.client, await db.createTable(), H);
    await record(counter, 0, 3, T0);
    await counter.saveFates(GROUP, new Map([[iid(0), encodeFate('failed:unhealthy', T0)]]));
    await counter.saveFates(GROUP, new Map([[iid(0), encodeFate('useful:in-service', T0)]]));
    expect((await counter.readFates(GROUP)).get(iid(0))?.fate).toBe('failed:unhealthy');
    // Act
    await counter.clearScope(GROUP);
    // Assess
    expect((await counter.readFates(GROUP)).size).toBe(0);
    await record(counter, 10, 1, T0 + 60_000);
    await counter.saveFates(GROUP, new Map([[iid(10), encodeFate('useful:registered', T0 + 60_000)]]));
    expect([...(await counter.readFates(GROUP)).keys()]).toEqual([iid(10)]);
  });

  it('forgets fates past the window, keeping the newest the streak rule may need', async () => {
    const counter = new DynamoDbScopeStore(db.client, await db.createTable(), H);
    const old = T0 - H - DEDUP_SKEW_S * 1000 - 60_000;
    await counter.saveFates(
      GROUP,
      new Map(Array.from({ length: 40 }, (_, i) => [iid(i), encodeFate('failed:unhealthy', old + i * 1000)])),
    );
    await counter.saveFates(
      GROUP,
      new Map(
        Array.from({ length: KEEP_FATES }, (_, i) => [
          iid(100 + i),
          encodeFate('failed:unhealthy', T0 + i * 1000),
        ]),
      ),
    );
    const kept = await counter.readFates(GROUP);
    expect(kept.size).toBe(KEEP_FATES);
    expect(kept.has(iid(0))).toBe(false);
  });

  it("keeps a group's time-to-useful history in its count item, and writes nothing for a scope that is gone", async () => {
    const counter = new DynamoDbScopeStore(db.client, await db.createTable(), H);
    await counter.saveLearned(GROUP, [90, 120]);
    expect(await counter.read(GROUP)).toBeUndefined();
    await record(counter, 0, 1, T0);
    await counter.saveLearned(GROUP, [90, 120]);
    expect((await counter.read(GROUP))?.learned).toEqual([90, 120]);
    const view = await counter.record(
      {
        key: GROUP,
        mentions: [{ instanceId: iid(5), time: T0 + 1000 }],
        callers: [],
        imageIds: [],
        groupNames: [],
        now: T0 + 1000,
      },
      { threshold: 10, windowMs: H },
    );
    expect(view.before.learned).toEqual([90, 120]);
  });
});
