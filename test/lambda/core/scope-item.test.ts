import { describe, expect, it } from 'vitest';
import {
  ATTR,
  cleanupAttrs,
  cleanupWatermark,
  clearedAttrs,
  clearedCut,
  decodeItem,
  fateAttr,
  groupAttr,
  type ItemState,
  idAttr,
} from '../../../lambda/core/scope-item';

const id = (n: number) => `i-${n.toString(16).padStart(17, '0')}`;
const S0 = 1_704_110_400;
const base = { removeIds: [], removeGroups: [], dropCallers: false, dropAmis: false };

describe('cleanupAttrs', () => {
  it('lists ids, fates, groups and dropped sets, in that order', () => {
    // Act
    const attrs = cleanupAttrs({
      removeIds: [id(1), id(2)],
      removeFates: [fateAttr(id(1))],
      removeGroups: ['api'],
      dropCallers: true,
      dropAmis: true,
    });
    // Assess
    const ids = [id(1), id(2)].map(idAttr);
    expect(attrs).toEqual([...ids, fateAttr(id(1)), groupAttr('api'), ATTR.callers, ATTR.amis]);
  });

  it('lists nothing for an empty plan', () => {
    expect(cleanupAttrs(base)).toEqual([]);
  });
});

describe('cleanupWatermark', () => {
  it('is absent when the plan evicts nothing', () => {
    expect(cleanupWatermark(base, { watermark: S0 })).toBeUndefined();
  });

  it('never lowers the watermark the item has', () => {
    expect(cleanupWatermark({ ...base, watermark: S0 - 10 }, { watermark: S0 })).toBe(S0);
    expect(cleanupWatermark({ ...base, watermark: S0 + 10 }, { watermark: S0 })).toBe(S0 + 10);
    expect(cleanupWatermark({ ...base, watermark: S0 }, {})).toBe(S0);
  });
});

describe('clearedAttrs and clearedCut', () => {
  const state: ItemState = {
    ...decodeItem(undefined),
    ids: new Map([
      [id(1), S0 - 60],
      [id(2), S0],
    ]),
    fates: new Map([[id(1), 'failed:unhealthy']]),
    groups: new Map([['web', S0]]),
    settings: { threshold: 3, windowMs: 60_000, exempt: false },
    resumeStreak: 2,
  };

  it('clears the window and the trip, never the settings or the auto-resume streak', () => {
    // Act
    const attrs = clearedAttrs(state);
    // Assess
    const window = [...[id(1), id(2)].map(idAttr), fateAttr(id(1)), groupAttr('web')];
    expect(attrs).toEqual([
      ...window,
      ATTR.watermark,
      ATTR.trippedEpisode,
      ATTR.tripOwner,
      ATTR.tripAt,
      ATTR.tripProgress,
    ]);
    expect(attrs).not.toContain(ATTR.settings);
    expect(attrs).not.toContain(ATTR.resumeStreak);
  });

  it('cuts the fates at the newest launch, 0 for an empty scope', () => {
    expect(clearedCut(state)).toBe(S0);
    expect(clearedCut(decodeItem(undefined))).toBe(0);
  });
});
