/**
 * Random mutations of real JSON samples, for property tests: drop a field, replace it with any
 * JSON value, give it another JSON type, or inflate a string (oversized or with a control
 * character, as fuzzed identifiers arrive).
 */
import fc from 'fast-check';

export type Path = readonly (string | number)[];

/** Every path to a value inside `value` (objects' keys and arrays' indexes), the root excluded. */
export function pathsOf(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [];
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push([...prefix, i], ...pathsOf(v, [...prefix, i]));
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) out.push([...prefix, k], ...pathsOf(v, [...prefix, k]));
  }
  return out;
}

export type Mutation =
  | { readonly op: 'drop'; readonly at: number }
  | { readonly op: 'replace'; readonly at: number; readonly value: unknown }
  | { readonly op: 'retype'; readonly at: number }
  | { readonly op: 'inflate'; readonly at: number; readonly times: number; readonly control: boolean };

/** Another JSON type for the same data: what a lossy converter or a hand edit produces. */
function retype(v: unknown): unknown {
  if (typeof v === 'string') return /^\d+$/.test(v) ? Number(v) : [v];
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 0;
  if (v === null) return {};
  if (Array.isArray(v)) return v.length === 1 ? v[0] : { item: v };
  return [v];
}

export function applyMutations(
  original: unknown,
  paths: readonly Path[],
  mutations: readonly Mutation[],
): unknown {
  const root: { value: unknown } = { value: structuredClone(original) };
  for (const m of mutations) {
    const path = paths[m.at % paths.length];
    if (path === undefined) continue;
    let parent: unknown = root.value;
    for (const step of path.slice(0, -1)) {
      parent =
        typeof parent === 'object' && parent !== null ? (parent as Record<string, unknown>)[step] : undefined;
    }
    if (typeof parent !== 'object' || parent === null) continue;
    const container = parent as Record<string | number, unknown>;
    const key = path[path.length - 1]!;
    if (!(key in container)) continue;
    if (m.op === 'drop') {
      if (Array.isArray(container) && typeof key === 'number') container.splice(key, 1);
      else delete container[key];
    } else if (m.op === 'replace') {
      container[key] = m.value;
    } else if (m.op === 'inflate') {
      const v = container[key];
      if (typeof v === 'string') container[key] = m.control ? `${v}\u0000` : v.repeat(m.times);
    } else {
      container[key] = retype(container[key]);
    }
  }
  return root.value;
}

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: fc.jsonValue({ maxDepth: 3 }) }),
  fc.record({ op: fc.constant('retype' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('inflate' as const),
    at: fc.nat(),
    times: fc.integer({ min: 2, max: 200 }),
    control: fc.boolean(),
  }),
);
