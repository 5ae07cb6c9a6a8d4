import { describe, expect, it } from 'vitest';
import { decodeItem, type ItemState } from '../../../lambda/core/scope-item';
import { summarizeScope } from '../../../lambda/core/scope-summary';
import type { ScopeKey } from '../../../lambda/core/types';

const KEY: ScopeKey = { scope: 'asg', account: '111122223333', region: 'eu-west-1', key: 'web' };
const S0 = 1_704_110_400;
const defaults = { threshold: 20, windowMs: 600_000 };

describe('summarizeScope', () => {
  it('counts the window with the defaults and shows an armed scope', () => {
    // Prepare
    const state: ItemState = {
      ...decodeItem(undefined),
      ids: new Map([
        ['i-1', S0 - 700],
        ['i-2', S0 - 10],
        ['i-3', S0],
      ]),
    };
    // Act
    const summary = summarizeScope(KEY, state, defaults);
    // Assess
    expect(summary).toEqual({
      key: KEY,
      count: 2,
      saturated: false,
      threshold: 20,
      windowMs: 600_000,
      newest: S0 * 1000,
      armed: true,
    });
  });

  it('uses the cached settings and shows a tripped scope with its progress and a saturated count', () => {
    // Prepare
    const state: ItemState = {
      ...decodeItem(undefined),
      ids: new Map([['i-1', S0]]),
      watermark: S0 - 5,
      episode: 4,
      trippedEpisode: 4,
      tripProgress: { step: 'done' },
      settings: { threshold: 3, windowMs: 60_000, exempt: false },
    };
    // Act
    const summary = summarizeScope(KEY, state, defaults);
    // Assess
    expect(summary).toMatchObject({
      count: 1,
      saturated: true,
      threshold: 3,
      windowMs: 60_000,
      armed: false,
    });
    expect(summary.tripProgress).toEqual({ step: 'done' });
  });

  it('shows no newest launch for an empty scope', () => {
    const summary = summarizeScope(KEY, decodeItem(undefined), defaults);
    expect(summary.count).toBe(0);
    expect('newest' in summary).toBe(false);
    expect('tripProgress' in summary).toBe(false);
  });
});
