/**
 * What the function does with one event: parse it, count its launches per scope in the store,
 * apply the count rule (`core/episode.ts`), and hand trips to `trip.ts`, which confirms them
 * against the group's live state before it acts.
 *
 * Failure policy: a malformed or irrelevant event is logged, counted in a metric and dropped
 * (a retry cannot fix it). An AWS failure while a scope is handled is classed once
 * (`adapters/aws-error.ts`):
 * - transient (throttling, 5xx, timeouts): thrown, so that Lambda's retries and in the end its
 *   on-failure destination keep the event;
 * - permanent for this event (validation, not found): logged, counted in `PermanentFailures`,
 *   the scope is dropped and the event's other scopes go on; no retry;
 * - blind (access denied, the table or a key missing or disabled): counted in `GuardBlind`
 *   (an alarm watches it) and thrown as a `GuardBlindError`, so the event is kept for a replay.
 */
import { randomUUID } from 'node:crypto';
import { describeAwsFailure } from '../adapters/aws-error';
import { type GuardConfig, settingsOf } from '../config';
import { tripOwner } from '../core/claim';
import { GuardBlindError } from '../core/errors';
import { streakRule } from '../core/fate';
import { MIN_STREAK } from '../core/group-settings';
import { METRIC } from '../core/metric-names';
import { nextAction } from '../core/next-action';
import { parseEvent } from '../core/parse-event';
import { evaluate } from '../core/scope-item';
import { launchScopes, type ScopeMentions } from '../core/scopes';
import { type LaunchRecord, SCOPE_KIND, type ScopePolicy } from '../core/types';
import type { GroupSnapshot, GuardDeps, ScopeView, TripOwner } from '../ports';
import { noticeAmiChange } from './ami-change';
import { firstCheckDelayS, judgeAndKeep, launchesToJudge } from './judge';
import { actOnTrip, type TripOutcome } from './trip';

/** What happened to one scope of the event. */
export interface ScopeResult {
  readonly scope: string;
  readonly key: string;
  readonly launches: number;
  readonly threshold: number;
  readonly added: number;
  readonly duplicates: number;
  readonly trip?: TripOutcome;
}

/** A scope dropped after a failure that a retry cannot fix. */
export interface ScopeFailure {
  readonly scope: string;
  readonly key: string;
  /** The SDK error's name, e.g. `ValidationError`. */
  readonly error: string;
}

/** What `run()` did with one event. */
export type GuardResult =
  | { readonly kind: 'ignored'; readonly reason: string; readonly malformed: boolean }
  | { readonly kind: 'failed-attempt'; readonly errorCode: string }
  | { readonly kind: 'termination'; readonly instances: number }
  | {
      readonly kind: 'counted';
      readonly eventId: string;
      readonly scopes: readonly ScopeResult[];
      /** Scopes dropped by a permanent failure; absent when there is none. */
      readonly failed?: readonly ScopeFailure[];
    };

/** The id to put on every log line of one event: CloudTrail's eventID, else the EventBridge id. */
export function eventIdOf(raw: unknown): string | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const r = raw as { id?: unknown; eventID?: unknown; detail?: { eventID?: unknown } | null };
  for (const v of [r.detail?.eventID, r.eventID, r.id]) if (typeof v === 'string' && v !== '') return v;
  return undefined;
}

/**
 * Handle one event.
 *
 * @param raw the event as Lambda received it
 * @param now the handling time (epoch ms)
 * @param invocationId the invocation's id, Lambda's `context.awsRequestId`: it owns the trips
 *   this call takes, and Lambda's retry of the invocation (same id) resumes them. Omitted, the
 *   call is an invocation of its own, so it is never mistaken for another call's retry.
 * @throws CounterStoreError | SuspendError | NotifyError on a transient failure, so that Lambda retries the event
 * @throws GuardBlindError when the guard is denied or its own resources are gone (after counting `GuardBlind`)
 */
export async function run(
  raw: unknown,
  deps: GuardDeps,
  config: GuardConfig,
  now: number,
  invocationId: string = randomUUID(),
): Promise<GuardResult> {
  const parsed = parseEvent(raw);
  switch (parsed.kind) {
    case 'not-launch':
      deps.metrics.count(parsed.malformed ? METRIC.malformedEvents : METRIC.irrelevantEvents);
      (parsed.malformed ? deps.log.warn : deps.log.info).call(deps.log, 'event dropped', {
        reason: parsed.reason,
        malformed: parsed.malformed,
      });
      return { kind: 'ignored', reason: parsed.reason, malformed: parsed.malformed };
    case 'failed':
      deps.metrics.count(METRIC.failedAttempts);
      deps.log.info('failed launch attempt', {
        errorCode: parsed.errorCode,
        caller: parsed.caller,
        imageId: parsed.imageId,
        groupName: parsed.groupName,
        region: parsed.region,
      });
      return { kind: 'failed-attempt', errorCode: parsed.errorCode };
    case 'terminate':
      // The churn check reads the group's live state; terminations need no counting.
      return { kind: 'termination', instances: parsed.instanceIds.length };
    case 'launch':
      break;
  }
  deps.metrics.count(METRIC.launchEvents);
  if (parsed.droppedInstances !== undefined && parsed.droppedInstances > 0) {
    deps.metrics.count(METRIC.malformedInstances, parsed.droppedInstances);
    deps.log.warn('instances dropped from the record', {
      dropped: parsed.droppedInstances,
      reason: parsed.droppedReason,
    });
  }
  const scopes: ScopeResult[] = [];
  const owner = tripOwner(invocationId);
  const failed: ScopeFailure[] = [];
  // Groups that tripped on this event: their alert covers the AMI's launches (one page per incident).
  const tripped = new Set<string>();
  // AMI-change alerts run beside the counting and the trips, never ahead of them.
  const notices: Promise<unknown>[] = [];
  for (const share of launchScopes(parsed)) {
    try {
      const scope = await countScope(parsed, share, deps, config, now, owner, notices, tripped);
      if (share.key.scope === SCOPE_KIND.asg && scope.trip !== undefined && COVERING_TRIPS.has(scope.trip))
        tripped.add(share.key.key);
      scopes.push(scope);
    } catch (error) {
      failed.push(classifyScopeFailure(error, share, deps));
    }
  }
  await Promise.all(notices);
  return { kind: 'counted', eventId: parsed.eventId, scopes, ...(failed.length > 0 ? { failed } : {}) };
}

/**
 * Act on a scope's failure by its class: return it when it is permanent (logged and counted),
 * throw it when it is transient, throw a {@link GuardBlindError} when the guard is blind.
 */
function classifyScopeFailure(error: unknown, share: ScopeMentions, deps: GuardDeps): ScopeFailure {
  const failure = describeAwsFailure(error);
  const where = { scope: share.key.scope, key: share.key.key, error: failure.name, status: failure.status };
  if (failure.failure === 'permanent') {
    deps.metrics.count(METRIC.permanentFailures);
    deps.log.warn('scope dropped: AWS refused it and a retry cannot fix that', {
      ...where,
      message: error instanceof Error ? error.message : String(error),
    });
    return { scope: share.key.scope, key: share.key.key, error: failure.name };
  }
  if (failure.failure === 'blind') {
    deps.metrics.count(METRIC.guardBlind);
    deps.log.error('the guard cannot do its job: fix its permissions, table or key, then replay', where);
    throw new GuardBlindError(`guard blind on ${share.key.scope} ${share.key.key}: ${failure.name}`, {
      cause: error,
    });
  }
  throw error;
}

function defaultsFor(scope: ScopeMentions['key']['scope'], config: GuardConfig): ScopePolicy {
  return {
    threshold: scope === SCOPE_KIND.asg ? config.asgThreshold : config.amiThreshold,
    windowMs: config.windowMs,
  };
}

/** Group trip outcomes whose alert is out or on its way (another invocation's, for `lost`). */
const COVERING_TRIPS: ReadonlySet<TripOutcome> = new Set<TripOutcome>([
  'suspended',
  'would-suspend',
  'already-suspended',
  'stale',
  'group-gone',
  'done-before',
  'lost',
]);

async function countScope(
  record: LaunchRecord,
  share: ScopeMentions,
  deps: GuardDeps,
  config: GuardConfig,
  now: number,
  owner: TripOwner,
  notices: Promise<unknown>[],
  trippedGroups: ReadonlySet<string> = new Set(),
): Promise<ScopeResult> {
  const { key } = share;
  let view = await deps.counter.record(
    {
      key,
      mentions: share.mentions,
      callers: share.callers,
      imageIds: share.imageIds,
      groupNames: share.groupNames,
      now,
    },
    defaultsFor(key.scope, config),
  );
  deps.metrics.count(METRIC.launchesCounted, view.outcome.added.length);
  if (
    key.scope === SCOPE_KIND.asg &&
    view.outcome.added.length > 0 &&
    config.deadlineQueueUrl !== undefined
  ) {
    // Judge these launches at their deadline (one SQS message per record and group).
    await deps.deadlines.schedule(
      {
        account: key.account,
        region: key.region,
        group: key.key,
        launches: view.outcome.added.map((a) => ({ instanceId: a.instanceId, launchedAt: a.time * 1000 })),
      },
      Math.max(0, firstCheckDelayS(view.before.learned) - Math.floor((now - record.eventTime) / 1000)),
    );
  }
  if (view.outcome.duplicates > 0) deps.metrics.count(METRIC.duplicates, view.outcome.duplicates);
  notices.push(noticeAmiChange(record, view, deps, config));
  let group: GroupSnapshot | undefined;
  if (view.refreshSettings) ({ view, group } = await refreshSettings(view, deps, config));

  const result = {
    scope: key.scope,
    key: key.key,
    launches: view.evaluation.count,
    threshold: view.policy.threshold,
    added: view.outcome.added.length,
    duplicates: view.outcome.duplicates,
  };
  // The group read by the settings refresh (when this invocation holds its lease) is handed to
  // the trip, so that one read serves the trip's checks, its judgement and its suspension.
  // A trip left unfinished (its owner failed part-way: this invocation's own retry, or an owner
  // that stalled) is finished first. Another invocation of the same event (a duplicate delivery)
  // does not own it: it leaves it. The decision is `core/next-action.ts`'s.
  const next = nextAction(
    {
      scope: key.scope,
      armed: view.armed,
      count: view.evaluation.count,
      threshold: view.policy.threshold,
      added: view.outcome.added.length,
      lowered: view.outcome.lowered.length,
      known: view.outcome.ids.size,
      judge: view.judge,
      exempt: view.before.settings?.exempt === true,
      progress: view.before.tripProgress,
    },
    config.failedStreak,
  );
  if (next.act === 'finish')
    return {
      ...result,
      trip: await actOnTrip({ record, view, deps, config, now, owner, ...(group ? { group } : {}) }),
    };
  if (next.act === 'exempt') {
    deps.metrics.count(METRIC.exemptSkips);
    deps.log.info('group is exempt: not acting', { group: key.key, launches: view.evaluation.count });
    return result;
  }
  if (next.rearm) {
    await deps.counter.rearm(key, view.before.episode);
    deps.log.info('episode ended: scope re-armed', {
      scope: key.scope,
      key: key.key,
      launches: view.evaluation.count,
    });
    view = { ...view, armed: true, before: { ...view.before, episode: view.before.episode + 1 } };
  }
  // A trip is confirmed by reading and judging the launches, at most once per scope and minute
  // (the judge lease), whichever rule asks.
  if (next.act === 'count') {
    const rule =
      key.scope === SCOPE_KIND.ami
        ? { trippedGroups }
        : { rule: 'count' as const, ...(group ? { group } : {}) };
    return { ...result, trip: await actOnTrip({ record, view, deps, config, now, owner, ...rule }) };
  }
  if (next.act !== 'streak') return result;
  const trip = await tryStreak(record, view, group, deps, config, now, owner);
  return trip === undefined ? result : { ...result, trip };
}

/** A launch younger than this cannot have failed yet in a way the streak rule would see. */
const STREAK_MIN_AGE_MS = 2 * 60_000;

/**
 * The streak rule: read and judge the group's newest launches; trip when the last N decided
 * ones all failed. A group whose Launch is suspended already is left alone (nothing to stop).
 */
async function tryStreak(
  record: LaunchRecord,
  view: ScopeView,
  groupRead: GroupSnapshot | undefined,
  deps: GuardDeps,
  config: GuardConfig,
  now: number,
  owner: TripOwner,
): Promise<TripOutcome | undefined> {
  // Read the group only when enough launches could be failures: kept as failed, or undecided and
  // old enough to have failed (a launch kept as useful, or one minutes old, cannot make a streak).
  // The count's item alone first (free), then with the fates kept apart (one read).
  const possible = (launches: ReadonlyMap<string, number>, decided: ReadonlyMap<string, string>) =>
    [...launches].filter(([id, t]) => {
      const kept = decided.get(id);
      return kept !== undefined ? kept.startsWith('failed') : now - t * 1000 >= STREAK_MIN_AGE_MS;
    }).length;
  if (possible(view.outcome.ids, view.before.fates) < MIN_STREAK) return undefined;
  const known = await launchesToJudge(deps, view.key, view.outcome.ids, view.before.fates);
  if (possible(known.times, known.decided) < MIN_STREAK) return undefined;
  const group = groupRead ?? (await deps.suspender.describeGroup(view.key.region, view.key.key));
  if (!group || group.suspendedProcesses.includes('Launch')) return undefined;
  const settings = settingsOf(group.tags, config);
  if (settings.exempt || settings.streak === 0 || known.times.size < settings.streak) return undefined;
  const judgement = await judgeAndKeep(
    deps,
    view.key,
    group,
    known.launches,
    settings,
    now,
    known.decided,
    view.before.learned,
  );
  const found = streakRule(judgement.judged, settings.streak, view.before.tripProgress?.streakUpTo);
  if (!found.trips) {
    if (found.streak > 0)
      deps.log.info('failed launches in a row, below the streak', {
        group: view.key.key,
        streak: found.streak,
        needed: settings.streak,
      });
    return undefined;
  }
  return actOnTrip({ record, view, deps, config, now, owner, rule: 'streak', judged: { group, judgement } });
}

/**
 * Read the group's tags (this invocation holds the lease of the current 5-minute period) and
 * cache them in its item when they differ from what is cached. Absent settings mean the
 * defaults, so a group without guard tags is never written to.
 */
async function refreshSettings(
  view: ScopeView,
  deps: GuardDeps,
  config: GuardConfig,
): Promise<{ view: ScopeView; group?: GroupSnapshot }> {
  const group = await deps.suspender.describeGroup(view.key.region, view.key.key);
  if (!group) return { view };
  const settings = settingsOf(group.tags, config);
  for (const problem of settings.problems)
    deps.log.warn('group tag ignored', { group: view.key.key, problem });
  const read = { threshold: settings.threshold, windowMs: settings.windowMs, exempt: settings.exempt };
  const isDefault =
    read.threshold === config.asgThreshold && read.windowMs === config.windowMs && !read.exempt;
  const cached = isDefault ? undefined : read;
  if (JSON.stringify(cached) !== JSON.stringify(view.before.settings))
    await deps.counter.saveSettings(view.key, cached);
  const policy = { threshold: read.threshold, windowMs: read.windowMs };
  return {
    view: {
      ...view,
      before: { ...view.before, ...(cached ? { settings: cached } : { settings: undefined }) },
      policy,
      evaluation: evaluate(view.outcome.ids, view.before.watermark, Math.round(policy.windowMs / 1000)),
    },
    group,
  };
}
