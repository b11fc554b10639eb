import type { StoredConversationMessage, StoredEvent } from '../store/index.ts';
import { type AnswerMatch, answerMatcher, type WorkflowAnswers } from './workflow-answers.ts';

/** The windows outcomes are read with (docs/metrics.md). */
export interface OutcomeWindows {
  /** No customer message this long after the bot's answer: the answer is assumed to have resolved it. */
  assumeAfterMs: number;
  /** A customer message this soon after a resolution takes the resolution back (reopened). */
  reopenWithinMs: number;
}

export const DEFAULT_OUTCOME_WINDOWS: OutcomeWindows = {
  assumeAfterMs: 24 * 3_600_000,
  reopenWithinMs: 72 * 3_600_000,
};

/** What the analytics read of one conversation: its row's facts, its events and its transcript (no text used). */
export interface ConversationFacts {
  id: string;
  channel: string;
  /** The customer's segment from the profile, null when the profile has none. */
  segment: string | null;
  /** The customer's name from the profile: masked wherever the review shows what an agent wrote. */
  customerName?: string | null;
  /** The workflow the conversation's first turn ran, else the conversation's workflow, else null. */
  workflow: string | null;
  startedAt: number;
  /** The conversation's events in id order. */
  events: readonly StoredEvent[];
  /**
   * The transcript in seq order. The metrics read roles, times, kinds and analyses; the text only of agents'
   * lines (compared with the workflows' answers) and, in the weekly review, what customers and agents wrote.
   */
  messages: readonly StoredConversationMessage[];
}

export type OutcomeKind =
  | 'confirmed_resolved'
  | 'assumed_resolved'
  | 'escalated'
  | 'abandoned'
  | 'reopened'
  /** Not decided yet: a window has not passed, or the bot still owes an answer. */
  | 'pending';

export type FalsePositiveReason = 'said_no' | 'reopened' | 'judged_wrong';

export interface Outcome {
  kind: OutcomeKind;
  /** For `escalated`: the escalation code of the first hand-off (`taken_over`: a person took it without one). */
  code: string | null;
  /** When the outcome was decided (the resolution, the hand-off, the answer the customer left after); null when pending. */
  at: number | null;
  /** The customer's first message (the clock of first response and resolution time). */
  firstCustomerAt: number | null;
  /** Why this automated conversation is a false positive (empty: it is not one). */
  falsePositive: FalsePositiveReason[];
  /**
   * Escalated, and an agent marked "the bot could have resolved this", or an agent's answer matched a line of a
   * workflow the deployment has (when the workflows were given).
   */
  falseNegative: boolean;
  /** The evidence of a false negative (null when it is not one): the agent's judgement, the workflow matched. */
  falseNegativeWhy: FalseNegativeWhy | null;
}

export interface FalseNegativeWhy {
  /** An `agent.judgement` with `couldHaveResolved: true`. */
  judged: boolean;
  /** The agent's message (after the hand-off) that matched a workflow's reply line. */
  matched: AnswerMatch | null;
}

/** The bot's lines that answer (everything except asking for a detail or a rephrase, and the hand-off line). */
const ASKING_KINDS = new Set(['ask', 'clarify']);

/**
 * Whether the bot spoke to the customer in the conversation: a bot line, not in shadow mode (there the bot's lines
 * were drafts for an agent, so people handled it), and not stopped by the kill switch before it said anything but
 * the hand-off line (`automation_paused`).
 */
export function isAutomated(facts: ConversationFacts): boolean {
  if (isShadow(facts)) return false;
  const bot = facts.messages.filter((m) => m.role === 'bot');
  if (bot.length === 0) return false;
  const handover = firstHandover(facts);
  return !(handover?.code === 'automation_paused' && bot.every((m) => m.kind === 'escalate'));
}

/** In shadow mode: a draft (`shadow.draft`), a turn of the shadow pilot, or the `shadow_mode` hand-off. */
export function isShadow(facts: ConversationFacts): boolean {
  return facts.events.some(
    (e) =>
      e.type === 'shadow.draft' ||
      (e.type === 'conversation.turn' && e.payload.pilot === 'shadow') ||
      (e.type === 'handoff.created' && e.payload.code === 'shadow_mode'),
  );
}

/** When a person first took the conversation: its first hand-off, or an owner change to `human` by someone. */
export function firstHandover(facts: ConversationFacts): { at: number; code: string } | null {
  for (const e of facts.events) {
    if (e.type === 'handoff.created') return { at: e.at, code: String(e.payload.code ?? 'unknown') };
    if (e.type === 'conversation.owner_changed' && e.payload.to === 'human' && e.payload.by !== undefined) {
      return { at: e.at, code: 'taken_over' };
    }
  }
  return null;
}

/**
 * The one outcome of an automated conversation, read from its events and transcript as of `now` (events and
 * messages after `now` are ignored, so any past moment can be recomputed). Pure. Undefined for a conversation
 * the bot did not speak in. The rules, in order (docs/metrics.md, "Outcomes"):
 *
 * 1. The resolution point: the first of the bot's own resolution (`conversation.status_changed` to `resolved`
 *    without `by`), the customer's "yes" to "Did this resolve your issue?", or an answer of the bot (a line that
 *    is not `ask`, `clarify` or the hand-off) followed by `assumeAfterMs` with no customer message; only before
 *    any hand-off.
 * 2. With a resolution point: the customer's "no" -> escalated (the hand-off's code, else `not_resolved`, a false
 *    positive); a customer message within `reopenWithinMs` after it -> reopened (a false positive); a "yes" (to
 *    "Did this resolve your issue?", or to the workflow's `confirm` in the turn the bot resolved) -> confirmed
 *    resolved; else assumed resolved once `assumeAfterMs` passed since the resolution, pending before.
 * 3. Without: a hand-off (or a person taking over) -> escalated by its code; the bot's last line asked for a
 *    detail or a rephrase and no customer message came within `assumeAfterMs` -> abandoned; else pending.
 *
 * An escalated conversation is a false negative when an agent judged the bot could have resolved it, or when an
 * agent's line after the hand-off matches a reply line of one of `workflows` (`answerMatcher`).
 *
 * @example
 * const outcome = outcomeOf(facts, { now: Date.now() });
 * if (outcome?.kind === 'assumed_resolved') console.log('no word from the customer for 24 h after the answer');
 */
export function outcomeOf(
  facts: ConversationFacts,
  props: {
    now: number;
    windows?: OutcomeWindows;
    /** The deployment's workflows' answers: an escalated conversation whose agent answered alike is a false negative. */
    workflows?: readonly WorkflowAnswers[];
  },
): Outcome | undefined {
  const { now } = props;
  const windows = props.windows ?? DEFAULT_OUTCOME_WINDOWS;
  const events = facts.events.filter((e) => e.at <= now);
  const messages = facts.messages.filter((m) => m.at <= now && !m.pending);
  const current: ConversationFacts = { ...facts, events, messages };
  if (!isAutomated(current)) return undefined;

  const customerTimes = messages.filter((m) => m.role === 'customer').map((m) => m.at);
  const firstCustomerAt = customerTimes[0] ?? null;
  const handover = firstHandover(current);
  const beforeHandover = (at: number) => handover === null || at < handover.at;
  const judgedWrong = latestVerdict(events) === 'wrong';
  const couldHaveResolved = events.some(
    (e) => e.type === 'agent.judgement' && e.payload.couldHaveResolved === true,
  );
  const feedback = latestAnswer(events);
  const falseNegative = (handedAt: number | null): Pick<Outcome, 'falseNegative' | 'falseNegativeWhy'> => {
    const agents = messages.filter((m) => m.role === 'agent' && (handedAt === null || m.at >= handedAt));
    const matched = props.workflows?.length ? answerMatcher(props.workflows)(agents) : null;
    return couldHaveResolved || matched
      ? { falseNegative: true, falseNegativeWhy: { judged: couldHaveResolved, matched } }
      : { falseNegative: false, falseNegativeWhy: null };
  };

  // 1. The resolution point.
  const candidates: number[] = [];
  const botResolved = events.find(
    (e) =>
      e.type === 'conversation.status_changed' && e.payload.to === 'resolved' && e.payload.by === undefined,
  );
  if (botResolved && beforeHandover(botResolved.at)) candidates.push(botResolved.at);
  if (feedback?.resolved === true && beforeHandover(feedback.at)) candidates.push(feedback.at);
  const spoken = messages.filter((m) => m.role === 'bot' || m.role === 'customer');
  for (const [i, m] of spoken.entries()) {
    // The last bot line before the customer's next message decides: an answer, or a question.
    if (m.role !== 'bot' || spoken[i + 1]?.role === 'bot') continue;
    if (!beforeHandover(m.at)) break;
    if (ASKING_KINDS.has(m.kind ?? '') || m.kind === 'escalate') continue;
    const next = spoken[i + 1]?.at;
    if ((next ?? now) - m.at >= windows.assumeAfterMs) {
      candidates.push(m.at);
      break;
    }
  }
  const resolvedAt = candidates.length ? Math.min(...candidates) : null;
  const base = { firstCustomerAt, falseNegative: false, falseNegativeWhy: null };
  const falsePositive = (reason?: FalsePositiveReason): FalsePositiveReason[] => {
    const reasons: FalsePositiveReason[] = reason ? [reason] : [];
    if (judgedWrong) reasons.push('judged_wrong');
    return reasons;
  };

  if (resolvedAt !== null) {
    if (feedback?.resolved === false) {
      const code = handover && handover.at >= resolvedAt ? handover.code : 'not_resolved';
      return {
        ...base,
        kind: 'escalated',
        code,
        at: handover?.at ?? feedback.at,
        falsePositive: falsePositive('said_no'),
        ...falseNegative(handover?.at ?? feedback.at),
      };
    }
    const comeback = customerTimes.find((t) => t > resolvedAt);
    if (comeback !== undefined && comeback - resolvedAt <= windows.reopenWithinMs) {
      return {
        ...base,
        kind: 'reopened',
        code: null,
        at: comeback,
        falsePositive: falsePositive('reopened'),
      };
    }
    if (
      feedback?.resolved === true ||
      (botResolved !== undefined && answeredConfirm(spoken, botResolved.at))
    ) {
      return {
        ...base,
        kind: 'confirmed_resolved',
        code: null,
        at: resolvedAt,
        falsePositive: falsePositive(),
      };
    }
    if (now - resolvedAt >= windows.assumeAfterMs) {
      return {
        ...base,
        kind: 'assumed_resolved',
        code: null,
        at: resolvedAt,
        falsePositive: falsePositive(),
      };
    }
    return { ...base, kind: 'pending', code: null, at: null, falsePositive: falsePositive() };
  }
  if (handover) {
    return {
      ...base,
      kind: 'escalated',
      code: handover.code,
      at: handover.at,
      falsePositive: falsePositive(),
      ...falseNegative(handover.at),
    };
  }
  const last = spoken.at(-1);
  if (last?.role === 'bot' && ASKING_KINDS.has(last.kind ?? '') && now - last.at >= windows.assumeAfterMs) {
    return { ...base, kind: 'abandoned', code: null, at: last.at, falsePositive: falsePositive() };
  }
  return { ...base, kind: 'pending', code: null, at: null, falsePositive: falsePositive() };
}

/**
 * The bot's resolution came in the turn that handled the customer's answer to a `confirm` line ("Does that answer
 * your question?"): the workflow resolves on a yes, so the customer said it resolved.
 */
function answeredConfirm(spoken: readonly StoredConversationMessage[], resolvedAt: number): boolean {
  let i = spoken.length - 1;
  while (i >= 0 && !(spoken[i]?.role === 'customer' && (spoken[i]?.at ?? Infinity) <= resolvedAt)) i--;
  if (i < 0) return false;
  const asked = spoken.slice(0, i).findLast((m) => m.role === 'bot');
  return asked?.kind === 'confirm';
}

/** The newest "Did this resolve your issue?" answer (feedback with `resolved` set). */
export function latestAnswer(events: readonly StoredEvent[]): { resolved: boolean; at: number } | null {
  let found: { resolved: boolean; at: number } | null = null;
  for (const e of events) {
    if (e.type === 'conversation.feedback' && typeof e.payload.resolved === 'boolean') {
      found = { resolved: e.payload.resolved, at: e.at };
    }
  }
  return found;
}

/** The newest rating (1 to 5) the customer gave, or null. */
export function latestRating(events: readonly StoredEvent[]): number | null {
  let found: number | null = null;
  for (const e of events) {
    if (e.type === 'conversation.feedback' && typeof e.payload.rating === 'number') found = e.payload.rating;
  }
  return found;
}

/** The newest verdict an agent gave on the bot's handling of the whole conversation. */
export function latestVerdict(events: readonly StoredEvent[]): 'right' | 'wrong' | null {
  let found: 'right' | 'wrong' | null = null;
  for (const e of events) {
    if (e.type !== 'agent.judgement') continue;
    if (e.payload.verdict === 'right' || e.payload.verdict === 'wrong') found = e.payload.verdict;
  }
  return found;
}
