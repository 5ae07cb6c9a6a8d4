import { ConflictException, CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBridgeResumeScheduler, PERMISSIONS } from '../../../lambda/adapters/scheduler';
import { GuardError } from '../../../lambda/core/errors';

const target = {
  scheduleGroup: 'llg-resumes',
  schedulerRoleArn: 'arn:aws:iam::123456789012:role/llg-scheduler',
  targetArn: 'arn:aws:lambda:eu-west-1:123456789012:function:llg-resumer',
};
const request = {
  account: '123456789012',
  region: 'eu-west-1',
  groupName: 'ecs-neuron',
  processes: ['Launch'],
  trip: 2,
};

describe('EventBridgeResumeScheduler', () => {
  const mock = mockClient(SchedulerClient);
  beforeEach(() => mock.reset());

  it('creates a one-time at() schedule that deletes itself and invokes the resumer with the request', async () => {
    // Prepare
    mock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:x' });
    const scheduler = new EventBridgeResumeScheduler(new SchedulerClient({ region: 'eu-west-1' }), target);

    // Act
    const out = await scheduler.schedule('llg-ecs-neuron-1', Date.UTC(2025, 11, 9, 9, 0, 0), request);

    // Assess
    expect(out).toBe('created');
    expect(mock).toHaveReceivedCommandWith(CreateScheduleCommand, {
      Name: 'llg-ecs-neuron-1',
      GroupName: 'llg-resumes',
      ScheduleExpression: 'at(2025-12-09T09:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
    });
    const input = mock.commandCalls(CreateScheduleCommand)[0]!.args[0].input;
    expect(input.Target?.Arn).toBe(target.targetArn);
    expect(input.Target?.RoleArn).toBe(target.schedulerRoleArn);
    expect(JSON.parse(input.Target?.Input ?? '')).toEqual(request);
  });

  it('reports an existing schedule of the same name as already scheduled', async () => {
    // Prepare
    mock.on(CreateScheduleCommand).rejects(
      new ConflictException({
        message: 'Schedule already exists',
        Message: 'Schedule already exists',
        $metadata: {},
      }),
    );
    const scheduler = new EventBridgeResumeScheduler(new SchedulerClient({ region: 'eu-west-1' }), target);

    // Act + Assess
    await expect(scheduler.schedule('n', 0, request)).resolves.toBe('already-scheduled');
  });

  it('wraps other failures in a GuardError with the cause', async () => {
    // Prepare
    const denied = Object.assign(new Error('not authorized to perform iam:PassRole'), {
      name: 'AccessDeniedException',
    });
    mock.on(CreateScheduleCommand).rejects(denied);
    const scheduler = new EventBridgeResumeScheduler(new SchedulerClient({ region: 'eu-west-1' }), target);

    // Act
    const error = await scheduler.schedule('n', 0, request).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(GuardError);
    expect((error as GuardError).message).toMatch(/ecs-neuron/);
    expect((error as GuardError).cause).toBe(denied);
  });

  it('lists CreateSchedule and PassRole as its permissions', () => {
    expect(PERMISSIONS).toEqual(['scheduler:CreateSchedule', 'iam:PassRole']);
  });
});
