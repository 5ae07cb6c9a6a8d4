/**
 * EventBridge Scheduler: one-time `at()` schedules that invoke the resumer once and delete
 * themselves after they run (no polling loop, nothing left behind).
 */
import { ConflictException, CreateScheduleCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { atExpression, type ResumeRequest } from '../core/auto-resume';
import { GuardError } from '../core/errors';
import { awsCause } from './aws-error';

/**
 * IAM actions the guard function needs to schedule resumes. `scheduler:CreateSchedule` is
 * granted on the construct's schedule group only, `iam:PassRole` on its scheduler role only.
 */
export const PERMISSIONS = ['scheduler:CreateSchedule', 'iam:PassRole'] as const;

/** Where schedules go and what they invoke (from `AutoResumeConfig`). */
export interface SchedulerTarget {
  readonly scheduleGroup: string;
  /** The role EventBridge Scheduler assumes to invoke the resumer. */
  readonly schedulerRoleArn: string;
  /** The resumer function's ARN. */
  readonly targetArn: string;
}

/** Whether a schedule was created now or already existed (a retry of the same trip). */
export type ScheduleOutcome = 'created' | 'already-scheduled';

/** The role the guard sees: plan one resume. */
export interface ResumeScheduler {
  /**
   * Schedule one resume.
   *
   * @param name idempotent per group and trip (see `scheduleName`)
   * @param at epoch milliseconds
   * @throws GuardError when EventBridge Scheduler refuses for another reason than a duplicate name
   */
  schedule(name: string, at: number, request: ResumeRequest): Promise<ScheduleOutcome>;
}

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
