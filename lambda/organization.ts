/**
 * Wiring of the central guard (organization mode `central`): for each event, the dependencies
 * that act in the event's own account. Auto Scaling and EC2 calls for a member account go
 * through that account's member role; the alert carries the account's name.
 */
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { AccountNameSource } from './adapters/account-names';
import { type AsgSuspender, AutoScalingSuspender, type GroupHistory } from './adapters/asg-suspender';
import { Ec2ImageInfo } from './adapters/ec2-diagnosis';
import type { MemberAccounts, MemberCredentials } from './adapters/member-credentials';
import type { Notifier, Published } from './adapters/notifier';
import type { AmiChangeReport } from './core/ami-change-alert';
import { parseEvent } from './core/parse-event';
import type { TripReport } from './core/report';
import { ImageDiagnoser } from './diagnoser';
import type { Diagnoser, GuardDeps, GuardLog } from './ports';

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

/** What the central guard swaps per account. */
export interface OrganizationDeps {
  readonly suspenderFor: (account: string) => AsgSuspender;
  readonly diagnoserFor?: (account: string) => Diagnoser;
}

/** Client options for one (account, region): the region, and a member role's credentials. */
export type ClientOptions = { region: string; credentials?: () => Promise<MemberCredentials> };

/**
 * The per-account adapters of the central guard: the client factories of today's adapters,
 * extended from (region) to (account, region) with the member role's credentials.
 */
export function memberDeps(
  members: MemberAccounts,
  log: GuardLog,
  clients: {
    readonly autoScaling: (options: ClientOptions) => AutoScalingClient;
    readonly ec2: (options: ClientOptions) => EC2Client;
  },
): OrganizationDeps {
  return {
    suspenderFor: perAccount(
      (account) => new AutoScalingSuspender((region) => members.client(account, region, clients.autoScaling)),
    ),
    diagnoserFor: perAccount(
      (account) =>
        new ImageDiagnoser(new Ec2ImageInfo((region) => members.client(account, region, clients.ec2)), log),
    ),
  };
}

/**
 * The dependencies for one event: its account's suspender and diagnoser when the event is a
 * launch (the only kind that reads or changes a group), the shared ones otherwise.
 */
export function depsForEvent(raw: unknown, base: GuardDeps, org: OrganizationDeps): GuardDeps {
  const parsed = parseEvent(raw);
  if (parsed.kind !== 'launch') return base;
  const account = parsed.account;
  const suspender = org.suspenderFor(account);
  // Judging launches reads the group's activities and hooks through the account's own Auto
  // Scaling adapter. ECS registration and EC2 state reasons are not read across accounts yet:
  // without them launches are judged by Auto Scaling alone (never a failure they cannot see).
  const { ecs: _ecs, instances: _instances, ...shared } = base;
  return {
    ...shared,
    suspender,
    ...(isGroupHistory(suspender) ? { history: suspender } : {}),
    ...(org.diagnoserFor ? { diagnoser: org.diagnoserFor(account) } : {}),
  };
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

function isGroupHistory(s: AsgSuspender): s is AsgSuspender & GroupHistory {
  const h = s as Partial<GroupHistory>;
  return typeof h.departures === 'function' && typeof h.launchHookMs === 'function';
}
