import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { conversationsSuite } from '../conversations.suite.ts';
import { jobsSuite } from '../jobs.suite.ts';
import { liveSuite } from '../live.suite.ts';
import type { Database as Schema } from '../schema.ts';
import { storeSuite } from '../store.suite.ts';
import type { Change } from '../store.ts';
import { aCustomerProfile, aTicket, T0 } from '../test-builders.ts';
import { openSqliteStore } from './sqlite-store.ts';

storeSuite('sqlite :memory:', () => openSqliteStore({ path: ':memory:' }));

const rawDir = mkdtempSync(join(tmpdir(), 'sb-sqlite-raw-'));
afterAll(() => rmSync(rawDir, { recursive: true, force: true }));
let rawCount = 0;

conversationsSuite('sqlite :memory:', () => openSqliteStore({ path: ':memory:' }), {
  dialect: 'sqlite',
  raw: async () => {
    const path = join(rawDir, `${++rawCount}.db`);
    const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: new Database(path) }) });
    return { db, open: () => openSqliteStore({ path }), dispose: () => db.destroy() };
  },
});

liveSuite('sqlite :memory:', () => openSqliteStore({ path: ':memory:' }));

let jobsPath = '';
jobsSuite(
  'sqlite file',
  () => {
    jobsPath = join(rawDir, `jobs-${++rawCount}.db`);
    return openSqliteStore({ path: jobsPath });
  },
  { reopen: () => openSqliteStore({ path: jobsPath }) },
);

describe('sqlite store on a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-sqlite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('persists across reopen and migrates only once', async () => {
    const path = join(dir, 'a.db');
    const first = await openSqliteStore({ path });
    await first.upsertTickets([aTicket()], { origin: 'a' });
    await first.close();
    const second = await openSqliteStore({ path });
    expect((await second.stats()).tickets).toBe(1);
    await second.close();
  });

  it('uses WAL and refuses to change or delete events', async () => {
    const path = join(dir, 'b.db');
    const store = await openSqliteStore({ path });
    await store.upsertTickets([aTicket()], { origin: 'a' });
    await store.close();
    const raw = new Database(path);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(() => raw.prepare("update events set type = 'x'").run()).toThrow(/append-only/);
    expect(() => raw.prepare('delete from events').run()).toThrow(/append-only/);
    raw.close();
  });

  it('sees a turn written by another connection to the same file as a conflict', async () => {
    const path = join(dir, 'd.db');
    const a = await openSqliteStore({ path });
    const b = await openSqliteStore({ path });
    try {
      await a.createConversation({ id: 'c', customer: aCustomerProfile(), channel: 'chat', at: T0 });
      const read = (await b.getConversation('c'))!.conversation;
      await a.recordTurn({
        conversationId: 'c',
        expectedRevision: 0,
        messages: [],
        owner: 'human',
        at: T0 + 1,
      });
      await expect(
        b.recordTurn({ conversationId: 'c', expectedRevision: read.revision, messages: [], at: T0 + 2 }),
      ).rejects.toMatchObject({ code: 'conversation.conflict' });
      expect((await b.getConversation('c'))?.conversation).toMatchObject({ owner: 'human', revision: 1 });
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("announces what each of its own commits wrote to a conversation, as the log has it, and counts other processes' writes", async () => {
    const path = join(dir, 'w.db');
    const store = await openSqliteStore({ path });
    const other = await openSqliteStore({ path });
    const heard: Change[] = [];
    const stop = store.changes.subscribe((change) => heard.push(change));
    try {
      await store.createConversation({ id: 'c', customer: aCustomerProfile(), channel: 'chat', at: T0 });
      await store.receiveMessage({
        conversationId: 'c',
        text: 'where is my order?',
        idempotencyKey: 'k1',
        at: T0 + 1,
        jobs: [{ queue: 'conversation.turn', payload: { conversationId: 'c' }, exclusiveKey: 'c' }],
      });
      await store.recordTurn({
        conversationId: 'c',
        expectedRevision: 0,
        messages: [
          { role: 'bot', text: 'Which order?', at: T0 + 2 },
          { role: 'bot', text: 'A person will take it from here.', at: T0 + 2 },
        ],
        handled: [{ seq: 0 }],
        status: 'escalated',
        owner: 'human',
        handoff: { code: 'human_requested', queue: 'general', priority: 'normal', packet: {} },
        jobs: [{ queue: 'connector.call', payload: { x: 1 }, key: 'call-1', exclusiveKey: 'c' }],
        events: [{ type: 'workflow.step', payload: { stepId: 'ask' } }],
        at: T0 + 2,
      });
      const written = heard.flatMap((change) => (change.written ? [change.written] : []));
      // Every event of the conversation, with the ids, types and payloads the log gives them.
      const log = await store.listEvents({ conversationId: 'c', limit: 100 });
      const announced = written.flatMap((w) => w.events);
      expect(announced.map((e) => e.id)).toEqual(log.slice(1).map((e) => e.id));
      expect(announced).toEqual(log.slice(1));
      // And the messages they name, as stored.
      const messages = await store.listConversationMessages({ conversationId: 'c' });
      expect(written.flatMap((w) => w.messages).map((m) => [m.seq, m.role, m.text, m.id])).toEqual(
        messages.map((m) => [m.seq, m.role, m.text, m.id]),
      );
      expect(new Set(written.map((w) => w.epoch))).toEqual(new Set([store.changes.epoch!()]));

      // Another process writes: this one's next commit is announced in a later epoch.
      const before = store.changes.epoch!();
      await other.receiveMessage({ conversationId: 'c', text: 'hello?', at: T0 + 3 });
      await store.receiveMessage({ conversationId: 'c', text: 'anyone?', at: T0 + 4 });
      const last = heard[heard.length - 1]!;
      expect(last.written?.epoch).toBeGreaterThan(before);
      expect(heard.some((change) => change.topic === 'any')).toBe(true);
    } finally {
      stop();
      await other.close();
      await store.close();
    }
  });

  it('rolls back the whole batch when one ticket fails', async () => {
    const store = await openSqliteStore({ path: join(dir, 'c.db') });
    const bad = aTicket({ externalId: '2' });
    // A circular value cannot be hashed: the batch must fail as a whole, leaving nothing half-written.
    (bad.customFields as Record<string, unknown>).self = bad.customFields;
    await expect(store.upsertTickets([aTicket(), bad], { origin: 'a' })).rejects.toThrow();
    expect((await store.stats()).tickets).toBe(0);
    expect((await store.stats()).events).toBe(0);
    await store.close();
  });
});
