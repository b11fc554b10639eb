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
  isDateTime,
  mergedSpread,
  type SampleLimits,
  ticketFacts,
} from './accumulate.ts';
import { type ExclusionRule, matchExclusions } from './exclusions.ts';
import { CategoryResultSchema, rankCategories } from './opportunities.ts';
import { ASSUMED_HANDLE_SECONDS, EXPECTED_AUTOMATION_RATE } from './potential.ts';
import { ResponderAccumulator, RespondersSchema } from './responders.ts';
import { type CostSettings, CostSettingsSchema, DEFAULT_COSTS, SavingsSchema, savingsOf } from './savings.ts';
import { OTHER_CATEGORY } from './taxonomy.ts';
import type { DiscoverTopics } from './topic-discovery.ts';
import { discoverByLanguage } from './topics-by-language.ts';
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
  /** Cost of an agent hour and hours per agent-month, for savings in people and money (default DEFAULT_COSTS). */
  costs?: CostSettings;
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
  schemaVersion: z.literal(2),
  window: z.object({
    from: z.string().nullable(),
    to: z.string().nullable(),
    /** The days holding the central 99% of tickets, which the monthly rate divides by (see activeMonths). */
    coreFrom: z.string().nullable(),
    coreTo: z.string().nullable(),
    /** Tickets before coreFrom or after coreTo: strays such as one 2011 thread in a 2017 export. */
    outsideCore: z.number().int(),
    /** The day with most tickets and its share: a burst makes the monthly rate a guess. */
    busiestDay: z.object({ day: z.string(), share: z.number() }).nullable(),
  }),
  categorySource: z.enum(['labels', 'taxonomy', 'topics']),
  team: TeamSchema,
  /** Share of tickets in high-potential categories: the "predictable" side of the split. */
  predictableShare: z.number(),
  /** Share of tickets in categories whose potential could not be measured (potential 'unknown'). */
  unmeasuredShare: z.number(),
  /** Figures this data does not hold (no resolution times, no CSAT ...), said on the report instead of a 0. */
  notInData: z.array(z.string()),
  /** Hours saved a month as agents and money: in total and for the three best opportunities. */
  savings: z.object({
    total: SavingsSchema,
    top3: SavingsSchema,
    /** Categories with no estimate (potential not measurable). */
    notEstimated: z.number().int(),
  }),
  categories: z.array(CategoryResultSchema),
  /** The top 10 category names, best first. */
  top: z.array(z.string()),
  assumptions: z.object({
    expectedAutomationRate: z.record(z.string(), z.number()),
    assumedHandleTimeSeconds: z.number(),
    score: z.string(),
    timeSaved: z.string(),
    costs: CostSettingsSchema,
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
      // A time no Date can hold (stored before the import checked times) would end the audit: left out of the span.
      if (isDateTime(ticket.createdAt)) {
        const day = Math.floor(ticket.createdAt / DAY_MS);
        perDay.set(day, (perDay.get(day) ?? 0) + 1);
        minAt = Math.min(minAt, ticket.createdAt);
        maxAt = Math.max(maxAt, ticket.createdAt);
      }
    }
    done += page.length;
    props.onProgress?.(done);
  }

  const core = coreWindow(perDay);
  const months = core.months;
  const costs = props.costs ?? DEFAULT_COSTS;
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
    costs,
  );
  const ticketsWhere = (test: (c: (typeof ranked)[number]) => boolean) =>
    ranked.filter(test).reduce((s, c) => s + c.tickets, 0);
  const predictable = ticketsWhere((c) => c.potential === 'high');
  const unmeasured = ticketsWhere((c) => c.potential === 'unknown');
  // Totals from each row's unrounded hours: a sum of rounded agents would turn 50 rows of 0.004 into 0.
  const sum = (list: typeof ranked) =>
    savingsOf(
      list.reduce(
        (s, c) =>
          s +
          ((c.handleTimeSeconds.median ?? ASSUMED_HANDLE_SECONDS) *
            c.automatableMonthlyVolume *
            (c.expectedAutomationRate ?? 0)) /
            3600,
        0,
      ),
      costs,
    );
  const estimated = ranked.filter((c) => c.hoursSavedPerMonth !== null);
  let outsideCore = 0;
  let busiest: [number, number] | null = null;
  for (const [day, n] of perDay) {
    if (day < core.fromDay || day > core.toDay) outsideCore += n;
    if (!busiest || n > busiest[1] || (n === busiest[1] && day < busiest[0])) busiest = [day, n];
  }
  const dayIso = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
  const teamFig = teamFigures(teamBaseline, months);
  return {
    schemaVersion: 2,
    window: {
      from: minAt <= maxAt ? new Date(minAt).toISOString() : null,
      to: minAt <= maxAt ? new Date(maxAt).toISOString() : null,
      coreFrom: team.tickets ? dayIso(core.fromDay) : null,
      coreTo: team.tickets ? dayIso(core.toDay) : null,
      outsideCore,
      busiestDay: busiest ? { day: dayIso(busiest[0]), share: busiest[1] / team.tickets } : null,
    },
    categorySource,
    team: teamFig,
    predictableShare: team.tickets ? predictable / team.tickets : 0,
    unmeasuredShare: team.tickets ? unmeasured / team.tickets : 0,
    notInData: notInData(teamFig),
    savings: {
      total: sum(estimated),
      top3: sum(estimated.slice(0, 3)),
      notEstimated: ranked.length - estimated.length,
    },
    categories: ranked,
    top: ranked.slice(0, 10).map((c) => c.category),
    assumptions: {
      expectedAutomationRate: { ...EXPECTED_AUTOMATION_RATE },
      assumedHandleTimeSeconds: ASSUMED_HANDLE_SECONDS,
      score: 'automatable monthly volume (excluded tickets removed) x simplicity (0..1)',
      timeSaved:
        'median handle time (assumed when the export has none) x automatable monthly volume x expected automation rate of the potential',
      costs,
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
  return coreWindow(ticketsPerDay).months;
}

/** The first and last day (days since the epoch) of the central 99% of tickets, and the months between. */
export function coreWindow(ticketsPerDay: ReadonlyMap<number, number>): {
  fromDay: number;
  toDay: number;
  months: number;
} {
  const days = [...ticketsPerDay.entries()].sort(([a], [b]) => a - b);
  const total = days.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return { fromDay: 0, toDay: 0, months: 1 };
  const dayAt = (share: number) => {
    let seen = 0;
    for (const [day, n] of days) {
      seen += n;
      if (seen >= share * total) return day;
    }
    return days[days.length - 1]![0];
  };
  const fromDay = dayAt(0.005);
  const toDay = dayAt(0.995);
  return { fromDay, toDay, months: Math.max(1, (toDay - fromDay + 1) / 30.44) };
}

/** What the export does not hold, in words: the report says so rather than showing zeros. */
function notInData(team: AuditResult['team']): string[] {
  const gaps: string[] = [];
  if (team.resolutionSeconds.median === null) gaps.push('no resolution times (when a ticket was solved)');
  if (team.csat.count === 0) gaps.push('no satisfaction ratings (CSAT)');
  if (team.handleTimeSeconds.median === null)
    gaps.push(`no handle times: ${ASSUMED_HANDLE_SECONDS / 60} min a ticket assumed for time saved`);
  if (team.reopenRate === null) gaps.push('no reopen counts');
  return gaps;
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
  const { assignments: assignment, topics } = discoverByLanguage(texts, discover, seed);
  const mapped = map ? applyTopicsMap(map, topics) : undefined;
  const categoryOf = new Map(topics.map((t) => [t.id, mapped?.get(t.id)?.name ?? t.name]));
  const byTicket = new Map<number, string>();
  ids.forEach((id, i) => {
    const a = assignment[i]!;
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
