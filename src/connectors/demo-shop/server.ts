import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createIdempotencyLedger, type IdempotencyLedger } from './idempotency.ts';
import { DEMO_SHOP_OPERATIONS, type DemoShopOperation, demoShopSchemas } from './schemas.ts';
import { createDemoShopService, type DemoShopService } from './service.ts';

export interface DemoShopServer {
  /** `http://127.0.0.1:PORT/`. */
  url: string;
  service: DemoShopService;
  /** The idempotency keys the shop has seen, with how many requests carried each. */
  ledger: IdempotencyLedger;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

async function readJson(
  req: IncomingMessage,
): Promise<{ ok: true; value: unknown } | { ok: false; status: number }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return { ok: false, status: 413 };
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return { ok: true, value: text.trim() === '' ? {} : (JSON.parse(text) as unknown) };
  } catch {
    return { ok: false, status: 400 };
  }
}

const isOperation = (name: string): name is DemoShopOperation =>
  (DEMO_SHOP_OPERATIONS as string[]).includes(name);

/**
 * The demo shop over HTTP, on loopback: `POST /api/<operation>` with the operation's input as JSON answers its
 * output as JSON (400 with the failing fields on bad input, 404 for an unknown operation). An `Idempotency-Key`
 * header is honoured: a repeated key gets the first answer (`Idempotent-Replayed: true`) and changes nothing. Requests carry no
 * customer data in the URL, so access logs stay clean.
 *
 * @example
 * const shop = await startDemoShopServer({ port: 0, seed: 7 });
 * const res = await fetch(new URL('api/getOrder', shop.url), { method: 'POST', body: '{"orderNumber":"#100001"}' });
 * await shop.close();
 */
export async function startDemoShopServer(
  options: { port?: number; host?: string; seed?: number; service?: DemoShopService } = {},
): Promise<DemoShopServer> {
  const service =
    options.service ??
    createDemoShopService({ ...(options.seed !== undefined ? { seed: options.seed } : {}) });
  const ledger = createIdempotencyLedger();
  const server = createServer(async (req, res) => {
    const match = /^\/api\/([A-Za-z]+)$/.exec(new URL(req.url ?? '/', 'http://localhost').pathname);
    const name = match?.[1];
    if (!name || !isOperation(name)) return send(res, 404, { error: 'not_found' });
    if (req.method !== 'POST') return send(res, 405, { error: 'method_not_allowed' });
    const body = await readJson(req);
    if (!body.ok) return send(res, body.status, { error: body.status === 413 ? 'too_large' : 'bad_json' });
    const input = demoShopSchemas[name].input.safeParse(body.value);
    if (!input.success) {
      const fields = input.error.issues.map((issue) => issue.path.map(String).join('.'));
      return send(res, 400, { error: 'invalid_input', fields });
    }
    const header = req.headers['idempotency-key'];
    const key = typeof header === 'string' && header !== '' ? header : undefined;
    const run = ledger.run(key, name, input.data, () =>
      (service[name] as (i: unknown) => unknown)(input.data),
    );
    if (!run.ok) return send(res, 422, { error: 'idempotency_key_reused' });
    send(res, 200, run.output, run.replayed ? { 'idempotent-replayed': 'true' } : {});
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/`,
    service,
    ledger,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
