import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { trainDemoIntentModel } from '../../app/testing.ts';
import type { IntentModel } from '../../nlu/index.ts';
import { type ServeHarness, serveHarnesses, tampered, until } from '../serve-testing.ts';
import { type FakeIntercom, intercomDeliveries, startFakeIntercom } from './fake-intercom.ts';

// Intercom end to end: webhooks into `switchboard serve` (a real loopback socket, jobs in the same process),
// replies, notes, tags and assignments out to a fake Intercom that checks the documented request shapes.

const ADMIN = 7300001;
const TEAM = 6100045;
const SECRET = 'intercom-client-secret';
let model: IntentModel;
beforeAll(async () => {
  model = await trainDemoIntentModel();
}, 120_000);

type Harness = ServeHarness<FakeIntercom>;
const harnesses = serveHarnesses<FakeIntercom>();
afterEach(() => harnesses.closeAll());

async function harness(props: { teams?: Record<string, number> } = {}): Promise<Harness> {
  return harnesses.start({
    model,
    startFake: () => startFakeIntercom({ token: 'access-token', adminId: ADMIN }),
    name: 'support',
    external: (n) => String(n),
    channel: {
      type: 'intercom',
      accessTokenEnv: 'IC_TOKEN',
      webhookSecretEnv: 'IC_SECRET',
      adminId: ADMIN,
      ...(props.teams ? { teams: props.teams } : {}),
    },
    env: { IC_TOKEN: 'access-token', IC_SECRET: SECRET },
  });
}

describe('intercom through switchboard serve', () => {
  const d = intercomDeliveries({ adminId: ADMIN, secret: SECRET });

  it("answers a customer's new conversation inside Intercom once, however often it is delivered", async () => {
    const h = await harness();
    const delivery = d.conversationStarted({
      conversation: 215000000000031,
      message: 88000101,
      text: 'Where is my order?',
      at: Date.now(),
    });
    const answers = await h.postAtOnce(delivery, 3);
    expect(answers.ms).toBeLessThan(2000);
    expect(answers.statuses).toEqual([200, 200, 200]);
    await h.untilReplies(215000000000031);
    await h.settled();
    const stored = await h.deployment.store.getConversation('support:215000000000031');
    const botLines = await h.botLines(215000000000031);
    expect(botLines.length).toBeGreaterThan(0);
    expect(h.replies(215000000000031)).toEqual(botLines.map((text) => ({ kind: 'reply', text })));
    expect(stored?.messages.filter((m) => m.role === 'customer')).toEqual([
      expect.objectContaining({ text: 'Where is my order?' }),
    ]);
    expect(stored?.conversation).toMatchObject({ channel: 'support', owner: 'bot' });

    // The bot's own replies come back on two topics: neither is taken for an agent's.
    const eventsBefore = await h.deployment.store.stats();
    for (const topic of ['admin', 'operator'] as const) {
      await h.post(
        d.ownMessage({
          conversation: 215000000000031,
          message: 30000100,
          text: botLines[0] ?? '',
          at: Date.now(),
          topic,
        }),
      );
    }
    await h.settled();
    expect(await h.deployment.store.stats()).toEqual(eventsBefore);
    expect(await h.owner(215000000000031)).toBe('bot');
  });

  it('hands off with the packet as a private note then an assignment, stays silent after, and answers again once assigned back to the bot', async () => {
    const h = await harness({ teams: { support: TEAM } });
    const n = 215000000000032;
    const id = `support:${n}`;
    const at = Date.now();
    await h.post(
      d.conversationStarted({ conversation: n, message: 88000201, text: 'I want to talk to a person', at }),
    );
    await until(
      () => h.fake.conversation(String(n))?.team,
      (team) => team !== undefined && team !== null,
    );
    await h.settled();
    const timeline = h.fake.timeline(String(n));
    const note = timeline.find((e) => e.kind === 'note');
    expect(note && 'text' in note ? note.text : '').toMatch(/Handoff from automation: human_requested/);
    const kinds = timeline.map((e) => (e.kind === 'owner' ? `owner:${e.value}` : e.kind));
    expect(kinds.indexOf('owner:human')).toBeGreaterThan(kinds.indexOf('note'));
    expect(timeline).toContainEqual({
      kind: 'tags',
      value: ['switchboard', 'switchboard_handoff', 'switchboard_human_requested'],
    });
    // The demo's human_requested queue is `support`, mapped to the team.
    expect(h.fake.conversation(String(n))).toMatchObject({ team: String(TEAM), admin: null });
    expect(timeline.slice(-2)).toEqual([
      { kind: 'queue', value: `team:${TEAM}` },
      { kind: 'owner', value: 'human' },
    ]);
    expect(await h.owner(n)).toBe('human');

    // Intercom echoes the assignment; the customer writes again: the bot stays silent.
    await h.post(d.assigned({ conversation: n, at: at + 1000, to: { type: 'team', id: TEAM } }));
    const before = h.replies(n).length;
    await h.post(
      d.customerMessage({
        conversation: n,
        message: 30000202,
        text: 'Hello? Where is my order?',
        at: at + 2000,
        assignee: { type: 'team', id: TEAM },
      }),
    );
    await h.settled();
    expect(h.replies(n)).toHaveLength(before);
    const customerLines = (await h.deployment.store.getConversation(id))?.messages.filter(
      (m) => m.role === 'customer',
    );
    expect(customerLines?.map((m) => m.text)).toEqual([
      'I want to talk to a person',
      'Hello? Where is my order?',
    ]);

    // A teammate assigns the conversation to the bot's admin: the bot owns it again and answers.
    await h.post(d.handBack({ conversation: n, at: at + 5000 }));
    await h.untilConversation(n, (c) => c?.owner === 'bot');
    // A stale team assignment (delivered late, seconds older than the hand-back) changes nothing.
    await h.post(d.assigned({ conversation: n, at: at + 3000, to: { type: 'team', id: TEAM } }));
    await h.post(
      d.customerMessage({
        conversation: n,
        message: 30000203,
        text: 'Where is my order?',
        at: at + 6000,
        assignee: { type: 'admin', id: ADMIN },
      }),
    );
    await h.untilReplies(n, before);
    expect(await h.owner(n)).toBe('bot');
  });

  it('takes an agent reply for a take-over, and a close for a close', async () => {
    const h = await harness();
    const n = 215000000000033;
    const id = `support:${n}`;
    const at = Date.now();
    await h.post(
      d.conversationStarted({ conversation: n, message: 88000301, text: 'Where is my order?', at }),
    );
    await h.untilReplies(n);
    await h.settled();
    await h.post(
      d.agentMessage({ conversation: n, message: 30000301, text: 'Ana here, I will check', at: at + 2000 }),
    );
    await h.untilConversation(n, (c) => c?.owner === 'human');
    const agentLines = (await h.deployment.store.getConversation(id))?.messages.filter(
      (m) => m.role === 'agent',
    );
    expect(agentLines?.map((m) => m.text)).toEqual(['Ana here, I will check']);
    await h.post(d.closed({ conversation: n, at: at + 3000 }));
    await h.untilConversation(n, (c) => c?.status === 'closed');
  });

  it("records the customer's conversation rating once, however often it is delivered, and a changed one as a new answer", async () => {
    const h = await harness();
    const n = 215000000000035;
    const at = Date.now();
    await h.post(
      d.conversationStarted({ conversation: n, message: 88000501, text: 'Where is my order?', at }),
    );
    await h.untilReplies(n);
    await h.post(d.closed({ conversation: n, at: at + 2000 }));
    await h.untilConversation(n, (c) => c?.status === 'closed');

    const rating = { rating: 4, remark: 'Quick, thanks', at: at + 3000 };
    const rated = d.rated({ conversation: n, at: at + 3000, rating });
    expect((await h.postAtOnce(rated, 2)).statuses).toEqual([200, 200]);
    // A later delivery about the conversation carries the same rating: not a second answer.
    await h.post(d.closed({ conversation: n, at: at + 4000, rating }));
    await h.settled();
    const answers = async () =>
      (await h.deployment.store.listFeedback({ conversationId: `support:${n}` })).map((f) => [
        f.rating,
        f.comment,
        f.source,
      ]);
    expect(await answers()).toEqual([[4, 'Quick, thanks', 'support']]);

    await h.post(
      d.rated({ conversation: n, at: at + 9000, rating: { rating: 5, remark: null, at: at + 9000 } }),
    );
    await h.settled();
    expect(await answers()).toEqual([
      [4, 'Quick, thanks', 'support'],
      [5, null, 'support'],
    ]);
    // The rating changes neither the owner nor the status.
    expect(await h.deployment.store.findConversation(`support:${n}`)).toMatchObject({
      owner: 'bot',
      status: 'closed',
    });
  });

  it('refuses a bad signature with 401 and a bad body with 400, storing nothing', async () => {
    const h = await harness();
    const eventsBefore = await h.deployment.store.stats();
    const good = d.conversationStarted({
      conversation: 215000000000034,
      message: 88000401,
      text: 'Where is my order?',
      at: Date.now(),
    });
    expect(await h.answer(tampered(good))).toMatchObject({
      status: 401,
      body: { code: 'webhook.bad_signature' },
    });
    const unsigned = await h.post({ body: good.body, headers: { 'content-type': 'application/json' } });
    expect(unsigned.status).toBe(401);

    const body = JSON.parse(good.body);
    body.data.item = 'not an object';
    const bad = await h.post(d.signed(JSON.stringify(body)));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'webhook.invalid', errors: [{ field: 'data.item' }] });

    await h.settled();
    expect(await h.deployment.store.stats()).toEqual(eventsBefore);
    expect(h.fake.requests).toEqual([]);
  });

  it('retries with backoff while Intercom fails, parks the reply with an event, and sends it once when Intercom is back', async () => {
    const h = await harness();
    h.fake.failNext(500, 1000);
    const n = 215000000000035;
    await h.post(
      d.conversationStarted({
        conversation: n,
        message: 88000501,
        text: 'Where is my order?',
        at: Date.now(),
      }),
    );
    expect(await h.untilParked(n)).toMatchObject({
      job: { attempts: 6, code: 'channel.http_500' },
      event: { key: 'm:1', operation: 'reply', code: 'http_500', attempts: 6 },
    });
    expect(h.replies(n)).toEqual([]);

    // Intercom is back: the parked try sends it, once.
    await h.recover(n);
    expect(h.replies(n)).toEqual((await h.botLines(n)).map((text) => ({ kind: 'reply', text })));
  }, 60_000);
});
