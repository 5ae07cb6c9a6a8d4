/**
 * Auto-resume of a suspended group: schedule its resume once per trip (the schedule is named
 * after the suspension's time, so a retry finds the same name) and keep the group's streak of
 * trips, which lengthens the next wait.
 */

import { planAutoResume, scheduleName } from '../../core/auto-resume';
import type { TripReport } from '../../core/report';
import type { GroupSnapshot } from '../../ports';
import type { TripContext } from './context';

/**
 * Plan auto-resume once per trip: schedule the resume (idempotent name) and keep the streak.
 *
 * @returns the plan, or undefined when auto-resume is off
 */
export async function planResume(
  ctx: TripContext,
  group: GroupSnapshot,
  processes: readonly string[],
  suspendedAt: string,
): Promise<TripReport['autoResume']> {
  const { view, deps, config } = ctx;
  if (!config.autoResume) return undefined;
  const before = view.before;
  const previous =
    before.resumeStreak > 0 && before.resumeStreakAt !== undefined
      ? { trips: before.resumeStreak, lastTripAt: before.resumeStreakAt }
      : undefined;
  const tripAt = Date.parse(suspendedAt);
  const step = planAutoResume(previous, tripAt, config.autoResume);
  if (step.plan.kind === 'scheduled') {
    // Named after the suspension's own time: a retry that gets here again finds the same name.
    await deps.scheduler.schedule(scheduleName(group.name, tripAt, step.plan.trip), step.plan.at, {
      account: view.key.account,
      region: view.key.region,
      groupName: group.name,
      processes: [...processes],
      trip: step.plan.trip,
      suspendedAt,
    });
  }
  await deps.streaks.setResumeStreak(view.key, step.streak.trips, step.streak.lastTripAt);
  return step.plan;
}
