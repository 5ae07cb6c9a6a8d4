/**
 * The AMI-change step of the launch path: after a group's record write, tell people at once
 * when the group launched an AMI its recent launches did not use. Notify only: it never
 * suspends, and it never fails or delays the event (the guard runs it beside the count and the
 * trip, and every failure is logged and counted, not thrown).
 *
 * Cost: nothing on the usual path. Whether the AMI is new comes from the record write itself
 * (`view.before.amis`, see `core/ami-change.ts`); only a new AMI costs `DescribeImages` (cached
 * per container) and, when the change is announced, the group's description and the
 * instance-role check.
 */
import type { GuardConfig } from '../config';
import { assessAmiChange, type ImageFacts, newImages, shouldAnnounce } from '../core/ami-change';
import type { AmiChangeReport } from '../core/ami-change-alert';
import type { ImageInfo } from '../core/diagnose';
import { METRIC } from '../core/metric-names';
import { likelyCause, type RoleFinding } from '../core/role-check';
import { type LaunchRecord, SCOPE_KIND } from '../core/types';
import type { GuardDeps, ImageInfoSource, ImageLookup, ScopeView } from '../ports';
import { roleCheckGroup } from './role-check';

/** What the step did for one new AMI (or for the launch when nothing was new). */
export type AmiChangeOutcome = 'off' | 'none' | 'quiet' | 'alerted' | 'failed';

/** Metric names of this step. */
export const AMI_CHANGE_METRIC = {
  /** AMI-change alerts published. */
  alerts: 'AmiChangeAlerts',
  /** New AMIs whose change was routine and not announced. */
  quiet: 'AmiChangesNotAnnounced',
} as const;

/**
 * Announce the AMIs of this launch that are new to its group. Never rejects.
 *
 * @returns one outcome per new AMI, or `['none']` / `['off']`
 */
export async function noticeAmiChange(
  record: LaunchRecord,
  view: ScopeView,
  deps: GuardDeps,
  config: GuardConfig,
): Promise<AmiChangeOutcome[]> {
  if (config.amiChangeAlerts === 'off' || view.key.scope !== SCOPE_KIND.asg) return ['off'];
  const found = newImages(view.before.amis, view.imageIds);
  if (found === undefined) return ['none'];
  try {
    return await announce(record, view, deps, config, found.added, found.previous);
  } catch (error) {
    deps.metrics.count(METRIC.alertsFailed);
    deps.log.error('AMI-change alert failed: not retried (notify only)', {
      group: view.key.key,
      imageIds: found.added,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    return found.added.map(() => 'failed');
  }
}

async function announce(
  record: LaunchRecord,
  view: ScopeView,
  deps: GuardDeps,
  config: GuardConfig,
  added: readonly string[],
  previous: readonly string[],
): Promise<AmiChangeOutcome[]> {
  const { region, key: group } = view.key;
  const lookup = await deps.images.describe(region, [...added, ...previous]);
  if (lookup.problem)
    deps.log.warn('AMIs could not be described for the AMI-change alert', { problem: lookup.problem });
  const byId = new Map<string, ImageInfo>(lookup.images.map((i) => [i.imageId, i]));
  const facts = (id: string): ImageFacts => byId.get(id) ?? { imageId: id };
  let role: RoleFinding | undefined;
  let roleChecked = false;
  const outcomes: AmiChangeOutcome[] = [];
  for (const imageId of added) {
    const assessment = assessAmiChange(facts(imageId), previous.map(facts));
    if (!shouldAnnounce(config.amiChangeAlerts, assessment.change)) {
      deps.metrics.count(AMI_CHANGE_METRIC.quiet);
      deps.log.info('AMI changed: routine upgrade, not announced', {
        group,
        before: assessment.before.imageId,
        now: imageId,
        family: assessment.after.family,
      });
      outcomes.push('quiet');
      continue;
    }
    if (!roleChecked) {
      role = await checkRole(record, view, deps, assessment.after.family);
      roleChecked = true;
    }
    const cause = role !== undefined ? likelyCause(role, assessment.after.family) : undefined;
    const instanceIds = record.instances
      .filter((i) => i.groupName === group && i.imageId === imageId)
      .map((i) => i.instanceId);
    const report: AmiChangeReport = {
      kind: 'ami-change',
      group: view.key,
      assessment,
      ...(role !== undefined ? { role } : {}),
      ...(cause !== undefined ? { likelyCause: cause } : {}),
      ...(lookup.problem ? { imageLookupProblem: problemText(lookup) } : {}),
      eventId: record.eventId,
      launchedAt: record.eventTime,
      instanceIds,
      threshold: view.policy.threshold,
      windowMs: view.policy.windowMs,
    };
    await deps.notifier.publishAmiChange(report);
    deps.metrics.count(AMI_CHANGE_METRIC.alerts);
    deps.log.info('AMI-change alert sent', {
      group,
      change: assessment.change,
      before: assessment.before.imageId,
      now: imageId,
    });
    outcomes.push('alerted');
  }
  return outcomes;
}

function problemText(lookup: ImageLookup): string {
  const p = lookup.problem!;
  return p.kind === 'access-denied' ? `access denied (${p.message})` : `${p.code} (${p.message})`;
}

/** The instance-role check for the group. Never rejects. */
async function checkRole(
  record: LaunchRecord,
  view: ScopeView,
  deps: GuardDeps,
  imageFamily: string | undefined,
): Promise<RoleFinding> {
  const { region, key: name, account } = view.key;
  const profile = record.instances.find(
    (i) => i.groupName === name && i.instanceProfileArn,
  )?.instanceProfileArn;
  let group: Awaited<ReturnType<GuardDeps['suspender']['describeGroup']>>;
  try {
    group = await deps.suspender.describeGroup(region, name);
  } catch (error) {
    deps.log.warn('group could not be described for the role check', {
      group: name,
      error: error instanceof Error ? error.name : String(error),
    });
    group = undefined;
  }
  return deps.roles.check(
    region,
    roleCheckGroup(account, name, group, { instanceProfileArn: profile, imageFamily }),
  );
}

/**
 * Image descriptions cached per container: an AMI's name, owner, date and architecture never
 * change, so each is asked of EC2 once. Only images EC2 described are kept (a failed lookup is
 * asked again next time); the oldest entry goes when the cache is full.
 */
export class CachedImageInfo implements ImageInfoSource {
  private readonly cache = new Map<string, ImageInfo>();

  /**
   * @param source the uncached lookup (`Ec2ImageInfo`, which asks with `IncludeDeprecated`)
   * @param max the most images kept
   */
  constructor(
    private readonly source: ImageInfoSource,
    private readonly max = 1000,
  ) {}

  async describe(region: string, imageIds: readonly string[]): Promise<ImageLookup> {
    const hits: ImageInfo[] = [];
    const misses: string[] = [];
    for (const id of new Set(imageIds)) {
      const hit = this.cache.get(`${region}#${id}`);
      if (hit) hits.push(hit);
      else misses.push(id);
    }
    if (misses.length === 0) return { images: hits, missing: [] };
    const out = await this.source.describe(region, misses);
    for (const image of out.images) {
      if (this.cache.size >= this.max) {
        const oldest = this.cache.keys().next().value;
        if (oldest !== undefined) this.cache.delete(oldest);
      }
      this.cache.set(`${region}#${image.imageId}`, image);
    }
    return { ...out, images: [...hits, ...out.images] };
  }
}
