/**
 * The fake cloud over static maps (the demo's state), reached by the guard's own adapters over
 * the SDK's real protocols: ECS (JSON 1.1), Auto Scaling (awsQuery) and EC2 (EC2 query).
 * What the adapters read back is what the fake was given, so the demo's story is what the
 * function really sees.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient, ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAws, startFakeAws } from '../../fake-cloud/static-state';
import { AutoScalingSuspender } from '../../lambda/adapters/asg-suspender';
import { Ec2InstanceStates } from '../../lambda/adapters/ec2-instances';
import { EcsLookupError, SdkEcsRegistry } from '../../lambda/adapters/ecs-registry';
import { fakeClientConfig } from './client-config';

const REGION = 'eu-west-1';
const GROUP_ARN = 'arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:1:autoScalingGroupName/g';

let fake: FakeAws;
let clients: { ecs: ECSClient; asg: AutoScalingClient; ec2: EC2Client };

beforeAll(async () => {
  fake = await startFakeAws();
  const config = fakeClientConfig(fake.endpoint, REGION);
  clients = { ecs: new ECSClient(config), asg: new AutoScalingClient(config), ec2: new EC2Client(config) };
  // 12 capacity providers (more than one page of 10), one of them backed by the group.
  for (let i = 0; i < 12; i += 1) {
    const name = `cp-${i}`;
    fake.ecs.capacityProviders.set(name, {
      name,
      arn: `arn:aws:ecs:eu-west-1:123456789012:capacity-provider/${name}`,
      autoScalingGroupArn: i === 11 ? GROUP_ARN : `${GROUP_ARN}-other-${i}`,
    });
  }
  fake.ecs.clusters.set('prod', {
    name: 'prod',
    arn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod',
    capacityProviders: ['cp-11'],
    containerInstances: [
      {
        arn: 'arn:aws:ecs:eu-west-1:123456789012:container-instance/prod/a1',
        ec2InstanceId: 'i-0a',
        status: 'ACTIVE',
        agentConnected: true,
      },
      {
        arn: 'arn:aws:ecs:eu-west-1:123456789012:container-instance/prod/b2',
        ec2InstanceId: 'i-0b',
        status: 'DRAINING',
        agentConnected: true,
      },
      {
        arn: 'arn:aws:ecs:eu-west-1:123456789012:container-instance/prod/c3',
        ec2InstanceId: 'i-0c',
        status: 'INACTIVE',
        agentConnected: false,
      },
    ],
    pendingTasks: 2,
  });
  fake.groups.set('g', {
    name: 'g',
    arn: GROUP_ARN,
    healthCheckGracePeriod: 300,
    tags: new Map(),
    suspended: new Set(),
    instances: new Map(),
    desired: 1,
    activities: [
      {
        activityId: '1',
        description: 'Launching a new EC2 instance: i-0d',
        cause:
          'At 2025-12-10T02:14:07Z an instance was launched in response to an unhealthy instance needing to be replaced.',
        startTime: Date.UTC(2025, 11, 10, 2, 14, 7),
        statusCode: 'Successful',
      },
      {
        activityId: '2',
        description: 'Terminating EC2 instance: i-0e',
        cause:
          'At 2025-12-10T02:10:00Z an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped.',
        startTime: Date.UTC(2025, 11, 10, 2, 10),
        statusCode: 'Successful',
      },
      {
        activityId: '3',
        description: 'Terminating EC2 instance: i-0e',
        cause: 'an older, unrelated cause',
        startTime: Date.UTC(2025, 11, 10, 1, 0),
        statusCode: 'Successful',
      },
    ],
  });
  fake.instances.set('i-0e', {
    instanceId: 'i-0e',
    imageId: 'ami-1',
    instanceType: 'inf2.xlarge',
    launchTime: Date.UTC(2025, 11, 10, 2, 6),
    state: 'terminated',
    stateReason: {
      code: 'Client.InstanceInitiatedShutdown',
      message: 'Client.InstanceInitiatedShutdown: Instance initiated shutdown',
    },
  });
});

afterAll(async () => {
  for (const c of Object.values(clients ?? {})) c.destroy();
  await fake?.close();
});

describe('fake ECS (JSON 1.1)', () => {
  it("maps the group to its cluster through a capacity provider on the second page, past FARGATE's", async () => {
    // Act
    const cluster = await new SdkEcsRegistry(() => clients.ecs).clusterOfGroup(REGION, GROUP_ARN);
    // Assess
    expect(cluster).toBe('prod');
    expect(fake.calls.filter((c) => c.action === 'DescribeCapacityProviders')).toHaveLength(2);
  });

  it('lists only the asked instances that registered (not INACTIVE), through ListContainerInstances and DescribeContainerInstances', async () => {
    // Act
    const found = await new SdkEcsRegistry(() => clients.ecs).registrations(REGION, 'prod', [
      'i-0a',
      'i-0b',
      'i-0c',
      'i-0z',
    ]);
    // Assess
    expect([...found.keys()].sort()).toEqual(['i-0a', 'i-0b']);
    const list = fake.calls.filter((c) => c.action === 'ListContainerInstances').at(-1);
    expect(list?.params['filter']).toBe("ec2InstanceId in ['i-0a', 'i-0b', 'i-0c', 'i-0z']");
    expect(fake.calls.some((c) => c.service === 'ecs' && c.action === 'DescribeContainerInstances')).toBe(
      true,
    );
  });

  it('answers an unknown cluster with ClusterNotFoundException, which the adapter turns into EcsLookupError', async () => {
    // Act
    const lookup = new SdkEcsRegistry(() => clients.ecs).registrations(REGION, 'nope', ['i-0a']);
    // Assess
    await expect(lookup).rejects.toBeInstanceOf(EcsLookupError);
    await expect(
      clients.ecs.send(new ListContainerInstancesCommand({ cluster: 'nope' })),
    ).rejects.toMatchObject({ name: 'ClusterNotFoundException' });
  });

  it('refuses a filter it cannot read, as ECS refuses one it cannot parse', async () => {
    await expect(
      clients.ecs.send(
        new ListContainerInstancesCommand({ cluster: 'prod', filter: 'attribute:ecs.os-type == linux' }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});

describe('fake Auto Scaling and EC2 (query protocols)', () => {
  it('gives the departures newest first, so the newest cause of each instance wins', async () => {
    // Act
    const departures = await new AutoScalingSuspender(() => clients.asg).departures(REGION, 'g');
    // Assess
    expect([...departures.keys()]).toEqual(['i-0e']);
    expect(departures.get('i-0e')).toEqual({
      cause:
        'At 2025-12-10T02:10:00Z an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped.',
      at: Date.UTC(2025, 11, 10, 2, 10),
    });
  });

  it('has no lifecycle hooks', async () => {
    expect(await new AutoScalingSuspender(() => clients.asg).launchHookMs(REGION, 'g')).toBeUndefined();
  });

  it("gives EC2's state reason of an instance that ended, and fails the call for an unknown id as EC2 does", async () => {
    // Prepare
    const problems: string[] = [];
    const states = new Ec2InstanceStates(
      () => clients.ec2,
      (message) => problems.push(message),
    );
    // Act
    const known = await states.stateReasons(REGION, ['i-0e']);
    const unknown = await states.stateReasons(REGION, ['i-0e', 'i-0unknown']);
    // Assess
    expect(known).toEqual(new Map([['i-0e', 'Client.InstanceInitiatedShutdown']]));
    expect(unknown.size).toBe(0);
    expect(problems).toEqual(['DescribeInstances failed in eu-west-1']);
  });
});
