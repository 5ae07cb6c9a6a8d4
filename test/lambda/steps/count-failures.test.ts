import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../../fake-cloud/support/fixtures';
import { instanceId, launchEvent } from '../../../fake-cloud/support/launch-events';
import { DynamoDbScopeStore } from '../../../lambda/adapters/scope-store';
import { CounterStoreError, GuardBlindError, SuspendError } from '../../../lambda/core/errors';
import { METRIC } from '../../../lambda/core/metric-names';
import { eventIdOf, run } from '../../../lambda/steps/count';
import { AMI, describeFails, dynamo, GROUP, harness, loop, REGION, T0 } from './count.support';

describe('run: failures', () => {
  it('logs, counts and drops a malformed event without throwing', async () => {
    const h = await harness();
    const broken = launchEvent({ group: GROUP, instanceIds: [instanceId(1)], time: T0 }) as {
      detail: Record<string, unknown>;
    };
    delete broken.detail.eventID;
    broken.detail.eventTime = 'yesterday';
    const result = await run(broken, h.deps, h.config, T0);
    expect(result).toMatchObject({ kind: 'ignored', malformed: true });
    expect(h.metrics.get(METRIC.malformedEvents)).toBe(1);
    expect(h.logs.some((l) => l.level === 'warn')).toBe(true);
  });

  it('drops an irrelevant event and a failed call without acting', async () => {
    const h = await harness();
    expect(
      await run(loadFixture('eventbridge-cloudtrail-s3-createbucket.awsdocs.json'), h.deps, h.config, T0),
    ).toMatchObject({
      kind: 'ignored',
      malformed: false,
    });
    // Stratus anonymised the fixture's region (ca-south-3r): a real one makes it a record again.
    const failed = structuredClone(
      loadFixture('derived-eventbridge-runinstances-failed-unauthorized.json'),
    ) as Record<string, Record<string, unknown>>;
    failed['detail']!['awsRegion'] = REGION;
    expect(await run(failed, h.deps, h.config, T0)).toMatchObject({
      kind: 'failed-attempt',
      errorCode: 'Client.UnauthorizedOperation',
    });
    expect(h.metrics.get(METRIC.failedAttempts)).toBe(1);
  });

  it('throws when the store cannot be reached, so that the event is retried', async () => {
    // Prepare: a DynamoDB endpoint nobody listens on (connection refused: transient)
    const h = await harness();
    const nowhere = new DynamoDBClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    const broken = { ...h.deps, counter: new DynamoDbScopeStore(nowhere, h.config.tableName) };
    // Act
    const error = await run(loop(1)[0]!, broken, h.config, T0).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(CounterStoreError);
    expect((error as CounterStoreError).failure).toBe('transient');
    expect(h.metrics.get(METRIC.guardBlind)).toBeUndefined();
    nowhere.destroy();
  });

  it('counts GuardBlind and throws when the table is missing, so the event is kept for a replay', async () => {
    // Prepare: dynalite answers ResourceNotFoundException for a table that does not exist
    const h = await harness();
    const broken = { ...h.deps, counter: new DynamoDbScopeStore(dynamo().client, 'missing-table') };
    // Act
    const error = await run(loop(1)[0]!, broken, h.config, T0).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(GuardBlindError);
    expect((error as Error).cause).toBeInstanceOf(CounterStoreError);
    expect(h.metrics.get(METRIC.guardBlind)).toBe(1);
    expect(
      h.logs.some((l) => l.level === 'error' && l.extra[0]?.['error'] === 'ResourceNotFoundException'),
    ).toBe(true);
  });

  it('counts GuardBlind and throws when Auto Scaling denies access', async () => {
    // Prepare: the settings refresh is the first Auto Scaling call of a new group
    const h = await harness();
    describeFails(
      'AccessDenied',
      403,
      'User is not authorized to perform: autoscaling:DescribeAutoScalingGroups',
    );
    // Act
    const error = await run(loop(1)[0]!, h.deps, h.config, T0).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(GuardBlindError);
    expect(h.metrics.get(METRIC.guardBlind)).toBe(1);
  });

  it('drops the scope, counts it and keeps counting the others when Auto Scaling refuses the input', async () => {
    // Prepare: a ValidationError a retry cannot fix, on the group scope only
    const h = await harness();
    describeFails('ValidationError', 400, '1 validation error detected');
    // Act
    const result = await run(loop(1)[0]!, h.deps, h.config, T0);
    // Assess
    expect(result).toMatchObject({
      kind: 'counted',
      scopes: [{ scope: 'ami', key: AMI, added: 1 }],
      failed: [{ scope: 'asg', key: GROUP, error: 'ValidationError' }],
    });
    expect(h.metrics.get(METRIC.permanentFailures)).toBe(1);
    expect(h.metrics.get(METRIC.guardBlind)).toBeUndefined();
  });

  it('throws a throttled Auto Scaling call as it is, so that Lambda retries', async () => {
    // Prepare
    const h = await harness();
    describeFails('Throttling', 400, 'Rate exceeded');
    // Act
    const error = await run(loop(1)[0]!, h.deps, h.config, T0).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(SuspendError);
    expect((error as SuspendError).failure).toBe('transient');
    expect(h.metrics.get(METRIC.permanentFailures)).toBeUndefined();
  });

  it('finds the eventID to put on log lines', () => {
    expect(
      eventIdOf(launchEvent({ group: GROUP, instanceIds: [instanceId(1)], time: T0, eventId: 'abc' })),
    ).toBe('abc');
    expect(eventIdOf({ id: 'eb-1' })).toBe('eb-1');
    expect(eventIdOf(42)).toBeUndefined();
  });
});
