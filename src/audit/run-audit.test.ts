import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { demoTicketToRecord, generateDemoTickets } from '../demo/index.ts';
import type { TicketRecord } from '../domain/index.ts';
import type { Store } from '../store/index.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { aMessage, aTicket, T0 } from '../store/test-builders.ts';
import { sharedData } from '../testing/index.ts';
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
    expect(csv.split('\r\n')[1]).toMatch(/^1,"Say ""hi"", <script>",/);
    const html = renderHtmlReport(result);
    expect(html).not.toContain('<script>');
    expect(html).toContain('Say &#34;hi&#34;, &#60;script&#62;');
    expect(html).not.toMatch(/<link|src=|https?:\/\//);
    expect(reportMarkdown(result)).toContain('| 1 | Say "hi", \\<script\\> |');
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

const bitext = sharedData('bitext-customer-support/train.jsonl');
const BITEXT = bitext.path;
describe.skipIf(bitext.absent !== undefined)(
  `runAudit on Bitext${bitext.absent ? ` (${bitext.absent})` : ''}`,
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

const DAY = 86_400_000;
const NOW = new Date(Date.UTC(2026, 5, 1));
interface Props {
  id: number;
  category: string | null;
  ask: string;
  reply: string;
  at?: number;
  later?: string;
  subject?: string | null;
  resolved?: boolean;
}

/** A customer asks (and maybe writes again later), an agent replies after 10 minutes. */
function ticket({
  id,
  category,
  ask,
  reply,
  at = T0 + id * 3_600_000,
  later,
  subject = null,
  resolved = true,
}: Props) {
  return aTicket({
    externalId: String(id),
    category,
    tags: [],
    subject,
    createdAt: at,
    resolvedAt: resolved ? at + 30 * MIN : null,
    handleTimeSeconds: 600,
    reopens: 0,
    messages: [
      aMessage({ body: ask, createdAt: at }),
      aMessage({ authorRole: 'agent', authorId: 'a', body: reply, createdAt: at + 10 * MIN }),
      ...(later ? [aMessage({ body: later, createdAt: at + 20 * MIN })] : []),
    ],
  });
}

const RESET = 'Here is your reset link, it works for one hour. Click it and choose a new password.';

describe('an audit report a manager can act on', () => {
  it('turns hours saved into agents and money with the stated settings, for the top three and in total', async () => {
    const tickets = Array.from({ length: 20 }, (_, i) =>
      ticket({ id: i, category: 'password_reset', ask: 'I forgot my password', reply: RESET }),
    );
    const s = await storeWith(tickets);
    const costs = { agentHourCost: 50, hoursPerAgentMonth: 100, currency: 'EUR' };
    const result = await runAudit({ store: s, exclusions, costs });
    const c = result.categories[0]!;
    expect(c.potential).toBe('high');
    // 20 tickets in one month, 600 s each, 70% automated: 20 x 600 x 0.7 / 3600 = 2.33 h.
    expect(c.hoursSavedPerMonth).toBe(2.3);
    expect(c.agentsSaved).toBe(0.02);
    expect(c.costSavedPerMonth).toBe(117);
    expect(result.savings.total).toEqual({ hoursPerMonth: 2.3, agents: 0.02, costPerMonth: 117 });
    expect(result.assumptions.costs).toEqual(costs);
    const html = renderHtmlReport(result, NOW);
    expect(html).toContain('2.3 hours a month = 0.02 agents = EUR 117 a month');
    expect(html).toContain('100 working hours per agent-month and EUR 50 per agent hour');
    expect(reportMarkdown(result, NOW)).toContain('| 1 | Password reset | 20 | high | ');
    expect(opportunityMapCsv(result).split('\r\n')[0]).toContain(
      'agents (FTE) saved,cost saved per month (EUR)',
    );
    // The defaults are stated when none are given.
    const plain = await runAudit({ store: s, exclusions });
    expect(renderHtmlReport(plain, NOW)).toContain(
      '140 working hours per agent-month and USD 35 per agent hour',
    );
  });

  it('draws weekly volume per category, sorts the volume chart by volume, shows a legend and the goals', async () => {
    const tickets: TicketRecord[] = [];
    // Four weeks: password resets every day, order questions only in the last week, more of them.
    for (let d = 0; d < 28; d++)
      tickets.push(
        ticket({ id: d, category: 'password_reset', ask: 'forgot password', reply: RESET, at: T0 + d * DAY }),
      );
    for (let i = 0; i < 40; i++)
      tickets.push(
        ticket({
          id: 100 + i,
          category: 'order_status',
          ask: 'where is my order',
          reply: 'On its way.',
          at: T0 + 21 * DAY + i * 3_600_000,
        }),
      );
    const s = await storeWith(tickets);
    const result = await runAudit({ store: s, exclusions });
    const orders = result.categories.find((c) => c.category === 'order_status')!;
    expect(orders.perWeek).toEqual({ '2026-03-23': 40 });
    const resets = result.categories.find((c) => c.category === 'password_reset')!;
    expect(Object.values(resets.perWeek)).toEqual([7, 7, 7, 7]);
    expect(Object.keys(resets.perWeek)[0]).toBe('2026-03-02'); // T0 is a Monday
    const html = renderHtmlReport(result, NOW);
    expect(html).toContain('<h2>Weekly volume</h2>');
    expect(html).toMatch(/<polyline points="[^"]+" fill="none" stroke="#2e7d32"/);
    expect(html).toContain('Tickets per week, 4 weeks from 2026-03-02');
    // The volume chart lists the busiest category first, whatever the ranking says.
    const volume = html.slice(
      html.indexOf('Monthly volume by category'),
      html.indexOf('Volume x simplicity'),
    );
    expect(volume.indexOf('Order status')).toBeLessThan(volume.indexOf('Password reset'));
    expect(html).toContain('high potential: automate first</span>');
    expect(html).toContain('not measurable in this data</span>');
    expect(html).toContain('<h2>Goals for the next phase</h2>');
    expect(html).toMatch(
      /<td>First response, median<\/td><td>5\.0 min<\/td><td>10\.0 min today; the target halves it<\/td>/,
    );
    expect(html).toContain('<td>Review / due</td><td>2026-07-01 / 2026-08-30</td>');
  });

  it('shows the core days of the window, the strays and a burst, instead of a monthly rate that misleads', async () => {
    const tickets: TicketRecord[] = [
      ticket({ id: 0, category: 'a_b', ask: 'old one', reply: 'ok', at: Date.UTC(2011, 7, 29) }),
    ];
    for (let i = 1; i <= 300; i++)
      tickets.push(
        ticket({
          id: i,
          category: 'a_b',
          ask: 'hello there',
          reply: 'ok',
          at: T0 + (i % 3 === 0 ? (i % 60) * DAY : 0) + i * 1000,
        }),
      );
    const s = await storeWith(tickets);
    const result = await runAudit({ store: s, exclusions: [] });
    expect(result.window.outsideCore).toBe(1);
    expect(result.window.coreFrom).toBe('2026-03-02');
    expect(result.window.busiestDay).toEqual({ day: '2026-03-02', share: expect.closeTo(205 / 301, 3) });
    const md = reportMarkdown(result, NOW);
    expect(md).toContain('300 tickets from 2026-03-02 to ');
    expect(md).toContain('plus 1 outside those days left out of the rate (from 2011-08-29');
    expect(md).toContain('68.1% of them came on 2026-03-02, so the monthly rate is a guess');
  });

  it('says what the data does not hold, and marks categories answered in private messages as not measurable', async () => {
    const tickets: TicketRecord[] = [];
    for (let i = 0; i < 12; i++) {
      tickets.push(
        ticket({
          id: i,
          category: null,
          ask: `@Shop my order never came ${i}`,
          reply:
            i % 2
              ? `@c${i} Sorry about that! Please DM us your order number. ^AB`
              : `@c${i} So sorry, can you send us a DM? -Tara`,
          resolved: false,
        }),
      );
    }
    const s = await storeWith(
      tickets.map((t) => ({ ...t, handleTimeSeconds: null, csatScore: null, reopens: null })),
    );
    const discover: DiscoverTopics = (texts) => ({
      assignments: texts.map(() => 0),
      topics: [
        { id: 0, name: 'My order never came', terms: ['order'], size: texts.length, representative: 0 },
      ],
    });
    const result = await runAudit({ store: s, exclusions, discoverTopics: discover });
    const c = result.categories[0]!;
    expect(c.potential).toBe('unknown');
    expect(c.simplicity).toBeNull();
    expect(c.hoursSavedPerMonth).toBeNull();
    expect(c.privateReplyShare).toBe(1);
    expect(result.unmeasuredShare).toBe(1);
    expect(result.savings.notEstimated).toBe(1);
    const html = renderHtmlReport(result, NOW);
    expect(html).not.toContain('0% predictable');
    expect(html).toContain(
      'Automation potential could not be measured for 100% of tickets: in most categories 100% of first replies move to a private message, so the answer and the rest of the thread are not in the data.',
    );
    expect(html).toContain(
      'Not in this data: no resolution times (when a ticket was solved); no satisfaction ratings (CSAT); no handle times',
    );
    expect(html).toContain('<span class="pill unknown">not measurable</span>');
    expect(html).toContain('Volume x simplicity</figcaption><p class="empty">Not measurable in this data');
  });

  it('lists no integration for categories that go to people, and shows cleaned, escaped customer texts', async () => {
    const tickets: TicketRecord[] = [];
    for (let i = 0; i < 4; i++)
      tickets.push(
        ticket({
          id: i,
          category: 'legal',
          ask: `Order #${55_000 + i} was charged $${100 + i}. My lawyer will sue you for this.`,
          reply: 'We passed this to our legal team.',
        }),
      );
    tickets.push(
      ticket({
        id: 10,
        category: 'billing',
        subject: 'Hello',
        ask: 'Hi team,\n\nWhy was I charged twice for <b>order</b> 123456?\n\nThanks for your help!\nPaul',
        reply: 'Sorry, refunded.',
        later: 'Thanks Sophie, much appreciated. Paul',
      }),
    );
    const s = await storeWith(tickets);
    const result = await runAudit({ store: s, exclusions });
    const legal = result.categories.find((c) => c.category === 'legal')!;
    expect(legal.exclusions.rate).toBe(1);
    expect(legal.integrations).toEqual([]);
    expect(legal.reasons).toContain('goes to people: no integration');
    const billing = result.categories.find((c) => c.category === 'billing')!;
    expect(billing.representativeTexts).toEqual(['Why was I charged twice for <b>order</b> 123456?']);
    const html = renderHtmlReport(result, NOW);
    expect(html).toContain('<li>Why was I charged twice for &#60;b&#62;order&#60;/b&#62; 123456?</li>');
    expect(html).not.toContain('<b>order');
    expect(html).not.toContain('much appreciated');
  });

  it('escapes customer text wherever it lands: topic names, weekly chart, goals, samples', async () => {
    const evil = '<img src=x onerror=alert(1)> & "refund"';
    const s = await storeWith(
      [0, 1, 2].map((i) => ticket({ id: i, category: null, ask: evil, reply: 'Refunded, sorry.' })),
    );
    const discover: DiscoverTopics = (texts) => ({
      assignments: texts.map(() => 0),
      topics: [{ id: 0, name: evil, terms: ['refund'], size: texts.length, representative: 0 }],
    });
    const result = await runAudit({
      store: s,
      exclusions: [],
      discoverTopics: discover,
      costs: { agentHourCost: 10, hoursPerAgentMonth: 100, currency: '<b>' },
    });
    const html = renderHtmlReport(result, NOW);
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    const escaped = '&#60;img src=x onerror=alert(1)&#62; &#38; &#34;refund&#34;';
    // The ranked table, the weekly chart, the goals ("start with") and the samples each hold it escaped.
    expect(html.split(escaped).length - 1).toBeGreaterThanOrEqual(4);
  });
});
