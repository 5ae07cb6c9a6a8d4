/**
 * The cost line of a trip alert, through `run()` with the real store (dynalite), the real
 * adapters over mocked SDK clients, and a real Price List document. The slow-price case runs on
 * fake timers: it measures the simulated clock, never wall time.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  type Instance,
  SuspendProcessesCommand,
} from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client, type Instance as Ec2Instance } from '@aws-sdk/client-ec2';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { autoScalingGroup } from '../../../fake-cloud/support/auto-scaling';
import { useDynamo } from '../../../fake-cloud/support/dynamo-suite';
import { freshTable, guardDeps, storeAndAutoScaling } from '../../../fake-cloud/support/guard-deps';
import { instanceId, launchEvent } from '../../../fake-cloud/support/launch-events';
import { mockClients } from '../../../fake-cloud/support/sdk-mocks';
import { Ec2BillingFacts } from '../../../lambda/adapters/ec2-billing';
import { SnsNotifier } from '../../../lambda/adapters/notifier';
import { PriceListOnDemand } from '../../../lambda/adapters/price-list';
import { METRIC } from '../../../lambda/core/metric-names';
import type { TripReport } from '../../../lambda/core/report';
import { run } from '../../../lambda/steps/count';
import { COST_WAIT_MS, PriceCache } from '../../../lambda/steps/loop-cost';

const [asg, sns, ec2, pricing] = mockClients(AutoScalingClient, SNSClient, EC2Client, PricingClient);
const T0 = Date.UTC(2026, 11, 7, 10, 0, 0);
const MIN = 60_000;
const GROUP = 'ecs-capacity-provider-asg';
const REGION = 'us-east-1';
const TOPIC = 'arn:aws:sns:us-east-1:111122223333:launch-loop-guard';
const LINUX_DOC = JSON.parse(
  readFileSync(
    join(__dirname, '..', '..', 'fixtures', 'pricing', 'get-products-linux-m5.large-us-east-1.json'),
    'utf8',
  ),
) as { PriceList: string[] };

const dynamo = useDynamo();

const IDS = Array.from({ length: 10 }, (_, i) => instanceId(0x100 + i));

beforeEach(() => {
  for (const m of [asg, sns, ec2, pricing]) m.reset();
  const inService: Instance[] = IDS.map((InstanceId) => ({
    InstanceId,
    LifecycleState: 'InService',
    HealthStatus: 'Healthy',
    AvailabilityZone: 'us-east-1a',
    ProtectedFromScaleIn: false,
  }));
  asg
    .on(DescribeAutoScalingGroupsCommand)
    .resolves({ AutoScalingGroups: [autoScalingGroup(GROUP, { region: REGION, instances: inService })] });
  asg.on(SuspendProcessesCommand).callsFake(() => {
    events.push({ what: 'suspend', at: Date.now() });
    return {};
  });
  sns.on(PublishCommand).callsFake(() => {
    events.push({ what: 'publish', at: Date.now() });
    return { MessageId: 'm-1' };
  });
  const reservations: Ec2Instance[] = IDS.map((InstanceId) => ({
    InstanceId,
    InstanceType: 'm5.large',
    LaunchTime: new Date(T0),
    Placement: { AvailabilityZone: 'us-east-1a', Tenancy: 'default' },
    PlatformDetails: 'Linux/UNIX',
    UsageOperation: 'RunInstances',
    State: { Name: 'running', Code: 16 },
  }));
  ec2.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: reservations }] });
  events.length = 0;
});

const events: { what: string; at: number }[] = [];

async function harness() {
  const { config, counter } = await freshTable(dynamo(), {
    LLG_TOPIC_ARN: TOPIC,
    LLG_CHURN_SHARE: 'off',
    LLG_AMI_CHANGE_ALERTS: 'off',
  });
  const amounts = new Map<string, number>();
  const quiet = () => {};
  const deps = guardDeps({
    ...storeAndAutoScaling(counter),
    notifier: new SnsNotifier(new SNSClient({ region: REGION }), TOPIC),
    costs: {
      facts: new Ec2BillingFacts((region) => new EC2Client({ region })),
      onDemand: new PriceListOnDemand((region) => new PricingClient({ region })),
      cache: new PriceCache(),
    },
    log: { info: quiet, warn: quiet, error: quiet },
    metrics: { count: quiet, amount: (name, value) => amounts.set(name, value) },
  });
  return { deps, config, amounts };
}

/**
 * run() of the group's launch at `start` on fake timers: the store's real I/O runs on the real
 * event loop while the simulated clock moves 10 ms a step.
 */
async function runStepping(h: Awaited<ReturnType<typeof harness>>, start: number): Promise<void> {
  let done = false;
  const running = run(
    launchEvent({ group: GROUP, instanceIds: IDS, time: T0, region: REGION }),
    h.deps,
    h.config,
    start,
  ).finally(() => {
    done = true;
  });
  while (!done) {
    await vi.advanceTimersByTimeAsync(10);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await running;
}

function report(): TripReport {
  const raw = sns.commandCalls(PublishCommand)[0]!.args[0].input.MessageAttributes?.report?.StringValue;
  return JSON.parse(raw ?? '{}') as TripReport;
}

describe('the trip alert’s cost line', () => {
  it('says what the loop costs, from a real Price List document', async () => {
    // Prepare: 10 m5.large (Linux, $0.096/h) launched at T0, the trip handled 20 minutes later.
    pricing.on(GetProductsCommand).resolves({ FormatVersion: 'aws_v1', PriceList: LINUX_DOC.PriceList });
    const h = await harness();
    // Act
    await run(
      launchEvent({ group: GROUP, instanceIds: IDS, time: T0, region: REGION }),
      h.deps,
      h.config,
      T0 + 20 * MIN,
    );
    // Assess: 10 × 0.096 × 1200 s / 3600 = $0.32; per day 0.32 / (20 min) × 24 h = $23.04;
    // at MaxSize 100: 100 × 0.096 × 24 = $230.40.
    const body = sns.commandCalls(PublishCommand)[0]!.args[0].input.Message ?? '';
    expect(body).toContain(
      'Estimated cost: about $0.32 spent so far by 10 launches (m5.large; on-demand); $23.04/day if it keeps launching at this rate; $230.40/day if it reaches MaxSize 100 and keeps them.',
    );
    expect(body).toContain('Compute only: EBS, data transfer');
    expect(report().cost).toMatchObject({ priced: 10, maxSize: 100 });
    expect(h.amounts.get(METRIC.estimatedLoopCost)).toBe(230.4);
    // One price call for the one instance type and Region, with the documented filters.
    expect(pricing).toHaveReceivedCommandTimes(GetProductsCommand, 1);
    const filters = pricing.commandCalls(GetProductsCommand)[0]!.args[0].input.Filters ?? [];
    expect(Object.fromEntries(filters.map((f) => [f.Field, f.Value]))).toEqual({
      instanceType: 'm5.large',
      regionCode: 'us-east-1',
      operation: 'RunInstances',
      operatingSystem: 'Linux',
      tenancy: 'Shared',
      capacitystatus: 'Used',
      preInstalledSw: 'NA',
      licenseModel: 'No License required',
      marketoption: 'OnDemand',
    });
  });

  describe('with the Price List stalled for 5 seconds (simulated clock)', () => {
    /** Fake timers once the store's table exists (dynalite creates tables on a timer). */
    function simulatedClock(): void {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: T0 + 20 * MIN });
    }
    afterEach(() => {
      vi.useRealTimers();
    });

    it('suspends and alerts on time, saying "unknown"', async () => {
      // Prepare: GetProducts answers only after 5 s of the simulated clock.
      let asked = -1;
      pricing.on(GetProductsCommand).callsFake(() => {
        asked = Date.now();
        return new Promise((resolve) => setTimeout(() => resolve({ PriceList: LINUX_DOC.PriceList }), 5_000));
      });
      const h = await harness();
      simulatedClock();
      const start = Date.now();
      // Act: the store's real I/O runs on the real event loop; the simulated clock moves 10 ms a step.
      await runStepping(h, start);
      // Assess
      const suspended = events.find((e) => e.what === 'suspend')!;
      const published = events.find((e) => e.what === 'publish')!;
      expect(asked).toBeGreaterThanOrEqual(start);
      expect(suspended.at).toBeLessThanOrEqual(asked);
      expect(published.at - asked).toBeGreaterThanOrEqual(COST_WAIT_MS);
      expect(published.at - asked).toBeLessThan(COST_WAIT_MS + 100);
      expect(published.at - start).toBeLessThan(5_000);
      const body = sns.commandCalls(PublishCommand)[0]!.args[0].input.Message ?? '';
      expect(body).toContain('Estimated cost: unknown');
      expect(h.amounts.has(METRIC.estimatedLoopCost)).toBe(false);
    });

    it('suspends and alerts with "unknown" when the Price List fails', async () => {
      pricing
        .on(GetProductsCommand)
        .rejects(Object.assign(new Error('down'), { name: 'InternalErrorException' }));
      const h = await harness();
      simulatedClock();
      await runStepping(h, Date.now());
      expect(asg).toHaveReceivedCommandTimes(SuspendProcessesCommand, 1);
      const body = sns.commandCalls(PublishCommand)[0]!.args[0].input.Message ?? '';
      expect(body).toContain('Estimated cost: unknown');
    });
  });
});
