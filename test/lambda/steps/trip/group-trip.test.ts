import { describe, expect, it } from 'vitest';
import { instanceId, launchEvent } from '../../../../fake-cloud/support/launch-events';
import { settingsOf } from '../../../../lambda/config';
import { TAG } from '../../../../lambda/core/group-settings';
import { METRIC } from '../../../../lambda/core/metric-names';
import { TRIP_ACTION } from '../../../../lambda/core/report';
import { SCOPE_KIND } from '../../../../lambda/core/types';
import type { GroupSnapshot } from '../../../../lambda/ports';
import { run } from '../../../../lambda/steps/count';
import { judgeDeps, judgeGroup } from '../../../../lambda/steps/judge';
import { actOnTrip } from '../../../../lambda/steps/trip';
import {
  ACCOUNT,
  configOf,
  contextOf,
  fakesOf,
  GROUP,
  GROUP_KEY,
  groupOf,
  ids,
  MIN,
  OWNER,
  REGION,
  T0,
  type TripFakes,
  viewOf,
} from './fakes';

const LAUNCHED = ids(10);
const config = configOf();
/** A group whose first 6 launches of the window failed: the count rule confirms its trip. */
const looping = groupOf({ failed: LAUNCHED.slice(0, 6), useful: LAUNCHED.slice(6) });

/** A count-rule trip of the window's 10 launches on this group (none: deleted), with its fakes. */
async function tripOn(group: GroupSnapshot | undefined) {
  const fakes = fakesOf({ groups: group ? [group] : [] });
  return { fakes, outcome: await countTrip(fakes) };
}

/** A count-rule trip of the window's 10 launches over these fakes. */
function countTrip(fakes: TripFakes, extra: Parameters<typeof contextOf>[3] = {}) {
  return actOnTrip(contextOf(fakes, viewOf({ launched: LAUNCHED }), config, { rule: 'count', ...extra }));
}

describe('actOnTrip on a group', () => {
  it('reads the group once, then confirms, suspends, tags and alerts', async () => {
    // Prepare
    const fakes = fakesOf({ groups: [looping] });
    // Act
    const outcome = await countTrip(fakes);
    // Assess
    expect(outcome).toBe(TRIP_ACTION.suspended);
    expect(fakes.asg.reads).toEqual([GROUP]);
    expect(fakes.asg.suspended).toEqual([{ name: GROUP, processes: ['Launch'] }]);
    expect(fakes.asg.tagged).toHaveLength(1);
    expect(fakes.metrics.totals.get('TripsCountRule')).toBe(1);
    expect(fakes.notifier.trips[0]?.evidence).toMatchObject({ rule: 'count', failed: 6 });
  });

  it('takes the group the caller read in this invocation instead of reading it again', async () => {
    // Prepare
    const fakes = fakesOf({ groups: [looping] });
    // Act
    const outcome = await countTrip(fakes, { group: looping });
    // Assess
    expect(outcome).toBe(TRIP_ACTION.suspended);
    expect(fakes.asg.reads).toEqual([]);
    expect(fakes.asg.suspended).toHaveLength(1);
  });

  it('does nothing, reads nothing, when another invocation owns the trip', async () => {
    // Prepare
    const fakes = fakesOf({ groups: [looping], claim: { kind: 'lost' } });
    // Act
    const outcome = await actOnTrip(contextOf(fakes, viewOf({ launched: LAUNCHED }), config));
    // Assess
    expect(outcome).toBe('lost');
    expect(fakes.asg.reads).toEqual([]);
    expect(fakes.notifier.trips).toEqual([]);
  });

  it('alerts "group gone" when the group no longer exists', async () => {
    // Act
    const { fakes, outcome } = await tripOn(undefined);
    // Assess
    expect(outcome).toBe(TRIP_ACTION.groupGone);
    expect(fakes.notifier.trips.map((r) => r.action)).toEqual([TRIP_ACTION.groupGone]);
    expect(fakes.asg.suspended).toEqual([]);
  });

  it('leaves an exempt group alone and records the trip done without an alert', async () => {
    // Act
    const { fakes, outcome } = await tripOn(groupOf({ failed: LAUNCHED, tags: { [TAG.exempt]: 'true' } }));
    // Assess
    expect(outcome).toBe('exempt');
    expect(fakes.metrics.totals.get(METRIC.exemptSkips)).toBe(1);
    expect(fakes.store.progress).toEqual([{ step: 'done' }]);
    expect(fakes.asg.suspended).toEqual([]);
    expect(fakes.notifier.trips).toEqual([]);
  });

  it('gives the episode back when the group’s tag raised its threshold above the count', async () => {
    // Act
    const { fakes, outcome } = await tripOn(groupOf({ failed: LAUNCHED, tags: { [TAG.threshold]: '25' } }));
    // Assess
    expect(outcome).toBe('threshold-raised');
    expect(fakes.store.released).toEqual([{ key: GROUP_KEY, episode: 0 }]);
    expect(fakes.asg.suspended).toEqual([]);
  });

  it('only alerts when a person suspended Launch already', async () => {
    // Act
    const { fakes, outcome } = await tripOn(groupOf({ failed: LAUNCHED, suspended: ['Launch'] }));
    // Assess
    expect(outcome).toBe(TRIP_ACTION.alreadySuspended);
    expect(fakes.notifier.trips[0]).toMatchObject({ action: 'already-suspended', processes: [] });
    expect(fakes.asg.suspended).toEqual([]);
  });

  it('says nothing new when the guard itself suspended Launch at an earlier trip', async () => {
    // Act
    const { fakes, outcome } = await tripOn(
      groupOf({
        failed: LAUNCHED,
        suspended: ['Launch'],
        tags: { [TAG.suspendedAt]: new Date(T0 - 20 * MIN).toISOString() },
      }),
    );
    // Assess
    expect(outcome).toBe('done-before');
    expect(fakes.store.progress).toEqual([{ step: 'done' }]);
    expect(fakes.notifier.trips).toEqual([]);
  });

  it('returns "not-confirmed" and acts on nothing when the launches were mostly useful', async () => {
    // Act
    const { fakes, outcome } = await tripOn(
      groupOf({ failed: LAUNCHED.slice(0, 1), useful: LAUNCHED.slice(1) }),
    );
    // Assess
    expect(outcome).toBe('not-confirmed');
    expect(fakes.asg.suspended).toEqual([]);
    expect(fakes.notifier.trips).toEqual([]);
  });

  it("rebuilds a resumed delayed-check trip's evidence from its judgement, without suspending twice", async () => {
    // Prepare: the suspension went through before the alert failed
    const launches = LAUNCHED.map((id, i) => ({ instanceId: id, launchedAt: T0 - (39 - i) * MIN }));
    const judgement = await judgeGroup(
      judgeDeps(fakesOf().deps),
      REGION,
      looping,
      launches,
      settingsOf({}, config),
      T0,
    );
    const progress = {
      step: 'tagged',
      processes: ['Launch'],
      tagged: true,
      suspendedAt: new Date(T0).toISOString(),
    } as const;
    const fakes = fakesOf({ groups: [looping], claim: { kind: 'resumed', progress } });
    const ctx = contextOf(fakes, viewOf({ launched: LAUNCHED }), config, {
      judged: { group: looping, judgement },
    });
    // Act
    const outcome = await actOnTrip(ctx);
    // Assess
    expect(outcome).toBe(TRIP_ACTION.suspended);
    expect(fakes.asg.suspended).toEqual([]);
    expect(fakes.asg.reads).toEqual([]);
    expect(fakes.notifier.trips[0]?.evidence).toMatchObject({ rule: 'count', failed: 6, useful: 4 });
  });
});

describe('one tripping RunInstances event', () => {
  it('reads the group once: the settings refresh serves the trip, its judgement and its suspension', async () => {
    // Prepare: the tenth launch of the window, whose write also took the settings lease
    const launched = [...ids(9), instanceId(0xabc)];
    const eventTime = T0 - 30 * MIN;
    const group = groupOf({ failed: launched.slice(0, 6), useful: launched.slice(6) });
    const fakes = fakesOf({
      groups: [group],
      views: (req) =>
        req.key.scope === SCOPE_KIND.asg
          ? viewOf({ key: req.key, launched, newestAt: eventTime, refreshSettings: true })
          : viewOf({ key: req.key, launched: [instanceId(0xabc)], newestAt: eventTime, threshold: 50 }),
    });
    const event = launchEvent({
      group: GROUP,
      instanceIds: [instanceId(0xabc)],
      time: eventTime,
      region: REGION,
      account: ACCOUNT,
    });
    // Act
    const result = await run(event, fakes.deps, config, T0, OWNER);
    // Assess
    expect(result).toMatchObject({
      kind: 'counted',
      scopes: [{ scope: 'asg', trip: 'suspended' }, { scope: 'ami' }],
    });
    expect(fakes.asg.reads).toEqual([GROUP]);
    expect(fakes.asg.suspended).toEqual([{ name: GROUP, processes: ['Launch'] }]);
    expect(fakes.notifier.trips).toHaveLength(1);
  });
});
