/**
 * run(): AMI trips judged by launches outside any group and by the groups' own launches, and the
 * shared Auto Scaling fixture (shared setup in count.support.ts).
 */
import { DescribeAutoScalingGroupsCommand, SuspendProcessesCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstanceStatusCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { autoScalingGroup } from '../../../fake-cloud/support/auto-scaling';
import { loadFixture } from '../../../fake-cloud/support/fixtures';
import { instanceId, launchEvent } from '../../../fake-cloud/support/launch-events';
import { Ec2InstanceStates } from '../../../lambda/adapters/ec2-instances';
import { METRIC } from '../../../lambda/core/metric-names';
import {
  AMI,
  asg,
  describeAnyGroup,
  ec2,
  type Harness,
  harness,
  MIN,
  publishedReports,
  REGION,
  replay,
  sns,
  T0,
} from './count.support';

describe('run: AMI trips', () => {
  /** EC2 shows these instances outside any group, in this state (`endedAt`: when they ended). */
  function ec2Shows(ids: string[], state: string, opts: { endedAt?: number; checks?: string } = {}): void {
    const ended =
      opts.endedAt !== undefined
        ? `User initiated (${new Date(opts.endedAt).toISOString().slice(0, 19).replace('T', ' ')} GMT)`
        : '';
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: ids.map((InstanceId) => ({
            InstanceId,
            State: { Name: state as 'running' },
            StateTransitionReason: ended,
          })),
        },
      ],
    });
    ec2.on(DescribeInstanceStatusCommand).resolves({
      InstanceStatuses: ids.map((InstanceId) => ({
        InstanceId,
        InstanceStatus: { Status: (opts.checks ?? 'ok') as 'ok' },
        SystemStatus: { Status: 'ok' },
      })),
    });
  }

  function withInstances(h: Harness): Harness {
    const instances = new Ec2InstanceStates((region) => new EC2Client({ region, maxAttempts: 1 }));
    return { ...h, deps: { ...h.deps, instances } };
  }

  it('alerts only on an AMI trip by default when its launches outside any group failed, naming the callers', async () => {
    // Prepare: three launches outside any group, ended a minute after launch
    const h = withInstances(await harness({ LLG_AMI_THRESHOLD: '3', LLG_ASG_THRESHOLD: '100' }));
    const ids = [instanceId(1), instanceId(2), instanceId(3)];
    ec2Shows(ids, 'terminated', { endedAt: T0 + MIN });
    // Act
    await replay(h, [launchEvent({ imageId: AMI, instanceIds: ids, time: T0 })], T0 + 2 * MIN);
    // Assess
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 0);
    const [report] = publishedReports();
    expect(report).toMatchObject({ action: 'alert-only', scope: { scope: 'ami', key: AMI } });
    expect(report!.evidence).toMatchObject({ failed: 3, useful: 0 });
    expect(report!.ungroupedCallers?.[0]).toContain('AWSServiceRoleForAutoScaling');
    const body = sns.commandCalls(PublishCommand)[0]!.args[0].input.Message ?? '';
    expect(body).toContain('Failed launches of the AMI: 3 outside any Auto Scaling group.');
  });

  it('sends no AMI alert when its launches outside any group run with their status checks passing', async () => {
    // Prepare: over the AMI threshold, every instance running and healthy at its deadline
    const h = withInstances(await harness({ LLG_AMI_THRESHOLD: '3', LLG_ASG_THRESHOLD: '100' }));
    const ids = [instanceId(1), instanceId(2), instanceId(3), instanceId(4)];
    ec2Shows(ids, 'running');
    // Act: the last launch is judged after the first three reached their deadline
    await replay(h, [launchEvent({ imageId: AMI, instanceIds: ids.slice(0, 3), time: T0 })], T0 + MIN);
    await replay(h, [launchEvent({ imageId: AMI, instanceIds: ids.slice(3), time: T0 + 11 * MIN })]);
    // Assess
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 0);
    expect(h.metrics.get(METRIC.tripsNotConfirmed)).toBe(2);
  });

  it('suspends, on an AMI trip when asked to, only groups whose own launches confirm it, at most the cap', async () => {
    // Prepare: four groups lose every launch; one more is exempt; one keeps its launches InService
    const h = await harness({
      LLG_AMI_THRESHOLD: '15',
      LLG_ASG_THRESHOLD: '100',
      LLG_FAILED_STREAK: 'off',
      LLG_AMI_ACTION: 'suspend',
      LLG_AMI_MAX_GROUPS: '2',
    });
    const groups = ['g-a', 'g-b', 'g-exempt', 'g-c', 'g-healthy'];
    const idsOf = (i: number) => [0, 1, 2].map((k) => instanceId(i * 10 + k));
    asg.on(DescribeAutoScalingGroupsCommand).callsFake((input: { AutoScalingGroupNames?: string[] }) => ({
      AutoScalingGroups: (input.AutoScalingGroupNames ?? []).map((name) =>
        autoScalingGroup(name, {
          region: REGION,
          tags: name === 'g-exempt' ? { 'launch-loop-guard:exempt': 'true' } : {},
          instances:
            name === 'g-healthy'
              ? idsOf(5).map((InstanceId) => ({
                  InstanceId,
                  LifecycleState: 'InService',
                  HealthStatus: 'Healthy',
                  AvailabilityZone: `${REGION}a`,
                  ProtectedFromScaleIn: false,
                }))
              : [],
        }),
      ),
    }));
    // Act: the healthy group launched first, so its launches are decided (useful) at the trip
    await replay(h, [launchEvent({ group: 'g-healthy', imageId: AMI, instanceIds: idsOf(5), time: T0 })]);
    await replay(
      h,
      groups
        .slice(0, 4)
        .map((g, i) =>
          launchEvent({ group: g, imageId: AMI, instanceIds: idsOf(i), time: T0 + 11 * MIN + i * MIN }),
        ),
    );
    // Assess
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 2);
    const report = publishedReports().find((r) => r.scope.scope === 'ami');
    const outcome = (g: string) => report?.groups?.find((x) => x.groupName === g);
    expect(report?.groups?.filter((g) => g.outcome === 'suspended')).toHaveLength(2);
    expect(outcome('g-exempt')?.outcome).toBe('exempt');
    expect(report?.groups?.filter((g) => g.outcome === 'over-cap').length).toBeGreaterThan(0);
    expect(outcome('g-healthy')).toMatchObject({ outcome: 'not-confirmed' });
    expect(outcome('g-healthy')?.why).toContain('0 of its 3 decided launches failed');
    const body = sns.commandCalls(PublishCommand).at(-1)!.args[0].input.Message ?? '';
    expect(body).toContain('Group g-healthy: left alone, 0 of its 3 decided launches failed');
  });

  it('never suspends a group on an AMI count that its own launches do not confirm', async () => {
    // Prepare: one launch each in six groups, all gone: the AMI is a loop, no group alone shows one
    const h = await harness({
      LLG_AMI_THRESHOLD: '6',
      LLG_ASG_THRESHOLD: '100',
      LLG_AMI_ACTION: 'suspend',
    });
    describeAnyGroup();
    const groups = ['g-a', 'g-b', 'g-c', 'g-d', 'g-e', 'g-f'];
    // Act
    await replay(
      h,
      groups.map((g, i) =>
        launchEvent({ group: g, imageId: AMI, instanceIds: [instanceId(i)], time: T0 + i * MIN }),
      ),
    );
    // Assess: the AMI alerts, and says why each group was left alone
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 0);
    const report = publishedReports().find((r) => r.scope.scope === 'ami');
    expect(report?.action).toBe('alert-only');
    expect(report?.groups?.map((g) => g.outcome)).toEqual(groups.map(() => 'not-confirmed'));
    // The five newest groups are read and judged; the sixth is left undecided (the read cap).
    expect(report?.groups?.find((g) => g.groupName === 'g-f')?.why).toContain(
      'only 1 of its launches decided',
    );
    expect(report?.groups?.find((g) => g.groupName === 'g-a')?.why).toContain('not judged');
  });

  it('counts the shared Auto Scaling fixture for its group and its AMI', async () => {
    const h = await harness();
    const [result] = await replay(h, [
      loadFixture('derived-eventbridge-runinstances-asg-slr.json') as Record<string, unknown>,
    ]);
    expect(result).toMatchObject({
      kind: 'counted',
      scopes: [
        { scope: 'asg', key: 'eks-ng-0ca246e9-cac9e862-bfd9-a821-c9fd-9916df5654eb', launches: 1 },
        { scope: 'ami', key: 'ami-013e7d3a6659f358d', launches: 1 },
      ],
    });
  });
});
