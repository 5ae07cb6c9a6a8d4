/**
 * STS adapter for the central guard (organization mode `central`): credentials of a member
 * account's narrow role, assumed on demand and refreshed before they expire, and the per-account
 * client factories built on them. The central account's own groups are reached with the
 * function's own credentials: it assumes nothing for itself.
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { GuardError, type GuardErrorOptions } from '../core/errors';
import type { MemberCredentials } from '../ports';
import { classifyAwsError } from './aws-error';

/** The IAM actions the central function needs for this adapter (on the member roles only). */
export const PERMISSIONS = ['sts:AssumeRole'] as const;

/** Placeholder for the member account in a role ARN template. */
export const ACCOUNT_PLACEHOLDER = '{account}';

/**
 * Assuming a member role failed (not trusted, no such role, STS down): Lambda retries the event.
 * A denial into an account outside the guard's targets carries `failure: 'permanent'`: that
 * account has no member role by design, so the event is logged, counted and dropped.
 */
export class AssumeRoleError extends GuardError {
  constructor(message: string, options?: GuardErrorOptions) {
    super(message, options);
    this.name = 'AssumeRoleError';
  }
}

/** How long before their expiry cached credentials are replaced. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/** The role ARN of one member account, from a template holding {@link ACCOUNT_PLACEHOLDER}. */
export function memberRoleArn(template: string, account: string): string {
  if (!/^\d{12}$/.test(account)) throw new AssumeRoleError(`not an account id: "${account}"`);
  return template.replace(ACCOUNT_PLACEHOLDER, account);
}

/**
 * A credential provider for one member role: `AssumeRole` on first use, the cached result until
 * five minutes before it expires, then a new `AssumeRole`. Concurrent callers share one call.
 *
 * @param sts the STS client (the function's own credentials)
 * @param roleArn the member role
 * @param sessionName appears in the member account's CloudTrail as the caller's session
 * @param isTarget whether the role's account is one of the guard's targets (undefined: unknown);
 *   asked only when STS denies, and only `false` makes the denial permanent
 * @throws AssumeRoleError (from the provider) when STS refuses or fails
 */
export function assumeRoleCredentials(
  sts: STSClient,
  roleArn: string,
  sessionName: string,
  now: () => number = Date.now,
  isTarget?: () => Promise<boolean | undefined>,
): () => Promise<MemberCredentials> {
  let cached: MemberCredentials | undefined;
  let pending: Promise<MemberCredentials> | undefined;
  const fetch = async (): Promise<MemberCredentials> => {
    try {
      const out = await sts.send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: 3600 }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
        throw new AssumeRoleError(`AssumeRole of ${roleArn} returned no credentials`);
      }
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        expiration: new Date(c.Expiration),
      };
    } catch (error) {
      if (error instanceof AssumeRoleError) throw error;
      // A denial is blind (the guard cannot see a target account) unless the account is known
      // not to be a target: then it has no member role by design and retrying cannot help.
      if (classifyAwsError(error) === 'blind' && isTarget !== undefined && (await isTarget()) === false) {
        throw new AssumeRoleError(
          `AssumeRole of ${roleArn} was denied, and its account is not in the guard's target OUs: its events are dropped`,
          { cause: error, failure: 'permanent' },
        );
      }
      throw new AssumeRoleError(`AssumeRole of ${roleArn} failed`, { cause: error });
    }
  };
  return async () => {
    if (cached !== undefined && cached.expiration.getTime() - REFRESH_MARGIN_MS > now()) return cached;
    pending ??= fetch().finally(() => {
      pending = undefined;
    });
    cached = await pending;
    return cached;
  };
}

/**
 * Client factories per (account, region): the home account's own credentials for `homeAccount`,
 * the member role's assumed credentials for every other account. One provider per account, so
 * every region of an account shares one session.
 *
 * @example
 * const members = new MemberAccounts(new STSClient({}), config.organization);
 * new AutoScalingSuspender((region) => members.client(account, region, (o) => new AutoScalingClient(o)));
 */
export class MemberAccounts {
  private readonly providers = new Map<string, () => Promise<MemberCredentials>>();

  /**
   * @param sts the STS client
   * @param settings the role ARN template and the account the function runs in
   * @param isTarget whether an account is a target of the guard (asked after a denied AssumeRole)
   */
  constructor(
    private readonly sts: STSClient,
    private readonly settings: { readonly memberRoleArn: string; readonly homeAccount: string },
    private readonly now: () => number = Date.now,
    private readonly isTarget?: (account: string) => Promise<boolean | undefined>,
  ) {}

  /** Whether calls for `account` need the member role (any account but the home one). */
  isMember(account: string): boolean {
    return account !== this.settings.homeAccount;
  }

  /** The credentials provider of a member account (undefined for the home account). */
  credentials(account: string): (() => Promise<MemberCredentials>) | undefined {
    if (!this.isMember(account)) return undefined;
    let provider = this.providers.get(account);
    if (provider === undefined) {
      const isTarget = this.isTarget;
      provider = assumeRoleCredentials(
        this.sts,
        memberRoleArn(this.settings.memberRoleArn, account),
        'launch-loop-guard',
        this.now,
        isTarget === undefined ? undefined : () => isTarget(account),
      );
      this.providers.set(account, provider);
    }
    return provider;
  }

  /**
   * Make a client for (account, region): `make` receives the region and, for a member account,
   * the assumed-role credentials.
   */
  client<C>(
    account: string,
    region: string,
    make: (options: { region: string; credentials?: () => Promise<MemberCredentials> }) => C,
  ): C {
    const credentials = this.credentials(account);
    return make(credentials === undefined ? { region } : { region, credentials });
  }
}
