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
import { isAccountId, isEventId, isGroupName, isImageId, isInstanceId, isRegion } from './identifiers';
import {
  type Caller,
  type FailedAttempt,
  LAUNCH_SOURCE,
  type LaunchedInstance,
  type LaunchRecord,
  type LaunchSource,
  type NotLaunch,
  type ParsedEvent,
  type RecordHeader,
  type TerminationRecord,
} from './types';

/** Upper bound on the synthetic ids one truncated record stands for (a bigger `minCount` is capped). */
export const MAX_SYNTHETIC_INSTANCES = 1000;

/** The tag that names an instance's Auto Scaling group. */
export const GROUP_TAG = 'aws:autoscaling:groupName';
/** The tag that names the launch template an instance came from. */
export const LAUNCH_TEMPLATE_TAG = 'aws:ec2launchtemplate:id';

/** The EventBridge detail type of CloudTrail's API-call events. */
export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
const EC2_SOURCE = 'ec2.amazonaws.com';
const AUTOSCALING_SOURCE = 'aws.autoscaling';
const AUTOSCALING_PRINCIPAL = 'autoscaling.amazonaws.com';

/** Auto Scaling's own EventBridge detail types that the parser handles. */
export const AUTOSCALING_DETAIL_TYPE = {
  launchSuccessful: 'EC2 Instance Launch Successful',
  launchUnsuccessful: 'EC2 Instance Launch Unsuccessful',
  terminateSuccessful: 'EC2 Instance Terminate Successful',
} as const;

/** Every reason a {@link NotLaunch} can carry: fixed strings, safe as metric dimensions. */
export const NOT_LAUNCH_REASON = {
  // Irrelevant input (malformed: false).
  notAnObject: 'not a JSON object',
  logFile: 'a CloudTrail log file ({"Records": [...]}), not one record',
  notAnEvent: 'neither a CloudTrail record nor an EventBridge event',
  otherDetailType: 'an EventBridge event of another type',
  otherAutoScalingEvent: 'an Auto Scaling event other than launch or terminate',
  otherCall: 'not a RunInstances, CreateFleet or TerminateInstances call by EC2',
  failedTermination: 'a failed TerminateInstances call',
  fleetWithoutInstances: 'a CreateFleet that lists no instance',
  fleetTruncated: 'a CreateFleet whose instance list CloudTrail cut: counted from its RunInstances records',
  // Broken input that looked like ours (malformed: true).
  detailNotObject: 'the CloudTrail event detail is not an object',
  missingEventSource: 'eventSource is missing',
  missingEventId: 'eventID (or the event id) is missing',
  badEventTime: 'eventTime (or the event time) is missing or unparsable',
  missingAccount: 'no account id',
  missingRegion: 'no region',
  badErrorCode: 'errorCode is not a string',
  badResponse: 'responseElements is not an object',
  instancesNotArray: 'instancesSet.items is not an array',
  noInstanceIds: 'no instance item has an instanceId',
  badFleetResponse: 'CreateFleetResponse is not an object',
  noTerminatedIds: 'a TerminateInstances without instance ids',
  missingAsgInstance: 'the Auto Scaling event has no EC2InstanceId',
  missingAsgGroup: 'the Auto Scaling event has no AutoScalingGroupName',
  badEventId: 'eventID (or the event id) is not letters, digits and dashes of at most 128 characters',
  badAccount: 'the account id is not 12 digits',
  accountMismatch:
    "the envelope's account differs from the record's recipientAccountId (a forwarded event that names another account)",
  badRegion: 'the region is not a region name of an AWS partition',
  badInstanceId: 'no instance id is i- followed by 8 or 17 hex digits',
  badImageId: 'the AMI id is not ami- followed by 8 or 17 hex digits',
  badGroupName: 'the Auto Scaling group name is empty, over 255 characters, or holds a control character',
  badOriginDestination: 'the Auto Scaling event has an unknown Origin/Destination',
  // Irrelevant input again (malformed: false), Auto Scaling's warm pools.
  warmStart: 'a warm start: an instance moved from the warm pool into the group, launched earlier',
  returnedToWarmPool: 'an instance returned to the warm pool on scale-in, not terminated',
} as const;
export type NotLaunchReason = (typeof NOT_LAUNCH_REASON)[keyof typeof NOT_LAUNCH_REASON];

type Json = { readonly [key: string]: unknown };

/**
 * What each `Origin -> Destination` pair of Auto Scaling's launch and terminate events means.
 * `absent` stands for an event without the fields (a group without a warm pool).
 */
export const ORIGIN_DESTINATION = {
  launch: {
    'absent -> absent': 'launch',
    'EC2 -> AutoScalingGroup': 'launch',
    'EC2 -> WarmPool': 'launch',
    'WarmPool -> AutoScalingGroup': 'warm-start',
  },
  terminate: {
    'absent -> absent': 'terminate',
    'AutoScalingGroup -> EC2': 'terminate',
    'WarmPool -> EC2': 'terminate',
    'AutoScalingGroup -> WarmPool': 'returned-to-pool',
  },
} as const satisfies Record<'launch' | 'terminate', Record<string, WarmPoolMove>>;

/** What an Auto Scaling event's move is: a new instance, a warm start, an end, a return to the pool. */
export type WarmPoolMove = 'launch' | 'warm-start' | 'terminate' | 'returned-to-pool';

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

// ---------------------------------------------------------------------------------------------
// Header

interface HeaderInput {
  readonly eventId: unknown;
  readonly eventTime: unknown;
  readonly account: readonly unknown[];
  readonly region: readonly unknown[];
  readonly caller: Caller;
}

function readHeader(input: HeaderInput): RecordHeader | NotLaunch {
  const eventId = str(input.eventId);
  if (eventId === undefined) return notLaunch('missingEventId', true);
  if (!isEventId(eventId)) return notLaunch('badEventId', true);
  const eventTime = parseEventTime(input.eventTime);
  if (eventTime === undefined) return notLaunch('badEventTime', true);
  const account = firstStr(input.account);
  if (account === undefined) return notLaunch('missingAccount', true);
  if (!isAccountId(account)) return notLaunch('badAccount', true);
  const region = firstStr(input.region);
  if (region === undefined) return notLaunch('missingRegion', true);
  if (!isRegion(region)) return notLaunch('badRegion', true);
  return { account, region, eventId, eventTime, caller: input.caller };
}

function readCaller(identity: Json | undefined): Caller {
  const arn = str(identity?.['arn']) ?? str(identity?.['principalId']);
  const invokedBy = str(identity?.['invokedBy']);
  return { ...(arn === undefined ? {} : { arn }), ...(invokedBy === undefined ? {} : { invokedBy }) };
}

const TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/** How much earlier than the event an activity's `StartTime` may be and still be its launch. */
const START_BEFORE_EVENT_MS = 60 * 60_000;

/**
 * The time of an Auto Scaling event: its activity's `StartTime` (the launch itself) when that
 * is a sane time at most an hour before the event, else the event's `time` (when the instance
 * became InService, a boot later). A launch's deadline counts from its start.
 */
function launchStart(time: unknown, start: unknown): unknown {
  const at = parseEventTime(time);
  const began = parseEventTime(start);
  if (at === undefined || began === undefined || began > at || at - began > START_BEFORE_EVENT_MS)
    return time;
  return start;
}

/**
 * Read a CloudTrail or EventBridge time as epoch milliseconds truncated to whole seconds.
 *
 * Accepts `2022-10-20T14:16:43Z`, `2022-10-20T14:16:43.123Z`, `+hh:mm` offsets, and the
 * space-separated `2022-10-20 14:16:43` / `2024-12-16 18:41:07.000000000` (UTC when no zone).
 *
 * @returns the time, or undefined when the value is not such a time (or is before 1970).
 */
export function parseEventTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = TIME_PATTERN.exec(value.trim());
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 2024-02-30 over into March: reject days the month does not have.
  if (new Date(utc).getUTCDate() !== day) return undefined;
  const zone = m[7];
  let offsetMs = 0;
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2, 4));
    if (hours > 23 || minutes > 59) return undefined;
    offsetMs = sign * (hours * 60 + minutes) * 60_000;
  }
  return utc - offsetMs;
}

// ---------------------------------------------------------------------------------------------
// Request details

function runRequestItem(request: Json | undefined): Json | undefined {
  const items = asObject(request?.['instancesSet'])?.['items'];
  return Array.isArray(items) ? asObject(items[0]) : undefined;
}

function runRequestImage(request: Json | undefined): string | undefined {
  return str(runRequestItem(request)?.['imageId']) ?? str(request?.['imageId']);
}

function runRequestMinCount(request: Json | undefined): number {
  return positiveCount(runRequestItem(request)?.['minCount']) ?? positiveCount(request?.['minCount']) ?? 1;
}

function runRequestGroup(request: Json | undefined): string | undefined {
  for (const spec of list(asObject(request?.['tagSpecificationSet'])?.['items'])) {
    if (!isObject(spec) || spec['resourceType'] !== 'instance') continue;
    const group = tagValue(list(spec['tags']), GROUP_TAG);
    if (group !== undefined) return group;
  }
  return undefined;
}

function fleetRequest(request: Json | undefined): Json | undefined {
  return asObject(request?.['CreateFleetRequest']);
}

function fleetRequestGroup(request: Json | undefined): string | undefined {
  for (const spec of list(fleetRequest(request)?.['TagSpecification'])) {
    if (!isObject(spec)) continue;
    const type = spec['ResourceType'];
    if (type !== 'instance' && type !== 'fleet') continue;
    const group = tagValue(list(spec['Tag']), GROUP_TAG);
    if (group !== undefined) return group;
  }
  return undefined;
}

function fleetConfigs(request: Json | undefined): Json[] {
  return list(fleetRequest(request)?.['LaunchTemplateConfigs']).filter(isObject);
}

/** The launch template id when the request names exactly one. */
function fleetRequestTemplate(request: Json | undefined): string | undefined {
  const ids = new Set<string>();
  for (const config of fleetConfigs(request)) {
    const id = str(asObject(config['LaunchTemplateSpecification'])?.['LaunchTemplateId']);
    if (id !== undefined) ids.add(id);
  }
  return ids.size === 1 ? [...ids][0] : undefined;
}

/** The AMI when the request's overrides name exactly one. */
function fleetRequestImage(request: Json | undefined): string | undefined {
  const ids = new Set<string>();
  for (const config of fleetConfigs(request)) {
    for (const override of list(config['Overrides'])) {
      const id = isObject(override) ? str(override['ImageId']) : undefined;
      if (id !== undefined) ids.add(id);
    }
  }
  return ids.size === 1 ? [...ids][0] : undefined;
}

/** `instanceIds` of a fleet item: a string, an array, or `{item: string | string[]}`. */
function fleetInstanceIds(value: unknown): string[] {
  const inner = isObject(value) ? value['item'] : value;
  const out: string[] = [];
  for (const v of Array.isArray(inner) ? inner : [inner]) {
    const id = str(v);
    if (id !== undefined) out.push(id);
  }
  return out;
}

function instanceIdsOf(instancesSet: unknown): string[] {
  const out: string[] = [];
  for (const item of list(asObject(instancesSet)?.['items'])) {
    const id = isObject(item) ? str(item['instanceId']) : undefined;
    if (id !== undefined) out.push(id);
  }
  return out;
}

/** The value of a tag in a list of `{key, value}` (or `{Key, Value}`) objects. */
function tagValue(tags: readonly unknown[], key: string): string | undefined {
  for (const tag of tags) {
    if (!isObject(tag)) continue;
    if ((tag['key'] ?? tag['Key']) !== key) continue;
    const value = str(tag['value']) ?? str(tag['Value']);
    if (value !== undefined) return value;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Results

/** The reason an instance's identifiers are malformed, or undefined when they are well formed. */
function badScopeIds(
  imageId: string | undefined,
  groupName: string | undefined,
): keyof typeof NOT_LAUNCH_REASON | undefined {
  if (imageId !== undefined && !isImageId(imageId)) return 'badImageId';
  if (groupName !== undefined && !isGroupName(groupName)) return 'badGroupName';
  return undefined;
}

/** Collects a record's instances, dropping (and counting) those with a malformed identifier. */
class CheckedInstances {
  private readonly kept: LaunchedInstance[] = [];
  private dropped = 0;
  private firstReason: keyof typeof NOT_LAUNCH_REASON | undefined;
  /** Instances offered, kept or not. */
  seen = 0;

  add(candidate: LaunchedInstance): void {
    this.seen += 1;
    const reason = isInstanceId(candidate.instanceId)
      ? badScopeIds(candidate.imageId, candidate.groupName)
      : 'badInstanceId';
    if (reason === undefined) {
      this.kept.push(candidate);
      return;
    }
    this.dropped += 1;
    this.firstReason ??= reason;
  }

  /** The launch of the kept instances, or a malformed not-launch when none is left. */
  launch(header: RecordHeader, source: LaunchSource, none: keyof typeof NOT_LAUNCH_REASON): ParsedEvent {
    if (this.kept.length === 0) return notLaunch(this.firstReason ?? none, true);
    const record = launch(header, source, this.kept, false);
    if (this.dropped === 0) return record;
    return { ...record, droppedInstances: this.dropped, droppedReason: NOT_LAUNCH_REASON[this.firstReason!] };
  }
}

function launch(
  header: RecordHeader,
  source: LaunchSource,
  instances: LaunchedInstance[],
  truncated: boolean,
): LaunchRecord {
  return { ...header, kind: 'launch', source, instances, truncated };
}

function truncatedLaunch(
  header: RecordHeader,
  source: LaunchSource,
  count: number,
  from: {
    imageId?: string | undefined;
    groupName?: string | undefined;
    launchTemplateId?: string | undefined;
  },
): LaunchRecord {
  const instances: LaunchedInstance[] = [];
  for (let n = 0; n < count; n += 1) {
    instances.push(instance(`${header.eventId}#${n}`, from.imageId, from.groupName, from.launchTemplateId));
  }
  return launch(header, source, instances, true);
}

function instance(
  instanceId: string,
  imageId: string | undefined,
  groupName: string | undefined,
  launchTemplateId: string | undefined,
  instanceProfileArn?: string,
): LaunchedInstance {
  return {
    instanceId,
    ...(imageId === undefined ? {} : { imageId }),
    ...(groupName === undefined ? {} : { groupName }),
    ...(launchTemplateId === undefined ? {} : { launchTemplateId }),
    ...(instanceProfileArn === undefined ? {} : { instanceProfileArn }),
  };
}

function failedAttempt(
  header: RecordHeader,
  eventName: string,
  errorCode: string,
  imageId: string | undefined,
  groupName: string | undefined,
): FailedAttempt {
  return {
    ...header,
    kind: 'failed',
    eventName,
    errorCode,
    // Logged only: a malformed AMI or group is left out rather than failing the record.
    ...(imageId === undefined || !isImageId(imageId) ? {} : { imageId }),
    ...(groupName === undefined || !isGroupName(groupName) ? {} : { groupName }),
  };
}

function notLaunch(reason: keyof typeof NOT_LAUNCH_REASON, malformed = false): NotLaunch {
  return { kind: 'not-launch', reason: NOT_LAUNCH_REASON[reason], malformed };
}

// ---------------------------------------------------------------------------------------------
// JSON helpers

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asObject(value: unknown): Json | undefined {
  return isObject(value) ? value : undefined;
}

/** A non-empty string, else undefined. */
function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function firstStr(values: readonly unknown[]): string | undefined {
  for (const v of values) {
    const s = str(v);
    if (s !== undefined) return s;
  }
  return undefined;
}

/** An array as is, a lone object as a one-element list (CloudTrail's XML-born shapes), else empty. */
function list(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return isObject(value) ? [value] : [];
}

/** A whole count ≥ 1 (a number or a digit string), capped at {@link MAX_SYNTHETIC_INSTANCES}. */
function positiveCount(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isInteger(n) || n < 1) return undefined;
  return Math.min(n, MAX_SYNTHETIC_INSTANCES);
}
