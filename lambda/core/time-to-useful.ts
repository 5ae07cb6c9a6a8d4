/**
 * # Judging early: a deadline learned from the group's own launches
 *
 * A launch of an ECS-backed group is useful once its instance registers with the cluster. The
 * fixed deadline (10 minutes, or the grace period plus 5) waits for the slowest group there is;
 * a capacity provider that adds a batch every 5 minutes launches two or three batches before
 * the first is judged. Most clusters' agents register 1–3 minutes after launch, and the group's
 * own history says how long it needs.
 *
 * So each group keeps the time-to-useful (launch → `registeredAt`) of its last
 * {@link LEARN_KEEP} registered launches. Once it has {@link LEARN_MIN_SAMPLES}, its launches
 * are judged at `max(floor, 1.5 × slowest, slowest + 2 min)`, never before {@link EARLY_FLOOR_MS}
 * and never after the configured deadline. A group without that history keeps the configured
 * deadline; a deadline tag overrides both. A group whose launches register slowly (8-minute
 * boots, 15 minutes under a long grace period) learns a long time and keeps it: the learned
 * deadline is always at least half as long again as the slowest launch it has seen.
 *
 * Only registration teaches and only ECS-backed groups use it: for any other group
 * "useful" means InService and Healthy *at the deadline*, and judging that early would call
 * useful an instance that fails its health check after the grace period.
 */

/** Registered launches whose time-to-useful a group keeps. */
export const LEARN_KEEP = 16;
/** The history a group needs before its deadline is learned. */
export const LEARN_MIN_SAMPLES = 5;
/** The earliest a launch is judged, whatever the history. */
export const EARLY_FLOOR_MS = 4 * 60_000;
/** The learned deadline is at least this factor of the slowest time-to-useful seen… */
export const LEARN_FACTOR = 1.5;
/** …and at least this much longer than it. */
export const LEARN_MARGIN_MS = 2 * 60_000;

/** The stored form: whole seconds, newest last, comma-separated. */
export function encodeSamples(samples: readonly number[]): string {
  return samples.map((s) => String(Math.round(s))).join(',');
}

/** Read the stored form back (values that are not whole non-negative seconds are dropped). */
export function decodeSamples(value: string | undefined): number[] {
  if (value === undefined || value === '') return [];
  return value
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n >= 0);
}

/** The history after new samples (seconds): the newest {@link LEARN_KEEP}. */
export function addSamples(old: readonly number[], fresh: readonly number[]): number[] {
  return [...old, ...fresh].slice(-LEARN_KEEP);
}

/**
 * The learned deadline (ms), or undefined when the history is too short.
 *
 * @param samples time-to-useful of recent registered launches, seconds
 * @param configuredMs the deadline the group would get otherwise (the learned one is never later)
 */
export function learnedDeadline(samples: readonly number[], configuredMs: number): number | undefined {
  if (samples.length < LEARN_MIN_SAMPLES) return undefined;
  const slowest = Math.max(...samples) * 1000;
  const learned = Math.max(EARLY_FLOOR_MS, slowest * LEARN_FACTOR, slowest + LEARN_MARGIN_MS);
  return Math.min(configuredMs, Math.ceil(learned / 1000) * 1000);
}

/**
 * The time-to-useful samples a judgement teaches: registered launches not learned before, each
 * `registeredAt − launchedAt` in seconds (a registration before the launch, a clock skew, is 0).
 */
export function samplesOf(
  launches: readonly { readonly instanceId: string; readonly launchedAt: number }[],
  registeredAt: ReadonlyMap<string, number | undefined>,
): number[] {
  const out: number[] = [];
  for (const l of [...launches].sort((a, b) => a.launchedAt - b.launchedAt)) {
    const at = registeredAt.get(l.instanceId);
    if (at !== undefined) out.push(Math.max(0, Math.round((at - l.launchedAt) / 1000)));
  }
  return out;
}
