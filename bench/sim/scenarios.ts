/**
 * The scenarios the simulator plays: launch loops the guard must stop, and healthy groups it
 * must leave alone (issue 8, section 5). Each builds its groups, clusters and timed actions into
 * a fresh {@link World}; each knows whether it is a loop, which groups loop, and (from the
 * world's ground truth) when its first failed launch happened.
 */
import type { World } from './world';
import { type GroupSpec, HOUR, type LaunchFact, MINUTE, SECOND, SIM_T0 } from './world-model';

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

/** True for a scenario whose groups loop. */
export function isLoop(s: Scenario): boolean {
  return s.loopGroups.length > 0;
}

/** The first failed launch of a loop's groups, from the world's ground truth. */
export function firstFailedLaunch(s: Scenario, world: World): LaunchFact | undefined {
  return world.launches.find((l) => l.failed && s.loopGroups.includes(l.group));
}

const IMAGE = 'ami-0d136904eaba14b45';

function group(spec: Partial<GroupSpec> & Pick<GroupSpec, 'name'>): GroupSpec {
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

/** One service task from `start` on, for ever. */
const always =
  (start: number) =>
  (t: number): number =>
    t >= SIM_T0 + start ? 1 : 0;

const DURATION = 3 * HOUR;

/** A second image, for the blue/green scenario's other colour. */
const IMAGE_BLUE = 'ami-0b5e1c0ffee0b1e20';

/**
 * A loop that crosses the AMI threshold too (issue 24): a replacement storm of 40, every
 * instance crashing within a minute of boot. The group's alert is the one page; the AMI's count
 * is a line in it, not an alert of its own.
 */
const STORM_SCENARIOS: readonly Scenario[] = [
  {
    name: 'loop-replacement-storm-40-one-ami',
    description: 'desired 0 -> 40 at once; every instance crashes 20-60 s after boot and is replaced',
    seed: 244,
    durationMs: DURATION,
    loopGroups: ['storm-40'],
    // A storm launches 40 at once: the first decided failures come with the first replacements.
    withinLaunches: 90,
    build(w) {
      w.addGroup(
        group({
          name: 'storm-40',
          maxSize: 40,
          behaviour: (_n, rnd) => ({
            kind: 'crash-at-boot',
            afterBootMs: 20 * SECOND + Math.round(rnd() * 40 * SECOND),
          }),
        }),
      );
      w.at(SIM_T0 + 10 * MINUTE, (x) => x.setDesired('storm-40', 40, { kind: 'user-set' }));
    },
  },
];

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
      w.addGroup(group({ name: 'api-big', initialInstances: 10, maxSize: 120 }));
      w.at(SIM_T0 + 20 * MINUTE, (x) => x.setDesired('api-big', 90, { kind: 'user-set' }));
      w.at(SIM_T0 + 2 * HOUR, (x) => x.setDesired('api-big', 10, { kind: 'policy', policy: 'cpu-tracker' }));
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
      w.addGroup(group({ name: 'fleet-100', initialInstances: 100, maxSize: 110 }));
      w.at(SIM_T0 + 20 * MINUTE, (x) => x.startInstanceRefresh('fleet-100', 10, 3 * MINUTE));
    },
  },
];

/** Every scenario, loops first. */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'loop-elb-health-replacement',
    description: 'ELB health check fails 1-4 min after launch; every instance is replaced',
    seed: 101,
    durationMs: DURATION,
    loopGroups: ['web-elb'],
    withinLaunches: 12,
    build(w) {
      w.addGroup(
        group({
          name: 'web-elb',
          desired: 1,
          maxSize: 4,
          healthCheckType: 'ELB',
          gracePeriodS: 60,
          behaviour: (_n, rnd) => ({ kind: 'unhealthy-after', afterGraceMs: Math.round(rnd() * 3 * MINUTE) }),
        }),
      );
    },
  },
  {
    name: 'loop-crash-at-boot',
    description: 'instances shut themselves down 20-60 s after boot; EC2 health check replaces them',
    seed: 102,
    durationMs: DURATION,
    loopGroups: ['worker-crash'],
    withinLaunches: 12,
    build(w) {
      w.addGroup(
        group({
          name: 'worker-crash',
          desired: 2,
          maxSize: 4,
          behaviour: (_n, rnd) => ({
            kind: 'crash-at-boot',
            afterBootMs: 20 * SECOND + Math.round(rnd() * 40 * SECOND),
          }),
        }),
      );
    },
  },
  {
    name: 'loop-ecs-every-15-min',
    description: 'capacity provider; the service retries every 15 min, each new instance never registers',
    seed: 103,
    durationMs: DURATION,
    loopGroups: ['svc-retry'],
    withinLaunches: 6,
    build(w) {
      w.addGroup(
        group({
          name: 'svc-retry',
          maxSize: 10,
          behaviour: () => ({ kind: 'never-register' }),
          capacityProvider: {
            name: 'cp-svc-retry',
            cluster: 'retry',
            managedTerminationProtection: false,
            scaleIntervalMs: MINUTE,
            maxStep: 1,
            warmupMs: 14 * MINUTE,
          },
        }),
      );
      // A task waits in PROVISIONING for 12 minutes, stops, and the scheduler retries at 15.
      w.addCluster('retry', (t) =>
        (t - SIM_T0 - MINUTE) % (15 * MINUTE) < 12 * MINUTE && t > SIM_T0 + MINUTE ? 1 : 0,
      );
    },
  },
  ...[20, 200].map(
    (maxSize): Scenario => ({
      name: `loop-ecs-never-register-max-${maxSize}`,
      description: `capacity provider, MaxSize ${maxSize}: InService, Healthy, protected, never registered; managed scaling keeps raising desired`,
      seed: 104 + maxSize,
      durationMs: DURATION,
      loopGroups: [`gpu-${maxSize}`],
      withinLaunches: 12,
      build(w) {
        w.addGroup(
          group({
            name: `gpu-${maxSize}`,
            maxSize,
            behaviour: () => ({ kind: 'never-register' }),
            capacityProvider: {
              name: `cp-gpu-${maxSize}`,
              cluster: `inference-${maxSize}`,
              managedTerminationProtection: true,
              scaleIntervalMs: MINUTE,
              maxStep: 1,
              warmupMs: 80 * SECOND,
            },
          }),
        );
        w.addCluster(`inference-${maxSize}`, always(5 * MINUTE));
      },
    }),
  ),
  ...STORM_SCENARIOS,
  // Issue 18: the incident's fast forms. ECS managed scaling steps by up to
  // `maximumScalingStepSize` (AWS's default 10,000: one step to MaxSize) while a task waits and
  // no young instance is expected to take it; with a warm-up of 300 s that is a batch about
  // every 5 minutes (the measured form): 5 minutes, and up to one more for the alarm's
  // next datapoint.
  ...[
    { step: 10, maxSize: 100, tasks: 60, within: 20 },
    { step: 50, maxSize: 300, tasks: 300, within: 100 },
    { step: 10_000, maxSize: 100, tasks: 100, within: 100 },
  ].map(
    ({ step, maxSize, tasks, within }): Scenario => ({
      name: `loop-ecs-step-${step === 10_000 ? 'default' : step}`,
      description: `capacity provider, managed scaling step ${step}, MaxSize ${maxSize}, ${tasks} tasks waiting; no instance ever registers`,
      seed: 110 + (step % 97),
      durationMs: DURATION,
      loopGroups: [`cp-step-${step}`],
      withinLaunches: within,
      build(w) {
        w.addGroup(
          group({
            name: `cp-step-${step}`,
            maxSize,
            behaviour: () => ({ kind: 'never-register' }),
            capacityProvider: {
              name: `cp-step-${step}`,
              cluster: `step-${step}`,
              managedTerminationProtection: true,
              scaleIntervalMs: 5 * MINUTE,
              scaleJitterMs: MINUTE,
              maxStep: step,
              warmupMs: 300 * SECOND,
            },
          }),
        );
        w.addCluster(`step-${step}`, (t) => (t >= SIM_T0 + 5 * MINUTE ? tasks : 0));
      },
    }),
  ),
  {
    name: 'loop-ecs-step-10-with-history',
    description:
      'the incident with history: 8 launches register in ~2 min, then a new AMI never registers; step 10, 60 tasks',
    seed: 115,
    durationMs: DURATION,
    loopGroups: ['cp-history'],
    withinLaunches: 10,
    build(w) {
      w.addGroup(
        group({
          name: 'cp-history',
          maxSize: 100,
          behaviour: (n) =>
            n < 8 ? { kind: 'healthy', registerAfterMs: 30 * SECOND } : { kind: 'never-register' },
          capacityProvider: {
            name: 'cp-history',
            cluster: 'history',
            managedTerminationProtection: true,
            scaleIntervalMs: 5 * MINUTE,
            scaleJitterMs: MINUTE,
            maxStep: 10,
            warmupMs: 300 * SECOND,
          },
        }),
      );
      w.addCluster('history', (t) => (t >= SIM_T0 + 60 * MINUTE ? 68 : t >= SIM_T0 + 5 * MINUTE ? 8 : 0));
    },
  },
  {
    name: 'loop-replacement-storm-200',
    description:
      '200 instances fail their ELB health check 1-2 min after the grace period; every one is replaced',
    seed: 116,
    durationMs: HOUR,
    loopGroups: ['storm'],
    withinLaunches: 400,
    build(w) {
      w.addGroup(
        group({
          name: 'storm',
          maxSize: 200,
          healthCheckType: 'ELB',
          gracePeriodS: 60,
          behaviour: (_n, rnd) => ({
            kind: 'unhealthy-after',
            afterGraceMs: MINUTE + Math.round(rnd() * MINUTE),
          }),
        }),
      );
      w.at(SIM_T0 + 5 * MINUTE, (x) => x.setDesired('storm', 200, { kind: 'user-set' }));
    },
  },
  {
    name: 'healthy-scale-out-40',
    description: 'a user sets desired 5 -> 45 at once; policy scales back to 5 after 90 min',
    seed: 201,
    durationMs: DURATION,
    loopGroups: [],
    build(w) {
      w.addGroup(group({ name: 'api', initialInstances: 5, maxSize: 60 }));
      w.at(SIM_T0 + 30 * MINUTE, (x) => x.setDesired('api', 45, { kind: 'user-set' }));
      w.at(SIM_T0 + 2 * HOUR, (x) => x.setDesired('api', 5, { kind: 'policy', policy: 'cpu-tracker' }));
    },
  },
  {
    name: 'healthy-instance-refresh-30',
    description: 'instance refresh of 30 instances, 3 at a time, 5 min warm-up',
    seed: 202,
    durationMs: DURATION,
    loopGroups: [],
    build(w) {
      w.addGroup(group({ name: 'fleet', initialInstances: 30, maxSize: 40 }));
      w.at(SIM_T0 + 20 * MINUTE, (x) => x.startInstanceRefresh('fleet', 3, 5 * MINUTE));
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
        group({
          name: 'jobs-cp',
          initialInstances: 2,
          maxSize: 30,
          bootMs: [7 * MINUTE, 8 * MINUTE],
          behaviour: () => ({ kind: 'healthy', registerAfterMs: 30 * SECOND }),
          capacityProvider: {
            name: 'cp-jobs',
            cluster: 'jobs',
            managedTerminationProtection: true,
            scaleIntervalMs: MINUTE,
            maxStep: 10,
            warmupMs: 10 * MINUTE,
          },
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
        group({
          name: 'jobs-hist',
          initialInstances: 2,
          maxSize: 30,
          bootMs: [7 * MINUTE, 8 * MINUTE],
          behaviour: () => ({ kind: 'healthy', registerAfterMs: 30 * SECOND }),
          capacityProvider: {
            name: 'cp-jobs-hist',
            cluster: 'jobs-hist',
            managedTerminationProtection: false,
            scaleIntervalMs: MINUTE,
            maxStep: 10,
            warmupMs: 10 * MINUTE,
          },
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
