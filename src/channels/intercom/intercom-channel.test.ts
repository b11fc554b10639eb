import { describe, expect, it } from 'vitest';
import { channelContractSuite } from '../channel.suite.ts';
import type { InboundEvent, ParsedDelivery } from '../channel.ts';
import { buildChannels } from '../registry.ts';
import { intercomDeliveries, startFakeIntercom } from './fake-intercom.ts';
import { htmlOf, IntercomConfigSchema, intercomChannel } from './intercom-channel.ts';

const ADMIN = 7300001;
const SECRET = 'intercom-client-secret-test';
const T0 = Date.parse('2026-12-07T10:00:00Z');

function channelAt(url: string, props: { secret?: boolean; teams?: Record<string, number> } = {}) {
  return intercomChannel.create({
    name: 'support',
    mode: 'live',
    config: IntercomConfigSchema.parse({
      baseUrl: url,
      accessTokenEnv: 'IC_TOKEN',
      adminId: ADMIN,
      ...(props.secret === false ? {} : { webhookSecretEnv: 'IC_SECRET' }),
      ...(props.teams ? { teams: props.teams } : {}),
    }),
    credentials: { token: 'access-token', ...(props.secret === false ? {} : { webhookSecret: SECRET }) },
  });
}

channelContractSuite('intercom', async () => {
  const fake = await startFakeIntercom({ token: 'access-token', adminId: ADMIN });
  const d = intercomDeliveries({ adminId: ADMIN, secret: SECRET });
  return {
    channel: channelAt(fake.url, { teams: { billing: 6100045 } }),
    fake,
    external: (n) => String(n),
    deliveries: {
      customerMessage: d.customerMessage,
      agentMessage: d.agentMessage,
      ownMessage: d.ownMessage,
      privateNote: d.privateNote,
      handBack: d.handBack,
      closed: d.closed,
      unknownEvent: d.unknownEvent,
      missingField: () => {
        const body = JSON.parse(d.customerMessage({ conversation: 1, message: 1, text: 'x', at: T0 }).body);
        delete body.data.item.id;
        return { body: JSON.stringify(body), headers: {} };
      },
    },
    close: () => fake.close(),
  };
});

describe('intercom channel', () => {
  const d = intercomDeliveries({ adminId: ADMIN });
  const parse = (delivery: { body: string }) => {
    const parsed = channelAt('http://127.0.0.1:9', { secret: false }).parse({
      header: () => undefined,
      body: Buffer.from(delivery.body),
      receivedAt: T0 + 60_000,
    });
    if (!parsed.ok) throw new Error(`parse refused: ${parsed.error.code}`);
    return parsed.value;
  };
  const only = (parsed: ParsedDelivery): InboundEvent => {
    expect(parsed.events).toHaveLength(1);
    return parsed.events[0] as InboundEvent;
  };

  it("reads a new conversation's opening message, with the customer and whether the bot's admin has it", () => {
    const started = only(
      parse(
        d.conversationStarted({ conversation: 41, message: 88123401, text: 'Where is my parcel?', at: T0 }),
      ),
    );
    expect(started).toEqual({
      type: 'customer_message',
      external: '41',
      deliveryKey: 'part:88123401',
      at: T0,
      messageId: '88123401',
      text: 'Where is my parcel?',
      customer: {
        id: 'shop-customer-31',
        name: 'Robin Test',
        email: 'robin@mail.example',
        attributes: {},
      },
    });
    const ours = only(
      parse(
        d.conversationStarted({
          conversation: 42,
          message: 2,
          text: 'hi',
          at: T0,
          assignee: { type: 'admin', id: ADMIN },
        }),
      ),
    );
    expect(ours).toMatchObject({ owner: 'bot' });
    const people = only(
      parse(
        d.customerMessage({
          conversation: 42,
          message: 3,
          text: 'hi',
          at: T0,
          assignee: { type: 'admin', id: 7301122 },
        }),
      ),
    );
    expect(people).toMatchObject({ owner: 'human' });
    // A team inbox alone says nothing: routing puts new conversations there before anyone answers.
    const team = only(
      parse(
        d.customerMessage({
          conversation: 42,
          message: 4,
          text: 'hi',
          at: T0,
          assignee: { type: 'team', id: 5 },
        }),
      ),
    );
    expect(team).not.toHaveProperty('owner');
  });

  it('reads the 1.x shape: conversation_message, user and assignee', () => {
    const started = only(
      parse(
        d.conversationStarted({
          conversation: 43,
          message: 501,
          text: 'Old widget hello',
          at: T0,
          shape: '1.x',
        }),
      ),
    );
    expect(started).toMatchObject({
      type: 'customer_message',
      deliveryKey: 'part:501',
      text: 'Old widget hello',
      customer: { id: 'shop-customer-31', name: 'Robin Test', email: 'robin@mail.example' },
    });
    const replied = only(
      parse(d.customerMessage({ conversation: 43, message: 502, text: 'Anyone?', at: T0, shape: '1.x' })),
    );
    expect(replied).toMatchObject({
      deliveryKey: 'part:502',
      text: 'Anyone?',
      customer: { id: 'shop-customer-31' },
    });
    const body = JSON.parse(d.handBack({ conversation: 43, at: T0 }).body);
    // 1.x: no assignment part, only the conversation's assignee.
    body.data.item.conversation_parts.conversation_parts = [];
    delete body.data.item.admin_assignee_id;
    delete body.data.item.team_assignee_id;
    body.data.item.assignee = { type: 'nobody_admin', id: null };
    expect(only(parse({ body: JSON.stringify(body) }))).toMatchObject({ type: 'status', signal: 'human' });
    body.data.item.assignee = { type: 'admin', id: String(ADMIN) };
    expect(only(parse({ body: JSON.stringify(body) }))).toMatchObject({ type: 'status', signal: 'bot' });
  });

  it('gives the same part one key on admin.replied and operator.replied, and ignores it as the bot own', () => {
    const onAdmin = parse(d.ownMessage({ conversation: 44, message: 30000001, text: 'Hi!', at: T0 }));
    const onOperator = parse(
      d.ownMessage({ conversation: 44, message: 30000001, text: 'Hi!', at: T0, topic: 'operator' }),
    );
    expect(onAdmin).toEqual({ events: [], ignored: "the bot's own message" });
    expect(onOperator).toEqual(onAdmin);
    // An agent's reply delivered on both topics: one key, so one job.
    const agent = JSON.parse(
      d.agentMessage({ conversation: 44, message: 30000002, text: 'Ana here', at: T0 }).body,
    );
    const keys = ['conversation.admin.replied', 'conversation.operator.replied'].map(
      (topic) => only(parse({ body: JSON.stringify({ ...agent, topic }) })).deliveryKey,
    );
    expect(keys).toEqual(['part:30000002', 'part:30000002']);
    // And a customer message keyed by its part, whatever the topic that carried it.
    expect(
      only(parse(d.customerMessage({ conversation: 44, message: 30000003, text: 'x', at: T0 }))).deliveryKey,
    ).toBe('part:30000003');
  });

  it('does not take an assignment part on admin.replied for a message', () => {
    const parsed = parse(
      d.assignmentReply({
        conversation: 45,
        message: 30000010,
        text: 'Passing you to billing',
        at: T0,
        to: { type: 'team', id: 6100045 },
      }),
    );
    expect(parsed).toEqual({ events: [], ignored: 'a part_type assignment, not a comment' });
  });

  it('reads assignments: to the bot admin is a hand-back, to a person, a team or nobody is people', () => {
    const to = (assignee: Parameters<typeof d.assigned>[0]['to']) =>
      only(parse(d.assigned({ conversation: 46, at: T0, to: assignee, part: 30000020 })));
    expect(to({ type: 'admin', id: ADMIN })).toEqual({
      type: 'status',
      external: '46',
      deliveryKey: 'part:30000020',
      at: T0,
      signal: 'bot',
      by: '7301122',
    });
    expect(to({ type: 'admin', id: 7301122 })).toMatchObject({ signal: 'human' });
    expect(to({ type: 'team', id: 6100045 })).toMatchObject({ signal: 'human' });
    expect(to({ type: 'nobody_admin' })).toMatchObject({ signal: 'human' });
    expect(only(parse(d.opened({ conversation: 46, at: T0, part: 30000021 })))).toMatchObject({
      signal: 'open',
      deliveryKey: 'part:30000021',
    });
  });

  it('turns HTML bodies into plain text, and an attachment alone into a marker', () => {
    const html =
      '<p>Bonjour,</p><p>Mon colis n&deg; <b>4471</b> est marqu&eacute; livr&eacute; &amp; pas re&ccedil;u.</p>' +
      '<p><a href="https://shop.example/track">suivi</a><br>merci&nbsp;!</p><img src="x.png">';
    const event = only(parse(d.customerMessage({ conversation: 47, message: 1, text: '', html, at: T0 })));
    expect(event).toMatchObject({
      text: 'Bonjour,\n\nMon colis n° 4471 est marqué livré & pas reçu.\n\nsuivi\nmerci !',
    });
    const body = JSON.parse(d.customerMessage({ conversation: 47, message: 2, text: '', at: T0 }).body);
    body.data.item.conversation_parts.conversation_parts[0].body = null;
    body.data.item.conversation_parts.conversation_parts[0].attachments = [
      { type: 'upload', name: 'receipt.pdf', content_type: 'application/pdf' },
    ];
    expect(only(parse({ body: JSON.stringify(body) }))).toMatchObject({
      text: '[attachment: application/pdf]',
    });
    body.data.item.conversation_parts.conversation_parts[0].attachments = [];
    expect(parse({ body: JSON.stringify(body) })).toEqual({ events: [], ignored: 'an empty message' });
  });

  it('sends text as escaped HTML that reads back as the same text', () => {
    expect(htmlOf('a < b & "c"\nnext')).toBe('<p>a &lt; b &amp; &quot;c&quot;<br>next</p>');
  });

  it('reads timestamps given as strings, and falls back to the envelope time', () => {
    const event = only(
      parse(d.customerMessage({ conversation: 48, message: 9, text: 'hi', at: T0 + 7000, times: 'strings' })),
    );
    expect(event.at).toBe(T0 + 7000);
    const body = JSON.parse(d.customerMessage({ conversation: 48, message: 10, text: 'hi', at: T0 }).body);
    expect(typeof body.data.item.conversation_parts.conversation_parts[0].created_at).toBe('number');
    delete body.data.item.conversation_parts.conversation_parts[0].created_at;
    body.created_at = (T0 + 3000) / 1000;
    expect(only(parse({ body: JSON.stringify(body) })).at).toBe(T0 + 3000);
  });

  it('takes the newest customer part, not an older one in the same delivery', () => {
    const body = JSON.parse(
      d.customerMessage({ conversation: 49, message: 20, text: 'newer', at: T0 + 5000 }).body,
    );
    const older = JSON.parse(d.customerMessage({ conversation: 49, message: 19, text: 'older', at: T0 }).body)
      .data.item.conversation_parts.conversation_parts[0];
    body.data.item.conversation_parts.conversation_parts.push(older);
    expect(only(parse({ body: JSON.stringify(body) }))).toMatchObject({
      deliveryKey: 'part:20',
      text: 'newer',
    });
  });

  it('ignores a topic it does not act on and one a customer did not write, saying why', () => {
    expect(parse(d.unknownEvent(T0))).toEqual({
      events: [],
      ignored: 'topic conversation.admin.snoozed is not one the bot acts on',
    });
    expect(parse(d.privateNote({ conversation: 50, message: 1, text: 'internal', at: T0 }))).toEqual({
      events: [],
      ignored: 'a private note',
    });
    const body = JSON.parse(
      d.agentMessage({ conversation: 50, message: 2, text: 'Fin says hi', at: T0 }).body,
    );
    body.data.item.conversation_parts.conversation_parts[0].author = {
      type: 'bot',
      id: '7300999',
      name: 'Fin',
    };
    expect(parse({ body: JSON.stringify(body) })).toMatchObject({
      events: [],
      ignored: expect.stringMatching(/bot/),
    });
  });

  it("reads the customer's conversation_rating as a survey answer, once per rating, on any topic", () => {
    const rating = { rating: 4, remark: '  Quick, thanks  ', at: T0 + 9000 };
    const rated = parse(d.rated({ conversation: 60, at: T0 + 10_000, rating }));
    expect(rated).toEqual({
      events: [
        {
          type: 'csat',
          external: '60',
          deliveryKey: `rating:60:${T0 + 9000}`,
          at: T0 + 9000,
          rating: 4,
          comment: 'Quick, thanks',
        },
      ],
    });
    // The close delivered after the rating carries it too: the same answer (same key), after the close signal.
    const closed = parse(d.closed({ conversation: 60, at: T0 + 11_000, part: 5, rating }));
    expect(closed.events.map((e) => e.type)).toEqual(['status', 'csat']);
    expect(closed.events[1]).toEqual(rated.events[0]);
    // A changed rating is a new answer; an empty remark is no comment.
    const changed = only(
      parse(
        d.rated({ conversation: 60, at: T0 + 20_000, rating: { rating: 5, remark: ' ', at: T0 + 19_000 } }),
      ),
    );
    expect(changed).toEqual({
      type: 'csat',
      external: '60',
      deliveryKey: `rating:60:${T0 + 19_000}`,
      at: T0 + 19_000,
      rating: 5,
    });
  });

  it('takes no rating that is not a whole number from 1 to 5, saying why on the rating topic', () => {
    for (const score of [0, 6, 4.5, null]) {
      const rating = { rating: score, remark: 'meh', at: T0 };
      expect(parse(d.rated({ conversation: 61, at: T0, rating }))).toEqual({
        events: [],
        ignored: 'a rating that is not 1 to 5',
      });
      expect(
        parse(d.closed({ conversation: 61, at: T0, part: 7, rating })).events.map((e) => e.type),
      ).toEqual(['status']);
    }
    const body = JSON.parse(
      d.rated({ conversation: 61, at: T0, rating: { rating: 3, remark: null, at: T0 } }).body,
    );
    // An odd rating never costs the delivery its message.
    const message = JSON.parse(d.customerMessage({ conversation: 61, message: 3, text: 'hi', at: T0 }).body);
    for (const odd of [{ rating: '3' }, 'three', [4]]) {
      body.data.item.conversation_rating = odd;
      expect(parse({ body: JSON.stringify(body) })).toMatchObject({ events: [] });
      message.data.item.conversation_rating = odd;
      expect(only(parse({ body: JSON.stringify(message) }))).toMatchObject({ type: 'customer_message' });
    }
  });

  it('checks X-Hub-Signature over the raw body with the client secret', () => {
    const signed = intercomDeliveries({ adminId: ADMIN, secret: SECRET }).customerMessage({
      conversation: 51,
      message: 1,
      text: 'hi',
      at: T0,
    });
    const channel = channelAt('http://127.0.0.1:9');
    const request = (headers: Record<string, string>) => ({
      header: (name: string) => headers[name.toLowerCase()],
      body: Buffer.from(signed.body),
      receivedAt: T0,
    });
    expect(signed.headers['x-hub-signature']).toMatch(/^sha1=[0-9a-f]{40}$/);
    expect(channel.verify(request(signed.headers)).ok).toBe(true);
    const other = intercomDeliveries({ adminId: ADMIN, secret: 'another-secret' }).signed(signed.body);
    expect(channel.verify(request(other.headers))).toMatchObject({
      ok: false,
      error: { status: 401, code: 'webhook.bad_signature' },
    });
  });

  it('hands off to the team of the queue, or unassigns to the inbox, after tagging; hands back to the bot admin', async () => {
    const fake = await startFakeIntercom({ token: 'access-token', adminId: ADMIN });
    try {
      const channel = channelAt(fake.url, { teams: { billing: 6100045 } });
      const context = { idempotencyKey: 'k', signal: AbortSignal.timeout(5000) };
      const handoff = (queue: string) =>
        ({
          type: 'handoff',
          code: 'human_requested',
          queue,
          priority: 'high',
          tags: ['switchboard'],
        }) as const;
      expect(await channel.send('52', handoff('billing'), context)).toEqual({ ok: true, value: {} });
      expect(fake.timeline('52')).toEqual([
        { kind: 'tags', value: ['switchboard'] },
        { kind: 'queue', value: 'team:6100045' },
        { kind: 'owner', value: 'human' },
      ]);
      expect(fake.conversation('52')).toMatchObject({ team: '6100045' });
      expect(await channel.send('53', handoff('returns'), context)).toMatchObject({ ok: true });
      expect(fake.timeline('53').slice(1)).toEqual([
        { kind: 'queue', value: 'unassigned' },
        { kind: 'owner', value: 'human' },
      ]);
      expect(await channel.send('53', { type: 'handBack' }, context)).toMatchObject({ ok: true });
      expect(fake.conversation('53')).toMatchObject({ admin: String(ADMIN) });
      const reply = await channel.send('53', { type: 'reply', text: 'Back with you' }, context);
      expect(reply).toMatchObject({ ok: true, value: { externalId: expect.stringMatching(/^\d+$/) } });
      expect(fake.versions.every((v) => v === '2.11')).toBe(true);
      expect(fake.versions.length).toBe(fake.requests.length);
    } finally {
      await fake.close();
    }
  });

  it('is refused by the fake when a request breaks the documented shape', async () => {
    const fake = await startFakeIntercom({ token: 'access-token', adminId: ADMIN });
    try {
      const post = (path: string, body: unknown) =>
        fetch(`${fake.url}${path}`, {
          method: 'POST',
          headers: { authorization: 'Bearer access-token', 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const stringAdmin = await post('/conversations/54/reply', {
        message_type: 'comment',
        type: 'admin',
        admin_id: String(ADMIN),
        body: 'x',
      });
      expect(stringAdmin.status).toBe(400);
      expect(await stringAdmin.json()).toMatchObject({
        type: 'error.list',
        errors: [{ code: 'parameter_invalid', message: expect.stringMatching(/admin_id/) }],
      });
      const noBody = await post('/conversations/54/reply', {
        message_type: 'note',
        type: 'admin',
        admin_id: ADMIN,
      });
      expect(noBody.status).toBe(400);
      const otherAdmin = await post('/conversations/54/parts', {
        message_type: 'close',
        type: 'admin',
        admin_id: '1',
      });
      expect(otherAdmin.status).toBe(404);
      expect(fake.timeline('54')).toEqual([]);
    } finally {
      await fake.close();
    }
  });

  it('is built from the channels section with its secrets, and lists what is wrong', () => {
    const built = buildChannels({
      config: { support: { type: 'intercom', accessTokenEnv: 'IC_TOKEN', adminId: ADMIN } },
      env: { IC_TOKEN: 'x' },
    });
    expect(built.get('support')).toMatchObject({ type: 'intercom', mode: 'live' });
    expect(() =>
      buildChannels({
        config: { support: { type: 'intercom', accessTokenEnv: 'IC_TOKEN', adminId: '7300001', extra: 1 } },
        env: {},
      }),
    ).toThrow(/adminId[\s\S]*extra/);
  });
});
