import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../analytics/index.ts';
import type { IntentModel } from '../nlu/index.ts';
import { startServer } from '../server/serve.ts';
import { dropTestSchema, testPostgresAvailable, testPostgresUrl } from '../store/postgres/testing.ts';
import { openStore } from './open-store.ts';
import { type SimulateProps, simulate } from './simulate.ts';
import { openDemoForSimulation, trainDemoIntentModel } from './testing.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-simulate-'));
let model: IntentModel;
beforeAll(async () => {
  model = await trainDemoIntentModel();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pgAvailable = await testPostgresAvailable();

/** `extraEnv`: DATABASE_URL and SWITCHBOARD_PG_SCHEMA for a run on PostgreSQL. */
function props(
  db: string,
  over: Partial<SimulateProps> = {},
  extraEnv: Record<string, string> = {},
): SimulateProps {
  return {
    open: openDemoForSimulation({ model, db, env: extraEnv }),
    serve: (deployment) => startServer({ deployment, host: '127.0.0.1', port: 0, widget: async () => null }),
    days: 8,
    seed: 3,
    perDay: 8,
    now: Date.UTC(2026, 11, 7, 15, 0, 0),
    retrain: false,
    ...over,
  };
}

describe('simulate', () => {
  it('plays a week and a day through the live service: both channels, outcomes, surveys, the agent, the pilots', async () => {
    const db = join(dir, 'week.db');
    const days: string[] = [];
    const { summary, review, from, to, helpdesk } = await simulate(
      props(db, { onDay: (day) => days.push(day) }),
    );
    // Every public line of the helpdesk's conversations reached Chatwoot's API, once.
    expect(helpdesk.delivered).toBeGreaterThan(0);
    expect(helpdesk.delivered).toBe(helpdesk.stored);
    expect(from).toBe('2026-11-30');
    expect(to).toBe('2026-12-07');
    expect(days[0]).toBe('2026-11-30');
    expect(summary.conversations).toBeGreaterThan(50);
    expect(summary.byChannel.widget).toBeGreaterThan(0);
    expect(summary.byChannel.helpdesk).toBeGreaterThan(0);
    expect(summary.handledByAgent).toBeGreaterThan(0);
    expect(summary.surveys).toBeGreaterThan(0);
    expect(summary.answeredYes).toBeGreaterThan(0);
    expect(summary.lead.slice(0, 2)).toEqual([
      expect.stringMatching(/^pilot started: billing-faq in shadow mode \(it stays;/),
      expect.stringMatching(/^pilot started: order-cancellation live for 50% of customers/),
    ]);
    // The week's end came once (7 days after the first midnight): the lead read the review.
    expect(summary.lead.filter((line) => line.includes("the lead's weekly review"))).toHaveLength(1);
    expect(review.from).toBe('2026-12-01');

    // What it left is what the metrics read: the same store, reopened.
    const store = await openStore({ db });
    try {
      const report = await buildReport({ store, kind: 'weekly', day: '2026-12-06', now: props(db).now });
      const byChannel = new Map(report.byChannel.map((c) => [c.key, c.metrics.conversations]));
      expect(byChannel.get('widget')).toBeGreaterThan(0);
      expect(byChannel.get('chatwoot')).toBeGreaterThan(0);
      const m = report.total;
      expect(m.outcomes.confirmed_resolved).toBeGreaterThan(0);
      expect(m.outcomes.escalated).toBeGreaterThan(0);
      expect(m.csat.automated.count).toBeGreaterThan(0);
      expect(m.csat.people.count).toBeGreaterThan(0);
      expect(m.drafts.asIs + m.drafts.edited + m.drafts.discarded).toBeGreaterThan(0);
      const pilots = await store.listPilotEvents();
      expect(pilots.map((e) => e.payload.workflowId)).toEqual(
        expect.arrayContaining(['billing-faq', 'order-cancellation']),
      );
    } finally {
      await store.close();
    }
  }, 120_000);

  it.skipIf(!pgAvailable)(
    'plays the same days on PostgreSQL, with its jobs in pg-boss',
    async () => {
      const schema = `sb_test_simulate_${process.pid}_${Date.now().toString(36)}`;
      try {
        const pg = { DATABASE_URL: testPostgresUrl, SWITCHBOARD_PG_SCHEMA: schema };
        const onPg = await simulate(props(':memory:', { days: 3 }, pg));
        const onSqlite = await simulate(props(join(dir, 'three.db'), { days: 3 }));
        expect(onPg.summary).toEqual(onSqlite.summary);
        expect(onPg.helpdesk.delivered).toBe(onPg.helpdesk.stored);
      } finally {
        await dropTestSchema(schema);
      }
    },
    120_000,
  );

  it('gives the same fortnight for the same seed', async () => {
    const a = await simulate(props(join(dir, 'a.db'), { days: 3 }));
    const b = await simulate(props(join(dir, 'b.db'), { days: 3 }));
    expect(b.summary).toEqual(a.summary);
  }, 120_000);
});
