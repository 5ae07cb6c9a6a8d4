/**
 * A trip's evidence: which rule the judged launches meet (the count rule's share of failures in
 * the window, or the streak rule's failures in a row) and the facts the alert gives for it.
 * Pure: it reads the judgement it is given and nothing else.
 */
import {
  confirmCount,
  countFates,
  FATE,
  type FateCounts,
  inWindowOf,
  type JudgedLaunch,
  streakRule,
} from '../../core/fate';
import { MAX_NAMED, TRIP_RULE, type TripEvidence, type TripRule } from '../../core/report';
import type { GroupJudgement } from '../judge';
import type { TripContext } from './context';

/** The evidence's fate counts under a rule: what every trip alert's evidence begins with. */
export function fateCountsOf(
  rule: TripRule,
  counts: FateCounts,
): Pick<
  TripEvidence,
  'rule' | 'judged' | 'useful' | 'failed' | 'neutral' | 'undecided' | 'failedBy' | 'neutralBy'
> {
  return {
    rule,
    judged: counts.useful + counts.failed + counts.neutral + counts.undecided,
    useful: counts.useful,
    failed: counts.failed,
    neutral: counts.neutral,
    undecided: counts.undecided,
    failedBy: counts.failedBy as Record<string, number>,
    neutralBy: counts.neutralBy as Record<string, number>,
  };
}

/** The trip's evidence from a judgement. */
export function evidenceOf(
  rule: TripRule,
  judgement: GroupJudgement,
  counts: FateCounts,
  extra: Partial<TripEvidence> = {},
): TripEvidence {
  return {
    ...fateCountsOf(rule, counts),
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

/** What a judgement says about a trip: confirmed with its evidence, or the count rule's shortfall. */
export type Finding =
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
 * Which rule the judged launches meet and its evidence (the pure half of `confirm.ts`). A
 * resumed trip (the delayed check's redelivery) rebuilds its alert's evidence with it.
 */
export function findEvidence(
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
