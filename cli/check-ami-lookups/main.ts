/**
 * `check-ami-lookups [--format text|json] [--online [--region R]] PATH...`: find the Terraform
 * `aws_ami` lookups (`most_recent = true`) whose filters can return more than one AMI family.
 *
 * Exit 0 when no lookup is risky, 1 when some are, 2 for a usage error, an unreadable path, a file
 * the HCL parser rejects (the message names the file, the line and what was expected), or an
 * `--online` check that could not ask EC2.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { describeAwsError, parseArgs, UsageError } from '../aws-errors';
import { checkLookup, type Finding } from './check';
import { Ec2ImageFinder, type ImageFinder, ImageSearchError } from './ec2-images';
import { TerraformParseError } from './hcl';
import { type AmiLookup, InputError, scanPaths } from './lookups';
import { formatJson, formatSummary, formatText, formatUnchecked } from './output';

export const USAGE = `usage: check-ami-lookups [--format text|json] [--online [--region R]] PATH...

Finds Terraform data "aws_ami" lookups with most_recent = true whose name filters (and owners) can
return images of more than one AMI family (for example al2023-ami-*-x86_64 with owner amazon:
Amazon Linux 2023 standard, minimal, ECS-optimized and ECS Neuron), so that a newer image of the
wrong family can replace yours at the next apply. Run it in CI before terraform apply.

PATH        a .tf file or a folder (read recursively; modules included; .terraform skipped)
--format    text (default) or json: {"findings":[{"file","line","address","nameFilters",
            "owners","families"}]}
--online    also ask EC2 DescribeImages (same owners and filters; needs ec2:DescribeImages and
            credentials) and show the newest real image of each family
--region    the region for --online (default: the AWS SDK's, e.g. AWS_REGION)

Offline, families come from the catalogue in lambda/core/ami-family.ts (naming rules of the public
Amazon Linux 2023/2, ECS-, EKS-, GPU/Neuron-optimized, Deep Learning, Windows and Bottlerocket AMIs).
A lookup whose filters depend on values the files do not hold (a variable without a default, another
resource's attribute) is listed on standard error as not checked.

Exit status: 0 no finding, 1 findings, 2 usage error, unreadable path, parse error or failed --online.`;

/** Where the command writes, and how it reaches EC2. Tests pass their own. */
export interface CheckContext {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The EC2 image finder for `--online`, in the given region (undefined: the SDK's default). */
  readonly imageFinder: (region: string | undefined) => ImageFinder;
}

/** The real context. */
export function defaultContext(): CheckContext {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    imageFinder: (region) => new Ec2ImageFinder(new EC2Client(region === undefined ? {} : { region })),
  };
}

/** Run on the process's streams. @returns the exit code */
export function main(argv: readonly string[]): Promise<number> {
  return runCheck(argv, defaultContext());
}

/** Run with the given arguments (those after `check-ami-lookups`). @returns the exit code */
export async function runCheck(argv: readonly string[], ctx: CheckContext): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    ctx.stdout(`${USAGE}\n`);
    return 0;
  }
  try {
    const args = parseArgs(argv, ['--format', '--region'], ['--online']);
    const format = args.values.get('--format')?.at(-1) ?? 'text';
    if (format !== 'text' && format !== 'json') {
      throw new UsageError(`--format must be text or json, not ${JSON.stringify(format)}`);
    }
    const region = args.values.get('--region')?.at(-1);
    const online = args.flags.has('--online');
    if (region !== undefined && !online) throw new UsageError('--region is used only with --online');
    if (args.positionals.length === 0) throw new UsageError('no PATH given (a .tf file or a folder)');

    const scan = await scanPaths(args.positionals);
    const finder = online ? ctx.imageFinder(region) : undefined;
    const found: Array<{ finding: Finding; lookup: AmiLookup }> = [];
    for (const lookup of scan.lookups) {
      const images = finder === undefined ? undefined : await finder.find(lookup);
      const finding = checkLookup(lookup, images);
      if (finding !== undefined) found.push({ finding, lookup });
    }
    ctx.stdout(format === 'json' ? formatJson(found.map((f) => f.finding)) : formatText(found));
    ctx.stderr(formatUnchecked(scan.unchecked));
    ctx.stderr(formatSummary(scan.files, scan.lookups.length, scan.unchecked.length, found.length));
    return found.length > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError) {
      ctx.stderr(`check-ami-lookups: ${error.message}\n${USAGE.split('\n')[0]}\n`);
      return 2;
    }
    if (error instanceof InputError || error instanceof TerraformParseError) {
      ctx.stderr(`check-ami-lookups: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ImageSearchError) {
      ctx.stderr(`check-ami-lookups: ${error.message}: ${describeAwsError(error.cause)}\n`);
      return 2;
    }
    throw error;
  }
}
