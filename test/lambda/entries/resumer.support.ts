/**
 * What the resumer's tests share (resumer.test.ts, resumer-central.test.ts): a group that tripped
 * (three launches and the guard's trip record on dynalite), Auto Scaling and SNS through
 * aws-sdk-client-mock, and the resumer's real adapters.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { beforeEach } from 'vitest';
import { useDynamo } from '../../../fake-cloud/support/dynamo-suite';
import { mockClients } from '../../../fake-cloud/support/sdk-mocks';
import { AutoScalingSuspender } from '../../../lambda/adapters/asg-suspender';
import { SnsNotifier } from '../../../lambda/adapters/notifier';
import { DynamoDbScopeStore } from '../../../lambda/adapters/scope-store';
import { tripOwner } from '../../../lambda/core/claim';
import type { ScopeKey } from '../../../lambda/core/types';
import type { runResumer } from '../../../lambda/steps/resume-group';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const GROUP = 'ecs-neuron-capacity';
export const KEY: ScopeKey = { scope: 'asg', account: ACCOUNT, region: REGION, key: GROUP };
export const T0 = Date.UTC(2025, 11, 9, 8, 0, 0);
export const POLICY = { threshold: 10, windowMs: 3_600_000 };

export const GUARD_TAGS = {
  'launch-loop-guard:suspended-at': '2025-12-09T08:10:00.000Z',
  'launch-loop-guard:reason': '10 launches in 1h',
  team: 'ml',
};

export const [asgMock, snsMock] = mockClients(AutoScalingClient, SNSClient);
/** The store of the current test (a fresh table each). */
export let counter: DynamoDbScopeStore;
/** The resumer's dependencies of the current test. */
export let deps: Parameters<typeof runResumer>[1];

export const request = { account: ACCOUNT, region: REGION, groupName: GROUP, processes: ['Launch'], trip: 1 };

/** Before each test of the calling suite: a fresh table holding the group's three launches and its trip. */
export function useTrippedGroup(): void {
  const dynamo = useDynamo();
  beforeEach(async () => {
    asgMock.reset();
    snsMock.reset();
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
    counter = new DynamoDbScopeStore(dynamo().client, await dynamo().createTable());
    // Three launches of the group in the window.
    for (let i = 0; i < 3; i += 1) {
      await counter.record(
        {
          key: KEY,
          mentions: [{ instanceId: `i-0${i}`, time: T0 + i * 240_000 }],
          callers: ['autoscaling.amazonaws.com'],
          imageIds: ['ami-0abc'],
          groupNames: [GROUP],
          now: T0 + i * 240_000,
        },
        POLICY,
      );
    }
    await recordTrip(['Launch']);
    deps = {
      asg: new AutoScalingSuspender(() => new AutoScalingClient({ region: REGION })),
      store: counter,
      notifier: new SnsNotifier(new SNSClient({ region: REGION }), 'arn:aws:sns:eu-west-1:123456789012:llg'),
    };
  });
}

/** The guard's own record of a trip of GROUP, as trip.ts writes it: claimed, then done. */
export async function recordTrip(processes: string[], key: ScopeKey = KEY): Promise<void> {
  const episode = (await counter.read(key))?.episode ?? 0;
  const owner = tripOwner('guard-invocation');
  await counter.claimTrip(key, episode, owner, T0 + 600_000);
  await counter.saveProgress(key, episode, owner, {
    step: 'done',
    processes,
    suspendedAt: GUARD_TAGS['launch-loop-guard:suspended-at'],
  });
}

/** One more launch of the group in the window. */
export async function recordGroupLaunch(instanceId = 'i-01', i = 0): Promise<void> {
  await counter.record(
    {
      key: KEY,
      mentions: [{ instanceId, time: T0 + i * 240_000 }],
      callers: ['autoscaling.amazonaws.com'],
      imageIds: ['ami-0abc'],
      groupNames: [GROUP],
      now: T0 + i * 240_000,
    },
    POLICY,
  );
}
