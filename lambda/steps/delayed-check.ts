/**
 * The delayed check: when a group's launches reach their deadline, judge them and keep their
 * fates (`core/fate.ts`), so that they stay decided whatever becomes of the instances later.
 * When the launches it decided meet a rule, it trips the group itself (`tripIfDecided`): a
 * managed-scaling step that launched 100 useless instances at once and nothing after is
 * suspended and alerted without waiting for a launch that never comes.
 *
 * A launch whose deadline is later than the message's delay (a long grace period or a launch
 * hook) is checked again, until {@link MAX_HOLD_MS} after its launch.
 */

import { MAX_DELAY_S, parseDeadlineCheck } from '../adapters/deadline-queue';
import { type GuardConfig, settingsOf } from '../config';
import { effectivePolicy, tripOwner } from '../core/claim';
import { countFates, FATE, judgeKept, MAX_HOLD_MS, ruleMet } from '../core/fate';
import type { GroupSettings } from '../core/group-settings';
import { decodeItem, evaluate, type ItemState, isArmed } from '../core/scope-item';
import { EARLY_FLOOR_MS } from '../core/time-to-useful';
import { LAUNCH_SOURCE, type LaunchRecord, SCOPE_KIND, type ScopeKey, type ScopePolicy } from '../core/types';
import type { DeadlineCheck, GroupSnapshot, GuardDeps, ScopeView, TripOwner } from '../ports';
import { type GroupJudgement, judgeAndKeep, launchesToJudge } from './judge';
import { actOnTrip } from './trip';

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
      await checkGroup(check, messageIds, depsOf(check.account), config, now);
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
  messageIds: readonly string[],
  deps: GuardDeps,
  config: GuardConfig,
  now: number,
): Promise<void> {
  const key = { scope: SCOPE_KIND.asg, account: check.account, region: check.region, key: check.group };
  const group = await deps.suspender.describeGroup(check.region, check.group);
  if (!group) return;
  const state = (await deps.counter.read(key)) ?? decodeItem(undefined);
  const settings = settingsOf(group.tags, config);
  const known = await launchesToJudge(deps, key, state.ids, state.fates);
  // With its own launches, the check judges the group's other undecided launches it knows of:
  // a batch's launches reach their deadline together, whichever message comes first.
  const mine = new Set(check.launches.map((l) => l.instanceId));
  const launches = [
    ...check.launches,
    // (Only those old enough to be judged: a younger one cannot be due, whatever the group's history.)
    ...known.launches.filter(
      (l) =>
        !mine.has(l.instanceId) && !known.decided.has(l.instanceId) && now - l.launchedAt >= EARLY_FLOOR_MS,
    ),
  ];
  const judgement = await judgeAndKeep(
    deps,
    key,
    group,
    launches,
    settings,
    now,
    known.decided,
    state.learned,
  );
  deps.log.info('launches judged at their deadline', {
    group: check.group,
    deadlineMs: judgement.deadlineMs,
    learned: judgement.learned,
    fates: Object.fromEntries(
      judgement.judged
        .filter((j) => mine.has(j.instanceId))
        .map((j) => [j.instanceId, `${j.fate}:${j.reason}`]),
    ),
    othersDecided: [...judgement.newlyDecided.keys()].filter((id) => !mine.has(id)).length,
  });
  // Launches still undecided (a later deadline, a launch hook) are checked again, up to the hold limit.
  const again = judgement.judged.filter(
    (j) =>
      mine.has(j.instanceId) &&
      j.fate === FATE.undecided &&
      now - j.launchedAt < MAX_HOLD_MS &&
      !j.instanceId.includes('#'),
  );
  if (again.length > 0 && config.deadlineQueueUrl !== undefined) {
    const next = Math.min(...again.map((j) => j.launchedAt + judgement.deadlineMs));
    const delayS = Math.min(MAX_DELAY_S, Math.max(60, Math.ceil((next - now) / 1000) + 30));
    await deps.deadlines.schedule(
      { ...check, launches: again.map((j) => ({ instanceId: j.instanceId, launchedAt: j.launchedAt })) },
      delayS,
    );
  }
  if (judgement.newlyDecided.size === 0 && isArmed(state)) return;
  await tripIfDecided({
    check,
    messageIds,
    deps,
    config,
    now,
    key,
    group,
    state,
    known,
    judgement,
    settings,
  });
}

/** What the delayed check knows when it asks whether the group's decided launches trip it. */
interface Decided {
  readonly check: DeadlineCheck;
  readonly messageIds: readonly string[];
  readonly deps: GuardDeps;
  readonly config: GuardConfig;
  readonly now: number;
  readonly key: ScopeKey;
  readonly group: GroupSnapshot;
  readonly state: ItemState;
  readonly known: Awaited<ReturnType<typeof launchesToJudge>>;
  readonly judgement: GroupJudgement;
  readonly settings: GroupSettings;
}

/**
 * A decided failure acts without waiting for another launch: when the launches just decided
 * meet a rule (with every fate the group keeps), trip as the launch path does, with the same
 * claim, progress and takeover rules. The owner is the check's SQS message (the smallest id of
 * the group's messages in the batch): SQS redelivers a message with the same id in a new
 * invocation, so a redelivery resumes the trip it started, while another message (another
 * check of the same group, a concurrent invocation) is another owner and leaves it alone.
 */
async function tripIfDecided(d: Decided): Promise<void> {
  const { deps, config, now, key, group, state, known, judgement, settings } = d;
  const progress = state.tripProgress;
  const unfinished = !isArmed(state) && progress !== undefined && progress.step !== 'done';
  if (!isArmed(state) && !unfinished) return;
  if (settings.exempt || (!unfinished && group.suspendedProcesses.includes('Launch'))) return;
  // The rules see the launches just judged, and every other launch the store knows.
  const mine = new Map(judgement.judged.map((j) => [j.instanceId, j]));
  const times = new Map(known.times);
  for (const l of d.check.launches)
    if (!times.has(l.instanceId)) times.set(l.instanceId, Math.floor(l.launchedAt / 1000));
  const others = [...times]
    .filter(([id]) => !mine.has(id))
    .map(([instanceId, t]) => ({ instanceId, launchedAt: t * 1000 }));
  const judged = [...judgement.judged, ...judgeKept(others, known.decided)].sort(
    (a, b) => a.launchedAt - b.launchedAt || (a.instanceId < b.instanceId ? -1 : 1),
  );
  const policy = effectivePolicy(state, defaultsFor(config));
  const threshold = settings.threshold;
  const met = unfinished
    ? progress.streakUpTo !== undefined
      ? 'streak'
      : 'count'
    : ruleMet(judged, {
        threshold,
        windowMs: settings.windowMs,
        streak: config.failedStreak === 0 ? 0 : settings.streak,
        ...(config.churnShare !== undefined ? { share: config.churnShare } : {}),
        ...(state.tripProgress?.streakUpTo !== undefined
          ? { streakAfter: state.tripProgress.streakUpTo }
          : {}),
      });
  if (met === undefined) return;
  const windowS = Math.round(settings.windowMs / 1000);
  const evaluation = evaluate(times, state.watermark, windowS);
  const view: ScopeView = {
    key,
    before: state,
    outcome: { ids: times, added: [], lowered: [], duplicates: 0 },
    policy: { ...policy, threshold, windowMs: settings.windowMs },
    evaluation,
    armed: isArmed(state),
    refreshSettings: false,
    judge: false,
    requests: 0,
    writeUnits: 0,
    callers: state.callers,
    imageIds: state.amis,
    groups: state.groups,
  };
  const newest = evaluation.newest ?? Math.floor(now / 1000);
  // The AMIs of the launches that failed (no launch event carries them here): the trip alert's
  // likely cause is about the image these instances run, not the group's older ones.
  const failedIds = judged.filter((j) => j.fate === FATE.failed).map((j) => j.instanceId);
  const facts = await deps.instances.launchFacts(key.region, failedIds.slice(-FAILED_AMI_LOOKUPS));
  const instances = [...facts].flatMap(([instanceId, f]) =>
    f.imageId === undefined ? [] : [{ instanceId, imageId: f.imageId, groupName: key.key }],
  );
  const record: LaunchRecord = {
    kind: 'launch',
    source: LAUNCH_SOURCE.autoScaling,
    account: key.account,
    region: key.region,
    eventId: `deadline-check ${[...d.messageIds].sort()[0] ?? ''}`,
    eventTime: newest * 1000,
    caller: {},
    instances,
    truncated: false,
  };
  const merged: GroupJudgement = { ...judgement, judged, counts: countFates(judged) };
  const outcome = await actOnTrip({
    record,
    view,
    deps,
    config,
    now,
    owner: deadlineOwner(d.messageIds),
    rule: met,
    judged: { group, judgement: merged },
  });
  deps.log.info('delayed check tripped the group', { group: key.key, rule: met, outcome });
}

/** Failed launches whose AMI the delayed check's trip reads for its alert (one DescribeInstances). */
const FAILED_AMI_LOOKUPS = 5;

/** The owner of a trip the delayed check takes: its SQS message, which a redelivery keeps. */
export function deadlineOwner(messageIds: readonly string[]): TripOwner {
  return tripOwner(`sqs:${[...messageIds].sort()[0] ?? ''}`);
}

function defaultsFor(config: GuardConfig): ScopePolicy {
  return { threshold: config.asgThreshold, windowMs: config.windowMs };
}
