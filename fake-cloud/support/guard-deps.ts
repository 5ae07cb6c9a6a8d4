/**
 * The guard's dependencies for a test, built in one place. Every port of `GuardDeps` is required;
 * a test names the ones it exercises (the store on dynalite, the real Auto Scaling adapter over a
 * mocked client, …) and gets the rest here:
 * - a capability the configuration turns off (auto-resume and its streaks, delayed checks, the
 *   AMI-change alert) gets a port that refuses to be called, so a step that calls it anyway fails;
 * - a lookup the test does not exercise answers "nothing known": no departures, no launch hook, no
 *   ECS cluster, no state reasons, no diagnosis, no role facts, no instance facts or prices.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { AutoScalingSuspender } from '../../lambda/adapters/asg-suspender';
import { DynamoDbScopeStore } from '../../lambda/adapters/scope-store';
import { type GuardConfig, loadConfig } from '../../lambda/config';
import type { GuardDeps, GuardLog, GuardMetrics, RoleChecker } from '../../lambda/ports';
import { PriceCache } from '../../lambda/steps/loop-cost';
import type { LocalDynamo } from './dynalite';

/** A metrics sink of a test; one without `amount` gets amounts as counts. */
export type TestMetrics = Pick<GuardMetrics, 'count'> & Partial<Pick<GuardMetrics, 'amount'>>;

/** The ports a test supplies: the store always, any other port it exercises. */
export type GuardDepsParts = Partial<Omit<GuardDeps, 'metrics'>> &
  Pick<GuardDeps, 'counter'> & { readonly metrics?: TestMetrics };

/** A port no test step may call: every method rejects, naming the port and the method. */
export function refusing<T extends object>(port: string): T {
  return new Proxy({} as T, {
    get: (_target, method) =>
      typeof method === 'symbol' || method === 'then'
        ? undefined
        : () => Promise.reject(new Error(`${port}.${String(method)} is not wired in this test`)),
  });
}

/** A log that drops everything. */
export const SILENT_LOG: GuardLog = { info: () => {}, warn: () => {}, error: () => {} };

/** The role check that learns nothing (no template, no profile, no role). */
const NO_ROLE_FACTS: RoleChecker = {
  check: async () => ({ ecs: { backs: false, evidence: [] }, unknown: [] }),
};

/** Every port of the guard: the parts given, the rest inert (see the file's comment). */
export function guardDeps(parts: GuardDepsParts): GuardDeps {
  const metrics = parts.metrics ?? { count: () => {} };
  return {
    suspender: refusing('suspender'),
    notifier: refusing('notifier'),
    log: SILENT_LOG,
    streaks: refusing('streaks'),
    scheduler: refusing('scheduler'),
    deadlines: refusing('deadlines'),
    images: refusing('images'),
    diagnoser: { diagnose: async () => ({}) },
    history: { departures: async () => new Map(), launchHookMs: async () => undefined },
    ecs: {
      clusterOfGroup: async () => undefined,
      registrations: async () => new Map(),
    },
    instances: { stateReasons: async () => new Map(), launchFacts: async () => new Map() },
    roles: NO_ROLE_FACTS,
    costs: {
      facts: { instances: async () => [], spotPrices: async () => new Map() },
      onDemand: { onDemandHourly: async () => undefined },
      cache: new PriceCache(),
    },
    ...parts,
    // Calls go through the sink (a class's methods stay bound to it); an amount is a count without `amount`.
    metrics: {
      count: (name, value) => metrics.count(name, value),
      amount: (name, value) => (metrics.amount ? metrics.amount(name, value) : metrics.count(name, value)),
    },
  };
}

/** One log line a test's log kept. */
export interface LogLine {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly extra: Record<string, unknown>[];
}

/** A log and a metrics sink that keep what they were given, for a test to read. */
export interface Recorder {
  /** Each metric's total. */
  readonly metrics: Map<string, number>;
  readonly logs: LogLine[];
  readonly log: GuardLog;
  readonly sink: TestMetrics;
}

/** A fresh {@link Recorder}. */
export function recorder(): Recorder {
  const metrics = new Map<string, number>();
  const logs: LogLine[] = [];
  const line =
    (level: LogLine['level']) =>
    (message: string, ...extra: Record<string, unknown>[]) => {
      logs.push({ level, message, extra });
    };
  return {
    metrics,
    logs,
    log: { info: line('info'), warn: line('warn'), error: line('error') },
    sink: { count: (name, value = 1) => void metrics.set(name, (metrics.get(name) ?? 0) + value) },
  };
}

/** A fresh table, the configuration that names it, and the store on it. */
export interface TestTable {
  readonly table: string;
  readonly config: GuardConfig;
  readonly counter: DynamoDbScopeStore;
}

/**
 * A fresh table on dynalite with the guard's configuration and store.
 *
 * @param env the configuration beyond the table's name (the topic at least)
 */
export async function freshTable(db: LocalDynamo, env: Readonly<Record<string, string>>): Promise<TestTable> {
  const table = await db.createTable();
  const config = loadConfig({ LLG_TABLE_NAME: table, ...env });
  return { table, config, counter: new DynamoDbScopeStore(db.client, table, config.maxWindowMs) };
}

/** The real Auto Scaling adapter over clients made without retries (a test mocks them). */
export function autoScalingAdapter(): AutoScalingSuspender {
  return new AutoScalingSuspender((region) => new AutoScalingClient({ region, maxAttempts: 1 }));
}

/**
 * The store (also the streak keeper, as the wiring has it) and the real Auto Scaling adapter (also
 * the group history) of a test.
 */
export function storeAndAutoScaling(
  counter: DynamoDbScopeStore,
): Pick<GuardDeps, 'counter' | 'streaks' | 'suspender' | 'history'> {
  const suspender = autoScalingAdapter();
  return { counter, streaks: counter, suspender, history: suspender };
}
