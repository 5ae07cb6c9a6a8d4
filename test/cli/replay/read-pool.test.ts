import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../bench/random';
import { inOrder } from '../../../cli/replay/read-pool';
import {
  asgLaunch,
  createFleet,
  eid,
  failedLaunch,
  MIN,
  otherCall,
  personLaunch,
  replay,
  T0,
  tempDir,
  terminate,
  trips,
  writeLines,
  writeLog,
} from './support';

/**
 * An archive of 40 files in the three formats, records shuffled across files (so files hold
 * records out of time order), launches delivered twice in different files, ties in eventTime,
 * malformed records, a file that is not gzip and a cut-off log file.
 */
function messyArchive(): string {
  const rand = mulberry32(7);
  const dir = tempDir();
  const records: object[] = [];
  for (let k = 0; k < 240; k += 1) {
    // Ties: every 3 launches share one second.
    const at = { eventId: eid(1000 - k), time: T0 + Math.floor(k / 3) * MIN };
    const group = `group-${k % 4}`;
    const id = `i-${String(k).padStart(17, '0')}`;
    const launch = k % 7 === 0 ? personLaunch(at, [id]) : asgLaunch(at, [id], group);
    records.push(launch);
    if (k % 11 === 0) records.push(launch);
    if (k % 13 === 0) records.push(terminate({ eventId: eid(5000 + k), time: at.time + MIN }, [id]));
    if (k % 17 === 0) records.push(failedLaunch({ eventId: eid(6000 + k), time: at.time }));
    if (k % 19 === 0) records.push(createFleet({ eventId: eid(7000 + k), time: at.time }, [id], group));
    if (k % 5 === 0) records.push(otherCall({ eventId: eid(8000 + k), time: at.time }));
  }
  const files: object[][] = Array.from({ length: 40 }, () => []);
  for (const r of records) files[Math.floor(rand() * files.length)]!.push(r);
  files.forEach((rs, k) => {
    const name = `f${String(k).padStart(2, '0')}`;
    if (k % 3 === 0) writeLog(join(dir, `${name}.json.gz`), rs);
    else if (k % 3 === 1) writeLines(join(dir, `${name}.jsonl`), rs);
    else writeLog(join(dir, `${name}.json`), rs);
  });
  // Broken records and broken files.
  const broken = join(dir, 'f02.json');
  writeFileSync(
    broken,
    readFileSync(broken, 'utf8').replace(/"eventVersion":"([\d.]+)"/, '"eventVersion":$1.1'),
  );
  writeFileSync(
    join(dir, 'f04.jsonl'),
    `${readFileSync(join(dir, 'f04.jsonl'), 'utf8')}\n{"eventName":"RunInstances",\n`,
  );
  writeFileSync(join(dir, 'f06.json.gz'), 'not gzip at all');
  const cut = join(dir, 'f08.json');
  writeFileSync(cut, readFileSync(cut, 'utf8').slice(0, -40));
  return dir;
}

describe('reading on several threads', () => {
  it.each([['json'], ['text']])(
    'prints the same %s output and summary with 1, 2 and 5 threads',
    async (format) => {
      // Prepare
      const dir = messyArchive();
      const args = ['--format', format, '--asg-threshold', '5', '--ami-threshold', '9', '--window', '10m'];
      // Act
      const one = await replay([...args, '--threads', '1', dir]);
      const two = await replay([...args, '--threads', '2', dir]);
      const five = await replay([...args, '--threads', '5', dir]);
      // Assess
      expect(one.code).toBe(0);
      if (format === 'json') expect(trips(one).length).toBeGreaterThan(5);
      expect(one.stderr).toMatch(/malformed records skipped: [1-9]/);
      expect(one.stderr).toContain('files skipped as unreadable: 2');
      expect(two).toEqual(one);
      expect(five).toEqual(one);
    },
  );
});

describe('inOrder', () => {
  it('commits results in job order when later jobs finish first', async () => {
    // Prepare: job k finishes after (10 - k) ms
    const jobs = Array.from(
      { length: 10 },
      (_, k) => () => new Promise<number>((resolve) => setTimeout(() => resolve(k), 10 - k)),
    );
    const seen: number[] = [];
    // Act
    await inOrder(jobs, 4, (v) => seen.push(v));
    // Assess
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('keeps at most `limit` jobs in flight', async () => {
    // Prepare
    let running = 0;
    let most = 0;
    const jobs = Array.from({ length: 20 }, () => async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 1));
      running -= 1;
      return 0;
    });
    // Act
    await inOrder(jobs, 3, () => undefined);
    // Assess
    expect(most).toBe(3);
  });

  it('rejects with the first failing job in order, a later failure reported as no unhandled rejection', async () => {
    // Prepare: job 2 fails late, job 3 fails at once
    const jobs = [
      async () => 0,
      async () => 1,
      () => new Promise<number>((_, reject) => setTimeout(() => reject(new Error('two')), 20)),
      () => Promise.reject(new Error('three')),
    ];
    const seen: number[] = [];
    // Act + Assess
    await expect(inOrder(jobs, 4, (v) => seen.push(v))).rejects.toThrow('two');
    expect(seen).toEqual([0, 1]);
  });
});
