/**
 * Judge an AMI's launches when its count reaches its threshold: gather the facts the pure rules
 * of `core/ami-confirm.ts` need, and say which groups cover the AMI with alerts of their own.
 *
 * Reads, per judgement (only when the AMI's count is at or over its threshold, at most once per
 * AMI and minute: the judge lease): one `DescribeInstances` per 100 of the window's launches
 * (each instance's group, from the `aws:autoscaling:groupName` tag Auto Scaling puts on it, and
 * its state); one `DescribeInstanceStatus` per 100 running launches outside any group; and, for
 * each of at most {@link AMI_GROUPS_JUDGED} groups, the group's item in the table, the group
 * itself and what `judgeGroup` reads to judge its launches.
 */
import { type GuardConfig, settingsOf } from '../config';
import { type AmiLaunchFate, judgeUngrouped } from '../core/ami-confirm';
import { confirmCount, countFates, FATE, FATE_REASON, type JudgedLaunch, streakRule } from '../core/fate';
import { type GroupSettings, TAG } from '../core/group-settings';
import { evaluate, type ItemState } from '../core/scope-item';
import { SCOPE_KIND, type ScopeKey } from '../core/types';
import type { GroupSnapshot, GuardDeps, LaunchFactsOfAmi, ScopeView } from '../ports';
import { judgeAndKeep } from './judge';

/** Groups one AMI judgement reads and judges, those with the most launches of the AMI first. */
export const AMI_GROUPS_JUDGED = 5;

/** One group that launched the AMI, as the AMI's judgement saw it. */
export interface AmiGroupLook {
  /** Undefined when the group no longer exists. */
  readonly group?: GroupSnapshot;
  readonly settings?: GroupSettings;
  /** The group's launches judged (its own window's and the AMI's), oldest first. */
  readonly judged: readonly JudgedLaunch[];
  /** True when the group tripped or is tripping on its own launches: its own alert covers it. */
  readonly covering: boolean;
}

/** An AMI's launches, judged. */
export interface AmiJudgement {
  readonly launches: readonly AmiLaunchFate[];
  /** The groups whose own alerts cover their launches of the AMI. */
  readonly covering: ReadonlySet<string>;
  /** The groups read and judged, by name. */
  readonly groups: ReadonlyMap<string, AmiGroupLook>;
  /** Launches that belong to no group. */
  readonly ungrouped: number;
}

/**
 * Judge the window's launches of an AMI.
 *
 * @param trippedHere groups that tripped on this same event (their alert is out or on its way)
 */
export async function judgeAmi(
  deps: GuardDeps,
  config: GuardConfig,
  view: ScopeView,
  now: number,
  trippedHere: ReadonlySet<string>,
): Promise<AmiJudgement> {
  const { region } = view.key;
  const launches = view.evaluation.inWindow.map((l) => ({
    instanceId: l.instanceId,
    launchedAt: l.time * 1000,
  }));
  const real = launches.map((l) => l.instanceId).filter((id) => !id.includes('#'));
  const facts: ReadonlyMap<string, LaunchFactsOfAmi> =
    real.length > 0 ? await deps.instances.launchFacts(region, real) : new Map();
  const newest = view.evaluation.newest ?? 0;
  const windowS = Math.round(view.policy.windowMs / 1000);
  const known = [...view.groups]
    .filter(([, t]) => t > newest - windowS)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([g]) => g);
  // The groups to read: those EC2 names most often first, then those the AMI's item names, newest first.
  const named = new Map<string, number>();
  for (const f of facts.values())
    if (f.groupName !== undefined) named.set(f.groupName, (named.get(f.groupName) ?? 0) + 1);
  const candidates = [
    ...[...named].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([g]) => g),
    ...known.filter((g) => !named.has(g)),
  ];
  const chosen = candidates.slice(0, AMI_GROUPS_JUDGED);
  if (candidates.length > chosen.length)
    deps.log.info('AMI judgement: groups over the cap left undecided', {
      ami: view.key.key,
      groups: candidates.length,
      judged: chosen.length,
    });
  const items = new Map<string, ItemState | undefined>();
  for (const g of chosen) items.set(g, await deps.counter.read(groupKey(view.key, g)));
  // A launch's group: EC2's tag; else (EC2 did not answer for it) the group whose item holds it;
  // else, when one group only launched the AMI in the window, that group.
  const groupOf = (id: string): string | undefined => {
    if (id.includes('#')) return undefined;
    const fact = facts.get(id);
    if (fact !== undefined) return fact.groupName;
    for (const [g, item] of items) if (item?.ids.has(id)) return g;
    return known.length === 1 ? known[0] : undefined;
  };

  const byGroup = new Map<string, typeof launches>();
  for (const l of launches) {
    const g = groupOf(l.instanceId);
    if (g === undefined) continue;
    byGroup.set(g, [...(byGroup.get(g) ?? []), l]);
  }
  const groups = new Map<string, AmiGroupLook>();
  for (const name of chosen) {
    const ofAmi = byGroup.get(name);
    if (ofAmi === undefined) continue;
    groups.set(
      name,
      await lookAtGroup(deps, config, view.key, name, items.get(name), ofAmi, now, trippedHere),
    );
  }

  const fates = new Map<string, JudgedLaunch>();
  for (const look of groups.values()) for (const j of look.judged) fates.set(j.instanceId, j);
  let ungrouped = 0;
  const judgedLaunches: AmiLaunchFate[] = launches.map((l) => {
    const g = groupOf(l.instanceId);
    if (g === undefined) {
      ungrouped += 1;
      return judgeUngrouped(l, facts.get(l.instanceId), now);
    }
    const look = groups.get(g);
    // A group over the cap, or gone: its launches are judged by EC2 alone when it shows them.
    const j = look?.group !== undefined ? fates.get(l.instanceId) : undefined;
    const fate =
      j ??
      (look === undefined
        ? { ...l, fate: FATE.undecided, reason: FATE_REASON.unknownState }
        : judgeUngrouped(l, facts.get(l.instanceId), now));
    return { ...fate, group: g };
  });
  const covering = new Set([...groups].filter(([, look]) => look.covering).map(([g]) => g));
  return { launches: judgedLaunches, covering, groups, ungrouped };
}

/** Read one group, its item and its launches' fates; say whether its own alert covers it. */
async function lookAtGroup(
  deps: GuardDeps,
  config: GuardConfig,
  ami: ScopeKey,
  name: string,
  item: ItemState | undefined,
  ofAmi: readonly { readonly instanceId: string; readonly launchedAt: number }[],
  now: number,
  trippedHere: ReadonlySet<string>,
): Promise<AmiGroupLook> {
  const key = groupKey(ami, name);
  const group = await deps.suspender.describeGroup(ami.region, name);
  if (!group) return { judged: [], covering: false };
  const settings = settingsOf(group.tags, config);
  const own = ownWindow(item, settings);
  const launches = new Map(ofAmi.map((l) => [l.instanceId, l]));
  for (const l of own) if (!launches.has(l.instanceId)) launches.set(l.instanceId, l);
  const judgement = await judgeAndKeep(
    deps,
    key,
    group,
    [...launches.values()],
    settings,
    now,
    item?.fates,
    item?.learned,
  );
  if (settings.exempt) return { group, settings, judged: judgement.judged, covering: false };
  const ownIds = new Set(own.map((l) => l.instanceId));
  const ownJudged = judgement.judged.filter((j) => ownIds.has(j.instanceId));
  const share = config.churnShare ?? 0.5;
  const tripping =
    (own.length >= settings.threshold && confirmCount(countFates(ownJudged), share).confirms) ||
    (settings.streak > 0 &&
      streakRule(judgement.judged, settings.streak, item?.tripProgress?.streakUpTo).trips);
  const covering =
    trippedHere.has(name) ||
    trippedInItem(item) ||
    (group.suspendedProcesses.includes('Launch') && group.tags[TAG.suspendedAt] !== undefined) ||
    tripping;
  return { group, settings, judged: judgement.judged, covering };
}

function groupKey(ami: ScopeKey, name: string): ScopeKey {
  return { scope: SCOPE_KIND.asg, account: ami.account, region: ami.region, key: name };
}

/** The group's own window of launches, per its item and settings (epoch ms). */
function ownWindow(
  item: ItemState | undefined,
  settings: GroupSettings,
): { readonly instanceId: string; readonly launchedAt: number }[] {
  if (item === undefined) return [];
  const ev = evaluate(item.ids, item.watermark, Math.round(settings.windowMs / 1000));
  return ev.inWindow.map((l) => ({ instanceId: l.instanceId, launchedAt: l.time * 1000 }));
}

/** The group's item holds a trip of its current episode that alerted or is still acting. */
function trippedInItem(item: ItemState | undefined): boolean {
  if (item === undefined || item.trippedEpisode !== item.episode) return false;
  const p = item.tripProgress;
  return p === undefined || p.alertSent === true || p.step !== 'done';
}
