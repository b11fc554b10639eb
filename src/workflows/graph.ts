import { DEFAULT_GUARDRAILS, type EscalationCode, GuardrailConfigSchema } from '../domain/escalation.ts';
import type { Condition, Step, WorkflowDefinition } from './definition.ts';

/** How one step leads to another: the field that says so. */
export type EdgeKind = 'next' | 'goto' | 'case' | 'else' | 'on_error' | 'on_fail' | 'fallback' | 'yes' | 'no';

/**
 * Where a step leads when the workflow itself names no step: an ask whose retries run out without `onFail`,
 * a call without `onError`, an answer without `fallback` and a confirm without `no` escalate; a confirm
 * without `yes` resolves. `failure` tells the failures (retries, errors, no answer) from a customer's answer.
 */
export interface AutomaticExit {
  outcome: 'escalate' | 'resolve';
  /** The escalation code recorded, for `escalate`. */
  reason?: EscalationCode;
  failure: boolean;
}

export interface WorkflowEdge {
  from: string;
  /** A step id, or a pseudo-node (`RESOLVE_NODE`, `escalateNode(code)`) for automatic exits. */
  to: string;
  kind: EdgeKind;
  /** Empty for plain `next` edges; the case label or the condition for branches; what happened for exits. */
  label: string;
  /** The field that names `to` (`['steps', 3, 'cases', 0, 'goto']`); absent when implied by the order of steps or by an automatic exit. */
  path?: Array<string | number>;
  automatic?: AutomaticExit;
}

export interface WorkflowGraph {
  /** The first step: `start`, else the first in the list. */
  start: string | undefined;
  /** The steps by id (the first of a duplicated id). */
  steps: Map<string, { step: Step; index: number }>;
  /** Every edge, in step order; edges may name ids that are not steps (`workflows check` reports those). */
  edges: WorkflowEdge[];
}

export const RESOLVE_NODE = '(resolve)';
const ESCALATE_PREFIX = '(escalate:';

/** The pseudo-node of an automatic escalation with this code. Step ids cannot contain brackets. */
export function escalateNode(reason: EscalationCode): string {
  return `${ESCALATE_PREFIX}${reason})`;
}

export function isPseudoNode(id: string): boolean {
  return id.startsWith('(');
}

/** The escalation code of a pseudo-node, or undefined for a step or the resolve pseudo-node. */
export function escalateNodeReason(id: string): EscalationCode | undefined {
  return id.startsWith(ESCALATE_PREFIX)
    ? (id.slice(ESCALATE_PREFIX.length, -1) as EscalationCode)
    : undefined;
}

/**
 * The step graph of a workflow: every way one step leads to another, with labels, plus the automatic exits.
 * `workflows check` walks it for references, reachability and loops; `workflows draw` draws it.
 *
 * @example
 * const graph = workflowGraph(definition);
 * graph.edges.filter((e) => e.from === 'check_order'); // [{ to: 'say_status', kind: 'case', label: 'found' }, ...]
 */
export function workflowGraph(definition: WorkflowDefinition): WorkflowGraph {
  const steps = new Map<string, { step: Step; index: number }>();
  definition.steps.forEach((step, index) => {
    if (!steps.has(step.id)) steps.set(step.id, { step, index });
  });
  const edges: WorkflowEdge[] = [];
  definition.steps.forEach((step, index) => {
    const at = (...field: Array<string | number>) => ['steps', index, ...field];
    const edge = (kind: EdgeKind, to: string, label: string, path?: Array<string | number>) =>
      edges.push({ from: step.id, to, kind, label, ...(path ? { path } : {}) });
    const automatic = (kind: EdgeKind, label: string, exit: AutomaticExit) =>
      edges.push({
        from: step.id,
        to: exit.outcome === 'resolve' ? RESOLVE_NODE : escalateNode(exit.reason ?? 'workflow_escalated'),
        kind,
        label,
        automatic: exit,
      });
    const following = () => {
      if (step.type !== 'ask' && step.type !== 'call' && step.type !== 'reply' && step.type !== 'answer')
        return;
      if (step.next !== undefined) edge('next', step.next, '', at('next'));
      else {
        const after = definition.steps[index + 1];
        if (after) edge('next', after.id, '');
      }
    };
    switch (step.type) {
      case 'ask':
        following();
        if (step.onFail !== undefined) edge('on_fail', step.onFail, 'retries run out', at('onFail'));
        else
          automatic('on_fail', 'retries run out', {
            outcome: 'escalate',
            reason: 'slot_retries_exhausted',
            failure: true,
          });
        break;
      case 'call':
        following();
        if (step.onError !== undefined) edge('on_error', step.onError, 'call fails', at('onError'));
        else
          automatic('on_error', 'call fails', {
            outcome: 'escalate',
            reason: 'connector_failed',
            failure: true,
          });
        break;
      case 'answer':
        following();
        if (step.fallback !== undefined) edge('fallback', step.fallback, 'no answer', at('fallback'));
        else automatic('fallback', 'no answer', { outcome: 'escalate', reason: 'no_answer', failure: true });
        break;
      case 'reply':
        following();
        break;
      case 'branch':
        step.cases.forEach((c, i) => {
          edge('case', c.goto, c.label ?? describeCondition(c.when), at('cases', i, 'goto'));
        });
        if (step.else !== undefined) edge('else', step.else, 'else', at('else'));
        break;
      case 'confirm':
        if (step.yes !== undefined) edge('yes', step.yes, 'yes', at('yes'));
        else automatic('yes', 'yes', { outcome: 'resolve', failure: false });
        if (step.no !== undefined) edge('no', step.no, 'no', at('no'));
        else automatic('no', 'no', { outcome: 'escalate', reason: 'not_resolved', failure: false });
        break;
      case 'goto':
        edge('goto', step.target, '', at('target'));
        break;
      case 'resolve':
      case 'escalate':
        break;
    }
  });
  return { start: definition.start ?? definition.steps[0]?.id, steps, edges };
}

const OP_WORDS: Record<string, string> = {
  eq: '=',
  ne: '≠',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  in: 'in',
  contains: 'contains',
  matches: 'matches',
};

/**
 * A condition in words, for branch labels: `slots.amount > 100 and not (customer.plan = "free")`.
 *
 * @example
 * describeCondition({ var: 'vars.count', op: 'gt', value: 1 }); // 'vars.count > 1'
 */
export function describeCondition(condition: Condition): string {
  if ('all' in condition) return condition.all.map(grouped).join(' and ');
  if ('any' in condition) return condition.any.map(grouped).join(' or ');
  if ('not' in condition) return `not ${grouped(condition.not)}`;
  if (condition.op === 'exists') return `${condition.var} exists`;
  if (condition.op === 'missing') return `${condition.var} is missing`;
  return `${condition.var} ${OP_WORDS[condition.op] ?? condition.op} ${JSON.stringify(condition.value ?? null)}`;
}

function grouped(condition: Condition): string {
  const text = describeCondition(condition);
  return 'var' in condition ? text : `(${text})`;
}

/**
 * The guardrails of a workflow (the global defaults with its overrides) as the lines of a diagram note: any
 * customer turn can escalate, whatever step the workflow is at.
 */
export function guardrailNote(definition: WorkflowDefinition): string[] {
  const g = GuardrailConfigSchema.parse({ ...DEFAULT_GUARDRAILS, ...definition.guardrails });
  const lines = ['Any customer turn can escalate:'];
  if (g.escalateOnHumanRequest) lines.push('a request for a person');
  lines.push(`sentiment at or below ${g.negativeSentimentBelow}, frustration from ${g.frustrationAbove}`);
  lines.push(`${g.maxExchangesWithoutProgress} turns without progress`);
  lines.push(`the same intent ${g.maxSameIntent} times`);
  lines.push(
    g.allowExclusions.length > 0
      ? `an exclusion rule (except ${g.allowExclusions.join(', ')})`
      : 'an exclusion rule',
  );
  lines.push(
    `unsure or out of scope after ${g.clarifyingQuestions} clarifying question${g.clarifyingQuestions === 1 ? '' : 's'}`,
  );
  return lines;
}

/** What a diagram draws for a node: the step type, an automatic exit, or the guardrail note. */
export type DiagramNodeKind = Step['type'] | 'auto_escalate' | 'auto_resolve' | 'note';

export interface DiagramNode {
  /** The step id, the pseudo-node id, or `GUARDRAIL_NOTE`. */
  id: string;
  kind: DiagramNodeKind;
  /** The text to show, line by line, unescaped: the step id first. */
  lines: string[];
}

export interface Diagram {
  nodes: DiagramNode[];
  /** The edges between drawn nodes (a reference to a step that does not exist is left out). */
  edges: WorkflowEdge[];
  start: string | undefined;
}

export const GUARDRAIL_NOTE = '(guardrails)';

/**
 * What `workflows draw` shows, whatever the output format: every step (id, what it does, its title), every
 * automatic exit once per escalation code, the edges with their labels, and the guardrail note.
 */
export function workflowDiagram(definition: WorkflowDefinition): Diagram {
  const graph = workflowGraph(definition);
  const nodes: DiagramNode[] = [...graph.steps.values()].map(({ step }) => ({
    id: step.id,
    kind: step.type,
    lines: [step.id, stepSummary(step), ...(step.title ? [step.title] : [])],
  }));
  const pseudo = new Set<string>();
  for (const edge of graph.edges) {
    if (!isPseudoNode(edge.to) || pseudo.has(edge.to)) continue;
    pseudo.add(edge.to);
    const reason = escalateNodeReason(edge.to);
    nodes.push(
      reason
        ? { id: edge.to, kind: 'auto_escalate', lines: ['escalate', reason] }
        : { id: edge.to, kind: 'auto_resolve', lines: ['resolve'] },
    );
  }
  nodes.push({ id: GUARDRAIL_NOTE, kind: 'note', lines: guardrailNote(definition) });
  const drawn = new Set(nodes.map((n) => n.id));
  return { nodes, edges: graph.edges.filter((e) => drawn.has(e.to)), start: graph.start };
}

const SUMMARY_CHARS = 48;

/** One line on what a step does: `call demo-shop.getOrder`, `escalate order_not_found (orders, high)`. */
function stepSummary(step: Step): string {
  const quote = (text: string) => {
    const flat = text.replace(/\s+/g, ' ').trim();
    return `"${flat.length > SUMMARY_CHARS ? `${flat.slice(0, SUMMARY_CHARS - 1)}…` : flat}"`;
  };
  switch (step.type) {
    case 'ask':
      return `ask ${step.slot}`;
    case 'call':
      return `call ${step.connector}.${step.operation}`;
    case 'branch':
      return 'branch';
    case 'reply':
      return `reply ${quote(step.text)}`;
    case 'answer':
      return step.query ? `answer ${quote(step.query)}` : 'answer from the knowledge base';
    case 'confirm':
      return `confirm ${quote(step.question)}`;
    case 'resolve':
      return 'resolve';
    case 'escalate': {
      const extra = [step.queue, step.priority !== 'normal' ? step.priority : undefined].filter(Boolean);
      return `escalate ${step.reason}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`;
    }
    case 'goto':
      return `goto ${step.target}`;
  }
}
