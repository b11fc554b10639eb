import { UserError } from '../shared/index.ts';
import type { Condition } from './definition.ts';
import { lookupPath } from './scope.ts';

type Operand = Extract<Condition, { op: unknown }>['value'];

/**
 * Evaluates a condition over a scope (see `scopeOf`). Conditions are data, never code:
 * - `eq`/`ne`: numbers (and numeric strings) compare as numbers, other scalars as text; `eq: null` means
 *   null or absent;
 * - `gt`/`gte`/`lt`/`lte`: numerically when both sides are numbers or numeric strings, else as text when both
 *   are text (ISO dates order correctly), else false;
 * - `in`: the value equals one item of the list; `contains`: a list holds the value, or a text contains it
 *   (case-insensitive); `matches`: a regular expression, case-insensitive;
 * - `exists`: present, not null and not empty text; `missing`: the opposite;
 * - `all`, `any`, `not` combine.
 *
 * @example
 * evaluateCondition({ var: 'vars.orders.length', op: 'gt', value: 1 }, { vars: { orders: [{}, {}] } }); // true
 */
export function evaluateCondition(condition: Condition, scope: object): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluateCondition(c, scope));
  if ('any' in condition) return condition.any.some((c) => evaluateCondition(c, scope));
  if ('not' in condition) return !evaluateCondition(condition.not, scope);
  const actual = lookupPath(scope, condition.var);
  const expected = condition.value;
  switch (condition.op) {
    case 'eq':
      return looselyEqual(actual, expected ?? null);
    case 'ne':
      return !looselyEqual(actual, expected ?? null);
    case 'gt':
      return compare(actual, expected, (d) => d > 0);
    case 'gte':
      return compare(actual, expected, (d) => d >= 0);
    case 'lt':
      return compare(actual, expected, (d) => d < 0);
    case 'lte':
      return compare(actual, expected, (d) => d <= 0);
    case 'in':
      return (Array.isArray(expected) ? expected : [expected]).some((item) => looselyEqual(actual, item));
    case 'contains':
      return contains(actual, expected);
    case 'matches':
      return (
        (typeof actual === 'string' || typeof actual === 'number') &&
        regexOf(String(expected ?? '')).test(String(actual))
      );
    case 'exists':
      return isPresent(actual);
    case 'missing':
      return !isPresent(actual);
  }
}

/** Present: not undefined, not null, not empty text. */
export function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** A finite number, or the number a numeric string spells; else undefined. */
export function numericValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*$/.test(value)) return Number(value);
  return undefined;
}

function looselyEqual(actual: unknown, expected: Operand | string | number): boolean {
  if (expected === null || expected === undefined) return actual === null || actual === undefined;
  const a = numericValue(actual);
  const b = numericValue(expected);
  if (a !== undefined && b !== undefined) return a === b;
  if (isScalar(actual) && isScalar(expected)) return String(actual) === String(expected);
  return false;
}

function compare(actual: unknown, expected: Operand, holds: (difference: number) => boolean): boolean {
  const a = numericValue(actual);
  const b = numericValue(expected);
  if (a !== undefined && b !== undefined) return holds(a - b);
  if (typeof actual === 'string' && typeof expected === 'string') {
    return holds(actual < expected ? -1 : actual > expected ? 1 : 0);
  }
  return false;
}

function contains(actual: unknown, expected: Operand): boolean {
  if (Array.isArray(actual)) {
    return actual.some((item) => looselyEqual(item, expected as string | number | boolean | null));
  }
  if (typeof actual === 'string' && isScalar(expected)) {
    return actual.toLowerCase().includes(String(expected).toLowerCase());
  }
  return false;
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

const regexCache = new Map<string, RegExp>();

/** Compiles (once) a case-insensitive pattern; a bad pattern is the workflow author's error. */
export function regexOf(pattern: string): RegExp {
  const hit = regexCache.get(pattern);
  if (hit) return hit;
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, 'i');
  } catch (error) {
    throw new UserError(
      'workflow.pattern_invalid',
      `${JSON.stringify(pattern)} is not a valid regular expression`,
      undefined,
      { cause: error },
    );
  }
  if (regexCache.size >= 5000) regexCache.clear();
  regexCache.set(pattern, regex);
  return regex;
}
