/**
 * run(): a group's settings, exemptions and state, retries of a trip, and auto-resume (shared setup in
 * count.support.ts).
 */
import {
  CreateOrUpdateTagsCommand,
  DescribeAutoScalingGroupsCommand,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { PublishCommand } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { instanceId, launchEvent } from '../../../fake-cloud/support/launch-events';
import { EventBridgeResumeScheduler } from '../../../lambda/adapters/scheduler';
import { GuardBlindError, NotifyError, SuspendError } from '../../../lambda/core/errors';
import { METRIC } from '../../../lambda/core/metric-names';
import { run } from '../../../lambda/steps/count';
import {
  AMI,
  asg,
  departed,
  describeGroup,
  GROUP,
  HEALTH_CAUSE,
  harness,
  loop,
  MIN,
  publishedReports,
  REGION,
  replay,
  scheduler,
  sns,
  T0,
  tenthLaunchFails,
} from './count.support';

/** An SDK failure named `name`. */
function failure(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

describe('run: group settings, retries and auto-resume', () => {
  it('honours a tag that lowers the threshold below the default', async () => {
    const h = await harness();
    describeGroup({ tags: { 'launch-loop-guard:threshold': '3' } });
    await replay(h, loop(3));
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 1);
    expect(publishedReports()[0]).toMatchObject({ launches: 3, threshold: 3 });
  });

  it('reads a group settings once per 5 minutes, not once per event', async () => {
    const h = await harness({ LLG_ASG_THRESHOLD: '100' });
    await replay(h, loop(30), T0 + 60_000);
    expect(asg).toHaveReceivedCommandTimes(DescribeAutoScalingGroupsCommand, 1);
  });

  it('caches a group settings only when its tags change them from the defaults', async () => {
    const key = { scope: 'asg' as const, account: '111122223333', region: REGION, key: GROUP };
    const plain = await harness();
    await replay(plain, loop(2));
    expect((await plain.counter.read(key))?.settings).toBeUndefined();
    const tagged = await harness();
    describeGroup({ tags: { 'launch-loop-guard:threshold': '25' } });
    await replay(tagged, loop(2));
    expect((await tagged.counter.read(key))?.settings).toEqual({
      threshold: 25,
      windowMs: 3_600_000,
      exempt: false,
    });
  });

  it('never acts on an exempt group, and logs it', async () => {
    const h = await harness();
    describeGroup({ tags: { 'launch-loop-guard:exempt': 'true' } });
    await replay(h, loop(15));
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 0);
    expect(asg).toHaveReceivedCommandTimes(CreateOrUpdateTagsCommand, 0);
    expect(publishedReports().filter((r) => r.scope.scope === 'asg')).toHaveLength(0);
    expect(h.metrics.get(METRIC.exemptSkips)).toBeGreaterThan(0);
    expect(h.logs.some((l) => l.message.includes('exempt'))).toBe(true);
  });

  it('refuses a window tag longer than the item TTL allows, with a clear log line', async () => {
    const h = await harness({ LLG_MAX_WINDOW: '6h' });
    describeGroup({ tags: { 'launch-loop-guard:window': '48h' } });
    await replay(h, loop(1));
    const warning = h.logs.find((l) => l.level === 'warn' && l.message === 'group tag ignored');
    expect(JSON.stringify(warning?.extra)).toContain('launch-loop-guard:window');
  });

  it('leaves a group whose Launch is already suspended alone, and says so', async () => {
    const h = await harness();
    describeGroup({ suspended: ['Launch'] });
    await replay(h, loop(10));
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 0);
    expect(asg).toHaveReceivedCommandTimes(CreateOrUpdateTagsCommand, 0);
    expect(publishedReports()[0]).toMatchObject({ action: 'already-suspended' });
  });

  it('alerts and does not crash when the group was deleted meanwhile', async () => {
    const h = await harness({ LLG_ASG_THRESHOLD: '2' });
    await replay(h, loop(1));
    asg.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] });
    await replay(h, loop(1, 1));
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 0);
    expect(publishedReports()[0]).toMatchObject({ action: 'group-gone' });
  });

  it('counts a stale event but only alerts', async () => {
    const h = await harness({ LLG_FAILED_STREAK: 'off' });
    departed(
      Array.from({ length: 10 }, (_, i) => instanceId(i)),
      HEALTH_CAUSE,
    );
    // Handled 3 hours after the launches (after retries and throttling).
    await replay(h, loop(10), T0 + 3 * 60 * MIN);
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 0);
    expect(publishedReports()[0]).toMatchObject({ action: 'stale', launches: 10 });
    expect(h.metrics.get(METRIC.staleEvents)).toBe(1);
  });

  it('does everything but suspend and tag in dry-run mode', async () => {
    const h = await harness({ LLG_DRY_RUN: 'true' });
    await replay(h, loop(10));
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 0);
    expect(asg).toHaveReceivedCommandTimes(CreateOrUpdateTagsCommand, 0);
    expect(publishedReports()[0]).toMatchObject({ action: 'would-suspend', dryRun: true });
    const body = sns.commandCalls(PublishCommand)[0]!.args[0].input.Message ?? '';
    expect(body).toMatch(/would have suspended/i);
  });

  it('keeps the suspension and says so when the group is at its tag limit', async () => {
    const h = await harness();
    asg
      .on(CreateOrUpdateTagsCommand)
      .rejects(
        Object.assign(new Error('maximum number of tags'), { name: 'LimitExceeded', Code: 'LimitExceeded' }),
      );
    await replay(h, loop(10));
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 1);
    expect(publishedReports()[0]).toMatchObject({ action: 'suspended', tagged: false });
  });

  it('throws on throttling so that Lambda retries, and the retry acts once', async () => {
    const h = await harness();
    const { error, tenth } = await tenthLaunchFails(h, () =>
      asg.on(SuspendProcessesCommand).rejectsOnce(failure('Throttling', 'Rate exceeded')).resolves({}),
    );
    expect(error).toBeInstanceOf(SuspendError);
    // Lambda retries the same invocation: the same event under the same request id.
    await run(tenth, h.deps, h.config, T0 + 29 * MIN, 'request-1');
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 2);
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('does not suspend twice when a retry follows a failed alert', async () => {
    const h = await harness();
    const { error, tenth } = await tenthLaunchFails(h, () =>
      sns
        .on(PublishCommand)
        .rejectsOnce(failure('KMSInvalidStateException', 'KMS unavailable'))
        .resolves({ MessageId: 'm-2' }),
    );
    // The topic's key in an invalid state blinds the guard: counted, thrown, kept for a replay.
    expect(error).toBeInstanceOf(GuardBlindError);
    expect((error as Error).cause).toBeInstanceOf(NotifyError);
    expect(h.metrics.get(METRIC.guardBlind)).toBe(1);
    await run(tenth, h.deps, h.config, T0 + 29 * MIN, 'request-1');
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 1);
    expect(asg).toHaveReceivedCommandTimes(CreateOrUpdateTagsCommand, 1);
    // The failed publish and the retry's: the same alert, sent again, about the one suspension.
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 2);
    expect(publishedReports().map((r) => [r.action, r.launches])).toEqual([
      ['suspended', 10],
      ['suspended', 10],
    ]);
  });

  it('leaves a trip to the invocation that owns it: another delivery of the event acts only after 10 idle minutes', async () => {
    // Prepare: the 10th launch suspends the group under request-1, then its alert fails
    const h = await harness();
    const events = loop(10);
    await replay(h, events.slice(0, 9));
    sns
      .on(PublishCommand)
      .rejectsOnce(
        Object.assign(new Error('internal error'), {
          name: 'InternalError',
          $metadata: { httpStatusCode: 500 },
        }),
      )
      .resolves({ MessageId: 'm-2' });
    await expect(run(events[9]!, h.deps, h.config, T0 + 28 * MIN, 'request-1')).rejects.toBeInstanceOf(
      NotifyError,
    );
    // Act: a second delivery of the same event (request-2) a minute later, then another 11 minutes later
    const soon = await run(events[9]!, h.deps, h.config, T0 + 29 * MIN, 'request-2');
    const publishedSoon = sns.commandCalls(PublishCommand).length;
    const late = await run(events[9]!, h.deps, h.config, T0 + 39 * MIN, 'request-3');
    // Assess
    expect(soon).toMatchObject({ kind: 'counted', scopes: [{ scope: 'asg', trip: 'lost' }, {}] });
    expect(publishedSoon).toBe(1);
    expect(late).toMatchObject({ kind: 'counted', scopes: [{ scope: 'asg', trip: 'suspended' }, {}] });
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 1);
    expect(asg).toHaveReceivedCommandTimes(CreateOrUpdateTagsCommand, 1);
    expect(publishedReports().map((r) => r.action)).toEqual(['suspended', 'suspended']);
  });

  it('does not trip again after the suspension, and re-arms once the count falls below the threshold', async () => {
    const h = await harness();
    await replay(h, loop(14));
    expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 1);
    // Two hours later, a launch finds the window nearly empty: the episode ends.
    const later = launchEvent({
      group: GROUP,
      imageId: AMI,
      instanceIds: [instanceId(900)],
      time: T0 + 3 * 60 * MIN,
    });
    await replay(h, [later], T0 + 3 * 60 * MIN);
    const item = await h.counter.read({ scope: 'asg', account: '111122223333', region: REGION, key: GROUP });
    expect(item?.episode).toBe(1);
  });

  it('schedules one auto-resume per trip, even when a retry follows a failed alert', async () => {
    // Prepare
    const autoResume = {
      baseMs: 15 * MIN,
      maxMs: 240 * MIN,
      maxTrips: 4,
      scheduleGroup: 'launch-loop-guard',
      schedulerRoleArn: 'arn:aws:iam::111122223333:role/scheduler',
      targetArn: 'arn:aws:lambda:us-west-2:111122223333:function:resumer',
    };
    const h = await harness({ LLG_AUTO_RESUME: JSON.stringify(autoResume) });
    const deps = {
      ...h.deps,
      scheduler: new EventBridgeResumeScheduler(new SchedulerClient({ region: REGION }), autoResume),
    };
    // Act: the tripping event fails at the alert, then Lambda retries it
    const { error, tenth } = await tenthLaunchFails({ deps, config: h.config }, () =>
      sns.on(PublishCommand).rejectsOnce(new Error('SNS down')).resolves({ MessageId: 'm-2' }),
    );
    expect(error).toBeInstanceOf(NotifyError);
    await run(tenth, deps, h.config, T0 + 29 * MIN, 'request-1');
    // Assess
    expect(scheduler).toHaveReceivedCommandTimes(CreateScheduleCommand, 1);
    const input = JSON.parse(
      scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input.Target?.Input ?? '{}',
    );
    const tagged = asg.commandCalls(CreateOrUpdateTagsCommand)[0]!.args[0].input.Tags ?? [];
    expect(input).toMatchObject({ groupName: GROUP, processes: ['Launch'], trip: 1 });
    expect(input.suspendedAt).toBe(tagged.find((t) => t.Key === 'launch-loop-guard:suspended-at')?.Value);
    expect(publishedReports().at(-1)?.autoResume).toMatchObject({
      kind: 'scheduled',
      trip: 1,
      cooldownMs: 15 * MIN,
    });
    const item = await h.counter.read({ scope: 'asg', account: '111122223333', region: REGION, key: GROUP });
    expect(item?.resumeStreak).toBe(1);
  });
});
