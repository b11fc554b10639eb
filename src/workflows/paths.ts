import type { CustomerProfile, EntityValue, TurnAnalysis } from '../domain/index.ts';
import { evaluateCondition, isPresent, numericValue } from './condition.ts';
import type { Condition, SlotDefinition, Step, WorkflowDefinition } from './definition.ts';
import { step } from './engine.ts';
import type { EngineEvent } from './events.ts';
import { type WorkflowEdge, workflowGraph } from './graph.ts';
import { lookupPath, scopeOf } from './scope.ts';
import { extractSlotValue, slotChoices, slotEntityType } from './slot-values.ts';
import type { TrailEntry, WorkflowState } from './state.ts';

export interface ExplorePathsOptions {
  /** Events per path (the start included) before a path is cut. */
  maxEvents?: number;
  /** Paths kept before the walk stops (`truncated`). */
  maxPaths?: number;
  conversationId?: string;
  /** The time of the start event; each later event is a second later. */
  startAt?: number;
}

export interface WorkflowPath {
  /** The events, the start first, that drive the run from nothing to its end. */
  events: EngineEvent[];
  /** The graph edges the path takes (`edgeKey`), each once, in the order first taken. */
  edges: string[];
  /** The steps entered, each once, in order. */
  steps: string[];
  /** How the run ended, or `cut` when the path hit `maxEvents` or went round to a state it was already in. */
  end: 'resolved' | 'escalated' | 'cut';
}

export interface ExploredPaths {
  paths: WorkflowPath[];
  /** Every edge of the workflow's graph (`edgeKey`), automatic exits included. */
  edges: string[];
  /** True when `maxPaths` stopped the walk. */
  truncated: boolean;
}

/** What the explorer feeds the engine at a waiting point; turned into an event against the state at hand. */
type Move =
  | { kind: 'message'; text: string; entities: EntityValue[] }
  | { kind: 'callOk'; output: unknown }
  | { kind: 'callFail' }
  | { kind: 'answerFound' }
  | { kind: 'answerNotFound' };

const STEP_MS = 1000;
/** The answer that no slot type accepts: every extraction refuses empty text. */
const INVALID_ANSWERS = ['hmm', ''];
const MAX_VALID_ANSWERS = 4;
const MAX_COMBINATIONS = 5000;
const MISSING = Symbol('missing');
type Candidate = unknown;

/** Example values of common entity types, tried in order until one passes the slot's validation. */
const ENTITY_EXAMPLES: Record<string, string[]> = {
  order_number: ['SB-123456', '#123456', '123456'],
  email: ['sam.example@example.com'],
  invoice_id: ['INV-12345'],
  account_id: ['ACCT-12345'],
  money: ['$25.00', '25 EUR'],
  date: ['2026-01-15', 'yesterday'],
  phone: ['+44 20 7946 0000'],
  url: ['https://example.com/page'],
};
// The address passes `format: address`, so a path test reaches what follows a slot with that rule.
const TEXT_EXAMPLES = [
  'A short answer',
  'sam.example@example.com',
  'SB-123456',
  '12345',
  'yes',
  '14 Mill Lane, Cork T12 AB34',
];

/** A customer turn as the NLU would report it, with the given entities (found at the given offsets). */
export function customerTurn(
  text: string,
  entities: EntityValue[] = [],
  intent: string | null = null,
): TurnAnalysis {
  return {
    text,
    intent,
    confidence: intent === null ? 0 : 0.9,
    outOfScope: false,
    reason: 'accepted',
    entities,
    sentiment: { score: 0, label: 'neutral', frustration: 0, cues: [] },
    humanRequested: false,
    exclusions: [],
  };
}

/** The stable name of an edge: `from -kind-> to`, with the case's position for branch cases. */
export function edgeKey(edge: Pick<WorkflowEdge, 'from' | 'to' | 'kind'>, caseIndex?: number): string {
  return `${edge.from} -${edge.kind}${caseIndex === undefined ? '' : `[${caseIndex}]`}-> ${edge.to}`;
}

/** Every edge of a definition's graph, keyed, with what identifies it in a trail. */
function keyedEdges(
  definition: WorkflowDefinition,
): Array<{ edge: WorkflowEdge; key: string; caseIndex?: number }> {
  const caseCounts = new Map<string, number>();
  return workflowGraph(definition).edges.map((edge) => {
    if (edge.kind !== 'case') return { edge, key: edgeKey(edge) };
    const caseIndex = caseCounts.get(edge.from) ?? 0;
    caseCounts.set(edge.from, caseIndex + 1);
    return { edge, key: edgeKey(edge, caseIndex), caseIndex };
  });
}

/** The edges a run took, read from its trail (each once, in the order first taken). */
export function trailEdges(definition: WorkflowDefinition, trail: readonly TrailEntry[]): string[] {
  const edges = keyedEdges(definition);
  const taken = new Set<string>();
  for (const entry of trail) {
    const kind = edgeKindOf(entry);
    if (kind === undefined) continue;
    const found = edges.find(
      (e) => e.edge.from === entry.stepId && e.edge.kind === kind.kind && e.caseIndex === kind.caseIndex,
    );
    if (found) taken.add(found.key);
  }
  return [...taken];
}

function edgeKindOf(entry: TrailEntry): { kind: WorkflowEdge['kind']; caseIndex?: number } | undefined {
  const { outcome } = entry;
  if (outcome.startsWith('case:')) return { kind: 'case', caseIndex: Number(outcome.split(':')[1]) };
  if (outcome.startsWith('else:')) return { kind: 'else' };
  if (outcome.startsWith('took:')) return { kind: 'goto' };
  switch (outcome) {
    case 'filled':
    case 'already_filled':
    case 'filled_from_entities':
    case 'returned':
    case 'answered':
    case 'replied':
      return { kind: 'next' };
    case 'failed':
      return { kind: 'on_fail' };
    case 'call_failed':
      return { kind: 'on_error' };
    case 'not_found':
      return { kind: 'fallback' };
    case 'yes':
      return { kind: 'yes' };
    case 'no':
    case 'unclear_as_no':
      return { kind: 'no' };
    default:
      return undefined;
  }
}

/**
 * Walks every behaviour of a workflow by simulation, for tests (STYLE.md point 6: the paths come from the
 * definition, not from a hand-written list). From each start (with and without the entities that fill slots,
 * with an anonymous and a known customer) it runs the engine and, at each point where the workflow waits,
 * branches on the events that can come: an ask gets each synthesised valid answer, or invalid answers until
 * its retries run out; a confirm gets yes and no; a call fails, or succeeds with outputs synthesised to take
 * each case (and the else) of the branches that read its variables; a search finds a passage or none.
 * States that behave alike are explored once (later paths reuse the first one's continuation), and paths are
 * bounded in length.
 *
 * @example
 * const { paths, edges } = explorePaths(orderStatus);
 * const covered = new Set(paths.flatMap((p) => p.edges));
 * edges.filter((e) => !covered.has(e)); // [] when every edge is exercised
 */
export function explorePaths(
  definition: WorkflowDefinition,
  options: ExplorePathsOptions = {},
): ExploredPaths {
  const maxEvents = options.maxEvents ?? 40;
  const maxPaths = options.maxPaths ?? 5000;
  const conversationId = options.conversationId ?? 'path';
  const startAt = options.startAt ?? Date.UTC(2026, 0, 1);
  const atOf = (index: number) => startAt + index * STEP_MS;

  interface Found {
    events: EngineEvent[];
    state: WorkflowState;
    cut: boolean;
  }
  const found: Found[] = [];
  /** The moves that took the first explored state of each key to its end. */
  const continuations = new Map<string, Move[]>();
  const open: Array<{ key: string; depth: number }> = [];
  const joins: Array<{ key: string; events: EngineEvent[]; state: WorkflowState }> = [];
  let truncated = false;

  const finish = (events: EngineEvent[], state: WorkflowState, moves: Move[], cut: boolean) => {
    found.push({ events, state, cut });
    if (cut) return;
    for (const { key, depth } of open) {
      if (!continuations.has(key)) continuations.set(key, moves.slice(depth));
    }
  };

  const walk = (state: WorkflowState, events: EngineEvent[], moves: Move[]) => {
    if (found.length >= maxPaths) {
      truncated = true;
      return;
    }
    if (state.status === 'resolved' || state.status === 'escalated') {
      finish(events, state, moves, false);
      return;
    }
    if (events.length >= maxEvents) {
      finish(events, state, moves, true);
      return;
    }
    const key = behaviourKey(state);
    if (continuations.has(key) || open.some((o) => o.key === key)) {
      joins.push({ key, events, state });
      return;
    }
    open.push({ key, depth: moves.length });
    for (const move of movesAt(definition, state)) {
      const event = eventOf(move, state, atOf(events.length));
      const next = step(definition, state, event).state;
      walk(next, [...events, event], [...moves, move]);
    }
    open.pop();
  };

  for (const start of startEvents(definition, conversationId, atOf(0))) {
    walk(step(definition, null, start).state, [start], []);
  }

  // A path that reached an already explored state goes on the way the first one went.
  for (const join of joins) {
    let { state } = join;
    const events = [...join.events];
    for (const move of continuations.get(join.key) ?? []) {
      if (state.status === 'resolved' || state.status === 'escalated') break;
      const event = eventOf(move, state, atOf(events.length));
      events.push(event);
      state = step(definition, state, event).state;
    }
    const ended = state.status === 'resolved' || state.status === 'escalated';
    found.push({ events, state, cut: !ended });
  }

  return {
    paths: found.map(({ events, state, cut }) => ({
      events,
      edges: trailEdges(definition, state.trail),
      steps: [...new Set(state.trail.map((entry) => entry.stepId))],
      end: cut || (state.status !== 'resolved' && state.status !== 'escalated') ? 'cut' : state.status,
    })),
    edges: keyedEdges(definition).map((e) => e.key),
    truncated,
  };
}

/** What decides how a run goes on from here (call ids, times and the trail do not). */
function behaviourKey(state: WorkflowState): string {
  return JSON.stringify([
    state.status,
    state.stepId,
    state.slots,
    state.vars,
    state.attempts,
    state.customer,
    state.entities.map((e) => [e.type, e.value]),
    state.answer,
  ]);
}

function eventOf(move: Move, state: WorkflowState, at: number): EngineEvent {
  switch (move.kind) {
    case 'message':
      return { type: 'message', at, turn: customerTurn(move.text, move.entities) };
    case 'callOk':
      return { type: 'callResult', at, callId: state.pendingCallId ?? '', ok: true, output: move.output };
    case 'callFail':
      return {
        type: 'callResult',
        at,
        callId: state.pendingCallId ?? '',
        ok: false,
        error: 'timed out after retries',
      };
    case 'answerFound':
      return {
        type: 'answerResult',
        at,
        stepId: state.stepId ?? '',
        found: true,
        passage: 'Here is how that works.',
        title: 'Help centre article',
        url: 'https://help.example.com/article',
        score: 1,
      };
    case 'answerNotFound':
      return { type: 'answerResult', at, stepId: state.stepId ?? '', found: false };
  }
}

function movesAt(definition: WorkflowDefinition, state: WorkflowState): Move[] {
  const current = definition.steps.find((s) => s.id === state.stepId);
  if (!current) return [];
  switch (current.type) {
    case 'ask': {
      const slot = Object.hasOwn(definition.slots, current.slot) ? definition.slots[current.slot] : undefined;
      if (!slot) return [];
      const invalid = invalidAnswer(current.slot, slot, state);
      const retrying = (state.attempts[current.id] ?? 0) > 0;
      const valid = retrying ? [] : validAnswers(definition, current.slot, slot, state);
      return [...valid, ...(invalid ? [invalid] : [])];
    }
    case 'confirm':
      return [
        { kind: 'message', text: 'yes', entities: [] },
        { kind: 'message', text: 'no', entities: [] },
      ];
    case 'call':
      return [
        { kind: 'callFail' },
        ...callOutputs(definition, current, state).map((output) => ({ kind: 'callOk' as const, output })),
      ];
    case 'answer':
      return [{ kind: 'answerFound' }, { kind: 'answerNotFound' }];
    default:
      return [];
  }
}

// ---------------------------------------------------------------------------------------------------------
// Starts

function startEvents(definition: WorkflowDefinition, conversationId: string, at: number): EngineEvent[] {
  const intent = definition.trigger.intents[0] ?? null;
  // Slots an opening message can fill: entity slots, and number slots that take a money entity's amount.
  const entitySlots = Object.entries(definition.slots).filter(
    ([, slot]) =>
      slot.fromEntities && (slot.type === 'entity' || (slot.type === 'number' && slot.entity === 'money')),
  );
  const entityValues = entitySlots
    .map(([name, slot]) => {
      const value = exampleValues(name, slot)
        .map(String)
        .find(
          (v) => extractSlotValue({ name, slot, answer: entityAnswer(slotEntityType(name, slot), v) }).ok,
        );
      return value === undefined ? undefined : { type: slotEntityType(name, slot), value };
    })
    .filter((e) => e !== undefined);
  const entitySets = unique([[], ...entityValues.map((e) => [e]), entityValues], (set) =>
    JSON.stringify(set),
  );
  const customers = unique([{ attributes: {} }, knownCustomer(definition)], (c) => JSON.stringify(c));
  const events: EngineEvent[] = [];
  for (const entities of entitySets) {
    let text = 'I need some help with this.';
    const spans: EntityValue[] = [];
    for (const entity of entities) {
      text += ' ';
      spans.push({
        type: entity.type,
        value: entity.value,
        start: text.length,
        end: text.length + entity.value.length,
      });
      text += entity.value;
    }
    for (const customer of customers) {
      events.push({
        type: 'start',
        at,
        turn: customerTurn(text, spans, intent),
        customer,
        channel: 'chat',
        conversationId,
      });
    }
  }
  // Choice slots filled from the opening message: one opening per choice it could name.
  for (const slot of Object.values(definition.slots)) {
    if (slot.type !== 'choice' || !slot.fromMessage || !slot.choices) continue;
    for (const choice of slot.choices) {
      for (const customer of customers) {
        events.push({
          type: 'start',
          at,
          turn: customerTurn(`I need some help with this: ${choice}.`, [], intent),
          customer,
          channel: 'chat',
          conversationId,
        });
      }
    }
  }
  return events;
}

/** A customer with every field the workflow's conditions ask about. */
function knownCustomer(definition: WorkflowDefinition): CustomerProfile {
  const customer: Record<string, unknown> = {
    id: 'customer-1',
    name: 'Sam Example',
    email: 'sam.example@example.com',
    attributes: {},
  };
  for (const condition of allConditions(definition)) {
    for (const leaf of leaves(condition)) {
      if (!leaf.var.startsWith('customer.')) continue;
      const path = leaf.var.slice('customer.'.length);
      if (lookupPath(customer, path) !== undefined) continue;
      const value = candidatesOf(leaf).find((c) => c !== MISSING && isPresent(c));
      if (value !== undefined) setPath(customer, path.split('.'), value);
    }
  }
  return customer as CustomerProfile;
}

// ---------------------------------------------------------------------------------------------------------
// Answers to asks

function entityAnswer(type: string, value: string) {
  return { text: value, entities: [{ type, value, start: 0, end: value.length }] };
}

function exampleValues(name: string, slot: SlotDefinition): string[] {
  return ENTITY_EXAMPLES[slotEntityType(name, slot)] ?? [`${slotEntityType(name, slot)}-12345`];
}

function validAnswers(
  definition: WorkflowDefinition,
  name: string,
  slot: SlotDefinition,
  state: WorkflowState,
): Move[] {
  const wanted = allConditions(definition)
    .flatMap(leaves)
    .filter((leaf) => leaf.var === `slots.${name}` && leaf.op !== 'exists' && leaf.op !== 'missing')
    .flatMap(candidatesOf)
    .filter((c): c is string | number => typeof c === 'string' || typeof c === 'number')
    .map(String);
  const choices = slotChoices(slot, scopeOf(state));
  let answers: Array<{ text: string; entities: EntityValue[] }>;
  switch (slot.type) {
    case 'entity':
      answers = [...wanted, ...exampleValues(name, slot)].map((v) =>
        entityAnswer(slotEntityType(name, slot), v),
      );
      break;
    case 'number': {
      const bounds = [slot.min, slot.max].filter((n) => n !== undefined).map(String);
      answers = [...wanted, ...bounds, '1', '10', '100', '0'].map((text) => ({ text, entities: [] }));
      break;
    }
    case 'yes_no':
      answers = ['yes', 'no'].map((text) => ({ text, entities: [] }));
      break;
    case 'choice':
      answers = choices.map((_, i) => ({ text: String(i + 1), entities: [] }));
      break;
    case 'text':
      answers = [...wanted, ...TEXT_EXAMPLES].map((text) => ({ text, entities: [] }));
      break;
  }
  // Values only lead different ways when a condition reads the slot: then each distinct value is tried.
  const limit = wanted.length > 0 || slot.type === 'yes_no' ? MAX_VALID_ANSWERS : 1;
  const seen = new Set<string>();
  const moves: Move[] = [];
  for (const answer of answers) {
    const value = extractSlotValue({ name, slot, answer, choices });
    if (!value.ok) continue;
    const valueKey = JSON.stringify(value.value);
    if (seen.has(valueKey)) continue;
    seen.add(valueKey);
    moves.push({ kind: 'message', ...answer });
    if (moves.length >= limit) break;
  }
  return moves;
}

function invalidAnswer(name: string, slot: SlotDefinition, state: WorkflowState): Move | undefined {
  const choices = slotChoices(slot, scopeOf(state));
  const text = INVALID_ANSWERS.find(
    (t) => !extractSlotValue({ name, slot, answer: { text: t, entities: [] }, choices }).ok,
  );
  return text === undefined ? undefined : { kind: 'message', text, entities: [] };
}

// ---------------------------------------------------------------------------------------------------------
// Call outputs

type Leaf = Extract<Condition, { op: unknown }>;

/**
 * The outputs to try for a call: for each route from the call through branches (and gotos, replies, asks)
 * to the next point that waits or ends, one output whose variables make every condition on the route hold.
 */
function callOutputs(
  definition: WorkflowDefinition,
  call: Extract<Step, { type: 'call' }>,
  state: WorkflowState,
): unknown[] {
  const routes: Condition[][] = [];
  collectRoutes(definition, nextStepId(definition, call), [], new Set([call.id]), routes);
  const mapped = Object.keys(call.output);
  const readsCall = (path: string) =>
    mapped.some((key) => path === `vars.${key}` || path.startsWith(`vars.${key}.`));
  const itemFields = choiceItemFields(definition);
  const outputs = new Map<string, unknown>();
  for (const route of routes) {
    const paths = unique(
      route.flatMap(leaves).filter((leaf) => readsCall(leaf.var)),
      (leaf) => leaf.var,
    ).map((leaf) => leaf.var);
    const candidates = paths.map((path) =>
      unique(
        [
          ...route
            .flatMap(leaves)
            .filter((leaf) => leaf.var === path)
            .flatMap(candidatesOf),
          MISSING,
        ],
        (c) => (c === MISSING ? 'missing' : JSON.stringify(c)),
      ),
    );
    const output = searchOutput({ call, state, route, paths, candidates, itemFields });
    if (output !== undefined) outputs.set(JSON.stringify(output), output);
  }
  if (outputs.size === 0) outputs.set('{}', {});
  return [...outputs.values()];
}

function searchOutput(props: {
  call: Extract<Step, { type: 'call' }>;
  state: WorkflowState;
  route: Condition[];
  paths: string[];
  candidates: Candidate[][];
  itemFields: Map<string, string[]>;
}): unknown {
  const { call, state, route, paths, candidates, itemFields } = props;
  const scope = scopeOf(state);
  const counts = candidates.map((c) => c.length);
  const total = counts.reduce((a, b) => a * b, 1);
  for (let n = 0; n < Math.min(total, MAX_COMBINATIONS); n++) {
    let rest = n;
    const assignment: Array<[string, Candidate]> = [];
    paths.forEach((path, i) => {
      const count = counts[i] ?? 1;
      assignment.push([path, candidates[i]?.[rest % count]]);
      rest = Math.floor(rest / count);
    });
    const output = buildOutput(call, assignment, itemFields);
    const vars = { ...state.vars };
    for (const [key, path] of Object.entries(call.output)) {
      const value = lookupPath(output, path);
      if (value === undefined) delete vars[key];
      else vars[key] = value;
    }
    const trial = { ...scope, vars };
    if (route.every((condition) => evaluateCondition(condition, trial))) return output;
  }
  return undefined;
}

/** An output whose mapped variables take the assigned values (`vars.orders.length` = 2 makes a list of two). */
function buildOutput(
  call: Extract<Step, { type: 'call' }>,
  assignment: Array<[string, Candidate]>,
  itemFields: Map<string, string[]>,
): unknown {
  const root: { output: Record<string, unknown> } = { output: {} };
  const ordered = [...assignment].sort((a, b) => a[0].split('.').length - b[0].split('.').length);
  for (const [path, value] of ordered) {
    if (value === MISSING) continue;
    const [, key, ...rest] = path.split('.');
    const base = key === undefined ? undefined : call.output[key];
    if (base === undefined) continue;
    const segments = ['output', ...(base === '' ? [] : base.split('.')), ...rest];
    const last = segments.at(-1);
    if (last === 'length' && typeof value === 'number') {
      const fields = itemFields.get(`vars.${key}`) ?? [];
      const items = Array.from({ length: Math.max(0, Math.min(value, 5)) }, (_, i) => sampleItem(fields, i));
      setPath(root, segments.slice(0, -1), items);
    } else {
      setPath(root, segments, value);
    }
  }
  return root.output;
}

function sampleItem(fields: string[], index: number): Record<string, unknown> {
  const item: Record<string, unknown> = {};
  for (const field of fields) setPath(item, field.split('.'), `${field.replaceAll('.', '-')}-${index + 1}`);
  return item;
}

/** The item fields choice slots read from each list variable (`vars.orders` -> `number`, `status`). */
function choiceItemFields(definition: WorkflowDefinition): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (const slot of Object.values(definition.slots)) {
    if (slot.choicesFrom === undefined) continue;
    const list = fields.get(slot.choicesFrom) ?? [];
    if (slot.choiceValue !== undefined) list.push(slot.choiceValue);
    for (const match of (slot.choiceLabel ?? '').matchAll(/\bitem\.([\w.]+)/g)) {
      if (match[1] !== undefined) list.push(match[1]);
    }
    fields.set(slot.choicesFrom, [...new Set(list)]);
  }
  return fields;
}

function setPath(root: Record<string, unknown>, segments: string[], value: unknown): void {
  let node: Record<string, unknown> | unknown[] = root;
  segments.forEach((segment, i) => {
    const isLast = i === segments.length - 1;
    const container = node as Record<string, unknown>;
    if (isLast) {
      container[segment] = value;
      return;
    }
    const nextIsIndex = /^\d+$/.test(segments[i + 1] ?? '');
    const existing = container[segment];
    if (typeof existing !== 'object' || existing === null) {
      container[segment] = nextIsIndex ? [] : {};
    }
    node = container[segment] as Record<string, unknown>;
  });
}

function collectRoutes(
  definition: WorkflowDefinition,
  id: string | null,
  route: Condition[],
  visited: Set<string>,
  out: Condition[][],
): void {
  const current = id === null ? undefined : definition.steps.find((s) => s.id === id);
  if (!current || visited.has(current.id)) {
    out.push(route);
    return;
  }
  const seen = new Set([...visited, current.id]);
  switch (current.type) {
    case 'branch': {
      current.cases.forEach((c, i) => {
        const earlier = current.cases.slice(0, i).map((e): Condition => ({ not: e.when }));
        collectRoutes(definition, c.goto, [...route, ...earlier, c.when], seen, out);
      });
      const none = current.cases.map((e): Condition => ({ not: e.when }));
      if (current.else !== undefined) collectRoutes(definition, current.else, [...route, ...none], seen, out);
      else out.push([...route, ...none]);
      return;
    }
    case 'goto':
      collectRoutes(definition, current.target, route, seen, out);
      return;
    case 'reply':
    case 'ask':
      collectRoutes(definition, nextStepId(definition, current), route, seen, out);
      return;
    default:
      out.push(route);
  }
}

function nextStepId(definition: WorkflowDefinition, from: Step & { next?: string }): string | null {
  if (from.next !== undefined) return from.next;
  const index = definition.steps.indexOf(from);
  return definition.steps[index + 1]?.id ?? null;
}

// ---------------------------------------------------------------------------------------------------------
// Conditions

function allConditions(definition: WorkflowDefinition): Condition[] {
  return definition.steps.flatMap((s) => (s.type === 'branch' ? s.cases.map((c) => c.when) : []));
}

function leaves(condition: Condition): Leaf[] {
  if ('all' in condition) return condition.all.flatMap(leaves);
  if ('any' in condition) return condition.any.flatMap(leaves);
  if ('not' in condition) return leaves(condition.not);
  return [condition];
}

/** Values that make a leaf condition true, and values that make it false (`MISSING`: leave it out). */
function candidatesOf(leaf: Leaf): Candidate[] {
  const { value } = leaf;
  // Only `.length`: `size` may as well be a field of the value (a product's size).
  const isLength = leaf.var.endsWith('.length');
  const number = numericValue(value);
  let candidates: Candidate[];
  switch (leaf.op) {
    case 'eq':
    case 'ne':
      candidates = [value ?? null, otherThan(value)];
      break;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      candidates = number === undefined ? [value, otherThan(value)] : [number + 1, number, number - 1];
      break;
    case 'in':
      candidates = [...(Array.isArray(value) ? value : [value]), 'none-of-these'];
      break;
    case 'contains':
      candidates = [[value], `has ${String(value)}`, []];
      break;
    case 'matches':
      candidates = [String(value ?? '').replace(/[\\^$.*+?()[\]{}|]/g, ''), 'zz-no-match-zz'];
      break;
    case 'exists':
    case 'missing':
      candidates = isLength ? [1, 0] : ['sample', MISSING];
      break;
  }
  if (isLength) {
    return candidates.map((c) => numericValue(c)).filter((n): n is number => n !== undefined && n >= 0);
  }
  return candidates;
}

function otherThan(value: unknown): unknown {
  if (typeof value === 'number') return value + 1;
  if (typeof value === 'boolean') return !value;
  if (value === null || value === undefined) return 'sample';
  return `not ${String(value)}`;
}

function unique<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = keyOf(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
