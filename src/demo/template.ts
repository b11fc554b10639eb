import { BugError } from '../shared/index.ts';

/**
 * The slots a phrasing may name, as `{order}` or `{first}`. Each ticket fills all of them once, so a slot
 * means the same thing in every message of the ticket.
 */
export const SLOTS = [
  'first',
  'name',
  'email',
  'newEmail',
  'order',
  'orderId',
  'product',
  'product2',
  'amount',
  'amount2',
  'fee',
  'date',
  'days',
  'carrier',
  'tracking',
  'plan',
  'membership',
  'shop',
  'charge',
  'last4',
  'city',
  'agent',
  'staff',
  'company',
  'qty',
  'invoice',
  'ref',
] as const;
export type Slot = (typeof SLOTS)[number];

/** One value per slot, indexed as in SLOTS. */
export type SlotValues = string[];

const SLOT_INDEX = new Map<string, number>(SLOTS.map((s, i) => [s, i]));

/** A phrasing split once into literal text and slot indexes, so filling it is a short loop. */
export type Template = readonly (string | number)[];

/** Parses `{slot}` references; an unknown slot name throws, so a typo in a phrasing fails at load time. */
export function compile(text: string): Template {
  const parts: (string | number)[] = [];
  let last = 0;
  for (const match of text.matchAll(/\{(\w+)\}/g)) {
    const index = SLOT_INDEX.get(match[1] as string);
    if (index === undefined) throw new BugError('demo.unknown_slot', `unknown slot ${match[0]} in "${text}"`);
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push(index);
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** compile() over a list. */
export const compileAll = (texts: readonly string[]): readonly Template[] => texts.map(compile);

/** The text of a compiled template with the ticket's slot values put in. */
export function fill(template: Template, values: SlotValues): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const part = template[i] as string | number;
    out += typeof part === 'number' ? values[part] : part;
  }
  return out;
}

/** Index of each slot, for code that sets values. */
export const SLOT = Object.fromEntries(SLOTS.map((s, i) => [s, i])) as Record<Slot, number>;
