import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeClock } from '../../shared/index.ts';
import { capturingLogger } from '../capturing-logger.ts';
import { type ConnectorRegistry, createConnectorRegistry } from '../registry.ts';
import { demoShopConnector } from './connector.ts';
import {
  FIXTURE_CUSTOMER_LOCKED,
  FIXTURE_CUSTOMER_NO_ORDERS,
  FIXTURE_CUSTOMER_THREE_ORDERS,
  FIXTURE_ORDER_DELIVERED,
  FIXTURE_ORDER_PROCESSING,
  FIXTURE_ORDER_SHIPPED,
  FIXTURE_ORDER_UNKNOWN,
} from './data.ts';
import { type DemoShopServer, startDemoShopServer } from './server.ts';

/** The fixture orders below belong to this customer (the shipped one to the one-order customer). */
const OWNER = FIXTURE_CUSTOMER_THREE_ORDERS.email;

/**
 * These tests check answers, not timeouts (registry.test.ts drives those with a fake clock). The registry's
 * timeout is a real timer and a local HTTP answer takes milliseconds, but on a loaded shared machine one call
 * went past the 2,000 ms these tests used to give: 10 s is a 5x margin, and three stalled calls still fit in
 * the 30 s test timeout.
 */
const CALL_TIMEOUT_MS = 10_000;

/** One suite, run against both transports: the answers must not depend on how the shop is reached. */
const transports: Array<{ name: string; config: () => Record<string, unknown> }> = [];
let server: DemoShopServer;

beforeAll(async () => {
  server = await startDemoShopServer({ port: 0, seed: 7 });
});
afterAll(async () => {
  await server.close();
});

transports.push({ name: 'in-process', config: () => ({ seed: 7 }) });
transports.push({ name: 'HTTP', config: () => ({ baseUrl: server.url }) });

describe.each(transports)('demo-shop connector ($name)', ({ config }) => {
  const logger = capturingLogger();
  let registry: ConnectorRegistry;
  const call = (operation: string, input: unknown) =>
    registry.call({
      connector: 'demo-shop',
      version: 1,
      operation,
      input,
      timeoutMs: CALL_TIMEOUT_MS,
      retries: 0,
    });

  beforeAll(() => {
    registry = createConnectorRegistry({
      connectors: [{ definition: demoShopConnector, config: config() }],
      clock: fakeClock(),
      logger,
    });
  });

  it('looks up an order by any of its written forms', async () => {
    for (const orderNumber of ['SB-100001', '#100001', '100001', 100001]) {
      const { result } = await call('getOrder', { orderNumber });
      expect(result.ok).toBe(true);
      if (result.ok) {
        expect(result.value).toMatchObject({
          found: true,
          order: { orderNumber: FIXTURE_ORDER_SHIPPED, status: 'shipped', carrier: 'NorthPost' },
        });
      }
    }
    expect((await call('getOrder', { orderNumber: FIXTURE_ORDER_UNKNOWN })).result).toEqual({
      ok: true,
      value: { found: false },
    });
  });

  it('lists orders and accounts', async () => {
    const none = await call('listOrders', { email: FIXTURE_CUSTOMER_NO_ORDERS.email });
    expect(none.result).toEqual({ ok: true, value: { orders: [], count: 0 } });
    const three = await call('listOrders', { email: FIXTURE_CUSTOMER_THREE_ORDERS.email });
    expect(three.result.ok && (three.result.value as { count: number }).count).toBe(3);
    const locked = await call('getAccount', { email: FIXTURE_CUSTOMER_LOCKED.email });
    expect(locked.result).toMatchObject({ ok: true, value: { found: true, account: { status: 'locked' } } });
  });

  it('sends password resets and invoices', async () => {
    expect((await call('sendPasswordReset', { email: FIXTURE_CUSTOMER_LOCKED.email })).result).toEqual({
      ok: true,
      value: { sent: true, expiresInMinutes: 30 },
    });
    const invoice = await call('sendInvoice', {
      orderNumber: FIXTURE_ORDER_DELIVERED,
      email: FIXTURE_CUSTOMER_THREE_ORDERS.email,
    });
    expect(invoice.result).toMatchObject({ ok: true, value: { sent: true } });
  });

  it('changes state: cancel, refund (amount as text), address', async () => {
    expect(
      (await call('cancelOrder', { orderNumber: FIXTURE_ORDER_PROCESSING, email: OWNER })).result,
    ).toEqual({
      ok: true,
      value: { cancelled: true },
    });
    expect(
      (await call('cancelOrder', { orderNumber: FIXTURE_ORDER_PROCESSING, email: OWNER })).result,
    ).toEqual({
      ok: true,
      value: { cancelled: false, reason: 'already_cancelled' },
    });
    const refund = await call('refundOrder', {
      orderNumber: FIXTURE_ORDER_DELIVERED,
      amount: '19.99',
      email: OWNER,
    });
    expect(refund.result).toMatchObject({ ok: true, value: { refunded: true } });
    const address = await call('updateAddress', {
      email: FIXTURE_CUSTOMER_NO_ORDERS.email,
      address: '3 Elm Row, Leeds',
    });
    expect(address.result).toEqual({ ok: true, value: { updated: true } });
  });

  it('refuses bad input before calling the shop, naming the field', async () => {
    const outcome = await call('refundOrder', {
      orderNumber: FIXTURE_ORDER_DELIVERED,
      amount: 'lots',
      email: OWNER,
    });
    expect(outcome.attempts).toBe(0);
    expect(outcome.result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    if (!outcome.result.ok) expect(outcome.result.error.message).toContain('input field amount:');
  });

  it('logs no customer data', () => {
    const text = logger.text();
    expect(logger.lines.length).toBeGreaterThan(5);
    for (const value of [FIXTURE_CUSTOMER_THREE_ORDERS.email, 'Elm Row', '100001'])
      expect(text).not.toContain(value);
  });
});

describe('demo shop server', () => {
  const post = (path: string, body: unknown) =>
    fetch(new URL(path, server.url), { method: 'POST', body: JSON.stringify(body) });

  it('answers 400 with the failing fields, 404 for an unknown operation, 405 for GET', async () => {
    const bad = await post('api/getAccount', { email: 'nope' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'invalid_input', fields: ['email'] });
    expect((await post('api/dropTables', {})).status).toBe(404);
    expect((await fetch(new URL('api/getOrder', server.url))).status).toBe(405);
    const notJson = await fetch(new URL('api/getOrder', server.url), { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);
  });

  it('listens on loopback only', () => {
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
  });

  it('answers when the process stalls past the old 2,000 ms margin', async () => {
    const registry = createConnectorRegistry({
      connectors: [{ definition: demoShopConnector, config: { baseUrl: server.url } }],
      clock: fakeClock(),
      logger: capturingLogger(),
    });
    const pending = registry.call({
      connector: 'demo-shop',
      version: 1,
      operation: 'listOrders',
      input: { email: FIXTURE_CUSTOMER_THREE_ORDERS.email },
      timeoutMs: CALL_TIMEOUT_MS,
      retries: 0,
    });
    // What a loaded machine does: the answer arrives while the event loop is busy, and the timer is due first.
    const until = Date.now() + 2_100;
    while (Date.now() < until) {
      // busy, as under load
    }
    const { result } = await pending;
    expect(result.ok && (result.value as { count: number }).count).toBe(3);
  });

  it('fails retryably when the shop is down', async () => {
    const gone = await startDemoShopServer({ port: 0 });
    await gone.close();
    const registry = createConnectorRegistry({
      connectors: [{ definition: demoShopConnector, config: { baseUrl: gone.url } }],
      clock: fakeClock(),
      logger: capturingLogger(),
      sleep: async () => {},
    });
    const outcome = await registry.call({
      connector: 'demo-shop',
      version: 1,
      operation: 'getOrder',
      input: { orderNumber: FIXTURE_ORDER_SHIPPED },
      timeoutMs: CALL_TIMEOUT_MS,
      retries: 1,
    });
    expect(outcome.attempts).toBe(2);
    expect(outcome.result).toMatchObject({ ok: false, error: { code: 'network', retryable: true } });
  });
});
