import { describe, expect, it } from 'vitest';
import { answerConsistency, shownAnswer } from './answer-consistency.ts';
import { answerSpace } from './answer-similarity.ts';

describe('shownAnswer', () => {
  it('drops the greeting and masks the name, e-mails, phones, links and long numbers; cuts long replies', () => {
    const shown = shownAnswer({
      conversation: 'c1',
      customerName: 'Olivia Okafor',
      text: 'Hi Olivia, order SB-482913 is yours, Okafor: track it at https://t.example/x?id=9 or call +44 20 7946 0958, mail olivia.okafor@example.net.',
    });
    expect(shown).toBe('order [number] is yours, [name]: track it at [link] or call [phone], mail [email].');
    const long = shownAnswer({ conversation: 'c2', text: 'word '.repeat(100) });
    expect(long.length).toBeLessThanOrEqual(164);
    expect(long).toMatch(/word \.\.\.$/);
  });
});

describe('answerConsistency', () => {
  it('says when there is no reply, or only one', () => {
    const space = answerSpace(['You can change it in your account.']);
    expect(answerConsistency([], space)).toEqual({
      answered: 0,
      consistency: null,
      verdict: 'no_answer',
      representative: null,
    });
    expect(
      answerConsistency([{ conversation: 'a', text: 'You can change it in your account.' }], space),
    ).toMatchObject({
      answered: 1,
      consistency: null,
      verdict: 'too_few',
      representative: { conversation: 'a' },
    });
  });
});
