/**
 * Find every `data "aws_ami"` lookup with `most_recent = true` in Terraform files and folders, and
 * work out its filters and owners as far as the files alone allow.
 *
 * A folder is a module: its `.tf` files share variables and locals. Folders are read recursively
 * (local modules included); hidden folders (`.terraform`, `.git`) and `node_modules` are skipped.
 *
 * A local module (`source = "./…"`) that a scanned configuration calls is checked once per call,
 * its variables taken from the call's arguments (address `module.NAME.data.aws_ami.X`); a module
 * that nothing scanned calls is checked once, with its variables' defaults.
 *
 * What is resolved: literals; `var.x` from the variable's `default` in the same module; `local.x`
 * when it resolves in turn; `"${…}"` templates of those; `toset()`/`tolist()`/`tostring()` around
 * them; `for_each` on the data block (one lookup per key, or one for all keys when the filters do
 * not depend on the key); `dynamic "filter"` blocks with a resolvable `for_each`. What is not
 * (a variable without a default, a value from another resource or data source, a `for`
 * expression, a function other than those): the lookup is reported as not checked, with the
 * reason, and never guessed at.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, normalize } from 'node:path';
import { blockLines, type HclJson, parseTerraform } from './hcl';

/** A path that cannot be read (exit 2). */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** A JSON-like Terraform value. */
export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

/** One `filter { name = …, values = […] }`, resolved. */
export interface AmiFilter {
  readonly name: string;
  readonly values: readonly string[];
}

/** A `most_recent` AMI lookup whose filters and owners are known. */
export interface AmiLookup {
  readonly file: string;
  readonly line: number;
  /** `data.aws_ami.NAME`, or `data.aws_ami.NAME["key"]` for one key of a `for_each`. */
  readonly address: string;
  readonly owners: readonly string[];
  /** Every filter of the block, in order (`name` and the others), as `DescribeImages` takes them. */
  readonly filters: readonly AmiFilter[];
  readonly nameRegex?: string;
  readonly includeDeprecated: boolean;
  readonly executableUsers: readonly string[];
}

/** A lookup that could not be checked, and why. */
export interface UncheckedLookup {
  readonly file: string;
  readonly line: number;
  readonly address: string;
  readonly reason: string;
}

/** What the files hold. */
export interface LookupScan {
  readonly files: number;
  readonly lookups: readonly AmiLookup[];
  readonly unchecked: readonly UncheckedLookup[];
}

/**
 * Read the paths (files and folders) and return their AMI lookups.
 *
 * @throws InputError for a path that does not exist or cannot be read
 * @throws TerraformParseError for a file the HCL parser rejects
 */
export async function scanPaths(paths: readonly string[]): Promise<LookupScan> {
  const reported = new Set<string>();
  for (const p of paths) for (const f of terraformFiles(p)) reported.add(f);
  // Variables and locals come from every .tf file of the module (folder), reported or not.
  const modules = new Map<string, string[]>();
  for (const file of reported) {
    const dir = dirname(file);
    if (!modules.has(dir)) modules.set(dir, siblingsOf(dir, file));
  }
  const parsedModules = new Map<string, ParsedFile[]>();
  for (const [dir, files] of [...modules].sort(([a], [b]) => a.localeCompare(b))) {
    const parsed: ParsedFile[] = [];
    for (const file of files) parsed.push(await parseFile(file));
    parsedModules.set(dir, parsed);
  }
  const scopes = new Map([...parsedModules].map(([dir, parsed]) => [dir, moduleScope(parsed)]));
  const callers = moduleCalls(parsedModules, scopes);
  const lookups: AmiLookup[] = [];
  const unchecked: UncheckedLookup[] = [];
  for (const [dir, parsed] of parsedModules) {
    const base = scopes.get(dir)!;
    // A module that a scanned configuration calls is checked once per call, with the call's
    // arguments; one that nothing scanned calls, once, with its variables' defaults.
    const instances = callers.get(dir) ?? [{ prefix: '', scope: base }];
    for (const { prefix, scope } of instances) {
      for (const pf of parsed) {
        if (!reported.has(pf.file)) continue;
        const found = lookupsIn(pf, scope, prefix);
        lookups.push(...found.lookups);
        unchecked.push(...found.unchecked);
      }
    }
  }
  const byPlace = (a: { file: string; line: number; address: string }, b: typeof a) =>
    a.file.localeCompare(b.file) || a.line - b.line || a.address.localeCompare(b.address);
  return { files: reported.size, lookups: lookups.sort(byPlace), unchecked: unchecked.sort(byPlace) };
}

/** The `.tf` files a path names: the file itself, or a folder's, recursively, sorted. */
function terraformFiles(path: string): string[] {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (stat.isFile()) return [normalize(path)];
  if (!stat.isDirectory()) throw new InputError(`cannot read ${path}: not a file or a folder`);
  const out: string[] = [];
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch (error) {
    throw new InputError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.isDirectory()) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      out.push(...terraformFiles(join(path, e.name)));
    } else if (e.isFile() && e.name.endsWith('.tf')) {
      out.push(join(path, e.name));
    }
  }
  return out;
}

/** The module's `.tf` files: the folder's, with `file` itself even when named otherwise. */
function siblingsOf(dir: string, file: string): string[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.tf'));
  } catch (error) {
    throw new InputError(`cannot read ${dir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const files = names.sort().map((n) => join(dir, n));
  if (!names.includes(basename(file))) files.push(file);
  return files;
}

interface ParsedFile {
  readonly file: string;
  readonly json: HclJson;
  readonly lines: Map<string, number>;
}

async function parseFile(file: string): Promise<ParsedFile> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return { file, json: await parseTerraform(file, text), lines: blockLines(text) };
}

/** Variables (with their defaults) and locals of one module. */
interface ModuleScope {
  /** Declared variables; the value is undefined when the variable has no default. */
  readonly vars: ReadonlyMap<string, Value | undefined>;
  /** Locals, unresolved. */
  readonly locals: ReadonlyMap<string, unknown>;
  /** The arguments a `module` block passes to its variables, resolved in the caller. */
  readonly passed?: ReadonlyMap<string, Resolved>;
}

/** The `module` block arguments that are not input variables. */
const MODULE_META = new Set(['source', 'version', 'providers', 'count', 'for_each', 'depends_on']);

/**
 * The calls of local modules (`source = "./…"` or `"../…"`) among the scanned folders: for each
 * called folder, one scope per call, with the call's arguments resolved in the caller and the
 * address prefix `module.NAME.`. Calls one level deep: a caller's own caller is not followed.
 */
function moduleCalls(
  modules: ReadonlyMap<string, readonly ParsedFile[]>,
  scopes: ReadonlyMap<string, ModuleScope>,
): Map<string, Array<{ prefix: string; scope: ModuleScope }>> {
  const calls = new Map<string, Array<{ prefix: string; scope: ModuleScope }>>();
  for (const [dir, parsed] of modules) {
    const ev = new Evaluator(scopes.get(dir)!);
    for (const { json } of parsed) {
      for (const [name, bodies] of Object.entries(asRecord(json['module']))) {
        const body = asRecord(asArray(bodies)[0]);
        const source = body['source'];
        if (typeof source !== 'string' || !/^\.\.?\//.test(source)) continue;
        const target = join(dir, source);
        const called = scopes.get(target);
        if (called === undefined) continue;
        const passed = new Map<string, Resolved>();
        for (const [arg, raw] of Object.entries(body)) {
          if (MODULE_META.has(arg)) continue;
          const value = ev.resolve(raw, new Map());
          passed.set(arg, value.ok ? value : fail(`module "${name}" passes ${arg}: ${value.why}`));
        }
        const list = calls.get(target) ?? [];
        list.push({ prefix: `module.${name}.`, scope: { ...called, passed } });
        calls.set(target, list);
      }
    }
  }
  return calls;
}

function moduleScope(files: readonly ParsedFile[]): ModuleScope {
  const vars = new Map<string, Value | undefined>();
  const locals = new Map<string, unknown>();
  for (const { json } of files) {
    for (const [name, bodies] of Object.entries(asRecord(json['variable']))) {
      const body = asRecord(asArray(bodies)[0]);
      vars.set(name, 'default' in body ? (body['default'] as Value) : undefined);
    }
    for (const body of asArray(json['locals'])) {
      for (const [name, value] of Object.entries(asRecord(body))) locals.set(name, value);
    }
  }
  return { vars, locals };
}

/** Names bound by `for_each` (`each`) and `dynamic` iterators. */
type Iterators = ReadonlyMap<string, { readonly key: Value; readonly value: Value }>;

/** A value, or why it cannot be known from the files. */
type Resolved<T = Value> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly why: string };

const fail = (why: string): { ok: false; why: string } => ({ ok: false, why });

function lookupsIn(
  pf: ParsedFile,
  scope: ModuleScope,
  prefix: string,
): { lookups: AmiLookup[]; unchecked: UncheckedLookup[] } {
  const lookups: AmiLookup[] = [];
  const unchecked: UncheckedLookup[] = [];
  const data = asRecord(asRecord(pf.json['data'])['aws_ami']);
  for (const [name, bodies] of Object.entries(data)) {
    const line = pf.lines.get(`data.aws_ami.${name}`) ?? 0;
    const address = `${prefix}data.aws_ami.${name}`;
    for (const raw of asArray(bodies)) {
      const body = asRecord(raw);
      const ev = new Evaluator(scope);
      const mostRecent = ev.resolve(body['most_recent'] ?? false, new Map());
      // Without most_recent, several matches make Terraform fail rather than pick one.
      if (mostRecent.ok && mostRecent.value !== true && mostRecent.value !== 'true') continue;
      const where = { file: pf.file, line, address };
      if (!mostRecent.ok) {
        unchecked.push({ ...where, reason: `most_recent: ${mostRecent.why}` });
        continue;
      }
      const single = lookupOf(body, ev, new Map(), where);
      if (body['for_each'] === undefined || single.ok) {
        if (single.ok) lookups.push(single.value);
        else unchecked.push({ ...where, reason: single.why });
        continue;
      }
      // The filters depend on each.key / each.value: one lookup per key of the for_each.
      const keys = ev.resolve(body['for_each'], new Map());
      if (!keys.ok) {
        unchecked.push({ ...where, reason: `${single.why}, and for_each: ${keys.why}` });
        continue;
      }
      for (const { key, value } of entriesOf(keys.value)) {
        const at = { ...where, address: `${address}[${JSON.stringify(String(key))}]` };
        const one = lookupOf(body, ev, new Map([['each', { key, value }]]), at);
        if (one.ok) lookups.push(one.value);
        else unchecked.push({ ...at, reason: one.why });
      }
    }
  }
  return { lookups, unchecked };
}

function lookupOf(
  body: Record<string, unknown>,
  ev: Evaluator,
  iterators: Iterators,
  where: { file: string; line: number; address: string },
): Resolved<AmiLookup> {
  const owners = ev.strings(body['owners'] ?? [], iterators);
  if (!owners.ok) return fail(`owners: ${owners.why}`);
  const filters = filtersOf(body, ev, iterators);
  if (!filters.ok) return filters;
  let nameRegex: string | undefined;
  if (body['name_regex'] !== undefined) {
    const r = ev.resolve(body['name_regex'], iterators);
    if (!r.ok) return fail(`name_regex: ${r.why}`);
    nameRegex = String(r.value);
  }
  const deprecated = ev.resolve(body['include_deprecated'] ?? false, iterators);
  const users = ev.strings(body['executable_users'] ?? [], iterators);
  if (!users.ok) return fail(`executable_users: ${users.why}`);
  return {
    ok: true,
    value: {
      ...where,
      owners: owners.value,
      filters: filters.value,
      ...(nameRegex === undefined ? {} : { nameRegex }),
      includeDeprecated: deprecated.ok && (deprecated.value === true || deprecated.value === 'true'),
      executableUsers: users.value,
    },
  };
}

/** Static `filter` blocks, then `dynamic "filter"` blocks expanded over their `for_each`. */
function filtersOf(
  body: Record<string, unknown>,
  ev: Evaluator,
  iterators: Iterators,
): Resolved<AmiFilter[]> {
  const out: AmiFilter[] = [];
  for (const block of asArray(body['filter'])) {
    const f = filterOf(asRecord(block), ev, iterators);
    if (!f.ok) return f;
    out.push(f.value);
  }
  for (const dyn of asArray(asRecord(body['dynamic'])['filter'])) {
    const d = asRecord(dyn);
    const iterator =
      typeof d['iterator'] === 'string' ? d['iterator'].replace(/^\$\{(.*)\}$/, '$1') : 'filter';
    const each = ev.resolve(d['for_each'], iterators);
    if (!each.ok) return fail(`dynamic "filter" for_each: ${each.why}`);
    const content = asRecord(asArray(d['content'])[0]);
    for (const entry of entriesOf(each.value)) {
      const f = filterOf(content, ev, new Map([...iterators, [iterator, entry]]));
      if (!f.ok) return fail(`dynamic "filter": ${f.why}`);
      out.push(f.value);
    }
  }
  return { ok: true, value: out };
}

function filterOf(block: Record<string, unknown>, ev: Evaluator, iterators: Iterators): Resolved<AmiFilter> {
  const name = ev.resolve(block['name'], iterators);
  if (!name.ok) return fail(`filter name: ${name.why}`);
  const values = ev.strings(block['values'], iterators);
  if (!values.ok) return fail(`filter "${String(name.value)}" values: ${values.why}`);
  return { ok: true, value: { name: String(name.value), values: values.value } };
}

/** The (key, value) pairs a `for_each` walks: a map's entries, a list's or set's elements. */
function entriesOf(collection: Value): Array<{ key: Value; value: Value }> {
  if (Array.isArray(collection)) {
    // A set of strings (the usual toset([...])) is keyed by its elements.
    return collection.map((value, i) => ({ key: typeof value === 'string' ? value : i, value }));
  }
  if (collection !== null && typeof collection === 'object') {
    return Object.entries(collection).map(([key, value]) => ({ key, value }));
  }
  return [];
}

const REFERENCE = /^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[\d+\]|\["[^"\\]*"\])*$/;
const STEP = /\.([A-Za-z_][\w-]*)|\[(\d+)\]|\["([^"\\]*)"\]/g;
const FUNCTIONS = new Set(['toset', 'tolist', 'tostring']);

/** Evaluates the few expression forms listed in this file's summary; anything else is "unknown". */
class Evaluator {
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

function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}
