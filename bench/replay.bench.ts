/**
 * Benchmark of `replay` on two synthetic CloudTrail archive shapes, against jq and against the
 * gunzip + `JSON.parse` floor, on the same files.
 *
 * Shapes (see `generate-archive.ts`), each about BENCH_RECORDS records (default 300,000), reused
 * from `bench/out/` when already generated:
 * - small files: one file per account, region and 5 minutes, 10 to 64 records each (mean 37),
 *   as most real trails are (about 8,000 files);
 * - large files: 1,000 records per file (300 files).
 *
 * replay and the floor run as plain JavaScript, as the package ships them: they are bundled first
 * with esbuild into `bench/out/dist/` (the CLI, its reading-thread entry, the floor), so neither
 * pays for compiling TypeScript at start (tsx costs a few tenths of a second a thread).
 *
 * For each shape it times, in this order, as separate processes:
 * - `replay --format json` on the archive's folder (full detection: parse, dedup, count, trips),
 *   with `--threads BENCH_THREADS` when set (default: one per core);
 * - `zcat <files> | jq -c '.Records[] | select(.eventName=="RunInstances" and .errorCode==null)'`
 *   (a filter only);
 * - the floor: `gunzip-parse-floor.ts`, read + gunzip + `JSON.parse` of every file on one thread.
 * Targets: replay at least 3× jq's throughput, at most 1.5× the floor's time, peak RSS < 500 MB.
 * The machine's load average is printed beside the figures: other work on it skews them.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { type ArchiveManifest, generateArchive } from './generate-archive';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 300_000);
const THREADS = process.env.BENCH_THREADS;
const SEED = 1;
const ROOT = join(__dirname, '..');
const JQ_FILTER = '.Records[] | select(.eventName=="RunInstances" and .errorCode==null)';
const TIME = '/usr/bin/time';
const DIST = join(__dirname, 'out', 'dist');

/** Bundle the CLI (with its reading-thread entry beside it) and the floor into plain JavaScript. */
function bundle(): void {
  buildSync({
    entryPoints: [
      join(ROOT, 'bin', 'cli.ts'),
      join(ROOT, 'cli', 'replay', 'read-worker.ts'),
      join(__dirname, 'gunzip-parse-floor.ts'),
    ],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outdir: DIST,
    entryNames: '[name]',
    external: ['@aws-sdk/*'],
    logLevel: 'warning',
  });
}

const SHAPES = [
  { name: 'small files', recordsPerFile: 37 },
  { name: 'large files', recordsPerFile: 1000 },
] as const;

interface Run {
  readonly seconds: number;
  readonly lines: number;
  readonly peakRssKb?: number;
  readonly stderr: string;
  /** The first KB of the last command's output. */
  readonly stdout: string;
  /** User + system CPU seconds of every command, when /usr/bin/time is there. */
  readonly cpuSeconds?: number;
}

/** Run a pipeline of commands, stdout of each into the next; count the last one's output lines. */
function pipeline(commands: readonly (readonly string[])[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    // Each command under /usr/bin/time: its CPU seconds do not depend on how busy the machine is.
    const timed = (command: readonly string[]): readonly string[] =>
      existsSync(TIME) ? [TIME, '-f', 'BENCH_RSS_KB=%M BENCH_CPU=%U+%S', ...command] : command;
    const children = commands.map((command) => {
      const [cmd, ...args] = timed(command);
      return spawn(cmd!, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    });
    children.forEach((child, k) => {
      const next = children[k + 1];
      if (next !== undefined) child.stdout.pipe(next.stdin);
    });
    children[0]!.stdin.end();
    let stderr = '';
    for (const child of children) child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let lines = 0;
    let stdout = '';
    const last = children[children.length - 1]!;
    last.stdout.on('data', (d: Buffer) => {
      if (stdout.length < 1024) stdout += d.toString().slice(0, 1024);
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
        const cpu = [...stderr.matchAll(/BENCH_CPU=([\d.]+)\+([\d.]+)/g)];
        resolve({
          seconds,
          lines,
          peakRssKb: m ? Number(m[1]) : undefined,
          stderr,
          stdout,
          cpuSeconds: cpu.length === 0 ? undefined : cpu.reduce((t, c) => t + Number(c[1]) + Number(c[2]), 0),
        });
      });
    }
  });
}

const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

async function benchShape(shape: (typeof SHAPES)[number]): Promise<boolean> {
  const dir = join(__dirname, 'out', `archive-${RECORDS}-${shape.recordsPerFile}-s${SEED}`);
  const t0 = process.hrtime.bigint();
  const manifest: ArchiveManifest = await generateArchive({
    dir,
    records: RECORDS,
    seed: SEED,
    recordsPerFile: shape.recordsPerFile,
  });
  const genSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const records = manifest.recordsWritten;
  const mb = manifest.uncompressedBytes / 1e6;
  process.stdout.write(
    `${shape.name}: ${dir}\n  ${records} records in ${manifest.files.length} gzipped files ` +
      `(${(records / manifest.files.length).toFixed(0)} records a file), ` +
      `${mb.toFixed(0)} MB uncompressed (${(manifest.compressedBytes / 1e6).toFixed(0)} MB gzipped), ` +
      `${manifest.launchCalls} launch calls (${((100 * manifest.launchCalls) / records).toFixed(1)}%); ` +
      `ready in ${genSeconds.toFixed(1)} s\n`,
  );

  const loadBefore = load();
  const replayArgs = [
    process.execPath,
    join(DIST, 'cli.js'),
    'replay',
    '--format',
    'json',
    ...(THREADS === undefined ? [] : ['--threads', THREADS]),
    join(dir, 'AWSLogs'),
  ];
  const replay = await pipeline([replayArgs]);
  const list = join(dir, 'files.txt');
  writeFileSync(list, `${manifest.files.map((f) => join(dir, f)).join('\n')}\n`);
  const jq = await pipeline([
    ['xargs', '-a', list, 'zcat', '--'],
    ['jq', '-c', JQ_FILTER],
  ]);
  const floor = await pipeline([[process.execPath, join(DIST, 'gunzip-parse-floor.js'), dir]]);

  const row = (name: string, r: Run): string =>
    `  ${name.padEnd(7)} ${r.seconds.toFixed(2).padStart(7)} s  ${Math.round(records / r.seconds)
      .toString()
      .padStart(9)} records/s  ${(mb / r.seconds).toFixed(1).padStart(7)} MB/s` +
    (r.cpuSeconds === undefined ? '' : `  ${r.cpuSeconds.toFixed(2).padStart(6)} s CPU`);
  const cpuRatio = (a: Run, b: Run): string =>
    a.cpuSeconds === undefined || b.cpuSeconds === undefined
      ? ''
      : `; in CPU seconds ${(a.cpuSeconds / b.cpuSeconds).toFixed(2)}×`;
  const jqRatio = jq.seconds / replay.seconds;
  const floorRatio = replay.seconds / floor.seconds;
  const rssMb = replay.peakRssKb === undefined ? undefined : replay.peakRssKb / 1024;
  const summary = /launches counted \(distinct instances\): (\d+)/.exec(replay.stderr)?.[1] ?? '?';
  const met = jqRatio >= 3 && floorRatio <= 1.5 && (rssMb === undefined || rssMb < 500);
  process.stdout.write(
    [
      row('replay', replay),
      row('jq', jq),
      row('floor', floor),
      `  replay vs jq, throughput: ${jqRatio.toFixed(2)}× (target ≥ 3×: ${jqRatio >= 3 ? 'met' : 'MISSED'})` +
        cpuRatio(jq, replay),
      `  replay vs floor, time: ${floorRatio.toFixed(2)}× (target ≤ 1.5×: ${floorRatio <= 1.5 ? 'met' : 'MISSED'})` +
        cpuRatio(replay, floor),
      `  replay peak RSS: ${rssMb === undefined ? 'unknown (no /usr/bin/time)' : `${rssMb.toFixed(0)} MB`}` +
        (rssMb === undefined ? '' : ` (target < 500 MB: ${rssMb < 500 ? 'met' : 'MISSED'})`),
      `  replay: ${replay.lines} trips, ${summary} distinct instances launched`,
      `  jq: ${jq.lines} successful RunInstances records (generator wrote ${manifest.successfulRunInstances})`,
      `  floor: ${floor.stdout.trim()} records parsed`,
      `  load average (1, 5, 15 min) before: ${loadBefore}, after: ${load()} (2 cores here; above 2, other work shares them)`,
      '',
    ].join('\n'),
  );
  if (jq.lines !== manifest.successfulRunInstances) throw new Error('jq and the generator disagree');
  if (Number(floor.stdout.trim()) !== records) throw new Error('the floor and the generator disagree');
  return met;
}

async function main(): Promise<void> {
  bundle();
  let met = true;
  for (const shape of SHAPES) met = (await benchShape(shape)) && met;
  process.stdout.write(`targets ${met ? 'met on both shapes' : 'MISSED on at least one shape'}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
