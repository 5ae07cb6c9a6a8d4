import { describe, expect, it } from 'vitest';
import { judgePeriod, scopeItemExpiry, settingsPeriod } from '../../../lambda/core/leases';
import {
  ATTR,
  type CleanupPlan,
  decodeItem,
  groupAttr,
  IDS_PER_WRITE,
  type ItemState,
  idAttr,
  REMOVALS_PER_WRITE,
} from '../../../lambda/core/scope-item';
import {
  afterWrite,
  countRecord,
  earliestMentions,
  joinOutcomes,
  latestSeconds,
  mergeSets,
  type RecordRequest,
  recordChunks,
  recordWrite,
  scopeView,
  withoutRemoved,
} from '../../../lambda/core/scope-record';
import type { ScopeKey } from '../../../lambda/core/types';

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);
const S0 = T0 / 1000;
const MAX_WINDOW_MS = 24 * 3_600_000;
const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;
const GROUP: ScopeKey = { scope: 'asg', account: '111122223333', region: 'eu-west-1', key: 'web' };
const AMI: ScopeKey = { scope: 'ami', account: '111122223333', region: 'eu-west-1', key: 'ami-0abc' };
const empty: ItemState = decodeItem(undefined);

function request(overrides: Partial<RecordRequest> = {}): RecordRequest {
  return {
    key: GROUP,
    mentions: [{ instanceId: id(1), time: T0 }],
    callers: ['arn:aws:iam::111122223333:role/asg'],
    imageIds: ['ami-0abc'],
    groupNames: ['web'],
    now: T0,
    ...overrides,
  };
}

function plan(overrides: Partial<CleanupPlan> = {}): CleanupPlan {
  return { removeIds: [], removeGroups: [], dropCallers: false, dropAmis: false, ...overrides };
}

describe('earliestMentions and recordChunks', () => {
  it('keeps one mention per instance, at its earliest time, in first-seen order', () => {
    // Prepare
    const mentions = [
      { instanceId: id(2), time: T0 + 5000 },
      { instanceId: id(1), time: T0 },
      { instanceId: id(2), time: T0 + 1000 },
      { instanceId: id(2), time: T0 + 9000 },
    ];
    // Act
    const once = earliestMentions(mentions);
    // Assess
    expect(once).toEqual([
      { instanceId: id(2), time: T0 + 1000 },
      { instanceId: id(1), time: T0 },
    ]);
  });

  it('splits a record into writes of at most 40 ids', () => {
    // Prepare
    const mentions = Array.from({ length: 85 }, (_, i) => ({ instanceId: id(i), time: T0 + i }));
    // Act
    const chunks = recordChunks(mentions);
    // Assess
    expect(IDS_PER_WRITE).toBe(40);
    expect(chunks.map((c) => c.length)).toEqual([40, 40, 5]);
    expect(chunks.flat()).toEqual(mentions);
  });

  it('still writes once for a record without mentions (the leases and sets)', () => {
    expect(recordChunks([])).toEqual([[]]);
  });

  it('takes the newest mention in whole seconds', () => {
    expect(
      latestSeconds([
        { instanceId: id(1), time: T0 + 1999 },
        { instanceId: id(2), time: T0 },
      ]),
    ).toBe(S0 + 1);
  });
});

describe('withoutRemoved and afterWrite', () => {
  const old: ItemState = {
    ...empty,
    ids: new Map([
      [id(1), S0 - 100],
      [id(2), S0 - 50],
      [id(3), S0],
    ]),
    groups: new Map([
      ['web', S0],
      ['old', S0 - 10_000],
    ]),
    callers: ['a', 'b'],
    amis: ['ami-1'],
  };

  it('takes off what the carried cleanup removed, except ids the same write wrote again', () => {
    // Prepare
    const ride = plan({
      removeIds: [id(1), id(2)],
      removeGroups: ['old'],
      watermark: S0 - 60,
      dropCallers: true,
    });
    // Act
    const state = withoutRemoved(old, ride, [{ instanceId: id(2), time: T0 }]);
    // Assess
    expect([...state.ids.keys()]).toEqual([id(2), id(3)]);
    expect([...state.groups.keys()]).toEqual(['web']);
    expect(state.watermark).toBe(S0 - 60);
    expect(state.callers).toEqual([]);
    expect(state.amis).toEqual(['ami-1']);
  });

  it('removes no more ids than one write removes', () => {
    // Prepare
    const many = new Map(Array.from({ length: 150 }, (_, i) => [id(i), S0 - i] as const));
    const ride = plan({ removeIds: [...many.keys()], dropAmis: true });
    // Act
    const state = withoutRemoved({ ...old, ids: many }, ride, []);
    // Assess
    expect(state.ids.size).toBe(150 - REMOVALS_PER_WRITE);
    expect(state.amis).toEqual([]);
  });

  it("applies the write's mentions to the old item as it found it", () => {
    // Act
    const plain = afterWrite(old, [{ instanceId: id(4), time: T0 + 1000 }], undefined);
    const carried = afterWrite(old, [{ instanceId: id(4), time: T0 + 1000 }], plan({ removeIds: [id(1)] }));
    // Assess
    expect(plain.before).toBe(old);
    expect(plain.outcome.added).toEqual([{ instanceId: id(4), time: S0 + 1 }]);
    expect(carried.before.ids.has(id(1))).toBe(false);
    expect([...carried.outcome.ids.keys()]).toEqual([id(2), id(3), id(4)]);
  });

  it("joins the outcomes of a record's writes: the last ids, every change", () => {
    // Prepare
    const first = afterWrite(empty, [{ instanceId: id(1), time: T0 }], undefined).outcome;
    const second = afterWrite(
      { ...empty, ids: first.ids },
      [
        { instanceId: id(1), time: T0 - 5000 },
        { instanceId: id(2), time: T0 },
        { instanceId: id(2), time: T0 },
      ],
      undefined,
    ).outcome;
    // Act
    const joined = joinOutcomes([first, second]);
    // Assess
    expect(joined.ids).toBe(second.ids);
    expect(joined.added.map((a) => a.instanceId)).toEqual([id(1), id(2)]);
    expect(joined.lowered).toEqual([{ instanceId: id(1), time: S0 - 5 }]);
    expect(joined.duplicates).toBe(1);
  });
});

describe('mergeSets', () => {
  it("adds a group record's callers and AMIs, each once", () => {
    // Prepare
    const state = { ...empty, callers: ['a'], amis: ['ami-1'] };
    // Act
    const sets = mergeSets(state, request({ callers: ['a', 'b'], imageIds: ['ami-1', 'ami-2'] }));
    // Assess
    expect(sets.callers).toEqual(['a', 'b']);
    expect(sets.imageIds).toEqual(['ami-1', 'ami-2']);
    expect(sets.groups.size).toBe(0);
  });

  it("keeps an AMI scope's groups at their newest launch, and no AMI ids of the record", () => {
    // Prepare
    const state = { ...empty, groups: new Map([['web', S0 + 100]]) };
    const req = request({
      key: AMI,
      groupNames: ['web', 'api'],
      mentions: [{ instanceId: id(1), time: T0 }],
    });
    // Act
    const sets = mergeSets(state, req);
    // Assess
    expect([...sets.groups]).toEqual([
      ['web', S0 + 100],
      ['api', S0],
    ]);
    expect(sets.imageIds).toEqual([]);
  });

  it('adds no group for a record without mentions', () => {
    expect(mergeSets(empty, request({ key: AMI, mentions: [] })).groups.size).toBe(0);
  });
});

describe('countRecord', () => {
  const defaults = { threshold: 3, windowMs: 600_000 };
  const ids = (n: number, newest: number) =>
    new Map(Array.from({ length: n }, (_, i) => [id(i), newest - i] as const));

  it('counts with the cached settings, else the defaults', () => {
    // Prepare
    const cached = { ...empty, settings: { threshold: 9, windowMs: 60_000, exempt: false } };
    // Act
    const counted = countRecord(request(), cached, ids(5, S0), defaults, true);
    const plain = countRecord(request(), empty, ids(5, S0), defaults, true);
    // Assess
    expect(counted.policy).toEqual({ threshold: 9, windowMs: 60_000 });
    expect(counted.evaluation.count).toBe(5);
    expect(plain.policy).toBe(defaults);
  });

  it('plans a cleanup of its own when nothing was carried and enough can go', () => {
    // Act
    const counted = countRecord(request(), empty, ids(40, S0), defaults, false);
    // Assess: 40 in the window, cap 3 + 8: 29 evicted.
    expect(counted.separate?.removeIds).toHaveLength(29);
    expect(counted.next).toBeUndefined();
  });

  it('leaves the cleanup to the next write when a plan was carried', () => {
    // Act
    const counted = countRecord(request(), empty, ids(40, S0), defaults, true);
    // Assess
    expect(counted.separate).toBeUndefined();
    expect(counted.next?.removeIds).toHaveLength(29);
  });

  it('plans nothing for a small item', () => {
    const counted = countRecord(request(), empty, ids(2, S0), defaults, false);
    expect(counted.separate).toBeUndefined();
    expect(counted.next).toBeUndefined();
  });
});

describe('scopeView', () => {
  it('reports the count, the trip state, the leases the write took and its cost', () => {
    // Prepare
    const state = { ...empty, episode: 2, trippedEpisode: 2, judgeLease: judgePeriod(T0) };
    const { outcome } = afterWrite(state, [{ instanceId: id(1), time: T0 }], undefined);
    const counted = countRecord(request(), state, outcome.ids, { threshold: 3, windowMs: 600_000 }, true);
    // Act
    const view = scopeView(request(), state, outcome, counted, { requests: 2, writeUnits: 3 });
    // Assess
    expect(view).toMatchObject({
      key: GROUP,
      before: state,
      armed: false,
      refreshSettings: true,
      judge: false,
      requests: 2,
      writeUnits: 3,
      callers: ['arn:aws:iam::111122223333:role/asg'],
      imageIds: ['ami-0abc'],
    });
    expect(view.evaluation.count).toBe(1);
    expect(view.outcome).toBe(outcome);
  });
});

describe('recordWrite', () => {
  const place = { first: true, last: true };

  it("writes a group record's ids, both leases, callers and AMIs in one write", () => {
    // Act
    const write = recordWrite(
      request(),
      [{ instanceId: id(1), time: T0 + 1500 }],
      place,
      undefined,
      MAX_WINDOW_MS,
    );
    // Assess
    expect(write).toEqual({
      expiry: scopeItemExpiry(T0, MAX_WINDOW_MS),
      ids: [[idAttr(id(1)), S0 + 1]],
      settingsLease: settingsPeriod(T0),
      groups: [],
      judgeLease: judgePeriod(T0),
      callers: ['arn:aws:iam::111122223333:role/asg'],
      amis: ['ami-0abc'],
      remove: [],
    });
  });

  it("writes an AMI scope's groups at the record's newest launch, and no settings lease", () => {
    // Prepare
    const req = request({
      key: AMI,
      groupNames: ['web', 'web', 'api'],
      mentions: [
        { instanceId: id(1), time: T0 },
        { instanceId: id(2), time: T0 + 3000 },
      ],
    });
    // Act
    const write = recordWrite(req, req.mentions, place, undefined, MAX_WINDOW_MS);
    // Assess
    expect(write.settingsLease).toBeUndefined();
    expect(write.groups).toEqual([
      [groupAttr('web'), S0 + 3],
      [groupAttr('api'), S0 + 3],
    ]);
    expect(write.amis).toEqual([]);
  });

  it('takes the leases and callers on the first write and adds the AMIs on the last', () => {
    // Act
    const middle = recordWrite(request(), [], { first: false, last: false }, undefined, MAX_WINDOW_MS);
    const last = recordWrite(request(), [], { first: false, last: true }, undefined, MAX_WINDOW_MS);
    // Assess
    expect(middle).toMatchObject({ groups: [], callers: [], amis: [], remove: [] });
    expect(middle.settingsLease).toBeUndefined();
    expect(middle.judgeLease).toBeUndefined();
    expect(last.amis).toEqual(['ami-0abc']);
  });

  it('carries a cleanup: removes what it does not write, adds no set it drops, sets the watermark', () => {
    // Prepare
    const ride = plan({
      removeIds: [id(1), id(2)],
      removeFates: ['fj-old'],
      removeGroups: ['gone'],
      dropCallers: true,
      dropAmis: true,
      watermark: S0 - 30,
    });
    // Act
    const write = recordWrite(request(), [{ instanceId: id(2), time: T0 }], place, ride, MAX_WINDOW_MS);
    // Assess
    expect(write.callers).toEqual([]);
    expect(write.amis).toEqual([]);
    expect(write.remove).toEqual([idAttr(id(1)), 'fj-old', groupAttr('gone'), ATTR.callers, ATTR.amis]);
    expect(write.watermark).toBe(S0 - 30);
  });

  it('never removes a set it adds to in the same write', () => {
    // Prepare: a plan made before the sets grew, dropping neither.
    const ride = plan({ removeGroups: ['web'] });
    const req = request({ key: AMI, groupNames: ['web'] });
    // Act
    const write = recordWrite(req, req.mentions, place, ride, MAX_WINDOW_MS);
    // Assess
    expect(write.groups.map(([a]) => a)).toEqual([groupAttr('web')]);
    expect(write.remove).toEqual([]);
  });

  it("removes at most one write's worth of attributes", () => {
    // Prepare
    const ride = plan({ removeIds: Array.from({ length: 130 }, (_, i) => id(100 + i)) });
    // Act
    const write = recordWrite(request(), [], place, ride, MAX_WINDOW_MS);
    // Assess
    expect(write.remove).toHaveLength(REMOVALS_PER_WRITE);
    expect(write.watermark).toBeUndefined();
  });
});
