import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createApiKey } from '../../access/index.ts';
import { openStore } from '../../app/index.ts';
import { openDemoDeployment, trainDemoIntentModel } from '../../app/testing.ts';
import { chatwootDeliveries, startFakeChatwoot } from '../../channels/chatwoot/fake-chatwoot.ts';
import { type DemoShopServer, startDemoShopServer } from '../../connectors/demo-shop/index.ts';
import { readRuntimeState } from '../../conversations/index.ts';

/**
 * `switchboard serve` killed with SIGKILL at the worst moments, on a SQLite file, with the demo shop as a separate
 * HTTP server that records every idempotency key it is sent: after a restart the effect happens exactly once and
 * the customer gets the reply once.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'switchboard.js');
const dir = mkdtempSync(join(tmpdir(), 'sb-serve-crash-'));
const db = join(dir, 'crash.db');
let key = '';
let shop: DemoShopServer;
const children: ChildProcess[] = [];

beforeAll(async () => {
  const deployment = await openDemoDeployment({ model: await trainDemoIntentModel(), db });
  key = (
    await createApiKey({
      store: deployment.store,
      name: 'crash',
      scopes: ['conversations'],
      by: 'test',
      at: Date.now(),
    })
  ).secret;
  await deployment.close();
}, 120_000);
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await shop?.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts `switchboard serve` on the test's store with the demo shop at `shopUrl`; resolves once it is ready. */
async function serve(props: {
  shopUrl: string;
  queues?: string;
  channels?: Record<string, unknown>;
  env?: Record<string, string>;
}): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const config = join(dir, `switchboard-${port}.yaml`);
  writeFileSync(
    config,
    stringify({
      store: { url: db },
      workflows: { demo: true },
      connectors: { 'demo-shop': { baseUrl: props.shopUrl } },
      ...(props.channels ? { channels: props.channels } : {}),
      jobs: { pollIntervalMs: 100 },
    }),
  );
  const args = [
    BIN,
    'serve',
    '--config',
    config,
    '--port',
    String(port),
    ...(props.queues ? ['--queues', props.queues] : []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: dir,
    env: { ...process.env, ...props.env, SWITCHBOARD_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited (${child.exitCode}): ${stderr}`);
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return { child, url };
    if (Date.now() > deadline) throw new Error(`serve did not get ready: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

const post = (url: string, path: string, auth: string, body: unknown) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** Waits until the store says `check` for the conversation. */
async function until(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The conversation's messages once the answer to its first message is complete (no call pending, none waiting). */
async function answered(url: string, id: string, token: string) {
  await until(async () => {
    const store = await openStore({ db });
    try {
      const conversation = await store.findConversation(id);
      const pending = await store.pendingMessages(id);
      return (
        pending.length === 0 &&
        conversation !== undefined &&
        readRuntimeState(id, conversation.state).pendingCall === null &&
        (await store.listConversationMessages({ conversationId: id })).some((m) => m.role === 'bot')
      );
    } finally {
      await store.close();
    }
  });
  const res = await fetch(`${url}/v1/conversations/${id}`, { headers: { authorization: `Bearer ${token}` } });
  return ((await res.json()) as { messages: Array<{ role: string; text: string; kind?: string }> }).messages;
}

describe('switchboard serve killed with SIGKILL', () => {
  it('between a turn commit and its connector call: after a restart the call is made once, the reply sent once', async () => {
    shop = await startDemoShopServer({ port: 0 });
    // This process handles turns but makes no connector call: the turn commits its call job, which waits.
    const first = await serve({ shopUrl: shop.url, queues: 'conversation.turn' });
    const started = await post(first.url, '/v1/conversations', key, {
      customer: { email: 'nora@example.com' },
    });
    const { conversation, token } = (await started.json()) as { conversation: { id: string }; token: string };
    const sent = await post(first.url, `/v1/conversations/${conversation.id}/messages`, token, {
      text: 'Where is my order SB-100001?',
    });
    expect(sent.status).toBe(202);
    await until(async () => {
      const store = await openStore({ db });
      try {
        return ((await store.jobs.counts()).byQueue['connector.call']?.queued ?? 0) === 1;
      } finally {
        await store.close();
      }
    });
    await kill9(first.child);
    expect(shop.ledger.entries()).toEqual([]);

    const second = await serve({ shopUrl: shop.url });
    const messages = await answered(second.url, conversation.id, token);
    const calls = shop.ledger.entries();
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ operation: 'getOrder', requests: 1 });
    expect(calls[0]?.key).toMatch(/^sb_[\w-]{32}$/);
    const replies = messages.filter((m) => m.role === 'bot' && /SB-100001 has shipped/.test(m.text));
    expect(replies).toHaveLength(1);
    expect(messages.filter((m) => m.role === 'customer')).toHaveLength(1);
  }, 90_000);

  it('after a message is stored and before its turn runs: after a restart the turn runs once', async () => {
    shop = await startDemoShopServer({ port: 0 });
    // This process makes connector calls but handles no turn: the message is stored with its turn job, unhandled.
    const first = await serve({ shopUrl: shop.url, queues: 'connector.call' });
    const started = await post(first.url, '/v1/conversations', key, {
      customer: { email: 'olivia.okafor@example.net' },
    });
    const { conversation, token } = (await started.json()) as { conversation: { id: string }; token: string };
    await post(first.url, `/v1/conversations/${conversation.id}/messages`, token, {
      text: 'where is my order?',
    });
    await kill9(first.child);

    const second = await serve({ shopUrl: shop.url });
    const messages = await answered(second.url, conversation.id, token);
    expect(messages.map((m) => m.kind ?? m.role)).toEqual(['customer', 'reply', 'confirm']);
    // listOrders, then getOrder: each once.
    expect(shop.ledger.entries().map((e) => [e.operation, e.requests])).toEqual([
      ['listOrders', 1],
      ['getOrder', 1],
    ]);
  }, 90_000);

  it('between a helpdesk turn and its delivery: after a restart the reply goes to Chatwoot once', async () => {
    shop = await startDemoShopServer({ port: 0 });
    const chatwoot = await startFakeChatwoot({ accountId: 1, token: 'bot-token' });
    try {
      const channels = {
        chat: { type: 'chatwoot', baseUrl: chatwoot.url, accountId: 1, botTokenEnv: 'CW_BOT_TOKEN' },
      };
      const env = { CW_BOT_TOKEN: 'bot-token' };
      // This process takes the webhook and plans the turn, but delivers nothing: the delivery job waits.
      const first = await serve({
        shopUrl: shop.url,
        channels,
        env,
        queues: 'channel.inbound,conversation.turn,connector.call',
      });
      const delivery = chatwootDeliveries({ accountId: 1 }).customerMessage({
        conversation: 31,
        message: 3100,
        text: 'I want to talk to a person',
        at: Date.now(),
      });
      const answered = await fetch(`${first.url}/channels/chat/webhook`, {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.body,
      });
      expect(answered.status).toBe(200);
      await until(async () => {
        const store = await openStore({ db });
        try {
          return ((await store.jobs.counts()).byQueue['channel.deliver']?.queued ?? 0) === 1;
        } finally {
          await store.close();
        }
      });
      await kill9(first.child);
      expect(chatwoot.requests).toEqual([]);

      await serve({ shopUrl: shop.url, channels, env });
      await until(async () => chatwoot.status(31) === 'open');
      const timeline = chatwoot.timeline('1:31');
      expect(timeline.filter((e) => e.kind === 'reply')).toHaveLength(1);
      expect(timeline.filter((e) => e.kind === 'note')).toHaveLength(1);
      expect(timeline.filter((e) => e.kind === 'owner')).toEqual([{ kind: 'owner', value: 'human' }]);
    } finally {
      await chatwoot.close();
    }
  }, 90_000);
});
