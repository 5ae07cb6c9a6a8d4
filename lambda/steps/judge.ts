/**
 * Judge a group's launches: gather the facts the pure rules of `core/fate.ts` need (the group's
 * live state, ECS registration, why instances left, Spot state reasons, launch hooks) and apply
 * them. Every lookup beyond the group itself is best effort: a failed one is logged and judged
 * without (a failed ECS lookup never invents a failure, it only stops registration counting).
 *
 * Reads, per judgement: the ECS cluster mapping (cached per region), `ListContainerInstances`
 * (+ `DescribeContainerInstances`) only for in-service launches, `DescribeScalingActivities` only
 * when a launch's instance left (one page, or up to 5 in a storm until every departed launch's
 * cause is found or the activities predate the oldest of them), one `DescribeInstances` only for departures that Auto
 * Scaling blames on "terminated or stopped" (Spot or crash), one `DescribeLifecycleHooks` only
 * when an instance waits in a launch hook.
 */
import {
  CAUSE,
  classifyCause,
  countFates,
  DEFAULT_DEADLINE_MS,
  type Departure,
  deadlineFor,
  FATE_REASON,
  type FateCounts,
  isSyntheticId,
  type JudgedLaunch,
  judgeLaunches,
  type LaunchFacts,
  lifecycleClass,
  storedFate,
} from '../core/fate';
import { decidedOf, encodeFate, knownLaunches } from '../core/fate-item';
import { addSamples, learnedDeadline, samplesOf } from '../core/time-to-useful';
import type { ScopeKey } from '../core/types';
import type { GroupSnapshot, GuardDeps } from '../ports';

/** What judging needs beyond the group snapshot. */
export type JudgeDeps = Pick<GuardDeps, 'history' | 'ecs' | 'instances' | 'log'>;

/** A group's launches, judged. */
export interface GroupJudgement {
  readonly judged: readonly JudgedLaunch[];
  readonly counts: FateCounts;
  readonly deadlineMs: number;
  /** The ECS cluster the group's instances must join, when known. */
  readonly cluster?: string;
  /** `failed` when an ECS lookup failed (registration was then not asked). */
  readonly ecs: 'none' | 'checked' | 'failed';
  /** Distinct activity causes of the departures among the launches (for the alert). */
  readonly causes: readonly string[];
  /** Fates decided by this judgement that were not kept yet, to keep (`encodeFate(storedFate(…))`). */
  readonly newlyDecided: ReadonlyMap<string, string>;
  /** Time-to-useful (seconds) of the launches this judgement found registered for the first time. */
  readonly samples: readonly number[];
  /** True when the deadline was learned from the group's history (`core/time-to-useful.ts`). */
  readonly learned: boolean;
}

/**
 * Judge launches of one group.
 *
 * @param launches the launches to judge (epoch ms)
 * @param settings the group's tag settings that bear on judging
 */
export async function judgeGroup(
  deps: JudgeDeps,
  region: string,
  group: GroupSnapshot,
  launches: readonly LaunchFacts[],
  settings: { readonly deadlineMs?: number; readonly ecsCluster?: string },
  now: number,
  decided: ReadonlyMap<string, string> = new Map(),
  learnedSamples: readonly number[] = [],
): Promise<GroupJudgement> {
  const live = new Map(group.instances.map((i) => [i.instanceId, i]));
  const configuredMs = deadlineFor(group.healthCheckGracePeriodSeconds, settings.deadlineMs);
  // Launches decided earlier need no lookup: their fate is kept.
  const ids = launches.map((l) => l.instanceId).filter((id) => !isSyntheticId(id) && !decided.has(id));
  const classOf = (id: string) => {
    const inst = live.get(id);
    return inst === undefined ? undefined : lifecycleClass(inst.lifecycleState);
  };

  let cluster = settings.ecsCluster;
  let ecs: GroupJudgement['ecs'] = 'none';
  let registered: Set<string> | undefined;
  let registeredAt: ReadonlyMap<string, number | undefined> = new Map();
  try {
    if (cluster === undefined && group.arn !== undefined)
      cluster = await deps.ecs.clusterOfGroup(region, group.arn);
    if (cluster !== undefined) {
      const inService = ids.filter((id) => classOf(id) === 'in-service');
      if (inService.length > 0) registeredAt = await deps.ecs.registrations(region, cluster, inService);
      registered = new Set(registeredAt.keys());
      ecs = 'checked';
    }
  } catch (error) {
    ecs = 'failed';
    deps.log.warn('ECS lookup failed: launches judged without registration', {
      group: group.name,
      error: String(error),
    });
  }

  const leftIds = ids.filter((id) => !live.has(id) || classOf(id) === 'leaving');
  let departures: ReadonlyMap<string, Departure> = new Map();
  if (leftIds.length > 0) {
    try {
      // Page back until every departed launch's cause is found (a storm), never before its launch.
      const left = new Set(leftIds);
      const since = Math.min(...launches.filter((l) => left.has(l.instanceId)).map((l) => l.launchedAt));
      departures = await deps.history.departures(region, group.name, { ids: leftIds, since });
    } catch (error) {
      deps.log.warn('scaling activities unreadable: departures judged without their cause', {
        group: group.name,
        error: String(error),
      });
    }
  }
  const unhealthy = ids.filter((id) => live.get(id)?.healthStatus.toLowerCase() === 'unhealthy');
  const askEc2 = [
    ...leftIds.filter((id) => {
      const cause = departures.get(id)?.cause;
      return (
        cause === undefined || (classifyCause(cause) === CAUSE.health && /terminated or stopped/i.test(cause))
      );
    }),
    // An instance Unhealthy because a Spot interruption stopped it is not a failed launch.
    ...unhealthy,
  ];
  const stateReasons =
    askEc2.length > 0 ? await deps.instances.stateReasons(region, askEc2) : new Map<string, string>();

  let launchHookMs: number | undefined;
  const held = ids.some((id) => classOf(id) === 'hook');
  if (held) {
    try {
      launchHookMs = await deps.history.launchHookMs(region, group.name);
    } catch (error) {
      deps.log.warn('lifecycle hooks unreadable: held instances get the longest hold', {
        group: group.name,
        error: String(error),
      });
      launchHookMs = Number.POSITIVE_INFINITY;
    }
  }

  // Registration decides an ECS-backed group's launches: its own history may judge them earlier
  // than the configured deadline (never for a deadline tag, never without registration checked).
  const early =
    ecs === 'checked' && settings.deadlineMs === undefined
      ? learnedDeadline(learnedSamples, configuredMs)
      : undefined;
  const deadlineMs = early ?? configuredMs;
  const judged = judgeLaunches(launches, {
    now,
    deadlineMs,
    live,
    departures,
    stateReasons,
    ...(registered !== undefined ? { registered } : {}),
    ...(launchHookMs !== undefined ? { launchHookMs } : {}),
    decided,
  });
  const newlyDecided = new Map<string, string>();
  const learnedFrom: JudgedLaunch[] = [];
  for (const j of judged) {
    const stored = j.stored ? undefined : storedFate(j);
    if (stored === undefined) continue;
    newlyDecided.set(j.instanceId, encodeFate(stored, j.launchedAt));
    if (j.reason === FATE_REASON.registered) learnedFrom.push(j);
  }
  const causes = [...new Set(judged.flatMap((j) => (j.cause ? [j.cause] : [])))];
  return {
    judged,
    counts: countFates(judged),
    deadlineMs,
    ...(cluster !== undefined ? { cluster } : {}),
    ecs,
    causes,
    newlyDecided,
    samples: samplesOf(learnedFrom, registeredAt),
    learned: early !== undefined,
  };
}

/** The first delay of a group launch's deadline check: the shortest deadline, and a little slack for the instance state to settle. */
export const FIRST_CHECK_DELAY_S = DEFAULT_DEADLINE_MS / 1000 + 5;

/**
 * The first delay of a launch's deadline check: {@link FIRST_CHECK_DELAY_S}, or sooner when the
 * group's history (`core/time-to-useful.ts`) gives an earlier deadline. A check that comes before
 * a launch's own deadline only schedules itself again.
 */
export function firstCheckDelayS(learned: readonly number[]): number {
  const early = learnedDeadline(learned, DEFAULT_DEADLINE_MS);
  return early === undefined ? FIRST_CHECK_DELAY_S : early / 1000 + 5;
}

/**
 * Keep what a judgement decided: its fates, so that they stay decided (see `core/fate.ts`), and
 * the time-to-useful it learned, added to the group's history `learned`.
 */
export async function keepFates(
  deps: GuardDeps,
  key: ScopeKey,
  judgement: Pick<GroupJudgement, 'newlyDecided' | 'samples'>,
  learned: readonly number[] = [],
): Promise<void> {
  const decided = judgement.newlyDecided;
  if (decided.size > 0) await deps.counter.saveFates(key, decided);
  if (judgement.samples.length > 0)
    await deps.counter.saveLearned(key, addSamples(learned, judgement.samples));
}

/** The judging dependencies of the guard's dependencies. */
export function judgeDeps(deps: GuardDeps): JudgeDeps {
  return { log: deps.log, history: deps.history, ecs: deps.ecs, instances: deps.instances };
}

/**
 * Judge a group's launches ({@link judgeGroup}) and keep what the judgement decided (fates,
 * learned times-to-useful, {@link keepFates}): every path that judges a group does both.
 *
 * @param key the group's scope (its region is where the group is read)
 * @param decided fates decided earlier, by instance id
 * @param learned the group's learned times-to-useful, as its item holds them
 */
export async function judgeAndKeep(
  deps: GuardDeps,
  key: ScopeKey,
  group: GroupSnapshot,
  launches: readonly LaunchFacts[],
  settings: { readonly deadlineMs?: number; readonly ecsCluster?: string },
  now: number,
  decided: ReadonlyMap<string, string> | undefined,
  learned: readonly number[] = [],
): Promise<GroupJudgement> {
  const judgement = await judgeGroup(
    judgeDeps(deps),
    key.region,
    group,
    launches,
    settings,
    now,
    decided,
    learned,
  );
  await keepFates(deps, key, judgement, learned);
  return judgement;
}

/**
 * The launches a rule judges and the fates decided for them: the count's ids, and every fate
 * kept in the scope's fate item (launches the count's cap pushed out included), by instance id.
 */
export async function launchesToJudge(
  deps: GuardDeps,
  key: ScopeKey,
  ids: ReadonlyMap<string, number>,
  legacy: ReadonlyMap<string, string>,
): Promise<{ launches: LaunchFacts[]; decided: ReadonlyMap<string, string>; times: Map<string, number> }> {
  const kept = await deps.counter.readFates(key);
  const times = knownLaunches(ids, kept);
  return {
    launches: [...times].map(([instanceId, t]) => ({ instanceId, launchedAt: t * 1000 })),
    decided: new Map([...legacy, ...decidedOf(kept)]),
    times,
  };
}
