import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeInstancesCommand, DescribeSpotPriceHistoryCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ec2BillingFacts, endedAtOf, PERMISSIONS } from '../../../lambda/adapters/ec2-billing';
import { TEST_CREDENTIALS } from './sdk-fakes';

const ec2 = mockClient(EC2Client);
const SPOT = JSON.parse(
  readFileSync(
    join(
      __dirname,
      '..',
      '..',
      'fixtures',
      'pricing',
      'describe-spot-price-history-m1.xlarge-us-west-1.json',
    ),
    'utf8',
  ),
  (key, value) => (key === 'Timestamp' ? new Date(value) : value),
);
const T0 = Date.parse('2026-12-07T10:00:00Z');

const facts = () => new Ec2BillingFacts((region) => new EC2Client({ region, credentials: TEST_CREDENTIALS }));

describe('Ec2BillingFacts', () => {
  beforeEach(() => ec2.reset());

  it('reads type, market, platform, zone, tenancy and running time', async () => {
    // Prepare
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: 'i-0000000000000000a',
              InstanceType: 'm1.xlarge',
              InstanceLifecycle: 'spot',
              LaunchTime: new Date(T0),
              Placement: { AvailabilityZone: 'us-west-1a', Tenancy: 'default' },
              PlatformDetails: 'Linux/UNIX',
              UsageOperation: 'RunInstances',
              State: { Name: 'terminated', Code: 48 },
              StateTransitionReason: 'Service initiated (2026-12-07 10:07:30 GMT)',
            },
          ],
        },
      ],
    });
    // Act
    const out = await facts().instances('us-west-1', [
      { instanceId: 'i-0000000000000000a', launchedAt: T0 },
      { instanceId: 'eventid#0', launchedAt: T0 },
    ]);
    // Assess: the synthetic id is never sent to EC2
    expect(ec2).toHaveReceivedCommandWith(DescribeInstancesCommand, { InstanceIds: ['i-0000000000000000a'] });
    expect(out).toEqual([
      {
        instanceId: 'i-0000000000000000a',
        region: 'us-west-1',
        instanceType: 'm1.xlarge',
        market: 'spot',
        operation: 'RunInstances',
        platform: 'Linux/UNIX',
        tenancy: 'default',
        zone: 'us-west-1a',
        launchedAt: T0,
        endedAt: T0 + 7.5 * 60_000,
      },
    ]);
  });

  it('reads each zone’s Spot price of the product in one call (the AWS CLI reference example)', async () => {
    ec2.on(DescribeSpotPriceHistoryCommand).resolves(SPOT);
    const zones = await facts().spotPrices('us-west-1', 'm1.xlarge', 'Linux/UNIX', T0);
    expect(ec2).toHaveReceivedCommandTimes(DescribeSpotPriceHistoryCommand, 1);
    expect(ec2).toHaveReceivedCommandWith(DescribeSpotPriceHistoryCommand, {
      InstanceTypes: ['m1.xlarge'],
      ProductDescriptions: ['Linux/UNIX', 'Linux/UNIX (Amazon VPC)'],
    });
    // The SUSE line of the same zone is another product's price.
    expect([...zones]).toEqual([['us-west-1a', 0.08]]);
  });

  it('never throws: a failed read is an empty answer', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .rejects(Object.assign(new Error('no'), { name: 'UnauthorizedOperation' }));
    ec2
      .on(DescribeSpotPriceHistoryCommand)
      .rejects(Object.assign(new Error('no'), { name: 'RequestLimitExceeded' }));
    expect(
      await facts().instances('us-west-1', [{ instanceId: 'i-0000000000000000a', launchedAt: T0 }]),
    ).toEqual([]);
    expect((await facts().spotPrices('us-west-1', 'm1.xlarge', 'Linux/UNIX', T0)).size).toBe(0);
  });

  it('knows when a stopped or terminated instance stopped, and nothing of a running one', () => {
    expect(endedAtOf('stopped', 'User initiated (2026-12-07 10:42:05 GMT)')).toBe(
      Date.parse('2026-12-07T10:42:05Z'),
    );
    expect(endedAtOf('running', '')).toBeUndefined();
    expect(endedAtOf('terminated', '')).toBeUndefined();
  });

  it('lists its read-only actions', () => {
    expect(PERMISSIONS).toEqual(['ec2:DescribeInstances', 'ec2:DescribeSpotPriceHistory']);
  });
});
