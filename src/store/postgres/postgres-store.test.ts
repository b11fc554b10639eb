import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { conversationsSuite } from '../conversations.suite.ts';
import { jobsSuite } from '../jobs.suite.ts';
import { liveSuite } from '../live.suite.ts';
import type { Database as Schema } from '../schema.ts';
import { storeSuite } from '../store.suite.ts';
import { aCustomerProfile, aTicket, T0 } from '../test-builders.ts';
import { openPostgresStore, redactUrl } from './postgres-store.ts';

/**
 * The PostgreSQL half of the store suite. It runs when PostgreSQL answers at SWITCHBOARD_TEST_PG_URL (default
 * postgres://postgres@127.0.0.1:5432/test); `.ci/run` starts PostgreSQL and sets SWITCHBOARD_REQUIRE_PG=1 so a
 * missing server fails CI instead of skipping. Every test gets a fresh schema, dropped afterwards.
 */
const url = process.env.SWITCHBOARD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const required = process.env.SWITCHBOARD_REQUIRE_PG === '1';

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

const available = await reachable();
if (!available && required)
  throw new Error(`PostgreSQL is required but does not answer at ${redactUrl(url)}`);
const runId = `${process.pid}_${Date.now().toString(36)}`;
let counter = 0;
let current = '';

async function dropSchema(schema: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.query(`drop schema if exists ${schema}_jobs cascade`);
  await client.end();
}

describe.skipIf(!available)(`postgres (${available ? redactUrl(url) : 'not reachable: skipped'})`, () => {
  storeSuite(
    'postgres',
    () => {
      current = `sb_test_${runId}_${++counter}`;
      return openPostgresStore({ url, schema: current, poolSize: 2 });
    },
    () => dropSchema(current),
  );

  liveSuite(
    'postgres',
    () => {
      current = `sb_test_${runId}_${++counter}`;
      return openPostgresStore({ url, schema: current, poolSize: 2 });
    },
    () => dropSchema(current),
  );

  jobsSuite(
    'postgres',
    () => {
      current = `sb_test_${runId}_${++counter}`;
      return openPostgresStore({ url, schema: current, poolSize: 4, jobRecoveryIntervalSeconds: 1 });
    },
    {
      reopen: () => openPostgresStore({ url, schema: current, poolSize: 2, jobRecoveryIntervalSeconds: 1 }),
      cleanup: () => dropSchema(current),
    },
  );

  conversationsSuite(
    'postgres',
    () => {
      current = `sb_test_${runId}_${++counter}`;
      return openPostgresStore({ url, schema: current, poolSize: 2 });
    },
    {
      dialect: 'postgres',
      cleanup: () => dropSchema(current),
      raw: async () => {
        const schema = `sb_test_${runId}_raw_${++counter}`;
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`create schema ${schema}`);
        await admin.end();
        const db = new Kysely<Schema>({
          dialect: new PostgresDialect({
            pool: new pg.Pool({ connectionString: url, max: 1, options: `-c search_path=${schema}` }),
          }),
        });
        return {
          db,
          schema,
          open: () => openPostgresStore({ url, schema, poolSize: 2 }),
          dispose: async () => {
            await db.destroy();
            await dropSchema(schema);
          },
        };
      },
    },
  );

  it('lets one of two stores through when both handle the same conversation at once', async () => {
    const schema = `sb_test_${runId}_turns`;
    const a = await openPostgresStore({ url, schema, poolSize: 2 });
    const b = await openPostgresStore({ url, schema, poolSize: 2 });
    try {
      for (let i = 0; i < 10; i++) {
        const id = `conv-${i}`;
        await a.createConversation({ id, customer: aCustomerProfile(), channel: 'chat', at: T0 });
        const turn = (store: typeof a, text: string) =>
          store.recordTurn({
            conversationId: id,
            expectedRevision: 0,
            messages: [{ role: 'customer', text, at: T0 + 1 }],
            owner: 'human',
            at: T0 + 1,
          });
        const results = await Promise.allSettled([turn(a, 'from a'), turn(b, 'from b')]);
        expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
        const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(rejected?.reason).toMatchObject({ code: 'conversation.conflict' });
        const read = await b.getConversation(id);
        expect(read?.messages).toHaveLength(1);
        expect(read?.conversation.revision).toBe(1);
      }
      expect(await a.listEvents({ limit: 100, type: 'conversation.owner_changed' })).toHaveLength(10);
    } finally {
      await a.close();
      await b.close();
      await dropSchema(schema);
    }
  });

  it('refuses to change or delete events', async () => {
    const schema = `sb_test_${runId}_events`;
    const store = await openPostgresStore({ url, schema, poolSize: 2 });
    try {
      await store.upsertTickets([aTicket()], { origin: 'a' });
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await expect(client.query(`update ${schema}.events set type = 'x'`)).rejects.toThrow(/append-only/);
      await expect(client.query(`delete from ${schema}.events`)).rejects.toThrow(/append-only/);
      await client.end();
    } finally {
      await store.close();
      await dropSchema(schema);
    }
  });

  it('lets two stores import the same tickets at once without duplicates', async () => {
    const schema = `sb_test_${runId}_race`;
    const a = await openPostgresStore({ url, schema, poolSize: 2 });
    const b = await openPostgresStore({ url, schema, poolSize: 2 });
    try {
      const tickets = Array.from({ length: 300 }, (_, i) => aTicket({ externalId: String(i) }));
      const [ra, rb] = await Promise.all([
        a.upsertTickets(tickets, { origin: 'a' }),
        b.upsertTickets(tickets, { origin: 'b' }),
      ]);
      expect(ra.inserted + rb.inserted).toBe(300);
      expect(ra.unchanged + rb.unchanged).toBe(300);
      expect((await a.stats()).tickets).toBe(300);
      expect((await a.stats()).events).toBe(300);
    } finally {
      await a.close();
      await b.close();
      await dropSchema(schema);
    }
  });

  it('hides the password in its location', () => {
    expect(redactUrl('postgres://u:secret@h:5432/db')).toBe('postgres://u:***@h:5432/db');
  });
});
