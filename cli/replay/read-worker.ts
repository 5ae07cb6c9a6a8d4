/**
 * A reading worker thread: reads the inputs the main thread names and posts back one
 * {@link FileBatch} per input. Started by `read-pool.ts`; never run directly.
 */
import { parentPort } from 'node:worker_threads';
import { type FileBatch, readBytesBatch, readFileBatch } from './read-batch';
import type { ReadJob } from './read-pool';

/** What the worker posts back for job `seq`: `batch` null when the bytes inflate too much. */
export type ReadReply =
  | { readonly seq: number; readonly batch: FileBatch | null }
  | { readonly seq: number; readonly failure: string };

async function run(job: ReadJob): Promise<FileBatch | null> {
  if (job.kind === 'file') return readFileBatch(job.path);
  return (
    readBytesBatch(
      job.label,
      Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength),
      job.jsonDocument,
    ) ?? null
  );
}

parentPort?.on('message', (message: { seq: number; job: ReadJob }) => {
  // Each job's file read is asynchronous, so the next jobs' reads overlap this one's parsing.
  run(message.job).then(
    (batch) => parentPort!.postMessage({ seq: message.seq, batch } satisfies ReadReply),
    (error: unknown) =>
      parentPort!.postMessage({
        seq: message.seq,
        failure: error instanceof Error ? (error.stack ?? error.message) : String(error),
      } satisfies ReadReply),
  );
});
