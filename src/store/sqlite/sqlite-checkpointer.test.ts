import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startBackgroundCheckpointer } from './sqlite-checkpointer.ts';
import { openSqliteStore } from './sqlite-store.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'sb-checkpoint-'));
  dirs.push(dir);
  return dir;
};

/** Rows of `t` in the database file alone, without its WAL (a copy opened on its own). */
function rowsInFileAlone(path: string, dir: string): number {
  const copy = join(dir, `alone-${Math.random().toString(36).slice(2)}.db`);
  copyFileSync(path, copy);
  const db = new Database(copy, { readonly: true });
  try {
    return (db.prepare('select count(*) as n from t').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('background checkpoints', () => {
  it('copy what the main connection commits back into the database file, while it keeps writing', async () => {
    const dir = tempDir();
    const path = join(dir, 'main.db');
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    // The main connection never checkpoints: whatever reaches the file, the thread copied.
    db.pragma('wal_autocheckpoint = 0');
    db.exec('create table t (id integer primary key, body text)');
    const insert = db.prepare('insert into t (body) values (?)');
    const checkpointer = startBackgroundCheckpointer({ path, everyMs: 10 });
    try {
      for (let i = 0; i < 2000; i++) insert.run(`row ${i} ${'x'.repeat(200)}`);
      const stats = await until(
        () => checkpointer.stats(),
        (s) => s.checkpoints > 0 && s.walPages > 0 && s.copiedPages === s.walPages,
      );
      expect(stats.copiedPages).toBe(stats.walPages);
      expect(rowsInFileAlone(path, dir)).toBe(2000);

      // Writing on: the WAL starts over from its beginning (every frame was copied back), and later rows follow.
      for (let i = 0; i < 500; i++) insert.run(`later ${i}`);
      await until(
        () => checkpointer.stats(),
        (s) => s.copiedPages === s.walPages && rowsInFileAlone(path, dir) === 2500,
      );
      expect(rowsInFileAlone(path, dir)).toBe(2500);
    } finally {
      await checkpointer.close();
      db.close();
    }
  });

  it('run under a store opened for a service, which keeps everything across a reopen', async () => {
    const dir = tempDir();
    const path = join(dir, 'store.db');
    const store = await openSqliteStore({ path, checkpoints: 'background' });
    const at = Date.UTC(2026, 11, 1);
    for (let i = 0; i < 50; i++) {
      await store.createConversation({
        id: `c${i}`,
        customer: { attributes: {} },
        channel: 'chat',
        at,
      });
      await store.receiveMessage({ conversationId: `c${i}`, text: `hello ${i}`, at });
    }
    await store.close();
    const again = await openSqliteStore({ path });
    try {
      expect((await again.listConversations({ limit: 100 })).conversations).toHaveLength(50);
      expect(await again.listConversationMessages({ conversationId: 'c49' })).toMatchObject([
        { text: 'hello 49' },
      ]);
    } finally {
      await again.close();
    }
  });
});
