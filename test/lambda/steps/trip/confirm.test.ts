import { describe, expect, it } from 'vitest';
import { settingsOf } from '../../../../lambda/config';
import { fateMetric, METRIC } from '../../../../lambda/core/metric-names';
import { TRIP_RULE } from '../../../../lambda/core/report';
import { judgeDeps, judgeGroup } from '../../../../lambda/steps/judge';
import { confirm } from '../../../../lambda/steps/trip/confirm';
import { configOf, contextOf, fakesOf, GROUP_KEY, groupOf, ids, T0, viewOf } from './fakes';

const LAUNCHED = ids(10);
const config = configOf();
const settings = settingsOf({}, config);

/** The window's launches, the `failed` ones Unhealthy and the rest InService and Healthy. */
function setUp(failed: readonly string[]) {
  const group = groupOf({ failed, useful: LAUNCHED.filter((id) => !failed.includes(id)) });
  const fakes = fakesOf({ groups: [group] });
  const view = viewOf({ launched: LAUNCHED });
  return { group, fakes, view };
}

describe('confirm', () => {
  it('confirms a count trip when at least half of the decided launches failed, and keeps their fates', async () => {
    // Prepare
    const failed = LAUNCHED.slice(0, 6);
    const { group, fakes, view } = setUp(failed);
    // Act
    const confirmed = await confirm(contextOf(fakes, view, config), group, settings, TRIP_RULE.count);
    // Assess
    expect(confirmed?.rule).toBe(TRIP_RULE.count);
    expect(confirmed?.streakUpTo).toBeUndefined();
    expect(confirmed?.evidence).toMatchObject({
      rule: TRIP_RULE.count,
      judged: 10,
      failed: 6,
      useful: 4,
      undecided: 0,
      requiredShare: 0.5,
      failedInstances: failed,
      failedBy: { unhealthy: 6 },
    });
    expect([...fakes.store.fates.keys()].sort()).toEqual([...LAUNCHED].sort());
    expect(fakes.metrics.totals.get(fateMetric('failed'))).toBe(6);
    expect(fakes.metrics.totals.get(fateMetric('useful'))).toBe(4);
    expect(fakes.store.released).toEqual([]);
    expect(fakes.asg.reads).toEqual([]);
  });

  it('gives the episode back when too few launches failed, and counts the unconfirmed trip', async () => {
    // Prepare
    const { group, fakes, view } = setUp(LAUNCHED.slice(0, 2));
    // Act
    const confirmed = await confirm(contextOf(fakes, view, config), group, settings, TRIP_RULE.count);
    // Assess
    expect(confirmed).toBeUndefined();
    expect(fakes.store.released).toEqual([{ key: GROUP_KEY, episode: 0 }]);
    expect(fakes.metrics.totals.get(METRIC.tripsNotConfirmed)).toBe(1);
    expect(fakes.log.lines).toContainEqual({
      level: 'info',
      message: 'trip not confirmed: too few of the launches failed',
    });
  });

  it('confirms a count trip its window does not confirm by the streak rule when the newest launches all failed', async () => {
    // Prepare: 4 of 10 failed (below half), but they are the newest 4
    const failed = LAUNCHED.slice(6);
    const { group, fakes, view } = setUp(failed);
    // Act
    const confirmed = await confirm(contextOf(fakes, view, config), group, settings, TRIP_RULE.count);
    // Assess
    expect(confirmed?.rule).toBe(TRIP_RULE.streak);
    expect(confirmed?.evidence).toMatchObject({ rule: TRIP_RULE.streak, streak: 4, streakNeeded: 4 });
    expect(confirmed?.streakUpTo).toBe((view.evaluation.newest ?? 0) * 1000);
    expect(fakes.store.released).toEqual([]);
  });

  it('gives a streak trip back without counting it unconfirmed when the streak is broken', async () => {
    // Prepare: the newest launch is useful
    const { group, fakes, view } = setUp(LAUNCHED.slice(5, 9));
    // Act
    const confirmed = await confirm(contextOf(fakes, view, config), group, settings, TRIP_RULE.streak);
    // Assess
    expect(confirmed).toBeUndefined();
    expect(fakes.store.released).toHaveLength(1);
    expect(fakes.metrics.totals.get(METRIC.tripsNotConfirmed)).toBeUndefined();
  });

  it('confirms without judging when fates are off (the count-only rule)', async () => {
    // Prepare
    const off = configOf({ LLG_CHURN_SHARE: 'off' });
    const { group, fakes, view } = setUp([]);
    // Act
    const confirmed = await confirm(
      contextOf(fakes, view, off),
      group,
      settingsOf({}, off),
      TRIP_RULE.countOnly,
    );
    // Assess
    expect(confirmed).toEqual({ rule: TRIP_RULE.countOnly });
    expect(fakes.store.fates.size).toBe(0);
    expect(fakes.metrics.totals.size).toBe(0);
  });

  it("takes the caller's judgement as it is instead of judging again", async () => {
    // Prepare: the caller judged 6 failures; the group now shows none
    const failedGroup = groupOf({ failed: LAUNCHED.slice(0, 6), useful: LAUNCHED.slice(6) });
    const launches = LAUNCHED.map((instanceId, i) => ({ instanceId, launchedAt: T0 - (39 - i) * 60_000 }));
    const judgement = await judgeGroup(
      judgeDeps(fakesOf().deps),
      'us-east-1',
      failedGroup,
      launches,
      settings,
      T0,
    );
    const { fakes, view } = setUp([]);
    const healthy = groupOf({ useful: LAUNCHED });
    // Act
    const confirmed = await confirm(
      contextOf(fakes, view, config, { judged: { group: healthy, judgement } }),
      healthy,
      settings,
      TRIP_RULE.count,
    );
    // Assess
    expect(confirmed?.evidence).toMatchObject({ failed: 6, useful: 4 });
    expect(fakes.store.fates.size).toBe(0);
  });
});
