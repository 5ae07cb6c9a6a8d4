/** The header every parsed record carries (event id, time, account, region, caller), checked. */

import { firstStr, type Json, str } from './event-json';
import { notLaunch } from './event-results';
import { isAccountId, isEventId, isRegion } from './identifiers';
import type { Caller, NotLaunch, RecordHeader } from './types';

interface HeaderInput {
  readonly eventId: unknown;
  readonly eventTime: unknown;
  readonly account: readonly unknown[];
  readonly region: readonly unknown[];
  readonly caller: Caller;
}

/** The record's header, or the not-launch that says which field is missing or malformed. */
export function readHeader(input: HeaderInput): RecordHeader | NotLaunch {
  const eventId = str(input.eventId);
  if (eventId === undefined) return notLaunch('missingEventId', true);
  if (!isEventId(eventId)) return notLaunch('badEventId', true);
  const eventTime = parseEventTime(input.eventTime);
  if (eventTime === undefined) return notLaunch('badEventTime', true);
  const account = firstStr(input.account);
  if (account === undefined) return notLaunch('missingAccount', true);
  if (!isAccountId(account)) return notLaunch('badAccount', true);
  const region = firstStr(input.region);
  if (region === undefined) return notLaunch('missingRegion', true);
  if (!isRegion(region)) return notLaunch('badRegion', true);
  return { account, region, eventId, eventTime, caller: input.caller };
}

/** The caller of a CloudTrail record from its `userIdentity`. */
export function readCaller(identity: Json | undefined): Caller {
  const arn = str(identity?.['arn']) ?? str(identity?.['principalId']);
  const invokedBy = str(identity?.['invokedBy']);
  return { ...(arn === undefined ? {} : { arn }), ...(invokedBy === undefined ? {} : { invokedBy }) };
}

const TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/** How much earlier than the event an activity's `StartTime` may be and still be its launch. */
const START_BEFORE_EVENT_MS = 60 * 60_000;

/**
 * The time of an Auto Scaling event: its activity's `StartTime` (the launch itself) when that
 * is a sane time at most an hour before the event, else the event's `time` (when the instance
 * became InService, a boot later). A launch's deadline counts from its start.
 */
export function launchStart(time: unknown, start: unknown): unknown {
  const at = parseEventTime(time);
  const began = parseEventTime(start);
  if (at === undefined || began === undefined || began > at || at - began > START_BEFORE_EVENT_MS)
    return time;
  return start;
}

/**
 * Read a CloudTrail or EventBridge time as epoch milliseconds truncated to whole seconds.
 *
 * Accepts `2022-10-20T14:16:43Z`, `2022-10-20T14:16:43.123Z`, `+hh:mm` offsets, and the
 * space-separated `2022-10-20 14:16:43` / `2024-12-16 18:41:07.000000000` (UTC when no zone).
 *
 * @returns the time, or undefined when the value is not such a time (or is before 1970).
 */
export function parseEventTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = TIME_PATTERN.exec(value.trim());
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 2024-02-30 over into March: reject days the month does not have.
  if (new Date(utc).getUTCDate() !== day) return undefined;
  const zone = m[7];
  let offsetMs = 0;
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2, 4));
    if (hours > 23 || minutes > 59) return undefined;
    offsetMs = sign * (hours * 60 + minutes) * 60_000;
  }
  return utc - offsetMs;
}
