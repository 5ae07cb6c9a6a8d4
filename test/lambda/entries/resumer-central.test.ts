import {
  AutoScalingClient,
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  ResumeProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { PublishCommand } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { autoScalingGroup } from '../../../fake-cloud/support/auto-scaling';
import { AutoScalingSuspender } from '../../../lambda/adapters/asg-suspender';
import type { ScopeKey } from '../../../lambda/core/types';
import { runResumer } from '../../../lambda/steps/resume-group';
import {
  ACCOUNT,
  asgMock,
  counter,
  deps,
  GROUP,
  GUARD_TAGS,
  KEY,
  POLICY,
  REGION,
  recordTrip,
  snsMock,
  T0,
  useTrippedGroup,
} from './resumer.support';

describe('resumer (runResumer with the real adapters; DynamoDB on dynalite)', () => {
  useTrippedGroup();

  describe('central mode: a member account through its operator role (issue 20 item 3)', () => {
    const MEMBER = '210987654321';
    const MEMBER_KEY: ScopeKey = { ...KEY, account: MEMBER };
    const MEMBER_KEY_ID = 'ASIAMEMBEROPERATOR';
    const payload = { action: 'resume', account: MEMBER, region: REGION, groupName: GROUP };

    /**
     * Two accounts behind one Auto Scaling mock, told apart by the credentials of the client that
     * sends (the member's are the operator role's, as `assumeRoleCredentials` gives them): each
     * account has a group named GROUP, suspended, with guard tags.
     */
    function twoAccounts(): {
      calls: { account: string; command: string; input: Record<string, unknown> }[];
      asked: string[];
      memberAsg: (account: string) => AutoScalingSuspender;
    } {
      const calls: { account: string; command: string; input: Record<string, unknown> }[] = [];
      const accountOf = async (getClient: () => AutoScalingClient): Promise<string> => {
        // The function's own client has no credentials here (none in the test's environment).
        const credentials = await getClient()
          .config.credentials()
          .catch(() => undefined);
        return credentials?.accessKeyId === MEMBER_KEY_ID ? MEMBER : ACCOUNT;
      };
      const serve = (command: string, answer: (account: string) => unknown) => {
        return async (input: Record<string, unknown>, getClient: () => AutoScalingClient) => {
          const account = await accountOf(getClient);
          calls.push({ account, command, input });
          return answer(account);
        };
      };
      asgMock.on(DescribeAutoScalingGroupsCommand).callsFake(
        serve('DescribeAutoScalingGroups', (account) => ({
          AutoScalingGroups: [
            autoScalingGroup(GROUP, {
              tags: GUARD_TAGS,
              suspended: account === MEMBER ? ['Launch', 'AZRebalance'] : ['Launch'],
            }),
          ],
        })),
      );
      asgMock.on(ResumeProcessesCommand).callsFake(serve('ResumeProcesses', () => ({})));
      asgMock.on(DeleteTagsCommand).callsFake(serve('DeleteTags', () => ({})));
      const asked: string[] = [];
      return {
        calls,
        asked,
        memberAsg: (account) => {
          asked.push(account);
          const credentials = { accessKeyId: MEMBER_KEY_ID, secretAccessKey: 's', sessionToken: 't' };
          return new AutoScalingSuspender(() => new AutoScalingClient({ region: REGION, credentials }));
        },
      };
    }

    /** The central guard's record of a trip of the member account's GROUP. */
    async function recordMemberTrip(): Promise<void> {
      await counter.record(
        {
          key: MEMBER_KEY,
          mentions: [{ instanceId: 'i-0m', time: T0 }],
          callers: ['autoscaling.amazonaws.com'],
          imageIds: ['ami-0abc'],
          groupNames: [GROUP],
          now: T0,
        },
        POLICY,
      );
      await recordTrip(['Launch'], MEMBER_KEY);
    }

    it("resumes the member's group from the central trip record, never the central account's same-named group", async () => {
      // Prepare: the central account's own GROUP is suspended by someone else (no trip record).
      await recordMemberTrip();
      await counter.clearScope(KEY);
      const cloud = twoAccounts();

      // Act
      const result = await runResumer(payload, { ...deps, memberAsg: cloud.memberAsg }, T0, ACCOUNT);

      // Assess
      expect(result).toMatchObject({ kind: 'done', outcome: { kind: 'resume', processes: ['Launch'] } });
      expect(cloud.asked).toEqual([MEMBER]);
      expect(cloud.calls.map((c) => `${c.account} ${c.command}`)).toEqual([
        `${MEMBER} DescribeAutoScalingGroups`,
        `${MEMBER} ResumeProcesses`,
        `${MEMBER} DeleteTags`,
      ]);
      expect(cloud.calls[1]?.input).toMatchObject({
        AutoScalingGroupName: GROUP,
        ScalingProcesses: ['Launch'],
      });
      expect((await counter.read(MEMBER_KEY))?.trippedEpisode).toBeUndefined();
      const published = snsMock.commandCalls(PublishCommand)[0]!.args[0].input;
      expect(published.MessageAttributes?.account?.StringValue).toBe(MEMBER);
    });

    it("refuses to resume a member's group the central guard holds no trip of, even with forged tags", async () => {
      // Prepare: the only trip record is the central account's group's (KEY), not the member's.
      const cloud = twoAccounts();

      // Act
      const result = await runResumer(payload, { ...deps, memberAsg: cloud.memberAsg }, T0, ACCOUNT);

      // Assess
      expect(result).toMatchObject({
        kind: 'done',
        outcome: { kind: 'not-guard-suspended', basis: 'record' },
      });
      expect(cloud.calls.map((c) => `${c.account} ${c.command}`)).toEqual([
        `${MEMBER} DescribeAutoScalingGroups`,
      ]);
      expect((await counter.read(KEY))?.trippedEpisode).toBeDefined();
    });

    it('still refuses force, and acts in its own account without the role', async () => {
      // Prepare
      const cloud = twoAccounts();
      const central = { ...deps, memberAsg: cloud.memberAsg };

      // Act
      const forced = await runResumer({ ...payload, force: true }, central, T0, ACCOUNT);
      const home = await runResumer({ ...payload, account: ACCOUNT }, central, T0, ACCOUNT);

      // Assess
      expect(forced).toMatchObject({ kind: 'refused', refusal: { kind: 'force-refused' } });
      expect(home).toMatchObject({ kind: 'done', outcome: { kind: 'resume', processes: ['Launch'] } });
      expect(cloud.asked).toEqual([]);
      expect(new Set(cloud.calls.map((c) => c.account))).toEqual(new Set([ACCOUNT]));
    });
  });
});
