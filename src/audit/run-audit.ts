import { z } from 'zod';
import { createEntityExtractor, type Entity } from '../nlu/index.ts';
import { UserError } from '../shared/index.ts';
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
import { ResponderAccumulator, RespondersSchema } from './responders.ts';
import { OTHER_CATEGORY } from './taxonomy.ts';
import type { DiscoverTopics } from './topic-discovery.ts';
import { applyTopicsMap, type ListedTopic, type TopicsMap } from './topics-map.ts';

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
  /** Seed of topic discovery (default 1, or the mapping file's): same tickets + same seed = same topics. */
  topicSeed?: number;
  /** Renames and merges of discovered topics (see topics-map.ts); an error when categories are not topics. */
  topicsMap?: TopicsMap;
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
  /**
   * Tickets an agent started (a logged call, an outbound message): a first response is timed from the customer's
   * first message, and those the customer never answered have none and are left out of firstResponseSeconds.
   */
  agentStarted: z.number().int(),
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
  /** First response and resolution by who answered (assignee, else group; the company in TWCS). */
  responders: RespondersSchema,
  /** When categories come from topic discovery: the seed and every topic found, before and after the mapping. */
  topicDiscovery: z
    .object({
      seed: z.number().int(),
      topics: z.array(
        z.object({
          id: z.number().int(),
          name: z.string(),
          size: z.number().int(),
          example: z.string(),
          category: z.string(),
        }),
      ),
    })
    .nullable(),
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
  let topics: DiscoveredTopics | undefined;
  if (props.categorise) categorySource = 'taxonomy';
  else if (!(await anyLabelled(pages(false))) && props.discoverTopics) {
    categorySource = 'topics';
    const seed = props.topicsMap?.seed ?? props.topicSeed ?? 1;
    topics = await topicsByTicket(pages(true), props.discoverTopics, seed, props.topicsMap);
  }
  if (props.topicsMap && !topics) {
    throw new UserError(
      'topics_map.not_topics',
      `a topics map applies only when categories come from topic discovery; here they come from ${categorySource}`,
      { file: props.topicsMap.file },
    );
  }
  const topicOf = topics?.byTicket;

  const extract = createEntityExtractor();
  const match = (text: string, entities: Entity[]) => matchExclusions(text, entities, props.exclusions);
  const samples = props.samples ?? DEFAULT_SAMPLE_LIMITS;
  const random = seededRandom(7);
  const team = new CategoryAccumulator('all', { replies: 0, texts: 0 }, random, false);
  const responders = new ResponderAccumulator();
  const byCategory = new Map<string, CategoryAccumulator>();
  const perDay = new Map<number, number>();
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
      responders.add(ticket);
      const day = Math.floor(ticket.createdAt / DAY_MS);
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
      minAt = Math.min(minAt, ticket.createdAt);
      maxAt = Math.max(maxAt, ticket.createdAt);
    }
    done += page.length;
    props.onProgress?.(done);
  }

  const months = activeMonths(perDay);
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
    responders: responders.result(team.tickets),
    topicDiscovery: topics ? { seed: topics.seed, topics: topics.listed } : null,
  };
}

const DAY_MS = 86_400_000;

/**
 * Months the data spans (at least one, 30.44 days each), from the day by which 0.5% of the tickets had come
 * to the day by which 99.5% had. Real exports hold strays: one 2011 thread in a TWCS sample of autumn 2017
 * would otherwise spread 1,285 tickets over six years and report 17 a month.
 */
export function activeMonths(ticketsPerDay: ReadonlyMap<number, number>): number {
  const days = [...ticketsPerDay.entries()].sort(([a], [b]) => a - b);
  const total = days.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return 1;
  const dayAt = (share: number) => {
    let seen = 0;
    for (const [day, n] of days) {
      seen += n;
      if (seen >= share * total) return day;
    }
    return days[days.length - 1]![0];
  };
  return Math.max(1, (dayAt(0.995) - dayAt(0.005) + 1) / 30.44);
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

interface DiscoveredTopics {
  seed: number;
  /** Ticket id -> category (the topic's name after the mapping, or "other"). */
  byTicket: Map<number, string>;
  listed: ListedTopic[];
}

/**
 * Topic discovery needs every text at once, so this pass holds the opening texts (not the threads) in memory;
 * the accumulation pass that follows stays flat. Texts come in ticket id order, so the same store and seed
 * give the same topics and ids.
 */
async function topicsByTicket(
  pages: AsyncIterable<StoredTicket[]>,
  discover: DiscoverTopics,
  seed: number,
  map: TopicsMap | undefined,
): Promise<DiscoveredTopics> {
  const ids: number[] = [];
  const texts: string[] = [];
  for await (const page of pages) {
    for (const t of page) {
      ids.push(t.id);
      texts.push(openingText(t));
    }
  }
  const { assignments, topics } = discover(texts, { k: 'auto', seed });
  const mapped = map ? applyTopicsMap(map, topics) : undefined;
  const categoryOf = new Map(topics.map((t) => [t.id, mapped?.get(t.id)?.name ?? t.name]));
  const byTicket = new Map<number, string>();
  ids.forEach((id, i) => {
    const a = assignments[i] ?? -1;
    byTicket.set(id, a < 0 ? OTHER_CATEGORY : (categoryOf.get(a) ?? OTHER_CATEGORY));
  });
  const listed = topics.map((t) => ({
    id: t.id,
    name: t.name,
    size: t.size,
    example: (texts[t.representative] ?? '').slice(0, 300),
    category: categoryOf.get(t.id)!,
  }));
  return { seed, byTicket, listed };
}

function teamFigures(b: Baseline, months: number): AuditResult['team'] {
  return {
    tickets: b.tickets,
    months: Math.round(months * 100) / 100,
    monthlyVolume: Math.round(b.monthlyVolume * 10) / 10,
    perMonth: b.perMonth,
    agentStarted: b.agentStarted,
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
