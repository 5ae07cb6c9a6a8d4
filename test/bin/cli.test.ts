import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');

describe('the launch-loop-guard command', () => {
  it('runs as `npx launch-loop-guard` from a checkout, as the alert and the README say', () => {
    // Act
    const result = spawnSync('npx', ['--offline', 'launch-loop-guard', '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    // Assess
    expect(`${result.stdout}${result.stderr}`).toContain('usage: launch-loop-guard <command>');
    expect(`${result.stdout}${result.stderr}`).toMatch(/replay, status, resume/);
  });
});
