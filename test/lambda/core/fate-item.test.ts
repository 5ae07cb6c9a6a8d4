import { describe, expect, it } from 'vitest';
import {
  decidedOf,
  decodeFate,
  decodeFateItem,
  encodeFate,
  FATE_ATTR,
  fateItemCleanup,
  fateItemExpiry,
  fateItemId,
  fateWrites,
  KEEP_FATES,
  keptFates,
  knownLaunches,
  planFateCleanup,
} from '../../../lambda/core/fate-item';
import { itemExpiry } from '../../../lambda/core/leases';
import {
  DEDUP_SKEW_S,
  evaluate,
  fateAttr,
  type ItemAttrs,
  planCleanup,
  REMOVALS_PER_WRITE,
} from '../../../lambda/core/scope-item';

const T = 1_768_204_800; // epoch seconds
const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;

describe('the fate item', () => {
  it('keeps a fate with its launch time, and reads a fate written without one', () => {
    expect(encodeFate('failed:not-registered', T * 1000 + 999)).toBe(`failed:not-registered:${T}`);
    expect(decodeFate(`failed:not-registered:${T}`)).toEqual({
      fate: 'failed:not-registered',
      launchedAt: T,
    });
    expect(decodeFate('useful:registered')).toEqual({ fate: 'useful:registered' });
  });

  it('is keyed apart from the count, so that no scope listing mistakes it for a scope', () => {
    expect(fateItemId('asg#111122223333#us-east-1#web')).toBe('fates#asg#111122223333#us-east-1#web');
    expect(fateItemId('ami#111122223333#us-east-1#ami-0abc')).toBe(
      'fates#ami#111122223333#us-east-1#ami-0abc',
    );
  });

  it('ignores fates at or before the cut that resume writes', () => {
    const kept = keptFates(
      new Map([
        [id(1), `failed:not-registered:${T}`],
        [id(2), `failed:not-registered:${T + 60}`],
      ]),
      T,
    );
    expect([...kept.keys()]).toEqual([id(2)]);
    expect(decidedOf(kept)).toEqual(new Map([[id(2), 'failed:not-registered']]));
  });

  it('puts launches the count no longer holds back beside the ones it holds', () => {
    // Prepare: the count holds the newest two; the fates hold 50 older ones pushed out by its cap
    const ids = new Map([
      [id(100), T + 600],
      [id(101), T + 601],
    ]);
    const fates = keptFates(
      new Map(Array.from({ length: 50 }, (_, i) => [id(i), `failed:not-registered:${T + i}`])),
      undefined,
    );
    // Act
    const known = knownLaunches(ids, fates);
    // Assess
    expect(known.size).toBe(52);
    expect(known.get(id(7))).toBe(T + 7);
    expect(known.get(id(101))).toBe(T + 601);
  });

  it('forgets fates past the horizon in batches, but never the newest it keeps for the streak rule', () => {
    const windowS = 3600;
    const old = T - windowS - DEDUP_SKEW_S - 10;
    const many = new Map(
      Array.from({ length: KEEP_FATES + 20 }, (_, i) => [id(i), `failed:unhealthy:${i < 20 ? old : T + i}`]),
    );
    const gone = planFateCleanup(keptFates(many, undefined), windowS);
    expect(gone).toHaveLength(20);
    expect(gone).toContain(fateAttr(id(0)));
    // Fewer than a batch: nothing yet
    expect(planFateCleanup(keptFates(new Map([...many].slice(15)), undefined), windowS)).toBeUndefined();
    // Old, but among the newest kept: stays
    const few = new Map(Array.from({ length: 20 }, (_, i) => [id(i), `failed:unhealthy:${old}`]));
    expect(planFateCleanup(keptFates(few, undefined), windowS, 1)).toBeUndefined();
  });

  it("drops from the count's item the mirrored fates of ids it no longer holds", () => {
    // Prepare: the count holds 30 ids (cap 18 at threshold 10); fates of 5 held and 5 evicted ids
    const ids = new Map(Array.from({ length: 30 }, (_, i) => [id(100 + i), T + i]));
    const fates = new Map<string, string>([
      ...Array.from({ length: 5 }, (_, i) => [id(100 + 29 - i), 'failed:unhealthy'] as [string, string]),
      ...Array.from({ length: 5 }, (_, i) => [id(i), 'failed:unhealthy'] as [string, string]),
    ]);
    // Act
    const plan = planCleanup(
      ids,
      evaluate(ids, undefined, 3600),
      { groups: new Map(), callers: [], amis: [], fates },
      3600,
      10,
      1,
    );
    // Assess: the 5 orphans and the fates of evicted ids go; the newest ids' fates stay
    expect(plan?.removeFates).toEqual(
      expect.arrayContaining(Array.from({ length: 5 }, (_, i) => fateAttr(id(i)))),
    );
    expect(plan?.removeFates).not.toContain(fateAttr(id(129)));
  });
});

describe("the fate item's writes and reads", () => {
  it('writes fates by attribute name, 40 a write', () => {
    // Prepare
    const fates = new Map(
      Array.from({ length: 45 }, (_, i) => [id(i), `useful:registered:${T + i}`] as const),
    );
    // Act
    const writes = fateWrites(fates);
    // Assess
    expect(writes.map((w) => w.length)).toEqual([40, 5]);
    expect(writes[0]![0]).toEqual([fateAttr(id(0)), `useful:registered:${T}`]);
    expect(fateWrites(new Map())).toEqual([]);
  });

  it("lives as long as the count's item after the newest launch of the fates written", () => {
    // Prepare
    const fates = new Map([
      [id(1), `failed:unhealthy:${T}`],
      [id(2), `failed:unhealthy:${T + 600}`],
      [id(3), 'useful:registered'],
    ]);
    // Act / Assess
    expect(fateItemExpiry(fates, 3_600_000)).toBe(itemExpiry(T + 600, 3_600_000));
    expect(fateItemExpiry(new Map([[id(3), 'useful:registered']]), 3_600_000)).toBe(itemExpiry(0, 3_600_000));
  });

  it('reads the kept fates without those at or before the cut, and nothing from a missing item', () => {
    // Prepare
    const attrs: ItemAttrs = {
      pk: { S: fateItemId('asg#1#r#web') },
      [FATE_ATTR.cut]: { N: String(T) },
      [fateAttr(id(1))]: { S: `failed:unhealthy:${T}` },
      [fateAttr(id(2))]: { S: `useful:registered:${T + 1}` },
    };
    // Act
    const kept = decodeFateItem(attrs);
    // Assess
    expect([...kept]).toEqual([[id(2), { fate: 'useful:registered', launchedAt: T + 1 }]]);
    expect(decodeFateItem(undefined).size).toBe(0);
    expect(decodeFateItem({ [fateAttr(id(1))]: { S: `failed:unhealthy:${T}` } }).size).toBe(1);
  });

  it("forgets old fates past the longest window, one write's worth at most", () => {
    // Prepare: the newest 32 stay; 150 more are a day older than the window allows.
    const attrs: Record<string, { S: string }> = {};
    for (let i = 0; i < 32; i++) attrs[fateAttr(id(i))] = { S: `useful:registered:${T}` };
    for (let i = 32; i < 182; i++) attrs[fateAttr(id(i))] = { S: `failed:unhealthy:${T - 2 * 86_400}` };
    // Act
    const gone = fateItemCleanup(attrs, 3_600_000);
    const none = fateItemCleanup({ [fateAttr(id(1))]: { S: `useful:registered:${T}` } }, 3_600_000);
    // Assess
    expect(gone).toHaveLength(REMOVALS_PER_WRITE);
    expect(gone).not.toContain(fateAttr(id(0)));
    expect(none).toBeUndefined();
  });
});
