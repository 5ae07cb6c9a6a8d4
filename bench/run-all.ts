/**
 * `npm run bench`: runs every `bench/*.bench.ts` in turn, each in its own Node process (so one
 * bench's memory does not weigh on the next), and fails when any of them fails. Each bench prints
 * its own figures. Add a bench by adding a file; this runner needs no change.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const benches = readdirSync(__dirname)
  .filter((name) => name.endsWith('.bench.ts'))
  .sort();
let failed = 0;
for (const name of benches) {
  process.stdout.write(`\n=== ${name}\n`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, name)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    failed += 1;
    process.stdout.write(`=== ${name} failed (exit ${result.status ?? result.signal})\n`);
  }
}
process.stdout.write(`\n${benches.length - failed} of ${benches.length} benches ran\n`);
process.exitCode = failed === 0 ? 0 : 1;
