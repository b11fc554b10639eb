import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../analytics/index.ts';
import { trainDemoIntentModel } from '../../app/testing.ts';
import type { IntentModel } from '../../nlu/index.ts';
import { dropTestSchema, testPostgresAvailable, testPostgresUrl } from '../../store/postgres/testing.ts';
import { type ServeHarness, serveHarnesses, tampered, until } from '../serve-testing.ts';
import { chatwootDeliveries, type FakeChatwoot, startFakeChatwoot } from './fake-chatwoot.ts';

// Chatwoot end to end: webhooks into `switchboard serve` (a real loopback socket, jobs in the same process),
// replies, notes and status changes out to a fake Chatwoot that checks the documented request shapes.

const ACCOUNT = 1;
const SECRET = 'chatwoot-webhook-secret';
let model: IntentModel;
beforeAll(async () => {
  model = await trainDemoIntentModel();
}, 120_000);

type Harness = ServeHarness<FakeChatwoot>;
const harnesses = serveHarnesses<FakeChatwoot>();
afterEach(() => harnesses.closeAll());
const postgres = await testPostgresAvailable();

async function harness(props: { postgres?: boolean; mode?: 'live' | 'shadow' } = {}): Promise<Harness> {
  return harnesses.start({
    model,
    startFake: () => startFakeChatwoot({ accountId: ACCOUNT, token: 'bot-token' }),
    name: 'chat',
    external: (n) => `${ACCOUNT}:${n}`,
    channel: {
      type: 'chatwoot',
      accountId: ACCOUNT,
      botTokenEnv: 'CW_BOT_TOKEN',
      webhookSecretEnv: 'CW_SECRET',
    },
    env: { CW_BOT_TOKEN: 'bot-token', CW_SECRET: SECRET },
    ...(props.mode ? { mode: props.mode } : {}),
    ...(props.postgres ? { postgres: { url: testPostgresUrl, dropSchema: dropTestSchema } } : {}),
  });
}

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
      const answers = await h.postAtOnce(delivery, 3);
      // The webhook is answered before the turn runs (Chatwoot gives up after 5 s).
      expect(answers.ms).toBeLessThan(2000);
      expect(answers.statuses).toEqual([200, 200, 200]);
      await h.untilReplies(21);
      await h.settled();
      const stored = await h.deployment.store.getConversation(`chat:${ACCOUNT}:21`);
      const botLines = await h.botLines(21);
      expect(botLines.length).toBeGreaterThan(0);
      expect(h.replies(21)).toEqual(botLines.map((text) => ({ kind: 'reply', text })));
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
      () => h.fake.status(22),
      (s) => s === 'open',
    );
    await h.settled();
    const timeline = h.fake.timeline(`${ACCOUNT}:22`);
    const note = timeline.find((e) => e.kind === 'note');
    expect(note && 'text' in note ? note.text : '').toMatch(/Handoff from automation: human_requested/);
    const kinds = timeline.map((e) => e.kind);
    expect(kinds.indexOf('owner')).toBeGreaterThan(kinds.indexOf('note'));
    expect(timeline).toContainEqual({
      kind: 'tags',
      value: ['switchboard', 'switchboard_handoff', 'switchboard_human_requested'],
    });
    expect(await h.owner(22)).toBe('human');

    // Chatwoot echoes the hand-off as conversation_opened; the customer writes again: the bot stays silent.
    const before = h.replies(22).length;
    await h.post(
      d.customerMessage({
        conversation: 22,
        message: 201,
        text: 'Hello? Where is my order?',
        at: at + 1000,
        status: 'open',
      }),
    );
    await h.settled();
    expect(h.replies(22)).toHaveLength(before);

    // An agent sets the conversation back to pending: the bot owns it again and answers.
    await h.post(d.statusChanged({ conversation: 22, status: 'pending', previous: 'open', at: at + 5000 }));
    await h.untilConversation(22, (c) => c?.owner === 'bot');
    // A stale "open" (delivered late, seconds older than the hand-back: Chatwoot stamps whole seconds) changes nothing.
    await h.post(d.statusChanged({ conversation: 22, status: 'open', previous: 'pending', at: at + 1000 }));
    await h.post(
      d.customerMessage({ conversation: 22, message: 202, text: 'Where is my order?', at: at + 6000 }),
    );
    await h.untilReplies(22, before);
    expect(await h.owner(22)).toBe('bot');
  });

  it("records Chatwoot's survey answers once each, as automated CSAT for the bot's conversation and people's for the handed-off one", async () => {
    const h = await harness();
    const at = Date.now();
    // 25: the bot answers and Chatwoot resolves it; 26: handed to a person, who resolves it.
    await h.post(d.customerMessage({ conversation: 25, message: 500, text: 'Where is my order?', at }));
    await h.untilReplies(25);
    await h.post(
      d.customerMessage({ conversation: 26, message: 600, text: 'I want to talk to a person', at }),
    );
    await until(
      () => h.fake.status(26),
      (s) => s === 'open',
    );
    await h.settled();
    await h.post(
      d.statusChanged({ conversation: 25, status: 'resolved', previous: 'pending', at: at + 1000 }),
    );
    await h.post(d.statusChanged({ conversation: 26, status: 'resolved', previous: 'open', at: at + 1000 }));
    await h.untilConversation(25, (c) => c?.status === 'closed');
    await h.untilConversation(26, (c) => c?.status === 'closed');

    const survey = d.csat({ conversation: 25, message: 501, rating: 4, comment: 'quick', at: at + 2000 });
    expect((await h.postAtOnce(survey, 2)).statuses).toEqual([200, 200]);
    await h.post(d.csat({ conversation: 26, message: 601, rating: 2, comment: '', at: at + 2000 }));
    await h.settled();
    await h.post(survey);
    await h.settled();
    const { store } = h.deployment;
    // The same answer's job run again (a process killed after the answer was stored, before its job was marked
    // done, runs it again under recovery): it finds the answer and stores nothing.
    const again = {
      type: 'csat',
      external: `${ACCOUNT}:25`,
      deliveryKey: `csat:${ACCOUNT}:501`,
      at: at + 2000,
    };
    await store.jobs.enqueue([
      {
        queue: 'channel.inbound',
        key: 'inbound:chat:again',
        payload: { channel: 'chat', event: { ...again, rating: 4, comment: 'quick' } },
      },
    ]);
    await h.settled();

    const answers = async (n: number) =>
      (await store.listFeedback({ conversationId: `chat:${ACCOUNT}:${n}` })).map((f) => [
        f.rating,
        f.comment,
        f.source,
      ]);
    expect(await answers(25)).toEqual([[4, 'quick', 'chat']]);
    expect(await answers(26)).toEqual([[2, null, 'chat']]);
    // What `switchboard report` shows for the day.
    const report = await buildReport({
      store,
      kind: 'daily',
      day: new Date(at).toISOString().slice(0, 10),
      now: Date.now() + 5000,
    });
    expect(report.total.csat).toEqual({
      automated: { mean: 4, score: 0.75, count: 1 },
      people: { mean: 2, score: 0.25, count: 1 },
    });
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
    expect(await h.answer(tampered(good))).toMatchObject({
      status: 401,
      body: { code: 'webhook.bad_signature' },
    });

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

    await h.settled();
    expect(await h.deployment.store.stats()).toEqual(eventsBefore);
    expect(h.fake.requests).toEqual([]);
  });

  it('retries with backoff while Chatwoot fails, parks the reply with an event, and sends it once when Chatwoot is back', async () => {
    const h = await harness();
    h.fake.failNext(500, 1000);
    await h.post(
      d.customerMessage({ conversation: 24, message: 400, text: 'Where is my order?', at: Date.now() }),
    );
    const id = `chat:${ACCOUNT}:24`;
    expect(await h.untilParked(24)).toMatchObject({
      job: { attempts: 6, code: 'channel.http_500' },
      event: { key: 'm:1', operation: 'reply', code: 'http_500', attempts: 6 },
    });
    expect(h.replies(24)).toEqual([]);

    const [status] = await h.deployment.channels.status();
    expect(status?.undelivered).toMatchObject([{ conversationId: id, key: 'm:1', code: 'http_500' }]);

    // Chatwoot is back: the parked try sends it, once.
    await h.recover(24);
    expect((await h.deployment.channels.status())[0]?.undelivered).toEqual([]);
    expect(h.replies(24)).toEqual((await h.botLines(24)).map((text) => ({ kind: 'reply', text })));
  }, 60_000);

  it('dead-letters a refusal that retrying cannot fix at once, and sends it when an operator retries', async () => {
    const h = await harness();
    h.fake.failNext(422, 1);
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
    expect(h.replies(25)).toEqual([]);
    // `switchboard channels --retry`
    expect(await h.deployment.channels.retryUndelivered()).toBe(1);
    await h.untilReplies(25);
    await h.settled();
    expect((await h.deployment.channels.status())[0]?.undelivered).toEqual([]);
    expect(h.replies(25)).toEqual((await h.botLines(25)).map((text) => ({ kind: 'reply', text })));
  });

  it('in shadow mode, posts the replies as private drafts and leaves the conversation to people', async () => {
    const h = await harness({ mode: 'shadow' });
    await h.post(
      d.customerMessage({ conversation: 26, message: 600, text: 'Where is my order?', at: Date.now() }),
    );
    await until(
      () => h.fake.timeline(`${ACCOUNT}:26`),
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
      () => h.fake.timeline(`${ACCOUNT}:26`),
      (t) => t.some((e) => e.kind === 'note' && /Handoff from automation/.test(e.text)),
    );
    await h.settled();
    const timeline = h.fake.timeline(`${ACCOUNT}:26`);
    expect(timeline.every((e) => e.kind === 'note')).toBe(true);
    expect(timeline[0]).toMatchObject({
      kind: 'note',
      text: expect.stringMatching(/^Switchboard draft \(shadow mode/),
    });
    expect(h.fake.status(26)).toBe('pending');
  });

  it("sends an agent's reply, hand-back and close from Switchboard's inbox to Chatwoot", async () => {
    const h = await harness();
    await h.post(
      d.customerMessage({
        conversation: 27,
        message: 700,
        text: 'I want to talk to a person',
        at: Date.now(),
      }),
    );
    await until(
      () => h.fake.status(27),
      (s) => s === 'open',
    );
    await h.settled();
    const id = `chat:${ACCOUNT}:27`;
    const user = await h.deployment.people.addUser({
      email: 'ana@shop.example',
      role: 'agent',
      password: 'a long enough passphrase',
      by: 'test',
    });
    await h.deployment.inbox.take({ conversationId: id, user });
    await h.deployment.inbox.reply({
      conversationId: id,
      user,
      text: 'Hi, Ana here: your exchange is on its way.',
    });
    await h.deployment.inbox.note({ conversationId: id, user, text: 'internal: approved' });
    await until(
      () => h.replies(27),
      (r) => r.some((e) => 'text' in e && e.text.startsWith('Hi, Ana here')),
    );
    await h.deployment.inbox.handBack({ conversationId: id, user, reason: 'exchange arranged' });
    await until(
      () => h.fake.status(27),
      (s) => s === 'pending',
    );
    await h.deployment.inbox.close({ conversationId: id, user, resolved: true });
    await until(
      () => h.fake.status(27),
      (s) => s === 'resolved',
    );
    await h.settled();
    const timeline = h.fake.timeline(`${ACCOUNT}:27`);
    expect(timeline.filter((e) => 'text' in e && e.text.startsWith('Hi, Ana here'))).toHaveLength(1);
    // The agent's private note stays in Switchboard: Chatwoot's notes are the packet only.
    expect(timeline.some((e) => 'text' in e && e.text.includes('internal: approved'))).toBe(false);
  });
});
