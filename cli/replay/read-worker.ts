/**
 * A reading worker thread: reads the inputs the main thread names and posts back one
 * {@link FileBatch} per input. Started by `read-pool.ts`; never run directly.
 */
import { parentPort } from 'node:worker_threads';
import { type ReadJob, type ReadReply, runJob } from './read-job';

parentPort?.on('message', (message: { seq: number; job: ReadJob }) => {
  // Each job's file read is asynchronous, so the next jobs' reads overlap this one's parsing.
  runJob(message.job).then(
    (batches) =>
      parentPort!.postMessage({
        seq: message.seq,
        batches: batches === undefined ? null : JSON.stringify(batches),
      } satisfies ReadReply),
    (error: unknown) =>
      parentPort!.postMessage({
        seq: message.seq,
        failure: error instanceof Error ? (error.stack ?? error.message) : String(error),
      } satisfies ReadReply),
  );
});
