/**
 * # Auto-resume with backoff
 *
 * Optional (off unless the construct sets `autoResume`). When the guard suspends a group, it
 * plans a resume after a cool-down. Consecutive trips of the same group form a **streak**:
 *
 * - trip n of a streak gets the cool-down `base × 2^(n−1)`, capped at `max`
 *   (15 min, 30 min, 1 h, 2 h, 4 h, 4 h… with the defaults);
 * - trips 1 to `maxTrips` are resumed automatically; trip `maxTrips + 1` and later stay
 *   suspended until a person resumes the group (the alert says so);
 * - **a streak ends** when the group stays clear of trips for `max` after its planned resume,
 *   that is when `now − lastTripAt ≥ cooldown(lastTrip) + max` (for a manual trip, its
 *   cool-down is counted as `max`). A group that ran for the longest cool-down without looping
 *   again is considered healed; its next trip starts a new streak at trip 1.
 * - a person's `resume` (the CLI) clears the streak too: the operator fixed the cause.
 *
 * Pure: the streak comes in as a value, the new streak goes out as a value; the store keeps it
 * in the group's item (`DynamoDbScopeStore.setResumeStreak`), and `lambda/adapters/scheduler.ts`
 * creates the schedule.
 */

import { TAG } from './group-settings';
import type { AutoResumePlan } from './report';

/** The backoff settings (the time fields of `AutoResumeConfig`). */
export interface BackoffSettings {
  /** First cool-down, in milliseconds (> 0). */
  readonly baseMs: number;
  /** Longest cool-down, in milliseconds (≥ baseMs). */
  readonly maxMs: number;
  /** Trips resumed automatically in one streak (≥ 1); later trips wait for a person. */
  readonly maxTrips: number;
}

/** A group's current streak of guard trips (kept in the group's item: `resumeStreak`, `resumeStreakAt`). */
export interface TripStreak {
  /** Trips in the streak, the last one included (0 = no streak). */
  readonly trips: number;
  /** Epoch milliseconds of the last trip. */
  readonly lastTripAt: number;
}

/** The outcome of planning one trip. */
export interface AutoResumeStep {
  readonly plan: AutoResumePlan;
  /** The streak to keep for the group after this trip. */
  readonly streak: TripStreak;
}

/** The cool-down of trip `trip` (1-based): base × 2^(trip−1), capped at max. */
export function cooldownMs(trip: number, settings: BackoffSettings): number {
  if (trip < 1) return settings.baseMs;
  // 2^(trip−1) overflows nothing useful beyond ~52 doublings: cap the exponent first.
  const exponent = Math.min(trip - 1, 52);
  return Math.min(settings.baseMs * 2 ** exponent, settings.maxMs);
}

/**
 * Whether a streak is still running at `now`: its last trip's planned resume plus one longest
 * cool-down has not passed yet.
 */
export function streakActive(streak: TripStreak, now: number, settings: BackoffSettings): boolean {
  const lastCooldown = streak.trips > settings.maxTrips ? settings.maxMs : cooldownMs(streak.trips, settings);
  return now - streak.lastTripAt < lastCooldown + settings.maxMs;
}

/**
 * Plan the resume of a group that the guard just suspended.
 *
 * @param previous the group's streak before this trip, if one was kept
 * @param now the trip's time (epoch milliseconds)
 * @returns a scheduled resume at `now + cooldown`, or `manual` once the streak passed `maxTrips`,
 *   and the streak to keep
 * @example
 * const s = { baseMs: 15 * 60_000, maxMs: 4 * 3_600_000, maxTrips: 4 };
 * planAutoResume(undefined, 0, s).plan; // { kind: 'scheduled', at: 900000, trip: 1, cooldownMs: 900000 }
 */
export function planAutoResume(
  previous: TripStreak | undefined,
  now: number,
  settings: BackoffSettings,
): AutoResumeStep {
  const continues = previous !== undefined && previous.trips >= 1 && streakActive(previous, now, settings);
  const streak: TripStreak = continues
    ? { trips: previous.trips + 1, lastTripAt: Math.max(now, previous.lastTripAt) }
    : { trips: 1, lastTripAt: now };
  if (streak.trips > settings.maxTrips) {
    return { plan: { kind: 'manual', trip: streak.trips, maxTrips: settings.maxTrips }, streak };
  }
  const cooldown = cooldownMs(streak.trips, settings);
  return {
    plan: { kind: 'scheduled', at: now + cooldown, trip: streak.trips, cooldownMs: cooldown },
    streak,
  };
}

/** What a resume schedule hands to the resumer function (its input JSON). */
export interface ResumeRequest {
  readonly account: string;
  readonly region: string;
  readonly groupName: string;
  /** The processes the guard suspended at this trip. */
  readonly processes: readonly string[];
  /** The trip of the streak this resume belongs to. */
  readonly trip: number;
  /**
   * The `launch-loop-guard:suspended-at` value the guard wrote at this trip. When given, the
   * resumer acts only while the group still carries exactly this value: a later suspension
   * (after a manual resume and a new trip) has its own schedule.
   */
  readonly suspendedAt?: string;
}

/**
 * Read a resumer input. Never throws.
 *
 * @returns the request, or a reason why the input is not one
 */
export function parseResumeRequest(input: unknown): ResumeRequest | { readonly error: string } {
  if (input === null || typeof input !== 'object') return { error: 'input is not an object' };
  const o = input as Record<string, unknown>;
  const group = groupIn(o);
  if ('error' in group) return group;
  const { account, region, groupName } = group;
  const trip = o['trip'];
  if (typeof trip !== 'number' || !Number.isSafeInteger(trip) || trip < 1) {
    return { error: 'input needs trip, a whole number ≥ 1' };
  }
  const raw = o['processes'];
  const processes =
    Array.isArray(raw) && raw.every((p) => typeof p === 'string' && p !== '') ? (raw as string[]) : undefined;
  if (processes === undefined || processes.length === 0) {
    return { error: 'input needs processes, a non-empty list of process names' };
  }
  const suspendedAt = textIn(o, 'suspendedAt');
  return { account, region, groupName, processes, trip, ...(suspendedAt ? { suspendedAt } : {}) };
}

/** A non-empty string field of a resumer input, else undefined. */
function textIn(o: Record<string, unknown>, k: string): string | undefined {
  return typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : undefined;
}

/** The group every resumer input names (account, region, name), or the error saying one is missing. */
function groupIn(
  o: Record<string, unknown>,
):
  | { readonly account: string; readonly region: string; readonly groupName: string }
  | { readonly error: string } {
  const account = textIn(o, 'account');
  const region = textIn(o, 'region');
  const groupName = textIn(o, 'groupName');
  if (account === undefined || region === undefined || groupName === undefined) {
    return { error: 'input needs account, region and groupName' };
  }
  return { account, region, groupName };
}

/** The `action` of a resume a person asks for by invoking the resumer (`aws lambda invoke`). */
export const MANUAL_RESUME_ACTION = 'resume';

/**
 * What a person hands to the resumer function to resume a group, as the alert's
 * `aws lambda invoke … --payload` prints it:
 * `{"action":"resume","account":…,"region":…,"groupName":…}` (optionally `"force":true`).
 * It does what the `resume` command does: the processes the guard suspended, its tags, the
 * group's window, and the auto-resume streak (the person fixed the cause).
 */
export interface ManualResumeRequest {
  readonly action: typeof MANUAL_RESUME_ACTION;
  readonly account: string;
  readonly region: string;
  readonly groupName: string;
  /** Resume even a group the guard did not suspend. */
  readonly force: boolean;
}

/** A resumer input: a schedule's (auto-resume) or a person's. */
export type ResumerInput =
  | { readonly kind: 'scheduled'; readonly request: ResumeRequest }
  | { readonly kind: 'manual'; readonly request: ManualResumeRequest };

/**
 * Read any resumer input. Never throws.
 *
 * @returns a person's request when `action` is `"resume"`, else a schedule's, or why it is neither
 */
export function parseResumerInput(input: unknown): ResumerInput | { readonly error: string } {
  if (input !== null && typeof input === 'object' && 'action' in input) {
    const o = input as Record<string, unknown>;
    if (o['action'] !== MANUAL_RESUME_ACTION) {
      return { error: `input action must be "${MANUAL_RESUME_ACTION}", got ${JSON.stringify(o['action'])}` };
    }
    const group = groupIn(o);
    if ('error' in group) return group;
    const { account, region, groupName } = group;
    if (!/^\d{12}$/.test(account)) return { error: `input account must be 12 digits, got "${account}"` };
    const force = o['force'];
    if (force !== undefined && typeof force !== 'boolean') {
      return { error: 'input force must be true or false' };
    }
    return {
      kind: 'manual',
      request: { action: MANUAL_RESUME_ACTION, account, region, groupName, force: force === true },
    };
  }
  const request = parseResumeRequest(input);
  return 'error' in request ? request : { kind: 'scheduled', request };
}

/**
 * A schedule name for one trip of one group: idempotent (a retry of the same trip gets the same
 * name), within EventBridge Scheduler's 64 characters of `[0-9a-zA-Z-_.]`.
 *
 * @param tripAt the time the trip was claimed (the same on every retry of that trip)
 */
export function scheduleName(groupName: string, tripAt: number, trip: number): string {
  const slug = groupName.replace(/[^0-9A-Za-z-_.]/g, '-').slice(0, 28);
  return `llg-${slug}-${fnv1a(groupName)}-${Math.floor(tripAt / 1000).toString(36)}-${trip}`;
}

/** 32-bit FNV-1a of a string, as 8 hex digits: keeps two long group names with the same prefix apart. */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** EventBridge Scheduler's one-time expression for an epoch time, in UTC, whole seconds rounded up. */
export function atExpression(epochMs: number): string {
  const iso = new Date(Math.ceil(epochMs / 1000) * 1000).toISOString();
  return `at(${iso.slice(0, 19)})`;
}

/** The tags the guard writes on a group it suspends; resuming removes them. */
export const GUARD_TAGS = [TAG.suspendedAt, TAG.reason, TAG.processes] as const;

/** What resuming a group found: the part of a group's state the decision reads. */
export interface ResumableGroup {
  readonly tags: Readonly<Record<string, string>>;
  /** Processes suspended now, by anyone. */
  readonly suspendedProcesses: readonly string[];
}

/** What to do with a group someone asked to resume. */
export type ResumeDecision =
  | { readonly kind: 'gone' }
  /** No `suspended-at` tag: the guard did not suspend it (or it was resumed already). */
  | {
      readonly kind: 'not-guard-suspended';
      readonly suspendedProcesses: readonly string[];
      /** `record` when the guard's trip record (not the tags) was asked. */
      readonly basis?: 'record';
    }
  /** The group carries a later suspension than the one this resume was planned for. */
  | { readonly kind: 'superseded'; readonly suspendedAt: string }
  | {
      readonly kind: 'resume';
      /** Resume exactly these (may be empty: nothing of ours is still suspended, only tags to remove). */
      readonly processes: readonly string[];
      /** Guard tags present on the group, to remove. */
      readonly tagKeys: readonly string[];
      /** True when the group was resumed only because of `force`. */
      readonly forced: boolean;
    };

/** Options of {@link decideResume}. */
export interface ResumeOptions {
  /** Resume even a group the guard did not suspend (its `fallback` processes). */
  readonly force?: boolean;
  /** The processes to resume when the group has no `suspended-processes` tag. @default ['Launch'] */
  readonly fallback?: readonly string[];
  /** Act only while the group's `suspended-at` tag holds exactly this value. */
  readonly expectSuspendedAt?: string;
}

/**
 * Decide how to resume a group. It never resumes what the guard did not suspend: only groups
 * with the guard's `suspended-at` tag (unless forced), only the processes the guard recorded in
 * `suspended-processes` (else the fallback, `Launch`), and only those still suspended.
 *
 * @param group the group's state, or undefined when it does not exist
 */
export function decideResume(group: ResumableGroup | undefined, options: ResumeOptions = {}): ResumeDecision {
  if (group === undefined) return { kind: 'gone' };
  const suspendedAt = group.tags[TAG.suspendedAt];
  const tagKeys = GUARD_TAGS.filter((k) => group.tags[k] !== undefined);
  if (suspendedAt === undefined) {
    if (!options.force) return { kind: 'not-guard-suspended', suspendedProcesses: group.suspendedProcesses };
    return {
      kind: 'resume',
      processes: processesToResume(group.tags, group.suspendedProcesses, options.fallback),
      tagKeys,
      forced: true,
    };
  }
  if (options.expectSuspendedAt !== undefined && options.expectSuspendedAt !== suspendedAt) {
    return { kind: 'superseded', suspendedAt };
  }
  return {
    kind: 'resume',
    processes: processesToResume(group.tags, group.suspendedProcesses, options.fallback),
    tagKeys,
    forced: false,
  };
}

/**
 * The processes to resume: the tag `launch-loop-guard:suspended-processes` (comma-separated)
 * when present, else the fallback (`['Launch']`), and only those suspended now.
 */
export function processesToResume(
  tags: Readonly<Record<string, string>>,
  currentlySuspended: readonly string[],
  fallback: readonly string[] = ['Launch'],
): string[] {
  const tagged = tags[TAG.processes]
    ?.split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const wanted = tagged !== undefined && tagged.length > 0 ? tagged : fallback;
  const now = new Set(currentlySuspended);
  return [...new Set(wanted)].filter((p) => now.has(p));
}

/** The warning shown before resuming Launch (CLI) and in the resume notice. */
export const RESUME_LAUNCH_WARNING =
  'Resuming Launch makes Auto Scaling replace, all at once, every instance it found unhealthy while Launch was suspended.';
