/**
 * Reading Terraform files: HashiCorp's own HCL parser (Go, compiled to WebAssembly, shipped in
 * `@cdktf/hcl2json`; no network, no native build) turns a file into its JSON form. That form has no
 * positions, so `blockLines` finds the line of each top-level block header with a small scanner that
 * skips comments, strings and heredocs: it only locates, it never decides what a block says.
 */
import { createRequire } from 'node:module';

/** The part of `@cdktf/hcl2json` used here. */
interface Hcl2Json {
  parse(filename: string, contents: string): Promise<unknown>;
}

let hcl2json: Hcl2Json | undefined;

/**
 * Load the parser on first use (it instantiates its WebAssembly module when loaded). Loaded with
 * `require` rather than `import` because its type declarations pull the DOM library into the whole
 * program (`/// <reference lib="dom" />`), which would let browser-only names type-check anywhere.
 */
function parser(): Hcl2Json {
  hcl2json ??= createRequire(__filename)('@cdktf/hcl2json') as Hcl2Json;
  return hcl2json;
}

/** A `.tf` file the parser rejected. The message names the file, the line and what was expected. */
export class TerraformParseError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'TerraformParseError';
  }
}

/** A Terraform file in the parser's JSON form: block type → labels → list of bodies. */
export type HclJson = Record<string, unknown>;

/**
 * Parse one Terraform file.
 *
 * @param file the path, used in messages
 * @throws TerraformParseError with the file, the line and the parser's words for what it expected
 */
export async function parseTerraform(file: string, text: string): Promise<HclJson> {
  try {
    return (await parser().parse(file, text)) as HclJson;
  } catch (error) {
    throw parseErrorOf(file, error);
  }
}

/**
 * Turn the parser's diagnostics, e.g.
 * `parse config: [main.tf:4,1-2: Invalid expression; Expected the start of an expression, …]`,
 * into `main.tf:4:1: Invalid expression: Expected the start of an expression, …`.
 */
function parseErrorOf(file: string, error: unknown): TerraformParseError {
  const raw = error instanceof Error ? error.message : String(error);
  const body = raw.replace(/^parse config: \[/, '').replace(/\]$/, '');
  // The file name is ours; what follows it is "<line>,<col>-<end>: <summary>; <detail>".
  const at = body.startsWith(`${file}:`) ? body.slice(file.length + 1) : undefined;
  const m = at === undefined ? null : /^(\d+),(\d+)(?:-[\d,]+)?: ([^;]*)(?:; (.*))?$/s.exec(at);
  if (m === null) return new TerraformParseError(file, undefined, `${file}: cannot parse: ${body}`);
  const [, line, col, summary, detail] = m;
  const what = detail === undefined ? summary! : `${summary}: ${detail}`;
  return new TerraformParseError(file, Number(line), `${file}:${line}:${col}: ${what.trim()}`);
}

/**
 * The 1-based line of every top-level block header, keyed by its type and labels joined with
 * dots (`data.aws_ami.amazon_linux`, `module.ami`). Comments, strings and heredocs are skipped.
 */
export function blockLines(text: string): Map<string, number> {
  const found = new Map<string, number>();
  let depth = 0;
  let line = 1;
  let header: string[] = [];
  let headerLine = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      line += 1;
      i += 1;
      if (depth === 0) header = [];
      continue;
    }
    if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < n && text[i] !== '\n') i += 1;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      line += countNewlines(text, i, stop);
      i = stop;
      continue;
    }
    if (c === '"') {
      const { end, value } = readString(text, i);
      line += countNewlines(text, i, end);
      if (depth === 0) header.push(value);
      i = end;
      continue;
    }
    if (c === '<' && text[i + 1] === '<') {
      const m = /^<<-?([A-Za-z_][A-Za-z0-9_]*)[ \t]*\r?\n/.exec(text.slice(i, i + 200));
      if (m !== null) {
        const end = heredocEnd(text, i + m[0].length, m[1]!);
        line += countNewlines(text, i, end);
        i = end;
        continue;
      }
    }
    if (c === '{') {
      if (depth === 0 && header.length > 0) found.set(header.join('.'), headerLine);
      depth += 1;
      i += 1;
      continue;
    }
    if (c === '}') {
      depth = Math.max(0, depth - 1);
      if (depth === 0) header = [];
      i += 1;
      continue;
    }
    if (depth === 0 && /[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_-]/.test(text[j]!)) j += 1;
      if (header.length === 0) headerLine = line;
      header.push(text.slice(i, j));
      i = j;
      continue;
    }
    i += 1;
  }
  return found;
}

function countNewlines(text: string, from: number, to: number): number {
  let k = 0;
  for (let i = from; i < to; i += 1) if (text[i] === '\n') k += 1;
  return k;
}

/** Read a quoted string from its opening quote, skipping escapes and `${ … }` interpolations. */
function readString(text: string, start: number): { end: number; value: string } {
  let i = start + 1;
  let value = '';
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\') {
      value += text.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === '"') return { end: i + 1, value };
    if ((c === '$' || c === '%') && text[i + 1] === '{') {
      // An interpolation may hold strings and braces of its own.
      let depth = 0;
      let j = i + 1;
      for (; j < text.length; j += 1) {
        const d = text[j]!;
        if (d === '"') j = readString(text, j).end - 1;
        else if (d === '{') depth += 1;
        else if (d === '}' && --depth === 0) break;
      }
      value += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (c === '\n') return { end: i, value }; // an unterminated string: the parser has already said so
    value += c;
    i += 1;
  }
  return { end: i, value };
}

/** The index just after the heredoc's closing marker line. */
function heredocEnd(text: string, bodyStart: number, marker: string): number {
  let i = bodyStart;
  while (i < text.length) {
    const nl = text.indexOf('\n', i);
    const lineEnd = nl < 0 ? text.length : nl;
    if (text.slice(i, lineEnd).trim() === marker) return lineEnd;
    if (nl < 0) return text.length;
    i = nl + 1;
  }
  return text.length;
}
