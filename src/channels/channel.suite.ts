import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Channel, InboundEvent, OutboundOperation, WebhookRequest } from './channel.ts';
import type { FakeHelpdesk } from './fake-helpdesk.ts';

/** A delivery as the helpdesk posts it: the raw body and its headers (signed with the kit's secret). */
export interface KitDelivery {
  body: string;
  headers: Record<string, string>;
}

interface Message {
  conversation: number;
  message: number;
  text: string;
  at: number;
}

/**
 * One helpdesk's side of the contract suite: a live channel with a webhook secret, pointed at a fresh fake of
 * that helpdesk, and deliveries in the helpdesk's own shapes.
 */
export interface ChannelKit {
  channel: Channel;
  fake: FakeHelpdesk;
  /** The external id `parse` gives conversation number `n`. */
  external(n: number): string;
  deliveries: {
    customerMessage(p: Message): KitDelivery;
    /** A public reply by a person in the helpdesk. */
    agentMessage(p: Message): KitDelivery;
    /** The bot's own reply, as the helpdesk echoes it back. */
    ownMessage(p: Message): KitDelivery;
    privateNote(p: Message): KitDelivery;
    /** An agent gives the conversation back to the bot. */
    handBack(p: { conversation: number; at: number }): KitDelivery;
    closed(p: { conversation: number; at: number }): KitDelivery;
    unknownEvent(at: number): KitDelivery;
    /** A body of the right event type with a required field missing. */
    missingField(at: number): KitDelivery;
  };
  close(): Promise<void>;
}

const T0 = Date.parse('2026-12-07T10:00:00Z');
const TEXT = 'Où est ma commande #4471 ? <script>alert(1)</script> 📦';

function request(delivery: KitDelivery, receivedAt = T0 + 1000): WebhookRequest {
  const headers = new Map(Object.entries(delivery.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { header: (name) => headers.get(name.toLowerCase()), body: Buffer.from(delivery.body), receivedAt };
}

function tamper(delivery: KitDelivery): KitDelivery {
  return { ...delivery, body: delivery.body.replace('#4471', '#4472') };
}

const context = (key = 'sb_key', signal = AbortSignal.timeout(5000)) => ({ idempotencyKey: key, signal });

/**
 * The contract every channel passes (as both stores pass the store suite): signatures, normalised events with
 * stable delivery keys, own messages and unknown events ignored, bad bodies refused with the field, and every
 * outbound operation shown in the helpdesk, with the failures sorted for retries when it is down or slow.
 */
export function channelContractSuite(name: string, start: () => Promise<ChannelKit>): void {
  describe(`channel contract: ${name}`, () => {
    let kit: ChannelKit;
    beforeEach(async () => {
      kit = await start();
    });
    afterEach(async () => {
      await kit.close();
    });

    const parse = (delivery: KitDelivery, receivedAt?: number) => {
      const req = request(delivery, receivedAt);
      const verified = kit.channel.verify(req);
      if (!verified.ok) throw new Error(`verify refused: ${verified.error.code}`);
      const parsed = kit.channel.parse(req);
      if (!parsed.ok) throw new Error(`parse refused: ${parsed.error.code}`);
      return parsed.value;
    };
    const only = (delivery: KitDelivery): InboundEvent => {
      const { events } = parse(delivery);
      expect(events).toHaveLength(1);
      return events[0] as InboundEvent;
    };

    it('accepts a signed delivery and refuses a tampered, unsigned or stale one with 401', () => {
      const delivery = kit.deliveries.customerMessage({ conversation: 1, message: 10, text: TEXT, at: T0 });
      expect(kit.channel.verify(request(delivery)).ok).toBe(true);
      const tampered = kit.channel.verify(request(tamper(delivery)));
      expect(tampered).toMatchObject({ ok: false, error: { status: 401, code: 'webhook.bad_signature' } });
      const unsigned = kit.channel.verify(request({ body: delivery.body, headers: {} }));
      expect(unsigned).toMatchObject({ ok: false, error: { status: 401 } });
      const later = kit.channel.verify(request(delivery, T0 + 3_600_000));
      // A helpdesk that signs a timestamp is refused an hour later; one that signs the body alone cannot tell.
      if (kit.channel.capabilities.timestampedSignatures) {
        expect(later).toMatchObject({ ok: false, error: { status: 401, code: 'webhook.stale' } });
      } else expect(later.ok).toBe(true);
    });

    it('turns a customer message into one event, with the same delivery key every time it is delivered', () => {
      const first = only(
        kit.deliveries.customerMessage({ conversation: 1, message: 10, text: TEXT, at: T0 }),
      );
      expect(first).toMatchObject({ type: 'customer_message', external: kit.external(1), text: TEXT });
      expect(first.at).toBe(T0);
      const again = only(
        kit.deliveries.customerMessage({ conversation: 1, message: 10, text: TEXT, at: T0 }),
      );
      expect(again.deliveryKey).toBe(first.deliveryKey);
      const next = only(
        // Helpdesks stamp whole seconds.
        kit.deliveries.customerMessage({ conversation: 1, message: 11, text: 'and?', at: T0 + 2000 }),
      );
      expect(next.deliveryKey).not.toBe(first.deliveryKey);
      expect(next.at).toBeGreaterThan(first.at);
    });

    it("ignores the bot's own messages, private notes and unknown events, saying why", () => {
      for (const delivery of [
        kit.deliveries.ownMessage({ conversation: 1, message: 12, text: 'Hello from the bot', at: T0 }),
        kit.deliveries.privateNote({ conversation: 1, message: 13, text: 'internal', at: T0 }),
        kit.deliveries.unknownEvent(T0),
      ]) {
        const parsed = parse(delivery);
        expect(parsed.events).toEqual([]);
        expect(parsed.ignored).toMatch(/\w/);
      }
    });

    it("reads an agent's public reply, a hand-back and a close", () => {
      expect(
        only(kit.deliveries.agentMessage({ conversation: 1, message: 14, text: 'I can help', at: T0 })),
      ).toMatchObject({
        type: 'agent_message',
        external: kit.external(1),
        text: 'I can help',
        private: false,
      });
      expect(only(kit.deliveries.handBack({ conversation: 1, at: T0 + 10_000 }))).toMatchObject({
        type: 'status',
        signal: 'bot',
        external: kit.external(1),
      });
      expect(only(kit.deliveries.closed({ conversation: 1, at: T0 + 20_000 }))).toMatchObject({
        type: 'status',
        signal: 'closed',
      });
    });

    it('refuses a body that is not JSON, or lacks a field, with 400 and what is wrong', () => {
      const notJson = kit.channel.parse(request({ body: '{"event": ', headers: {} }));
      expect(notJson).toMatchObject({ ok: false, error: { status: 400, code: 'webhook.malformed_json' } });
      const missing = kit.channel.parse(request(kit.deliveries.missingField(T0)));
      expect(missing.ok).toBe(false);
      if (!missing.ok) {
        expect(missing.error).toMatchObject({ status: 400, code: 'webhook.invalid' });
        expect(missing.error.errors?.length).toBeGreaterThan(0);
        expect(missing.error.errors?.[0]?.field).toMatch(/\w/);
      }
      const notObject = kit.channel.parse(request({ body: '[1, 2]', headers: {} }));
      expect(notObject).toMatchObject({ ok: false, error: { status: 400 } });
    });

    it('shows every outbound operation in the helpdesk, each request carrying its idempotency key', async () => {
      const external = kit.external(7);
      const operations: OutboundOperation[] = [
        { type: 'reply', text: TEXT },
        { type: 'note', text: 'Handoff packet: order 4471' },
        {
          type: 'handoff',
          code: 'human_requested',
          queue: 'billing',
          priority: 'high',
          tags: ['switchboard'],
        },
        { type: 'handBack' },
        { type: 'tag', tags: ['vip'] },
        { type: 'close' },
      ];
      for (const [i, operation] of operations.entries()) {
        const sent = await kit.channel.send(external, operation, context(`sb_key_${i}`));
        expect(sent, operation.type).toMatchObject({ ok: true });
      }
      const timeline = kit.fake.timeline(external);
      expect(timeline).toContainEqual({ kind: 'reply', text: TEXT });
      expect(timeline).toContainEqual({ kind: 'note', text: 'Handoff packet: order 4471' });
      const kinds = timeline.map((e) => (e.kind === 'owner' ? `owner:${e.value}` : e.kind));
      expect(kinds.indexOf('owner:human')).toBeGreaterThan(kinds.indexOf('note'));
      expect(kinds.indexOf('owner:bot')).toBeGreaterThan(kinds.indexOf('owner:human'));
      expect(kinds.at(-1)).toBe('closed');
      const priorities = timeline.filter((e) => e.kind === 'priority');
      expect(priorities.length > 0).toBe(kit.channel.capabilities.priority);
      const tags = timeline.filter((e) => e.kind === 'tags').flatMap((e) => e.value);
      expect(tags).toEqual(expect.arrayContaining(['switchboard', 'vip']));
      expect(kit.fake.requests.every((r) => r.authorized)).toBe(true);
      expect(kit.fake.requests.every((r) => r.idempotencyKey?.startsWith('sb_key_'))).toBe(true);
    });

    it('sorts failures for retries: 5xx and 429 retryable, other 4xx not, a hung call ends with its signal', async () => {
      const external = kit.external(8);
      kit.fake.failNext(500);
      expect(await kit.channel.send(external, { type: 'reply', text: 'a' }, context())).toMatchObject({
        ok: false,
        error: { code: 'http_500', retryable: true },
      });
      kit.fake.failNext(429);
      expect(await kit.channel.send(external, { type: 'reply', text: 'a' }, context())).toMatchObject({
        ok: false,
        error: { retryable: true },
      });
      kit.fake.failNext(422);
      expect(await kit.channel.send(external, { type: 'reply', text: 'a' }, context())).toMatchObject({
        ok: false,
        error: { code: 'http_422', retryable: false },
      });
      kit.fake.hangNext();
      expect(
        await kit.channel.send(
          external,
          { type: 'reply', text: 'a' },
          context('k', AbortSignal.timeout(200)),
        ),
      ).toMatchObject({ ok: false, error: { code: 'timeout', retryable: true } });
      expect(kit.fake.timeline(external)).toEqual([]);
      // And it answers again afterwards.
      expect(await kit.channel.send(external, { type: 'reply', text: 'b' }, context())).toMatchObject({
        ok: true,
      });
      expect(kit.fake.timeline(external)).toEqual([{ kind: 'reply', text: 'b' }]);
    });

    it('reports a helpdesk that is down as a retryable network failure', async () => {
      await kit.fake.close();
      const sent = await kit.channel.send(kit.external(9), { type: 'reply', text: 'a' }, context());
      expect(sent).toMatchObject({ ok: false, error: { code: 'network', retryable: true } });
    });
  });
}
