import { describe, expect, it } from 'vitest';
import type { EntityValue, TurnAnalysis } from '../domain/index.ts';
import { type Choice, customerTurn, type SlotDefinition, SlotSchema } from '../workflows/index.ts';
import { type Question, replyAnswers } from './replay-answers.ts';

const ask = (input: Partial<SlotDefinition>, choices: Choice[] = []): Question => ({
  kind: 'ask',
  stepId: 'ask_it',
  slotName: 'it',
  slot: SlotSchema.parse({ prompt: 'Question?', ...input }),
  choices,
});

const money = (text: string, value: string): EntityValue => {
  const start = text.indexOf(value);
  return { type: 'money', value, start, end: start + value.length };
};
const turn = (text: string, entities: EntityValue[] = []): TurnAnalysis => customerTurn(text, entities);
const answers = (question: Question, analysis: TurnAnalysis) => replyAnswers(question, analysis).answers;

describe('replyAnswers: a past message answers the question only when it gives what is asked', () => {
  it('a confirm: a plain yes or no, never a yes that asks something', () => {
    const confirm: Question = { kind: 'confirm', stepId: 'did_it_help' };
    expect(answers(confirm, turn('Thanks, that worked!'))).toBe(true);
    expect(answers(confirm, turn("No, it still hasn't arrived."))).toBe(true);
    expect(answers(confirm, turn("ok, i'll wait for the inspection then. how long does that take?"))).toBe(
      false,
    );
    expect(answers(confirm, turn('It still says processing on my account page.'))).toBe(false);
  });

  it('a choice: named by its label or value, not by a position the customer never saw', () => {
    const change = ask({ type: 'choice', choices: ['address', 'something else'] }, [
      { label: 'address', value: 'address' },
      { label: 'something else', value: 'something else' },
    ]);
    expect(answers(change, turn('the first one arrived broken'))).toBe(false);
    expect(answers(change, turn('I want to change my address'))).toBe(true);
    expect(answers(change, turn('the address, or something else?'))).toBe(false);
    expect(answers(change, turn('my addresses'))).toBe(false);
  });

  it('an amount: only money the customer wrote, not the first number of the message', () => {
    const amount = ask({ type: 'number', entity: 'money', min: 0.01 });
    expect(answers(amount, turn('order 123456 arrived broken'))).toBe(false);
    const text = 'please refund $25.00';
    expect(answers(amount, turn(text, [money(text, '$25.00')]))).toBe(true);
    const both = 'order 123456, refund $25.00';
    expect(answers(amount, turn(both, [money(both, '$25.00')]))).toBe(false);
  });

  it('free text: rules decide; without rules any text passes, and the replay says it could not check', () => {
    const address = ask({ type: 'text', rules: [{ format: 'address' }] });
    expect(replyAnswers(address, turn('Thanks Sophie, much appreciated.'))).toEqual({
      answers: false,
      unchecked: false,
    });
    expect(replyAnswers(address, turn('14 Mill Lane, Cork T12 AB34'))).toEqual({
      answers: true,
      unchecked: false,
    });
    expect(replyAnswers(ask({ type: 'text' }), turn('Thanks Sophie, much appreciated.'))).toEqual({
      answers: true,
      unchecked: true,
    });
  });

  it('a clarifying question: only a message read as the workflow intent', () => {
    const clarify: Question = { kind: 'clarify', intents: ['order_status'] };
    const read = (intent: string | null, reason: TurnAnalysis['reason']) => ({
      ...turn('hmm'),
      intent,
      reason,
    });
    expect(answers(clarify, read('order_status', 'accepted'))).toBe(true);
    expect(answers(clarify, read('order_status', 'low_confidence'))).toBe(false);
    expect(answers(clarify, read('refund_request', 'accepted'))).toBe(false);
  });
});
