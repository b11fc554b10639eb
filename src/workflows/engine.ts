import {
  ESCALATION_SENTENCES,
  type EscalationCode,
  type EscalationPriority,
  moneyAmount,
  type TurnAnalysis,
} from '../domain/index.ts';
import { BugError, UserError } from '../shared/index.ts';
import { evaluateCondition } from './condition.ts';
import type { SlotDefinition, Step, WorkflowDefinition } from './definition.ts';
import type { Effect } from './effects.ts';
import type { EngineEvent } from './events.ts';
import { lookupPath, scopeOf } from './scope.ts';
import { extractSlotValue, slotChoices, slotEntityType, validateSlotValue, yesOrNo } from './slot-values.ts';
import { STATE_VERSION, type WorkflowState } from './state.ts';
import { renderTemplate } from './template.ts';

/** Steps entered for one event without waiting for anything; past this the workflow is looping. */
export const MAX_TRANSITIONS = 100;

/** The rendered answer to a knowledge-base search, with its source. */
const ANSWER_TEMPLATE =
  '{{ answer.passage }}\n\nSource: {{ answer.title }}{% if answer.url %} ({{ answer.url }}){% endif %}';

export interface StepResult {
  state: WorkflowState;
  effects: Effect[];
}

type StepOf<T extends Step['type']> = Extract<Step, { type: T }>;
type AskStep = StepOf<'ask'>;
type CallStep = StepOf<'call'>;
type ConfirmStep = StepOf<'confirm'>;
type AnswerStep = StepOf<'answer'>;

/**
 * The workflow engine: a pure function from a definition, a state (null before the start) and an event to
 * the next state and the effects for the runtime to carry out. Deterministic (time comes from `event.at`,
 * call ids from the conversation id and a counter), no I/O, and the inputs are never changed.
 *
 * From the event it runs steps until one must wait (ask -> awaiting_input, confirm -> awaiting_confirm,
 * call -> awaiting_call, answer -> awaiting_answer) or the run ends (resolved, escalated). Every escalation
 * emits `escalate` then `setOwner: human`. Events for a finished run, and results for a call or search the run
 * is not waiting for, change nothing.
 *
 * @example
 * const start = { type: 'start', at: 0, turn: customerTurn('Where is my order?', [], 'order_status'),
 *   customer: { attributes: {} }, channel: 'chat', conversationId: 'c1' } as const;
 * let { state, effects } = step(orderStatus, null, start);
 * // effects: [{ type: 'ask', stepId: 'ask_number', slot: 'order_number', text: 'What is your order number? ...' }]
 * ({ state, effects } = step(orderStatus, state, { type: 'message', at: 1000, turn: customerTurn('SB-100001') }));
 * // effects: [{ type: 'call', callId: 'c1:0', connector: 'demo-shop', operation: 'getOrder', ... }]
 */
export function step(
  definition: WorkflowDefinition,
  state: WorkflowState | null,
  event: EngineEvent,
): StepResult {
  if (event.type === 'start') {
    if (state !== null) {
      throw new BugError(
        'workflow.already_started',
        `workflow ${definition.id}: a start event for conversation ${state.conversationId}, whose run has already started (status ${state.status})`,
      );
    }
    return orBotError(
      definition,
      () => initialState(definition, event),
      event.at,
      () => start(definition, event),
    );
  }
  if (state === null) {
    throw new BugError(
      'workflow.not_started',
      `workflow ${definition.id}: a ${event.type} event before the start event`,
    );
  }
  if (state.version !== STATE_VERSION) {
    throw new BugError(
      'workflow.state_version',
      `workflow state of conversation ${state.conversationId} has version ${String(state.version)}; this engine reads version ${STATE_VERSION}`,
    );
  }
  if (state.workflowId !== definition.id) {
    throw new BugError(
      'workflow.wrong_definition',
      `the state of conversation ${state.conversationId} belongs to workflow ${state.workflowId}, not ${definition.id}`,
    );
  }
  if (state.status === 'resolved' || state.status === 'escalated') return { state, effects: [] };

  return orBotError(
    definition,
    () => state,
    event.at,
    () => onEvent(definition, state, event),
  );
}

/**
 * Runs `go`; when a template fails (a render budget spent, a filter that throws on the values it got), the
 * conversation escalates with `bot_error` from the state before the event, instead of the turn being lost.
 */
function orBotError(
  definition: WorkflowDefinition,
  before: () => WorkflowState,
  at: number,
  go: () => StepResult,
): StepResult {
  try {
    return go();
  } catch (error) {
    if (!(error instanceof UserError) || !error.code.startsWith('workflow.template_')) throw error;
    const state = before();
    const run = new Run(definition, writableCopy(state), at);
    run.escalate({ stepId: state.stepId, code: 'bot_error', detail: error.message });
    return run.result();
  }
}

function onEvent(
  definition: WorkflowDefinition,
  state: WorkflowState,
  event: Exclude<EngineEvent, { type: 'start' }>,
): StepResult {
  switch (event.type) {
    case 'message':
      return onMessage(definition, state, event.at, event.turn);
    case 'callResult':
      if (state.status !== 'awaiting_call' || event.callId !== state.pendingCallId)
        return { state, effects: [] };
      return onCallResult(definition, state, event);
    case 'answerResult':
      if (state.status !== 'awaiting_answer' || event.stepId !== state.stepId) return { state, effects: [] };
      return onAnswerResult(definition, state, event);
    case 'escalate': {
      const run = new Run(definition, writableCopy(state), event.at);
      run.escalate({ stepId: null, code: event.code, reason: event.reason });
      run.state.stepId = null;
      return run.result();
    }
  }
}

/**
 * A copy of the state that a run may change. The containers a run writes to (slots, vars, attempts, entities,
 * trail, calls) are new; the values inside them are never changed in place (a call record is copied before
 * it is updated), so they are shared with the caller's state instead of deep-copied on every event: a deep
 * copy was the largest cost of a step.
 */
function writableCopy(state: WorkflowState): WorkflowState {
  return {
    ...state,
    slots: { ...state.slots },
    vars: { ...state.vars },
    attempts: { ...state.attempts },
    entities: [...state.entities],
    trail: [...state.trail],
    calls: [...state.calls],
  };
}

/** The state of a run that has just started, before its first step. */
function initialState(
  definition: WorkflowDefinition,
  event: Extract<EngineEvent, { type: 'start' }>,
): WorkflowState {
  const state: WorkflowState = {
    version: STATE_VERSION,
    workflowId: definition.id,
    workflowVersion: definition.version,
    conversationId: event.conversationId,
    status: 'awaiting_input',
    stepId: null,
    slots: {},
    vars: {},
    customer: structuredClone(event.customer),
    channel: event.channel,
    intent: event.turn.intent,
    entities: structuredClone(event.turn.entities),
    lastMessage: event.turn.text,
    attempts: {},
    pendingCallId: null,
    callCount: 0,
    answer: null,
    trail: [],
    calls: [],
    turns: 1,
    lastProgressTurn: 1,
    outcome: null,
    startedAt: event.at,
    updatedAt: event.at,
  };
  for (const [name, slot] of Object.entries(definition.slots)) {
    const value = valueFromEntities(name, slot, state) ?? choiceFromMessage(slot, event.turn.text);
    if (value !== undefined) state.slots[name] = value;
  }
  return state;
}

function start(definition: WorkflowDefinition, event: Extract<EngineEvent, { type: 'start' }>): StepResult {
  const state = initialState(definition, event);
  const run = new Run(definition, state, event.at);
  const first = definition.start ?? definition.steps[0]?.id;
  if (first === undefined) throw new BugError('workflow.no_steps', `workflow ${definition.id} has no steps`);
  run.runFrom(first);
  return run.result();
}

function onMessage(
  definition: WorkflowDefinition,
  previous: WorkflowState,
  at: number,
  turn: TurnAnalysis,
): StepResult {
  const run = new Run(definition, writableCopy(previous), at);
  const state = run.state;
  state.entities.push(...structuredClone(turn.entities));
  state.lastMessage = turn.text;
  state.turns += 1;
  if (state.status === 'awaiting_input') answerAsk(run, run.waitingStep('ask'), turn);
  else if (state.status === 'awaiting_confirm') answerConfirm(run, run.waitingStep('confirm'), turn);
  return run.result();
}

function answerAsk(run: Run, ask: AskStep, turn: TurnAnalysis): void {
  const slot = run.slot(ask);
  const value = extractSlotValue({
    name: ask.slot,
    slot,
    answer: turn,
    choices: slotChoices(slot, scopeOf(run.state)),
  });
  if (value.ok) {
    run.state.slots[ask.slot] = value.value;
    run.progress();
    run.trail(ask, 'filled');
    run.runFrom(run.nextOf(ask));
    return;
  }
  const attempts = run.countAttempt(ask.id);
  if (attempts <= slot.retries) {
    run.trail(ask, 'invalid');
    const retry = slot.retryPrompt ?? ask.prompt ?? slot.prompt;
    // A rule's reason says what was wrong with the answer before the question comes again.
    const reason = value.error.reason;
    run.emitAsk(ask, slot, reason === undefined ? retry : `${reason} ${retry}`);
    return;
  }
  run.progress();
  run.trail(ask, 'failed');
  if (ask.onFail !== undefined) {
    run.runFrom(ask.onFail);
    return;
  }
  run.escalate({
    stepId: ask.id,
    code: 'slot_retries_exhausted',
    detail: `Step ${ask.id}: no valid ${ask.slot} after ${attempts} answers.`,
  });
}

function answerConfirm(run: Run, confirm: ConfirmStep, turn: TurnAnalysis): void {
  const answer = yesOrNo(turn.text);
  if (answer === null && run.countAttempt(confirm.id) <= 1) {
    run.trail(confirm, 'unclear');
    run.emit({
      type: 'confirm',
      stepId: confirm.id,
      text: `Please answer yes or no. ${run.render(confirm.question)}`,
    });
    return;
  }
  run.progress();
  if (answer === true) {
    run.trail(confirm, 'yes');
    if (confirm.yes !== undefined) run.runFrom(confirm.yes);
    else run.resolve(confirm.id, undefined);
    return;
  }
  run.trail(confirm, answer === false ? 'no' : 'unclear_as_no');
  if (confirm.no !== undefined) run.runFrom(confirm.no);
  else
    run.escalate({
      stepId: confirm.id,
      code: 'not_resolved',
      detail: `Step ${confirm.id}: the customer ${answer === false ? 'said no' : 'gave no clear yes'}.`,
    });
}

function onCallResult(
  definition: WorkflowDefinition,
  previous: WorkflowState,
  event: Extract<EngineEvent, { type: 'callResult' }>,
): StepResult {
  const run = new Run(definition, writableCopy(previous), event.at);
  const state = run.state;
  const call = run.waitingStep('call');
  // The record is copied before it changes: the copy of the state shares its entries with the caller's.
  const index = state.calls.findIndex((c) => c.callId === event.callId);
  const record = index >= 0 ? { ...state.calls[index]! } : undefined;
  if (record) state.calls[index] = record;
  state.pendingCallId = null;
  run.progress();
  if (event.ok) {
    const output = structuredClone(event.output);
    if (record) {
      record.ok = true;
      if (output !== undefined) record.output = output;
    }
    for (const [key, path] of Object.entries(call.output)) {
      const value = lookupPath(output, path);
      if (value === undefined) delete state.vars[key];
      else state.vars[key] = value;
    }
    run.trail(call, 'returned');
    run.runFrom(run.nextOf(call));
    return run.result();
  }
  if (record) {
    record.ok = false;
    record.error = event.error;
  }
  run.trail(call, 'call_failed');
  if (call.onError !== undefined) run.runFrom(call.onError);
  else
    run.escalate({
      stepId: call.id,
      code: 'connector_failed',
      detail: `${call.connector} ${call.operation} failed: ${event.error}`,
    });
  return run.result();
}

function onAnswerResult(
  definition: WorkflowDefinition,
  previous: WorkflowState,
  event: Extract<EngineEvent, { type: 'answerResult' }>,
): StepResult {
  const run = new Run(definition, writableCopy(previous), event.at);
  const answer = run.waitingStep('answer');
  run.progress();
  if (event.found && event.score >= answer.minScore) {
    run.state.answer = {
      passage: event.passage,
      title: event.title,
      ...(event.url !== undefined ? { url: event.url } : {}),
      score: event.score,
    };
    run.trail(answer, 'answered');
    run.emit({ type: 'reply', stepId: answer.id, text: run.render(ANSWER_TEMPLATE) });
    run.runFrom(run.nextOf(answer));
    return run.result();
  }
  run.trail(answer, 'not_found');
  if (answer.fallback !== undefined) run.runFrom(answer.fallback);
  else
    run.escalate({
      stepId: answer.id,
      code: 'no_answer',
      detail: `Step ${answer.id}: no passage scored ${answer.minScore} or more.`,
    });
  return run.result();
}

/**
 * A fixed choice the opening message names, when it names exactly one (whole words, any case). Positions
 * ("the first") are not read here: in an opening message they rarely mean a choice.
 */
function choiceFromMessage(slot: SlotDefinition, text: string): string | undefined {
  if (slot.type !== 'choice' || !slot.fromMessage || !slot.choices) return undefined;
  const named = slot.choices.filter((choice) =>
    new RegExp(`\\b${choice.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i').test(text),
  );
  return named.length === 1 ? named[0] : undefined;
}

/** The first entity of an entity slot's type, in message order, that validates. */
function valueFromEntities(name: string, slot: SlotDefinition, state: WorkflowState): unknown {
  if (!slot.fromEntities) return undefined;
  // A number slot with `entity: money` takes the amount of a money entity ("$25.00" -> 25), so conditions can
  // compare it with a limit.
  const amount = slot.type === 'number' && slot.entity === 'money';
  if (slot.type !== 'entity' && !amount) return undefined;
  const type = slotEntityType(name, slot);
  for (const entity of state.entities) {
    if (entity.type !== type) continue;
    const value = amount ? moneyAmount(entity.value) : entity.value;
    if (value === null) continue;
    const checked = validateSlotValue(slot, value);
    if (checked.ok) return checked.value;
  }
  return undefined;
}

interface EscalationProps {
  stepId: string | null;
  code: EscalationCode;
  /** The full sentence for the agent; defaults to the code's sentence followed by `detail`. */
  reason?: string;
  detail?: string;
  workflowReason?: string;
  queue?: string;
  priority?: EscalationPriority;
  text?: string;
}

/** The run of one event over a private copy of the state: the only place the copy is changed. */
class Run {
  readonly effects: Effect[] = [];
  private transitions = 0;
  private readonly steps: Map<string, Step>;

  constructor(
    readonly definition: WorkflowDefinition,
    readonly state: WorkflowState,
    readonly at: number,
  ) {
    this.steps = stepIndex(definition);
    state.updatedAt = at;
  }

  result(): StepResult {
    return { state: this.state, effects: this.effects };
  }

  emit(effect: Effect): void {
    this.effects.push(effect);
  }

  render(source: string): string {
    return renderTemplate(source, scopeOf(this.state));
  }

  trail(step: Step, outcome: string): void {
    this.state.trail.push({ stepId: step.id, type: step.type, outcome, at: this.at });
  }

  progress(): void {
    this.state.lastProgressTurn = this.state.turns;
  }

  countAttempt(stepId: string): number {
    const attempts = (this.state.attempts[stepId] ?? 0) + 1;
    this.state.attempts[stepId] = attempts;
    return attempts;
  }

  step(id: string): Step {
    const found = this.steps.get(id);
    if (!found) {
      throw new BugError('workflow.unknown_step', `workflow ${this.definition.id} has no step ${id}`);
    }
    return found;
  }

  /** The step the state waits at, which must be of the given type. */
  waitingStep<T extends 'ask' | 'call' | 'confirm' | 'answer'>(type: T): StepOf<T> {
    const id = this.state.stepId;
    const waiting = id === null ? undefined : this.steps.get(id);
    if (!waiting || waiting.type !== type) {
      throw new BugError(
        'workflow.state_mismatch',
        `workflow ${this.definition.id}: the state is ${this.state.status} at step ${id ?? '(none)'}, which is not a ${type} step of this definition`,
      );
    }
    return waiting as StepOf<T>;
  }

  slot(ask: AskStep): SlotDefinition {
    const slot = Object.hasOwn(this.definition.slots, ask.slot) ? this.definition.slots[ask.slot] : undefined;
    if (!slot) {
      throw new BugError(
        'workflow.unknown_slot',
        `workflow ${this.definition.id}: step ${ask.id} asks for undeclared slot ${ask.slot}`,
      );
    }
    return slot;
  }

  /** The id of the step after `from`: its `next`, else the following step in the list; null at the end. */
  nextOf(from: Step & { next?: string }): string | null {
    if (from.next !== undefined) return from.next;
    const index = this.definition.steps.indexOf(from);
    return this.definition.steps[index + 1]?.id ?? null;
  }

  /** Enters steps from `id` until one waits or the run ends. */
  runFrom(first: string | null): void {
    let id = first;
    while (true) {
      if (id === null) {
        const last = this.state.stepId;
        this.escalate({
          stepId: last,
          code: 'workflow_escalated',
          workflowReason: 'end_of_steps',
          detail: `Step ${last ?? '(none)'} is the last in the list and names no next step.`,
        });
        return;
      }
      const current = this.step(id);
      this.transitions += 1;
      if (this.transitions > MAX_TRANSITIONS) {
        this.trail(current, 'loop');
        this.escalate({
          stepId: current.id,
          code: 'workflow_loop',
          detail: `More than ${MAX_TRANSITIONS} steps in a row without waiting, last at step ${current.id}.`,
        });
        return;
      }
      this.state.stepId = current.id;
      const next = this.enter(current);
      if (next === undefined) return;
      id = next;
    }
  }

  /** Carries out one step: the next step's id, null at the end of the list, or undefined when the run waits or ends. */
  private enter(current: Step): string | null | undefined {
    switch (current.type) {
      case 'ask':
        return this.enterAsk(current);
      case 'call':
        this.enterCall(current);
        return undefined;
      case 'branch': {
        const scope = scopeOf(this.state);
        const index = current.cases.findIndex((c) => evaluateCondition(c.when, scope));
        const taken = current.cases[index];
        if (taken) {
          this.trail(current, `case:${index}:${taken.goto}`);
          return taken.goto;
        }
        if (current.else !== undefined) {
          this.trail(current, `else:${current.else}`);
          return current.else;
        }
        this.trail(current, 'no_case');
        this.escalate({
          stepId: current.id,
          code: 'workflow_escalated',
          workflowReason: 'no_branch_matched',
          detail: `Branch ${current.id}: no case matched and there is no else.`,
        });
        return undefined;
      }
      case 'reply':
        this.emit({ type: 'reply', stepId: current.id, text: this.render(current.text) });
        this.trail(current, 'replied');
        return this.nextOf(current);
      case 'answer':
        this.enterAnswer(current);
        return undefined;
      case 'confirm':
        this.emit({ type: 'confirm', stepId: current.id, text: this.render(current.question) });
        this.state.status = 'awaiting_confirm';
        this.trail(current, 'asked');
        return undefined;
      case 'resolve':
        if (current.text !== undefined) {
          this.emit({ type: 'reply', stepId: current.id, text: this.render(current.text) });
        }
        this.resolve(current.id, current.summary === undefined ? undefined : this.render(current.summary));
        return undefined;
      case 'escalate':
        this.escalate({
          stepId: current.id,
          code: 'workflow_escalated',
          workflowReason: current.reason,
          detail: `Reason: ${current.reason}.`,
          ...(current.queue !== undefined ? { queue: current.queue } : {}),
          priority: current.priority,
          ...(current.text !== undefined ? { text: this.render(current.text) } : {}),
        });
        return undefined;
      case 'goto':
        this.trail(current, `took:${current.target}`);
        return current.target;
    }
  }

  private enterAsk(ask: AskStep): string | null | undefined {
    const slot = this.slot(ask);
    if (Object.hasOwn(this.state.slots, ask.slot) && this.state.slots[ask.slot] !== undefined) {
      this.trail(ask, 'already_filled');
      return this.nextOf(ask);
    }
    const known = valueFromEntities(ask.slot, slot, this.state);
    if (known !== undefined) {
      this.state.slots[ask.slot] = known;
      this.trail(ask, 'filled_from_entities');
      return this.nextOf(ask);
    }
    this.emitAsk(ask, slot, ask.prompt ?? slot.prompt);
    this.trail(ask, 'asked');
    return undefined;
  }

  emitAsk(ask: AskStep, slot: SlotDefinition, prompt: string): void {
    const scope = scopeOf(this.state);
    const choices = slotChoices(slot, scope);
    this.emit({
      type: 'ask',
      stepId: ask.id,
      slot: ask.slot,
      text: renderTemplate(prompt, scope),
      ...(slot.type === 'choice' ? { choices: choices.map((c) => c.label) } : {}),
    });
    this.state.status = 'awaiting_input';
    this.state.stepId = ask.id;
  }

  private enterCall(call: CallStep): void {
    const state = this.state;
    const scope = scopeOf(state);
    const input: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(call.input)) {
      input[key] = typeof value === 'string' ? renderTemplate(value, scope, { escape: false }) : value;
    }
    const callId = `${state.conversationId}:${state.callCount}`;
    state.callCount += 1;
    this.countAttempt(call.id);
    const version = this.definition.connectors[call.connector];
    if (version === undefined) {
      throw new BugError(
        'workflow.unknown_connector',
        `workflow ${this.definition.id}: step ${call.id} calls connector ${call.connector}, which is not listed under connectors`,
      );
    }
    this.emit({
      type: 'call',
      stepId: call.id,
      callId,
      connector: call.connector,
      version,
      operation: call.operation,
      input,
      timeoutMs: call.timeoutMs,
      retries: call.retries,
    });
    state.calls.push({
      callId,
      stepId: call.id,
      connector: call.connector,
      operation: call.operation,
      input: structuredClone(input),
      at: this.at,
    });
    state.pendingCallId = callId;
    state.status = 'awaiting_call';
    this.trail(call, 'called');
  }

  private enterAnswer(answer: AnswerStep): void {
    const query = answer.query === undefined ? this.state.lastMessage : this.render(answer.query);
    this.emit({ type: 'answer', stepId: answer.id, query, minScore: answer.minScore });
    this.state.status = 'awaiting_answer';
    this.trail(answer, 'searching');
  }

  resolve(stepId: string, summary: string | undefined): void {
    this.emit({ type: 'resolve', stepId, ...(summary !== undefined ? { summary } : {}) });
    const current = this.steps.get(stepId);
    if (current) this.trail(current, 'resolved');
    this.state.status = 'resolved';
    this.state.pendingCallId = null;
    this.state.outcome = { type: 'resolved', ...(summary !== undefined ? { summary } : {}) };
  }

  escalate(props: EscalationProps): void {
    const { code } = props;
    const reason = props.reason ?? [ESCALATION_SENTENCES[code], props.detail].filter(Boolean).join(' ');
    this.emit({
      type: 'escalate',
      stepId: props.stepId,
      code,
      reason,
      ...(props.workflowReason !== undefined ? { workflowReason: props.workflowReason } : {}),
      queue: props.queue ?? this.definition.guardrails?.queue ?? 'support',
      priority: props.priority ?? 'normal',
      ...(props.text !== undefined ? { text: props.text } : {}),
    });
    this.emit({ type: 'setOwner', owner: 'human' });
    const current = props.stepId === null ? undefined : this.steps.get(props.stepId);
    if (current?.type === 'escalate') this.trail(current, 'escalated');
    this.state.status = 'escalated';
    this.state.pendingCallId = null;
    this.state.outcome = {
      type: 'escalated',
      code,
      reason,
      ...(props.workflowReason !== undefined ? { workflowReason: props.workflowReason } : {}),
    };
  }
}

const indexes = new WeakMap<WorkflowDefinition, Map<string, Step>>();

function stepIndex(definition: WorkflowDefinition): Map<string, Step> {
  let index = indexes.get(definition);
  if (!index) {
    index = new Map(definition.steps.map((s) => [s.id, s]));
    indexes.set(definition, index);
  }
  return index;
}
