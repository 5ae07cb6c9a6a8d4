import {
  AutoScalingClient,
  AutoScalingServiceException,
  CreateOrUpdateTagsCommand,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeWarmPoolCommand,
  LimitExceededFault,
  ResourceInUseFault,
  ResumeProcessesCommand,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AutoScalingSuspender,
  isGroupGone,
  isTagLimit,
  PERMISSIONS,
  PERMISSIONS_FOR,
} from '../../../lambda/adapters/asg-suspender';
import { SuspendError } from '../../../lambda/core/errors';
import { GROUP } from '../core/example-reports';
import { clientErrorsOf, TEST_CREDENTIALS } from './sdk-fakes';

const REGION = 'eu-west-1';

const asg = mockClient(AutoScalingClient);

const asgError = clientErrorsOf(AutoScalingServiceException);

const notFound = () =>
  asgError('ValidationError', `AutoScalingGroup name not found - AutoScalingGroup ${GROUP} not found`);
const throttled = () => asgError('Throttling', 'Rate exceeded');
const denied = () =>
  asgError(
    'AccessDenied',
    'User: arn:aws:sts::123456789012:assumed-role/guard/fn is not authorized to perform: autoscaling:SuspendProcesses',
  );
const tagLimit = () =>
  new LimitExceededFault({ $metadata: { httpStatusCode: 400 }, message: 'Tag limit exceeded for the group' });

/** Run `act`, expect it to reject with a SuspendError whose cause is `cause`. */
async function expectSuspendError(act: () => Promise<unknown>, cause: Error): Promise<SuspendError> {
  const error = await act().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SuspendError);
  expect((error as SuspendError).cause).toBe(cause);
  return error as SuspendError;
}

const describedGroup = {
  AutoScalingGroupName: GROUP,
  AutoScalingGroupARN: `arn:aws:autoscaling:${REGION}:123456789012:autoScalingGroup:uuid:autoScalingGroupName/${GROUP}`,
  MinSize: 0,
  MaxSize: 20,
  DesiredCapacity: 3,
  DefaultCooldown: 300,
  AvailabilityZones: ['eu-west-1a'],
  HealthCheckType: 'EC2',
  HealthCheckGracePeriod: 300,
  CreatedTime: new Date('2025-01-01T00:00:00Z'),
  Instances: [
    {
      InstanceId: 'i-0aaa',
      AvailabilityZone: 'eu-west-1a',
      LifecycleState: 'InService' as const,
      HealthStatus: 'Healthy',
      ProtectedFromScaleIn: false,
    },
    {
      InstanceId: 'i-0bbb',
      AvailabilityZone: 'eu-west-1a',
      LifecycleState: 'Terminating' as const,
      HealthStatus: 'Unhealthy',
      ProtectedFromScaleIn: false,
    },
  ],
  SuspendedProcesses: [{ ProcessName: 'AZRebalance', SuspensionReason: 'User suspended at 2025-01-02' }],
  Tags: [
    { Key: 'launch-loop-guard:threshold', Value: '3', ResourceId: GROUP, ResourceType: 'auto-scaling-group' },
    { Key: 'AmazonECSManaged', Value: '', ResourceId: GROUP, ResourceType: 'auto-scaling-group' },
  ],
};

describe('AutoScalingSuspender', () => {
  let regionsAsked: string[];
  let suspender: AutoScalingSuspender;

  beforeEach(() => {
    asg.reset();
    regionsAsked = [];
    suspender = new AutoScalingSuspender((region) => {
      regionsAsked.push(region);
      return new AutoScalingClient({ region, credentials: TEST_CREDENTIALS });
    });
  });

  afterEach(() => {
    asg.reset();
  });

  /**
   * For each SDK failure (`[label, make]`) `reject` sets up, `act` rejects with a SuspendError
   * whose cause is that failure and whose message names `operation`, the group and the region.
   */
  function surfacesFailures(
    failures: [string, () => Error][],
    reject: (e: Error) => unknown,
    act: () => Promise<unknown>,
    operation: string,
  ): void {
    it.each(failures)('surfaces %s as a SuspendError with the cause', async (_label, make) => {
      // Prepare
      const sdkError = make();
      reject(sdkError);
      // Act
      const error = await expectSuspendError(act, sdkError);
      // Assess
      expect(error.message).toBe(`${operation} failed for group ${GROUP} in ${REGION}`);
    });
  }

  describe('describeGroup', () => {
    it('reads tags, instances, suspended processes, grace period and sizes', async () => {
      // Prepare
      asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [describedGroup] });
      // Act
      const g = await suspender.describeGroup(REGION, GROUP);
      // Assess
      expect(asg).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
        AutoScalingGroupNames: [GROUP],
      });
      expect(asg).toHaveReceivedCommandTimes(DescribeWarmPoolCommand, 0);
      expect(g).toEqual({
        name: GROUP,
        arn: describedGroup.AutoScalingGroupARN,
        tags: { 'launch-loop-guard:threshold': '3', AmazonECSManaged: '' },
        instances: [
          { instanceId: 'i-0aaa', lifecycleState: 'InService', healthStatus: 'Healthy' },
          { instanceId: 'i-0bbb', lifecycleState: 'Terminating', healthStatus: 'Unhealthy' },
        ],
        suspendedProcesses: ['AZRebalance'],
        healthCheckGracePeriodSeconds: 300,
        desiredCapacity: 3,
        minSize: 0,
        maxSize: 20,
      });
    });

    it('returns undefined for a group that does not exist', async () => {
      // Prepare: Auto Scaling answers an unknown name with an empty list
      asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
      // Act
      const g = await suspender.describeGroup(REGION, GROUP);
      // Assess
      expect(g).toBeUndefined();
    });

    it('adds the warm pool instances, all pages, when the group has a warm pool', async () => {
      // Prepare
      asg
        .on(DescribeAutoScalingGroupsCommand)
        .resolves({ AutoScalingGroups: [{ ...describedGroup, WarmPoolConfiguration: { MinSize: 2 } }] });
      asg
        .on(DescribeWarmPoolCommand, { AutoScalingGroupName: GROUP, NextToken: undefined })
        .resolves({
          Instances: [
            {
              InstanceId: 'i-0w1',
              AvailabilityZone: 'a',
              LifecycleState: 'Warmed:Stopped',
              HealthStatus: 'Healthy',
              ProtectedFromScaleIn: false,
            },
          ],
          NextToken: 'page2',
        })
        .on(DescribeWarmPoolCommand, { AutoScalingGroupName: GROUP, NextToken: 'page2' })
        .resolves({
          Instances: [
            {
              InstanceId: 'i-0w2',
              AvailabilityZone: 'a',
              LifecycleState: 'Warmed:Running',
              HealthStatus: 'Healthy',
              ProtectedFromScaleIn: false,
            },
          ],
        });
      // Act
      const g = await suspender.describeGroup(REGION, GROUP);
      // Assess
      expect(asg).toHaveReceivedCommandTimes(DescribeWarmPoolCommand, 2);
      expect(g?.instances.map((i) => `${i.instanceId}:${i.lifecycleState}`)).toEqual([
        'i-0aaa:InService',
        'i-0bbb:Terminating',
        'i-0w1:Warmed:Stopped',
        'i-0w2:Warmed:Running',
      ]);
    });

    surfacesFailures(
      [
        ['throttling', throttled],
        ['access denied', denied],
      ],
      (e) => asg.on(DescribeAutoScalingGroupsCommand).rejects(e),
      () => suspender.describeGroup(REGION, GROUP),
      'DescribeAutoScalingGroups',
    );

    it('makes one client per region and reuses it', async () => {
      // Prepare
      asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
      // Act
      await suspender.describeGroup('eu-west-1', GROUP);
      await suspender.describeGroup('eu-west-1', GROUP);
      await suspender.describeGroup('us-east-1', GROUP);
      // Assess
      expect(regionsAsked).toEqual(['eu-west-1', 'us-east-1']);
    });
  });

  describe('suspend', () => {
    it('suspends exactly the processes asked for', async () => {
      // Prepare
      asg.on(SuspendProcessesCommand).resolves({});
      // Act
      const out = await suspender.suspend(REGION, GROUP, ['Launch']);
      // Assess
      expect(out).toBe('done');
      expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 1);
      expect(asg).toHaveReceivedCommandWith(SuspendProcessesCommand, {
        AutoScalingGroupName: GROUP,
        ScalingProcesses: ['Launch'],
      });
    });

    it.each([
      ['not found', notFound],
      [
        'pending delete',
        () =>
          asgError(
            'ValidationError',
            'Processes may not be suspended while the AutoScaling group is pending delete',
          ),
      ],
    ])('returns gone for a group that is %s', async (_label, make) => {
      // Prepare
      asg.on(SuspendProcessesCommand).rejects(make());
      // Act
      const out = await suspender.suspend(REGION, GROUP, ['Launch']);
      // Assess
      expect(out).toBe('gone');
    });

    surfacesFailures(
      [
        ['throttling', throttled],
        ['access denied', denied],
        ['another validation error', () => asgError('ValidationError', 'Invalid process name: Lunch')],
        [
          'a scaling activity in progress',
          () => new ResourceInUseFault({ $metadata: {}, message: 'The group is in use' }),
        ],
      ],
      (e) => asg.on(SuspendProcessesCommand).rejects(e),
      () => suspender.suspend(REGION, GROUP, ['Launch']),
      'SuspendProcesses',
    );
  });

  describe('resume', () => {
    it('resumes exactly the processes asked for', async () => {
      // Prepare
      asg.on(ResumeProcessesCommand).resolves({});
      // Act
      const out = await suspender.resume(REGION, GROUP, ['Launch', 'ReplaceUnhealthy']);
      // Assess
      expect(out).toBe('done');
      expect(asg).toHaveReceivedCommandWith(ResumeProcessesCommand, {
        AutoScalingGroupName: GROUP,
        ScalingProcesses: ['Launch', 'ReplaceUnhealthy'],
      });
    });
  });

  describe('tagGroup', () => {
    const tags = {
      'launch-loop-guard:suspended-at': '2025-12-10T09:00:00.000Z',
      'launch-loop-guard:reason': '12 launches in 1h, 11 churned',
    };

    it('writes the tags on the group only, never propagated to instances', async () => {
      // Prepare
      asg.on(CreateOrUpdateTagsCommand).resolves({});
      // Act
      const out = await suspender.tagGroup(REGION, GROUP, tags);
      // Assess
      expect(out).toBe('tagged');
      expect(asg).toHaveReceivedCommandWith(CreateOrUpdateTagsCommand, {
        Tags: [
          {
            ResourceId: GROUP,
            ResourceType: 'auto-scaling-group',
            Key: 'launch-loop-guard:suspended-at',
            Value: '2025-12-10T09:00:00.000Z',
            PropagateAtLaunch: false,
          },
          {
            ResourceId: GROUP,
            ResourceType: 'auto-scaling-group',
            Key: 'launch-loop-guard:reason',
            Value: '12 launches in 1h, 11 churned',
            PropagateAtLaunch: false,
          },
        ],
      });
    });

    it('returns tag-limit for a group at its 50-tag limit', async () => {
      // Prepare
      asg.on(CreateOrUpdateTagsCommand).rejects(tagLimit());
      // Act & Assess
      await expect(suspender.tagGroup(REGION, GROUP, tags)).resolves.toBe('tag-limit');
    });

    it('returns gone for a group that does not exist', async () => {
      // Prepare
      asg
        .on(CreateOrUpdateTagsCommand)
        .rejects(
          asgError('ValidationError', `AutoScalingGroup not found - AutoScaling Group ${GROUP} not found`),
        );
      // Act & Assess
      await expect(suspender.tagGroup(REGION, GROUP, tags)).resolves.toBe('gone');
    });

    surfacesFailures(
      [
        ['throttling', throttled],
        ['access denied', denied],
      ],
      (e) => asg.on(CreateOrUpdateTagsCommand).rejects(e),
      () => suspender.tagGroup(REGION, GROUP, tags),
      'CreateOrUpdateTags',
    );
  });

  describe('untagGroup', () => {
    it('deletes the given keys from the group', async () => {
      // Prepare
      asg.on(DeleteTagsCommand).resolves({});
      // Act
      const out = await suspender.untagGroup(REGION, GROUP, [
        'launch-loop-guard:suspended-at',
        'launch-loop-guard:reason',
      ]);
      // Assess
      expect(out).toBe('done');
      expect(asg).toHaveReceivedCommandWith(DeleteTagsCommand, {
        Tags: [
          { ResourceId: GROUP, ResourceType: 'auto-scaling-group', Key: 'launch-loop-guard:suspended-at' },
          { ResourceId: GROUP, ResourceType: 'auto-scaling-group', Key: 'launch-loop-guard:reason' },
        ],
      });
    });
  });

  // The undo calls (resume, untag): a group that is gone, and an SDK failure wrapped with its cause.
  describe.each([
    [
      'resume',
      (e: Error) => asg.on(ResumeProcessesCommand).rejects(e),
      () => suspender.resume(REGION, GROUP, ['Launch']),
      'access denied',
      denied,
    ],
    [
      'untagGroup',
      (e: Error) => asg.on(DeleteTagsCommand).rejects(e),
      () => suspender.untagGroup(REGION, GROUP, ['k']),
      'throttling',
      throttled,
    ],
  ])('%s', (_method, reject, act, failure, fail) => {
    it('returns gone for a group that does not exist', async () => {
      // Prepare
      reject(notFound());
      // Act & Assess
      await expect(act()).resolves.toBe('gone');
    });

    it(`surfaces ${failure} as a SuspendError with the cause`, async () => {
      // Prepare
      const sdkError = fail();
      reject(sdkError);
      // Act & Assess
      await expectSuspendError(act, sdkError);
    });
  });

  describe('listSuspendedGroups', () => {
    it('filters on the suspended-at tag key and reads every page', async () => {
      // Prepare
      asg
        .on(DescribeAutoScalingGroupsCommand, { NextToken: undefined })
        .resolves({ AutoScalingGroups: [describedGroup], NextToken: 't2' })
        .on(DescribeAutoScalingGroupsCommand, { NextToken: 't2' })
        .resolves({ AutoScalingGroups: [{ ...describedGroup, AutoScalingGroupName: 'batch-workers' }] });
      // Act
      const groups = await suspender.listSuspendedGroups(REGION);
      // Assess
      expect(groups.map((g) => g.name)).toEqual([GROUP, 'batch-workers']);
      expect(asg).toHaveReceivedCommandTimes(DescribeAutoScalingGroupsCommand, 2);
      expect(asg).toHaveReceivedNthCommandWith(DescribeAutoScalingGroupsCommand, 1, {
        Filters: [{ Name: 'tag-key', Values: ['launch-loop-guard:suspended-at'] }],
        MaxRecords: 100,
      });
      expect(asg).toHaveReceivedNthCommandWith(DescribeAutoScalingGroupsCommand, 2, {
        Filters: [{ Name: 'tag-key', Values: ['launch-loop-guard:suspended-at'] }],
        NextToken: 't2',
      });
    });

    it('surfaces access denied as a SuspendError with the cause', async () => {
      // Prepare
      const sdkError = denied();
      asg.on(DescribeAutoScalingGroupsCommand).rejects(sdkError);
      // Act & Assess
      await expectSuspendError(() => suspender.listSuspendedGroups(REGION), sdkError);
    });
  });
});

describe('isGroupGone and isTagLimit', () => {
  it.each([
    [notFound(), true, false],
    [asgError('ValidationError', 'Invalid process name'), false, false],
    [throttled(), false, false],
    [tagLimit(), false, true],
    [asgError('LimitExceeded', 'too many tags'), false, true],
    [new Error('AutoScalingGroup name not found'), false, false],
    ['not an error', false, false],
  ])('%s → gone=%s tag-limit=%s', (error, gone, limit) => {
    expect(isGroupGone(error)).toBe(gone);
    expect(isTagLimit(error)).toBe(limit);
  });
});

describe('PERMISSIONS', () => {
  it('lists only Auto Scaling actions, none that stop or terminate anything', () => {
    // Assess
    expect(PERMISSIONS.every((a) => a.startsWith('autoscaling:'))).toBe(true);
    expect(PERMISSIONS.some((a) => /Terminate|Delete(AutoScalingGroup)|\*/.test(a))).toBe(false);
    expect([...PERMISSIONS].sort()).toEqual([
      'autoscaling:CreateOrUpdateTags',
      'autoscaling:DeleteTags',
      'autoscaling:DescribeAutoScalingGroups',
      'autoscaling:DescribeLifecycleHooks',
      'autoscaling:DescribeScalingActivities',
      'autoscaling:DescribeWarmPool',
      'autoscaling:ResumeProcesses',
      'autoscaling:SuspendProcesses',
    ]);
  });
});

describe('PERMISSIONS_FOR', () => {
  it('gives the guard no way to resume or untag, and resume no way to suspend or tag', () => {
    // Assess
    expect(PERMISSIONS_FOR.guard).not.toContain('autoscaling:ResumeProcesses');
    expect(PERMISSIONS_FOR.guard).not.toContain('autoscaling:DeleteTags');
    expect(PERMISSIONS_FOR.resume).not.toContain('autoscaling:SuspendProcesses');
    expect(PERMISSIONS_FOR.resume).not.toContain('autoscaling:CreateOrUpdateTags');
    expect(PERMISSIONS_FOR.status).toEqual(['autoscaling:DescribeAutoScalingGroups']);
  });

  it('adds up to PERMISSIONS', () => {
    // Act
    const union = new Set(Object.values(PERMISSIONS_FOR).flat());
    // Assess
    expect([...union].sort()).toEqual([...PERMISSIONS].sort());
  });
});
