/**
 * The order `replay` handles records in: by eventTime, then by eventID, whatever the order of
 * the files and of the records inside them.
 */

/** Anything with an eventTime (epoch milliseconds) and an eventID. */
export interface Ordered {
  readonly time: number;
  readonly eventId: string;
}

/**
 * Compare two records by (eventTime, eventID). EventIDs are compared by UTF-16 code units, not
 * by locale, so the order is the same on every machine.
 */
export function compareRecords(a: Ordered, b: Ordered): number {
  if (a.time !== b.time) return a.time - b.time;
  if (a.eventId === b.eventId) return 0;
  return a.eventId < b.eventId ? -1 : 1;
}

/** Sort in place by (eventTime, eventID); records equal on both keep their reading order. */
export function sortRecords<T extends Ordered>(records: T[]): T[] {
  return records.sort(compareRecords);
}
