/**
 * Concurrent invocations of `run()`, the same events and different ones, in every order that
 * fast-check's scheduler picks for their awaited calls. Each invocation is a container of its own
 * (its own counter, its own clients) on one dynalite table; every request it sends to DynamoDB,
 * Auto Scaling or SNS is two scheduled steps: the request reaches the service (its effect happens
 * then), and the answer reaches the caller. So a call can have taken effect while its caller
 * still waits, which is how a concurrent duplicate once saw a suspension it did not make.
 */
import {
  AutoScalingClient,
  CreateOrUpdateTagsCommand,
  DescribeAutoScalingGroupsCommand,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { autoScalingGroup } from '../../../fake-cloud/support/auto-scaling';
import { MIN, T0 } from '../../../fake-cloud/support/clock';
import { type LocalDynamo, startDynamo } from '../../../fake-cloud/support/dynalite';
import { guardDeps } from '../../../fake-cloud/support/guard-deps';
import { instanceId, launchEvent } from '../../../fake-cloud/support/launch-events';
import { mockClients } from '../../../fake-cloud/support/sdk-mocks';
import { AutoScalingSuspender } from '../../../lambda/adapters/asg-suspender';
import { SnsNotifier } from '../../../lambda/adapters/notifier';
import { DynamoDbScopeStore } from '../../../lambda/adapters/scope-store';
import { type GuardConfig, loadConfig } from '../../../lambda/config';
import type { TripReport } from '../../../lambda/core/report';
import type { GuardDeps } from '../../../lambda/ports';
import { run } from '../../../lambda/steps/count';

const [asg, sns] = mockClients(AutoScalingClient, SNSClient);
const REGION = 'us-west-2';
const TOPIC = 'arn:aws:sns:us-west-2:111122223333:launch-loop-guard';
const NOW = T0 + 30 * MIN;

/**
 * One delivery world: two groups and their AMI, named afresh for each world so that worlds share
 * the table without meeting. Each group's first 2 launches are counted before; its 3rd trips it
 * (threshold 3). The AMI scope (threshold 6) trips when two distinct late launches arrive.
 */
interface Scenario {
  readonly groups: readonly [string, string];
  readonly ami: string;
  readonly early: readonly Record<string, unknown>[];
  /** The late events: the 3rd and 4th launches of group a, the 3rd of group b. */
  readonly late: Readonly<Record<Late, Record<string, unknown>>>;
}
type Late = 'a3' | 'a4' | 'b3';

let scenarioSeq = 0;
function scenario(): Scenario {
  const k = ++scenarioSeq;
  const groups = [`loop-a-${k}`, `loop-b-${k}`] as const;
  const ami = `ami-${k.toString(16).padStart(17, '0')}`;
  const launch = (g: 0 | 1, ...n: number[]) =>
    launchEvent({
      group: groups[g],
      imageId: ami,
      instanceIds: n.map((i) => instanceId(k * 1000 + g * 100 + i)),
      time: T0 + n[0]! * 3 * MIN,
    });
  return {
    groups,
    ami,
    early: [launch(0, 0, 1), launch(1, 0, 1)],
    late: { a3: launch(0, 2), a4: launch(0, 3), b3: launch(1, 2) },
  };
}

/** What Auto Scaling and SNS saw, and the groups' state as the fake Auto Scaling keeps it. */
interface World {
  readonly suspended: Map<string, Set<string>>;
  readonly suspends: Map<string, number>;
  readonly tags: Map<string, number>;
  readonly alerts: TripReport[];
}

let world: World = newWorld();
let db: LocalDynamo;
let config: GuardConfig;

beforeAll(async () => {
  db = await startDynamo();
  config = loadConfig({
    LLG_TABLE_NAME: await db.createTable(),
    LLG_TOPIC_ARN: TOPIC,
    LLG_ASG_THRESHOLD: '3',
    LLG_AMI_THRESHOLD: '6',
    // Exactly-once is what is tested here, not the judging of launches: the count rule alone
    // decides (the fake group keeps no instances, and fates have their own tests).
    LLG_CHURN_SHARE: 'off',
    LLG_FAILED_STREAK: 'off',
    LLG_AMI_CHANGE_ALERTS: 'off',
  });
});
afterAll(async () => {
  await db.close();
});

beforeEach(() => {
  asg.reset();
  sns.reset();
  asg.on(DescribeAutoScalingGroupsCommand).callsFake((input: { AutoScalingGroupNames?: string[] }) => ({
    AutoScalingGroups: (input.AutoScalingGroupNames ?? []).map((name) =>
      autoScalingGroup(name, { region: REGION, grace: 0, suspended: [...(world.suspended.get(name) ?? [])] }),
    ),
  }));
  asg
    .on(SuspendProcessesCommand)
    .callsFake((input: { AutoScalingGroupName: string; ScalingProcesses: string[] }) => {
      const name = input.AutoScalingGroupName;
      world.suspends.set(name, (world.suspends.get(name) ?? 0) + 1);
      const set = world.suspended.get(name) ?? new Set<string>();
      for (const p of input.ScalingProcesses) set.add(p);
      world.suspended.set(name, set);
      return {};
    });
  asg.on(CreateOrUpdateTagsCommand).callsFake((input: { Tags: { ResourceId: string }[] }) => {
    const name = input.Tags[0]!.ResourceId;
    world.tags.set(name, (world.tags.get(name) ?? 0) + 1);
    return {};
  });
  sns
    .on(PublishCommand)
    .callsFake((input: { MessageAttributes?: Record<string, { StringValue?: string }> }) => {
      const report = input.MessageAttributes?.['report']?.StringValue;
      if (report !== undefined) world.alerts.push(JSON.parse(report) as TripReport);
      return { MessageId: `m-${world.alerts.length}` };
    });
});

function newWorld(): World {
  return { suspended: new Map(), suspends: new Map(), tags: new Map(), alerts: [] };
}

/** Something with a `send`, as every SDK client has. */
interface Sender {
  send(command: unknown): Promise<unknown>;
}

/**
 * A client whose every request is two scheduled steps: at the first, the request reaches the
 * service and takes effect (nothing else runs meanwhile); at the second, the caller gets the answer.
 */
function scheduledClient<T>(s: fc.Scheduler, name: string, real: Sender): T {
  const send = async (command: unknown): Promise<unknown> => {
    const label = `${name}.${(command as object).constructor.name}`;
    let outcome: Promise<unknown> = Promise.resolve();
    await s.schedule(Promise.resolve(), `${label} sent`, undefined, async (deliver) => {
      // A mocked client's send may answer without a promise: make it one.
      outcome = Promise.resolve().then(() => real.send(command));
      await outcome.catch(() => undefined);
      await deliver();
    });
    await s.schedule(Promise.resolve(), `${label} answered`);
    return outcome;
  };
  return { send } as T;
}

/** One container's dependencies: its own counter and clients; scheduled when `s` is given. */
function containerDeps(s?: fc.Scheduler): GuardDeps {
  const dynamo = s ? scheduledClient<DynamoDBClient>(s, 'dynamodb', db.client) : db.client;
  const autoScaling = new AutoScalingClient({ region: REGION });
  const topic = new SNSClient({ region: REGION });
  const counter = new DynamoDbScopeStore(dynamo, config.tableName, config.maxWindowMs);
  const quiet = () => undefined;
  return guardDeps({
    counter,
    streaks: counter,
    suspender: new AutoScalingSuspender(() =>
      s ? scheduledClient<AutoScalingClient>(s, 'autoscaling', autoScaling) : autoScaling,
    ),
    notifier: new SnsNotifier(s ? scheduledClient<SNSClient>(s, 'sns', topic) : topic, TOPIC),
    log: { info: quiet, warn: quiet, error: quiet },
    metrics: { count: quiet },
  });
}

/** A new scenario whose early launches are counted. */
async function prepared(): Promise<Scenario> {
  const sc = scenario();
  const deps = containerDeps();
  for (const [i, e] of sc.early.entries()) await run(e, deps, config, T0 + 4 * MIN, `early-${i}`);
  return sc;
}

/** What was done, per scope (named by its role: group a, group b, the AMI): suspensions, tag writes and alerts. */
function tally(w: World, sc: Scenario): Record<string, number> {
  const role = (key: string) => (key === sc.groups[0] ? 'group a' : key === sc.groups[1] ? 'group b' : 'ami');
  const out: Record<string, number> = {};
  const add = (what: string, n = 1) => {
    out[what] = (out[what] ?? 0) + n;
  };
  for (const [g, n] of w.suspends) add(`suspend ${role(g)}`, n);
  for (const [g, n] of w.tags) add(`tags ${role(g)}`, n);
  for (const r of w.alerts) add(`alert ${role(r.scope.key)}`);
  return out;
}

/** What a correct guard does: per tripped group one suspension, one tag write and one alert; one alert for a tripped AMI. */
function expected(deliveries: readonly Delivery[]): Record<string, number> {
  const distinct = new Set(deliveries.map((d) => d.event));
  const out: Record<string, number> = {};
  for (const g of new Set([...distinct].map((d) => (d === 'b3' ? 'group b' : 'group a')))) {
    out[`suspend ${g}`] = 1;
    out[`tags ${g}`] = 1;
    out[`alert ${g}`] = 1;
  }
  if (distinct.size >= 2) out['alert ami'] = 1;
  return out;
}

/** One invocation: which event, and after how many scheduled steps of the others it arrives. */
interface Delivery {
  readonly event: Late;
  readonly delay: number;
}

describe('concurrent delivery', () => {
  it('acts once per trip for 2 to 4 concurrent invocations of the same and different events, as serial delivery does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ event: fc.constantFrom<Late>('a3', 'a4', 'b3'), delay: fc.nat({ max: 16 }) }), {
          minLength: 2,
          maxLength: 4,
        }),
        fc.scheduler(),
        async (deliveries, s) => {
          // Prepare
          world = newWorld();
          const serialScenario = await prepared();
          const concurrentScenario = await prepared();
          // Serial: one invocation after the other
          world = newWorld();
          const serialDeps = containerDeps();
          for (const [i, d] of deliveries.entries())
            await run(serialScenario.late[d.event], serialDeps, config, NOW, `serial-${i}`);
          const serial = tally(world, serialScenario);
          // Act: all at once, each invocation its own container and request id, arriving after
          // `delay` scheduled steps (so that a late copy meets the first one mid-trip)
          world = newWorld();
          const invoke = async (d: Delivery, i: number) => {
            for (let step = 0; step < d.delay; step++) await s.schedule(Promise.resolve(), `arrival ${i}`);
            return run(concurrentScenario.late[d.event], containerDeps(s), config, NOW, `concurrent-${i}`);
          };
          await s.waitFor(Promise.all(deliveries.map(invoke)));
          const concurrent = tally(world, concurrentScenario);
          // Assess
          expect(serial).toEqual(expected(deliveries));
          expect(concurrent).toEqual(serial);
          const groupAlerts = world.alerts.filter((r) => r.scope.scope === 'asg').map((r) => r.action);
          expect(groupAlerts).toEqual(groupAlerts.map(() => 'suspended'));
        },
      ),
      { numRuns: 30 },
    );
  });
});
