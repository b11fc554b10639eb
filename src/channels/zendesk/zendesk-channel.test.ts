import { afterEach, describe, expect, it } from 'vitest';
import { channelContractSuite } from '../channel.suite.ts';
import type { InboundEvent, WebhookRequest } from '../channel.ts';
import { type FakeZendesk, startFakeZendesk, zendeskDeliveries } from './fake-zendesk-channel.ts';
import { TRIGGER_BODY_TEMPLATE, ZendeskConfigSchema, zendeskChannel } from './zendesk-channel.ts';

const SECRET = 'zendesk-signing-secret';
const BOT = 4_100_099;
const EMAIL = 'bot@shop.example';
const T0 = Date.parse('2026-12-07T10:00:00Z');

function channelAt(url: string, props: { secret?: boolean; groups?: Record<string, number> } = {}) {
  return zendeskChannel.create({
    name: 'desk',
    mode: 'live',
    config: ZendeskConfigSchema.parse({
      baseUrl: url,
      email: EMAIL,
      apiTokenEnv: 'ZD_TOKEN',
      botUserId: BOT,
      ...(props.secret === false ? {} : { webhookSecretEnv: 'ZD_SECRET' }),
      ...(props.groups ? { groups: props.groups } : {}),
    }),
    credentials: { token: 'api-token', ...(props.secret === false ? {} : { webhookSecret: SECRET }) },
  });
}

channelContractSuite('zendesk', async () => {
  const fake = await startFakeZendesk({ email: EMAIL, token: 'api-token' });
  const d = zendeskDeliveries({ secret: SECRET, botUserId: BOT });
  return {
    channel: channelAt(fake.url, { groups: { billing: 360_001 } }),
    fake,
    external: (n) => String(n),
    deliveries: {
      customerMessage: d.customerMessage,
      agentMessage: d.agentMessage,
      ownMessage: d.ownMessage,
      privateNote: d.privateNote,
      handBack: (p) => d.tagsChanged({ ticket: p.conversation, added: ['switchboard_bot'], at: p.at }),
      closed: (p) =>
        d.statusChanged({ ticket: p.conversation, status: 'SOLVED', previous: 'OPEN', at: p.at }),
      unknownEvent: d.unknownEvent,
      missingField: () => {
        const body = JSON.parse(d.customerMessage({ conversation: 1, message: 1, text: 'x', at: T0 }).body);
        delete body.detail;
        return { body: JSON.stringify(body), headers: {} };
      },
    },
    close: () => fake.close(),
  };
});

function request(
  delivery: { body: string; headers?: Record<string, string> },
  receivedAt = T0,
): WebhookRequest {
  const headers = new Map(Object.entries(delivery.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return { header: (n) => headers.get(n.toLowerCase()), body: Buffer.from(delivery.body), receivedAt };
}

describe('zendesk channel: reading deliveries', () => {
  const d = zendeskDeliveries({ botUserId: BOT });
  const channel = channelAt('http://127.0.0.1:9', { secret: false });
  const events = (delivery: { body: string }): InboundEvent[] => {
    const parsed = channel.parse(request(delivery));
    if (!parsed.ok) throw new Error(`refused: ${parsed.error.code}`);
    return parsed.value.events;
  };
  const ignored = (delivery: { body: string }) => {
    const parsed = channel.parse(request(delivery));
    return parsed.ok && parsed.value.events.length === 0 ? parsed.value.ignored : 'not ignored';
  };

  it('reads an event webhook: string ids, nanosecond time, the requester as the customer', () => {
    const delivery = d.customerMessage({
      conversation: 5158,
      message: 9_001_107,
      text: 'Wo bleibt mein Paket?',
      at: T0,
    });
    const body = JSON.parse(delivery.body);
    expect(body.detail.id).toBe('5158');
    expect(body.subject).toBe('zen:ticket:5158');
    expect(body.time).toMatch(/\.\d{9}Z$/);
    expect(events(delivery)).toEqual([
      {
        type: 'customer_message',
        external: '5158',
        deliveryKey: 'comment:5158:9001107',
        at: T0,
        messageId: '9001107',
        text: 'Wo bleibt mein Paket?',
        customer: { id: 'zendesk:8800101', name: 'Mira Testkundin', attributes: {} },
      },
    ]);
  });

  it("keys a comment on its id, whatever the event's UUID (one comment, two event deliveries)", () => {
    const p = { conversation: 12, message: 77, text: 'Hallo', at: T0 };
    const first = events(d.customerMessage({ ...p, id: 'aaaaaaaa-0000-4000-8000-000000000001' }));
    const second = events(d.customerMessage({ ...p, id: 'aaaaaaaa-0000-4000-8000-000000000002' }));
    expect(first[0]?.deliveryKey).toBe('comment:12:77');
    expect(second[0]?.deliveryKey).toBe(first[0]?.deliveryKey);
  });

  it('reads a trigger webhook filled from the documented template', () => {
    // The template is every placeholder quoted: what arrives is all strings.
    expect(Object.values(TRIGGER_BODY_TEMPLATE).every((v) => /\{\{.+\}\}/.test(v))).toBe(true);
    const delivery = d.trigger({ ticket: 48, text: 'Meine Rechnung ist falsch', at: T0, author: 'customer' });
    const [event, ...rest] = events(delivery);
    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      type: 'customer_message',
      external: '48',
      at: T0,
      text: 'Meine Rechnung ist falsch',
      customer: { id: 'zendesk:8800101', name: 'Mira Testkundin', email: 'mira@kunden.example' },
    });
    // Zendesk's retry of the same trigger: the same key; another comment at the same time: another.
    expect(events(delivery)[0]?.deliveryKey).toBe(event?.deliveryKey);
    const other = d.trigger({ ticket: 48, text: 'Noch etwas', at: T0, author: 'customer' });
    expect(events(other)[0]?.deliveryKey).not.toBe(event?.deliveryKey);
    expect(event?.deliveryKey).toMatch(/^trigger:48:2026-12-07T10:00:00Z:/);
  });

  it('gives a comment delivered by both styles one delivery key when the trigger carries its id', () => {
    const text = 'Ich möchte stornieren';
    const byEvent = events(d.customerMessage({ conversation: 31, message: 4242, text, at: T0 }));
    const byTrigger = events(
      d.trigger({ ticket: 31, comment: 4242, text, at: T0 + 800, author: 'customer' }),
    );
    expect(byTrigger[0]?.deliveryKey).toBe('comment:31:4242');
    expect(byEvent[0]?.deliveryKey).toBe(byTrigger[0]?.deliveryKey);
  });

  it("reads a trigger's agent comment as taken over, a solve as closed, and ignores the bot's own update", () => {
    expect(events(d.trigger({ ticket: 48, text: 'Ich übernehme', at: T0, author: 'agent' }))).toMatchObject([
      { type: 'agent_message', agentId: '8800202', private: false, text: 'Ich übernehme' },
    ]);
    expect(
      events(d.trigger({ ticket: 48, text: 'Erledigt', at: T0, author: 'agent', status: 'Solved' })),
    ).toMatchObject([{ type: 'agent_message' }, { type: 'status', signal: 'closed', by: '8800202' }]);
    expect(ignored(d.trigger({ ticket: 48, text: 'Bot answer', at: T0, author: 'bot' }))).toBe(
      "the bot's own update",
    );
    expect(ignored(d.trigger({ ticket: 48, text: '   ', at: T0, author: 'customer' }))).toBe(
      'no public comment and no close',
    );
  });

  it("ignores the bot's own comments, public or private, and its own status and tag changes", () => {
    expect(ignored(d.ownMessage({ conversation: 3, message: 1, text: 'Hi', at: T0 }))).toBe(
      "the bot's own comment",
    );
    expect(
      ignored(d.comment({ ticket: 3, comment: 2, text: 'packet', at: T0, author: 'bot', public: false })),
    ).toBe("the bot's own comment");
    expect(ignored(d.tagsChanged({ ticket: 3, added: ['switchboard_bot'], at: T0, actor: 'bot' }))).toBe(
      "the bot's own change",
    );
    expect(
      ignored(d.statusChanged({ ticket: 3, status: 'SOLVED', previous: 'OPEN', at: T0, actor: 'bot' })),
    ).toBe("the bot's own change");
  });

  it('reads upper-case statuses: solved and closed close, a reopen opens, the others say nothing', () => {
    const signal = (status: string, previous: string) =>
      events(d.statusChanged({ ticket: 3, status, previous, at: T0 }))[0];
    expect(signal('SOLVED', 'OPEN')).toMatchObject({ type: 'status', signal: 'closed', by: '8800202' });
    expect(signal('CLOSED', 'SOLVED')).toMatchObject({ signal: 'closed' });
    expect(signal('OPEN', 'SOLVED')).toMatchObject({ signal: 'open' });
    expect(signal('PENDING', 'OPEN')).toBeUndefined();
    expect(signal('OPEN', 'NEW')).toBeUndefined();
  });

  it('reads the switchboard_bot tag as a hand-back, tags as an array or a string', () => {
    for (const tagsAs of ['array', 'string'] as const) {
      const delivery = d.tagsChanged({ ticket: 3, added: ['vip', 'switchboard_bot'], at: T0, tagsAs });
      expect(events(delivery), tagsAs).toMatchObject([{ type: 'status', signal: 'bot', external: '3' }]);
    }
    expect(
      typeof JSON.parse(d.tagsChanged({ ticket: 3, added: ['x'], at: T0, tagsAs: 'string' }).body).detail
        .tags,
    ).toBe('string');
    expect(ignored(d.tagsChanged({ ticket: 3, added: ['vip'], at: T0 }))).toBe(
      'no switchboard_bot tag added',
    );
  });

  it('reads an assignment to a person as taken over, and not one to the bot', () => {
    expect(events(d.assigned({ ticket: 3, assignee: 'agent', at: T0 }))).toMatchObject([
      { type: 'status', signal: 'human', by: '8800202' },
    ]);
    expect(ignored(d.assigned({ ticket: 3, assignee: 'bot', at: T0 }))).toBe('assigned to the bot');
  });

  it('refuses an event whose comment lacks a field, naming it from the top of the body', () => {
    const body = JSON.parse(d.customerMessage({ conversation: 3, message: 1, text: 'x', at: T0 }).body);
    delete body.event.comment.is_public;
    const parsed = channel.parse(request({ body: JSON.stringify(body) }));
    expect(parsed).toMatchObject({
      ok: false,
      error: { status: 400, code: 'webhook.invalid', errors: [{ field: 'event.comment.is_public' }] },
    });
    const trigger = channel.parse(request({ body: JSON.stringify({ comment: 'hello' }) }));
    expect(trigger).toMatchObject({ ok: false, error: { status: 400, code: 'webhook.invalid' } });
    if (!trigger.ok) {
      expect(trigger.error.errors?.map((e) => e.field)).toEqual(['ticket_id', 'updated_at']);
      expect(trigger.error.errors?.[0]?.message).toMatch(/ticket id/);
    }
  });

  it('checks the signature over the ISO timestamp and the body, and refuses a delivery without a timestamp', () => {
    const signed = zendeskDeliveries({ secret: SECRET, botUserId: BOT }).customerMessage({
      conversation: 3,
      message: 1,
      text: 'x',
      at: T0,
    });
    const live = channelAt('http://127.0.0.1:9');
    expect(signed.headers['x-zendesk-webhook-signature-timestamp']).toBe('2026-12-07T10:00:00Z');
    expect(live.verify(request(signed, T0 + 2000))).toEqual({ ok: true, value: undefined });
    const { 'x-zendesk-webhook-signature-timestamp': _ts, ...headers } = signed.headers;
    expect(live.verify(request({ body: signed.body, headers }, T0))).toMatchObject({
      ok: false,
      error: { status: 401, code: 'webhook.bad_timestamp' },
    });
    const otherSecret = zendeskDeliveries({ secret: 'another', botUserId: BOT }).customerMessage({
      conversation: 3,
      message: 1,
      text: 'x',
      at: T0,
    });
    expect(live.verify(request(otherSecret, T0))).toMatchObject({
      ok: false,
      error: { code: 'webhook.bad_signature' },
    });
  });

  it('refuses a configuration with an unknown key or without the bot user', () => {
    const base = {
      baseUrl: 'https://acme.zendesk.com',
      email: EMAIL,
      apiTokenEnv: 'ZD_TOKEN',
      botUserId: BOT,
    };
    expect(ZendeskConfigSchema.safeParse(base).success).toBe(true);
    expect(ZendeskConfigSchema.safeParse({ ...base, token: 'inline' }).success).toBe(false);
    const { botUserId: _bot, ...without } = base;
    expect(ZendeskConfigSchema.safeParse(without).success).toBe(false);
  });
});

describe('zendesk channel: writing to tickets', () => {
  let fake: FakeZendesk;
  afterEach(async () => {
    await fake.close();
  });
  const context = () => ({ idempotencyKey: 'sb_k', signal: AbortSignal.timeout(5000) });

  it('hands off: private packet note first, then open, tags added (switchboard_bot removed), group, priority', async () => {
    fake = await startFakeZendesk({ email: EMAIL, token: 'api-token' });
    const channel = channelAt(fake.url, { groups: { billing: 360_001 } });
    expect(await channel.send('90', { type: 'handBack' }, context())).toMatchObject({ ok: true });
    expect(fake.ticket(90)?.tags).toEqual(['switchboard_bot']);
    const note = await channel.send('90', { type: 'note', text: 'Packet: order 4471' }, context());
    expect(note).toMatchObject({ ok: true, value: { externalId: expect.stringMatching(/^\d+$/) } });
    const handoff = await channel.send(
      '90',
      {
        type: 'handoff',
        code: 'refund',
        queue: 'billing',
        priority: 'urgent',
        tags: ['switchboard', 'Switchboard Refund'],
      },
      context(),
    );
    expect(handoff).toMatchObject({ ok: true });
    expect(fake.ticket(90)).toMatchObject({
      status: 'open',
      tags: ['switchboard', 'switchboard_refund'],
      groupId: 360_001,
      priority: 'urgent',
    });
    expect(fake.timeline('90')).toEqual([
      { kind: 'tags', value: ['switchboard_bot'] },
      { kind: 'note', text: 'Packet: order 4471' },
      { kind: 'queue', value: 'group:360001' },
      { kind: 'priority', value: 'urgent' },
      { kind: 'tags', value: ['switchboard', 'switchboard_refund'] },
      { kind: 'owner', value: 'human' },
    ]);
    // A queue without a group leaves the group alone.
    await channel.send(
      '91',
      { type: 'handoff', code: 'x', queue: 'other', priority: 'low', tags: [] },
      context(),
    );
    expect(fake.ticket(91)).toMatchObject({ status: 'open', groupId: null, priority: 'low' });
  });

  it('is refused by the fake, as by Zendesk, for a comment without `public` and for a wrong password', async () => {
    fake = await startFakeZendesk({ email: EMAIL, token: 'api-token' });
    const auth = `Basic ${Buffer.from(`${EMAIL}/token:api-token`).toString('base64')}`;
    const res = await fetch(`${fake.url}/api/v2/tickets/5`, {
      method: 'PUT',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ ticket: { comment: { body: 'no public flag' } } }),
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ error: 'RecordInvalid', details: { public: [{}] } });
    expect(fake.timeline('5')).toEqual([]);

    const wrong = zendeskChannel.create({
      name: 'desk',
      mode: 'live',
      config: ZendeskConfigSchema.parse({
        baseUrl: fake.url,
        email: EMAIL,
        apiTokenEnv: 'T',
        botUserId: BOT,
      }),
      credentials: { token: 'not-the-token' },
    });
    expect(await wrong.send('5', { type: 'reply', text: 'a' }, context())).toMatchObject({
      ok: false,
      error: { code: 'http_401', retryable: false },
    });
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'PUT',
      path: '/api/v2/tickets/5',
      authorized: false,
    });
  });
});
