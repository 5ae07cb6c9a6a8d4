/**
 * Confirm a trip, then act: the path that runs only when a scope's count reaches its threshold.
 *
 * Exactly one invocation owns a trip (`claimTrip`, owner `ctx.owner`: the invocation, not the
 * event); it records how far its actions got, so that Lambda's retry of that invocation after a
 * partial success (say the suspension worked and the alert failed) finishes the job without
 * acting twice, while a concurrent duplicate of the same event, another invocation, does nothing.
 *
 * Group scope: read the group live; exempt → nothing; Launch already suspended → alert only;
 * churn check → suspend only when the window's launches are being lost (a blocked trip gives
 * the episode back: the check runs again at the next launch); stale event → alert only; dry
 * run → alert "would have suspended"; else suspend, tag, plan auto-resume, alert.
 *
 * AMI scope (`core/ami-confirm.ts`): confirmed by its launches' fates like a group; when the
 * groups that tripped, or are tripping, on their own launches cover the loop, their alerts carry
 * the AMI's count and the AMI sends none. Else alert only by default; with `amiAction: suspend`,
 * suspend the non-exempt groups that launched the AMI in the window and whose own launches
 * confirm it, at most `amiMaxGroups` of them, and say why each other group was left alone.
 */
import { type GuardConfig, settingsOf } from '../config';
import { reasonTag } from '../core/alert';
import { familyOf } from '../core/ami-change';
import {
  type AmiDecision,
  confirmGroupLaunches,
  decideAmi,
  UNGROUPED_DEADLINE_MS,
} from '../core/ami-confirm';
import { type AmiEvidence, amiEvidence } from '../core/ami-evidence';
import { planAutoResume, scheduleName } from '../core/auto-resume';
import {
  confirmCount,
  countFates,
  FATE,
  type FateCounts,
  inWindowOf,
  isSyntheticId,
  type JudgedLaunch,
  streakRule,
} from '../core/fate';
import { TAG } from '../core/group-settings';
import { cents, type LoopCost } from '../core/loop-cost';
import { fateMetric, METRIC, tripMetric } from '../core/metric-names';
import {
  type AmiGroupOutcome,
  MAX_NAMED,
  TRIP_ACTION,
  TRIP_RULE,
  type TripAction,
  type TripEvidence,
  type TripReport,
  type TripRule,
} from '../core/report';
import { likelyCause, roleLine } from '../core/role-check';
import type { TripProgress } from '../core/scope-item';
import { type LaunchRecord, SCOPE_KIND } from '../core/types';
import type { GroupSnapshot, GuardDeps, ScopeView, TripOwner } from '../ports';
import { type AmiJudgement, judgeAmi } from './ami-judge';
import { type GroupJudgement, judgeAndKeep, launchesToJudge } from './judge';
import { COST_WAIT_MS, estimateLaunchCost, unknownCost, withinBound } from './loop-cost';
import { roleCheckGroup } from './role-check';

/** What the trip path did. */
export type TripOutcome =
  | 'lost'
  | 'done-before'
  | 'exempt'
  | 'threshold-raised'
  | 'not-confirmed'
  | TripAction
  | 'ami-suspended'
  /** AMI scope: confirmed, but the groups' own alerts cover its launches (no AMI alert). */
  | 'ami-covered';

/** Everything the trip path needs. */
export interface TripContext {
  readonly record: LaunchRecord;
  readonly view: ScopeView;
  readonly deps: GuardDeps;
  readonly config: GuardConfig;
  readonly now: number;
  /** The invocation handling the event: it claims the trip and writes its progress. */
  readonly owner: TripOwner;
  /** The rule that tripped (group scope): the count rule unless said otherwise. */
  readonly rule?: 'count' | 'streak';
  /** A group read and judged already in this invocation (the streak rule's), to read it once. */
  readonly judged?: { readonly group: GroupSnapshot; readonly judgement: GroupJudgement };
  /** AMI scope: groups that tripped on this same event (their own alert covers them). */
  readonly trippedGroups?: ReadonlySet<string>;
}

/** Take the trip and act on it. */
export async function actOnTrip(ctx: TripContext): Promise<TripOutcome> {
  const { view, deps, now, owner } = ctx;
  const episode = view.before.episode;
  const claim = await deps.counter.claimTrip(view.key, episode, owner, now);
  if (claim.kind === 'lost') return 'lost';
  const progress: TripProgress = claim.kind === 'resumed' ? claim.progress : { step: 'claimed' };
  if (progress.step === 'done') return 'done-before';
  if (claim.kind === 'claimed') {
    deps.metrics.count(METRIC.trips);
    deps.log.info('scope tripped', {
      scope: view.key.scope,
      key: view.key.key,
      launches: view.evaluation.count,
      threshold: view.policy.threshold,
    });
  }
  return view.key.scope === SCOPE_KIND.asg ? groupTrip(ctx, progress) : amiTrip(ctx, progress);
}

function isStale(ctx: TripContext): boolean {
  return ctx.now - ctx.record.eventTime > ctx.view.policy.windowMs;
}

/** The report's facts that do not depend on what was done. */
function baseReport(ctx: TripContext, action: TripAction, extra: Partial<TripReport> = {}): TripReport {
  const { view, config, record } = ctx;
  const inWindow = view.evaluation.inWindow;
  const first = inWindow[0]?.time ?? Math.floor(record.eventTime / 1000);
  const last = inWindow[inWindow.length - 1]?.time ?? first;
  return {
    scope: view.key,
    action,
    dryRun: config.dryRun,
    launches: view.evaluation.count,
    launchesAtLeast: view.evaluation.saturated,
    threshold: view.policy.threshold,
    windowMs: view.policy.windowMs,
    firstLaunch: first * 1000,
    lastLaunch: last * 1000,
    callers: view.callers,
    imageIds: view.key.scope === SCOPE_KIND.ami ? [view.key.key] : view.imageIds,
    eventId: record.eventId,
    processes: config.suspendProcesses,
    tableName: config.tableName,
    ...(config.resumer !== undefined ? { resumer: config.resumer } : {}),
    ...extra,
  };
}

async function finish(
  ctx: TripContext,
  report: TripReport,
  progress: TripProgress,
  group?: GroupSnapshot,
): Promise<TripAction> {
  const { deps, view, owner } = ctx;
  // The estimate runs beside the diagnosis and is bounded: the alert never waits long for prices.
  const costing = loopCost(ctx, group);
  const diagnosed = deps.diagnoser ? await deps.diagnoser.diagnose(report) : {};
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

/** AMIs per group alert whose count is read for the alert's AMI lines. */
const AMI_EVIDENCE_MAX = 3;

/**
 * The group alert's AMI lines: each AMI of the trip (at most {@link AMI_EVIDENCE_MAX}) with its
 * own count across all groups, this record's launches included. Best effort: a failed read
 * leaves the line out.
 */
async function amiEvidenceOf(ctx: TripContext, report: TripReport): Promise<AmiEvidence[]> {
  const { deps, config, record } = ctx;
  const read = deps.counter.read?.bind(deps.counter);
  if (read === undefined) return [];
  const out: AmiEvidence[] = [];
  for (const imageId of report.imageIds.slice(0, AMI_EVIDENCE_MAX)) {
    try {
      const item = await read({ ...report.scope, scope: SCOPE_KIND.ami, key: imageId });
      const ids = new Map(item?.ids ?? []);
      const groups = new Map(item?.groups ?? []);
      const at = Math.floor(record.eventTime / 1000);
      for (const i of record.instances) {
        if (i.imageId !== imageId) continue;
        if (!ids.has(i.instanceId)) ids.set(i.instanceId, at);
        if (i.groupName !== undefined && i.groupName !== '')
          groups.set(i.groupName, Math.max(at, groups.get(i.groupName) ?? 0));
      }
      const found = amiEvidence(imageId, ids, item?.watermark, groups, {
        threshold: config.amiThreshold,
        windowMs: config.windowMs,
      });
      if (found !== undefined) out.push(found);
    } catch (error) {
      deps.log.warn("the AMI's count could not be read for the alert", {
        ami: imageId,
        error: String(error),
      });
    }
  }
  return out;
}

/**
 * The cost estimate of the window's launches, within {@link COST_WAIT_MS} (else "unknown"), and
 * its `EstimatedLoopCost` metric. Empty when the guard has no price sources.
 */
async function loopCost(
  ctx: TripContext,
  group: GroupSnapshot | undefined,
): Promise<Pick<TripReport, 'cost'>> {
  const { deps, view, now } = ctx;
  if (!deps.costs) return {};
  const launches = view.evaluation.inWindow
    .filter((l) => !isSyntheticId(l.instanceId))
    .map((l) => ({ instanceId: l.instanceId, launchedAt: l.time * 1000 }));
  const maxSize = group?.maxSize;
  const estimate = await withinBound(
    estimateLaunchCost(deps.costs, view.key.region, launches, now, maxSize),
    COST_WAIT_MS,
  );
  // A window the store keeps only part of counts its launches beyond the kept ones: "at least".
  const cost = estimate
    ? { ...estimate, instances: Math.max(estimate.instances, view.evaluation.count) }
    : unknownCost(view.evaluation.count, now, maxSize);
  if (cost.spentUsd !== undefined)
    // The day's prices in the price-file shape: `replay --prices` reads them back.
    deps.log.info('loop cost estimated', { key: view.key.key, cost, prices: deps.costs.cache.toFile() });
  else deps.log.warn('loop cost unknown: no price in time', { key: view.key.key });
  return { cost };
}

/** `EstimatedLoopCost` of a trip whose alert went out: USD per day, at MaxSize, else at the rate. */
function costMetric(ctx: TripContext, cost: LoopCost): void {
  const perDay = cost.perDayAtMaxUsd ?? cost.perDayAtRateUsd;
  if (perDay === undefined) return;
  const { metrics } = ctx.deps;
  if (metrics.amount) metrics.amount(METRIC.estimatedLoopCost, cents(perDay));
  else metrics.count(METRIC.estimatedLoopCost, cents(perDay));
}

/**
 * The instance role, checked for the trip alert (best effort: `RoleChecker.check` never rejects):
 * a "likely cause" sentence when the role cannot do what the group's ECS instances need, and the
 * role line either way.
 */
async function roleDiagnosis(
  ctx: TripContext,
  report: TripReport,
  group: GroupSnapshot,
  imageNames: Readonly<Record<string, string>> | undefined,
): Promise<string[]> {
  if (!ctx.deps.roles || report.scope.scope !== SCOPE_KIND.asg) return [];
  // The AMI of the launch that tripped the group first: the group's AMI set also holds the AMIs it
  // launched before (the standard one, in the incident), which say nothing of these instances.
  const launched = ctx.record.instances.find((i) => i.imageId !== undefined)?.imageId;
  const ordered = launched === undefined ? report.imageIds : [launched, ...report.imageIds];
  const name = ordered.map((id) => imageNames?.[id]).find((n) => n !== undefined);
  const imageFamily = name !== undefined ? familyOf(name) : undefined;
  const cluster = report.evidence?.cluster;
  const finding = await ctx.deps.roles.check(
    report.scope.region,
    roleCheckGroup(report.scope.account, group.name, group, {
      ...(imageFamily !== undefined ? { imageFamily } : {}),
      ...(cluster !== undefined ? { cluster, capacityProvider: true } : {}),
    }),
  );
  const cause = likelyCause(finding, imageFamily);
  return [...(cause !== undefined ? [cause] : []), roleLine(finding)];
}

async function done(ctx: TripContext): Promise<void> {
  await ctx.deps.counter.saveProgress(ctx.view.key, ctx.view.before.episode, ctx.owner, {
    step: 'done',
  });
}

async function groupTrip(ctx: TripContext, progress: TripProgress): Promise<TripOutcome> {
  const { view, deps, config, owner } = ctx;
  const { region, key: name } = view.key;
  const group = ctx.judged?.group ?? (await deps.suspender.describeGroup(region, name));
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
      await done(ctx);
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
        await done(ctx);
        return 'done-before';
      }
      return finish(ctx, baseReport(ctx, TRIP_ACTION.alreadySuspended, { processes: [] }), progress);
    }
    const confirmed = await confirm(ctx, group, settings, rule);
    if (!confirmed) return 'not-confirmed';
    evidence = confirmed.evidence;
    if (confirmed.streakUpTo !== undefined) state = { ...state, streakUpTo: confirmed.streakUpTo };
    deps.metrics.count(tripMetric(confirmed.rule));
    if (isStale(ctx)) {
      deps.metrics.count(METRIC.staleEvents);
      return finish(ctx, baseReport(ctx, TRIP_ACTION.stale, { evidence, processes: [] }), state, group);
    }
    if (config.dryRun) {
      return finish(ctx, baseReport(ctx, TRIP_ACTION.wouldSuspend, { evidence }), state, group);
    }
  }
  if (evidence === undefined && progress.step !== 'claimed' && ctx.judged) {
    // A resumed trip of the delayed check: its alert still says why.
    const found = findEvidence(ctx, ctx.judged.judgement, settingsOf(group.tags, config), ruleOf(ctx));
    if (found.kind === 'confirmed') evidence = found.evidence;
  }
  return suspendGroup(ctx, group, state, evidence);
}

/** The rule of this trip: the streak rule when the caller says so or the count is below threshold (a retry). */
function ruleOf(ctx: TripContext): TripRule {
  if (ctx.rule === 'streak') return TRIP_RULE.streak;
  if (ctx.rule === undefined && ctx.view.evaluation.count < ctx.view.policy.threshold)
    return TRIP_RULE.streak;
  return ctx.config.churnShare === undefined ? TRIP_RULE.countOnly : TRIP_RULE.count;
}

/** The trip's evidence from a judgement. */
export function evidenceOf(
  rule: TripRule,
  judgement: GroupJudgement,
  counts: FateCounts,
  extra: Partial<TripEvidence> = {},
): TripEvidence {
  return {
    rule,
    judged: counts.useful + counts.failed + counts.neutral + counts.undecided,
    useful: counts.useful,
    failed: counts.failed,
    neutral: counts.neutral,
    undecided: counts.undecided,
    failedBy: counts.failedBy as Record<string, number>,
    neutralBy: counts.neutralBy as Record<string, number>,
    deadlineMs: judgement.deadlineMs,
    ...(judgement.cluster !== undefined ? { cluster: judgement.cluster } : {}),
    ...(judgement.ecs === 'failed' ? { ecsLookupFailed: true } : {}),
    causes: judgement.causes.slice(0, 3),
    ...extra,
  };
}

/** The evidence's list of failed launches: their instance ids, oldest first. */
function failedIds(judged: readonly JudgedLaunch[]): { failedInstances: string[] } {
  return {
    failedInstances: judged
      .filter((j) => j.fate === FATE.failed)
      .slice(0, MAX_NAMED)
      .map((j) => j.instanceId),
  };
}

/**
 * Confirm a trip by the launches' fates. The count rule: at least `churnShare` of the window's
 * decided launches failed, at least 3 decided. The streak rule: the last N decided launches
 * failed. A trip that is not confirmed gives the episode back: the next launch tries again.
 */
async function confirm(
  ctx: TripContext,
  group: GroupSnapshot,
  settings: { readonly streak: number; readonly deadlineMs?: number; readonly ecsCluster?: string },
  rule: TripRule,
): Promise<{ evidence?: TripEvidence; streakUpTo?: number; rule: TripRule } | undefined> {
  const { view, deps, now } = ctx;
  if (rule === TRIP_RULE.countOnly) return { rule };
  // Every launch the scope keeps is judged (the window's for the count rule, the newest for the
  // streak rule): a count trip that its window does not confirm may still be a streak.
  // Fates kept apart from the count (the launches its cap pushed out included) are judged too.
  let judgement = ctx.judged?.judgement;
  if (judgement === undefined) {
    const known = await launchesToJudge(deps, view.key, view.outcome.ids, view.before.fates);
    judgement = await judgeAndKeep(
      deps,
      view.key,
      group,
      known.launches,
      settings,
      now,
      known.decided,
      view.before.learned,
    );
  }
  const judged: GroupJudgement = judgement;
  for (const j of judged.judged) deps.metrics.count(fateMetric(j.fate));
  const found = findEvidence(ctx, judged, settings, rule);
  if (found.kind === 'confirmed') return found;
  const { check, windowCounts } = found;
  if (check === undefined || windowCounts === undefined) {
    await deps.counter.releaseTrip(view.key, view.before.episode, ctx.owner);
    return undefined;
  }
  deps.metrics.count(METRIC.tripsNotConfirmed);
  deps.log.info('trip not confirmed: too few of the launches failed', {
    group: view.key.key,
    decided: check.decided,
    failed: check.failed,
    required: check.required,
    undecided: windowCounts.undecided,
    neutral: windowCounts.neutral,
  });
  await deps.counter.releaseTrip(view.key, view.before.episode, ctx.owner);
  return undefined;
}

/** What a judgement says about a trip: confirmed with its evidence, or the count rule's shortfall. */
type Finding =
  | {
      readonly kind: 'confirmed';
      readonly evidence: TripEvidence;
      readonly streakUpTo?: number;
      readonly rule: TripRule;
    }
  | {
      readonly kind: 'unconfirmed';
      readonly check?: ReturnType<typeof confirmCount>;
      readonly windowCounts?: FateCounts;
    };

/**
 * The pure half of {@link confirm}: which rule the judged launches meet and its evidence. A
 * resumed trip (the delayed check's redelivery) rebuilds its alert's evidence with it.
 */
function findEvidence(
  ctx: TripContext,
  judged: GroupJudgement,
  settings: { readonly streak: number },
  rule: TripRule,
): Finding {
  const { view, config } = ctx;
  const streak = (): Finding | undefined => {
    if (settings.streak === 0) return undefined;
    const found = streakRule(judged.judged, settings.streak, view.before.tripProgress?.streakUpTo);
    if (!found.trips) return undefined;
    const counts = { ...judged.counts, failedBy: countFates(found.launches).failedBy };
    return {
      kind: 'confirmed',
      evidence: evidenceOf(TRIP_RULE.streak, judged, counts, {
        streak: found.streak,
        streakNeeded: found.needed,
        ...failedIds(judged.judged),
      }),
      streakUpTo: Math.max(...found.launches.map((l) => l.launchedAt)),
      rule: TRIP_RULE.streak,
    };
  };
  if (rule === TRIP_RULE.streak) return streak() ?? { kind: 'unconfirmed' };
  const window = inWindowOf(judged.judged, view.policy.windowMs);
  const windowCounts = countFates(window);
  const share = config.churnShare ?? 0.5;
  const check = confirmCount(windowCounts, share);
  if (check.confirms)
    return {
      kind: 'confirmed',
      evidence: evidenceOf(rule, judged, windowCounts, { requiredShare: share, ...failedIds(window) }),
      rule,
    };
  return streak() ?? { kind: 'unconfirmed', check, windowCounts };
}

async function suspendGroup(
  ctx: TripContext,
  group: GroupSnapshot,
  progress: TripProgress,
  evidence: TripEvidence | undefined,
): Promise<TripOutcome> {
  const { view, deps, config, now, owner } = ctx;
  const { region, key: name } = view.key;
  const episode = view.before.episode;
  let state = progress;
  if (state.step === 'claimed') {
    const outcome = await deps.suspender.suspend(region, name, config.suspendProcesses);
    if (outcome === 'gone') return finish(ctx, baseReport(ctx, TRIP_ACTION.groupGone), state);
    deps.metrics.count(METRIC.suspensions);
    deps.log.info('group suspended', { group: name, processes: config.suspendProcesses });
    state = {
      ...(state.streakUpTo !== undefined ? { streakUpTo: state.streakUpTo } : {}),
      step: 'suspended',
      processes: config.suspendProcesses,
      suspendedAt: new Date(now).toISOString(),
    };
    await deps.counter.saveProgress(view.key, episode, owner, state);
  }
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

/** Plan auto-resume once per trip: schedule the resume (idempotent name) and keep the streak. */
async function planResume(
  ctx: TripContext,
  group: GroupSnapshot,
  processes: readonly string[],
  suspendedAt: string,
): Promise<TripReport['autoResume']> {
  const { view, deps, config } = ctx;
  if (!config.autoResume || !deps.scheduler || !deps.streaks) return undefined;
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

async function amiTrip(ctx: TripContext, progress: TripProgress): Promise<TripOutcome> {
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
  const c = decision.uncovered;
  return {
    rule: TRIP_RULE.count,
    judged: c.useful + c.failed + c.neutral + c.undecided,
    useful: c.useful,
    failed: c.failed,
    neutral: c.neutral,
    undecided: c.undecided,
    failedBy: c.failedBy as Record<string, number>,
    neutralBy: c.neutralBy as Record<string, number>,
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
