import type {
  ConversationOwner,
  ConversationStatus,
  CustomerProfile,
  EscalationCode,
  EscalationPriority,
  GuardrailConfig,
  TranscriptLine,
  TurnAnalysis,
} from '../domain/index.ts';
import { ESCALATION_SENTENCES } from '../domain/index.ts';
import {
  buildHandoffPacket,
  emptyGuardrailHistory,
  evaluateGuardrails,
  type GuardrailHistory,
  type HandoffPacket,
  mergeGuardrails,
  recordProgress,
} from '../escalation/index.ts';
import { type Clock, type Logger, silentLogger, UserError } from '../shared/index.ts';
import type { Store, StoredConversation } from '../store/index.ts';
import {
  type Effect,
  type EngineEvent,
  selectWorkflow,
  step,
  type WorkflowDefinition,
  type WorkflowState,
} from '../workflows/index.ts';
import type { ConnectorCaller } from './connectors.ts';
import type { TurnAnalyser } from './turn-analysis.ts';

/** A knowledge-base search for the `answer` step; absent until a knowledge base is imported. */
export type KnowledgeSearch = (
  query: string,
) => { passage: string; title: string; url?: string; score: number } | null;

/** What the runtime keeps in the store beside the conversation: plain, versioned JSON. */
interface RuntimeState {
  version: 1;
  workflow: WorkflowState | null;
  guardrails: GuardrailHistory;
}

/** One thing the bot said in a turn. */
export interface BotLine {
  kind: 'reply' | 'ask' | 'confirm' | 'resolve' | 'escalate' | 'clarify';
  text: string;
  stepId?: string;
  choices?: string[];
}

/** What happened on one customer turn: for the chat surface, tests and the benchmark. */
export interface TurnReport {
  conversationId: string;
  analysis: TurnAnalysis;
  /** What the bot said (nothing when a person owns the conversation). */
  bot: BotLine[];
  status: ConversationStatus;
  owner: ConversationOwner;
  workflow: { id: string; version: number; stepId: string | null; status: string } | null;
  guardrail: 'continue' | 'clarify' | 'escalate';
  escalation?: { code: EscalationCode; reason: string; queue: string; priority: EscalationPriority };
  handoff?: HandoffPacket;
  /** The engine's effects in order, for `chat --debug`. */
  effects: Effect[];
  /** Connector time spent on this turn, so latency figures can leave it out. */
  connectorMs: number;
}

export interface ConversationRuntimeOptions {
  store: Store;
  analyse: TurnAnalyser;
  workflows: readonly WorkflowDefinition[];
  connectors: ConnectorCaller;
  guardrails: GuardrailConfig;
  clock: Clock;
  logger?: Logger;
  searchKnowledge?: KnowledgeSearch;
}

export interface ConversationRuntime {
  startConversation(props: {
    id: string;
    customer: CustomerProfile;
    channel: string;
  }): Promise<StoredConversation>;
  handleCustomerMessage(props: { conversationId: string; text: string }): Promise<TurnReport>;
}

const HANDOFF_TEXT =
  'I am passing you to a colleague, who has everything we discussed and will pick this up.';

/**
 * Carries out conversations: on each customer turn it runs the NLU and exclusions, the guardrails, the
 * workflow engine and the effects the engine asks for (connector calls, knowledge-base answers), then stores
 * the turn (messages, state, owner, handoff packet, events) in one transaction. A conversation owned by a
 * person gets no bot reply.
 *
 * @example
 * const runtime = createConversationRuntime({ store, analyse, workflows, connectors, guardrails, clock });
 * await runtime.startConversation({ id: 'c1', customer: { email: 'ada@example.com', attributes: {} }, channel: 'chat' });
 * const turn = await runtime.handleCustomerMessage({ conversationId: 'c1', text: 'Where is my order?' });
 * turn.bot[0]?.text;
 */
export function createConversationRuntime(options: ConversationRuntimeOptions): ConversationRuntime {
  const { store, analyse, workflows, connectors, clock } = options;
  const logger = options.logger ?? silentLogger;
  const byId = new Map(workflows.map((w) => [`${w.id}@${w.version}`, w]));

  return {
    async startConversation({ id, customer, channel }) {
      return store.createConversation({ id, customer, channel, at: clock.now() });
    },

    async handleCustomerMessage({ conversationId, text }) {
      const conversation = await store.findConversation(conversationId);
      if (!conversation) {
        throw new UserError('conversation.not_found', `no conversation "${conversationId}"`, {
          field: 'conversationId',
        });
      }
      const at = clock.now();
      const analysis = analyse(text);
      const lines: TranscriptLine[] = [{ role: 'customer', text, at, analysis }];
      const saved = readRuntimeState(conversation.state);
      const base: Omit<TurnReport, 'status' | 'owner' | 'workflow' | 'guardrail'> = {
        conversationId,
        analysis,
        bot: [],
        effects: [],
        connectorMs: 0,
      };

      // A person owns it: store the message, say nothing.
      if (conversation.owner === 'human' || conversation.status === 'closed') {
        await store.recordTurn({
          conversationId,
          expectedRevision: conversation.revision,
          messages: lines,
          at,
        });
        return {
          ...base,
          status: conversation.status,
          owner: conversation.owner,
          workflow: workflowSummary(saved.workflow),
          guardrail: 'continue',
        };
      }

      // A finished workflow does not hold the next request: a new message starts afresh.
      let workflowState =
        saved.workflow && (saved.workflow.status === 'resolved' || saved.workflow.status === 'escalated')
          ? null
          : saved.workflow;
      let definition = workflowState
        ? (byId.get(`${workflowState.workflowId}@${workflowState.workflowVersion}`) ?? null)
        : null;
      if (workflowState && !definition) {
        logger.warn(
          { conversationId, workflow: workflowState.workflowId, version: workflowState.workflowVersion },
          'workflow version no longer loaded; starting afresh',
        );
        workflowState = null;
      }

      const config = mergeGuardrails(options.guardrails, definition?.guardrails);
      const awaitingAnswer =
        workflowState !== null &&
        (workflowState.status === 'awaiting_input' || workflowState.status === 'awaiting_confirm');
      const decision = evaluateGuardrails({
        config,
        turn: analysis,
        history: saved.guardrails,
        awaitingAnswer,
        workflowActive: workflowState !== null,
      });
      let history = decision.history;
      const customer = conversation.customer;
      const effects: Effect[] = [];
      let connectorMs = 0;

      const run = async (event: EngineEvent) => {
        if (!definition) return;
        let result = step(definition, workflowState, event);
        workflowState = result.state;
        const queue = [...result.effects];
        while (queue.length > 0) {
          const effect = queue.shift() as Effect;
          effects.push(effect);
          let next: EngineEvent | null = null;
          if (effect.type === 'call') {
            const started = performance.now();
            const outcome = await connectors.call({
              connector: effect.connector,
              version: effect.version,
              operation: effect.operation,
              input: effect.input,
              timeoutMs: effect.timeoutMs,
              retries: effect.retries,
            });
            connectorMs += performance.now() - started;
            next = outcome.result.ok
              ? {
                  type: 'callResult',
                  at: clock.now(),
                  callId: effect.callId,
                  ok: true,
                  output: outcome.result.value,
                }
              : {
                  type: 'callResult',
                  at: clock.now(),
                  callId: effect.callId,
                  ok: false,
                  error: `${outcome.result.error.code}: ${outcome.result.error.message}`,
                };
          } else if (effect.type === 'answer') {
            const hit = options.searchKnowledge?.(effect.query) ?? null;
            next = hit
              ? { type: 'answerResult', at: clock.now(), stepId: effect.stepId, found: true, ...hit }
              : { type: 'answerResult', at: clock.now(), stepId: effect.stepId, found: false };
          }
          if (next) {
            result = step(definition, workflowState, next);
            workflowState = result.state;
            queue.push(...result.effects);
          }
        }
      };

      if (decision.action === 'escalate') {
        if (workflowState && definition) {
          await run({ type: 'escalate', at, code: decision.code, reason: decision.reason });
        } else {
          effects.push(
            {
              type: 'escalate',
              stepId: null,
              code: decision.code,
              reason: decision.reason,
              queue: decision.queue,
              priority: decision.priority,
            },
            { type: 'setOwner', owner: 'human' },
          );
        }
      } else if (decision.action === 'clarify') {
        lines.push({ role: 'bot', text: decision.text, at });
      } else if (workflowState && definition) {
        const before = workflowState.lastProgressTurn;
        await run({ type: 'message', at, turn: analysis });
        if (workflowState && workflowState.lastProgressTurn !== before) history = recordProgress(history);
      } else {
        definition = selectWorkflow(workflows, { turn: analysis, customer, channel: conversation.channel });
        if (definition) {
          history = recordProgress(history);
          await run({
            type: 'start',
            at,
            turn: analysis,
            customer,
            channel: conversation.channel,
            conversationId,
          });
        } else {
          effects.push(
            {
              type: 'escalate',
              stepId: null,
              code: 'no_workflow',
              reason: `${ESCALATION_SENTENCES.no_workflow} Intent: ${analysis.intent ?? 'unknown'}.`,
              queue: config.queue,
              priority: 'normal',
            },
            { type: 'setOwner', owner: 'human' },
          );
        }
      }

      // Turn the effects into what the customer sees and what the store keeps.
      const bot: BotLine[] = decision.action === 'clarify' ? [{ kind: 'clarify', text: decision.text }] : [];
      let status: ConversationStatus = 'open';
      let owner: ConversationOwner = conversation.owner;
      let escalation: TurnReport['escalation'];
      for (const effect of effects) {
        if (effect.type === 'reply' || effect.type === 'confirm') {
          bot.push({ kind: effect.type, text: effect.text, stepId: effect.stepId });
        } else if (effect.type === 'ask') {
          bot.push({
            kind: 'ask',
            text: effect.text,
            stepId: effect.stepId,
            ...(effect.choices ? { choices: effect.choices } : {}),
          });
        } else if (effect.type === 'resolve') {
          status = 'resolved';
          if (effect.text) bot.push({ kind: 'resolve', text: effect.text, ...stepOf(effect.stepId) });
        } else if (effect.type === 'escalate') {
          status = 'escalated';
          escalation = {
            code: effect.code,
            reason: effect.reason,
            queue: effect.queue,
            priority: effect.priority,
          };
          bot.push({ kind: 'escalate', text: effect.text ?? HANDOFF_TEXT, ...stepOf(effect.stepId) });
        } else if (effect.type === 'setOwner') {
          owner = effect.owner;
        }
      }
      for (const line of bot) {
        if (line.kind === 'clarify') continue;
        lines.push({
          role: 'bot',
          text: withChoices(line),
          at,
          ...(line.stepId ? { stepId: line.stepId } : {}),
        });
      }

      let handoff: HandoffPacket | undefined;
      if (escalation) {
        // Only a handoff needs the whole transcript.
        const messages = (await store.getConversation(conversationId))?.messages ?? [];
        const workflowEscalation = effects.find((e) => e.type === 'escalate');
        handoff = buildHandoffPacket({
          conversationId,
          at,
          transcript: [...messages, ...lines],
          state: workflowState,
          escalation: {
            code: escalation.code,
            reason: escalation.reason,
            ...(workflowEscalation?.type === 'escalate' && workflowEscalation.workflowReason
              ? { workflowReason: workflowEscalation.workflowReason }
              : {}),
            queue: escalation.queue,
            priority: escalation.priority,
          },
          customer,
          ...(definition ? { definition } : {}),
        });
      }

      const state: RuntimeState = { version: 1, workflow: workflowState, guardrails: history };
      await store.recordTurn({
        conversationId,
        expectedRevision: conversation.revision,
        messages: lines,
        state,
        ...(workflowState
          ? { workflowId: workflowState.workflowId, workflowVersion: workflowState.workflowVersion }
          : {}),
        status,
        owner,
        ...(handoff && escalation
          ? {
              handoff: {
                code: escalation.code,
                queue: escalation.queue,
                priority: escalation.priority,
                packet: handoff,
              },
            }
          : {}),
        events: [
          {
            type: 'conversation.turn',
            payload: {
              intent: analysis.intent,
              confidence: round(analysis.confidence),
              outOfScope: analysis.outOfScope,
              guardrail: decision.action,
              ...(decision.action === 'escalate' ? { code: decision.code } : {}),
              workflow: workflowState?.workflowId ?? null,
              step: workflowState?.stepId ?? null,
            },
          },
        ],
        at,
      });

      return {
        ...base,
        bot,
        effects,
        connectorMs,
        status,
        owner,
        workflow: workflowSummary(workflowState),
        guardrail: decision.action,
        ...(escalation ? { escalation } : {}),
        ...(handoff ? { handoff } : {}),
      };
    },
  };
}

function readRuntimeState(value: unknown): RuntimeState {
  if (value && typeof value === 'object' && (value as { version?: unknown }).version === 1) {
    return value as RuntimeState;
  }
  return { version: 1, workflow: null, guardrails: emptyGuardrailHistory() };
}

function workflowSummary(state: WorkflowState | null): TurnReport['workflow'] {
  return state
    ? { id: state.workflowId, version: state.workflowVersion, stepId: state.stepId, status: state.status }
    : null;
}

const stepOf = (stepId: string | null) => (stepId ? { stepId } : {});

/** A question with choices lists them, numbered, so the customer can answer "2". */
function withChoices(line: BotLine): string {
  if (!line.choices || line.choices.length === 0) return line.text;
  return `${line.text}\n${line.choices.map((c, i) => `${i + 1}. ${c}`).join('\n')}`;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
