import type { Entity } from '../nlu/index.ts';
import { seededRandom } from '../shared/random.ts';
import { quantile, sortedNumbers } from '../shared/stats.ts';
import type { StoredTicket } from '../store/index.ts';
import { cleanCustomerText, movesToPrivate } from './clean-text.ts';

/** Entity types that tell which system a resolution needs (see INTEGRATIONS in potential.ts). */
export const RESOLUTION_ENTITIES = ['order_number', 'invoice_id', 'money', 'account_id', 'plan'] as const;
export type ResolutionEntity = (typeof RESOLUTION_ENTITIES)[number];

/** Bounds that keep memory flat however many tickets there are. */
export interface SampleLimits {
  replies: number;
  texts: number;
}
export const DEFAULT_SAMPLE_LIMITS: SampleLimits = { replies: 200, texts: 20 };

/** What one ticket contributes, already reduced from the stored ticket. */
export interface TicketFacts {
  createdAt: number;
  /** Started by an agent: a first response only once the customer wrote. */
  agentStarted: boolean;
  firstResponseSeconds: number | null;
  resolutionSeconds: number | null;
  csatScore: number | null;
  handleTimeSeconds: number | null;
  reopens: number | null;
  messages: number;
  customerMessages: number;
  firstAgentReply: string | null;
  /** The first reply moves the conversation to a private channel ("DM us"): the rest is out of sight. */
  firstReplyPrivate: boolean;
  customerText: string;
  /** Subject and first customer message without greeting and sign-off: what the report shows as a sample. */
  openingText: string;
  entityTypes: ReadonlySet<string>;
  exclusions: readonly string[];
}

/**
 * Running figures for one category (or the whole team). Durations are kept as numbers so quantiles are exact;
 * texts are reservoir samples of bounded size.
 */
export class CategoryAccumulator {
  tickets = 0;
  readonly months = new Map<string, number>();
  /** Tickets per week (weeks since the epoch, Monday first): the report's volume over time. */
  readonly weeks = new Map<number, number>();
  readonly firstResponse: number[] = [];
  readonly resolution: number[] = [];
  readonly handle: number[] = [];
  readonly messageCounts = new Map<number, number>();
  /** Customer messages per ticket -> tickets: a histogram, since the values are small whole numbers. */
  readonly exchanges = new Map<number, number>();
  csatSum = 0;
  csatCount = 0;
  messageSum = 0;
  reopenKnown = 0;
  reopened = 0;
  excluded = 0;
  agentStarted = 0;
  /** First agent replies seen, and those that move the conversation to a private channel. */
  replies = 0;
  privateReplies = 0;
  readonly byRule = new Map<string, number>();
  readonly entityTickets = new Map<string, number>();
  readonly replySample: string[] = [];
  readonly textSample: string[] = [];
  private repliesSeen = 0;
  private textsSeen = 0;

  constructor(
    readonly name: string,
    private readonly limits: SampleLimits = DEFAULT_SAMPLE_LIMITS,
    private readonly random: () => number = seededRandom(1),
    /**
     * False for the team accumulator: its duration quantiles are computed from the categories' values at the
     * end (see mergedSpread), so a million tickets are not held twice.
     */
    private readonly keepDurations = true,
  ) {}

  add(f: TicketFacts): void {
    this.tickets++;
    if (f.agentStarted) this.agentStarted++;
    // A time no Date can hold (9e15, 1e308: stored before the import checked times) is left out of the charts.
    if (isDateTime(f.createdAt)) {
      const month = new Date(f.createdAt).toISOString().slice(0, 7);
      this.months.set(month, (this.months.get(month) ?? 0) + 1);
      const week = weekOf(f.createdAt);
      this.weeks.set(week, (this.weeks.get(week) ?? 0) + 1);
    }
    if (f.firstAgentReply) {
      this.replies++;
      if (f.firstReplyPrivate) this.privateReplies++;
    }
    if (this.keepDurations) {
      if (f.firstResponseSeconds !== null) this.firstResponse.push(f.firstResponseSeconds);
      if (f.resolutionSeconds !== null) this.resolution.push(f.resolutionSeconds);
      if (f.handleTimeSeconds !== null) this.handle.push(f.handleTimeSeconds);
    }
    if (f.csatScore !== null) {
      this.csatSum += f.csatScore;
      this.csatCount++;
    }
    this.messageSum += f.messages;
    this.messageCounts.set(f.messages, (this.messageCounts.get(f.messages) ?? 0) + 1);
    this.exchanges.set(f.customerMessages, (this.exchanges.get(f.customerMessages) ?? 0) + 1);
    if (f.reopens !== null) {
      this.reopenKnown++;
      if (f.reopens > 0) this.reopened++;
    }
    if (f.exclusions.length) {
      this.excluded++;
      for (const id of f.exclusions) this.byRule.set(id, (this.byRule.get(id) ?? 0) + 1);
    }
    for (const type of f.entityTypes) this.entityTickets.set(type, (this.entityTickets.get(type) ?? 0) + 1);
    if (f.firstAgentReply)
      this.repliesSeen = reservoir(
        this.replySample,
        f.firstAgentReply,
        this.repliesSeen,
        this.limits.replies,
        this.random,
      );
    if (f.openingText)
      this.textsSeen = reservoir(
        this.textSample,
        f.openingText,
        this.textsSeen,
        this.limits.texts,
        this.random,
      );
  }
}

/** Whether `new Date(epochMs)` is a valid date (within ±8.64e15 ms of the epoch). */
export const isDateTime = (epochMs: number) => Number.isFinite(epochMs) && Math.abs(epochMs) <= 8.64e15;

/** Weeks since the epoch, a week starting on Monday (1970-01-01 was a Thursday). */
export function weekOf(epochMs: number): number {
  return Math.floor((Math.floor(epochMs / 86_400_000) + 3) / 7);
}

/** The Monday a week number starts on, as YYYY-MM-DD. */
export function weekStart(week: number): string {
  return new Date((week * 7 - 3) * 86_400_000).toISOString().slice(0, 10);
}

/** Algorithm R: every item seen has the same chance of being in the sample. Returns the new count seen. */
function reservoir(sample: string[], item: string, seen: number, size: number, random: () => number): number {
  if (sample.length < size) sample.push(item);
  else {
    const j = Math.floor(random() * (seen + 1));
    if (j < size) sample[j] = item;
  }
  return seen + 1;
}

/** Median and 90th percentile; nulls when nothing is known. */
export interface Spread {
  median: number | null;
  p90: number | null;
}

/** The baseline figures of one category, or of the team. */
export interface Baseline {
  tickets: number;
  /** Tickets per calendar month (YYYY-MM), in month order. */
  perMonth: Record<string, number>;
  monthlyVolume: number;
  share: number;
  /** Tickets an agent started; those the customer never answered have no first response and are not in its spread. */
  agentStarted: number;
  firstResponseSeconds: Spread;
  resolutionSeconds: Spread;
  csat: { mean: number | null; count: number };
  handleTimeSeconds: { median: number | null; mean: number | null };
  messagesPerTicket: number;
  medianExchanges: number | null;
  reopenRate: number | null;
  excluded: number;
  exclusionRate: number;
  exclusionsByRule: Record<string, number>;
  /** Share of tickets whose customer text holds each entity type. */
  entityShare: Record<string, number>;
  /** Share of first agent replies that move the conversation to a private channel; null without replies. */
  privateReplyShare: number | null;
}

/**
 * Baselines from an accumulator. `months` is the number of months the audit window spans (shared by every
 * category, so a category seen in one month only is not inflated to a monthly rate).
 */
export function baselineOf(acc: CategoryAccumulator, totalTickets: number, months: number): Baseline {
  const spread = (values: number[]): Spread => {
    const sorted = sortedNumbers(values);
    return { median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9) };
  };
  const handleSorted = sortedNumbers(acc.handle);
  const n = acc.tickets;
  return {
    tickets: n,
    perMonth: Object.fromEntries([...acc.months.entries()].sort(([a], [b]) => a.localeCompare(b))),
    monthlyVolume: months > 0 ? n / months : n,
    share: totalTickets > 0 ? n / totalTickets : 0,
    agentStarted: acc.agentStarted,
    firstResponseSeconds: spread(acc.firstResponse),
    resolutionSeconds: spread(acc.resolution),
    csat: { mean: acc.csatCount ? acc.csatSum / acc.csatCount : null, count: acc.csatCount },
    handleTimeSeconds: {
      median: quantile(handleSorted, 0.5),
      mean: acc.handle.length ? acc.handle.reduce((s, v) => s + v, 0) / acc.handle.length : null,
    },
    messagesPerTicket: n ? acc.messageSum / n : 0,
    medianExchanges: histogramQuantile(acc.exchanges, 0.5),
    reopenRate: acc.reopenKnown ? acc.reopened / acc.reopenKnown : null,
    excluded: acc.excluded,
    exclusionRate: n ? acc.excluded / n : 0,
    exclusionsByRule: Object.fromEntries(acc.byRule),
    entityShare: Object.fromEntries([...acc.entityTickets].map(([k, v]) => [k, n ? v / n : 0])),
    privateReplyShare: acc.replies ? acc.privateReplies / acc.replies : null,
  };
}

/** quantile() over a value -> count histogram, with the same interpolation, without expanding it. */
export function histogramQuantile(histogram: ReadonlyMap<number, number>, q: number): number | null {
  const entries = [...histogram.entries()].filter(([, n]) => n > 0).sort(([a], [b]) => a - b);
  const total = entries.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const pos = (total - 1) * q;
  const valueAt = (rank: number) => {
    let seen = 0;
    for (const [value, n] of entries) {
      seen += n;
      if (rank < seen) return value;
    }
    return (entries[entries.length - 1] as [number, number])[0];
  };
  const lo = valueAt(Math.floor(pos));
  const hi = valueAt(Math.ceil(pos));
  return lo + (hi - lo) * (pos - Math.floor(pos));
}

/** Median and p90 of several accumulators' values together (the team's, from its categories). */
export function mergedSpread(lists: readonly (readonly number[])[]): Spread {
  const merged = new Float64Array(lists.reduce((s, l) => s + l.length, 0));
  let i = 0;
  for (const list of lists) for (const v of list) merged[i++] = v;
  merged.sort();
  return { median: quantile(merged, 0.5), p90: quantile(merged, 0.9) };
}

/** Share of tickets whose message count is within one of the most common count: how alike the threads are. */
export function threadConsistency(acc: CategoryAccumulator): number {
  if (!acc.tickets) return 0;
  let mode = 0;
  let best = -1;
  for (const [count, n] of acc.messageCounts)
    if (n > best || (n === best && count < mode)) [mode, best] = [count, n];
  let near = 0;
  for (const [count, n] of acc.messageCounts) if (Math.abs(count - mode) <= 1) near += n;
  return near / acc.tickets;
}

const PLAN_WORDS = /\b(plan|subscription|upgrade|downgrade|tier)\b/i;

/**
 * Reduces a stored ticket (with messages) to what the audit needs: customer text is the subject plus every
 * customer message; the first agent reply is the earliest public agent message.
 */
export function ticketFacts(
  ticket: StoredTicket,
  extract: (text: string) => Entity[],
  matchRules: (text: string, entities: Entity[]) => string[],
): TicketFacts {
  const messages = ticket.messages ?? [];
  const customerParts: string[] = ticket.subject ? [ticket.subject] : [];
  let firstAgentReply: string | null = null;
  const firstCustomer = messages.find((m) => m.authorRole === 'customer')?.body ?? '';
  for (const m of messages) {
    if (m.authorRole === 'customer') customerParts.push(m.body);
    else if (m.authorRole === 'agent' && m.public && firstAgentReply === null) firstAgentReply = m.body;
  }
  const customerText = customerParts.join('\n');
  const entities = extract(customerText);
  const entityTypes = new Set(entities.map((e) => e.type));
  if (PLAN_WORDS.test(customerText)) entityTypes.add('plan');
  return {
    createdAt: ticket.createdAt,
    agentStarted: ticket.agentStarted,
    firstResponseSeconds: ticket.firstResponseSeconds,
    resolutionSeconds: ticket.resolutionSeconds,
    csatScore: ticket.csatScore,
    handleTimeSeconds: ticket.handleTimeSeconds,
    reopens: ticket.reopens,
    messages: messages.length,
    customerMessages: ticket.customerMessageCount,
    firstAgentReply,
    firstReplyPrivate: firstAgentReply !== null && movesToPrivate(firstAgentReply),
    customerText,
    openingText: cleanCustomerText(ticket.subject, firstCustomer),
    entityTypes,
    exclusions: matchRules(customerText, entities),
  };
}
