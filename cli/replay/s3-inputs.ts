/**
 * `replay s3://bucket/prefix`: lists a trail's objects with ListObjectsV2 (paginated) and fetches
 * them with GetObject, for the reading threads to parse.
 *
 * Layout (CloudTrail user guide, "Finding your CloudTrail log files"):
 * `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<time>_<id>.json.gz`,
 * and for an organization trail `AWSLogs/<o-id>/<account>/CloudTrail/…`. Digest files live under
 * `CloudTrail-Digest/` and Insights events under `CloudTrail-Insight/`; both are left out, as in a
 * folder walk. `--since`/`--until` skip whole day folders: the listing is asked for each day's
 * prefix when the PATH reaches a region folder, and other keys are filtered by the day in them.
 */

import { Readable } from 'node:stream';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { S3Location } from './s3-url';

/** One log object to read. */
export interface S3LogObject {
  readonly key: string;
  readonly size: number;
}

/** Day bounds, as `YYYY/MM/DD` (inclusive), from `--since` and `--until`. */
export interface DayRange {
  readonly since?: string;
  readonly until?: string;
}

/** A listing that cannot be done: no such bucket, access denied, no region. Exit 2. */
export class S3InputError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message);
    this.name = 'S3InputError';
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

const LOG_KEY = /\.(json|jsonl)(\.gz)?$/i;
const SKIPPED_KEY = /(^|\/)CloudTrail-(Digest|Insight)\/|_CloudTrail-(Digest|Insight)_/;
/** `…/CloudTrail/<region>/` and what of `YYYY/MM/DD/` follows it. */
const REGION_PREFIX = /^(.*\/CloudTrail\/[a-z0-9-]+\/)((\d{4})\/((\d{2})\/((\d{2})\/)?)?)?$/;
/** The day folder inside a key. */
const KEY_DAY = /\/CloudTrail\/[a-z0-9-]+\/(\d{4}\/\d{2}\/\d{2})\//;

/**
 * The prefixes to list for a location and day range: one per day when the prefix reaches a
 * region folder and both bounds are given, else the prefix itself.
 */
export function listPrefixes(location: S3Location, days: DayRange): string[] {
  const m = REGION_PREFIX.exec(location.prefix);
  if (m === null || days.since === undefined || days.until === undefined) return [location.prefix];
  const region = m[1]!;
  const within = location.prefix.slice(region.length);
  const out: string[] = [];
  const start = Date.parse(`${days.since.replaceAll('/', '-')}T00:00:00Z`);
  const end = Date.parse(`${days.until.replaceAll('/', '-')}T00:00:00Z`);
  for (let t = start; t <= end; t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10).replaceAll('-', '/');
    if (`${day}/`.startsWith(within)) out.push(`${region}${day}/`);
  }
  return out;
}

/** Whether a key is a log file within the day range. */
export function isWantedKey(key: string, days: DayRange): boolean {
  if (!LOG_KEY.test(key) || SKIPPED_KEY.test(key)) return false;
  if (days.since === undefined && days.until === undefined) return true;
  const day = KEY_DAY.exec(key)?.[1];
  // A key outside the trail layout has no day: keep it rather than guess.
  if (day === undefined) return true;
  return (days.since === undefined || day >= days.since) && (days.until === undefined || day <= days.until);
}

/**
 * List the log objects under a location, page by page (`pageSize` keys a page, S3's 1,000 by
 * default), in key order.
 *
 * @throws S3InputError when the bucket is missing or listing is denied
 */
export async function* listLogObjects(
  client: S3Client,
  location: S3Location,
  days: DayRange,
  pageSize?: number,
): AsyncGenerator<S3LogObject> {
  for (const prefix of listPrefixes(location, days)) {
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await client.send(
          new ListObjectsV2Command({
            Bucket: location.bucket,
            Prefix: prefix,
            ContinuationToken: token,
            ...(pageSize === undefined ? {} : { MaxKeys: pageSize }),
          }),
        );
      } catch (error) {
        throw listingError(location, error);
      }
      for (const o of page.Contents ?? []) {
        if (o.Key !== undefined && isWantedKey(o.Key, days)) yield { key: o.Key, size: o.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }
}

/** Fetch a whole object. @throws the SDK's error (the caller reports the object and goes on) */
export async function fetchObject(client: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (out.Body === undefined) return new Uint8Array(0);
  return out.Body.transformToByteArray();
}

/** Stream an object (for one too big to hold whole). */
export function streamObject(client: S3Client, bucket: string, key: string): Readable {
  return Readable.from(
    (async function* () {
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (out.Body !== undefined) yield* out.Body as AsyncIterable<Uint8Array>;
    })(),
  );
}

/** Class a listing failure by error name and HTTP status, never by message text. */
function listingError(location: S3Location, error: unknown): Error {
  const name = (error as { name?: unknown }).name;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const where = `s3://${location.bucket}/${location.prefix}`;
  if (name === 'NoSuchBucket')
    return new S3InputError(`cannot read ${where}: no such bucket`, { cause: error });
  if (
    status === 403 ||
    name === 'AccessDenied' ||
    name === 'InvalidAccessKeyId' ||
    name === 'SignatureDoesNotMatch'
  ) {
    return new S3InputError(
      `cannot read ${where}: access denied (${String(name)}): s3:ListBucket on the bucket is needed`,
      { cause: error },
    );
  }
  if (name === 'CredentialsProviderError') {
    return new S3InputError(`cannot read ${where}: no AWS credentials (${describe(error)})`, {
      cause: error,
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
