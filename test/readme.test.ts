/**
 * Keeps the README's commands from rotting. `npm run demo`, `npm test` and `replay` are run by
 * their own tests; this file checks the rest: every `npm run` names a script, every
 * `launch-loop-guard` command and flag exists, nothing tells anyone to `npx` the unpublished name, and every `cdk deploy` context key is one the
 * app reads, with values it accepts (synthesized here, offline), and every file or folder of the
 * repository it names exists. The `aws` commands need an AWS account and are not run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { buildApp, buildOrganizationApp, readAppConfig } from '../lib/app';

const ROOT = join(__dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const SCRIPTS = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts;

/** The shell commands of the README's `sh` blocks, continuation lines joined, comments dropped. */
function shellCommands(): string[] {
  const out: string[] = [];
  for (const [, body] of README.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)) {
    const joined = (body ?? '').replace(/\\\n\s*/g, ' ');
    for (const line of joined.split('\n')) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command !== '' && !command.startsWith('#')) out.push(...command.split(/\s*&&\s*/));
    }
  }
  return out;
}

const COMMANDS = shellCommands();

describe('the README', () => {
  it('names only files and folders the repository has (bench/out/ is what `npm run bench` writes)', () => {
    const named = [
      ...new Set(
        [
          ...README.matchAll(
            /`((?:lambda|lib|bin|cli|demo|bench|fake-cloud|test|scripts|docs|\.ci)\/[^`\s]*)`/g,
          ),
        ].map((m) => m[1] ?? ''),
      ),
    ];
    expect(named.length).toBeGreaterThan(20);
    const missing = named.filter((path) => !path.startsWith('bench/out/') && !existsSync(join(ROOT, path)));
    expect(missing).toEqual([]);
  });
  it('shows the two first-screen commands before anything else', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(README)?.[1] ?? '';
    expect(firstBlock).toContain('npm ci && npm run demo');
    expect(firstBlock).toContain('npm ci && npm test');
    expect(README.indexOf('## Deploy')).toBeGreaterThan(README.indexOf('npm ci && npm test'));
  });

  it('names only npm scripts that exist', () => {
    const used = COMMANDS.filter((c) => c.startsWith('npm run')).map((c) =>
      c.split(/\s+/).find((w, i) => i > 1 && !w.startsWith('-')),
    );
    expect(used.length).toBeGreaterThan(0);
    for (const script of used) expect(Object.keys(SCRIPTS)).toContain(script);
  });

  it('never tells anyone to run the unpublished npm name through npx', () => {
    // Outside the package npx would fetch whatever someone registers under that name.
    expect(README).not.toMatch(/npx\s+(--\S+\s+)*launch-loop-guard/);
  });

  it('uses only launch-loop-guard commands and flags that exist', () => {
    const uses = COMMANDS.filter((c) => c.startsWith('launch-loop-guard '));
    expect(uses.length).toBeGreaterThan(0);
    const byCommand = new Map<string, Set<string>>();
    for (const use of uses) {
      const [, command, ...rest] = use.split(/\s+/);
      const flags = byCommand.get(command!) ?? new Set<string>();
      for (const w of rest) for (const flag of w.matchAll(/--[a-z-]+/g)) flags.add(flag[0]);
      byCommand.set(command!, flags);
    }
    for (const [command, flags] of byCommand) {
      const help = spawnSync(process.execPath, ['--import', 'tsx', 'bin/cli.ts', command!, '--help'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      const usage = `${help.stdout}${help.stderr}`;
      expect(usage, command).toContain(`usage: ${command}`);
      for (const flag of flags) expect(usage, `${command} ${flag}`).toContain(flag);
    }
  });

  it('deploys only with context keys the app reads, and values it synthesizes', () => {
    const deploys = COMMANDS.filter((c) => c.startsWith('npx cdk deploy'));
    expect(deploys.length).toBeGreaterThan(0);
    for (const deploy of deploys) {
      // The region list that `aws ec2 describe-regions` would give.
      const line = deploy.replace(/\$\(aws ec2 describe-regions[^)]*\)/, 'us-east-1,eu-west-1,eu-central-1');
      const context = Object.fromEntries(
        [...line.matchAll(/-c\s+([A-Za-z]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]),
      );
      const read = new Set<string>();
      const config = readAppConfig(
        (key) => {
          read.add(key);
          return context[key];
        },
        { CDK_DEFAULT_ACCOUNT: '123456789012' },
      );
      for (const key of Object.keys(context)) expect(read, `${key} in: ${deploy}`).toContain(key);
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      if (config.org === undefined) buildApp(app, config);
      else buildOrganizationApp(app, config);
      expect(app.synth().stacks.length).toBeGreaterThanOrEqual(1);
    }
  });
});
