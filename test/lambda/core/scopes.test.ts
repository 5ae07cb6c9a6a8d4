import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../../fake-cloud/support/fixtures';
import { parseEvent } from '../../../lambda/core/parse-event';
import { callerLabel, launchScopes } from '../../../lambda/core/scopes';
import type { LaunchRecord } from '../../../lambda/core/types';

function launchFrom(name: string): LaunchRecord {
  const parsed = parseEvent(loadFixture(name));
  if (parsed.kind !== 'launch') throw new Error(`${name} is not a launch: ${JSON.stringify(parsed)}`);
  return parsed;
}

const T = Date.UTC(2024, 0, 1, 12, 0, 0);

function record(instances: LaunchRecord['instances'], caller: LaunchRecord['caller'] = {}): LaunchRecord {
  return {
    kind: 'launch',
    source: 'RunInstances',
    account: '111122223333',
    region: 'eu-west-1',
    eventId: 'e-1',
    eventTime: T,
    caller,
    instances,
    truncated: false,
  };
}

describe('launchScopes', () => {
  it('counts an EventBridge-wrapped Auto Scaling launch for its group and its AMI', () => {
    // Prepare
    const launch = launchFrom('derived-eventbridge-runinstances-asg-slr.json');
    const group = 'eks-ng-0ca246e9-cac9e862-bfd9-a821-c9fd-9916df5654eb';
    const arn = 'arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling';
    const mentions = [{ instanceId: 'i-07d06021b0da55115', time: Date.UTC(2024, 11, 16, 18, 41, 7) }];
    // Act
    const scopes = launchScopes(launch);
    // Assess
    expect(scopes).toStrictEqual([
      {
        key: { scope: 'asg', account: '111122223333', region: 'us-west-2', key: group },
        mentions,
        imageIds: ['ami-013e7d3a6659f358d'],
        groupNames: [group],
        callers: [arn],
      },
      {
        key: { scope: 'ami', account: '111122223333', region: 'us-west-2', key: 'ami-013e7d3a6659f358d' },
        mentions,
        imageIds: ['ami-013e7d3a6659f358d'],
        groupNames: [group],
        callers: [arn],
      },
    ]);
  });

  it('counts a launch without a group for its AMI only', () => {
    // Prepare
    const launch = launchFrom('runinstances-asg-legacy-root-two-instances.c7n.json');
    // Act
    const scopes = launchScopes(launch);
    // Assess
    expect(scopes.map((s) => s.key)).toStrictEqual([
      { scope: 'ami', account: '619193117841', region: 'us-west-1', key: 'ami-06116566' },
    ]);
    expect(scopes[0]?.mentions.map((m) => m.instanceId)).toEqual(['i-784cdacd', 'i-7b4cdace']);
    expect(scopes[0]?.groupNames).toEqual([]);
  });

  it('gives one AMI scope per distinct AMI of a record', () => {
    // Prepare
    const launch = launchFrom('runinstances-console-two-instances-mixed-ami.panther-xz.json');
    // Act
    const scopes = launchScopes(launch);
    // Assess
    expect(scopes.map((s) => [s.key.key, s.mentions.map((m) => m.instanceId)])).toEqual([
      ['ami-092e3b17e435e5e58', ['i-00000000000000000']],
      ['ami-020a359780bc6f835', ['i-00000000000000001']],
    ]);
  });

  it("counts Auto Scaling's own launch event for its group only", () => {
    // Prepare
    const launch = launchFrom('eventbridge-asg-launch-successful.aws-lambda-go.json');
    // Act
    const scopes = launchScopes(launch);
    // Assess
    expect(scopes).toStrictEqual([
      {
        key: { scope: 'asg', account: '123456789012', region: 'us-west-2', key: 'my-auto-scaling-group' },
        mentions: [{ instanceId: 'i-1234567890abcdef0', time: 0 }],
        imageIds: [],
        groupNames: ['my-auto-scaling-group'],
        callers: ['autoscaling.amazonaws.com'],
      },
    ]);
  });

  it('lists every AMI a group launched and every group that launched an AMI', () => {
    // Prepare
    const launch = record([
      { instanceId: 'i-1', imageId: 'ami-a', groupName: 'g1' },
      { instanceId: 'i-2', imageId: 'ami-b', groupName: 'g1' },
      { instanceId: 'i-3', imageId: 'ami-a', groupName: 'g2' },
    ]);
    // Act
    const scopes = launchScopes(launch);
    // Assess
    expect(scopes.map((s) => [s.key.scope, s.key.key, s.mentions.length, s.imageIds, s.groupNames])).toEqual([
      ['asg', 'g1', 2, ['ami-a', 'ami-b'], ['g1']],
      ['asg', 'g2', 1, ['ami-a'], ['g2']],
      ['ami', 'ami-a', 2, ['ami-a'], ['g1', 'g2']],
      ['ami', 'ami-b', 1, ['ami-b'], ['g1']],
    ]);
  });

  it('mentions an instance id repeated inside one record once, at the record time', () => {
    // Prepare
    const launch = record([
      { instanceId: 'i-1', imageId: 'ami-a' },
      { instanceId: 'i-1', imageId: 'ami-a' },
    ]);
    // Act
    const scopes = launchScopes(launch);
    // Assess
    expect(scopes[0]?.mentions).toStrictEqual([{ instanceId: 'i-1', time: T }]);
  });

  it('gives no scope to a launch that names neither group nor AMI', () => {
    // Prepare
    const launch = record([{ instanceId: 'i-1' }, { instanceId: 'i-2', groupName: '', imageId: '' }]);
    // Act
    const scopes = launchScopes(launch);
    // Assess
    expect(scopes).toEqual([]);
  });

  it('uses invokedBy as the caller when there is no ARN, and no caller when there is neither', () => {
    // Prepare
    const byService = record([{ instanceId: 'i-1', imageId: 'ami-a' }], {
      invokedBy: 'autoscaling.amazonaws.com',
    });
    const anonymous = record([{ instanceId: 'i-1', imageId: 'ami-a' }]);
    // Act
    const [serviceScope] = launchScopes(byService);
    const [anonymousScope] = launchScopes(anonymous);
    // Assess
    expect(serviceScope?.callers).toEqual(['autoscaling.amazonaws.com']);
    expect(anonymousScope?.callers).toEqual([]);
  });
});

describe('callerLabel', () => {
  it.each([
    [{ arn: 'arn:aws:iam::1:root', invokedBy: 'autoscaling.amazonaws.com' }, 'arn:aws:iam::1:root'],
    [{ invokedBy: 'autoscaling.amazonaws.com' }, 'autoscaling.amazonaws.com'],
    [{}, undefined],
    [{ arn: '', invokedBy: 'ec2.amazonaws.com' }, 'ec2.amazonaws.com'],
  ])('labels %j as %s', (caller, expected) => {
    // Act
    const label = callerLabel(caller);
    // Assess
    expect(label).toBe(expected);
  });
});
