/**
 * Generates a synthetic CloudTrail archive for the `replay` benchmark: gzipped 5-minute log files
 * (`{"Records":[...]}`) over several regions, laid out as a trail delivers them to S3.
 *
 * Deterministic for a given (records, seed). Record shapes come from the shared real fixtures
 * (`test/fixtures/cloudtrail`): the Auto Scaling RunInstances, the console RunInstances, the
 * failed RunInstances, the TerminateInstances records and the S3 API call; only ids, times,
 * regions, names and tags are changed. About 5% of the records are launch calls: Auto Scaling
 * launches (with a few groups in a launch loop), launches by people, CreateFleet plus the
 * RunInstances Fleet writes for it, failed and dry-run calls, and a few truncated records. Some
 * records arrive in a later file than their time, and some launches are delivered twice.
 *
 * Run alone: `npx tsx bench/generate-archive.ts [records] [recordsPerFile] [dir]`.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { ACCOUNT, templates } from './archive-templates';
import { mulberry32 } from './random';

const gzipAsync = promisify(gzip);

/** Bump when the generated content changes, so cached archives are rebuilt. */
export const GENERATOR_VERSION = 3;

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2'] as const;
const START = Date.UTC(2025, 2, 1, 0, 0, 0);
const FILE_MS = 5 * 60_000;
/** Records per file unless told: a busy region's 5-minute file. */
const RECORDS_PER_FILE = 1000;
/** The fewest records a file of the small-file shape holds. */
const MIN_RECORDS_PER_FILE = 10;
/** Normal groups and AMIs per region; launches pick them with a skewed choice (a few are busy). */
const GROUPS_PER_REGION = 3000;
const AMIS_PER_REGION = 40;
/** Groups per region that run away in a launch loop for a while. */
const LOOPING_GROUPS = 2;

/** What was generated; `manifest.json` in the archive folder. */
export interface ArchiveManifest {
  readonly version: number;
  readonly seed: number;
  readonly records: number;
  readonly recordsPerFile: number;
  /** Records actually written (launch loops and late deliveries make it differ a little). */
  readonly recordsWritten: number;
  readonly files: readonly string[];
  readonly uncompressedBytes: number;
  readonly compressedBytes: number;
  /** Records jq's filter selects: `eventName == "RunInstances"` and no `errorCode`. */
  readonly successfulRunInstances: number;
  /** Every launch call, successful or not, CreateFleet included (duplicates included). */
  readonly launchCalls: number;
}

/** Options of {@link generateArchive}. */
export interface GenerateOptions {
  readonly dir: string;
  readonly records: number;
  readonly seed: number;
  /**
   * Mean records per file (default 1,000, each file that many). Under 100, files vary from 10 to
   * twice the mean less 10, as a quiet account's region writes them: the small-file shape.
   */
  readonly recordsPerFile?: number;
}

const S3_CALLS = ['GetObject', 'PutObject', 'HeadObject', 'GetBucketAcl', 'ListObjects', 'GetBucketLocation'];
const EC2_CALLS = [
  'DescribeInstances',
  'DescribeInstanceStatus',
  'DescribeTags',
  'DescribeVolumes',
  'CreateTags',
];

/** One record waiting to be written, with its time. */
interface Pending {
  readonly time: number;
  readonly text: string;
}

/**
 * Generate the archive (or reuse it when `manifest.json` already matches).
 *
 * @returns the manifest
 */
export async function generateArchive(options: GenerateOptions): Promise<ArchiveManifest> {
  const manifestPath = join(options.dir, 'manifest.json');
  try {
    const cached = JSON.parse(readFileSync(manifestPath, 'utf8')) as ArchiveManifest;
    if (
      cached.version === GENERATOR_VERSION &&
      cached.seed === options.seed &&
      cached.records === options.records &&
      cached.recordsPerFile === (options.recordsPerFile ?? RECORDS_PER_FILE)
    ) {
      return cached;
    }
  } catch {
    // No usable cache: generate below.
  }
  rmSync(options.dir, { recursive: true, force: true });
  const manifest = await generate(options);
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

async function generate(options: GenerateOptions): Promise<ArchiveManifest> {
  const { dir, records, seed } = options;
  const recordsPerFile = options.recordsPerFile ?? RECORDS_PER_FILE;
  const rand = mulberry32(seed);
  const t = templates();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const hex = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i += 1) s += Math.floor(rand() * 16).toString(16);
    return s;
  };
  const uuid = (): string => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const instanceId = (): string => `i-${hex(17)}`;
  /** Skewed towards low indexes: the first of n is chosen with probability n^(-2/3). */
  const skewed = (n: number): number => Math.min(n - 1, Math.floor(n * rand() ** 1.5));
  const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

  const slots = Math.max(1, Math.ceil(records / (REGIONS.length * recordsPerFile)));
  const perFile = records / (slots * REGIONS.length);
  const amis = REGIONS.map((_region, ri) =>
    Array.from(
      { length: AMIS_PER_REGION },
      (_, k) => `ami-0${(ri * 1000 + k).toString(16).padStart(16, '0')}`,
    ),
  );
  const groupAmi = REGIONS.map(() =>
    Array.from({ length: GROUPS_PER_REGION }, () => skewed(AMIS_PER_REGION)),
  );
  // Each looping group runs away for two hours somewhere in the archive's span.
  const loops = REGIONS.map((_, ri) =>
    Array.from({ length: LOOPING_GROUPS }, (_, k) => ({
      name: `loop-${REGIONS[ri]}-${k}`,
      ami: amis[ri]![AMIS_PER_REGION - 1 - k]!,
      from: START + Math.floor(rand() * Math.max(1, slots - 24)) * FILE_MS,
    })),
  );
  const recent: string[][] = REGIONS.map(() => []);

  let successfulRunInstances = 0;
  let launchCalls = 0;
  let written = 0;
  let recordsWritten = 0;
  let uncompressedBytes = 0;
  let compressedBytes = 0;
  const files: string[] = [];
  const carry: Pending[][] = REGIONS.map(() => []);
  const writes: Promise<void>[] = [];

  for (let slot = 0; slot < slots; slot += 1) {
    const slotStart = START + slot * FILE_MS;
    for (let ri = 0; ri < REGIONS.length; ri += 1) {
      const region = REGIONS[ri]!;
      const here: Pending[] = carry[ri]!.splice(0);
      const next = carry[ri]!;
      const target =
        recordsPerFile < 100
          ? MIN_RECORDS_PER_FILE + Math.floor(rand() * (2 * (perFile - MIN_RECORDS_PER_FILE) + 1))
          : slot === slots - 1
            ? records - written - here.length
            : Math.round(perFile);
      const base = (time: number): Record<string, string> => ({
        eventId: uuid(),
        requestId: uuid(),
        time: iso(time),
        region,
      });
      const emit = (time: number, text: string, late: boolean): void => {
        (late ? next : here).push({ time, text });
      };
      const runInstances = (
        time: number,
        group: string | undefined,
        ami: string,
        n: number,
        fleetId?: string,
      ) => {
        const ids = Array.from({ length: n }, instanceId);
        const items = ids
          .map((id, k) =>
            (group === undefined ? t.personItem! : t.asgItem!).render({
              instanceId: id,
              imageId: ami,
              index: String(k),
              clientToken: fleetId === undefined ? `${uuid()}_subnet-083e5906ef2809ac2_1` : `${fleetId}-0`,
              group: group ?? '',
              fleetId: fleetId ?? `fleet-${uuid()}`,
            }),
          )
          .join(',');
        const values = {
          ...base(time),
          items,
          imageId: ami,
          count: String(n),
          group: group ?? '',
          clientToken: fleetId === undefined ? uuid() : `${fleetId}-0`,
          reservationId: `r-${hex(17)}`,
        };
        const text = (group === undefined ? t.person! : t.asg!).render(values);
        successfulRunInstances += 1;
        launchCalls += 1;
        recent[ri]!.push(...ids);
        if (recent[ri]!.length > 500) recent[ri]!.splice(0, 250);
        return { ids, text };
      };
      let made = 0;
      const add = (text: string, time: number): void => {
        made += 1;
        // About 3% of records reach S3 in a later file than their time.
        emit(time, text, slot < slots - 1 && rand() < 0.03);
      };
      // The looping groups: a launch every 2-4 minutes while the loop lasts, each instance
      // terminated a few minutes later (it never becomes healthy).
      for (const loop of loops[ri]!) {
        if (slotStart < loop.from || slotStart >= loop.from + 2 * 3_600_000) continue;
        for (let at = slotStart + Math.floor(rand() * 60_000); at < slotStart + FILE_MS; at += 120_000) {
          const time = Math.floor(at / 1000) * 1000;
          const { ids, text } = runInstances(time, loop.name, loop.ami, 1);
          add(text, time);
          const end = time + 180_000;
          add(
            t.terminate!.render({ ...base(end), instanceId: ids[0]! }),
            Math.min(end, slotStart + FILE_MS - 1000),
          );
        }
      }
      while (made < target) {
        const time = slotStart + Math.floor(rand() * (FILE_MS / 1000)) * 1000;
        const r = rand();
        if (r < 0.05) {
          const kind = r / 0.05;
          const g = skewed(GROUPS_PER_REGION);
          const group = `asg-${region}-${g}`;
          const ami = amis[ri]![groupAmi[ri]![g]!]!;
          if (kind < 0.55) {
            const { text } = runInstances(time, group, ami, 1 + Math.floor(rand() * rand() * 4));
            add(text, time);
            // About 1% of launches are delivered twice.
            if (rand() < 0.01) {
              add(text, time);
              successfulRunInstances += 1;
            }
          } else if (kind < 0.67) {
            const { text } = runInstances(time, undefined, pick(amis[ri]!), 1 + Math.floor(rand() * 2));
            add(text, time);
          } else if (kind < 0.77) {
            // CreateFleet, then the RunInstances EC2 Fleet writes for the same instances.
            const fleetId = `fleet-${uuid()}`;
            const run = runInstances(time, group, ami, 1, fleetId);
            launchCalls += 1;
            add(t.fleet!.render({ ...base(time), fleetId, group, ids: run.ids[0]!, count: '1' }), time);
            add(run.text, time);
          } else if (kind < 0.79) {
            const values = {
              ...base(time),
              group,
              count: '2',
              clientToken: uuid(),
              reservationId: `r-${hex(17)}`,
              imageId: ami,
            };
            add(t.truncated!.render(values), time);
            successfulRunInstances += 1;
            launchCalls += 1;
          } else {
            const errorCode = rand() < 0.33 ? 'Client.DryRunOperation' : 'Client.UnauthorizedOperation';
            add(t.failed!.render({ ...base(time), errorCode, imageId: pick(amis[ri]!) }), time);
            launchCalls += 1;
          }
          continue;
        }
        if (r < 0.07 && recent[ri]!.length > 0) {
          add(t.terminate!.render({ ...base(time), instanceId: pick(recent[ri]!) }), time);
          continue;
        }
        const filler = rand();
        const values = {
          ...base(time),
          instanceId: instanceId(),
          group: `asg-${region}-${skewed(GROUPS_PER_REGION)}`,
          bucket: `logs-${hex(6)}`,
          objectKey: `AWSLogs/${ACCOUNT}/${hex(24)}.gz`,
          role: `arn:aws:iam::${ACCOUNT}:role/app-${hex(4)}`,
          session: hex(16).toUpperCase(),
          eventName: filler < 0.45 ? pick(S3_CALLS) : pick(EC2_CALLS),
        };
        add((filler < 0.45 ? t.s3! : filler < 0.85 ? t.ec2! : t.sts!).render(values), time);
      }
      written += here.length;
      recordsWritten += here.length;
      const stamp = new Date(slotStart + FILE_MS).toISOString();
      const day = stamp.slice(0, 10).replace(/-/g, '/');
      const compact = `${stamp.slice(0, 4)}${stamp.slice(5, 7)}${stamp.slice(8, 10)}T${stamp.slice(11, 13)}${stamp.slice(14, 16)}Z`;
      const rel = join(
        'AWSLogs',
        ACCOUNT,
        'CloudTrail',
        region,
        day,
        `${ACCOUNT}_CloudTrail_${region}_${compact}_${hex(16)}.json.gz`,
      );
      const body = `{"Records":[${here.map((p) => p.text).join(',')}]}`;
      uncompressedBytes += Buffer.byteLength(body);
      files.push(rel);
      writes.push(
        gzipAsync(body).then((gz) => {
          compressedBytes += gz.length;
          mkdirSync(join(dir, rel, '..'), { recursive: true });
          writeFileSync(join(dir, rel), gz);
        }),
      );
      if (writes.length >= 8) await Promise.all(writes.splice(0));
    }
  }
  await Promise.all(writes);
  // A digest file, as a trail writes beside the logs: replay must skip it.
  const digestDir = join(dir, 'AWSLogs', ACCOUNT, 'CloudTrail-Digest', REGIONS[0], '2025', '03', '01');
  mkdirSync(digestDir, { recursive: true });
  writeFileSync(
    join(
      digestDir,
      `${ACCOUNT}_CloudTrail-Digest_${REGIONS[0]}_trail_${REGIONS[0]}_20250301T010000Z.json.gz`,
    ),
    await gzipAsync(
      JSON.stringify({
        awsAccountId: ACCOUNT,
        logFiles: files.slice(0, 3).map((s3Object) => ({ s3Object })),
      }),
    ),
  );
  return {
    version: GENERATOR_VERSION,
    seed,
    records,
    recordsPerFile,
    recordsWritten,
    files,
    uncompressedBytes,
    compressedBytes,
    successfulRunInstances,
    launchCalls,
  };
}

if (require.main === module) {
  const records = Number(process.argv[2] ?? 100_000);
  const recordsPerFile = Number(process.argv[3] ?? RECORDS_PER_FILE);
  const dir = process.argv[4] ?? join(__dirname, 'out', `archive-${records}-${recordsPerFile}`);
  generateArchive({ dir, records, seed: 1, recordsPerFile }).then(
    (m) =>
      process.stdout.write(
        `${dir}: ${m.records} records, ${m.files.length} files, ${m.uncompressedBytes} bytes\n`,
      ),
    (error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
