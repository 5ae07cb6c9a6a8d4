/**
 * # The count rule: trips and episodes
 *
 * A scope trips when its trailing count (see `window.ts`) reaches its threshold (count ≥
 * threshold). It trips at most once per episode. An episode ends when a record that adds a
 * new launch to the scope finds the trailing count, that launch included, below the threshold:
 * that launch re-arms the scope. A scope starts armed.
 *
 * The rule is evaluated after every record that changed the scope's state (added an id or
 * lowered an id's time). Only a record that added an id can re-arm.
 *
 * This is the count rule only. The live guard confirms a trip against the group's live state
 * (the churn check) before it acts; a trip that the check blocks leaves the scope armed.
 */

/** The outcome of evaluating the count rule once. */
export interface EpisodeStep {
  /** True when this evaluation trips the scope. */
  readonly trip: boolean;
  /** Whether the scope is armed after this evaluation. */
  readonly armed: boolean;
  /** True when this evaluation ended an episode (re-armed a tripped scope). */
  readonly rearmed: boolean;
}

/**
 * Apply the count rule.
 *
 * @param armed whether the scope was armed before this record
 * @param count the trailing count after this record
 * @param threshold the scope's threshold (≥ 1)
 * @param addedNew whether this record added at least one new id to the scope
 * @returns whether it trips and the new armed state
 * @example
 * stepEpisode(true, 10, 10, true); // { trip: true, armed: false, rearmed: false }
 * stepEpisode(false, 3, 10, true); // { trip: false, armed: true, rearmed: true }
 */
export function stepEpisode(
  armed: boolean,
  count: number,
  threshold: number,
  addedNew: boolean,
): EpisodeStep {
  if (count >= threshold) {
    return armed
      ? { trip: true, armed: false, rearmed: false }
      : { trip: false, armed: false, rearmed: false };
  }
  if (addedNew && !armed) return { trip: false, armed: true, rearmed: true };
  return { trip: false, armed, rearmed: false };
}
