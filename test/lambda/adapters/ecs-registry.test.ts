import {
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  ECSClient,
  ECSServiceException,
  ListClustersCommand,
  ListContainerInstancesCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CLUSTER_CACHE_MS,
  EcsLookupError,
  LIMITS,
  SdkEcsRegistry,
} from '../../../lambda/adapters/ecs-registry';

const ecs = mockClient(ECSClient);
const REGION = 'eu-west-1';
const GROUP_ARN =
  'arn:aws:autoscaling:eu-west-1:123456789012:autoScalingGroup:uuid:autoScalingGroupName/ecs-asg';
const CLUSTER_ARN = 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod';

function registry(clock = () => 0) {
  return new SdkEcsRegistry(() => new ECSClient({ region: REGION, maxAttempts: 1 }), clock);
}

beforeEach(() => {
  ecs.reset();
  ecs
    .on(DescribeCapacityProvidersCommand, { nextToken: undefined })
    .resolves({
      capacityProviders: [
        { name: 'other-cp', autoScalingGroupProvider: { autoScalingGroupArn: 'arn:other' } },
      ],
      nextToken: 'page-2',
    })
    .on(DescribeCapacityProvidersCommand, { nextToken: 'page-2' })
    .resolves({
      capacityProviders: [{ name: 'prod-cp', autoScalingGroupProvider: { autoScalingGroupArn: GROUP_ARN } }],
    });
  ecs.on(ListClustersCommand).resolves({ clusterArns: [CLUSTER_ARN] });
  ecs.on(DescribeClustersCommand).resolves({
    clusters: [{ clusterName: 'prod', clusterArn: CLUSTER_ARN, capacityProviders: ['prod-cp'] }],
  });
});

describe('SdkEcsRegistry.clusterOfGroup', () => {
  it('maps a group to the cluster that uses its capacity provider, across pages, within the API limits', async () => {
    // Act
    const cluster = await registry().clusterOfGroup(REGION, GROUP_ARN);
    // Assess
    expect(cluster).toBe('prod');
    for (const c of ecs.commandCalls(DescribeCapacityProvidersCommand))
      expect(c.args[0].input.maxResults).toBeLessThanOrEqual(LIMITS.capacityProviders);
    for (const c of ecs.commandCalls(ListClustersCommand))
      expect(c.args[0].input.maxResults).toBeLessThanOrEqual(100);
  });

  it('says undefined for a group no capacity provider uses', async () => {
    expect(
      await registry().clusterOfGroup(
        REGION,
        'arn:aws:autoscaling:eu-west-1:1:autoScalingGroup:x:autoScalingGroupName/web',
      ),
    ).toBeUndefined();
  });

  it('reads a region once per cache period', async () => {
    // Prepare
    let now = 0;
    const r = registry(() => now);
    // Act
    await r.clusterOfGroup(REGION, GROUP_ARN);
    now = CLUSTER_CACHE_MS - 1;
    await r.clusterOfGroup(REGION, GROUP_ARN);
    now = CLUSTER_CACHE_MS + 1;
    await r.clusterOfGroup(REGION, GROUP_ARN);
    // Assess
    expect(ecs.commandCalls(ListClustersCommand)).toHaveLength(2);
  });

  it('throws EcsLookupError when ECS throttles', async () => {
    // Prepare
    ecs.on(DescribeCapacityProvidersCommand).rejects(
      // ECS models no throttling class: the SDK raises its service exception named ThrottlingException.
      new ECSServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        message: 'Rate exceeded',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    // Act + Assess
    await expect(registry().clusterOfGroup(REGION, GROUP_ARN)).rejects.toBeInstanceOf(EcsLookupError);
  });
});

describe('SdkEcsRegistry.registered', () => {
  it('lists container instances with the ec2InstanceId filter and returns the registered EC2 ids', async () => {
    // Prepare
    ecs.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: ['arn:ci/1', 'arn:ci/2'] });
    ecs.on(DescribeContainerInstancesCommand).resolves({
      containerInstances: [
        { containerInstanceArn: 'arn:ci/1', ec2InstanceId: 'i-00000000000000001', status: 'ACTIVE' },
        { containerInstanceArn: 'arn:ci/2', ec2InstanceId: 'i-00000000000000002', status: 'INACTIVE' },
      ],
    });
    // Act
    const found = await registry().registrations(REGION, 'prod', [
      'i-00000000000000001',
      'i-00000000000000002',
      'i-00000000000000003',
    ]);
    // Assess
    expect([...found.keys()]).toEqual(['i-00000000000000001']);
    const input = ecs.commandCalls(ListContainerInstancesCommand)[0]!.args[0].input;
    expect(input.filter).toBe(
      "ec2InstanceId in ['i-00000000000000001', 'i-00000000000000002', 'i-00000000000000003']",
    );
    expect(input.maxResults).toBeLessThanOrEqual(LIMITS.containerInstances);
  });

  it('asks nothing more when none is registered', async () => {
    ecs.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [] });
    expect((await registry().registrations(REGION, 'prod', ['i-00000000000000001'])).size).toBe(0);
    expect(ecs.commandCalls(DescribeContainerInstancesCommand)).toHaveLength(0);
  });

  it('throws EcsLookupError when the cluster cannot be read', async () => {
    ecs
      .on(ListContainerInstancesCommand)
      .rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
    await expect(registry().registrations(REGION, 'prod', ['i-00000000000000001'])).rejects.toBeInstanceOf(
      EcsLookupError,
    );
  });
});
