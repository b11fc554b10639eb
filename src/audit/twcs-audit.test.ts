import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketRecord } from '../domain/index.ts';
import { twcsImporter } from '../ingest/formats/twcs.ts';
import { openFileSource } from '../ingest/source.ts';
import { quantile, sortedNumbers } from '../shared/stats.ts';
import type { Store, StoredTicket } from '../store/index.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import { sharedData } from '../testing/index.ts';
import { loadExclusionRules } from './exclusions.ts';
import { detectLanguage } from './language.ts';
import { renderHtmlReport } from './report-html.ts';
import { openingText, runAudit } from './run-audit.ts';
import { OTHER_CATEGORY } from './taxonomy.ts';
import { discoverTopics } from './topics.ts';
import { discoverByLanguage } from './topics-by-language.ts';
import { reportMarkdown } from './write-outputs.ts';

const sample = sharedData('twcs-sample/twcs_head5000.csv');
const SAMPLE = sample.path;

const median = (values: number[]) => quantile(sortedNumbers(values), 0.5);

describe.skipIf(sample.absent !== undefined)(
  `the audit on the TWCS sample${sample.absent ? ` (${sample.absent})` : ''}`,
  () => {
    let store: Store;
    let stored: StoredTicket[];
    beforeAll(async () => {
      const tickets: TicketRecord[] = [];
      for await (const item of twcsImporter.read(openFileSource(SAMPLE), { mapping: {} })) {
        if (item.kind === 'ticket') tickets.push(item.ticket);
      }
      store = await openSqliteStore({ path: ':memory:' });
      await store.upsertTickets(tickets, { origin: 'twcs' });
      stored = await store.listTickets({ limit: 10_000, withMessages: true });
    }, 60_000);
    afterAll(async () => {
      await store.close();
    });

    it('discovers named topics with real first-response baselines, and baselines per company', async () => {
      const result = await runAudit({ store, exclusions: loadExclusionRules(), discoverTopics });
      expect(result.categorySource).toBe('topics');
      expect(result.team.tickets).toBe(1285);
      // The import issue's figure: 1,154 answered threads, median 719.5 s (720 s rounded).
      expect(result.team.firstResponseSeconds.median).toBe(719.5);

      // Topics: named from their terms, sizes adding up with "other" to every ticket.
      const discovery = result.topicDiscovery!;
      expect(discovery.seed).toBe(1);
      expect(discovery.topics.length).toBeGreaterThanOrEqual(5);
      for (const t of discovery.topics) {
        expect(t.name).toMatch(/\w/);
        expect(t.size).toBeGreaterThanOrEqual(2);
        expect(t.example.length).toBeGreaterThan(0);
      }
      const sizes = new Map(result.categories.map((c) => [c.category, c.tickets]));
      expect(discovery.topics.reduce((s, t) => s + t.size, 0) + (sizes.get(OTHER_CATEGORY) ?? 0)).toBe(1285);

      // Topics are named in words, and other languages are kept out of the English ones.
      for (const t of discovery.topics) expect(t.name).not.toMatch(/ \/ |\u2026/);
      const names = discovery.topics.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(['Written in Spanish', 'Written in Japanese']));
      for (const t of discovery.topics.filter((x) => !x.name.startsWith('Written in')))
        expect(['en', 'und'], t.example).toContain(detectLanguage(t.example).code);

      // Short social-media threads: a third of first replies say "DM us", so potential is not measured there,
      // and the report says so rather than "0% predictable".
      expect(result.unmeasuredShare).toBeGreaterThan(0.3);
      expect(reportMarkdown(result)).not.toContain('**0% of tickets are predictable**');
      expect(reportMarkdown(result)).toMatch(
        /could not be measured \(\d+% of first replies move to a private message/,
      );
      // Savings are estimated only where potential was measured; totals agree with their hours (50 topics of
      // a few hundredths of an agent each still add up).
      expect(result.savings.notEstimated).toBe(
        result.categories.filter((c) => c.potential === 'unknown').length,
      );
      expect(result.savings.total.agents).toBeCloseTo(result.savings.total.hoursPerMonth / 140, 2);
      // The window: 7 strays (one from 2011) outside the core days, and a burst on Halloween.
      expect(result.window).toMatchObject({ coreFrom: '2017-09-27', coreTo: '2017-12-01', outsideCore: 7 });
      expect(result.window.busiestDay).toEqual({ day: '2017-10-31', share: expect.closeTo(900 / 1285, 3) });

      // Per-topic first response recomputed from the stored tickets, with the same discovery (same texts in
      // the same id order, same seed): the audit's medians are the medians of the answered tickets.
      const again = discoverByLanguage(stored.map(openingText), discoverTopics, 1);
      expect(again.topics.map((t) => t.name)).toEqual(discovery.topics.map((t) => t.name));
      let checked = 0;
      for (const topic of again.topics) {
        const answered = stored
          .filter((_, i) => again.assignments[i] === topic.id)
          .flatMap((t) => (t.firstResponseSeconds === null ? [] : [t.firstResponseSeconds]));
        const category = result.categories.find((c) => c.category === topic.name)!;
        expect(category.tickets).toBe(topic.size);
        expect(category.firstResponseSeconds.median).toBe(median(answered));
        if (answered.length >= 10) checked++;
      }
      expect(checked).toBeGreaterThanOrEqual(3);

      // By company: the answering company is the assignee in TWCS; unanswered threads name none.
      const responders = result.responders;
      expect(responders.withoutResponder).toBe(
        stored.filter((t) => t.assignee === null && t.group === null).length,
      );
      expect(responders.total).toBeGreaterThanOrEqual(50);
      const byName = new Map(responders.list.map((r) => [r.responder, r]));
      for (const company of ['AppleSupport', 'AmazonHelp']) {
        const own = stored.filter((t) => t.assignee === company);
        const row = byName.get(company);
        expect(row, company).toBeDefined();
        expect(row!.tickets).toBe(own.length);
        const answered = own.flatMap((t) =>
          t.firstResponseSeconds === null ? [] : [t.firstResponseSeconds],
        );
        expect(row!.answered).toBe(answered.length);
        expect(row!.firstResponseSeconds.median).toBe(median(answered));
        expect(row!.firstResponseSeconds.median).toBeGreaterThan(0);
      }
      expect(reportMarkdown(result)).toContain('## By responder');
      const html = renderHtmlReport(result);
      expect(html).toContain('<h2>By responder</h2>');
      // TWCS has no resolution times: the chart says so instead of drawing zero bars.
      expect(html).toContain(
        'Resolution, median (dark) and p90 (light), days</figcaption><p class="empty">Not in this data.</p>',
      );
    }, 60_000);

    it('gives the same topics and ids on a second run (deterministic for a seed)', async () => {
      const a = await runAudit({ store, exclusions: [], discoverTopics });
      const b = await runAudit({ store, exclusions: [], discoverTopics });
      expect(b.topicDiscovery).toEqual(a.topicDiscovery);
      const other = await runAudit({ store, exclusions: [], discoverTopics, topicSeed: 2 });
      expect(other.topicDiscovery!.seed).toBe(2);
    }, 60_000);
  },
);
