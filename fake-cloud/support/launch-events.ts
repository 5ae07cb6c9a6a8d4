/**
 * EventBridge launch events for tests, made from the real Auto Scaling RunInstances capture
 * (`derived-eventbridge-runinstances-asg-slr.json`): only ids, names and times are changed.
 */
import { loadFixture } from './fixtures';

const TEMPLATE = 'derived-eventbridge-runinstances-asg-slr.json';
let seq = 0;

/** What a test may set on a launch event. */
export interface LaunchEventSpec {
  readonly group?: string;
  readonly instanceIds: readonly string[];
  readonly imageId?: string;
  /** Epoch ms. */
  readonly time: number;
  readonly eventId?: string;
  readonly region?: string;
  readonly account?: string;
}

/** A 17-hex-digit instance id from a number. */
export function instanceId(n: number): string {
  return `i-${n.toString(16).padStart(17, '0')}`;
}

/** One successful Auto Scaling RunInstances, wrapped as EventBridge delivers it. */
export function launchEvent(spec: LaunchEventSpec): Record<string, unknown> {
  // biome-ignore lint/suspicious/noExplicitAny: a deep edit of a known fixture's JSON
  const event = structuredClone(loadFixture(TEMPLATE)) as Record<string, any>;
  const detail = event.detail;
  const iso = new Date(spec.time).toISOString().replace('.000Z', 'Z');
  const eventId = spec.eventId ?? `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;
  detail.eventTime = iso;
  detail.eventID = eventId;
  event.id = `eb-${eventId}`;
  event.time = iso;
  if (spec.region) {
    detail.awsRegion = spec.region;
    event.region = spec.region;
  }
  if (spec.account) {
    detail.recipientAccountId = spec.account;
    event.account = spec.account;
  }
  const item = detail.responseElements.instancesSet.items[0];
  detail.responseElements.instancesSet.items = spec.instanceIds.map((id, i) => {
    const copy = structuredClone(item);
    copy.instanceId = id;
    copy.amiLaunchIndex = i;
    if (spec.imageId) copy.imageId = spec.imageId;
    copy.tagSet.items = copy.tagSet.items.filter(
      (t: { key: string }) => t.key !== 'aws:autoscaling:groupName',
    );
    if (spec.group) copy.tagSet.items.push({ key: 'aws:autoscaling:groupName', value: spec.group });
    return copy;
  });
  detail.requestParameters.instancesSet.items = [
    { minCount: spec.instanceIds.length, maxCount: spec.instanceIds.length },
  ];
  return event;
}

/** A bare CloudTrail record as EventBridge delivers it: in an `AWS API Call via CloudTrail` envelope. */
export function inCloudTrailEnvelope(detail: Record<string, unknown>, id: string): Record<string, unknown> {
  return {
    version: '0',
    id,
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.ec2',
    account: '111122223333',
    region: 'us-east-1',
    time: '2024-01-01T00:00:00Z',
    detail,
  };
}

/**
 * The request of an instant CreateFleet for the fixture's launch template, as CloudTrail records
 * it (no CreateFleet fixture exists): `tags` are the instances' tag specification.
 */
export function createFleetRequest(
  totalCapacity: unknown,
  tags: readonly unknown[],
): Record<string, unknown> {
  return {
    CreateFleetRequest: {
      Type: 'instant',
      TargetCapacitySpecification: {
        TotalTargetCapacity: totalCapacity,
        DefaultTargetCapacityType: 'on-demand',
      },
      LaunchTemplateConfigs: {
        LaunchTemplateSpecification: { LaunchTemplateId: 'lt-07a0b5cea4ece8ffd', Version: '1' },
        tag: 1,
      },
      TagSpecification: { ResourceType: 'instance', tag: 1, Tag: tags },
    },
  };
}
