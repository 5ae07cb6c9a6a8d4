/**
 * The finish phase: tag a suspended group and plan its auto-resume, complete the alert (the
 * diagnosis, the instance-role check, the AMI lines, the cost line), publish it, and record the
 * trip as done. A failed alert is thrown so that
 * Lambda retries: the progress the earlier phases saved keeps the retry from acting twice.
 */

import { reasonTag } from '../../core/alert';
import { TAG } from '../../core/group-settings';
import { TRIP_ACTION, type TripAction, type TripEvidence, type TripReport } from '../../core/report';
import type { TripProgress } from '../../core/scope-item';
import { SCOPE_KIND } from '../../core/types';
import type { GroupSnapshot } from '../../ports';
import { amiEvidenceOf, roleDiagnosis } from './alert-facts';
import { planResume } from './auto-resume';
import { baseReport, type TripContext } from './context';
import { costMetric, loopCost } from './cost';

/**
 * Publish the trip's alert and save the progress as `done`.
 *
 * @param group the group as read for this trip, for the role check and the cost at MaxSize
 * @returns the alert's action
 */
export async function finish(
  ctx: TripContext,
  report: TripReport,
  progress: TripProgress,
  group?: GroupSnapshot,
): Promise<TripAction> {
  const { deps, view, owner } = ctx;
  // The estimate runs beside the diagnosis and is bounded: the alert never waits long for prices.
  const costing = loopCost(ctx, group);
  const diagnosed = await deps.diagnoser.diagnose(report);
  const roleLines = group ? await roleDiagnosis(ctx, report, group, diagnosed.imageNames) : [];
  const diagnosis = [...roleLines, ...(diagnosed.diagnosis ?? report.diagnosis ?? [])];
  const amis = report.scope.scope === SCOPE_KIND.asg ? await amiEvidenceOf(ctx, report) : [];
  const cost = await costing;
  const full = {
    ...report,
    ...diagnosed,
    ...(diagnosis.length > 0 ? { diagnosis } : {}),
    ...(amis.length > 0 ? { amiEvidence: amis } : {}),
    ...cost,
  };
  // A failed alert is thrown: Lambda retries, and the saved progress keeps the retry from acting twice.
  await deps.notifier.publishTrip(full);
  if (cost.cost) costMetric(ctx, cost.cost);
  await deps.counter.saveProgress(view.key, view.before.episode, owner, {
    ...progress,
    step: 'done',
    alertSent: true,
  });
  deps.log.info('alert sent', { action: report.action, scope: view.key.scope, key: view.key.key });
  return report.action;
}

/**
 * Finish a suspended group's trip: tag the group (once), plan its auto-resume (once), and
 * publish the alert. Each step saves the progress, so that a retry resumes after the last one.
 *
 * @param progress the trip's progress, at `suspended` or later
 */
export async function finishSuspended(
  ctx: TripContext,
  group: GroupSnapshot,
  progress: TripProgress,
  evidence: TripEvidence | undefined,
): Promise<TripAction> {
  const { view, deps, config, now, owner } = ctx;
  const { region, key: name } = view.key;
  const episode = view.before.episode;
  let state = progress;
  const processes = state.processes ?? config.suspendProcesses;
  const suspendedAt = state.suspendedAt ?? new Date(now).toISOString();
  if (state.step === 'suspended') {
    const reason = reasonTag(evidence, view.evaluation.count, view.policy.windowMs, view.policy.threshold);
    const tagged = await deps.suspender.tagGroup(region, name, {
      [TAG.suspendedAt]: suspendedAt,
      [TAG.reason]: reason.slice(0, 256),
      [TAG.processes]: processes.join(','),
    });
    if (tagged !== 'tagged') deps.log.warn('guard tags not written', { group: name, outcome: tagged });
    state = {
      ...state,
      step: 'tagged',
      tagged: tagged === 'tagged',
      ...(tagged === 'tag-limit' ? { tagError: 'the group already holds 50 tags' } : {}),
      ...(tagged === 'gone' ? { tagError: 'the group was deleted' } : {}),
    };
    await deps.counter.saveProgress(view.key, episode, owner, state);
  }
  const autoResume = state.autoResume ?? (await planResume(ctx, group, processes, suspendedAt));
  if (autoResume && !state.autoResume) {
    state = { ...state, autoResume };
    await deps.counter.saveProgress(view.key, episode, owner, state);
  }
  const report = baseReport(ctx, TRIP_ACTION.suspended, {
    processes,
    tagged: state.tagged ?? false,
    ...(state.tagError ? { tagError: state.tagError } : {}),
    ...(evidence ? { evidence } : {}),
    ...(autoResume ? { autoResume } : {}),
  });
  return finish(ctx, report, state, group);
}
