/**
 * What the resumer function may do with a request: it trusts the guard's own trip record in its
 * table, never the group's tags (anyone allowed `CreateOrUpdateTags` can write those), refuses
 * `force`, unknown process names, and groups of another account (except, in central mode, a
 * member account's, reached through that account's operator role).
 */
import { GUARD_TAGS, type ResumableGroup, type ResumeDecision } from './auto-resume';
import type { TripProgress } from './scope-item';

/** The part of a group's item in the table that says the guard suspended it. */
export interface TripRecord {
  /** The episode the trip belongs to; absent when the group is not tripped now. */
  readonly trippedEpisode?: number;
  readonly episode: number;
  readonly tripProgress?: TripProgress;
}

/** Why the resumer function refuses a request before looking at the group. */
export type RequestRefusal =
  | { readonly kind: 'force-refused' }
  | { readonly kind: 'unknown-process'; readonly names: readonly string[]; readonly known: readonly string[] }
  | { readonly kind: 'other-account'; readonly account: string; readonly own: string };

/**
 * Check a request against what the function may do.
 *
 * @param ownAccount the account the function runs in
 * @param knownProcesses Auto Scaling's process names
 * @param memberAccounts true in central mode: another account's group is reached through that
 *   account's operator role, so another (well-formed) account id is accepted
 * @returns undefined when the request may go ahead
 */
export function refuseRequest(
  request: { readonly account: string; readonly force?: boolean; readonly processes?: readonly string[] },
  ownAccount: string,
  knownProcesses: readonly string[],
  memberAccounts = false,
): RequestRefusal | undefined {
  if (request.force === true) return { kind: 'force-refused' };
  const known = new Set<string>(knownProcesses);
  const unknown = (request.processes ?? []).filter((p) => !known.has(p));
  if (unknown.length > 0) return { kind: 'unknown-process', names: unknown, known: knownProcesses };
  // The account id itself is checked by the parser (12 digits).
  if (request.account !== ownAccount && !memberAccounts)
    return { kind: 'other-account', account: request.account, own: ownAccount };
  return undefined;
}

/** A refusal in one sentence, for the caller and the log. */
export function describeRefusal(refusal: RequestRefusal): string {
  switch (refusal.kind) {
    case 'force-refused':
      return 'The resumer function takes no "force": it resumes only what the guard suspended. To resume anything else, run `launch-loop-guard resume --force` with your own credentials.';
    case 'unknown-process':
      return `Unknown Auto Scaling process name(s): ${refusal.names.join(', ')} (known: ${refusal.known.join(', ')}).`;
    case 'other-account':
      return `The request names account ${refusal.account}, but this resumer acts in account ${refusal.own} only.`;
  }
}

/**
 * Decide a resume from the guard's trip record: the group is resumable only while its item says
 * the current episode tripped and the guard suspended processes; only those processes (known
 * names, still suspended) are resumed, and only the guard's tags are removed.
 *
 * @param record the group's item, or undefined when the table has none
 * @param group the group's live state, or undefined when it no longer exists
 */
export function decideResumeFromRecord(
  record: TripRecord | undefined,
  group: ResumableGroup | undefined,
  options: { readonly knownProcesses: readonly string[]; readonly expectSuspendedAt?: string },
): ResumeDecision {
  if (group === undefined) return { kind: 'gone' };
  const progress = record?.tripProgress;
  const suspended = progress?.processes ?? [];
  if (
    record?.trippedEpisode === undefined ||
    record.trippedEpisode !== record.episode ||
    suspended.length === 0
  ) {
    return { kind: 'not-guard-suspended', suspendedProcesses: group.suspendedProcesses, basis: 'record' };
  }
  if (
    options.expectSuspendedAt !== undefined &&
    progress?.suspendedAt !== undefined &&
    progress.suspendedAt !== options.expectSuspendedAt
  ) {
    return { kind: 'superseded', suspendedAt: progress.suspendedAt };
  }
  const known = new Set<string>(options.knownProcesses);
  const now = new Set(group.suspendedProcesses);
  return {
    kind: 'resume',
    processes: suspended.filter((p) => known.has(p) && now.has(p)),
    tagKeys: GUARD_TAGS.filter((k) => group.tags[k] !== undefined),
    forced: false,
  };
}
