import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeLifecycleHooksCommand,
  DescribeScalingActivitiesCommand,
  DescribeWarmPoolCommand,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import * as ECS from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIOS } from '../../../bench/sim/scenarios';
import { MINUTE, SECOND, SIM_T0, World } from '../../../bench/sim/world';
import { type FakeCloud, startFakeCloud } from '../../../bench/sim/world-state';
import { parseEvent } from '../../../lambda/core/parse-event';

const options = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'sim', secretAccessKey: 'sim' },
  maxAttempts: 1,
});

/** The error a call fails with (handled at once, so no rejection goes unhandled meanwhile). */
function failure(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** A small world: a capacity-provider group whose odd launches never register, a warm pool, Spot, a hook. */
function smallWorld(): World {
  const w = new World({ seed: 7 });
  w.addGroup({
    name: 'cp',
    minSize: 0,
    maxSize: 10,
    desired: 0,
    gracePeriodS: 300,
    healthCheckType: 'EC2',
    imageId: 'ami-0123456789abcdef0',
    bootMs: [40 * SECOND, 60 * SECOND],
    behaviour: (n) =>
      n % 2 === 0 ? { kind: 'healthy', registerAfterMs: 30 * SECOND } : { kind: 'never-register' },
    capacityProvider: {
      name: 'cp-provider',
      cluster: 'prod',
      managedTerminationProtection: true,
      scaleIntervalMs: MINUTE,
      maxStep: 4,
      warmupMs: 20 * MINUTE,
    },
  });
  w.addCluster('prod', (t) => (t >= SIM_T0 + MINUTE ? 4 : 0));
  w.addGroup({
    name: 'spot-warm',
    minSize: 0,
    maxSize: 20,
    desired: 4,
    gracePeriodS: 300,
    healthCheckType: 'EC2',
    imageId: 'ami-0123456789abcdef0',
    bootMs: [40 * SECOND, 60 * SECOND],
    behaviour: () => ({ kind: 'healthy' }),
    spot: true,
    initialInstances: 4,
    warmPool: { minSize: 60 },
    launchHook: { name: 'bootstrap', heartbeatTimeoutS: 1800 },
  });
  return w;
}

describe('fake cloud', () => {
  let world: World;
  let cloud: FakeCloud;
  let asg: AutoScalingClient;
  let ecs: ECS.ECSClient;
  let ec2: EC2Client;

  beforeAll(async () => {
    world = smallWorld();
    world.advanceTo(SIM_T0 + 10 * MINUTE);
    cloud = await startFakeCloud(world);
    asg = new AutoScalingClient(options(cloud.endpoint));
    ecs = new ECS.ECSClient(options(cloud.endpoint));
    ec2 = new EC2Client(options(cloud.endpoint));
  });

  afterAll(async () => {
    asg.destroy();
    ecs.destroy();
    ec2.destroy();
    await cloud.close();
  });

  it('answers DescribeAutoScalingGroups with live instances, grace period, MaxSize and ARN', async () => {
    // Act
    const out = await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['cp'] }));

    // Assess
    const g = out.AutoScalingGroups?.[0];
    expect(g?.AutoScalingGroupARN).toBe(world.group('cp').arn);
    expect(g?.MaxSize).toBe(10);
    expect(g?.HealthCheckGracePeriod).toBe(300);
    expect(g?.Instances?.length).toBe(4);
    expect(g?.Instances?.every((i) => i.LifecycleState === 'InService' && i.HealthStatus === 'Healthy')).toBe(
      true,
    );
    expect(g?.Instances?.every((i) => i.ProtectedFromScaleIn === true)).toBe(true);
    expect(g?.Tags?.map((t) => t.Key)).toContain('AmazonECSManaged');
  });

  it('answers DescribeScalingActivities newest first with Auto Scaling causes, and refuses MaxRecords over 100', async () => {
    // Act
    const out = await asg.send(
      new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'cp', MaxRecords: 100 }),
    );
    const tooMany = failure(
      asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'cp', MaxRecords: 101 })),
    );

    // Assess
    const activities = out.Activities ?? [];
    expect(activities.length).toBe(4);
    const starts = activities.map((a) => a.StartTime!.getTime());
    expect([...starts].sort((a, b) => b - a)).toEqual(starts);
    expect(activities[0]?.Description).toMatch(/^Launching a new EC2 instance: i-[0-9a-f]{17}$/);
    expect(activities[0]?.Cause).toMatch(
      /triggered policy ECSManagedAutoScalingPolicy-[0-9a-f-]+ changing the desired capacity from 0 to 4\. {2}At \S+ an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 0 to 4\.$/,
    );
    expect(activities[0]?.StatusCode).toBe('Successful');
    expect(activities[0]?.EndTime).toBeInstanceOf(Date);
    expect(await tooMany).toMatchObject({ name: 'ValidationError' });
  });

  it('refuses DescribeWarmPool with MaxRecords over 50, as AWS does, and pages at 50', async () => {
    // Act
    const over = failure(
      asg.send(new DescribeWarmPoolCommand({ AutoScalingGroupName: 'spot-warm', MaxRecords: 100 })),
    );
    const first = await asg.send(
      new DescribeWarmPoolCommand({ AutoScalingGroupName: 'spot-warm', MaxRecords: 50 }),
    );
    const second = await asg.send(
      new DescribeWarmPoolCommand({
        AutoScalingGroupName: 'spot-warm',
        MaxRecords: 50,
        NextToken: first.NextToken,
      }),
    );

    // Assess
    expect(await over).toMatchObject({ name: 'ValidationError' });
    expect(first.Instances?.length).toBe(50);
    expect(second.Instances?.length).toBe(10);
    expect(second.NextToken).toBeUndefined();
    expect(first.Instances?.every((i) => i.LifecycleState === 'Warmed:Stopped')).toBe(true);
    expect(first.WarmPoolConfiguration?.MinSize).toBe(60);
  });

  it('answers DescribeLifecycleHooks with the heartbeat timeout', async () => {
    const out = await asg.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: 'spot-warm' }));
    expect(out.LifecycleHooks?.[0]).toMatchObject({
      LifecycleHookName: 'bootstrap',
      LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
      HeartbeatTimeout: 1800,
    });
  });

  it('maps the group to its cluster through DescribeCapacityProviders and DescribeClusters', async () => {
    // Act
    const providers = await ecs.send(new ECS.DescribeCapacityProvidersCommand({}));
    const over = failure(ecs.send(new ECS.DescribeCapacityProvidersCommand({ maxResults: 11 })));
    const clusters = await ecs.send(new ECS.ListClustersCommand({}));
    const described = await ecs.send(new ECS.DescribeClustersCommand({ clusters: clusters.clusterArns }));

    // Assess
    const own = providers.capacityProviders?.find((c) => c.autoScalingGroupProvider !== undefined);
    expect(providers.capacityProviders?.map((c) => c.name)).toEqual([
      'FARGATE',
      'FARGATE_SPOT',
      'cp-provider',
    ]);
    expect(own?.autoScalingGroupProvider?.autoScalingGroupArn).toBe(world.group('cp').arn);
    expect(own?.autoScalingGroupProvider?.managedTerminationProtection).toBe('ENABLED');
    expect(await over).toMatchObject({ name: 'InvalidParameterException' });
    expect(described.clusters?.[0]?.clusterName).toBe('prod');
    expect(described.clusters?.[0]?.capacityProviders).toEqual(['cp-provider']);
  });

  it('lists only the registered instances for the ec2InstanceId filter and refuses maxResults over 100', async () => {
    // Prepare
    const ids = world.groupInstances(world.group('cp')).map((i) => i.id);
    const registered = world
      .groupInstances(world.group('cp'))
      .filter((i) => i.behaviour.kind === 'healthy')
      .map((i) => i.id);

    // Act
    const listed = await ecs.send(
      new ECS.ListContainerInstancesCommand({
        cluster: 'prod',
        filter: `ec2InstanceId in [${ids.map((id) => `'${id}'`).join(', ')}]`,
        maxResults: 100,
      }),
    );
    const over = failure(
      ecs.send(new ECS.ListContainerInstancesCommand({ cluster: 'prod', maxResults: 101 })),
    );
    const described = await ecs.send(
      new ECS.DescribeContainerInstancesCommand({
        cluster: 'prod',
        containerInstances: listed.containerInstanceArns,
      }),
    );

    // Assess
    expect(registered.length).toBe(2);
    expect(listed.containerInstanceArns?.length).toBe(2);
    expect(await over).toMatchObject({ name: 'InvalidParameterException' });
    expect(described.containerInstances?.map((c) => c.ec2InstanceId).sort()).toEqual([...registered].sort());
    expect(
      described.containerInstances?.every((c) => c.status === 'ACTIVE' && c.agentConnected === true),
    ).toBe(true);
    expect(described.containerInstances?.[0]?.registeredAt).toBeInstanceOf(Date);
  });

  it('shows a Spot interruption as the EC2 state reason, and the terminated instance for an hour', async () => {
    // Prepare
    world.spotInterrupt('spot-warm', 1);
    const hit = [...world.instances.values()].find((i) => i.stateReason !== undefined)!;
    world.advanceTo(world.now + 5 * MINUTE);

    // Act
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [hit.id] }));
    const filtered = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'tag:aws:autoscaling:groupName', Values: ['spot-warm'] },
          { Name: 'instance-state-name', Values: ['terminated'] },
        ],
      }),
    );
    world.advanceTo(world.now + 61 * MINUTE);
    const later = failure(ec2.send(new DescribeInstancesCommand({ InstanceIds: [hit.id] })));

    // Assess
    const inst = out.Reservations?.[0]?.Instances?.[0];
    expect(inst?.State?.Name).toBe('terminated');
    expect(inst?.StateReason?.Code).toBe('Server.SpotInstanceTermination');
    expect(filtered.Reservations?.flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId)).toEqual([
      hit.id,
    ]);
    expect(await later).toMatchObject({ name: 'InvalidInstanceID.NotFound' });
    const terminations = world.activities.filter(
      (a) => a.description === `Terminating EC2 instance: ${hit.id}`,
    );
    expect(terminations[0]?.cause).toMatch(
      /an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped\.$/,
    );
  });

  it('stops the group launching after SuspendProcesses, and records each call with its simulated time', async () => {
    // Prepare
    const before = world.launches.filter((l) => l.group === 'cp').length;

    // Act
    await asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'cp', ScalingProcesses: ['Launch'] }));
    world.setDesired('cp', 8, { kind: 'user-set' });
    world.advanceTo(world.now + 10 * MINUTE);

    // Assess
    expect(world.launches.filter((l) => l.group === 'cp').length).toBe(before);
    const call = cloud.calls.find((c) => c.action === 'SuspendProcesses');
    expect(call).toMatchObject({ service: 'autoscaling', group: 'cp' });
    expect(call!.at).toBeGreaterThan(SIM_T0);
  });
});

describe('world', () => {
  const elb = SCENARIOS.find((s) => s.name === 'loop-elb-health-replacement')!;

  function play(seed: number): World {
    const w = new World({ seed });
    elb.build(w);
    w.advanceTo(SIM_T0 + 90 * MINUTE);
    return w;
  }

  it('plays the same way for the same seed, and differently for another', () => {
    // Act
    const a = play(elb.seed);
    const b = play(elb.seed);
    const c = play(elb.seed + 1);

    // Assess
    const trace = (w: World) =>
      JSON.stringify({ launches: w.launches, deliveries: w.takeDue(Number.POSITIVE_INFINITY) });
    expect(trace(a)).toBe(trace(b));
    expect(trace(a)).not.toBe(trace(c));
  });

  it('replaces each unhealthy instance with a health-check Cause on both sides', () => {
    // Act
    const w = play(elb.seed);

    // Assess
    const terminations = w.activities.filter((a) => a.description.startsWith('Terminating EC2 instance: '));
    const launches = w.activities.filter((a) => a.description.startsWith('Launching a new EC2 instance: '));
    expect(terminations.length).toBeGreaterThan(15);
    for (const t of terminations)
      expect(t.cause).toMatch(
        /^At \S+Z an instance was taken out of service in response to an ELB system health check failure\.$/,
      );
    expect(launches.length).toBe(terminations.length + 1);
    for (const l of launches.slice(1))
      expect(l.cause).toMatch(
        /^At \S+Z an instance was launched in response to an unhealthy instance needing to be replaced\.$/,
      );
    expect(w.launches.every((l) => l.failed)).toBe(true);
  });

  it('delivers CloudTrail 2-6 min late and out of order, some twice, and Auto Scaling events within a minute with their Cause', () => {
    // Act
    const w = play(elb.seed);
    const deliveries = w.takeDue(Number.POSITIVE_INFINITY);

    // Assess
    const trail = deliveries.filter((d) => d.kind === 'cloudtrail' && !d.duplicate);
    const delays = trail.map(
      (d) => d.at - Date.parse((d.event['detail'] as { eventTime: string }).eventTime),
    );
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(2 * MINUTE);
    expect(Math.max(...delays)).toBeLessThanOrEqual(6 * MINUTE);
    const eventTimes = trail.map((d) => (d.event['detail'] as { eventTime: string }).eventTime);
    expect([...eventTimes].sort()).not.toEqual(eventTimes);
    const terminated = deliveries.filter((d) => d.kind === 'asg-terminate');
    expect(terminated.length).toBeGreaterThan(0);
    for (const d of terminated) {
      const detail = d.event['detail'] as { Cause: string; EndTime: string; Description: string };
      expect(d.event['detail-type']).toBe('EC2 Instance Terminate Successful');
      expect(detail.Cause).toMatch(/ELB system health check failure/);
      expect(detail.Description).toMatch(/^Terminating EC2 instance: i-/);
      expect(d.at - Date.parse(detail.EndTime)).toBeLessThanOrEqual(MINUTE);
    }
    for (const d of deliveries) {
      const parsed = parseEvent(d.event);
      expect(parsed.kind).toBe(d.kind === 'asg-terminate' ? 'terminate' : 'launch');
    }
    const many = new World({ seed: 5, duplicateShare: 0.5 });
    elb.build(many);
    many.advanceTo(SIM_T0 + HOUR_MS);
    expect(many.takeDue(Number.POSITIVE_INFINITY).some((d) => d.duplicate)).toBe(true);
  });
});

const HOUR_MS = 60 * MINUTE;
