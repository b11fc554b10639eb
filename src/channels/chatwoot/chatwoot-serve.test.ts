import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from '../../app/index.ts';
import { openDemoDeployment, trainDemoIntentModel } from '../../app/testing.ts';
import type { IntentModel } from '../../nlu/index.ts';
import { type RunningServer, startServer } from '../../server/serve.ts';
import { dropTestSchema, testPostgresAvailable, testPostgresUrl } from '../../store/postgres/testing.ts';
import { DELIVERY_FAILED_EVENT } from '../outbound.ts';
import { chatwootDeliveries, type FakeChatwoot, startFakeChatwoot } from './fake-chatwoot.ts';

// Chatwoot end to end: webhooks into `switchboard serve` (a real loopback socket, jobs in the same process),
// replies, notes and status changes out to a fake Chatwoot that checks the documented request shapes.

const ACCOUNT = 1;
const SECRET = 'chatwoot-webhook-secret';
let model: IntentModel;
beforeAll(async () => {
  model = await trainDemoIntentModel();
}, 120_000);

interface Harness {
  server: RunningServer;
  deployment: Deployment;
  chatwoot: FakeChatwoot;
  /** Moves the deployment's clock (jobs' backoff and schedules follow it). */
  advance(ms: number): void;
  post(delivery: { body: string; headers: Record<string, string> }): Promise<Response>;
}
const open: Array<Harness & { schema?: string }> = [];
afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.server.close(1000);
    await h.deployment.close();
    await h.chatwoot.close();
    if (h.schema) await dropTestSchema(h.schema);
  }
});
const postgres = await testPostgresAvailable();

async function harness(props: { postgres?: boolean; mode?: 'live' | 'shadow' } = {}): Promise<Harness> {
  const chatwoot = await startFakeChatwoot({ accountId: ACCOUNT, token: 'bot-token' });
  let offset = 0;
  const schema = props.postgres ? `sb_chatwoot_${Math.random().toString(36).slice(2, 10)}` : undefined;
  const deployment = await openDemoDeployment({
    model,
    clock: { now: () => Date.now() + offset },
    jobs: { pollIntervalMs: 50 },
    channels: {
      chat: {
        type: 'chatwoot',
        ...(props.mode ? { mode: props.mode } : {}),
        baseUrl: chatwoot.url,
        accountId: ACCOUNT,
        botTokenEnv: 'CW_BOT_TOKEN',
        webhookSecretEnv: 'CW_SECRET',
      },
    },
    env: {
      CW_BOT_TOKEN: 'bot-token',
      CW_SECRET: SECRET,
      ...(schema ? { DATABASE_URL: testPostgresUrl, SWITCHBOARD_PG_SCHEMA: schema } : {}),
    },
  });
  const server = await startServer({ deployment, host: '127.0.0.1', port: 0, widget: async () => null });
  const h: Harness & { schema?: string } = {
    ...(schema ? { schema } : {}),
    server,
    deployment,
    chatwoot,
    advance: (ms) => {
      offset += ms;
    },
    post: (delivery) =>
      fetch(`${server.url}/channels/chat/webhook`, {
        method: 'POST',
        headers: delivery.headers,
        body: delivery.body,
      }),
  };
  open.push(h);
  return h;
}

async function until<T>(read: () => T | Promise<T>, ok: (value: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Waits until no job is queued or running (scheduled ones wait for their time). */
async function settled(h: Harness): Promise<void> {
  await until(
    () => h.deployment.store.jobs.counts(),
    (c) => c.queued === 0 && c.active === 0,
  );
}

const replies = (h: Harness, n: number) =>
  h.chatwoot.timeline(`${ACCOUNT}:${n}`).filter((e) => e.kind === 'reply');

describe('chatwoot through switchboard serve', () => {
  const d = chatwootDeliveries({ accountId: ACCOUNT, secret: SECRET });

  it.each([
    ['SQLite', false],
    ['PostgreSQL', true],
  ])(
    "answers a customer's message inside Chatwoot once, however often Chatwoot delivers it (%s)",
    async (_store, pg) => {
      if (pg && !postgres) return;
      const h = await harness({ postgres: pg });
      const delivery = d.customerMessage({
        conversation: 21,
        message: 100,
        text: 'Where is my order?',
        at: Date.now(),
      });
      const started = performance.now();
      const answers = await Promise.all([h.post(delivery), h.post(delivery), h.post(delivery)]);
      // The webhook is answered before the turn runs (Chatwoot gives up after 5 s).
      expect(performance.now() - started).toBeLessThan(2000);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      await until(
        () => replies(h, 21),
        (r) => r.length > 0,
      );
      await settled(h);
      const stored = await h.deployment.store.getConversation(`chat:${ACCOUNT}:21`);
      const botLines = stored?.messages.filter((m) => m.role === 'bot').map((m) => m.text) ?? [];
      expect(botLines.length).toBeGreaterThan(0);
      expect(replies(h, 21)).toEqual(botLines.map((text) => ({ kind: 'reply', text })));
      expect(stored?.messages.filter((m) => m.role === 'customer')).toHaveLength(1);
      expect(stored?.conversation).toMatchObject({ channel: 'chat', owner: 'bot' });
    },
  );

  it('hands off with the packet as a private note, stays silent after, and answers again once handed back', async () => {
    const h = await harness();
    const at = Date.now();
    await h.post(
      d.customerMessage({ conversation: 22, message: 200, text: 'I want to talk to a person', at }),
    );
    await until(
      () => h.chatwoot.status(22),
      (s) => s === 'open',
    );
    await settled(h);
    const timeline = h.chatwoot.timeline(`${ACCOUNT}:22`);
    const note = timeline.find((e) => e.kind === 'note');
    expect(note && 'text' in note ? note.text : '').toMatch(/Handoff from automation: human_requested/);
    const kinds = timeline.map((e) => e.kind);
    expect(kinds.indexOf('owner')).toBeGreaterThan(kinds.indexOf('note'));
    expect(timeline).toContainEqual({
      kind: 'tags',
      value: ['switchboard', 'switchboard_handoff', 'switchboard_human_requested'],
    });
    const id = `chat:${ACCOUNT}:22`;
    expect((await h.deployment.store.findConversation(id))?.owner).toBe('human');

    // Chatwoot echoes the hand-off as conversation_opened; the customer writes again: the bot stays silent.
    const before = replies(h, 22).length;
    await h.post(
      d.customerMessage({
        conversation: 22,
        message: 201,
        text: 'Hello? Where is my order?',
        at: at + 1000,
        status: 'open',
      }),
    );
    await settled(h);
    expect(replies(h, 22)).toHaveLength(before);

    // An agent sets the conversation back to pending: the bot owns it again and answers.
    await h.post(d.statusChanged({ conversation: 22, status: 'pending', previous: 'open', at: at + 5000 }));
    await until(
      () => h.deployment.store.findConversation(id),
      (c) => c?.owner === 'bot',
    );
    // A stale "open" (delivered late, seconds older than the hand-back: Chatwoot stamps whole seconds) changes nothing.
    await h.post(d.statusChanged({ conversation: 22, status: 'open', previous: 'pending', at: at + 1000 }));
    await h.post(
      d.customerMessage({ conversation: 22, message: 202, text: 'Where is my order?', at: at + 6000 }),
    );
    await until(
      () => replies(h, 22),
      (r) => r.length > before,
    );
    expect((await h.deployment.store.findConversation(id))?.owner).toBe('bot');
  });

  it('refuses a bad signature with 401, a bad body with 400 and a 1 MB body with 413, storing nothing', async () => {
    const h = await harness();
    const eventsBefore = await h.deployment.store.stats();
    const good = d.customerMessage({
      conversation: 23,
      message: 300,
      text: 'Where is my order?',
      at: Date.now(),
    });
    const forged = { ...good, body: good.body.replace('Where', 'Wh3re') };
    const refused = await h.post(forged);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'webhook.bad_signature' });

    const body = JSON.parse(good.body);
    body.conversation = 'not an object';
    const bad = await h.post(d.signed(JSON.stringify(body), Date.now()));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'webhook.invalid', errors: [{ field: 'conversation' }] });

    const huge = await h.post({
      body: JSON.stringify({ event: 'message_created', content: 'x'.repeat(1_048_576) }),
      headers: good.headers,
    });
    expect(huge.status).toBe(413);
    const unknown = await fetch(`${h.server.url}/channels/nope/webhook`, { method: 'POST', body: good.body });
    expect(unknown.status).toBe(404);

    await settled(h);
    expect(await h.deployment.store.stats()).toEqual(eventsBefore);
    expect(h.chatwoot.requests).toEqual([]);
  });

  it('retries with backoff while Chatwoot fails, parks the reply with an event, and sends it once when Chatwoot is back', async () => {
    const h = await harness();
    h.chatwoot.failNext(500, 1000);
    await h.post(
      d.customerMessage({ conversation: 24, message: 400, text: 'Where is my order?', at: Date.now() }),
    );
    const id = `chat:${ACCOUNT}:24`;
    // Six attempts, 1 s, 2 s, 4 s ... apart: the clock is moved on instead of waiting.
    const dead = await until(
      async () => {
        h.advance(20_000);
        return h.deployment.store.jobs.listDead({ limit: 5, queue: 'channel.deliver' });
      },
      (jobs) => jobs.length > 0,
      20_000,
    );
    expect(dead[0]).toMatchObject({ attempts: 6, code: 'channel.http_500' });
    const failed = await h.deployment.store.listEvents({
      limit: 10,
      conversationId: id,
      type: DELIVERY_FAILED_EVENT,
    });
    expect(failed[0]?.payload).toMatchObject({
      key: 'm:1',
      operation: 'reply',
      code: 'http_500',
      attempts: 6,
    });
    expect(replies(h, 24)).toEqual([]);

    const [status] = await h.deployment.channels.status();
    expect(status?.undelivered).toMatchObject([{ conversationId: id, key: 'm:1', code: 'http_500' }]);

    // Chatwoot is back: the parked try sends it, once.
    h.chatwoot.heal();
    h.advance(11 * 60_000);
    await until(
      () => replies(h, 24),
      (r) => r.length > 0,
    );
    await settled(h);
    h.advance(11 * 60_000);
    await settled(h);
    expect((await h.deployment.channels.status())[0]?.undelivered).toEqual([]);
    const botLines =
      (await h.deployment.store.getConversation(id))?.messages.filter((m) => m.role === 'bot') ?? [];
    expect(replies(h, 24)).toEqual(botLines.map((m) => ({ kind: 'reply', text: m.text })));
  }, 60_000);

  it('dead-letters a refusal that retrying cannot fix at once, and sends it when an operator retries', async () => {
    const h = await harness();
    h.chatwoot.failNext(422, 1);
    await h.post(
      d.customerMessage({ conversation: 25, message: 500, text: 'Where is my order?', at: Date.now() }),
    );
    const id = `chat:${ACCOUNT}:25`;
    await until(
      () => h.deployment.store.jobs.listDead({ limit: 5, queue: 'channel.deliver' }),
      (jobs) => jobs.length > 0,
    );
    const [status] = await h.deployment.channels.status();
    expect(status?.undelivered).toMatchObject([
      { conversationId: id, code: 'http_422', attempts: 1, retryAt: null },
    ]);
    expect(replies(h, 25)).toEqual([]);
    // `switchboard channels --retry`
    expect(await h.deployment.channels.retryUndelivered()).toBe(1);
    await until(
      () => replies(h, 25),
      (r) => r.length > 0,
    );
    await settled(h);
    expect((await h.deployment.channels.status())[0]?.undelivered).toEqual([]);
    const botLines =
      (await h.deployment.store.getConversation(id))?.messages.filter((m) => m.role === 'bot') ?? [];
    expect(replies(h, 25)).toEqual(botLines.map((m) => ({ kind: 'reply', text: m.text })));
  });

  it('in shadow mode, posts the replies as private drafts and leaves the conversation to people', async () => {
    const h = await harness({ mode: 'shadow' });
    await h.post(
      d.customerMessage({ conversation: 26, message: 600, text: 'Where is my order?', at: Date.now() }),
    );
    await until(
      () => h.chatwoot.timeline(`${ACCOUNT}:26`),
      (t) => t.length > 0,
    );
    await h.post(
      d.customerMessage({
        conversation: 26,
        message: 601,
        text: 'I want to talk to a person',
        at: Date.now(),
      }),
    );
    await until(
      () => h.chatwoot.timeline(`${ACCOUNT}:26`),
      (t) => t.some((e) => e.kind === 'note' && /Handoff from automation/.test(e.text)),
    );
    await settled(h);
    const timeline = h.chatwoot.timeline(`${ACCOUNT}:26`);
    expect(timeline.every((e) => e.kind === 'note')).toBe(true);
    expect(timeline[0]).toMatchObject({
      kind: 'note',
      text: expect.stringMatching(/^Switchboard draft \(shadow mode/),
    });
    expect(h.chatwoot.status(26)).toBe('pending');
  });
});
