/**
 * A small implementation of EventBridge event-pattern matching, for tests (no real one can be
 * installed here: AWS's `event-ruler` is Java, and TestEventPattern needs an AWS account).
 *
 * Semantics (from the EventBridge user guide, "Event patterns" and "Content filtering"):
 * - Every field named in the pattern must match; fields the pattern does not name are ignored.
 * - A pattern object descends into the event's object at the same key.
 * - A pattern array lists alternatives for a leaf: the leaf matches if any alternative does.
 *   When the event's value is an array, it matches if any of its elements does.
 * - Alternatives are exact values (strings, numbers, booleans, null; case-sensitive) or
 *   content filters: `prefix`, `suffix`, `anything-but` (a value, a list, or `{prefix}`/`{suffix}`),
 *   `exists`, `numeric`, `equals-ignore-case`, `wildcard`.
 * - A field missing from the event matches only `{exists: false}`.
 * - `$or` holds a list of sub-patterns, one of which must match.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type EventPattern = { readonly [k: string]: unknown };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function wildcardToRegExp(p: string): RegExp {
  const escaped = p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 's');
}

function numericMatch(value: unknown, ops: unknown[]): boolean {
  if (typeof value !== 'number') return false;
  for (let i = 0; i < ops.length; i += 2) {
    const op = ops[i];
    const n = ops[i + 1] as number;
    const ok =
      op === '='
        ? value === n
        : op === '<'
          ? value < n
          : op === '<='
            ? value <= n
            : op === '>'
              ? value > n
              : op === '>='
                ? value >= n
                : (() => {
                    throw new Error(`unsupported numeric operator ${String(op)}`);
                  })();
    if (!ok) return false;
  }
  return true;
}

/** Does one leaf value (never an array) match one alternative? */
function matchAlternative(value: unknown, present: boolean, alt: unknown): boolean {
  if (!isObject(alt)) return present && value === alt;
  const [kind, arg] = Object.entries(alt)[0] ?? [];
  switch (kind) {
    case 'exists':
      return arg === present;
    case 'prefix':
      return present && typeof value === 'string' && typeof arg === 'string' && value.startsWith(arg);
    case 'suffix':
      return present && typeof value === 'string' && typeof arg === 'string' && value.endsWith(arg);
    case 'equals-ignore-case':
      return (
        present &&
        typeof value === 'string' &&
        typeof arg === 'string' &&
        value.toLowerCase() === arg.toLowerCase()
      );
    case 'wildcard':
      return (
        present && typeof value === 'string' && typeof arg === 'string' && wildcardToRegExp(arg).test(value)
      );
    case 'numeric':
      return present && Array.isArray(arg) && numericMatch(value, arg);
    case 'anything-but': {
      if (!present) return false;
      if (isObject(arg)) return !matchAlternative(value, present, arg);
      const excluded = Array.isArray(arg) ? arg : [arg];
      return !excluded.includes(value as Json);
    }
    default:
      throw new Error(`unsupported content filter ${String(kind)}`);
  }
}

function matchLeaf(value: unknown, present: boolean, alternatives: readonly unknown[]): boolean {
  if (present && Array.isArray(value)) {
    return value.some((v) => alternatives.some((alt) => matchAlternative(v, true, alt)));
  }
  return alternatives.some((alt) => matchAlternative(value, present, alt));
}

/**
 * Whether an event matches an EventBridge pattern (in its JSON form: `detail-type`).
 *
 * @throws Error for a pattern that uses a filter this implementation does not know
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  for (const [key, spec] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(spec)) throw new Error('$or must hold a list of patterns');
      if (!spec.some((sub) => matchesPattern(sub as EventPattern, event))) return false;
      continue;
    }
    const present = isObject(event) && Object.hasOwn(event, key);
    const value = present ? (event as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(spec)) {
      if (!matchLeaf(value, present, spec)) return false;
    } else if (isObject(spec)) {
      if (!present || !isObject(value)) {
        // A nested pattern on a missing object can still match when it only asks for absence.
        if (!matchesPattern(spec, {})) return false;
      } else if (!matchesPattern(spec, value)) return false;
    } else {
      throw new Error(`pattern field ${key} must be a list or an object`);
    }
  }
  return true;
}
