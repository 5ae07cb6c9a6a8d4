/**
 * # Parsing
 *
 * {@link parseEvent} turns any JSON value into one {@link ParsedEvent}. It accepts an EventBridge
 * `AWS API Call via CloudTrail` event, a bare CloudTrail record, or one of Auto Scaling's own
 * EventBridge events, and it never throws.
 *
 * What counts as a launch:
 * - **RunInstances** (ec2.amazonaws.com) without `errorCode`: one instance per
 *   `responseElements.instancesSet.items[]` entry with an `instanceId`. The AMI is the item's
 *   `imageId` (else the request's); the group is the tag `aws:autoscaling:groupName` in the
 *   item's `tagSet` (else in the request's `tagSpecificationSet` for resource type `instance`);
 *   the launch template is `requestParameters.launchTemplate.launchTemplateId` (else the tag
 *   `aws:ec2launchtemplate:id`).
 * - **Truncated RunInstances.** CloudTrail cuts oversized fields (`"omitted": true`, or the
 *   instance list is absent). A successful call whose instance list is gone still launched at
 *   least `minCount` instances (`requestParameters.instancesSet.items[0].minCount`, else
 *   `requestParameters.minCount`, else 1, at most {@link MAX_SYNTHETIC_INSTANCES}). It stands for
 *   that many synthetic ids `<eventID>#<n>` with `truncated: true`, so duplicate deliveries of the
 *   record count once; AMI, group and launch template come from the request where it names them.
 * - **CreateFleet** (ec2.amazonaws.com) without `errorCode`: the ids in
 *   `responseElements.CreateFleetResponse.fleetInstanceSet.item` (an object or an array), each
 *   item's `instanceIds` being a string, an array, or `{item: string | string[]}`. An `errorSet`
 *   beside them is a partial success: the listed instances count. The AMI is the item's
 *   `launchTemplateAndOverrides.overrides.imageId` when the request overrode it, else none; the
 *   group is the tag `aws:autoscaling:groupName` in `requestParameters.CreateFleetRequest.TagSpecification`
 *   (object or array; `Tag` object or array of `{Key, Value}`; resource type `instance` or `fleet`).
 *   A CreateFleet that lists no instance is not a launch: a `maintain`/`request` fleet launches
 *   later through RunInstances, and an `instant` fleet whose `errorSet` holds every failure is a
 *   {@link FailedAttempt}.
 * - **Truncated CreateFleet is not counted from the request.** Its `TotalTargetCapacity` is in
 *   capacity units (possibly vCPUs or memory, possibly weighted), not instances, and EC2 Fleet
 *   writes a RunInstances record (`clientToken` `fleet-…`, tag `aws:ec2:fleet-id`) for the
 *   instances it launches, which are counted from there with their real ids, AMI and group.
 *   Synthetic ids would count those instances twice, so a CreateFleet whose instance list was
 *   cut is a not-launch with the reason {@link NOT_LAUNCH_REASON.fleetTruncated}.
 * - **Auto Scaling's `EC2 Instance Launch Successful`** (source `aws.autoscaling`): one instance
 *   `detail.EC2InstanceId` in group `detail.AutoScalingGroupName`, no AMI; eventId is the
 *   envelope `id`, eventTime its `time`, the caller `autoscaling.amazonaws.com`.
 * - **Warm pools.** `detail.Origin` and `detail.Destination` say "where the instance is coming
 *   from and where it's going", each one of `EC2 | AutoScalingGroup | WarmPool` (EC2 Auto Scaling
 *   user guide, "Warm pool example events and patterns",
 *   https://docs.aws.amazon.com/autoscaling/ec2/userguide/warm-pools-eventbridge-events.html, and
 *   the event reference, https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-event-reference.html).
 *   Only `Origin: EC2` is a new instance, so {@link ORIGIN_DESTINATION} reads a launch event as:
 *   `EC2 -> AutoScalingGroup` a launch; `EC2 -> WarmPool` a launch (into the pool: the instance
 *   exists from now on); `WarmPool -> AutoScalingGroup` a warm start, not a launch (the instance
 *   was launched into the pool earlier and counted then); no `Origin` (a group without a warm
 *   pool, older events) a launch, as before. A terminate event is a termination when its
 *   `Destination` is `EC2` or absent; `AutoScalingGroup -> WarmPool` returns a live instance to
 *   the pool (instance reuse) and is not one. Any other value or pair is malformed.
 *
 * **Identifiers are checked** against AWS's formats (`./identifiers.ts`): the account (12
 * digits), the region (a partition's pattern), the event id; a record that fails is malformed.
 * Inside a launch, an instance whose id, AMI or group name is malformed is dropped alone and
 * counted in `droppedInstances`; a record left with no instance is malformed. A failed attempt
 * keeps its header but loses a malformed AMI or group; a termination drops malformed ids.
 *
 * A launch call with `errorCode` (`Client.DryRunOperation` included) launched nothing and is a
 * {@link FailedAttempt}, as is `EC2 Instance Launch Unsuccessful`. A successful
 * `TerminateInstances` and `EC2 Instance Terminate Successful` are {@link TerminationRecord}s
 * (replay uses them for churn). Everything else is a {@link NotLaunch} whose `reason` is one of
 * the fixed strings of {@link NOT_LAUNCH_REASON}; `malformed` is true when the input looked like a
 * record handled here but was broken.
 *
 * Header fields: account = `recipientAccountId`, else `userIdentity.accountId`, else the
 * envelope's `account`; region = `awsRegion`, else the envelope's `region`; caller =
 * `userIdentity.arn` (else `principalId`) and `userIdentity.invokedBy`. eventTime accepts
 * CloudTrail's `2022-10-20T14:16:43Z` and the space-separated forms `2022-10-20 14:16:43` and
 * `2024-12-16 18:41:07.000000000` (UTC when no zone is given), truncated to whole seconds.
 */

import { launchStart, readCaller, readHeader } from './event-header';
import { asObject, isObject, type Json, list, str, tagValue } from './event-json';
import {
  fleetInstanceIds,
  fleetRequestGroup,
  fleetRequestImage,
  fleetRequestTemplate,
  instanceIdsOf,
  runRequestGroup,
  runRequestImage,
  runRequestMinCount,
} from './event-request';
import {
  badScopeIds,
  CheckedInstances,
  failedAttempt,
  instance,
  launch,
  notLaunch,
  truncatedLaunch,
} from './event-results';
import { isGroupName, isInstanceId } from './identifiers';
import {
  AUTOSCALING_DETAIL_TYPE,
  AUTOSCALING_PRINCIPAL,
  AUTOSCALING_SOURCE,
  CLOUDTRAIL_DETAIL_TYPE,
  EC2_SOURCE,
  GROUP_TAG,
  LAUNCH_TEMPLATE_TAG,
  ORIGIN_DESTINATION,
  type WarmPoolMove,
} from './parse-event-terms';
import { LAUNCH_SOURCE, type ParsedEvent, type RecordHeader, type TerminationRecord } from './types';

export { parseEventTime } from './event-header';
export {
  AUTOSCALING_DETAIL_TYPE,
  CLOUDTRAIL_DETAIL_TYPE,
  GROUP_TAG,
  LAUNCH_TEMPLATE_TAG,
  MAX_SYNTHETIC_INSTANCES,
  NOT_LAUNCH_REASON,
  type NotLaunchReason,
  ORIGIN_DESTINATION,
  type WarmPoolMove,
} from './parse-event-terms';

/**
 * Parse one EventBridge event or bare CloudTrail record.
 *
 * @param input any value, typically the result of `JSON.parse`.
 * @returns a launch, a failed attempt, a termination, or a not-launch with its reason; never throws.
 * @example
 * const parsed = parseEvent(JSON.parse(line));
 * if (parsed.kind === 'launch') for (const i of parsed.instances) console.log(i.instanceId, i.groupName);
 */
export function parseEvent(input: unknown): ParsedEvent {
  if (!isObject(input)) return notLaunch('notAnObject');
  const detailType = input['detail-type'];
  if (typeof detailType === 'string' && 'detail' in input) {
    if (detailType === CLOUDTRAIL_DETAIL_TYPE) {
      const detail = input['detail'];
      if (!isObject(detail)) return notLaunch('detailNotObject', true);
      return parseRecord(detail, input);
    }
    if (input['source'] === AUTOSCALING_SOURCE) return parseAutoScaling(input, detailType);
    return notLaunch('otherDetailType');
  }
  if ('eventName' in input || 'eventSource' in input) return parseRecord(input, undefined);
  if (Array.isArray(input['Records'])) return notLaunch('logFile');
  return notLaunch('notAnEvent');
}

/** The EC2 calls the parser reads (launches, and terminations for replay's churn column). */
export const HANDLED_CALLS: ReadonlySet<string> = new Set([
  'RunInstances',
  'CreateFleet',
  'TerminateInstances',
]);

function parseRecord(record: Json, envelope: Json | undefined): ParsedEvent {
  const eventName = record['eventName'];
  if (typeof eventName !== 'string' || !HANDLED_CALLS.has(eventName)) return notLaunch('otherCall');
  const eventSource = record['eventSource'];
  if (eventSource === undefined) return notLaunch('missingEventSource', true);
  // GameLift and others have their own CreateFleet: only EC2's launches instances.
  if (eventSource !== EC2_SOURCE) return notLaunch('otherCall');

  const identity = asObject(record['userIdentity']);
  const header = readHeader({
    eventId: record['eventID'],
    eventTime: record['eventTime'],
    account: [record['recipientAccountId'], identity?.['accountId'], envelope?.['account']],
    region: [record['awsRegion'], envelope?.['region']],
    caller: readCaller(identity),
  });
  if ('kind' in header) return header;
  // An event forwarded across accounts keeps the envelope account of the account that sent it:
  // it must be the account the record is about, or the central guard would act through another
  // account's member role on the word of the sender.
  const sender = envelope?.['account'];
  if (record['recipientAccountId'] !== undefined && typeof sender === 'string' && sender !== header.account) {
    return notLaunch('accountMismatch', true);
  }

  const errorCode = record['errorCode'];
  if (errorCode !== undefined && errorCode !== null && typeof errorCode !== 'string') {
    return notLaunch('badErrorCode', true);
  }
  const failed = typeof errorCode === 'string' && errorCode !== '';
  const request = asObject(record['requestParameters']);
  const response = record['responseElements'];

  switch (eventName) {
    case 'RunInstances':
      return failed
        ? failedAttempt(header, eventName, errorCode, runRequestImage(request), runRequestGroup(request))
        : parseRunInstances(header, request, response);
    case 'CreateFleet':
      return failed
        ? failedAttempt(header, eventName, errorCode, fleetRequestImage(request), fleetRequestGroup(request))
        : parseCreateFleet(header, request, response);
    default:
      return failed ? notLaunch('failedTermination') : parseTermination(header, request, response);
  }
}

function parseRunInstances(header: RecordHeader, request: Json | undefined, response: unknown): ParsedEvent {
  if (response !== undefined && response !== null && !isObject(response))
    return notLaunch('badResponse', true);
  const instancesSet = response === null || response === undefined ? undefined : response['instancesSet'];
  const items = isObject(instancesSet) ? instancesSet['items'] : undefined;
  if (instancesSet !== undefined && !isObject(instancesSet)) return notLaunch('instancesNotArray', true);
  if (items !== undefined && !Array.isArray(items)) return notLaunch('instancesNotArray', true);

  const requestImage = runRequestImage(request);
  const requestGroup = runRequestGroup(request);
  const requestTemplate = str(asObject(request?.['launchTemplate'])?.['launchTemplateId']);

  if (items === undefined || items.length === 0) {
    // The instance list was cut (or `"omitted": true`): minCount synthetic ids stand for it.
    const bad = badScopeIds(requestImage, requestGroup);
    if (bad !== undefined) return notLaunch(bad, true);
    return truncatedLaunch(header, LAUNCH_SOURCE.runInstances, runRequestMinCount(request), {
      imageId: requestImage,
      groupName: requestGroup,
      launchTemplateId: requestTemplate,
    });
  }

  const checked = new CheckedInstances();
  for (const item of items) {
    if (!isObject(item)) continue;
    const instanceId = str(item['instanceId']);
    if (instanceId === undefined) continue;
    const tags = list(asObject(item['tagSet'])?.['items']);
    checked.add(
      instance(
        instanceId,
        str(item['imageId']) ?? requestImage,
        tagValue(tags, GROUP_TAG) ?? requestGroup,
        requestTemplate ?? tagValue(tags, LAUNCH_TEMPLATE_TAG),
        str(asObject(item['iamInstanceProfile'])?.['arn']),
      ),
    );
  }
  return checked.launch(header, LAUNCH_SOURCE.runInstances, 'noInstanceIds');
}

function parseCreateFleet(header: RecordHeader, request: Json | undefined, response: unknown): ParsedEvent {
  if (response !== undefined && response !== null && !isObject(response))
    return notLaunch('badResponse', true);
  if (response === undefined || response === null || response['omitted'] === true) {
    return notLaunch('fleetTruncated');
  }
  const fleetResponse = response['CreateFleetResponse'];
  if (fleetResponse === undefined) return notLaunch('fleetTruncated');
  if (!isObject(fleetResponse)) return notLaunch('badFleetResponse', true);

  const groupName = fleetRequestGroup(request);
  const launchTemplateId = fleetRequestTemplate(request);
  const checked = new CheckedInstances();
  for (const item of list(asObject(fleetResponse['fleetInstanceSet'])?.['item'])) {
    if (!isObject(item)) continue;
    const overrides = asObject(asObject(item['launchTemplateAndOverrides'])?.['overrides']);
    const imageId = str(overrides?.['imageId']) ?? str(overrides?.['ImageId']);
    for (const instanceId of fleetInstanceIds(item['instanceIds'])) {
      checked.add(instance(instanceId, imageId, groupName, launchTemplateId));
    }
  }
  if (checked.seen > 0) return checked.launch(header, LAUNCH_SOURCE.createFleet, 'noInstanceIds');

  // Nothing launched: every failure is in errorSet (an instant fleet that got no capacity).
  const firstError = list(asObject(fleetResponse['errorSet'])?.['item'])
    .map((e) => (isObject(e) ? str(e['errorCode']) : undefined))
    .find((code) => code !== undefined);
  if (firstError !== undefined) {
    return failedAttempt(header, 'CreateFleet', firstError, fleetRequestImage(request), groupName);
  }
  return notLaunch('fleetWithoutInstances');
}

function parseTermination(header: RecordHeader, request: Json | undefined, response: unknown): ParsedEvent {
  const fromResponse = isObject(response) ? instanceIdsOf(response['instancesSet']) : [];
  // A response cut by CloudTrail leaves the request's ids: the call succeeded, so they are terminating.
  const ids = fromResponse.length > 0 ? fromResponse : instanceIdsOf(request?.['instancesSet']);
  if (ids.length === 0) return notLaunch('noTerminatedIds', true);
  const valid = ids.filter(isInstanceId);
  if (valid.length === 0) return notLaunch('badInstanceId', true);
  const record: TerminationRecord = { ...header, kind: 'terminate', instanceIds: valid };
  return record;
}

function parseAutoScaling(event: Json, detailType: string): ParsedEvent {
  const isLaunch = detailType === AUTOSCALING_DETAIL_TYPE.launchSuccessful;
  const isFailure = detailType === AUTOSCALING_DETAIL_TYPE.launchUnsuccessful;
  const isTermination = detailType === AUTOSCALING_DETAIL_TYPE.terminateSuccessful;
  if (!isLaunch && !isFailure && !isTermination) return notLaunch('otherAutoScalingEvent');

  const detail = asObject(event['detail']);
  if (detail === undefined) return notLaunch('detailNotObject', true);
  const header = readHeader({
    eventId: event['id'],
    eventTime: launchStart(event['time'], detail['StartTime']),
    account: [event['account']],
    region: [event['region']],
    caller: { invokedBy: AUTOSCALING_PRINCIPAL },
  });
  if ('kind' in header) return header;
  const groupName = str(detail['AutoScalingGroupName']);
  if (groupName === undefined) return notLaunch('missingAsgGroup', true);
  if (!isGroupName(groupName)) return notLaunch('badGroupName', true);
  if (isFailure) {
    return failedAttempt(
      header,
      detailType,
      str(detail['StatusCode']) ?? 'LaunchUnsuccessful',
      undefined,
      groupName,
    );
  }
  const instanceId = str(detail['EC2InstanceId']);
  if (instanceId === undefined) return notLaunch('missingAsgInstance', true);
  if (!isInstanceId(instanceId)) return notLaunch('badInstanceId', true);
  const move = originDestination(detail, isTermination ? 'terminate' : 'launch');
  if (move === undefined) return notLaunch('badOriginDestination', true);
  if (move === 'warm-start') return notLaunch('warmStart');
  if (move === 'returned-to-pool') return notLaunch('returnedToWarmPool');
  if (isTermination) {
    const record: TerminationRecord = { ...header, kind: 'terminate', instanceIds: [instanceId], groupName };
    return record;
  }
  return launch(header, LAUNCH_SOURCE.autoScaling, [{ instanceId, groupName }], false);
}

/** What the event's `Origin -> Destination` means, or undefined for an unknown value or pair. */
function originDestination(detail: Json, kind: keyof typeof ORIGIN_DESTINATION): WarmPoolMove | undefined {
  const place = (v: unknown) => (v === undefined || v === null || v === '' ? 'absent' : String(v));
  const pair = `${place(detail['Origin'])} -> ${place(detail['Destination'])}`;
  const table: Readonly<Record<string, WarmPoolMove>> = ORIGIN_DESTINATION[kind];
  return Object.hasOwn(table, pair) ? table[pair] : undefined;
}
