/**
 * The floor `replay.bench.ts` compares replay with: read, gunzip and `JSON.parse` every file of
 * an archive, one after the other on one thread, and do nothing with the records.
 *
 * `node --import tsx bench/gunzip-parse-floor.ts <archive dir>` (the dir holding `manifest.json`),
 * or its bundle in `bench/out/dist/`; prints the number of records parsed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ArchiveManifest } from './generate-archive';

const dir = process.argv[2]!;
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ArchiveManifest;
let records = 0;
for (const file of manifest.files) {
  const log = JSON.parse(gunzipSync(readFileSync(join(dir, file))).toString('utf8')) as {
    Records: unknown[];
  };
  records += log.Records.length;
}
process.stdout.write(`${records}\n`);
