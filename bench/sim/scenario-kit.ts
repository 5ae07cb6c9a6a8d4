/**
 * What every scenario is, and the shorthands the scenario lists build them with (see
 * ./scenarios.ts).
 */
import type { World } from './world';
import { type CapacityProviderSpec, type GroupSpec, HOUR, SECOND, SIM_T0 } from './world-model';

/** One scenario. */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly seed: number;
  readonly durationMs: number;
  /** The groups that loop; empty for a healthy scenario. */
  readonly loopGroups: readonly string[];
  /** Target for a loop: suspended within this many of its launches from its first failed one. */
  readonly withinLaunches?: number;
  /** Put the scenario's groups, clusters and actions into an empty world. */
  build(world: World): void;
}

/** The image every group runs unless its spec names another. */
export const IMAGE = 'ami-0d136904eaba14b45';

/** A group spec with the defaults the scenarios share. */
export function group(spec: Partial<GroupSpec> & Pick<GroupSpec, 'name'>): GroupSpec {
  return {
    minSize: 0,
    maxSize: 50,
    desired: spec.initialInstances ?? 0,
    gracePeriodS: 300,
    healthCheckType: 'EC2',
    imageId: IMAGE,
    bootMs: [45 * SECOND, 90 * SECOND],
    behaviour: () => ({ kind: 'healthy' }),
    ...spec,
  };
}

/** A group behind an ECS capacity provider whose instances never register with its cluster. */
export function neverRegistering(
  name: string,
  maxSize: number,
  capacityProvider: CapacityProviderSpec,
): GroupSpec {
  return group({ name, maxSize, behaviour: () => ({ kind: 'never-register' }), capacityProvider });
}

/** One service task from `start` on, for ever. */
export const always =
  (start: number) =>
  (t: number): number =>
    t >= SIM_T0 + start ? 1 : 0;

/** How long a scenario runs, in simulated time. */
export const DURATION = 3 * HOUR;

/** A second image, for the blue/green scenario's other colour. */
export const IMAGE_BLUE = 'ami-0b5e1c0ffee0b1e20';
