/**
 * The facts a group alert gathers beside the diagnosis: the count of each of its AMIs across all
 * groups, and the instance-role check. Both are best effort: a failed read leaves its line out.
 */

import { familyOf } from '../../core/ami-change';
import { type AmiEvidence, amiEvidence } from '../../core/ami-evidence';
import type { TripReport } from '../../core/report';
import { likelyCause, roleLine } from '../../core/role-check';
import { SCOPE_KIND } from '../../core/types';
import type { GroupSnapshot } from '../../ports';
import { roleCheckGroup } from '../role-check';
import type { TripContext } from './context';

/** AMIs per group alert whose count is read for the alert's AMI lines. */
const AMI_EVIDENCE_MAX = 3;

/**
 * The group alert's AMI lines: each AMI of the trip (at most {@link AMI_EVIDENCE_MAX}) with its
 * own count across all groups, this record's launches included. Best effort: a failed read
 * leaves the line out.
 */
export async function amiEvidenceOf(ctx: TripContext, report: TripReport): Promise<AmiEvidence[]> {
  const { deps, config, record } = ctx;
  const out: AmiEvidence[] = [];
  for (const imageId of report.imageIds.slice(0, AMI_EVIDENCE_MAX)) {
    try {
      const item = await deps.counter.read({ ...report.scope, scope: SCOPE_KIND.ami, key: imageId });
      const ids = new Map(item?.ids ?? []);
      const groups = new Map(item?.groups ?? []);
      const at = Math.floor(record.eventTime / 1000);
      for (const i of record.instances) {
        if (i.imageId !== imageId) continue;
        if (!ids.has(i.instanceId)) ids.set(i.instanceId, at);
        if (i.groupName !== undefined && i.groupName !== '')
          groups.set(i.groupName, Math.max(at, groups.get(i.groupName) ?? 0));
      }
      const found = amiEvidence(imageId, ids, item?.watermark, groups, {
        threshold: config.amiThreshold,
        windowMs: config.windowMs,
      });
      if (found !== undefined) out.push(found);
    } catch (error) {
      deps.log.warn("the AMI's count could not be read for the alert", {
        ami: imageId,
        error: String(error),
      });
    }
  }
  return out;
}

/**
 * The instance role, checked for the trip alert (best effort: `RoleChecker.check` never rejects):
 * a "likely cause" sentence when the role cannot do what the group's ECS instances need, and the
 * role line either way.
 */
export async function roleDiagnosis(
  ctx: TripContext,
  report: TripReport,
  group: GroupSnapshot,
  imageNames: Readonly<Record<string, string>> | undefined,
): Promise<string[]> {
  if (report.scope.scope !== SCOPE_KIND.asg) return [];
  // The AMI of the launch that tripped the group first: the group's AMI set also holds the AMIs it
  // launched before (the standard one, in the incident), which say nothing of these instances.
  const launched = ctx.record.instances.find((i) => i.imageId !== undefined)?.imageId;
  const ordered = launched === undefined ? report.imageIds : [launched, ...report.imageIds];
  const name = ordered.map((id) => imageNames?.[id]).find((n) => n !== undefined);
  const imageFamily = name !== undefined ? familyOf(name) : undefined;
  const cluster = report.evidence?.cluster;
  const finding = await ctx.deps.roles.check(
    report.scope.region,
    roleCheckGroup(report.scope.account, group.name, group, {
      ...(imageFamily !== undefined ? { imageFamily } : {}),
      ...(cluster !== undefined ? { cluster, capacityProvider: true } : {}),
    }),
  );
  const cause = likelyCause(finding, imageFamily);
  return [...(cause !== undefined ? [cause] : []), roleLine(finding)];
}
