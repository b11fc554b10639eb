import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createApiKey } from '../../access/index.ts';
import { openDemoDeployment, trainDemoIntentModel } from '../../app/testing.ts';
import { type DemoShopServer, startDemoShopServer } from '../../connectors/demo-shop/index.ts';

/**
 * Several processes on one PostgreSQL database: one `serve --no-jobs` takes the requests, two `worker`s run the
 * jobs. Many conversations at once, several messages each: every message is answered, none twice, in order.
 */
const url = process.env.SWITCHBOARD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const required = process.env.SWITCHBOARD_REQUIRE_PG === '1';
async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}
const available = await reachable();
if (!available && required) throw new Error('PostgreSQL is required but does not answer');

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'switchboard.js');
const schema = `sb_test_procs_${process.pid}_${Date.now().toString(36)}`;
const env = { DATABASE_URL: url, SWITCHBOARD_PG_SCHEMA: schema };
const dir = mkdtempSync(join(tmpdir(), 'sb-serve-pg-'));
const children: ChildProcess[] = [];
let key = '';
let shop: DemoShopServer;

describe.skipIf(!available)('serve and workers as separate processes on PostgreSQL', () => {
  beforeAll(async () => {
    const deployment = await openDemoDeployment({ model: await trainDemoIntentModel(), env });
    key = (
      await createApiKey({
        store: deployment.store,
        name: 'procs',
        scopes: ['conversations'],
        by: 'test',
        at: Date.now(),
      })
    ).secret;
    await deployment.close();
    shop = await startDemoShopServer({ port: 0 });
  }, 120_000);
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await shop?.close();
    rmSync(dir, { recursive: true, force: true });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.query(`drop schema if exists ${schema}_jobs cascade`);
    await client.end();
  });

  it('answers every message once and in order, whichever worker takes each job', async () => {
    const config = join(dir, 'switchboard.yaml');
    writeFileSync(
      config,
      stringify({
        workflows: { demo: true },
        connectors: { 'demo-shop': { baseUrl: shop.url } },
        jobs: { pollIntervalMs: 200, concurrency: 4 },
        server: { rateLimit: { perKeyPerMinute: 100_000, perAddressPerMinute: 100_000 } },
      }),
    );
    const port = await freePort();
    const start = (args: string[]) => {
      const child = spawn(process.execPath, [BIN, ...args, '--config', config], {
        cwd: dir,
        env: { ...process.env, ...env, SWITCHBOARD_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      return child;
    };
    start(['serve', '--no-jobs', '--port', String(port)]);
    const workers = [start(['worker']), start(['worker'])];
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/readyz`).catch(() => null))?.status === 200, 30_000);
    const call = (path: string, auth: string, body?: unknown, headers: Record<string, string> = {}) =>
      fetch(`${base}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });

    const scripts = [
      ['where is my order?', 'the second one', 'yes thanks'],
      ['I forgot my password', 'yes', 'where is my order?'],
      ['hello', 'I want to talk to a person', 'are you there?'],
    ];
    const conversations = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const started = await call('/v1/conversations', key, {
          customer: { email: 'liam.garcia@mail.example' },
        });
        const { conversation, token } = (await started.json()) as {
          conversation: { id: string };
          token: string;
        };
        const script = scripts[i % scripts.length]!;
        for (const [n, text] of script.entries()) {
          // Each message twice, as a client retrying after a timeout would: the key makes the second a no-op.
          for (let attempt = 0; attempt < 2; attempt++) {
            const res = await call(
              `/v1/conversations/${conversation.id}/messages`,
              token,
              { text },
              {
                'idempotency-key': `m-${n}`,
              },
            );
            expect(res.status).toBe(202);
          }
        }
        return { id: conversation.id, token, sent: script.length };
      }),
    );

    for (const c of conversations) {
      await waitFor(async () => {
        const view = (await (await call(`/v1/conversations/${c.id}`, c.token)).json()) as {
          messages: Array<{ role: string; pending?: boolean }>;
        };
        return view.messages.filter((m) => m.role === 'customer' && !m.pending).length === c.sent;
      }, 60_000);
    }
    // Let any job still in flight (a call after the last message) finish before reading the log.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (const c of conversations) {
        const { rows } = await client.query<{ payload: string }>(
          `select payload from ${schema}.events where conversation_id = $1 and type = 'conversation.turn' order by id`,
          [c.id],
        );
        // One turn per customer message, in the order they were sent: none lost, none answered twice.
        const seqs = rows.map((r) => JSON.parse(r.payload).seq as number);
        expect(seqs, c.id).toHaveLength(c.sent);
        expect(new Set(seqs).size, c.id).toBe(c.sent);
        expect(seqs, c.id).toEqual([...seqs].sort((a, b) => a - b));
        const { rows: customer } = await client.query<{ n: string }>(
          `select count(*) as n from ${schema}.conversation_messages where conversation_id = $1 and role = 'customer'`,
          [c.id],
        );
        expect(Number(customer[0]?.n), c.id).toBe(c.sent);
      }
    } finally {
      await client.end();
    }
    // Connector calls: each key sent by one worker once, or again by another with the same key, never a new key
    // for the same call.
    for (const entry of shop.ledger.entries()) expect(entry.requests).toBeGreaterThanOrEqual(1);
    expect(workers.every((w) => w.exitCode === null)).toBe(true);
  }, 120_000);
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
