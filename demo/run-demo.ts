/**
 * `npm run demo`: plays the incident that motivated launch-loop-guard, on this machine, with
 * nothing to set up.
 *
 * The incident's events (demo/generate-incident.ts, moved to the last hour) go one by one through
 * the REAL function entry (`lambda/handler.ts`, imported after the environment is set) and the
 * real DynamoDB store on an embedded dynalite. Auto Scaling, SNS and EC2 are answered by a local
 * server speaking their wire protocols (demo/fake-aws.ts), reached through the SDK's standard
 * `AWS_ENDPOINT_URL_<SERVICE>` variables with dummy credentials. Then `status` and `resume` run
 * against the same endpoints. Everything is closed and removed at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { CliContext } from '../cli/aws-errors';
import { defaultContext } from '../cli/aws-errors';
import { runResume } from '../cli/resume';
import { runStatus } from '../cli/status';
import type { TripReport } from '../lambda/core/report';
import { slackBlocks } from '../lambda/core/slack-blocks';
import type { GuardResult } from '../lambda/guard';
import { type FakeAws, startFakeAws } from './fake-aws';
import { type IncidentEvent, incidentEvents } from './generate-incident';
import { INCIDENT } from './incident';
import { slackToText } from './slack-render';

const I = INCIDENT;
const TABLE = 'launch-loop-guard-demo';
const TOPIC = `arn:aws:sns:${I.region}:${I.account}:launch-loop-guard-alerts`;

/** What the demo saw, for its test. */
export interface DemoSummary {
  readonly launchesCounted: number;
  readonly suspendCalls: number;
  readonly alerts: number;
  readonly tripAtLaunch: number;
  readonly resumeExit: number;
  readonly groupSuspendedAfterResume: readonly string[];
  readonly guardTagsAfterResume: readonly string[];
  /** The trip's report, as the alert carried it (its `report` attribute). */
  readonly report?: TripReport;
}

type Write = (text: string) => void;

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}

function indent(text: string, prefix = '  │ '): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => `${prefix}${l}`)
    .join('\n');
}

/** The environment the handler reads, set before it is imported; returns a function restoring it. */
function setEnv(vars: Record<string, string>): () => void {
  const before = new Map(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [k, v] of before) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

function seedGroup(fake: FakeAws): void {
  fake.groups.set(I.groupName, {
    name: I.groupName,
    arn: `arn:aws:autoscaling:${I.region}:${I.account}:autoScalingGroup:6f4c2b1a-0000-4000-8000-00000000e5c5:autoScalingGroupName/${I.groupName}`,
    healthCheckGracePeriod: I.healthCheckGracePeriod,
    tags: new Map([
      ['AmazonECSManaged', ''],
      ['ecs:cluster', I.cluster],
    ]),
    suspended: new Set(),
    instances: new Map(),
    desired: 1,
  });
  fake.images.set(I.imageId, {
    name: I.imageName,
    description: 'Amazon Linux AMI 2023.0.20251209 x86_64 ECS HVM EBS (Neuron)',
  });
}

function launchOf(e: IncidentEvent): { instanceId: string; caller: string } | undefined {
  const detail = e.event['detail'] as {
    eventName?: string;
    userIdentity?: { invokedBy?: string };
    responseElements?: { instancesSet: { items: { instanceId: string }[] } };
  };
  if (detail.eventName !== 'RunInstances') return undefined;
  return {
    instanceId: detail.responseElements!.instancesSet.items[0]!.instanceId,
    caller: detail.userIdentity?.invokedBy ?? '',
  };
}

function describeCall(call: FakeAws['calls'][number]): string {
  const p = call.params;
  const members = (prefix: string) =>
    Object.entries(p)
      .filter(([k]) => new RegExp(`^${prefix}\\.member\\.\\d+$`).test(k))
      .map(([, v]) => v);
  switch (call.action) {
    case 'SuspendProcesses':
    case 'ResumeProcesses':
      return `autoscaling:${call.action} ${p['AutoScalingGroupName']} ${JSON.stringify(members('ScalingProcesses'))}`;
    case 'CreateOrUpdateTags':
    case 'DeleteTags': {
      const keys = Object.entries(p)
        .filter(([k]) => /^Tags\.member\.\d+\.Key$/.test(k))
        .map(([, v]) => v);
      return `autoscaling:${call.action} ${keys.join(', ')}`;
    }
    case 'Publish':
      return `sns:Publish "${p['Subject'] ?? '(no subject)'}"`;
    default:
      return `${call.service}:${call.action}`;
  }
}

/**
 * Play the incident.
 *
 * @param write where the timeline goes
 */
export async function runDemo(write: Write = (t) => process.stdout.write(t)): Promise<DemoSummary> {
  const out = (line = '') => write(`${line}\n`);
  const tmp = mkdtempSync(join(tmpdir(), 'llg-demo-'));
  const db = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  let fake: FakeAws | undefined;
  let restoreEnv: (() => void) | undefined;
  try {
    await new Promise<void>((resolve) => db.listen(0, '127.0.0.1', resolve));
    const dynamoEndpoint = `http://127.0.0.1:${(db.address() as AddressInfo).port}`;
    fake = await startFakeAws();
    seedGroup(fake);
    restoreEnv = setEnv({
      AWS_REGION: I.region,
      AWS_ACCESS_KEY_ID: 'demo',
      AWS_SECRET_ACCESS_KEY: 'demo',
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
      AWS_CONFIG_FILE: join(tmp, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(tmp, 'credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
      AWS_ENDPOINT_URL_AUTO_SCALING: fake.endpoint,
      AWS_ENDPOINT_URL_SNS: fake.endpoint,
      AWS_ENDPOINT_URL_EC2: fake.endpoint,
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
    const setup = new DynamoDBClient({});
    await setup.send(
      new CreateTableCommand({
        TableName: TABLE,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    setup.destroy();
    const { handler } = (await import('../lambda/handler.js')) as {
      handler: (e: unknown) => Promise<GuardResult>;
    };
    return await play(handler, fake, out);
  } finally {
    restoreEnv?.();
    await fake?.close();
    await new Promise<void>((resolve) => {
      db.close(() => resolve());
      (db as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    });
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function play(
  handler: (e: unknown) => Promise<GuardResult>,
  fake: FakeAws,
  out: (line?: string) => void,
): Promise<DemoSummary> {
  const group = fake.groups.get(I.groupName)!;
  // The incident, moved so that its last event is a minute old.
  const span = (I.launchesBeforeTrip - 1) * I.everyMinutes * 60_000 + I.launchesInFlight * 40_000;
  const start = Math.floor((Date.now() - span - 60_000) / 1000) * 1000;
  const events = incidentEvents(start);

  out('launch-loop-guard demo: a launch loop on an ECS capacity provider');
  out('='.repeat(68));
  out(`Group ${I.groupName} (${I.account}, ${I.region}) launches ${I.instanceType} instances from`);
  out(`${I.imageId} (${I.imageName}).`);
  out(`They never join ECS cluster ${I.cluster}: Auto Scaling finds each one unhealthy, terminates it`);
  out(
    `and launches the next, one every ${I.everyMinutes} minutes. Default threshold: 10 launches of one group in 1h.`,
  );
  out(`${events.length} events (demo/examples/incident-events.jsonl, moved to the last hour) go through`);
  out('lambda/handler.ts, DynamoDB on dynalite, Auto Scaling/SNS/EC2 on a local server.');
  out();

  let launchesCounted = 0;
  let tripAtLaunch = 0;
  let launchNo = 0;
  let tripped = false;
  for (const e of events) {
    const launch = launchOf(e);
    const callsBefore = fake.calls.length;
    if (launch !== undefined) {
      launchNo += 1;
      group.instances.set(launch.instanceId, {
        instanceId: launch.instanceId,
        lifecycleState: 'Pending',
        healthStatus: 'Healthy',
      });
    } else {
      const id = (e.event['detail'] as { EC2InstanceId: string }).EC2InstanceId;
      group.instances.delete(id);
    }
    const result = await quietly(() => handler(e.event));
    if (result.kind === 'termination') {
      out(
        `${clock(e.at)}  Auto Scaling terminated ${(e.event['detail'] as { EC2InstanceId: string }).EC2InstanceId} (unhealthy)`,
      );
      continue;
    }
    if (result.kind !== 'counted' || launch === undefined) {
      out(`${clock(e.at)}  ${result.kind}`);
      continue;
    }
    launchesCounted += 1;
    const asg = result.scopes.find((s) => s.scope === 'asg');
    const ami = result.scopes.find((s) => s.scope === 'ami');
    const late = tripped ? '  (delivered after the suspension)' : '';
    out(
      `${clock(e.at)}  launch ${String(launchNo).padStart(2)}  ${launch.instanceId}  group ${asg?.launches}/${asg?.threshold}  AMI ${ami?.launches}/${ami?.threshold}${late}`,
    );
    const newCalls = fake.calls.slice(callsBefore).filter((c) => c.action !== 'DescribeImages');
    if (asg?.trip !== undefined) {
      out(
        `          TRIP: ${asg.launches} launches ≥ threshold ${asg.threshold}; the guard's action: ${asg.trip}`,
      );
      if (asg.trip === 'suspended') {
        tripAtLaunch = launchNo;
        tripped = true;
      }
    } else if (tripped) {
      out('          no new trip: the group tripped already in this episode, and Launch stays suspended');
    }
    for (const c of newCalls) out(`          → ${describeCall(c)}`);
    if (asg?.trip === 'suspended') showAlert(fake, out);
  }

  const suspendCalls = fake.calls.filter((c) => c.action === 'SuspendProcesses').length;
  const reportRaw = fake.published.find((p) => p.attributes['report'] !== undefined)?.attributes['report'];
  out();
  out(
    `After ${launchesCounted} launches: ${suspendCalls} SuspendProcesses call(s), ${fake.published.length} alert(s).`,
  );
  out();
  const ctx = cliContext();
  out('$ launch-loop-guard status');
  await runStatus([], ctx.context);
  out(indent(ctx.take(), '  '));
  out();
  out('Someone fixes the launch template (a standard ECS-optimized AMI), then:');
  out(`$ launch-loop-guard resume ${I.groupName}`);
  const resumeExit = await runResume([I.groupName], ctx.context);
  out(indent(ctx.take(), '  '));
  const resumeCalls = fake.calls.filter((c) => c.action === 'ResumeProcesses' || c.action === 'DeleteTags');
  for (const c of resumeCalls) out(`  → ${describeCall(c)}`);
  out();
  out('$ launch-loop-guard status');
  await runStatus([], ctx.context);
  out(indent(ctx.take(), '  '));
  out();
  out('Nothing is left behind: the local servers are closed and the temporary files removed.');
  return {
    launchesCounted,
    suspendCalls,
    alerts: fake.published.length,
    tripAtLaunch,
    resumeExit,
    groupSuspendedAfterResume: [...group.suspended],
    guardTagsAfterResume: [...group.tags.keys()].filter((k) => k.startsWith('launch-loop-guard:')),
    ...(reportRaw !== undefined ? { report: JSON.parse(reportRaw) as TripReport } : {}),
  };
}

function showAlert(fake: FakeAws, out: (line?: string) => void): void {
  const alert = fake.published.at(-1);
  if (alert === undefined) return;
  out();
  out('  The alert on the SNS topic (e-mail, chat, pager subscribers):');
  out(`  ┌ Subject: ${alert.subject ?? ''}`);
  out(indent(alert.message));
  out(
    `  └ attributes: ${JSON.stringify(Object.fromEntries(Object.entries(alert.attributes).filter(([k]) => k !== 'report')))}`,
  );
  const raw = alert.attributes['report'];
  if (raw !== undefined) {
    const report = JSON.parse(raw) as TripReport;
    out();
    out('  The same alert as a Slack message (Block Kit, see docs/slack-alert.png):');
    out(indent(slackToText(slackBlocks(report), '')));
  }
  out();
}

/** Run the handler with the console hushed: its JSON logs and metrics are not the demo's story. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const saved = { log: console.log, info: console.info, warn: console.warn, debug: console.debug };
  const hush = () => {};
  Object.assign(console, { log: hush, info: hush, warn: hush, debug: hush });
  try {
    return await fn();
  } finally {
    Object.assign(console, saved);
  }
}

/** The CLI's context on the demo's endpoints, with its output captured. */
function cliContext(): { context: CliContext; take: () => string } {
  let buffer = '';
  const base = defaultContext();
  return {
    context: {
      ...base,
      stdout: (t) => {
        buffer += t;
      },
      stderr: (t) => {
        buffer += t;
      },
    },
    take: () => {
      const t = buffer;
      buffer = '';
      return t;
    },
  };
}

if (require.main === module) {
  const started = Date.now();
  runDemo().then(
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
