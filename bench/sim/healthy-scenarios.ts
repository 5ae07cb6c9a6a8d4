/** The healthy groups the guard must leave alone (issue 8, section 5; issue 24). */
import { DURATION, group, IMAGE_BLUE, type Scenario } from './scenario-kit';
import type { World } from './world';
import { type CapacityProviderSpec, type GroupSpec, HOUR, MINUTE, SECOND, SIM_T0 } from './world-model';

/**
 * A group of `from` instances that a user sets to `to` at `at`; at 2 h a target-tracking policy
 * takes it back to `from`.
 */
function userScaleOut(
  w: World,
  { name, from, to, maxSize, at }: { name: string; from: number; to: number; maxSize: number; at: number },
): void {
  w.addGroup(group({ name, initialInstances: from, maxSize }));
  w.at(SIM_T0 + at, (x) => x.setDesired(name, to, { kind: 'user-set' }));
  w.at(SIM_T0 + 2 * HOUR, (x) => x.setDesired(name, from, { kind: 'policy', policy: 'cpu-tracker' }));
}

/**
 * A group of `instances` (MaxSize `maxSize`) whose instance refresh starts at 20 min: `batch`
 * at a time, each batch warming up `warmupMs`.
 */
function refreshedAt20Min(
  w: World,
  name: string,
  instances: number,
  maxSize: number,
  batch: number,
  warmupMs: number,
): void {
  w.addGroup(group({ name, initialInstances: instances, maxSize }));
  w.at(SIM_T0 + 20 * MINUTE, (x) => x.startInstanceRefresh(name, batch, warmupMs));
}

/**
 * A capacity-provider group of 2 (MaxSize 30) whose instances boot in 7 to 8 minutes and register
 * 30 s later; its provider steps by up to 10 every minute, with a 10-minute warm-up.
 */
function slowBootingProviderGroup(
  name: string,
  provider: Pick<CapacityProviderSpec, 'name' | 'cluster' | 'managedTerminationProtection'>,
): GroupSpec {
  return group({
    name,
    initialInstances: 2,
    maxSize: 30,
    bootMs: [7 * MINUTE, 8 * MINUTE],
    behaviour: () => ({ kind: 'healthy', registerAfterMs: 30 * SECOND }),
    capacityProvider: { ...provider, scaleIntervalMs: MINUTE, maxStep: 10, warmupMs: 10 * MINUTE },
  });
}

/**
 * Healthy scenarios where one AMI launches 80 or more instances within an hour (issue 24): the
 * AMI scope's count passes its threshold (50), and only the launches' fates tell that none of
 * it is a loop.
 */
const BIG_AMI_SCENARIOS: readonly Scenario[] = [
  {
    name: 'healthy-scale-out-80-one-ami',
    description:
      'a user sets desired 10 -> 90 at once: 80 instances of one AMI, InService and Healthy in 2 min',
    seed: 241,
    durationMs: DURATION,
    loopGroups: [],
    build(w) {
      userScaleOut(w, { name: 'api-big', from: 10, to: 90, maxSize: 120, at: 20 * MINUTE });
    },
  },
  {
    name: 'healthy-blue-green-two-big-groups',
    description:
      'green 0 -> 90 (new AMI) by a pipeline, blue 90 -> 0; an hour later a rollback: blue 0 -> 90 (its AMI), green -> 0',
    seed: 242,
    durationMs: DURATION,
    loopGroups: [],
    build(w) {
      w.addGroup(group({ name: 'shop-blue', initialInstances: 90, maxSize: 90, imageId: IMAGE_BLUE }));
      w.addGroup(group({ name: 'shop-green', maxSize: 90 }));
      w.at(SIM_T0 + 20 * MINUTE, (x) =>
        x.updateGroup('shop-green', { min: 90, max: 90, desired: 90 }, false),
      );
      w.at(SIM_T0 + 40 * MINUTE, (x) => x.updateGroup('shop-blue', { min: 0, max: 90, desired: 0 }, false));
      w.at(SIM_T0 + 100 * MINUTE, (x) =>
        x.updateGroup('shop-blue', { min: 90, max: 90, desired: 90 }, false),
      );
      w.at(SIM_T0 + 120 * MINUTE, (x) => x.updateGroup('shop-green', { min: 0, max: 90, desired: 0 }, false));
    },
  },
  {
    name: 'healthy-instance-refresh-100',
    description:
      'instance refresh of 100 instances, 10 at a time, 3 min warm-up: 100 launches of one AMI in under an hour',
    seed: 243,
    durationMs: DURATION,
    loopGroups: [],
    build(w) {
      refreshedAt20Min(w, 'fleet-100', 100, 110, 10, 3 * MINUTE);
    },
  },
];

/** The healthy scenarios, in the order the simulator plays them. */
export const HEALTHY_SCENARIOS: readonly Scenario[] = [
  {
    name: 'healthy-scale-out-40',
    description: 'a user sets desired 5 -> 45 at once; policy scales back to 5 after 90 min',
    seed: 201,
    durationMs: DURATION,
    loopGroups: [],
    build(w) {
      userScaleOut(w, { name: 'api', from: 5, to: 45, maxSize: 60, at: 30 * MINUTE });
    },
  },
  {
    name: 'healthy-instance-refresh-30',
    description: 'instance refresh of 30 instances, 3 at a time, 5 min warm-up',
    seed: 202,
    durationMs: DURATION,
    loopGroups: [],
    build(w) {
      refreshedAt20Min(w, 'fleet', 30, 40, 3, 5 * MINUTE);
    },
  },
  {
    name: 'healthy-batch-hourly',
    description: 'scheduled actions: 0 -> 15 at :05, 15 -> 0 at :35, every hour',
    seed: 203,
    durationMs: DURATION,
    loopGroups: [],
    build(w) {
      w.addGroup(group({ name: 'batch', maxSize: 20 }));
      for (let h = 0; h < 3; h += 1) {
        w.at(SIM_T0 + h * HOUR + 5 * MINUTE, (x) =>
          x.updateGroup('batch', { min: 0, max: 20, desired: 15 }, true),
        );
        w.at(SIM_T0 + h * HOUR + 35 * MINUTE, (x) =>
          x.updateGroup('batch', { min: 0, max: 20, desired: 0 }, true),
        );
      }
    },
  },
  {
    name: 'healthy-target-tracking-flaps',
    description: 'target tracking scales out by 10 and back in 15 min later, every 30 min',
    seed: 204,
    durationMs: DURATION,
    loopGroups: [],
    build(w) {
      w.addGroup(group({ name: 'tt', initialInstances: 5, maxSize: 30 }));
      for (let t = 10 * MINUTE; t < DURATION; t += 30 * MINUTE) {
        w.at(SIM_T0 + t, (x) => x.setDesired('tt', 15, { kind: 'policy', policy: 'cpu-tracker' }));
        w.at(SIM_T0 + t + 15 * MINUTE, (x) =>
          x.setDesired('tt', 5, { kind: 'policy', policy: 'cpu-tracker' }),
        );
      }
    },
  },
  {
    name: 'healthy-ecs-scale-out-8-min-boot',
    description: 'capacity provider scales out by 12 for waiting tasks; instances boot 8 min and register',
    seed: 205,
    durationMs: DURATION,
    loopGroups: [],
    build(w) {
      w.addGroup(
        slowBootingProviderGroup('jobs-cp', {
          name: 'cp-jobs',
          cluster: 'jobs',
          managedTerminationProtection: true,
        }),
      );
      w.addCluster('jobs', (t) => (t >= SIM_T0 + 30 * MINUTE ? 14 : 2));
    },
  },
  ...[false, true].map(
    (history): Scenario => ({
      name: `healthy-ecs-register-13-15-min${history ? '-with-history' : ''}`,
      description: `capacity provider, 20-min grace period; instances boot 8 min and register 13-15 min after launch${history ? '; scales out and in every hour, so the group has history' : ''}`,
      seed: 210 + (history ? 1 : 0),
      durationMs: DURATION,
      loopGroups: [],
      build(w) {
        w.addGroup(
          group({
            name: 'slow-cp',
            initialInstances: 2,
            maxSize: 30,
            gracePeriodS: 1200,
            bootMs: [7 * MINUTE, 8 * MINUTE],
            behaviour: (_n, rnd) => ({
              kind: 'healthy',
              registerAfterMs: 6 * MINUTE + Math.round(rnd() * 2 * MINUTE),
            }),
            capacityProvider: {
              name: 'cp-slow',
              cluster: 'slow',
              managedTerminationProtection: false,
              scaleIntervalMs: MINUTE,
              maxStep: 10,
              warmupMs: 20 * MINUTE,
            },
          }),
        );
        w.addCluster('slow', (t) => {
          if (!history) return t >= SIM_T0 + 30 * MINUTE ? 12 : 2;
          const m = (t - SIM_T0) % HOUR;
          return m >= 5 * MINUTE && m < 40 * MINUTE ? 12 : 2;
        });
      },
    }),
  ),
  {
    name: 'healthy-ecs-8-min-boot-with-history',
    description:
      'capacity provider, step 10, scales out by 12 and back every hour; instances boot 8 min and register',
    seed: 212,
    durationMs: DURATION,
    loopGroups: [],
    build(w) {
      w.addGroup(
        slowBootingProviderGroup('jobs-hist', {
          name: 'cp-jobs-hist',
          cluster: 'jobs-hist',
          managedTerminationProtection: false,
        }),
      );
      w.addCluster('jobs-hist', (t) =>
        (t - SIM_T0) % HOUR >= 5 * MINUTE && (t - SIM_T0) % HOUR < 40 * MINUTE ? 14 : 2,
      );
    },
  },
  {
    name: 'healthy-spot-interruption-storm',
    description: '20 Spot instances: 16 interrupted within 2 min, 8 more an hour later, then an AZ rebalance',
    seed: 206,
    durationMs: DURATION,
    loopGroups: [],
    build(w) {
      w.addGroup(group({ name: 'spot', initialInstances: 20, maxSize: 30, spot: true }));
      w.at(SIM_T0 + HOUR, (x) => x.spotInterrupt('spot', 12));
      w.at(SIM_T0 + HOUR + 2 * MINUTE, (x) => x.spotInterrupt('spot', 4));
      w.at(SIM_T0 + 2 * HOUR, (x) => x.spotInterrupt('spot', 8));
      w.at(SIM_T0 + 2 * HOUR + 20 * MINUTE, (x) => x.rebalanceZones('spot', 3));
    },
  },
  {
    name: 'healthy-blue-green',
    description: 'green 0 -> 20 by a pipeline, then blue 20 -> 0',
    seed: 207,
    durationMs: DURATION,
    loopGroups: [],
    build(w) {
      w.addGroup(group({ name: 'app-blue', initialInstances: 20, maxSize: 20 }));
      w.addGroup(group({ name: 'app-green', maxSize: 20 }));
      w.at(SIM_T0 + 30 * MINUTE, (x) => x.updateGroup('app-green', { min: 20, max: 20, desired: 20 }, false));
      w.at(SIM_T0 + 50 * MINUTE, (x) => x.updateGroup('app-blue', { min: 0, max: 20, desired: 0 }, false));
    },
  },
  {
    name: 'healthy-lifecycle-hook-20-min',
    description:
      'a 20-min bootstrap hook (HeartbeatTimeout 1800) holds each launch in Pending:Wait; scale-out by 12',
    seed: 208,
    durationMs: DURATION,
    loopGroups: [],
    build(w) {
      w.addGroup(
        group({
          name: 'bootstrap',
          initialInstances: 2,
          maxSize: 20,
          launchHook: {
            name: 'bootstrap',
            heartbeatTimeoutS: 1800,
            completeAfterMs: [19 * MINUTE, 21 * MINUTE],
          },
        }),
      );
      w.at(SIM_T0 + 30 * MINUTE, (x) => x.setDesired('bootstrap', 14, { kind: 'user-set' }));
    },
  },
  {
    name: 'healthy-warm-pool',
    description: 'a warm pool of 10 fills, a scale-out by 8 takes warmed instances, the pool refills',
    seed: 209,
    durationMs: DURATION,
    loopGroups: [],
    build(w) {
      w.addGroup(group({ name: 'warm', initialInstances: 4, maxSize: 20, warmPool: { minSize: 10 } }));
      w.at(SIM_T0 + HOUR, (x) => x.setDesired('warm', 12, { kind: 'policy', policy: 'cpu-tracker' }));
      w.at(SIM_T0 + HOUR + 40 * MINUTE, (x) =>
        x.setDesired('warm', 4, { kind: 'policy', policy: 'cpu-tracker' }),
      );
    },
  },
  ...BIG_AMI_SCENARIOS,
];
