import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');

describe('the launch-loop-guard command', () => {
  it('lists its commands on --help, from a checkout (`npm run cli`)', () => {
    // Act
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/cli.ts', '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    // Assess
    expect(result.status).toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain('usage: launch-loop-guard <command>');
  });

  it.each([
    ['status', '-h', /^usage: status [\s\S]*--near SHARE[\s\S]*Exit codes/],
    ['status', '--help', /^usage: status /],
    ['resume', '-h', /^usage: resume <group>[\s\S]*--force[\s\S]*aws lambda invoke[\s\S]*Exit codes/],
    ['resume', '--help', /^usage: resume <group>/],
    ['replay', '-h', /^usage: replay [\s\S]*--window D[\s\S]*standard input/],
  ])('prints the help of %s for %s on stdout and exits 0', (command, flag, help) => {
    // Act
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/cli.ts', command, flag], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    // Assess
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(help);
    expect(result.stderr).toBe('');
  });

  it('says what each command does on --help, and exits 2 on an unknown command', () => {
    // Act
    const help = spawnSync(process.execPath, ['--import', 'tsx', 'bin/cli.ts', '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const unknown = spawnSync(process.execPath, ['--import', 'tsx', 'bin/cli.ts', 'pause'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    // Assess
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^ {2}replay +backtest/m);
    expect(help.stdout).toMatch(/^ {2}status +the groups the guard suspended/m);
    expect(help.stdout).toMatch(/^ {2}resume +resume a group/m);
    expect(help.stdout).toMatch(/^ {2}check-ami-lookups +find Terraform AMI lookups/m);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "pause"');
    // Every command the dispatcher knows (its error lists them) has its line in --help, and runs.
    const known = /\(commands: ([^;]+);/.exec(unknown.stderr)?.[1]?.split(', ') ?? [];
    expect(known).toEqual(['replay', 'status', 'resume', 'check-ami-lookups']);
    for (const name of known) expect(help.stdout).toMatch(new RegExp(`^ {2}${name} +\\S`, 'm'));
  });

  it.each([['check-ami-lookups'], ['replay'], ['status'], ['resume']])(
    'answers %s --help with its usage',
    (name) => {
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/cli.ts', name, '--help'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^usage: ${name} `));
    },
  );

  it('is a plain node script once built: the package bin is dist/bin/cli.js with a node shebang', () => {
    // Prepare
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    // Assess (the packaging test runs the built file from an installed tarball)
    expect(pkg.bin).toEqual({ 'launch-loop-guard': 'dist/bin/cli.js' });
    expect(readFileSync(join(ROOT, 'bin', 'cli.ts'), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });
});
