import { describe, expect, it } from 'vitest';
import { stepEpisode } from '../../../lambda/core/episode';

describe('stepEpisode', () => {
  it.each([
    // armed, count, threshold, addedNew, trip, armedAfter, rearmed
    [true, 9, 10, true, false, true, false],
    [true, 10, 10, true, true, false, false],
    [true, 25, 10, true, true, false, false],
    [false, 11, 10, true, false, false, false],
    [false, 9, 10, true, false, true, true],
    [false, 9, 10, false, false, false, false],
    [true, 1, 1, true, true, false, false],
  ])(
    'armed=%s count=%i threshold=%i addedNew=%s → trip=%s armed=%s rearmed=%s',
    (armed, count, threshold, addedNew, trip, armedAfter, rearmed) => {
      // Act
      const step = stepEpisode(armed, count, threshold, addedNew);
      // Assess
      expect(step).toEqual({ trip, armed: armedAfter, rearmed });
    },
  );
});
