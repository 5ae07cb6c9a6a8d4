/**
 * The incident the demo plays, as data: an ECS capacity-provider group whose launch template
 * points at an AMI whose instances never join the cluster. Auto Scaling launches one, finds it
 * unhealthy a few minutes later, terminates it and launches the next, about every 4 minutes.
 */

export const INCIDENT = {
  account: '123456789012',
  region: 'eu-west-1',
  groupName: 'ecs-inferentia-cp-asg',
  cluster: 'inference-prod',
  imageId: 'ami-0c4f2a8e9d17b3a56',
  imageName: 'al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64',
  launchTemplateId: 'lt-0e1d2c3b4a5968778',
  instanceType: 'inf2.xlarge',
  subnetId: 'subnet-0a1b2c3d4e5f60789',
  availabilityZone: 'eu-west-1a',
  /** The first launch of the loop. */
  start: Date.UTC(2025, 11, 10, 2, 14, 7),
  /** Minutes between two launches of the loop. */
  everyMinutes: 4,
  /** Seconds after its launch that Auto Scaling terminates an instance that never registered. */
  terminateAfterSeconds: 215,
  /** Launches before the guard's suspension (the 10th trips the default threshold of 10 in 1 h). */
  launchesBeforeTrip: 10,
  /**
   * Launches that Auto Scaling made while the guard was still reading the 10th launch (CloudTrail
   * delivers minutes late), so they reach the guard after its suspension.
   */
  launchesInFlight: 2,
  healthCheckGracePeriod: 300,
} as const;

/** A deterministic instance id for launch n (17 hex digits). */
export function instanceId(n: number): string {
  return `i-05a3c9e17${(0x2d4f0e1 + n * 0x9e377).toString(16).padStart(8, '0')}`;
}
