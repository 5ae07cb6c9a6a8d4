/**
 * The incident the demo plays, as data, in two variants.
 *
 * - `unregistered` (the default, the incident's likely form): an ECS capacity-provider group whose
 *   instances come up `InService` and `Healthy` but never register as container instances of
 *   their cluster (the instance role lacks the ECS permissions). EC2 status checks pass, so Auto
 *   Scaling keeps them; ECS managed termination protection keeps them from scale-in; managed
 *   scaling sees tasks waiting for capacity and keeps raising the desired capacity, so Auto
 *   Scaling launches one more instance every few minutes and terminates none.
 * - `replace`: the same group, whose instances shut down during boot; Auto Scaling's EC2 health
 *   check finds each one stopped, terminates it and launches a replacement, about every 4 minutes.
 */

/** The demo's variants; the first is the default. */
export const VARIANTS = ['unregistered', 'replace'] as const;
export type Variant = (typeof VARIANTS)[number];

export const INCIDENT = {
  account: '123456789012',
  region: 'eu-west-1',
  groupName: 'ecs-inferentia-cp-asg',
  cluster: 'inference-prod',
  capacityProvider: 'inference-prod-inf2',
  imageId: 'ami-0c4f2a8e9d17b3a56',
  imageName: 'al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64',
  /**
   * The AMI the group launched until the day before (the standard Amazon Linux 2023 image the
   * Terraform lookup meant), remembered in the guard's table from those launches.
   */
  previousImageId: 'ami-0a7d1e3c5b9f24680',
  previousImageName: 'al2023-ami-2023.9.20251208.0-kernel-6.1-x86_64',
  launchTemplateId: 'lt-0e1d2c3b4a5968778',
  launchTemplateName: 'ecs-inferentia-cp',
  /** The instance profile of the launch template, and its role (which lacks the ECS permissions). */
  instanceProfile: 'ecs-inferentia-instance',
  instanceRole: 'ecs-inferentia-node-role',
  instanceType: 'inf2.xlarge',
  subnetId: 'subnet-0a1b2c3d4e5f60789',
  availabilityZone: 'eu-west-1a',
  /** The first launch of the loop. */
  start: Date.UTC(2025, 11, 10, 2, 14, 7),
  healthCheckGracePeriod: 300,
  maxSize: 20,
  /** Seconds from launch until Auto Scaling shows the instance InService (boot, no lifecycle hook). */
  inServiceAfterSeconds: 75,
} as const;

/** How each variant's loop goes, left alone. */
export const LOOP = {
  unregistered: {
    /**
     * Seconds between two launches: managed scaling's target tracking waits out the instance
     * warm-up (`instanceWarmupPeriod`, 300 s by default, ECS API reference: ManagedScaling)
     * before it counts a new instance, then raises the desired capacity again.
     */
    everySeconds: 300,
    /** Launches the kept events hold: the loop's first hour. */
    launches: 12,
  },
  replace: {
    everySeconds: 240,
    launches: 15,
    /** Seconds from launch until the instance shuts itself down. */
    stopsAfterSeconds: 150,
    /** Seconds from launch until Auto Scaling's health check takes it out of service. */
    terminateAfterSeconds: 215,
    /** Seconds Auto Scaling takes to terminate it. */
    terminatedAfterSeconds: 245,
  },
} as const;

/** A deterministic instance id for launch n (17 hex digits). */
export function instanceId(n: number): string {
  return `i-05a3c9e17${(0x2d4f0e1 + n * 0x9e377).toString(16).padStart(8, '0')}`;
}
