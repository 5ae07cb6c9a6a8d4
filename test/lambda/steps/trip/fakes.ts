/**
 * Fakes of the ports the trip's phases talk to (`lambda/ports.ts`): plain objects that keep what
 * was written, suspended, tagged, scheduled and published, so that a test asserts outcomes. No
 * dynalite, no SDK mock.
 */

import { guardDeps } from '../../../../fake-cloud/support/guard-deps';
import { type GuardConfig, loadConfig } from '../../../../lambda/config';
import type { ResumeRequest } from '../../../../lambda/core/auto-resume';
import type { KeptFate } from '../../../../lambda/core/fate-item';
import type { TripReport } from '../../../../lambda/core/report';
import { evaluate, type ItemState, type TripProgress } from '../../../../lambda/core/scope-item';
import { SCOPE_KIND, type ScopeKey } from '../../../../lambda/core/types';
import type {
  AsgSuspender,
  ChangeOutcome,
  GroupSnapshot,
  GuardDeps,
  GuardLog,
  GuardMetrics,
  Notifier,
  Published,
  RecordRequest,
  ResumeScheduler,
  ScheduleOutcome,
  ScopeStore,
  ScopeView,
  TagOutcome,
  TripClaim,
  TripOwner,
} from '../../../../lambda/ports';
import type { TripContext } from '../../../../lambda/steps/trip';

export const T0 = Date.UTC(2026, 11, 7, 10, 0, 0);
export const MIN = 60_000;
export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';
export const GROUP = 'web-asg';
export const OWNER = 'invocation-1' as TripOwner;
export const GROUP_KEY: ScopeKey = { scope: SCOPE_KIND.asg, account: ACCOUNT, region: REGION, key: GROUP };

/** The deployment's configuration with these environment values (the required ones filled). */
export function configOf(env: Record<string, string> = {}): GuardConfig {
  return loadConfig({ LLG_TABLE_NAME: 'llg', LLG_TOPIC_ARN: `arn:aws:sns:${REGION}:${ACCOUNT}:llg`, ...env });
}

/** Instance ids i-0…01, i-0…02, … */
export function ids(n: number, from = 1): string[] {
  return Array.from({ length: n }, (_, i) => `i-${(from + i).toString(16).padStart(17, '0')}`);
}

/** An empty item with these fields. */
export function itemOf(fields: Partial<ItemState> = {}): ItemState {
  return {
    ids: new Map(),
    episode: 0,
    cleanupVersion: 0,
    callers: [],
    amis: [],
    groups: new Map(),
    resumeStreak: 0,
    fates: new Map(),
    learned: [],
    ...fields,
  };
}

/**
 * A scope's view after a record write: `launched` launches one minute apart, the newest at
 * `newestAt` (epoch ms; 30 minutes before T0 unless said), counted against `threshold`.
 */
export function viewOf(
  opts: {
    key?: ScopeKey;
    launched?: readonly string[];
    newestAt?: number;
    threshold?: number;
    windowMs?: number;
    before?: Partial<ItemState>;
    groups?: ReadonlyMap<string, number>;
    refreshSettings?: boolean;
    judge?: boolean;
    armed?: boolean;
  } = {},
): ScopeView {
  const launched = opts.launched ?? ids(10);
  const newest = Math.floor((opts.newestAt ?? T0 - 30 * MIN) / 1000);
  const times = new Map(launched.map((id, i) => [id, newest - (launched.length - 1 - i) * 60]));
  const windowMs = opts.windowMs ?? 60 * MIN;
  const last = launched[launched.length - 1];
  return {
    key: opts.key ?? GROUP_KEY,
    before: itemOf({ ids: times, ...opts.before }),
    outcome: {
      ids: times,
      added: last === undefined ? [] : [{ instanceId: last, time: newest }],
      lowered: [],
      duplicates: 0,
    },
    policy: { threshold: opts.threshold ?? 10, windowMs },
    evaluation: evaluate(times, undefined, Math.round(windowMs / 1000)),
    armed: opts.armed ?? true,
    refreshSettings: opts.refreshSettings ?? false,
    judge: opts.judge ?? true,
    requests: 1,
    writeUnits: 1,
    callers: ['arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling'],
    imageIds: ['ami-0123456789abcdef0'],
    groups: opts.groups ?? new Map(),
  };
}

/** A live group: `failed` instances InService but Unhealthy, `useful` ones InService and Healthy. */
export function groupOf(
  opts: {
    name?: string;
    failed?: readonly string[];
    useful?: readonly string[];
    tags?: Record<string, string>;
    suspended?: readonly string[];
    maxSize?: number;
  } = {},
): GroupSnapshot {
  return {
    name: opts.name ?? GROUP,
    tags: opts.tags ?? {},
    instances: [
      ...(opts.failed ?? []).map((instanceId) => ({
        instanceId,
        lifecycleState: 'InService',
        healthStatus: 'Unhealthy',
      })),
      ...(opts.useful ?? []).map((instanceId) => ({
        instanceId,
        lifecycleState: 'InService',
        healthStatus: 'Healthy',
      })),
    ],
    suspendedProcesses: opts.suspended ?? [],
    healthCheckGracePeriodSeconds: 300,
    desiredCapacity: 2,
    minSize: 1,
    maxSize: opts.maxSize ?? 20,
  };
}

/** A store that answers the claim as told and keeps every progress, release and fate written. */
export class FakeStore implements ScopeStore {
  readonly progress: TripProgress[] = [];
  readonly released: { key: ScopeKey; episode: number }[] = [];
  readonly fates = new Map<string, string>();
  /** Every time-to-useful history written. */
  readonly learned: number[][] = [];
  readonly claims: { key: ScopeKey; episode: number; owner: TripOwner }[] = [];
  /** Items `read` returns, by scope key. */
  readonly items = new Map<string, ItemState>();

  /** @param views what `record` answers, by the scope recorded (for a whole `run()`) */
  constructor(
    private readonly claim: TripClaim = { kind: 'claimed' },
    private readonly views?: (req: RecordRequest) => ScopeView,
  ) {}

  async record(req: RecordRequest): Promise<ScopeView> {
    if (this.views === undefined) throw new Error('FakeStore: no view to record');
    return this.views(req);
  }
  async saveSettings(): Promise<void> {}
  async claimTrip(key: ScopeKey, episode: number, owner: TripOwner): Promise<TripClaim> {
    this.claims.push({ key, episode, owner });
    return this.claim;
  }
  async saveProgress(_k: ScopeKey, _e: number, _o: TripOwner, progress: TripProgress): Promise<boolean> {
    this.progress.push(progress);
    return true;
  }
  async releaseTrip(key: ScopeKey, episode: number): Promise<void> {
    this.released.push({ key, episode });
  }
  async rearm(): Promise<void> {}
  async saveFates(_key: ScopeKey, fates: ReadonlyMap<string, string>): Promise<void> {
    for (const [id, fate] of fates) if (!this.fates.has(id)) this.fates.set(id, fate);
  }
  async readFates(): Promise<ReadonlyMap<string, KeptFate>> {
    return new Map();
  }
  async saveLearned(_key: ScopeKey, samples: readonly number[]): Promise<void> {
    this.learned.push([...samples]);
  }
  async read(key: ScopeKey): Promise<ItemState | undefined> {
    return this.items.get(`${key.scope}#${key.key}`);
  }
}

/** Auto Scaling with these groups: counts the reads, keeps what was suspended and tagged. */
export class FakeAsg implements AsgSuspender {
  readonly reads: string[] = [];
  readonly suspended: { name: string; processes: readonly string[] }[] = [];
  readonly tagged: { name: string; tags: Readonly<Record<string, string>> }[] = [];

  constructor(
    readonly groups: Map<string, GroupSnapshot>,
    private readonly outcomes: { suspend?: ChangeOutcome; tag?: TagOutcome } = {},
  ) {}

  async describeGroup(_region: string, name: string): Promise<GroupSnapshot | undefined> {
    this.reads.push(name);
    return this.groups.get(name);
  }
  async suspend(_region: string, name: string, processes: readonly string[]): Promise<ChangeOutcome> {
    if (this.outcomes.suspend === 'gone') return 'gone';
    this.suspended.push({ name, processes });
    return 'done';
  }
  async resume(): Promise<ChangeOutcome> {
    return 'done';
  }
  async tagGroup(_region: string, name: string, tags: Readonly<Record<string, string>>): Promise<TagOutcome> {
    const outcome = this.outcomes.tag ?? 'tagged';
    if (outcome === 'tagged') this.tagged.push({ name, tags });
    return outcome;
  }
  async untagGroup(): Promise<ChangeOutcome> {
    return 'done';
  }
  async listSuspendedGroups(): Promise<GroupSnapshot[]> {
    return [];
  }
}

/** The alerts published. */
export class FakeNotifier implements Notifier {
  readonly trips: TripReport[] = [];
  constructor(private readonly fail = false) {}
  async publishTrip(report: TripReport): Promise<Published> {
    if (this.fail) throw new Error('SNS unavailable');
    this.trips.push(report);
    return { messageId: `m-${this.trips.length}` };
  }
  async publishAmiChange(): Promise<Published> {
    return { messageId: 'm-ami' };
  }
  async publishText(): Promise<Published> {
    return { messageId: 'm-text' };
  }
}

/** Metric totals by name. */
export class FakeMetrics implements GuardMetrics {
  readonly totals = new Map<string, number>();
  count(name: string, value = 1): void {
    this.totals.set(name, (this.totals.get(name) ?? 0) + value);
  }
  /** An amount adds to its total as a count does. */
  amount(name: string, value: number): void {
    this.count(name, value);
  }
}

/** Log lines by level. */
export class FakeLog implements GuardLog {
  readonly lines: { level: string; message: string }[] = [];
  info(message: string): void {
    this.lines.push({ level: 'info', message });
  }
  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }
  error(message: string): void {
    this.lines.push({ level: 'error', message });
  }
}

/** The resumes scheduled. */
export class FakeScheduler implements ResumeScheduler {
  readonly scheduled: { name: string; at: number; groupName: string; trip: number }[] = [];
  async schedule(name: string, at: number, request: ResumeRequest): Promise<ScheduleOutcome> {
    this.scheduled.push({ name, at, groupName: request.groupName, trip: request.trip });
    return 'created';
  }
}

/** Every fake of one trip, and the dependencies made of them. */
export interface TripFakes {
  readonly store: FakeStore;
  readonly asg: FakeAsg;
  readonly notifier: FakeNotifier;
  readonly metrics: FakeMetrics;
  readonly log: FakeLog;
  readonly scheduler: FakeScheduler;
  readonly streaks: { key: ScopeKey; streak: number; at: number }[];
  readonly deps: GuardDeps;
}

/** Fakes for one trip over these groups. */
export function fakesOf(
  opts: {
    groups?: readonly GroupSnapshot[];
    claim?: TripClaim;
    views?: (req: RecordRequest) => ScopeView;
    suspend?: ChangeOutcome;
    tag?: TagOutcome;
    publishFails?: boolean;
  } = {},
): TripFakes {
  const store = new FakeStore(opts.claim, opts.views);
  const asg = new FakeAsg(new Map((opts.groups ?? []).map((g) => [g.name, g])), {
    ...(opts.suspend ? { suspend: opts.suspend } : {}),
    ...(opts.tag ? { tag: opts.tag } : {}),
  });
  const notifier = new FakeNotifier(opts.publishFails);
  const metrics = new FakeMetrics();
  const log = new FakeLog();
  const scheduler = new FakeScheduler();
  const streaks: TripFakes['streaks'] = [];
  const deps = guardDeps({
    counter: store,
    suspender: asg,
    notifier,
    log,
    metrics,
    scheduler,
    streaks: {
      async setResumeStreak(key, streak, at) {
        streaks.push({ key, streak, at });
      },
    },
  });
  return { store, asg, notifier, metrics, log, scheduler, streaks, deps };
}

/** A trip's context over these fakes: the event at `eventTime` (the newest launch unless said). */
export function contextOf(
  fakes: TripFakes,
  view: ScopeView,
  config: GuardConfig,
  extra: Partial<TripContext> & { eventTime?: number } = {},
): TripContext {
  const { eventTime, ...rest } = extra;
  return {
    record: {
      eventId: 'event-1',
      eventTime: eventTime ?? (view.evaluation.newest ?? 0) * 1000,
      instances: [],
    } as unknown as TripContext['record'],
    view,
    deps: fakes.deps,
    config,
    now: T0,
    owner: OWNER,
    ...rest,
  };
}
