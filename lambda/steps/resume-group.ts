/**
 * Putting a group back: shared by the resumer function (auto-resume schedules and people who
 * invoke it, as the alert says) and the `resume` command.
 * The decision is pure (`decideResume` in the core); this file only runs its steps in a safe
 * order: resume the processes, then remove the tags, then clear the window. A retry after a
 * partial success finds the processes resumed and only finishes the rest.
 */
import { SCALING_PROCESSES } from '../config';
import {
  decideResume,
  type ManualResumeRequest,
  parseResumerInput,
  RESUME_LAUNCH_WARNING,
  type ResumeDecision,
  type ResumeOptions,
  type ResumeRequest,
} from '../core/auto-resume';
import {
  decideResumeFromRecord,
  describeRefusal,
  type RequestRefusal,
  refuseRequest,
  type TripRecord,
} from '../core/resume-check';
import { SCOPE_KIND, type ScopeKey } from '../core/types';
import type { AsgSuspender, Notifier } from '../ports';

/** The store calls resuming needs (`DynamoDbScopeStore` has them). */
export interface WindowStore {
  /** Forget the group's window, so it does not trip again at once on old launches. */
  clearScope(key: ScopeKey): Promise<void>;
  /** Set the group's auto-resume streak. */
  setResumeStreak(key: ScopeKey, streak: number, at: number): Promise<void>;
  /** Read the group's item: the guard's own record of the trip (the resumer function trusts only it). */
  read(key: ScopeKey): Promise<TripRecord | undefined>;
}

/** What resuming needs. */
export interface ResumeGroupDeps {
  readonly asg: Pick<AsgSuspender, 'describeGroup' | 'resume' | 'untagGroup'>;
  readonly store: WindowStore;
}

/** Options of {@link resumeGroup}. */
export interface ResumeGroupOptions extends ResumeOptions {
  /** Reset the group's auto-resume streak at this time (a person resumed it: the cause is fixed). */
  readonly resetStreakAt?: number;
  /**
   * Decide from the guard's trip record in the table (`record`, the resumer function) or from the
   * group's tags (`tags`, the CLI, which runs with the operator's own credentials).
   * @default 'tags'
   */
  readonly trust?: 'record' | 'tags';
}

/** What {@link resumeGroup} did. */
export type ResumeGroupOutcome =
  | Exclude<ResumeDecision, { kind: 'resume' }>
  | (Extract<ResumeDecision, { kind: 'resume' }> & { readonly windowCleared: boolean });

/**
 * Resume a group the guard suspended: only the processes it suspended, then remove its tags and
 * clear the group's window.
 *
 * @throws SuspendError or CounterStoreError when Auto Scaling or DynamoDB fail
 */
export async function resumeGroup(
  key: ScopeKey,
  deps: ResumeGroupDeps,
  options: ResumeGroupOptions = {},
): Promise<ResumeGroupOutcome> {
  const group = await deps.asg.describeGroup(key.region, key.key);
  const decision =
    options.trust === 'record'
      ? decideResumeFromRecord(group === undefined ? undefined : await deps.store.read(key), group, {
          knownProcesses: SCALING_PROCESSES,
          ...(options.expectSuspendedAt === undefined
            ? {}
            : { expectSuspendedAt: options.expectSuspendedAt }),
        })
      : decideResume(group, options);
  if (decision.kind !== 'resume') return decision;
  if (decision.processes.length > 0) {
    const done = await deps.asg.resume(key.region, key.key, decision.processes);
    if (done === 'gone') return { kind: 'gone' };
  }
  if (decision.tagKeys.length > 0) {
    const done = await deps.asg.untagGroup(key.region, key.key, decision.tagKeys);
    if (done === 'gone') return { kind: 'gone' };
  }
  await deps.store.clearScope(key);
  if (options.resetStreakAt !== undefined) await deps.store.setResumeStreak(key, 0, options.resetStreakAt);
  return { ...decision, windowCleared: true };
}

/** A one-line account of a resume outcome, for notices, logs and the CLI. */
export function describeOutcome(groupName: string, outcome: ResumeGroupOutcome): string {
  switch (outcome.kind) {
    case 'gone':
      return `Group ${groupName} no longer exists: nothing to resume.`;
    case 'not-guard-suspended':
      return `Group ${groupName} was not suspended by launch-loop-guard (${
        outcome.basis === 'record'
          ? "the guard's table holds no trip of it"
          : 'no launch-loop-guard:suspended-at tag'
      })${
        outcome.suspendedProcesses.length > 0
          ? `; suspended now: ${outcome.suspendedProcesses.join(', ')}`
          : '; no process is suspended'
      }.`;
    case 'superseded':
      return `Group ${groupName} was suspended again at ${outcome.suspendedAt}: that suspension has its own resume.`;
    case 'resume':
      return outcome.processes.length > 0
        ? `Resumed ${outcome.processes.join(', ')} on ${groupName}${outcome.forced ? ' (forced)' : ''}; removed ${
            outcome.tagKeys.length
          } guard tag(s); cleared its launch window.`
        : `Nothing the guard suspended is still suspended on ${groupName}; removed ${outcome.tagKeys.length} guard tag(s); cleared its launch window.`;
  }
}

/** A resumer notice: the subject (≤ 99 characters: the group name is cut to fit), body and attributes. */
function groupNotice(
  prefix: string,
  request: Pick<ResumeRequest, 'account' | 'region' | 'groupName'>,
  lines: readonly string[],
  action: string,
): { subject: string; body: string; attributes: Record<string, string> } {
  const room = 99 - prefix.length;
  const name =
    request.groupName.length > room ? `${request.groupName.slice(0, room - 1)}…` : request.groupName;
  return {
    subject: `${prefix}${name}`,
    body: lines.join('\n'),
    attributes: {
      scope: SCOPE_KIND.asg,
      key: request.groupName,
      account: request.account,
      region: request.region,
      action,
    },
  };
}

/** The resumer's notice after an automatic resume: subject (≤ 99 characters), body, attributes. */
export function resumeNotice(
  request: ResumeRequest,
  text: string,
): { subject: string; body: string; attributes: Record<string, string> } {
  return groupNotice(
    'launch-loop-guard: auto-resumed ',
    request,
    [
      text,
      '',
      `Account ${request.account}, region ${request.region}, trip ${request.trip} of the current streak.`,
      RESUME_LAUNCH_WARNING,
      'If the group trips again, the guard suspends it again with a longer cool-down; after the last automatic',
      'resume it stays suspended until a person resumes it (the commands are in the trip alert).',
    ],
    'auto-resumed',
  );
}

/** A person's resume through the resumer: subject (≤ 99 characters), body, attributes. */
export function manualResumeNotice(
  request: ManualResumeRequest,
  text: string,
): { subject: string; body: string; attributes: Record<string, string> } {
  return groupNotice(
    'launch-loop-guard: resumed on request ',
    request,
    [
      text,
      '',
      `Account ${request.account}, region ${request.region}: someone invoked the resumer function (CloudTrail's Invoke record names who); the group's auto-resume backoff starts over.`,
      RESUME_LAUNCH_WARNING,
    ],
    'resumed',
  );
}

/** What one resumer invocation did. */
export type ResumerResult =
  | { readonly kind: 'malformed'; readonly error: string }
  /** A well-formed request the function will not carry out (see `refuseRequest`). */
  | { readonly kind: 'refused'; readonly refusal: RequestRefusal; readonly text: string }
  | {
      readonly kind: 'done';
      readonly request: ResumeRequest | ManualResumeRequest;
      readonly outcome: ResumeGroupOutcome;
      readonly text: string;
    };

/**
 * The resumer function's work for one input: a schedule's (auto-resume) or a person's
 * (`{"action":"resume",…}`, which also resets the group's backoff, as the `resume` command does).
 * A malformed input is returned (a retry cannot fix it); Auto Scaling and DynamoDB failures
 * throw, so EventBridge Scheduler retries. A failed notice is thrown too: the steps before it are
 * idempotent, so a retry only resends it.
 *
 * It decides from the guard's trip record, never from tags; it refuses `force`, unknown process
 * names and any account but its own, except in central mode (`deps.memberAsg` given), where a
 * member account's group is read and resumed through that account's operator role. The trip
 * record is the central table's item of that account's group; the central account's own groups
 * are never touched for another account's request.
 *
 * @param now epoch milliseconds (a person's resume resets the streak at this time)
 * @param ownAccount the account the function runs in (from its ARN)
 */
export async function runResumer(
  raw: unknown,
  deps: ResumeGroupDeps & {
    readonly notifier: Pick<Notifier, 'publishText'>;
    /** Central mode: Auto Scaling of a member account, through its operator role. */
    readonly memberAsg?: (account: string) => ResumeGroupDeps['asg'];
  },
  now: number,
  ownAccount: string,
): Promise<ResumerResult> {
  const input = parseResumerInput(raw);
  if ('error' in input) return { kind: 'malformed', error: input.error };
  const request = input.request;
  const refusal = refuseRequest(
    {
      account: request.account,
      ...(input.kind === 'manual' ? { force: input.request.force } : { processes: input.request.processes }),
    },
    ownAccount,
    SCALING_PROCESSES,
    deps.memberAsg !== undefined,
  );
  if (refusal !== undefined) return { kind: 'refused', refusal, text: describeRefusal(refusal) };
  const inAccount: ResumeGroupDeps = {
    asg:
      request.account === ownAccount || deps.memberAsg === undefined
        ? deps.asg
        : deps.memberAsg(request.account),
    store: deps.store,
  };
  const key: ScopeKey = {
    scope: SCOPE_KIND.asg,
    account: request.account,
    region: request.region,
    key: request.groupName,
  };
  if (input.kind === 'manual') {
    const outcome = await resumeGroup(key, inAccount, { trust: 'record', resetStreakAt: now });
    const text = describeOutcome(request.groupName, outcome);
    if (outcome.kind === 'resume') {
      const notice = manualResumeNotice(input.request, text);
      await deps.notifier.publishText(notice.subject, notice.body, notice.attributes);
    }
    return { kind: 'done', request, outcome, text };
  }
  const outcome = await resumeGroup(key, inAccount, {
    trust: 'record',
    fallback: input.request.processes,
    ...(input.request.suspendedAt !== undefined ? { expectSuspendedAt: input.request.suspendedAt } : {}),
  });
  const text = describeOutcome(request.groupName, outcome);
  // Only a resume is news; a group gone, resumed by a person, or suspended again is logged only.
  if (outcome.kind === 'resume') {
    const notice = resumeNotice(input.request, text);
    await deps.notifier.publishText(notice.subject, notice.body, notice.attributes);
  }
  return { kind: 'done', request, outcome, text };
}
