/**
 * run() under random mutations of the real CloudTrail and Auto Scaling samples, with the store on
 * dynalite (the real DynamoDB protocol, which enforces the 2,048-byte key limit) and Auto Scaling
 * and SNS faked to validate requests the way the APIs do. Without an injected fault, no event
 * ever throws: a malformed one is dropped, a refused one is dropped and counted. With a fault,
 * only a transient or a blind one throws, each as its class says.
 */
import {
  AutoScalingClient,
  AutoScalingServiceException,
  CreateOrUpdateTagsCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeWarmPoolCommand,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  DynamoDBClient,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import {
  AuthorizationErrorException,
  InvalidParameterException,
  PublishCommand,
  SNSClient,
  ThrottledException,
} from '@aws-sdk/client-sns';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { autoScalingGroup } from '../../../fake-cloud/support/auto-scaling';
import { T0 } from '../../../fake-cloud/support/clock';
import { type LocalDynamo, startDynamo } from '../../../fake-cloud/support/dynalite';
import { fixtureNames, loadFixture } from '../../../fake-cloud/support/fixtures';
import { guardDeps } from '../../../fake-cloud/support/guard-deps';
import { inCloudTrailEnvelope, instanceId, launchEvent } from '../../../fake-cloud/support/launch-events';
import { applyMutations, mutationArb, pathsOf } from '../../../fake-cloud/support/mutations';
import { mockClients } from '../../../fake-cloud/support/sdk-mocks';
import { AutoScalingSuspender } from '../../../lambda/adapters/asg-suspender';
import { type AwsErrorClass, classifyAwsError } from '../../../lambda/adapters/aws-error';
import { SnsNotifier } from '../../../lambda/adapters/notifier';
import { DynamoDbScopeStore } from '../../../lambda/adapters/scope-store';
import { type GuardConfig, loadConfig } from '../../../lambda/config';
import { GuardBlindError } from '../../../lambda/core/errors';
import { isGroupName } from '../../../lambda/core/identifiers';
import { METRIC } from '../../../lambda/core/metric-names';
import type { GuardDeps } from '../../../lambda/ports';
import { type GuardResult, run } from '../../../lambda/steps/count';

const [asg, sns] = mockClients(AutoScalingClient, SNSClient);
const TOPIC = 'arn:aws:sns:us-west-2:111122223333:launch-loop-guard';
const meta = (httpStatusCode: number) => ({ httpStatusCode, requestId: 'r', attempts: 1 });

/** A fault to inject into one dependency, or none. */
interface Fault {
  readonly into: 'dynamo' | 'autoscaling' | 'sns';
  readonly failure: AwsErrorClass;
}
let fault: Fault | undefined;

function faultError(f: Fault): Error {
  switch (f.into) {
    case 'dynamo':
      if (f.failure === 'transient')
        return new ProvisionedThroughputExceededException({ message: 'x', $metadata: meta(400) });
      if (f.failure === 'blind') return new ResourceNotFoundException({ message: 'x', $metadata: meta(400) });
      return validation('ValidationException', 'DynamoDB');
    case 'autoscaling':
      return asgError(
        f.failure === 'transient' ? 'Throttling' : f.failure === 'blind' ? 'AccessDenied' : 'ValidationError',
        f.failure === 'blind' ? 403 : 400,
      );
    case 'sns':
      if (f.failure === 'transient') return new ThrottledException({ message: 'x', $metadata: meta(400) });
      if (f.failure === 'blind')
        return new AuthorizationErrorException({ message: 'x', $metadata: meta(403) });
      return new InvalidParameterException({ message: 'x', $metadata: meta(400) });
  }
}

function asgError(name: string, status: number): AutoScalingServiceException {
  return new AutoScalingServiceException({ name, $fault: 'client', $metadata: meta(status), message: name });
}

function validation(name: string, service: string): Error {
  return Object.assign(new Error(`${service} validation`), { name, $fault: 'client', $metadata: meta(400) });
}

/** Auto Scaling as the API reference describes its input checks (names, page sizes). */
function fakeAutoScaling(): void {
  const check = (names: readonly (string | undefined)[], maxRecords?: number, limit = 100) => {
    if (fault?.into === 'autoscaling') throw faultError(fault);
    if (names.some((n) => n === undefined || !isGroupName(n))) throw asgError('ValidationError', 400);
    if (maxRecords !== undefined && (maxRecords < 1 || maxRecords > limit))
      throw asgError('ValidationError', 400);
  };
  asg.on(DescribeAutoScalingGroupsCommand).callsFake((input) => {
    check(input.AutoScalingGroupNames ?? [], input.MaxRecords);
    return { AutoScalingGroups: (input.AutoScalingGroupNames ?? []).map((n: string) => autoScalingGroup(n)) };
  });
  asg.on(DescribeWarmPoolCommand).callsFake((input) => {
    check([input.AutoScalingGroupName], input.MaxRecords, 50);
    return { Instances: [] };
  });
  asg.on(SuspendProcessesCommand).callsFake((input) => {
    check([input.AutoScalingGroupName]);
    return {};
  });
  asg.on(CreateOrUpdateTagsCommand).callsFake((input) => {
    check((input.Tags ?? []).map((t: { ResourceId?: string }) => t.ResourceId));
    return {};
  });
  sns.on(PublishCommand).callsFake((input) => {
    if (fault?.into === 'sns') throw faultError(fault);
    // SNS: a subject under 100 characters, on one line.
    if (input.Subject !== undefined && (input.Subject.length >= 100 || /[\r\n]/.test(input.Subject)))
      throw new InvalidParameterException({ message: 'Subject', $metadata: meta(400) });
    return { MessageId: 'm' };
  });
}

let db: LocalDynamo;
let faultyDynamo: DynamoDBClient;
let config: GuardConfig;
let deps: GuardDeps;
const metrics = new Map<string, number>();

beforeAll(async () => {
  db = await startDynamo();
  faultyDynamo = new DynamoDBClient({
    endpoint: db.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  faultyDynamo.middlewareStack.add(
    (next) => async (args) => {
      if (fault?.into === 'dynamo') throw faultError(fault);
      return next(args);
    },
    { step: 'initialize', name: 'injectFault' },
  );
  const table = await db.createTable();
  // Threshold 1: every counted launch trips, so the trip path's calls run too.
  config = loadConfig({
    LLG_TABLE_NAME: table,
    LLG_TOPIC_ARN: TOPIC,
    LLG_ASG_THRESHOLD: '1',
    LLG_AMI_THRESHOLD: '1',
    LLG_AMI_CHANGE_ALERTS: 'off',
  });
  const counter = new DynamoDbScopeStore(faultyDynamo, table, config.maxWindowMs);
  const quiet = () => {};
  deps = guardDeps({
    counter,
    streaks: counter,
    suspender: new AutoScalingSuspender((region) => new AutoScalingClient({ region, maxAttempts: 1 })),
    notifier: new SnsNotifier(new SNSClient({ region: 'us-west-2', maxAttempts: 1 }), TOPIC),
    log: { info: quiet, warn: quiet, error: quiet },
    metrics: { count: (name, value = 1) => metrics.set(name, (metrics.get(name) ?? 0) + value) },
  });
});
afterAll(async () => {
  faultyDynamo.destroy();
  await db.close();
});
beforeEach(() => {
  asg.reset();
  sns.reset();
  fakeAutoScaling();
  fault = undefined;
});

/** The samples as the function receives them: each file, and each bare record in an envelope. */
function seeds(): Array<readonly [string, unknown]> {
  const out: Array<readonly [string, unknown]> = [];
  for (const name of fixtureNames()) {
    const value = loadFixture(name) as Record<string, unknown>;
    out.push([name, value]);
    if ('eventName' in value) {
      out.push([
        `${name} in an envelope`,
        inCloudTrailEnvelope(value, '6318c183-0f23-41a5-84e1-a0106fbc4da1'),
      ]);
    }
  }
  out.push([
    'a generated Auto Scaling launch',
    launchEvent({
      group: 'ecs-asg',
      imageId: 'ami-0a1b2c3d4e5f60718',
      instanceIds: [instanceId(1), instanceId(2)],
      time: T0,
    }),
  ]);
  return out;
}

const RUNS = 40;

describe('run() under mutated samples (property, dynalite)', () => {
  it.each(seeds())('never throws without an injected fault: %s', async (_name, original) => {
    const paths = pathsOf(original);
    const kinds = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(mutationArb, { minLength: 0, maxLength: 4 }), async (mutations) => {
        const result: GuardResult = await run(applyMutations(original, paths, mutations), deps, config, T0);
        kinds.add(result.kind);
      }),
      { numRuns: RUNS },
    );
    expect(kinds.size).toBeGreaterThan(0);
  });

  it('throws only what an injected fault makes transient or blind, each as its class says', async () => {
    const blindBefore = metrics.get(METRIC.guardBlind) ?? 0;
    let thrown = { transient: 0, blind: 0 };
    const faultArb = fc.record({
      into: fc.constantFrom('dynamo' as const, 'autoscaling' as const, 'sns' as const),
      failure: fc.constantFrom<AwsErrorClass>('transient', 'permanent', 'blind'),
    });
    const launches = seeds().filter(([name]) => /runinstances-asg|generated|launch-successful/.test(name));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...launches),
        fc.array(mutationArb, { maxLength: 2 }),
        faultArb,
        fc.nat(),
        async ([, original], mutations, injected, seq) => {
          // A fresh instance id each run, so each run counts (and, at threshold 1, trips).
          const input = JSON.parse(
            JSON.stringify(applyMutations(original, pathsOf(original), mutations)).replaceAll(
              /i-[0-9a-f]{17}/g,
              instanceId(seq + 1_000_000),
            ),
          );
          fault = injected;
          const outcome = await run(input, deps, config, T0).then(
            () => undefined,
            (error: unknown) => error,
          );
          fault = undefined;
          if (outcome === undefined) return;
          // A permanent fault never throws; a transient one throws as transient; a blind one as GuardBlindError.
          expect(injected.failure).not.toBe('permanent');
          if (injected.failure === 'blind') {
            expect(outcome).toBeInstanceOf(GuardBlindError);
            thrown = { ...thrown, blind: thrown.blind + 1 };
          } else {
            expect(outcome).not.toBeInstanceOf(GuardBlindError);
            expect(classifyAwsError(outcome)).toBe('transient');
            thrown = { ...thrown, transient: thrown.transient + 1 };
          }
        },
      ),
      { numRuns: 150 },
    );
    expect(thrown.transient).toBeGreaterThan(0);
    expect(thrown.blind).toBeGreaterThan(0);
    expect((metrics.get(METRIC.guardBlind) ?? 0) - blindBefore).toBe(thrown.blind);
  });
});
