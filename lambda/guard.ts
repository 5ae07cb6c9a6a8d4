/**
 * What the function does with one event: parse it, count its launches per scope in the store,
 * apply the count rule (`core/episode.ts`), and hand trips to `trip.ts`, which confirms them
 * against the group's live state before it acts.
 *
 * Failure policy: a malformed or irrelevant event is logged, counted in a metric and dropped
 * (a retry cannot fix it); a store or Auto Scaling failure is thrown, so that Lambda's retries
 * and in the end its on-failure destination keep the event.
 */
import type { AsgSuspender } from './adapters/asg-suspender';
import type { ImageInfoSource } from './adapters/ec2-diagnosis';
import type { LaunchCounter, ScopeView } from './adapters/launch-counter';
import type { Notifier } from './adapters/notifier';
import type { ResumeScheduler } from './adapters/scheduler';
import { noticeAmiChange } from './ami-change-step';
import type { GuardConfig } from './config';
import { stepEpisode } from './core/episode';
import { groupSettings } from './core/group-settings';
import { METRIC } from './core/metric-names';
import { parseEvent } from './core/parse-event';
import type { TripReport } from './core/report';
import { evaluate } from './core/scope-item';
import { launchScopes, type ScopeMentions } from './core/scopes';
import { type LaunchRecord, SCOPE_KIND, type ScopePolicy } from './core/types';
import type { RoleChecker } from './role-checker';
import { actOnTrip, type TripOutcome } from './trip';

/** Structured logging (Powertools Logger fits). */
export interface GuardLog {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/** Metrics sink (Powertools Metrics behind it in the handler). */
export interface GuardMetrics {
  count(name: string, value?: number): void;
}

/** Looks up what can be known about AMIs for the alert (names, likely causes). */
export interface Diagnoser {
  diagnose(report: TripReport): Promise<Pick<TripReport, 'diagnosis' | 'imageNames'>>;
}

/** Everything `run()` talks to. */
export interface GuardDeps {
  readonly counter: LaunchCounter;
  readonly suspender: AsgSuspender;
  readonly notifier: Notifier;
  readonly log: GuardLog;
  readonly metrics: GuardMetrics;
  readonly scheduler?: ResumeScheduler;
  readonly streaks?: { setResumeStreak(key: ScopeView['key'], streak: number, at: number): Promise<void> };
  readonly diagnoser?: Diagnoser;
  /** AMI descriptions for the AMI-change alert (cached); without it the alert is off. */
  readonly images?: ImageInfoSource;
  /** The instance-role check of the AMI-change alert. */
  readonly roles?: RoleChecker;
}

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

/** What `run()` did with one event. */
export type GuardResult =
  | { readonly kind: 'ignored'; readonly reason: string; readonly malformed: boolean }
  | { readonly kind: 'failed-attempt'; readonly errorCode: string }
  | { readonly kind: 'termination'; readonly instances: number }
  | { readonly kind: 'counted'; readonly eventId: string; readonly scopes: readonly ScopeResult[] };

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
 * @throws CounterStoreError | SuspendError | NotifyError so that Lambda retries the event
 */
export async function run(
  raw: unknown,
  deps: GuardDeps,
  config: GuardConfig,
  now: number,
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
  const scopes: ScopeResult[] = [];
  // AMI-change alerts run beside the counting and the trips, never ahead of them.
  const notices: Promise<unknown>[] = [];
  for (const share of launchScopes(parsed))
    scopes.push(await countScope(parsed, share, deps, config, now, notices));
  await Promise.all(notices);
  return { kind: 'counted', eventId: parsed.eventId, scopes };
}

function defaultsFor(scope: ScopeMentions['key']['scope'], config: GuardConfig): ScopePolicy {
  return {
    threshold: scope === SCOPE_KIND.asg ? config.asgThreshold : config.amiThreshold,
    windowMs: config.windowMs,
  };
}

async function countScope(
  record: LaunchRecord,
  share: ScopeMentions,
  deps: GuardDeps,
  config: GuardConfig,
  now: number,
  notices: Promise<unknown>[],
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
  if (view.outcome.duplicates > 0) deps.metrics.count(METRIC.duplicates, view.outcome.duplicates);
  notices.push(noticeAmiChange(record, view, deps, config));
  if (view.refreshSettings) view = await refreshSettings(view, deps, config);

  const result = {
    scope: key.scope,
    key: key.key,
    launches: view.evaluation.count,
    threshold: view.policy.threshold,
    added: view.outcome.added.length,
    duplicates: view.outcome.duplicates,
  };
  // A trip left unfinished (its owner failed part-way: this event's own retry, or an owner that
  // stalled) is finished first, even by an event whose launches were all counted already.
  const progress = view.before.tripProgress;
  const unfinished =
    !view.armed &&
    progress !== undefined &&
    progress.step !== 'done' &&
    view.evaluation.count >= view.policy.threshold;
  if (unfinished) return { ...result, trip: await actOnTrip({ record, view, deps, config, now }) };

  const changed = view.outcome.added.length > 0 || view.outcome.lowered.length > 0;
  if (!changed) return result;
  if (view.before.settings?.exempt) {
    if (view.evaluation.count >= view.policy.threshold) {
      deps.metrics.count(METRIC.exemptSkips);
      deps.log.info('group is exempt: not acting', { group: key.key, launches: view.evaluation.count });
    }
    return result;
  }

  const step = stepEpisode(
    view.armed,
    view.evaluation.count,
    view.policy.threshold,
    view.outcome.added.length > 0,
  );
  if (step.rearmed) {
    await deps.counter.rearm(key, view.before.episode);
    deps.log.info('episode ended: scope re-armed', {
      scope: key.scope,
      key: key.key,
      launches: view.evaluation.count,
    });
  }
  if (!step.trip) return result;
  return { ...result, trip: await actOnTrip({ record, view, deps, config, now }) };
}

/**
 * Read the group's tags (this invocation holds the lease of the current 5-minute period) and
 * cache them in its item when they differ from what is cached. Absent settings mean the
 * defaults, so a group without guard tags is never written to.
 */
async function refreshSettings(view: ScopeView, deps: GuardDeps, config: GuardConfig): Promise<ScopeView> {
  const group = await deps.suspender.describeGroup(view.key.region, view.key.key);
  if (!group) return view;
  const settings = groupSettings(group.tags, {
    threshold: config.asgThreshold,
    windowMs: config.windowMs,
    maxWindowMs: config.maxWindowMs,
  });
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
    ...view,
    before: { ...view.before, ...(cached ? { settings: cached } : { settings: undefined }) },
    policy,
    evaluation: evaluate(view.outcome.ids, view.before.watermark, Math.round(policy.windowMs / 1000)),
  };
}
