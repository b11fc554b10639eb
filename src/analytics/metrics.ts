import { z } from 'zod';
import { quantile, sortedNumbers } from '../shared/index.ts';
import {
  type ConversationFacts,
  DEFAULT_OUTCOME_WINDOWS,
  firstHandover,
  isShadow,
  latestRating,
  type Outcome,
  type OutcomeWindows,
  outcomeOf,
} from './outcomes.ts';
import type { WorkflowAnswers } from './workflow-answers.ts';

/** What a human-handled conversation costs, and how long a person spends on one (docs/metrics.md). */
export const CostInputsSchema = z.object({
  /** The audit's handle time per conversation (median), seconds. */
  handleTimeSeconds: z.number().nonnegative(),
  /** The deployment's cost of one conversation a person handles. */
  costPerHumanConversation: z.number().nonnegative(),
  currency: z.string(),
  /** Where the figures come from, said on every report. */
  source: z.string(),
});
export type CostInputs = z.infer<typeof CostInputsSchema>;

/** The escalation bars the goals set (goals.yaml `escalationBars`), with the guardrails' default thresholds. */
export interface BarSettings {
  maxExchangesBeforeHandoff: number;
  negativeSentimentBelow: number;
  frustrationAbove: number;
}
export const DEFAULT_BARS: BarSettings = {
  maxExchangesBeforeHandoff: 3,
  negativeSentimentBelow: -0.5,
  frustrationAbove: 0.8,
};

const RateSchema = z.number().nullable();
const SpreadSchema = z.object({
  median: z.number().nullable(),
  p90: z.number().nullable(),
  count: z.number(),
});
const CsatSchema = z.object({
  /** Mean rating on the 1-5 scale. */
  mean: z.number().nullable(),
  /** The same on 0..1, as the audit's CSAT baseline: (rating - 1) / 4. */
  score: z.number().nullable(),
  count: z.number(),
});

export const MetricsSchema = z.object({
  /** Conversations started in the period (that match the filter). */
  conversations: z.number(),
  /** The bot spoke in them (not in shadow mode). */
  automated: z.number(),
  /** In shadow mode: the bot drafted, people answered. */
  shadow: z.number(),
  outcomes: z.object({
    confirmed_resolved: z.number(),
    assumed_resolved: z.number(),
    escalated: z.number(),
    abandoned: z.number(),
    reopened: z.number(),
    pending: z.number(),
  }),
  /** Automated conversations with an outcome decided (all but pending): the denominator of the outcome rates. */
  decided: z.number(),
  involvementRate: RateSchema,
  resolutionRate: z.object({ confirmed: RateSchema, assumed: RateSchema, total: RateSchema }),
  automationRate: RateSchema,
  escalationRate: RateSchema,
  escalationsByReason: z.array(z.object({ code: z.string(), count: z.number(), rate: RateSchema })),
  abandonmentRate: RateSchema,
  reopenRate: RateSchema,
  falsePositives: z.object({
    count: z.number(),
    rate: RateSchema,
    saidNo: z.number(),
    reopened: z.number(),
    judgedWrong: z.number(),
  }),
  falseNegatives: z.object({
    count: z.number(),
    /** Of escalated. */
    rate: RateSchema,
    /** An agent marked "the bot could have resolved this" (a conversation may have both reasons). */
    judged: z.number(),
    /** An agent's answer matched a reply line of a workflow the deployment has. */
    matchedWorkflow: z.number(),
    /** Per workflow matched, most first: the conversations, the closest first (5 at most), with the evidence. */
    byWorkflow: z.array(
      z.object({
        workflow: z.string(),
        count: z.number(),
        examples: z.array(
          z.object({
            conversation: z.string(),
            /** The workflow's reply step the agent's answer matched. */
            step: z.string(),
            /** Cosine similarity of the TF-IDF vectors (docs/metrics.md, "False negatives"). */
            similarity: z.number(),
          }),
        ),
      }),
    ),
  }),
  intentAccuracy: z.object({ judged: z.number(), correct: z.number(), rate: RateSchema }),
  drafts: z.object({
    drafts: z.number(),
    asIs: z.number(),
    edited: z.number(),
    discarded: z.number(),
    undecided: z.number(),
  }),
  csat: z.object({ automated: CsatSchema, people: CsatSchema }),
  /** From the customer's first message to the first line of the bot (automated) or of a person (after the hand-off, or from the first message when the bot did not speak); `all`: to the first line of either. */
  firstResponseSeconds: z.object({ bot: SpreadSchema, people: SpreadSchema, all: SpreadSchema }),
  resolutionSeconds: z.object({ bot: SpreadSchema, people: SpreadSchema }),
  cost: z.object({
    peopleHandled: z.number(),
    costPerConversation: RateSchema,
    costWithoutAutomation: z.number(),
    hoursSaved: z.number(),
    costSaved: z.number(),
  }),
  escalationBars: z.object({
    humanRequestNotHandedOver: z.number(),
    exclusionNotHandedOver: z.number(),
    negativeSentimentNotHandedOver: z.number(),
    overMaxExchanges: z.number(),
  }),
});
export type Metrics = z.infer<typeof MetricsSchema>;

export interface MetricsFilter {
  workflow?: string;
  channel?: string;
  segment?: string;
}

/** The value a conversation is grouped under for a dimension (`none` when it has none). */
export function dimensionOf(facts: ConversationFacts, dimension: keyof MetricsFilter): string {
  const value =
    dimension === 'workflow' ? facts.workflow : dimension === 'channel' ? facts.channel : facts.segment;
  return value ?? 'none';
}

export function matchesFilter(facts: ConversationFacts, filter: MetricsFilter): boolean {
  return (['workflow', 'channel', 'segment'] as const).every(
    (d) => filter[d] === undefined || dimensionOf(facts, d) === filter[d],
  );
}

export interface MetricsProps {
  now: number;
  costs: CostInputs;
  windows?: OutcomeWindows;
  bars?: BarSettings;
  /** The deployment's workflows' answers (`workflowAnswersOf`): agents' answers alike are false negatives. */
  workflows?: readonly WorkflowAnswers[];
}

/**
 * Every daily metric of a set of conversations (those started in the period, filtered), from their events as of
 * `now`. Pure. Formulas in docs/metrics.md.
 *
 * @example
 * const facts = await readConversationFacts({ store, from, to });
 * const m = computeMetrics(facts.filter((f) => matchesFilter(f, { channel: 'widget' })), { now, costs });
 * m.automationRate; // involvement x resolution
 */
export function computeMetrics(all: readonly ConversationFacts[], props: MetricsProps): Metrics {
  const { now, costs } = props;
  const windows = props.windows ?? DEFAULT_OUTCOME_WINDOWS;
  const bars = props.bars ?? DEFAULT_BARS;
  const facts = all.map((f) => ({
    ...f,
    events: f.events.filter((e) => e.at <= now),
    messages: f.messages.filter((m) => m.at <= now && !m.pending),
  }));
  const outcomes = new Map<string, Outcome>();
  for (const f of facts) {
    const o = outcomeOf(f, { now, windows, ...(props.workflows ? { workflows: props.workflows } : {}) });
    if (o) outcomes.set(f.id, o);
  }
  const automated = outcomes.size;
  const count = (kind: Outcome['kind']) => [...outcomes.values()].filter((o) => o.kind === kind).length;
  const outcomeCounts = {
    confirmed_resolved: count('confirmed_resolved'),
    assumed_resolved: count('assumed_resolved'),
    escalated: count('escalated'),
    abandoned: count('abandoned'),
    reopened: count('reopened'),
    pending: count('pending'),
  };
  const decided = automated - outcomeCounts.pending;
  const over = (n: number, d: number) => (d > 0 ? n / d : null);
  const involvementRate = over(automated, facts.length);
  const resolved = outcomeCounts.confirmed_resolved + outcomeCounts.assumed_resolved;
  const resolutionTotal = over(resolved, decided);

  const byCode = new Map<string, number>();
  for (const o of outcomes.values()) {
    if (o.kind === 'escalated' && o.code) byCode.set(o.code, (byCode.get(o.code) ?? 0) + 1);
  }
  const fp = [...outcomes.values()].filter((o) => o.falsePositive.length > 0);
  const fpWith = (reason: string) => fp.filter((o) => o.falsePositive.includes(reason as never)).length;
  const fn = [...outcomes.entries()].filter(([, o]) => o.kind === 'escalated' && o.falseNegative);

  // Who handled what: people handled a conversation the bot did not speak in, or that went to a person.
  const people = facts.filter((f) => !outcomes.has(f.id) || firstHandover(f) !== null);
  const botOnly = facts.filter((f) => outcomes.has(f.id) && firstHandover(f) === null);

  const ratings = (list: readonly ConversationFacts[]) => {
    const values = list.map((f) => latestRating(f.events)).filter((r): r is number => r !== null);
    const mean = values.length ? values.reduce((s, v) => s + v, 0) / values.length : null;
    return {
      mean: mean === null ? null : round(mean, 3),
      score: mean === null ? null : round((mean - 1) / 4, 3),
      count: values.length,
    };
  };

  const botFirst: number[] = [];
  const botResolution: number[] = [];
  for (const f of facts) {
    const o = outcomes.get(f.id);
    if (!o) continue;
    const firstCustomer = f.messages.find((m) => m.role === 'customer');
    const firstBot = firstCustomer && f.messages.find((m) => m.role === 'bot' && m.at >= firstCustomer.at);
    if (firstCustomer && firstBot) botFirst.push((firstBot.at - firstCustomer.at) / 1000);
    if (
      (o.kind === 'confirmed_resolved' || o.kind === 'assumed_resolved') &&
      o.at !== null &&
      o.firstCustomerAt !== null
    ) {
      botResolution.push((o.at - o.firstCustomerAt) / 1000);
    }
  }
  const anyFirst: number[] = [];
  for (const f of facts) {
    const firstCustomer = f.messages.find((m) => m.role === 'customer');
    if (!firstCustomer) continue;
    // Only an automated conversation's bot lines answer: in shadow mode, or stopped by the kill switch, the bot
    // said only the hand-off line and a person gave the answer.
    const automatedHere = outcomes.has(f.id);
    const reply = f.messages.find(
      (m) => m.at >= firstCustomer.at && (m.role === 'agent' || (m.role === 'bot' && automatedHere)),
    );
    if (reply) anyFirst.push((reply.at - firstCustomer.at) / 1000);
  }
  const peopleFirst: number[] = [];
  const peopleResolution: number[] = [];
  for (const f of people) {
    const from = firstHandover(f)?.at ?? f.messages.find((m) => m.role === 'customer')?.at;
    if (from === undefined) continue;
    const reply = f.messages.find((m) => m.role === 'agent' && m.at >= from);
    if (reply) peopleFirst.push((reply.at - from) / 1000);
    // An inbox close says whether it was resolved; a helpdesk's close (a status change by someone) is taken as resolved.
    const inboxClosed = f.events.filter((e) => e.at >= from && e.type === 'agent.closed');
    const closed = inboxClosed.length
      ? inboxClosed.find((e) => e.payload.resolved === true)
      : f.events.find(
          (e) =>
            e.at >= from &&
            e.type === 'conversation.status_changed' &&
            (e.payload.to === 'resolved' || e.payload.to === 'closed') &&
            e.payload.by !== undefined,
        );
    if (closed) peopleResolution.push((closed.at - from) / 1000);
  }

  const peopleHandled = people.length;
  return {
    conversations: facts.length,
    automated,
    shadow: facts.filter(isShadow).length,
    outcomes: outcomeCounts,
    decided,
    involvementRate: r(involvementRate),
    resolutionRate: {
      confirmed: r(over(outcomeCounts.confirmed_resolved, decided)),
      assumed: r(over(outcomeCounts.assumed_resolved, decided)),
      total: r(resolutionTotal),
    },
    automationRate: r(
      involvementRate === null || resolutionTotal === null ? null : involvementRate * resolutionTotal,
    ),
    escalationRate: r(over(outcomeCounts.escalated, decided)),
    escalationsByReason: [...byCode.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([code, n]) => ({ code, count: n, rate: r(over(n, decided)) })),
    abandonmentRate: r(over(outcomeCounts.abandoned, decided)),
    reopenRate: r(over(outcomeCounts.reopened, decided)),
    falsePositives: {
      count: fp.length,
      rate: r(over(fp.length, automated)),
      saidNo: fpWith('said_no'),
      reopened: fpWith('reopened'),
      judgedWrong: fpWith('judged_wrong'),
    },
    falseNegatives: falseNegatives(fn, outcomeCounts.escalated),
    intentAccuracy: intentAccuracy(facts),
    drafts: drafts(facts),
    csat: { automated: ratings(botOnly), people: ratings(people) },
    firstResponseSeconds: { bot: spread(botFirst), people: spread(peopleFirst), all: spread(anyFirst) },
    resolutionSeconds: { bot: spread(botResolution), people: spread(peopleResolution) },
    cost: {
      peopleHandled,
      costPerConversation: r(over(peopleHandled * costs.costPerHumanConversation, facts.length), 2),
      costWithoutAutomation: round(costs.costPerHumanConversation, 2),
      hoursSaved: round((resolved * costs.handleTimeSeconds) / 3600, 2),
      costSaved: round(resolved * costs.costPerHumanConversation, 2),
    },
    escalationBars: escalationBars(facts, outcomes, bars),
  };
}

/** False negatives by reason, and per workflow matched with the closest conversations as evidence. */
function falseNegatives(fn: ReadonlyArray<[string, Outcome]>, escalated: number): Metrics['falseNegatives'] {
  const byWorkflow = new Map<string, Array<{ conversation: string; step: string; similarity: number }>>();
  for (const [conversation, o] of fn) {
    const m = o.falseNegativeWhy?.matched;
    if (!m) continue;
    const list = byWorkflow.get(m.workflow) ?? [];
    list.push({ conversation, step: m.step, similarity: m.similarity });
    byWorkflow.set(m.workflow, list);
  }
  return {
    count: fn.length,
    rate: r(escalated > 0 ? fn.length / escalated : null),
    judged: fn.filter(([, o]) => o.falseNegativeWhy?.judged).length,
    matchedWorkflow: fn.filter(([, o]) => o.falseNegativeWhy?.matched).length,
    byWorkflow: [...byWorkflow.entries()]
      .map(([workflow, list]) => ({
        workflow,
        count: list.length,
        examples: list
          .sort((a, b) => b.similarity - a.similarity || a.conversation.localeCompare(b.conversation))
          .slice(0, 5),
      }))
      .sort((a, b) => b.count - a.count || a.workflow.localeCompare(b.workflow)),
  };
}

/**
 * Agents' intent corrections (`agent.judgement` with `seq` and `intent`): the newest per customer turn, compared
 * with what the NLU accepted (its intent when `accepted`, else none).
 */
function intentAccuracy(facts: readonly ConversationFacts[]) {
  let judged = 0;
  let correct = 0;
  for (const f of facts) {
    const named = new Map<number, string | null>();
    for (const e of f.events) {
      const p = e.payload;
      if (e.type !== 'agent.judgement' || typeof p.seq !== 'number' || !('intent' in p)) continue;
      if (typeof p.intent === 'string' || p.intent === null) named.set(p.seq, p.intent);
    }
    for (const [seq, intent] of named) {
      const analysis = f.messages.find((m) => m.seq === seq && m.role === 'customer')?.analysis;
      if (!analysis) continue;
      const predicted = analysis.reason === 'accepted' ? analysis.intent : null;
      judged++;
      if (predicted === intent) correct++;
    }
  }
  return { judged, correct, rate: r(judged ? correct / judged : null) };
}

/** Shadow drafts and what agents did with each (the newest `shadow.draft_used` of a draft wins). */
function drafts(facts: readonly ConversationFacts[]) {
  let total = 0;
  const how = new Map<string, string>();
  for (const f of facts) {
    for (const e of f.events) {
      if (e.type === 'shadow.draft') total++;
      else if (e.type === 'shadow.draft_used' && typeof e.payload.how === 'string') {
        how.set(`${f.id}\u0000${String(e.payload.draftId)}`, e.payload.how);
      }
    }
  }
  const n = (h: string) => [...how.values()].filter((v) => v === h).length;
  const asIs = n('as_is');
  const edited = n('edited');
  const discarded = n('discarded');
  return {
    drafts: total,
    asIs,
    edited,
    discarded,
    undecided: Math.max(0, total - asIs - edited - discarded),
  };
}

/**
 * The escalation bars, as conversations that broke them: a customer turn asked for a person, matched an exclusion
 * rule, or was upset past the thresholds, and no hand-off followed; or more than `maxExchangesBeforeHandoff`
 * customer turns in a row stayed at the same workflow step without an escalation.
 */
function escalationBars(
  facts: readonly ConversationFacts[],
  outcomes: Map<string, Outcome>,
  bars: BarSettings,
) {
  let human = 0;
  let exclusion = 0;
  let negative = 0;
  let stuck = 0;
  for (const f of facts) {
    if (!outcomes.has(f.id)) continue;
    const handover = firstHandover(f);
    const unanswered = (test: (a: NonNullable<(typeof f.messages)[number]['analysis']>) => boolean) =>
      f.messages.some(
        (m) =>
          m.role === 'customer' &&
          m.analysis &&
          test(m.analysis) &&
          (handover === null || handover.at < m.at),
      );
    if (unanswered((a) => a.humanRequested)) human++;
    if (unanswered((a) => a.exclusions.length > 0)) exclusion++;
    if (
      unanswered(
        (a) =>
          a.sentiment.score <= bars.negativeSentimentBelow ||
          a.sentiment.frustration >= bars.frustrationAbove,
      )
    )
      negative++;
    let run = 0;
    let last: string | null = null;
    let broke = false;
    for (const e of f.events) {
      if (e.type !== 'conversation.turn' || e.payload.silent === true) continue;
      const at =
        typeof e.payload.step === 'string' ? `${String(e.payload.workflow)}\u0000${e.payload.step}` : null;
      run = at !== null && at === last ? run + 1 : 1;
      last = at;
      if (e.payload.guardrail === 'escalate') run = 0;
      if (at !== null && run > bars.maxExchangesBeforeHandoff) broke = true;
    }
    if (broke) stuck++;
  }
  return {
    humanRequestNotHandedOver: human,
    exclusionNotHandedOver: exclusion,
    negativeSentimentNotHandedOver: negative,
    overMaxExchanges: stuck,
  };
}

function spread(values: number[]) {
  const sorted = sortedNumbers(values);
  const q = (p: number) => {
    const v = quantile(sorted, p);
    return v === null ? null : round(v, 1);
  };
  return { median: q(0.5), p90: q(0.9), count: values.length };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function r(v: number | null, digits = 4): number | null {
  return v === null ? null : round(v, digits);
}
