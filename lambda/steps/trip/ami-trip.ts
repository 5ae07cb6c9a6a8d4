/**
 * An AMI's trip (`core/ami-confirm.ts`): confirmed by its launches' fates like a group; when the
 * groups that tripped, or are tripping, on their own launches cover the loop, their alerts carry
 * the AMI's count and the AMI sends none. Else alert only by default; with `amiAction: suspend`,
 * suspend the non-exempt groups that launched the AMI in the window and whose own launches
 * confirm it, at most `amiMaxGroups` of them, and say why each other group was left alone.
 */
import { settingsOf } from '../../config';
import {
  type AmiDecision,
  confirmGroupLaunches,
  decideAmi,
  UNGROUPED_DEADLINE_MS,
} from '../../core/ami-confirm';
import { isSyntheticId } from '../../core/fate';
import { TAG } from '../../core/group-settings';
import { METRIC } from '../../core/metric-names';
import { type AmiGroupOutcome, TRIP_ACTION, TRIP_RULE, type TripEvidence } from '../../core/report';
import type { TripProgress } from '../../core/scope-item';
import { type AmiJudgement, judgeAmi } from '../ami-judge';
import { baseReport, isStale, type TripContext, type TripOutcome } from './context';
import { fateCountsOf } from './evidence';
import { finish } from './finish';

/** Act on a claimed (or resumed) AMI trip. */
export async function amiTrip(ctx: TripContext, progress: TripProgress): Promise<TripOutcome> {
  const { view, config, deps } = ctx;
  const newest = view.evaluation.newest ?? 0;
  const windowS = Math.round(view.policy.windowMs / 1000);
  const groups = [...view.groups]
    .filter(([, t]) => t > newest - windowS)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([g]) => g);
  // Fates decide the trip unless they are off (`churnShare: off`); a retry past the actions
  // (groups already recorded) does not judge again.
  let judgement: AmiJudgement | undefined;
  let decision: AmiDecision | undefined;
  const share = config.churnShare ?? 0.5;
  if (progress.groups === undefined && (config.churnShare !== undefined || config.amiAction === 'suspend')) {
    // No fate metrics here: the groups' judgements count their launches already.
    judgement = await judgeAmi(deps, config, view, ctx.now, ctx.trippedGroups ?? new Set());
  }
  if (judgement !== undefined && config.churnShare !== undefined) {
    decision = decideAmi(judgement.launches, judgement.covering, share);
    if (decision.kind !== 'alert') {
      const where = {
        ami: view.key.key,
        launches: view.evaluation.count,
        decided: decision.check.decided,
        failed: decision.check.failed,
        required: decision.check.required,
        undecided: decision.counts.undecided,
      };
      if (decision.kind === 'covered') {
        deps.metrics.count(METRIC.amiTripsCovered);
        deps.log.info("AMI loop covered by the groups' own alerts: no AMI alert", {
          ...where,
          coveredBy: decision.coveredBy,
        });
      } else {
        deps.metrics.count(METRIC.tripsNotConfirmed);
        deps.log.info('AMI trip not confirmed: too few of its launches failed', where);
      }
      await deps.counter.releaseTrip(view.key, view.before.episode, ctx.owner);
      return decision.kind === 'covered' ? 'ami-covered' : 'not-confirmed';
    }
  }
  const ungrouped =
    judgement !== undefined
      ? judgement.ungrouped > 0
      : view.evaluation.inWindow.some((l) => isSyntheticId(l.instanceId)) || groups.length === 0;
  const extra = {
    ...(ungrouped ? { ungroupedCallers: view.callers } : {}),
    ...(decision?.kind === 'alert'
      ? {
          evidence: amiTripEvidence(decision, share),
          amiFailures: {
            failingGroups: decision.failingGroups,
            ungroupedFailed: decision.ungroupedFailed,
            coveredBy: decision.coveredBy,
            ungroupedDeadlineMs: UNGROUPED_DEADLINE_MS,
          },
        }
      : {}),
  };
  const stale = isStale(ctx);
  if (config.amiAction === 'alert' || stale) {
    if (stale) deps.metrics.count(METRIC.staleEvents);
    const action = stale ? TRIP_ACTION.stale : TRIP_ACTION.alertOnly;
    return finish(ctx, baseReport(ctx, action, { processes: [], ...extra }), progress);
  }
  const outcomes = progress.groups ? [...progress.groups] : await suspendAmiGroups(ctx, groups, judgement);
  const saved: TripProgress = { ...progress, step: 'suspended', groups: outcomes };
  if (!progress.groups) await deps.counter.saveProgress(view.key, view.before.episode, ctx.owner, saved);
  const acted = outcomes.some((g) => g.outcome === 'suspended' || g.outcome === 'would-suspend');
  const action = !acted
    ? TRIP_ACTION.alertOnly
    : config.dryRun
      ? TRIP_ACTION.wouldSuspend
      : TRIP_ACTION.suspended;
  await finish(ctx, baseReport(ctx, action, { groups: outcomes, ...extra }), saved);
  return 'ami-suspended';
}

/** The AMI alert's evidence: the fates of the window's launches that no group alert covers. */
function amiTripEvidence(decision: Extract<AmiDecision, { kind: 'alert' }>, share: number): TripEvidence {
  return {
    ...fateCountsOf(TRIP_RULE.count, decision.uncovered),
    requiredShare: share,
    deadlineMs: UNGROUPED_DEADLINE_MS,
    causes: [],
  };
}

async function suspendAmiGroups(
  ctx: TripContext,
  groups: readonly string[],
  judgement: AmiJudgement | undefined,
): Promise<AmiGroupOutcome[]> {
  const { view, deps, config, now } = ctx;
  const share = config.churnShare ?? 0.5;
  const outcomes: AmiGroupOutcome[] = [];
  let acted = 0;
  for (const groupName of groups) {
    const look = judgement?.groups.get(groupName);
    if (look?.covering) {
      outcomes.push({ groupName, outcome: 'own-alert' });
      continue;
    }
    const group =
      look?.group ??
      (look === undefined ? await deps.suspender.describeGroup(view.key.region, groupName) : undefined);
    if (!group) {
      outcomes.push({ groupName, outcome: 'gone' });
      continue;
    }
    const settings = look?.settings ?? settingsOf(group.tags, config);
    if (settings.exempt) {
      outcomes.push({ groupName, outcome: 'exempt' });
      continue;
    }
    if (group.suspendedProcesses.includes('Launch')) {
      outcomes.push({ groupName, outcome: 'already-suspended' });
      continue;
    }
    // Never on the AMI's count alone: the group's own launches must confirm it.
    const own =
      look === undefined
        ? { confirms: false, why: 'not judged (over the number of groups one AMI trip reads)' }
        : confirmGroupLaunches(look.judged, share, settings.streak);
    if (!own.confirms) {
      outcomes.push({ groupName, outcome: 'not-confirmed', why: own.why });
      continue;
    }
    if (acted >= config.amiMaxGroups) {
      outcomes.push({ groupName, outcome: 'over-cap', why: own.why });
      continue;
    }
    acted += 1;
    if (config.dryRun) {
      outcomes.push({ groupName, outcome: 'would-suspend', why: own.why });
      continue;
    }
    const result = await deps.suspender.suspend(view.key.region, groupName, config.suspendProcesses);
    if (result === 'gone') {
      outcomes.push({ groupName, outcome: 'gone' });
      continue;
    }
    deps.metrics.count(METRIC.suspensions);
    await deps.suspender.tagGroup(view.key.region, groupName, {
      [TAG.suspendedAt]: new Date(now).toISOString(),
      [TAG.reason]: `launch loop on AMI ${view.key.key}: ${view.evaluation.count} launches; ${own.why}`.slice(
        0,
        256,
      ),
      [TAG.processes]: config.suspendProcesses.join(','),
    });
    outcomes.push({ groupName, outcome: 'suspended', why: own.why });
  }
  return outcomes;
}
