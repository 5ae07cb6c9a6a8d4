/**
 * `launch-loop-guard status [--region R]... [--table T] [--near SHARE] [--format text|json]
 * [--account ID]`: the groups the guard suspended (found by its tags), and the scopes whose
 * current count is close to their threshold (from the guard's table). With `--account` (central
 * organization mode), groups are read in that member account through its operator role.
 */
import { AutoScalingSuspender } from '../lambda/adapters/asg-suspender';
import { Ec2BillingFacts } from '../lambda/adapters/ec2-billing';
import { PriceListOnDemand } from '../lambda/adapters/price-list';
import { DynamoDbScopeStore } from '../lambda/adapters/scope-store';
import { deleteTagsCommand, shellWord } from '../lambda/core/alert';
import { formatDuration } from '../lambda/core/duration';
import { TAG } from '../lambda/core/group-settings';
import { COST_NOT_COUNTED, costText, type LoopCost } from '../lambda/core/loop-cost';
import { DEFAULTS } from '../lambda/core/types';
import type { GroupSnapshot, ScopeSummary } from '../lambda/ports';
import {
  estimateLaunchCost,
  type LoopCostSources,
  PriceCache,
  unknownCost,
  withinBound,
} from '../lambda/steps/loop-cost';
import {
  type CliContext,
  defaultContext,
  describeAwsError,
  parseArgs,
  regionsOf,
  tableOf,
  tableRegionOf,
  UsageError,
} from './aws-errors';
import { STATUS_HELP } from './help';
import { ACCOUNT_FLAGS, withMemberAccount } from './member-account';

export const USAGE =
  'usage: status [--region R]... [--table T] [--table-region R] [--near SHARE] [--format text|json] [--account ID [--role-name NAME]]   (table: --table or LLG_TABLE_NAME)';

/** A group the guard suspended. */
export interface SuspendedGroup {
  readonly region: string;
  readonly groupName: string;
  readonly suspendedAt: string;
  readonly reason: string;
  /** What the guard suspended (its tag, else Launch). */
  readonly processes: readonly string[];
  /** What is suspended on the group now, by anyone. */
  readonly suspendedNow: readonly string[];
  /** What its instances cost (estimate, USD); absent when not estimated. */
  readonly cost?: LoopCost;
}

/** A scope close to its threshold. */
export interface NearScope {
  readonly scope: string;
  readonly account: string;
  readonly region: string;
  readonly key: string;
  readonly count: number;
  /** True when the store keeps only part of a very busy window: the true count is at least `count`. */
  readonly atLeast: boolean;
  readonly threshold: number;
  readonly windowMs: number;
  readonly newest?: string;
  /** False while the scope's episode is tripped (it will not trip again until it re-arms). */
  readonly armed: boolean;
}

/** What `status --format json` prints. */
export interface StatusReport {
  readonly regions: readonly string[];
  /** The member account read (`--account`); scopes of other accounts are left out. */
  readonly account?: string;
  readonly table?: string;
  readonly suspended: readonly SuspendedGroup[];
  readonly nearThreshold: readonly NearScope[];
  /** The share of the threshold from which a scope is listed. */
  readonly near: number;
}

export function main(argv: readonly string[], ctx: CliContext = defaultContext()): Promise<number> {
  return runStatus(argv, ctx);
}

/** Run `status`; resolves to the exit code (0 ok, 1 AWS failure, 2 usage). */
export async function runStatus(argv: readonly string[], ctx: CliContext): Promise<number> {
  let report: StatusReport;
  let format: string;
  try {
    const args = parseArgs(
      argv,
      ['--region', '--table', '--table-region', '--near', '--format', ...ACCOUNT_FLAGS],
      ['--help'],
    );
    if (args.flags.has('--help')) {
      ctx.stdout(`${STATUS_HELP}\n`);
      return 0;
    }
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
    format = args.values.get('--format')?.at(-1) ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError('--format must be text or json');
    const nearRaw = args.values.get('--near')?.at(-1);
    const near = nearRaw === undefined ? 0.5 : Number(nearRaw);
    if (!Number.isFinite(near) || near <= 0 || near > 1)
      throw new UsageError('--near must be a share in (0, 1]');
    const regions = await regionsOf(args, ctx);
    const member = withMemberAccount(args, ctx);
    report = await collect(
      regions,
      tableOf(args, ctx),
      tableRegionOf(args, ctx, regions[0]!),
      near,
      member.ctx,
      member.account,
    );
  } catch (error) {
    if (error instanceof UsageError) {
      ctx.stderr(`launch-loop-guard status: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    ctx.stderr(`launch-loop-guard status: ${describeAwsError(error)}\n`);
    return 1;
  }
  ctx.stdout(format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderStatus(report, ctx.now()));
  return 0;
}

async function collect(
  regions: readonly string[],
  table: string | undefined,
  tableRegion: string,
  near: number,
  ctx: CliContext,
  account?: string,
): Promise<StatusReport> {
  const asg = new AutoScalingSuspender(ctx.autoScaling);
  const costs = costSources(ctx);
  const suspended: SuspendedGroup[] = [];
  const scopes: NearScope[] = [];
  for (const region of regions) {
    for (const g of await asg.listSuspendedGroups(region)) {
      const tagged = g.tags[TAG.processes]
        ?.split(',')
        .map((p) => p.trim())
        .filter((p) => p !== '');
      suspended.push({
        region,
        groupName: g.name,
        suspendedAt: g.tags[TAG.suspendedAt] ?? '',
        reason: g.tags[TAG.reason] ?? '',
        processes: tagged !== undefined && tagged.length > 0 ? tagged : ['Launch'],
        suspendedNow: g.suspendedProcesses,
        ...(costs ? { cost: await groupCost(costs, region, g, ctx.now()) } : {}),
      });
    }
  }
  if (table !== undefined) {
    // One table holds every region's scopes (a multi-region deployment forwards to its home region).
    const counter = new DynamoDbScopeStore(ctx.dynamo(tableRegion), table);
    const policy = (threshold: number) => ({ threshold, windowMs: DEFAULTS.windowMs });
    const all = await counter.listScopes({
      asg: policy(DEFAULTS.asgThreshold),
      ami: policy(DEFAULTS.amiThreshold),
    });
    for (const s of all) {
      if (account !== undefined && s.key.account !== account) continue;
      if (regions.includes(s.key.region) && isNear(s, near)) scopes.push(nearScope(s));
    }
  }
  suspended.sort((a, b) => a.suspendedAt.localeCompare(b.suspendedAt));
  scopes.sort((a, b) => b.count / b.threshold - a.count / a.threshold);
  return {
    regions,
    ...(account !== undefined ? { account } : {}),
    ...(table !== undefined ? { table } : {}),
    suspended,
    nearThreshold: scopes,
    near,
  };
}

/** The price sources of the CLI context, when it has EC2 and Price List clients. */
function costSources(ctx: CliContext): LoopCostSources | undefined {
  if (!ctx.ec2 || !ctx.pricing) return undefined;
  return {
    facts: new Ec2BillingFacts(ctx.ec2),
    onDemand: new PriceListOnDemand(ctx.pricing),
    cache: new PriceCache(),
  };
}

/** The cost of a suspended group's instances since their launch, within {@link STATUS_COST_WAIT_MS}. */
async function groupCost(
  sources: LoopCostSources,
  region: string,
  g: GroupSnapshot,
  now: number,
): Promise<LoopCost> {
  const launches = g.instances.map((i) => ({ instanceId: i.instanceId, launchedAt: now }));
  return (
    (await withinBound(estimateLaunchCost(sources, region, launches, now, g.maxSize), STATUS_COST_WAIT_MS)) ??
    unknownCost(launches.length, now, g.maxSize)
  );
}

/** How long `status` waits for one group's prices (ms). */
export const STATUS_COST_WAIT_MS = 15_000;

function isNear(s: ScopeSummary, near: number): boolean {
  return s.count > 0 && (s.count >= s.threshold * near || !s.armed);
}

function nearScope(s: ScopeSummary): NearScope {
  return {
    scope: s.key.scope,
    account: s.key.account,
    region: s.key.region,
    key: s.key.key,
    count: s.count,
    atLeast: s.saturated,
    threshold: s.threshold,
    windowMs: s.windowMs,
    ...(s.newest !== undefined ? { newest: new Date(s.newest).toISOString() } : {}),
    armed: s.armed,
  };
}

function ago(iso: string, now: number): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const minutes = Math.max(0, Math.round((now - t) / 60_000));
  return minutes < 120 ? ` (${minutes} min ago)` : ` (${Math.round(minutes / 60)} h ago)`;
}

/** The text form of a status report. */
export function renderStatus(report: StatusReport, now: number): string {
  const lines: string[] = [];
  lines.push(
    `Groups suspended by launch-loop-guard (${report.account ? `account ${report.account}, ` : ''}${report.regions.join(', ')}): ${report.suspended.length}`,
  );
  for (const g of report.suspended) {
    const still = g.processes.filter((p) => g.suspendedNow.includes(p));
    lines.push(`  ${g.region}  ${g.groupName}`);
    lines.push(`    suspended at ${g.suspendedAt || '(unknown)'}${ago(g.suspendedAt, now)}`);
    lines.push(`    reason: ${g.reason || '(none recorded)'}`);
    lines.push(
      `    processes: ${g.processes.join(', ')}${still.length < g.processes.length ? ` (suspended now: ${g.suspendedNow.join(', ') || 'none'})` : ''}`,
    );
    if (g.cost !== undefined) lines.push(`    estimated cost of its instances: ${costText(g.cost)}`);
    // The AWS CLI first: every operator has it; this tool's resume also clears the window and backoff.
    lines.push(
      '    undo with the AWS CLI:',
      `      aws autoscaling resume-processes --auto-scaling-group-name ${shellWord(g.groupName)} --scaling-processes ${g.processes.map(shellWord).join(' ')} --region ${shellWord(g.region)}`,
      `      ${deleteTagsCommand(g.groupName, g.region)}`,
      `    or, also clearing its launch window and backoff: launch-loop-guard resume ${shellWord(g.groupName)} --region ${shellWord(g.region)}${report.table !== undefined ? ` --table ${shellWord(report.table)}` : ''}${report.account ? ` --account ${report.account}` : ''}`,
    );
  }
  if (report.suspended.some((g) => g.cost !== undefined)) lines.push(`  (${COST_NOT_COUNTED})`);
  if (report.table === undefined) {
    lines.push('Scopes near their threshold: not read (pass --table or set LLG_TABLE_NAME)');
  } else {
    lines.push(
      `Scopes at ${Math.round(report.near * 100)}% of their threshold or more (table ${report.table}): ${report.nearThreshold.length}`,
    );
    for (const s of report.nearThreshold) {
      lines.push(
        `  ${s.region}  ${s.scope} ${s.key}  ${s.atLeast ? '≥' : ''}${s.count}/${s.threshold} in ${formatDuration(s.windowMs)}${
          s.armed ? '' : '  (tripped)'
        }${s.newest ? `  newest launch ${s.newest}` : ''}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
