/**
 * Plays a {@link Scenario} against the real guard: dynalite for its table, the fake cloud for
 * Auto Scaling, ECS, EC2 and SNS (reached through `AWS_ENDPOINT_URL_<SERVICE>` with dummy
 * credentials), the deps of `guard-deps.ts`, and `run(event, deps, config, simNow)` for every
 * delivery in simulated-time order. A failed invocation is retried as Lambda retries an
 * asynchronous event (twice, 1 and 2 minutes later).
 *
 * It reports, per scenario: which groups were suspended and when, the launches before the
 * suspension and since the first failed launch, the alerts, the DynamoDB requests per event per
 * scope (counted at dynalite, as bench/guard.bench.ts does) and the most API calls one group
 * drew in one simulated minute.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createGuardTable, listenDynalite } from '../../fake-cloud/support/dynalite';
import type { CloudPublish } from '../../fake-cloud/wire';
import { type GuardConfig, loadConfig } from '../../lambda/config';
import { type GuardResult, run } from '../../lambda/steps/count';
import { buildGuardDeps, SIM_DEADLINE_QUEUE_URL } from './guard-deps';
import { firstFailedLaunch, isLoop, type Scenario } from './scenarios';
import { World } from './world';
import { ACCOUNT, type Delivery, MINUTE, REGION, SIM_T0 } from './world-model';
import { type FakeCloud, startFakeCloud } from './world-state';

/** The running dynalite and fake cloud, shared by the scenarios of one run. */
export interface SimEnv {
  readonly cloud: FakeCloud;
  readonly dynamoRequests: () => number;
  createTable(): Promise<string>;
  close(): Promise<void>;
}

/** One group's suspension. */
export interface Suspension {
  readonly group: string;
  /** Simulated time of the SuspendProcesses call (epoch ms). */
  readonly at: number;
  /** The group's launches up to then. */
  readonly launchesBefore: number;
}

/** The most calls one group drew in one simulated minute, for one action. */
export interface CallPeak {
  readonly action: string;
  readonly group: string;
  readonly calls: number;
}

/** What one scenario did. */
export interface ScenarioReport {
  readonly name: string;
  readonly seed: number;
  readonly loop: boolean;
  readonly suspensions: readonly Suspension[];
  /** Launches of all the scenario's groups. */
  readonly launches: number;
  /** Loop only: the loop group's first suspension, if any. */
  readonly loopSuspendedAt?: number;
  /** Loop only: launches of the loop groups up to the suspension (all of them when none). */
  readonly launchesBeforeSuspension?: number;
  /** Loop only: launches of the loop groups from the first failed one up to the suspension (or the end). */
  readonly launchesSinceFirstFailure?: number;
  readonly firstFailedAt?: number;
  readonly withinLaunches?: number;
  /**
   * Loop: suspended within its target and paged exactly once ({@link loopAlerts} 1); healthy:
   * never suspended and never called a loop ({@link loopAlerts} 0).
   */
  readonly meetsTarget: boolean;
  readonly alerts: number;
  /**
   * Loop alerts (subject "Launch loop…", group or AMI scope; the AMI-change notice is not one)
   * that name the scenario's groups or their AMIs. Target: 0 for a healthy scenario, 1 for a loop.
   */
  readonly loopAlerts: number;
  /** The scopes those loop alerts named, e.g. `asg web-elb`, `ami ami-0d13…`. */
  readonly loopAlertScopes: readonly string[];
  /** The alerts published during the scenario (SNS messages), oldest first. */
  readonly published: readonly CloudPublish[];
  readonly deliveries: number;
  /** Invocations that threw (each retried up to twice). */
  readonly errors: number;
  readonly deadLetters: number;
  /** DynamoDB requests per event per scope on the path that did not trip, and overall. */
  readonly dynamoPerScopeQuiet: number;
  readonly dynamoPerScopeAll: number;
  /** The largest per-action peak, and the largest all-actions peak. */
  readonly callPeak?: CallPeak;
  readonly callPeakAllActions?: CallPeak;
  /** The most calls of one action that name no group (region-wide lookups) in one minute. */
  readonly regionPeak?: CallPeak;
  /** The first error an invocation threw, as `name: message`. */
  readonly firstError?: string;
  /** Trip outcomes seen, e.g. `churn-blocked: 7`. */
  readonly tripOutcomes: Readonly<Record<string, number>>;
  readonly metrics: Readonly<Record<string, number>>;
}

/** Options of one scenario run. */
export interface RunOptions {
  /** Extra guard environment (e.g. `LLG_CHURN_SHARE`), on top of the table and topic. */
  readonly env?: Readonly<Record<string, string>>;
  /** Play only this long (default: the scenario's own duration). */
  readonly durationMs?: number;
  /** How the guard's deps are built (default: {@link buildGuardDeps}, the handler's wiring). */
  readonly buildDeps?: typeof buildGuardDeps;
  /** Where the guard's log goes, with the simulated time (default: nowhere). */
  readonly log?: (
    level: 'info' | 'warn' | 'error',
    at: number,
    message: string,
    extra: Record<string, unknown>[],
  ) => void;
}

const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:launch-loop-guard-alerts`;
const RETRY_DELAYS = [MINUTE, 2 * MINUTE];

/**
 * Start dynalite and the fake cloud and point the SDK at them through the environment. The SDK
 * reads the variables when a client is created, so this runs before any deps are built.
 */
export async function startSimEnv(): Promise<SimEnv> {
  const server = await listenDynalite();
  const dynamoEndpoint = server.endpoint;
  const cloud = await startFakeCloud(new World({ seed: 1 }));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ENDPOINT_URL_AUTO_SCALING: cloud.endpoint,
    AWS_ENDPOINT_URL_ECS: cloud.endpoint,
    AWS_ENDPOINT_URL_EC2: cloud.endpoint,
    AWS_ENDPOINT_URL_SNS: cloud.endpoint,
    AWS_ENDPOINT_URL_PRICING: cloud.endpoint,
    // The role check's IAM calls (the fake answers them as unknown actions: the role line says so).
    AWS_ENDPOINT_URL_IAM: cloud.endpoint,
    AWS_ACCESS_KEY_ID: 'sim',
    AWS_SECRET_ACCESS_KEY: 'sim',
    AWS_REGION: REGION,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  const admin = new DynamoDBClient({ endpoint: dynamoEndpoint, region: REGION });
  let tables = 0;
  return {
    cloud,
    dynamoRequests: () => server.requests(),
    async createTable() {
      const name = `sim-${++tables}`;
      await createGuardTable(admin, name);
      return name;
    },
    async close() {
      admin.destroy();
      await cloud.close();
      await server.close();
    },
  };
}

/** One invocation to make: an event's delivery (or its retry), or a deferred call of the deps. */
interface Attempt {
  readonly delivery?: Delivery;
  readonly invoke?: (now: number) => Promise<unknown>;
  readonly at: number;
  readonly attempt: number;
}

/** Play one scenario against the guard. */
export async function runScenario(
  scenario: Scenario,
  env: SimEnv,
  options: RunOptions = {},
): Promise<ScenarioReport> {
  const world = new World({ seed: scenario.seed });
  scenario.build(world);
  env.cloud.world = world;
  const callsBefore = env.cloud.calls.length;
  const publishedBefore = env.cloud.published.length;
  const table = await env.createTable();
  const config: GuardConfig = loadConfig({
    LLG_TABLE_NAME: table,
    LLG_TOPIC_ARN: TOPIC,
    LLG_DEADLINE_QUEUE_URL: SIM_DEADLINE_QUEUE_URL,
    ...options.env,
  });
  const metrics = new Map<string, number>();
  // Retries and deferred calls, in simulated time.
  const retries: Attempt[] = [];
  const sink = options.log;
  const level =
    (name: 'info' | 'warn' | 'error') =>
    (message: string, ...extra: Record<string, unknown>[]): void =>
      sink?.(name, world.now, message, extra);
  const deps = (options.buildDeps ?? buildGuardDeps)(config, {
    log: { info: level('info'), warn: level('warn'), error: level('error') },
    metrics: { count: (name, value = 1) => metrics.set(name, (metrics.get(name) ?? 0) + value) },
    now: () => world.now,
    defer: (at, invoke) => {
      retries.push({ invoke, at: Math.max(at, world.now), attempt: 1 });
    },
  });

  const end = SIM_T0 + (options.durationMs ?? scenario.durationMs);
  let deliveries = 0;
  let errors = 0;
  let deadLetters = 0;
  let firstError: string | undefined;
  let scopes = 0;
  let quietScopes = 0;
  let requests = 0;
  let quietRequests = 0;
  const tripOutcomes: Record<string, number> = {};

  const handle = async (a: Attempt): Promise<void> => {
    const before = env.dynamoRequests();
    let result: GuardResult | undefined;
    try {
      if (a.delivery) result = await run(a.delivery.event, deps, config, a.at);
      else await a.invoke?.(a.at);
    } catch (error) {
      errors += 1;
      firstError ??= describeError(error);
      const delay = RETRY_DELAYS[a.attempt - 1];
      if (delay === undefined) deadLetters += 1;
      else retries.push({ ...a, at: a.at + delay, attempt: a.attempt + 1 });
      return;
    }
    if (result === undefined) {
      requests += env.dynamoRequests() - before;
      return;
    }
    const used = env.dynamoRequests() - before;
    const n = result.kind === 'counted' ? result.scopes.length : 0;
    const trips = result.kind === 'counted' ? result.scopes.flatMap((s) => (s.trip ? [s.trip] : [])) : [];
    for (const t of trips) tripOutcomes[t] = (tripOutcomes[t] ?? 0) + 1;
    scopes += n;
    requests += used;
    if (trips.length === 0) {
      quietScopes += n;
      quietRequests += used;
    }
  };

  while (world.now < end) {
    const nextRetry = retries.reduce((m, r) => Math.min(m, r.at), Number.POSITIVE_INFINITY);
    const next = Math.min(
      end,
      world.nextDeliveryAt() ?? Number.POSITIVE_INFINITY,
      nextRetry,
      world.now + MINUTE,
    );
    world.advanceTo(next);
    const due: Attempt[] = world.takeDue(world.now).map((d) => ({ delivery: d, at: d.at, attempt: 1 }));
    for (let i = retries.length - 1; i >= 0; i -= 1) {
      if (retries[i]!.at <= world.now) due.push(...retries.splice(i, 1));
    }
    due.sort((a, b) => a.at - b.at);
    for (const a of due) {
      if (a.attempt === 1 && a.delivery) deliveries += 1;
      await handle(a);
    }
  }

  const suspensions: Suspension[] = [];
  for (const g of world.groups.values()) {
    const at = g.suspended.get('Launch');
    if (at === undefined) continue;
    const launchesBefore = world.launches.filter((l) => l.group === g.name && l.at <= at).length;
    suspensions.push({ group: g.name, at, launchesBefore });
  }
  const calls = env.cloud.calls.slice(callsBefore);
  const alerts = env.cloud.published.length - publishedBefore;
  const named = loopAlertsNaming(
    env.cloud.published.slice(publishedBefore),
    new Set(world.groups.keys()),
    new Set([...world.groups.values()].map((g) => g.spec.imageId)),
  );
  const peaks = callPeaks(calls);
  const base = {
    name: scenario.name,
    seed: scenario.seed,
    loop: isLoop(scenario),
    suspensions,
    launches: world.launches.length,
    alerts,
    loopAlerts: named.length,
    loopAlertScopes: named,
    published: env.cloud.published.slice(publishedBefore),
    deliveries,
    errors,
    deadLetters,
    dynamoPerScopeQuiet: quietScopes === 0 ? 0 : quietRequests / quietScopes,
    dynamoPerScopeAll: scopes === 0 ? 0 : requests / scopes,
    ...peaks,
    tripOutcomes,
    metrics: Object.fromEntries(metrics),
    ...(firstError ? { firstError } : {}),
  };
  if (!isLoop(scenario)) return { ...base, meetsTarget: suspensions.length === 0 && named.length === 0 };

  const loopLaunches = world.launches.filter((l) => scenario.loopGroups.includes(l.group));
  const suspendedAt = suspensions
    .filter((s) => scenario.loopGroups.includes(s.group))
    .reduce((m, s) => Math.min(m, s.at), Number.POSITIVE_INFINITY);
  const first = firstFailedLaunch(scenario, world);
  const before = loopLaunches.filter((l) => l.at <= suspendedAt).length;
  const since = first ? loopLaunches.filter((l) => l.at >= first.at && l.at <= suspendedAt).length : 0;
  const suspended = Number.isFinite(suspendedAt);
  const within = scenario.withinLaunches ?? 12;
  return {
    ...base,
    ...(suspended ? { loopSuspendedAt: suspendedAt } : {}),
    launchesBeforeSuspension: before,
    launchesSinceFirstFailure: since,
    ...(first ? { firstFailedAt: first.at } : {}),
    withinLaunches: within,
    meetsTarget: suspended && since <= within && named.length === 1,
  };
}

/** `  Scope:         Auto Scaling group NAME` or `  Scope:         AMI ami-…`, in an alert's body. */
const SCOPE_LINE = /^\s*Scope:\s+(?:Auto Scaling group (.+)|AMI (\S+))\s*$/m;

/**
 * The loop alerts among published messages that name one of these groups or AMIs, as
 * `asg NAME` / `ami ID`. A loop alert's subject starts "Launch loop" (see `lambda/core/alert.ts`);
 * the AMI-change notice and the trail-change alert are other alerts.
 */
export function loopAlertsNaming(
  published: readonly { readonly subject?: string; readonly message: string }[],
  groups: ReadonlySet<string>,
  images: ReadonlySet<string>,
): string[] {
  const out: string[] = [];
  for (const p of published) {
    if (!(p.subject ?? '').startsWith('Launch loop')) continue;
    const m = SCOPE_LINE.exec(p.message);
    if (m?.[1] !== undefined && groups.has(m[1])) out.push(`asg ${m[1]}`);
    else if (m?.[2] !== undefined && images.has(m[2])) out.push(`ami ${m[2]}`);
  }
  return out;
}

/** Per (group, minute): the most calls of one action, and of all actions together. */
function callPeaks(calls: readonly FakeCloud['calls'][number][]): {
  callPeak?: CallPeak;
  callPeakAllActions?: CallPeak;
  regionPeak?: CallPeak;
} {
  const perAction = new Map<string, number>();
  const perGroup = new Map<string, number>();
  const perRegion = new Map<string, number>();
  for (const c of calls) {
    if (c.group === undefined) {
      if (c.service === 'sns') continue;
      const k = `${c.action}\u0000${Math.floor(c.at / MINUTE)}`;
      perRegion.set(k, (perRegion.get(k) ?? 0) + 1);
      continue;
    }
    const minute = Math.floor(c.at / MINUTE);
    const k1 = `${c.group}\u0000${c.action}\u0000${minute}`;
    const k2 = `${c.group}\u0000${minute}`;
    perAction.set(k1, (perAction.get(k1) ?? 0) + 1);
    perGroup.set(k2, (perGroup.get(k2) ?? 0) + 1);
  }
  let callPeak: CallPeak | undefined;
  for (const [k, n] of perAction) {
    const [group, action] = k.split('\u0000') as [string, string];
    if (!callPeak || n > callPeak.calls) callPeak = { action, group, calls: n };
  }
  let callPeakAllActions: CallPeak | undefined;
  for (const [k, n] of perGroup) {
    const [group] = k.split('\u0000') as [string];
    if (!callPeakAllActions || n > callPeakAllActions.calls)
      callPeakAllActions = { action: '(all)', group, calls: n };
  }
  let regionPeak: CallPeak | undefined;
  for (const [k, n] of perRegion) {
    const [action] = k.split('\u0000') as [string];
    if (!regionPeak || n > regionPeak.calls) regionPeak = { action, group: '(region)', calls: n };
  }
  return {
    ...(callPeak ? { callPeak } : {}),
    ...(callPeakAllActions ? { callPeakAllActions } : {}),
    ...(regionPeak ? { regionPeak } : {}),
  };
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (cause ${error.cause.name}: ${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`;
}

/** `+1h02m` from the simulation's start. */
export function simClock(t: number): string {
  const m = Math.round((t - SIM_T0) / MINUTE);
  return `+${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
