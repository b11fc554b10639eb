import type { ConnectorFailure } from '../connectors/index.ts';
import {
  type ConversationOwner,
  type ConversationStatus,
  type CustomerProfile,
  ESCALATION_SENTENCES,
  type GuardrailConfig,
  type PilotMode,
  type TurnAnalysis,
} from '../domain/index.ts';
import {
  evaluateGuardrails,
  type GuardrailHistory,
  mergeGuardrails,
  recordProgress,
} from '../escalation/index.ts';
import type { Result } from '../shared/index.ts';
import type { StoredConversation } from '../store/index.ts';
import {
  type Effect,
  type EngineEvent,
  selectWorkflow,
  step,
  type WorkflowDefinition,
  type WorkflowState,
} from '../workflows/index.ts';
import {
  type BotLine,
  HANDOFF_TEXT,
  outcomeOfEffects,
  type TurnEscalation,
  withChoices,
} from './bot-lines.ts';
import type { PendingCall, RuntimeState } from './runtime-state.ts';

/**
 * A knowledge-base search for the `answer` step; absent until a knowledge base is imported. It returns the
 * passage to quote, or null when none may be quoted: the knowledge base decides with its calibrated policy
 * (docs/kb.md), and with the turn's intent (the running workflow's) no article tagged for another intent is
 * quoted. Callers that know no intent may leave the second argument out.
 *
 * @example
 * const search: KnowledgeSearch = createKnowledgeSearch(index); // src/app/knowledge.ts
 * search('how long do refunds take', { intent: 'refund_request' }); // { passage, title, url, score } or null
 * search('how long do refunds take'); // the same, without an intent
 */
export type KnowledgeSearch = (
  query: string,
  turn?: { intent?: string | null },
) => { passage: string; title: string; url?: string; score: number } | null;

/** The workflows a deployment runs, with a lookup by id and version (a conversation keeps its version). */
export interface WorkflowSet {
  list: readonly WorkflowDefinition[];
  get(id: string, version: number): WorkflowDefinition | undefined;
}

export function workflowSet(list: readonly WorkflowDefinition[]): WorkflowSet {
  const byKey = new Map(list.map((w) => [`${w.id}@${w.version}`, w]));
  return { list, get: (id, version) => byKey.get(`${id}@${version}`) };
}

/** What a turn reacts to. */
export type TurnTrigger =
  /** A customer message, read by the NLU. */
  | { type: 'message'; seq: number; analysis: TurnAnalysis; at: number }
  /** The result of the connector call the workflow was waiting for. */
  | {
      type: 'callResult';
      call: PendingCall;
      result: Result<unknown, ConnectorFailure>;
      attempts: number;
      durationMs: number;
      at: number;
    }
  /** The customer answered "no" to "Did this resolve your issue?". */
  | { type: 'notResolved'; feedbackAt: number; at: number };

export interface PlanContext {
  workflows: WorkflowSet;
  guardrails: GuardrailConfig;
  /** A read: the knowledge base is searched while planning, an `answer` step needs no job. */
  searchKnowledge?: KnowledgeSearch | null;
  /** Derives a call's idempotency key from the conversation, the turn (the revision it commits) and the call. */
  idempotencyKey: (conversationId: string, revision: number, callId: string) => string;
  /** Told when a conversation's workflow version is no longer loaded (it starts afresh). */
  onMissingWorkflow?: (workflowId: string, version: number) => void;
  /**
   * Pilots (docs/pilots.md): the mode a workflow would run in for this conversation, decided by the deployment from
   * the stored settings. `off`: it is not started; `shadow`: its lines become drafts for an agent. Absent: every
   * workflow is live for everyone.
   */
  pilotFor?: PilotFor;
  /**
   * The kill switch: whether a workflow is stopped (`null`: whether all automation is). A stopped workflow's
   * conversations go to people on their next turn. Absent: nothing is stopped.
   */
  killed?: (workflowId: string | null) => boolean;
  /** The NLU model version that read the message (a store version, `file`, or null without a model): kept on the turn. */
  modelVersion?: number | 'file' | null;
}

/**
 * The pilot decision a deployment provides (src/pilots/ `pilotDecisions`).
 *
 * @example
 * const pilotFor: PilotFor = () => 'live'; // what a deployment without pilots does
 */
export type PilotFor = (props: {
  conversation: { id: string; customer: CustomerProfile; channel: string };
  workflow: { id: string; intents: readonly string[] };
  /** The message's intent, when known. */
  category: string | null;
}) => PilotMode;

/**
 * A decided turn: everything the commit writes, in one value. Nothing has been sent or called yet; a connector
 * call the workflow asked for is `pendingCall`, carried out after the commit.
 */
export interface TurnPlan {
  trigger: TurnTrigger;
  state: RuntimeState;
  bot: BotLine[];
  status: ConversationStatus;
  owner: ConversationOwner;
  escalation?: TurnEscalation;
  /** The definition of the workflow the turn ran, for the handoff packet. */
  definition: WorkflowDefinition | null;
  /** The engine's effects in order, for `chat --debug` and tests. */
  effects: Effect[];
  guardrail: 'continue' | 'clarify' | 'escalate';
  pendingCall: PendingCall | null;
  /**
   * Events beside the store's own (no customer text, except the bot's drafts in `shadow.draft`: what the bot would
   * have said, for the agent).
   */
  events: { type: string; payload: Record<string, unknown> }[];
  /** Shadow mode: the lines the bot planned and did not send (also in `shadow.draft` events). */
  drafts?: BotLine[];
}

/**
 * Plans a turn: the guardrails, the workflow engine and knowledge-base searches, from the conversation as read
 * and what happened. Pure apart from the knowledge-base read; the same inputs give the same plan.
 *
 * @example
 * const plan = planTurn({ conversation, state, trigger: { type: 'message', seq: 0, analysis, at }, context });
 * plan.bot[0]?.text; // 'What is your order number? ...'
 * plan.pendingCall;  // null, or the call to make once the plan is committed
 */
export function planTurn(props: {
  conversation: StoredConversation;
  state: RuntimeState;
  trigger: TurnTrigger;
  context: PlanContext;
}): TurnPlan {
  const { trigger } = props;
  if (trigger.type === 'message') return planMessage({ ...props, trigger });
  if (trigger.type === 'callResult') return planCallResult({ ...props, trigger });
  return planNotResolved({ ...props, trigger });
}

type PlanProps<T extends TurnTrigger['type']> = {
  conversation: StoredConversation;
  state: RuntimeState;
  trigger: Extract<TurnTrigger, { type: T }>;
  context: PlanContext;
};

function silentPlan(
  props: { conversation: StoredConversation; state: RuntimeState; trigger: TurnTrigger },
  events: TurnPlan['events'] = [],
): TurnPlan {
  const { conversation, state, trigger } = props;
  return {
    trigger,
    state,
    bot: [],
    status: conversation.status,
    owner: conversation.owner,
    definition: null,
    effects: [],
    guardrail: 'continue',
    pendingCall: null,
    events,
  };
}

function planMessage(props: PlanProps<'message'>): TurnPlan {
  const { conversation, state, trigger, context } = props;
  const { analysis, at } = trigger;
  const turnEvent = (
    guardrail: TurnPlan['guardrail'],
    extra: Record<string, unknown>,
    ws: WorkflowState | null,
    done = true,
  ) => ({
    type: 'conversation.turn',
    payload: {
      seq: trigger.seq,
      /** False while a connector call the turn asked for is outstanding: the answer is not complete yet. */
      done,
      intent: analysis.intent,
      confidence: round(analysis.confidence),
      outOfScope: analysis.outOfScope,
      ...(context.modelVersion !== undefined ? { model: context.modelVersion } : {}),
      guardrail,
      ...extra,
      workflow: ws?.workflowId ?? null,
      step: ws?.stepId ?? null,
    },
  });

  // A person owns it: the message is kept, the bot says nothing.
  if (conversation.owner === 'human' || conversation.status === 'closed') {
    return silentPlan(props, [turnEvent('continue', { silent: true }, state.workflow)]);
  }

  // A finished workflow does not hold the next request: a new message starts afresh.
  let workflowState =
    state.workflow && (state.workflow.status === 'resolved' || state.workflow.status === 'escalated')
      ? null
      : state.workflow;
  let definition = workflowState
    ? (context.workflows.get(workflowState.workflowId, workflowState.workflowVersion) ?? null)
    : null;
  if (workflowState && !definition) {
    context.onMissingWorkflow?.(workflowState.workflowId, workflowState.workflowVersion);
    workflowState = null;
  }

  const config = mergeGuardrails(context.guardrails, definition?.guardrails);

  // The kill switch: a stopped workflow (or all automation) hands the conversation to people, packet and all.
  if (context.killed?.(null) || (workflowState && context.killed?.(workflowState.workflowId))) {
    return pausedPlan({ ...props, workflowState, definition, queue: config.queue, turnEvent });
  }

  const awaitingAnswer =
    workflowState !== null &&
    (workflowState.status === 'awaiting_input' || workflowState.status === 'awaiting_confirm');
  const decision = evaluateGuardrails({
    config,
    turn: analysis,
    history: state.guardrails,
    awaitingAnswer,
    workflowActive: workflowState !== null,
    workflowIntent: workflowState?.intent ?? null,
  });
  let history: GuardrailHistory = decision.history;
  let effects: Effect[] = [];
  let pendingCall: PendingCall | null = null;
  let shadowRun = false;
  const customer = conversation.customer;

  const run = (event: EngineEvent) => {
    if (!definition) return;
    const ran = runEngine({
      definition,
      state: workflowState,
      event,
      context,
      conversation,
      at,
      customerSeq: trigger.seq,
    });
    workflowState = ran.state;
    effects = [...effects, ...ran.effects];
    pendingCall = ran.pendingCall;
  };

  if (decision.action === 'escalate') {
    if (workflowState && definition) {
      run({ type: 'escalate', at, code: decision.code, reason: decision.reason });
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
    // Said below, ahead of anything else.
  } else if (workflowState && definition) {
    const before = workflowState.lastProgressTurn;
    run({ type: 'message', at, turn: analysis });
    if (workflowState && workflowState.lastProgressTurn !== before) history = recordProgress(history);
  } else {
    // A workflow whose pilot leaves this customer out is as if it were not there.
    const pilotFor = context.pilotFor;
    const candidates = pilotFor
      ? context.workflows.list.filter(
          (w) =>
            pilotFor({
              conversation,
              workflow: { id: w.id, intents: w.trigger.intents },
              category: analysis.intent,
            }) !== 'off',
        )
      : context.workflows.list;
    definition =
      selectWorkflow(candidates, { turn: analysis, customer, channel: conversation.channel }) ?? null;
    if (definition && context.killed?.(definition.id)) {
      return pausedPlan({ ...props, workflowState: null, definition, queue: config.queue, turnEvent });
    }
    shadowRun =
      definition !== null &&
      pilotFor?.({
        conversation,
        workflow: { id: definition.id, intents: definition.trigger.intents },
        category: analysis.intent,
      }) === 'shadow';
    if (definition) {
      history = recordProgress(history);
      run({
        type: 'start',
        at,
        turn: analysis,
        customer,
        channel: conversation.channel,
        conversationId: conversation.id,
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

  const outcome = outcomeOfEffects(effects, { status: 'open', owner: conversation.owner });
  const bot: BotLine[] =
    decision.action === 'clarify' ? [{ kind: 'clarify', text: decision.text }, ...outcome.bot] : outcome.bot;
  const finalState: WorkflowState | null = workflowState;
  if (shadowRun && finalState) {
    return shadowPlan({
      conversation,
      trigger,
      history,
      workflowState: finalState,
      definition,
      effects,
      drafts: bot,
      escalation: outcome.escalation ?? null,
      queue: config.queue,
      turnEvent,
      notCalled: pendingCall,
    });
  }
  return {
    trigger,
    state: { version: 2, workflow: finalState, guardrails: history, pendingCall },
    bot,
    status: outcome.status,
    owner: outcome.owner,
    ...(outcome.escalation ? { escalation: outcome.escalation } : {}),
    definition,
    effects,
    guardrail: decision.action,
    pendingCall,
    events: [
      turnEvent(
        decision.action,
        decision.action === 'escalate' ? { code: decision.code } : {},
        finalState,
        pendingCall === null,
      ),
    ],
  };
}

type TurnEventOf = (
  guardrail: TurnPlan['guardrail'],
  extra: Record<string, unknown>,
  ws: WorkflowState | null,
  done?: boolean,
) => { type: string; payload: Record<string, unknown> };

/**
 * The kill switch's turn: the workflow in flight (if any) escalates with `automation_paused`, so the agent gets the
 * packet with what it collected; with none, the conversation goes to people all the same.
 */
function pausedPlan(
  props: PlanProps<'message'> & {
    workflowState: WorkflowState | null;
    definition: WorkflowDefinition | null;
    queue: string;
    turnEvent: TurnEventOf;
  },
): TurnPlan {
  const { conversation, state, trigger, context, workflowState, definition } = props;
  const reason = ESCALATION_SENTENCES.automation_paused;
  let effects: Effect[];
  let workflow = workflowState;
  if (workflowState && definition) {
    const ran = runEngine({
      definition,
      state: workflowState,
      event: { type: 'escalate', at: trigger.at, code: 'automation_paused', reason },
      context,
      conversation,
      at: trigger.at,
      customerSeq: trigger.seq,
    });
    effects = ran.effects;
    workflow = ran.state;
  } else {
    effects = [
      {
        type: 'escalate',
        stepId: null,
        code: 'automation_paused',
        reason,
        queue: props.queue,
        priority: 'normal',
      },
      { type: 'setOwner', owner: 'human' },
    ];
  }
  const outcome = outcomeOfEffects(effects, { status: 'open', owner: conversation.owner });
  return {
    trigger,
    state: { version: 2, workflow, guardrails: state.guardrails, pendingCall: null },
    bot: outcome.bot,
    status: outcome.status,
    owner: outcome.owner,
    ...(outcome.escalation ? { escalation: outcome.escalation } : {}),
    definition,
    effects,
    guardrail: 'escalate',
    pendingCall: null,
    events: [props.turnEvent('escalate', { code: 'automation_paused', paused: true }, workflow)],
  };
}

/**
 * Shadow mode's turn: the workflow ran as it would live, but its lines become drafts (`shadow.draft` events) and
 * the customer gets only the hand-off line people-handled requests get; no connector is called; the conversation
 * goes to people with the packet. The workflow is stored as escalated, so a hand-back starts afresh rather than
 * continuing a conversation the customer never saw.
 */
function shadowPlan(props: {
  conversation: StoredConversation;
  trigger: Extract<TurnTrigger, { type: 'message' }>;
  history: GuardrailHistory;
  workflowState: WorkflowState;
  definition: WorkflowDefinition | null;
  effects: Effect[];
  drafts: BotLine[];
  escalation: TurnEscalation | null;
  queue: string;
  turnEvent: TurnEventOf;
  /** The call the workflow asked for, not made in shadow mode. */
  notCalled: PendingCall | null;
}): TurnPlan {
  const { conversation, trigger, workflowState, notCalled } = props;
  const escalation: TurnEscalation = props.escalation ?? {
    code: 'shadow_mode',
    reason: ESCALATION_SENTENCES.shadow_mode,
    queue: props.queue,
    priority: 'normal',
  };
  const workflow: WorkflowState = { ...workflowState, status: 'escalated', pendingCallId: null };
  const revision = conversation.revision + 1;
  const drafts = props.drafts.filter((line) => line.text.trim() !== '');
  return {
    trigger,
    state: { version: 2, workflow, guardrails: props.history, pendingCall: null },
    bot: [{ kind: 'escalate', text: HANDOFF_TEXT }],
    status: 'escalated',
    owner: 'human',
    escalation,
    definition: props.definition,
    effects: props.effects,
    guardrail: 'continue',
    pendingCall: null,
    drafts,
    events: [
      props.turnEvent(
        'continue',
        {
          pilot: 'shadow',
          code: escalation.code,
          drafts: drafts.length,
          // Where the drafts stop: the call a live run would have made next.
          ...(notCalled ? { notCalled: `${notCalled.connector}.${notCalled.operation}` } : {}),
        },
        workflow,
      ),
      ...drafts.map((line, i) => ({
        type: 'shadow.draft',
        payload: {
          draftId: `${conversation.id}:${revision}:${i}`,
          text: withChoices(line),
          stepId: line.stepId ?? null,
          kind: line.kind,
          workflow: workflowState.workflowId,
          seq: trigger.seq,
        },
      })),
    ],
  };
}

function planCallResult(props: PlanProps<'callResult'>): TurnPlan {
  const { conversation, state, trigger, context } = props;
  const { call, result, at } = trigger;
  const callEvent = (done: boolean) => ({
    type: 'conversation.call_result',
    payload: {
      seq: call.customerSeq,
      done,
      callId: call.callId,
      connector: call.connector,
      operation: call.operation,
      ok: result.ok,
      ...(result.ok ? {} : { code: result.error.code }),
      attempts: trigger.attempts,
      durationMs: Math.round(trigger.durationMs),
    },
  });
  const workflow = state.workflow;
  const definition = workflow
    ? (context.workflows.get(workflow.workflowId, workflow.workflowVersion) ?? null)
    : null;
  if (!workflow || !definition) {
    // Nothing is left to take the result (the workflow version was unloaded): a person takes over.
    const escalation: TurnEscalation = {
      code: 'connector_failed',
      reason: `${ESCALATION_SENTENCES.connector_failed} The workflow that asked for ${call.connector}.${call.operation} is no longer loaded.`,
      queue: context.guardrails.queue,
      priority: 'normal',
    };
    const speaks = conversation.owner === 'bot' && conversation.status !== 'closed';
    return {
      ...silentPlan(props, [callEvent(true)]),
      state: { ...state, pendingCall: null },
      ...(speaks
        ? {
            bot: [{ kind: 'escalate' as const, text: HANDOFF_TEXT }],
            status: 'escalated' as const,
            owner: 'human' as const,
            escalation,
          }
        : {}),
    };
  }
  // The kill switch stopped the workflow while its call ran: the result is kept in the state, a person takes over.
  const speaks = conversation.owner === 'bot' && conversation.status !== 'closed';
  if (speaks && (context.killed?.(null) || context.killed?.(workflow.workflowId))) {
    const ran = runEngine({
      definition,
      state: workflow,
      event: {
        type: 'escalate',
        at,
        code: 'automation_paused',
        reason: ESCALATION_SENTENCES.automation_paused,
      },
      context,
      conversation,
      at,
      customerSeq: call.customerSeq,
    });
    const outcome = outcomeOfEffects(ran.effects, { status: conversation.status, owner: conversation.owner });
    return {
      ...silentPlan(props, [callEvent(true)]),
      state: { ...state, workflow: ran.state, pendingCall: null },
      bot: outcome.bot,
      status: outcome.status,
      owner: outcome.owner,
      ...(outcome.escalation ? { escalation: outcome.escalation } : {}),
      definition,
      effects: ran.effects,
      guardrail: 'escalate',
    };
  }
  const event: EngineEvent = result.ok
    ? { type: 'callResult', at, callId: call.callId, ok: true, output: result.value }
    : {
        type: 'callResult',
        at,
        callId: call.callId,
        ok: false,
        error: `${result.error.code}: ${result.error.message}`,
      };
  const ran = runEngine({
    definition,
    state: workflow,
    event,
    context,
    conversation,
    at,
    customerSeq: call.customerSeq,
  });
  const history =
    ran.state.lastProgressTurn !== workflow.lastProgressTurn
      ? recordProgress(state.guardrails)
      : state.guardrails;
  const nextState: RuntimeState = {
    version: 2,
    workflow: ran.state,
    guardrails: history,
    pendingCall: ran.pendingCall,
  };
  // A person took the conversation over while the call ran: the result is kept for them, the bot stays quiet.
  if (conversation.owner === 'human' || conversation.status === 'closed') {
    return {
      ...silentPlan(props, [callEvent(true)]),
      state: { ...nextState, pendingCall: null },
      definition,
    };
  }
  const outcome = outcomeOfEffects(ran.effects, { status: conversation.status, owner: conversation.owner });
  return {
    trigger,
    state: nextState,
    bot: outcome.bot,
    status: outcome.status,
    owner: outcome.owner,
    ...(outcome.escalation ? { escalation: outcome.escalation } : {}),
    definition,
    effects: ran.effects,
    guardrail: 'continue',
    pendingCall: ran.pendingCall,
    events: [callEvent(ran.pendingCall === null)],
  };
}

function planNotResolved(props: PlanProps<'notResolved'>): TurnPlan {
  const { conversation, state, trigger, context } = props;
  const event = { type: 'conversation.not_resolved', payload: { feedbackAt: trigger.feedbackAt } };
  if (conversation.owner === 'human' || conversation.status === 'closed') return silentPlan(props, [event]);
  const definition = state.workflow
    ? (context.workflows.get(state.workflow.workflowId, state.workflow.workflowVersion) ?? null)
    : null;
  const escalation: TurnEscalation = {
    code: 'not_resolved',
    reason: ESCALATION_SENTENCES.not_resolved,
    queue: mergeGuardrails(context.guardrails, definition?.guardrails).queue,
    priority: 'normal',
  };
  return {
    ...silentPlan(props, [event]),
    state: { ...state, pendingCall: null },
    bot: [{ kind: 'escalate', text: HANDOFF_TEXT }],
    status: 'escalated',
    owner: 'human',
    escalation,
    definition,
  };
}

/**
 * Steps the engine from one event until it waits: knowledge-base searches are answered in place (a read); a
 * connector call stops the run (the engine waits for its result) and becomes the turn's pending call.
 */
function runEngine(props: {
  definition: WorkflowDefinition;
  state: WorkflowState | null;
  event: EngineEvent;
  context: PlanContext;
  conversation: StoredConversation;
  at: number;
  /** The customer message the run answers, carried on a call it asks for. */
  customerSeq: number | null;
}): { state: WorkflowState; effects: Effect[]; pendingCall: PendingCall | null } {
  const { definition, context, conversation, at } = props;
  let result = step(definition, props.state, props.event);
  let state = result.state;
  const effects: Effect[] = [];
  const queue = [...result.effects];
  let pendingCall: PendingCall | null = null;
  while (queue.length > 0) {
    const effect = queue.shift() as Effect;
    effects.push(effect);
    if (effect.type === 'call') {
      pendingCall = {
        callId: effect.callId,
        idempotencyKey: context.idempotencyKey(conversation.id, conversation.revision + 1, effect.callId),
        connector: effect.connector,
        version: effect.version,
        operation: effect.operation,
        input: effect.input,
        timeoutMs: effect.timeoutMs,
        retries: effect.retries,
        requestedAt: at,
        customerSeq: props.customerSeq,
      };
    } else if (effect.type === 'answer') {
      // The workflow's intent (the one it was started for), else this message's.
      const intent = state.intent ?? (props.event.type === 'message' ? props.event.turn.intent : null);
      const hit = context.searchKnowledge?.(effect.query, { intent }) ?? null;
      const next: EngineEvent = hit
        ? { type: 'answerResult', at, stepId: effect.stepId, found: true, ...hit }
        : { type: 'answerResult', at, stepId: effect.stepId, found: false };
      result = step(definition, state, next);
      state = result.state;
      queue.push(...result.effects);
    }
  }
  return { state, effects, pendingCall };
}

const round = (x: number) => Math.round(x * 1000) / 1000;
