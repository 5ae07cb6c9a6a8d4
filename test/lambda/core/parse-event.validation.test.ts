/**
 * parseEvent: identifiers checked against AWS's formats, and Auto Scaling's warm-pool moves.
 */
import { describe, expect, it } from 'vitest';
import { NOT_LAUNCH_REASON, ORIGIN_DESTINATION, parseEvent } from '../../../lambda/core/parse-event';
import type { LaunchRecord } from '../../../lambda/core/types';
import { copy, type Json, parseEdited } from './parse-event-records';

const ENVELOPE = 'derived-eventbridge-runinstances-asg-slr.json';
const TWO_INSTANCES = 'runinstances-console-two-instances-mixed-ami.panther-xz.json';

const malformed = (reason: keyof typeof NOT_LAUNCH_REASON) => ({
  kind: 'not-launch',
  reason: NOT_LAUNCH_REASON[reason],
  malformed: true,
});

describe('parseEvent checks identifiers', () => {
  it.each<[string, (e: Json) => void, keyof typeof NOT_LAUNCH_REASON]>([
    [
      'a 3,965-character recipientAccountId',
      (e) => {
        e['detail']['recipientAccountId'] = '1'.repeat(3965);
      },
      'badAccount',
    ],
    ['an account of letters', (e) => (e['detail']['recipientAccountId'] = 'abcdefghijkl'), 'badAccount'],
    ['a region of no partition', (e) => (e['detail']['awsRegion'] = 'moon-base-1'), 'badRegion'],
    ['an oversized region', (e) => (e['detail']['awsRegion'] = `us-${'x'.repeat(500)}-1`), 'badRegion'],
    ['an event id with spaces', (e) => (e['detail']['eventID'] = 'not an id'), 'badEventId'],
    ['an event id of 4 KB', (e) => (e['detail']['eventID'] = 'a'.repeat(4096)), 'badEventId'],
    [
      'an event time that does not parse',
      (e) => (e['detail']['eventTime'] = '2024-13-45T99:00:00Z'),
      'badEventTime',
    ],
  ])('drops a record with %s as malformed', (_label, mutate, reason) => {
    // Act
    const parsed = parseEdited(ENVELOPE, mutate);
    // Assess
    expect(parsed).toStrictEqual(malformed(reason));
  });

  it.each<[string, (item: Json) => void, string]>([
    [
      'an instance id hundreds of characters long',
      (i) => (i['instanceId'] = `i-${'0'.repeat(600)}`),
      'badInstanceId',
    ],
    ['an AMI id hundreds of characters long', (i) => (i['imageId'] = `ami-${'f'.repeat(400)}`), 'badImageId'],
    [
      'a group name with a NUL byte',
      (i) => {
        const tag = (i['tagSet']['items'] as Json[]).find((t) => t['key'] === 'aws:autoscaling:groupName');
        tag!['value'] = 'group\u0000name';
      },
      'badGroupName',
    ],
  ])('drops one instance with %s and keeps the other, counted', (_label, mutate, reason) => {
    // Prepare: the Auto Scaling record with its instance twice, the second one broken
    const event = copy(ENVELOPE);
    const items = event['detail']['responseElements']['instancesSet']['items'] as Json[];
    const bad = structuredClone(items[0]!);
    bad['instanceId'] = 'i-0ffffffffffffffff';
    mutate(bad);
    items.push(bad);
    // Act
    const parsed = parseEvent(event) as LaunchRecord;
    // Assess
    expect(parsed.kind).toBe('launch');
    expect(parsed.instances.map((i) => i.instanceId)).toEqual(['i-07d06021b0da55115']);
    expect(parsed.droppedInstances).toBe(1);
    expect(parsed.droppedReason).toBe(NOT_LAUNCH_REASON[reason as keyof typeof NOT_LAUNCH_REASON]);
  });

  it('drops a record whose every instance is malformed, with the first reason', () => {
    // Prepare
    const event = copy(TWO_INSTANCES);
    for (const item of event['responseElements']['instancesSet']['items'] as Json[])
      item['instanceId'] = 'i-nothex!';
    // Act, Assess
    expect(parseEvent(event)).toStrictEqual(malformed('badInstanceId'));
  });

  it('keeps a well-formed record whole, with no dropped count', () => {
    const parsed = parseEvent(copy(TWO_INSTANCES)) as LaunchRecord;
    expect(parsed.instances).toHaveLength(2);
    expect(parsed).not.toHaveProperty('droppedInstances');
  });

  it('drops a truncated record whose request names a malformed group', () => {
    // Prepare: the instance list cut, the group in the request's tag specification
    const event = copy('runinstances-console-assumedrole-tagspec.panther.json');
    event['responseElements'] = { omitted: true };
    for (const spec of event['requestParameters']['tagSpecificationSet']['items'] as Json[]) {
      spec['resourceType'] = 'instance';
      spec['tags'] = [{ key: 'aws:autoscaling:groupName', value: 'x'.repeat(256) }];
    }
    // Act, Assess
    expect(parseEvent(event)).toStrictEqual(malformed('badGroupName'));
  });

  it('keeps a failed attempt but leaves out a malformed AMI', () => {
    // Prepare: the Stratus failure, with a real region and a broken AMI
    const record = copy('runinstances-failed-unauthorizedoperation.stratus.json');
    record['awsRegion'] = 'ca-central-1';
    record['requestParameters']['instancesSet']['items'][0]['imageId'] = `ami-${'z'.repeat(300)}`;
    // Act
    const parsed = parseEvent(record);
    // Assess
    expect(parsed.kind).toBe('failed');
    expect(parsed).not.toHaveProperty('imageId');
  });

  it('drops malformed ids from a termination and keeps the others', () => {
    // Prepare
    const record = copy('terminateinstances-assumedrole.panther.json');
    const items = record['responseElements']['instancesSet']['items'] as Json[];
    items.push({ ...items[0], instanceId: 'i-\u0000' });
    // Act
    const parsed = parseEvent(record);
    // Assess
    expect(parsed).toMatchObject({ kind: 'terminate', instanceIds: ['i-0d9853f67e40ab80b'] });
  });
});

// ---------------------------------------------------------------------------------------------
// Warm pools. The events below are derived from test/fixtures/cloudtrail/
// eventbridge-asg-launch-successful.aws-lambda-go.json (AWS's sample event as aws-lambda-go keeps
// it): only `detail.Origin`, `detail.Destination` and, for terminations, the detail type change.
// The fields and their values `EC2 | AutoScalingGroup | WarmPool` follow the EC2 Auto Scaling
// user guide, https://docs.aws.amazon.com/autoscaling/ec2/userguide/warm-pools-eventbridge-events.html

const LAUNCH_SUCCESSFUL = 'eventbridge-asg-launch-successful.aws-lambda-go.json';

function autoScalingEvent(
  origin: string | undefined,
  destination: string | undefined,
  detailType = 'EC2 Instance Launch Successful',
): Json {
  const event = copy(LAUNCH_SUCCESSFUL);
  event['detail-type'] = detailType;
  if (origin !== undefined) event['detail']['Origin'] = origin;
  if (destination !== undefined) event['detail']['Destination'] = destination;
  return event;
}

describe('parseEvent on warm-pool moves', () => {
  it('counts a new instance launched into the group (Origin EC2, Destination AutoScalingGroup)', () => {
    const parsed = parseEvent(autoScalingEvent('EC2', 'AutoScalingGroup')) as LaunchRecord;
    expect(parsed.kind).toBe('launch');
    expect(parsed.instances).toEqual([
      { instanceId: 'i-1234567890abcdef0', groupName: 'my-auto-scaling-group' },
    ]);
  });

  it('counts a new instance launched into the warm pool (Origin EC2, Destination WarmPool)', () => {
    const parsed = parseEvent(autoScalingEvent('EC2', 'WarmPool')) as LaunchRecord;
    expect(parsed.kind).toBe('launch');
    expect(parsed.instances[0]?.instanceId).toBe('i-1234567890abcdef0');
  });

  it('does not count a warm start (Origin WarmPool, Destination AutoScalingGroup) as a launch', () => {
    expect(parseEvent(autoScalingEvent('WarmPool', 'AutoScalingGroup'))).toStrictEqual({
      kind: 'not-launch',
      reason: NOT_LAUNCH_REASON.warmStart,
      malformed: false,
    });
  });

  it('counts an event without Origin/Destination (a group without a warm pool) as before', () => {
    expect(parseEvent(copy(LAUNCH_SUCCESSFUL)).kind).toBe('launch');
  });

  it.each([
    ['AutoScalingGroup', 'WarmPool'],
    ['WarmPool', 'WarmPool'],
    ['EC2', 'EC2'],
    ['EC2', undefined],
    ['Moon', 'AutoScalingGroup'],
  ])('drops a launch event moving %s -> %s as malformed', (origin, destination) => {
    expect(parseEvent(autoScalingEvent(origin, destination))).toStrictEqual(
      malformed('badOriginDestination'),
    );
  });

  it('reads a termination out of the group or the pool, and a return to the pool as no termination', () => {
    const terminate = 'EC2 Instance Terminate Successful';
    expect(parseEvent(autoScalingEvent('AutoScalingGroup', 'EC2', terminate)).kind).toBe('terminate');
    expect(parseEvent(autoScalingEvent('WarmPool', 'EC2', terminate)).kind).toBe('terminate');
    expect(parseEvent(autoScalingEvent('AutoScalingGroup', 'WarmPool', terminate))).toStrictEqual({
      kind: 'not-launch',
      reason: NOT_LAUNCH_REASON.returnedToWarmPool,
      malformed: false,
    });
  });

  it('decides every pair of the table, and only launches from EC2 count', () => {
    for (const [pair, move] of Object.entries(ORIGIN_DESTINATION.launch)) {
      expect(move === 'launch').toBe(pair.startsWith('EC2 ') || pair === 'absent -> absent');
    }
  });
});
