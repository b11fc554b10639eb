import type { EntityValue } from '../domain/index.ts';
import { err, ok, type Result } from '../shared/index.ts';
import { regexOf } from './condition.ts';
import type { SlotDefinition } from './definition.ts';
import { lookupPath, type Scope } from './scope.ts';
import { renderTemplate } from './template.ts';
import { textRuleProblem } from './text-rules.ts';

/** One option of a choice slot: what the customer sees, and what the slot stores. */
export interface Choice {
  label: string;
  value: unknown;
}

/** The part of a customer turn a slot value comes from. */
export interface SlotAnswer {
  text: string;
  entities: readonly EntityValue[];
}

/**
 * Why an answer does not fill a slot: `message` in the workflow's terms (for logs and tests, never the
 * customer's text), and `reason` when a slot rule gives one to say to the customer before asking again.
 */
export interface SlotProblem {
  message: string;
  reason?: string;
}

const problem = (message: string) => err<SlotProblem>({ message });

/** The entity type an entity slot takes: its `entity`, else the slot's own name. */
export const slotEntityType = (name: string, slot: SlotDefinition): string => slot.entity ?? name;

/**
 * The options of a choice slot: its fixed `choices`, or the items of the list at `choicesFrom`, each labelled
 * with `choiceLabel` (a template that sees `item`; escaped like all customer-facing text) and stored as the
 * item's value at `choiceValue` (the item itself without it).
 *
 * @example
 * slotChoices({ ...slot, choicesFrom: 'vars.orders', choiceLabel: '{{ item.number }}', choiceValue: 'number' }, scope);
 * // [{ label: 'SB-1', value: 'SB-1' }, { label: 'SB-2', value: 'SB-2' }]
 */
export function slotChoices(slot: SlotDefinition, scope: Scope): Choice[] {
  if (slot.type !== 'choice') return [];
  if (slot.choicesFrom === undefined)
    return (slot.choices ?? []).map((choice) => ({ label: choice, value: choice }));
  const items = lookupPath(scope, slot.choicesFrom);
  if (!Array.isArray(items)) return [];
  return items.map((item: unknown) => {
    const value = slot.choiceValue === undefined ? item : lookupPath(item, slot.choiceValue);
    const label =
      slot.choiceLabel === undefined ? String(value) : renderTemplate(slot.choiceLabel, { ...scope, item });
    return { label, value };
  });
}

export interface ExtractSlotValueProps {
  name: string;
  slot: SlotDefinition;
  answer: SlotAnswer;
  /** The options of a choice slot (`slotChoices`). */
  choices?: readonly Choice[];
}

/**
 * Reads a slot's value from a customer's answer and validates it. The error says why in the workflow's terms
 * and never repeats the customer's text.
 * - entity: the first entity of the slot's type that validates; else, when the slot has a `pattern`, the whole
 *   trimmed answer if it matches (a bare "SB-123456" that the NLU did not tag);
 * - number: the first number in the answer; yes_no: yes/no words ("yep", "sure", "nope", "not really"; any
 *   negation wins); choice: the label or value, a position ("2", "the second", "the last one"), or the one
 *   choice whose value or label the answer contains; text: the trimmed answer, when not empty.
 *
 * Validation: `pattern` (case-insensitive) on the value's text; `min`/`max` bound a number slot's value and
 * the length of a text or entity slot's value; `rules` (text and entity slots) each give the reason to say.
 *
 * @example
 * extractSlotValue({ name: 'confirmed', slot: { ...slot, type: 'yes_no' }, answer: { text: 'yep', entities: [] } });
 * // { ok: true, value: true }
 * extractSlotValue({ name: 'new_address', slot: { ...slot, rules: [{ format: 'address' }] }, answer: { text: 'thanks!', entities: [] } });
 * // { ok: false, error: { message: 'breaks a rule', reason: 'An address needs a house number or a postcode.' } }
 */
export function extractSlotValue(props: ExtractSlotValueProps): Result<unknown, SlotProblem> {
  const { name, slot, answer } = props;
  const text = answer.text.trim();
  switch (slot.type) {
    case 'entity': {
      const type = slotEntityType(name, slot);
      let firstProblem: SlotProblem | undefined;
      for (const entity of answer.entities) {
        if (entity.type !== type) continue;
        const checked = validateSlotValue(slot, entity.value);
        if (checked.ok) return checked;
        firstProblem ??= checked.error;
      }
      if (slot.pattern !== undefined && text !== '' && regexOf(`^(?:${slot.pattern})$`).test(text)) {
        return validateSlotValue(slot, text);
      }
      return firstProblem ? err(firstProblem) : problem(`no ${type} in the answer`);
    }
    case 'number': {
      const number = firstNumber(text);
      return number === undefined ? problem('no number in the answer') : validateSlotValue(slot, number);
    }
    case 'yes_no': {
      const value = yesOrNo(text);
      return value === null ? problem('neither yes nor no') : ok(value);
    }
    case 'choice': {
      const choice = pickChoice(text, props.choices ?? []);
      return choice === undefined ? problem('not one of the choices') : ok(choice.value);
    }
    case 'text':
      return text === '' ? problem('an empty answer') : validateSlotValue(slot, text);
  }
}

/** Checks a value against a slot's `pattern`, `min`, `max` and `rules`; returns the value when it passes. */
export function validateSlotValue(slot: SlotDefinition, value: unknown): Result<unknown, SlotProblem> {
  if (slot.pattern !== undefined && !regexOf(slot.pattern).test(String(value))) {
    return problem(`does not match the pattern ${slot.pattern}`);
  }
  const measure = slot.type === 'number' ? Number(value) : String(value).length;
  const unit = slot.type === 'number' ? '' : ' characters';
  if (slot.min !== undefined && measure < slot.min) return problem(`less than ${slot.min}${unit}`);
  if (slot.max !== undefined && measure > slot.max) return problem(`more than ${slot.max}${unit}`);
  if (slot.rules !== undefined && (slot.type === 'text' || slot.type === 'entity')) {
    const reason = textRuleProblem(slot.rules, String(value));
    if (reason !== null) return err({ message: 'breaks a rule', reason });
  }
  return ok(value);
}

/** The first number written in a text ("about 1,250.50 euros" -> 1250.5), or undefined. */
export function firstNumber(text: string): number | undefined {
  const match = /-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?/.exec(text);
  return match ? Number(match[0].replaceAll(',', '')) : undefined;
}

/** Idioms that contain a negation but mean yes. */
const YES_IDIOMS = /\b(?:no problem|not a problem|no worries|no doubt|not bad)\b/g;
const NO_WORDS = new Set(['no', 'n', 'nope', 'nah', 'naw', 'not', 'never', 'negative', 'nothing', 'none']);
const YES_WORDS = new Set([
  'yes',
  'y',
  'yeah',
  'yea',
  'ya',
  'yep',
  'yup',
  'sure',
  'ok',
  'okay',
  'k',
  'correct',
  'right',
  'absolutely',
  'definitely',
  'certainly',
  'indeed',
  'affirmative',
  'perfect',
  'great',
  'thanks',
  'thank',
  'thx',
  'solved',
  'resolved',
  'helped',
  'worked',
  'did',
]);

/**
 * Yes (true), no (false) or unclear (null). Any negation ("no", "not really", "didn't") makes it a no, so
 * "yes, but it did not help" is a no: when unsure the workflow takes the careful branch.
 *
 * @example
 * yesOrNo('Yep, thanks!'); // true
 * yesOrNo('not really'); // false
 * yesOrNo('what?'); // null
 */
export function yesOrNo(text: string): boolean | null {
  const words =
    text
      .toLowerCase()
      .replaceAll('\u2019', "'")
      .replace(YES_IDIOMS, 'yes')
      .match(/[a-z']+/g) ?? [];
  if (words.some((word) => NO_WORDS.has(word) || word.endsWith("n't"))) return false;
  return words.some((word) => YES_WORDS.has(word)) ? true : null;
}

const ORDINALS: Record<string, number> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
  seventh: 7,
  eighth: 8,
  ninth: 9,
  tenth: 10,
};

/** The choice an answer names, or undefined when it names none or several. */
export function pickChoice(text: string, choices: readonly Choice[]): Choice | undefined {
  const answer = text.trim().toLowerCase();
  if (answer === '' || choices.length === 0) return undefined;
  const named = (choice: Choice) => [choice.label.toLowerCase(), valueText(choice.value)];
  const exact = choices.find((choice) => named(choice).includes(answer));
  if (exact) return exact;
  const position = choicePosition(answer, choices.length);
  if (position !== undefined) return choices[position - 1];
  const mentioned = choices.filter((choice) =>
    named(choice).some((name) => name.length >= 2 && answer.includes(name)),
  );
  return mentioned.length === 1 ? mentioned[0] : undefined;
}

function choicePosition(answer: string, count: number): number | undefined {
  const numbered = /^(?:#|no\.?|number|option|choice)?\s*(\d{1,2})(?:st|nd|rd|th)?\.?$/.exec(answer);
  const word =
    /\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|(\d{1,2})(?:st|nd|rd|th))\b/.exec(
      answer,
    );
  let position: number | undefined;
  if (numbered) position = Number(numbered[1]);
  else if (word?.[2] !== undefined) position = Number(word[2]);
  else if (word?.[1] === 'last') position = count;
  else if (word?.[1] !== undefined) position = ORDINALS[word[1]];
  return position !== undefined && position >= 1 && position <= count ? position : undefined;
}

function valueText(value: unknown): string {
  if (typeof value === 'string') return value.toLowerCase();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}
