/**
 * One warm Lambda container, for tests: a process of its own (its own memory, module state and
 * SDK clients) that imports the real function entry, `lambda/entries/guard.ts`, once, then runs the
 * invocations its parent sends over IPC, as Lambda's runtime would, each with its request id.
 * The parent sets the environment (endpoints, table) when it forks it. See `containers.ts`.
 */
import type { GuardResult } from '../../lambda/steps/count';

/** What the parent sends: one invocation. */
export interface InvokeMessage {
  readonly id: number;
  readonly event: unknown;
  readonly requestId: string;
}

/** What the container answers: ready once, then one reply per invocation. */
export type ContainerMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'done'; readonly id: number; readonly result: GuardResult }
  | { readonly kind: 'failed'; readonly id: number; readonly error: string };

type Handler = (event: unknown, context: { awsRequestId: string }) => Promise<GuardResult>;

async function main(): Promise<void> {
  const send = (message: ContainerMessage): void => {
    process.send?.(message);
  };
  const { handler } = (await import('../../lambda/entries/guard.js')) as { handler: Handler };
  process.on('message', (message: InvokeMessage) => {
    handler(message.event, { awsRequestId: message.requestId }).then(
      (result) => send({ kind: 'done', id: message.id, result }),
      (error: unknown) => send({ kind: 'failed', id: message.id, error: (error as Error).name }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  send({ kind: 'ready' });
}

void main();
