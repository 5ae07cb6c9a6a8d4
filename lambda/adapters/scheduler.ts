/**
 * EventBridge Scheduler: one-time `at()` schedules that invoke the resumer once and delete
 * themselves after they run (no polling loop, nothing left behind).
 */
import { ConflictException, CreateScheduleCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { atExpression, type ResumeRequest } from '../core/auto-resume';
import { GuardError } from '../core/errors';
import type { ResumeScheduler, ScheduleOutcome, SchedulerTarget } from '../ports';
import { awsCause } from './aws-error';

/**
 * IAM actions the guard function needs to schedule resumes. `scheduler:CreateSchedule` is
 * granted on the construct's schedule group only, `iam:PassRole` on its scheduler role only.
 */
export const PERMISSIONS = ['scheduler:CreateSchedule', 'iam:PassRole'] as const;

/** {@link ResumeScheduler} on EventBridge Scheduler. */
export class EventBridgeResumeScheduler implements ResumeScheduler {
  constructor(
    private readonly client: SchedulerClient,
    private readonly target: SchedulerTarget,
  ) {}

  async schedule(name: string, at: number, request: ResumeRequest): Promise<ScheduleOutcome> {
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: name,
          GroupName: this.target.scheduleGroup,
          ScheduleExpression: atExpression(at),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Description: `launch-loop-guard: resume ${request.groupName} (trip ${request.trip})`.slice(0, 512),
          Target: {
            Arn: this.target.targetArn,
            RoleArn: this.target.schedulerRoleArn,
            Input: JSON.stringify(request),
            RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
          },
        }),
      );
      return 'created';
    } catch (error) {
      // The same name means the same group and trip: a retry of an invocation that got this far.
      if (error instanceof ConflictException) return 'already-scheduled';
      throw new GuardError(`could not schedule the resume of ${request.groupName}`, awsCause(error));
    }
  }
}
