/**
 * The suspend phase of a confirmed group trip: a stale event (older than the window) only
 * alerts, a dry run alerts "would have suspended", else the group's processes are suspended and
 * the progress saved, so that a retry never suspends twice. A group deleted meanwhile alerts
 * "group gone". What follows the suspension (tags, auto-resume, alert) is `finish.ts`'s.
 */

import { METRIC } from '../../core/metric-names';
import { TRIP_ACTION, type TripEvidence } from '../../core/report';
import type { TripProgress } from '../../core/scope-item';
import type { GroupSnapshot } from '../../ports';
import { baseReport, isStale, type TripContext, type TripOutcome } from './context';
import { finish, finishSuspended } from './finish';

/**
 * Suspend the group, unless the trip's progress says it is suspended already (a resumed trip).
 *
 * @param evidence why the trip was confirmed (for the alert and the reason tag)
 */
export async function suspendPhase(
  ctx: TripContext,
  group: GroupSnapshot,
  progress: TripProgress,
  evidence: TripEvidence | undefined,
): Promise<TripOutcome> {
  // A resumed trip past its suspension goes on with the tags, auto-resume and the alert.
  if (progress.step !== 'claimed') return finishSuspended(ctx, group, progress, evidence);
  const { view, deps, config, now, owner } = ctx;
  if (isStale(ctx)) {
    deps.metrics.count(METRIC.staleEvents);
    return finish(ctx, baseReport(ctx, TRIP_ACTION.stale, { evidence, processes: [] }), progress, group);
  }
  if (config.dryRun) {
    return finish(ctx, baseReport(ctx, TRIP_ACTION.wouldSuspend, { evidence }), progress, group);
  }
  const { region, key: name } = view.key;
  const outcome = await deps.suspender.suspend(region, name, config.suspendProcesses);
  if (outcome === 'gone') return finish(ctx, baseReport(ctx, TRIP_ACTION.groupGone), progress);
  deps.metrics.count(METRIC.suspensions);
  deps.log.info('group suspended', { group: name, processes: config.suspendProcesses });
  const state: TripProgress = {
    ...(progress.streakUpTo !== undefined ? { streakUpTo: progress.streakUpTo } : {}),
    step: 'suspended',
    processes: config.suspendProcesses,
    suspendedAt: new Date(now).toISOString(),
  };
  await deps.counter.saveProgress(view.key, view.before.episode, owner, state);
  return finishSuspended(ctx, group, state, evidence);
}
