/**
 * The repository stands alone: a user's clone has no workplace folder beside it, so nothing the
 * project runs may reach for it (a test once did, and only a clean clone showed it).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..');
const SKIP = new Set(['node_modules', '.git', '.cache', 'dist', 'cdk.out', 'fixtures', 'examples']);
const CODE = /\.(ts|mts|js|cjs|mjs|sh|json)$/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (SKIP.has(name)) return [];
    if (statSync(path).isDirectory()) return files(path);
    return CODE.test(name) || name === 'run' ? [path] : [];
  });
}

describe('the repository', () => {
  it('never reads a shared folder outside itself', () => {
    // A path segment named like the workplace's shared folder, reached by climbing out: a relative
    // path through `..`, or `..` and the name as two arguments of join(). (The name is assembled
    // so that this file does not match itself or the workplace's own check.)
    const name = ['sha', 'red'].join('');
    const outward = new RegExp(String.raw`\.\./(?:\.\./)*${name}\b|'\.\.',\s*'${name}'|"\.\.",\s*"${name}"`);
    const offenders = files(ROOT)
      .filter((f) => outward.test(readFileSync(f, 'utf8').replace(/\s+/g, ' ')))
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });
});
