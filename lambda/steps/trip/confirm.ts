/**
 * The confirm phase: a group's trip is confirmed by its launches' fates, never by the count
 * alone. The count rule: at least `churnShare` of the window's decided launches failed, at least
 * 3 decided. The streak rule: the last N decided launches failed. A trip that is not confirmed
 * gives the episode back (the next launch tries again).
 */

import { fateMetric, METRIC } from '../../core/metric-names';
import { TRIP_RULE, type TripEvidence, type TripRule } from '../../core/report';
import type { GroupSnapshot } from '../../ports';
import { judgeAndKeep, launchesToJudge } from '../judge';
import type { TripContext } from './context';
import { findEvidence } from './evidence';

/** A confirmed trip: the rule it met, its evidence, and (streak rule) the newest launch of the streak. */
export interface Confirmed {
  readonly evidence?: TripEvidence;
  readonly streakUpTo?: number;
  readonly rule: TripRule;
}

/**
 * Confirm a group's trip by judging its launches (or taking the judgement the caller made
 * already, `ctx.judged`). The `count-only` rule (fates off) confirms without judging.
 *
 * @returns the confirmation, or undefined when the launches do not confirm the trip (the trip is
 *   released)
 */
export async function confirm(
  ctx: TripContext,
  group: GroupSnapshot,
  settings: { readonly streak: number; readonly deadlineMs?: number; readonly ecsCluster?: string },
  rule: TripRule,
): Promise<Confirmed | undefined> {
  const { view, deps, now } = ctx;
  if (rule === TRIP_RULE.countOnly) return { rule };
  // Every launch the scope keeps is judged (the window's for the count rule, the newest for the
  // streak rule): a count trip that its window does not confirm may still be a streak.
  // Fates kept apart from the count (the launches its cap pushed out included) are judged too.
  let judgement = ctx.judged?.judgement;
  if (judgement === undefined) {
    const { key, outcome, before } = view;
    const { launches, decided } = await launchesToJudge(deps, key, outcome.ids, before.fates);
    judgement = await judgeAndKeep(deps, key, group, launches, settings, now, decided, before.learned);
  }
  for (const j of judgement.judged) deps.metrics.count(fateMetric(j.fate));
  const found = findEvidence(ctx, judgement, settings, rule);
  if (found.kind === 'confirmed') return found;
  const { check, windowCounts } = found;
  if (check !== undefined && windowCounts !== undefined) {
    // The count rule's shortfall (a streak trip that did not hold is released without a word).
    deps.metrics.count(METRIC.tripsNotConfirmed);
    deps.log.info('trip not confirmed: too few of the launches failed', {
      group: view.key.key,
      decided: check.decided,
      failed: check.failed,
      required: check.required,
      undecided: windowCounts.undecided,
      neutral: windowCounts.neutral,
    });
  }
  await deps.counter.releaseTrip(view.key, view.before.episode, ctx.owner);
  return undefined;
}
