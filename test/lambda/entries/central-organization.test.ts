/**
 * The central guard run as an organization runs it (issue 23): the real function entry,
 * `lambda/entries/guard.ts`, configured for `orgMode=central`, handles the launch events of several
 * member accounts and of its own account for two simulated hours. Each account is its own
 * simulated cloud (`fake-cloud/support/organization-cloud.ts`), reachable only with that account's
 * credentials: the function's own for the central account, the member role's from STS for the
 * others. The delayed checks the function queues are delivered back to it as Lambda delivers an
 * SQS batch, at the time their delay ends. DynamoDB is dynalite.
 *
 * Accounts (the same group, capacity provider and cluster names in A, B and the central one):
 * - A: the incident. The group's AMI changes to an ECS Neuron AMI whose instance role lacks the
 *   ECS agent's permissions; its instances come up InService and Healthy and never register;
 *   ECS managed scaling launches one every 5 minutes.
 * - B and the central account: the same names, healthy (instances register); B scales out by 20.
 * - C: a healthy group of another name.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ACCOUNT as CENTRAL,
  type GroupSpec,
  HOUR,
  MINUTE,
  SECOND,
  SIM_T0,
  World,
} from '../../../bench/sim/world';
import type { FakeCloud } from '../../../bench/sim/world-state';
import { useDynamo } from '../../../fake-cloud/support/dynamo-suite';
import {
  type FakeAccount,
  type OrganizationCloud,
  startOrganizationCloud,
} from '../../../fake-cloud/support/organization-cloud';
import { ECS_AGENT_ACTIONS } from '../../../lambda/core/role-check';
import type { GuardResult } from '../../../lambda/steps/count';
import type { BatchResult } from '../../../lambda/steps/delayed-check';

const A = '222233334444';
const B = '333344445555';
const C = '444455556666';
const GROUP = 'gpu-nodes';
const PROVIDER = 'gpu-capacity';
const CLUSTER = 'inference';
const OLD_AMI = 'ami-0aaaaaaaaaaaaaaa1';
const NEURON_AMI = 'ami-0bbbbbbbbbbbbbbb2';
const DURATION = 2 * HOUR;
/** When account A's group starts launching the Neuron AMI (and its instances stop registering). */
const INCIDENT_AT = SIM_T0 + 20 * MINUTE;
/** The instance profile of the launch events (`test/fixtures/cloudtrail`): `profile-id`. */
const PROFILE = 'profile-id';

type Handler = (event: unknown, context?: { awsRequestId: string }) => Promise<GuardResult | BatchResult>;

function gpuGroup(seedBehaviour: GroupSpec['behaviour']): GroupSpec {
  return {
    name: GROUP,
    minSize: 0,
    maxSize: 40,
    desired: 1,
    initialInstances: 1,
    gracePeriodS: 300,
    healthCheckType: 'EC2',
    imageId: OLD_AMI,
    bootMs: [45 * SECOND, 90 * SECOND],
    behaviour: seedBehaviour,
    capacityProvider: {
      name: PROVIDER,
      cluster: CLUSTER,
      managedTerminationProtection: true,
      scaleIntervalMs: MINUTE,
      maxStep: 1,
      warmupMs: 5 * MINUTE,
    },
  };
}

/** Account A's world: one healthy launch of the old AMI, then the Neuron AMI that never registers. */
function incidentWorld(): World {
  const w = new World({ seed: 7 });
  let neuron = false;
  w.addGroup(
    gpuGroup(() => (neuron ? { kind: 'never-register' } : { kind: 'healthy', registerAfterMs: 20 * SECOND })),
  );
  // Tasks: 2 from the start (one launch of the old AMI), 3 from the incident on (for ever unplaced).
  w.addCluster(CLUSTER, (t) => (t >= INCIDENT_AT ? 3 : 2));
  w.images.set(NEURON_AMI, {
    name: 'al2023-ami-ecs-neuron-hvm-2023.0.20251209-kernel-6.1-x86_64',
    description: 'Amazon Linux AMI 2023.0.20251209 x86_64 ECS HVM EBS Neuron',
  });
  w.at(INCIDENT_AT - MINUTE, (x) => {
    neuron = true;
    const g = x.group(GROUP) as { spec: GroupSpec };
    g.spec = { ...g.spec, imageId: NEURON_AMI };
  });
  return w;
}

/**
 * A healthy world with the same names: the cluster needs `more` instances for an hour (managed
 * scaling adds up to 10 a minute), which register.
 */
function healthyWorld(seed: number, more: number, name = GROUP): World {
  const w = new World({ seed });
  const spec = gpuGroup(() => ({ kind: 'healthy', registerAfterMs: 20 * SECOND }));
  w.addGroup({ ...spec, name, capacityProvider: { ...spec.capacityProvider!, maxStep: 10 } });
  w.addCluster(CLUSTER, (t) => (t >= SIM_T0 + 10 * MINUTE && t < SIM_T0 + 70 * MINUTE ? 1 + more : 1));
  return w;
}

const ECS_ROLE = { name: PROFILE, roleName: 'ecs-node-role', allows: ECS_AGENT_ACTIONS };
const NEURON_ROLE = {
  name: PROFILE,
  roleName: 'neuron-inference-role',
  allows: ['ecr:GetAuthorizationToken'],
};

interface Run {
  readonly org: OrganizationCloud;
  readonly results: (GuardResult | BatchResult)[];
  readonly errors: string[];
  readonly deadlineBatches: number;
}

const dynamo = useDynamo();
const saved = { ...process.env };
afterEach(() => {
  vi.useRealTimers();
  process.env = { ...saved };
});

/**
 * Import the function entry as Lambda starts it (environment first), and play the worlds'
 * deliveries and the queued deadline checks in simulated-time order.
 */
async function play(
  central: FakeAccount,
  members: readonly FakeAccount[],
  mode: 'central' | 'single',
): Promise<Run> {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(SIM_T0);
  const org = await startOrganizationCloud(central, members);
  const table = await dynamo().createTable();
  const queueUrl = `${org.endpoint}/${CENTRAL}/launch-loop-guard-deadlines`;
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: org.centralKey,
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: org.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo().endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    LLG_TABLE_NAME: table,
    LLG_TOPIC_ARN: `arn:aws:sns:us-east-1:${CENTRAL}:launch-loop-guard`,
    LLG_DEADLINE_QUEUE_URL: queueUrl,
    ...(mode === 'central'
      ? {
          LLG_MEMBER_ROLE_ARN: 'arn:aws:iam::{account}:role/LaunchLoopGuardMember',
          LLG_HOME_ACCOUNT: CENTRAL,
        }
      : {}),
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  vi.resetModules();
  const { handler } = (await import('../../../lambda/entries/guard.js')) as { handler: Handler };

  const worlds = [central, ...members];
  const results: (GuardResult | BatchResult)[] = [];
  const errors: string[] = [];
  let deadlineBatches = 0;
  let now = SIM_T0;
  const end = SIM_T0 + DURATION;
  const dueAt = (m: { sentAt: number; delaySeconds: number }) => m.sentAt + m.delaySeconds * 1000;
  try {
    while (now < end) {
      const next = Math.min(
        end,
        now + MINUTE,
        ...worlds.map((a) => a.world.nextDeliveryAt() ?? end),
        ...org.queued.map(dueAt),
      );
      for (const a of worlds) a.world.advanceTo(next);
      now = next;
      const due: { at: number; run: () => Promise<GuardResult | BatchResult>; phase: string }[] = [];
      for (const a of worlds) {
        for (const d of a.world.takeDue(now)) {
          // The worlds speak as the simulator's account; a member's events carry its own id.
          const event = JSON.parse(JSON.stringify(d.event).replaceAll(CENTRAL, a.id));
          due.push({
            at: d.at,
            phase: 'event',
            run: () => handler(event, { awsRequestId: `r-${d.at}-${a.id}` }),
          });
        }
      }
      const ready = org.queued.filter((m) => dueAt(m) <= now);
      org.queued.splice(0, org.queued.length, ...org.queued.filter((m) => dueAt(m) > now));
      // Lambda polls the queue continuously: the messages visible at one time come in one batch.
      for (const at of new Set(ready.map(dueAt))) {
        const batch = ready.filter((m) => dueAt(m) === at);
        deadlineBatches += 1;
        due.push({
          at,
          phase: 'deadline',
          run: () =>
            handler({
              Records: batch.map((m, i) => ({
                messageId: `m-${at}-${i}`,
                body: m.body,
                eventSource: 'aws:sqs',
              })),
            }),
        });
      }
      due.sort((x, y) => x.at - y.at);
      for (const d of due) {
        vi.setSystemTime(d.at);
        org.phase = d.phase;
        try {
          results.push(await d.run());
        } catch (error) {
          errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
        }
      }
    }
  } finally {
    await org.close();
  }
  return { org, results, errors, deadlineBatches };
}

/** The group's launches up to its suspension (all of them when it was not suspended). */
function launchesBeforeSuspension(world: World, group = GROUP): { launches: number; suspended: boolean } {
  const at = world.group(group).suspended.get('Launch');
  const launches = world.launches.filter((l) => l.group === group && (at === undefined || l.at <= at));
  return { launches: launches.length, suspended: at !== undefined };
}

function cloudOf(run: Run, account: string): FakeCloud {
  return run.org.clouds.get(account)!;
}

describe('central guard, run as an organization runs it', () => {
  it('suspends the incident in a member account through its role, as a single-account guard does in its own', async () => {
    // Prepare: the organization, and the same incident alone in a single-account deployment
    const central = {
      id: CENTRAL,
      name: 'security-tooling',
      world: healthyWorld(11, 2),
      profiles: [ECS_ROLE],
    };
    const a = { id: A, name: 'ml-inference-prod', world: incidentWorld(), profiles: [NEURON_ROLE] };
    const b = { id: B, name: 'ml-inference-staging', world: healthyWorld(13, 20), profiles: [ECS_ROLE] };
    const c = { id: C, name: 'web', world: healthyWorld(14, 2, 'web-nodes'), profiles: [ECS_ROLE] };

    // Act
    const single = await play(
      { id: CENTRAL, name: 'alone', world: incidentWorld(), profiles: [NEURON_ROLE] },
      [],
      'single',
    );
    const org = await play(central, [a, b, c], 'central');

    // Assess: no invocation failed, and no call was refused (every call used credentials that exist)
    expect(org.errors).toEqual([]);
    expect(org.results.flatMap((r) => ('batchItemFailures' in r ? r.batchItemFailures : []))).toEqual([]);
    expect(org.org.calls.filter((x) => x.refused)).toEqual([]);
    // The incident in A: suspended within as many launches as the single-account guard, at most 12
    const alone = launchesBeforeSuspension(single.org.clouds.get(CENTRAL)!.world);
    const inA = launchesBeforeSuspension(a.world);
    expect(alone.suspended).toBe(true);
    expect(inA.suspended).toBe(true);
    const firstFailed = a.world.launches.find((l) => l.failed)!;
    const sinceFirstFailure = a.world.launches.filter(
      (l) =>
        l.group === GROUP && l.at >= firstFailed.at && l.at <= a.world.group(GROUP).suspended.get('Launch')!,
    ).length;
    expect(sinceFirstFailure).toBeLessThanOrEqual(12);
    expect(inA.launches).toBe(alone.launches);
    // … through A's own role: the suspension and the tags reached A, with A's credentials
    const writes = org.org.calls.filter(
      (x) => x.action === 'SuspendProcesses' || x.action === 'CreateOrUpdateTags',
    );
    expect(new Set(writes.map((x) => `${x.account} ${x.group}`))).toEqual(new Set([`${A} ${GROUP}`]));
    // The same-named groups of B and of the central account, and C's group: untouched
    for (const w of [central.world, b.world]) expect(w.group(GROUP).suspended.size).toBe(0);
    expect(b.world.launches.filter((l) => l.group === GROUP).length).toBeGreaterThanOrEqual(20);
    expect(c.world.group('web-nodes').suspended.size).toBe(0);
    // A was judged as a single account judges its own: ECS registration read in A (EC2 state
    // reasons and scaling activities are read only for instances that ended: see wiring.test.ts)
    const readInA = new Set(org.org.calls.filter((x) => x.account === A).map((x) => x.action));
    for (const action of ['DescribeCapacityProviders', 'DescribeClusters', 'ListContainerInstances'])
      expect(readInA).toContain(action);
    // Member credentials were reused: one AssumeRole per hour of credentials at most
    for (const account of [A, B, C]) expect(org.org.assumed.get(account) ?? 0).toBeLessThanOrEqual(3);
    expect(org.org.assumed.get(A)).toBeGreaterThanOrEqual(1);

    // The trip alert about A carries what a single-account alert carries
    const published = cloudOf(org, CENTRAL).published;
    const trip = published.find((p) => p.subject?.startsWith('Launch loop: suspended gpu-nodes'));
    const aloneTrip = cloudOf(single, CENTRAL).published.find((p) =>
      p.subject?.startsWith('Launch loop: suspended gpu-nodes'),
    );
    expect(trip?.message).toContain(`Account:       ${A} (ml-inference-prod)`);
    expect(trip?.message).toContain('never registered with ECS cluster inference');
    const section = (text: string | undefined, title: string) =>
      text?.split('\n\n').find((part) => part.startsWith(title));
    for (const title of ['WHY: WHAT BECAME OF THE LAUNCHES', 'LIKELY CAUSE']) {
      expect(section(trip?.message, title)).toBeDefined();
      expect(section(trip?.message, title)).toBe(section(aloneTrip?.message, title));
    }
    // The AMI-change alert names A's instance role and its missing ECS permission
    const change = published.find((p) => p.subject?.includes('AMI change') && p.message.includes(A));
    expect(change?.message).toContain('`neuron-inference-role`');
    expect(change?.message).toContain('may not call ecs:RegisterContainerInstance');
    // Only A's group was alerted on
    expect(published.filter((p) => p.message.includes(B) || p.message.includes(C))).toEqual([]);
  }, 120_000);

  it('runs the delayed checks of a member account in that account (issue 19, item 5)', async () => {
    // Prepare: the central account has a group of the same name that launches nothing
    const quiet = new World({ seed: 21 });
    quiet.addGroup(gpuGroup(() => ({ kind: 'healthy' })));
    quiet.addCluster(CLUSTER, () => 1);
    const central = { id: CENTRAL, name: 'security-tooling', world: quiet, profiles: [ECS_ROLE] };
    const a = { id: A, name: 'ml-inference-prod', world: incidentWorld(), profiles: [NEURON_ROLE] };
    // Act
    const run = await play(central, [a], 'central');
    // Assess: checks were delivered; they read A's group and its registration in A
    expect(run.errors).toEqual([]);
    expect(run.results.flatMap((r) => ('batchItemFailures' in r ? r.batchItemFailures : []))).toEqual([]);
    expect(run.deadlineBatches).toBeGreaterThan(0);
    const checks = run.org.calls.filter((x) => x.phase === 'deadline');
    expect(
      checks.some((x) => x.account === A && x.action === 'DescribeAutoScalingGroups' && x.group === GROUP),
    ).toBe(true);
    expect(checks.some((x) => x.account === A && x.action === 'ListContainerInstances')).toBe(true);
    // … and nothing in the central account, whose same-named group stays untouched. A delayed
    // check may trip the group (issue 18): its alert is published, named and priced with the
    // function's own credentials, in the central account, as an event's trip is.
    const ownServices = new Set(['sns', 'sqs', 'sts', 'organizations', 'pricing']);
    expect(checks.filter((x) => x.account !== A && !ownServices.has(x.service))).toEqual([]);
    expect(checks.filter((x) => x.account !== A && x.account !== CENTRAL)).toEqual([]);
    // On-demand prices are the same for every account: the Price List is read with the function's own credentials.
    expect(run.org.calls.filter((x) => x.account === CENTRAL && !ownServices.has(x.service))).toEqual([]);
    expect(central.world.group(GROUP).suspended.size).toBe(0);
  }, 120_000);
});
