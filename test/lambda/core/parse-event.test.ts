import { describe, expect, it } from 'vitest';
import { fixtureNames, loadFixture } from '../../../fake-cloud/support/fixtures';
import {
  MAX_SYNTHETIC_INSTANCES,
  NOT_LAUNCH_REASON,
  parseEvent,
  parseEventTime,
} from '../../../lambda/core/parse-event';
import type { LaunchRecord, ParsedEvent } from '../../../lambda/core/types';

// biome-ignore lint/suspicious/noExplicitAny: tests edit fixture copies by path; the parser under test takes unknown.
type Json = Record<string, any>;

/** A deep, mutable copy of a fixture. */
function copy(name: string): Json {
  return structuredClone(loadFixture(name)) as Json;
}

function asLaunch(parsed: ParsedEvent): LaunchRecord {
  expect(parsed.kind).toBe('launch');
  return parsed as LaunchRecord;
}

const ASG_SLR = 'runinstances-asg-slr-eks-nodegroup-fleet.panther.json';
const ASG_GROUP = 'eks-ng-0ca246e9-cac9e862-bfd9-a821-c9fd-9916df5654eb';
const ASG_SLR_ARN = 'arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling';
const ASG_SLR_LAUNCH = {
  kind: 'launch',
  source: 'RunInstances',
  account: '111122223333',
  region: 'us-west-2',
  eventId: '41fab871-150b-43ad-b42a-39fff3f2ca4e',
  eventTime: Date.UTC(2024, 11, 16, 18, 41, 7),
  caller: { arn: ASG_SLR_ARN, invokedBy: 'autoscaling.amazonaws.com' },
  truncated: false,
  instances: [
    {
      instanceId: 'i-07d06021b0da55115',
      imageId: 'ami-013e7d3a6659f358d',
      groupName: ASG_GROUP,
      launchTemplateId: 'lt-07a0b5cea4ece8ffd',
      instanceProfileArn: 'arn:aws:iam::111122223333:instance-profile/profile-id',
    },
  ],
};
const LEGACY_PROFILE = 'arn:aws:iam::619193117841:instance-profile/BaseIAMRole';
const XZ_CALLER = { arn: 'arn:aws:sts::123456789012:assumed-role/ARole/user.name' };
/** Stratus anonymised the region of its detonation logs (`ca-south-3r`): no partition has it. */
const STRATUS_BAD_REGION = { kind: 'not-launch', reason: NOT_LAUNCH_REASON.badRegion, malformed: true };
/** The same record with a real region (see 'parses the Stratus record once its region is real'). */
const STRATUS_FAILED = {
  kind: 'failed',
  eventName: 'RunInstances',
  errorCode: 'Client.UnauthorizedOperation',
  imageId: 'ami-aCBbfd13bdb1d1E4b',
  account: '900138736586',
  region: 'ca-central-1',
  eventId: '1a4debbb-12e9-4bde-b8c7-ea29002bb2a7',
  eventTime: Date.UTC(2024, 7, 1, 11, 30, 23),
  caller: {
    arn: 'arn:aws:sts::900138736586:assumed-role/stratus-red-team-ec2lui-role-idtzskbvtd/aws-go-sdk-1722511821294449000',
  },
};
const PANTHER_TERMINATION = {
  kind: 'terminate',
  account: '111222333444',
  region: 'us-west-2',
  eventId: '59e8d6b8-de7b-43ca-961f-0c6f4531fcf0',
  eventTime: Date.UTC(2021, 9, 29, 23, 50, 9),
  instanceIds: ['i-0d9853f67e40ab80b'],
};

/** Every shared fixture and what parsing the whole file gives, read by hand from the file. */
const FIXTURE_EXPECTATIONS: ReadonlyArray<readonly [string, unknown]> = [
  ['derived-eventbridge-runinstances-asg-slr.json', ASG_SLR_LAUNCH],
  ['derived-eventbridge-runinstances-failed-unauthorized.json', STRATUS_BAD_REGION],
  [
    'eventbridge-asg-launch-successful.aws-lambda-go.json',
    {
      kind: 'launch',
      source: 'EC2 Instance Launch Successful',
      account: '123456789012',
      region: 'us-west-2',
      eventId: '12345678-1234-1234-1234-123456789012',
      eventTime: 0,
      caller: { invokedBy: 'autoscaling.amazonaws.com' },
      truncated: false,
      instances: [{ instanceId: 'i-1234567890abcdef0', groupName: 'my-auto-scaling-group' }],
    },
  ],
  [
    'eventbridge-asg-launch-unsuccessful.c7n.json',
    {
      kind: 'failed',
      eventName: 'EC2 Instance Launch Unsuccessful',
      errorCode: 'Failed',
      groupName: 'CustodianTest',
      account: '619193117841',
      region: 'us-west-2',
      eventId: '6318c183-0f23-41a5-84e1-a0106fbc4da1',
      eventTime: Date.UTC(2016, 4, 21, 16, 43, 34),
      caller: { invokedBy: 'autoscaling.amazonaws.com' },
    },
  ],
  [
    'eventbridge-cloudtrail-s3-createbucket.awsdocs.json',
    { kind: 'not-launch', reason: NOT_LAUNCH_REASON.otherCall, malformed: false },
  ],
  [
    'runinstances-asg-legacy-root-two-instances.c7n.json',
    {
      kind: 'launch',
      source: 'RunInstances',
      account: '619193117841',
      region: 'us-west-1',
      eventId: '6da8b953-741f-4273-be3f-289b92b4d1fc',
      eventTime: Date.UTC(2016, 4, 21, 16, 11, 14),
      caller: { arn: 'arn:aws:iam::619193117841:root', invokedBy: 'autoscaling.amazonaws.com' },
      truncated: false,
      // 2016 Auto Scaling launches carry no group name: counted for the AMI only.
      instances: [
        { instanceId: 'i-784cdacd', imageId: 'ami-06116566', instanceProfileArn: LEGACY_PROFILE },
        { instanceId: 'i-7b4cdace', imageId: 'ami-06116566', instanceProfileArn: LEGACY_PROFILE },
      ],
    },
  ],
  [ASG_SLR, ASG_SLR_LAUNCH],
  [
    'runinstances-console-assumedrole-tagspec.panther.json',
    {
      kind: 'launch',
      source: 'RunInstances',
      account: '123123123123',
      region: 'us-east-1',
      eventId: '015c585b-cbc2-4f9e-9c52-a2f22f3c09f4',
      eventTime: Date.UTC(2022, 9, 20, 14, 16, 43),
      caller: { arn: 'arn:aws:sts::123123123123:assumed-role/DevAdministrator/temp_user' },
      truncated: false,
      instances: [{ instanceId: 'i-0d7e4b9be8a0de6ea', imageId: 'ami-026b57f3c383c2eec' }],
    },
  ],
  [
    'runinstances-console-assumedrole.c7n.json',
    {
      kind: 'launch',
      source: 'RunInstances',
      // recipientAccountId wins over the (edited) userIdentity.accountId and ARN account.
      account: '644160558196',
      region: 'us-east-1',
      eventId: '6589a9eb-59b7-4895-b7ab-962ed3cc257c',
      eventTime: Date.UTC(2016, 6, 24, 10, 57, 13),
      caller: { arn: 'arn:aws:sts::03412312600:assumed-role/GR_Dev_Developer/Radiant' },
      truncated: false,
      instances: [{ instanceId: 'i-0f7c711dc84bedda0', imageId: 'ami-2d39803a' }],
    },
  ],
  [
    'runinstances-console-iamuser.c7n.json',
    {
      kind: 'launch',
      source: 'RunInstances',
      account: '644160558196',
      region: 'us-east-1',
      eventId: '6589a9eb-59b7-4895-b7ab-962ed3cc257c',
      eventTime: Date.UTC(2016, 6, 24, 10, 57, 13),
      caller: { arn: 'arn:aws:iam::644160558196:user/c7nbot', invokedBy: 'signin.amazonaws.com' },
      truncated: false,
      instances: [{ instanceId: 'i-0f7c711dc84bedda0', imageId: 'ami-2d39803a' }],
    },
  ],
  [
    'runinstances-console-other-ami.panther-xz.json',
    {
      kind: 'launch',
      source: 'RunInstances',
      account: '123456789012',
      region: 'us-west-2',
      eventId: 'cd7919fe-34a2-4d26-b038-23a2556a79fb',
      eventTime: Date.UTC(2024, 3, 2, 15, 13, 6),
      caller: XZ_CALLER,
      truncated: false,
      instances: [{ instanceId: 'i-00000000000000000', imageId: 'ami-08038de0f4f90a9f0' }],
    },
  ],
  [
    'runinstances-console-single.panther-xz.json',
    {
      kind: 'launch',
      source: 'RunInstances',
      account: '123456789012',
      region: 'us-west-2',
      eventId: 'cd7919fe-34a2-4d26-b038-23a2556a79fb',
      eventTime: Date.UTC(2024, 3, 2, 15, 13, 6),
      caller: XZ_CALLER,
      truncated: false,
      instances: [{ instanceId: 'i-00000000000000000', imageId: 'ami-020a359780bc6f835' }],
    },
  ],
  [
    'runinstances-console-two-instances-mixed-ami.panther-xz.json',
    {
      kind: 'launch',
      source: 'RunInstances',
      account: '123456789012',
      region: 'us-west-2',
      eventId: '762b9172-6148-4c76-aee4-f6fc0fd140af',
      eventTime: Date.UTC(2024, 3, 2, 16, 46, 24),
      caller: XZ_CALLER,
      truncated: false,
      // Each instance keeps the AMI its own item reports (the 2nd differs: an edited fixture).
      instances: [
        { instanceId: 'i-00000000000000000', imageId: 'ami-092e3b17e435e5e58' },
        { instanceId: 'i-00000000000000001', imageId: 'ami-020a359780bc6f835' },
      ],
    },
  ],
  [
    'runinstances-console-webui-assumedrole.panther.json',
    {
      kind: 'launch',
      source: 'RunInstances',
      account: '123412341234',
      region: 'us-west-2',
      eventId: '01f39d3b-4a26-4045-bb36-1e57b7d07997',
      eventTime: Date.UTC(2022, 9, 14, 0, 35, 36),
      caller: { arn: 'arn:aws:sts::123412341234:assumed-role/SomeRole/person' },
      truncated: false,
      instances: [{ instanceId: 'i-0690cd354a0c3850c', imageId: 'ami-08e2d37b6a0129927' }],
    },
  ],
  [
    'runinstances-dryrun-eks-nodegroup-slr-launchtemplate.panther.json',
    {
      kind: 'failed',
      eventName: 'RunInstances',
      errorCode: 'Client.DryRunOperation',
      account: '123123123123',
      region: 'us-west-2',
      eventId: 'ab804e72-7237-49c6-8f20-c3ef09859e78',
      eventTime: Date.UTC(2022, 9, 13, 16, 35, 33),
      caller: {
        arn: 'arn:aws:sts::123123123123:assumed-role/AWSServiceRoleForAmazonEKSNodegroup/EKS',
        invokedBy: 'eks-nodegroup.amazonaws.com',
      },
    },
  ],
  [
    'runinstances-dryrun-launchtemplate-plus-imageid.panther.json',
    {
      kind: 'failed',
      eventName: 'RunInstances',
      errorCode: 'Client.DryRunOperation',
      imageId: 'ami-05074c40f29040248',
      account: '123412341234',
      region: 'us-west-2',
      eventId: 'b32f82e6-7375-4487-85f3-442face5eab4',
      eventTime: Date.UTC(2022, 9, 13, 16, 34, 53),
      caller: {
        arn: 'arn:aws:sts::123412341234:assumed-role/funky-role-doing-dryrun/astronomer-managed-1665678811',
        invokedBy: 'AWS Internal',
      },
    },
  ],
  ['runinstances-failed-unauthorizedoperation.stratus.json', STRATUS_BAD_REGION],
  [
    'terminateinstances-asg-slr.panther.json',
    {
      ...PANTHER_TERMINATION,
      caller: {
        arn: 'arn:aws:sts::111222333444:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling',
        invokedBy: 'autoscaling.amazonaws.com',
      },
    },
  ],
  [
    'terminateinstances-assumedrole.panther.json',
    { ...PANTHER_TERMINATION, caller: { arn: 'arn:aws:sts::111222333444:assumed-role/SomeRole/AThing' } },
  ],
  [
    'terminateinstances-root-records.awsdocs.json',
    { kind: 'not-launch', reason: NOT_LAUNCH_REASON.logFile, malformed: false },
  ],
];

describe('parseEvent on the shared fixtures', () => {
  it('has an expectation for every fixture file, so a new fixture cannot be skipped', () => {
    // Prepare
    const files = fixtureNames();
    // Act
    const covered = FIXTURE_EXPECTATIONS.map(([name]) => name).sort();
    // Assess
    expect(files.length).toBeGreaterThan(0);
    expect(covered).toEqual(files);
  });

  it.each(FIXTURE_EXPECTATIONS)('parses %s', (name, expected) => {
    // Act
    const parsed = parseEvent(loadFixture(name));
    // Assess
    expect(parsed).toStrictEqual(expected);
  });

  it.each([
    'runinstances-failed-unauthorizedoperation.stratus.json',
    'derived-eventbridge-runinstances-failed-unauthorized.json',
  ])('parses the Stratus record %s once its region is real', (name) => {
    // Prepare: the anonymised region replaced by a real one
    const record = copy(name);
    if (record['detail']) {
      record['region'] = 'ca-central-1';
      record['detail']['awsRegion'] = 'ca-central-1';
    } else record['awsRegion'] = 'ca-central-1';
    // Act
    const parsed = parseEvent(record);
    // Assess
    expect(parsed).toStrictEqual(STRATUS_FAILED);
  });

  it('parses the record inside a CloudTrail log file as a termination', () => {
    // Prepare
    const file = copy('terminateinstances-root-records.awsdocs.json');
    // Act
    const parsed = parseEvent(file['Records'][0]);
    // Assess
    expect(parsed).toStrictEqual({
      kind: 'terminate',
      account: '123456789012',
      region: 'us-west-2',
      eventId: '6e12345-2a4e-417c-aa78-7594fEXAMPLE',
      eventTime: Date.UTC(2016, 4, 20, 8, 27, 45),
      caller: { arn: 'arn:aws:iam::123456789012:root' },
      instanceIds: ['i-1a2b3c4d'],
    });
  });

  it('gives the same launch for a bare record and its EventBridge envelope', () => {
    // Act
    const bare = parseEvent(loadFixture(ASG_SLR));
    const wrapped = parseEvent(loadFixture('derived-eventbridge-runinstances-asg-slr.json'));
    // Assess
    expect(wrapped).toStrictEqual(bare);
  });
});

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
    // Prepare
    const record = copy('runinstances-console-single.panther-xz.json');
    mutate(record);
    // Act
    const parsed = parseEvent(record);
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
    expect(parsed).toEqual({
      kind: 'not-launch',
      reason: NOT_LAUNCH_REASON.accountMismatch,
      malformed: true,
    });
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
    expect(parsed).toStrictEqual({
      kind: 'not-launch',
      reason: NOT_LAUNCH_REASON.otherCall,
      malformed: false,
    });
  });
});

/** A CreateFleet record made from the Auto Scaling RunInstances fixture (no CreateFleet fixture exists). */
function createFleet(fleetInstanceSet: unknown, extra: Json = {}): Json {
  const record = copy(ASG_SLR);
  record['eventName'] = 'CreateFleet';
  record['requestParameters'] = {
    CreateFleetRequest: {
      Type: 'instant',
      TargetCapacitySpecification: { TotalTargetCapacity: 2, DefaultTargetCapacityType: 'on-demand' },
      LaunchTemplateConfigs: {
        LaunchTemplateSpecification: { LaunchTemplateId: 'lt-07a0b5cea4ece8ffd', Version: '1' },
        tag: 1,
      },
      TagSpecification: {
        ResourceType: 'instance',
        tag: 1,
        Tag: [
          { Key: 'aws:autoscaling:groupName', Value: ASG_GROUP, tag: 1 },
          { Key: 'Name', Value: 'node', tag: 2 },
        ],
      },
    },
  };
  record['responseElements'] = {
    CreateFleetResponse: {
      xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
      fleetId: 'fleet-180da986-0bb4-c936-0c9a-0e20a0c6d1aa',
      fleetInstanceSet: fleetInstanceSet,
      ...extra,
    },
  };
  return record;
}

describe('parseEvent on CreateFleet', () => {
  const lone = { item: { lifecycle: 'on-demand', instanceIds: { item: 'i-0aaa0000000000000' } } };

  it('reads a lone fleet item given as an object, with the group from the request tags', () => {
    // Act
    const parsed = asLaunch(parseEvent(createFleet(lone)));
    // Assess
    expect(parsed.source).toBe('CreateFleet');
    expect(parsed.truncated).toBe(false);
    expect(parsed.instances).toStrictEqual([
      { instanceId: 'i-0aaa0000000000000', groupName: ASG_GROUP, launchTemplateId: 'lt-07a0b5cea4ece8ffd' },
    ]);
  });

  it('reads items given as an array, with instanceIds as an array, a string or {item: [...]}', () => {
    // Prepare
    const record = createFleet({
      item: [
        { instanceIds: { item: ['i-01000000000000000', 'i-02000000000000000'] } },
        { instanceIds: 'i-03000000000000000' },
        { instanceIds: ['i-04000000000000000'] },
        { lifecycle: 'spot' },
      ],
    });
    // Act
    const parsed = asLaunch(parseEvent(record));
    // Assess
    expect(parsed.instances.map((i) => i.instanceId)).toEqual([
      'i-01000000000000000',
      'i-02000000000000000',
      'i-03000000000000000',
      'i-04000000000000000',
    ]);
  });

  it('reads the group from a fleet tag specification with a lone Tag object', () => {
    // Prepare
    const record = createFleet(lone);
    record['requestParameters']['CreateFleetRequest']['TagSpecification'] = [
      { ResourceType: 'volume', Tag: { Key: 'aws:autoscaling:groupName', Value: 'wrong' } },
      { ResourceType: 'fleet', Tag: { Key: 'aws:autoscaling:groupName', Value: 'fleet-asg' } },
    ];
    // Act
    const parsed = asLaunch(parseEvent(record));
    // Assess
    expect(parsed.instances[0]?.groupName).toBe('fleet-asg');
  });

  it('takes the AMI from the item overrides when the request overrode it', () => {
    // Prepare
    const record = createFleet({
      item: {
        instanceIds: { item: 'i-0aaa0000000000000' },
        launchTemplateAndOverrides: {
          overrides: { imageId: 'ami-0ee0000000000000e', instanceType: 'm5.large' },
        },
      },
    });
    // Act
    const parsed = asLaunch(parseEvent(record));
    // Assess
    expect(parsed.instances[0]?.imageId).toBe('ami-0ee0000000000000e');
  });

  it('counts the launched instances of a partial success (errorSet beside them)', () => {
    // Prepare
    const record = createFleet(
      { item: { instanceIds: { item: ['i-01000000000000000', 'i-02000000000000000'] } } },
      { errorSet: { item: { errorCode: 'InsufficientInstanceCapacity', errorMessage: 'no capacity' } } },
    );
    // Act
    const parsed = asLaunch(parseEvent(record));
    // Assess
    expect(parsed.instances.map((i) => i.instanceId)).toEqual(['i-01000000000000000', 'i-02000000000000000']);
  });

  it('reports an instant fleet whose errorSet holds every failure as a failed attempt', () => {
    // Prepare
    const record = createFleet(undefined, {
      errorSet: { item: [{ errorCode: 'InsufficientInstanceCapacity' }, { errorCode: 'Unsupported' }] },
    });
    // Act
    const parsed = parseEvent(record);
    // Assess
    expect(parsed).toMatchObject({
      kind: 'failed',
      eventName: 'CreateFleet',
      errorCode: 'InsufficientInstanceCapacity',
      groupName: ASG_GROUP,
    });
  });

  it('reports a failed CreateFleet call (errorCode) as a failed attempt with its group', () => {
    // Prepare
    const record = createFleet(lone);
    record['errorCode'] = 'Client.DryRunOperation';
    record['responseElements'] = null;
    // Act
    const parsed = parseEvent(record);
    // Assess
    expect(parsed).toMatchObject({
      kind: 'failed',
      eventName: 'CreateFleet',
      errorCode: 'Client.DryRunOperation',
      groupName: ASG_GROUP,
    });
  });

  it('does not count a truncated CreateFleet: its instances are counted from their RunInstances records', () => {
    // Prepare
    const omitted = createFleet(lone);
    omitted['responseElements'] = { omitted: true, originalSize: 400_000 };
    const missing = createFleet(lone);
    missing['responseElements'] = { requestId: 'x' };
    // Act
    const parsed = [parseEvent(omitted), parseEvent(missing)];
    // Assess
    for (const p of parsed) {
      expect(p).toStrictEqual({
        kind: 'not-launch',
        reason: NOT_LAUNCH_REASON.fleetTruncated,
        malformed: false,
      });
    }
  });

  it('reports a maintain fleet that lists no instance as not a launch', () => {
    // Prepare
    const record = createFleet(undefined);
    // Act
    const parsed = parseEvent(record);
    // Assess
    expect(parsed).toStrictEqual({
      kind: 'not-launch',
      reason: NOT_LAUNCH_REASON.fleetWithoutInstances,
      malformed: false,
    });
  });

  it('ignores GameLift CreateFleet', () => {
    // Prepare
    const record = createFleet(lone);
    record['eventSource'] = 'gamelift.amazonaws.com';
    // Act
    const parsed = parseEvent(record);
    // Assess
    expect(parsed).toMatchObject({ kind: 'not-launch', malformed: false });
  });
});

describe('parseEvent on Auto Scaling events', () => {
  it('reads EC2 Instance Terminate Successful as a termination with its group', () => {
    // Prepare
    const event = copy('eventbridge-asg-launch-successful.aws-lambda-go.json');
    event['detail-type'] = 'EC2 Instance Terminate Successful';
    event['time'] = '2024-05-01T10:00:00Z';
    // Act
    const parsed = parseEvent(event);
    // Assess
    expect(parsed).toStrictEqual({
      kind: 'terminate',
      account: '123456789012',
      region: 'us-west-2',
      eventId: '12345678-1234-1234-1234-123456789012',
      eventTime: Date.UTC(2024, 4, 1, 10, 0, 0),
      caller: { invokedBy: 'autoscaling.amazonaws.com' },
      instanceIds: ['i-1234567890abcdef0'],
      groupName: 'my-auto-scaling-group',
    });
  });

  it.each([
    [
      'the activity StartTime, a boot before the event',
      '2024-05-01T09:58:30Z',
      Date.UTC(2024, 4, 1, 9, 58, 30),
    ],
    [
      'the event time when StartTime is later than the event',
      '2024-05-01T10:00:30Z',
      Date.UTC(2024, 4, 1, 10, 0, 0),
    ],
    [
      'the event time when StartTime is over an hour before it',
      '2024-05-01T08:59:59Z',
      Date.UTC(2024, 4, 1, 10, 0, 0),
    ],
    [
      'the event time when StartTime is a placeholder',
      '1970-01-01T00:00:00Z',
      Date.UTC(2024, 4, 1, 10, 0, 0),
    ],
    ['the event time when StartTime is not a time', 'soon', Date.UTC(2024, 4, 1, 10, 0, 0)],
  ])('counts an Auto Scaling launch from %s', (_, start, expected) => {
    // Prepare: the event comes when the instance is InService; its activity started at the launch
    const event = copy('eventbridge-asg-launch-successful.aws-lambda-go.json');
    event['time'] = '2024-05-01T10:00:00Z';
    event['detail']['StartTime'] = start;
    // Act
    const parsed = parseEvent(event);
    // Assess
    expect(parsed).toMatchObject({ kind: 'launch', eventTime: expected });
  });

  it('uses LaunchUnsuccessful when a failed launch has no status code', () => {
    // Prepare
    const event = copy('eventbridge-asg-launch-unsuccessful.c7n.json');
    delete event['detail']['StatusCode'];
    // Act
    const parsed = parseEvent(event);
    // Assess
    expect(parsed).toMatchObject({
      kind: 'failed',
      errorCode: 'LaunchUnsuccessful',
      groupName: 'CustodianTest',
    });
  });

  it.each([
    ['EC2InstanceId is empty', (e: Json) => (e['detail']['EC2InstanceId'] = '')],
    ['the group name is missing', (e: Json) => delete e['detail']['AutoScalingGroupName']],
    ['the event id is missing', (e: Json) => delete e['id']],
    ['the time is missing', (e: Json) => delete e['time']],
    ['detail is a string', (e: Json) => (e['detail'] = 'x')],
  ])('reports a launch event as malformed when %s', (_, mutate) => {
    // Prepare
    const event = copy('eventbridge-asg-launch-successful.aws-lambda-go.json');
    mutate(event);
    // Act
    const parsed = parseEvent(event);
    // Assess
    expect(parsed).toMatchObject({ kind: 'not-launch', malformed: true });
  });

  it('ignores other Auto Scaling events', () => {
    // Prepare
    const event = copy('eventbridge-asg-launch-successful.aws-lambda-go.json');
    event['detail-type'] = 'EC2 Instance-launch Lifecycle Action';
    // Act
    const parsed = parseEvent(event);
    // Assess
    expect(parsed).toStrictEqual({
      kind: 'not-launch',
      reason: NOT_LAUNCH_REASON.otherAutoScalingEvent,
      malformed: false,
    });
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
    expect(parsed).toStrictEqual({
      kind: 'not-launch',
      reason: NOT_LAUNCH_REASON.failedTermination,
      malformed: false,
    });
  });
});

describe('parseEvent on other input', () => {
  it.each([
    ['null', null, NOT_LAUNCH_REASON.notAnObject],
    ['a number', 42, NOT_LAUNCH_REASON.notAnObject],
    ['an array', [1, 2], NOT_LAUNCH_REASON.notAnObject],
    ['an empty object', {}, NOT_LAUNCH_REASON.notAnEvent],
    [
      'another detail type',
      { 'detail-type': 'Scheduled Event', detail: {} },
      NOT_LAUNCH_REASON.otherDetailType,
    ],
  ])('reports %s as not a launch', (_, input, reason) => {
    // Act
    const parsed = parseEvent(input);
    // Assess
    expect(parsed).toStrictEqual({ kind: 'not-launch', reason, malformed: false });
  });

  it('reports a CloudTrail envelope whose detail is not an object as malformed', () => {
    // Prepare
    const event = copy('derived-eventbridge-runinstances-asg-slr.json');
    event['detail'] = [event['detail']];
    // Act
    const parsed = parseEvent(event);
    // Assess
    expect(parsed).toStrictEqual({
      kind: 'not-launch',
      reason: NOT_LAUNCH_REASON.detailNotObject,
      malformed: true,
    });
  });
});

describe('parseEventTime', () => {
  it.each([
    ['2022-10-20T14:16:43Z', Date.UTC(2022, 9, 20, 14, 16, 43)],
    ['2022-10-20 14:16:43', Date.UTC(2022, 9, 20, 14, 16, 43)],
    ['2024-12-16 18:41:07.000000000', Date.UTC(2024, 11, 16, 18, 41, 7)],
    ['2024-12-16T18:41:07.999Z', Date.UTC(2024, 11, 16, 18, 41, 7)],
    ['2024-12-16T20:41:07+02:00', Date.UTC(2024, 11, 16, 18, 41, 7)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
  ])('reads %s', (text, expected) => {
    // Act
    const time = parseEventTime(text);
    // Assess
    expect(time).toBe(expected);
    expect((time ?? 1) % 1000).toBe(0);
  });

  it.each([
    '2023-02-29T00:00:00Z',
    '2022-13-01T00:00:00Z',
    '2022-10-20T24:00:00Z',
    '2022-10-20',
    '1969-12-31T23:59:59Z',
    'not a time',
    '',
  ])('rejects %s', (text) => {
    // Act
    const time = parseEventTime(text);
    // Assess
    expect(time).toBeUndefined();
  });

  it('rejects non-strings', () => {
    // Act
    const times = [1666275403000, null, undefined, {}].map(parseEventTime);
    // Assess
    expect(times).toEqual([undefined, undefined, undefined, undefined]);
  });
});
