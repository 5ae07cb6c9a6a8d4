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

describe('the licence', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    license: string;
    files: string[];
  };

  it('is the full Apache-2.0 text that package.json names', () => {
    // Prepare
    const text = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    // Assess
    expect(pkg.license).toBe('Apache-2.0');
    expect(text).toContain('Apache License');
    expect(text).toContain('Version 2.0, January 2004');
    expect(text).toContain('TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION');
    expect(text).toContain('END OF TERMS AND CONDITIONS');
  });

  it('goes into the package beside NOTICE', () => {
    // npm adds LICENSE on its own; listing it says so to a reader of package.json too.
    expect(pkg.files).toEqual(expect.arrayContaining(['LICENSE', 'NOTICE']));
  });

  it('keeps packed tarballs out of git', () => {
    const ignored = readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n');
    expect(ignored).toContain('*.tgz');
  });
});
