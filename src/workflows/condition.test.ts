import { describe, expect, it } from 'vitest';
import { UserError } from '../shared/index.ts';
import { evaluateCondition, numericValue } from './condition.ts';
import type { Condition } from './definition.ts';
import { lookupPath, scopeOf } from './scope.ts';
import type { WorkflowState } from './state.ts';

const scope = {
  slots: { amount: '120.50', name: 'Sam', empty: '', none: null, confirmed: true },
  vars: {
    count: 3,
    status: 'shipped',
    orders: [{ number: 'SB-1', tags: ['gift', 'express'] }, { number: 'SB-2' }],
    placedAt: '2026-10-28T12:00:00.000Z',
    note: 'Left with the NEIGHBOUR',
  },
  customer: { plan: 'pro', attributes: { vip: true } },
};
const holds = (condition: Condition) => evaluateCondition(condition, scope);

describe('evaluateCondition', () => {
  it('compares numbers numerically, numeric strings included', () => {
    expect(holds({ var: 'slots.amount', op: 'gt', value: 100 })).toBe(true);
    expect(holds({ var: 'slots.amount', op: 'gt', value: '99' })).toBe(true);
    expect(holds({ var: 'slots.amount', op: 'lte', value: 120.5 })).toBe(true);
    expect(holds({ var: 'slots.amount', op: 'lt', value: 120.5 })).toBe(false);
    expect(holds({ var: 'slots.amount', op: 'eq', value: 120.5 })).toBe(true);
    expect(holds({ var: 'vars.count', op: 'gte', value: 3 })).toBe(true);
    expect(holds({ var: 'vars.count', op: 'ne', value: '3' })).toBe(false);
    expect(holds({ var: 'slots.name', op: 'gt', value: 1 })).toBe(false);
  });

  it('compares text as text, so ISO dates order correctly', () => {
    expect(holds({ var: 'vars.status', op: 'eq', value: 'shipped' })).toBe(true);
    expect(holds({ var: 'vars.status', op: 'eq', value: 'Shipped' })).toBe(false);
    expect(holds({ var: 'vars.placedAt', op: 'gt', value: '2026-10-01' })).toBe(true);
    expect(holds({ var: 'vars.placedAt', op: 'lt', value: '2026-10-01' })).toBe(false);
    expect(holds({ var: 'slots.confirmed', op: 'eq', value: true })).toBe(true);
    expect(holds({ var: 'slots.confirmed', op: 'eq', value: 'true' })).toBe(true);
  });

  it('reads list lengths and numeric indexes in paths', () => {
    expect(holds({ var: 'vars.orders.length', op: 'eq', value: 2 })).toBe(true);
    expect(holds({ var: 'vars.orders.1.number', op: 'eq', value: 'SB-2' })).toBe(true);
    expect(holds({ var: 'vars.orders.5.number', op: 'exists' })).toBe(false);
    expect(holds({ var: 'slots.name.length', op: 'eq', value: 3 })).toBe(true);
  });

  it('tests membership with in and contains', () => {
    expect(holds({ var: 'customer.plan', op: 'in', value: ['pro', 'business'] })).toBe(true);
    expect(holds({ var: 'customer.plan', op: 'in', value: ['free'] })).toBe(false);
    expect(holds({ var: 'vars.count', op: 'in', value: ['3', 4] })).toBe(true);
    expect(holds({ var: 'vars.orders.0.tags', op: 'contains', value: 'gift' })).toBe(true);
    expect(holds({ var: 'vars.orders.0.tags', op: 'contains', value: 'fragile' })).toBe(false);
    expect(holds({ var: 'vars.note', op: 'contains', value: 'neighbour' })).toBe(true);
    expect(holds({ var: 'vars.count', op: 'contains', value: 3 })).toBe(false);
  });

  it('matches regular expressions case-insensitively and refuses a bad one', () => {
    expect(holds({ var: 'vars.note', op: 'matches', value: 'left with the (neighbour|porter)' })).toBe(true);
    expect(holds({ var: 'vars.note', op: 'matches', value: '^porter' })).toBe(false);
    expect(holds({ var: 'vars.count', op: 'matches', value: '^\\d$' })).toBe(true);
    expect(holds({ var: 'vars.orders', op: 'matches', value: '.' })).toBe(false);
    expect(() => holds({ var: 'vars.note', op: 'matches', value: '(' })).toThrow(UserError);
    expect(() => holds({ var: 'vars.note', op: 'matches', value: '(' })).toThrow(
      '"(" is not a valid regular expression',
    );
  });

  it('treats null, absent and empty text as missing', () => {
    for (const path of ['slots.empty', 'slots.none', 'slots.nothing', 'vars.orders.0.missing']) {
      expect(holds({ var: path, op: 'missing' })).toBe(true);
      expect(holds({ var: path, op: 'exists' })).toBe(false);
    }
    expect(holds({ var: 'customer.attributes.vip', op: 'exists' })).toBe(true);
    expect(holds({ var: 'slots.none', op: 'eq', value: null })).toBe(true);
    expect(holds({ var: 'slots.nothing', op: 'eq' })).toBe(true);
    expect(holds({ var: 'slots.name', op: 'eq', value: null })).toBe(false);
  });

  it('combines with all, any and not', () => {
    const big = { var: 'slots.amount', op: 'gt', value: 100 } as const;
    const free = { var: 'customer.plan', op: 'eq', value: 'free' } as const;
    expect(holds({ all: [big, { not: free }] })).toBe(true);
    expect(holds({ all: [big, free] })).toBe(false);
    expect(holds({ any: [free, big] })).toBe(true);
    expect(holds({ any: [free, { not: big }] })).toBe(false);
  });

  it('never reads inherited properties', () => {
    expect(holds({ var: 'vars.constructor', op: 'exists' })).toBe(false);
    expect(holds({ var: 'vars.orders.constructor.name', op: 'exists' })).toBe(false);
    expect(holds({ var: 'vars.__proto__', op: 'exists' })).toBe(false);
  });
});

describe('numericValue', () => {
  it('reads numbers and numeric strings only', () => {
    expect([
      numericValue(3),
      numericValue(' -2.5 '),
      numericValue('.5'),
      numericValue('12abc'),
      numericValue(''),
      numericValue(true),
      numericValue(Number.NaN),
    ]).toEqual([3, -2.5, 0.5, undefined, undefined, undefined, undefined]);
  });
});

describe('scope', () => {
  it('gives templates and conditions the state, with the first value of each entity type', () => {
    const state = {
      conversationId: 'c1',
      channel: 'email',
      intent: 'order_status',
      slots: { a: 1 },
      vars: { b: 2 },
      customer: { name: 'Sam', attributes: {} },
      entities: [
        { type: 'email', value: 'first@example.com', start: 0, end: 17 },
        { type: 'email', value: 'second@example.com', start: 20, end: 38 },
      ],
      answer: null,
    } as unknown as WorkflowState;
    expect(scopeOf(state)).toEqual({
      slots: { a: 1 },
      vars: { b: 2 },
      customer: { name: 'Sam', attributes: {} },
      conversation: { id: 'c1', channel: 'email', intent: 'order_status' },
      entities: { email: 'first@example.com' },
      answer: null,
    });
  });

  it('looks paths up through objects, lists and strings', () => {
    const root = { a: { list: [{ x: 'y' }], text: 'four' } };
    expect(lookupPath(root, 'a.list.0.x')).toBe('y');
    expect(lookupPath(root, 'a.list.size')).toBe(1);
    expect(lookupPath(root, 'a.text.length')).toBe(4);
    expect(lookupPath(root, 'a.text.0')).toBeUndefined();
    expect(lookupPath(root, 'a.list.x')).toBeUndefined();
    expect(lookupPath(root, '')).toBe(root);
    expect(lookupPath({ size: { size: 'L' } }, 'size.size')).toBe('L');
  });
});
