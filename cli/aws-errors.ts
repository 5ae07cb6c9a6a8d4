/**
 * Shared by `status` and `resume`: argument parsing, the AWS context (clients, region), and
 * one-line messages for AWS failures.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { PricingClient } from '@aws-sdk/client-pricing';
import { ACCESS_DENIED_ERROR_NAMES } from '../lambda/adapters/aws-error';

/** Where a command writes, and how it reaches AWS. Tests pass their own. */
export interface CliContext {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly autoScaling: (region: string) => AutoScalingClient;
  readonly dynamo: (region: string) => DynamoDBClient;
  /** EC2 and Price List clients for cost estimates; without them, commands estimate nothing. */
  readonly ec2?: (region: string) => EC2Client;
  readonly pricing?: (region: string) => PricingClient;
  /** The region of the standard chain (AWS_REGION, the profile's config), or undefined. */
  readonly defaultRegion: () => Promise<string | undefined>;
  readonly now: () => number;
}

/** Price lookups are best effort: short timeouts, one retry. */
const PRICE_LOOKUP = { maxAttempts: 2, requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 } };

/** The real context: the standard AWS credential chain and region. */
export function defaultContext(): CliContext {
  return {
    env: process.env,
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    autoScaling: (region) => new AutoScalingClient({ region }),
    dynamo: (region) => new DynamoDBClient({ region }),
    ec2: (region) => new EC2Client({ region, ...PRICE_LOOKUP }),
    pricing: (region) => new PricingClient({ region, ...PRICE_LOOKUP }),
    defaultRegion: async () => {
      try {
        const client = new AutoScalingClient({});
        const region = await client.config.region();
        client.destroy();
        return region || undefined;
      } catch {
        // The SDK throws when no region is configured anywhere: say so at the call site.
        return undefined;
      }
    },
    now: () => Date.now(),
  };
}

/** A command line that cannot be run (exit 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Parsed flags: repeatable values, booleans, and positionals. */
export interface ParsedArgs {
  readonly values: ReadonlyMap<string, readonly string[]>;
  readonly flags: ReadonlySet<string>;
  readonly positionals: readonly string[];
}

/**
 * Parse `--flag value`, `--flag=value` and boolean `--flag`.
 *
 * @throws UsageError for an unknown flag or a missing value
 */
export function parseArgs(
  argv: readonly string[],
  valueFlags: readonly string[],
  booleanFlags: readonly string[],
): ParsedArgs {
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    // -h is --help wherever --help is a flag (a group is never named -h by accident).
    if (arg === '-h' && booleanFlags.includes('--help')) {
      flags.add('--help');
      continue;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (booleanFlags.includes(name) && eq < 0) {
      flags.add(name);
      continue;
    }
    if (!valueFlags.includes(name)) throw new UsageError(`unknown flag ${name}`);
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
    values.set(name, [...(values.get(name) ?? []), value]);
  }
  return { values, flags, positionals };
}

/** The regions to work in: every `--region`, else the standard chain's region. */
export async function regionsOf(args: ParsedArgs, ctx: CliContext): Promise<string[]> {
  const given = args.values.get('--region') ?? [];
  if (given.length > 0) return [...new Set(given)];
  const region = await ctx.defaultRegion();
  if (region === undefined) throw new UsageError('no region: pass --region R or set AWS_REGION');
  return [region];
}

/**
 * The region of the guard's table: `--table-region`, else `LLG_TABLE_REGION`, else the fallback
 * (a multi-region deployment keeps one table in its home region).
 */
export function tableRegionOf(args: ParsedArgs, ctx: CliContext, fallback: string): string {
  return args.values.get('--table-region')?.at(-1) ?? (ctx.env['LLG_TABLE_REGION']?.trim() || fallback);
}

/** The guard's table: `--table`, else `LLG_TABLE_NAME`. */
export function tableOf(args: ParsedArgs, ctx: CliContext): string | undefined {
  return args.values.get('--table')?.at(-1) ?? (ctx.env['LLG_TABLE_NAME']?.trim() || undefined);
}

function codeOf(error: unknown): string {
  const e = error as { name?: unknown; Code?: unknown; code?: unknown } | null;
  if (typeof e?.Code === 'string') return e.Code;
  if (typeof e?.code === 'string') return e.code;
  return typeof e?.name === 'string' ? e.name : 'Error';
}

/** The innermost error of a `cause` chain (our errors wrap the SDK's). */
function innermost(error: unknown): unknown {
  let e = error;
  for (let depth = 0; depth < 10; depth += 1) {
    const cause = (e as { cause?: unknown } | null)?.cause;
    if (cause === undefined || cause === null) return e;
    e = cause;
  }
  return e;
}

/** One line for an AWS failure, for a person at a terminal. */
export function describeAwsError(error: unknown): string {
  const root = innermost(error);
  const code = codeOf(root);
  const message = (root instanceof Error ? root.message : String(root)).split('\n')[0]!.trim();
  if (code === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return 'no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID, or run `aws sso login`';
  }
  if (code === 'ExpiredToken' || code === 'ExpiredTokenException') {
    return 'the AWS credentials have expired: refresh them (e.g. `aws sso login`) and try again';
  }
  if (ACCESS_DENIED_ERROR_NAMES.has(code)) return `access denied: ${message}`;
  if (code === 'ResourceNotFoundException') return `not found: ${message}`;
  const outer = error instanceof Error && error !== root ? `${error.message}: ` : '';
  return `${outer}${code}: ${message}`;
}
