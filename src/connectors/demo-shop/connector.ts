import { z } from 'zod';
import { err, ok, type Result } from '../../shared/index.ts';
import { type AnyOperation, type ConnectorFailure, defineConnector } from '../connector.ts';
import { fetchJson } from '../fetch-json.ts';
import { DEFAULT_DEMO_SHOP_SEED } from './data.ts';
import { createIdempotencyLedger, type IdempotencyLedger } from './idempotency.ts';
import { DEMO_SHOP_OPERATIONS, type DemoShopOperation, demoShopSchemas } from './schemas.ts';
import { createDemoShopService, type DemoShopService } from './service.ts';

/** How an operation reaches the shop: over HTTP, or straight into an in-process service. */
export type DemoShopTransport = (
  operation: DemoShopOperation,
  input: unknown,
  signal: AbortSignal,
  idempotencyKey?: string,
) => Promise<Result<unknown, ConnectorFailure>>;

/** Over HTTP: the idempotency key travels as the `Idempotency-Key` header. */
export function httpTransport(baseUrl: string): DemoShopTransport {
  const root = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  return async (operation, input, signal, idempotencyKey) => {
    const res = await fetchJson({
      url: new URL(`api/${operation}`, root),
      method: 'POST',
      body: input,
      signal,
      ...(idempotencyKey ? { headers: { 'Idempotency-Key': idempotencyKey } } : {}),
    });
    return res.ok ? ok(res.value.body) : res;
  };
}

/** In process: the shop's ledger keeps what each key was answered. */
export function inProcessTransport(
  service: DemoShopService,
  ledger: IdempotencyLedger = createIdempotencyLedger(),
): DemoShopTransport {
  return async (operation, input, _signal, idempotencyKey) => {
    const run = ledger.run(idempotencyKey, operation, input, () =>
      (service[operation] as (i: unknown) => unknown)(input),
    );
    return run.ok
      ? ok(run.output)
      : err({
          code: 'idempotency_key_reused',
          message: 'the key was used for another request',
          retryable: false,
        });
  };
}

/**
 * With `baseUrl` the connector calls a demo shop server (`startDemoShopServer`); without it, it answers from
 * its own generated shop (seed `seed`), created once when the config is validated: the benchmark and
 * `npm start` use this.
 */
export const DemoShopConfigSchema = z
  .strictObject({
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    seed: z.number().int().nonnegative().optional(),
  })
  .transform((config): { transport: DemoShopTransport } => ({
    transport: config.baseUrl
      ? httpTransport(config.baseUrl)
      : inProcessTransport(createDemoShopService({ seed: config.seed ?? DEFAULT_DEMO_SHOP_SEED })),
  }));
export type DemoShopConfig = z.output<typeof DemoShopConfigSchema>;

const DESCRIPTIONS: Record<DemoShopOperation, string> = {
  getOrder: 'Looks up an order by number (SB-123456, #123456 or 123456).',
  listOrders: "Lists a customer's orders, newest first.",
  getAccount: "Looks up a customer's account (plan, status: active, locked or closed).",
  sendPasswordReset: 'Emails a password-reset link to an open account.',
  sendInvoice: "Emails an order's invoice to the customer who placed it.",
  cancelOrder: 'Cancels an order that has not shipped yet.',
  refundOrder: 'Refunds part or all of an order.',
  updateAddress: "Changes an active account's delivery address.",
};

const operations: Record<string, AnyOperation<DemoShopConfig>> = {};
for (const name of DEMO_SHOP_OPERATIONS) {
  operations[name] = {
    description: DESCRIPTIONS[name],
    input: demoShopSchemas[name].input,
    output: demoShopSchemas[name].output,
    run: (ctx, input) => ctx.config.transport(name, input, ctx.signal, ctx.idempotencyKey),
  };
}

/**
 * The demo shop of Sable & Bramble: orders, shipments, invoices, accounts and password-reset links.
 *
 * @example
 * const registry = createConnectorRegistry({
 *   connectors: [{ definition: demoShopConnector, config: {} }],
 *   clock: systemClock,
 *   logger: silentLogger,
 * });
 * await registry.call({ connector: 'demo-shop', version: 1, operation: 'getOrder',
 *   input: { orderNumber: 'SB-100001' }, timeoutMs: 2000, retries: 0 });
 */
export const demoShopConnector = defineConnector<DemoShopConfig>({
  name: 'demo-shop',
  version: 1,
  description: 'The Sable & Bramble demo shop: orders, shipments, invoices, accounts, password resets.',
  config: DemoShopConfigSchema,
  operations,
});
