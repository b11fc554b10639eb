import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { demoTicketToRecord, generateDemoTickets } from '../demo/index.ts';
import type { TicketRecord } from '../domain/index.ts';
import type { Store } from '../store/index.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { aMessage, aTicket, T0 } from '../store/test-builders.ts';
import { loadExclusionRules } from './exclusions.ts';
import { renderHtmlReport } from './report-html.ts';
import { runAudit } from './run-audit.ts';
import type { DiscoverTopics } from './topic-discovery.ts';
import { goalsYaml, opportunityMapCsv, reportMarkdown } from './write-outputs.ts';

const exclusions = loadExclusionRules();
const MIN = 60_000;
let store: Store | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
});

async function storeWith(tickets: TicketRecord[]): Promise<Store> {
  store = await openSqliteStore({ path: ':memory:' });
  for (let i = 0; i < tickets.length; i += 500)
    await store.upsertTickets(tickets.slice(i, i + 500), { origin: 'test' });
  return store;
}

/** A two-message ticket: a customer asks, an agent answers `replyAfterMin` later with `reply`. */
function qa(
  id: number,
  category: string | null,
  ask: string,
  reply: string,
  replyAfterMin: number,
): TicketRecord {
  const at = T0 + id * 3_600_000;
  return aTicket({
    externalId: String(id),
    category,
    tags: [],
    subject: null,
    createdAt: at,
    resolvedAt: at + replyAfterMin * 2 * MIN,
    handleTimeSeconds: 240,
    reopens: 0,
    messages: [
      aMessage({ body: ask, createdAt: at }),
      aMessage({ authorRole: 'agent', authorId: 'a', body: reply, createdAt: at + replyAfterMin * MIN }),
    ],
  });
}

describe('runAudit on hand-written tickets', () => {
  it('measures each category, applies exclusions and ranks scripted volume first', async () => {
    const tickets: TicketRecord[] = [];
    for (let i = 0; i < 6; i++) {
      tickets.push(
        qa(
          i,
          'password_reset',
          'I forgot my password',
          'Here is your reset link, it works for one hour. Click it and choose a new password.',
          10 + i,
        ),
      );
    }
    const bespoke = [
      'We looked into this and will call you on Monday',
      'Sorry, the warehouse flooded last week',
      'Our manager will review your case personally',
    ];
    for (let i = 0; i < 3; i++)
      tickets.push(qa(10 + i, 'complaint', 'My lawyer will hear about this', bespoke[i] as string, 100));
    const s = await storeWith(tickets);
    const result = await runAudit({ store: s, exclusions, pageSize: 4 });

    expect(result.categorySource).toBe('labels');
    expect(result.team.tickets).toBe(9);
    // Team quantiles merge the categories' values: 10..15 min and 3 x 100 min.
    expect(result.team.firstResponseSeconds).toEqual({ median: 14 * 60, p90: 100 * 60 });
    expect(result.team.handleTimeSeconds).toEqual({ median: 240, mean: 240 });
    expect(result.top).toEqual(['password_reset', 'complaint']);
    const pr = result.categories[0]!;
    expect(pr.tickets).toBe(6);
    expect(pr.share).toBeCloseTo(6 / 9);
    expect(pr.firstResponseSeconds.median).toBe(12.5 * 60);
    expect(pr.replySimilarity).toBe(1);
    expect(pr.potential).toBe('high');
    expect(pr.exclusions.tickets).toBe(0);
    const complaint = result.categories[1]!;
    expect(complaint.exclusions).toEqual({ tickets: 3, rate: 1, byRule: { legal_compliance: 3 } });
    expect(complaint.automatableMonthlyVolume).toBe(0);
    expect(complaint.potential).toBe('low');
    expect(result.predictableShare).toBeCloseTo(6 / 9);
    expect(result.team.exclusionsByRule).toEqual({ legal_compliance: 3 });
    // Handle time 240 s x automatable volume x 70%.
    expect(pr.hoursSavedPerMonth).toBeCloseTo(
      Math.round(((240 * pr.automatableMonthlyVolume * 0.7) / 3600) * 10) / 10,
    );
  });

  it('gives first response by responder: the assignee, else the group', async () => {
    const by = (id: number, assignee: string | null, group: string | null, replyAfterMin: number) => ({
      ...qa(id, 'x', 'hello', 'hi there', replyAfterMin),
      assignee,
      group,
    });
    const s = await storeWith([
      by(0, 'AcmeHelp', 'AcmeHelp', 2),
      by(1, 'AcmeHelp', 'AcmeHelp', 4),
      by(2, 'AcmeHelp', null, 10),
      by(3, null, 'ShopCo', 30),
      by(4, null, null, 5),
    ]);
    const { responders } = await runAudit({ store: s, exclusions });
    expect(responders.total).toBe(2);
    expect(responders.withoutResponder).toBe(1);
    expect(responders.list).toEqual([
      {
        responder: 'AcmeHelp',
        tickets: 3,
        share: 0.6,
        answered: 3,
        // 2, 4 and 10 min: p90 at rank 1.8 = 240 + 0.8 x 360.
        firstResponseSeconds: { median: 240, p90: 528 },
        resolutionSeconds: { median: 480, p90: 1056 },
        csat: { mean: 1, count: 3 },
      },
      expect.objectContaining({
        responder: 'ShopCo',
        tickets: 1,
        firstResponseSeconds: { median: 1800, p90: 1800 },
      }),
    ]);
  });

  it('counts agent-started tickets and leaves those without a first response out of the median', async () => {
    const agentSays = (at: number) =>
      aMessage({ authorRole: 'agent', authorId: 'a', body: 'We called you', createdAt: at });
    const call = (id: number) => ({
      ...qa(id, 'calls', 'unused', 'unused', 1),
      messages: [agentSays(T0 + id * 3_600_000)],
    });
    // Customer-started tickets answered in 10 and 30 min; three logged calls nobody answered (0 s under the old rule).
    const s = await storeWith([
      qa(0, 'orders', 'Where is it?', 'Shipped', 10),
      qa(1, 'orders', 'And now?', 'Soon', 30),
      call(2),
      call(3),
      call(4),
    ]);
    const result = await runAudit({ store: s, exclusions });
    expect(result.team.agentStarted).toBe(3);
    expect(result.team.firstResponseSeconds.median).toBe(20 * 60);
    expect(result.categories.find((c) => c.category === 'calls')?.firstResponseSeconds.median).toBeNull();
    const note =
      'Agent-started tickets: 3 (a logged call, an outbound message): no first response until the customer writes';
    expect(reportMarkdown(result)).toContain(note);
    expect(renderHtmlReport(result)).toContain(note);
  });

  it('honours --since/--until', async () => {
    const s = await storeWith([0, 1, 2, 3].map((i) => qa(i, 'a', 'hi', 'hello there friend', 5)));
    const result = await runAudit({ store: s, exclusions, since: T0 + 3_600_000, until: T0 + 3 * 3_600_000 });
    expect(result.team.tickets).toBe(2);
  });

  it('falls back to topic discovery when no ticket has a label', async () => {
    const s = await storeWith(
      [0, 1, 2].map((i) => qa(i, null, i < 2 ? 'where is my parcel' : 'other thing', 'ok then fine', 5)),
    );
    const discover: DiscoverTopics = (texts) => ({
      assignments: texts.map((t) => (t.includes('parcel') ? 0 : -1)),
      topics: [{ id: 0, name: 'parcel_where', terms: ['parcel'], size: 2, representative: 0 }],
    });
    const result = await runAudit({ store: s, exclusions, discoverTopics: discover });
    expect(result.categorySource).toBe('topics');
    expect(Object.fromEntries(result.categories.map((c) => [c.category, c.tickets]))).toEqual({
      parcel_where: 2,
      other: 1,
    });
  });

  it('writes a CSV with RFC 4180 quoting and escapes customer strings in HTML', async () => {
    const s = await storeWith(
      [0, 1].map((i) => qa(i, 'say "hi", <script>', 'hello\nthere', 'ok then fine', 5)),
    );
    const result = await runAudit({ store: s, exclusions });
    const csv = opportunityMapCsv(result);
    expect(csv.split('\r\n')[1]).toMatch(/^1,"say ""hi"", <script>",/);
    const html = renderHtmlReport(result);
    expect(html).not.toContain('<script>');
    expect(html).toContain('say &#34;hi&#34;, &#60;script&#62;');
    expect(html).not.toMatch(/<link|src=|https?:\/\//);
    expect(reportMarkdown(result)).toContain('| 1 | say "hi", <script> |');
    expect(goalsYaml(result, new Date(Date.UTC(2026, 10, 1)))).toContain('maxExchangesBeforeHandoff: 3');
  });
});

describe('runAudit on the demo history', () => {
  it('ranks password resets and order status first and excludes legal, security and distress', async () => {
    const s = await storeWith([...generateDemoTickets({ tickets: 3000, seed: 11 })].map(demoTicketToRecord));
    const result = await runAudit({ store: s, exclusions });
    expect(result.team.tickets).toBe(3000);
    expect(result.top.slice(0, 2).sort()).toEqual(['order_status', 'password_reset']);
    const byName = new Map(result.categories.map((c) => [c.category, c]));
    for (const name of ['legal', 'security', 'distress']) {
      const c = byName.get(name)!;
      expect(c.exclusions.rate, name).toBeGreaterThan(0.6);
      expect(c.potential, name).toBe('low');
    }
    expect(byName.get('password_reset')!.exclusions.rate).toBeLessThan(0.05);
  }, 60_000);
});

const BITEXT = new URL('../../../shared/data/bitext-customer-support/train.jsonl', import.meta.url);
describe.skipIf(!existsSync(BITEXT))(
  'runAudit on Bitext (skipped: ../shared/data/bitext-customer-support absent)',
  () => {
    it('ranks order tracking, password recovery and invoices above complaints and feedback', async () => {
      const rows = readFileSync(BITEXT, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { text: string; label: string; response: string });
      const tickets = rows.map((r, i) => {
        const at = T0 + i * 600_000;
        return aTicket({
          source: 'bitext',
          externalId: String(i),
          subject: null,
          category: r.label,
          tags: [],
          createdAt: at,
          resolvedAt: null,
          handleTimeSeconds: null,
          messages: [
            aMessage({ body: r.text, createdAt: at }),
            aMessage({ authorRole: 'agent', authorId: 'a', body: r.response, createdAt: at + 300_000 }),
          ],
        });
      });
      const s = await storeWith(tickets);
      const result = await runAudit({ store: s, exclusions });
      const rank = new Map(result.categories.map((c) => [c.category, c.rank]));
      const worst = Math.max(
        rank.get('track_order')!,
        rank.get('recover_password')!,
        rank.get('get_invoice')!,
      );
      expect(worst).toBeLessThan(rank.get('complaint')!);
      expect(worst).toBeLessThan(rank.get('review')!);
    }, 60_000);
  },
);
