import { describe, expect, it } from 'vitest';
import {
  clusterArn,
  clusterFromUserData,
  clusterName,
  ECS_AGENT_ACTIONS,
  type EcsEvidence,
  ecsBacking,
  iamNameOf,
  likelyCause,
  permissionCheck,
  type RoleCheckGroup,
  type RoleFinding,
  roleLine,
} from '../../../lambda/core/role-check';
import { deniedRole } from './example-ami-change';

const GROUP = { account: '123456789012', name: 'asg' };

describe('ecsBacking', () => {
  it.each<{ group: RoleCheckGroup; evidence: EcsEvidence[] }>([
    { group: { ...GROUP, imageFamily: 'al2023-ecs-neuron' }, evidence: ['ami-family'] },
    { group: { ...GROUP, tags: { 'launch-loop-guard:ecs-cluster': 'prod' } }, evidence: ['cluster-tag'] },
    { group: { ...GROUP, tags: { AmazonECSManaged: '' } }, evidence: ['capacity-provider'] },
    { group: { ...GROUP, capacityProvider: true }, evidence: ['capacity-provider'] },
    { group: { ...GROUP, imageFamily: 'al2023-standard' }, evidence: [] },
  ])('finds $evidence', ({ group, evidence }) => {
    expect(ecsBacking(group).evidence).toEqual(evidence);
    expect(ecsBacking(group).backs).toBe(evidence.length > 0);
  });

  it('takes the cluster from the caller, then the tag, then the user data', () => {
    const tagged = {
      ...GROUP,
      tags: { 'launch-loop-guard:ecs-cluster': 'arn:aws:ecs:eu-west-1:1:cluster/tagged' },
    };
    expect(ecsBacking({ ...tagged, cluster: 'given' }, 'ud').cluster).toBe('given');
    expect(ecsBacking(tagged, 'ud').cluster).toBe('tagged');
    expect(ecsBacking(GROUP, 'ud')).toEqual({ backs: true, evidence: ['user-data'], cluster: 'ud' });
  });
});

describe('cluster helpers', () => {
  it('reads ECS_CLUSTER from user data as ecs.config takes it', () => {
    expect(clusterFromUserData('#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config')).toBe('prod');
    expect(clusterFromUserData('ECS_CLUSTER="my-cluster_1"')).toBe('my-cluster_1');
    expect(clusterFromUserData('#!/bin/bash\nyum update -y')).toBeUndefined();
  });

  it('names the cluster and builds its ARN in the region’s partition', () => {
    expect(clusterName('arn:aws:ecs:eu-west-1:1:cluster/prod')).toBe('prod');
    expect(clusterArn('prod', 'eu-west-1', '123456789012')).toBe(
      'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
    );
    expect(clusterArn('prod', 'cn-north-1', '1')).toBe('arn:aws-cn:ecs:cn-north-1:1:cluster/prod');
    expect(clusterArn('prod', 'us-gov-west-1', '1')).toBe('arn:aws-us-gov:ecs:us-gov-west-1:1:cluster/prod');
  });

  it('reads the name at the end of an IAM ARN', () => {
    expect(iamNameOf('arn:aws:iam::1:instance-profile/path/to/web')).toBe('web');
    expect(iamNameOf('web')).toBe('web');
  });
});

describe('permissionCheck', () => {
  it('keeps the denied actions in the agent order, explicit denies apart', () => {
    const decisions = ECS_AGENT_ACTIONS.map((action) => ({
      action,
      decision:
        action === 'ecs:Poll'
          ? 'explicitDeny'
          : action === 'ecs:RegisterContainerInstance'
            ? 'implicitDeny'
            : 'allowed',
    }));
    expect(permissionCheck(decisions, undefined)).toEqual({
      denied: ['ecs:RegisterContainerInstance', 'ecs:Poll'],
      explicitlyDenied: ['ecs:Poll'],
    });
  });
});

describe('likelyCause', () => {
  it('names the image, the role, the action and the cluster', () => {
    expect(likelyCause(deniedRole(), 'al2023-ecs-neuron')).toBe(
      'instances use the ECS-optimized Neuron AMI and role `2sec-dev-ec2-role` may not call ' +
        'ecs:RegisterContainerInstance: they cannot join cluster `prod`',
    );
  });

  it('counts the other denied actions and says "their ECS cluster" when none is known', () => {
    const role = deniedRole();
    const finding: RoleFinding = {
      ...role,
      ecs: { backs: true, evidence: ['capacity-provider'] },
      permissions: { denied: ['ecs:RegisterContainerInstance', 'ecs:Poll'], explicitlyDenied: [] },
    };
    expect(likelyCause(finding)).toBe(
      'the instance role `2sec-dev-ec2-role` may not call ecs:RegisterContainerInstance (nor 1 other ECS agent action): ' +
        'they cannot join their ECS cluster',
    );
  });

  it.each<{ name: string; finding: RoleFinding }>([
    {
      name: 'every action is allowed',
      finding: { ...deniedRole(), permissions: { denied: [], explicitlyDenied: [] } },
    },
    {
      name: 'the group does not back ECS',
      finding: { ...deniedRole(), ecs: { backs: false, evidence: [] } },
    },
    {
      name: 'the role is unknown',
      finding: { ecs: { backs: true, evidence: ['ami-family'] }, unknown: ['x'] },
    },
  ])('says nothing when $name', ({ finding }) => {
    expect(likelyCause(finding, 'al2023-ecs')).toBeUndefined();
  });
});

describe('roleLine', () => {
  it('states what the role may not do, and where', () => {
    expect(roleLine(deniedRole())).toBe(
      '`2sec-dev-ec2-role` (instance profile `2sec-dev-ec2-profile`) may not call ecs:RegisterContainerInstance ' +
        'on arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
    );
  });

  it('says unknown, and why, when the role could not be read', () => {
    expect(
      roleLine({ ecs: { backs: true, evidence: [] }, unknown: ['the launch template (AccessDenied)'] }),
    ).toBe('unknown (could not read the launch template (AccessDenied))');
  });

  it('says when the ECS permissions were not checked', () => {
    const finding: RoleFinding = {
      role: { name: 'web', arn: 'arn:aws:iam::1:role/web' },
      ecs: { backs: false, evidence: [] },
      unknown: [],
    };
    expect(roleLine(finding)).toBe(
      '`web`; the group does not appear to back ECS, so its ECS permissions were not checked',
    );
  });
});
