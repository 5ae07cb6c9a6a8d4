/**
 * The fixed strings and tables `parseEvent` reads events by: the tags and sources it looks
 * for, Auto Scaling's detail types, the reasons of a not-launch, and what a warm-pool move means.
 * Re-exported by `./parse-event.ts`.
 */
/** Upper bound on the synthetic ids one truncated record stands for (a bigger `minCount` is capped). */
export const MAX_SYNTHETIC_INSTANCES = 1000;

/** The tag that names an instance's Auto Scaling group. */
export const GROUP_TAG = 'aws:autoscaling:groupName';
/** The tag that names the launch template an instance came from. */
export const LAUNCH_TEMPLATE_TAG = 'aws:ec2launchtemplate:id';

/** The EventBridge detail type of CloudTrail's API-call events. */
export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
export const EC2_SOURCE = 'ec2.amazonaws.com';
export const AUTOSCALING_SOURCE = 'aws.autoscaling';
export const AUTOSCALING_PRINCIPAL = 'autoscaling.amazonaws.com';

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
