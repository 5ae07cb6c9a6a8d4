/**
 * The live guard's figures, all measured in this one run (ratios, not absolute times, are what
 * to compare across machines):
 *
 * 1. DynamoDB requests per event per scope, counted at the dynalite endpoint, over 10,000
 *    launch events of a realistic account (many quiet groups, a few loops, duplicates and
 *    out-of-order delivery); and on the path that does not trip alone.
 * 2. Write capacity per event per scope (`ReturnConsumedCapacity`), overall and for one scope
 *    with 1,000 launches in its window; for a group scope with 300 launches in its window and
 *    every fate kept (issue 18), the sizes of its count and fate items and the write capacity
 *    of a launch and of a delayed check's fate write.
 * 3. The handler's in-process throughput against dynalite.
 * 4. The bundled handler's size, and its cold init (load plus client construction), against a
 *    bundle that only imports and constructs the same SDK clients.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  AutoScalingClient,
  CreateOrUpdateTagsCommand,
  DescribeAutoScalingGroupsCommand,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { build } from 'esbuild';
import { createGuardTable, listenDynalite } from '../fake-cloud/support/dynalite';
import { guardDeps } from '../fake-cloud/support/guard-deps';
import { instanceId, launchEvent } from '../fake-cloud/support/launch-events';
import { AutoScalingSuspender } from '../lambda/adapters/asg-suspender';
import { Ec2ImageInfo } from '../lambda/adapters/ec2-diagnosis';
import { SnsNotifier } from '../lambda/adapters/notifier';
import { DynamoDbScopeStore } from '../lambda/adapters/scope-store';
import { loadConfig } from '../lambda/config';
import { stepEpisode } from '../lambda/core/episode';
import { parseEvent } from '../lambda/core/parse-event';
import { launchScopes } from '../lambda/core/scopes';
import { ScopeWindow } from '../lambda/core/window';
import { CachedImageInfo } from '../lambda/steps/ami-change';
import { type GuardResult, run } from '../lambda/steps/count';
import { mulberry32 } from './random';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const EVENTS = Number(process.env.BENCH_GUARD_EVENTS ?? 10_000);
const T0 = Date.UTC(2025, 11, 9, 0, 0, 0);
const MIN = 60_000;
const OUT = join(__dirname, 'out', 'guard');

/**
 * 10,000 events over 12 hours: 300 groups in 3 regions launching now and then (a few an hour,
 * sometimes 2-5 at once), 3 groups in a loop (one launch a minute until suspended, then still
 * arriving as late deliveries), 30 AMIs; 2% of events delivered twice, and delivery shuffled
 * within a few minutes.
 */
function workload(): { event: Record<string, unknown>; time: number }[] {
  const random = mulberry32(42);
  const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
  const out: { event: Record<string, unknown>; time: number }[] = [];
  let next = 0;
  const loops = 3;
  while (out.length < EVENTS) {
    const loopEvent = random() < 0.15;
    const g = loopEvent ? Math.floor(random() * loops) : loops + Math.floor(random() * 297);
    const time = T0 + Math.floor(random() * 12 * 60) * MIN;
    const n = loopEvent || random() < 0.8 ? 1 : 2 + Math.floor(random() * 4);
    const ids = Array.from({ length: n }, () => instanceId(next++));
    const event = launchEvent({
      group: `group-${g}`,
      imageId: `ami-${(g % 30).toString(16).padStart(17, '0')}`,
      instanceIds: ids,
      time,
      region: regions[g % 3],
    });
    out.push({ event, time });
    if (random() < 0.02) out.push({ event: structuredClone(event), time });
  }
  // Delivery order: by time, then shuffled within about 5 minutes.
  const keyed = out.map((e) => ({ ...e, key: e.time + random() * 5 * MIN }));
  keyed.sort((a, b) => a.key - b.key);
  return keyed.slice(0, EVENTS).map(({ event, time }) => ({ event, time }));
}

async function startDynamo(): Promise<{
  client: DynamoDBClient;
  requests: () => number;
  wcu: () => number;
  close: () => Promise<void>;
  table: string;
}> {
  const server = await listenDynalite();
  const client = new DynamoDBClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let wcu = 0;
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const out = result.output as { ConsumedCapacity?: { CapacityUnits?: number } };
      wcu += out.ConsumedCapacity?.CapacityUnits ?? 0;
      return result;
    },
    { step: 'initialize', name: 'countCapacity' },
  );
  const table = 'bench-guard';
  await createGuardTable(client, table);
  const created = server.requests();
  return {
    client,
    table,
    requests: () => server.requests() - created,
    wcu: () => wcu,
    close: async () => {
      client.destroy();
      await server.close();
    },
  };
}

/** Group trips of the in-memory reference model over the same events, in the same delivery order. */
function modelGroupTrips(
  events: readonly { event: Record<string, unknown>; time: number }[],
  threshold: number,
  windowMs: number,
): number {
  const windows = new Map<string, ScopeWindow>();
  const armed = new Map<string, boolean>();
  let trips = 0;
  for (const { event } of events) {
    const record = parseEvent(event);
    if (record.kind !== 'launch') continue;
    for (const share of launchScopes(record)) {
      if (share.key.scope !== 'asg') continue;
      const id = `${share.key.region}/${share.key.key}`;
      const w = windows.get(id) ?? new ScopeWindow(windowMs);
      windows.set(id, w);
      const added = w.add(share.mentions);
      const step = stepEpisode(armed.get(id) ?? true, w.count(), threshold, added.added > 0);
      armed.set(id, step.armed);
      if (step.trip) trips += 1;
    }
  }
  return trips;
}

function scopesOf(result: GuardResult): number {
  return result.kind === 'counted' ? result.scopes.length : 0;
}

async function storeAndThroughput(): Promise<void> {
  const asg = mockClient(AutoScalingClient);
  const sns = mockClient(SNSClient);
  asg.on(DescribeAutoScalingGroupsCommand).callsFake((input: { AutoScalingGroupNames?: string[] }) => ({
    AutoScalingGroups: (input.AutoScalingGroupNames ?? []).map((name) => ({
      AutoScalingGroupName: name,
      MinSize: 0,
      MaxSize: 50,
      DesiredCapacity: 2,
      DefaultCooldown: 300,
      AvailabilityZones: ['a'],
      HealthCheckType: 'EC2',
      CreatedTime: new Date(T0),
      Instances: [],
      Tags: [],
    })),
  }));
  asg.on(SuspendProcessesCommand).resolves({});
  asg.on(CreateOrUpdateTagsCommand).resolves({});
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
  // The AMI-change step is on (as deployed): it must cost no DynamoDB request.
  const ec2 = mockClient(EC2Client);
  ec2.on(DescribeImagesCommand).resolves({ Images: [] });

  const db = await startDynamo();
  // This benchmark's world is the store's: every group it describes has lost its instances, so the
  // streak rule would trip every group. It compares the count rule with the reference model; the
  // rules themselves are measured on the scenario simulator (bench/sim.bench.ts).
  const config = loadConfig({
    LLG_TABLE_NAME: db.table,
    LLG_TOPIC_ARN: 'arn:aws:sns:us-east-1:1:t',
    LLG_FAILED_STREAK: 'off',
  });
  const counter = new DynamoDbScopeStore(db.client, db.table, config.maxWindowMs);
  const deps = guardDeps({
    counter,
    streaks: counter,
    suspender: new AutoScalingSuspender((region) => new AutoScalingClient({ region })),
    notifier: new SnsNotifier(new SNSClient({ region: 'us-east-1' }), 'arn:aws:sns:us-east-1:1:t'),
    images: new CachedImageInfo(new Ec2ImageInfo((region) => new EC2Client({ region }))),
  });
  const events = workload();
  console.log(`workload: ${events.length} events`);

  let scopes = 0;
  let quietScopes = 0;
  let quietRequests = 0;
  let trips = 0;
  const started = process.hrtime.bigint();
  for (const { event, time } of events) {
    const before = db.requests();
    const result = await run(event, deps, config, time + 30_000);
    const used = db.requests() - before;
    const n = scopesOf(result);
    scopes += n;
    const tripped = result.kind === 'counted' && result.scopes.some((s) => s.trip !== undefined);
    if (tripped) trips += 1;
    else {
      quietScopes += n;
      quietRequests += used;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const requests = db.requests();
  const wcu = db.wcu();
  console.log(
    `events: ${events.length}, scope updates: ${scopes}, events that entered the trip path: ${trips}`,
  );
  console.log(
    `DynamoDB requests per event per scope, all paths: ${(requests / scopes).toFixed(3)} (target ≤ 1.1 on the path that does not trip)`,
  );
  console.log(
    `DynamoDB requests per event per scope, path that does not trip: ${(quietRequests / quietScopes).toFixed(3)}`,
  );
  console.log(`write capacity per event per scope: ${(wcu / scopes).toFixed(3)} WCU`);
  console.log(
    `AMI-change lookups (DescribeImages): ${ec2.commandCalls(DescribeImagesCommand).length}; Auto Scaling describes: ${asg.commandCalls(DescribeAutoScalingGroupsCommand).length}, suspensions: ${asg.commandCalls(SuspendProcessesCommand).length}, alerts: ${sns.commandCalls(PublishCommand).length}`,
  );
  // The groups in this workload lose every instance (the mocked group lists none), so every
  // count-rule trip is confirmed: the suspensions should equal the reference model's trips.
  console.log(
    `group trips of the in-memory reference model fed the same deliveries: ${modelGroupTrips(events, config.asgThreshold, config.windowMs)}`,
  );
  console.log(
    `handler throughput in-process against dynalite: ${(events.length / seconds).toFixed(0)} events/s (sequential)`,
  );

  // One scope with 1,000 launches in its window (the AMI default threshold, 50, keeps the larger item).
  const heavy = { scope: 'ami' as const, account: '111122223333', region: 'us-east-1', key: 'ami-heavy' };
  let maxPerEvent = 0;
  let total = 0;
  for (let i = 0; i < 1000; i += 1) {
    const view = await counter.record(
      {
        key: heavy,
        mentions: [{ instanceId: instanceId(10_000_000 + i), time: T0 + i * 3000 }],
        callers: ['autoscaling.amazonaws.com'],
        imageIds: [],
        groupNames: ['g'],
        now: T0 + i * 3000,
      },
      { threshold: config.amiThreshold, windowMs: config.windowMs },
    );
    total += view.writeUnits;
    maxPerEvent = Math.max(maxPerEvent, view.writeUnits);
  }
  console.log(
    `one scope, 1,000 launches in its window: ${(total / 1000).toFixed(3)} WCU per event on average, ${maxPerEvent} at most (target ≤ 2)`,
  );
  await fatesAtScale(db, counter);
  await db.close();
  asg.restore();
  sns.restore();
  ec2.restore();
}

/** DynamoDB's size of an item: names plus values (numbers about 1 byte per 2 digits, plus 1). */
function itemBytes(item: Record<string, { S?: string; N?: string; SS?: string[] }> | undefined): number {
  let bytes = 0;
  for (const [name, v] of Object.entries(item ?? {})) {
    bytes += Buffer.byteLength(name);
    if (v.S !== undefined) bytes += Buffer.byteLength(v.S);
    if (v.N !== undefined) bytes += Math.ceil(v.N.replace(/^-/, '').replace('.', '').length / 2) + 1;
    if (v.SS !== undefined) bytes += v.SS.reduce((n, x) => n + Buffer.byteLength(x), 0);
  }
  return bytes;
}

/**
 * Issue 18: a group scope with 300 launches in its window, in steps of 50 (a capacity
 * provider's managed scaling), each launch its own event, and the delayed check keeping every
 * launch's fate. The count's item stays capped; the fates live in their own item.
 */
async function fatesAtScale(db: Awaited<ReturnType<typeof startDynamo>>, counter: DynamoDbScopeStore) {
  const key = { scope: 'asg' as const, account: '111122223333', region: 'us-east-1', key: 'cp-step-50' };
  let launchWcu = 0;
  let launchRequests = 0;
  let maxLaunchWcu = 0;
  let fateWcu = 0;
  let fateWrites = 0;
  for (let step = 0; step < 6; step += 1) {
    for (let i = 0; i < 50; i += 1) {
      const n = step * 50 + i;
      const t = T0 + step * 5 * MIN + i * 1000;
      const view = await counter.record(
        {
          key,
          mentions: [{ instanceId: instanceId(20_000_000 + n), time: t }],
          callers: ['autoscaling.amazonaws.com'],
          imageIds: ['ami-0abc1234def567890'],
          groupNames: [],
          now: t,
        },
        { threshold: 10, windowMs: 60 * MIN },
      );
      launchWcu += view.writeUnits;
      launchRequests += view.requests;
      maxLaunchWcu = Math.max(maxLaunchWcu, view.writeUnits);
    }
    // The batch's delayed checks: one message per launch, each keeps its launch's fate.
    for (let i = 0; i < 50; i += 1) {
      const n = step * 50 + i;
      const before = db.wcu();
      await counter.saveFates(
        key,
        new Map([
          [
            instanceId(20_000_000 + n),
            `failed:not-registered:${Math.floor((T0 + step * 5 * MIN + i * 1000) / 1000)}`,
          ],
        ]),
      );
      fateWcu += db.wcu() - before;
      fateWrites += 1;
    }
  }
  const pk = 'asg#111122223333#us-east-1#cp-step-50';
  const get = async (id: string) =>
    (await db.client.send(new GetItemCommand({ TableName: db.table, Key: { pk: { S: id } } }))).Item as
      | Record<string, { S?: string; N?: string; SS?: string[] }>
      | undefined;
  const countItem = itemBytes(await get(pk));
  const fateItem = itemBytes(await get(`fates#${pk}`));
  const fates = await counter.readFates(key);
  console.log(
    `one group scope, 300 launches in its window (steps of 50): count item ${countItem} B, fate item ${fateItem} B (${fates.size} fates kept); ` +
      `launch path ${(launchWcu / 300).toFixed(2)} WCU and ${(launchRequests / 300).toFixed(2)} requests per event (at most ${maxLaunchWcu} WCU); ` +
      `delayed check ${(fateWcu / fateWrites).toFixed(1)} WCU per fate write`,
  );
}

const FLOOR_SOURCE = `
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SNSClient } from '@aws-sdk/client-sns';
export const clients = [new DynamoDBClient({}), new SNSClient({}), new AutoScalingClient({ region: 'us-east-1' }), new EC2Client({ region: 'us-east-1' }), new SchedulerClient({}), new IAMClient({})];
export const handler = async () => clients.length;
`;

/** Load a bundle in a fresh process and return the milliseconds `require` took. */
function initMs(file: string): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});console.log(Number(process.hrtime.bigint()-t)/1e6)`;
  const out = execFileSync(process.execPath, ['-e', script], {
    env: {
      ...process.env,
      AWS_REGION: 'us-east-1',
      LLG_TABLE_NAME: 'bench',
      LLG_TOPIC_ARN: 'arn:aws:sns:us-east-1:1:t',
      AWS_LAMBDA_FUNCTION_NAME: 'bench',
      POWERTOOLS_DEV: 'false',
    },
  });
  return Number(out.toString().trim());
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function bundleAndInit(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const floorEntry = join(OUT, 'floor-entry.ts');
  writeFileSync(floorEntry, FLOOR_SOURCE);
  const common = {
    bundle: true,
    minify: true,
    platform: 'node' as const,
    target: 'node20',
    format: 'cjs' as const,
    logLevel: 'silent' as const,
  };
  const handlerFile = join(OUT, 'handler.js');
  const floorFile = join(OUT, 'floor.js');
  await build({
    ...common,
    entryPoints: [join(__dirname, '..', 'lambda', 'entries', 'guard.ts')],
    outfile: handlerFile,
  });
  await build({ ...common, entryPoints: [floorEntry], outfile: floorFile });
  const size = (f: string) => statSync(f).size;
  const gz = (f: string) => gzipSync(readFileSync(f)).length;
  console.log(
    `bundle: handler ${(size(handlerFile) / 1024).toFixed(0)} KB (${(gz(handlerFile) / 1024).toFixed(0)} KB gzipped), ` +
      `SDK-clients-only floor ${(size(floorFile) / 1024).toFixed(0)} KB (${(gz(floorFile) / 1024).toFixed(0)} KB gzipped): ` +
      `ratio ${(size(handlerFile) / size(floorFile)).toFixed(2)}×`,
  );
  const handlerTimes: number[] = [];
  const floorTimes: number[] = [];
  // Interleaved, so that machine noise weighs on both alike.
  for (let i = 0; i < 15; i += 1) {
    floorTimes.push(initMs(floorFile));
    handlerTimes.push(initMs(handlerFile));
  }
  const h = median(handlerTimes);
  const f = median(floorTimes);
  console.log(
    `cold init (load + client construction, median of 15): handler ${h.toFixed(1)} ms, floor ${f.toFixed(1)} ms: ratio ${(h / f).toFixed(2)}× (target ≤ 1.25×)`,
  );
}

async function main(): Promise<void> {
  await storeAndThroughput();
  await bundleAndInit();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
