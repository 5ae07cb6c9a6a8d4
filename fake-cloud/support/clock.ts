/**
 * The tests' clock: the launch loop of the incident began on 9 December 2025 at noon UTC.
 */

/** The start of most test timelines (epoch ms). */
export const T0 = Date.UTC(2025, 11, 9, 12, 0, 0);
/** One minute (ms). */
export const MIN = 60_000;
