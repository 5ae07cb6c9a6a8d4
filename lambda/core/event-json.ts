/** The JSON readers the event parser (`./parse-event.ts`) shares among its parts. */
import { MAX_SYNTHETIC_INSTANCES } from './parse-event-terms';

/** A JSON object. */
export type Json = { readonly [key: string]: unknown };

/** A JSON object (not null, not an array). */
export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value when it is a JSON object, else undefined. */
export function asObject(value: unknown): Json | undefined {
  return isObject(value) ? value : undefined;
}

/** A non-empty string, else undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The first non-empty string among the values. */
export function firstStr(values: readonly unknown[]): string | undefined {
  for (const v of values) {
    const s = str(v);
    if (s !== undefined) return s;
  }
  return undefined;
}

/** An array as is, a lone object as a one-element list (CloudTrail's XML-born shapes), else empty. */
export function list(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return isObject(value) ? [value] : [];
}

/** A whole count ≥ 1 (a number or a digit string), capped at {@link MAX_SYNTHETIC_INSTANCES}. */
export function positiveCount(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isInteger(n) || n < 1) return undefined;
  return Math.min(n, MAX_SYNTHETIC_INSTANCES);
}

/** The value of a tag in a list of `{key, value}` (or `{Key, Value}`) objects. */
export function tagValue(tags: readonly unknown[], key: string): string | undefined {
  for (const tag of tags) {
    if (!isObject(tag)) continue;
    if ((tag['key'] ?? tag['Key']) !== key) continue;
    const value = str(tag['value']) ?? str(tag['Value']);
    if (value !== undefined) return value;
  }
  return undefined;
}
