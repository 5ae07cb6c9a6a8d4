/** Units accepted in durations such as `90s`, `15m`, `1h`, `6h`, `2d`. */
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * Parse a duration such as `90s`, `15m`, `1h` or `6h` into milliseconds.
 *
 * @returns the milliseconds, or undefined when the text is not a positive whole number
 *   followed by one of `s`, `m`, `h`, `d`
 */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d{1,9})\s*([smhd])\s*$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!Number.isSafeInteger(n) || n <= 0) return undefined;
  return n * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** Format milliseconds as the shortest exact duration text (`90s`, `15m`, `1h`). */
export function formatDuration(ms: number): string {
  if (ms % UNIT_MS.d === 0) return `${ms / UNIT_MS.d}d`;
  if (ms % UNIT_MS.h === 0) return `${ms / UNIT_MS.h}h`;
  if (ms % UNIT_MS.m === 0) return `${ms / UNIT_MS.m}m`;
  return `${Math.round(ms / 1000)}s`;
}

/**
 * The counting window's bounds: one rule for the construct's `window` prop (`lib/props.ts`), the
 * function's `LLG_WINDOW` (`lambda/config.ts`) and `replay --window`. The upper bound is also the
 * longest window the table keeps launches for.
 */
export const WINDOW_LIMITS = { minMs: 60_000, maxMs: 24 * 3_600_000 } as const;

/** What {@link windowProblem} says about a window out of bounds. */
export const WINDOW_RULE = 'must be whole seconds from 1 minute to 24 hours';

/**
 * Check a window length against {@link WINDOW_LIMITS}.
 *
 * @returns undefined when allowed, else {@link WINDOW_RULE}
 */
export function windowProblem(ms: number): string | undefined {
  const ok =
    Number.isSafeInteger(ms) && ms % 1000 === 0 && ms >= WINDOW_LIMITS.minMs && ms <= WINDOW_LIMITS.maxMs;
  return ok ? undefined : WINDOW_RULE;
}
