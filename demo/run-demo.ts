/**
 * `npm run demo [-- --variant unregistered|replace]`: plays the incident that motivated
 * launch-loop-guard, on this machine, with nothing to set up.
 *
 * The loop's events (demo/generate-incident.ts) go one by one through the REAL function entry
 * (`lambda/entries/guard.ts`, imported after the environment is set) and the real DynamoDB store on an
 * embedded dynalite. Auto Scaling, ECS, EC2 and SNS are answered by a local server speaking their
 * wire protocols (fake-cloud/, over static maps), reached through the SDK's standard
 * `AWS_ENDPOINT_URL_<SERVICE>` variables with dummy credentials; demo/loop-world.ts moves their
 * state along the loop's script. Each event is handled at its delivery time: `Date.now` returns
 * that time while the handler runs (and is restored after), so the function's judge lease and
 * deadlines behave as in production. Then `status` and `resume` run against the same endpoints.
 * Everything is closed and removed at the end.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { runResume } from '../cli/resume';
import { runStatus } from '../cli/status';
import { nextBatch, settle } from '../fake-cloud/sqs';
import { type FakeAws, type FakeGroup, startFakeAws } from '../fake-cloud/static-state';
import { type LocalDynamo, startDynamo } from '../fake-cloud/support/dynalite';
import { parseDeadlineCheck } from '../lambda/adapters/deadline-queue';
import { AMI_CHANGE_ATTRIBUTE } from '../lambda/adapters/notifier';
import { deadlineFor, type JudgedLaunch, judgeLaunches } from '../lambda/core/fate';
import type { TripReport } from '../lambda/core/report';
import { ATTR } from '../lambda/core/scope-item';
import { scopeId } from '../lambda/core/types';
import type { GuardResult } from '../lambda/steps/count';
import type { BatchResult } from '../lambda/steps/delayed-check';
import { atTime, cliContext, quietly, setEnv } from './demo-harness';
import {
  callLines,
  clock,
  describeCall,
  fateText,
  indent,
  intro,
  minutesSeconds,
  reportOf,
  showAmiChange,
  showTrip,
} from './demo-text';
import { incidentEvents } from './generate-incident';
import { INCIDENT, LOOP, VARIANTS, type Variant } from './incident';
import { LoopWorld, seedWorld } from './loop-world';

const I = INCIDENT;
const TABLE = 'launch-loop-guard-demo';
const TOPIC = `arn:aws:sns:${I.region}:${I.account}:launch-loop-guard-alerts`;

/** What the demo saw, for its test. */
export interface DemoSummary {
  readonly variant: Variant;
  /** Launches Auto Scaling made (the script's, until Launch was suspended). */
  readonly launchesMade: number;
  /** Launches the script had that never happened, because Launch was suspended. */
  readonly launchesPrevented: number;
  readonly launchesCounted: number;
  readonly suspendCalls: number;
  /** Trip alerts (the AMI-change alert is counted apart). */
  readonly alerts: number;
  readonly amiChangeAlerts: number;
  /** The launch (1 for the first) whose event tripped the group; 0 when nothing tripped. */
  readonly tripAtLaunch: number;
  /** When the trip was handled (the simulated clock, epoch ms). */
  readonly tripAt?: number;
  /** The launches whose events arrived after the trip, and what the guard did with each. */
  readonly lateLaunches: readonly { readonly n: number; readonly trip?: string }[];
  readonly resumeExit: number;
  readonly groupSuspendedAfterResume: readonly string[];
  readonly guardTagsAfterResume: readonly string[];
  /** The trip's report, as the alert carried it (its `report` attribute). */
  readonly report?: TripReport;
}

/** What to play. */
export interface DemoOptions {
  /** @default 'unregistered' */
  readonly variant?: Variant;
  /** The first launch (epoch ms). @default INCIDENT.start */
  readonly start?: number;
}

type Write = (text: string) => void;

/**
 * Play the incident.
 *
 * @param write where the timeline goes
 */
export async function runDemo(
  write: Write = (t) => process.stdout.write(t),
  options: DemoOptions = {},
): Promise<DemoSummary> {
  const out = (line = '') => write(`${line}\n`);
  const tmp = mkdtempSync(join(tmpdir(), 'llg-demo-'));
  let dynamo: LocalDynamo | undefined;
  let fake: FakeAws | undefined;
  let restoreEnv: (() => void) | undefined;
  try {
    fake = await startFakeAws();
    const restoreBase = setEnv({
      AWS_REGION: I.region,
      AWS_ACCESS_KEY_ID: 'demo',
      AWS_SECRET_ACCESS_KEY: 'demo',
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
      AWS_CONFIG_FILE: join(tmp, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(tmp, 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_AUTO_SCALING: fake.endpoint,
      AWS_ENDPOINT_URL_SNS: fake.endpoint,
      AWS_ENDPOINT_URL_EC2: fake.endpoint,
      AWS_ENDPOINT_URL_ECS: fake.endpoint,
      AWS_ENDPOINT_URL_PRICING: fake.endpoint,
      AWS_ENDPOINT_URL_SQS: fake.endpoint,
      AWS_ENDPOINT_URL_IAM: fake.endpoint,
      // As the construct sets it: every group launch schedules its check at the launch's deadline.
      LLG_DEADLINE_QUEUE_URL: fake.sqs.url,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      LLG_TABLE_NAME: TABLE,
      LLG_TOPIC_ARN: TOPIC,
      // As the construct sets them: the alert's `aws lambda invoke` names the deployed resumer.
      LLG_RESUMER_FUNCTION: 'LaunchLoopGuard-GuardResumerFunction6D3CDC87-Xq3Rb9TzLw1M',
      LLG_RESUMER_REGION: 'eu-west-1',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      // Powertools then writes through the global console, which the demo hushes around the handler.
      POWERTOOLS_DEV: 'true',
    });
    restoreEnv = restoreBase;
    // Started in the demo's environment (its SDK client then stays as quiet as the handler's).
    dynamo = await startDynamo();
    const restoreDynamo = setEnv({ AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint });
    restoreEnv = () => {
      restoreDynamo();
      restoreBase();
    };
    await dynamo.createTable(TABLE);
    // The group's launches of the day before (the standard AMI) are remembered in its item: the
    // same AMI set a launch's own write keeps, so the first Neuron launch is an AMI it never used.
    await dynamo.client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: {
          pk: { S: scopeId({ scope: 'asg', account: I.account, region: I.region, key: I.groupName }) },
        },
        UpdateExpression: 'ADD #a :a',
        ExpressionAttributeNames: { '#a': ATTR.amis },
        ExpressionAttributeValues: { ':a': { SS: [I.previousImageId] } },
      }),
    );
    const { handler } = (await import('../lambda/entries/guard.js')) as {
      handler: (e: unknown) => Promise<GuardResult>;
    };
    return await play(handler, fake, out, options.variant ?? 'unregistered', options.start ?? I.start);
  } finally {
    restoreEnv?.();
    await fake?.close();
    await dynamo?.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The fates of the counted launches as the group shows them now (core/fate.ts on the fake's state). */
function judgeNow(
  fake: FakeAws,
  group: FakeGroup,
  counted: readonly { instanceId: string; launchedAt: number }[],
  now: number,
): JudgedLaunch[] {
  const departures = new Map<string, { cause: string; at: number }>();
  for (const a of group.activities ?? []) {
    const id = /^Terminating EC2 instance: (i-[0-9a-f]+)/.exec(a.description)?.[1];
    if (id !== undefined) departures.set(id, { cause: a.cause, at: a.startTime });
  }
  const stateReasons = new Map<string, string>();
  for (const i of fake.instances.values())
    if (i.stateReason !== undefined) stateReasons.set(i.instanceId, i.stateReason.code);
  const registered = new Set(
    (fake.ecs.clusters.get(I.cluster)?.containerInstances ?? []).map((c) => c.ec2InstanceId),
  );
  return judgeLaunches(counted, {
    now,
    deadlineMs: deadlineFor(group.healthCheckGracePeriod),
    live: new Map([...group.instances].map(([id, i]) => [id, i])),
    departures,
    stateReasons,
    registered,
  });
}

async function play(
  handler: (e: unknown) => Promise<GuardResult>,
  fake: FakeAws,
  out: (line?: string) => void,
  variant: Variant,
  start: number,
): Promise<DemoSummary> {
  const group = seedWorld(fake, variant);
  const world = new LoopWorld(fake, group, variant, start);
  const events = incidentEvents(variant, start);
  intro(variant, events, out);

  const numberOf = new Map<string, number>();
  const counted: { instanceId: string; launchedAt: number }[] = [];
  const lateLaunches: { n: number; trip?: string }[] = [];
  let launchesCounted = 0;
  const trip: TripSeen = { atLaunch: 0 };
  let lastHandled = start;
  const checks = (until: number) =>
    deliverDeadlineChecks(handler, fake, world, until, numberOf, out, variant, trip, launchesCounted);
  for (const e of events) {
    await checks(e.deliveredAt);
    world.advanceTo(e.deliveredAt);
    if (!world.happened(e.n)) continue;
    const callsBefore = fake.calls.length;
    const publishedBefore = fake.published.length;
    const result = await atTime(e.deliveredAt, () => quietly(() => handler(e.event)));
    lastHandled = e.deliveredAt;
    const newCalls = fake.calls.slice(callsBefore);
    const amiChange = fake.published
      .slice(publishedBefore)
      .find((p) => p.attributes[AMI_CHANGE_ATTRIBUTE] !== undefined);
    if (result.kind === 'termination') {
      out(
        `${clock(e.deliveredAt)}  Auto Scaling terminated ${e.instanceId} (launch ${e.n}): "EC2 health check indicating it has been terminated or stopped"`,
      );
      continue;
    }
    if (result.kind !== 'counted' || e.kind !== 'launch') {
      out(`${clock(e.deliveredAt)}  ${result.kind}`);
      continue;
    }
    launchesCounted += 1;
    numberOf.set(e.instanceId, e.n);
    counted.push({ instanceId: e.instanceId, launchedAt: e.at });
    const asg = result.scopes.find((s) => s.scope === 'asg');
    const ami = result.scopes.find((s) => s.scope === 'ami');
    const late = trip.at !== undefined;
    out(
      `${clock(e.deliveredAt)}  launch ${String(e.n).padStart(2)}  ${e.instanceId}  made ${clock(e.at)} (+${minutesSeconds(e.deliveredAt - e.at)})  group ${asg?.launches}/${asg?.threshold}  AMI ${ami?.launches}/${ami?.threshold}${late ? '  (delivered after the suspension)' : ''}`,
    );
    out(`          fates now: ${fateText(judgeNow(fake, group, counted, e.deliveredAt), numberOf)}`);
    if (amiChange !== undefined) showAmiChange(amiChange, out);
    if (late) lateLaunches.push({ n: e.n, ...(asg?.trip !== undefined ? { trip: asg.trip } : {}) });
    if (asg?.trip === 'suspended' && trip.at === undefined) {
      trip.at = e.deliveredAt;
      trip.atLaunch = e.n;
      showTrip(fake, newCalls, out, variant);
      continue;
    }
    if (asg?.trip !== undefined) out(`          trip attempt: ${asg.trip}`);
    else if (late) out('          no new trip: Launch is suspended already, one alert was enough');
    for (const line of callLines(newCalls, '          ')) out(line);
  }

  // The checks still queued reach the function before anyone looks.
  await checks(lastHandled + 15 * 60_000);
  const suspendCalls = fake.calls.filter((c) => c.action === 'SuspendProcesses').length;
  const report = reportOf(fake.published.find((p) => p.attributes['report'] !== undefined));
  out();
  out(
    `Auto Scaling made ${world.made.length} launches; the guard counted ${launchesCounted}, called SuspendProcesses ${suspendCalls} time(s) and sent ${fake.published.length} alert(s) (the AMI change and the trip).`,
  );
  if (world.prevented.length > 0)
    out(
      `Left alone, the loop would have made ${LOOP[variant].launches} launches in its first hour: ${world.prevented.length} never happened${variant === 'unregistered' ? ` (managed scaling still asks for ${group.desired}; the group holds ${group.instances.size})` : ''}.`,
    );
  out();
  // Someone looks a quarter of an hour after the last event.
  const lookAt = lastHandled + 15 * 60_000;
  const ctx = cliContext();
  out(`${clock(lookAt)}  $ launch-loop-guard status`);
  await atTime(lookAt, () => runStatus([], ctx.context));
  out(indent(ctx.take(), '  '));
  out();
  out(
    variant === 'unregistered'
      ? 'Someone gives the instance role the ECS permissions (AmazonEC2ContainerServiceforEC2Role), then:'
      : 'Someone fixes the launch template, then:',
  );
  out(`$ launch-loop-guard resume ${I.groupName}`);
  const resumeExit = await atTime(lookAt, () => runResume([I.groupName], ctx.context));
  out(indent(ctx.take(), '  '));
  const resumeCalls = fake.calls.filter((c) => c.action === 'ResumeProcesses' || c.action === 'DeleteTags');
  for (const c of resumeCalls) out(`  → ${describeCall(c)}`);
  out();
  out('$ launch-loop-guard status');
  await atTime(lookAt, () => runStatus([], ctx.context));
  out(indent(ctx.take(), '  '));
  out();
  out('Nothing is left behind: the local servers are closed and the temporary files removed.');
  return {
    variant,
    launchesMade: world.made.length,
    launchesPrevented: world.prevented.length,
    launchesCounted,
    suspendCalls,
    alerts: fake.published.filter((p) => p.attributes[AMI_CHANGE_ATTRIBUTE] === undefined).length,
    amiChangeAlerts: fake.published.filter((p) => p.attributes[AMI_CHANGE_ATTRIBUTE] !== undefined).length,
    tripAtLaunch: trip.atLaunch,
    ...(trip.at !== undefined ? { tripAt: trip.at } : {}),
    lateLaunches,
    resumeExit,
    groupSuspendedAfterResume: [...group.suspended],
    guardTagsAfterResume: [...group.tags.keys()].filter((k) => k.startsWith('launch-loop-guard:')),
    ...(report !== undefined ? { report } : {}),
  };
}

/**
 * Hand the deadline queue's due messages to the function as Lambda's event source mapping would
 * (fake-cloud/sqs.ts: delays, batches of up to 10 over a 10-second window), up to `until`.
 */
async function deliverDeadlineChecks(
  handler: (e: unknown) => Promise<unknown>,
  fake: FakeAws,
  world: LoopWorld,
  until: number,
  numberOf: ReadonlyMap<string, number>,
  out: (line?: string) => void,
  variant: Variant,
  trip: TripSeen,
  launchesCounted: number,
): Promise<void> {
  for (let batch = nextBatch(fake.sqs, until); batch !== undefined; batch = nextBatch(fake.sqs, until)) {
    const delivered = batch;
    world.advanceTo(delivered.at);
    const callsBefore = fake.calls.length;
    const publishedBefore = fake.published.length;
    let failed: readonly string[] | 'all';
    try {
      const result = (await atTime(delivered.at, () =>
        quietly(() => handler(delivered.event)),
      )) as BatchResult;
      failed = result.batchItemFailures.map((f) => f.itemIdentifier);
    } catch {
      failed = 'all';
    }
    settle(fake.sqs, delivered, failed);
    const launches = delivered.messages.flatMap((m) => parseDeadlineCheck(m.body)?.launches ?? []);
    const numbers = launches.map((l) => numberOf.get(l.instanceId) ?? '?').join(', ');
    const sent = delivered.messages.map((m) => clock(m.sentAt)).join(', ');
    out(
      `${clock(delivered.at)}  deadline check  launch${launches.length === 1 ? '' : 'es'} ${numbers}  (SQS batch of ${delivered.messages.length}, sent ${sent}${failed === 'all' || failed.length > 0 ? '; failed, delivered again later' : ''})`,
    );
    const tripped = fake.published.slice(publishedBefore).some((p) => p.attributes['report'] !== undefined);
    if (tripped && trip.at === undefined) {
      // The check decided the launches failed and a rule is met: it trips without waiting for
      // another launch of the group.
      trip.at = delivered.at;
      trip.atLaunch = launchesCounted;
      showTrip(fake, fake.calls.slice(callsBefore), out, variant);
      continue;
    }
    for (const line of callLines(fake.calls.slice(callsBefore), '          ')) out(line);
  }
}

/** When and at which counted launch the guard tripped (a launch or a deadline check). */
interface TripSeen {
  at?: number;
  atLaunch: number;
}

/** `--variant NAME` from the command line, or an error naming what was expected. */
export function variantOf(argv: readonly string[]): Variant | Error {
  const i = argv.indexOf('--variant');
  if (i < 0) return VARIANTS[0];
  const name = argv[i + 1];
  return (VARIANTS as readonly string[]).includes(name ?? '')
    ? (name as Variant)
    : new Error(`--variant expects one of ${VARIANTS.join(', ')}; got ${name ?? 'nothing'}`);
}

if (require.main === module) {
  const started = Date.now();
  const variant = variantOf(process.argv.slice(2));
  if (variant instanceof Error) {
    process.stderr.write(`demo: ${variant.message}\n`);
    process.exit(2);
  }
  runDemo(undefined, { variant }).then(
    (summary) => {
      process.stdout.write(`(demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
      process.exitCode = summary.suspendCalls === 1 && summary.resumeExit === 0 ? 0 : 1;
    },
    (error: unknown) => {
      process.stderr.write(
        `demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
