import type { WorkflowState } from './state.ts';

/**
 * What templates and conditions see: `slots`, `vars`, `customer`, `conversation` (id, channel, intent),
 * `entities` (the first value of each entity type found so far) and `answer` (the last knowledge-base answer).
 * Choice labels add `item`.
 */
export interface Scope {
  slots: Record<string, unknown>;
  vars: Record<string, unknown>;
  customer: Record<string, unknown>;
  conversation: { id: string; channel: string; intent: string | null };
  entities: Record<string, string>;
  answer: WorkflowState['answer'];
  item?: unknown;
}

/** Builds the scope of a state. The scope shares the state's objects: read it, never write to it. */
export function scopeOf(state: WorkflowState): Scope {
  const entities: Record<string, string> = {};
  for (const entity of state.entities) {
    if (!Object.hasOwn(entities, entity.type)) entities[entity.type] = entity.value;
  }
  return {
    slots: state.slots,
    vars: state.vars,
    customer: state.customer,
    conversation: { id: state.conversationId, channel: state.channel, intent: state.intent },
    entities,
    answer: state.answer,
  };
}

/**
 * The value at a dotted path, or undefined. Only own properties are read (never `constructor` or
 * `__proto__`); `length` and `size` give the length of a list or a string, and digits index a list.
 *
 * @example
 * lookupPath({ vars: { orders: [{ number: 'SB-1' }] } }, 'vars.orders.0.number'); // 'SB-1'
 * lookupPath({ vars: { orders: [] } }, 'vars.orders.length'); // 0
 */
export function lookupPath(root: unknown, path: string): unknown {
  if (path === '') return root;
  let value = root;
  for (const segment of path.split('.')) {
    value = child(value, segment);
    if (value === undefined) return undefined;
  }
  return value;
}

function child(value: unknown, segment: string): unknown {
  if (typeof value === 'string') {
    return segment === 'length' || segment === 'size' ? value.length : undefined;
  }
  if (Array.isArray(value)) {
    if (segment === 'length' || segment === 'size') return value.length;
    return /^\d+$/.test(segment) ? value[Number(segment)] : undefined;
  }
  if (typeof value === 'object' && value !== null && Object.hasOwn(value, segment)) {
    return (value as Record<string, unknown>)[segment];
  }
  return undefined;
}
