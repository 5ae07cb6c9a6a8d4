/**
 * `s3://bucket/prefix` PATHs. Kept apart from `s3-inputs.ts` so that a local replay never loads
 * the S3 client.
 */

/** A bucket and a key prefix. */
export interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
}

const S3_URL = /^s3:\/\/([^/]+)\/?(.*)$/;

/** Whether a PATH names S3. */
export function isS3Url(path: string): boolean {
  return path.startsWith('s3://');
}

/** `s3://bucket/prefix` → bucket and prefix, or undefined when it is not one. */
export function parseS3Url(url: string): S3Location | undefined {
  const m = S3_URL.exec(url);
  return m === null ? undefined : { bucket: m[1]!, prefix: m[2]! };
}
