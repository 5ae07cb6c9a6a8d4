/**
 * Test inputs for `replay`, built from the shared real fixtures (copied, then ids, times, regions
 * and tags changed), and a way to run the command in-process or as a real process.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { type ReplayIo, runReplay } from '../../../cli/replay/main';
import { loadFixture } from '../../../fake-cloud/support/fixtures';

// biome-ignore lint/suspicious/noExplicitAny: tests edit fixture copies by path.
export type Json = Record<string, any>;

export const ROOT = join(__dirname, '..', '..', '..');
export const ACCOUNT = '111122223333';
export const REGION = 'us-west-2';
export const GROUP = 'web-asg';
export const AMI = 'ami-013e7d3a6659f358d';
export const T0 = Date.UTC(2025, 2, 1, 12, 0, 0);
export const MIN = 60_000;

function copy(name: string): Json {
  return structuredClone(loadFixture(name)) as Json;
}

function withHeader(record: Json, eventId: string, time: number, region: string, account: string): Json {
  for (const key of Object.keys(record)) if (key.startsWith('p_')) delete record[key];
  record.eventID = eventId;
  record.eventTime = new Date(time).toISOString().replace('.000Z', 'Z');
  record.awsRegion = region;
  record.recipientAccountId = account;
  return record;
}

/** Where and when a test record happens. */
export interface At {
  readonly eventId: string;
  readonly time: number;
  readonly region?: string;
  readonly account?: string;
}

/** An Auto Scaling RunInstances (the real service-linked-role fixture) launching `ids`. */
export function asgLaunch(
  at: At,
  ids: readonly string[],
  group: string | undefined = GROUP,
  ami = AMI,
): Json {
  const record = withHeader(
    copy('runinstances-asg-slr-eks-nodegroup-fleet.panther.json'),
    at.eventId,
    at.time,
    at.region ?? REGION,
    at.account ?? ACCOUNT,
  );
  const template = record.responseElements.instancesSet.items[0];
  record.responseElements.instancesSet.items = ids.map((instanceId, k) => {
    const item = structuredClone(template);
    item.instanceId = instanceId;
    item.imageId = ami;
    item.amiLaunchIndex = k;
    item.tagSet.items = item.tagSet.items.filter((t: Json) => t.key !== 'aws:autoscaling:groupName' || group);
    for (const tag of item.tagSet.items) if (tag.key === 'aws:autoscaling:groupName') tag.value = group;
    return item;
  });
  record.requestParameters.instancesSet.items = [{ minCount: ids.length, maxCount: ids.length }];
  return record;
}

/** A console RunInstances by a person (the real fixture): no group, counted for its AMI only. */
export function personLaunch(at: At, ids: readonly string[], ami = AMI): Json {
  const record = withHeader(
    copy('runinstances-console-assumedrole-tagspec.panther.json'),
    at.eventId,
    at.time,
    at.region ?? REGION,
    at.account ?? ACCOUNT,
  );
  const template = record.responseElements.instancesSet.items[0];
  record.responseElements.instancesSet.items = ids.map((instanceId) => ({
    ...structuredClone(template),
    instanceId,
    imageId: ami,
  }));
  return record;
}

/** The ASG launch with its instance list cut by CloudTrail: `minCount` stands for it. */
export function truncatedLaunch(at: At, minCount: number, group = GROUP): Json {
  const record = asgLaunch(at, ['i-unused'], group);
  record.responseElements = { omitted: true };
  record.requestParameters.instancesSet.items = [{ minCount, maxCount: minCount }];
  record.requestParameters.tagSpecificationSet = {
    items: [{ resourceType: 'instance', tags: [{ key: 'aws:autoscaling:groupName', value: group }] }],
  };
  return record;
}

/** The failed RunInstances fixture (UnauthorizedOperation), or the same call as a dry run. */
export function failedLaunch(at: At, errorCode = 'Client.UnauthorizedOperation'): Json {
  const record = withHeader(
    copy('runinstances-failed-unauthorizedoperation.stratus.json'),
    at.eventId,
    at.time,
    at.region ?? REGION,
    at.account ?? ACCOUNT,
  );
  record.errorCode = errorCode;
  return record;
}

/** A CreateFleet (shaped after the ASG fixture; no CreateFleet fixture exists) launching `ids`. */
export function createFleet(at: At, ids: readonly string[], group = GROUP): Json {
  const record = asgLaunch(at, ids, group);
  record.eventName = 'CreateFleet';
  record.requestParameters = {
    CreateFleetRequest: {
      Type: 'instant',
      TargetCapacitySpecification: {
        TotalTargetCapacity: ids.length,
        DefaultTargetCapacityType: 'on-demand',
      },
      TagSpecification: {
        ResourceType: 'instance',
        tag: 1,
        Tag: [{ Key: 'aws:autoscaling:groupName', Value: group }],
      },
    },
  };
  record.responseElements = {
    CreateFleetResponse: {
      fleetId: 'fleet-180da986-0bb4-c936-0c9a-0e20a0c6d1aa',
      fleetInstanceSet: { item: { lifecycle: 'on-demand', instanceIds: { item: [...ids] } } },
    },
  };
  return record;
}

/** The Auto Scaling TerminateInstances fixture, terminating `ids`. */
export function terminate(at: At, ids: readonly string[]): Json {
  const record = withHeader(
    copy('terminateinstances-asg-slr.panther.json'),
    at.eventId,
    at.time,
    at.region ?? REGION,
    at.account ?? ACCOUNT,
  );
  const template = record.responseElements.instancesSet.items[0];
  record.responseElements.instancesSet.items = ids.map((instanceId) => ({ ...template, instanceId }));
  record.requestParameters.instancesSet.items = ids.map((instanceId) => ({ instanceId }));
  return record;
}

/** A non-launch API call (the S3 CreateBucket record from the AWS docs example). */
export function otherCall(at: At): Json {
  const detail = (loadFixture('eventbridge-cloudtrail-s3-createbucket.awsdocs.json') as Json).detail;
  return withHeader(structuredClone(detail), at.eventId, at.time, at.region ?? REGION, at.account ?? ACCOUNT);
}

/** A fresh temporary folder. */
export function tempDir(): string {
  const base = join(ROOT, '.cache', 'tmp');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, 'replay-'));
}

/** Write a CloudTrail log file `{"Records":[...]}` (gzipped when the name ends in `.gz`). */
export function writeLog(path: string, records: readonly Json[]): string {
  mkdirSync(dirname(path), { recursive: true });
  const text = JSON.stringify({ Records: records });
  writeFileSync(path, path.endsWith('.gz') ? gzipSync(text) : text);
  return path;
}

/** A new temporary folder holding one CloudTrail log file, `a.json`, of these records. */
export function logFolder(records: readonly Json[]): string {
  const dir = tempDir();
  writeLog(join(dir, 'a.json'), records);
  return dir;
}

/** Write JSON Lines, one value per line. */
export function writeLines(path: string, values: readonly unknown[]): string {
  mkdirSync(dirname(path), { recursive: true });
  const text = values.map((v) => JSON.stringify(v)).join('\n');
  writeFileSync(path, path.endsWith('.gz') ? gzipSync(text) : text);
  return path;
}

/** What a run of replay printed, and its exit code. */
export interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run replay in-process. */
export function replay(args: readonly string[], stdin = ''): Promise<Outcome> {
  return replayIn(args, { stdin: Readable.from([Buffer.from(stdin)]) });
}

/** Run replay in-process with these inputs (stdin, and S3 if the run reads it), capturing what it prints. */
export async function replayIn(
  args: readonly string[],
  io: Omit<ReplayIo, 'stdout' | 'stderr'>,
): Promise<Outcome> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await runReplay(args, { ...io, stdout: out, stderr: err });
  return { code, stdout, stderr };
}

/** Run `node --import tsx bin/cli.ts replay ...` as a real process. */
export function replayProcess(args: readonly string[], stdin = ''): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'bin', 'cli.ts'), 'replay', ...args],
      {
        cwd: ROOT,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** The trips of a `--format json` run. */
export function trips(outcome: Outcome): Json[] {
  return outcome.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Json);
}

/** A number from the stderr summary, by its label. */
export function summaryValue(outcome: Outcome, label: string): number {
  const line = outcome.stderr.split('\n').find((l) => l.trim().startsWith(`${label}:`));
  if (line === undefined) throw new Error(`no "${label}" in summary:\n${outcome.stderr}`);
  return Number(/:\s*(\d+)/.exec(line)![1]);
}

/** An eventID that sorts by its number. */
export function eid(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/** `n` launches of one instance each, a minute apart from `start`. */
export function launchSeries(n: number, start: number, firstId = 0, group = GROUP): Json[] {
  return Array.from({ length: n }, (_, k) =>
    asgLaunch(
      { eventId: eid(firstId + k), time: start + k * MIN },
      [`i-${String(firstId + k).padStart(17, '0')}`],
      group,
    ),
  );
}
