import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { aTicket } from '../test-builders.ts';
import { openSqliteStore } from './sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-sqlite-writers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sqlite: another writer on the same file', () => {
  it('waits for the write lock, then gives up with store.busy (a one-line user error), and writes once it is free', async () => {
    const path = join(dir, 'busy.db');
    const store = await openSqliteStore({ path, busyTimeoutMs: 200 });
    const other = new Database(path);
    try {
      other.exec('begin immediate');
      const started = performance.now();
      await expect(
        store.upsertTickets([aTicket({ externalId: 'b1' })], { origin: 'test' }),
      ).rejects.toMatchObject({
        kind: 'user',
        code: 'store.busy',
        message: expect.stringMatching(
          /^the database is busy: another process kept its write lock for over 0.2 s/,
        ),
      });
      expect(performance.now() - started).toBeGreaterThanOrEqual(150);
      other.exec('commit');
      expect(await store.upsertTickets([aTicket({ externalId: 'b1' })], { origin: 'test' })).toMatchObject({
        inserted: 1,
      });
    } finally {
      other.close();
      await store.close();
    }
  });

  it('three stores opening one new file at once all migrate it (one failed with "table ... already exists")', async () => {
    for (let round = 0; round < 10; round++) {
      const path = join(dir, `fresh-${round}.db`);
      const stores = await Promise.all([1, 2, 3].map(() => openSqliteStore({ path })));
      await stores[0]?.upsertTickets([aTicket({ externalId: `r${round}` })], { origin: 'test' });
      expect((await stores[2]?.stats())?.tickets).toBe(1);
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
