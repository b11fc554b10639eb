import { createRandom, type Random } from '../demo/index.ts';
import { type AgentPlan, type AgentView, agentPicksUpAt, agentPlan } from './agent.ts';
import { customerMove, type SeenLine, surveyRating } from './customer.ts';
import type { SimulatedConversation } from './plan.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * What the simulation does to the world, supplied by its caller: the customers' side goes through the live
 * service (the widget's HTTP API, the helpdesk's webhooks), the agent's through the inbox, the lead's through the
 * pilots, the review and retraining. Every method runs at the time `setTime` last set.
 */
export interface SimulationPorts {
  /** Moves the world's clock on (never back). */
  setTime(ms: number): void;
  /** Starts the conversation on its channel with the customer's first message: its id and the bot's lines. */
  open(c: SimulatedConversation): Promise<{ conversationId: string; lines: SeenLine[] }>;
  /** The customer's next message: the bot's lines in answer (none when a person owns the conversation). */
  say(c: SimulatedConversation, conversationId: string, text: string, key: string): Promise<SeenLine[]>;
  /** "Did this resolve your issue?" answered: the widget's buttons, the helpdesk customer's words. */
  answer(
    c: SimulatedConversation,
    conversationId: string,
    resolved: boolean,
    key: string,
  ): Promise<SeenLine[]>;
  /** The satisfaction survey after close. */
  survey(c: SimulatedConversation, conversationId: string, rating: number, comment: string): Promise<void>;
  /** Whether the bot took the customer's first message for what it is. */
  understood(conversationId: string, category: string): Promise<boolean>;
  /** Who owns the conversation now, and its status. */
  state(conversationId: string): Promise<{ owner: string; status: string }>;
  /** The inbox's view of an escalated conversation, for the scripted agent. */
  agentView(conversationId: string): Promise<AgentView>;
  /** The scripted agent takes, judges, answers (maybe with a draft) and closes the conversation. */
  agentHandle(conversationId: string, plan: AgentPlan): Promise<void>;
  /** The model's intents and the intents a workflow serves. */
  intents(): { model: ReadonlySet<string>; workflows: ReadonlySet<string> };
  /** The lead's end of week (the review, widening pilots, corrections and retraining): what was done, in lines. */
  weekEnded(asOf: number): Promise<string[]>;
}

export interface SimulationSummary {
  conversations: number;
  byChannel: Record<string, number>;
  /** Customers who answered "did this resolve" yes / no. */
  answeredYes: number;
  answeredNo: number;
  /** Conversations the scripted agent handled. */
  handledByAgent: number;
  surveys: number;
  reopened: number;
  abandoned: number;
  /** What the lead did at each week's end. */
  lead: string[];
}

type Step =
  | { kind: 'start'; c: SimulatedConversation }
  | { kind: 'say'; c: SimulatedConversation; text: string }
  | { kind: 'answer'; c: SimulatedConversation; resolved: boolean; text?: string }
  | { kind: 'agent'; c: SimulatedConversation; escalatedAt: number }
  | {
      kind: 'survey';
      c: SimulatedConversation;
      outcome: 'resolved_by_bot' | 'resolved_by_person' | 'not_resolved';
      waitedMs: number;
    }
  | { kind: 'reopen'; c: SimulatedConversation }
  | { kind: 'week'; index: number };

interface Live {
  id: string;
  turn: number;
  rng: Random;
  /** Sends of this conversation so far: the idempotency keys' counter. */
  sends: number;
  handled: boolean;
  surveyed: boolean;
  reopened: boolean;
  /** Said whether it helped since the last time the customer wrote of their own accord. */
  answered: boolean;
}

/**
 * Plays the planned conversations in time order (a discrete-event simulation: each step happens at its time and
 * schedules the next, customers thinking, the agent's queue, surveys, reopenings, the lead's week's end), up to
 * `until`: later steps are left undone, as the world stands at that moment.
 *
 * @example
 * const summary = await runSimulation({ plan, ports, startMs, until: Date.now(), seed: 1 });
 */
export async function runSimulation(props: {
  plan: readonly SimulatedConversation[];
  ports: SimulationPorts;
  /** The first day's midnight (UTC): weeks end every 7 days after it. */
  startMs: number;
  until: number;
  seed: number;
  onDay?: (day: string, done: number) => void;
}): Promise<SimulationSummary> {
  const { ports } = props;
  const queue: Array<{ at: number; n: number; step: Step }> = [];
  let counter = 0;
  const schedule = (at: number, step: Step) => {
    const entry = { at, n: counter++, step };
    let i = queue.length;
    while (i > 0 && (queue[i - 1]!.at > at || (queue[i - 1]!.at === at && queue[i - 1]!.n > entry.n))) i--;
    queue.splice(i, 0, entry);
  };
  const live = new Map<string, Live>();
  const summary: SimulationSummary = {
    conversations: 0,
    byChannel: {},
    answeredYes: 0,
    answeredNo: 0,
    handledByAgent: 0,
    surveys: 0,
    reopened: 0,
    abandoned: 0,
    lead: [],
  };
  for (const c of props.plan) schedule(c.at, { kind: 'start', c });
  for (let week = 1; props.startMs + week * 7 * DAY_MS <= props.until; week++) {
    schedule(props.startMs + week * 7 * DAY_MS - 1000, { kind: 'week', index: week });
  }

  const afterBot = async (c: SimulatedConversation, state: Live, lines: SeenLine[], now: number) => {
    const understood = await ports.understood(state.id, c.category);
    const move = customerMove({
      conversation: c,
      lines,
      turn: state.turn,
      understood,
      answered: state.answered,
      rng: state.rng,
    });
    if (move.type === 'say') {
      schedule(now + c.behaviour.thinkMs, { kind: 'say', c, text: move.text });
      return;
    }
    if (move.type === 'answer') {
      schedule(now + c.behaviour.thinkMs, {
        kind: 'answer',
        c,
        resolved: move.resolved,
        ...(move.text ? { text: move.text } : {}),
      });
      return;
    }
    const { owner, status } = await ports.state(state.id);
    if (owner === 'human' && status !== 'closed') {
      if (!state.handled) schedule(agentPicksUpAt(now, state.rng), { kind: 'agent', c, escalatedAt: now });
      return;
    }
    if (move.why === 'left') {
      summary.abandoned++;
      return;
    }
    // The bot is done: a customer who said it helped, or whose conversation the bot resolved, gets the survey.
    const over = state.answered || status === 'resolved' || status === 'closed';
    afterResolution(c, state, now, over);
  };

  /** After the bot's resolution: the survey (when the conversation is over for the customer), a comeback. */
  const afterResolution = (c: SimulatedConversation, state: Live, now: number, survey: boolean) => {
    if (survey && c.behaviour.answersSurvey && !state.surveyed) {
      schedule(now + 2 * MINUTE_MS, { kind: 'survey', c, outcome: 'resolved_by_bot', waitedMs: 0 });
    }
    if (c.behaviour.reopensAfterMs !== null && !state.reopened) {
      state.reopened = true;
      schedule(now + c.behaviour.reopensAfterMs, { kind: 'reopen', c });
    }
  };

  let day = '';
  let done = 0;
  while (queue.length > 0) {
    const { at, step } = queue.shift()!;
    if (at > props.until) break;
    ports.setTime(at);
    const today = new Date(at).toISOString().slice(0, 10);
    if (today !== day) {
      if (day) props.onDay?.(day, done);
      day = today;
    }
    if (step.kind === 'week') {
      summary.lead.push(...(await ports.weekEnded(at)));
      continue;
    }
    const c = step.c;
    if (step.kind === 'start') {
      const { conversationId, lines } = await ports.open(c);
      const state: Live = {
        id: conversationId,
        turn: 1,
        rng: createRandom(`${props.seed}:live:${c.ticketId}`),
        sends: 1,
        handled: false,
        surveyed: false,
        reopened: false,
        answered: false,
      };
      live.set(c.key, state);
      summary.conversations++;
      summary.byChannel[c.channel] = (summary.byChannel[c.channel] ?? 0) + 1;
      done++;
      await afterBot(c, state, lines, at);
      continue;
    }
    const state = live.get(c.key);
    if (!state) continue;
    const key = () => `${c.key}-${state.sends++}`;
    if (step.kind === 'say' || step.kind === 'reopen') {
      if (step.kind === 'reopen') {
        summary.reopened++;
        state.answered = false;
      }
      const text =
        step.kind === 'say' ? step.text : (c.followUps.at(-1) ?? "Hi again, it's still not sorted.");
      state.turn++;
      const lines = await ports.say(c, state.id, text, key());
      await afterBot(c, state, lines, at);
    } else if (step.kind === 'answer') {
      if (step.resolved) summary.answeredYes++;
      else summary.answeredNo++;
      state.answered = true;
      const lines = step.text
        ? await ports.say(c, state.id, step.text, key())
        : await ports.answer(c, state.id, step.resolved, key());
      await afterBot(c, state, lines, at);
    } else if (step.kind === 'agent') {
      if (state.handled) continue;
      state.handled = true;
      const view = await ports.agentView(state.id);
      const intents = ports.intents();
      const plan = agentPlan({
        conversation: c,
        view,
        intents: intents.model,
        workflowIntents: intents.workflows,
        rng: state.rng,
      });
      await ports.agentHandle(state.id, plan);
      summary.handledByAgent++;
      if (c.behaviour.answersSurvey && !state.surveyed) {
        schedule(at + 5 * MINUTE_MS, {
          kind: 'survey',
          c,
          outcome: 'resolved_by_person',
          waitedMs: at - step.escalatedAt,
        });
      }
    } else if (step.kind === 'survey') {
      if (state.surveyed) continue;
      state.surveyed = true;
      const rating = surveyRating({
        conversation: c,
        outcome: step.outcome,
        waitedMs: step.waitedMs,
        rng: state.rng,
      });
      await ports.survey(
        c,
        state.id,
        rating,
        rating >= 4 ? 'quick and clear' : rating <= 2 ? 'took too long' : '',
      );
      summary.surveys++;
    }
  }
  if (day) props.onDay?.(day, done);
  return summary;
}
