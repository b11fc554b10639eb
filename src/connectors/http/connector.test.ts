import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeClock, UserError } from '../../shared/index.ts';
import { capturingLogger } from '../capturing-logger.ts';
import { createConnectorRegistry } from '../registry.ts';
import { httpConnector } from './connector.ts';

const TOKEN = 'tok_live_9f8e7d6c5b4a';
const CUSTOMER_EMAIL = 'jonas.beispiel@mail.example';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

let server: Server;
let baseUrl: string;
const seen: Seen[] = [];
let flakyFailures = 0;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const text = Buffer.concat(chunks).toString('utf8');
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: text ? JSON.parse(text) : null,
    });
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path.startsWith('/v2/orders/')) {
      return json(200, {
        order: {
          number: decodeURIComponent(path.slice('/v2/orders/'.length)),
          status: 'shipped',
          tracking: { url: 'https://t.example/1' },
        },
        items: [{ sku: 'a' }, { sku: 'b' }],
      });
    }
    if (path === '/v2/refunds') return json(201, { refund: { id: 'RF-1', received: seen.at(-1)?.body } });
    if (path === '/v2/flaky') {
      if (flakyFailures > 0) {
        flakyFailures--;
        return json(503, { error: 'busy' });
      }
      return json(200, { fine: true });
    }
    if (path === '/v2/slow') {
      setTimeout(() => json(200, { late: true }), 400);
      return;
    }
    if (path === '/v2/text') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end('hello');
    }
    if (path === '/v2/echo') {
      return json(200, {
        headers: req.headers,
        seen: req.headers.authorization,
        note: `token ${TOKEN} accepted`,
        client: req.headers['x-client'],
      });
    }
    if (path === '/v2/echo-fail') return json(400, { error: `bad token ${TOKEN}` });
    json(404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen.length = 0;
  flakyFailures = 0;
});

const config = (extra: Record<string, unknown> = {}) => ({
  baseUrl,
  headers: { authorization: 'Bearer {{secrets.TOKEN}}', 'x-client': 'switchboard' },
  secrets: { TOKEN },
  operations: {
    orderStatus: {
      method: 'GET',
      path: '/orders/{{ orderNumber }}',
      query: { customer: '{{ email }}', expand: 'tracking' },
      output: {
        status: 'order.status',
        trackingUrl: 'order.tracking.url',
        itemCount: 'items.length',
        eta: 'order.eta',
      },
    },
    refund: {
      method: 'POST',
      path: '/refunds',
      body: {
        order: '{{ orderNumber }}',
        amount: '{{ amount }}',
        note: 'Refund for {{ orderNumber }}',
        lines: [{ reason: '{{ reason }}' }],
        notify: true,
      },
    },
    flaky: { method: 'GET', path: '/flaky' },
    slow: { method: 'GET', path: '/slow' },
    missing: { method: 'GET', path: '/missing' },
    text: { method: 'GET', path: '/text' },
  },
  ...extra,
});

function setup(configOverride?: Record<string, unknown>) {
  const logger = capturingLogger();
  const sleeps: number[] = [];
  const registry = createConnectorRegistry({
    connectors: [{ definition: httpConnector, config: configOverride ?? config() }],
    clock: fakeClock(),
    logger,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0,
  });
  const call = (operation: string, input: unknown = {}, timeoutMs = 2000, retries = 2) =>
    registry.call({ connector: 'http', version: 1, operation, input, timeoutMs, retries });
  return { registry, logger, sleeps, call };
}

describe('http connector', () => {
  it('fills the path template with URL-encoded input, adds the query and the secret header, maps the output', async () => {
    const { call } = setup();
    const outcome = await call('orderStatus', { orderNumber: 'SB-1/2 x', email: CUSTOMER_EMAIL });
    expect(outcome.result).toEqual({
      ok: true,
      value: { status: 'shipped', trackingUrl: 'https://t.example/1', itemCount: 2, eta: null },
    });
    expect(seen).toHaveLength(1);
    const url = new URL(seen[0]!.url, 'http://localhost');
    expect(url.pathname).toBe('/v2/orders/SB-1%2F2%20x');
    expect(url.searchParams.get('customer')).toBe(CUSTOMER_EMAIL);
    expect(url.searchParams.get('expand')).toBe('tracking');
    expect(seen[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen[0]!.headers['x-client']).toBe('switchboard');
  });

  it('maps the JSON body: a lone variable keeps its type, other strings render as text', async () => {
    const { call } = setup();
    const outcome = await call('refund', { orderNumber: 'SB-100001', amount: 12.5, reason: 'damaged' });
    expect(outcome.result.ok).toBe(true);
    expect(seen[0]!.method).toBe('POST');
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(seen[0]!.body).toEqual({
      order: 'SB-100001',
      amount: 12.5,
      note: 'Refund for SB-100001',
      lines: [{ reason: 'damaged' }],
      notify: true,
    });
    if (outcome.result.ok)
      expect(outcome.result.value).toMatchObject({ status: 201, body: { refund: { id: 'RF-1' } } });
  });

  it('requires every template variable as input and names the missing one', async () => {
    const { call } = setup();
    const outcome = await call('refund', { orderNumber: 'SB-100001', amount: 3 });
    expect(outcome.result).toMatchObject({ ok: false, error: { code: 'invalid_input', retryable: false } });
    if (!outcome.result.ok) expect(outcome.result.error.message).toContain('input field reason:');
    expect(seen).toHaveLength(0);
  });

  it('retries 5xx with backoff and succeeds', async () => {
    const { call, sleeps } = setup();
    flakyFailures = 2;
    const outcome = await call('flaky', {}, 2000, 3);
    expect(outcome.result).toEqual({ ok: true, value: { status: 200, body: { fine: true } } });
    expect(outcome.attempts).toBe(3);
    expect(seen).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
  });

  it('gives up on 5xx after its retries, as a retryable failure', async () => {
    const { call } = setup();
    flakyFailures = 5;
    const outcome = await call('flaky', {}, 2000, 1);
    expect(outcome.attempts).toBe(2);
    expect(outcome.result).toMatchObject({ ok: false, error: { code: 'http_503', retryable: true } });
  });

  it('does not retry a 4xx', async () => {
    const { call, sleeps } = setup();
    const outcome = await call('missing', {}, 2000, 3);
    expect(outcome.attempts).toBe(1);
    expect(sleeps).toEqual([]);
    expect(outcome.result).toMatchObject({ ok: false, error: { code: 'http_404', retryable: false } });
  });

  it('times out on the call timeout and on the config cap, as retryable failures', async () => {
    const byCall = await setup().call('slow', {}, 50, 1);
    expect(byCall.attempts).toBe(2);
    expect(byCall.result).toMatchObject({ ok: false, error: { code: 'timeout', retryable: true } });

    const byConfig = await setup(config({ timeoutMs: 50 })).call('slow', {}, 5000, 0);
    expect(byConfig.result).toMatchObject({ ok: false, error: { code: 'timeout', retryable: true } });
  });

  it('treats a refused connection as retryable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const outcome = await setup(config({ baseUrl: `http://127.0.0.1:${port}` })).call('flaky', {}, 2000, 1);
    expect(outcome.attempts).toBe(2);
    expect(outcome.result).toMatchObject({ ok: false, error: { code: 'network', retryable: true } });
  });

  it('refuses a body that is not JSON', async () => {
    const outcome = await setup().call('text');
    expect(outcome.result).toMatchObject({ ok: false, error: { code: 'bad_response', retryable: false } });
  });

  it('offers a generic request operation below baseUrl, with configured headers winning', async () => {
    const { call } = setup();
    const outcome = await call('request', {
      method: 'POST',
      path: '/refunds',
      query: { dryRun: true },
      headers: { authorization: 'Bearer stolen', 'x-extra': '1' },
      body: { order: 'SB-1' },
    });
    expect(outcome.result).toMatchObject({ ok: true, value: { status: 201 } });
    expect(seen[0]!.url).toBe('/v2/refunds?dryRun=true');
    expect(seen[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen[0]!.headers['x-extra']).toBe('1');
    expect(seen[0]!.body).toEqual({ order: 'SB-1' });
  });

  it('never lets a request leave baseUrl', async () => {
    const { call } = setup();
    const climbing = await call('request', { path: '../../admin' });
    expect(climbing.result).toMatchObject({ ok: false, error: { code: 'bad_path' } });
    const absolute = await call('request', { path: 'http://evil.example/x' });
    expect(absolute.result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const hostRelative = await call('request', { path: '//evil.example/x' });
    expect(hostRelative.result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(seen).toHaveLength(0);
  });

  it('lists the configured operations in the catalogue, inputs from the templates', () => {
    const entry = setup().registry.catalogue().connectors[0]!;
    expect(entry.operations.map((o) => o.name)).toEqual([
      'request',
      'orderStatus',
      'refund',
      'flaky',
      'slow',
      'missing',
      'text',
    ]);
    expect(entry.operations[1]).toEqual({
      name: 'orderStatus',
      inputFields: ['orderNumber', 'email'],
      requiredInputFields: ['orderNumber', 'email'],
      outputFields: ['status', 'trackingUrl', 'itemCount', 'eta'],
    });
    expect(entry.operations[2]?.requiredInputFields).toEqual(['orderNumber', 'amount', 'reason']);
    expect(entry.operations[2]?.outputFields).toEqual(['status', 'body']);
  });

  it('never logs the secret or the customer data, whatever happens', async () => {
    const { call, logger } = setup();
    flakyFailures = 1;
    await call('orderStatus', { orderNumber: 'SB-100001', email: CUSTOMER_EMAIL });
    await call('refund', { orderNumber: 'SB-100001', amount: 12.5, reason: 'damaged' });
    await call('flaky');
    await call('missing');
    await call('slow', {}, 30, 0);
    await call('request', { path: '/orders/x', headers: { 'x-token': TOKEN } });
    expect(logger.lines.length).toBeGreaterThanOrEqual(7);
    const text = logger.text();
    for (const value of [TOKEN, CUSTOMER_EMAIL, 'SB-100001', 'damaged', 'Bearer'])
      expect(text).not.toContain(value);
  });

  it('rejects bad config at start-up, listing every problem without the secret values', () => {
    const bad = config({
      headers: { authorization: 'Bearer {{secrets.MISSING}}', 'x-leak': '{{ orderNumber }}' },
      operations: {
        request: { method: 'GET', path: '/x' },
        broken: { method: 'GET', path: '/orders/{{ orderNumber ' },
        wrong: { method: 'FETCH', path: 'https://elsewhere.example/' },
      },
    });
    try {
      setup(bad);
      expect.unreachable('config should be rejected');
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      const message = (error as UserError).message;
      for (const expected of [
        'connectors.http.operations.wrong.method:',
        'connectors.http.operations.wrong.path: a path is relative to baseUrl',
        'connectors.http.headers.authorization: secrets.MISSING is not in secrets',
        'connectors.http.headers.x-leak: a header may only use {{secrets.NAME}}',
        'connectors.http.operations.request: "request" is the built-in generic operation',
        'connectors.http.operations.broken.path: not a valid template',
      ]) {
        expect(message).toContain(expected);
      }
      expect(message).not.toContain(TOKEN);
    }
  });
});

describe('http connector: secrets echoed by a service', () => {
  it('never come back in a result, so no conversation stores them and no handoff shows them', async () => {
    const { call } = setup();
    const outcome = await call('request', { method: 'GET', path: '/echo' });
    expect(outcome.result.ok).toBe(true);
    const text = JSON.stringify(outcome.result);
    expect(text).not.toContain(TOKEN);
    expect(outcome.result.ok && outcome.result.value).toMatchObject({
      status: 200,
      body: {
        headers: { authorization: '[secret]' },
        seen: '[secret]',
        note: 'token [secret] accepted',
        client: 'switchboard',
      },
    });
  });

  it('never come back in a failure message either', async () => {
    const { call } = setup();
    const outcome = await call('request', { method: 'GET', path: '/echo-fail' }, 2000, 0);
    expect(JSON.stringify(outcome.result)).not.toContain(TOKEN);
  });
});
