import { describe, expect, it } from 'vitest';
import { TAG } from '../../../../lambda/core/group-settings';
import { METRIC } from '../../../../lambda/core/metric-names';
import { TRIP_ACTION, TRIP_RULE, type TripEvidence } from '../../../../lambda/core/report';
import type { TripProgress } from '../../../../lambda/core/scope-item';
import { suspendPhase } from '../../../../lambda/steps/trip/suspend';
import { configOf, contextOf, fakesOf, GROUP, groupOf, MIN, T0, type TripFakes, viewOf } from './fakes';

const EVIDENCE: TripEvidence = {
  rule: TRIP_RULE.count,
  judged: 10,
  useful: 2,
  failed: 8,
  neutral: 0,
  undecided: 0,
  failedBy: { unhealthy: 8 },
  neutralBy: {},
  deadlineMs: 10 * MIN,
  causes: [],
  requiredShare: 0.5,
};
const group = groupOf();

/** Run the suspend phase over these fakes from this progress. */
function suspendWith(
  fakes: TripFakes,
  progress: TripProgress = { step: 'claimed' },
  config = configOf(),
  extra: Parameters<typeof contextOf>[3] = {},
) {
  return suspendPhase(contextOf(fakes, viewOf(), config, extra), group, progress, EVIDENCE);
}

describe('suspendPhase', () => {
  it('suspends Launch, then tags the group and alerts, saving each step', async () => {
    // Prepare
    const fakes = fakesOf({ groups: [group] });
    // Act
    const outcome = await suspendWith(fakes);
    // Assess
    expect(outcome).toBe(TRIP_ACTION.suspended);
    expect(fakes.asg.suspended).toEqual([{ name: GROUP, processes: ['Launch'] }]);
    expect(fakes.metrics.totals.get(METRIC.suspensions)).toBe(1);
    const suspendedAt = new Date(T0).toISOString();
    expect(fakes.store.progress[0]).toEqual({ step: 'suspended', processes: ['Launch'], suspendedAt });
    expect(fakes.asg.tagged[0]?.tags[TAG.suspendedAt]).toBe(suspendedAt);
    expect(fakes.store.progress.map((p) => p.step)).toEqual(['suspended', 'tagged', 'done']);
    expect(fakes.notifier.trips).toHaveLength(1);
    expect(fakes.notifier.trips[0]).toMatchObject({ action: 'suspended', tagged: true, evidence: EVIDENCE });
  });

  it('keeps the streak of a streak trip in the saved progress', async () => {
    // Prepare
    const fakes = fakesOf({ groups: [group] });
    // Act
    await suspendWith(fakes, { step: 'claimed', streakUpTo: T0 - MIN });
    // Assess
    expect(fakes.store.progress[0]).toMatchObject({ step: 'suspended', streakUpTo: T0 - MIN });
  });

  it('alerts "group gone" and tags nothing when the group was deleted before the suspension', async () => {
    // Prepare
    const fakes = fakesOf({ groups: [group], suspend: 'gone' });
    // Act
    const outcome = await suspendWith(fakes);
    // Assess
    expect(outcome).toBe(TRIP_ACTION.groupGone);
    expect(fakes.asg.suspended).toEqual([]);
    expect(fakes.asg.tagged).toEqual([]);
    expect(fakes.metrics.totals.get(METRIC.suspensions)).toBeUndefined();
    expect(fakes.notifier.trips.map((r) => r.action)).toEqual([TRIP_ACTION.groupGone]);
    expect(fakes.store.progress.map((p) => p.step)).toEqual(['done']);
  });

  it('alerts "would have suspended" in a dry run, and touches nothing', async () => {
    // Prepare
    const fakes = fakesOf({ groups: [group] });
    // Act
    const outcome = await suspendWith(fakes, { step: 'claimed' }, configOf({ LLG_DRY_RUN: 'true' }));
    // Assess
    expect(outcome).toBe(TRIP_ACTION.wouldSuspend);
    expect(fakes.asg.suspended).toEqual([]);
    expect(fakes.asg.tagged).toEqual([]);
    expect(fakes.notifier.trips[0]).toMatchObject({
      action: 'would-suspend',
      dryRun: true,
      evidence: EVIDENCE,
    });
    expect(fakes.store.progress).toEqual([{ step: 'done', alertSent: true }]);
  });

  it('only alerts for an event older than the window (stale), whatever the dry-run setting', async () => {
    // Prepare
    const fakes = fakesOf({ groups: [group] });
    // Act
    const outcome = await suspendWith(fakes, { step: 'claimed' }, configOf(), { eventTime: T0 - 61 * MIN });
    // Assess
    expect(outcome).toBe(TRIP_ACTION.stale);
    expect(fakes.asg.suspended).toEqual([]);
    expect(fakes.metrics.totals.get(METRIC.staleEvents)).toBe(1);
    expect(fakes.notifier.trips[0]).toMatchObject({ action: 'stale', processes: [] });
  });

  it('never suspends again on a resumed trip past the suspension: it tags with the saved time', async () => {
    // Prepare
    const fakes = fakesOf({ groups: [group] });
    const suspendedAt = new Date(T0 - 5 * MIN).toISOString();
    // Act
    const outcome = await suspendWith(
      fakes,
      { step: 'suspended', processes: ['Launch', 'AZRebalance'], suspendedAt },
      configOf(),
      { eventTime: T0 - 61 * MIN },
    );
    // Assess: neither stale nor suspended twice
    expect(outcome).toBe(TRIP_ACTION.suspended);
    expect(fakes.asg.suspended).toEqual([]);
    expect(fakes.asg.tagged[0]?.tags).toMatchObject({
      [TAG.suspendedAt]: suspendedAt,
      [TAG.processes]: 'Launch,AZRebalance',
    });
    expect(fakes.notifier.trips[0]?.processes).toEqual(['Launch', 'AZRebalance']);
  });
});
