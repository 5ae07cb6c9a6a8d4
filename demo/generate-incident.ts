/**
 * Writes `demo/examples/incident-events.jsonl`: the incident's events as EventBridge delivers
 * them, one JSON object per line, in delivery order. Launches are `AWS API Call via CloudTrail`
 * RunInstances records made by the Auto Scaling service-linked role (shaped like the real
 * records in `test/fixtures/cloudtrail`, e.g. `derived-eventbridge-runinstances-asg-slr.json`:
 * group name only in the instance's `tagSet`, AMI only in `responseElements`, launch template in
 * the request); terminations are Auto Scaling's own `EC2 Instance Terminate Successful` events.
 *
 * Run: `npx tsx demo/generate-incident.ts` (the output is kept in the repository; a test checks
 * that it is up to date).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INCIDENT, instanceId } from './incident';

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
  return {
    version: '0',
    id: uuid(1, n),
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ec2',
    account: I.account,
    time,
    region: I.region,
    resources: [],
    detail: {
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
    },
  };
}

/** Auto Scaling's event for the termination of launch n's instance. */
export function terminateEvent(n: number, at: number): Record<string, unknown> {
  const id = instanceId(n);
  const time = cloudTrailTime(at);
  return {
    version: '0',
    id: uuid(4, n),
    'detail-type': 'EC2 Instance Terminate Successful',
    source: 'aws.autoscaling',
    account: I.account,
    time,
    region: I.region,
    resources: [
      `arn:aws:autoscaling:${I.region}:${I.account}:autoScalingGroup:6f4c2b1a-0000-4000-8000-00000000e5c5:autoScalingGroupName/${I.groupName}`,
      `arn:aws:ec2:${I.region}:${I.account}:instance/${id}`,
    ],
    detail: {
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
      Cause: `At ${time} an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped.`,
    },
  };
}

/** One delivered event and when it happened. */
export interface IncidentEvent {
  readonly at: number;
  readonly event: Record<string, unknown>;
}

/**
 * The incident's events in delivery order: the loop's launches and terminations, then the
 * launches that were already in flight when the guard suspended Launch.
 *
 * @param start the time of the first launch (the demo moves the incident to the last hour)
 */
export function incidentEvents(start: number = I.start): IncidentEvent[] {
  const out: IncidentEvent[] = [];
  const total = I.launchesBeforeTrip + I.launchesInFlight;
  for (let n = 0; n < total; n += 1) {
    const inFlight = n >= I.launchesBeforeTrip;
    const at = inFlight
      ? start + (I.launchesBeforeTrip - 1) * I.everyMinutes * 60_000 + (n - I.launchesBeforeTrip + 1) * 40_000
      : start + n * I.everyMinutes * 60_000 + (n % 3) * 1_000;
    out.push({ at, event: launchEvent(n, at) });
    // The last launches stay in service in the story's time frame (not terminated yet).
    if (n < I.launchesBeforeTrip - 1) {
      const end = at + I.terminateAfterSeconds * 1_000;
      out.push({ at: end, event: terminateEvent(n, end) });
    }
  }
  // The in-flight launches reach the guard after the trip (CloudTrail delivers minutes late).
  const beforeTrip = out.filter((e) => !isInFlight(e));
  const inFlight = out.filter(isInFlight);
  beforeTrip.sort((a, b) => a.at - b.at);
  return [...beforeTrip, ...inFlight];
}

function isInFlight(e: IncidentEvent): boolean {
  const detail = e.event['detail'] as { eventName?: string; responseElements?: unknown };
  if (detail.eventName !== 'RunInstances') return false;
  const items = (detail.responseElements as { instancesSet: { items: { instanceId: string }[] } })
    .instancesSet.items;
  const n = Array.from({ length: I.launchesBeforeTrip + I.launchesInFlight }, (_, k) =>
    instanceId(k),
  ).indexOf(items[0]!.instanceId);
  return n >= I.launchesBeforeTrip;
}

/** The JSON Lines text of the incident (what `demo/examples/incident-events.jsonl` holds). */
export function incidentJsonl(): string {
  return `${incidentEvents()
    .map((e) => JSON.stringify(e.event))
    .join('\n')}\n`;
}

export const EXAMPLE_PATH = join(__dirname, 'examples', 'incident-events.jsonl');

if (require.main === module) {
  writeFileSync(EXAMPLE_PATH, incidentJsonl());
  process.stdout.write(`wrote ${EXAMPLE_PATH}\n`);
}
