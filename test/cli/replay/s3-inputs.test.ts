import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWantedKey, listLogObjects, listPrefixes } from '../../../cli/replay/s3-inputs';
import { type LocalS3, startS3 } from '../../../fake-cloud/support/s3rver';
import { ACCOUNT, launchSeries, MIN, type Outcome, replay, replayIn, tempDir, trips } from './support';

const BUCKET = 'trail';
const ORG_ACCOUNT = '222233334444';
const DAY = (d: number): number => Date.UTC(2025, 11, d, 12, 0, 0);

/** key → records; launches of one group on three days, in two layouts, plus a digest. */
function archive(): Map<string, object[]> {
  const files = new Map<string, object[]>();
  const key = (root: string, region: string, d: number, n: number): string =>
    `${root}/CloudTrail/${region}/2025/12/0${d}/${ACCOUNT}_CloudTrail_${region}_2025120${d}T1200Z_${n}.json.gz`;
  for (const d of [1, 2, 3]) {
    // Three launches a day in each file, 4 files a day: 12 a day for the group.
    for (let n = 0; n < 4; n += 1) {
      files.set(
        key(`AWSLogs/${ACCOUNT}`, 'us-west-2', d, n),
        launchSeries(3, DAY(d) + n * 3 * MIN, d * 100 + n * 3),
      );
    }
  }
  // An organization trail's layout.
  files.set(key(`AWSLogs/o-abc123def4/${ORG_ACCOUNT}`, 'us-west-2', 2, 0), launchSeries(2, DAY(2), 900));
  return files;
}

async function put(client: S3Client, key: string, body: Buffer | string): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}

/** replay in-process, with S3 reached through `client`. */
function replayS3(args: readonly string[], client: () => S3Client): Promise<Outcome> {
  return replayIn(args, { stdin: Readable.from([]), s3: client });
}

describe('replay from S3 (s3rver)', () => {
  let s3: LocalS3;
  let client: S3Client;
  const files = archive();
  const CORRUPT = `AWSLogs/${ACCOUNT}/CloudTrail/us-west-2/2025/12/02/${ACCOUNT}_CloudTrail_us-west-2_20251202T1300Z_x.json.gz`;
  const DIGEST = `AWSLogs/${ACCOUNT}/CloudTrail-Digest/us-west-2/2025/12/02/${ACCOUNT}_CloudTrail-Digest_us-west-2_t_us-west-2_20251202T1300Z.json.gz`;

  beforeAll(async () => {
    s3 = await startS3([BUCKET]);
    client = s3.client();
    for (const [key, records] of files)
      await put(client, key, gzipSync(JSON.stringify({ Records: records })));
    await put(client, CORRUPT, 'this is not gzip');
    await put(client, DIGEST, gzipSync('{"logFiles":[]}'));
  });

  afterAll(async () => {
    client?.destroy();
    await s3?.close();
  });

  it('lists every log object across pages, in key order, without digests', async () => {
    // Act: two keys a page, so the listing takes several pages
    const listed: string[] = [];
    for await (const o of listLogObjects(client, { bucket: BUCKET, prefix: 'AWSLogs/' }, {}, 2))
      listed.push(o.key);
    // Assess
    expect(listed).toEqual([...files.keys(), CORRUPT].sort());
  });

  it('finds the same trips as a replay of the same files on disk, and reports the corrupt object', async () => {
    // Prepare: the same objects in a folder
    const dir = tempDir();
    for (const [key, records] of files) {
      const path = join(dir, key);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, gzipSync(JSON.stringify({ Records: records })));
    }
    const args = ['--format', 'json', '--asg-threshold', '10', '--threads', '2'];
    // Act
    const fromS3 = await replayS3([...args, `s3://${BUCKET}/AWSLogs/`], () => s3.client());
    const fromDisk = await replay([...args, join(dir, 'AWSLogs')]);
    // Assess
    expect(fromS3.code).toBe(0);
    expect(trips(fromS3).length).toBeGreaterThan(0);
    expect(fromS3.stdout).toBe(fromDisk.stdout);
    // The corrupt object is one of the inputs read: it yielded no record.
    expect(fromS3.stderr).toContain(`replay: read 38 records from ${files.size + 1} inputs`);
    expect(fromS3.stderr).toContain(
      'inputs that yielded no record: 1 (0 without a JSON object, 1 unreadable)',
    );
    expect(fromS3.stderr).toContain('files skipped as unreadable: 1');
    expect(fromS3.stderr).toContain(`s3://${BUCKET}/${CORRUPT}:1: `);
    expect(trips(fromS3).some((t) => t.account === ORG_ACCOUNT)).toBe(false);
  });

  it('reads an organization trail layout', async () => {
    // Act
    const out = await replayS3(
      ['--format', 'json', '--asg-threshold', '2', `s3://${BUCKET}/AWSLogs/o-abc123def4/`],
      () => s3.client(),
    );
    // Assess
    expect(out.code).toBe(0);
    expect(trips(out)).toMatchObject([{ account: ACCOUNT, launches: 2 }]);
    expect(out.stderr).toContain('replay: read 2 records from 1 input');
  });

  it('reads only the day folders between --since and --until', async () => {
    // Act
    const out = await replayS3(
      [
        '--format',
        'json',
        '--since',
        '2025-12-02',
        '--until',
        '2025-12-02',
        `s3://${BUCKET}/AWSLogs/${ACCOUNT}/CloudTrail/us-west-2/`,
      ],
      () => s3.client(),
    );
    // Assess: day 2's four files and the corrupt one (reported), 12 launches
    expect(out.stderr).toContain('replay: read 12 records from 5 inputs');
    expect(out.stderr).toContain('launches counted (distinct instances): 12');
  });

  it('exits 2 naming a bucket that does not exist', async () => {
    const out = await replayS3(['s3://no-such-trail-bucket/AWSLogs/'], () => s3.client());
    expect(out.code).toBe(2);
    expect(out.stderr).toBe('replay: cannot read s3://no-such-trail-bucket/AWSLogs/: no such bucket\n');
    expect(out.stdout).toBe('');
  });

  it('exits 2 when listing is denied', async () => {
    const out = await replayS3([`s3://${BUCKET}/AWSLogs/`], () =>
      s3.client({ accessKeyId: 'NOT-A-KEY', secretAccessKey: 'x' }),
    );
    expect(out.code).toBe(2);
    expect(out.stderr).toBe(
      `replay: cannot read s3://${BUCKET}/AWSLogs/: access denied (InvalidAccessKeyId): s3:ListBucket on the bucket is needed\n`,
    );
  });
});

describe('day folders', () => {
  it('lists one prefix per day when the PATH reaches a region folder', () => {
    const region = { bucket: 'b', prefix: 'AWSLogs/1/CloudTrail/eu-west-1/' };
    expect(listPrefixes(region, { since: '2025/11/30', until: '2025/12/02' })).toEqual([
      'AWSLogs/1/CloudTrail/eu-west-1/2025/11/30/',
      'AWSLogs/1/CloudTrail/eu-west-1/2025/12/01/',
      'AWSLogs/1/CloudTrail/eu-west-1/2025/12/02/',
    ]);
    expect(
      listPrefixes(
        { ...region, prefix: `${region.prefix}2025/12/` },
        { since: '2025/11/30', until: '2025/12/01' },
      ),
    ).toEqual(['AWSLogs/1/CloudTrail/eu-west-1/2025/12/01/']);
    expect(
      listPrefixes({ bucket: 'b', prefix: 'AWSLogs/' }, { since: '2025/11/30', until: '2025/12/01' }),
    ).toEqual(['AWSLogs/']);
  });

  it.each([
    ['AWSLogs/1/CloudTrail/us-east-1/2025/12/01/a.json.gz', true],
    ['AWSLogs/1/CloudTrail/us-east-1/2025/11/30/a.json.gz', false],
    ['AWSLogs/o-1/2/CloudTrail/us-east-1/2025/12/03/a.json.gz', true],
    ['AWSLogs/1/CloudTrail/us-east-1/2025/12/04/a.json.gz', false],
    ['AWSLogs/1/CloudTrail-Digest/us-east-1/2025/12/01/a.json.gz', false],
    ['AWSLogs/1/CloudTrail/us-east-1/2025/12/01/a.csv', false],
    ['exports/a.json.gz', true],
  ])('keeps %s within 2025-12-01..03: %s', (key, kept) => {
    expect(isWantedKey(key, { since: '2025/12/01', until: '2025/12/03' })).toBe(kept);
  });
});
