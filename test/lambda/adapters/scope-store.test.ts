import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T0 } from '../../../fake-cloud/support/clock';
import { type LocalDynamo, startDynamo } from '../../../fake-cloud/support/dynalite';
import { DynamoDbScopeStore } from '../../../lambda/adapters/scope-store';
import { parseScopeId, tripOwner } from '../../../lambda/core/claim';
import { CounterStoreError } from '../../../lambda/core/errors';
import { CAP_MARGIN, DEDUP_SKEW_S } from '../../../lambda/core/scope-item';
import type { ScopeKey, ScopePolicy } from '../../../lambda/core/types';
import { ScopeWindow } from '../../../lambda/core/window';

const H = 3_600_000;
const GROUP: ScopeKey = { scope: 'asg', account: '111122223333', region: 'us-east-1', key: 'ecs-asg' };
const AMI: ScopeKey = { scope: 'ami', account: '111122223333', region: 'us-east-1', key: 'ami-0abc' };
/** A threshold high enough that nothing is evicted: the store must then equal the model exactly. */
const WIDE: ScopePolicy = { threshold: 5000, windowMs: H };

function iid(n: number): string {
  return `i-${n.toString(16).padStart(17, '0')}`;
}

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynamo();
});
afterAll(async () => {
  await db.close();
});

async function newCounter(): Promise<DynamoDbScopeStore> {
  return new DynamoDbScopeStore(db.client, await db.createTable());
}

function req(key: ScopeKey, mentions: { instanceId: string; time: number }[], now = T0) {
  return {
    key,
    mentions,
    callers: ['arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling'],
    imageIds: ['ami-0abc'],
    groupNames: ['ecs-asg'],
    now,
  };
}

describe('DynamoDbScopeStore', () => {
  it('counts a 20-instance call as 20 launches in one request', async () => {
    // Prepare
    const counter = await newCounter();
    const mentions = Array.from({ length: 20 }, (_, i) => ({ instanceId: iid(i), time: T0 }));
    // Act
    const view = await counter.record(req(GROUP, mentions), WIDE);
    // Assess
    expect(view.evaluation.count).toBe(20);
    expect(view.outcome.added).toHaveLength(20);
    expect(view.requests).toBe(1);
  });

  it('gives the reference model counts for any order and duplication of delivery', async () => {
    const counter = await newCounter();
    let scope = 0;
    await fc.assert(
      fc.asyncProperty(
        // Every mention of an instance comes within the dedup skew of its launch (as every
        // launch source does): instance n launches at minute 6n, mentions jitter by 0-10 minutes.
        fc.array(
          fc.array(
            fc.record({ id: fc.integer({ min: 0, max: 30 }), jitter: fc.integer({ min: 0, max: 10 }) }),
            {
              minLength: 1,
              maxLength: 4,
            },
          ),
          { minLength: 1, maxLength: 25 },
        ),
        fc.array(fc.nat(), { maxLength: 10 }),
        async (records, dupIdx) => {
          // Prepare: the same records, some delivered twice, in shuffled order
          const key = { ...GROUP, key: `prop-${++scope}` };
          const asMentions = records.map((r) =>
            r.map((m) => ({ instanceId: iid(m.id), time: T0 + (m.id * 6 + m.jitter) * 60_000 })),
          );
          const delivery = [
            ...asMentions,
            ...dupIdx.map((d) => asMentions[d % asMentions.length]!),
          ].reverse();
          const model = new ScopeWindow(H);
          // Act
          let last: Awaited<ReturnType<DynamoDbScopeStore['record']>> | undefined;
          for (const m of delivery) {
            model.add(m);
            last = await counter.record(req(key, m), WIDE);
          }
          // Assess: the store's state after each write is the model's
          expect(last!.evaluation.count).toBe(model.count());
          expect((last!.evaluation.newest ?? 0) * 1000).toBe(model.newest());
          expect(last!.evaluation.inWindow.map((x) => x.instanceId).sort()).toEqual(
            model
              .inWindow()
              .map((x) => x.instanceId)
              .sort(),
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it('lowers an instance time when an earlier duplicate arrives late', async () => {
    const counter = await newCounter();
    await counter.record(req(GROUP, [{ instanceId: iid(1), time: T0 + 60_000 }]), WIDE);
    const view = await counter.record(req(GROUP, [{ instanceId: iid(1), time: T0 }]), WIDE);
    expect(view.outcome.lowered).toEqual([{ instanceId: iid(1), time: T0 / 1000 }]);
    const state = await counter.read(GROUP);
    expect(state?.ids.get(iid(1))).toBe(T0 / 1000);
  });

  it('counts exactly under 200 concurrent writers', async () => {
    // Prepare
    const counter = await newCounter();
    const all = Array.from({ length: 200 }, (_, i) => [{ instanceId: iid(i), time: T0 + i * 1000 }]);
    // Act: every record twice, all at once
    const views = await Promise.all([...all, ...all].map((m) => counter.record(req(GROUP, m), WIDE)));
    // Assess: each id added exactly once across all invocations, and the final count is exact
    expect(views.reduce((s, v) => s + v.outcome.added.length, 0)).toBe(200);
    expect(views.reduce((s, v) => s + v.outcome.duplicates, 0)).toBe(200);
    const final = await counter.record(req(GROUP, []), WIDE);
    expect(final.evaluation.count).toBe(200);
  });

  it("returns the group's AMI set as it was before the record, also for a record of several writes", async () => {
    // Prepare: the group launched ami-0abc before
    const counter = await newCounter();
    await counter.record(req(GROUP, [{ instanceId: iid(0), time: T0 }]), WIDE);
    const many = Array.from({ length: 45 }, (_, i) => ({ instanceId: iid(100 + i), time: T0 + 60_000 }));
    // Act: 45 instances of a new AMI take two writes
    const view = await counter.record({ ...req(GROUP, many), imageIds: ['ami-0new'] }, WIDE);
    // Assess
    expect(view.requests).toBe(2);
    expect(view.before.amis).toEqual(['ami-0abc']);
    expect([...view.imageIds].sort()).toEqual(['ami-0abc', 'ami-0new']);
    expect([...((await counter.read(GROUP))?.amis ?? [])].sort()).toEqual(['ami-0abc', 'ami-0new']);
  });

  it('tells exactly one of many concurrent writers that it added an AMI to the set', async () => {
    // Prepare
    const counter = await newCounter();
    await counter.record(req(GROUP, [{ instanceId: iid(0), time: T0 }]), WIDE);
    // Act: 20 writers record launches of a new AMI at once (duplicates and other instances alike)
    const views = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        counter.record(
          { ...req(GROUP, [{ instanceId: iid(1 + (i % 3)), time: T0 }]), imageIds: ['ami-0new'] },
          WIDE,
        ),
      ),
    );
    // Assess
    expect(views.filter((v) => !v.before.amis.includes('ami-0new'))).toHaveLength(1);
  });

  it('lets exactly one of many concurrent invocations claim a trip', async () => {
    const counter = await newCounter();
    await counter.record(req(GROUP, [{ instanceId: iid(1), time: T0 }]), WIDE);
    const claims = await Promise.all(
      Array.from({ length: 50 }, (_, i) => counter.claimTrip(GROUP, 0, tripOwner(`request-${i}`), T0)),
    );
    expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c.kind === 'lost')).toHaveLength(49);
  });

  it('resumes a trip for the same invocation with its progress, and lets nobody else act', async () => {
    const counter = await newCounter();
    await counter.record(req(GROUP, [{ instanceId: iid(1), time: T0 }]), WIDE);
    expect(await counter.claimTrip(GROUP, 0, tripOwner('request-a'), T0)).toEqual({ kind: 'claimed' });
    expect(
      await counter.saveProgress(GROUP, 0, tripOwner('request-a'), {
        step: 'suspended',
        processes: ['Launch'],
      }),
    ).toBe(true);
    expect(await counter.claimTrip(GROUP, 0, tripOwner('request-a'), T0 + 1000)).toEqual({
      kind: 'resumed',
      progress: { step: 'suspended', processes: ['Launch'] },
    });
    expect(await counter.claimTrip(GROUP, 0, tripOwner('request-b'), T0 + 1000)).toEqual({ kind: 'lost' });
    expect(await counter.saveProgress(GROUP, 0, tripOwner('request-b'), { step: 'done' })).toBe(false);
  });

  it('lets another invocation take over a trip whose owner stalled for 10 minutes', async () => {
    const counter = await newCounter();
    await counter.record(req(GROUP, [{ instanceId: iid(1), time: T0 }]), WIDE);
    await counter.claimTrip(GROUP, 0, tripOwner('stalled'), T0);
    expect((await counter.claimTrip(GROUP, 0, tripOwner('other'), T0 + 9 * 60_000)).kind).toBe('lost');
    expect((await counter.claimTrip(GROUP, 0, tripOwner('other'), T0 + 11 * 60_000)).kind).toBe('resumed');
    expect(await counter.saveProgress(GROUP, 0, tripOwner('stalled'), { step: 'done' })).toBe(false);
  });

  it('keeps the scope armed after a released trip, and re-arms a tripped scope', async () => {
    const counter = await newCounter();
    await counter.record(req(GROUP, [{ instanceId: iid(1), time: T0 }]), WIDE);
    await counter.claimTrip(GROUP, 0, tripOwner('e1'), T0);
    expect((await counter.record(req(GROUP, []), WIDE)).armed).toBe(false);
    await counter.releaseTrip(GROUP, 0, tripOwner('e1'));
    expect((await counter.record(req(GROUP, []), WIDE)).armed).toBe(true);
    await counter.claimTrip(GROUP, 0, tripOwner('e2'), T0);
    await counter.rearm(GROUP, 0);
    const view = await counter.record(req(GROUP, []), WIDE);
    expect(view.armed).toBe(true);
    expect(view.before.episode).toBe(1);
  });

  it('gives the settings lease to exactly one of a concurrent burst, once per 5 minutes', async () => {
    const counter = await newCounter();
    const burst = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        counter.record(req(GROUP, [{ instanceId: iid(i), time: T0 }], T0), WIDE),
      ),
    );
    expect(burst.filter((v) => v.refreshSettings)).toHaveLength(1);
    await counter.saveSettings(GROUP, { threshold: 3, windowMs: 30 * 60_000, exempt: false });
    const later = await counter.record(req(GROUP, [{ instanceId: iid(500), time: T0 }], T0 + 60_000), WIDE);
    expect(later.refreshSettings).toBe(false);
    expect(later.policy).toEqual({ threshold: 3, windowMs: 30 * 60_000 });
    const nextPeriod = await counter.record(
      req(GROUP, [{ instanceId: iid(501), time: T0 }], T0 + 5 * 60_000),
      WIDE,
    );
    expect(nextPeriod.refreshSettings).toBe(true);
  });

  it('never gives the settings lease for an AMI scope', async () => {
    const counter = await newCounter();
    const view = await counter.record(req(AMI, [{ instanceId: iid(1), time: T0 }]), WIDE);
    expect(view.refreshSettings).toBe(false);
    expect([...view.groups.keys()]).toEqual(['ecs-asg']);
  });

  it('forgets ids older than the window plus the dedup skew, without changing the count', async () => {
    const counter = await newCounter();
    const policy: ScopePolicy = { threshold: 10, windowMs: H };
    let requests = 0;
    const model = new ScopeWindow(H);
    // One launch every 5 minutes for 10 hours.
    for (let i = 0; i < 120; i += 1) {
      const m = [{ instanceId: iid(i), time: T0 + i * 5 * 60_000 }];
      model.add(m);
      const view = await counter.record(req(GROUP, m), policy);
      requests += view.requests;
      expect(view.evaluation.count).toBe(model.count());
    }
    const state = await counter.read(GROUP);
    const horizon = T0 / 1000 + 119 * 300 - H / 1000 - DEDUP_SKEW_S;
    expect([...state!.ids.values()].filter((t) => t <= horizon).length).toBeLessThan(16);
    // Cleanup adds at most one request per 16 events.
    expect(requests / 120).toBeLessThanOrEqual(1 + 1 / 16 + 0.01);
  });

  it('keeps the item small and the write at 2 WCU or less with 1,000 launches in the window', async () => {
    // Prepare: the AMI scope has the larger default threshold (50), so the larger item
    const counter = await newCounter();
    const policy: ScopePolicy = { threshold: 50, windowMs: H };
    let maxWcu = 0;
    let totalWcu = 0;
    let requests = 0;
    // Act: 1,000 launches in 50 minutes
    let view: Awaited<ReturnType<DynamoDbScopeStore['record']>> | undefined;
    for (let i = 0; i < 1000; i += 1) {
      view = await counter.record(req(AMI, [{ instanceId: iid(i), time: T0 + i * 3000 }]), policy);
      totalWcu += view.writeUnits;
      requests += view.requests;
      maxWcu = Math.max(maxWcu, view.writeUnits / view.requests);
    }
    // Assess
    expect(maxWcu).toBeLessThanOrEqual(2);
    expect(totalWcu / 1000).toBeLessThanOrEqual(2);
    expect(requests / 1000).toBeLessThanOrEqual(1.1);
    expect(view!.evaluation.saturated).toBe(true);
    expect(view!.evaluation.count).toBeGreaterThanOrEqual(50 + CAP_MARGIN);
    expect(view!.evaluation.count).toBeLessThanOrEqual(1000);
  });

  it('decides like the model above the cap: the scope stays at or above its threshold', async () => {
    const counter = await newCounter();
    const policy: ScopePolicy = { threshold: 10, windowMs: H };
    const model = new ScopeWindow(H);
    for (let i = 0; i < 300; i += 1) {
      // Bursts and pauses: sometimes far above the threshold, sometimes below it.
      const minute = Math.floor(i / 50) * 70 + (i % 50);
      const m = [{ instanceId: iid(i), time: T0 + minute * 60_000 }];
      model.add(m);
      const view = await counter.record(req(GROUP, m), policy);
      expect(view.evaluation.count >= policy.threshold).toBe(model.count() >= policy.threshold);
      if (!view.evaluation.saturated) expect(view.evaluation.count).toBe(model.count());
    }
  });

  it('clears a scope window and ends its episode', async () => {
    const counter = await newCounter();
    await counter.record(req(GROUP, [{ instanceId: iid(1), time: T0 }]), WIDE);
    await counter.claimTrip(GROUP, 0, tripOwner('e1'), T0);
    await counter.clearScope(GROUP);
    const view = await counter.record(req(GROUP, []), WIDE);
    expect(view.evaluation.count).toBe(0);
    expect(view.armed).toBe(true);
  });

  it('lists scopes with their counts', async () => {
    const counter = await newCounter();
    await counter.record(req(GROUP, [{ instanceId: iid(1), time: T0 }]), WIDE);
    await counter.record(req(AMI, [{ instanceId: iid(1), time: T0 }]), WIDE);
    const list = await counter.listScopes({
      asg: { threshold: 10, windowMs: H },
      ami: { threshold: 50, windowMs: H },
    });
    expect(list.map((s) => [s.key.scope, s.key.key, s.count, s.threshold]).sort()).toEqual([
      ['ami', 'ami-0abc', 1, 50],
      ['asg', 'ecs-asg', 1, 10],
    ]);
  });

  it('surfaces a DynamoDB failure as CounterStoreError with its cause', async () => {
    const counter = new DynamoDbScopeStore(db.client, 'no-such-table');
    const error = await counter
      .record(req(GROUP, [{ instanceId: iid(1), time: T0 }]), WIDE)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CounterStoreError);
    expect((error as Error).cause).toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('parses partition keys back into scopes, group names with # included', () => {
    expect(parseScopeId('asg#1#us-east-1#a#b')).toEqual({
      scope: 'asg',
      account: '1',
      region: 'us-east-1',
      key: 'a#b',
    });
    expect(parseScopeId('zzz#1#r#k')).toBeUndefined();
  });
});
