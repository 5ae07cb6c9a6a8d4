/**
 * The fake cloud's wire: a service is a table of operations, found by `Version` (query) or by
 * `X-Amz-Target` (JSON); each call is recorded, with its error code when it failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiError,
  type Cloud,
  type CloudService,
  type Json,
  type Params,
  startCloud,
  type WireState,
} from '../../fake-cloud/wire';

interface CounterState extends WireState {
  count: number;
}

const QUERY: CloudService<CounterState> = {
  protocol: 'awsQuery',
  service: 'counter',
  version: '2020-01-01',
  namespace: 'http://counter.example/doc/2020-01-01/',
  unknownCode: 'InvalidAction',
  operations: {
    Add: ({ state }, p: Params) => {
      state.count += Number(p['By'] ?? 1);
      return `<Count>${state.count}</Count>`;
    },
    Fail: () => {
      throw new ApiError('ValidationError', 'a < b');
    },
  },
};

const JSON_SERVICE: CloudService<CounterState> = {
  protocol: 'json',
  service: 'jsoncounter',
  target: 'Counter_20200101.',
  contentType: 'application/x-amz-json-1.0',
  unknownCode: 'UnknownOperationException',
  operations: { Get: ({ state }, body: Json) => ({ count: state.count, echo: body['echo'] }) },
};

let cloud: Cloud<CounterState>;

beforeAll(async () => {
  cloud = await startCloud({
    state: { count: 0, now: () => 7 },
    services: [QUERY, JSON_SERVICE],
    label: 'test',
  });
});
afterAll(() => cloud.close());

function query(params: Record<string, string>): Promise<Response> {
  return fetch(cloud.endpoint, { method: 'POST', body: new URLSearchParams(params) });
}

describe('startCloud', () => {
  it('answers a query operation from its table, inside the awsQuery envelope', async () => {
    // Act
    const res = await query({ Action: 'Add', Version: '2020-01-01', By: '2' });

    // Assess
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(
      '<AddResponse xmlns="http://counter.example/doc/2020-01-01/"><AddResult><Count>2</Count></AddResult><ResponseMetadata><RequestId>test</RequestId></ResponseMetadata></AddResponse>',
    );
    expect(cloud.calls.at(-1)).toEqual({
      service: 'counter',
      action: 'Add',
      params: { Action: 'Add', Version: '2020-01-01', By: '2' },
      at: 7,
    });
  });

  it("answers an operation's ApiError and an unknown operation as the service's errors, escaped, and records the code", async () => {
    // Act
    const failed = await query({ Action: 'Fail', Version: '2020-01-01' });
    const unknown = await query({ Action: 'Nope', Version: '2020-01-01' });

    // Assess
    expect(failed.status).toBe(400);
    expect(await failed.text()).toContain('<Code>ValidationError</Code><Message>a &lt; b</Message>');
    expect(await unknown.text()).toContain(
      '<Code>InvalidAction</Code><Message>Nope is not answered by the test</Message>',
    );
    expect(cloud.calls.slice(-2).map((c) => c.error)).toEqual(['ValidationError', 'InvalidAction']);
  });

  it('finds a JSON service by its X-Amz-Target prefix', async () => {
    // Act
    const res = await fetch(cloud.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'Counter_20200101.Get', 'content-type': 'application/x-amz-json-1.0' },
      body: JSON.stringify({ echo: 'hi' }),
    });
    const missing = await fetch(cloud.endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'Counter_20200101.Put' },
      body: '{}',
    });

    // Assess
    expect(await res.json()).toEqual({ count: cloud.state.count, echo: 'hi' });
    expect(missing.status).toBe(400);
    expect(missing.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
  });

  it("answers a hook's failure instead of acting", async () => {
    // Prepare
    const before = cloud.state.count;
    cloud.hooks = { received: () => ({ status: 503, code: 'Throttling', message: 'slow down' }) };

    // Act
    const res = await query({ Action: 'Add', Version: '2020-01-01' });
    cloud.hooks = {};

    // Assess
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('<Type>Receiver</Type><Code>Throttling</Code>');
    expect(cloud.state.count).toBe(before);
  });
});
