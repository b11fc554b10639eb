import type { ConnectorCatalogue } from '../connectors/connector.ts';
import type { Condition, WorkflowDefinition } from './definition.ts';
import { isPseudoNode, type WorkflowGraph, workflowGraph } from './graph.ts';
import { type Diagnostic, fieldName, type LoadedWorkflow, sortDiagnostics, type YamlPath } from './load.ts';
import {
  TEMPLATE_LOOP_WARNING,
  TEMPLATE_RENDER_LIMIT_MS,
  templateLoopRuns,
  templateProblem,
  templateVariables,
} from './template.ts';

export interface CheckWorkflowsProps {
  workflows: readonly LoadedWorkflow[];
  catalogue: ConnectorCatalogue;
  /** The intents the NLU model knows; trigger intents outside it are warnings. Unchecked when absent. */
  knownIntents?: readonly string[];
}

/**
 * The checks a schema cannot express, over a set of loaded workflows: references to steps, slots and
 * variables; templates; reachability; branches without else; loops with no exit or that never wait; dead
 * ends; connectors, operations and their inputs; slot definitions; overlapping triggers; unknown intents.
 * Every finding is a diagnostic with a stable `code`; nothing throws.
 *
 * @example
 * const { workflows, diagnostics } = loadWorkflowDir('workflows');
 * const all = [...diagnostics, ...checkWorkflows({ workflows, catalogue: builtInConnectorCatalogue() })];
 * const failed = all.some((d) => d.severity === 'error');
 */
export function checkWorkflows(props: CheckWorkflowsProps): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const workflow of props.workflows) {
    const report = reporter(workflow, out);
    const graph = workflowGraph(workflow.definition);
    const unique = checkStepIds(workflow.definition, report);
    checkReferences(workflow.definition, graph, report);
    checkBranches(workflow.definition, report);
    checkDeadEnd(workflow.definition, report);
    // With a duplicated id, edges from both steps share one name and the walks would report ghosts.
    if (unique) {
      checkReachable(workflow.definition, graph, report);
      checkLoops(graph, report);
    }
    checkSlots(workflow.definition, report);
    checkScope(workflow.definition, report);
    checkConnectors(workflow.definition, props.catalogue, report);
    if (props.knownIntents) checkIntents(workflow.definition, props.knownIntents, report);
  }
  checkAcrossWorkflows(props.workflows, out);
  return sortDiagnostics(out);
}

/** `file:line:column: error code: message`, the line `workflows check` prints. */
export function formatDiagnostic(d: Diagnostic, file: string = d.file): string {
  return `${file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}`;
}

type Report = (
  path: YamlPath,
  code: string,
  message: string,
  options?: { severity?: Diagnostic['severity']; of?: 'value' | 'key' },
) => void;

function reporter(workflow: LoadedWorkflow, out: Diagnostic[]): Report {
  return (path, code, message, options = {}) => {
    const at = workflow.positionOf(path, options.of ?? 'value');
    out.push({
      file: workflow.file,
      line: at.line,
      column: at.column,
      code,
      message,
      severity: options.severity ?? 'error',
    });
  };
}

/** Reports duplicated step ids; true when every id is unique. */
function checkStepIds(definition: WorkflowDefinition, report: Report): boolean {
  const first = new Map<string, number>();
  let unique = true;
  definition.steps.forEach((step, index) => {
    const earlier = first.get(step.id);
    if (earlier === undefined) first.set(step.id, index);
    else {
      unique = false;
      report(
        ['steps', index, 'id'],
        'workflow.duplicate_step_id',
        `step id "${step.id}" is already used by steps[${earlier}]`,
      );
    }
  });
  return unique;
}

function checkReferences(definition: WorkflowDefinition, graph: WorkflowGraph, report: Report): void {
  const known = [...graph.steps.keys()];
  const unknown = (id: string) => `"${id}" is not a step of this workflow (steps: ${known.join(', ')})`;
  if (definition.start !== undefined && !graph.steps.has(definition.start)) {
    report(['start'], 'workflow.unknown_step', `start: ${unknown(definition.start)}`);
  }
  for (const edge of graph.edges) {
    if (edge.path && !isPseudoNode(edge.to) && !graph.steps.has(edge.to)) {
      report(edge.path, 'workflow.unknown_step', `${fieldName(edge.path.slice(2))}: ${unknown(edge.to)}`);
    }
  }
}

function checkBranches(definition: WorkflowDefinition, report: Report): void {
  definition.steps.forEach((step, index) => {
    if (step.type === 'branch' && step.else === undefined) {
      report(
        ['steps', index],
        'workflow.branch_without_else',
        `branch "${step.id}" has no else: say where the conversation goes when no case matches`,
      );
    }
  });
}

function checkDeadEnd(definition: WorkflowDefinition, report: Report): void {
  const index = definition.steps.length - 1;
  const last = definition.steps[index];
  if (!last) return;
  const continues =
    last.type === 'ask' || last.type === 'call' || last.type === 'reply' || last.type === 'answer';
  if (continues && last.next === undefined) {
    report(
      ['steps', index],
      'workflow.dead_end',
      `${last.type} step "${last.id}" is the last step and has no next: end with resolve or escalate, or add next`,
    );
  }
}

/** Step ids reachable from `from` following every edge to a step (pseudo-nodes and unknown ids skipped). */
function reachableFrom(graph: WorkflowGraph, from: readonly string[]): Set<string> {
  const succ = successors(graph);
  const seen = new Set<string>();
  const queue = from.filter((id) => graph.steps.has(id));
  for (const id of queue) seen.add(id);
  while (queue.length > 0) {
    const id = queue.pop() as string;
    for (const to of succ.get(id) ?? []) {
      if (!seen.has(to)) {
        seen.add(to);
        queue.push(to);
      }
    }
  }
  return seen;
}

/** Each step's successor steps (pseudo-nodes and unknown ids left out), built once per graph. */
const successorCache = new WeakMap<WorkflowGraph, Map<string, string[]>>();
function successors(graph: WorkflowGraph): Map<string, string[]> {
  const cached = successorCache.get(graph);
  if (cached) return cached;
  const map = new Map<string, string[]>();
  for (const e of graph.edges) {
    if (!graph.steps.has(e.to)) continue;
    const list = map.get(e.from);
    if (list) list.push(e.to);
    else map.set(e.from, [e.to]);
  }
  successorCache.set(graph, map);
  return map;
}

function checkReachable(definition: WorkflowDefinition, graph: WorkflowGraph, report: Report): void {
  if (graph.start === undefined || !graph.steps.has(graph.start)) return;
  const reached = reachableFrom(graph, [graph.start]);
  definition.steps.forEach((step, index) => {
    if (!reached.has(step.id)) {
      report(
        ['steps', index],
        'workflow.unreachable_step',
        `step "${step.id}" is never reached from the start ("${graph.start}")`,
      );
    }
  });
}

const WAITING_TYPES = new Set(['ask', 'confirm', 'call', 'answer']);

/**
 * Two loop checks on the strongly connected components of the step graph. A loop has an exit when a resolve
 * or escalate step, or a confirm's automatic resolve/escalate, can be reached from it; failures (retries
 * running out, a call failing) do not count, since a customer answering normally would go round for ever.
 * A loop made only of reply, branch and goto steps never waits for anything and would spin.
 */
function checkLoops(graph: WorkflowGraph, report: Report): void {
  const ids = [...graph.steps.keys()];
  const next = successors(graph);
  const succ = (id: string) => next.get(id) ?? [];
  const exits = new Set<string>();
  for (const { step } of graph.steps.values()) {
    if (step.type === 'resolve' || step.type === 'escalate') exits.add(step.id);
  }
  for (const edge of graph.edges) {
    if (edge.automatic && !edge.automatic.failure) exits.add(edge.from);
  }
  const indexOf = (id: string) => graph.steps.get(id)?.index ?? 0;
  const describe = (component: string[]) =>
    component
      .sort((a, b) => indexOf(a) - indexOf(b))
      .map((id) => `"${id}"`)
      .join(', ');
  for (const component of cycles(ids, succ)) {
    const reached = reachableFrom(graph, component);
    if (![...reached].some((id) => exits.has(id))) {
      const first = describe(component);
      report(
        ['steps', indexOf(component[0] as string)],
        'workflow.loop_without_exit',
        `steps ${first} form a loop with no way out: no resolve or escalate step can be reached from it`,
      );
    }
  }
  const quiet = ids.filter((id) => !WAITING_TYPES.has(graph.steps.get(id)?.step.type ?? ''));
  const quietSet = new Set(quiet);
  for (const component of cycles(quiet, (id) => succ(id).filter((to) => quietSet.has(to)))) {
    const steps = describe(component);
    report(
      ['steps', indexOf(component[0] as string)],
      'workflow.loop_never_waits',
      `steps ${steps} form a loop that never waits for the customer or a system (no ask, confirm, call or answer): it would spin`,
    );
  }
}

/**
 * The strongly connected components that contain a cycle (Tarjan), each sorted by nothing in particular.
 * Iterative, with its own stack of frames: a recursive walk overflowed the call stack on a long chain of steps.
 */
function cycles(ids: readonly string[], succ: (id: string) => string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  let counter = 0;
  type Frame = { v: string; next: string[]; at: number };
  const enter = (v: string): Frame => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    return { v, next: succ(v), at: 0 };
  };
  for (const root of ids) {
    if (index.has(root)) continue;
    const frames: Frame[] = [enter(root)];
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as Frame;
      const { v } = frame;
      if (frame.at < frame.next.length) {
        const w = frame.next[frame.at++] as string;
        if (!index.has(w)) frames.push(enter(w));
        else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low.set(parent.v, Math.min(low.get(parent.v) as number, low.get(v) as number));
      if (low.get(v) === index.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop() as string;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        if (component.length > 1 || frame.next.includes(v)) found.push(component);
      }
    }
  }
  return found;
}

function checkSlots(definition: WorkflowDefinition, report: Report): void {
  for (const [name, slot] of Object.entries(definition.slots)) {
    if (slot.type === 'entity' && slot.entity === undefined) {
      report(
        ['slots', name, 'type'],
        'workflow.slot_without_entity',
        `slot "${name}" has type entity but names no entity (add entity: order_number, email, ...)`,
      );
    }
    if (slot.type === 'choice' && slot.choices === undefined && slot.choicesFrom === undefined) {
      report(
        ['slots', name, 'type'],
        'workflow.slot_without_choices',
        `slot "${name}" has type choice but neither choices nor choicesFrom`,
      );
    }
    const regex = (pattern: string, path: YamlPath) => {
      try {
        new RegExp(pattern, 'i');
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        report(path, 'workflow.invalid_pattern', `slot "${name}": invalid pattern: ${reason}`);
      }
    };
    if (slot.pattern !== undefined) regex(slot.pattern, ['slots', name, 'pattern']);
    if (slot.rules !== undefined && slot.type !== 'text' && slot.type !== 'entity') {
      report(
        ['slots', name, 'rules'],
        'workflow.rules_not_text',
        `slot "${name}" has type ${slot.type}: rules apply to text and entity slots only`,
      );
    }
    slot.rules?.forEach((rule, i) => {
      if ('matches' in rule) regex(rule.matches, ['slots', name, 'rules', i, 'matches']);
      if ('notMatches' in rule) regex(rule.notMatches, ['slots', name, 'rules', i, 'notMatches']);
    });
  }
  definition.steps.forEach((step, index) => {
    if (step.type === 'ask' && !Object.hasOwn(definition.slots, step.slot)) {
      report(['steps', index, 'slot'], 'workflow.undefined_slot', undefinedSlot(definition, step.slot));
    }
  });
}

function undefinedSlot(definition: WorkflowDefinition, name: string): string {
  const declared = Object.keys(definition.slots);
  return `undefined slot "${name}" (declared: ${declared.length > 0 ? declared.join(', ') : 'none'})`;
}

/** Where a variable is used: in a template, in a condition, or as a list to choose from. */
interface Use {
  path: YamlPath;
  /** `item` is defined (choice labels). */
  item: boolean;
}

/** Every template and condition of a workflow checked against what is in scope. */
function checkScope(definition: WorkflowDefinition, report: Report): void {
  const vars = new Set<string>();
  for (const step of definition.steps) {
    if (step.type === 'call') for (const key of Object.keys(step.output)) vars.add(key);
  }
  const check = (segments: string[], use: Use) => {
    const problem = scopeProblem(segments, use, definition, vars);
    if (problem) report(use.path, problem.code, problem.message);
  };
  // The engine's own parser (strict filters, no file tags), so check and run agree on what is valid.
  const template = (text: string | undefined, path: YamlPath, item = false) => {
    if (text === undefined) return;
    const problem = templateProblem(text);
    if (problem !== null) {
      report(path, 'workflow.template_syntax', `${fieldName(path)}: template error: ${firstLine(problem)}`);
      return;
    }
    const runs = templateLoopRuns(text);
    if (runs > TEMPLATE_LOOP_WARNING) {
      report(
        path,
        'workflow.template_large_loop',
        `${fieldName(path)}: its loops run ${runs} times (more than ${TEMPLATE_LOOP_WARNING}); at run time a template that takes longer than ${TEMPLATE_RENDER_LIMIT_MS} ms fails the turn`,
        { severity: 'warning' },
      );
    }
    for (const variable of templateVariables(text)) check(variable.split('.'), { path, item });
  };
  for (const [name, slot] of Object.entries(definition.slots)) {
    const at = (field: string) => ['slots', name, field];
    template(slot.prompt, at('prompt'));
    template(slot.retryPrompt, at('retryPrompt'));
    slot.rules?.forEach((rule, i) => {
      template(rule.reason, ['slots', name, 'rules', i, 'reason']);
    });
    template(slot.choiceLabel, at('choiceLabel'), true);
    if (slot.choicesFrom !== undefined)
      check(slot.choicesFrom.split('.'), { path: at('choicesFrom'), item: false });
  }
  definition.steps.forEach((step, index) => {
    const at = (...field: Array<string | number>) => ['steps', index, ...field];
    switch (step.type) {
      case 'ask':
        template(step.prompt, at('prompt'));
        break;
      case 'call':
        for (const [key, value] of Object.entries(step.input)) {
          if (typeof value === 'string') template(value, at('input', key));
        }
        break;
      case 'branch':
        step.cases.forEach((c, i) => {
          conditionVars(c.when, at('cases', i, 'when'), (variable, path) =>
            check(variable.split('.'), { path, item: false }),
          );
        });
        break;
      case 'reply':
        template(step.text, at('text'));
        break;
      case 'answer':
        template(step.query, at('query'));
        break;
      case 'confirm':
        template(step.question, at('question'));
        break;
      case 'resolve':
        template(step.text, at('text'));
        template(step.summary, at('summary'));
        break;
      case 'escalate':
        template(step.text, at('text'));
        break;
      case 'goto':
        break;
    }
  });
}

function conditionVars(
  condition: Condition,
  path: Array<string | number>,
  visit: (variable: string, path: Array<string | number>) => void,
): void {
  if ('var' in condition) {
    visit(condition.var, [...path, 'var']);
    return;
  }
  if ('not' in condition) {
    conditionVars(condition.not, [...path, 'not'], visit);
    return;
  }
  const [key, list] =
    'all' in condition ? (['all', condition.all] as const) : (['any', condition.any] as const);
  for (const [i, c] of list.entries()) conditionVars(c, [...path, key, i], visit);
}

const ROOTS = 'slots, vars, customer, conversation, entities, answer';

function scopeProblem(
  segments: readonly string[],
  use: Use,
  definition: WorkflowDefinition,
  vars: ReadonlySet<string>,
): { code: string; message: string } | undefined {
  const [root, name] = segments;
  const shown = segments.join('.');
  switch (root) {
    case 'slots':
      if (name === undefined)
        return { code: 'workflow.undefined_variable', message: `"slots" needs a slot name` };
      return Object.hasOwn(definition.slots, name)
        ? undefined
        : { code: 'workflow.undefined_slot', message: undefinedSlot(definition, name) };
    case 'vars': {
      if (name !== undefined && vars.has(name)) return undefined;
      const set = vars.size > 0 ? [...vars].join(', ') : 'none';
      return {
        code: 'workflow.undefined_variable',
        message: `"${shown}" is not set by the output of any call step (set: ${set})`,
      };
    }
    case 'conversation':
      return name === 'id' || name === 'channel' || name === 'intent'
        ? undefined
        : {
            code: 'workflow.undefined_variable',
            message: `"${shown}" is not defined: conversation has id, channel and intent`,
          };
    case 'customer':
    case 'entities':
    case 'answer':
      return undefined;
    case 'item':
      return use.item
        ? undefined
        : {
            code: 'workflow.undefined_variable',
            message: `"${shown}": item is only defined in a slot's choiceLabel`,
          };
    default:
      return {
        code: 'workflow.undefined_variable',
        message: `unknown variable "${shown}" (templates and conditions see ${ROOTS})`,
      };
  }
}

function checkConnectors(
  definition: WorkflowDefinition,
  catalogue: ConnectorCatalogue,
  report: Report,
): void {
  const byName = new Map(catalogue.connectors.map((c) => [c.name, c]));
  const available = catalogue.connectors.map((c) => c.name).join(', ') || 'none';
  const unknown = (name: string) =>
    `unknown connector "${name}": this deployment does not configure it (configured: ${available}; add it under connectors: in switchboard.yaml)`;
  for (const [name, version] of Object.entries(definition.connectors)) {
    const connector = byName.get(name);
    if (!connector) {
      report(['connectors', name], 'workflow.unknown_connector', unknown(name), {
        of: 'key',
      });
    } else if (connector.version !== version) {
      report(
        ['connectors', name],
        'workflow.connector_version',
        `written for ${name} v${version}, but this deployment has ${name} v${connector.version}`,
      );
    }
  }
  definition.steps.forEach((step, index) => {
    if (step.type !== 'call') return;
    const at = (...field: Array<string | number>) => ['steps', index, ...field];
    const connector = byName.get(step.connector);
    if (!connector) {
      report(at('connector'), 'workflow.unknown_connector', unknown(step.connector));
      return;
    }
    if (!Object.hasOwn(definition.connectors, step.connector)) {
      report(
        at('connector'),
        'workflow.connector_not_declared',
        `connector "${step.connector}" is not declared in the workflow's connectors (add connectors: { ${step.connector}: ${connector.version} })`,
      );
    }
    const operation = connector.operations.find((o) => o.name === step.operation);
    if (!operation) {
      const names = connector.operations.map((o) => o.name).join(', ') || 'none';
      report(
        at('operation'),
        'workflow.unknown_operation',
        `${step.connector} has no operation "${step.operation}" (operations: ${names})`,
      );
      return;
    }
    const op = `${step.connector}.${step.operation}`;
    for (const key of Object.keys(step.input)) {
      if (!operation.inputFields.includes(key)) {
        report(
          at('input', key),
          'workflow.unknown_input_field',
          `${op} takes no input "${key}" (inputs: ${operation.inputFields.join(', ') || 'none'})`,
          { of: 'key' },
        );
      }
    }
    const missing = operation.requiredInputFields.filter((f) => !(f in step.input));
    if (missing.length > 0) {
      report(
        at('input'),
        'workflow.missing_input_field',
        `${op} needs input ${missing.map((f) => `"${f}"`).join(', ')}`,
      );
    }
    if (operation.outputFields.length > 0) {
      for (const [key, path] of Object.entries(step.output)) {
        const field = path.split('.')[0] ?? path;
        if (!operation.outputFields.includes(field)) {
          report(
            at('output', key),
            'workflow.unknown_output_field',
            `${op} has no output "${field}" (outputs: ${operation.outputFields.join(', ')})`,
          );
        }
      }
    }
  });
}

function checkIntents(definition: WorkflowDefinition, knownIntents: readonly string[], report: Report): void {
  const known = new Set(knownIntents);
  definition.trigger.intents.forEach((intent, i) => {
    if (!known.has(intent)) {
      report(
        ['trigger', 'intents', i],
        'workflow.unknown_intent',
        `intent "${intent}" is not one the NLU model knows, so this trigger never fires`,
        { severity: 'warning' },
      );
    }
  });
}

/** Duplicate workflow ids, and triggers that could both fire on the same first message: an error on each. */
function checkAcrossWorkflows(workflows: readonly LoadedWorkflow[], out: Diagnostic[]): void {
  for (const [i, a] of workflows.entries()) {
    for (const b of workflows.slice(i + 1)) {
      if (a.definition.id === b.definition.id) {
        for (const [self, other] of [
          [a, b],
          [b, a],
        ] as const) {
          reporter(self, out)(
            ['id'],
            'workflow.duplicate_workflow_id',
            `workflow id "${self.definition.id}" is also used by ${other.file}`,
          );
        }
      }
      const overlap = triggerOverlap(a.definition, b.definition);
      if (overlap === undefined) continue;
      for (const [self, other] of [
        [a, b],
        [b, a],
      ] as const) {
        reporter(self, out)(
          ['trigger', 'intents', self.definition.trigger.intents.indexOf(overlap)],
          'workflow.trigger_overlap',
          `trigger overlaps workflow "${other.definition.id}" (${other.file}): both start on intent "${overlap}" ` +
            'for the same segments and channels; tell them apart by segments or channels',
        );
      }
    }
  }
}

/**
 * The first shared intent of two triggers that can fire on the same message, or undefined. Segments and
 * channels are lists of alternatives (absent: any), so disjoint lists keep two triggers apart. Entities are
 * all required (see `triggerMatches`), so a message carrying both lists matches both: they never do.
 */
export function triggerOverlap(a: WorkflowDefinition, b: WorkflowDefinition): string | undefined {
  const intent = a.trigger.intents.find((x) => b.trigger.intents.includes(x));
  if (intent === undefined) return undefined;
  const meet = (x?: readonly string[], y?: readonly string[]) => !x || !y || x.some((v) => y.includes(v));
  if (!meet(a.trigger.segments, b.trigger.segments)) return undefined;
  if (!meet(a.trigger.channels, b.trigger.channels)) return undefined;
  return intent;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
