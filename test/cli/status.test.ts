import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runStatus, type StatusReport } from '../../cli/status';
import { autoScalingGroup } from '../../fake-cloud/support/auto-scaling';
import { type LocalDynamo, startDynamo } from '../../fake-cloud/support/dynalite';
import { DynamoDbScopeStore } from '../../lambda/adapters/scope-store';
import type { ScopeKey } from '../../lambda/core/types';
import { testContext } from './cli-context';

const T0 = Date.UTC(2025, 11, 9, 8, 0, 0);
const POLICY = { threshold: 10, windowMs: 3_600_000 };

async function launches(counter: DynamoDbScopeStore, key: ScopeKey, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) {
    const time = T0 + i * 60_000;
    await counter.record(
      {
        key,
        mentions: [{ instanceId: `i-${key.key}-${i}`, time }],
        callers: [],
        imageIds: [],
        groupNames: [],
        now: time,
      },
      POLICY,
    );
  }
}

describe('status', () => {
  const asg = mockClient(AutoScalingClient);
  let dynamo: LocalDynamo;
  let table: string;

  beforeAll(async () => {
    dynamo = await startDynamo();
    table = await dynamo.createTable();
    const counter = new DynamoDbScopeStore(dynamo.client, table);
    const key = (k: string, region = 'eu-west-1'): ScopeKey => ({
      scope: 'asg',
      account: '123456789012',
      region,
      key: k,
    });
    await launches(counter, key('hot'), 8);
    await launches(counter, key('calm'), 2);
    await launches(counter, key('elsewhere', 'us-east-1'), 9);
  });
  afterAll(async () => {
    await dynamo.close();
  });
  beforeEach(() => {
    asg.reset();
    asg.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        autoScalingGroup('ecs-neuron', {
          tags: {
            'launch-loop-guard:suspended-at': '2025-12-09T08:40:00.000Z',
            'launch-loop-guard:reason': '10 launches in 1h, 10 of 10 churned',
          },
          suspended: ['Launch'],
        }),
      ],
    });
  });

  it('lists the suspended groups and the scopes near their threshold, as text', async () => {
    // Prepare
    const ctx = testContext(dynamo.client, { region: 'eu-west-1', env: { LLG_TABLE_NAME: table } });

    // Act
    const code = await runStatus([], ctx);

    // Assess
    expect(code).toBe(0);
    expect(asg).toHaveReceivedCommandWith(DescribeAutoScalingGroupsCommand, {
      Filters: [{ Name: 'tag-key', Values: ['launch-loop-guard:suspended-at'] }],
    });
    const out = ctx.out();
    expect(out).toContain('Groups suspended by launch-loop-guard (eu-west-1): 1');
    expect(out).toContain('  eu-west-1  ecs-neuron');
    expect(out).toContain('suspended at 2025-12-09T08:40:00.000Z (20 min ago)');
    expect(out).toContain('reason: 10 launches in 1h, 10 of 10 churned');
    expect(out).toContain('processes: Launch');
    expect(out).toContain(
      [
        '    undo with the AWS CLI:',
        '      aws autoscaling resume-processes --auto-scaling-group-name ecs-neuron --scaling-processes Launch --region eu-west-1',
        '      aws autoscaling delete-tags --tags ResourceId=ecs-neuron,ResourceType=auto-scaling-group,Key=launch-loop-guard:suspended-at ResourceId=ecs-neuron,ResourceType=auto-scaling-group,Key=launch-loop-guard:reason ResourceId=ecs-neuron,ResourceType=auto-scaling-group,Key=launch-loop-guard:suspended-processes --region eu-west-1',
        `    or, also clearing its launch window and backoff: launch-loop-guard resume ecs-neuron --region eu-west-1 --table ${table}`,
      ].join('\n'),
    );
    expect(out).not.toContain('npx');
    expect(out).toContain('asg hot  8/10 in 1h');
    expect(out).not.toContain('calm');
    expect(out).not.toContain('elsewhere');
  });

  it('gives the same data as JSON, for several regions', async () => {
    // Prepare
    const ctx = testContext(dynamo.client);

    // Act
    const code = await runStatus(
      ['--region', 'eu-west-1', '--region=us-east-1', '--table', table, '--format', 'json', '--near', '0.2'],
      ctx,
    );

    // Assess
    expect(code).toBe(0);
    const report = JSON.parse(ctx.out()) as StatusReport;
    expect(report.regions).toEqual(['eu-west-1', 'us-east-1']);
    expect(report.suspended.map((g) => [g.region, g.groupName, g.processes])).toEqual([
      ['eu-west-1', 'ecs-neuron', ['Launch']],
      ['us-east-1', 'ecs-neuron', ['Launch']],
    ]);
    expect(report.nearThreshold.map((s) => [s.region, s.key, s.count])).toEqual([
      ['us-east-1', 'elsewhere', 9],
      ['eu-west-1', 'hot', 8],
      ['eu-west-1', 'calm', 2],
    ]);
  });

  it('reads the one table in its own region (--table-region) for every region asked', async () => {
    // Prepare
    const base = testContext(dynamo.client);
    const tableRegions: string[] = [];
    const ctx = {
      ...base,
      dynamo: (region: string) => {
        tableRegions.push(region);
        return base.dynamo(region);
      },
    };

    // Act
    const code = await runStatus(
      ['--region', 'eu-west-1', '--region', 'us-east-1', '--table', table, '--table-region', 'eu-central-1'],
      ctx,
    );

    // Assess
    expect(code).toBe(0);
    expect(tableRegions).toEqual(['eu-central-1']);
    expect(base.out()).toContain('us-east-1  asg elsewhere  9/10 in 1h');
  });

  it('says so when no table is given', async () => {
    const ctx = testContext(dynamo.client, { region: 'eu-west-1' });
    expect(await runStatus([], ctx)).toBe(0);
    expect(ctx.out()).toContain('not read (pass --table or set LLG_TABLE_NAME)');
  });

  it.each([
    [
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
      /^launch-loop-guard status: no AWS credentials found/,
    ],
    [
      Object.assign(new Error('User is not authorized to perform: autoscaling:DescribeAutoScalingGroups'), {
        name: 'AccessDenied',
      }),
      /^launch-loop-guard status: access denied: User is not authorized/,
    ],
  ])('prints one line and exits 1 on %s', async (error, message) => {
    // Prepare
    asg.reset();
    asg.on(DescribeAutoScalingGroupsCommand).rejects(error);
    const ctx = testContext(dynamo.client, { region: 'eu-west-1' });

    // Act
    const code = await runStatus([], ctx);

    // Assess
    expect(code).toBe(1);
    expect(ctx.err()).toMatch(message);
    expect(ctx.err().trim().split('\n')).toHaveLength(1);
  });

  it('names a table that does not exist', async () => {
    const ctx = testContext(dynamo.client, { region: 'eu-west-1' });
    expect(await runStatus(['--table', 'no-such-table'], ctx)).toBe(1);
    expect(ctx.err()).toMatch(/not found/);
  });

  it.each([
    [['--format', 'yaml'], /--format must be text or json/],
    [['--bogus'], /unknown flag --bogus/],
    [['--near', '2'], /--near must be a share/],
    [[], /no region: pass --region R or set AWS_REGION/],
  ])('exits 2 on %o', async (argv, message) => {
    const ctx = testContext(dynamo.client);
    expect(await runStatus(argv, ctx)).toBe(2);
    expect(ctx.err()).toMatch(message);
  });
});

describe('bin/cli.ts', () => {
  it.each([
    ['status', /^usage: status \[--region R\]\.\.\. \[--table T\]/],
    ['resume', /^usage: resume <group> \[--region R\] \[--table T\]/],
  ])('runs %s from the command table', (command, usage) => {
    // Act
    const out = execFileSync(
      process.execPath,
      [
        join(__dirname, '..', '..', 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        join(__dirname, '..', '..', 'bin', 'cli.ts'),
        command,
        '--help',
      ],
      { encoding: 'utf8' },
    );

    // Assess
    expect(out).toMatch(usage);
  });
});

describe('status with prices', () => {
  const asg = mockClient(AutoScalingClient);
  const ec2 = mockClient(EC2Client);
  const pricing = mockClient(PricingClient);
  const NOW = Date.UTC(2025, 11, 9, 9, 0, 0);
  const IDS = ['i-0000000000000000a', 'i-0000000000000000b'];

  beforeEach(() => {
    for (const m of [asg, ec2, pricing]) m.reset();
    asg.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [
        autoScalingGroup('ecs-neuron', {
          tags: { 'launch-loop-guard:suspended-at': '2025-12-09T08:40:00.000Z' },
          suspended: ['Launch'],
          instances: IDS.map((InstanceId) => ({
            InstanceId,
            LifecycleState: 'InService',
            HealthStatus: 'Healthy',
            AvailabilityZone: 'eu-west-1a',
            ProtectedFromScaleIn: false,
          })),
        }),
      ],
    });
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: IDS.map((InstanceId) => ({
            InstanceId,
            InstanceType: 'm5.large',
            LaunchTime: new Date(NOW - 3_600_000),
            Placement: { AvailabilityZone: 'eu-west-1a', Tenancy: 'default' },
            PlatformDetails: 'Linux/UNIX',
            UsageOperation: 'RunInstances',
            State: { Name: 'running', Code: 16 },
          })),
        },
      ],
    });
  });

  function pricedContext() {
    const ctx = testContext({} as never, { region: 'eu-west-1', now: NOW });
    const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };
    return {
      ...ctx,
      ec2: (region: string) => new EC2Client({ region, credentials }),
      pricing: (region: string) => new PricingClient({ region, credentials }),
    };
  }

  it('shows the estimate of each suspended group, from the Price List endpoint nearest the group', async () => {
    // Prepare: the real m5.large Linux document ($0.096/h)
    const doc = JSON.parse(
      readFileSync(
        join(__dirname, '..', 'fixtures', 'pricing', 'get-products-linux-m5.large-us-east-1.json'),
        'utf8',
      ),
    );
    pricing.on(GetProductsCommand).resolves(doc);
    const endpoints: string[] = [];
    const base = pricedContext();
    const ctx = {
      ...base,
      pricing: (region: string) => {
        endpoints.push(region);
        return base.pricing(region);
      },
    };
    // Act
    const code = await runStatus(['--format', 'json'], ctx);
    const text = await runStatus([], ctx);
    // Assess: 2 × 0.096 × 1 h = $0.19; MaxSize 100 × 0.096 × 24 = $230.40.
    expect(code).toBe(0);
    expect(text).toBe(0);
    const report = JSON.parse(ctx.out().slice(0, ctx.out().indexOf('\n}\n') + 2)) as StatusReport;
    expect(report.suspended[0]!.cost).toMatchObject({ priced: 2, maxSize: 100 });
    expect(ctx.out()).toContain(
      'estimated cost of its instances: about $0.19 spent so far by 2 launches (m5.large; on-demand); $4.61/day if it keeps launching at this rate; $230.40/day if it reaches MaxSize 100 and keeps them',
    );
    expect(ctx.out()).toContain('Compute only: EBS, data transfer');
    // One price call per run (a run's cache), to the Frankfurt endpoint for eu-west-1.
    expect(pricing).toHaveReceivedCommandTimes(GetProductsCommand, 2);
    expect(endpoints).toEqual(['eu-central-1', 'eu-central-1']);
  });

  it('says unknown when the Price List fails, and still lists the group', async () => {
    pricing
      .on(GetProductsCommand)
      .rejects(Object.assign(new Error('down'), { name: 'InternalErrorException' }));
    const ctx = pricedContext();
    expect(await runStatus([], ctx)).toBe(0);
    expect(ctx.out()).toContain('ecs-neuron');
    expect(ctx.out()).toContain('estimated cost of its instances: unknown');
  });
});
