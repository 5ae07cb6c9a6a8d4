/**
 * The one wiring (`lambda/wiring.ts`) in central organization mode: two member accounts with a
 * group, a capacity provider and a cluster of the same names, each its own simulated cloud
 * reachable only with its own credentials (`fake-cloud/support/organization-cloud.ts`). What one
 * account's adapters found (ECS cluster mapping, image facts, group settings) never answers for
 * the other.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT as CENTRAL, MINUTE, REGION, SECOND, SIM_T0, World } from '../../bench/sim/world';
import { type LocalDynamo, startDynamo } from '../../fake-cloud/support/dynalite';
import { instanceId, launchEvent } from '../../fake-cloud/support/launch-events';
import {
  accessKeyOf,
  type OrganizationCloud,
  startOrganizationCloud,
} from '../../fake-cloud/support/organization-cloud';
import { type GuardConfig, loadConfig } from '../../lambda/config';
import { TAG } from '../../lambda/core/group-settings';
import { run } from '../../lambda/steps/count';
import { buildGuardDeps, type ClientOptions, type GuardWiring, sdkClients } from '../../lambda/wiring';

const A = '222233334444';
const B = '333344445555';
const GROUP = 'gpu-nodes';
const CLUSTER = 'inference';
const PRIVATE_AMI = 'ami-0ccccccccccccccc3';

/** A world with one registered instance in a capacity-provider group (same names in every account). */
function world(seed: number, tags: Readonly<Record<string, string>> = {}): World {
  const w = new World({ seed });
  w.addGroup({
    name: GROUP,
    minSize: 0,
    maxSize: 10,
    desired: 1,
    initialInstances: 1,
    gracePeriodS: 300,
    healthCheckType: 'EC2',
    imageId: 'ami-0aaaaaaaaaaaaaaa1',
    bootMs: [45 * SECOND, 90 * SECOND],
    behaviour: () => ({ kind: 'healthy' }),
    capacityProvider: {
      name: 'gpu-capacity',
      cluster: CLUSTER,
      managedTerminationProtection: true,
      scaleIntervalMs: MINUTE,
      maxStep: 1,
      warmupMs: 5 * MINUTE,
    },
    tags,
  });
  w.addCluster(CLUSTER, () => 1);
  return w;
}

let db: LocalDynamo;
let org: OrganizationCloud;
let wiring: GuardWiring;
let config: GuardConfig;
const worlds = { a: world(31, { [TAG.threshold]: '3' }), b: world(32) };

beforeAll(async () => {
  db = await startDynamo();
  // Only A holds the private AMI.
  worlds.a.images.set(PRIVATE_AMI, { name: 'team-private-ecs-image-2026', description: 'private' });
  org = await startOrganizationCloud({ id: CENTRAL, name: 'central', world: world(30) }, [
    { id: A, name: 'a', world: worlds.a },
    { id: B, name: 'b', world: worlds.b },
  ]);
  config = loadConfig({
    LLG_TABLE_NAME: await db.createTable(),
    LLG_TOPIC_ARN: `arn:aws:sns:${REGION}:${CENTRAL}:guard`,
    LLG_MEMBER_ROLE_ARN: 'arn:aws:iam::{account}:role/LaunchLoopGuardMember',
    LLG_HOME_ACCOUNT: CENTRAL,
  });
  const own = { accessKeyId: accessKeyOf(CENTRAL), secretAccessKey: 'secret' };
  const at = { region: REGION, endpoint: org.endpoint, credentials: own, maxAttempts: 1 };
  const inAccount = (o: ClientOptions) => ({ ...at, ...o, credentials: o.credentials ?? own });
  wiring = buildGuardDeps(
    config,
    {
      ...sdkClients(),
      dynamo: () => db.client,
      sns: () => new SNSClient(at),
      sts: () => new STSClient(at),
      organizations: () => new OrganizationsClient(at),
      autoScaling: (o) => new AutoScalingClient(inAccount(o)),
      ec2: (o) => new EC2Client(inAccount(o)),
      ecs: (o) => new ECSClient(inAccount(o)),
      iam: (o) => new IAMClient(inAccount(o)),
    },
    {
      log: { info: () => {}, warn: () => {}, error: () => {} },
      metrics: { count: () => {}, amount: () => {} },
      now: () => SIM_T0,
    },
  );
});

afterAll(async () => {
  await org?.close();
  await db?.close();
});

/** The accounts that answered `action` since `from` (calls are logged in order). */
function reached(action: string, from: number): string[] {
  return org.calls.slice(from).flatMap((c) => (c.action === action && c.account ? [c.account] : []));
}

const groupArn = (account: string, w: World) => w.group(GROUP).arn.replace(CENTRAL, account);
const instanceOf = (w: World) => w.groupInstances(w.group(GROUP))[0]!.id;

describe('wiring, central organization mode', () => {
  it("maps each account's group to its own cluster, and finds registrations in that account only", async () => {
    // Act: A first (its mapping is cached), then B, whose group has another ARN
    const from = org.calls.length;
    const inA = await wiring.forAccount(A).ecs.clusterOfGroup(REGION, groupArn(A, worlds.a));
    const inB = await wiring.forAccount(B).ecs.clusterOfGroup(REGION, groupArn(B, worlds.b));
    const bInB = await wiring.forAccount(B).ecs.registrations(REGION, CLUSTER, [instanceOf(worlds.b)]);
    const bInA = await wiring.forAccount(A).ecs.registrations(REGION, CLUSTER, [instanceOf(worlds.b)]);
    // Assess
    expect(inA).toContain(CLUSTER);
    expect(inB).toContain(CLUSTER);
    expect(reached('DescribeCapacityProviders', from)).toEqual([A, B]);
    expect([...bInB.keys()]).toEqual([instanceOf(worlds.b)]);
    expect([...bInA.keys()]).toEqual([]);
  });

  it("describes an account's private AMI in that account only, and caches it there", async () => {
    // Act
    const from = org.calls.length;
    const inA = await wiring.forAccount(A).images.describe(REGION, [PRIVATE_AMI]);
    const inB = await wiring.forAccount(B).images.describe(REGION, [PRIVATE_AMI]);
    const againInA = await wiring.forAccount(A).images.describe(REGION, [PRIVATE_AMI]);
    // Assess
    expect(inA.images.map((i) => i.name)).toEqual(['team-private-ecs-image-2026']);
    expect(inB.images).toEqual([]);
    expect(againInA.images.map((i) => i.name)).toEqual(['team-private-ecs-image-2026']);
    expect(reached('DescribeImages', from)).toEqual([A, B]);
  });

  it("reads EC2 state reasons of an account's instances in that account", async () => {
    // Act
    const from = org.calls.length;
    await wiring.forAccount(A).instances.stateReasons(REGION, [instanceOf(worlds.a)]);
    // Assess
    expect(reached('DescribeInstances', from)).toEqual([A]);
  });

  it("reads each account's group settings in that account (the settings lease is per account)", async () => {
    // Prepare: one launch of the same-named group in A (tagged threshold 3) and in B (no tags)
    const from = org.calls.length;
    const launch = (account: string, n: number) =>
      launchEvent({ account, region: REGION, group: GROUP, instanceIds: [instanceId(n)], time: SIM_T0 });
    // Act
    const results = [];
    for (const event of [launch(A, 0x71), launch(B, 0x72)])
      results.push(await run(event, wiring.forEvent(event), config, SIM_T0 + MINUTE));
    // Assess
    const thresholds = results.map((r) =>
      r.kind === 'counted' ? r.scopes.find((s) => s.scope === 'asg')?.threshold : undefined,
    );
    expect(thresholds).toEqual([3, 10]);
    expect(reached('DescribeAutoScalingGroups', from)).toEqual([A, B]);
  });
});
