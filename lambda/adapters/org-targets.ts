/**
 * Organizations adapter for the central guard: whether an account sits in one of the guard's
 * target OUs (or under its target root), by walking `ListParents` up from the account. Used only
 * when assuming an account's member role was denied, to tell a guard outage (a target account:
 * blind) from an account that has no member role by design (not a target: permanent).
 *
 * `ListParents` answers only in the management account or in a delegated administrator of AWS
 * Organizations, like `DescribeAccount` (see the README, "Organizations").
 */
import { ListParentsCommand, type OrganizationsClient } from '@aws-sdk/client-organizations';

/** The IAM actions this adapter calls, for the central function's policy. */
export const PERMISSIONS = ['organizations:ListParents'] as const;

/** An account's place in the organization changes rarely: keep an answer for an hour. */
export const TARGET_TTL_MS = 3_600_000;

/** The deepest OU nesting AWS Organizations allows is five levels below the root. */
const MAX_DEPTH = 6;

/**
 * Whether accounts are targets of the guard, with a per-container cache.
 *
 * @example
 * const targets = new OrganizationsTargets(new OrganizationsClient({}), ['ou-ab12-cdef3456']);
 * await targets.isTarget('111122223333'); // true, false, or undefined when Organizations failed
 */
export class OrganizationsTargets {
  private readonly targets: ReadonlySet<string>;
  private readonly cache = new Map<string, { target: boolean; until: number }>();

  /**
   * @param client the Organizations client (the function's own credentials)
   * @param targets the target OU and root ids, as the stack sets deploy to
   */
  constructor(
    private readonly client: OrganizationsClient,
    targets: readonly string[],
    private readonly now: () => number = Date.now,
  ) {
    this.targets = new Set(targets);
  }

  /**
   * Whether `account` is in a target OU at any depth, or under a target root.
   *
   * @returns undefined when Organizations could not answer (the caller keeps the safe reading)
   */
  async isTarget(account: string): Promise<boolean | undefined> {
    // A target root holds every account of the organization.
    if ([...this.targets].some((t) => t.startsWith('r-'))) return true;
    const hit = this.cache.get(account);
    if (hit !== undefined && hit.until > this.now()) return hit.target;
    let child = account;
    try {
      for (let depth = 0; depth < MAX_DEPTH; depth += 1) {
        const out = await this.client.send(new ListParentsCommand({ ChildId: child }));
        const parent = out.Parents?.[0];
        if (parent?.Id === undefined) return undefined;
        if (this.targets.has(parent.Id)) return this.remember(account, true);
        if (parent.Type === 'ROOT') return this.remember(account, false);
        child = parent.Id;
      }
      return undefined;
    } catch {
      return undefined;
    }
  }

  private remember(account: string, target: boolean): boolean {
    this.cache.set(account, { target, until: this.now() + TARGET_TTL_MS });
    return target;
  }
}
