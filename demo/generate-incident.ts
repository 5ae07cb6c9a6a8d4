/**
 * Writes `demo/examples/incident-events.jsonl` (the default variant) and
 * `demo/examples/incident-events-replace.jsonl`: the loop's events as EventBridge delivers them,
 * one JSON object per line, in delivery order, for the loop's first hour left alone (the demo
 * stops playing launches once the guard suspended Launch). Launches are `AWS API Call via
 * CloudTrail` RunInstances records made by the Auto Scaling service-linked role (shaped like the
 * real records in `test/fixtures/cloudtrail`, e.g. `derived-eventbridge-runinstances-asg-slr.json`:
 * group name only in the instance's `tagSet`, AMI only in `responseElements`, launch template in
 * the request); terminations are Auto Scaling's own `EC2 Instance Terminate Successful` events.
 *
 * Delivery: CloudTrail hands a record to EventBridge 2 to 6 minutes after the call (so launches
 * can arrive out of order); Auto Scaling's own events arrive within a minute. The delays are
 * fixed pseudo-random numbers, so every run is the same.
 *
 * Run: `npx tsx demo/generate-incident.ts` (the output is kept in the repository; a test checks
 * that it is up to date).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INCIDENT, instanceId, LOOP, VARIANTS, type Variant } from './incident';

const I = INCIDENT;

/** A deterministic UUID-shaped id from a label and a number. */
function uuid(label: number, n: number): string {
  const hex = ((label * 0x9e3779b1 + n * 0x85ebca6b) >>> 0).toString(16).padStart(8, '0');
  const tail = ((n * 0x27d4eb2f + label) >>> 0).toString(16).padStart(8, '0');
  return `${hex}-${tail.slice(0, 4)}-4${tail.slice(4, 7)}-8${hex.slice(0, 3)}-${tail}${hex.slice(4)}`;
}

function cloudTrailTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The RunInstances record of launch n, in its EventBridge envelope. */
export function launchEvent(n: number, at: number): Record<string, unknown> {
  const id = instanceId(n);
  const fleet = `fleet-${uuid(7, n)}`;
  const time = cloudTrailTime(at);
  return envelope(uuid(1, n), 'AWS API Call via CloudTrail', 'aws.ec2', time, [], {
    eventVersion: '1.10',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLEAUTOSCALING:AutoScaling',
      arn: `arn:aws:sts::${I.account}:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling`,
      accountId: I.account,
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEXAMPLEAUTOSCALING',
          arn: `arn:aws:iam::${I.account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
          accountId: I.account,
          userName: 'AWSServiceRoleForAutoScaling',
        },
        attributes: { creationDate: time, mfaAuthenticated: 'false' },
      },
      invokedBy: 'autoscaling.amazonaws.com',
    },
    eventTime: time,
    eventSource: 'ec2.amazonaws.com',
    eventName: 'RunInstances',
    awsRegion: I.region,
    sourceIPAddress: 'autoscaling.amazonaws.com',
    userAgent: 'autoscaling.amazonaws.com',
    requestParameters: {
      instancesSet: { items: [{ minCount: 1, maxCount: 1 }] },
      instanceType: I.instanceType,
      blockDeviceMapping: {},
      availabilityZone: I.availabilityZone,
      monitoring: { enabled: false },
      subnetId: I.subnetId,
      disableApiTermination: false,
      disableApiStop: false,
      clientToken: `${fleet}-0`,
      launchTemplate: { launchTemplateId: I.launchTemplateId, version: '3' },
    },
    responseElements: {
      requestId: uuid(2, n),
      reservationId: `r-0${(0x3b1f00aa + n).toString(16)}c2d9e1f07`,
      ownerId: I.account,
      groupSet: {},
      instancesSet: {
        items: [
          {
            instanceId: id,
            imageId: I.imageId,
            instanceState: { code: 0, name: 'pending' },
            privateDnsName: `ip-10-20-${(n * 7) % 250}-${(n * 13) % 250}.${I.region}.compute.internal`,
            amiLaunchIndex: 0,
            productCodes: {},
            instanceType: I.instanceType,
            launchTime: at,
            placement: { availabilityZone: I.availabilityZone, tenancy: 'default' },
            monitoring: { state: 'disabled' },
            subnetId: I.subnetId,
            stateReason: { code: 'pending', message: 'pending' },
            architecture: 'x86_64',
            rootDeviceType: 'ebs',
            rootDeviceName: '/dev/xvda',
            blockDeviceMapping: {},
            virtualizationType: 'hvm',
            clientToken: `${fleet}-0`,
            tagSet: {
              items: [
                { key: 'aws:ec2launchtemplate:id', value: I.launchTemplateId },
                { key: 'aws:ec2launchtemplate:version', value: '3' },
                { key: 'AmazonECSManaged', value: '' },
                { key: 'aws:autoscaling:groupName', value: I.groupName },
                { key: 'aws:ec2:fleet-id', value: fleet },
              ],
            },
            hypervisor: 'xen',
            iamInstanceProfile: {
              arn: `arn:aws:iam::${I.account}:instance-profile/ecs-inferentia-instance`,
              id: 'AIPAEXAMPLEECSINSTANCE',
            },
            currentInstanceBootMode: 'legacy-bios',
          },
        ],
      },
    },
    requestID: uuid(2, n),
    eventID: uuid(3, n),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: I.account,
    eventCategory: 'Management',
  });
}

/** Auto Scaling's event for the termination of launch n's instance (its health check took it out at `at`). */
export function terminateEvent(n: number, at: number): Record<string, unknown> {
  const id = instanceId(n);
  const time = cloudTrailTime(at);
  const resources = [
    `arn:aws:autoscaling:${I.region}:${I.account}:autoScalingGroup:6f4c2b1a-0000-4000-8000-00000000e5c5:autoScalingGroupName/${I.groupName}`,
    `arn:aws:ec2:${I.region}:${I.account}:instance/${id}`,
  ];
  return envelope(uuid(4, n), 'EC2 Instance Terminate Successful', 'aws.autoscaling', time, resources, {
    StatusCode: 'InProgress',
    Description: `Terminating EC2 instance: ${id}`,
    AutoScalingGroupName: I.groupName,
    ActivityId: uuid(5, n),
    Details: { 'Availability Zone': I.availabilityZone, 'Subnet ID': I.subnetId },
    RequestId: uuid(5, n),
    StatusMessage: '',
    EndTime: time,
    EC2InstanceId: id,
    StartTime: time,
    Cause: healthCause(at),
  });
}

/** An EventBridge event of the incident's account and region. */
function envelope(
  id: string,
  detailType: string,
  source: string,
  time: string,
  resources: readonly string[],
  detail: Record<string, unknown>,
): Record<string, unknown> {
  return {
    version: '0',
    id,
    'detail-type': detailType,
    source,
    account: I.account,
    time,
    region: I.region,
    resources,
    detail,
  };
}

/**
 * Auto Scaling's Cause for an instance its EC2 health check found stopped (the phrase as AWS
 * writes it; test/fixtures/autoscaling/causes.json).
 */
export function healthCause(at: number): string {
  return `At ${cloudTrailTime(at)} an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped.`;
}

/** The ECS managed scaling policy's name (ECS names it `ECSManagedAutoScalingPolicy-<uuid>`). */
const ECS_POLICY = 'ECSManagedAutoScalingPolicy-2f1c3e5a-7b0d-4d2b-9e8f-0a1b2c3d4e5f';

/**
 * Auto Scaling's Cause for a launch: managed scaling raised the desired capacity from `from`, or
 * a replacement of an unhealthy instance. The phrases are AWS's (Auto Scaling activity history;
 * two spaces between sentences).
 */
export function launchCause(at: number, why: { readonly from: number } | 'replacement'): string {
  if (why === 'replacement')
    return `At ${cloudTrailTime(at)} an instance was launched in response to an unhealthy instance needing to be replaced.`;
  const alarmAt = cloudTrailTime(at - 12_000);
  return `At ${alarmAt} a monitor alarm TargetTracking-${ECS_POLICY.slice(0, 32)}-AlarmHigh-6c1d2e3f in state ALARM triggered policy ${ECS_POLICY} changing the desired capacity from ${why.from} to ${why.from + 1}.  At ${cloudTrailTime(at)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${why.from} to ${why.from + 1}.`;
}

/** One launch of the loop left alone, and what becomes of its instance (epoch ms). */
export interface LoopLaunch {
  /** 1 for the first launch. */
  readonly n: number;
  readonly instanceId: string;
  readonly at: number;
  readonly inServiceAt: number;
  readonly cause: string;
  /** `replace`: when the instance shuts itself down, its health check takes it out, and it is gone. */
  readonly stopsAt?: number;
  readonly terminateAt?: number;
  readonly terminatedAt?: number;
}

/** The loop's launches, left alone, in launch order. */
export function loopLaunches(variant: Variant, start: number = I.start): LoopLaunch[] {
  const out: LoopLaunch[] = [];
  for (let k = 0; k < LOOP[variant].launches; k += 1) {
    const n = k + 1;
    const at = start + k * LOOP[variant].everySeconds * 1000 + (k % 3) * 1000;
    const base = { n, instanceId: instanceId(k), at, inServiceAt: at + I.inServiceAfterSeconds * 1000 };
    if (variant === 'unregistered') {
      out.push({ ...base, cause: launchCause(at, { from: k }) });
      continue;
    }
    const r = LOOP.replace;
    out.push({
      ...base,
      cause: launchCause(at, k === 0 ? { from: 0 } : 'replacement'),
      stopsAt: at + r.stopsAfterSeconds * 1000,
      terminateAt: at + r.terminateAfterSeconds * 1000,
      terminatedAt: at + r.terminatedAfterSeconds * 1000,
    });
  }
  return out;
}

/** One delivered event: what happened when, and when EventBridge handed it to the function. */
export interface IncidentEvent {
  readonly kind: 'launch' | 'terminate';
  /** The launch it belongs to (1 for the first). */
  readonly n: number;
  readonly instanceId: string;
  /** When it happened. */
  readonly at: number;
  /** When it reaches the function. */
  readonly deliveredAt: number;
  readonly event: Record<string, unknown>;
}

/** A fixed pseudo-random whole number in [lo, hi] for (n, salt). */
function jitter(n: number, salt: number, lo: number, hi: number): number {
  const x = Math.imul(n * 0x9e3779b1 + salt * 0x85ebca6b, 0x27d4eb2f) >>> 0;
  return lo + (x % (hi - lo + 1));
}

/** CloudTrail's delay for launch n: 2 to 6 minutes (whole seconds). */
export function cloudTrailDelayMs(variant: Variant, n: number): number {
  return jitter(n, variant === 'unregistered' ? 21 : 23, 120, 360) * 1000;
}

/**
 * The loop's events in delivery order, for its first hour left alone.
 *
 * @param start the time of the first launch
 */
export function incidentEvents(variant: Variant = 'unregistered', start: number = I.start): IncidentEvent[] {
  const out: IncidentEvent[] = [];
  for (const l of loopLaunches(variant, start)) {
    out.push({
      kind: 'launch',
      n: l.n,
      instanceId: l.instanceId,
      at: l.at,
      deliveredAt: l.at + cloudTrailDelayMs(variant, l.n),
      event: launchEvent(l.n - 1, l.at),
    });
    if (l.terminateAt !== undefined) {
      // Auto Scaling's own event comes within a minute, without a trail.
      out.push({
        kind: 'terminate',
        n: l.n,
        instanceId: l.instanceId,
        at: l.terminateAt,
        deliveredAt: (l.terminatedAt ?? l.terminateAt) + jitter(l.n, 5, 5, 40) * 1000,
        event: terminateEvent(l.n - 1, l.terminateAt),
      });
    }
  }
  return out.sort((a, b) => a.deliveredAt - b.deliveredAt || a.at - b.at);
}

/** The JSON Lines text of a variant's events (what its kept example file holds). */
export function incidentJsonl(variant: Variant = 'unregistered'): string {
  return `${incidentEvents(variant)
    .map((e) => JSON.stringify(e.event))
    .join('\n')}\n`;
}

/** The kept example file of each variant. */
export const EXAMPLE_PATHS: Readonly<Record<Variant, string>> = {
  unregistered: join(__dirname, 'examples', 'incident-events.jsonl'),
  replace: join(__dirname, 'examples', 'incident-events-replace.jsonl'),
};

if (require.main === module) {
  for (const variant of VARIANTS) {
    writeFileSync(EXAMPLE_PATHS[variant], incidentJsonl(variant));
    process.stdout.write(`wrote ${EXAMPLE_PATHS[variant]}\n`);
  }
}
