/**
 * The scenarios the simulator plays: launch loops the guard must stop, and healthy groups it
 * must leave alone (issue 8, section 5). Each builds its groups, clusters and timed actions into
 * a fresh {@link World}; each knows whether it is a loop, which groups loop, and (from the
 * world's ground truth) when its first failed launch happened.
 */
import { HEALTHY_SCENARIOS } from './healthy-scenarios';
import { LOOP_SCENARIOS } from './loop-scenarios';
import type { Scenario } from './scenario-kit';
import type { World } from './world';
import type { LaunchFact } from './world-model';

export type { Scenario } from './scenario-kit';

/** True for a scenario whose groups loop. */
export function isLoop(s: Scenario): boolean {
  return s.loopGroups.length > 0;
}

/** The first failed launch of a loop's groups, from the world's ground truth. */
export function firstFailedLaunch(s: Scenario, world: World): LaunchFact | undefined {
  return world.launches.find((l) => l.failed && s.loopGroups.includes(l.group));
}

/** Every scenario, loops first. */
export const SCENARIOS: readonly Scenario[] = [...LOOP_SCENARIOS, ...HEALTHY_SCENARIOS];
