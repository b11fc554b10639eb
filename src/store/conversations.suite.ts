import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TranscriptLine } from '../domain/index.ts';
import { migrator } from './migrations.ts';
import { customerRow, messageRows, ticketRow } from './rows.ts';
import type { Database, TicketsTable } from './schema.ts';
import type { Store, StoreCapabilities } from './store.ts';
import { aCustomerProfile, aMessage, anAnalysis, aTicket, aWorkflowState, T0 } from './test-builders.ts';

/** A new, empty database reachable both as a raw Kysely connection and as a store (for the upgrade test). */
export interface RawDatabase {
  db: Kysely<Database>;
  /** The PostgreSQL schema the database lives in. */
  schema?: string;
  open: () => Promise<Store>;
  dispose: () => Promise<void>;
}

export interface ConversationsSuiteOptions {
  dialect: StoreCapabilities['dialect'];
  cleanup?: () => Promise<void>;
  raw: () => Promise<RawDatabase>;
}

/** The tables before migration 0004 (tickets had no agent_started column), and a ticket row as it was written. */
type DatabaseBefore0004 = Omit<Database, 'tickets'> & { tickets: Omit<TicketsTable, 'agent_started'> };
const before0004 = (db: Kysely<Database>) => db as unknown as Kysely<DatabaseBefore0004>;
function ticketRowBefore0004(...args: Parameters<typeof ticketRow>) {
  const { agent_started: _, ...row } = ticketRow(...args);
  return row;
}

const TEXT = `Robert'); DROP TABLE conversations;-- "quoted" \u00e9\u4e2d\u{1F600}\n\tnew line`;

/**
 * The conversation half of the store suite, run against every implementation like `store.suite.ts`.
 */
export function conversationsSuite(
  name: string,
  open: () => Promise<Store>,
  options: ConversationsSuiteOptions,
): void {
  describe(`conversations suite: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
      await options.cleanup?.();
    });

    const start = (id = 'conv-1', at = T0) =>
      store.createConversation({ id, customer: aCustomerProfile(), channel: 'chat', at });

    const customerSays = (text: string, at = T0 + 1000): TranscriptLine => ({
      role: 'customer',
      text,
      at,
      analysis: anAnalysis(text),
    });

    const snapshot = async (id = 'conv-1') => ({
      conversation: await store.getConversation(id),
      events: await store.listEvents({ limit: 1000 }),
      handoffs: await store.listHandoffs({}),
    });

    it('creates a conversation and reads it back, with its started event', async () => {
      const created = await start();
      expect(created).toEqual({
        id: 'conv-1',
        customer: aCustomerProfile(),
        channel: 'chat',
        owner: 'bot',
        status: 'open',
        workflowId: null,
        workflowVersion: null,
        state: null,
        revision: 0,
        createdAt: T0,
        updatedAt: T0,
        tokenHash: null,
      });
      expect(await store.getConversation('conv-1')).toEqual({ conversation: created, messages: [] });
      expect(await store.findConversation('conv-1')).toEqual(created);
      const events = await store.listEvents({ limit: 10 });
      expect(events).toEqual([
        {
          id: expect.any(Number),
          at: T0,
          type: 'conversation.started',
          ticketId: null,
          conversationId: 'conv-1',
          payload: { channel: 'chat' },
        },
      ]);
      expect(await store.getConversation('nope')).toBeUndefined();
      expect(await store.findConversation('nope')).toBeUndefined();
    });

    it('refuses to create a conversation twice', async () => {
      await start();
      await expect(start('conv-1', T0 + 5)).rejects.toMatchObject({
        kind: 'user',
        code: 'conversation.exists',
      });
      expect((await store.getConversation('conv-1'))?.conversation.createdAt).toBe(T0);
      expect(await store.listEvents({ limit: 10 })).toHaveLength(1);
    });

    it('records a turn: messages in seq order, state as JSON, events without customer text', async () => {
      await start();
      const state = aWorkflowState();
      const lines: TranscriptLine[] = [
        customerSays(TEXT),
        { role: 'bot', text: 'Which order? «A-1001»', at: T0 + 1001, stepId: 'ask_order' },
      ];
      const after = await store.recordTurn({
        conversationId: 'conv-1',
        expectedRevision: 0,
        messages: lines,
        state,
        workflowId: 'order-status',
        workflowVersion: 2,
        at: T0 + 1001,
      });
      expect(after).toMatchObject({
        revision: 1,
        workflowId: 'order-status',
        workflowVersion: 2,
        updatedAt: T0 + 1001,
        createdAt: T0,
        owner: 'bot',
        status: 'open',
      });
      expect(after.state).toEqual(state);

      const second = await store.recordTurn({
        conversationId: 'conv-1',
        expectedRevision: 1,
        messages: [customerSays('A-1001', T0 + 2000), { role: 'system', text: 'looked up', at: T0 + 2001 }],
        at: T0 + 2001,
      });
      expect(second.revision).toBe(2);
      expect(second.state).toEqual(state);

      const read = await store.getConversation('conv-1');
      expect(read?.conversation).toEqual(second);
      expect(read?.messages.map((m) => [m.seq, m.role])).toEqual([
        [0, 'customer'],
        [1, 'bot'],
        [2, 'customer'],
        [3, 'system'],
      ]);
      // Each line reads back exactly as written (optional fields absent, not null).
      const { id: _id, seq: _seq, ...first } = read!.messages[0]!;
      expect(first).toEqual(lines[0]);
      const { id: _id2, seq: _seq2, ...bot } = read!.messages[1]!;
      expect(bot).toEqual(lines[1]);
      expect(read?.messages[3]).not.toHaveProperty('analysis');
      expect(read?.messages[3]).not.toHaveProperty('stepId');

      const events = await store.listEvents({ limit: 100, type: 'conversation.messages' });
      expect(events.map((e) => e.payload)).toEqual([
        { seqs: [0, 1], roles: ['customer', 'bot'] },
        { seqs: [2, 3], roles: ['customer', 'system'] },
      ]);
      const all = JSON.stringify(await store.listEvents({ limit: 100 }));
      expect(all).not.toContain('DROP TABLE');
      expect(all).not.toContain('A-1001');
    });

    it('clears the state with null and keeps it when absent', async () => {
      await start();
      await store.recordTurn({
        conversationId: 'conv-1',
        expectedRevision: 0,
        messages: [],
        state: aWorkflowState(),
        at: T0 + 1,
      });
      const kept = await store.recordTurn({
        conversationId: 'conv-1',
        expectedRevision: 1,
        messages: [],
        at: T0 + 2,
      });
      expect(kept.state).toEqual(aWorkflowState());
      const cleared = await store.recordTurn({
        conversationId: 'conv-1',
        expectedRevision: 2,
        messages: [],
        state: null,
        workflowId: null,
        workflowVersion: null,
        at: T0 + 3,
      });
      expect(cleared).toMatchObject({ state: null, workflowId: null, workflowVersion: null, revision: 3 });
      expect((await store.getConversation('conv-1'))?.conversation.state).toBeNull();
    });

    it('refuses a turn on a stale revision and writes nothing', async () => {
      await start();
      await store.recordTurn({
        conversationId: 'conv-1',
        expectedRevision: 0,
        messages: [customerSays('hello')],
        state: aWorkflowState(),
        at: T0 + 1000,
      });
      const before = await snapshot();
      await expect(
        store.recordTurn({
          conversationId: 'conv-1',
          expectedRevision: 0,
          messages: [customerSays('second process')],
          state: aWorkflowState({ stepId: 'other' }),
          status: 'escalated',
          owner: 'human',
          handoff: { code: 'human_requested', queue: 'support', priority: 'high', packet: { x: 1 } },
          events: [{ type: 'conversation.turn', payload: { intent: 'x' } }],
          at: T0 + 2000,
        }),
      ).rejects.toMatchObject({ kind: 'operational', code: 'conversation.conflict' });
      expect(await snapshot()).toEqual(before);
    });

    it('lets exactly one of two concurrent turns on the same revision through', async () => {
      await start();
      const turn = (text: string) =>
        store.recordTurn({
          conversationId: 'conv-1',
          expectedRevision: 0,
          messages: [customerSays(text)],
          at: T0 + 1000,
        });
      const results = await Promise.allSettled([turn('one'), turn('two')]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected');
      expect((rejected as PromiseRejectedResult).reason).toMatchObject({ code: 'conversation.conflict' });
      const read = await store.getConversation('conv-1');
      expect(read?.messages).toHaveLength(1);
      expect(read?.conversation.revision).toBe(1);
    });

    it('stores a handoff with the owner and status change in the same turn', async () => {
      await start();
      const packet = {
        transcript: [{ role: 'customer', text: TEXT }],
        reason: 'asked for a person',
        slots: {},
      };
      const after = await store.recordTurn({
        conversationId: 'conv-1',
        expectedRevision: 0,
        messages: [
          customerSays('I want a person'),
          { role: 'bot', text: 'Passing you to a colleague.', at: T0 + 1000 },
        ],
        status: 'escalated',
        owner: 'human',
        handoff: { code: 'human_requested', queue: 'billing', priority: 'high', packet },
        events: [{ type: 'conversation.turn', payload: { guardrail: 'escalate' } }],
        at: T0 + 1000,
      });
      expect(after).toMatchObject({ status: 'escalated', owner: 'human', revision: 1 });
      const handoffs = await store.listHandoffs({ conversationId: 'conv-1' });
      expect(handoffs).toEqual([
        {
          id: expect.any(Number),
          conversationId: 'conv-1',
          createdAt: T0 + 1000,
          code: 'human_requested',
          queue: 'billing',
          priority: 'high',
          packet,
        },
      ]);
      const events = await store.listEvents({ limit: 100, conversationId: 'conv-1' });
      expect(events.map((e) => [e.type, e.payload])).toEqual([
        ['conversation.started', { channel: 'chat' }],
        ['conversation.messages', { seqs: [0, 1], roles: ['customer', 'bot'] }],
        ['conversation.turn', { guardrail: 'escalate' }],
        ['handoff.created', { handoffId: handoffs[0]?.id, code: 'human_requested', queue: 'billing' }],
        ['conversation.status_changed', { from: 'open', to: 'escalated' }],
        ['conversation.owner_changed', { from: 'bot', to: 'human' }],
      ]);
      expect(events.slice(1).every((e) => e.at === T0 + 1000 && e.conversationId === 'conv-1')).toBe(true);
      expect(await store.listHandoffs({ conversationId: 'other' })).toEqual([]);
    });

    it('leaves nothing half-written when a value fails in the middle of a turn', async () => {
      await start();
      await store.recordTurn({
        conversationId: 'conv-1',
        expectedRevision: 0,
        messages: [customerSays('hello')],
        state: aWorkflowState(),
        at: T0 + 1000,
      });
      const before = await snapshot();
      // The messages, handoff and events are written before the conversation row, which the database refuses.
      await expect(
        store.recordTurn({
          conversationId: 'conv-1',
          expectedRevision: 1,
          messages: [customerSays('more'), { role: 'bot', text: 'ok', at: T0 + 2000 }],
          state: aWorkflowState({ stepId: 'next' }),
          owner: 'human',
          status: 'pending' as never,
          handoff: { code: 'no_progress', queue: 'support', priority: 'normal', packet: {} },
          at: T0 + 2000,
        }),
      ).rejects.toThrow();
      expect(await snapshot()).toEqual(before);
      // A bad second message: the first one is not kept either.
      await expect(
        store.recordTurn({
          conversationId: 'conv-1',
          expectedRevision: 1,
          messages: [customerSays('more'), { role: 'robot' as never, text: 'ok', at: T0 + 2000 }],
          at: T0 + 2000,
        }),
      ).rejects.toThrow();
      expect(await snapshot()).toEqual(before);
      // And the conversation goes on from where it was.
      const next = await store.recordTurn({
        conversationId: 'conv-1',
        expectedRevision: 1,
        messages: [customerSays('more')],
        at: T0 + 3000,
      });
      expect(next.revision).toBe(2);
      expect((await store.getConversation('conv-1'))?.messages.map((m) => m.seq)).toEqual([0, 1]);
    });

    it('lets an agent take over and hand back, refusing the turn in flight', async () => {
      const created = await start();
      const taken = await store.setConversationOwner({
        conversationId: 'conv-1',
        owner: 'human',
        by: 'agent:ana',
        at: T0 + 500,
      });
      expect(taken).toMatchObject({ owner: 'human', revision: 1, updatedAt: T0 + 500 });
      // The bot read revision 0 before the takeover: its turn must not land.
      await expect(
        store.recordTurn({
          conversationId: 'conv-1',
          expectedRevision: created.revision,
          messages: [{ role: 'bot', text: 'late reply', at: T0 + 600 }],
          at: T0 + 600,
        }),
      ).rejects.toMatchObject({ code: 'conversation.conflict' });
      const same = await store.setConversationOwner({
        conversationId: 'conv-1',
        owner: 'human',
        by: 'agent:bo',
        at: T0 + 700,
      });
      expect(same).toEqual(taken);
      const back = await store.setConversationOwner({
        conversationId: 'conv-1',
        owner: 'bot',
        by: 'agent:ana',
        at: T0 + 800,
      });
      expect(back).toMatchObject({ owner: 'bot', revision: 2 });
      const closed = await store.closeConversation({
        conversationId: 'conv-1',
        by: 'agent:ana',
        at: T0 + 900,
      });
      expect(closed).toMatchObject({ status: 'closed', revision: 3, updatedAt: T0 + 900 });
      expect(await store.closeConversation({ conversationId: 'conv-1', by: 'x', at: T0 + 999 })).toEqual(
        closed,
      );
      const events = await store.listEvents({ limit: 100, conversationId: 'conv-1' });
      expect(events.map((e) => [e.type, e.payload, e.at])).toEqual([
        ['conversation.started', { channel: 'chat' }, T0],
        ['conversation.owner_changed', { from: 'bot', to: 'human', by: 'agent:ana' }, T0 + 500],
        ['conversation.owner_changed', { from: 'human', to: 'bot', by: 'agent:ana' }, T0 + 800],
        ['conversation.status_changed', { from: 'open', to: 'closed', by: 'agent:ana' }, T0 + 900],
      ]);
    });

    it('records a change from outside a turn: owner, status, agent lines, events and jobs at once, or nothing', async () => {
      await start('conv-1');
      const changed = await store.changeConversation({
        conversationId: 'conv-1',
        owner: 'human',
        messages: [{ role: 'agent', text: TEXT, at: T0 + 100 }],
        events: [{ type: 'channel.signal', payload: { status: 'human', at: 5 } }],
        jobs: [{ queue: 'channel.deliver', payload: { conversationId: 'conv-1' }, key: 'd1' }],
        by: 'agent:chatwoot:7',
        at: T0 + 100,
      });
      expect(changed).toMatchObject({ owner: 'human', status: 'open', revision: 1, updatedAt: T0 + 100 });
      const read = await store.getConversation('conv-1');
      expect(read?.messages.map((m) => [m.role, m.text, m.seq])).toEqual([['agent', TEXT, 0]]);
      expect((await store.jobs.counts()).byQueue['channel.deliver']?.queued).toBe(1);
      // Nothing to change: nothing written, the revision stays.
      const same = await store.changeConversation({
        conversationId: 'conv-1',
        owner: 'human',
        status: 'open',
        by: 'x',
        at: T0 + 200,
      });
      expect(same).toEqual(changed);
      const reopened = await store.changeConversation({
        conversationId: 'conv-1',
        owner: 'bot',
        status: 'closed',
        by: 'channel:chatwoot',
        at: T0 + 300,
      });
      expect(reopened).toMatchObject({ owner: 'bot', status: 'closed', revision: 2 });
      const events = await store.listEvents({ limit: 100, conversationId: 'conv-1' });
      expect(events.map((e) => [e.type, e.payload])).toEqual([
        ['conversation.started', { channel: 'chat' }],
        ['conversation.messages', { seqs: [0], roles: ['agent'] }],
        ['channel.signal', { status: 'human', at: 5 }],
        ['conversation.owner_changed', { from: 'bot', to: 'human', by: 'agent:chatwoot:7' }],
        ['conversation.status_changed', { from: 'open', to: 'closed', by: 'channel:chatwoot' }],
        ['conversation.owner_changed', { from: 'human', to: 'bot', by: 'channel:chatwoot' }],
      ]);
      await expect(
        store.changeConversation({ conversationId: 'nope', owner: 'bot', by: 'a', at: T0 }),
      ).rejects.toMatchObject({ kind: 'user', code: 'conversation.not_found' });
    });

    it('reports an unknown conversation as a user error', async () => {
      const unknown = { kind: 'user', code: 'conversation.not_found' };
      await expect(
        store.recordTurn({ conversationId: 'nope', expectedRevision: 0, messages: [], at: T0 }),
      ).rejects.toMatchObject(unknown);
      await expect(
        store.setConversationOwner({ conversationId: 'nope', owner: 'human', by: 'a', at: T0 }),
      ).rejects.toMatchObject(unknown);
      await expect(
        store.closeConversation({ conversationId: 'nope', by: 'a', at: T0 }),
      ).rejects.toMatchObject(unknown);
      expect(await store.listEvents({ limit: 10 })).toEqual([]);
    });

    it('lists conversations newest first, a page at a time, by status and owner', async () => {
      // 25 conversations, two at each updated time, so pages must break ties by id.
      for (let i = 0; i < 25; i++) {
        const id = `c${String(i).padStart(2, '0')}`;
        await start(id, T0 + Math.floor(i / 2) * 1000);
        if (i % 5 === 0) {
          await store.recordTurn({
            conversationId: id,
            expectedRevision: 0,
            messages: [],
            status: 'escalated',
            owner: 'human',
            at: T0 + Math.floor(i / 2) * 1000,
          });
        } else if (i % 5 === 1) {
          await store.closeConversation({
            conversationId: id,
            by: 'agent',
            at: T0 + Math.floor(i / 2) * 1000,
          });
        }
      }
      const all = async (query: Omit<Parameters<Store['listConversations']>[0], 'cursor'>) => {
        const ids: string[] = [];
        let cursor: string | null | undefined;
        let pages = 0;
        do {
          const page = await store.listConversations({ ...query, cursor });
          ids.push(...page.conversations.map((c) => c.id));
          cursor = page.nextCursor;
          pages++;
        } while (cursor);
        return { ids, pages };
      };
      const expected = Array.from({ length: 25 }, (_, i) => `c${String(24 - i).padStart(2, '0')}`);
      expect(await all({ limit: 10 })).toEqual({ ids: expected, pages: 3 });
      expect(await all({ limit: 5 })).toEqual({ ids: expected, pages: 5 });
      expect((await all({ limit: 1 })).ids).toEqual(expected);
      expect((await all({ limit: 2, status: 'escalated' })).ids).toEqual(['c20', 'c15', 'c10', 'c05', 'c00']);
      expect((await all({ limit: 2, status: 'closed' })).ids).toEqual(['c21', 'c16', 'c11', 'c06', 'c01']);
      expect((await all({ limit: 3, owner: 'human' })).ids).toEqual(['c20', 'c15', 'c10', 'c05', 'c00']);
      expect((await all({ limit: 50, owner: 'bot', status: 'open' })).ids).toHaveLength(15);
      const first = await store.listConversations({ limit: 2, owner: 'human' });
      expect(first.conversations[0]).toMatchObject({
        id: 'c20',
        status: 'escalated',
        owner: 'human',
        revision: 1,
      });
      await expect(store.listConversations({ limit: 2, cursor: 'not-a-cursor' })).rejects.toMatchObject({
        kind: 'user',
        code: 'conversation.bad_cursor',
      });
      expect(await store.listConversations({ limit: 10, status: 'resolved' })).toEqual({
        conversations: [],
        nextCursor: null,
      });
    });

    it('counts conversations in stats and keeps ticket figures and events apart', async () => {
      await store.upsertTickets([aTicket()], { origin: 'a' });
      await start();
      await store.recordTurn({
        conversationId: 'conv-1',
        expectedRevision: 0,
        messages: [customerSays('hi')],
        at: T0 + 1000,
      });
      const stats = await store.stats();
      expect(stats).toMatchObject({ tickets: 1, messages: 2, customers: 1, conversations: 1, events: 3 });
      const [imported] = await store.listEvents({ limit: 10, type: 'ticket.imported' });
      expect(imported?.conversationId).toBeNull();
      expect(imported?.ticketId).toBe((await store.getTicket('test', '1'))?.id);
      expect(await store.listEvents({ limit: 10, conversationId: 'conv-1' })).toHaveLength(2);
    });

    it('upgrades a database made by 0001 only, keeps its tickets, and stays append-only', async () => {
      const raw = await options.raw();
      try {
        const old = migrator(raw.db, options.dialect, raw.schema);
        const { error } = await old.migrateTo('0001_tickets');
        expect(error).toBeUndefined();
        // Rows as the 0001 code wrote them.
        const ticket = aTicket();
        const customer = await raw.db
          .insertInto('customers')
          .values(customerRow(ticket.source, ticket.customer!, 'c1'))
          .returning('id')
          .executeTakeFirstOrThrow();
        const stored = await before0004(raw.db)
          .insertInto('tickets')
          .values(ticketRowBefore0004(ticket, Number(customer.id), 'hash-0001'))
          .returning('id')
          .executeTakeFirstOrThrow();
        await raw.db
          .insertInto('messages')
          .values(messageRows(ticket, Number(stored.id)))
          .execute();
        await raw.db
          .insertInto('events')
          .values({
            at: T0,
            type: 'ticket.imported',
            ticket_id: Number(stored.id),
            payload: '{"origin":"old"}',
          })
          .execute();

        const upgraded = await raw.open();
        try {
          const t = await upgraded.getTicket('test', '1');
          expect(t).toMatchObject({ subject: 'Login problem', customer: { email: 'c1@example.com' } });
          expect(t?.messages).toHaveLength(2);
          expect(await upgraded.listEvents({ limit: 10 })).toEqual([
            {
              id: expect.any(Number),
              at: T0,
              type: 'ticket.imported',
              ticketId: Number(stored.id),
              conversationId: null,
              payload: { origin: 'old' },
            },
          ]);
          await upgraded.createConversation({
            id: 'conv-1',
            customer: aCustomerProfile(),
            channel: 'chat',
            at: T0,
          });
        } finally {
          await upgraded.close();
        }

        await expect(raw.db.updateTable('events').set({ conversation_id: 'x' }).execute()).rejects.toThrow(
          /append-only/,
        );
        await expect(raw.db.deleteFrom('events').execute()).rejects.toThrow(/append-only/);

        const reopened = await raw.open();
        try {
          expect(await reopened.stats()).toMatchObject({
            tickets: 1,
            messages: 2,
            conversations: 1,
            events: 2,
          });
        } finally {
          await reopened.close();
        }
        const applied = await old.getMigrations();
        expect(applied.map((m) => [m.name, m.executedAt !== undefined])).toEqual([
          ['0001_tickets', true],
          ['0002_conversations', true],
          ['0003_live', true],
          ['0004_ticket_figures', true],
          ['0005_people', true],
          ['0006_pilots', true],
        ]);
      } finally {
        await raw.dispose();
      }
    });

    it('upgrades the figures of tickets stored before 0004: agent-started first responses, open resolutions', async () => {
      const raw = await options.raw();
      try {
        const { error } = await migrator(raw.db, options.dialect, raw.schema).migrateTo('0003_live');
        expect(error).toBeUndefined();
        const agent = (createdAt: number) =>
          aMessage({ authorRole: 'agent', authorId: 'ana', body: 'Called the customer', createdAt });
        const customer = (createdAt: number) => aMessage({ createdAt });
        const HOUR = 3_600_000;
        // Each with the figures the earlier rules stored (the first public agent message at or after creation).
        const before = [
          { ticket: aTicket({ externalId: 'call', messages: [agent(T0)] }), firstResponseAt: T0 },
          {
            ticket: aTicket({
              externalId: 'answered',
              messages: [agent(T0), customer(T0 + HOUR), agent(T0 + HOUR + 300_000)],
            }),
            firstResponseAt: T0,
          },
          {
            // The export stated 30 minutes: not what the earlier rule derives, so it is kept.
            ticket: aTicket({
              externalId: 'stated',
              messages: [agent(T0), customer(T0 + HOUR), agent(T0 + 2 * HOUR)],
            }),
            firstResponseAt: T0 + HOUR / 2,
          },
          {
            ticket: aTicket({ externalId: 'open', status: 'open', resolvedAt: T0 + HOUR }),
            firstResponseAt: T0 + 600_000,
          },
        ];
        for (const { ticket, firstResponseAt } of before) {
          const row = await before0004(raw.db)
            .insertInto('tickets')
            .values({
              ...ticketRowBefore0004(ticket, null, 'hash-0003'),
              first_response_at: firstResponseAt,
              first_response_seconds: (firstResponseAt - T0) / 1000,
              resolution_seconds: (ticket.resolvedAt! - T0) / 1000,
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          await raw.db
            .insertInto('messages')
            .values(messageRows(ticket, Number(row.id)))
            .execute();
        }

        const upgraded = await raw.open();
        try {
          const figures = async (id: string) => {
            const t = await upgraded.getTicket('test', id);
            return [t?.agentStarted, t?.firstResponseSeconds, t?.resolutionSeconds];
          };
          expect(await figures('call')).toEqual([true, null, 3600]);
          expect(await figures('answered')).toEqual([true, 300, 3600]);
          expect(await figures('stated')).toEqual([true, 1800, 3600]);
          expect(await figures('open')).toEqual([false, 600, null]);
          expect((await upgraded.getTicket('test', 'call'))?.firstResponseAt).toBeNull();
          expect(await upgraded.stats()).toMatchObject({
            agentStarted: 3,
            firstResponseSeconds: { median: 600 },
          });
        } finally {
          await upgraded.close();
        }
      } finally {
        await raw.dispose();
      }
    });
  });
}
