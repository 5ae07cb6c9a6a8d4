/**
 * The AMI's count as a line of a group's alert: one page per incident (see `ami-confirm.ts`).
 * When a group trips, the AMIs it launched are named in its alert with their own count across
 * all groups, so that the AMI scope need not page for the same launches, now or when its count
 * passes its threshold later.
 */
import { formatDuration } from './duration';
import type { AmiEvidence, AmiFailures } from './report';
import { evaluate } from './scope-item';

/**
 * The AMI's evidence from its item's launches and groups.
 *
 * @param ids the AMI's launches (epoch seconds), this record's included
 * @param groups the groups that launched it, with their newest launch (epoch seconds)
 * @returns the evidence, or undefined when the AMI has no launch in its window
 */
export function amiEvidence(
  imageId: string,
  ids: ReadonlyMap<string, number>,
  watermark: number | undefined,
  groups: ReadonlyMap<string, number>,
  policy: { readonly threshold: number; readonly windowMs: number },
): AmiEvidence | undefined {
  const windowS = Math.round(policy.windowMs / 1000);
  const ev = evaluate(ids, watermark, windowS);
  if (ev.count === 0 || ev.newest === undefined) return undefined;
  const start = ev.newest - windowS;
  return {
    imageId,
    launches: ev.count,
    launchesAtLeast: ev.saturated,
    threshold: policy.threshold,
    windowMs: policy.windowMs,
    groups: [...groups]
      .filter(([, t]) => t > start)
      .map(([g]) => g)
      .sort(),
  };
}

/**
 * The alert's lines for the AMIs' evidence (one per AMI; none when there is none).
 *
 * @param groupName the group whose alert this is
 */
export function amiEvidenceLines(evidence: readonly AmiEvidence[] | undefined, groupName: string): string[] {
  return (evidence ?? []).map((e) => {
    const others = e.groups.filter((g) => g !== groupName);
    const by =
      others.length === 0
        ? 'all by this group'
        : `by this group and ${others.length} other${others.length === 1 ? '' : 's'} (${others.slice(0, 5).join(', ')}${others.length > 5 ? ', …' : ''})`;
    const over =
      e.launches >= e.threshold
        ? `at or over the AMI threshold of ${e.threshold}`
        : `AMI threshold ${e.threshold}`;
    return (
      `AMI ${e.imageId}: ${e.launchesAtLeast ? 'at least ' : ''}${e.launches} launches in ${formatDuration(e.windowMs)} ` +
      `(${over}), ${by}. This alert stands for the AMI's: the AMI scope sends no alert of its own for launches a group alert covers.`
    );
  });
}

/** The AMI alert's lines: where its failures are, what its own alert leaves to the groups' alerts. */
export function amiFailureLines(f: AmiFailures | undefined): string[] {
  if (f === undefined) return [];
  const where: string[] = [];
  if (f.failingGroups.length > 0)
    where.push(
      `in group${f.failingGroups.length === 1 ? '' : 's'} ${f.failingGroups.slice(0, 5).join(', ')}${f.failingGroups.length > 5 ? ` and ${f.failingGroups.length - 5} more` : ''}`,
    );
  if (f.ungroupedFailed > 0) where.push(`${f.ungroupedFailed} outside any Auto Scaling group`);
  const lines = where.length > 0 ? [`Failed launches of the AMI: ${where.join('; ')}.`] : [];
  if (f.coveredBy.length > 0)
    lines.push(
      `Left to their own alerts (not counted here): ${f.coveredBy.slice(0, 5).join(', ')}${f.coveredBy.length > 5 ? ` and ${f.coveredBy.length - 5} more` : ''}.`,
    );
  if (f.ungroupedFailed > 0)
    lines.push(
      `A launch outside any group counts as failed when it is not running with both status checks ok ${formatDuration(f.ungroupedDeadlineMs)} after launch, or stopped or ended before then.`,
    );
  return lines;
}

export type { AmiEvidence, AmiFailures };
