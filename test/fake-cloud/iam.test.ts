/**
 * The fake cloud's IAM and launch templates (what the alert's instance-role check reads), reached
 * by the guard's own adapters over the SDK's real protocols: the group's launch template in
 * DescribeAutoScalingGroups (awsQuery), DescribeLaunchTemplateVersions (EC2 query),
 * GetInstanceProfile and SimulatePrincipalPolicy (IAM, awsQuery).
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAws, startFakeAws } from '../../fake-cloud/static-state';
import { AutoScalingSuspender } from '../../lambda/adapters/asg-suspender';
import { IamRoleReader } from '../../lambda/adapters/iam-role';
import { Ec2LaunchTemplateReader } from '../../lambda/adapters/launch-template';
import { InstanceRoleChecker } from '../../lambda/steps/role-check';
import { fakeClientConfig } from './client-config';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/node-role`;
const PROFILE_ARN = `arn:aws:iam::${ACCOUNT}:instance-profile/node-profile`;

let fake: FakeAws;
let clients: { asg: AutoScalingClient; ec2: EC2Client; iam: IAMClient };

beforeAll(async () => {
  fake = await startFakeAws();
  const config = fakeClientConfig(fake.endpoint, REGION);
  clients = {
    asg: new AutoScalingClient(config),
    ec2: new EC2Client(config),
    iam: new IAMClient({ ...config, region: 'us-east-1' }),
  };
  fake.groups.set('g', {
    name: 'g',
    arn: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:1:autoScalingGroupName/g`,
    healthCheckGracePeriod: 300,
    tags: new Map(),
    suspended: new Set(),
    instances: new Map(),
    desired: 1,
    launchTemplate: { id: 'lt-0123456789abcdef0', name: 'ecs-nodes' },
  });
  fake.iam.launchTemplates.set('lt-0123456789abcdef0', {
    id: 'lt-0123456789abcdef0',
    name: 'ecs-nodes',
    imageId: 'ami-0c4f2a8e9d17b3a56',
    instanceProfileArn: PROFILE_ARN,
    userData: '#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n',
  });
  fake.iam.profiles.set('node-profile', {
    name: 'node-profile',
    arn: PROFILE_ARN,
    roleName: 'node-role',
    roleArn: ROLE_ARN,
  });
  fake.iam.allowed.set(ROLE_ARN, new Set(['ecs:DiscoverPollEndpoint']));
});

afterAll(async () => {
  for (const c of Object.values(clients ?? {})) c.destroy();
  await fake?.close();
});

describe('launch templates (Auto Scaling and EC2 query)', () => {
  it("shows the group's own launch template, and its default version's profile and user data", async () => {
    // Act
    const group = await new AutoScalingSuspender(() => clients.asg).describeGroup(REGION, 'g');
    const template = await new Ec2LaunchTemplateReader(() => clients.ec2).read(
      REGION,
      group!.launchTemplate!,
    );
    // Assess
    expect(group?.launchTemplate).toEqual({
      id: 'lt-0123456789abcdef0',
      name: 'ecs-nodes',
      version: '$Default',
    });
    expect(template).toEqual({
      instanceProfile: PROFILE_ARN,
      userData: '#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n',
    });
    expect(fake.calls.at(-1)).toMatchObject({ service: 'ec2', action: 'DescribeLaunchTemplateVersions' });
  });

  it('finds a template by name too, and answers InvalidLaunchTemplateId.NotFound for an unknown one', async () => {
    // Act
    const reader = new Ec2LaunchTemplateReader(() => clients.ec2);
    const byName = await reader.read(REGION, { name: 'ecs-nodes' });
    const unknown = await reader.read(REGION, { id: 'lt-0ffffffffffffffff' });
    // Assess
    expect(byName).toMatchObject({ instanceProfile: PROFILE_ARN });
    expect(unknown).toMatchObject({ code: 'InvalidLaunchTemplateId.NotFound' });
    expect(fake.calls.at(-1)?.error).toBe('InvalidLaunchTemplateId.NotFound');
  });
});

describe('fake IAM (awsQuery)', () => {
  it("answers a profile's role, and NoSuchEntity for an unknown profile", async () => {
    // Act
    const reader = new IamRoleReader(clients.iam);
    const role = await reader.roleOfProfile('node-profile');
    const missing = await reader.roleOfProfile('nobody');
    // Assess
    expect(role).toEqual({ name: 'node-role', arn: ROLE_ARN });
    // IAM's code is NoSuchEntity; the SDK names its modeled error class NoSuchEntityException.
    expect(missing).toMatchObject({ code: 'NoSuchEntityException' });
    expect(fake.calls.at(-1)).toMatchObject({
      service: 'iam',
      action: 'GetInstanceProfile',
      error: 'NoSuchEntity',
    });
  });

  it('allows the listed actions and denies every other, on the resource asked', async () => {
    // Act
    const decisions = await new IamRoleReader(clients.iam).simulate(
      ROLE_ARN,
      ['ecs:DiscoverPollEndpoint', 'ecs:RegisterContainerInstance'],
      `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`,
    );
    // Assess
    expect(decisions).toEqual([
      { action: 'ecs:DiscoverPollEndpoint', decision: 'allowed' },
      { action: 'ecs:RegisterContainerInstance', decision: 'implicitDeny' },
    ]);
    expect(fake.calls.at(-1)?.params['ResourceArns.member.1']).toBe(
      `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod`,
    );
  });

  it('lets the role check follow group → template → profile → role and name what the role may not call', async () => {
    // Prepare
    const group = await new AutoScalingSuspender(() => clients.asg).describeGroup(REGION, 'g');
    const checker = new InstanceRoleChecker(
      new Ec2LaunchTemplateReader(() => clients.ec2),
      new IamRoleReader(clients.iam),
    );
    // Act
    const finding = await checker.check(REGION, {
      account: ACCOUNT,
      name: 'g',
      launchTemplate: group!.launchTemplate!,
    });
    // Assess
    expect(finding.unknown).toEqual([]);
    expect(finding.instanceProfile).toBe('node-profile');
    expect(finding.role).toEqual({ name: 'node-role', arn: ROLE_ARN });
    expect(finding.ecs).toMatchObject({ backs: true, cluster: 'prod' });
    expect(finding.permissions?.denied).toContain('ecs:RegisterContainerInstance');
    expect(finding.permissions?.denied).not.toContain('ecs:DiscoverPollEndpoint');
  });
});
