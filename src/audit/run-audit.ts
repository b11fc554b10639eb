import { z } from 'zod';
import { createEntityExtractor, type Entity } from '../nlu/index.ts';
import { seededRandom } from '../shared/random.ts';
import type { Store, StoredTicket, TicketQuery } from '../store/index.ts';
import {
  type Baseline,
  baselineOf,
  CategoryAccumulator,
  DEFAULT_SAMPLE_LIMITS,
  mergedSpread,
  type SampleLimits,
  ticketFacts,
} from './accumulate.ts';
import { type ExclusionRule, matchExclusions } from './exclusions.ts';
import { CategoryResultSchema, rankCategories } from './opportunities.ts';
import { ASSUMED_HANDLE_SECONDS, EXPECTED_AUTOMATION_RATE } from './potential.ts';
import { OTHER_CATEGORY } from './taxonomy.ts';
import type { DiscoverTopics } from './topic-discovery.ts';

/** How tickets got their category. */
export type CategorySource = 'labels' | 'taxonomy' | 'topics';

export interface RunAuditProps {
  store: Store;
  /** Inclusive lower bound on createdAt (epoch ms). */
  since?: number;
  /** Exclusive upper bound on createdAt (epoch ms). */
  until?: number;
  exclusions: readonly ExclusionRule[];
  /** Assigns a category from a ticket's text (a trained taxonomy); takes precedence over labels. */
  categorise?: (text: string) => string;
  /** Used only when no ticket has a label and there is no taxonomy. */
  discoverTopics?: DiscoverTopics;
  pageSize?: number;
  samples?: SampleLimits;
  /** Called after every page with the number of tickets read. */
  onProgress?: (done: number) => void;
}

const TeamSchema = z.object({
  tickets: z.number().int(),
  months: z.number(),
  monthlyVolume: z.number(),
  perMonth: z.record(z.string(), z.number()),
  firstResponseSeconds: z.object({ median: z.number().nullable(), p90: z.number().nullable() }),
  resolutionSeconds: z.object({ median: z.number().nullable(), p90: z.number().nullable() }),
  csat: z.object({ mean: z.number().nullable(), count: z.number().int() }),
  handleTimeSeconds: z.object({ median: z.number().nullable(), mean: z.number().nullable() }),
  messagesPerTicket: z.number(),
  medianExchanges: z.number().nullable(),
  reopenRate: z.number().nullable(),
  excluded: z.number().int(),
  exclusionRate: z.number(),
  exclusionsByRule: z.record(z.string(), z.number()),
});

/** The whole audit as data: what opportunities.json holds (its JSON Schema is derived from this). */
export const AuditResultSchema = z.object({
  schemaVersion: z.literal(1),
  window: z.object({ from: z.string().nullable(), to: z.string().nullable() }),
  categorySource: z.enum(['labels', 'taxonomy', 'topics']),
  team: TeamSchema,
  /** Share of tickets in high-potential categories: the "predictable" side of the split. */
  predictableShare: z.number(),
  categories: z.array(CategoryResultSchema),
  /** The top 10 category names, best first. */
  top: z.array(z.string()),
  assumptions: z.object({
    expectedAutomationRate: z.record(z.string(), z.number()),
    assumedHandleTimeSeconds: z.number(),
    score: z.string(),
    timeSaved: z.string(),
  }),
  exclusionRules: z.array(z.object({ id: z.string(), label: z.string() })),
});
export type AuditResult = z.infer<typeof AuditResultSchema>;

/**
 * Runs the audit: streams the store a page at a time (memory stays flat: per-category figures plus bounded
 * samples), categorises each ticket, applies the exclusion rules, and ranks the categories.
 *
 * @example
 * const result = await runAudit({ store, exclusions: loadExclusionRules() });
 * result.categories[0]; // { category: 'password_reset', potential: 'high', score: 412.5, ... }
 */
export async function runAudit(props: RunAuditProps): Promise<AuditResult> {
  const pageSize = props.pageSize ?? 1000;
  const base: Omit<TicketQuery, 'limit'> = {
    ...(props.since !== undefined ? { createdFrom: props.since } : {}),
    ...(props.until !== undefined ? { createdTo: props.until } : {}),
  };
  const pages = (withMessages: boolean) => readPages(props.store, { ...base, withMessages }, pageSize);

  let categorySource: CategorySource = 'labels';
  let topicOf: Map<number, string> | undefined;
  if (props.categorise) categorySource = 'taxonomy';
  else if (!(await anyLabelled(pages(false))) && props.discoverTopics) {
    categorySource = 'topics';
    topicOf = await topicsByTicket(pages(true), props.discoverTopics);
  }

  const extract = createEntityExtractor();
  const match = (text: string, entities: Entity[]) => matchExclusions(text, entities, props.exclusions);
  const samples = props.samples ?? DEFAULT_SAMPLE_LIMITS;
  const random = seededRandom(7);
  const team = new CategoryAccumulator('all', { replies: 0, texts: 0 }, random, false);
  const byCategory = new Map<string, CategoryAccumulator>();
  let minAt = Number.POSITIVE_INFINITY;
  let maxAt = Number.NEGATIVE_INFINITY;
  let done = 0;
  for await (const page of pages(true)) {
    for (const ticket of page) {
      const facts = ticketFacts(ticket, extract, match);
      const category = props.categorise
        ? props.categorise(openingText(ticket))
        : topicOf
          ? (topicOf.get(ticket.id) ?? OTHER_CATEGORY)
          : (labelOf(ticket) ?? 'uncategorised');
      let acc = byCategory.get(category);
      if (!acc) {
        acc = new CategoryAccumulator(category, samples, random);
        byCategory.set(category, acc);
      }
      acc.add(facts);
      team.add(facts);
      minAt = Math.min(minAt, ticket.createdAt);
      maxAt = Math.max(maxAt, ticket.createdAt);
    }
    done += page.length;
    props.onProgress?.(done);
  }

  const months = windowMonths(minAt, maxAt);
  const accs = [...byCategory.values()];
  const teamBaseline: Baseline = {
    ...baselineOf(team, team.tickets, months),
    firstResponseSeconds: mergedSpread(accs.map((a) => a.firstResponse)),
    resolutionSeconds: mergedSpread(accs.map((a) => a.resolution)),
  };
  const handleSpread = mergedSpread(accs.map((a) => a.handle));
  const handleCount = accs.reduce((s, a) => s + a.handle.length, 0);
  teamBaseline.handleTimeSeconds = {
    median: handleSpread.median,
    mean: handleCount
      ? accs.reduce((s, a) => s + a.handle.reduce((x, v) => x + v, 0), 0) / handleCount
      : null,
  };
  const ranked = rankCategories(
    accs.map((acc) => ({ acc, baseline: baselineOf(acc, team.tickets, months) })),
  );
  const predictable = ranked.filter((c) => c.potential === 'high').reduce((s, c) => s + c.tickets, 0);
  return {
    schemaVersion: 1,
    window: {
      from: team.tickets ? new Date(minAt).toISOString() : null,
      to: team.tickets ? new Date(maxAt).toISOString() : null,
    },
    categorySource,
    team: teamFigures(teamBaseline, months),
    predictableShare: team.tickets ? predictable / team.tickets : 0,
    categories: ranked,
    top: ranked.slice(0, 10).map((c) => c.category),
    assumptions: {
      expectedAutomationRate: { ...EXPECTED_AUTOMATION_RATE },
      assumedHandleTimeSeconds: ASSUMED_HANDLE_SECONDS,
      score: 'automatable monthly volume (excluded tickets removed) x simplicity (0..1)',
      timeSaved:
        'median handle time (assumed when the export has none) x automatable monthly volume x expected automation rate of the potential',
    },
    exclusionRules: props.exclusions.map((r) => ({ id: r.id, label: r.label })),
  };
}

/** Months the data spans (at least one), from the first to the last ticket, 30.44 days each. */
export function windowMonths(minAt: number, maxAt: number): number {
  if (!Number.isFinite(minAt) || !Number.isFinite(maxAt)) return 1;
  return Math.max(1, (maxAt - minAt) / (30.44 * 86_400_000));
}

/** The ticket's own label: its category field, else its first tag. */
export function labelOf(ticket: Pick<StoredTicket, 'category' | 'tags'>): string | null {
  const c = ticket.category?.trim();
  if (c) return c;
  const tag = ticket.tags.find((t) => t.trim());
  return tag?.trim() ?? null;
}

/** Subject plus the first customer message: what taxonomy and topics classify. */
export function openingText(ticket: StoredTicket): string {
  const first = ticket.messages?.find((m) => m.authorRole === 'customer')?.body ?? '';
  return [ticket.subject ?? '', first].filter(Boolean).join('\n');
}

async function* readPages(store: Store, query: Omit<TicketQuery, 'limit'>, limit: number) {
  let afterId: number | undefined;
  for (;;) {
    const page = await store.listTickets({ ...query, limit, ...(afterId !== undefined ? { afterId } : {}) });
    if (!page.length) return;
    yield page;
    if (page.length < limit) return;
    afterId = (page[page.length - 1] as StoredTicket).id;
  }
}

async function anyLabelled(pages: AsyncIterable<StoredTicket[]>): Promise<boolean> {
  for await (const page of pages) if (page.some((t) => labelOf(t) !== null)) return true;
  return false;
}

/**
 * Topic discovery needs every text at once, so this pass holds the opening texts (not the threads) in memory;
 * the accumulation pass that follows stays flat.
 */
async function topicsByTicket(pages: AsyncIterable<StoredTicket[]>, discover: DiscoverTopics) {
  const ids: number[] = [];
  const texts: string[] = [];
  for await (const page of pages) {
    for (const t of page) {
      ids.push(t.id);
      texts.push(openingText(t));
    }
  }
  const { assignments, topics } = discover(texts, { k: 'auto', seed: 1 });
  const names = new Map(topics.map((t) => [t.id, t.name]));
  const out = new Map<number, string>();
  ids.forEach((id, i) => {
    const a = assignments[i] ?? -1;
    out.set(id, a < 0 ? OTHER_CATEGORY : (names.get(a) ?? OTHER_CATEGORY));
  });
  return out;
}

function teamFigures(b: Baseline, months: number): AuditResult['team'] {
  return {
    tickets: b.tickets,
    months: Math.round(months * 100) / 100,
    monthlyVolume: Math.round(b.monthlyVolume * 10) / 10,
    perMonth: b.perMonth,
    firstResponseSeconds: b.firstResponseSeconds,
    resolutionSeconds: b.resolutionSeconds,
    csat: b.csat,
    handleTimeSeconds: b.handleTimeSeconds,
    messagesPerTicket: Math.round(b.messagesPerTicket * 100) / 100,
    medianExchanges: b.medianExchanges,
    reopenRate: b.reopenRate,
    excluded: b.excluded,
    exclusionRate: b.exclusionRate,
    exclusionsByRule: b.exclusionsByRule,
  };
}
