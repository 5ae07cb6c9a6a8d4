/**
 * Organizations adapter for the central guard: the name of a member account, for alerts
 * (`DescribeAccount`, cached). Best effort: an alert without the name is still an alert, so a
 * failure comes back as undefined, is cached for a shorter time, and is logged by the caller.
 *
 * `DescribeAccount` answers only in the management account or in a delegated administrator of
 * AWS Organizations (see the README, "Organizations").
 */
import { DescribeAccountCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';
import type { AccountNameLookup, AccountNameSource } from '../ports';

/** The IAM actions this adapter calls, for the central function's policy. */
export const PERMISSIONS = ['organizations:DescribeAccount'] as const;

/** Account names change rarely: keep one for a day. */
export const NAME_TTL_MS = 24 * 3_600_000;
/** A failed lookup is tried again after this long. */
export const FAILURE_TTL_MS = 15 * 60_000;

/**
 * {@link AccountNameSource} over AWS Organizations, with a per-container cache.
 *
 * @example
 * const names = new OrganizationsAccountNames(new OrganizationsClient({}));
 */
export class OrganizationsAccountNames implements AccountNameSource {
  private readonly cache = new Map<string, { lookup: AccountNameLookup; until: number }>();

  constructor(
    private readonly client: OrganizationsClient,
    private readonly now: () => number = Date.now,
  ) {}

  async nameOf(account: string): Promise<AccountNameLookup> {
    const hit = this.cache.get(account);
    if (hit !== undefined && hit.until > this.now()) return hit.lookup;
    let lookup: AccountNameLookup;
    let ttl = NAME_TTL_MS;
    try {
      const out = await this.client.send(new DescribeAccountCommand({ AccountId: account }));
      lookup = out.Account?.Name ? { name: out.Account.Name } : {};
    } catch (error) {
      lookup = { problem: error instanceof Error ? error.name : String(error) };
      ttl = FAILURE_TTL_MS;
    }
    this.cache.set(account, { lookup, until: this.now() + ttl });
    return lookup;
  }
}
