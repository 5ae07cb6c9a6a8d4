import {
  AutoScalingClient,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  ResumeProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { RESUME_EXIT, runResume } from '../../cli/resume';
import { autoScalingGroup } from '../../fake-cloud/support/auto-scaling';
import { useDynamo } from '../../fake-cloud/support/dynamo-suite';
import { DynamoDbScopeStore } from '../../lambda/adapters/scope-store';
import type { ScopeKey } from '../../lambda/core/types';
import { testContext } from './cli-context';

const T0 = Date.UTC(2025, 11, 9, 8, 0, 0);
const POLICY = { threshold: 10, windowMs: 3_600_000 };
const GROUP = 'ecs-neuron';
const KEY: ScopeKey = { scope: 'asg', account: '123456789012', region: 'eu-west-1', key: GROUP };
const GUARD_TAGS = {
  'launch-loop-guard:suspended-at': '2025-12-09T08:40:00.000Z',
  'launch-loop-guard:reason': '10 launches in 1h',
  'launch-loop-guard:suspended-processes': 'Launch',
  team: 'ml',
};

describe('resume', () => {
  const asg = mockClient(AutoScalingClient);
  const dynamo = useDynamo();
  let table: string;
  let counter: DynamoDbScopeStore;

  beforeEach(async () => {
    asg.reset();
    asg.on(ResumeProcessesCommand).resolves({});
    asg.on(DeleteTagsCommand).resolves({});
    table = await dynamo().createTable();
    counter = new DynamoDbScopeStore(dynamo().client, table);
    for (let i = 0; i < 10; i += 1) {
      await counter.record(
        {
          key: KEY,
          mentions: [{ instanceId: `i-${i}`, time: T0 + i * 240_000 }],
          callers: [],
          imageIds: [],
          groupNames: [],
          now: T0 + i * 240_000,
        },
        POLICY,
      );
    }
    await counter.setResumeStreak(KEY, 2, T0);
  });

  it('warns, resumes only what the guard suspended, removes its tags, clears the window and the streak', async () => {
    // Prepare
    asg.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        autoScalingGroup(GROUP, { tags: GUARD_TAGS, suspended: ['Launch', 'AZRebalance'] }),
      ],
    });
    const ctx = testContext(dynamo().client, { env: { LLG_TABLE_NAME: table } });

    // Act
    const code = await runResume([GROUP, '--region', 'eu-west-1'], ctx);

    // Assess
    expect(code).toBe(RESUME_EXIT.ok);
    expect(ctx.err()).toContain('warning: Resuming Launch makes Auto Scaling replace, all at once');
    expect(asg).toHaveReceivedCommandWith(ResumeProcessesCommand, {
      AutoScalingGroupName: GROUP,
      ScalingProcesses: ['Launch'],
    });
    expect(asg.commandCalls(DeleteTagsCommand)[0]!.args[0].input.Tags?.map((t) => t.Key)).toEqual([
      'launch-loop-guard:suspended-at',
      'launch-loop-guard:reason',
      'launch-loop-guard:suspended-processes',
    ]);
    const state = await counter.read(KEY);
    expect(state?.ids.size ?? 0).toBe(0);
    expect(state?.resumeStreak).toBe(0);
    expect(ctx.out()).toBe(
      'Resumed Launch on ecs-neuron; removed 3 guard tag(s); cleared its launch window.\n',
    );
  });

  it('refuses a group the guard did not suspend, with a clear message, and touches nothing', async () => {
    // Prepare
    asg.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [autoScalingGroup(GROUP, { tags: { team: 'ml' }, suspended: ['Launch'] })],
    });
    const ctx = testContext(dynamo().client, { region: 'eu-west-1' });

    // Act
    const code = await runResume([GROUP, '--table', table], ctx);

    // Assess
    expect(code).toBe(RESUME_EXIT.refused);
    expect(ctx.err()).toBe(
      'launch-loop-guard resume: Group ecs-neuron was not suspended by launch-loop-guard (no launch-loop-guard:suspended-at tag); suspended now: Launch. Refusing: pass --force to resume it anyway.\n',
    );
    expect(asg).toHaveReceivedCommandTimes(ResumeProcessesCommand, 0);
    expect((await counter.read(KEY))?.ids.size).toBe(10);
  });

  it('resumes it with --force', async () => {
    // Prepare
    asg.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [autoScalingGroup(GROUP, { tags: { team: 'ml' }, suspended: ['Launch'] })],
    });
    const ctx = testContext(dynamo().client, { region: 'eu-west-1' });

    // Act
    const code = await runResume([GROUP, '--table', table, '--force'], ctx);

    // Assess
    expect(code).toBe(RESUME_EXIT.ok);
    expect(ctx.out()).toContain('Resumed Launch on ecs-neuron (forced)');
    expect(asg).toHaveReceivedCommandWith(ResumeProcessesCommand, { ScalingProcesses: ['Launch'] });
    expect(asg).toHaveReceivedCommandTimes(DeleteTagsCommand, 0);
  });

  it('says the group is gone in one line and exits 1', async () => {
    // Prepare
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    const ctx = testContext(dynamo().client, { region: 'eu-west-1' });

    // Act
    const code = await runResume([GROUP, '--table', table], ctx);

    // Assess
    expect(code).toBe(RESUME_EXIT.failed);
    expect(ctx.err()).toBe('launch-loop-guard resume: group ecs-neuron not found in eu-west-1\n');
  });

  it.each([
    [
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
      'launch-loop-guard resume: no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID, or run `aws sso login`\n',
    ],
    [
      Object.assign(
        new Error(
          'User: arn:aws:sts::123456789012:assumed-role/ro/x is not authorized to perform: autoscaling:ResumeProcesses',
        ),
        { name: 'AccessDenied' },
      ),
      'launch-loop-guard resume: access denied: User: arn:aws:sts::123456789012:assumed-role/ro/x is not authorized to perform: autoscaling:ResumeProcesses\n',
    ],
  ])('prints one line and exits 1 when AWS fails: %s', async (error, expected) => {
    // Prepare
    asg.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [autoScalingGroup(GROUP, { tags: GUARD_TAGS, suspended: ['Launch'] })],
    });
    if (error.name === 'CredentialsProviderError') asg.on(DescribeAutoScalingGroupsCommand).rejects(error);
    else asg.on(ResumeProcessesCommand).rejects(error);
    const ctx = testContext(dynamo().client, { region: 'eu-west-1' });

    // Act
    const code = await runResume([GROUP, '--table', table], ctx);

    // Assess
    expect(code).toBe(RESUME_EXIT.failed);
    expect(ctx.err().replace(/^warning: .*\n/, '')).toBe(expected);
  });

  it.each([
    [[], /give exactly one group name/],
    [[GROUP, 'other'], /give exactly one group name/],
    [[GROUP, '--region', 'a', '--region', 'b', '--table', 't'], /at most one --region/],
    [[GROUP, '--region', 'eu-west-1'], /needs the guard's table/],
    [[GROUP, '--table', 't'], /no region/],
  ])('exits 2 on %o without calling AWS', async (argv, message) => {
    const ctx = testContext(dynamo().client);
    expect(await runResume(argv, ctx)).toBe(RESUME_EXIT.usage);
    expect(ctx.err()).toMatch(message);
    expect(asg.calls()).toHaveLength(0);
  });
});
