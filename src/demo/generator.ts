import type { Priority } from '../domain/ticket.ts';
import { BugError } from '../shared/index.ts';
import { replyKeyFor } from './agent-replies.ts';
import { createArrivals, DAY_MS, HOUR_MS, isWorkingTime, MINUTE_MS, nextWorkingTime } from './calendar.ts';
import {
  CATEGORY_PROFILES,
  CATEGORY_TABLE,
  type CategoryProfile,
  DEMO_CATEGORIES,
  type DemoCategory,
} from './categories.ts';
import {
  agentMessage,
  agentNote,
  firstCustomerMessage,
  laterCustomerMessage,
  planTurns,
  subjectLine,
  type Turn,
  type Voicing,
} from './conversation.ts';
import { customerAt } from './customers.ts';
import type { DemoChannel, DemoMessage, DemoStatus, DemoTicket } from './demo-ticket.ts';
import { COMPILED, COMPILED_CUSTOMER_SCRIPTS, type CompiledVariant } from './phrasings.ts';
import { createRandom, type Random, type WeightedTable, weightedTable } from './random.ts';
import { AGENTS, type DemoAgent, type SupportGroup } from './shop.ts';
import { ticketFacts } from './slots.ts';
import { fill, type SlotValues } from './template.ts';
import { injectTypos } from './typos.ts';
import { missingOrderNumber, orderForStory, type WorldOrderStatus } from './world.ts';

export interface DemoOptions {
  tickets: number;
  seed: number | string;
  /** Forces exactly this many messages on every ticket (the import benchmark wants exactly 3). */
  messagesPerTicket?: number;
  /** Share of customer words misspelt (default 0.012); customers differ, this is the average. */
  typoRate?: number;
  /** The moment the history is exported: tickets are spread over the `windowDays` before it. */
  anchorMs?: number;
  windowDays?: number;
}

/** 2026-10-31T23:59:59Z: fixed, so the same seed gives the same file whenever it is run. */
export const DEFAULT_ANCHOR_MS = Date.UTC(2026, 9, 31, 23, 59, 59);
export const DEFAULT_TYPO_RATE = 0.012;
const FIRST_TICKET_ID = 100_001;
const FIRST_MESSAGE_ID = 50_000_001;
/** Zendesk closes solved tickets after 4 days without activity. */
const AUTO_CLOSE_MS = 4 * DAY_MS;
const CSAT_SHARE = 0.4;

const CHANNELS = weightedTable<DemoChannel>([
  ['email', 50],
  ['web', 28],
  ['chat', 15],
  ['social', 7],
]);
const ROUTINE_LENGTHS = weightedTable<number>([
  [2, 50],
  [3, 33],
  [4, 17],
]);
const COMPLEX_LENGTHS = weightedTable<number>([
  [3, 20],
  [4, 28],
  [5, 20],
  [6, 14],
  [7, 10],
  [8, 8],
]);
const PRIORITY_ORDER: readonly Priority[] = ['low', 'normal', 'high', 'urgent'];
/** Share of tickets about an order whose customer types a number that is no order (misremembered). */
const WRONG_NUMBER_SHARE = 0.05;

/**
 * The statuses, most wanted first, that the order a ticket is about had when the customer wrote: a parcel
 * that is late has shipped or is still processing, a refund follows a delivery, a cancellation mostly comes
 * before shipping. Tickets not about an order (a password reset that names one) take the newest order.
 */
function storyStatuses(rng: Random, category: DemoCategory): readonly WorldOrderStatus[] {
  switch (category) {
    case 'order_status':
      return rng.chance(0.6) ? ['shipped', 'processing'] : ['processing', 'shipped'];
    case 'shipping_delay':
      return rng.chance(0.8) ? ['shipped', 'processing'] : ['processing', 'shipped'];
    case 'order_change':
      return ['processing', 'shipped'];
    case 'order_cancellation':
      return rng.chance(0.8) ? ['processing', 'shipped'] : ['shipped', 'processing'];
    case 'refund_request':
      return ['delivered'];
    case 'invoice_request':
    case 'complaint':
      return ['delivered', 'shipped'];
    default:
      return [];
  }
}

const VARIANT_TABLES = Object.fromEntries(
  DEMO_CATEGORIES.map((c) => [
    c,
    weightedTable(COMPILED_CUSTOMER_SCRIPTS[c].map((v) => [v, v.weight] as const)),
  ]),
) as Record<(typeof DEMO_CATEGORIES)[number], WeightedTable<CompiledVariant>>;

const AGENTS_BY_GROUP = new Map<SupportGroup, { all: DemoAgent[]; senior: DemoAgent[] }>();
for (const agent of AGENTS) {
  const entry = AGENTS_BY_GROUP.get(agent.group) ?? { all: [], senior: [] };
  entry.all.push(agent);
  if (agent.senior) entry.senior.push(agent);
  AGENTS_BY_GROUP.set(agent.group, entry);
}

/** Throws a BugError for options no caller should pass (the CLI checks its flags before this). */
export function validateDemoOptions(options: DemoOptions): void {
  const { tickets, messagesPerTicket, typoRate } = options;
  if (!Number.isSafeInteger(tickets) || tickets < 0) {
    throw new BugError('demo.bad_options', `tickets must be a whole number >= 0, got ${tickets}`);
  }
  if (
    messagesPerTicket !== undefined &&
    (!Number.isSafeInteger(messagesPerTicket) || messagesPerTicket < 1)
  ) {
    throw new BugError(
      'demo.bad_options',
      `messagesPerTicket must be a whole number >= 1, got ${messagesPerTicket}`,
    );
  }
  if (typoRate !== undefined && !(typoRate >= 0 && typoRate <= 1)) {
    throw new BugError('demo.bad_options', `typoRate must be between 0 and 1, got ${typoRate}`);
  }
}

/**
 * A believable helpdesk history for the fictional shop, one ticket at a time and in creation order, so a
 * million tickets need no more memory than one. Pure: the same options always give the same tickets.
 *
 * @example
 * for (const ticket of generateDemoTickets({ tickets: 1000, seed: 7 })) console.log(ticket.category);
 */
export function* generateDemoTickets(options: DemoOptions): Generator<DemoTicket> {
  validateDemoOptions(options);
  const seed = String(options.seed);
  const anchorMs = options.anchorMs ?? DEFAULT_ANCHOR_MS;
  const windowMs = (options.windowDays ?? 183) * DAY_MS;
  const typoRate = options.typoRate ?? DEFAULT_TYPO_RATE;
  const rng = createRandom(seed);
  // Typos draw from their own stream, so changing the rate changes the typos and nothing else.
  const typoRng = createRandom(`${seed}:typos`);
  const arrivals = createArrivals({
    startMs: anchorMs - windowMs,
    endMs: anchorMs,
    count: options.tickets,
    rng: createRandom(`${seed}:arrivals`),
  });
  const poolSize = Math.max(1, Math.round(options.tickets / 3));
  let messageId = FIRST_MESSAGE_ID;
  for (let i = 0; i < options.tickets; i++) {
    const ticket = buildTicket({
      rng,
      typoRng,
      typoRate,
      seed,
      id: FIRST_TICKET_ID + i,
      createdAt: arrivals.next(),
      anchorMs,
      // Skewed towards the start of the pool: a few customers write often, many write once.
      customerIndex: Math.floor(poolSize * rng.next() ** 1.6),
      firstMessageId: messageId,
      messagesPerTicket: options.messagesPerTicket,
    });
    messageId += ticket.messages.length;
    yield ticket;
  }
}

interface BuildProps {
  rng: Random;
  typoRng: Random;
  typoRate: number;
  seed: string;
  id: number;
  createdAt: number;
  anchorMs: number;
  customerIndex: number;
  firstMessageId: number;
  messagesPerTicket: number | undefined;
}

interface TypoCount {
  rate: number;
  rng: Random;
  count: number;
}

function withTypos(state: TypoCount, text: string): string {
  const result = injectTypos(text, state.rate, state.rng);
  state.count += result.typos;
  return result.text;
}

function pickAgent(rng: Random, profile: CategoryProfile): { agent: DemoAgent; group: SupportGroup } {
  const group = rng.weighted(profile.groups);
  const pool = AGENTS_BY_GROUP.get(group) ?? { all: [...AGENTS], senior: [] };
  const fromSenior = profile.complex && pool.senior.length > 0 && rng.chance(0.7);
  return { agent: rng.pick(fromSenior ? pool.senior : pool.all), group };
}

function buildTicket(p: BuildProps): DemoTicket {
  const { rng, createdAt, anchorMs } = p;
  const category = rng.weighted(CATEGORY_TABLE);
  const profile = CATEGORY_PROFILES[category];
  const variant = rng.weighted(VARIANT_TABLES[category]);
  const customerProfile = customerAt(p.seed, p.customerIndex);
  const { customer } = customerProfile;
  const channel: DemoChannel =
    category === 'legal' ? (rng.chance(0.8) ? 'email' : 'web') : rng.weighted(CHANNELS);
  const angry = rng.chance(profile.angerRate);
  const { agent, group } = pickAgent(rng, profile);
  const staff = rng.pick(AGENTS);
  const order = orderForStory({
    seed: p.seed,
    customer: { ...customerProfile, index: p.customerIndex },
    createdAt,
    prefer: storyStatuses(rng, category),
  });
  const wrongNumber = profile.aboutOrder && rng.chance(WRONG_NUMBER_SHARE);
  const facts = ticketFacts({
    rng,
    profile: customerProfile,
    order,
    writtenOrder: wrongNumber ? missingOrderNumber(rng) : null,
    agentFirstName: agent.name.split(' ')[0] as string,
    staffFirstName: staff.name.split(' ')[0] as string,
  });

  const voicing: Voicing = {
    rng,
    values: facts.values,
    variant,
    channel,
    voice: customerProfile.voice,
    angry,
    firstName: customer.firstName,
    fullName: customer.name,
    agent,
    used: new Set(),
  };

  const count = p.messagesPerTicket ?? rng.weighted(profile.complex ? COMPLEX_LENGTHS : ROUTINE_LENGTHS);
  let turns = planTurns(count, profile.complex && rng.chance(0.4));
  const stalled = rng.chance(profile.stallRate);
  if (stalled && p.messagesPerTicket === undefined && turns.length > 2) {
    // Stalled threads end either on the agent waiting for an answer that never comes (pending) or on a
    // customer follow-up nobody picked up (open).
    const wantLast: Turn = rng.chance(0.6) ? 'agent' : 'customer';
    while (turns.length > 2 && turns.at(-1) !== wantLast) turns = turns.slice(0, -1);
  }

  const times = timeline({ rng, turns, createdAt, profile, channel, plan: customer.plan });
  let truncated = false;
  if ((times.at(-1) as number) > anchorMs) {
    truncated = true;
    if (p.messagesPerTicket === undefined) {
      // The export was taken mid-conversation: later messages have not happened yet.
      let keep = 1;
      while (keep < times.length && (times[keep] as number) <= anchorMs) keep++;
      turns = turns.slice(0, keep);
      times.length = keep;
    } else {
      squeeze(times, createdAt, anchorMs);
    }
  }

  const typos: TypoCount = { rate: p.typoRate * customerProfile.sloppiness, rng: p.typoRng, count: 0 };
  const subjectRaw = subjectLine(voicing);
  const subject = subjectRaw === null ? null : withTypos(typos, subjectRaw);

  const replyKey = replyKeyFor(variant.replyKey, order.status);
  const messages: DemoMessage[] = [];
  let agentReplies = 0;
  for (let t = 0; t < turns.length; t++) {
    const turn = turns[t] as Turn;
    let body: string;
    if (turn === 'customer') {
      body = withTypos(
        typos,
        t === 0
          ? firstCustomerMessage(voicing)
          : laterCustomerMessage(voicing, t === turns.length - 1 && !truncated && !stalled),
      );
    } else if (turn === 'agent') {
      body = agentMessage(voicing, replyKey, agentReplies === 0);
      agentReplies++;
    } else {
      body = agentNote(voicing, replyKey);
    }
    messages.push({
      id: p.firstMessageId + t,
      authorRole: turn === 'customer' ? 'customer' : 'agent',
      authorId: turn === 'customer' ? customer.id : agent.id,
      body,
      createdAt: times[t] as number,
      public: turn !== 'note',
    });
  }

  const lastTurn = turns.at(-1) as Turn;
  const lastAt = times.at(-1) as number;
  let firstReply: DemoMessage | undefined;
  for (const m of messages) {
    if (m.authorRole === 'agent' && m.public) {
      firstReply = m;
      break;
    }
  }
  const { resolvedAt, closedAt, status } = settle({
    rng,
    open: stalled || truncated || !firstReply,
    answered: firstReply !== undefined,
    lastTurn,
    lastAt,
    anchorMs,
  });
  const rating =
    resolvedAt !== null && rng.chance(CSAT_SHARE)
      ? rate({
          rng,
          profile,
          angry,
          plan: customer.plan,
          createdAt,
          firstReplyAt: firstReply?.createdAt ?? createdAt,
          resolvedAt,
          values: facts.values,
        })
      : { csat: null, csatComment: null };

  const handleTimeSeconds = agentReplies === 0 ? null : handleTime(rng, profile, agentReplies);
  const tags = [...profile.tags, ...variant.tags];
  if (category === 'refund_request') {
    tags.push(facts.amount < 50 ? 'refund_small' : facts.amount < 250 ? 'refund_medium' : 'refund_large');
  }
  if (customer.plan === 'enterprise') tags.push('vip');
  if (customer.plan === 'business' || customer.plan === 'enterprise') tags.push('b2b');
  if (angry) tags.push('upset');

  return {
    id: p.id,
    subject,
    channel,
    status,
    priority: priorityFor(rng, profile, customer.plan, category === 'refund_request' && facts.amount >= 300),
    type: profile.type,
    tags,
    category,
    customer,
    assignee: firstReply || rng.chance(0.3) ? agent : null,
    group,
    orderId: profile.aboutOrder ? facts.orderId : null,
    createdAt,
    updatedAt: Math.max(lastAt, closedAt ?? resolvedAt ?? 0),
    firstResponseAt: firstReply?.createdAt ?? null,
    resolvedAt,
    closedAt,
    ...rating,
    handleTimeSeconds,
    messages,
    truth: {
      category,
      complex: profile.complex,
      angry,
      typos: typos.count,
      orderStatus: order.status,
      wrongOrderNumber: wrongNumber,
    },
  };
}

/**
 * How the thread ends: solved a little after the last agent reply (or after the customer's thanks), closed
 * four days later, unless the export came first; otherwise new, open (customer waiting) or pending (agent
 * waiting).
 */
function settle(props: {
  rng: Random;
  open: boolean;
  answered: boolean;
  lastTurn: Turn;
  lastAt: number;
  anchorMs: number;
}): { resolvedAt: number | null; closedAt: number | null; status: DemoStatus } {
  const { rng, lastTurn, lastAt, anchorMs } = props;
  let resolvedAt: number | null = null;
  if (!props.open) {
    resolvedAt =
      lastTurn === 'customer'
        ? nextWorkingTime(lastAt + Math.round(rng.lognormal(40, 0.8)) * MINUTE_MS)
        : lastAt + rng.int(0, 120) * 1000;
    if (resolvedAt > anchorMs) resolvedAt = null;
  }
  if (resolvedAt === null) {
    const status = !props.answered ? 'new' : lastTurn === 'customer' ? 'open' : 'pending';
    return { resolvedAt, closedAt: null, status };
  }
  const closedAt = resolvedAt + AUTO_CLOSE_MS + rng.int(0, 6 * 3600) * 1000;
  return closedAt > anchorMs
    ? { resolvedAt, closedAt: null, status: 'resolved' }
    : { resolvedAt, closedAt, status: 'closed' };
}

/** A 1-5 rating around the category's mean, lower after a slow first reply, a long wait or an angry start. */
function rate(props: {
  rng: Random;
  profile: CategoryProfile;
  angry: boolean;
  plan: string;
  createdAt: number;
  firstReplyAt: number;
  resolvedAt: number;
  values: SlotValues;
}): { csat: number; csatComment: string | null } {
  const { rng, createdAt } = props;
  const firstResponseHours = (props.firstReplyAt - createdAt) / HOUR_MS;
  const resolutionDays = (props.resolvedAt - createdAt) / DAY_MS;
  const mean =
    props.profile.csatMean -
    (firstResponseHours > 24 ? 0.8 : firstResponseHours > 8 ? 0.4 : 0) -
    (resolutionDays > 3 ? 0.4 : 0) -
    (props.angry ? 0.4 : 0) +
    (props.plan === 'enterprise' ? 0.1 : 0);
  const csat = Math.min(5, Math.max(1, Math.round(rng.normal(mean, 0.8))));
  const comment = rng.chance(0.3)
    ? fill(rng.pick(csat >= 4 ? COMPILED.csatGood : COMPILED.csatBad), props.values)
    : null;
  return { csat, csatComment: comment };
}

/**
 * When each message is written. Agents answer in working hours (most replies to a Friday-night message come
 * on Monday), chat is answered in minutes, customers write back whenever suits them.
 */
function timeline(props: {
  rng: Random;
  turns: readonly Turn[];
  createdAt: number;
  profile: CategoryProfile;
  channel: DemoChannel;
  plan: string;
}): number[] {
  const { rng, turns, createdAt, profile, channel } = props;
  const live = channel === 'chat' || channel === 'social';
  const speed = (live ? 0.1 : 1) * (props.plan === 'enterprise' ? 0.6 : 1);
  const times = [createdAt];
  let previous = createdAt;
  for (let t = 1; t < turns.length; t++) {
    const turn = turns[t];
    let gapMinutes: number;
    let working = false;
    if (turn === 'customer') {
      gapMinutes = rng.lognormal(live ? 4 : 180, 1.2);
    } else if (turn === 'note') {
      gapMinutes = rng.lognormal(20, 0.8);
      working = true;
    } else if (t === 1) {
      const { median, sigma } = profile.firstResponseMinutes;
      gapMinutes = rng.lognormal(median * speed, sigma);
      working = true;
    } else {
      gapMinutes = rng.lognormal(profile.agentGapMinutes * speed * (turns[t - 1] === 'note' ? 0.5 : 1), 1);
      working = true;
    }
    let at = previous + Math.max(1000, Math.round(gapMinutes * 60) * 1000);
    if (working && !isWorkingTime(at) && rng.chance(0.85)) {
      at = nextWorkingTime(at) + Math.round(rng.lognormal(15, 0.8) * 60) * 1000;
    }
    times.push(at);
    previous = at;
  }
  return times;
}

/** Fits a forced-length thread before the export moment, keeping every message at least a second apart. */
function squeeze(times: number[], createdAt: number, anchorMs: number): void {
  const last = times.at(-1) as number;
  const room = Math.max(0, anchorMs - createdAt);
  const scale = last > createdAt ? room / (last - createdAt) : 0;
  let previous = createdAt;
  for (let t = 1; t < times.length; t++) {
    const scaled = createdAt + Math.floor((((times[t] as number) - createdAt) * scale) / 1000) * 1000;
    previous = Math.max(previous + 1000, scaled);
    times[t] = previous;
  }
}

function priorityFor(rng: Random, profile: CategoryProfile, plan: string, largeRefund: boolean): Priority {
  let index = PRIORITY_ORDER.indexOf(rng.weighted(profile.priority));
  if (plan === 'enterprise' && rng.chance(0.5)) index++;
  if (largeRefund) index = Math.max(index, 2);
  return PRIORITY_ORDER[Math.min(index, PRIORITY_ORDER.length - 1)] as Priority;
}

/** Routine tickets take 3-6 minutes of an agent's time; complex ones 15-60. */
function handleTime(rng: Random, profile: CategoryProfile, agentReplies: number): number {
  const extra = 1 + (profile.complex ? 0.1 : 0.15) * (agentReplies - 1);
  const [low, high] = profile.complex ? [900, 3600] : [180, 360];
  return Math.round(
    Math.min(high, Math.max(low, rng.lognormal(profile.handleSeconds, profile.complex ? 0.35 : 0.2) * extra)),
  );
}
