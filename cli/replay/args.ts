/**
 * The `replay` command line: `[--asg-threshold N] [--ami-threshold N] [--window D] [--format text|json] PATH...`.
 */
import { parseDuration, WINDOW_RULE, windowProblem } from '../../lambda/core/duration';
import { DEFAULTS } from '../../lambda/core/types';

/** Output formats of `replay`. */
export const FORMATS = ['text', 'json'] as const;
export type Format = (typeof FORMATS)[number];

/** What `replay` was asked to do. */
export interface ReplayOptions {
  readonly asgThreshold: number;
  readonly amiThreshold: number;
  /** Window length in milliseconds. */
  readonly windowMs: number;
  readonly format: Format;
  /** Threads that read inputs (1 reads in the main thread); the output never depends on it. */
  readonly threads: number;
  /** First and last day folder (`YYYY/MM/DD`) read from S3. */
  readonly since?: string;
  readonly until?: string;
  /** The AWS profile for S3 (else the standard credential chain). */
  readonly profile?: string;
  /** `--sql athena`: print the query over this table instead of reading anything. */
  readonly sql?: { readonly dialect: 'athena'; readonly table: string };
  /** `--prices FILE`: estimate each trip's cost from this price file (the shape the guard caches). */
  readonly prices?: string;
  /** `--online`: estimate each trip's cost with prices read now from the Price List API. */
  readonly online?: boolean;
  /** Files, directories, or `-` for standard input, in the order given. */
  readonly paths: readonly string[];
}

/** The one-line usage text. */
export const USAGE =
  'usage: replay [--asg-threshold N] [--ami-threshold N] [--window D] [--format text|json] [--threads N]\n' +
  '              [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--profile NAME] [--prices FILE | --online] PATH...\n' +
  '       replay --sql athena [--table DB.TABLE] [--since ...] [--until ...] [thresholds, --window]\n' +
  '  PATH: a CloudTrail log file, a folder of them, - for standard input, or s3://bucket/prefix/\n' +
  '  (--since/--until pick the day folders read from S3; --profile names the AWS profile for S3)';

/** A command line that cannot be run; the message is the one line printed before exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const VALUE_FLAGS = [
  '--asg-threshold',
  '--ami-threshold',
  '--window',
  '--format',
  '--threads',
  '--since',
  '--until',
  '--profile',
  '--sql',
  '--table',
  '--prices',
] as const;

/** The table `--sql` queries unless `--table` names another: the one AWS's Athena guide creates. */
export const DEFAULT_TABLE = 'cloudtrail_logs_pp';

/** The most reading threads `--threads` accepts. */
export const MAX_THREADS = 64;
type ValueFlag = (typeof VALUE_FLAGS)[number];

/**
 * Parse the arguments that follow `replay`.
 *
 * Accepts `--flag value` and `--flag=value`; `--` ends the flags; `-` is a PATH (stdin).
 *
 * @returns the options, or `'help'` for `--help` / `-h`
 * @throws UsageError naming the bad flag or value
 */
export function parseReplayArgs(argv: readonly string[], defaultThreads = 1): ReplayOptions | 'help' {
  const values = new Map<ValueFlag, string>();
  const paths: string[] = [];
  let flagsDone = false;
  let online = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (flagsDone || arg === '-' || !arg.startsWith('-')) {
      paths.push(arg);
      continue;
    }
    if (arg === '--') {
      flagsDone = true;
      continue;
    }
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--online') {
      online = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (!isValueFlag(name)) throw new UsageError(`unknown flag ${name}`);
    if (values.has(name)) throw new UsageError(`${name} given twice`);
    let value: string | undefined;
    if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      value = argv[i + 1];
      i += 1;
    }
    if (value === undefined) throw new UsageError(`${name} needs a value`);
    values.set(name, value);
  }
  const sql = values.get('--sql');
  if (sql !== undefined && sql !== 'athena')
    throw new UsageError(`--sql must be athena, not ${JSON.stringify(sql)}`);
  if (sql !== undefined && paths.length > 0) throw new UsageError('--sql prints a query and reads no PATH');
  if (sql === undefined && values.has('--table')) throw new UsageError('--table goes with --sql athena');
  const table = values.get('--table') ?? DEFAULT_TABLE;
  if (!/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)?$/.test(table)) {
    throw new UsageError(
      `--table must be a table name such as mydb.cloudtrail_logs_pp, not ${JSON.stringify(table)}`,
    );
  }
  if (sql === undefined && paths.length === 0) {
    throw new UsageError('no PATH given (a file, a directory, or - for stdin)');
  }
  if (online && values.has('--prices')) throw new UsageError('--prices and --online: give one');
  if (sql !== undefined && (online || values.has('--prices')))
    throw new UsageError('--sql prints a query: it estimates no cost');
  const format = values.get('--format') ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be text or json, not ${JSON.stringify(format)}`);
  }
  return {
    asgThreshold: threshold(values, '--asg-threshold', DEFAULTS.asgThreshold),
    amiThreshold: threshold(values, '--ami-threshold', DEFAULTS.amiThreshold),
    windowMs: windowMs(values.get('--window')),
    format: format as Format,
    threads: wholeNumber(values, '--threads', defaultThreads, MAX_THREADS),
    ...days(values),
    ...(values.has('--profile') ? { profile: values.get('--profile')! } : {}),
    ...(sql === undefined ? {} : { sql: { dialect: 'athena' as const, table } }),
    ...(values.has('--prices') ? { prices: values.get('--prices')! } : {}),
    ...(online ? { online: true } : {}),
    paths,
  };
}

function isValueFlag(name: string): name is ValueFlag {
  return (VALUE_FLAGS as readonly string[]).includes(name);
}

function threshold(values: Map<ValueFlag, string>, flag: ValueFlag, fallback: number): number {
  const text = values.get(flag);
  if (text === undefined) return fallback;
  const n = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`${flag} must be a whole number of at least 1, not ${JSON.stringify(text)}`);
  }
  return n;
}

function days(values: Map<ValueFlag, string>): { since?: string; until?: string } {
  const out: { since?: string; until?: string } = {};
  for (const flag of ['--since', '--until'] as const) {
    const text = values.get(flag);
    if (text === undefined) continue;
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    const t = Date.parse(`${text}T00:00:00Z`);
    const ok = m !== null && !Number.isNaN(t) && new Date(t).toISOString().startsWith(text);
    if (!ok) throw new UsageError(`${flag} must be a day such as 2025-12-01, not ${JSON.stringify(text)}`);
    out[flag === '--since' ? 'since' : 'until'] = text.replaceAll('-', '/');
  }
  if (out.since !== undefined && out.until !== undefined && out.since > out.until) {
    throw new UsageError('--since must not be after --until');
  }
  return out;
}

function wholeNumber(values: Map<ValueFlag, string>, flag: ValueFlag, fallback: number, max: number): number {
  const text = values.get(flag);
  if (text === undefined) return fallback;
  const n = /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= max)) {
    throw new UsageError(`${flag} must be a whole number from 1 to ${max}, not ${JSON.stringify(text)}`);
  }
  return n;
}

function windowMs(text: string | undefined): number {
  if (text === undefined) return DEFAULTS.windowMs;
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new UsageError(
      `--window must be a duration such as 90s, 15m, 1h or 6h, not ${JSON.stringify(text)}`,
    );
  }
  // The deployed guard's rule (the construct's window prop and LLG_WINDOW share it).
  if (windowProblem(ms) !== undefined) {
    throw new UsageError(`--window ${WINDOW_RULE} (as the deployed guard), not ${JSON.stringify(text)}`);
  }
  return ms;
}
