/**
 * The EventBridge patterns of the guard's rules, as plain data.
 *
 * The home stack and every forwarder stack use the same objects, and the pattern tests run the
 * shared CloudTrail fixtures through them.
 */
import type * as events from 'aws-cdk-lib/aws-events';

/** The CloudTrail calls that launch instances. */
export const LAUNCH_CALLS = ['RunInstances', 'CreateFleet'] as const;

/** Auto Scaling's own events (no trail needed); the terminations feed the churn check. */
export const AUTO_SCALING_EVENTS = [
  'EC2 Instance Launch Successful',
  'EC2 Instance Terminate Successful',
] as const;

/**
 * CloudTrail calls that can blind the guard. `PutEventSelectors` is included beside the three the
 * issue names because it can switch a trail's management events off without stopping it.
 */
export const TRAIL_TAMPERING_CALLS = [
  'StopLogging',
  'DeleteTrail',
  'UpdateTrail',
  'PutEventSelectors',
] as const;

/** `RunInstances` and `CreateFleet` as EventBridge delivers them from CloudTrail (failed calls included). */
export const CLOUDTRAIL_LAUNCH_PATTERN: events.EventPattern = {
  source: ['aws.ec2'],
  detailType: ['AWS API Call via CloudTrail'],
  detail: { eventSource: ['ec2.amazonaws.com'], eventName: [...LAUNCH_CALLS] },
};

/** Auto Scaling's `EC2 Instance Launch Successful` and `EC2 Instance Terminate Successful`. */
export const AUTO_SCALING_PATTERN: events.EventPattern = {
  source: ['aws.autoscaling'],
  detailType: [...AUTO_SCALING_EVENTS],
};

/** Calls that stop, delete or change any trail. */
export const TRAIL_TAMPERING_PATTERN: events.EventPattern = {
  source: ['aws.cloudtrail'],
  detailType: ['AWS API Call via CloudTrail'],
  detail: { eventSource: ['cloudtrail.amazonaws.com'], eventName: [...TRAIL_TAMPERING_CALLS] },
};

/** Every pattern the guard listens to, as a forwarder stack sends them on. */
export const GUARD_PATTERNS = {
  cloudTrailLaunch: CLOUDTRAIL_LAUNCH_PATTERN,
  autoScaling: AUTO_SCALING_PATTERN,
  trailTampering: TRAIL_TAMPERING_PATTERN,
} as const;

/**
 * A pattern in the JSON form EventBridge stores (`detail-type`, not `detailType`), as it appears
 * in the synthesized template.
 */
export function toEventBridgeJson(pattern: events.EventPattern): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(pattern)) {
    if (v === undefined) continue;
    out[k === 'detailType' ? 'detail-type' : k] = v;
  }
  return out;
}
