import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyseSentiment } from './sentiment.ts';

interface Row {
  text: string;
  label: 'negative' | 'neutral' | 'positive';
}
const rows: Row[] = readFileSync(new URL('./fixtures/sentiment.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Row);

describe('analyseSentiment', () => {
  it('reads support cues as frustration', () => {
    const r = analyseSentiment('This is the THIRD time I ask. Still not fixed!!!');
    expect(r.label).toBe('negative');
    expect(r.frustration).toBeGreaterThanOrEqual(0.8);
    expect(r.cues).toEqual(expect.arrayContaining(['repeat_contact', 'still_not', 'exclamations']));
    expect(analyseSentiment('I want to cancel my account').cues).toContain('churn_threat');
  });

  it('handles negation, politeness in requests and mixed messages', () => {
    expect(analyseSentiment('I am not happy with this').label).toBe('negative');
    expect(analyseSentiment('Not bad at all, better than I expected.').label).toBe('positive');
    expect(analyseSentiment('Can you resend the code please? Thanks').label).toBe('neutral');
    expect(analyseSentiment('Thanks, but the issue is still not resolved.').label).toBe('negative');
  });

  it("does not read a customer's apology as a negative state", () => {
    expect(analyseSentiment('sorry, it is SB-000001').label).toBe('neutral');
    expect(analyseSentiment('Apologies, my bad, the number is SB-100002').label).toBe('neutral');
    expect(analyseSentiment("I'm sorry but this is unacceptable").label).toBe('negative');
  });

  it('reads misspelt and unlisted frustration, and negated praise verbs', () => {
    for (const text of [
      "i'm so frustated, nobody reads what i write",
      'This product is a total dissapointment',
      'Your support is hopeless.',
      "I don't appreciate being ignored for two weeks.",
      'Why do I keep getting charged after I cancelled??',
      "I was told it would be refunded and it wasn't. Again.",
    ]) {
      expect(analyseSentiment(text).label, text).toBe('negative');
    }
  });

  it("keeps calm requests neutral and reads praise that a lexicon's words would flip", () => {
    for (const text of [
      'I would like to close my account please.',
      'Please cancel order 7781, I ordered the wrong colour.',
      'The login page shows error 403 when I try to sign in.',
    ]) {
      expect(analyseSentiment(text).label, text).toBe('neutral');
    }
    expect(analyseSentiment("I'm closing my account, this is unacceptable").cues).toContain('churn_threat');
    expect(analyseSentiment('You sent the wrong colour.').label).toBe('negative');
    for (const text of [
      "I've been a customer for years and you never disappoint.",
      'Loving the new dark mode!',
      'I was annoyed at first, but you fixed it quickly. Thank you!',
    ]) {
      expect(analyseSentiment(text).label, text).toBe('positive');
    }
  });

  it(`labels the fixture set (${rows.length} support messages) with accuracy >= 0.9`, () => {
    const labels = ['negative', 'neutral', 'positive'] as const;
    expect(rows.length).toBeGreaterThanOrEqual(200);
    let right = 0;
    const perLabel = Object.fromEntries(labels.map((l) => [l, { n: 0, right: 0 }]));
    for (const row of rows) {
      const ok = analyseSentiment(row.text).label === row.label;
      perLabel[row.label]!.n++;
      if (ok) {
        right++;
        perLabel[row.label]!.right++;
      }
    }
    const accuracy = right / rows.length;
    console.log(
      `sentiment fixture: accuracy ${accuracy.toFixed(3)} on ${rows.length};`,
      labels.map((l) => `${l} ${perLabel[l]!.right}/${perLabel[l]!.n}`).join(', '),
    );
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
  });
});
