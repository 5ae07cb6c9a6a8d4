/**
 * The real function entry, `lambda/entries/guard.ts`, in three warm containers at once: separate
 * processes, each with its own memory, sharing one DynamoDB (dynalite) and one Auto Scaling and
 * SNS (`fake-cloud/`, their real query protocol), as Lambda runs it. The fake can hold an
 * answer, so the interleavings that matter are reproduced exactly, not hoped for.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeAws, type FakeCall, startFakeAws } from '../../../fake-cloud/static-state';
import { type Container, startContainer } from '../../../fake-cloud/support/containers';
import { type LocalDynamo, startDynamo } from '../../../fake-cloud/support/dynalite';
import { instanceId, launchEvent } from '../../../fake-cloud/support/launch-events';
import type { TripReport } from '../../../lambda/core/report';

const REGION = 'us-west-2';
const TOPIC = 'arn:aws:sns:us-west-2:111122223333:launch-loop-guard';
const MIN = 60_000;

let db: LocalDynamo;
let fake: FakeAws;
let containers: Container[];
let home: string;
let groupSeq = 0;

beforeAll(async () => {
  db = await startDynamo();
  fake = await startFakeAws();
  const table = await db.createTable();
  home = mkdtempSync(join(tmpdir(), 'llg-containers-'));
  const env = {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_ENDPOINT_URL_AUTO_SCALING: fake.endpoint,
    AWS_ENDPOINT_URL_SNS: fake.endpoint,
    AWS_ENDPOINT_URL_EC2: fake.endpoint,
    // The cost line's Price List: the fake's, so no call leaves the machine.
    AWS_ENDPOINT_URL_PRICING: fake.endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    LLG_TABLE_NAME: table,
    LLG_TOPIC_ARN: TOPIC,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  containers = await Promise.all([startContainer(env), startContainer(env), startContainer(env)]);
});

afterAll(async () => {
  await Promise.all((containers ?? []).map((c) => c.close()));
  await fake?.close();
  await db?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** A new group in the fake, none of whose launches stay (so the churn check lets a trip through). */
function newGroup(): string {
  const name = `loop-${++groupSeq}`;
  fake.groups.set(name, {
    name,
    arn: `arn:aws:autoscaling:${REGION}:111122223333:autoScalingGroup:0000:autoScalingGroupName/${name}`,
    healthCheckGracePeriod: 0,
    tags: new Map(),
    suspended: new Set(),
    instances: new Map(),
    desired: 1,
  });
  return name;
}

/** The group's 10 launches, 3 minutes apart, the last 2 minutes ago. */
function launches(group: string, base: number): Record<string, unknown>[] {
  const start = Date.now() - 29 * MIN;
  return Array.from({ length: 10 }, (_, i) =>
    launchEvent({ group, instanceIds: [instanceId(base + i)], time: start + i * 3 * MIN }),
  );
}

function callsFor(group: string, action: string): FakeCall[] {
  return fake.calls.filter(
    (c) =>
      c.action === action &&
      (c.params['AutoScalingGroupName'] === group || c.params['Tags.member.1.ResourceId'] === group),
  );
}

function alertsFor(group: string): TripReport[] {
  return fake.published
    .map((p) => JSON.parse(p.attributes['report'] ?? '{}') as TripReport)
    .filter((r) => r.scope?.key === group);
}

let requestSeq = 0;
/** A new invocation's request id (Lambda gives each invocation its own). */
function requestId(): string {
  return `request-${++requestSeq}`;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('handler in several containers', () => {
  it.each([
    ['after the suspension took effect', 'answering'],
    ['before Auto Scaling acted on it', 'received'],
  ] as const)(
    'acts once when a second copy of the 10th launch arrives while SuspendProcesses is in flight, its answer held %s',
    async (_, stage) => {
      // Prepare: 9 launches, each delivered to all three containers at once
      const group = newGroup();
      const events = launches(group, groupSeq * 100);
      for (const event of events.slice(0, 9))
        await Promise.all(containers.map((c) => c.invoke(event, requestId())));
      const reached = deferred();
      const release = deferred();
      let held = false;
      fake.hooks = {
        [stage]: (call: FakeCall) => {
          if (held || call.action !== 'SuspendProcesses' || call.params['AutoScalingGroupName'] !== group)
            return undefined;
          held = true;
          reached.resolve();
          return release.promise.then(() => undefined);
        },
      };
      try {
        // Act: the 10th launch reaches container 1, which claims the trip and calls SuspendProcesses;
        // while that call is in flight, a second copy of the same event reaches container 2
        const first = containers[0]!.invoke(events[9]!, requestId());
        await reached.promise;
        const second = await containers[1]!.invoke(events[9]!, requestId());
        release.resolve();
        const firstOutcome = await first;
        // A third copy, after it all: the trip is done
        const third = await containers[2]!.invoke(events[9]!, requestId());
        // Assess
        expect(callsFor(group, 'SuspendProcesses')).toHaveLength(1);
        expect(callsFor(group, 'CreateOrUpdateTags')).toHaveLength(1);
        expect(alertsFor(group).map((r) => r.action)).toEqual(['suspended']);
        expect(firstOutcome).toMatchObject({ ok: true });
        expect(second).toMatchObject({ ok: true, result: { scopes: [{ scope: 'asg', trip: 'lost' }, {}] } });
        expect(third).toMatchObject({ ok: true, result: { kind: 'counted' } });
        const thirdTrips =
          third.ok && third.result.kind === 'counted'
            ? third.result.scopes.map((r) => r.trip)
            : ['not counted'];
        expect(thirdTrips).toEqual([undefined, undefined]);
      } finally {
        fake.hooks = {};
        release.resolve();
      }
    },
  );

  it("finishes a trip in Lambda's retry of the failed invocation, in another container, and nowhere else", async () => {
    // Prepare: 9 launches; the first alert about the group fails (SNS refuses it)
    const group = newGroup();
    const events = launches(group, groupSeq * 100);
    for (const event of events.slice(0, 9)) await containers[0]!.invoke(event, requestId());
    // The SDK itself retries a 500 (3 attempts): fail all three, so the invocation fails.
    let failures = 0;
    fake.hooks = {
      received: (call: FakeCall) => {
        if (failures >= 3 || call.action !== 'Publish' || !(call.params['Subject'] ?? '').includes(group))
          return undefined;
        failures += 1;
        // A transient failure (SNS's 500), which Lambda retries; a 403 would blind the guard instead.
        return { status: 500, code: 'InternalError', message: 'internal error' };
      },
    };
    try {
      // Act: the 10th launch suspends the group, then fails at the alert; a duplicate delivery
      // reaches container 3; Lambda retries the failed invocation (same request id) in container 2
      const invocation = requestId();
      const attempt = await containers[0]!.invoke(events[9]!, invocation);
      const duplicate = await containers[2]!.invoke(events[9]!, requestId());
      const retry = await containers[1]!.invoke(events[9]!, invocation);
      // Assess
      expect(attempt).toEqual({ ok: false, error: 'NotifyError' });
      expect(duplicate).toMatchObject({ ok: true, result: { scopes: [{ scope: 'asg', trip: 'lost' }, {}] } });
      expect(retry).toMatchObject({
        ok: true,
        result: { scopes: [{ scope: 'asg', trip: 'suspended' }, {}] },
      });
      expect(callsFor(group, 'SuspendProcesses')).toHaveLength(1);
      expect(callsFor(group, 'CreateOrUpdateTags')).toHaveLength(1);
      expect(alertsFor(group).map((r) => r.action)).toEqual(['suspended']);
    } finally {
      fake.hooks = {};
    }
  });
});
