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
import { Evaluator, fail, type Iterators, type ModuleScope, type Resolved, type Value } from './evaluate';
import { blockLines, type HclJson, parseTerraform } from './hcl';

export type { Value } from './evaluate';

/** A path that cannot be read (exit 2). */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

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

function asRecord(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : v === undefined ? [] : [v];
}
