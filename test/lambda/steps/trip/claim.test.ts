import { describe, expect, it } from 'vitest';
import { METRIC } from '../../../../lambda/core/metric-names';
import { claimTrip } from '../../../../lambda/steps/trip/claim';
import { configOf, contextOf, fakesOf, GROUP_KEY, OWNER, viewOf } from './fakes';

describe('claimTrip', () => {
  it('stops with "lost" when another invocation owns the trip, and counts no trip', async () => {
    // Prepare
    const fakes = fakesOf({ claim: { kind: 'lost' } });
    const ctx = contextOf(fakes, viewOf({ before: { episode: 3 } }), configOf());
    // Act
    const result = await claimTrip(ctx);
    // Assess
    expect(result).toEqual({ kind: 'stop', outcome: 'lost' });
    expect(fakes.store.claims).toEqual([{ key: GROUP_KEY, episode: 3, owner: OWNER }]);
    expect(fakes.metrics.totals.get(METRIC.trips)).toBeUndefined();
    expect(fakes.store.progress).toEqual([]);
  });

  it('acts from the claimed step when it wins the trip, and counts and logs the trip once', async () => {
    // Prepare
    const fakes = fakesOf({ claim: { kind: 'claimed' } });
    // Act
    const result = await claimTrip(contextOf(fakes, viewOf(), configOf()));
    // Assess
    expect(result).toEqual({ kind: 'act', progress: { step: 'claimed' } });
    expect(fakes.metrics.totals.get(METRIC.trips)).toBe(1);
    expect(fakes.log.lines).toEqual([{ level: 'info', message: 'scope tripped' }]);
  });

  it('resumes from the saved progress when it owns the trip already (a retry), without counting it again', async () => {
    // Prepare
    const progress = {
      step: 'suspended',
      processes: ['Launch'],
      suspendedAt: '2026-12-07T09:55:00.000Z',
    } as const;
    const fakes = fakesOf({ claim: { kind: 'resumed', progress } });
    // Act
    const result = await claimTrip(contextOf(fakes, viewOf(), configOf()));
    // Assess
    expect(result).toEqual({ kind: 'act', progress });
    expect(fakes.metrics.totals.get(METRIC.trips)).toBeUndefined();
  });

  it('resumes a trip taken over from a stalled owner at the step that owner reached', async () => {
    // Prepare: the store reports a takeover as a resumed claim with the old owner's progress
    const progress = {
      step: 'tagged',
      processes: ['Launch'],
      tagged: true,
      suspendedAt: '2026-12-07T09:40:00.000Z',
    } as const;
    const fakes = fakesOf({ claim: { kind: 'resumed', progress } });
    // Act
    const result = await claimTrip(contextOf(fakes, viewOf(), configOf()));
    // Assess
    expect(result).toEqual({ kind: 'act', progress });
  });

  it('stops with "done-before" when the resumed trip is done already', async () => {
    // Prepare
    const fakes = fakesOf({ claim: { kind: 'resumed', progress: { step: 'done', alertSent: true } } });
    // Act
    const result = await claimTrip(contextOf(fakes, viewOf(), configOf()));
    // Assess
    expect(result).toEqual({ kind: 'stop', outcome: 'done-before' });
    expect(fakes.store.progress).toEqual([]);
    expect(fakes.metrics.totals.size).toBe(0);
  });
});
