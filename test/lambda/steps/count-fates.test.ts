/**
 * The guard judging launches by their fates, end to end through run(): the store on dynalite,
 * Auto Scaling and ECS through aws-sdk-client-mock with the real command shapes.
 */
import {
  AutoScalingClient,
  CreateOrUpdateTagsCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  type Instance,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeImagesCommand, DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  ECSClient,
  ListClustersCommand,
  ListContainerInstancesCommand,
} from '@aws-sdk/client-ecs';
import { GetInstanceProfileCommand, IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { beforeEach, describe, expect, it } from 'vitest';
import { autoScalingGroup } from '../../../fake-cloud/support/auto-scaling';
import { MIN, T0 } from '../../../fake-cloud/support/clock';
import { useDynamo } from '../../../fake-cloud/support/dynamo-suite';
import { autoScalingAdapter, freshTable, guardDeps } from '../../../fake-cloud/support/guard-deps';
import { instanceId, launchEvent } from '../../../fake-cloud/support/launch-events';
import { mockClients } from '../../../fake-cloud/support/sdk-mocks';
import { Ec2ImageInfo } from '../../../lambda/adapters/ec2-diagnosis';
import { SdkEcsRegistry } from '../../../lambda/adapters/ecs-registry';
import { IamRoleReader } from '../../../lambda/adapters/iam-role';
import { Ec2LaunchTemplateReader } from '../../../lambda/adapters/launch-template';
import { SnsNotifier } from '../../../lambda/adapters/notifier';
import { fateMetric, METRIC, tripMetric } from '../../../lambda/core/metric-names';
import type { TripReport } from '../../../lambda/core/report';
import type { GuardDeps } from '../../../lambda/ports';
import { run } from '../../../lambda/steps/count';
import { ImageDiagnoser } from '../../../lambda/steps/diagnose';
import { InstanceRoleChecker } from '../../../lambda/steps/role-check';

const [asg, ecs, sns, ec2, iam] = mockClients(AutoScalingClient, ECSClient, SNSClient, EC2Client, IAMClient);
const GROUP = 'ecs-neuron-asg';
const REGION = 'us-west-2';
const AMI = 'ami-0d136904eaba14b45';
const TOPIC = 'arn:aws:sns:us-west-2:111122223333:launch-loop-guard';
const GROUP_ARN = `arn:aws:autoscaling:${REGION}:123456789012:autoScalingGroup:uuid:autoScalingGroupName/${GROUP}`;

const dynamo = useDynamo();

async function harness(env: Record<string, string> = {}) {
  const { config, counter } = await freshTable(dynamo(), {
    LLG_TOPIC_ARN: TOPIC,
    LLG_AMI_CHANGE_ALERTS: 'off',
    ...env,
  });
  const metrics = new Map<string, number>();
  const suspender = autoScalingAdapter();
  const noop = (...a: unknown[]) => {
    if (process.env.DBG) console.log(JSON.stringify(a).slice(0, 300));
  };
  const deps = guardDeps({
    counter,
    suspender,
    history: suspender,
    ecs: new SdkEcsRegistry((region) => new ECSClient({ region, maxAttempts: 1 })),
    notifier: new SnsNotifier(new SNSClient({ region: REGION }), TOPIC),
    log: { info: noop, warn: noop, error: noop },
    metrics: { count: (name, value = 1) => metrics.set(name, (metrics.get(name) ?? 0) + value) },
  });
  return { deps, config, metrics };
}

function instances(ids: string[], state = 'InService', health = 'Healthy'): Instance[] {
  return ids.map((InstanceId) => ({
    InstanceId,
    LifecycleState: state as Instance['LifecycleState'],
    HealthStatus: health,
    AvailabilityZone: `${REGION}a`,
    ProtectedFromScaleIn: true,
  }));
}

/**
 * The group lists these instances (its ARN is the one the capacity provider names); once the
 * guard suspended it, it shows Launch suspended and the guard's tag, as Auto Scaling would.
 */
function group(list: Instance[]): void {
  asg.on(DescribeAutoScalingGroupsCommand).callsFake(() => {
    const suspended = asg.commandCalls(SuspendProcessesCommand).length > 0;
    const spec = suspended
      ? { suspended: ['Launch'], tags: { 'launch-loop-guard:suspended-at': '2025-12-09T13:00:00.000Z' } }
      : {};
    return {
      AutoScalingGroups: [
        {
          ...autoScalingGroup(GROUP, { region: REGION, instances: list, ...spec }),
          AutoScalingGroupARN: GROUP_ARN,
        },
      ],
    };
  });
}

/** The group backs cluster `prod` through a capacity provider; `registered` are its container instances. */
function ecsCluster(registered: string[]): void {
  ecs.on(DescribeCapacityProvidersCommand).resolves({
    capacityProviders: [{ name: 'prod-cp', autoScalingGroupProvider: { autoScalingGroupArn: GROUP_ARN } }],
  });
  ecs.on(ListClustersCommand).resolves({ clusterArns: ['arn:aws:ecs:us-west-2:123456789012:cluster/prod'] });
  ecs
    .on(DescribeClustersCommand)
    .resolves({ clusters: [{ clusterName: 'prod', capacityProviders: ['prod-cp'] }] });
  ecs.on(ListContainerInstancesCommand).callsFake((input: { filter?: string }) => ({
    containerInstanceArns: registered.filter((id) => input.filter?.includes(id)).map((id) => `arn:ci/${id}`),
  }));
}

function reports(): TripReport[] {
  return sns
    .commandCalls(PublishCommand)
    .map((c) => c.args[0].input.MessageAttributes?.report?.StringValue)
    .filter((s): s is string => s !== undefined)
    .map((s) => JSON.parse(s) as TripReport)
    .filter((r) => r.scope.scope === 'asg');
}

/**
 * Launch one instance every `everyMin` minutes; before each delivery the group lists every
 * instance launched so far (as `state`), and each event is handled `delayMin` after its launch.
 */
async function play(
  h: Awaited<ReturnType<typeof harness>>,
  count: number,
  everyMin: number,
  opts: { state?: string; health?: string; delayMin?: number } = {},
): Promise<number | undefined> {
  let suspendedAt: number | undefined;
  for (let i = 0; i < count; i += 1) {
    const t = T0 + i * everyMin * MIN;
    const now = t + (opts.delayMin ?? 4) * MIN;
    const launched = Array.from({ length: i + 1 }, (_, k) => instanceId(k));
    group(instances(launched, opts.state, opts.health));
    const r = await run(
      launchEvent({ group: GROUP, imageId: AMI, instanceIds: [instanceId(i)], time: t }),
      h.deps,
      h.config,
      now,
    );
    if (process.env.DBG) console.log(i, JSON.stringify(r));
    if (suspendedAt === undefined && asg.commandCalls(SuspendProcessesCommand).length > 0)
      suspendedAt = i + 1;
  }
  return suspendedAt;
}

beforeEach(() => {
  asg.reset();
  ecs.reset();
  sns.reset();
  ec2.reset();
  iam.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  asg.on(SuspendProcessesCommand).resolves({});
  asg.on(CreateOrUpdateTagsCommand).resolves({});
  asg.on(DescribeScalingActivitiesCommand).resolves({ Activities: [] });
  ecs.on(DescribeCapacityProvidersCommand).resolves({ capacityProviders: [] });
});

describe('run, judging launches by their fate', () => {
  it('stops the incident: InService instances that never register with the ECS cluster, one every 15 minutes', async () => {
    // Prepare
    const h = await harness();
    ecsCluster([]);
    // Act
    const at = await play(h, 12, 15);
    // Assess: the first launch is decided at the second's event; four failed in a row by the fifth
    expect(at).toBeLessThanOrEqual(6);
    expect(asg.commandCalls(SuspendProcessesCommand)).toHaveLength(1);
    const [report] = reports();
    expect(report?.evidence).toMatchObject({
      rule: 'streak',
      streak: 4,
      cluster: 'prod',
      failedBy: { 'not-registered': 4 },
    });
    const body = sns.commandCalls(PublishCommand)[0]!.args[0].input.Message ?? '';
    expect(body).toContain(
      '4 of the last 4 decided launches never registered with ECS cluster prod (InService, not a container instance 10m after launch)',
    );
    expect(h.metrics.get(tripMetric('streak'))).toBe(1);
    expect(h.metrics.get(fateMetric('failed'))).toBeGreaterThanOrEqual(4);
  });

  it('stops the fast form of the incident (a launch a minute) within 12 launches of its first', async () => {
    const h = await harness();
    ecsCluster([]);
    const at = await play(h, 30, 1, { delayMin: 1 });
    expect(at).toBeDefined();
    expect(at!).toBeLessThanOrEqual(13);
    expect(asg.commandCalls(SuspendProcessesCommand)).toHaveLength(1);
    expect(reports()).toHaveLength(1);
  });

  it('leaves a capacity-provider group alone when its instances register', async () => {
    const h = await harness();
    ecsCluster(Array.from({ length: 30 }, (_, k) => instanceId(k)));
    expect(await play(h, 30, 1, { delayMin: 1 })).toBeUndefined();
    expect(reports()).toHaveLength(0);
  });

  it('never invents a failure when ECS cannot be read: it judges by Auto Scaling alone', async () => {
    const h = await harness();
    ecs
      .on(DescribeCapacityProvidersCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    expect(await play(h, 20, 15)).toBeUndefined();
    expect(reports()).toHaveLength(0);
  });

  it('stops a group whose instances fail their health checks at boot', async () => {
    const h = await harness();
    const at = await play(h, 20, 3, { health: 'Unhealthy' });
    expect(at).toBeLessThanOrEqual(6);
    expect(reports()[0]?.evidence?.failedBy).toMatchObject({ unhealthy: 4 });
  });

  it('leaves alone a batch group whose instances were scaled in, however many it launches', async () => {
    // Prepare: 15 launches served and were scaled in, then 15 more come
    const h = await harness();
    const first = Array.from({ length: 15 }, (_, k) => instanceId(k));
    asg.on(DescribeScalingActivitiesCommand).resolves({
      Activities: first.map((id, i) => ({
        ActivityId: `a-${i}`,
        AutoScalingGroupName: GROUP,
        Description: `Terminating EC2 instance: ${id}`,
        Cause:
          'At 2025-12-09T12:40:00Z a scheduled action update of AutoScalingGroup constraints to min: 0, max: 15, desired: 0 changing the desired capacity from 15 to 0.  At 2025-12-09T12:40:05Z an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from 15 to 0.',
        StartTime: new Date(T0 + 40 * MIN),
        StatusCode: 'Successful',
        Progress: 100,
      })),
    });
    group(instances(first));
    await run(
      launchEvent({ group: GROUP, imageId: AMI, instanceIds: first, time: T0 }),
      h.deps,
      h.config,
      T0 + 2 * MIN,
    );
    // Act: 50 minutes later the first batch is gone and the next one launches
    const second = Array.from({ length: 15 }, (_, k) => instanceId(100 + k));
    group(instances(second, 'Pending'));
    await run(
      launchEvent({ group: GROUP, imageId: AMI, instanceIds: second, time: T0 + 50 * MIN }),
      h.deps,
      h.config,
      T0 + 52 * MIN,
    );
    // Assess
    expect(asg.commandCalls(SuspendProcessesCommand)).toHaveLength(0);
    expect(h.metrics.get(METRIC.tripsNotConfirmed)).toBe(2);
  });

  it("names the instance role in the incident's trip alert when it may not register with ECS", async () => {
    // Prepare: the launch template's instance profile holds a role with CloudWatch and SSM only
    const h = await harness();
    ecsCluster([]);
    const role = '2sec-dev-ec2-role';
    ec2.on(DescribeImagesCommand).resolves({
      Images: [
        {
          ImageId: AMI,
          Name: 'al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64',
          OwnerId: '591542846629',
          Architecture: 'x86_64',
        },
      ],
    });
    ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({
      LaunchTemplateVersions: [
        {
          LaunchTemplateId: 'lt-0123456789abcdef0',
          VersionNumber: 3,
          LaunchTemplateData: {
            IamInstanceProfile: { Arn: 'arn:aws:iam::123456789012:instance-profile/web' },
          },
        },
      ],
    });
    iam.on(GetInstanceProfileCommand).resolves({
      InstanceProfile: {
        InstanceProfileName: 'web',
        InstanceProfileId: 'AIPAEXAMPLE',
        Arn: 'arn:aws:iam::123456789012:instance-profile/web',
        Path: '/',
        CreateDate: new Date(0),
        Roles: [
          {
            RoleName: role,
            Arn: `arn:aws:iam::123456789012:role/${role}`,
            RoleId: 'AROAEXAMPLE',
            Path: '/',
            CreateDate: new Date(0),
          },
        ],
      },
    });
    iam.on(SimulatePrincipalPolicyCommand).callsFake((input: { ActionNames: string[] }) => ({
      EvaluationResults: input.ActionNames.map((action) => ({
        EvalActionName: action,
        EvalResourceName: '*',
        EvalDecision: 'implicitDeny',
      })),
    }));
    const ec2For = (region: string) => new EC2Client({ region, maxAttempts: 1 });
    const deps: GuardDeps = {
      ...h.deps,
      diagnoser: new ImageDiagnoser(new Ec2ImageInfo(ec2For), h.deps.log),
      roles: new InstanceRoleChecker(
        new Ec2LaunchTemplateReader(ec2For),
        new IamRoleReader(new IAMClient({ region: REGION, maxAttempts: 1 })),
      ),
    };
    asg.on(DescribeAutoScalingGroupsCommand).callsFake(() => ({
      AutoScalingGroups: [
        {
          ...autoScalingGroup(GROUP, {
            region: REGION,
            instances: instances(Array.from({ length: 12 }, (_, k) => instanceId(k))),
            ...(asg.commandCalls(SuspendProcessesCommand).length > 0 ? { suspended: ['Launch'] } : {}),
          }),
          AutoScalingGroupARN: GROUP_ARN,
          LaunchTemplate: { LaunchTemplateId: 'lt-0123456789abcdef0', Version: '3' },
        },
      ],
    }));
    // Act: one launch every 15 minutes, each handled 4 minutes later
    for (let i = 0; i < 8 && asg.commandCalls(SuspendProcessesCommand).length === 0; i += 1) {
      const t = T0 + i * 15 * MIN;
      await run(
        launchEvent({ group: GROUP, imageId: AMI, instanceIds: [instanceId(i)], time: t }),
        deps,
        h.config,
        t + 4 * MIN,
      );
    }
    // Assess
    expect(asg.commandCalls(SuspendProcessesCommand)).toHaveLength(1);
    const body = sns.commandCalls(PublishCommand)[0]!.args[0].input.Message ?? '';
    expect(body).toContain(role);
    expect(body).toMatch(/may not call ecs:RegisterContainerInstance/);
  });
});
