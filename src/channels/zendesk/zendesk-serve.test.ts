import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from '../../app/index.ts';
import { openDemoDeployment, trainDemoIntentModel } from '../../app/testing.ts';
import type { IntentModel } from '../../nlu/index.ts';
import { type RunningServer, startServer } from '../../server/serve.ts';
import { DELIVERY_FAILED_EVENT } from '../outbound.ts';
import { type FakeZendesk, startFakeZendesk, zendeskDeliveries } from './fake-zendesk-channel.ts';

// Zendesk end to end: webhooks of both styles into `switchboard serve` (a real loopback socket, jobs in the same
// process), comments, notes and ticket updates out to a fake Zendesk that checks the documented request shapes.

const SECRET = 'zendesk-webhook-secret';
const EMAIL = 'bot@shop.example';
const BOT = 4_100_099;
let model: IntentModel;
beforeAll(async () => {
  model = await trainDemoIntentModel();
}, 120_000);

interface Harness {
  server: RunningServer;
  deployment: Deployment;
  zendesk: FakeZendesk;
  /** Moves the deployment's clock (jobs' backoff and schedules follow it). */
  advance(ms: number): void;
  post(delivery: { body: string; headers: Record<string, string> }): Promise<Response>;
}
const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.server.close(1000);
    await h.deployment.close();
    await h.zendesk.close();
  }
});

async function harness(): Promise<Harness> {
  const zendesk = await startFakeZendesk({ email: EMAIL, token: 'api-token' });
  let offset = 0;
  const deployment = await openDemoDeployment({
    model,
    clock: { now: () => Date.now() + offset },
    jobs: { pollIntervalMs: 50 },
    channels: {
      desk: {
        type: 'zendesk',
        baseUrl: zendesk.url,
        email: EMAIL,
        apiTokenEnv: 'ZD_API_TOKEN',
        webhookSecretEnv: 'ZD_SECRET',
        botUserId: BOT,
        groups: { support: 360_002 },
      },
    },
    env: { ZD_API_TOKEN: 'api-token', ZD_SECRET: SECRET },
  });
  const server = await startServer({ deployment, host: '127.0.0.1', port: 0, widget: async () => null });
  const h: Harness = {
    server,
    deployment,
    zendesk,
    advance: (ms) => {
      offset += ms;
    },
    post: (delivery) =>
      fetch(`${server.url}/channels/desk/webhook`, {
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

const replies = (h: Harness, ticket: number) =>
  h.zendesk.timeline(String(ticket)).filter((e) => e.kind === 'reply');

async function botLines(h: Harness, ticket: number): Promise<string[]> {
  const stored = await h.deployment.store.getConversation(`desk:${ticket}`);
  return stored?.messages.filter((m) => m.role === 'bot').map((m) => m.text) ?? [];
}

describe('zendesk through switchboard serve', () => {
  const d = zendeskDeliveries({ secret: SECRET, botUserId: BOT });

  it("answers a customer's comment with a public comment once, however often Zendesk delivers it", async () => {
    const h = await harness();
    const delivery = d.customerMessage({
      conversation: 21,
      message: 100,
      text: 'Where is my order?',
      at: Date.now(),
    });
    const started = performance.now();
    const answers = await Promise.all([h.post(delivery), h.post(delivery), h.post(delivery)]);
    // The webhook is answered before the turn runs (Zendesk gives up after 10 s).
    expect(performance.now() - started).toBeLessThan(2000);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    await until(
      () => replies(h, 21),
      (r) => r.length > 0,
    );
    await settled(h);
    const lines = await botLines(h, 21);
    expect(lines.length).toBeGreaterThan(0);
    expect(replies(h, 21)).toEqual(lines.map((text) => ({ kind: 'reply', text })));
    expect(h.zendesk.timeline('21').filter((e) => e.kind === 'note')).toEqual([]);
    const stored = await h.deployment.store.getConversation('desk:21');
    expect(stored?.messages.filter((m) => m.role === 'customer')).toHaveLength(1);
    expect(stored?.conversation).toMatchObject({ channel: 'desk', owner: 'bot' });
  });

  it('takes one comment delivered by both webhook styles once, and answers a trigger delivery', async () => {
    const h = await harness();
    const at = Date.now();
    const text = 'Where is my order?';
    await h.post(d.customerMessage({ conversation: 26, message: 600, text, at }));
    await h.post(d.trigger({ ticket: 26, comment: 600, text, at: at + 400, author: 'customer' }));
    await until(
      () => replies(h, 26),
      (r) => r.length > 0,
    );
    await settled(h);
    const stored = await h.deployment.store.getConversation('desk:26');
    expect(stored?.messages.filter((m) => m.role === 'customer')).toHaveLength(1);
    expect(replies(h, 26)).toEqual((await botLines(h, 26)).map((t) => ({ kind: 'reply', text: t })));
  });

  it('hands off with the packet as a private note, stays silent after, and answers again once handed back by tag', async () => {
    const h = await harness();
    const at = Date.now();
    await h.post(
      d.customerMessage({ conversation: 22, message: 200, text: 'I want to talk to a person', at }),
    );
    await until(
      () => h.zendesk.ticket(22)?.status,
      (s) => s === 'open',
    );
    await settled(h);
    const timeline = h.zendesk.timeline('22');
    const note = timeline.find((e) => e.kind === 'note');
    expect(note && 'text' in note ? note.text : '').toMatch(/Handoff from automation: human_requested/);
    const kinds = timeline.map((e) => e.kind);
    expect(kinds.indexOf('owner')).toBeGreaterThan(kinds.indexOf('note'));
    expect(h.zendesk.ticket(22)).toMatchObject({
      status: 'open',
      tags: ['switchboard', 'switchboard_handoff', 'switchboard_human_requested'],
    });
    const id = 'desk:22';
    expect((await h.deployment.store.findConversation(id))?.owner).toBe('human');

    // Zendesk echoes the bot's own note and status change; the customer writes again: the bot stays silent.
    await h.post(
      d.comment({ ticket: 22, comment: 201, text: 'packet', at: at + 500, author: 'bot', public: false }),
    );
    await h.post(
      d.statusChanged({ ticket: 22, status: 'OPEN', previous: 'NEW', at: at + 500, actor: 'bot' }),
    );
    const before = replies(h, 22).length;
    await h.post(
      d.customerMessage({ conversation: 22, message: 202, text: 'Hello? Where is my order?', at: at + 1000 }),
    );
    await settled(h);
    expect(replies(h, 22)).toHaveLength(before);

    // An agent adds the switchboard_bot tag: the bot owns the ticket again and answers.
    await h.post(d.tagsChanged({ ticket: 22, added: ['switchboard_bot'], at: at + 2000, tagsAs: 'string' }));
    await until(
      () => h.deployment.store.findConversation(id),
      (c) => c?.owner === 'bot',
    );
    // A stale assignment to a person (delivered late, older than the hand-back) changes nothing.
    await h.post(d.assigned({ ticket: 22, assignee: 'agent', at: at + 1500 }));
    await h.post(
      d.customerMessage({ conversation: 22, message: 203, text: 'Where is my order?', at: at + 3000 }),
    );
    await until(
      () => replies(h, 22),
      (r) => r.length > before,
    );
    expect((await h.deployment.store.findConversation(id))?.owner).toBe('bot');
  });

  it('refuses a bad signature with 401 and stores nothing', async () => {
    const h = await harness();
    const statsBefore = await h.deployment.store.stats();
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
    const wrongSecret = zendeskDeliveries({ secret: 'not-the-secret', botUserId: BOT }).trigger({
      ticket: 23,
      text: 'Where is my order?',
      at: Date.now(),
      author: 'customer',
    });
    expect((await h.post(wrongSecret)).status).toBe(401);
    await settled(h);
    expect(await h.deployment.store.stats()).toEqual(statsBefore);
    expect(await h.deployment.store.findConversation('desk:23')).toBeUndefined();
    expect(h.zendesk.requests).toEqual([]);
  });

  it('retries with backoff while Zendesk fails, parks the reply with an event, and sends it once when Zendesk is back', async () => {
    const h = await harness();
    h.zendesk.failNext(500, 1000);
    await h.post(
      d.customerMessage({ conversation: 24, message: 400, text: 'Where is my order?', at: Date.now() }),
    );
    const id = 'desk:24';
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
    expect(h.zendesk.requests.filter((r) => r.method === 'PUT').length).toBeGreaterThanOrEqual(6);

    h.zendesk.heal();
    h.advance(11 * 60_000);
    await until(
      () => replies(h, 24),
      (r) => r.length > 0,
    );
    await settled(h);
    h.advance(11 * 60_000);
    await settled(h);
    expect(replies(h, 24)).toEqual((await botLines(h, 24)).map((text) => ({ kind: 'reply', text })));
  }, 60_000);
});
