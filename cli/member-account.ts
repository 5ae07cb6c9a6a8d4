/**
 * `--account ID [--role-name NAME]` of `status` and `resume` (central organization mode): the
 * Auto Scaling calls go to the member account through its operator role, assumed with the
 * caller's own credentials (a person or pipeline in the central account).
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { EC2Client } from '@aws-sdk/client-ec2';
import { STSClient } from '@aws-sdk/client-sts';
import { assumeRoleCredentials } from '../lambda/adapters/member-credentials';
import type { MemberCredentials } from '../lambda/ports';
import { type CliContext, type ParsedArgs, UsageError } from './aws-errors';

/** The flags this adds to a command (both take a value). */
export const ACCOUNT_FLAGS = ['--account', '--role-name'] as const;

/** The role `--account` assumes unless `--role-name` names another (see lib/member-role.ts). */
export const DEFAULT_OPERATOR_ROLE = 'LaunchLoopGuardOperator';

/** The AWS partition of a region (role ARNs differ in China and GovCloud). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** A context whose Auto Scaling clients act in the `--account` given, and that account. */
export interface MemberContext {
  readonly ctx: CliContext;
  readonly account?: string;
}

/**
 * Apply `--account` and `--role-name` to the context; without `--account`, the context as is.
 *
 * @param sts makes the STS client that assumes the role (tests pass a mocked one)
 * @throws UsageError when the account id or the role name is malformed
 */
export function withMemberAccount(
  args: ParsedArgs,
  ctx: CliContext,
  sts: (region: string) => STSClient = (region) => new STSClient({ region }),
): MemberContext {
  const account = args.values.get('--account')?.at(-1);
  const roleName = args.values.get('--role-name')?.at(-1);
  if (account === undefined) {
    if (roleName !== undefined) throw new UsageError('--role-name needs --account');
    return { ctx };
  }
  if (!/^\d{12}$/.test(account))
    throw new UsageError(`--account must be a 12-digit account id, got "${account}"`);
  const role = roleName ?? DEFAULT_OPERATOR_ROLE;
  if (!/^[\w+=,.@-]{1,64}$/.test(role))
    throw new UsageError(`--role-name must be an IAM role name, got "${role}"`);
  // One session for the whole command, assumed through STS in the first region asked for.
  let provider: (() => Promise<MemberCredentials>) | undefined;
  const credentials = (region: string) => {
    provider ??= assumeRoleCredentials(
      sts(region),
      `arn:${partitionOf(region)}:iam::${account}:role/${role}`,
      'launch-loop-guard-cli',
    );
    return provider;
  };
  return {
    account,
    ctx: {
      ...ctx,
      autoScaling: (region) => new AutoScalingClient({ region, credentials: credentials(region) }),
      // The member's instances are read in the member account; prices are public, read as is.
      ...(ctx.ec2
        ? { ec2: (region: string) => new EC2Client({ region, credentials: credentials(region) }) }
        : {}),
    },
  };
}
