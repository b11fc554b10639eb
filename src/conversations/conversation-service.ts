import type { z } from 'zod';
import type { ConnectorCaller } from '../connectors/index.ts';
import type { CustomerProfile, GuardrailConfig } from '../domain/index.ts';
import type { JobHandler } from '../jobs/index.ts';
import { type Clock, err, type Logger, OperationalError, silentLogger, UserError } from '../shared/index.ts';
import { PAYMENT_KINDS, redact } from '../shared/redact.ts';
import type {
  ClaimedJob,
  JobRequest,
  ReceivedMessage,
  Store,
  StoredConversation,
  StoredFeedback,
} from '../store/index.ts';
import { commitTurn, type TurnReport } from './commit-turn.ts';
import {
  CallJobPayload,
  CONVERSATION_QUEUES,
  callIdempotencyKey,
  NotResolvedJobPayload,
  notResolvedJob,
  sweepJob,
  TurnJobPayload,
  turnJob,
} from './jobs.ts';
import {
  type KnowledgeSearch,
  type PlanContext,
  planTurn,
  type TurnPlan,
  type TurnTrigger,
  type WorkflowSet,
} from './plan-turn.ts';
import { type RuntimeState, readRuntimeState } from './runtime-state.ts';

/** What a handler decided to commit: the turn's trigger, its extra jobs, whether it finishes the job. */
interface Decision {
  trigger: TurnTrigger;
  jobs?: JobRequest[];
  receivedAt?: number;
  last?: boolean;
}

import type { TurnAnalyser } from './turn-analysis.ts';

/** Turns of one conversation handled by one job at most: past this the job ends and queues another. */
const MAX_TURNS_PER_JOB = 20;
/** Commits retried after a conflict (another process wrote the conversation) before the job itself retries. */
const MAX_CONFLICTS = 5;
/** Conversations whose last state is kept parsed, per process. */
const STATE_CACHE_SIZE = 1000;
/** A message waiting this long with nobody handling it is picked up by the sweep. */
export const SWEEP_AFTER_MS = 30_000;

export interface ConversationServiceOptions {
  store: Store;
  /** The NLU and exclusions; asked on every customer message (the deployment swaps the model behind it). */
  analyse: TurnAnalyser;
  workflows: WorkflowSet;
  connectors: ConnectorCaller;
  guardrails: GuardrailConfig;
  /** The active knowledge base, asked on every `answer` step. */
  knowledge?: () => KnowledgeSearch | null;
  clock: Clock;
  logger?: Logger;
  /**
   * `durable` (the live service, `chat`): a connector call is a job written with the turn and made afterwards,
   * at least once, with its idempotency key. `inline` (replay, the tour: throwaway stores, nothing live): the call
   * is made right after the commit, in the same task.
   */
  mode: 'durable' | 'inline';
  /**
   * Jobs a turn asks for on top of its own, written in the turn's transaction: the helpdesk deliveries of a
   * conversation that came through a channel (durable mode).
   */
  outbound?: (conversation: StoredConversation, plan: TurnPlan) => JobRequest[];
  /** The NLU model version in use, recorded on every turn (`conversation.turn` {model}). */
  modelVersion?: () => number | 'file' | null;
  /**
   * The pilots and the kill switch as last loaded (the deployment reloads them on every change), asked on every
   * turn. Absent: every workflow live for everyone, nothing stopped.
   */
  pilots?: () => Pick<PlanContext, 'pilotFor' | 'killed'>;
}

/** A turn as it was committed, with how long it took, for metrics and the surfaces. */
export interface CommittedTurn {
  report: TurnReport;
  /** Planning and committing, connector time excluded. */
  durationMs: number;
  /** When the customer message the turn handled was received (message turns). */
  receivedAt?: number;
}

/**
 * Conversations, turn by turn: plan (NLU, guardrails, engine: pure), commit (one transaction: messages, state,
 * handoff, events, jobs), act (the connector call the turn asked for, as a job; its result comes back as a new
 * committed turn). Every step is idempotent: a job that runs twice finds its work done (a handled message is no
 * longer pending, an answered call no longer pending) and a call made twice carries the same idempotency key.
 *
 * @example
 * const service = createConversationService({ store, analyse, workflows, connectors, guardrails, clock, mode: 'durable' });
 * await service.start({ id: 'c1', customer: { attributes: {} }, channel: 'widget' });
 * await service.receive({ conversationId: 'c1', text: 'Where is my order?', idempotencyKey: 'k1' });
 * const runner = createJobRunner({ queue: store.jobs, handlers: service.jobHandlers() });
 * await runner.drain(); // the turn, the call, the call's result
 */
export interface ConversationService {
  start(props: {
    id: string;
    customer: CustomerProfile;
    channel: string;
    tokenHash?: string;
    idempotencyKey?: string;
  }): Promise<StoredConversation>;
  /** Stores a customer message and queues its turn (durable), in one transaction; idempotent on the key. */
  receive(props: { conversationId: string; text: string; idempotencyKey?: string }): Promise<ReceivedMessage>;
  /**
   * Handles the conversation's pending messages, oldest first; inline mode also makes the calls they ask for. The
   * `job` running it, if any, is completed with the turn of the last pending message.
   */
  processPending(conversationId: string, job?: ClaimedJob): Promise<TurnReport[]>;
  /** Makes the pending call `callId` when it is still pending, and commits its result (completing `job`). */
  runCall(conversationId: string, callId: string, job?: ClaimedJob): Promise<TurnReport[]>;
  /** Stores the customer's feedback; "not resolved" hands a bot-owned conversation to a person. */
  feedback(props: {
    conversationId: string;
    resolved?: boolean;
    rating?: number;
    comment?: string;
    source: string;
    /** When the customer answered, as the channel says (default now): a repeated job finds its answer by it. */
    at?: number;
  }): Promise<StoredFeedback>;
  /** Queues the turns of messages nobody handled for `olderThanMs`; returns how many conversations. */
  sweep(olderThanMs?: number): Promise<number>;
  /** Queues the next sweep (one a minute across every process). */
  scheduleSweep(): Promise<void>;
  /** The job handlers of the conversation queues. */
  jobHandlers(): Record<string, JobHandler>;
  /** Hears every committed turn (metrics, `chat`, streams in tests). */
  subscribe(listener: (turn: CommittedTurn) => void): () => void;
}

export function createConversationService(options: ConversationServiceOptions): ConversationService {
  const { store, clock, mode } = options;
  const logger = options.logger ?? silentLogger;
  const durable = mode === 'durable';
  const listeners = new Set<(turn: CommittedTurn) => void>();
  const context = (): PlanContext => ({
    workflows: options.workflows,
    guardrails: options.guardrails,
    searchKnowledge: options.knowledge?.() ?? null,
    idempotencyKey: callIdempotencyKey,
    onMissingWorkflow: (workflowId, version) =>
      logger.warn({ workflow: workflowId, version }, 'workflow version no longer loaded; starting afresh'),
    ...options.pilots?.(),
    ...(options.modelVersion ? { modelVersion: options.modelVersion() } : {}),
  });
  const emit = (turn: CommittedTurn) => {
    for (const listener of [...listeners]) {
      try {
        listener(turn);
      } catch (error) {
        logger.warn({ code: (error as { code?: string }).code ?? 'listener' }, 'a turn listener failed');
      }
    }
  };

  // The state as last read or committed, per conversation and revision: a job reads a conversation several times,
  // and checking the state's schema each time was a measurable share of a turn (bench:engine).
  const states = new Map<string, { revision: number; state: RuntimeState }>();
  const remember = (conversationId: string, revision: number, state: RuntimeState) => {
    if (states.size >= STATE_CACHE_SIZE) states.delete(states.keys().next().value as string);
    states.set(conversationId, { revision, state });
  };

  const read = async (conversationId: string) => {
    const conversation = await store.findConversation(conversationId);
    if (!conversation) {
      throw new UserError('conversation.not_found', `no conversation ${JSON.stringify(conversationId)}`, {
        field: 'conversationId',
      });
    }
    const known = states.get(conversationId);
    if (known && known.revision === conversation.revision) return { conversation, state: known.state };
    const state = readRuntimeState(conversationId, conversation.state);
    remember(conversationId, conversation.revision, state);
    return { conversation, state };
  };

  /**
   * Plans and commits from `first` (the conversation as the caller read it), reading again after a conflict;
   * `decide` returns null when there is nothing to do. With `completes`, the job is marked complete in the turn's
   * own transaction when `decide` says the turn is its last.
   */
  async function withRetries(
    conversationId: string,
    first: Awaited<ReturnType<typeof read>>,
    decide: (current: Awaited<ReturnType<typeof read>>) => Promise<Decision | null>,
    job?: ClaimedJob,
  ): Promise<TurnReport | null> {
    let current = first;
    for (let conflicts = 0; ; conflicts++) {
      const decided = await decide(current);
      if (!decided) return null;
      const started = performance.now();
      const plan = planTurn({ ...current, trigger: decided.trigger, context: context() });
      const jobs = [
        ...(decided.jobs ?? []),
        ...(durable && options.outbound ? options.outbound(current.conversation, plan) : []),
      ];
      try {
        const report = await commitTurn({
          store,
          conversation: current.conversation,
          plan,
          durable,
          ...(jobs.length > 0 ? { jobs } : {}),
          ...(job && decided.last ? { completes: job } : {}),
          at: clock.now(),
        });
        remember(conversationId, report.revision, plan.state);
        emit({
          report,
          durationMs: performance.now() - started,
          ...(decided.receivedAt !== undefined ? { receivedAt: decided.receivedAt } : {}),
        });
        return report;
      } catch (error) {
        const conflict = error instanceof OperationalError && error.code === 'conversation.conflict';
        if (!conflict || conflicts >= MAX_CONFLICTS) throw error;
        current = await read(conversationId);
      }
    }
  }

  async function runCall(conversationId: string, callId: string, job?: ClaimedJob): Promise<TurnReport[]> {
    const first = await read(conversationId);
    const call = first.state.pendingCall;
    if (!call || call.callId !== callId) return []; // answered already: this run is a repeat
    // The kill switch stops a call not yet made: the turn that takes its (refused) result hands over to people.
    const stopped = context().killed;
    const workflowId = first.state.workflow?.workflowId ?? null;
    const outcome =
      stopped && (stopped(null) || (workflowId !== null && stopped(workflowId)))
        ? {
            result: err({
              code: 'automation_paused',
              message: 'not called: the automation was stopped',
              retryable: false,
            }),
            attempts: 0,
            durationMs: 0,
          }
        : await options.connectors.call({
            connector: call.connector,
            version: call.version,
            operation: call.operation,
            input: call.input,
            timeoutMs: call.timeoutMs,
            retries: call.retries,
            idempotencyKey: call.idempotencyKey,
          });
    // The call took a while: what it answers is planned on the conversation as it is now.
    const report = await withRetries(
      conversationId,
      await read(conversationId),
      async (current) => {
        if (current.state.pendingCall?.callId !== callId) return null;
        // Messages that arrived while the call ran are handled next, in their own job.
        const waiting = durable ? (await store.pendingMessages(conversationId)).length > 0 : false;
        return {
          trigger: {
            type: 'callResult',
            call,
            result: outcome.result,
            attempts: outcome.attempts,
            durationMs: outcome.durationMs,
            at: clock.now(),
          },
          last: true,
          ...(waiting ? { jobs: [turnJob(conversationId, `after:${call.idempotencyKey}`)] } : {}),
        };
      },
      job,
    );
    if (!report) return [];
    if (mode === 'inline') return [report, ...(await processPending(conversationId))];
    return [report];
  }

  async function processPending(conversationId: string, job?: ClaimedJob): Promise<TurnReport[]> {
    const reports: TurnReport[] = [];
    for (let i = 0; i < MAX_TURNS_PER_JOB; i++) {
      const current = await read(conversationId);
      if (current.state.pendingCall) {
        // Durable: the call's job answers first, then wakes this conversation again.
        if (!durable) reports.push(...(await runCall(conversationId, current.state.pendingCall.callId)));
        return reports;
      }
      let handled = false;
      const report = await withRetries(
        conversationId,
        current,
        async (now) => {
          if (now.state.pendingCall) return null;
          const pending = await store.pendingMessages(conversationId);
          const next = pending[0];
          if (!next) return null;
          handled = true;
          return {
            trigger: {
              type: 'message',
              seq: next.seq,
              analysis: options.analyse(next.text),
              at: clock.now(),
            },
            receivedAt: next.at,
            // The job ends with the last message it knows of; a later one brought its own job.
            last: pending.length === 1,
          };
        },
        job,
      );
      if (!handled || !report) return reports;
      reports.push(report);
    }
    // Still more to do: another job takes over, so one busy conversation cannot hold a worker.
    if (durable) await store.jobs.enqueue([turnJob(conversationId)]);
    return reports;
  }

  async function notResolved(
    conversationId: string,
    feedbackAt: number,
    job?: ClaimedJob,
  ): Promise<TurnReport[]> {
    const report = await withRetries(
      conversationId,
      await read(conversationId),
      async (current) => {
        if (current.conversation.owner !== 'bot' || current.conversation.status === 'closed') return null;
        return { trigger: { type: 'notResolved', feedbackAt, at: clock.now() }, last: true };
      },
      job,
    );
    return report ? [report] : [];
  }

  async function sweep(olderThanMs = SWEEP_AFTER_MS): Promise<number> {
    const now = clock.now();
    const ids = await store.conversationsWithPendingMessages({
      receivedBefore: now - olderThanMs,
      limit: 500,
    });
    const bucket = Math.floor(now / 60_000);
    await store.jobs.enqueue(ids.map((id) => turnJob(id, `sweep:${id}:${bucket}`)));
    if (ids.length > 0)
      logger.warn({ conversations: ids.length }, 'sweep: queued turns for waiting messages');
    return ids.length;
  }

  return {
    start: (props) => store.createConversation({ ...props, at: clock.now() }),
    receive: (props) =>
      store.receiveMessage({
        ...props,
        // No one may keep a card number or CVV: masked before the text is stored (the last four digits stay).
        text: redact(props.text, { kinds: PAYMENT_KINDS }),
        at: clock.now(),
        ...(durable ? { jobs: [turnJob(props.conversationId)] } : {}),
      }),
    processPending,
    runCall,
    async feedback(props) {
      const at = props.at ?? clock.now();
      const hand = props.resolved === false;
      const stored = await store.recordFeedback({
        ...props,
        at,
        ...(hand && durable ? { jobs: [notResolvedJob(props.conversationId, at)] } : {}),
      });
      if (hand && !durable) await notResolved(props.conversationId, at);
      return stored;
    },
    sweep,
    async scheduleSweep() {
      await store.jobs.enqueue([sweepJob(Math.floor(clock.now() / 60_000) + 1)]);
    },
    jobHandlers() {
      return {
        [CONVERSATION_QUEUES.turn]: async (job) => {
          await processPending(parsePayload(TurnJobPayload, job.payload).conversationId, job);
          return undefined;
        },
        [CONVERSATION_QUEUES.call]: async (job) => {
          const { conversationId, callId } = parsePayload(CallJobPayload, job.payload);
          await runCall(conversationId, callId, job);
          return undefined;
        },
        [CONVERSATION_QUEUES.notResolved]: async (job) => {
          const { conversationId, feedbackAt } = parsePayload(NotResolvedJobPayload, job.payload);
          await notResolved(conversationId, feedbackAt, job);
          return undefined;
        },
        [CONVERSATION_QUEUES.sweep]: async () => {
          await sweep();
          await store.jobs.enqueue([sweepJob(Math.floor(clock.now() / 60_000) + 1)]);
          return undefined;
        },
      };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

/** A job's payload, checked: one this version did not write is a UserError, dead-lettered at once. */
function parsePayload<T extends z.ZodType>(schema: T, payload: unknown): z.infer<T> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    throw new UserError('jobs.bad_payload', 'the job payload is not one this version writes');
  }
  return parsed.data;
}
