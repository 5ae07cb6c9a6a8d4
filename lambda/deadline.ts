/**
 * The delayed check: when a group's launches reach their deadline, judge them and keep their
 * fates (`core/fate.ts`), so that they stay decided whatever becomes of the instances later. The
 * trip itself stays on the launch path: a loop keeps launching, and its next launch finds the
 * kept fates (a group that stopped launching needs no suspension).
 *
 * A launch whose deadline is later than the message's delay (a long grace period or a launch
 * hook) is checked again, until {@link MAX_HOLD_MS} after its launch.
 */
import { type DeadlineCheck, MAX_DELAY_S, parseDeadlineCheck } from './adapters/deadline-queue';
import { type GuardConfig, settingsDefaults } from './config';
import { FATE, MAX_HOLD_MS } from './core/fate';
import { groupSettings } from './core/group-settings';
import { SCOPE_KIND } from './core/types';
import { judgeGroup, keepFates } from './judge';
import type { GuardDeps } from './ports';
import { judgeDeps } from './trip';

/** One SQS record as Lambda delivers it. */
export interface QueueRecord {
  readonly messageId: string;
  readonly body: string;
  readonly eventSource?: string;
}

/** Lambda's partial batch response: the records to deliver again. */
export interface BatchResult {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

/** True for an SQS batch (the delayed checks), as opposed to an EventBridge event. */
export function isQueueBatch(raw: unknown): raw is { Records: QueueRecord[] } {
  const records = (raw as { Records?: unknown } | null)?.Records;
  return (
    Array.isArray(records) && records.length > 0 && (records[0] as QueueRecord).eventSource === 'aws:sqs'
  );
}

/**
 * The dependencies of each account a check may concern (`wiring.ts`): in central organization
 * mode a member account's group is read through that account's member role.
 */
export interface DepsByAccount {
  readonly home: GuardDeps;
  forAccount(account: string): GuardDeps;
}

/**
 * Judge the launches of each message at their deadline and keep their fates, with the
 * dependencies of the group's own account (one set of dependencies serves every account). The messages of
 * one group in a batch are judged together (one read of the group for all of them). A malformed
 * message is logged and dropped; when a group's check fails, Lambda delivers its messages again.
 */
export async function runDeadlineChecks(
  records: readonly QueueRecord[],
  accounts: GuardDeps | DepsByAccount,
  config: GuardConfig,
  now: number,
): Promise<BatchResult> {
  const deps = 'forAccount' in accounts ? accounts.home : accounts;
  const depsOf = (account: string) => ('forAccount' in accounts ? accounts.forAccount(account) : accounts);
  const byGroup = new Map<string, { check: DeadlineCheck; messageIds: string[] }>();
  for (const r of records) {
    const check = parseDeadlineCheck(r.body);
    if (check === undefined) {
      deps.log.warn('deadline check dropped: not a check this guard wrote', { messageId: r.messageId });
      continue;
    }
    const id = `${check.account}#${check.region}#${check.group}`;
    const entry = byGroup.get(id);
    if (entry === undefined) byGroup.set(id, { check, messageIds: [r.messageId] });
    else {
      entry.check = { ...entry.check, launches: [...entry.check.launches, ...check.launches] };
      entry.messageIds.push(r.messageId);
    }
  }
  const failures: { itemIdentifier: string }[] = [];
  for (const { check, messageIds } of byGroup.values()) {
    try {
      await checkGroup(check, depsOf(check.account), config, now);
    } catch (error) {
      deps.log.error('deadline check failed: SQS delivers it again', {
        group: check.group,
        error: String(error),
      });
      for (const itemIdentifier of messageIds) failures.push({ itemIdentifier });
    }
  }
  return { batchItemFailures: failures };
}

async function checkGroup(
  check: DeadlineCheck,
  deps: GuardDeps,
  config: GuardConfig,
  now: number,
): Promise<void> {
  const key = { scope: SCOPE_KIND.asg, account: check.account, region: check.region, key: check.group };
  const group = await deps.suspender.describeGroup(check.region, check.group);
  if (!group) return;
  const state = deps.counter.read ? await deps.counter.read(key) : undefined;
  const settings = groupSettings(group.tags, settingsDefaults(config));
  const judgement = await judgeGroup(
    judgeDeps(deps),
    check.region,
    group,
    check.launches,
    settings,
    now,
    state?.fates ?? new Map(),
  );
  await keepFates(deps, key, judgement.newlyDecided);
  deps.log.info('launches judged at their deadline', {
    group: check.group,
    fates: Object.fromEntries(judgement.judged.map((j) => [j.instanceId, `${j.fate}:${j.reason}`])),
  });
  // Launches still undecided (a later deadline, a launch hook) are checked again, up to the hold limit.
  const again = judgement.judged.filter(
    (j) => j.fate === FATE.undecided && now - j.launchedAt < MAX_HOLD_MS && !j.instanceId.includes('#'),
  );
  if (again.length > 0 && deps.deadlines) {
    const next = Math.min(...again.map((j) => j.launchedAt + judgement.deadlineMs));
    const delayS = Math.min(MAX_DELAY_S, Math.max(60, Math.ceil((next - now) / 1000) + 30));
    await deps.deadlines.schedule(
      { ...check, launches: again.map((j) => ({ instanceId: j.instanceId, launchedAt: j.launchedAt })) },
      delayS,
    );
  }
}
