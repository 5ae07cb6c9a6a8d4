/**
 * Benchmark of `replay` against jq on the same synthetic CloudTrail archive.
 *
 * It generates (or reuses, from `bench/out/`) an archive of about BENCH_RECORDS records
 * (default 1,000,000; see `generate-archive.ts`), then times:
 * - `replay --format json` on the archive's folder (full detection: parse, dedup, count, trips);
 * - `zcat <files> | jq -c '.Records[] | select(.eventName=="RunInstances" and .errorCode==null)'`
 *   (a filter only), on the same files.
 * It prints records/s and MB/s (uncompressed) for both, the ratio, and replay's peak RSS as
 * measured by `/usr/bin/time`. Targets: replay at least 2× jq's throughput, peak RSS < 500 MB.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { generateArchive } from './generate-archive';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const SEED = 1;
const ROOT = join(__dirname, '..');
const DIR = join(__dirname, 'out', `archive-${RECORDS}-s${SEED}`);
const JQ_FILTER = '.Records[] | select(.eventName=="RunInstances" and .errorCode==null)';
const TIME = '/usr/bin/time';

interface Run {
  readonly seconds: number;
  readonly lines: number;
  readonly peakRssKb?: number;
  readonly stderr: string;
}

/** Run a pipeline of commands, stdout of each into the next; count the last one's output lines. */
function pipeline(commands: readonly (readonly string[])[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const children = commands.map(([cmd, ...args]) =>
      spawn(cmd!, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] }),
    );
    children.forEach((child, k) => {
      const next = children[k + 1];
      if (next !== undefined) child.stdout.pipe(next.stdin);
    });
    children[0]!.stdin.end();
    let stderr = '';
    for (const child of children) child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let lines = 0;
    const last = children[children.length - 1]!;
    last.stdout.on('data', (d: Buffer) => {
      for (const c of d) if (c === 0x0a) lines += 1;
    });
    let pending = children.length;
    for (const child of children) {
      child.on('error', reject);
      child.on('close', (code) => {
        if (code !== 0)
          reject(
            new Error(`${child.spawnargs.join(' ').slice(0, 200)} exited ${code}: ${stderr.slice(-2000)}`),
          );
        pending -= 1;
        if (pending > 0) return;
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const m = /BENCH_RSS_KB=(\d+)/.exec(stderr);
        resolve({ seconds, lines, peakRssKb: m ? Number(m[1]) : undefined, stderr });
      });
    }
  });
}

async function main(): Promise<void> {
  const t0 = process.hrtime.bigint();
  const manifest = await generateArchive({ dir: DIR, records: RECORDS, seed: SEED });
  const genSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const records = manifest.recordsWritten;
  const mb = manifest.uncompressedBytes / 1e6;
  process.stdout.write(
    `archive: ${DIR}\n  ${records} records in ${manifest.files.length} gzipped 5-minute files, ` +
      `${mb.toFixed(0)} MB uncompressed (${(manifest.compressedBytes / 1e6).toFixed(0)} MB gzipped), ` +
      `${manifest.launchCalls} launch calls (${((100 * manifest.launchCalls) / records).toFixed(1)}%); ` +
      `ready in ${genSeconds.toFixed(1)} s\n`,
  );

  const replayArgs = [
    process.execPath,
    '--import',
    'tsx',
    'bin/cli.ts',
    'replay',
    '--format',
    'json',
    join(DIR, 'AWSLogs'),
  ];
  const timed = existsSync(TIME) ? [TIME, '-f', 'BENCH_RSS_KB=%M', ...replayArgs] : replayArgs;
  const replay = await pipeline([timed]);
  const files = manifest.files.map((f) => join(DIR, f));
  const jq = await pipeline([
    ['zcat', '--', ...files],
    ['jq', '-c', JQ_FILTER],
  ]);

  const row = (name: string, r: Run): string =>
    `  ${name.padEnd(7)} ${r.seconds.toFixed(2).padStart(7)} s  ${Math.round(records / r.seconds)
      .toString()
      .padStart(9)} records/s  ${(mb / r.seconds).toFixed(1).padStart(7)} MB/s`;
  const ratio = jq.seconds / replay.seconds;
  const rssMb = replay.peakRssKb === undefined ? undefined : replay.peakRssKb / 1024;
  const summary = /launches counted \(distinct instances\): (\d+)/.exec(replay.stderr)?.[1] ?? '?';
  process.stdout.write(
    [
      row('replay', replay),
      row('jq', jq),
      `  ratio replay/jq throughput: ${ratio.toFixed(2)}× (target ≥ 2×: ${ratio >= 2 ? 'met' : 'MISSED'})`,
      `  replay peak RSS: ${rssMb === undefined ? 'unknown (no /usr/bin/time)' : `${rssMb.toFixed(0)} MB`}` +
        (rssMb === undefined ? '' : ` (target < 500 MB: ${rssMb < 500 ? 'met' : 'MISSED'})`),
      `  replay: ${replay.lines} trips, ${summary} distinct instances launched`,
      `  jq: ${jq.lines} successful RunInstances records (generator wrote ${manifest.successfulRunInstances})`,
      '',
    ].join('\n'),
  );
  if (jq.lines !== manifest.successfulRunInstances) throw new Error('jq and the generator disagree');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
