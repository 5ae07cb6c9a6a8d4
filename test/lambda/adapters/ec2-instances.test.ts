import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeInstanceStatusCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Ec2InstanceStates, transitionTime } from '../../../lambda/adapters/ec2-instances';
import { GUARD_PERMISSIONS } from '../../../lambda/permissions';
import { TEST_CREDENTIALS } from './sdk-fakes';

const README = readFileSync(join(__dirname, '../../../README.md'), 'utf8');

const ec2 = mockClient(EC2Client);
const REGION = 'eu-west-1';
const GROUPED = 'i-0aaaaaaaaaaaaaaa1';
const RUNNING = 'i-0bbbbbbbbbbbbbbb2';
const ENDED = 'i-0ccccccccccccccc3';

beforeEach(() => {
  ec2.reset();
});

function adapter(problems: string[] = []): Ec2InstanceStates {
  return new Ec2InstanceStates(
    (region) => new EC2Client({ region, credentials: TEST_CREDENTIALS, maxAttempts: 1 }),
    (message) => problems.push(message),
  );
}

describe('transitionTime', () => {
  it.each([
    ['User initiated (2026-12-07 21:05:10 GMT)', Date.UTC(2026, 11, 7, 21, 5, 10)],
    ['', undefined],
    [undefined, undefined],
    ['Server.InternalError', undefined],
  ])('reads %j', (reason, expected) => {
    expect(transitionTime(reason)).toBe(expected);
  });
});

describe('Ec2InstanceStates.launchFacts', () => {
  it("reads each instance's group, state and end, and the status checks of running instances outside any group", async () => {
    // Prepare
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: GROUPED,
              State: { Name: 'running' },
              Tags: [{ Key: 'aws:autoscaling:groupName', Value: 'web' }],
            },
            { InstanceId: RUNNING, State: { Name: 'running' } },
            {
              InstanceId: ENDED,
              State: { Name: 'terminated' },
              StateReason: { Code: 'Client.UserInitiatedShutdown' },
              StateTransitionReason: 'User initiated (2026-12-07 21:05:10 GMT)',
            },
          ],
        },
      ],
    });
    ec2.on(DescribeInstanceStatusCommand).resolves({
      InstanceStatuses: [
        { InstanceId: RUNNING, InstanceStatus: { Status: 'impaired' }, SystemStatus: { Status: 'ok' } },
      ],
    });
    // Act
    const facts = await adapter().launchFacts(REGION, [GROUPED, RUNNING, ENDED, 'i-0ddddddddddddddd4']);
    // Assess
    expect(Object.fromEntries(facts)).toEqual({
      [GROUPED]: { state: 'running', groupName: 'web' },
      [RUNNING]: { state: 'running', checks: { instance: 'impaired', system: 'ok' } },
      [ENDED]: {
        state: 'terminated',
        stateReason: 'Client.UserInitiatedShutdown',
        endedAt: Date.UTC(2026, 11, 7, 21, 5, 10),
      },
    });
    // A filter, so that an id EC2 no longer shows does not fail the call
    const input = ec2.commandCalls(DescribeInstancesCommand)[0]!.args[0].input;
    expect(input.InstanceIds).toBeUndefined();
    expect(input.Filters).toEqual([
      { Name: 'instance-id', Values: [GROUPED, RUNNING, ENDED, 'i-0ddddddddddddddd4'] },
    ]);
    expect(ec2.commandCalls(DescribeInstanceStatusCommand)[0]!.args[0].input.InstanceIds).toEqual([RUNNING]);
  });

  it('follows NextToken', async () => {
    // Prepare
    ec2
      .on(DescribeInstancesCommand)
      .resolvesOnce({
        Reservations: [{ Instances: [{ InstanceId: GROUPED, State: { Name: 'pending' } }] }],
        NextToken: 'p2',
      })
      .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: ENDED, State: { Name: 'stopped' } }] }] });
    // Act
    const facts = await adapter().launchFacts(REGION, [GROUPED, ENDED]);
    // Assess
    expect([...facts.keys()]).toEqual([GROUPED, ENDED]);
    expect(ec2.commandCalls(DescribeInstancesCommand)[1]!.args[0].input.NextToken).toBe('p2');
  });

  it('never rejects: a failed read leaves the instances out and is reported', async () => {
    // Prepare
    ec2
      .on(DescribeInstancesCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'UnauthorizedOperation' }));
    const problems: string[] = [];
    // Act
    const facts = await adapter(problems).launchFacts(REGION, [GROUPED]);
    // Assess
    expect(facts.size).toBe(0);
    expect(problems).toEqual([`DescribeInstances failed in ${REGION}`]);
  });

  it('leaves the status checks unread when DescribeInstanceStatus fails', async () => {
    // Prepare
    ec2
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [{ InstanceId: RUNNING, State: { Name: 'running' } }] }] });
    ec2.on(DescribeInstanceStatusCommand).rejects(new Error('throttled'));
    const problems: string[] = [];
    // Act
    const facts = await adapter(problems).launchFacts(REGION, [RUNNING]);
    // Assess
    expect(facts.get(RUNNING)).toEqual({ state: 'running' });
    expect(problems).toEqual([`DescribeInstanceStatus failed in ${REGION}`]);
  });
});

describe("the guard's permissions for the AMI scope's confirmation", () => {
  it('grant the reads the README names: DescribeInstances, DescribeInstanceStatus, GetItem', () => {
    expect(GUARD_PERMISSIONS).toEqual(
      expect.arrayContaining(['ec2:DescribeInstances', 'ec2:DescribeInstanceStatus', 'dynamodb:GetItem']),
    );
    expect(README).toContain(
      'It reads with `ec2:DescribeInstances`,\n`ec2:DescribeInstanceStatus` and `dynamodb:GetItem`, all read-only.',
    );
  });
});
