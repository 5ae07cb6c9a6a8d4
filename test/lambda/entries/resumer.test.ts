/**
 * The resumer: runResumer with the real adapters (DynamoDB on dynalite), resumeGroup, resumeNotice and
 * the entry (shared setup in resumer.support.ts).
 */
import { join } from 'node:path';
import {
  DeleteTagsCommand,
  DescribeAutoScalingGroupsCommand,
  ResumeProcessesCommand,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { PublishCommand } from '@aws-sdk/client-sns';
import { describe, expect, it, vi } from 'vitest';
import { autoScalingGroup } from '../../../fake-cloud/support/auto-scaling';
import { SuspendError } from '../../../lambda/core/errors';
import { resumeGroup, resumeNotice, runResumer } from '../../../lambda/steps/resume-group';
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
  recordGroupLaunch,
  recordTrip,
  request,
  snsMock,
  T0,
  useTrippedGroup,
} from './resumer.support';

describe('resumer (runResumer with the real adapters; DynamoDB on dynalite)', () => {
  useTrippedGroup();

  it('resumes only Launch, removes the guard tags, clears the window and publishes one notice', async () => {
    // Prepare
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        autoScalingGroup(GROUP, { tags: GUARD_TAGS, suspended: ['Launch', 'AZRebalance'] }),
      ],
    });
    asgMock.on(ResumeProcessesCommand).resolves({});
    asgMock.on(DeleteTagsCommand).resolves({});
    const before = (await counter.listScopes({ asg: POLICY, ami: POLICY })).find((s) => s.key.key === GROUP);

    // Act
    const result = await runResumer(request, deps, T0, ACCOUNT);

    // Assess
    expect(before?.count).toBe(3);
    expect(result).toMatchObject({ kind: 'done', outcome: { kind: 'resume', processes: ['Launch'] } });
    expect(asgMock).toHaveReceivedCommandTimes(ResumeProcessesCommand, 1);
    expect(asgMock).toHaveReceivedCommandWith(ResumeProcessesCommand, {
      AutoScalingGroupName: GROUP,
      ScalingProcesses: ['Launch'],
    });
    expect(asgMock).toHaveReceivedCommandTimes(SuspendProcessesCommand, 0);
    const deleted = asgMock.commandCalls(DeleteTagsCommand)[0]!.args[0].input.Tags?.map((t) => t.Key);
    expect(deleted).toEqual(['launch-loop-guard:suspended-at', 'launch-loop-guard:reason']);
    const after = (await counter.listScopes({ asg: POLICY, ami: POLICY })).find((s) => s.key.key === GROUP);
    expect(after?.count ?? 0).toBe(0);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    const published = snsMock.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(published.Subject).toBe(`launch-loop-guard: auto-resumed ${GROUP}`);
    expect(published.Message).toContain('Resumed Launch on ecs-neuron-capacity');
    expect(published.Message).toContain('replace, all at once');
    expect(published.MessageAttributes?.action?.StringValue).toBe('auto-resumed');
  });

  it("resumes the processes of the guard's trip record, not those a tag names", async () => {
    // Prepare: the record says Launch and ReplaceUnhealthy; a forged tag adds AZRebalance.
    await counter.clearScope(KEY);
    await recordGroupLaunch();
    await recordTrip(['Launch', 'ReplaceUnhealthy']);
    const tags = { ...GUARD_TAGS, 'launch-loop-guard:suspended-processes': 'Launch,AZRebalance' };
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        autoScalingGroup(GROUP, { tags, suspended: ['Launch', 'ReplaceUnhealthy', 'AZRebalance'] }),
      ],
    });

    // Act
    await runResumer(request, deps, T0, ACCOUNT);

    // Assess
    expect(asgMock).toHaveReceivedCommandWith(ResumeProcessesCommand, {
      ScalingProcesses: ['Launch', 'ReplaceUnhealthy'],
    });
  });

  it('never resumes a group the guard did not suspend, even one carrying forged guard tags', async () => {
    // Prepare: the table has launches of the group but no trip; the tags claim a suspension.
    await counter.clearScope(KEY);
    await recordGroupLaunch();
    await recordGroupLaunch('i-02', 1);
    await recordGroupLaunch('i-03', 2);
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [autoScalingGroup(GROUP, { tags: GUARD_TAGS, suspended: ['Launch'] })],
    });

    // Act
    const result = await runResumer(request, deps, T0, ACCOUNT);

    // Assess
    expect(result).toMatchObject({ outcome: { kind: 'not-guard-suspended' } });
    expect(asgMock).toHaveReceivedCommandTimes(ResumeProcessesCommand, 0);
    expect(asgMock).toHaveReceivedCommandTimes(DeleteTagsCommand, 0);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 0);
    expect((await counter.read(KEY))?.ids.size).toBe(3);
  });

  it('leaves alone a group suspended again later than its request', async () => {
    // Prepare
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [autoScalingGroup(GROUP, { tags: GUARD_TAGS, suspended: ['Launch'] })],
    });

    // Act
    const result = await runResumer(
      { ...request, suspendedAt: '2025-12-09T07:00:00.000Z' },
      deps,
      T0,
      ACCOUNT,
    );

    // Assess
    expect(result).toMatchObject({ outcome: { kind: 'superseded' } });
    expect(asgMock).toHaveReceivedCommandTimes(ResumeProcessesCommand, 0);
  });

  it('reports a group deleted meanwhile without failing', async () => {
    // Prepare
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });

    // Act
    const result = await runResumer(request, deps, T0, ACCOUNT);

    // Assess
    expect(result).toMatchObject({ outcome: { kind: 'gone' } });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 0);
  });

  it('returns a malformed input without calling anything', async () => {
    // Act
    const result = await runResumer({ groupName: GROUP }, deps, T0, ACCOUNT);

    // Assess
    expect(result).toEqual({ kind: 'malformed', error: 'input needs account, region and groupName' });
    expect(asgMock.calls()).toHaveLength(0);
  });

  it("resumes on a person's request (the alert's aws lambda invoke), resets the backoff and says so", async () => {
    // Prepare
    await counter.setResumeStreak(KEY, 3, T0);
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [autoScalingGroup(GROUP, { tags: GUARD_TAGS, suspended: ['Launch'] })],
    });
    asgMock.on(ResumeProcessesCommand).resolves({});
    asgMock.on(DeleteTagsCommand).resolves({});
    const payload = { action: 'resume', account: ACCOUNT, region: REGION, groupName: GROUP };

    // Act
    const result = await runResumer(payload, deps, T0 + 60_000, ACCOUNT);

    // Assess
    expect(result).toMatchObject({ kind: 'done', outcome: { kind: 'resume', processes: ['Launch'] } });
    expect(asgMock).toHaveReceivedCommandWith(ResumeProcessesCommand, { ScalingProcesses: ['Launch'] });
    expect(asgMock).toHaveReceivedCommandTimes(DeleteTagsCommand, 1);
    const item = await counter.read(KEY);
    expect(item?.ids.size ?? 0).toBe(0);
    expect(item?.resumeStreak).toBe(0);
    const published = snsMock.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(published.Subject).toBe(`launch-loop-guard: resumed on request ${GROUP}`);
    expect(published.MessageAttributes?.action?.StringValue).toBe('resumed');
  });

  it("refuses a person's request for a group the guard did not suspend, and any force", async () => {
    // Prepare: behaviour changed (issue 20): `force` is the CLI's only, with the operator's credentials.
    await counter.clearScope(KEY);
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [autoScalingGroup(GROUP, { tags: { team: 'ml' }, suspended: ['Launch'] })],
    });
    asgMock.on(ResumeProcessesCommand).resolves({});
    const payload = { action: 'resume', account: ACCOUNT, region: REGION, groupName: GROUP };

    // Act
    const refused = await runResumer(payload, deps, T0, ACCOUNT);
    const forced = await runResumer({ ...payload, force: true }, deps, T0, ACCOUNT);

    // Assess
    expect(refused).toMatchObject({ outcome: { kind: 'not-guard-suspended' } });
    expect(forced).toMatchObject({ kind: 'refused', refusal: { kind: 'force-refused' } });
    expect((forced as { text: string }).text).toContain('launch-loop-guard resume --force');
    expect(asgMock).toHaveReceivedCommandTimes(ResumeProcessesCommand, 0);
  });

  it.each([
    [{ action: 'resume', account: '210987654321', region: REGION, groupName: GROUP }, 'other-account'],
    [{ ...request, account: '210987654321' }, 'other-account'],
    [{ ...request, processes: ['Launch', 'SelfDestruct'] }, 'unknown-process'],
  ])('refuses %j without calling anything', async (payload, kind) => {
    // Act
    const result = await runResumer(payload, deps, T0, ACCOUNT);

    // Assess
    expect(result).toMatchObject({ kind: 'refused', refusal: { kind } });
    expect(asgMock.calls()).toHaveLength(0);
    expect((await counter.read(KEY))?.trippedEpisode).toBeDefined();
  });

  it.each([
    [{ action: 'suspend', account: ACCOUNT, region: REGION, groupName: GROUP }, /action must be "resume"/],
    [{ action: 'resume', account: 'me', region: REGION, groupName: GROUP }, /account must be 12 digits/],
    [{ action: 'resume', account: ACCOUNT, region: REGION }, /needs account, region and groupName/],
    [{ action: 'resume', account: ACCOUNT, region: REGION, groupName: GROUP, force: 'yes' }, /force/],
  ])('returns a malformed request of a person without calling anything (%j)', async (payload, error) => {
    // Act
    const result = await runResumer(payload, deps, T0, ACCOUNT);

    // Assess
    expect(result).toMatchObject({ kind: 'malformed', error: expect.stringMatching(error) });
    expect(asgMock.calls()).toHaveLength(0);
  });

  it('throws on throttling so that EventBridge Scheduler retries, and the retry finishes the job', async () => {
    // Prepare
    asgMock.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [autoScalingGroup(GROUP, { tags: GUARD_TAGS, suspended: ['Launch'] })],
    });
    asgMock.on(ResumeProcessesCommand).resolves({});
    asgMock
      .on(DeleteTagsCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }))
      .resolves({});

    // Act
    const first = await runResumer(request, deps, T0, ACCOUNT).catch((e: unknown) => e);
    // The retry sees Launch resumed already: it resumes nothing and finishes the tags and window.
    asgMock
      .on(DescribeAutoScalingGroupsCommand)
      .resolves({ AutoScalingGroups: [autoScalingGroup(GROUP, { tags: GUARD_TAGS, suspended: [] })] });
    const second = await runResumer(request, deps, T0, ACCOUNT);

    // Assess
    expect(first).toBeInstanceOf(SuspendError);
    expect(second).toMatchObject({ outcome: { kind: 'resume', processes: [] } });
    expect(asgMock).toHaveReceivedCommandTimes(ResumeProcessesCommand, 1);
    expect((await counter.read(KEY))?.ids.size ?? 0).toBe(0);
  });
});

describe('resumeGroup', () => {
  it('resets the streak only when asked (a person resumed the group)', async () => {
    // Prepare
    const store = {
      clearScope: vi.fn(async () => {}),
      setResumeStreak: vi.fn(async () => {}),
      read: vi.fn(async () => undefined),
    };
    const asg = {
      describeGroup: vi.fn(async () => ({ tags: GUARD_TAGS, suspendedProcesses: ['Launch'] }) as never),
      resume: vi.fn(async () => 'done' as const),
      untagGroup: vi.fn(async () => 'done' as const),
    };

    // Act
    await resumeGroup(KEY, { asg, store });
    await resumeGroup(KEY, { asg, store }, { resetStreakAt: T0 });

    // Assess
    expect(store.clearScope).toHaveBeenCalledTimes(2);
    expect(store.setResumeStreak).toHaveBeenCalledTimes(1);
    expect(store.setResumeStreak).toHaveBeenCalledWith(KEY, 0, T0);
  });
});

describe('resumeNotice', () => {
  it('keeps the subject within 99 characters for a long group name', () => {
    const notice = resumeNotice(
      { account: ACCOUNT, region: REGION, groupName: 'g'.repeat(255), processes: ['Launch'], trip: 1 },
      'text',
    );
    expect(notice.subject.length).toBeLessThanOrEqual(99);
    expect(notice.subject).not.toMatch(/\n/);
  });
});

describe('lambda/entries/resumer.ts', () => {
  it('fails at cold start with a message naming the missing variable', async () => {
    // Prepare
    vi.stubEnv('LLG_TABLE_NAME', '');
    vi.resetModules();

    // Act + Assess
    await expect(
      import(join(__dirname, '..', '..', '..', 'lambda', 'entries', 'resumer.ts')),
    ).rejects.toThrow(/LLG_TABLE_NAME/);
    vi.unstubAllEnvs();
  });
});
