/**
 * A group's trip, from the claim on: read the group live (once: a group the caller read and
 * judged in this invocation already is taken as it is); gone → alert "group gone"; exempt →
 * nothing; a threshold tag raised since the count → give the episode back; Launch suspended
 * already → alert only (or nothing, when the guard suspended it); else confirm by the launches'
 * fates (`confirm.ts`) and suspend (`suspend.ts`), then tag, plan auto-resume and alert
 * (`finish.ts`). A resumed trip goes on from the step its progress names.
 */
import { settingsOf } from '../../config';
import { TAG } from '../../core/group-settings';
import { METRIC, tripMetric } from '../../core/metric-names';
import { TRIP_ACTION, TRIP_RULE, type TripEvidence, type TripRule } from '../../core/report';
import type { TripProgress } from '../../core/scope-item';
import { confirm } from './confirm';
import { baseReport, markDone, type TripContext, type TripOutcome } from './context';
import { findEvidence } from './evidence';
import { finish } from './finish';
import { suspendPhase } from './suspend';

/** Act on a claimed (or resumed) group trip. */
export async function groupTrip(ctx: TripContext, progress: TripProgress): Promise<TripOutcome> {
  const { view, deps, config, owner } = ctx;
  const { region, key: name } = view.key;
  // One read per trip: a read the caller made in this invocation serves the exempt, threshold
  // and suspended checks, the judgement and the suspension alike. It is no staler than a read
  // here would be by the time of the suspension: only the claim's write comes between, while the
  // judgement (ECS, scaling activities) always came between this read and the suspension.
  const group = ctx.judged?.group ?? ctx.group ?? (await deps.suspender.describeGroup(region, name));
  if (!group) {
    deps.log.warn('group not found: deleted meanwhile', { group: name });
    return finish(ctx, baseReport(ctx, TRIP_ACTION.groupGone), progress);
  }

  let evidence: TripEvidence | undefined;
  let state = progress;
  if (progress.step === 'claimed') {
    const settings = settingsOf(group.tags, config);
    if (settings.exempt) {
      deps.metrics.count(METRIC.exemptSkips);
      deps.log.info('group is exempt: not acting', { group: name });
      await markDone(ctx);
      return 'exempt';
    }
    const rule = ruleOf(ctx);
    if (rule !== TRIP_RULE.streak && view.evaluation.count < settings.threshold) {
      // The group's tag raised its threshold since the cached settings were read.
      await deps.counter.releaseTrip(view.key, view.before.episode, owner);
      return 'threshold-raised';
    }
    if (group.suspendedProcesses.includes('Launch')) {
      if (group.tags[TAG.suspendedAt] !== undefined) {
        // The guard itself suspended it (an earlier trip, by the other rule): nothing new to say.
        await markDone(ctx);
        return 'done-before';
      }
      return finish(ctx, baseReport(ctx, TRIP_ACTION.alreadySuspended, { processes: [] }), progress);
    }
    const confirmed = await confirm(ctx, group, settings, rule);
    if (!confirmed) return 'not-confirmed';
    evidence = confirmed.evidence;
    if (confirmed.streakUpTo !== undefined) state = { ...state, streakUpTo: confirmed.streakUpTo };
    deps.metrics.count(tripMetric(confirmed.rule));
  }
  if (evidence === undefined && progress.step !== 'claimed' && ctx.judged) {
    // A resumed trip of the delayed check: its alert still says why.
    const found = findEvidence(ctx, ctx.judged.judgement, settingsOf(group.tags, config), ruleOf(ctx));
    if (found.kind === 'confirmed') evidence = found.evidence;
  }
  return suspendPhase(ctx, group, state, evidence);
}

/** The rule of this trip: the streak rule when the caller says so or the count is below threshold (a retry). */
function ruleOf(ctx: TripContext): TripRule {
  if (ctx.rule === 'streak') return TRIP_RULE.streak;
  if (ctx.rule === undefined && ctx.view.evaluation.count < ctx.view.policy.threshold)
    return TRIP_RULE.streak;
  return ctx.config.churnShare === undefined ? TRIP_RULE.countOnly : TRIP_RULE.count;
}
