/** A real HTTP server on 127.0.0.1 that records the POSTs it receives and answers from a script. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server received it. */
export interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One scripted answer. */
export interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** A webhook stand-in: answers each request with the next scripted reply, then 200 `ok`. */
export class WebhookServer {
  readonly received: Received[] = [];
  private replies: Reply[] = [];
  private server?: Server;
  url = '';

  /** Start listening on an ephemeral port. */
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        const reply = this.replies.shift() ?? { status: 200, body: 'ok' };
        res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
        res.end(reply.body ?? '');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/services/T000/B000/XXXX`;
  }

  /** Answer the next requests with these replies, in order. */
  script(...replies: Reply[]): void {
    this.replies = [...replies];
  }

  /** Forget what was received and scripted. */
  reset(): void {
    this.received.length = 0;
    this.replies = [];
  }

  /** The JSON bodies received, parsed. */
  bodies(): unknown[] {
    return this.received.map((r) => JSON.parse(r.body));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.server?.close((e) => (e ? reject(e) : resolve())));
  }
}
