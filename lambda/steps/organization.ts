/**
 * Routing of the central guard (organization mode `central`): for each event, the dependencies
 * that act in the event's own account (built by `wiring.ts`, through that account's member
 * role), and alerts that carry the account's name.
 */
import type { AmiChangeReport } from '../core/ami-change-alert';
import { parseEvent } from '../core/parse-event';
import type { TripReport } from '../core/report';
import type { AccountNameSource, GuardDeps, GuardLog, Notifier, Published } from '../ports';

/** Makes and keeps one adapter per account. */
export function perAccount<T>(make: (account: string) => T): (account: string) => T {
  const made = new Map<string, T>();
  return (account) => {
    let t = made.get(account);
    if (t === undefined) {
      t = make(account);
      made.set(account, t);
    }
    return t;
  };
}

/**
 * The dependencies for one event: its account's (`depsOf`) when the event is a launch (the only
 * kind that reads or changes a group), the shared ones otherwise.
 */
export function routeEvent(
  raw: unknown,
  shared: GuardDeps,
  depsOf: (account: string) => GuardDeps,
): GuardDeps {
  const parsed = parseEvent(raw);
  return parsed.kind === 'launch' ? depsOf(parsed.account) : shared;
}

/**
 * A {@link Notifier} that names the trip's account (AWS Organizations) before it publishes, and
 * marks member accounts so that the alert's `resume` command carries `--account`. A name that
 * cannot be read leaves the alert with the id alone.
 */
export class AccountNamingNotifier implements Notifier {
  constructor(
    private readonly inner: Notifier,
    private readonly names: AccountNameSource,
    private readonly log: GuardLog,
    private readonly isMember: (account: string) => boolean = () => true,
  ) {}

  async publishTrip(report: TripReport): Promise<Published> {
    const lookup = await this.names.nameOf(report.scope.account);
    if (lookup.problem !== undefined) {
      this.log.warn('account name could not be read', {
        account: report.scope.account,
        problem: lookup.problem,
      });
    }
    return this.inner.publishTrip({
      ...report,
      ...(lookup.name ? { accountName: lookup.name } : {}),
      ...(this.isMember(report.scope.account) ? { viaMemberRole: true } : {}),
    });
  }

  publishText(
    subject: string,
    body: string,
    attributes: Readonly<Record<string, string>>,
  ): Promise<Published> {
    return this.inner.publishText(subject, body, attributes);
  }

  /** The AMI-change alert names its account by id (its own format has no account-name field yet). */
  publishAmiChange(report: AmiChangeReport): Promise<Published> {
    return this.inner.publishAmiChange(report);
  }
}
