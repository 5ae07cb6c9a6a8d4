/**
 * AWS Control Tower's proactive controls, run on synthesized templates with the `cfn-guard`
 * binary and the rules that `@cdklabs/cdk-validator-cfnguard` ships
 * (`rules/control-tower/cfn-guard/`, one file per control). Offline: the package carries both.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const PACKAGE_DIR = path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));

/** The directory of the Control Tower rules. */
export const CONTROL_TOWER_RULES = path.join(PACKAGE_DIR, 'rules', 'control-tower', 'cfn-guard');

/** The cfn-guard binary the package ships for this machine. */
export function cfnGuardBinary(): string {
  const os = process.platform === 'darwin' ? 'macos' : 'ubuntu';
  const arch = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
  return path.join(PACKAGE_DIR, 'bin', os, arch, 'cfn-guard');
}

/** Every `*.template.json` under a cloud assembly (stack set templates sit in sub-assemblies). */
export function templatesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.template.json'))
    .map((f) => path.join(dir, f))
    .sort();
}

/** One failed control on one template. */
export interface ControlFailure {
  /** The template's path, as given. */
  readonly template: string;
  /** The cfn-guard rule name, e.g. `sqs_dlq_check`. */
  readonly rule: string;
}

interface GuardFileResult {
  readonly name: string;
  readonly not_compliant?: readonly unknown[];
}

function ruleName(entry: unknown): string | undefined {
  const rule = (entry as { Rule?: { name?: string } }).Rule;
  return rule?.name;
}

/**
 * Run every Control Tower control on the templates.
 *
 * @returns the failed controls, one entry per template and rule (sorted)
 * @throws Error when cfn-guard cannot run or its output is not its JSON report
 */
export function controlTowerFailures(templates: readonly string[]): ControlFailure[] {
  if (templates.length === 0) throw new Error('controlTowerFailures: no template given');
  const proc = spawnSync(
    cfnGuardBinary(),
    [
      'validate',
      '--rules',
      CONTROL_TOWER_RULES,
      ...templates.flatMap((t) => ['--data', t]),
      '--output-format',
      'json',
      '--show-summary',
      'none',
      '--structured',
    ],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  if (proc.error) throw proc.error;
  // 0: all pass; 19: some rule failed (5 is a failure in older releases).
  if (proc.status !== 0 && proc.status !== 19 && proc.status !== 5) {
    throw new Error(`cfn-guard exited with ${proc.status}: ${proc.stderr}`);
  }
  const report = JSON.parse(proc.stdout) as GuardFileResult[];
  if (!Array.isArray(report) || report.length !== templates.length) {
    throw new Error(`cfn-guard reported on ${report.length} of ${templates.length} templates`);
  }
  const failures = new Map<string, ControlFailure>();
  for (const file of report) {
    for (const entry of file.not_compliant ?? []) {
      const rule = ruleName(entry);
      if (rule === undefined)
        throw new Error(`cfn-guard: a failure without a rule name: ${JSON.stringify(entry)}`);
      const template = templates.find((t) => path.resolve(t) === path.resolve(file.name)) ?? file.name;
      failures.set(`${template} ${rule}`, { template, rule });
    }
  }
  return [...failures.values()].sort((a, b) =>
    `${a.template} ${a.rule}`.localeCompare(`${b.template} ${b.rule}`),
  );
}
