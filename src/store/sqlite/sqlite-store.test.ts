import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { storeSuite } from '../store.suite.ts';
import { aTicket } from '../test-builders.ts';
import { openSqliteStore } from './sqlite-store.ts';

storeSuite('sqlite :memory:', () => openSqliteStore({ path: ':memory:' }));

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
