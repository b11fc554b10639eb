import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { trainDemoIntentModel } from '../../app/testing.ts';
import type { IntentModel } from '../../nlu/index.ts';
import { type ServeHarness, serveHarnesses, tampered, until } from '../serve-testing.ts';
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

type Harness = ServeHarness<FakeZendesk>;
const harnesses = serveHarnesses<FakeZendesk>();
afterEach(() => harnesses.closeAll());

async function harness(): Promise<Harness> {
  return harnesses.start({
    model,
    startFake: () => startFakeZendesk({ email: EMAIL, token: 'api-token' }),
    name: 'desk',
    external: (n) => String(n),
    channel: {
      type: 'zendesk',
      email: EMAIL,
      apiTokenEnv: 'ZD_API_TOKEN',
      webhookSecretEnv: 'ZD_SECRET',
      botUserId: BOT,
      groups: { support: 360_002 },
    },
    env: { ZD_API_TOKEN: 'api-token', ZD_SECRET: SECRET },
  });
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
    const answers = await h.postAtOnce(delivery, 3);
    // The webhook is answered before the turn runs (Zendesk gives up after 10 s).
    expect(answers.ms).toBeLessThan(2000);
    expect(answers.statuses).toEqual([200, 200, 200]);
    await h.untilReplies(21);
    await h.settled();
    const lines = await h.botLines(21);
    expect(lines.length).toBeGreaterThan(0);
    expect(h.replies(21)).toEqual(lines.map((text) => ({ kind: 'reply', text })));
    expect(h.fake.timeline('21').filter((e) => e.kind === 'note')).toEqual([]);
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
    await h.untilReplies(26);
    await h.settled();
    const stored = await h.deployment.store.getConversation('desk:26');
    expect(stored?.messages.filter((m) => m.role === 'customer')).toHaveLength(1);
    expect(h.replies(26)).toEqual((await h.botLines(26)).map((t) => ({ kind: 'reply', text: t })));
  });

  it('hands off with the packet as a private note, stays silent after, and answers again once handed back by tag', async () => {
    const h = await harness();
    const at = Date.now();
    await h.post(
      d.customerMessage({ conversation: 22, message: 200, text: 'I want to talk to a person', at }),
    );
    await until(
      () => h.fake.ticket(22)?.status,
      (s) => s === 'open',
    );
    await h.settled();
    const timeline = h.fake.timeline('22');
    const note = timeline.find((e) => e.kind === 'note');
    expect(note && 'text' in note ? note.text : '').toMatch(/Handoff from automation: human_requested/);
    const kinds = timeline.map((e) => e.kind);
    expect(kinds.indexOf('owner')).toBeGreaterThan(kinds.indexOf('note'));
    expect(h.fake.ticket(22)).toMatchObject({
      status: 'open',
      tags: ['switchboard', 'switchboard_handoff', 'switchboard_human_requested'],
    });
    expect(await h.owner(22)).toBe('human');

    // Zendesk echoes the bot's own note and status change; the customer writes again: the bot stays silent.
    await h.post(
      d.comment({ ticket: 22, comment: 201, text: 'packet', at: at + 500, author: 'bot', public: false }),
    );
    await h.post(
      d.statusChanged({ ticket: 22, status: 'OPEN', previous: 'NEW', at: at + 500, actor: 'bot' }),
    );
    const before = h.replies(22).length;
    await h.post(
      d.customerMessage({ conversation: 22, message: 202, text: 'Hello? Where is my order?', at: at + 1000 }),
    );
    await h.settled();
    expect(h.replies(22)).toHaveLength(before);

    // An agent adds the switchboard_bot tag: the bot owns the ticket again and answers.
    await h.post(d.tagsChanged({ ticket: 22, added: ['switchboard_bot'], at: at + 2000, tagsAs: 'string' }));
    await h.untilConversation(22, (c) => c?.owner === 'bot');
    // A stale assignment to a person (delivered late, older than the hand-back) changes nothing.
    await h.post(d.assigned({ ticket: 22, assignee: 'agent', at: at + 1500 }));
    await h.post(
      d.customerMessage({ conversation: 22, message: 203, text: 'Where is my order?', at: at + 3000 }),
    );
    await h.untilReplies(22, before);
    expect(await h.owner(22)).toBe('bot');
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
    expect(await h.answer(tampered(good))).toMatchObject({
      status: 401,
      body: { code: 'webhook.bad_signature' },
    });
    const wrongSecret = zendeskDeliveries({ secret: 'not-the-secret', botUserId: BOT }).trigger({
      ticket: 23,
      text: 'Where is my order?',
      at: Date.now(),
      author: 'customer',
    });
    expect((await h.post(wrongSecret)).status).toBe(401);
    await h.settled();
    expect(await h.deployment.store.stats()).toEqual(statsBefore);
    expect(await h.deployment.store.findConversation('desk:23')).toBeUndefined();
    expect(h.fake.requests).toEqual([]);
  });

  it('retries with backoff while Zendesk fails, parks the reply with an event, and sends it once when Zendesk is back', async () => {
    const h = await harness();
    h.fake.failNext(500, 1000);
    await h.post(
      d.customerMessage({ conversation: 24, message: 400, text: 'Where is my order?', at: Date.now() }),
    );
    expect(await h.untilParked(24)).toMatchObject({
      job: { attempts: 6, code: 'channel.http_500' },
      event: { key: 'm:1', operation: 'reply', code: 'http_500', attempts: 6 },
    });
    expect(h.replies(24)).toEqual([]);
    expect(h.fake.requests.filter((r) => r.method === 'PUT').length).toBeGreaterThanOrEqual(6);

    await h.recover(24);
    expect(h.replies(24)).toEqual((await h.botLines(24)).map((text) => ({ kind: 'reply', text })));
  }, 60_000);
});
