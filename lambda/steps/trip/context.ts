/**
 * What every phase of the trip shares: the trip's context (the scope's view, the dependencies,
 * the owner of the trip), its outcomes, and the report's facts that do not depend on what was
 * done.
 */
import type { GuardConfig } from '../../config';
import type { TripAction, TripReport } from '../../core/report';
import { type LaunchRecord, SCOPE_KIND } from '../../core/types';
import type { GroupSnapshot, GuardDeps, ScopeView, TripOwner } from '../../ports';
import type { GroupJudgement } from '../judge';

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
  /**
   * Group scope: the group as this invocation read it already (the count's settings refresh), so
   * that one read serves the trip's decision, its judgement and its suspension.
   */
  readonly group?: GroupSnapshot;
  /** A group read and judged already in this invocation (the streak rule's), to read it once. */
  readonly judged?: { readonly group: GroupSnapshot; readonly judgement: GroupJudgement };
  /** AMI scope: groups that tripped on this same event (their own alert covers them). */
  readonly trippedGroups?: ReadonlySet<string>;
}

/** True when the event is older than the window: the trip alerts, never suspends. */
export function isStale(ctx: TripContext): boolean {
  return ctx.now - ctx.record.eventTime > ctx.view.policy.windowMs;
}

/** The report's facts that do not depend on what was done. */
export function baseReport(
  ctx: TripContext,
  action: TripAction,
  extra: Partial<TripReport> = {},
): TripReport {
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

/** Record the trip as done without an alert (exempt, or suspended already by the guard). */
export async function markDone(ctx: TripContext): Promise<void> {
  await ctx.deps.counter.saveProgress(ctx.view.key, ctx.view.before.episode, ctx.owner, {
    step: 'done',
  });
}
