import { describe, expect, it } from 'vitest';
import {
  EXPIRY_MARGIN_S,
  holdsJudgeLease,
  holdsSettingsLease,
  itemExpiry,
  judgePeriod,
  scopeItemExpiry,
  settingsPeriod,
} from '../../../lambda/core/leases';
import { DEDUP_SKEW_S, decodeItem, type ItemState, JUDGE_PERIOD_MS } from '../../../lambda/core/scope-item';
import { DEFAULTS } from '../../../lambda/core/types';

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);
const empty: ItemState = decodeItem(undefined);

describe('lease periods', () => {
  it('numbers the settings lease by 5-minute period', () => {
    expect(DEFAULTS.settingsTtlMs).toBe(300_000);
    expect(settingsPeriod(T0)).toBe(T0 / 300_000);
    expect(settingsPeriod(T0 + 299_999)).toBe(settingsPeriod(T0));
    expect(settingsPeriod(T0 + 300_000)).toBe(settingsPeriod(T0) + 1);
  });

  it('numbers the judge lease by minute', () => {
    expect(JUDGE_PERIOD_MS).toBe(60_000);
    expect(judgePeriod(T0 + 59_999)).toBe(T0 / 60_000);
    expect(judgePeriod(T0 + 60_000)).toBe(T0 / 60_000 + 1);
  });
});

describe('holdsSettingsLease', () => {
  it('is held by the first write of a period on a group scope', () => {
    expect(holdsSettingsLease(empty, 'asg', T0)).toBe(true);
    expect(holdsSettingsLease({ ...empty, settingsLease: settingsPeriod(T0) - 1 }, 'asg', T0)).toBe(true);
  });

  it('is not held when the old item shows this period taken', () => {
    expect(holdsSettingsLease({ ...empty, settingsLease: settingsPeriod(T0) }, 'asg', T0 + 1000)).toBe(false);
  });

  it('is never held on an AMI scope (no tags to read)', () => {
    expect(holdsSettingsLease(empty, 'ami', T0)).toBe(false);
  });
});

describe('holdsJudgeLease', () => {
  it('is held by the first write of a minute, on either scope', () => {
    expect(holdsJudgeLease(empty, T0)).toBe(true);
    expect(holdsJudgeLease({ ...empty, judgeLease: judgePeriod(T0) - 1 }, T0)).toBe(true);
  });

  it('is not held when the old item shows this minute taken', () => {
    expect(holdsJudgeLease({ ...empty, judgeLease: judgePeriod(T0) }, T0 + 30_000)).toBe(false);
  });
});

describe('item expiry', () => {
  it('outlives the longest window by the deduplication skew and a day', () => {
    expect(EXPIRY_MARGIN_S).toBe(86_400);
    expect(itemExpiry(1_000, 3_600_000)).toBe(1_000 + 3_600 + DEDUP_SKEW_S + 86_400);
    // A window not in whole seconds rounds up.
    expect(itemExpiry(0, 1_500)).toBe(2 + DEDUP_SKEW_S + 86_400);
  });

  it('counts a scope item from the write time, in whole seconds', () => {
    expect(scopeItemExpiry(T0 + 999, 3_600_000)).toBe(itemExpiry(T0 / 1000, 3_600_000));
  });
});
