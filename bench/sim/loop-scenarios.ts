/** The launch loops the guard must stop (issue 8, section 5; issues 18 and 24). */
import { always, DURATION, group, neverRegistering, type Scenario } from './scenario-kit';
import { HOUR, MINUTE, SECOND, SIM_T0 } from './world-model';

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

/** The loops, in the order the simulator plays them. */
export const LOOP_SCENARIOS: readonly Scenario[] = [
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
        neverRegistering('svc-retry', 10, {
          name: 'cp-svc-retry',
          cluster: 'retry',
          managedTerminationProtection: false,
          scaleIntervalMs: MINUTE,
          maxStep: 1,
          warmupMs: 14 * MINUTE,
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
          neverRegistering(`gpu-${maxSize}`, maxSize, {
            name: `cp-gpu-${maxSize}`,
            cluster: `inference-${maxSize}`,
            managedTerminationProtection: true,
            scaleIntervalMs: MINUTE,
            maxStep: 1,
            warmupMs: 80 * SECOND,
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
          neverRegistering(`cp-step-${step}`, maxSize, {
            name: `cp-step-${step}`,
            cluster: `step-${step}`,
            managedTerminationProtection: true,
            scaleIntervalMs: 5 * MINUTE,
            scaleJitterMs: MINUTE,
            maxStep: step,
            warmupMs: 300 * SECOND,
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
];
