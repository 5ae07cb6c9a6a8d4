import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The CloudTrail samples kept in the repository (`test/fixtures/cloudtrail`; provenance and licences in its SOURCES.md). */
export const FIXTURE_DIR = join(__dirname, '..', '..', 'test', 'fixtures', 'cloudtrail');

/** Parse one fixture file by its name (e.g. `runinstances-console-single.panther-xz.json`). */
export function loadFixture(name: string): unknown {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, name), 'utf8'));
}

/** Every fixture file name (the `.json` files), sorted. */
export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort();
}
