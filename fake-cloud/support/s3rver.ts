/**
 * s3rver (S3's REST protocol over HTTP, objects on disk) in a child process.
 *
 * A child process because s3rver signs its ListObjectsV2 continuation tokens with DES, which
 * OpenSSL 3 (Node 17 and later) only offers with `--openssl-legacy-provider`; the flag is for
 * this test server only, never for the code under test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';

/** A running s3rver and a way to reach it. */
export interface LocalS3 {
  readonly endpoint: string;
  /** A client with s3rver's own keys (`S3RVER` / `S3RVER`). */
  client(credentials?: { accessKeyId: string; secretAccessKey: string }): S3Client;
  close(): Promise<void>;
}

const ROOT = join(__dirname, '..', '..');

const SERVER = `
const S3rver = require('s3rver');
const buckets = JSON.parse(process.argv[2]).map((name) => ({ name, configs: [] }));
new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: process.argv[1], configureBuckets: buckets })
  .run()
  .then((a) => process.stdout.write(JSON.stringify({ port: a.port }) + '\\n'));
`;

/** Start s3rver with the given buckets (objects kept under `.cache/tmp`). */
export function startS3(buckets: readonly string[]): Promise<LocalS3> {
  const dir = mkdtempSync(join(ROOT, '.cache', 'tmp', 's3rver-'));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--openssl-legacy-provider', '-e', SERVER, dir, JSON.stringify(buckets)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`s3rver exited (${code})`)));
    child.stdout!.once('data', (d: Buffer) => {
      const { port } = JSON.parse(d.toString()) as { port: number };
      const endpoint = `http://127.0.0.1:${port}`;
      resolve({
        endpoint,
        client: (credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }) =>
          new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials }),
        close: () =>
          new Promise((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.kill();
          }),
      });
    });
  });
}
