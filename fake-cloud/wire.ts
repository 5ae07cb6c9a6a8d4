/**
 * The fake cloud's wire: one loopback HTTP server that speaks the real protocols of the pinned SDK
 * clients, so that the guard's unchanged clients reach it through `AWS_ENDPOINT_URL_<SERVICE>`.
 *
 * - awsQuery (Auto Scaling, SNS): form-encoded POST with `Action` and `Version`, XML answers,
 *   `<ErrorResponse>` errors. The service is told apart by `Version`.
 * - EC2 query: the same requests (any other `Version`), lower-camel XML answers,
 *   `<Response><Errors>` errors.
 * - JSON 1.0/1.1 (SQS; ECS, the Price List): `X-Amz-Target: <prefix>.<Operation>`, JSON answers,
 *   errors as `{"__type": <Code>, "message": …}` with the `x-amzn-errortype` header.
 *
 * Each service is one entry of {@link CloudService}: its protocol and a table of operation
 * handlers by name. Adding an operation is one entry in a table; adding a service is one table
 * and one entry in the list handed to {@link startCloud}.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Flat query parameters (`Prefix.member.N.Field` = value). */
export type Params = Record<string, string>;
/** A JSON request or answer body. */
export type Json = Record<string, unknown>;

/** An error a fake operation answers with: the service's error code and HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** XML text escaping. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Epoch ms as ISO 8601. */
export function iso(t: number): string {
  return new Date(t).toISOString();
}

/** `Prefix.member.N` (awsQuery) or `Prefix.N` (EC2) lists. */
export function list(p: Params, prefix: string): string[] {
  const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(?:member\\.)?(\\d+)$`);
  const out: [number, string][] = [];
  for (const [k, v] of Object.entries(p)) {
    const m = re.exec(k);
    if (m) out.push([Number(m[1]), v]);
  }
  return out.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** `Prefix.member.N.Field` structures. */
export function structs(p: Params, prefix: string): Params[] {
  const byIndex = new Map<number, Params>();
  const re = new RegExp(`^${prefix}\\.member\\.(\\d+)\\.(.+)$`);
  for (const [k, v] of Object.entries(p)) {
    const m = re.exec(k);
    if (!m) continue;
    const s = byIndex.get(Number(m[1])) ?? {};
    s[m[2]!] = v;
    byIndex.set(Number(m[1]), s);
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
}

/** An awsQuery `MaxRecords`: `fallback` when absent, `ValidationError` outside 1..max. */
export function maxRecords(p: Params, key: string, max: number, fallback: number): number {
  const raw = p[key];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new ApiError(
      'ValidationError',
      `1 validation error detected: Value '${raw}' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to ${max}`,
    );
  }
  return n;
}

/** A JSON `maxResults`: `max` when absent, `InvalidParameterException` outside 1..max. */
export function jsonLimit(value: unknown, max: number, name: string): number {
  if (value === undefined) return max;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max)
    throw new ApiError('InvalidParameterException', `${name} must be between 1 and ${max}.`);
  return value;
}

/** One page of `items` after `token` (an opaque offset, base64 as AWS's tokens look). */
export function page<T>(
  items: readonly T[],
  token: string | undefined,
  size: number,
): { items: T[]; next?: string } {
  const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64').toString('utf8'));
  if (!Number.isInteger(start) || start < 0) throw new ApiError('InvalidNextToken', 'The token is not valid');
  const slice = items.slice(start, start + size);
  const end = start + size;
  return end < items.length
    ? { items: slice, next: Buffer.from(String(end)).toString('base64') }
    : { items: slice };
}

/** One request the fake answered. */
export interface CloudCall {
  readonly service: string;
  readonly action: string;
  /** Query parameters; for a JSON service, the body's members (non-strings as JSON text). */
  readonly params: Readonly<Params>;
  /** The state's time of the call (the simulator's clock), when the state has one. */
  readonly at?: number;
  /** The group the call is about, when the state can tell. */
  readonly group?: string;
  /** The error code answered, if any. */
  readonly error?: string;
}

/** A published SNS message. */
export interface CloudPublish {
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** The state's time of the publish, when the state has a clock. */
  readonly at?: number;
}

/** An error answered instead of acting (a test's injected failure). */
export interface CloudFailure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/**
 * A test's hooks into the fake. Each may return a promise to hold the call there: `received`
 * before the fake acts (and may answer an error instead), `answering` after it acted but before
 * the caller hears of it (the call is "in flight" for the caller).
 */
export interface CloudHooks {
  received?(call: CloudCall): Promise<CloudFailure | undefined> | CloudFailure | undefined;
  answering?(call: CloudCall): Promise<void> | void;
}

/** What every state source gives the wire: its clock and which group a call concerns. */
export interface WireState {
  /** The state's current time, recorded with each call; undefined when it keeps none. */
  now(): number | undefined;
  /** The group a call concerns, for per-group call counts; undefined when it cannot tell. */
  callGroup?(service: string, input: Params | Json): string | undefined;
}

/** The running fake cloud over a state `S`. */
export interface Cloud<S extends WireState> {
  readonly endpoint: string;
  /** How the fake names itself in request ids, message ids and messages (`demo`, `sim`). */
  readonly label: string;
  /** The state answered from; it may be swapped between runs. */
  state: S;
  readonly calls: CloudCall[];
  readonly published: CloudPublish[];
  hooks: CloudHooks;
  close(): Promise<void>;
}

/** One operation: reads or changes the cloud's state and returns the answer's body. */
export type Operation<S extends WireState, I, O> = (cloud: Cloud<S>, input: I) => O;

/** A query-protocol service (awsQuery or EC2's). */
export interface QueryService<S extends WireState> {
  readonly protocol: 'awsQuery' | 'ec2';
  readonly service: string;
  /** The `Version` parameter that names the service; EC2's entry has none (it takes the rest). */
  readonly version?: string;
  readonly namespace: string;
  /** The code answered for an operation the table lacks. */
  readonly unknownCode: string;
  /** Each operation returns the XML inside `<Op>Result>` (awsQuery) or `<Op>Response>` (EC2). */
  readonly operations: Readonly<Record<string, Operation<S, Params, string>>>;
}

/** A JSON-protocol service (JSON 1.0 or 1.1, by its `contentType`). */
export interface JsonService<S extends WireState> {
  readonly protocol: 'json';
  readonly service: string;
  /** `X-Amz-Target` prefix, e.g. `AmazonEC2ContainerServiceV20141113.`. */
  readonly target: string;
  readonly contentType: string;
  readonly unknownCode: string;
  readonly operations: Readonly<Record<string, Operation<S, Json, Json>>>;
}

export type CloudService<S extends WireState> = QueryService<S> | JsonService<S>;

/** The state to answer from, the services to answer and the fake's name. */
export interface CloudOptions<S extends WireState> {
  readonly state: S;
  readonly services: readonly CloudService<S>[];
  readonly label: string;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A JSON body's members as strings, for {@link CloudCall.params}. */
function flatParams(body: Json): Params {
  return Object.fromEntries(
    Object.entries(body).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  );
}

interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

function errorReply(
  s: CloudService<WireState>,
  e: { code: string; message: string; status: number },
  label: string,
): Reply {
  if (s.protocol === 'json')
    return {
      status: e.status,
      headers: { 'content-type': s.contentType, 'x-amzn-errortype': e.code },
      body: JSON.stringify({ __type: e.code, message: e.message }),
    };
  if (s.protocol === 'ec2')
    return {
      status: e.status,
      headers: { 'content-type': 'text/xml' },
      body: `<Response><Errors><Error><Code>${e.code}</Code><Message>${esc(e.message)}</Message></Error></Errors><RequestID>${label}</RequestID></Response>`,
    };
  return {
    status: e.status,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse xmlns="${s.namespace}"><Error><Type>${e.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${e.code}</Code><Message>${esc(e.message)}</Message></Error><RequestId>${label}</RequestId></ErrorResponse>`,
  };
}

function okReply(s: CloudService<WireState>, action: string, result: string | Json, label: string): Reply {
  if (s.protocol === 'json')
    return { status: 200, headers: { 'content-type': s.contentType }, body: JSON.stringify(result) };
  const xml = result as string;
  if (s.protocol === 'ec2')
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<${action}Response xmlns="${s.namespace}"><requestId>${label}</requestId>${xml}</${action}Response>`,
    };
  return {
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body: `<${action}Response xmlns="${s.namespace}">${xml === '' ? '' : `<${action}Result>${xml}</${action}Result>`}<ResponseMetadata><RequestId>${label}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

/** Start the fake cloud on a free loopback port. */
export async function startCloud<S extends WireState>(options: CloudOptions<S>): Promise<Cloud<S>> {
  const { services, label } = options;
  let server: Server | undefined;
  const cloud: Cloud<S> = {
    endpoint: '',
    label,
    state: options.state,
    calls: [],
    published: [],
    hooks: {},
    close: () =>
      new Promise<void>((resolve) => {
        if (server === undefined) {
          resolve();
          return;
        }
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const query = services.filter((s): s is QueryService<S> => s.protocol !== 'json');
  const json = services.filter((s): s is JsonService<S> => s.protocol === 'json');

  /** Parse, record, act (unless a hook fails the call) and build the answer. */
  const handle = async (req: IncomingMessage, text: string): Promise<{ call: CloudCall; reply: Reply }> => {
    const target = req.headers['x-amz-target'];
    const jsonService =
      typeof target === 'string' ? json.find((s) => target.startsWith(s.target)) : undefined;
    let service: CloudService<S>;
    let action: string;
    let input: Params | Json;
    let params: Params;
    if (jsonService !== undefined) {
      service = jsonService;
      action = (target as string).slice(jsonService.target.length);
      input = (text === '' ? {} : JSON.parse(text)) as Json;
      params = flatParams(input);
    } else {
      params = Object.fromEntries(new URLSearchParams(text));
      const version = params['Version'] ?? '';
      const found = query.find((s) => s.version === version) ?? query.find((s) => s.version === undefined);
      if (found === undefined) throw new Error(`no service answers Version ${version}`);
      service = found;
      action = params['Action'] ?? '';
      input = params;
    }
    const state = cloud.state;
    const at = state.now();
    const group = state.callGroup?.(service.service, input);
    const call: CloudCall = {
      service: service.service,
      action,
      params,
      ...(at !== undefined ? { at } : {}),
      ...(group !== undefined ? { group } : {}),
    };
    cloud.calls.push(call);
    const failed = (e: { code: string; message: string; status: number }): Reply => {
      (call as { error?: string }).error = e.code;
      return errorReply(service as CloudService<WireState>, e, label);
    };
    const failure = await cloud.hooks.received?.(call);
    if (failure !== undefined) return { call, reply: failed(failure) };
    const operation = service.operations[action] as Operation<S, Params | Json, string | Json> | undefined;
    try {
      if (operation === undefined)
        throw new ApiError(service.unknownCode, `${action} is not answered by the ${label}`);
      return {
        call,
        reply: okReply(service as CloudService<WireState>, action, operation(cloud, input), label),
      };
    } catch (error) {
      const e =
        error instanceof ApiError ? error : { code: 'InternalFailure', message: String(error), status: 500 };
      return { call, reply: failed(e) };
    }
  };

  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    readBody(req)
      .then((text) => handle(req, text))
      .then(async ({ call, reply }) => {
        await cloud.hooks.answering?.(call);
        res.writeHead(reply.status, reply.headers);
        res.end(reply.body);
      })
      .catch((error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  (cloud as { endpoint: string }).endpoint = `http://127.0.0.1:${port}`;
  return cloud;
}
