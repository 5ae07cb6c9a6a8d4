/** parseEvent on CloudTrail's RunInstances and TerminateInstances records, edited from the shared fixtures. */
import { describe, expect, it } from 'vitest';
import { MAX_SYNTHETIC_INSTANCES, NOT_LAUNCH_REASON, parseEvent } from '../../../lambda/core/parse-event';
import { ASG_SLR, asLaunch, copy, type Json, notLaunch, parseEdited } from './parse-event-records';

describe('parseEvent on RunInstances', () => {
  it('reads the group name from the request tagSpecificationSet when the response has no tag', () => {
    // Prepare
    const record = copy('runinstances-console-webui-assumedrole.panther.json');
    record['requestParameters']['tagSpecificationSet']['items'][0]['tags'].push({
      key: 'aws:autoscaling:groupName',
      value: 'web-asg',
    });
    // Act
    const parsed = asLaunch(parseEvent(record));
    // Assess
    expect(parsed.instances).toStrictEqual([
      { instanceId: 'i-0690cd354a0c3850c', imageId: 'ami-08e2d37b6a0129927', groupName: 'web-asg' },
    ]);
  });

  it('ignores a group tag on a tag specification for another resource type', () => {
    // Prepare
    const record = copy('runinstances-console-webui-assumedrole.panther.json');
    record['requestParameters']['tagSpecificationSet']['items'].push({
      resourceType: 'volume',
      tags: [{ key: 'aws:autoscaling:groupName', value: 'volume-asg' }],
    });
    // Act
    const parsed = asLaunch(parseEvent(record));
    // Assess
    expect(parsed.instances[0]?.groupName).toBeUndefined();
  });

  it('takes the AMI from the request when the response item names none', () => {
    // Prepare
    const record = copy('runinstances-console-single.panther-xz.json');
    delete record['responseElements']['instancesSet']['items'][0]['imageId'];
    // Act
    const parsed = asLaunch(parseEvent(record));
    // Assess
    expect(parsed.instances[0]?.imageId).toBe('ami-020a359780bc6f835');
  });

  it('takes the launch template id from the request', () => {
    // Prepare
    const record = copy('runinstances-console-single.panther-xz.json');
    record['requestParameters']['launchTemplate'] = { launchTemplateId: 'lt-0123', version: '2' };
    // Act
    const parsed = asLaunch(parseEvent(record));
    // Assess
    expect(parsed.instances[0]?.launchTemplateId).toBe('lt-0123');
  });

  it('counts a truncated instance list (omitted) as minCount synthetic ids', () => {
    // Prepare
    const record = copy('runinstances-console-webui-assumedrole.panther.json');
    record['requestParameters']['instancesSet']['items'][0]['minCount'] = 3;
    record['requestParameters']['instancesSet']['items'][0]['maxCount'] = 5;
    record['requestParameters']['tagSpecificationSet']['items'][0]['tags'].push({
      key: 'aws:autoscaling:groupName',
      value: 'web-asg',
    });
    record['responseElements'] = { omitted: true, originalSize: 312_000 };
    const eventId = '01f39d3b-4a26-4045-bb36-1e57b7d07997';
    // Act
    const parsed = asLaunch(parseEvent(record));
    // Assess
    expect(parsed.truncated).toBe(true);
    expect(parsed.instances).toStrictEqual(
      [0, 1, 2].map((n) => ({
        instanceId: `${eventId}#${n}`,
        imageId: 'ami-08e2d37b6a0129927',
        groupName: 'web-asg',
      })),
    );
  });

  it('counts a successful record with no responseElements as one truncated launch when minCount is unknown', () => {
    // Prepare
    const record = copy('runinstances-console-single.panther-xz.json');
    delete record['responseElements'];
    record['requestParameters'] = { omitted: true };
    // Act
    const parsed = asLaunch(parseEvent(record));
    // Assess
    expect(parsed.truncated).toBe(true);
    expect(parsed.instances).toStrictEqual([{ instanceId: 'cd7919fe-34a2-4d26-b038-23a2556a79fb#0' }]);
  });

  it('reads a top-level request minCount and caps absurd counts', () => {
    // Prepare
    const small = copy('runinstances-console-single.panther-xz.json');
    small['responseElements']['instancesSet'] = { items: [] };
    small['requestParameters'] = { minCount: 2 };
    const huge = copy('runinstances-console-single.panther-xz.json');
    huge['responseElements'] = null;
    huge['requestParameters']['instancesSet']['items'][0]['minCount'] = 1e12;
    // Act
    const smallParsed = asLaunch(parseEvent(small));
    const hugeParsed = asLaunch(parseEvent(huge));
    // Assess
    expect(smallParsed.instances.map((i) => i.instanceId)).toEqual([
      'cd7919fe-34a2-4d26-b038-23a2556a79fb#0',
      'cd7919fe-34a2-4d26-b038-23a2556a79fb#1',
    ]);
    expect(hugeParsed.instances).toHaveLength(MAX_SYNTHETIC_INSTANCES);
  });

  it('counts the items that have an instance id and skips the others', () => {
    // Prepare
    const record = copy('runinstances-console-two-instances-mixed-ami.panther-xz.json');
    delete record['responseElements']['instancesSet']['items'][1]['instanceId'];
    // Act
    const parsed = asLaunch(parseEvent(record));
    // Assess
    expect(parsed.instances.map((i) => i.instanceId)).toEqual(['i-00000000000000000']);
  });

  it.each([
    ['instancesSet.items is an object', (r: Json) => (r['responseElements']['instancesSet']['items'] = {})],
    ['instancesSet is a string', (r: Json) => (r['responseElements']['instancesSet'] = 'x')],
    ['no item has an instance id', (r: Json) => (r['responseElements']['instancesSet']['items'] = [{}])],
    ['responseElements is a number', (r: Json) => (r['responseElements'] = 7)],
    ['eventID is missing', (r: Json) => delete r['eventID']],
    ['eventTime is unparsable', (r: Json) => (r['eventTime'] = 'yesterday')],
    ['eventTime is February 30th', (r: Json) => (r['eventTime'] = '2024-02-30T10:00:00Z')],
    ['the account is missing', (r: Json) => delete r['recipientAccountId'] && delete r['userIdentity']],
    ['the region is missing', (r: Json) => delete r['awsRegion']],
    ['errorCode is a number', (r: Json) => (r['errorCode'] = 42)],
    ['eventSource is missing', (r: Json) => delete r['eventSource']],
  ])('reports a RunInstances record as malformed when %s', (_, mutate) => {
    // Act
    const parsed = parseEdited('runinstances-console-single.panther-xz.json', mutate);
    // Assess
    expect(parsed).toMatchObject({ kind: 'not-launch', malformed: true });
  });

  it('falls back to userIdentity.accountId, then to the envelope account and region', () => {
    // Prepare
    const bare = copy(ASG_SLR);
    delete bare['recipientAccountId'];
    const wrapped = copy('derived-eventbridge-runinstances-asg-slr.json');
    delete wrapped['detail']['recipientAccountId'];
    delete wrapped['detail']['userIdentity']['accountId'];
    delete wrapped['detail']['awsRegion'];
    wrapped['account'] = '999988887777';
    wrapped['region'] = 'eu-west-1';
    // Act
    const bareParsed = asLaunch(parseEvent(bare));
    const wrappedParsed = asLaunch(parseEvent(wrapped));
    // Assess
    expect(bareParsed.account).toBe('111122223333');
    expect([wrappedParsed.account, wrappedParsed.region]).toEqual(['999988887777', 'eu-west-1']);
  });

  it("drops an event whose envelope account differs from the record's recipientAccountId", () => {
    // Prepare: a forwarded event that names another account than the one that sent it.
    const wrapped = copy('derived-eventbridge-runinstances-asg-slr.json');
    const sameAccount = copy('derived-eventbridge-runinstances-asg-slr.json');
    wrapped['account'] = '999988887777';
    sameAccount['account'] = sameAccount['detail']['recipientAccountId'];
    // Act
    const parsed = parseEvent(wrapped);
    // Assess
    expect(parsed).toEqual(notLaunch(NOT_LAUNCH_REASON.accountMismatch, true));
    expect(asLaunch(parseEvent(sameAccount)).account).toBe(sameAccount['detail']['recipientAccountId']);
  });

  it('uses the principal id as the caller when the record has no ARN', () => {
    // Prepare
    const record = copy(ASG_SLR);
    delete record['userIdentity']['arn'];
    // Act
    const parsed = asLaunch(parseEvent(record));
    // Assess
    expect(parsed.caller).toStrictEqual({
      arn: 'PRINCIPAL_ID:AutoScaling',
      invokedBy: 'autoscaling.amazonaws.com',
    });
  });

  it('treats a RunInstances of another service as irrelevant, not malformed', () => {
    // Prepare
    const record = copy('runinstances-console-single.panther-xz.json');
    record['eventSource'] = 'gamelift.amazonaws.com';
    // Act
    const parsed = parseEvent(record);
    // Assess
    expect(parsed).toStrictEqual(notLaunch(NOT_LAUNCH_REASON.otherCall, false));
  });
});

describe('parseEvent on TerminateInstances', () => {
  it('falls back to the request ids when the response was cut', () => {
    // Prepare
    const record = copy('terminateinstances-asg-slr.panther.json');
    record['responseElements'] = { omitted: true };
    // Act
    const parsed = parseEvent(record);
    // Assess
    expect(parsed).toMatchObject({ kind: 'terminate', instanceIds: ['i-0d9853f67e40ab80b'] });
  });

  it('ignores a failed termination', () => {
    // Prepare
    const record = copy('terminateinstances-asg-slr.panther.json');
    record['errorCode'] = 'Client.UnauthorizedOperation';
    // Act
    const parsed = parseEvent(record);
    // Assess
    expect(parsed).toStrictEqual(notLaunch(NOT_LAUNCH_REASON.failedTermination, false));
  });
});
