/**
 * What the reading pool (`read-pool.ts`) and its worker threads (`read-worker.ts`) exchange, and
 * the reading of one job, which both run. Its own file, so that the pool and the worker import it
 * and not each other.
 */
import { type FileBatch, readBytesBatch, readFileBatch } from './read-batch';

/** One input for a reader: a file on disk, or bytes already fetched (an S3 object). */
export type ReadJob =
  | { readonly kind: 'files'; readonly paths: readonly string[] }
  | {
      readonly kind: 'bytes';
      readonly label: string;
      readonly bytes: Uint8Array;
      readonly jsonDocument: boolean;
    };

/**
 * What the worker posts back for job `seq`: the batches as JSON text, `null` when the bytes
 * inflate too much. JSON text, because structured cloning launch records cost more than reading
 * them.
 */
export type ReadReply =
  | { readonly seq: number; readonly batches: string | null }
  | { readonly seq: number; readonly failure: string };

/** Run one job where it stands (this thread, or a worker's). */
export async function runJob(job: ReadJob): Promise<FileBatch[] | undefined> {
  if (job.kind === 'files') {
    const out: FileBatch[] = [];
    for (const path of job.paths) out.push(await readFileBatch(path));
    return out;
  }
  const bytes = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
  const batch = readBytesBatch(job.label, bytes, job.jsonDocument);
  return batch === undefined ? undefined : [batch];
}
