import { describe, expect, it } from 'vitest';
import { TAG } from '../../../../lambda/core/group-settings';
import { METRIC } from '../../../../lambda/core/metric-names';
import { TRIP_ACTION } from '../../../../lambda/core/report';
import type { TripProgress } from '../../../../lambda/core/scope-item';
import { SCOPE_KIND, type ScopeKey } from '../../../../lambda/core/types';
import type { GroupSnapshot } from '../../../../lambda/ports';
import { amiTrip } from '../../../../lambda/steps/trip/ami-trip';
import { ACCOUNT, configOf, contextOf, fakesOf, GROUP, groupOf, ids, MIN, REGION, T0, viewOf } from './fakes';

const AMI = 'ami-0123456789abcdef0';
const AMI_KEY: ScopeKey = { scope: SCOPE_KIND.ami, account: ACCOUNT, region: REGION, key: AMI };
const LAUNCHED = ids(10);
const NEWEST = T0 - 30 * MIN;
/** The AMI's 10 launches of the window, all by one group. */
const view = viewOf({
  key: AMI_KEY,
  launched: LAUNCHED,
  newestAt: NEWEST,
  groups: new Map([[GROUP, NEWEST / 1000]]),
});
const failing = (tags: Record<string, string> = {}) => groupOf({ failed: LAUNCHED, tags });
/** Its streak rule off: the group does not trip on its own, so its alert does not cover the AMI. */
const NO_STREAK = { [TAG.streak]: 'off' };
const SUSPEND = { LLG_AMI_ACTION: 'suspend' };

/** An AMI trip from this progress, on this group, with this configuration. */
async function amiTripOn(
  group: GroupSnapshot,
  env: Record<string, string> = {},
  progress: TripProgress = { step: 'claimed' },
  eventTime?: number,
) {
  const fakes = fakesOf({ groups: [group] });
  const ctx = contextOf(fakes, view, configOf(env), eventTime === undefined ? {} : { eventTime });
  return { fakes, outcome: await amiTrip(ctx, progress) };
}

describe('amiTrip', () => {
  it("sends no alert of its own when the group's own alert covers the AMI's launches", async () => {
    // Act
    const { fakes, outcome } = await amiTripOn(failing());
    // Assess
    expect(outcome).toBe('ami-covered');
    expect(fakes.metrics.totals.get(METRIC.amiTripsCovered)).toBe(1);
    expect(fakes.store.released).toEqual([{ key: AMI_KEY, episode: 0 }]);
    expect(fakes.notifier.trips).toEqual([]);
  });

  it("gives the trip back when too few of the AMI's launches failed", async () => {
    // Act
    const { fakes, outcome } = await amiTripOn(groupOf({ useful: LAUNCHED }));
    // Assess
    expect(outcome).toBe('not-confirmed');
    expect(fakes.metrics.totals.get(METRIC.tripsNotConfirmed)).toBe(1);
    expect(fakes.store.released).toHaveLength(1);
    expect(fakes.notifier.trips).toEqual([]);
  });

  it('alerts only, by default, with the evidence of the launches no group alert covers', async () => {
    // Act
    const { fakes, outcome } = await amiTripOn(failing(NO_STREAK));
    // Assess
    expect(outcome).toBe(TRIP_ACTION.alertOnly);
    expect(fakes.asg.suspended).toEqual([]);
    expect(fakes.notifier.trips[0]).toMatchObject({
      action: TRIP_ACTION.alertOnly,
      processes: [],
      imageIds: [AMI],
      evidence: { rule: 'count', judged: 10, failed: 10, requiredShare: 0.5, causes: [] },
      amiFailures: { failingGroups: [GROUP], ungroupedFailed: 0, coveredBy: [] },
    });
  });

  it('alerts only, reading no group, when fates are off', async () => {
    // Act
    const { fakes, outcome } = await amiTripOn(failing(), { LLG_CHURN_SHARE: 'off' });
    // Assess
    expect(outcome).toBe(TRIP_ACTION.alertOnly);
    expect(fakes.asg.reads).toEqual([]);
    expect(fakes.notifier.trips[0]?.evidence).toBeUndefined();
  });

  it('suspends the groups whose own launches confirm the loop, with `amiAction: suspend`, and says why', async () => {
    // Act
    const { fakes, outcome } = await amiTripOn(failing(NO_STREAK), SUSPEND);
    // Assess
    expect(outcome).toBe('ami-suspended');
    expect(fakes.asg.suspended).toEqual([{ name: GROUP, processes: ['Launch'] }]);
    expect(fakes.asg.tagged[0]?.tags[TAG.reason]).toBe(
      `launch loop on AMI ${AMI}: 10 launches; 10 of its 10 decided launches failed`,
    );
    const groups = [{ groupName: GROUP, outcome: 'suspended', why: '10 of its 10 decided launches failed' }];
    expect(fakes.store.progress[0]).toEqual({ step: 'suspended', groups });
    expect(fakes.notifier.trips[0]).toMatchObject({ action: TRIP_ACTION.suspended, groups });
    expect(fakes.asg.reads).toEqual([GROUP]);
  });

  it.each([
    [
      'says what it would have suspended in a dry run',
      {},
      { LLG_DRY_RUN: 'true' },
      TRIP_ACTION.wouldSuspend,
      'would-suspend',
    ],
    [
      'leaves an exempt group alone and alerts only',
      { [TAG.exempt]: 'true' },
      {},
      TRIP_ACTION.alertOnly,
      'exempt',
    ],
  ] as const)('%s, touching no group', async (_, tags, env, action, groupOutcome) => {
    // Act
    const { fakes, outcome } = await amiTripOn(failing({ ...NO_STREAK, ...tags }), { ...SUSPEND, ...env });
    // Assess
    expect(outcome).toBe('ami-suspended');
    expect(fakes.asg.suspended).toEqual([]);
    expect(fakes.asg.tagged).toEqual([]);
    expect(fakes.notifier.trips[0]).toMatchObject({
      action,
      groups: [{ groupName: GROUP, outcome: groupOutcome }],
    });
  });

  it('only alerts for an event older than the window, even with `amiAction: suspend`', async () => {
    // Act
    const { fakes, outcome } = await amiTripOn(
      failing(NO_STREAK),
      SUSPEND,
      { step: 'claimed' },
      T0 - 2 * 60 * MIN,
    );
    // Assess
    expect(outcome).toBe(TRIP_ACTION.stale);
    expect(fakes.metrics.totals.get(METRIC.staleEvents)).toBe(1);
    expect(fakes.asg.suspended).toEqual([]);
  });

  it('neither judges nor suspends again on a retry past the actions: it alerts what was done', async () => {
    // Prepare
    const groups = [
      { groupName: GROUP, outcome: 'suspended', why: '10 of its 10 decided launches failed' },
    ] as const;
    // Act
    const { fakes, outcome } = await amiTripOn(failing(NO_STREAK), SUSPEND, {
      step: 'suspended',
      groups: [...groups],
    });
    // Assess
    expect(outcome).toBe('ami-suspended');
    expect(fakes.asg.reads).toEqual([]);
    expect(fakes.asg.suspended).toEqual([]);
    expect(fakes.notifier.trips[0]).toMatchObject({ action: TRIP_ACTION.suspended, groups });
    expect(fakes.store.progress).toEqual([{ step: 'done', alertSent: true, groups }]);
  });
});
