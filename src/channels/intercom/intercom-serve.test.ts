import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from '../../app/index.ts';
import { openDemoDeployment, trainDemoIntentModel } from '../../app/testing.ts';
import type { IntentModel } from '../../nlu/index.ts';
import { type RunningServer, startServer } from '../../server/serve.ts';
import { DELIVERY_FAILED_EVENT } from '../outbound.ts';
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

interface Harness {
  server: RunningServer;
  deployment: Deployment;
  intercom: FakeIntercom;
  /** Moves the deployment's clock (jobs' backoff and schedules follow it). */
  advance(ms: number): void;
  post(delivery: { body: string; headers: Record<string, string> }): Promise<Response>;
}
const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.server.close(1000);
    await h.deployment.close();
    await h.intercom.close();
  }
});

async function harness(props: { teams?: Record<string, number> } = {}): Promise<Harness> {
  const intercom = await startFakeIntercom({ token: 'access-token', adminId: ADMIN });
  let offset = 0;
  const deployment = await openDemoDeployment({
    model,
    clock: { now: () => Date.now() + offset },
    jobs: { pollIntervalMs: 50 },
    channels: {
      support: {
        type: 'intercom',
        baseUrl: intercom.url,
        accessTokenEnv: 'IC_TOKEN',
        webhookSecretEnv: 'IC_SECRET',
        adminId: ADMIN,
        ...(props.teams ? { teams: props.teams } : {}),
      },
    },
    env: { IC_TOKEN: 'access-token', IC_SECRET: SECRET },
  });
  const server = await startServer({ deployment, host: '127.0.0.1', port: 0, widget: async () => null });
  const h: Harness = {
    server,
    deployment,
    intercom,
    advance: (ms) => {
      offset += ms;
    },
    post: (delivery) =>
      fetch(`${server.url}/channels/support/webhook`, {
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

const replies = (h: Harness, n: number) => h.intercom.timeline(String(n)).filter((e) => e.kind === 'reply');

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
    const started = performance.now();
    const answers = await Promise.all([h.post(delivery), h.post(delivery), h.post(delivery)]);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    await until(
      () => replies(h, 215000000000031),
      (r) => r.length > 0,
    );
    await settled(h);
    const stored = await h.deployment.store.getConversation('support:215000000000031');
    const botLines = stored?.messages.filter((m) => m.role === 'bot').map((m) => m.text) ?? [];
    expect(botLines.length).toBeGreaterThan(0);
    expect(replies(h, 215000000000031)).toEqual(botLines.map((text) => ({ kind: 'reply', text })));
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
    await settled(h);
    expect(await h.deployment.store.stats()).toEqual(eventsBefore);
    expect((await h.deployment.store.findConversation('support:215000000000031'))?.owner).toBe('bot');
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
      () => h.intercom.conversation(String(n))?.team,
      (team) => team !== undefined && team !== null,
    );
    await settled(h);
    const timeline = h.intercom.timeline(String(n));
    const note = timeline.find((e) => e.kind === 'note');
    expect(note && 'text' in note ? note.text : '').toMatch(/Handoff from automation: human_requested/);
    const kinds = timeline.map((e) => (e.kind === 'owner' ? `owner:${e.value}` : e.kind));
    expect(kinds.indexOf('owner:human')).toBeGreaterThan(kinds.indexOf('note'));
    expect(timeline).toContainEqual({
      kind: 'tags',
      value: ['switchboard', 'switchboard_handoff', 'switchboard_human_requested'],
    });
    // The demo's human_requested queue is `support`, mapped to the team.
    expect(h.intercom.conversation(String(n))).toMatchObject({ team: String(TEAM), admin: null });
    expect(timeline.slice(-2)).toEqual([
      { kind: 'queue', value: `team:${TEAM}` },
      { kind: 'owner', value: 'human' },
    ]);
    expect((await h.deployment.store.findConversation(id))?.owner).toBe('human');

    // Intercom echoes the assignment; the customer writes again: the bot stays silent.
    await h.post(d.assigned({ conversation: n, at: at + 1000, to: { type: 'team', id: TEAM } }));
    const before = replies(h, n).length;
    await h.post(
      d.customerMessage({
        conversation: n,
        message: 30000202,
        text: 'Hello? Where is my order?',
        at: at + 2000,
        assignee: { type: 'team', id: TEAM },
      }),
    );
    await settled(h);
    expect(replies(h, n)).toHaveLength(before);
    const customerLines = (await h.deployment.store.getConversation(id))?.messages.filter(
      (m) => m.role === 'customer',
    );
    expect(customerLines?.map((m) => m.text)).toEqual([
      'I want to talk to a person',
      'Hello? Where is my order?',
    ]);

    // A teammate assigns the conversation to the bot's admin: the bot owns it again and answers.
    await h.post(d.handBack({ conversation: n, at: at + 5000 }));
    await until(
      () => h.deployment.store.findConversation(id),
      (c) => c?.owner === 'bot',
    );
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
    await until(
      () => replies(h, n),
      (r) => r.length > before,
    );
    expect((await h.deployment.store.findConversation(id))?.owner).toBe('bot');
  });

  it('takes an agent reply for a take-over, and a close for a close', async () => {
    const h = await harness();
    const n = 215000000000033;
    const id = `support:${n}`;
    const at = Date.now();
    await h.post(
      d.conversationStarted({ conversation: n, message: 88000301, text: 'Where is my order?', at }),
    );
    await until(
      () => replies(h, n),
      (r) => r.length > 0,
    );
    await settled(h);
    await h.post(
      d.agentMessage({ conversation: n, message: 30000301, text: 'Ana here, I will check', at: at + 2000 }),
    );
    await until(
      () => h.deployment.store.findConversation(id),
      (c) => c?.owner === 'human',
    );
    const agentLines = (await h.deployment.store.getConversation(id))?.messages.filter(
      (m) => m.role === 'agent',
    );
    expect(agentLines?.map((m) => m.text)).toEqual(['Ana here, I will check']);
    await h.post(d.closed({ conversation: n, at: at + 3000 }));
    await until(
      () => h.deployment.store.findConversation(id),
      (c) => c?.status === 'closed',
    );
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
    const forged = { ...good, body: good.body.replace('Where', 'Wh3re') };
    const refused = await h.post(forged);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: 'webhook.bad_signature' });
    const unsigned = await h.post({ body: good.body, headers: { 'content-type': 'application/json' } });
    expect(unsigned.status).toBe(401);

    const body = JSON.parse(good.body);
    body.data.item = 'not an object';
    const bad = await h.post(d.signed(JSON.stringify(body)));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'webhook.invalid', errors: [{ field: 'data.item' }] });

    await settled(h);
    expect(await h.deployment.store.stats()).toEqual(eventsBefore);
    expect(h.intercom.requests).toEqual([]);
  });

  it('retries with backoff while Intercom fails, parks the reply with an event, and sends it once when Intercom is back', async () => {
    const h = await harness();
    h.intercom.failNext(500, 1000);
    const n = 215000000000035;
    await h.post(
      d.conversationStarted({
        conversation: n,
        message: 88000501,
        text: 'Where is my order?',
        at: Date.now(),
      }),
    );
    const id = `support:${n}`;
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
    expect(replies(h, n)).toEqual([]);

    // Intercom is back: the parked try sends it, once.
    h.intercom.heal();
    h.advance(11 * 60_000);
    await until(
      () => replies(h, n),
      (r) => r.length > 0,
    );
    await settled(h);
    h.advance(11 * 60_000);
    await settled(h);
    const botLines =
      (await h.deployment.store.getConversation(id))?.messages.filter((m) => m.role === 'bot') ?? [];
    expect(replies(h, n)).toEqual(botLines.map((m) => ({ kind: 'reply', text: m.text })));
  }, 60_000);
});
