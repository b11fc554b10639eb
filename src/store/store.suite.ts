import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareTicket } from './prepared.ts';
import type { Store } from './store.ts';
import { aMessage, aTicket, T0 } from './test-builders.ts';

/**
 * The one store test suite, run against every implementation (see `sqlite/sqlite-store.test.ts` and
 * `postgres/postgres-store.test.ts`). A behaviour that differs between them is a capability flag, not a branch
 * here.
 */
export function storeSuite(name: string, open: () => Promise<Store>, cleanup?: () => Promise<void>): void {
  describe(`store suite: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
      await cleanup?.();
    });

    it('stores a ticket with its customer and messages and reads it back', async () => {
      const result = await store.upsertTickets([aTicket()], { origin: 'test' });
      expect(result).toEqual({ inserted: 1, updated: 0, unchanged: 0, older: 0 });
      const t = await store.getTicket('test', '1');
      expect(t).toBeDefined();
      expect(t?.subject).toBe('Login problem');
      expect(t?.tags).toEqual(['login']);
      expect(t?.status).toBe('resolved');
      expect(t?.createdAt).toBe(T0);
      expect(t?.customer?.email).toBe('c1@example.com');
      expect(t?.customer?.segment).toBe('pro');
      expect(t?.firstResponseSeconds).toBe(600);
      expect(t?.resolutionSeconds).toBe(3600);
      expect(t?.customerMessageCount).toBe(1);
      expect(t?.agentMessageCount).toBe(1);
      expect(t?.messages?.map((m) => [m.seq, m.authorRole, m.public])).toEqual([
        [0, 'customer', true],
        [1, 'agent', true],
      ]);
    });

    it('keeps text exactly, including quotes, unicode and SQL-looking input', async () => {
      const body = `Robert'); DROP TABLE tickets;-- "quoted" \u00e9\u4e2d\u{1F600}\n\tnew line`;
      await store.upsertTickets([aTicket({ subject: body, messages: [aMessage({ body })] })], {
        origin: 'test',
      });
      const t = await store.getTicket('test', '1');
      expect(t?.subject).toBe(body);
      expect(t?.messages?.[0]?.body).toBe(body);
      expect((await store.stats()).tickets).toBe(1);
    });

    it('is idempotent: the same ticket twice is stored once and logged once', async () => {
      await store.upsertTickets([aTicket()], { origin: 'a' });
      const again = await store.upsertTickets([aTicket()], { origin: 'a' });
      expect(again).toEqual({ inserted: 0, updated: 0, unchanged: 1, older: 0 });
      const stats = await store.stats();
      expect(stats.tickets).toBe(1);
      expect(stats.messages).toBe(2);
      expect(stats.events).toBe(1);
    });

    it('updates a changed ticket in place and replaces its messages', async () => {
      await store.upsertTickets([aTicket()], { origin: 'a' });
      const changed = aTicket({
        status: 'closed',
        messages: [...aTicket().messages, aMessage({ body: 'thanks!', createdAt: T0 + 700_000 })],
      });
      expect(await store.upsertTickets([changed], { origin: 'b' })).toEqual({
        inserted: 0,
        updated: 1,
        unchanged: 0,
        older: 0,
      });
      const t = await store.getTicket('test', '1');
      expect(t?.status).toBe('closed');
      expect(t?.messages).toHaveLength(3);
      const events = await store.listEvents({ limit: 10 });
      expect(events.map((e) => e.type)).toEqual(['ticket.imported', 'ticket.updated']);
      expect(events[1]?.payload).toMatchObject({ origin: 'b', source: 'test', externalId: '1' });
      expect(events[1]?.ticketId).toBe(t?.id);
    });

    it('keys tickets on source and external id', async () => {
      await store.upsertTickets([aTicket(), aTicket({ source: 'other' }), aTicket({ externalId: '2' })], {
        origin: 'a',
      });
      const stats = await store.stats();
      expect(stats.tickets).toBe(3);
      expect(stats.bySource).toEqual({ other: 1, test: 2 });
    });

    it('shares a customer between tickets and keeps known fields when a later export lacks them', async () => {
      await store.upsertTickets([aTicket()], { origin: 'a' });
      const later = aTicket({
        externalId: '2',
        customer: { externalId: 'c1', email: null, name: null, segment: 'enterprise', attributes: {} },
      });
      await store.upsertTickets([later], { origin: 'a' });
      const t2 = await store.getTicket('test', '2');
      expect(t2?.customer?.email).toBe('c1@example.com');
      expect(t2?.customer?.segment).toBe('enterprise');
      expect((await store.stats()).customers).toBe(1);
    });

    it('stores a ticket without customer or messages', async () => {
      await store.upsertTickets([aTicket({ customer: null, messages: [], resolvedAt: null })], {
        origin: 'a',
      });
      const t = await store.getTicket('test', '1');
      expect(t?.customer).toBeNull();
      expect(t?.messages).toEqual([]);
      expect(t?.firstResponseSeconds).toBeNull();
      expect(t?.resolutionSeconds).toBeNull();
    });

    it('takes the last version when a batch names the same ticket twice', async () => {
      const result = await store.upsertTickets([aTicket(), aTicket({ subject: 'second' })], { origin: 'a' });
      expect(result.inserted).toBe(1);
      expect((await store.getTicket('test', '1'))?.subject).toBe('second');
      expect((await store.stats()).tickets).toBe(1);
    });

    it("keeps only the last version's messages when a batch names the same ticket twice", async () => {
      const first = aTicket();
      const second = aTicket({ messages: [{ ...first.messages[0]!, body: 'only this one' }] });
      await store.upsertTickets([first, second], { origin: 'a' });
      expect((await store.getTicket('test', '1'))?.messages?.map((m) => m.body)).toEqual(['only this one']);
    });

    it('keeps the newest version (updatedAt) whatever the order, and a second pass is a no-op', async () => {
      const newer = aTicket({ subject: 'newer', updatedAt: T0 + 2_000, status: 'closed' });
      const older = aTicket({ subject: 'older', updatedAt: T0 + 1_000 });
      // Both orders in one batch, then the older version alone, arriving after the newer one was stored.
      expect(await store.upsertTickets([older, newer], { origin: 'a' })).toEqual({
        inserted: 1,
        updated: 0,
        unchanged: 0,
        older: 1,
      });
      expect(await store.upsertTickets([newer, older], { origin: 'a' })).toEqual({
        inserted: 0,
        updated: 0,
        unchanged: 1,
        older: 1,
      });
      expect(await store.upsertTickets([older], { origin: 'a' })).toEqual({
        inserted: 0,
        updated: 0,
        unchanged: 0,
        older: 1,
      });
      expect(await store.getTicket('test', '1')).toMatchObject({ subject: 'newer', status: 'closed' });
      expect((await store.listEvents({ limit: 10 })).map((e) => e.type)).toEqual(['ticket.imported']);
      // A newer version still updates.
      const newest = aTicket({ subject: 'newest', updatedAt: T0 + 3_000 });
      expect((await store.upsertTickets([newest], { origin: 'a' })).updated).toBe(1);
      expect((await store.getTicket('test', '1'))?.subject).toBe('newest');
    });

    it('stores whether an agent started a ticket, and leaves tickets without a first response out of the median', async () => {
      const agentSays = (createdAt: number) =>
        aMessage({ authorRole: 'agent', authorId: 'ana', body: 'We called you', createdAt });
      await store.upsertTickets(
        [
          aTicket({ externalId: 'call', messages: [agentSays(T0)] }),
          aTicket({
            externalId: 'answered',
            messages: [agentSays(T0), aMessage({ createdAt: T0 + 3_600_000 }), agentSays(T0 + 3_900_000)],
          }),
          aTicket({ externalId: 'customer' }),
        ],
        { origin: 'a' },
      );
      const call = await store.getTicket('test', 'call');
      expect(call).toMatchObject({ agentStarted: true, firstResponseAt: null, firstResponseSeconds: null });
      expect(await store.getTicket('test', 'answered')).toMatchObject({
        agentStarted: true,
        firstResponseSeconds: 300,
      });
      expect((await store.getTicket('test', 'customer'))?.agentStarted).toBe(false);
      const stats = await store.stats();
      expect(stats.agentStarted).toBe(2);
      // 300 s and 600 s (the builder's customer-started ticket); the unanswered call is not a 0.
      expect(stats.firstResponseSeconds.median).toBeCloseTo(450);
    });

    it('gives a ticket that is not resolved or closed no resolution time', async () => {
      await store.upsertTickets([aTicket({ status: 'open', resolvedAt: T0 + 3_600_000 })], { origin: 'a' });
      const t = await store.getTicket('test', '1');
      expect(t).toMatchObject({ status: 'open', resolvedAt: T0 + 3_600_000, resolutionSeconds: null });
      expect((await store.stats()).resolutionSeconds.median).toBeNull();
    });

    it('applies two versions of one customer in one batch in order, and both tickets share it', async () => {
      const a = aTicket({ externalId: '1' });
      const b = aTicket({
        externalId: '2',
        customer: {
          externalId: 'c1',
          email: null,
          name: 'Renamed',
          segment: 'enterprise',
          attributes: { v: 2 },
        },
      });
      await store.upsertTickets([a, b], { origin: 'a' });
      const [t1, t2] = [await store.getTicket('test', '1'), await store.getTicket('test', '2')];
      expect(t1?.customer?.id).toBe(t2?.customer?.id);
      expect(t2?.customer).toMatchObject({
        email: 'c1@example.com',
        name: 'Renamed',
        segment: 'enterprise',
        attributes: { v: 2 },
      });
      expect((await store.stats()).customers).toBe(1);
    });

    it('writes prepared tickets exactly as it writes records', async () => {
      const records = [aTicket({ externalId: '1' }), aTicket({ externalId: '2', customer: null })];
      const result = await store.upsertPreparedTickets(records.map(prepareTicket), { origin: 'a' });
      expect(result).toEqual({ inserted: 2, updated: 0, unchanged: 0, older: 0 });
      expect(await store.upsertTickets(records, { origin: 'a' })).toEqual({
        inserted: 0,
        updated: 0,
        unchanged: 2,
        older: 0,
      });
      expect((await store.getTicket('test', '1'))?.messages).toHaveLength(records[0]!.messages.length);
    });

    it('lists tickets a page at a time, with filters', async () => {
      const tickets = Array.from({ length: 25 }, (_, i) =>
        aTicket({ externalId: String(i + 1), createdAt: T0 + i * 86_400_000, resolvedAt: null }),
      );
      await store.upsertTickets(tickets, { origin: 'a' });
      const seen: string[] = [];
      let afterId = 0;
      for (;;) {
        const page = await store.listTickets({ afterId, limit: 10 });
        if (page.length === 0) break;
        seen.push(...page.map((t) => t.externalId));
        afterId = page[page.length - 1]!.id;
      }
      expect(seen).toHaveLength(25);
      const window = await store.listTickets({
        limit: 100,
        createdFrom: T0 + 5 * 86_400_000,
        createdTo: T0 + 10 * 86_400_000,
        withMessages: true,
      });
      expect(window.map((t) => t.externalId)).toEqual(['6', '7', '8', '9', '10']);
      expect(window[0]?.messages).toHaveLength(2);
    });

    it('computes median and p90 of first response and resolution', async () => {
      const responses = [60, 120, 180, 240, 300, 360, 420, 480, 540, 600];
      const tickets = responses.map((s, i) =>
        aTicket({
          externalId: String(i),
          firstResponseAt: T0 + s * 1000,
          resolvedAt: T0 + s * 10_000,
        }),
      );
      await store.upsertTickets(tickets, { origin: 'a' });
      const stats = await store.stats();
      expect(stats.firstResponseSeconds.median).toBeCloseTo(330);
      expect(stats.firstResponseSeconds.p90).toBeCloseTo(546);
      expect(stats.resolutionSeconds.median).toBeCloseTo(3300);
      expect(stats.byStatus).toEqual({ resolved: 10 });
    });

    it('returns empty figures for an empty store', async () => {
      const stats = await store.stats();
      expect(stats).toMatchObject({
        tickets: 0,
        messages: 0,
        customers: 0,
        firstResponseSeconds: { median: null, p90: null },
        resolutionSeconds: { median: null, p90: null },
      });
    });

    it('keeps the event log append-only', async () => {
      await store.upsertTickets([aTicket()], { origin: 'a' });
      const events = await store.listEvents({ limit: 10, type: 'ticket.imported' });
      expect(events).toHaveLength(1);
      expect(events[0]?.at).toBeGreaterThan(0);
      expect(await store.listEvents({ limit: 10, afterId: events[0]!.id })).toEqual([]);
    });
  });
}
