import pg from 'pg';
import { redactUrl } from './postgres-store.ts';

/** The PostgreSQL that tests use: SWITCHBOARD_TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/test. */
export const testPostgresUrl =
  process.env.SWITCHBOARD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Test helper: whether the test PostgreSQL answers. When SWITCHBOARD_REQUIRE_PG=1 (`.ci/run`) a missing server
 * throws, so that CI fails instead of skipping.
 *
 * @example
 * const available = await testPostgresAvailable();
 * describe.skipIf(!available)('on postgres', () => { ... });
 */
export async function testPostgresAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: testPostgresUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    if (process.env.SWITCHBOARD_REQUIRE_PG === '1') {
      throw new Error(`PostgreSQL is required but does not answer at ${redactUrl(testPostgresUrl)}`);
    }
    return false;
  }
}

/** Test helper: drops a store's schema (and its job queue's) after a test. */
export async function dropTestSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: testPostgresUrl });
  await client.connect();
  await client.query(`drop schema if exists ${schema} cascade`);
  await client.query(`drop schema if exists ${schema}_jobs cascade`);
  await client.end();
}
