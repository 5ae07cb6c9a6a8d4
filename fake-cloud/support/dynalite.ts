/**
 * An in-process DynamoDB (dynalite: the real wire protocol) with the guard's table.
 */
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

/** A running dynalite with a client pointed at it. */
export interface LocalDynamo {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** Create a fresh table with the guard's key schema; returns its name. */
  createTable(name?: string): Promise<string>;
  close(): Promise<void>;
}

let tableSeq = 0;

/** A dynalite server listening on a free loopback port, counting the requests it answers. */
export interface DynaliteServer {
  readonly endpoint: string;
  /** Requests answered since the server started. */
  requests(): number;
  close(): Promise<void>;
}

/** Start a dynalite server (tables created, deleted and updated at once) on a free loopback port. */
export async function listenDynalite(): Promise<DynaliteServer> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  let requests = 0;
  server.on('request', () => {
    requests += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Start dynalite on a free loopback port. */
export async function startDynamo(): Promise<LocalDynamo> {
  const server = await listenDynalite();
  const { endpoint } = server;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  return {
    endpoint,
    client,
    async createTable(name = `guard-${process.pid}-${++tableSeq}`) {
      await createGuardTable(client, name);
      return name;
    },
    async close() {
      client.destroy();
      await server.close();
    },
  };
}

/** Create a table with the guard's key schema (`pk`, on demand) and wait until it exists. */
export async function createGuardTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 0.05, maxDelay: 0.1 }, { TableName: name });
}
