/**
 * The evaluator of `./lookups.ts`: the few Terraform expression forms it resolves from the files
 * alone (literals, `var.x`, `local.x`, `"${…}"` templates, `toset()`/`tolist()`/`tostring()`,
 * `for_each` and `dynamic` iterators); anything else is "unknown", with the reason.
 */

/** A JSON-like Terraform value. */
export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

/** Variables (with their defaults) and locals of one module. */
export interface ModuleScope {
  /** Declared variables; the value is undefined when the variable has no default. */
  readonly vars: ReadonlyMap<string, Value | undefined>;
  /** Locals, unresolved. */
  readonly locals: ReadonlyMap<string, unknown>;
  /** The arguments a `module` block passes to its variables, resolved in the caller. */
  readonly passed?: ReadonlyMap<string, Resolved>;
}

/** Names bound by `for_each` (`each`) and `dynamic` iterators. */
export type Iterators = ReadonlyMap<string, { readonly key: Value; readonly value: Value }>;

/** A value, or why it cannot be known from the files. */
export type Resolved<T = Value> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly why: string };

/** A value that cannot be known, and why. */
export const fail = (why: string): { ok: false; why: string } => ({ ok: false, why });

const REFERENCE = /^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\d+\]|\["[^"\\]*"\])*$/;
const STEP = /\.([A-Za-z_][\w-]*)|\[(\d+)\]|\["([^"\\]*)"\]/g;
const FUNCTIONS = new Set(['toset', 'tolist', 'tostring']);

/** Evaluates the few expression forms listed in this file's summary; anything else is "unknown". */
export class Evaluator {
  private readonly localsBeingResolved = new Set<string>();

  constructor(private readonly scope: ModuleScope) {}

  /** A list of strings (a lone string counts as a list of one). */
  strings(raw: unknown, iterators: Iterators): Resolved<string[]> {
    const r = this.resolve(raw, iterators);
    if (!r.ok) return r;
    const list = Array.isArray(r.value) ? r.value : [r.value];
    const out: string[] = [];
    for (const v of list) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out.push(String(v));
      else return fail(`expected strings, found ${JSON.stringify(v)}`);
    }
    return { ok: true, value: out };
  }

  resolve(raw: unknown, iterators: Iterators): Resolved {
    if (raw === undefined) return fail('missing');
    if (typeof raw === 'string') return this.template(raw, iterators);
    if (Array.isArray(raw)) {
      const out: Value[] = [];
      for (const item of raw) {
        const r = this.resolve(item, iterators);
        if (!r.ok) return r;
        out.push(r.value);
      }
      return { ok: true, value: out };
    }
    if (raw !== null && typeof raw === 'object') {
      const out: Record<string, Value> = {};
      for (const [k, v] of Object.entries(raw)) {
        const r = this.resolve(v, iterators);
        if (!r.ok) return r;
        out[k] = r.value;
      }
      return { ok: true, value: out };
    }
    return { ok: true, value: raw as Value };
  }

  /** A string as the parser gives it: literal text, `${expr}` parts, `$${` for a literal `${`. */
  private template(s: string, iterators: Iterators): Resolved {
    const parts: Array<{ text: string } | { expr: string }> = [];
    let text = '';
    let i = 0;
    while (i < s.length) {
      if (s.startsWith('$${', i) || s.startsWith('%%{', i)) {
        text += s.slice(i + 1, i + 3);
        i += 3;
        continue;
      }
      if (s.startsWith('%{', i)) return fail(`template directive in ${JSON.stringify(s)}`);
      if (s.startsWith('${', i)) {
        const end = closingBrace(s, i + 1);
        if (end < 0) return fail(`unterminated interpolation in ${JSON.stringify(s)}`);
        if (text !== '') parts.push({ text });
        text = '';
        parts.push({ expr: s.slice(i + 2, end).trim() });
        i = end + 1;
        continue;
      }
      text += s[i];
      i += 1;
    }
    if (text !== '' || parts.length === 0) parts.push({ text });
    const only = parts[0];
    if (parts.length === 1 && only !== undefined && 'expr' in only)
      return this.expression(only.expr, iterators);
    let out = '';
    for (const part of parts) {
      if ('text' in part) {
        out += part.text;
        continue;
      }
      const r = this.expression(part.expr, iterators);
      if (!r.ok) return r;
      if (typeof r.value === 'object' && r.value !== null) return fail(`\${${part.expr}} is not a string`);
      out += String(r.value);
    }
    return { ok: true, value: out };
  }

  private expression(expr: string, iterators: Iterators): Resolved {
    const call = /^([a-z_]+)\(([\s\S]*)\)$/.exec(expr);
    if (call !== null) {
      if (!FUNCTIONS.has(call[1]!)) return fail(`function ${call[1]}() is not evaluated here`);
      const inner = this.expression(call[2]!.trim(), iterators);
      if (!inner.ok || call[1] !== 'toset' || !Array.isArray(inner.value)) return inner;
      return { ok: true, value: [...new Map(inner.value.map((v) => [JSON.stringify(v), v])).values()] };
    }
    if (/^-?\d+(\.\d+)?$/.test(expr)) return { ok: true, value: Number(expr) };
    if (expr === 'true' || expr === 'false') return { ok: true, value: expr === 'true' };
    if (expr === 'null') return { ok: true, value: null };
    if (expr.startsWith('"') || expr.startsWith('[') || expr.startsWith('{')) {
      // A literal inside an interpolation (toset(["a", "b"])): JSON when its strings are plain.
      try {
        return this.resolve(JSON.parse(expr) as unknown, iterators);
      } catch {
        return fail(`cannot evaluate ${JSON.stringify(expr)}`);
      }
    }
    if (!REFERENCE.test(expr)) return fail(`cannot evaluate \${${expr}}`);
    return this.reference(expr, iterators);
  }

  private reference(expr: string, iterators: Iterators): Resolved {
    const root = /^[A-Za-z_][\w-]*/.exec(expr)![0];
    const steps = [...expr.slice(root.length).matchAll(STEP)].map((m) => m[1] ?? m[3] ?? Number(m[2]));
    let value: Resolved;
    let rest = steps;
    if (root === 'var' || root === 'local') {
      const name = steps[0];
      if (typeof name !== 'string') return fail(`cannot evaluate \${${expr}}`);
      value = root === 'var' ? this.variable(name) : this.local(name, iterators);
      rest = steps.slice(1);
    } else if (iterators.has(root)) {
      const bound = iterators.get(root)!;
      const which = steps[0];
      if (which !== 'key' && which !== 'value') return fail(`cannot evaluate \${${expr}}`);
      value = { ok: true, value: which === 'key' ? bound.key : bound.value };
      rest = steps.slice(1);
    } else if (root === 'each' || root === 'count') {
      return fail(`\${${expr}} depends on the ${root === 'each' ? 'for_each' : 'count'} of the block`);
    } else {
      return fail(`\${${expr}} is known only at plan time`);
    }
    if (!value.ok) return value;
    let v: Value = value.value;
    for (const step of rest) {
      const next: Value | undefined =
        typeof step === 'number'
          ? Array.isArray(v)
            ? v[step]
            : undefined
          : v !== null && typeof v === 'object' && !Array.isArray(v)
            ? v[step]
            : undefined;
      if (next === undefined) return fail(`\${${expr}}: no ${String(step)} in ${JSON.stringify(v)}`);
      v = next;
    }
    return { ok: true, value: v };
  }

  private variable(name: string): Resolved {
    if (!this.scope.vars.has(name)) return fail(`variable "${name}" is not declared in this module`);
    const passed = this.scope.passed?.get(name);
    if (passed !== undefined) return passed;
    const value = this.scope.vars.get(name);
    if (value === undefined) return fail(`variable "${name}" has no default (its value comes from outside)`);
    return this.resolve(value, new Map());
  }

  private local(name: string, iterators: Iterators): Resolved {
    if (!this.scope.locals.has(name)) return fail(`local "${name}" is not defined in this module`);
    if (this.localsBeingResolved.has(name)) return fail(`local "${name}" refers to itself`);
    this.localsBeingResolved.add(name);
    try {
      return this.resolve(this.scope.locals.get(name), iterators);
    } finally {
      this.localsBeingResolved.delete(name);
    }
  }
}

/** The index of the `}` that closes the `{` at `open`, or -1. Strings inside are skipped. */
function closingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i += 1) {
    const c = s[i];
    if (c === '"') {
      for (i += 1; i < s.length && s[i] !== '"'; i += 1) if (s[i] === '\\') i += 1;
    } else if (c === '{') {
      depth += 1;
    } else if (c === '}') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}
