import { describe, expect, it } from 'vitest';
import { scheduleName } from '../../../../lambda/core/auto-resume';
import { TAG } from '../../../../lambda/core/group-settings';
import { TRIP_ACTION } from '../../../../lambda/core/report';
import type { TripProgress } from '../../../../lambda/core/scope-item';
import { SCOPE_KIND } from '../../../../lambda/core/types';
import { baseReport } from '../../../../lambda/steps/trip/context';
import { finish, finishSuspended } from '../../../../lambda/steps/trip/finish';
import {
  ACCOUNT,
  configOf,
  contextOf,
  fakesOf,
  GROUP,
  groupOf,
  itemOf,
  MIN,
  REGION,
  T0,
  viewOf,
} from './fakes';

const group = groupOf();
const suspendedAt = new Date(T0).toISOString();
const SUSPENDED: TripProgress = { step: 'suspended', processes: ['Launch'], suspendedAt };
const AUTO_RESUME = JSON.stringify({
  baseMs: 15 * MIN,
  maxMs: 240 * MIN,
  maxTrips: 3,
  scheduleGroup: 'launch-loop-guard',
  schedulerRoleArn: `arn:aws:iam::${ACCOUNT}:role/scheduler`,
  targetArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:resumer`,
});

describe('finishSuspended', () => {
  it('tags the group with the suspension time, the reason and the processes', async () => {
    // Prepare
    const fakes = fakesOf({ groups: [group] });
    // Act
    const action = await finishSuspended(contextOf(fakes, viewOf(), configOf()), group, SUSPENDED, undefined);
    // Assess
    expect(action).toBe(TRIP_ACTION.suspended);
    expect(fakes.asg.tagged).toHaveLength(1);
    const tags = fakes.asg.tagged[0]?.tags ?? {};
    expect(tags[TAG.suspendedAt]).toBe(suspendedAt);
    expect(tags[TAG.processes]).toBe('Launch');
    expect(tags[TAG.reason]).toMatch(/^launch loop: 10 launches/);
    expect(fakes.store.progress[0]).toEqual({ ...SUSPENDED, step: 'tagged', tagged: true });
    expect(fakes.notifier.trips[0]).toMatchObject({
      action: 'suspended',
      tagged: true,
      processes: ['Launch'],
    });
  });

  it.each([
    ['tag-limit', 'the group already holds 50 tags'],
    ['gone', 'the group was deleted'],
  ] as const)('says why the tags are missing when tagging finds %s', async (tag, tagError) => {
    // Prepare
    const fakes = fakesOf({ groups: [group], tag });
    // Act
    await finishSuspended(contextOf(fakes, viewOf(), configOf()), group, SUSPENDED, undefined);
    // Assess
    expect(fakes.store.progress[0]).toMatchObject({ step: 'tagged', tagged: false, tagError });
    expect(fakes.notifier.trips[0]).toMatchObject({ tagged: false, tagError });
    expect(fakes.log.lines).toContainEqual({ level: 'warn', message: 'guard tags not written' });
  });

  it('schedules the resume once, named after the suspension, and keeps the first trip of the streak', async () => {
    // Prepare
    const fakes = fakesOf({ groups: [group] });
    // Act
    await finishSuspended(
      contextOf(fakes, viewOf(), configOf({ LLG_AUTO_RESUME: AUTO_RESUME })),
      group,
      SUSPENDED,
      undefined,
    );
    // Assess
    expect(fakes.scheduler.scheduled).toEqual([
      { name: scheduleName(GROUP, T0, 1), at: T0 + 15 * MIN, groupName: GROUP, trip: 1 },
    ]);
    expect(fakes.streaks.map((s) => [s.streak, s.at])).toEqual([[1, T0]]);
    const plan = { kind: 'scheduled', at: T0 + 15 * MIN, trip: 1, cooldownMs: 15 * MIN };
    expect(fakes.store.progress.at(-2)).toMatchObject({ step: 'tagged', autoResume: plan });
    expect(fakes.notifier.trips[0]?.autoResume).toEqual(plan);
  });

  it('doubles the wait of a streak that goes on, and leaves the resume to a person past the last trip', async () => {
    // Prepare
    const config = configOf({ LLG_AUTO_RESUME: AUTO_RESUME });
    const second = fakesOf({ groups: [group] });
    const fourth = fakesOf({ groups: [group] });
    const streak = (trips: number) =>
      viewOf({ before: { resumeStreak: trips, resumeStreakAt: T0 - 30 * MIN } });
    // Act
    await finishSuspended(contextOf(second, streak(1), config), group, SUSPENDED, undefined);
    await finishSuspended(contextOf(fourth, streak(3), config), group, SUSPENDED, undefined);
    // Assess
    expect(second.scheduler.scheduled).toEqual([
      { name: scheduleName(GROUP, T0, 2), at: T0 + 30 * MIN, groupName: GROUP, trip: 2 },
    ]);
    expect(fourth.scheduler.scheduled).toEqual([]);
    expect(fourth.streaks.map((s) => s.streak)).toEqual([4]);
    expect(fourth.notifier.trips[0]?.autoResume).toEqual({ kind: 'manual', trip: 4, maxTrips: 3 });
  });

  it('plans nothing when auto-resume is off', async () => {
    // Prepare
    const fakes = fakesOf({ groups: [group] });
    // Act
    await finishSuspended(contextOf(fakes, viewOf(), configOf()), group, SUSPENDED, undefined);
    // Assess
    expect(fakes.scheduler.scheduled).toEqual([]);
    expect(fakes.streaks).toEqual([]);
    expect(fakes.notifier.trips[0]?.autoResume).toBeUndefined();
  });

  it('neither tags nor schedules again when a retry finds both done: it only alerts', async () => {
    // Prepare
    const autoResume = { kind: 'scheduled', at: T0 + 15 * MIN, trip: 1, cooldownMs: 15 * MIN } as const;
    const fakes = fakesOf({ groups: [group] });
    const progress: TripProgress = { ...SUSPENDED, step: 'tagged', tagged: true, autoResume };
    // Act
    await finishSuspended(
      contextOf(fakes, viewOf(), configOf({ LLG_AUTO_RESUME: AUTO_RESUME })),
      group,
      progress,
      undefined,
    );
    // Assess
    expect(fakes.asg.tagged).toEqual([]);
    expect(fakes.scheduler.scheduled).toEqual([]);
    expect(fakes.streaks).toEqual([]);
    expect(fakes.notifier.trips[0]).toMatchObject({ tagged: true, autoResume });
    expect(fakes.store.progress).toEqual([{ ...progress, step: 'done', alertSent: true }]);
  });
});

describe('finish', () => {
  it("adds the AMI's own count across groups to a group alert", async () => {
    // Prepare: the AMI's item holds 12 launches by two groups
    const fakes = fakesOf({ groups: [group] });
    const view = viewOf();
    const newest = view.evaluation.newest ?? 0;
    const amiIds = new Map(Array.from({ length: 12 }, (_, i) => [`i-ami${i}`, newest - i * 60]));
    fakes.store.items.set(
      `${SCOPE_KIND.ami}#ami-0123456789abcdef0`,
      itemOf({
        ids: amiIds,
        groups: new Map([
          [GROUP, newest],
          ['other-asg', newest - 120],
        ]),
      }),
    );
    const ctx = contextOf(fakes, view, configOf());
    // Act
    await finish(ctx, baseReport(ctx, TRIP_ACTION.alreadySuspended), { step: 'claimed' }, group);
    // Assess
    expect(fakes.notifier.trips[0]?.amiEvidence).toEqual([
      {
        imageId: 'ami-0123456789abcdef0',
        launches: 12,
        launchesAtLeast: false,
        threshold: 50,
        windowMs: 60 * MIN,
        groups: ['other-asg', GROUP],
      },
    ]);
  });

  it('publishes the alert, then records the trip done with the alert sent', async () => {
    // Prepare
    const fakes = fakesOf({ groups: [group] });
    const ctx = contextOf(fakes, viewOf(), configOf());
    // Act
    const action = await finish(ctx, baseReport(ctx, TRIP_ACTION.groupGone), { step: 'claimed' });
    // Assess
    expect(action).toBe(TRIP_ACTION.groupGone);
    expect(fakes.notifier.trips.map((r) => [r.action, r.scope.key, r.launches])).toEqual([
      [TRIP_ACTION.groupGone, GROUP, 10],
    ]);
    expect(fakes.store.progress).toEqual([{ step: 'done', alertSent: true }]);
    expect(fakes.log.lines).toContainEqual({ level: 'info', message: 'alert sent' });
  });

  it('throws a failed alert and leaves the trip unfinished, so that the retry sends it', async () => {
    // Prepare
    const fakes = fakesOf({ groups: [group], publishFails: true });
    const ctx = contextOf(fakes, viewOf(), configOf());
    // Act
    const failing = finish(ctx, baseReport(ctx, TRIP_ACTION.suspended), SUSPENDED, group);
    // Assess
    await expect(failing).rejects.toThrow('SNS unavailable');
    expect(fakes.store.progress).toEqual([]);
  });
});
