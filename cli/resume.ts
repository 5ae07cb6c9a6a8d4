/**
 * `launch-loop-guard resume <group> [--region R] [--table T] [--force]`: resume only the
 * processes the guard suspended, remove its tags, clear the group's window (so it does not trip
 * again at once on the launches that caused the suspension) and reset its auto-resume streak.
 * With `--account ID` (central organization mode) the group is a member account's, reached
 * through its operator role; the window is cleared in the central table.
 */
import { AutoScalingSuspender } from '../lambda/adapters/asg-suspender';
import { DynamoDbScopeStore } from '../lambda/adapters/scope-store';
import { RESUME_LAUNCH_WARNING } from '../lambda/core/auto-resume';
import { TAG } from '../lambda/core/group-settings';
import { SCOPE_KIND } from '../lambda/core/types';
import { describeOutcome, resumeGroup } from '../lambda/steps/resume-group';
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
import { RESUME_HELP } from './help';
import { ACCOUNT_FLAGS, type MemberContext, withMemberAccount } from './member-account';

export const USAGE =
  'usage: resume <group> [--region R] [--table T] [--table-region R] [--force] [--account ID [--role-name NAME]]   (table: --table or LLG_TABLE_NAME)';

/** Exit codes of `resume`. */
export const RESUME_EXIT = { ok: 0, failed: 1, usage: 2, refused: 3 } as const;

export function main(argv: readonly string[], ctx: CliContext = defaultContext()): Promise<number> {
  return runResume(argv, ctx);
}

/** The account of a group, from its ARN (`arn:aws:autoscaling:<region>:<account>:autoScalingGroup:…`). */
function accountOf(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
}

/** Run `resume`; resolves to the exit code. */
export async function runResume(argv: readonly string[], ctx: CliContext): Promise<number> {
  const fail = (message: string, code: number): number => {
    ctx.stderr(`launch-loop-guard resume: ${message}\n`);
    return code;
  };
  let groupName: string;
  let region: string;
  let table: string;
  let tableRegion: string;
  let force: boolean;
  let member: MemberContext;
  try {
    const args = parseArgs(
      argv,
      ['--region', '--table', '--table-region', ...ACCOUNT_FLAGS],
      ['--force', '--help'],
    );
    if (args.flags.has('--help')) {
      ctx.stdout(`${RESUME_HELP}\n`);
      return RESUME_EXIT.ok;
    }
    if (args.positionals.length !== 1) throw new UsageError('give exactly one group name');
    if ((args.values.get('--region')?.length ?? 0) > 1) throw new UsageError('give at most one --region');
    groupName = args.positionals[0]!;
    force = args.flags.has('--force');
    [region] = (await regionsOf(args, ctx)) as [string];
    const t = tableOf(args, ctx);
    if (t === undefined) {
      throw new UsageError(
        "needs the guard's table, to clear the group's window: --table T or LLG_TABLE_NAME",
      );
    }
    table = t;
    tableRegion = tableRegionOf(args, ctx, region);
    member = withMemberAccount(args, ctx);
  } catch (error) {
    if (error instanceof UsageError) return fail(`${error.message}\n${USAGE}`, RESUME_EXIT.usage);
    throw error;
  }

  try {
    const asg = new AutoScalingSuspender(member.ctx.autoScaling);
    const group = await asg.describeGroup(region, groupName);
    if (group === undefined) return fail(`group ${groupName} not found in ${region}`, RESUME_EXIT.failed);
    const account = accountOf(group.arn);
    if (account === undefined)
      return fail(`cannot tell the account of group ${groupName}`, RESUME_EXIT.failed);
    const guarded = force || group.tags[TAG.suspendedAt] !== undefined;
    if (guarded && group.suspendedProcesses.includes('Launch'))
      ctx.stderr(`warning: ${RESUME_LAUNCH_WARNING}\n`);
    const store = new DynamoDbScopeStore(ctx.dynamo(tableRegion), table);
    const outcome = await resumeGroup(
      { scope: SCOPE_KIND.asg, account, region, key: groupName },
      { asg, store },
      { force, resetStreakAt: ctx.now() },
    );
    const text = describeOutcome(groupName, outcome);
    switch (outcome.kind) {
      case 'resume':
        ctx.stdout(`${text}\n`);
        return RESUME_EXIT.ok;
      case 'gone':
        return fail(`group ${groupName} not found in ${region}`, RESUME_EXIT.failed);
      case 'not-guard-suspended':
        return fail(`${text} Refusing: pass --force to resume it anyway.`, RESUME_EXIT.refused);
      case 'superseded':
        return fail(text, RESUME_EXIT.refused);
    }
  } catch (error) {
    return fail(describeAwsError(error), RESUME_EXIT.failed);
  }
}
