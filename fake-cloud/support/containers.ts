/**
 * Warm Lambda containers for tests: each a child process running `lambda-container.ts` (the real
 * `lambda/entries/guard.ts`, imported fresh), all sharing the DynamoDB and AWS endpoints they are given.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import type { GuardResult } from '../../lambda/steps/count';
import type { ContainerMessage, InvokeMessage } from './lambda-container';

/** What one invocation came to: the handler's result, or the name of the error it threw. */
export type InvocationOutcome =
  | { readonly ok: true; readonly result: GuardResult }
  | { readonly ok: false; readonly error: string };

/** A running container. */
export interface Container {
  /** Invoke the handler with this event under this request id; resolves when it returns or throws. */
  invoke(event: unknown, requestId: string): Promise<InvocationOutcome>;
  close(): Promise<void>;
}

/** Start one container with this environment (on top of a clean one); resolves once it is warm. */
export async function startContainer(env: Record<string, string>): Promise<Container> {
  const child: ChildProcess = fork(join(__dirname, 'lambda-container.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const waiting = new Map<number, (outcome: InvocationOutcome) => void>();
  let nextId = 0;
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`container exited (${code}) before it was ready: ${stderr}`)),
    );
    child.on('message', (message: ContainerMessage) => {
      if (message.kind === 'ready') resolve();
      else if (message.kind === 'done') waiting.get(message.id)?.({ ok: true, result: message.result });
      else waiting.get(message.id)?.({ ok: false, error: message.error });
    });
  });
  return {
    invoke(event, requestId) {
      const id = ++nextId;
      return new Promise<InvocationOutcome>((resolve) => {
        waiting.set(id, (outcome) => {
          waiting.delete(id);
          resolve(outcome);
        });
        const message: InvokeMessage = { id, event, requestId };
        child.send(message);
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.disconnect();
      });
    },
  };
}
