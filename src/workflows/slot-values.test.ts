import { describe, expect, it } from 'vitest';
import type { EntityValue } from '../domain/index.ts';
import { type SlotDefinition, SlotSchema } from './definition.ts';
import type { Scope } from './scope.ts';
import {
  type Choice,
  extractSlotValue,
  firstNumber,
  pickChoice,
  slotChoices,
  yesOrNo,
} from './slot-values.ts';

const slot = (input: Partial<SlotDefinition>): SlotDefinition =>
  SlotSchema.parse({ prompt: 'Question?', ...input });
const entityOf = (type: string, value: string, text: string): EntityValue => {
  const start = text.indexOf(value);
  return { type, value, start, end: start + value.length };
};
const extract = (
  definition: SlotDefinition,
  text: string,
  entities: EntityValue[] = [],
  choices: Choice[] = [],
) => extractSlotValue({ name: 'answer', slot: definition, answer: { text, entities }, choices });

describe('entity slots', () => {
  const orderNumber = slot({
    type: 'entity',
    entity: 'order_number',
    pattern: '^(#|[a-z]{1,3}-?)?\\d{4,12}$',
  });

  it('take the first entity of their type that validates', () => {
    const text = 'it is not SB-12 but order SB-100001';
    expect(
      extract(orderNumber, text, [
        entityOf('order_number', 'SB-12', text),
        entityOf('email', 'x@y.z', 'x@y.z'),
        entityOf('order_number', 'SB-100001', text),
      ]),
    ).toEqual({
      ok: true,
      value: 'SB-100001',
    });
  });

  it('take the whole trimmed answer when it matches the pattern and the NLU found no entity', () => {
    expect(extract(orderNumber, '  SB-100001 ')).toEqual({ ok: true, value: 'SB-100001' });
    expect(extract(orderNumber, '100001')).toEqual({ ok: true, value: '100001' });
    expect(extract(orderNumber, 'my order is SB-100001, thanks')).toEqual({
      ok: false,
      error: { message: 'no order_number in the answer' },
    });
  });

  it('say why an entity was refused, never repeating the answer', () => {
    const text = 'order SB-12';
    expect(extract(orderNumber, text, [entityOf('order_number', 'SB-12', text)])).toEqual({
      ok: false,
      error: { message: 'does not match the pattern ^(#|[a-z]{1,3}-?)?\\d{4,12}$' },
    });
    const email = slot({ type: 'entity', entity: 'email' });
    expect(extract(email, 'I do not remember')).toEqual({
      ok: false,
      error: { message: 'no email in the answer' },
    });
  });

  it('use the slot name as the entity type when `entity` is absent', () => {
    expect(
      extractSlotValue({
        name: 'email',
        slot: slot({ type: 'entity' }),
        answer: { text: 'a@b.co', entities: [entityOf('email', 'a@b.co', 'a@b.co')] },
      }),
    ).toEqual({ ok: true, value: 'a@b.co' });
  });
});

describe('number slots', () => {
  it('take the first number and check min and max', () => {
    const quantity = slot({ type: 'number', min: 1, max: 2000 });
    expect(extract(quantity, 'about 1,250.50 units')).toEqual({ ok: true, value: 1250.5 });
    expect(extract(quantity, '3 or 4')).toEqual({ ok: true, value: 3 });
    expect(extract(quantity, '0')).toEqual({ ok: false, error: { message: 'less than 1' } });
    expect(extract(quantity, '5000')).toEqual({ ok: false, error: { message: 'more than 2000' } });
    expect(extract(quantity, 'a few')).toEqual({ ok: false, error: { message: 'no number in the answer' } });
    expect(firstNumber('-3 degrees')).toBe(-3);
  });
});

describe('text slots', () => {
  it('take the trimmed answer, bounded in length and checked against the pattern', () => {
    const code = slot({ type: 'text', min: 3, max: 6, pattern: '^[a-z]+$' });
    expect(extract(code, '  abcd ')).toEqual({ ok: true, value: 'abcd' });
    expect(extract(code, 'ab')).toEqual({ ok: false, error: { message: 'less than 3 characters' } });
    expect(extract(code, 'abcdefg')).toEqual({ ok: false, error: { message: 'more than 6 characters' } });
    expect(extract(code, 'ab12')).toEqual({
      ok: false,
      error: { message: 'does not match the pattern ^[a-z]+$' },
    });
    expect(extract(slot({ type: 'text' }), '   ')).toEqual({
      ok: false,
      error: { message: 'an empty answer' },
    });
  });
});

describe('yes_no slots', () => {
  it.each([
    ['yes', true],
    ['Yep!', true],
    ['sure, go ahead', true],
    ['ok', true],
    ['That worked, thanks', true],
    ['yes it did', true],
    ['no problem, thank you', true],
    ['no', false],
    ['Nope.', false],
    ['not really', false],
    ['nah', false],
    ['it didn’t help', false],
    ['yes, but it did not arrive', false],
    ['hmm', null],
    ['what do you mean?', null],
    ['', null],
  ])('%j -> %j', (text, expected) => {
    expect(yesOrNo(text)).toBe(expected);
  });

  it('store booleans', () => {
    expect(extract(slot({ type: 'yes_no' }), 'yup')).toEqual({ ok: true, value: true });
    expect(extract(slot({ type: 'yes_no' }), 'maybe')).toEqual({
      ok: false,
      error: { message: 'neither yes nor no' },
    });
  });
});

describe('choice slots', () => {
  const scope: Scope = {
    slots: {},
    vars: {
      orders: [
        { number: 'SB-100002', status: 'processing' },
        { number: 'SB-100003', status: 'delivered' },
        { number: 'SB-100004', status: '<b>cancelled</b>' },
      ],
    },
    customer: { attributes: {} },
    conversation: { id: 'c1', channel: 'chat', intent: null },
    entities: {},
    answer: null,
  };
  const fromOrders = slot({
    type: 'choice',
    choicesFrom: 'vars.orders',
    choiceLabel: '{{ item.number }} ({{ item.status }})',
    choiceValue: 'number',
  });
  const choices = slotChoices(fromOrders, scope);

  it('list the items of a variable with rendered, escaped labels and their values', () => {
    expect(choices).toEqual([
      { label: 'SB-100002 (processing)', value: 'SB-100002' },
      { label: 'SB-100003 (delivered)', value: 'SB-100003' },
      { label: 'SB-100004 (&lt;b&gt;cancelled&lt;/b&gt;)', value: 'SB-100004' },
    ]);
    expect(slotChoices(slot({ type: 'choice', choices: ['red', 'blue'] }), scope)).toEqual([
      { label: 'red', value: 'red' },
      { label: 'blue', value: 'blue' },
    ]);
    expect(slotChoices(slot({ type: 'choice', choicesFrom: 'vars.missing' }), scope)).toEqual([]);
    expect(slotChoices(slot({ type: 'choice', choicesFrom: 'vars.orders' }), scope)[0]?.label).toBe(
      '[object Object]',
    );
    expect(slotChoices(slot({ type: 'text' }), scope)).toEqual([]);
  });

  it.each([
    ['2', 'SB-100003'],
    ['#3', 'SB-100004'],
    ['the second one', 'SB-100003'],
    ['3rd', 'SB-100004'],
    ['The last one please', 'SB-100004'],
    ['sb-100002', 'SB-100002'],
    ['It is SB-100003 I think', 'SB-100003'],
    ['SB-100003 (delivered)', 'SB-100003'],
  ])('pick %j -> %j', (text, value) => {
    expect(extract(fromOrders, text, [], choices)).toEqual({ ok: true, value });
  });

  it.each([['4'], ['the fifth'], ['SB-100002 or SB-100003'], ['no idea'], ['0']])('refuse %j', (text) => {
    expect(extract(fromOrders, text, [], choices)).toEqual({
      ok: false,
      error: { message: 'not one of the choices' },
    });
  });

  it('prefer an exact value over a position', () => {
    const numbers: Choice[] = [
      { label: 'two', value: 2 },
      { label: 'one', value: 1 },
    ];
    expect(pickChoice('1', numbers)).toEqual({ label: 'one', value: 1 });
    expect(pickChoice('first', numbers)).toEqual({ label: 'two', value: 2 });
    expect(pickChoice('anything', [])).toBeUndefined();
  });
});

describe('slot rules', () => {
  const address = slot({ type: 'text', min: 5, rules: [{ format: 'address' }] });

  it('refuse what does not look like an address, with the reason to say', () => {
    // Later messages of past tickets that replay once took for a new address (issue 14).
    expect(extract(address, 'Hi Sophie,\n\nThanks Sophie, much appreciated.\n\nPaul')).toEqual({
      ok: false,
      error: { message: 'breaks a rule', reason: 'An address needs a house number or a postcode.' },
    });
    expect(extract(address, "i didn't get the confirmation email.")).toMatchObject({
      ok: false,
      error: { reason: 'An address needs a house number or a postcode.' },
    });
    expect(extract(address, 'will I get the full $57.99 back?')).toMatchObject({
      ok: false,
      error: { reason: 'That reads as a question, not an address.' },
    });
    expect(extract(address, 'my order 123456 never came')).toMatchObject({
      ok: false,
      error: { reason: 'I need the street and the town, with the postcode.' },
    });
  });

  it('take an address', () => {
    for (const text of ['14 Mill Lane, Cork T12 AB34', 'Hauptstr. 5 Berlin', 'Flat 2, 9 Rue Cler, Paris']) {
      expect(extract(address, text), text).toEqual({ ok: true, value: text });
    }
  });

  it('say their own reason, and check entity values too', () => {
    const name = slot({
      type: 'text',
      rules: [
        { minWords: 2, reason: 'Please give your first and last name.' },
        { notMatches: '\\d', reason: 'A name has no digits.' },
      ],
    });
    expect(extract(name, 'Paul')).toMatchObject({
      error: { reason: 'Please give your first and last name.' },
    });
    expect(extract(name, 'Paul 2 Smith')).toMatchObject({ error: { reason: 'A name has no digits.' } });
    expect(extract(name, 'Paul Smith')).toEqual({ ok: true, value: 'Paul Smith' });
    const work = slot({
      type: 'entity',
      entity: 'email',
      rules: [{ matches: '@work\\.example$', reason: 'Please use your work address.' }],
    });
    const text = 'me@home.example';
    expect(extract(work, text, [entityOf('email', text, text)])).toMatchObject({
      error: { reason: 'Please use your work address.' },
    });
  });
});
