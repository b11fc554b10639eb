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
