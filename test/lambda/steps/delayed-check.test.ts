import {
  AutoScalingClient,
  CreateOrUpdateTagsCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { beforeEach, describe, expect, it } from 'vitest';
import { autoScalingGroup } from '../../../fake-cloud/support/auto-scaling';
import { MIN, T0 } from '../../../fake-cloud/support/clock';
import { useDynamo } from '../../../fake-cloud/support/dynamo-suite';
import { autoScalingAdapter, freshTable, guardDeps } from '../../../fake-cloud/support/guard-deps';
import { instanceId, launchEvent } from '../../../fake-cloud/support/launch-events';
import { mockClients } from '../../../fake-cloud/support/sdk-mocks';
import { parseDeadlineCheck, SqsDeadlineQueue } from '../../../lambda/adapters/deadline-queue';
import type { GuardDeps } from '../../../lambda/ports';
import { run } from '../../../lambda/steps/count';
import { isQueueBatch, runDeadlineChecks } from '../../../lambda/steps/delayed-check';

const [asg, sqs] = mockClients(AutoScalingClient, SQSClient);
const GROUP = 'web';
const REGION = 'us-west-2';
const QUEUE = 'https://sqs.us-west-2.amazonaws.com/111122223333/deadlines';

const dynamo = useDynamo();
beforeEach(() => {
  asg.reset();
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
  asg.on(DescribeScalingActivitiesCommand).resolves({ Activities: [] });
});

async function harness() {
  const { config, counter } = await freshTable(dynamo(), {
    LLG_TOPIC_ARN: 'arn:aws:sns:us-west-2:111122223333:t',
    LLG_DEADLINE_QUEUE_URL: QUEUE,
    LLG_AMI_CHANGE_ALERTS: 'off',
  });
  const suspender = autoScalingAdapter();
  const logs: string[] = [];
  const deps = guardDeps({
    counter,
    suspender,
    history: suspender,
    deadlines: new SqsDeadlineQueue(new SQSClient({ region: REGION, maxAttempts: 1 }), QUEUE),
    notifier: { publishTrip: async () => ({}) } as unknown as GuardDeps['notifier'],
    log: { info: () => {}, warn: (m) => void logs.push(m), error: (m) => void logs.push(m) },
    metrics: { count: () => {} },
  });
  return { deps, config, counter, logs };
}

/** Auto Scaling describes GROUP holding one healthy instance in this lifecycle state. */
function groupHolds(
  id: string,
  LifecycleState: 'Pending' | 'InService',
  spec: { grace?: number } = {},
): void {
  const instance = { InstanceId: id, LifecycleState, HealthStatus: 'Healthy', AvailabilityZone: 'a' };
  asg.on(DescribeAutoScalingGroupsCommand).resolves({
    AutoScalingGroups: [
      autoScalingGroup(GROUP, {
        region: REGION,
        ...spec,
        instances: [{ ...instance, ProtectedFromScaleIn: false }],
      }),
    ],
  });
}

/** The fates kept for GROUP. */
function groupFates(h: Awaited<ReturnType<typeof harness>>) {
  return h.counter.readFates({ scope: 'asg', account: '111122223333', region: REGION, key: GROUP });
}

function record(body: unknown, id = 'm-1') {
  return { messageId: id, body: JSON.stringify(body), eventSource: 'aws:sqs' };
}

describe('the deadline check', () => {
  it('schedules one delayed check per group launch, at its deadline', async () => {
    // Prepare
    const h = await harness();
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .resolves({ AutoScalingGroups: [autoScalingGroup(GROUP, { region: REGION })] });
    // Act: the launch is handled 3 minutes after it happened
    await run(
      launchEvent({ group: GROUP, imageId: 'ami-0a1b2c3d4e5f60718', instanceIds: [instanceId(1)], time: T0 }),
      h.deps,
      h.config,
      T0 + 3 * MIN,
    );
    // Assess
    const sent = sqs.commandCalls(SendMessageCommand);
    expect(sent).toHaveLength(1);
    const input = sent[0]!.args[0].input;
    expect(input.QueueUrl).toBe(QUEUE);
    expect(input.DelaySeconds).toBe(605 - 180);
    expect(parseDeadlineCheck(input.MessageBody ?? '')).toEqual({
      account: '111122223333',
      region: REGION,
      group: GROUP,
      launches: [{ instanceId: instanceId(1), launchedAt: T0 }],
    });
  });

  it('keeps the fate it decides at the deadline, so a later scale-in does not undo it', async () => {
    // Prepare: the launch is counted; at its deadline it is still pending
    const h = await harness();
    groupHolds(instanceId(1), 'Pending');
    await run(
      launchEvent({ group: GROUP, imageId: 'ami-0a1b2c3d4e5f60718', instanceIds: [instanceId(1)], time: T0 }),
      h.deps,
      h.config,
      T0 + 3 * MIN,
    );
    const body = sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody;
    // Act
    const result = await runDeadlineChecks(
      [record(JSON.parse(body ?? '{}'))],
      h.deps,
      h.config,
      T0 + 10 * MIN + 5_000,
    );
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    // Fates live in the scope's fate item, apart from the count (issue 18).
    const fates = await groupFates(h);
    expect(fates.get(instanceId(1))?.fate).toBe('failed:still-pending');
  });

  it('checks again later a launch whose deadline has not come (a long grace period)', async () => {
    const h = await harness();
    groupHolds(instanceId(2), 'InService', { grace: 900 });
    const check = {
      account: '111122223333',
      region: REGION,
      group: GROUP,
      launches: [{ instanceId: instanceId(2), launchedAt: T0 }],
    };
    await runDeadlineChecks([record(check)], h.deps, h.config, T0 + 10 * MIN);
    const again = sqs.commandCalls(SendMessageCommand);
    expect(again).toHaveLength(1);
    // The group's deadline is grace + 5 minutes = 20 minutes: checked again then.
    expect(again[0]!.args[0].input.DelaySeconds).toBe(10 * 60 + 30);
  });

  it('drops a message it did not write, and tells an SQS batch from an event', async () => {
    const h = await harness();
    const result = await runDeadlineChecks(
      [{ messageId: 'x', body: 'not json', eventSource: 'aws:sqs' }],
      h.deps,
      h.config,
      T0,
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(h.logs).toContain('deadline check dropped: not a check this guard wrote');
    expect(isQueueBatch({ Records: [{ messageId: 'x', body: '{}', eventSource: 'aws:sqs' }] })).toBe(true);
    expect(
      isQueueBatch(
        launchEvent({
          group: GROUP,
          imageId: 'ami-0a1b2c3d4e5f60718',
          instanceIds: [instanceId(3)],
          time: T0,
        }),
      ),
    ).toBe(false);
  });

  it('asks SQS to deliver again only the message whose check failed', async () => {
    const h = await harness();
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .rejects(
        Object.assign(new Error('slow down'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }),
      );
    const check = {
      account: '111122223333',
      region: REGION,
      group: GROUP,
      launches: [{ instanceId: instanceId(4), launchedAt: T0 }],
    };
    const result = await runDeadlineChecks(
      [record(check, 'a'), { messageId: 'b', body: '[]', eventSource: 'aws:sqs' }],
      h.deps,
      h.config,
      T0 + 11 * MIN,
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'a' }]);
  });

  it("reads a group once for all of its messages in a batch, and keeps every launch's fate", async () => {
    // Prepare: two launches of one group, each with its message; both still pending
    const h = await harness();
    const pending = [instanceId(5), instanceId(6)].map((InstanceId) => ({
      InstanceId,
      LifecycleState: 'Pending' as const,
      HealthStatus: 'Healthy',
      AvailabilityZone: 'a',
      ProtectedFromScaleIn: false,
    }));
    asg
      .on(DescribeAutoScalingGroupsCommand)
      .resolves({ AutoScalingGroups: [autoScalingGroup(GROUP, { region: REGION, instances: pending })] });
    for (const id of [5, 6])
      await run(
        launchEvent({
          group: GROUP,
          imageId: 'ami-0a1b2c3d4e5f60718',
          instanceIds: [instanceId(id)],
          time: T0,
        }),
        h.deps,
        h.config,
        T0 + 3 * MIN,
      );
    const bodies = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input.MessageBody ?? '');
    asg.resetHistory();
    // Act
    const result = await runDeadlineChecks(
      bodies.map((body, i) => ({ messageId: `m-${i}`, body, eventSource: 'aws:sqs' })),
      h.deps,
      h.config,
      T0 + 10 * MIN + 5_000,
    );
    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(asg.commandCalls(DescribeAutoScalingGroupsCommand)).toHaveLength(1);
    const fates = await groupFates(h);
    expect(fates.get(instanceId(5))?.fate).toBe('failed:still-pending');
    expect(fates.get(instanceId(6))?.fate).toBe('failed:still-pending');
  });

  describe('a decided failure acts without waiting for another launch', () => {
    const pending = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        InstanceId: instanceId(i + 1),
        LifecycleState: 'Pending' as const,
        HealthStatus: 'Healthy',
        AvailabilityZone: 'a',
        ProtectedFromScaleIn: false,
      }));

    /** One step of `n` launches, counted, then nothing more; returns the check message's body. */
    async function oneStep(h: Awaited<ReturnType<typeof harness>>, n: number, suspended: string[] = []) {
      let state = suspended;
      asg.on(DescribeAutoScalingGroupsCommand).callsFake(() => ({
        AutoScalingGroups: [
          autoScalingGroup(GROUP, { region: REGION, instances: pending(n), suspended: state }),
        ],
      }));
      asg.on(SuspendProcessesCommand).callsFake(() => {
        state = ['Launch'];
        return {};
      });
      asg.on(CreateOrUpdateTagsCommand).resolves({});
      await run(
        launchEvent({
          group: GROUP,
          imageId: 'ami-0a1b2c3d4e5f60718',
          instanceIds: Array.from({ length: n }, (_, i) => instanceId(i + 1)),
          time: T0,
        }),
        h.deps,
        h.config,
        T0 + 3 * MIN,
      );
      return JSON.parse(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input.MessageBody ?? '{}');
    }

    it('suspends, tags and alerts once when the check decides a step of 40 failed (above the count cap)', async () => {
      // Prepare
      const h = await harness();
      const published: string[] = [];
      const deps = {
        ...h.deps,
        notifier: { publishTrip: async (r: { scope: { key: string } }) => void published.push(r.scope.key) },
      } as unknown as GuardDeps;
      const body = await oneStep(h, 40);
      // Act
      const result = await runDeadlineChecks([record(body, 'm-1')], deps, h.config, T0 + 10 * MIN + 5_000);
      // A later check of the same group (another message) finds the trip done
      await runDeadlineChecks([record(body, 'm-2')], deps, h.config, T0 + 11 * MIN);
      // Assess
      expect(result.batchItemFailures).toEqual([]);
      expect(asg.commandCalls(SuspendProcessesCommand)).toHaveLength(1);
      expect(asg.commandCalls(CreateOrUpdateTagsCommand)).toHaveLength(1);
      expect(published).toEqual([GROUP]);
    });

    it('finishes a trip whose alert failed when SQS redelivers the message, without suspending twice', async () => {
      // Prepare: the first attempt suspends and tags, then the alert fails
      const h = await harness();
      let calls = 0;
      const published: string[] = [];
      const deps = {
        ...h.deps,
        notifier: {
          publishTrip: async (r: { evidence?: { failedInstances?: string[] } }) => {
            calls += 1;
            if (calls === 1) throw new Error('SNS throttled');
            published.push((r.evidence?.failedInstances ?? []).join(','));
          },
        },
      } as unknown as GuardDeps;
      const body = await oneStep(h, 12);
      const first = await runDeadlineChecks([record(body, 'm-1')], deps, h.config, T0 + 10 * MIN + 5_000);
      // A concurrent check of another message does not take the unfinished trip over
      await runDeadlineChecks([record(body, 'm-2')], deps, h.config, T0 + 11 * MIN);
      // Act: SQS delivers m-1 again, in a new invocation (new request id, same message id)
      const again = await runDeadlineChecks([record(body, 'm-1')], deps, h.config, T0 + 12 * MIN);
      // Assess
      expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
      expect(again.batchItemFailures).toEqual([]);
      expect(asg.commandCalls(SuspendProcessesCommand)).toHaveLength(1);
      expect(published).toHaveLength(1);
      expect(published[0]?.split(',')).toHaveLength(12);
    });

    it('does nothing for a group whose Launch is suspended already, or while its launches are undecided', async () => {
      // Prepare
      const h = await harness();
      const body = await oneStep(h, 12, ['Launch']);
      // Act
      await runDeadlineChecks([record(body, 'm-1')], h.deps, h.config, T0 + 10 * MIN + 5_000);
      await runDeadlineChecks([record(body, 'm-2')], h.deps, h.config, T0 + 5 * MIN);
      // Assess
      expect(asg.commandCalls(SuspendProcessesCommand)).toHaveLength(0);
    });
  });
});
