import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_ORDER_SHIPPED } from '../connectors/demo-shop/index.ts';
import { type FakeZendesk, startFakeZendesk } from '../connectors/helpdesk/index.ts';
import { capturingLogger } from '../connectors/index.ts';
import { fakeClock, UserError } from '../shared/index.ts';
import {
  buildConnectorRegistry,
  builtInConnectorCatalogue,
  DEMO_SHOP_IN_PROCESS,
  replayConnectors,
} from './connectors.ts';

const TOKEN = 'zd-secret-token-31337';

describe('builtInConnectorCatalogue', () => {
  it('describes http, demo-shop and helpdesk v1 from their schemas', () => {
    const catalogue = builtInConnectorCatalogue();
    expect(catalogue.connectors.map((c) => [c.name, c.version])).toEqual([
      ['http', 1],
      ['demo-shop', 1],
      ['helpdesk', 1],
    ]);
    const op = (connector: string, operation: string) =>
      catalogue.connectors.find((c) => c.name === connector)?.operations.find((o) => o.name === operation);
    expect(catalogue.connectors[0]?.operations.map((o) => o.name)).toEqual(['request']);
    expect(op('http', 'request')?.requiredInputFields).toEqual(['path']);
    expect(catalogue.connectors[1]?.operations.map((o) => o.name)).toEqual([
      'getOrder',
      'listOrders',
      'getAccount',
      'sendPasswordReset',
      'sendInvoice',
      'cancelOrder',
      'refundOrder',
      'updateAddress',
    ]);
    expect(op('demo-shop', 'getOrder')).toEqual({
      name: 'getOrder',
      inputFields: ['orderNumber'],
      requiredInputFields: ['orderNumber'],
      outputFields: ['found', 'order'],
    });
    expect(op('demo-shop', 'refundOrder')?.outputFields).toEqual(['refunded', 'refundId', 'reason']);
    expect(op('helpdesk', 'createTicket')).toEqual({
      name: 'createTicket',
      inputFields: ['subject', 'body', 'requesterEmail', 'requesterName', 'tags', 'priority'],
      requiredInputFields: ['subject', 'body', 'requesterEmail'],
      outputFields: ['ticketId'],
    });
    expect(catalogue.connectors[2]?.operations.map((o) => o.name)).toEqual([
      'createTicket',
      'addInternalNote',
      'setTags',
      'setStatus',
    ]);
  });
});

describe('buildConnectorRegistry', () => {
  let zendesk: FakeZendesk;
  beforeAll(async () => {
    zendesk = await startFakeZendesk({ email: 'bot@sablebramble.example', apiToken: TOKEN });
  });
  afterAll(async () => {
    await zendesk.close();
  });

  it('has no connector at all when none is configured: the demo shop only when asked for', async () => {
    for (const config of [{}, { connectors: {} }]) {
      const registry = buildConnectorRegistry({ config, clock: fakeClock(), logger: capturingLogger() });
      expect(registry.catalogue().connectors).toEqual([]);
      const { result } = await registry.call({
        connector: 'demo-shop',
        version: 1,
        operation: 'getOrder',
        input: { orderNumber: FIXTURE_ORDER_SHIPPED },
        timeoutMs: 1000,
        retries: 0,
      });
      expect(result).toMatchObject({ ok: false, error: { code: 'unknown_connector' } });
    }
    const demo = buildConnectorRegistry({
      config: { connectors: DEMO_SHOP_IN_PROCESS },
      clock: fakeClock(),
      logger: capturingLogger(),
    });
    const { result } = await demo.call({
      connector: 'demo-shop',
      version: 1,
      operation: 'getOrder',
      input: { orderNumber: FIXTURE_ORDER_SHIPPED },
      timeoutMs: 1000,
      retries: 0,
    });
    expect(result).toMatchObject({ ok: true, value: { found: true, order: { status: 'shipped' } } });
  });

  it('gives a replay the demo shop in process, never a live one, and nothing else', () => {
    const live = {
      connectors: {
        'demo-shop': { baseUrl: 'http://127.0.0.1:1' },
        http: { baseUrl: 'https://shop.example' },
      },
    };
    const registry = replayConnectors({ config: live, clock: fakeClock(), logger: capturingLogger() });
    expect(registry.catalogue().connectors.map((c) => c.name)).toEqual(['demo-shop']);
    expect(
      replayConnectors({ config: {}, clock: fakeClock(), logger: capturingLogger() }).catalogue().connectors,
    ).toEqual([]);
  });

  it('wires every configured connector, http operations included', async () => {
    const logger = capturingLogger();
    const registry = buildConnectorRegistry({
      config: {
        connectors: {
          'demo-shop': { seed: 3 },
          http: {
            baseUrl: zendesk.url,
            operations: { ticket: { method: 'GET', path: '/api/v2/tickets/{{ id }}.json' } },
          },
          helpdesk: { baseUrl: zendesk.url, email: 'bot@sablebramble.example', apiToken: TOKEN },
        },
      },
      clock: fakeClock(),
      logger,
    });
    const catalogue = registry.catalogue();
    expect(catalogue.connectors.map((c) => c.name)).toEqual(['http', 'demo-shop', 'helpdesk']);
    expect(catalogue.connectors[0]?.operations.map((o) => o.name)).toEqual(['request', 'ticket']);
    const created = await registry.call({
      connector: 'helpdesk',
      version: 1,
      operation: 'createTicket',
      input: { subject: 'Handoff', body: 'Needs a person.', requesterEmail: 'amara.nguyen@inbox.example' },
      timeoutMs: 2000,
      retries: 0,
    });
    expect(created.result.ok).toBe(true);
    expect(logger.text()).not.toContain(TOKEN);
  });

  it('leaves the demo shop out when other connectors are configured and it is not', () => {
    const registry = buildConnectorRegistry({
      config: { connectors: { http: { baseUrl: 'http://127.0.0.1:9/' } } },
      clock: fakeClock(),
      logger: capturingLogger(),
    });
    expect(registry.catalogue().connectors.map((c) => c.name)).toEqual(['http']);
  });

  it('lists every problem across connectors at start-up, without secret values', () => {
    const build = () =>
      buildConnectorRegistry({
        config: {
          connectors: {
            'demo-shop': { baseUrl: 'ftp://shop.example' },
            helpdesk: { baseUrl: 'https://acme.zendesk.example', email: 'not-an-email', apiToken: '' },
            http: {
              baseUrl: 'https://api.example',
              headers: { authorization: '{{secrets.API}}' },
              secrets: { OTHER: TOKEN },
            },
          },
        },
        clock: fakeClock(),
        logger: capturingLogger(),
      });
    expect(build).toThrow(UserError);
    try {
      build();
    } catch (error) {
      const message = (error as UserError).message;
      expect(message).toContain('4 problems');
      for (const field of [
        'connectors.http.headers.authorization',
        'connectors.demo-shop.baseUrl',
        'connectors.helpdesk.email',
        'connectors.helpdesk.apiToken',
      ]) {
        expect(message).toContain(`${field}:`);
      }
      expect(message).not.toContain(TOKEN);
    }
  });

  it('names an unknown connector', () => {
    expect(() =>
      buildConnectorRegistry({
        config: { connectors: { zendesk: {} } },
        clock: fakeClock(),
        logger: capturingLogger(),
      }),
    ).toThrow(/unknown connector zendesk \(built in: http, demo-shop, helpdesk\)/);
  });
});
