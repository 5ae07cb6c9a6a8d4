/**
 * A group's own settings, read from its tags: exemption and overrides of the threshold and
 * the window. Also the tag keys the guard writes when it suspends a group.
 */
import { formatDuration, parseDuration, WINDOW_LIMITS } from './duration';

/** The tag keys the guard reads (first three) and writes (the others). */
export const TAG = {
  /** `true` (any case): the guard never acts on this group; it only logs. */
  exempt: 'launch-loop-guard:exempt',
  /** A whole number ≥ 1 that replaces the default group threshold (lower or higher). */
  threshold: 'launch-loop-guard:threshold',
  /** A duration such as `30m` or `2h` that replaces the default window. */
  window: 'launch-loop-guard:window',
  /** A whole number from 2 to {@link MAX_STREAK}, or `off`: the failed launches in a row that trip the group. */
  streak: 'launch-loop-guard:failed-streak',
  /** A duration such as `15m` (1 minute to 1 hour): how long a launch has to become useful. */
  deadline: 'launch-loop-guard:deadline',
  /** The ECS cluster the group's instances must join (for a group that backs no capacity provider). */
  ecsCluster: 'launch-loop-guard:ecs-cluster',
  /** Written on suspension: ISO time of the suspension. */
  suspendedAt: 'launch-loop-guard:suspended-at',
  /** Written on suspension: a short text saying why. */
  reason: 'launch-loop-guard:reason',
  /** Written on suspension: the processes the guard suspended, comma-separated. */
  processes: 'launch-loop-guard:suspended-processes',
} as const;

/** The values used when a group's tags say nothing (or something wrong). */
export interface SettingsDefaults {
  readonly threshold: number;
  readonly windowMs: number;
  /** The longest window a tag may ask for: the store keeps launches no longer than this. */
  readonly maxWindowMs: number;
  /** Failed launches in a row that trip a group; 0 turns the streak rule off. */
  readonly streak: number;
}

/** The shortest streak a tag (or the deployment) may ask for. */
export const MIN_STREAK = 2;
/** The longest streak a tag may ask for: the store keeps at least this many newest launches. */
export const MAX_STREAK = 10;
/** The bounds of a deadline tag. */
export const DEADLINE_BOUNDS_MS = { min: 60_000, max: 60 * 60_000 } as const;

/** What a group's tags decide. */
export interface GroupSettings {
  readonly exempt: boolean;
  readonly threshold: number;
  readonly windowMs: number;
  /** Failed launches in a row that trip the group (0: the streak rule is off for it). */
  readonly streak: number;
  /** The group's launch deadline from its tag, when it has one. */
  readonly deadlineMs?: number;
  /** The ECS cluster named by the group's tag, when it has one. */
  readonly ecsCluster?: string;
  /** One sentence per tag value that was refused (the default was kept); empty when all is well. */
  readonly problems: readonly string[];
}

/**
 * Read a group's settings from its tags.
 *
 * A missing tag means the default. A tag with a wrong value keeps the default and adds a
 * problem sentence, for the guard to log: a typo must never stop the guard from protecting
 * the group, nor silently change what it does.
 *
 * @param tags the group's tags, key to value
 * @param defaults the deployment's defaults
 * @example
 * groupSettings({ 'launch-loop-guard:threshold': '3' }, { threshold: 10, windowMs: 3_600_000, maxWindowMs: 86_400_000 });
 * // { exempt: false, threshold: 3, windowMs: 3_600_000, problems: [] }
 */
export function groupSettings(
  tags: Readonly<Record<string, string>>,
  defaults: SettingsDefaults,
): GroupSettings {
  const problems: string[] = [];
  const deadlineMs = readDeadline(tags[TAG.deadline], problems);
  const ecsCluster = tags[TAG.ecsCluster]?.trim();
  return {
    exempt: readExempt(tags[TAG.exempt], problems),
    threshold: readThreshold(tags[TAG.threshold], defaults.threshold, problems),
    windowMs: readWindow(tags[TAG.window], defaults, problems),
    streak: readStreak(tags[TAG.streak], defaults.streak, problems),
    ...(deadlineMs !== undefined ? { deadlineMs } : {}),
    ...(ecsCluster ? { ecsCluster } : {}),
    problems,
  };
}

function readStreak(raw: string | undefined, fallback: number, problems: string[]): number {
  if (raw === undefined) return fallback;
  const v = raw.trim().toLowerCase();
  if (v === 'off') return 0;
  const n = /^\d{1,2}$/.test(v) ? Number(v) : Number.NaN;
  if (n >= MIN_STREAK && n <= MAX_STREAK) return n;
  problems.push(
    `tag ${TAG.streak}="${raw}" is neither off nor a whole number from ${MIN_STREAK} to ${MAX_STREAK}: the default streak ${fallback} applies`,
  );
  return fallback;
}

function readDeadline(raw: string | undefined, problems: string[]): number | undefined {
  if (raw === undefined) return undefined;
  const ms = parseDuration(raw);
  if (ms !== undefined && ms >= DEADLINE_BOUNDS_MS.min && ms <= DEADLINE_BOUNDS_MS.max) return ms;
  problems.push(
    `tag ${TAG.deadline}="${raw}" is not a duration from 1m to 1h: the group's default deadline applies`,
  );
  return undefined;
}

function readExempt(raw: string | undefined, problems: string[]): boolean {
  if (raw === undefined) return false;
  const v = raw.trim().toLowerCase();
  if (v === 'true') return true;
  if (v !== 'false' && v !== '') {
    problems.push(`tag ${TAG.exempt}="${raw}" is neither true nor false: the group is not exempt`);
  }
  return false;
}

function readThreshold(raw: string | undefined, fallback: number, problems: string[]): number {
  if (raw === undefined) return fallback;
  const v = raw.trim();
  const n = /^\d{1,9}$/.test(v) ? Number(v) : Number.NaN;
  if (Number.isSafeInteger(n) && n >= 1) return n;
  problems.push(
    `tag ${TAG.threshold}="${raw}" is not a whole number ≥ 1: the default threshold ${fallback} applies`,
  );
  return fallback;
}

function readWindow(raw: string | undefined, defaults: SettingsDefaults, problems: string[]): number {
  if (raw === undefined) return defaults.windowMs;
  const fallback = formatDuration(defaults.windowMs);
  const ms = parseDuration(raw);
  if (ms === undefined) {
    problems.push(
      `tag ${TAG.window}="${raw}" is not a duration such as 30m or 2h: the default window ${fallback} applies`,
    );
    return defaults.windowMs;
  }
  if (ms < WINDOW_LIMITS.minMs) {
    problems.push(
      `tag ${TAG.window}="${raw}" is shorter than 1 minute, the shortest window the guard takes: the default window ${fallback} applies`,
    );
    return defaults.windowMs;
  }
  if (ms > defaults.maxWindowMs) {
    problems.push(
      `tag ${TAG.window}="${raw}" is longer than the longest window the store keeps (${formatDuration(defaults.maxWindowMs)}): the default window ${fallback} applies`,
    );
    return defaults.windowMs;
  }
  return ms;
}
