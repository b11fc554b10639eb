import type { ConnectorCaller } from '../connectors/index.ts';
import {
  type ConversationRuntime,
  createConversationRuntime,
  type KnowledgeSearch,
  type MessageReport,
  type TurnAnalyser,
  workflowSet,
} from '../conversations/index.ts';
import type { GuardrailConfig, TurnAnalysis } from '../domain/index.ts';
import { type Clock, fakeClock, seededRandom, shuffleInPlace } from '../shared/index.ts';
import { wilsonInterval } from '../shared/stats.ts';
import type { Store, StoredMessage, StoredTicket } from '../store/index.ts';
import {
  escalateNode,
  RESOLVE_NODE,
  selectWorkflow,
  templatePlainText,
  type WorkflowDefinition,
  type WorkflowEdge,
  type WorkflowState,
  workflowGraph,
} from '../workflows/index.ts';
import { type AnswerJudge, answerJudge, type WeakAnswer } from './answer-judge.ts';
import { entityFromTicket, questionOf, type ReplayAssumption, replyAnswers } from './replay-answers.ts';

type TurnReport = MessageReport;

/**
 * `unknown`: the run resolved, but on a knowledge-base answer that was not about what was asked (below the
 * replay's bar), so what the customer said afterwards does not tell whether the bot's answer would have helped.
 */
export const REPLAY_OUTCOMES = ['resolved', 'escalated', 'stuck', 'unknown', 'error'] as const;
export type ReplayOutcome = (typeof REPLAY_OUTCOMES)[number];

/** Where a customer turn of a replay came from. */
export type ReplayTurnSource = 'first_message' | 'later_message' | 'entity' | 'assumed_yes';

export interface ReplayTurn {
  source: ReplayTurnSource;
  customer: string;
  bot: string[];
}

/** One past ticket played through one workflow. */
export interface TicketReplay {
  ticketId: number;
  source: string;
  externalId: string;
  subject: string | null;
  category: string | null;
  channel: string;
  outcome: ReplayOutcome;
  /** The code, and for a workflow's own escalate step the reason it names (`account_locked`). */
  escalation?: { code: string; reason: string; workflowReason?: string };
  /** The step waiting for an answer the history does not have (`(clarify)` for a clarifying question). */
  stuckAt?: string;
  error?: string;
  /** What the run rests on that the history does not show (an assumed yes, an entity taken from the ticket...). */
  assumptions: ReplayAssumption[];
  /** Later customer messages not played: they answered no question the bot asked (written to the agent). */
  skippedMessages: number;
  /** The first knowledge-base answer below the replay's bar, when there was one. */
  weakAnswer?: WeakAnswer;
  /** Steps in the order visited (a step repeated back to back counts once). */
  steps: string[];
  turns: ReplayTurn[];
  /** What the human agent actually answered first, or null when no agent answered. */
  agentReply: string | null;
}

export interface EdgeCoverage {
  from: string;
  to: string;
  kind: WorkflowEdge['kind'];
  label: string;
  tickets: number;
}

/** What replaying a sample of past tickets says about one workflow: the `replay.json` contract, per workflow. */
export interface WorkflowReplay {
  workflow: string;
  version: number;
  name: string;
  /** How the tickets were chosen: the category's, or those the NLU routes to the workflow. */
  selection: { by: 'category'; category: string } | { by: 'routing' };
  /** Tickets that matched before sampling. */
  candidates: number;
  tickets: number;
  outcomes: Record<ReplayOutcome, number>;
  /** Every resolution / tickets, assumptions included, with its 95% Wilson interval; null without tickets. */
  forecast: Forecast | null;
  /** The resolutions that rest on no assumption / tickets, with its 95% Wilson interval; null without tickets. */
  forecastWithoutAssumptions: Forecast | null;
  escalationCodes: Record<string, number>;
  /** The reasons named by the workflow's own escalate steps (`account_locked`), by tickets. */
  workflowReasons: Record<string, number>;
  /** stepId -> tickets that visited the step (every step listed, 0 when never reached). */
  stepCoverage: Record<string, number>;
  neverReachedSteps: string[];
  edgeCoverage: EdgeCoverage[];
  neverReachedEdges: Omit<EdgeCoverage, 'tickets'>[];
  /** Where the logic breaks. */
  breaks: {
    /** stepId -> tickets stuck waiting there for an answer the history does not have. */
    stuckAt: Record<string, number>;
    errors: Array<{ message: string; tickets: number }>;
    /** Tickets escalated `workflow_loop`. */
    loops: number;
    /** stepId -> tickets that came back to the step after leaving it. */
    revisited: Record<string, number>;
  };
  /**
   * Answers the replay made up or could not check, by tickets, and the resolutions resting on each
   * (`resolvedOnAssumptions`: on any of them; the gap between the two forecasts).
   */
  assumptions: {
    filledFromEntities: number;
    assumedYes: number;
    uncheckedText: number;
    resolvedOnEntities: number;
    resolvedOnAssumedYes: number;
    resolvedOnUncheckedText: number;
    resolvedOnAssumptions: number;
  };
  /**
   * Knowledge-base answers judged against the replay's bar: `weak` tickets got an answer below it (a score under
   * `minScore`, or an article the knowledge base tags for another intent), by reason and by article title.
   */
  answers: {
    minScore: number;
    answered: number;
    weak: number;
    lowScore: number;
    otherIntent: number;
    weakByArticle: Record<string, number>;
  };
  /** Later customer messages not played because they answered no question the bot asked, and their tickets. */
  skippedMessages: { messages: number; tickets: number };
  /** Up to `examplesPerOutcome` tickets per outcome, in sample order. */
  examples: TicketReplay[];
}

export interface Forecast {
  rate: number;
  low: number;
  high: number;
  confidence: 0.95;
}

export interface ReplayReport {
  generatedAt: string;
  seed: number;
  sample: number;
  ticketsRead: number;
  workflows: WorkflowReplay[];
}

export interface ReplayProps {
  /** The store holding the past tickets; only read. */
  store: Store;
  analyse: TurnAnalyser;
  /** Every loaded workflow: routing picks among them as the live runtime would. */
  workflows: readonly WorkflowDefinition[];
  /** The workflows to replay (ids); all of them when absent. */
  only?: readonly string[];
  /** Replay the tickets of this category instead of those routed to each workflow. */
  category?: string;
  /** Tickets per workflow (default 100). */
  sample?: number;
  seed?: number;
  connectors: ConnectorCaller;
  guardrails: GuardrailConfig;
  /** The knowledge base for `answer` steps; without one they take their fallback. */
  searchKnowledge?: KnowledgeSearch;
  /**
   * The knowledge base's articles (title, url, tags) and the intents the NLU knows: an answer from an article
   * whose tags name intents counts only for those intents. Without them only the score is judged.
   */
  knowledgeArticles?: readonly KnowledgeArticleTags[];
  knownIntents?: readonly string[];
  /** The least score at which an answer counts as being about what was asked (default REPLAY_MIN_ANSWER_SCORE). */
  minAnswerScore?: number;
  /** Stamps `generatedAt`; the conversations themselves run on a fake clock at each ticket's time. */
  clock: Clock;
  /** A new, empty store for each workflow's conversations, thrown away afterwards (SQLite in memory). */
  openScratchStore: () => Promise<Store>;
  examplesPerOutcome?: number;
  onProgress?: (done: number, total: number) => void;
}

/** What the replay needs to know of an article to judge an answer quoted from it. */
export interface KnowledgeArticleTags {
  title: string;
  url?: string | undefined;
  tags: readonly string[];
}

export const DEFAULT_REPLAY_SAMPLE = 100;
/**
 * On the demo knowledge base, answers scoring 0.6 to 0.7 were mostly about something else (a sales-tax question
 * answered with billing dates, an unrecognised charge with "Change an order"); those from 0.78 up were on topic.
 */
export const REPLAY_MIN_ANSWER_SCORE = 0.7;
const PAGE = 1000;
const TURN_GAP_MS = 60_000;
// A ticket without a channel: a trigger limited to channels never matches it.
const UNKNOWN_CHANNEL = 'unknown';

/**
 * Replays past tickets through workflows, before they go live: each ticket becomes a conversation in a
 * separate in-memory store (the user's store is only read), the customer's first message (subject and
 * body, as the NLU was trained) starts it and their later messages answer the bot's questions. A question
 * the history has no answer to is answered from an entity found in the customer's messages when the slot
 * takes one, a closing "did this help?" of a ticket that was resolved or closed is answered yes, anything
 * else leaves the ticket `stuck`.
 *
 * @example
 * const report = await replayTickets({ store, analyse, workflows, connectors, guardrails, clock, sample: 50 });
 * report.workflows[0]?.outcomes.resolved;
 */
export async function replayTickets(props: ReplayProps): Promise<ReplayReport> {
  const sample = props.sample ?? DEFAULT_REPLAY_SAMPLE;
  const seed = props.seed ?? 1;
  const targets = props.only
    ? props.workflows.filter((w) => props.only?.includes(w.id))
    : [...props.workflows];
  const routedAnalysis = new Map<string, ReturnType<TurnAnalyser>>();
  const picked = new Map<string, StoredTicket[]>(targets.map((w) => [w.id, []]));
  let ticketsRead = 0;
  let afterId: number | undefined;
  for (;;) {
    const page = await props.store.listTickets({
      limit: PAGE,
      withMessages: true,
      ...(afterId !== undefined ? { afterId } : {}),
    });
    for (const ticket of page) {
      ticketsRead++;
      if (props.category !== undefined) {
        if (ticket.category !== props.category) continue;
        for (const list of picked.values()) list.push(ticket);
        continue;
      }
      const text = firstTurnText(ticket);
      if (text === null) continue;
      const turn = props.analyse(text);
      const routed = selectWorkflow(props.workflows, {
        turn,
        customer: customerOf(ticket),
        channel: ticket.channel ?? UNKNOWN_CHANNEL,
      });
      const list = routed ? picked.get(routed.id) : undefined;
      if (list) {
        list.push(ticket);
        routedAnalysis.set(text, turn);
      }
    }
    if (page.length < PAGE) break;
    afterId = page[page.length - 1]?.id;
  }

  // The first turn was analysed to route it: the runtime reuses that analysis instead of running the NLU again.
  const analyse: TurnAnalyser = (text) => routedAnalysis.get(text) ?? props.analyse(text);
  const chosen = targets.map((definition) => {
    const all = picked.get(definition.id) ?? [];
    const candidates = all.length;
    shuffleInPlace(all, seededRandom(seed));
    return { definition, candidates, tickets: all.slice(0, sample) };
  });
  const total = chosen.reduce((n, c) => n + c.tickets.length, 0);
  const judge = answerJudge({
    minScore: props.minAnswerScore ?? REPLAY_MIN_ANSWER_SCORE,
    articles: props.knowledgeArticles ?? [],
    knownIntents: props.knownIntents ?? props.workflows.flatMap((w) => w.trigger.intents),
  });
  let done = 0;
  const workflows: WorkflowReplay[] = [];
  for (const { definition, candidates, tickets } of chosen) {
    const results = await replayWorkflow({
      definition,
      tickets,
      analyse,
      connectors: props.connectors,
      guardrails: props.guardrails,
      ...(props.searchKnowledge ? { searchKnowledge: props.searchKnowledge } : {}),
      judge,
      openScratchStore: props.openScratchStore,
      onTicket: () => props.onProgress?.(++done, total),
    });
    workflows.push(
      summariseWorkflow({
        definition,
        results,
        candidates,
        selection:
          props.category !== undefined ? { by: 'category', category: props.category } : { by: 'routing' },
        examplesPerOutcome: props.examplesPerOutcome ?? 3,
        minAnswerScore: judge.minScore,
      }),
    );
  }
  return {
    generatedAt: new Date(props.clock.now()).toISOString(),
    seed,
    sample,
    ticketsRead,
    workflows,
  };
}

/** A knowledge-base search made while a ticket played, and the customer message it was for. */
interface Search {
  hit: ReturnType<KnowledgeSearch>;
  turnText: string;
}

interface PlayedTicket extends TicketReplay {
  /** The full trail, for edge coverage. */
  state: WorkflowState | null;
}

/** Plays each ticket through this one workflow, in a store of its own that is thrown away afterwards. */
async function replayWorkflow(props: {
  definition: WorkflowDefinition;
  tickets: readonly StoredTicket[];
  analyse: TurnAnalyser;
  connectors: ConnectorCaller;
  guardrails: GuardrailConfig;
  searchKnowledge?: KnowledgeSearch;
  judge: AnswerJudge;
  openScratchStore: () => Promise<Store>;
  onTicket: () => void;
}): Promise<PlayedTicket[]> {
  const { definition } = props;
  const store = await props.openScratchStore();
  // The runtime keeps its workflow state in the store; keeping the last one written saves reading it back.
  const states = new Map<string, unknown>();
  const recording: Store = new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'recordTurn') {
        return (input: Parameters<Store['recordTurn']>[0]) => {
          if (input.state !== undefined) states.set(input.conversationId, input.state);
          return target.recordTurn(input);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const clock = fakeClock();
  // A ticket's messages are read before they are played (does this one answer the question?): each is
  // analysed once, for the judgement and for the runtime.
  const analysed = new Map<string, TurnAnalysis>();
  const analyse: TurnAnalyser = (text) => {
    let analysis = analysed.get(text);
    if (!analysis) {
      analysis = props.analyse(text);
      analysed.set(text, analysis);
    }
    return analysis;
  };
  // Every search of a ticket, in order, with the customer message it answered, to judge what was quoted.
  const searches: Search[] = [];
  const speaking = { text: '' };
  const search = props.searchKnowledge;
  const recordingSearch: KnowledgeSearch | null = search
    ? (...args: Parameters<KnowledgeSearch>) => {
        const hit = search(...args);
        searches.push({ hit, turnText: speaking.text });
        return hit;
      }
    : null;
  // Only this workflow: a ticket the NLU routes elsewhere escalates `no_workflow` instead of running another.
  const runtime = createConversationRuntime({
    store: recording,
    analyse,
    workflows: workflowSet([definition]),
    connectors: props.connectors,
    guardrails: props.guardrails,
    clock,
    knowledge: () => recordingSearch,
  });
  const results: PlayedTicket[] = [];
  try {
    for (const ticket of props.tickets) {
      clock.set(ticket.createdAt);
      const played = await playTicket({ ticket, definition, runtime, analyse, states, clock, speaking });
      judgeAnswers({ played, definition, searches, judge: props.judge, analyse, category: ticket.category });
      results.push(played);
      states.clear();
      analysed.clear();
      searches.length = 0;
      props.onTicket();
    }
  } finally {
    await store.close();
  }
  return results;
}

/**
 * Pairs the ticket's searches with its answer steps (each answer step searches once, in trail order) and judges
 * every answer the workflow quoted; a resolution that rests on one below the bar becomes `unknown`.
 */
function judgeAnswers(props: {
  played: PlayedTicket;
  definition: WorkflowDefinition;
  searches: readonly Search[];
  judge: AnswerJudge;
  analyse: TurnAnalyser;
  category: string | null;
}): void {
  const { played, definition } = props;
  const answered = (played.state?.trail ?? []).filter(
    (t) => t.type === 'answer' && (t.outcome === 'answered' || t.outcome === 'not_found'),
  );
  answered.forEach((entry, i) => {
    const search = props.searches[i];
    if (entry.outcome !== 'answered' || !search?.hit) return;
    const step = definition.steps.find((s) => s.id === entry.stepId);
    const stepMinScore = step?.type === 'answer' ? step.minScore : 0;
    const intent = props.analyse(search.turnText).intent;
    const weak = props.judge.judge(search.hit, { intent, category: props.category }, stepMinScore);
    if (weak && !played.weakAnswer) played.weakAnswer = weak;
  });
  if (played.weakAnswer && played.outcome === 'resolved') played.outcome = 'unknown';
}

async function playTicket(props: {
  ticket: StoredTicket;
  definition: WorkflowDefinition;
  runtime: ConversationRuntime;
  analyse: TurnAnalyser;
  states: ReadonlyMap<string, unknown>;
  clock: ReturnType<typeof fakeClock>;
  /** The message being played, for the knowledge-base searches it causes. */
  speaking: { text: string };
}): Promise<PlayedTicket> {
  const { ticket, definition, runtime, states, clock } = props;
  const conversationId = `replay-${definition.id}-${ticket.id}`;
  const workflowState = () => workflowStateOf(states.get(conversationId));
  const messages = [...(ticket.messages ?? [])].sort((a, b) => a.seq - b.seq);
  const later = customerMessages(messages)
    .slice(1)
    .map((m) => m.body.trim());
  const agent = messages.find((m) => m.authorRole === 'agent' && m.public && m.body.trim() !== '');
  const played: PlayedTicket = {
    ticketId: ticket.id,
    source: ticket.source,
    externalId: ticket.externalId,
    subject: ticket.subject,
    category: ticket.category,
    channel: ticket.channel ?? UNKNOWN_CHANNEL,
    outcome: 'stuck',
    assumptions: [],
    skippedMessages: 0,
    steps: [],
    turns: [],
    agentReply: agent ? agent.body.trim() : null,
    state: null,
  };
  const first = firstTurnText(ticket);
  if (first === null) {
    played.stuckAt = '(no customer message)';
    return played;
  }
  const assume = (assumption: ReplayAssumption) => {
    if (!played.assumptions.includes(assumption)) played.assumptions.push(assumption);
  };
  // What the customer wrote anywhere in the ticket, for an entity the bot asks for that no message answers.
  const everyMessage = [first, ...later];
  const closedTicket = ticket.status === 'resolved' || ticket.status === 'closed';
  const tried = new Set<string>();
  try {
    await runtime.startConversation({
      id: conversationId,
      customer: customerOf(ticket),
      channel: ticket.channel ?? UNKNOWN_CHANNEL,
    });
    const say = async (text: string, source: ReplayTurnSource) => {
      props.speaking.text = text;
      const report = await runtime.handleCustomerMessage({ conversationId, text });
      clock.advance(TURN_GAP_MS);
      played.turns.push({ source, customer: text, bot: report.bot.map((b) => botText(b)) });
      return report;
    };
    let report = await say(first, 'first_message');
    for (;;) {
      if (report.status === 'resolved') {
        played.outcome = 'resolved';
        break;
      }
      if (report.status === 'escalated' || report.owner === 'human') {
        played.outcome = 'escalated';
        if (report.escalation) {
          const effect = report.effects.find((e) => e.type === 'escalate');
          const workflowReason = effect?.type === 'escalate' ? effect.workflowReason : undefined;
          played.escalation = {
            code: report.escalation.code,
            reason: report.escalation.reason,
            ...(workflowReason ? { workflowReason } : {}),
          };
        }
        break;
      }
      const wf = report.workflow;
      const state = workflowState();
      const question = questionOf({
        definition,
        status: wf?.status,
        stepId: wf?.stepId,
        clarifying: report.guardrail === 'clarify',
        state,
      });
      // The first later message that answers the question is played; those before it answered nothing the
      // bot asked and are passed over (played, they would have become an address or a "yes").
      const index = question
        ? later.findIndex((text) => replyAnswers(question, props.analyse(text)).answers)
        : -1;
      const next = index >= 0 ? later[index] : undefined;
      if (question && next !== undefined) {
        played.skippedMessages += index;
        later.splice(0, index + 1);
        if (replyAnswers(question, props.analyse(next)).unchecked) assume('unchecked_text');
        report = await say(next, 'later_message');
        continue;
      }
      const value = question
        ? entityFromTicket({ question, turns: () => everyMessage.map(props.analyse), state, tried })
        : null;
      if (value !== null) {
        tried.add(value);
        assume('entity_from_ticket');
        report = await say(value, 'entity');
        continue;
      }
      if (question?.kind === 'confirm' && closedTicket && !played.assumptions.includes('assumed_yes')) {
        // The customer never answered this after the agent's answer and the ticket was closed: read as a yes.
        assume('assumed_yes');
        report = await say('yes', 'assumed_yes');
        continue;
      }
      // Waiting with messages left: none of them answers the question.
      played.skippedMessages += later.length;
      played.outcome = 'stuck';
      played.stuckAt = wf?.stepId ?? (report.guardrail === 'clarify' ? '(clarify)' : '(no workflow)');
      break;
    }
    played.state = workflowState();
  } catch (error) {
    played.outcome = 'error';
    played.error = error instanceof Error ? error.message : String(error);
    played.state = workflowState();
  }
  played.steps = stepsOf(played.state);
  return played;
}

function workflowStateOf(runtimeState: unknown): WorkflowState | null {
  const state = runtimeState as { workflow?: WorkflowState | null } | null | undefined;
  return state?.workflow ?? null;
}

function stepsOf(state: WorkflowState | null): string[] {
  const steps: string[] = [];
  for (const entry of state?.trail ?? []) if (steps.at(-1) !== entry.stepId) steps.push(entry.stepId);
  return steps;
}

/** The first customer turn: the subject and the first customer message, as the NLU was trained on them. */
export function firstTurnText(ticket: StoredTicket): string | null {
  const first = customerMessages([...(ticket.messages ?? [])].sort((a, b) => a.seq - b.seq))[0];
  const text = [ticket.subject?.trim(), first?.body.trim()].filter((s) => s).join('\n');
  return first && text ? text : null;
}

function customerMessages(messages: readonly StoredMessage[]): StoredMessage[] {
  return messages.filter((m) => m.authorRole === 'customer' && m.body.trim() !== '');
}

function customerOf(ticket: StoredTicket) {
  const c = ticket.customer;
  return {
    ...(c?.email ? { email: c.email, id: c.email } : c?.externalId ? { id: c.externalId } : {}),
    ...(c?.name ? { name: c.name } : {}),
    ...(c?.segment ? { segment: c.segment } : {}),
    attributes: {},
  };
}

/** What the customer would have read: templates escape HTML for web channels, a report shows the text. */
function botText(line: TurnReport['bot'][number]): string {
  const text = templatePlainText(line.text);
  if (!line.choices || line.choices.length === 0) return text;
  return `${text}\n${line.choices.map((c, i) => `${i + 1}. ${templatePlainText(c)}`).join('\n')}`;
}

function summariseWorkflow(props: {
  definition: WorkflowDefinition;
  results: readonly PlayedTicket[];
  candidates: number;
  selection: WorkflowReplay['selection'];
  examplesPerOutcome: number;
  minAnswerScore: number;
}): WorkflowReplay {
  const { definition, results } = props;
  const graph = workflowGraph(definition);
  const outcomes = Object.fromEntries(REPLAY_OUTCOMES.map((o) => [o, 0])) as Record<ReplayOutcome, number>;
  const escalationCodes: Record<string, number> = {};
  const workflowReasons: Record<string, number> = {};
  const stepCoverage: Record<string, number> = Object.fromEntries(
    [...graph.steps.keys()].map((id) => [id, 0]),
  );
  const edgeHits = new Array<number>(graph.edges.length).fill(0);
  const stuckAt: Record<string, number> = {};
  const errors = new Map<string, number>();
  const revisited: Record<string, number> = {};
  let loops = 0;
  const assumptions = {
    filledFromEntities: 0,
    assumedYes: 0,
    uncheckedText: 0,
    resolvedOnEntities: 0,
    resolvedOnAssumedYes: 0,
    resolvedOnUncheckedText: 0,
    resolvedOnAssumptions: 0,
  };
  const answers: WorkflowReplay['answers'] = {
    minScore: props.minAnswerScore,
    answered: 0,
    weak: 0,
    lowScore: 0,
    otherIntent: 0,
    weakByArticle: {},
  };
  const skippedMessages = { messages: 0, tickets: 0 };
  const examples: TicketReplay[] = [];
  const exampleCount = Object.fromEntries(REPLAY_OUTCOMES.map((o) => [o, 0])) as Record<
    ReplayOutcome,
    number
  >;

  for (const r of results) {
    outcomes[r.outcome]++;
    if (r.escalation) {
      escalationCodes[r.escalation.code] = (escalationCodes[r.escalation.code] ?? 0) + 1;
      if (r.escalation.code === 'workflow_loop') loops++;
      const named = r.escalation.workflowReason;
      if (named) workflowReasons[named] = (workflowReasons[named] ?? 0) + 1;
    }
    if (r.stuckAt) stuckAt[r.stuckAt] = (stuckAt[r.stuckAt] ?? 0) + 1;
    if (r.error !== undefined) errors.set(r.error, (errors.get(r.error) ?? 0) + 1);
    for (const id of new Set(r.steps)) stepCoverage[id] = (stepCoverage[id] ?? 0) + 1;
    const visits = new Map<string, number>();
    for (const id of r.steps) visits.set(id, (visits.get(id) ?? 0) + 1);
    for (const [id, n] of visits) if (n > 1) revisited[id] = (revisited[id] ?? 0) + 1;
    for (const index of edgesTaken(graph, r.state)) edgeHits[index] = (edgeHits[index] ?? 0) + 1;
    const resolved = r.outcome === 'resolved';
    const counts = [
      ['entity_from_ticket', 'filledFromEntities', 'resolvedOnEntities'],
      ['assumed_yes', 'assumedYes', 'resolvedOnAssumedYes'],
      ['unchecked_text', 'uncheckedText', 'resolvedOnUncheckedText'],
    ] as const;
    for (const [assumption, tickets, resolutions] of counts) {
      if (!r.assumptions.includes(assumption)) continue;
      assumptions[tickets]++;
      if (resolved) assumptions[resolutions]++;
    }
    if (resolved && r.assumptions.length > 0) assumptions.resolvedOnAssumptions++;
    if (r.state?.trail.some((t) => t.type === 'answer' && t.outcome === 'answered')) answers.answered++;
    if (r.weakAnswer) {
      answers.weak++;
      if (r.weakAnswer.why === 'low_score') answers.lowScore++;
      else answers.otherIntent++;
      answers.weakByArticle[r.weakAnswer.title] = (answers.weakByArticle[r.weakAnswer.title] ?? 0) + 1;
    }
    if (r.skippedMessages > 0) {
      skippedMessages.messages += r.skippedMessages;
      skippedMessages.tickets++;
    }
    if (exampleCount[r.outcome] < props.examplesPerOutcome) {
      exampleCount[r.outcome]++;
      const { state: _state, ...example } = r;
      examples.push(example);
    }
  }
  const edgeCoverage = graph.edges.map((e, i) => ({
    from: e.from,
    to: e.to,
    kind: e.kind,
    label: e.label,
    tickets: edgeHits[i] ?? 0,
  }));
  const forecast = (resolved: number): Forecast | null => {
    const interval = wilsonInterval(resolved, results.length);
    return interval ? { ...interval, confidence: 0.95 } : null;
  };
  return {
    workflow: definition.id,
    version: definition.version,
    name: definition.name ?? definition.id,
    selection: props.selection,
    candidates: props.candidates,
    tickets: results.length,
    outcomes,
    forecast: forecast(outcomes.resolved),
    forecastWithoutAssumptions: forecast(outcomes.resolved - assumptions.resolvedOnAssumptions),
    escalationCodes,
    workflowReasons,
    stepCoverage,
    neverReachedSteps: Object.entries(stepCoverage)
      .filter(([, n]) => n === 0)
      .map(([id]) => id),
    edgeCoverage,
    neverReachedEdges: edgeCoverage.filter((e) => e.tickets === 0).map(({ tickets: _t, ...e }) => e),
    breaks: {
      stuckAt,
      errors: [...errors].map(([message, tickets]) => ({ message, tickets })),
      loops,
      revisited,
    },
    assumptions,
    answers,
    skippedMessages,
    examples,
  };
}

/**
 * The graph edges a run took, read from its trail: a branch names the case it took (`case:<i>:<goto>`,
 * `else:<goto>`), a confirm its answer, any other step the step that came next; the run's end adds the
 * automatic exit it went through, if any.
 */
function edgesTaken(graph: ReturnType<typeof workflowGraph>, state: WorkflowState | null): Set<number> {
  const taken = new Set<number>();
  if (!state) return taken;
  const find = (from: string, match: (e: WorkflowEdge) => boolean) =>
    graph.edges.findIndex((e) => e.from === from && match(e));
  const trail = state.trail;
  for (let i = 0; i < trail.length; i++) {
    const entry = trail[i];
    if (!entry) continue;
    let index = -1;
    const caseTaken = /^case:(\d+):/.exec(entry.outcome);
    if (caseTaken) {
      const nth = Number(caseTaken[1]);
      const cases = graph.edges
        .map((e, k) => ({ e, k }))
        .filter(({ e }) => e.from === entry.stepId && e.kind === 'case');
      index = cases[nth]?.k ?? -1;
    } else if (entry.outcome.startsWith('else:')) {
      index = find(entry.stepId, (e) => e.kind === 'else');
    } else if (entry.outcome === 'yes' || entry.outcome === 'no' || entry.outcome === 'unclear_as_no') {
      index = find(entry.stepId, (e) => e.kind === (entry.outcome === 'yes' ? 'yes' : 'no'));
    } else {
      const next = trail.slice(i + 1).find((t) => t.stepId !== entry.stepId);
      if (next && trail[i + 1]?.stepId !== entry.stepId) {
        index = find(entry.stepId, (e) => e.to === next.stepId && e.kind !== 'case' && e.kind !== 'else');
      }
    }
    if (index >= 0) taken.add(index);
  }
  const last = trail.at(-1);
  if (last && state.outcome) {
    const to = state.outcome.type === 'resolved' ? RESOLVE_NODE : escalateNode(state.outcome.code);
    const index = find(last.stepId, (e) => e.to === to && e.automatic !== undefined);
    if (index >= 0) taken.add(index);
  }
  return taken;
}

export { wilsonInterval };
