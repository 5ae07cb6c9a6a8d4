/**
 * Reads inputs on several threads and hands their batches back in input order.
 *
 * Results never depend on the number of threads: every input becomes one {@link FileBatch}
 * wherever it is read, and {@link inOrder} commits batches strictly in input order, so the store
 * sees the same records in the same order with 1 thread or 16. (The engine then sorts launches by
 * (eventTime, eventID), ties kept in reading order.)
 */

import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FileBatch } from './read-batch';
import { type ReadJob, type ReadReply, runJob } from './read-job';

/** Reads jobs somewhere (this thread or workers). */
export interface BatchReader {
  /**
   * @returns one batch per file, in order; for bytes, one batch, or undefined when they inflate
   *   too much to read whole
   */
  read(job: ReadJob): Promise<FileBatch[] | undefined>;
  close(): Promise<void>;
}

/** The default number of reading threads: one per core, at most 16. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(availableParallelism(), 16));
}

/** Reads in the calling thread (for one thread, or one input). */
export function inThreadReader(): BatchReader {
  return { read: runJob, close: async () => undefined };
}

interface Pending {
  readonly resolve: (batches: FileBatch[] | undefined) => void;
  readonly reject: (error: Error) => void;
}

/** Reads on `n` worker threads; each job goes to the worker with the fewest jobs in hand. */
export class WorkerReader implements BatchReader {
  private readonly workers: { worker: Worker; load: number }[] = [];
  private readonly pending = new Map<number, Pending & { slot: number }>();
  private seq = 0;
  private broken: Error | undefined;

  constructor(n: number) {
    for (let k = 0; k < n; k += 1) {
      const worker = startWorker();
      const slot = { worker, load: 0 };
      worker.on('message', (reply: ReadReply) => this.settle(reply));
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (this.pending.size > 0) this.fail(new Error(`a reading thread exited (code ${code})`));
      });
      this.workers.push(slot);
    }
  }

  read(job: ReadJob): Promise<FileBatch[] | undefined> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    let best = 0;
    for (let k = 1; k < this.workers.length; k += 1)
      if (this.workers[k]!.load < this.workers[best]!.load) best = k;
    const seq = this.seq++;
    const slot = this.workers[best]!;
    slot.load += 1;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject, slot: best });
      slot.worker.postMessage({ seq, job });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }

  private settle(reply: ReadReply): void {
    const p = this.pending.get(reply.seq);
    if (p === undefined) return;
    this.pending.delete(reply.seq);
    this.workers[p.slot]!.load -= 1;
    if ('failure' in reply) p.reject(new Error(`a reading thread failed: ${reply.failure}`));
    else p.resolve(reply.batches === null ? undefined : (JSON.parse(reply.batches) as FileBatch[]));
  }

  private fail(error: Error): void {
    this.broken ??= error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}

/**
 * Start `read-worker` beside this file. Under tsx (sources, tests) the worker registers tsx
 * first: a worker does not inherit the loader the main thread was started with.
 */
function startWorker(): Worker {
  const ext = extname(__filename);
  const file = join(__dirname, `read-worker${ext}`);
  if (ext !== '.ts') return new Worker(file);
  const tsx = createRequire(__filename).resolve('tsx/cjs/api');
  return new Worker(`require(${JSON.stringify(tsx)}).register();require(${JSON.stringify(file)});`, {
    eval: true,
  });
}

/**
 * Run `jobs` with at most `limit` in flight and hand each result to `commit` in job order.
 * A slow job holds back the commits after it, never the order.
 */
export async function inOrder<T>(
  jobs: Iterable<() => Promise<T>> | AsyncIterable<() => Promise<T>>,
  limit: number,
  commit: (value: T) => void,
): Promise<void> {
  const window: Promise<T>[] = [];
  for await (const job of jobs) {
    const started = job();
    // Marked handled now: a later job may fail while an earlier one is awaited. Awaiting it
    // below still throws its error.
    started.catch(() => undefined);
    window.push(started);
    if (window.length >= limit) commit(await window.shift()!);
  }
  while (window.length > 0) commit(await window.shift()!);
}
