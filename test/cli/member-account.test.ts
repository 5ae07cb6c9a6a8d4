import {
  AutoScalingClient,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  ResumeProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { beforeEach, describe, expect, it } from 'vitest';
import { partitionOf } from '../../cli/member-account';
import { RESUME_EXIT, runResume } from '../../cli/resume';
import { runStatus, type StatusReport } from '../../cli/status';
import { autoScalingGroup } from '../../fake-cloud/support/auto-scaling';
import { useDynamo } from '../../fake-cloud/support/dynamo-suite';
import { mockClients } from '../../fake-cloud/support/sdk-mocks';
import { DynamoDbScopeStore } from '../../lambda/adapters/scope-store';
import type { ScopeKey } from '../../lambda/core/types';
import { testContext } from './cli-context';

/** `status` and `resume` with `--account`: the member account reached through its operator role. */
const [asg, sts] = mockClients(AutoScalingClient, STSClient);
const MEMBER = '222222222222';
const OTHER = '111111111111';
const GROUP = 'ecs-neuron';
const T0 = Date.UTC(2025, 11, 9, 8, 0, 0);
const POLICY = { threshold: 10, windowMs: 3_600_000 };
const keyOf = (account: string): ScopeKey => ({ scope: 'asg', account, region: 'eu-west-1', key: GROUP });
const GUARD_TAGS = {
  'launch-loop-guard:suspended-at': '2025-12-09T08:40:00.000Z',
  'launch-loop-guard:reason': '10 launches in 1h',
  'launch-loop-guard:suspended-processes': 'Launch',
};

const dynamo = useDynamo();
let table: string;
let counter: DynamoDbScopeStore;
beforeEach(async () => {
  asg.reset();
  sts.reset();
  sts.on(AssumeRoleCommand).resolves({
    Credentials: {
      AccessKeyId: 'ASIA-MEMBER',
      SecretAccessKey: 's',
      SessionToken: 't',
      Expiration: new Date(Date.now() + 3_600_000),
    },
  });
  const group = {
    ...autoScalingGroup(GROUP, { tags: GUARD_TAGS, suspended: ['Launch'] }),
    AutoScalingGroupARN: `arn:aws:autoscaling:eu-west-1:${MEMBER}:autoScalingGroup:uuid:autoScalingGroupName/${GROUP}`,
  };
  asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [group] });
  asg.on(ResumeProcessesCommand).resolves({});
  asg.on(DeleteTagsCommand).resolves({});
  table = await dynamo().createTable();
  counter = new DynamoDbScopeStore(dynamo().client, table);
  // The same group name in two accounts, both at their threshold, in the central table.
  for (const account of [MEMBER, OTHER]) {
    for (let i = 0; i < 10; i += 1) {
      await counter.record(
        {
          key: keyOf(account),
          mentions: [{ instanceId: `i-${account}-${i}`, time: T0 + i * 240_000 }],
          callers: [],
          imageIds: [],
          groupNames: [],
          now: T0 + i * 240_000,
        },
        POLICY,
      );
    }
  }
});

async function keysUsed(command: Parameters<typeof asg.commandCalls>[0]): Promise<string[]> {
  return Promise.all(
    asg
      .commandCalls(command)
      .map(async (c) => (await (c.thisValue as AutoScalingClient).config.credentials()).accessKeyId),
  );
}

describe('resume --account', () => {
  it("resumes the member's group through its operator role and clears that account's window only", async () => {
    // Prepare
    const ctx = testContext(dynamo().client, { env: { LLG_TABLE_NAME: table } });
    // Act
    const code = await runResume([GROUP, '--region', 'eu-west-1', '--account', MEMBER], ctx);
    // Assess
    expect(code).toBe(RESUME_EXIT.ok);
    // (The mock answers before the SDK signs: reading the client's credentials is what asks STS.)
    expect(await keysUsed(ResumeProcessesCommand)).toEqual(['ASIA-MEMBER']);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/LaunchLoopGuardOperator`,
    });
    expect((await counter.read(keyOf(MEMBER)))?.ids.size ?? 0).toBe(0);
    expect((await counter.read(keyOf(OTHER)))?.ids.size).toBe(10);
  });

  it('assumes the role named by --role-name', async () => {
    const ctx = testContext(dynamo().client, { env: { LLG_TABLE_NAME: table } });
    await runResume([GROUP, '--region', 'eu-west-1', '--account', MEMBER, '--role-name', 'OnCall'], ctx);
    await keysUsed(ResumeProcessesCommand);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: `arn:aws:iam::${MEMBER}:role/OnCall`,
    });
  });

  it.each([
    [['--account', '12345'], '--account must be a 12-digit account id, got "12345"'],
    [['--role-name', 'OnCall'], '--role-name needs --account'],
  ])('refuses %o with a usage error', async (flags, message) => {
    const ctx = testContext(dynamo().client, { env: { LLG_TABLE_NAME: table } });
    const code = await runResume([GROUP, '--region', 'eu-west-1', ...flags], ctx);
    expect(code).toBe(RESUME_EXIT.usage);
    expect(ctx.err()).toContain(message);
    expect(asg).toHaveReceivedCommandTimes(ResumeProcessesCommand, 0);
  });
});

describe('status --account', () => {
  it("lists the member's suspended groups through its role and only that account's scopes", async () => {
    // Prepare
    asg.reset();
    asg.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [autoScalingGroup(GROUP, { tags: GUARD_TAGS, suspended: ['Launch'] })],
    });
    const ctx = testContext(dynamo().client, { env: { LLG_TABLE_NAME: table }, now: T0 + 40 * 60_000 });
    // Act
    const code = await runStatus(['--region', 'eu-west-1', '--account', MEMBER, '--format', 'json'], ctx);
    // Assess
    expect(code).toBe(0);
    const report = JSON.parse(ctx.out()) as StatusReport;
    expect(report.account).toBe(MEMBER);
    expect(report.suspended.map((g) => g.groupName)).toEqual([GROUP]);
    expect(report.nearThreshold.map((s) => s.account)).toEqual([MEMBER]);
    expect(await keysUsed(DescribeAutoScalingGroupsCommand)).toEqual(['ASIA-MEMBER']);
  });

  it('prints the undo command with --account', async () => {
    const ctx = testContext(dynamo().client, { env: { LLG_TABLE_NAME: table }, now: T0 + 40 * 60_000 });
    await runStatus(['--region', 'eu-west-1', '--account', MEMBER], ctx);
    expect(ctx.out()).toContain(
      `launch-loop-guard resume ${GROUP} --region eu-west-1 --table ${table} --account ${MEMBER}`,
    );
  });
});

describe('partitionOf', () => {
  it.each([
    ['eu-west-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
  ])('%s is in %s', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });
});
