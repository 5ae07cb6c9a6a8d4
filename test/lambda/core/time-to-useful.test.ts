import { describe, expect, it } from 'vitest';
import {
  addSamples,
  decodeSamples,
  EARLY_FLOOR_MS,
  encodeSamples,
  LEARN_KEEP,
  LEARN_MIN_SAMPLES,
  learnedDeadline,
  samplesOf,
} from '../../../lambda/core/time-to-useful';

const MIN = 60_000;
const TEN_MIN = 10 * MIN;

describe('the learned deadline', () => {
  it('keeps the configured deadline for a group without enough history', () => {
    expect(learnedDeadline([], TEN_MIN)).toBeUndefined();
    expect(learnedDeadline([60, 70, 80, 90], TEN_MIN)).toBeUndefined();
  });

  it('judges a group that registers in 2 minutes at 4 minutes (the floor), never earlier', () => {
    expect(learnedDeadline([90, 100, 110, 115, 120], TEN_MIN)).toBe(4 * MIN);
    expect(learnedDeadline([5, 5, 5, 5, 5], TEN_MIN)).toBe(EARLY_FLOOR_MS);
  });

  it('gives a slow group at least one and a half times its slowest launch', () => {
    // 8-minute boots and a 30-second registration: 8.5 min × 1.5 > the configured 10 minutes
    expect(learnedDeadline([480, 500, 510, 490, 505], TEN_MIN)).toBe(TEN_MIN);
    // 13–15 minutes under a 20-minute grace period (configured 25 minutes): 22.5 minutes
    expect(learnedDeadline([780, 840, 900, 810, 870], 25 * MIN)).toBe(22.5 * MIN);
  });

  it('is never later than the configured deadline', () => {
    expect(learnedDeadline([3000, 3000, 3000, 3000, 3000], TEN_MIN)).toBe(TEN_MIN);
  });

  it('keeps the newest samples, stored as whole seconds', () => {
    const many = addSamples(
      Array.from({ length: LEARN_KEEP }, (_, i) => i),
      [500, 501],
    );
    expect(many).toHaveLength(LEARN_KEEP);
    expect(many.slice(-2)).toEqual([500, 501]);
    expect(decodeSamples(encodeSamples([90.4, 120]))).toEqual([90, 120]);
    expect(decodeSamples('90,x,-3,120')).toEqual([90, 120]);
    expect(decodeSamples(undefined)).toEqual([]);
  });

  it('learns from registration times, and a registration before the launch counts as 0', () => {
    const t0 = 1_768_204_800_000;
    const samples = samplesOf(
      [
        { instanceId: 'i-2', launchedAt: t0 + 1000 },
        { instanceId: 'i-1', launchedAt: t0 },
        { instanceId: 'i-3', launchedAt: t0 },
      ],
      new Map([
        ['i-1', t0 + 95_000],
        ['i-2', t0],
        ['i-3', undefined],
      ]),
    );
    expect(samples).toEqual([95, 0]);
    expect(LEARN_MIN_SAMPLES).toBeGreaterThanOrEqual(3);
  });
});
