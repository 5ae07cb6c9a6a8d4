/**
 * Auto Scaling groups as `DescribeAutoScalingGroups` returns them, for tests that answer it
 * through aws-sdk-client-mock.
 */
import type { AutoScalingGroup, Instance } from '@aws-sdk/client-auto-scaling';

/** What a test may set on a group; the rest takes plain values. */
export interface GroupSpec {
  readonly tags?: Readonly<Record<string, string>>;
  /** Names of the suspended processes. */
  readonly suspended?: readonly string[];
  readonly instances?: readonly Instance[];
  /** HealthCheckGracePeriod, in seconds. */
  readonly grace?: number;
  readonly region?: string;
}

/** One group named `name`. */
export function autoScalingGroup(name: string, spec: GroupSpec = {}): AutoScalingGroup {
  const region = spec.region ?? 'eu-west-1';
  return {
    AutoScalingGroupName: name,
    AutoScalingGroupARN: `arn:aws:autoscaling:${region}:123456789012:autoScalingGroup:uuid:autoScalingGroupName/${name}`,
    MinSize: 0,
    MaxSize: 100,
    DesiredCapacity: 1,
    DefaultCooldown: 300,
    AvailabilityZones: [`${region}a`],
    HealthCheckType: 'EC2',
    HealthCheckGracePeriod: spec.grace ?? 300,
    CreatedTime: new Date(Date.UTC(2025, 0, 1)),
    Instances: [...(spec.instances ?? [])],
    Tags: Object.entries(spec.tags ?? {}).map(([Key, Value]) => ({
      Key,
      Value,
      ResourceId: name,
      ResourceType: 'auto-scaling-group',
      PropagateAtLaunch: false,
    })),
    SuspendedProcesses: (spec.suspended ?? []).map((ProcessName) => ({
      ProcessName,
      SuspensionReason: 'User suspended',
    })),
  };
}
