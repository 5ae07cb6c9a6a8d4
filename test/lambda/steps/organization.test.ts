import {
  AutoScalingClient,
  CreateOrUpdateTagsCommand,
  DescribeAutoScalingGroupsCommand,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { IAMClient } from '@aws-sdk/client-iam';
import { DescribeAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { beforeEach, describe, expect, it } from 'vitest';
import { autoScalingGroup } from '../../../fake-cloud/support/auto-scaling';
import { MIN, T0 } from '../../../fake-cloud/support/clock';
import { useDynamo } from '../../../fake-cloud/support/dynamo-suite';
import { instanceId, launchEvent } from '../../../fake-cloud/support/launch-events';
import { mockClients } from '../../../fake-cloud/support/sdk-mocks';
import { loadConfig } from '../../../lambda/config';
import { type GuardResult, run } from '../../../lambda/steps/count';
import { buildGuardDeps, sdkClients } from '../../../lambda/wiring';

/**
 * The central guard's live path: events of two member accounts on one table (dynalite), Auto
 * Scaling and STS answered by aws-sdk-client-mock. Which account a call reached is read from
 * the credentials of the client that sent it: each member role hands out its own keys. (The
 * mock answers before the SDK signs, so reading those credentials is what asks STS here.)
 */
const [asg, sts, sns, orgs] = mockClients(AutoScalingClient, STSClient, SNSClient, OrganizationsClient);
const [ec2, ecs, iam] = mockClients(EC2Client, ECSClient, IAMClient);

const CENTRAL = '999999999999';
const A = '111111111111';
const B = '222222222222';
const ROLE = 'arn:aws:iam::{account}:role/LaunchLoopGuardMember';
const TOPIC = 'arn:aws:sns:eu-west-1:999999999999:launch-loop-guard';
const GROUP = 'ecs-capacity-provider-asg';
const REGION = 'eu-west-1';
const KEY_OF: Readonly<Record<string, string>> = { [A]: 'ASIA-ACCOUNT-A', [B]: 'ASIA-ACCOUNT-B' };

const dynamo = useDynamo();

beforeEach(() => {
  for (const m of [asg, sts, sns, orgs, ec2, ecs, iam]) m.reset();
  for (const account of [A, B]) {
    sts.on(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${account}:role/LaunchLoopGuardMember` }).resolves({
      Credentials: {
        AccessKeyId: KEY_OF[account],
        SecretAccessKey: 'secret',
        SessionToken: `token-${account}`,
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
  }
  // Every group asked for exists and has lost its instances (the churn check then agrees).
  asg.on(DescribeAutoScalingGroupsCommand).callsFake((input: { AutoScalingGroupNames?: string[] }) => ({
    AutoScalingGroups: (input.AutoScalingGroupNames ?? []).map((name) =>
      autoScalingGroup(name, { region: REGION }),
    ),
  }));
  asg.on(SuspendProcessesCommand).resolves({});
  asg.on(CreateOrUpdateTagsCommand).resolves({});
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  orgs.on(DescribeAccountCommand, { AccountId: B }).resolves({ Account: { Id: B, Name: 'payments-prod' } });
  ec2.rejects(Object.assign(new Error('denied'), { name: 'UnauthorizedOperation' }));
  ecs.rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
  iam.rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
});

/** The access key of the client that sent each call of one command: which account it reached. */
async function accountsReached(command: Parameters<typeof asg.commandCalls>[0]): Promise<string[]> {
  const keys = await Promise.all(
    asg.commandCalls(command).map(async (call) => {
      const client = call.thisValue as AutoScalingClient;
      return (await client.config.credentials()).accessKeyId;
    }),
  );
  return keys.map((key) => Object.entries(KEY_OF).find(([, k]) => k === key)?.[0] ?? `unknown key ${key}`);
}

async function centralGuard() {
  const table = await dynamo().createTable();
  const config = loadConfig({
    LLG_TABLE_NAME: table,
    LLG_TOPIC_ARN: TOPIC,
    LLG_ASG_THRESHOLD: '5',
    // The count rule alone: the groups here lose every instance at once, which the streak rule
    // would stop at the 4th launch in both accounts (its own tests are in guard-fates.test.ts).
    LLG_FAILED_STREAK: 'off',
    LLG_MEMBER_ROLE_ARN: ROLE,
    LLG_HOME_ACCOUNT: CENTRAL,
    LLG_RESUMER_FUNCTION: 'LaunchLoopGuard-Resumer',
    LLG_RESUMER_REGION: 'eu-west-1',
  });
  const warnings: string[] = [];
  const log = { info: () => {}, warn: (m: string) => void warnings.push(m), error: () => {} };
  const wiring = buildGuardDeps(
    config,
    {
      ...sdkClients(),
      dynamo: () => dynamo().client,
      sts: () => new STSClient({ region: REGION }),
      sns: () => new SNSClient({ region: REGION }),
      organizations: () => new OrganizationsClient({ region: REGION }),
      // The central account's own client (no member credentials): a member event must never reach it.
      autoScaling: (o) => {
        if (o.credentials === undefined)
          throw new Error('the central account was asked to act on a member event');
        return new AutoScalingClient({ ...o, maxAttempts: 1 });
      },
      ec2: (o) => new EC2Client({ ...o, maxAttempts: 1 }),
      ecs: (o) => new ECSClient({ ...o, maxAttempts: 1 }),
      iam: (o) => new IAMClient({ ...o, maxAttempts: 1 }),
    },
    { log, metrics: { count: () => {}, amount: () => {} }, now: Date.now },
  );
  // Each event is handled a second after its launch.
  const handle = (event: Record<string, unknown>): Promise<GuardResult> =>
    run(event, wiring.forEvent(event), config, Date.parse(String(event.time)) + 1000);
  return { handle, warnings };
}

function launches(account: string, count: number, from: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) =>
    launchEvent({
      account,
      region: REGION,
      group: GROUP,
      instanceIds: [instanceId(from + i)],
      time: T0 + (from + i) * MIN,
    }),
  );
}

describe('central guard (organization mode)', () => {
  it('counts two member accounts apart and suspends only in the account that tripped, through its role', async () => {
    // Prepare: the same group name in A (4 launches, under 5) and in B (5 launches)
    const guard = await centralGuard();
    const a = launches(A, 4, 0);
    const b = launches(B, 5, 0);
    const events = [a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], b[4]] as Record<string, unknown>[];
    // Act: interleaved, as one central bus delivers them
    const results: GuardResult[] = [];
    for (const event of events) results.push(await guard.handle(event));

    // Assess: the counts are per account
    const groupCounts = results.flatMap((r) =>
      r.kind === 'counted' ? r.scopes.filter((s) => s.scope === 'asg').map((s) => [s.key, s.launches]) : [],
    );
    expect(groupCounts.map(([, n]) => n)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5]);
    const trips = results.flatMap((r) => (r.kind === 'counted' ? r.scopes.filter((s) => s.trip) : []));
    expect(trips).toHaveLength(1);
    // B's group was suspended and tagged with B's credentials; nothing changed anything in A
    expect(await accountsReached(SuspendProcessesCommand)).toEqual([B]);
    expect(await accountsReached(CreateOrUpdateTagsCommand)).toEqual([B]);
    expect(asg).toHaveReceivedCommandWith(SuspendProcessesCommand, {
      AutoScalingGroupName: GROUP,
      ScalingProcesses: ['Launch'],
    });
    // Reads went to the account each event came from: A's group settings through A's role
    expect(await accountsReached(DescribeAutoScalingGroupsCommand)).toEqual([A, B, B]);
    // Each role was assumed once, whatever the number of clients and calls
    expect(
      sts
        .commandCalls(AssumeRoleCommand)
        .map((c) => c.args[0].input.RoleArn)
        .sort(),
    ).toEqual([
      `arn:aws:iam::${A}:role/LaunchLoopGuardMember`,
      `arn:aws:iam::${B}:role/LaunchLoopGuardMember`,
    ]);
  });

  it('names the account in the alert (DescribeAccount, asked once)', async () => {
    // Prepare
    const guard = await centralGuard();
    // Act
    for (const event of launches(B, 5, 300)) await guard.handle(event);
    // Assess
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input.Message ?? '');
    expect(published).toHaveLength(1);
    expect(published[0]).toContain(`Account:       ${B} (payments-prod)`);
    // The AWS CLI commands run in the member account. Behaviour changed (issue 20): the central
    // resumer acts in the member account through its operator role, so it is offered, with B's id.
    expect(published[0]).toContain(`resume with the AWS CLI, with credentials for account ${B}:`);
    expect(published[0]).toContain(`it acts in account ${B} through that account's operator role`);
    expect(published[0]).toMatch(new RegExp(`aws lambda invoke .*"account":"${B}"`));
    expect(orgs.commandCalls(DescribeAccountCommand)).toHaveLength(1);
  });

  it('alerts with the id alone when the name cannot be read, and says why in the log', async () => {
    // Prepare: an account Organizations does not answer for
    orgs.reset();
    orgs.rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
    const guard = await centralGuard();
    // Act
    for (const event of launches(B, 5, 500)) await guard.handle(event);
    // Assess
    const message = sns.commandCalls(PublishCommand)[0]?.args[0].input.Message ?? '';
    expect(message).toContain(`Account:       ${B}\n`);
    expect(guard.warnings).toContain('account name could not be read');
  });
});
