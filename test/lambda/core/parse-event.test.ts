/** parseEvent on every shared fixture, on input that is no event, and parseEventTime. */
import { describe, expect, it } from 'vitest';
import { fixtureNames, loadFixture } from '../../../fake-cloud/support/fixtures';
import { NOT_LAUNCH_REASON, parseEvent, parseEventTime } from '../../../lambda/core/parse-event';
import type { LaunchRecord } from '../../../lambda/core/types';
import { ASG_GROUP, ASG_SLR, copy, notLaunch } from './parse-event-records';

/** A successful RunInstances as parsed: the fields that differ from record to record, and not truncated. */
function runInstances(fields: Omit<LaunchRecord, 'kind' | 'source' | 'truncated'>): unknown {
  return { kind: 'launch', source: 'RunInstances', ...fields, truncated: false };
}

/** A RunInstances call that failed, as parsed. */
function failedRunInstances(errorCode: string, fields: Record<string, unknown>): unknown {
  return { kind: 'failed', eventName: 'RunInstances', errorCode, ...fields };
}

const ASG_SLR_ARN = 'arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling';
const ASG_SLR_LAUNCH = runInstances({
  account: '111122223333',
  region: 'us-west-2',
  eventId: '41fab871-150b-43ad-b42a-39fff3f2ca4e',
  eventTime: Date.UTC(2024, 11, 16, 18, 41, 7),
  caller: { arn: ASG_SLR_ARN, invokedBy: 'autoscaling.amazonaws.com' },
  instances: [
    {
      instanceId: 'i-07d06021b0da55115',
      imageId: 'ami-013e7d3a6659f358d',
      groupName: ASG_GROUP,
      launchTemplateId: 'lt-07a0b5cea4ece8ffd',
      instanceProfileArn: 'arn:aws:iam::111122223333:instance-profile/profile-id',
    },
  ],
});
const LEGACY_PROFILE = 'arn:aws:iam::619193117841:instance-profile/BaseIAMRole';
/** The panther-xz console records' account, region and caller. */
const XZ = {
  account: '123456789012',
  region: 'us-west-2',
  caller: { arn: 'arn:aws:sts::123456789012:assumed-role/ARole/user.name' },
} as const;
/** The single-instance panther-xz console records' event. */
const XZ_SINGLE = {
  ...XZ,
  eventId: 'cd7919fe-34a2-4d26-b038-23a2556a79fb',
  eventTime: Date.UTC(2024, 3, 2, 15, 13, 6),
};
/** The two c7n console records' account, region and event (the same record, edited). */
const C7N_CONSOLE = {
  account: '644160558196',
  region: 'us-east-1',
  eventId: '6589a9eb-59b7-4895-b7ab-962ed3cc257c',
  eventTime: Date.UTC(2016, 6, 24, 10, 57, 13),
} as const;
const C7N_CONSOLE_INSTANCES = [{ instanceId: 'i-0f7c711dc84bedda0', imageId: 'ami-2d39803a' }];
/** Stratus anonymised the region of its detonation logs (`ca-south-3r`): no partition has it. */
const STRATUS_BAD_REGION = notLaunch(NOT_LAUNCH_REASON.badRegion, true);
/** The same record with a real region (see 'parses the Stratus record once its region is real'). */
const STRATUS_FAILED = failedRunInstances('Client.UnauthorizedOperation', {
  imageId: 'ami-aCBbfd13bdb1d1E4b',
  account: '900138736586',
  region: 'ca-central-1',
  eventId: '1a4debbb-12e9-4bde-b8c7-ea29002bb2a7',
  eventTime: Date.UTC(2024, 7, 1, 11, 30, 23),
  caller: {
    arn: 'arn:aws:sts::900138736586:assumed-role/stratus-red-team-ec2lui-role-idtzskbvtd/aws-go-sdk-1722511821294449000',
  },
});
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
  ['eventbridge-cloudtrail-s3-createbucket.awsdocs.json', notLaunch(NOT_LAUNCH_REASON.otherCall, false)],
  [
    'runinstances-asg-legacy-root-two-instances.c7n.json',
    runInstances({
      account: '619193117841',
      region: 'us-west-1',
      eventId: '6da8b953-741f-4273-be3f-289b92b4d1fc',
      eventTime: Date.UTC(2016, 4, 21, 16, 11, 14),
      caller: { arn: 'arn:aws:iam::619193117841:root', invokedBy: 'autoscaling.amazonaws.com' },
      // 2016 Auto Scaling launches carry no group name: counted for the AMI only.
      instances: [
        { instanceId: 'i-784cdacd', imageId: 'ami-06116566', instanceProfileArn: LEGACY_PROFILE },
        { instanceId: 'i-7b4cdace', imageId: 'ami-06116566', instanceProfileArn: LEGACY_PROFILE },
      ],
    }),
  ],
  [ASG_SLR, ASG_SLR_LAUNCH],
  [
    'runinstances-console-assumedrole-tagspec.panther.json',
    runInstances({
      account: '123123123123',
      region: 'us-east-1',
      eventId: '015c585b-cbc2-4f9e-9c52-a2f22f3c09f4',
      eventTime: Date.UTC(2022, 9, 20, 14, 16, 43),
      caller: { arn: 'arn:aws:sts::123123123123:assumed-role/DevAdministrator/temp_user' },
      instances: [{ instanceId: 'i-0d7e4b9be8a0de6ea', imageId: 'ami-026b57f3c383c2eec' }],
    }),
  ],
  [
    'runinstances-console-assumedrole.c7n.json',
    runInstances({
      // recipientAccountId wins over the (edited) userIdentity.accountId and ARN account.
      ...C7N_CONSOLE,
      caller: { arn: 'arn:aws:sts::03412312600:assumed-role/GR_Dev_Developer/Radiant' },
      instances: C7N_CONSOLE_INSTANCES,
    }),
  ],
  [
    'runinstances-console-iamuser.c7n.json',
    runInstances({
      ...C7N_CONSOLE,
      caller: { arn: 'arn:aws:iam::644160558196:user/c7nbot', invokedBy: 'signin.amazonaws.com' },
      instances: C7N_CONSOLE_INSTANCES,
    }),
  ],
  [
    'runinstances-console-other-ami.panther-xz.json',
    runInstances({
      ...XZ_SINGLE,
      instances: [{ instanceId: 'i-00000000000000000', imageId: 'ami-08038de0f4f90a9f0' }],
    }),
  ],
  [
    'runinstances-console-single.panther-xz.json',
    runInstances({
      ...XZ_SINGLE,
      instances: [{ instanceId: 'i-00000000000000000', imageId: 'ami-020a359780bc6f835' }],
    }),
  ],
  [
    'runinstances-console-two-instances-mixed-ami.panther-xz.json',
    runInstances({
      ...XZ,
      eventId: '762b9172-6148-4c76-aee4-f6fc0fd140af',
      eventTime: Date.UTC(2024, 3, 2, 16, 46, 24),
      // Each instance keeps the AMI its own item reports (the 2nd differs: an edited fixture).
      instances: [
        { instanceId: 'i-00000000000000000', imageId: 'ami-092e3b17e435e5e58' },
        { instanceId: 'i-00000000000000001', imageId: 'ami-020a359780bc6f835' },
      ],
    }),
  ],
  [
    'runinstances-console-webui-assumedrole.panther.json',
    runInstances({
      account: '123412341234',
      region: 'us-west-2',
      eventId: '01f39d3b-4a26-4045-bb36-1e57b7d07997',
      eventTime: Date.UTC(2022, 9, 14, 0, 35, 36),
      caller: { arn: 'arn:aws:sts::123412341234:assumed-role/SomeRole/person' },
      instances: [{ instanceId: 'i-0690cd354a0c3850c', imageId: 'ami-08e2d37b6a0129927' }],
    }),
  ],
  [
    'runinstances-dryrun-eks-nodegroup-slr-launchtemplate.panther.json',
    failedRunInstances('Client.DryRunOperation', {
      account: '123123123123',
      region: 'us-west-2',
      eventId: 'ab804e72-7237-49c6-8f20-c3ef09859e78',
      eventTime: Date.UTC(2022, 9, 13, 16, 35, 33),
      caller: {
        arn: 'arn:aws:sts::123123123123:assumed-role/AWSServiceRoleForAmazonEKSNodegroup/EKS',
        invokedBy: 'eks-nodegroup.amazonaws.com',
      },
    }),
  ],
  [
    'runinstances-dryrun-launchtemplate-plus-imageid.panther.json',
    failedRunInstances('Client.DryRunOperation', {
      imageId: 'ami-05074c40f29040248',
      account: '123412341234',
      region: 'us-west-2',
      eventId: 'b32f82e6-7375-4487-85f3-442face5eab4',
      eventTime: Date.UTC(2022, 9, 13, 16, 34, 53),
      caller: {
        arn: 'arn:aws:sts::123412341234:assumed-role/funky-role-doing-dryrun/astronomer-managed-1665678811',
        invokedBy: 'AWS Internal',
      },
    }),
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
  ['terminateinstances-root-records.awsdocs.json', notLaunch(NOT_LAUNCH_REASON.logFile, false)],
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
    expect(parsed).toStrictEqual(notLaunch(NOT_LAUNCH_REASON.detailNotObject, true));
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
