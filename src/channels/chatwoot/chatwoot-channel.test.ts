import { describe, expect, it } from 'vitest';
import { channelContractSuite } from '../channel.suite.ts';
import { ChatwootConfigSchema, chatwootChannel } from './chatwoot-channel.ts';
import { chatwootDeliveries, startFakeChatwoot } from './fake-chatwoot.ts';

const ACCOUNT = 3;
const SECRET = 'whsec-chatwoot-test';
const T0 = Date.parse('2026-12-07T10:00:00Z');

function channelAt(url: string, props: { secret?: boolean; teams?: Record<string, number> } = {}) {
  return chatwootChannel.create({
    name: 'chat',
    mode: 'live',
    config: ChatwootConfigSchema.parse({
      baseUrl: url,
      accountId: ACCOUNT,
      botTokenEnv: 'CW_TOKEN',
      ...(props.secret === false ? {} : { webhookSecretEnv: 'CW_SECRET' }),
      ...(props.teams ? { teams: props.teams } : {}),
    }),
    credentials: { token: 'bot-token', ...(props.secret === false ? {} : { webhookSecret: SECRET }) },
  });
}

channelContractSuite('chatwoot', async () => {
  const fake = await startFakeChatwoot({ accountId: ACCOUNT, token: 'bot-token' });
  const d = chatwootDeliveries({ accountId: ACCOUNT, secret: SECRET });
  return {
    channel: channelAt(fake.url, { teams: { billing: 5 } }),
    fake,
    external: (n) => `${ACCOUNT}:${n}`,
    deliveries: {
      customerMessage: d.customerMessage,
      agentMessage: d.agentMessage,
      ownMessage: d.ownMessage,
      privateNote: d.privateNote,
      handBack: (p) => d.statusChanged({ ...p, status: 'pending', previous: 'open' }),
      closed: (p) => d.statusChanged({ ...p, status: 'resolved', previous: 'open' }),
      unknownEvent: d.unknownEvent,
      missingField: () => {
        const body = JSON.parse(d.customerMessage({ conversation: 1, message: 1, text: 'x', at: T0 }).body);
        delete body.conversation;
        return { body: JSON.stringify(body), headers: {} };
      },
    },
    close: () => fake.close(),
  };
});

describe('chatwoot channel', () => {
  const d = chatwootDeliveries({ accountId: ACCOUNT });
  const parse = (delivery: { body: string }) =>
    channelAt('http://127.0.0.1:9', { secret: false }).parse({
      header: () => undefined,
      body: Buffer.from(delivery.body),
      receivedAt: T0,
    });

  it('says who the helpdesk thinks answers: pending is the bot, open is people', () => {
    const pending = parse(d.customerMessage({ conversation: 4, message: 1, text: 'hi', at: T0 }));
    expect(pending).toMatchObject({
      ok: true,
      value: { events: [{ owner: 'bot', customer: { name: 'Test Customer' } }] },
    });
    const open = parse(
      d.customerMessage({ conversation: 4, message: 2, text: 'hi', at: T0, status: 'open' }),
    );
    expect(open).toMatchObject({ ok: true, value: { events: [{ owner: 'human' }] } });
  });

  it('reads the integer message types of older payloads, and a CSAT answer', () => {
    const body = JSON.parse(d.customerMessage({ conversation: 4, message: 3, text: 'hi', at: T0 }).body);
    body.message_type = 0;
    expect(parse({ body: JSON.stringify(body) })).toMatchObject({
      ok: true,
      value: { events: [{ type: 'customer_message' }] },
    });
    const csat = parse(d.csat({ conversation: 4, message: 9, rating: 4, comment: 'quick', at: T0 }));
    expect(csat).toMatchObject({
      ok: true,
      value: { events: [{ type: 'csat', rating: 4, comment: 'quick' }] },
    });
  });

  it('ignores deliveries of another account and updates that do not change the status', () => {
    const other = chatwootDeliveries({ accountId: 99 }).customerMessage({
      conversation: 4,
      message: 1,
      text: 'hi',
      at: T0,
    });
    expect(parse(other)).toMatchObject({
      ok: true,
      value: { events: [], ignored: 'a delivery of another account' },
    });
    const body = JSON.parse(
      d.statusChanged({ conversation: 4, status: 'pending', previous: 'open', at: T0 }).body,
    );
    body.event = 'conversation_updated';
    body.changed_attributes = [{ labels: { current_value: ['x'], previous_value: [] } }];
    expect(parse({ body: JSON.stringify(body) })).toMatchObject({ ok: true, value: { events: [] } });
  });

  it('assigns a hand-off to the team mapped to its queue', async () => {
    const fake = await startFakeChatwoot({ accountId: ACCOUNT, token: 'bot-token' });
    try {
      const channel = channelAt(fake.url, { teams: { billing: 5 } });
      const sent = await channel.send(
        `${ACCOUNT}:8`,
        {
          type: 'handoff',
          code: 'human_requested',
          queue: 'billing',
          priority: 'urgent',
          tags: ['switchboard'],
        },
        { idempotencyKey: 'k', signal: AbortSignal.timeout(5000) },
      );
      expect(sent.ok).toBe(true);
      expect(fake.timeline(`${ACCOUNT}:8`)).toEqual([
        { kind: 'queue', value: 'team:5' },
        { kind: 'tags', value: ['switchboard'] },
        { kind: 'priority', value: 'urgent' },
        { kind: 'owner', value: 'human' },
      ]);
      expect(fake.status(8)).toBe('open');
    } finally {
      await fake.close();
    }
  });
});
