import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dropTestSchema, testPostgresAvailable, testPostgresUrl } from '../store/postgres/testing.ts';
import { type Deployment, openDeployment, RELOAD_INTERVAL_MS } from './deployment.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pgAvailable = await testPostgresAvailable();

/** How long until `done` holds (ms): a change made by one deployment, seen by another. */
async function timeToSee(done: () => boolean): Promise<number> {
  const started = performance.now();
  while (!done()) {
    if (performance.now() - started > 10_000) throw new Error('never seen');
    await new Promise((r) => setTimeout(r, 20));
  }
  return performance.now() - started;
}

/**
 * Two deployments on one database stand for two processes: `admin` is `switchboard pilot` (no watch), `serving` a
 * `serve` that watches. The kill reaches `serving`'s next turn within 2 s, and the resume too.
 */
async function killAcross(open: () => Promise<Deployment>) {
  const admin = await open();
  const serving = await open();
  try {
    serving.watch();
    const say = async (id: string) => {
      await serving.conversations.start({ id, customer: { attributes: {} }, channel: 'api' });
      await serving.conversations.receive({ conversationId: id, text: 'hello' });
      return (await serving.conversations.processPending(id)).at(-1);
    };
    // No model: the bot asks what the customer means (a clarifying question), until automation is stopped.
    expect(await say('before')).toMatchObject({ owner: 'bot', guardrail: 'clarify' });

    await admin.pilots.kill({ workflowId: null, by: 'cli:ops', why: 'carrier outage' });
    const seen = await timeToSee(() => serving.pilotState().kills.has(null));
    expect(seen).toBeLessThan(RELOAD_INTERVAL_MS);
    const paused = await say('after');
    expect(paused?.escalation?.code).toBe('automation_paused');
    expect(paused?.handoff?.escalation.code).toBe('automation_paused');
    const [killed] = await serving.store.listEvents({ limit: 10, type: 'automation.killed' });
    expect(killed?.payload).toEqual({ workflowId: null, by: 'cli:ops', why: 'carrier outage' });

    await admin.pilots.resume({ workflowId: null, by: 'cli:ops', why: 'fixed' });
    expect(await timeToSee(() => !serving.pilotState().kills.has(null))).toBeLessThan(RELOAD_INTERVAL_MS);
    expect(await say('resumed')).toMatchObject({ owner: 'bot', guardrail: 'clarify' });
    return seen;
  } finally {
    await admin.close();
    await serving.close();
  }
}

describe('the kill switch across processes', () => {
  it('reaches another process on the same SQLite file within 2 s', async () => {
    const db = join(dir, 'shared.db');
    await killAcross(() => openDeployment({ config: { store: { url: db } }, baseDir: dir }));
  });

  it.skipIf(!pgAvailable)('reaches another process on PostgreSQL within 2 s', async () => {
    const schema = `sb_test_kill_${process.pid}_${Date.now().toString(36)}`;
    const env = { DATABASE_URL: testPostgresUrl, SWITCHBOARD_PG_SCHEMA: schema };
    try {
      await killAcross(() => openDeployment({ config: {}, baseDir: dir, env }));
    } finally {
      await dropTestSchema(schema);
    }
  });
});
