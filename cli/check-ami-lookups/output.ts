/**
 * What `check-ami-lookups` prints: findings as text for a person, or as one JSON object
 * `{"findings":[…]}` for a pipeline (the shape of {@link Finding}; keep it stable).
 */
import { familyById } from '../../lambda/core/ami-family';
import { type Finding, fixesFor } from './check';
import type { AmiLookup, UncheckedLookup } from './lookups';

/** The JSON output: one object, one line. */
export function formatJson(findings: readonly Finding[]): string {
  return `${JSON.stringify({ findings })}\n`;
}

/** The text output: one paragraph per finding, with the fix. */
export function formatText(findings: ReadonlyArray<{ finding: Finding; lookup: AmiLookup }>): string {
  const out: string[] = [];
  for (const { finding, lookup } of findings) {
    const filters =
      finding.nameFilters.length === 0 ? '(no name filter: any name)' : finding.nameFilters.join(', ');
    const owners = finding.owners.length === 0 ? '(none: any account)' : finding.owners.join(', ');
    out.push(
      `${finding.file}:${finding.line}: ${finding.address} can return ${finding.families.length} AMI families`,
    );
    out.push(`  name filter: ${filters}`);
    out.push(`  owners:      ${owners}`);
    for (const id of finding.families) out.push(`  - ${id.padEnd(24)} ${familyById(id)?.label ?? id}`);
    if (finding.newestImages !== undefined) {
      out.push('  newest image of each family (DescribeImages):');
      for (const n of finding.newestImages) {
        out.push(
          `  - ${n.family.padEnd(24)} ${n.imageId}  ${n.name}  ${n.creationDate}  (${n.matches} matching)`,
        );
      }
    }
    out.push(
      '  fix: most_recent = true picks whichever family published last. Name one family: a narrower',
      '       name pattern, an SSM public parameter (data "aws_ssm_parameter", then image_id), or a pinned AMI id:',
    );
    for (const fix of fixesFor(lookup, finding.families)) {
      const ssm = fix.ssmParameter === undefined ? '' : `   or ${fix.ssmParameter}`;
      out.push(`       ${fix.family.id.padEnd(20)} ${fix.pattern}${ssm}`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** One line per lookup that could not be checked (standard error, in both formats). */
export function formatUnchecked(unchecked: readonly UncheckedLookup[]): string {
  return unchecked
    .map((u) => `check-ami-lookups: warning: ${u.file}:${u.line}: ${u.address} not checked: ${u.reason}\n`)
    .join('');
}

/** The closing summary line (standard error). */
export function formatSummary(files: number, lookups: number, unchecked: number, findings: number): string {
  const notChecked = unchecked === 0 ? '' : `, ${unchecked} not checked`;
  return `check-ami-lookups: ${files} files, ${lookups} most_recent AMI lookups${notChecked}: ${findings} ${findings === 1 ? 'finding' : 'findings'}\n`;
}
