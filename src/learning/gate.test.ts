import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_OPTIONS, trainIntentModel } from '../nlu/index.ts';
import { generateIntentExamples } from '../nlu/testing.ts';
import {
  decideGate,
  EVALUATION_SHARE,
  evaluateForGate,
  type GateEvaluation,
  inEvaluationSet,
  renderGateMarkdown,
} from './gate.ts';

/** An evaluation with `n` examples per intent, `right` of them right (per intent), and out-of-scope figures. */
function evaluation(
  perIntent: Record<string, [number, number]>,
  oos: [number, number] = [0, 0],
): GateEvaluation {
  let examples = oos[0];
  let correct = oos[1];
  const intents: GateEvaluation['perIntent'] = {};
  for (const [intent, [n, right]] of Object.entries(perIntent)) {
    intents[intent] = { n, correct: right };
    examples += n;
    correct += right;
  }
  if (oos[0] > 0) intents.oos = { n: oos[0], correct: oos[1] };
  return {
    examples,
    correct,
    perIntent: intents,
    accepted: correct - oos[1],
    acceptedRight: correct - oos[1],
    outOfScope: oos[0],
    outOfScopeRefused: oos[1],
  };
}

const active = evaluation(
  { refund: [100, 90], order_status: [100, 92], password: [50, 48], rare: [5, 5] },
  [60, 51],
);
const passing = { passed: 15, failed: [] };

describe('the retraining gate', () => {
  it('promotes a candidate that is as good or better, and says what improved', () => {
    const better = evaluation(
      { refund: [100, 97], order_status: [100, 93], password: [50, 48], rare: [5, 5] },
      [60, 53],
    );
    const report = decideGate({ active, candidate: better, tests: passing });
    expect(report.promote).toBe(true);
    expect(report.reasons).toEqual([]);
    expect(report.intents.find((i) => i.intent === 'refund')?.verdict).toBe('better');
    // A difference inside the noise is no reason to refuse.
    const noisy = evaluation(
      { refund: [100, 88], order_status: [100, 91], password: [50, 47], rare: [5, 5] },
      [60, 50],
    );
    expect(decideGate({ active, candidate: noisy, tests: passing }).promote).toBe(true);
  });

  it('refuses a candidate worse overall beyond the noise, saying by how much', () => {
    const poisoned = evaluation(
      { refund: [100, 60], order_status: [100, 70], password: [50, 40], rare: [5, 5] },
      [60, 51],
    );
    const report = decideGate({ active, candidate: poisoned, tests: passing });
    expect(report.promote).toBe(false);
    expect(report.reasons[0]).toMatch(
      /^accuracy fell from 90\.8% to 71\.7%, beyond the noise of \d+\.\d% on 315 examples$/,
    );
  });

  it('refuses a candidate that sacrifices one intent, unless the intent has too few examples to judge', () => {
    const relabelled = evaluation(
      { refund: [100, 72], order_status: [100, 100], password: [50, 50], rare: [5, 5] },
      [60, 55],
    );
    const report = decideGate({ active, candidate: relabelled, tests: passing });
    expect(report.promote).toBe(false);
    expect(report.reasons).toEqual([
      'refund fell from 90.0% to 72.0% on 100 examples (more than the 5.0% margin and the noise of 10.6%)',
    ]);
    // On 20 examples a drop of 3 of them (15 points) is within the noise: not a reason.
    const small = { ...active, perIntent: { ...active.perIntent, few: { n: 20, correct: 18 } } };
    const fewer = { ...active, perIntent: { ...active.perIntent, few: { n: 20, correct: 15 } } };
    expect(decideGate({ active: small, candidate: fewer, tests: passing }).promote).toBe(true);
    const rareDrop = evaluation(
      { refund: [100, 90], order_status: [100, 92], password: [50, 48], rare: [5, 2] },
      [60, 51],
    );
    expect(decideGate({ active, candidate: rareDrop, tests: passing }).promote).toBe(true);
  });

  it('refuses a candidate that fails a conversation test, naming it; the report renders as Markdown', () => {
    const report = decideGate({
      active,
      candidate: active,
      tests: { passed: 14, failed: ['a refund above the limit goes to billing'] },
    });
    expect(report.reasons).toEqual(['conversation test failed: a refund above the limit goes to billing']);
    const markdown = renderGateMarkdown(report);
    expect(markdown).toMatch(/^# Retraining gate: keep the active model/);
    expect(markdown).toContain('- conversation test failed: a refund above the limit goes to billing');
    expect(markdown).toContain('| accuracy | 90.8% | 90.8% |');
  });

  it('fixes the evaluation set by a rule on the text: about a fifth, the same every time, whatever the case', () => {
    const texts = Array.from({ length: 10_000 }, (_, i) => `example number ${i} about refunds`);
    const share = texts.filter(inEvaluationSet).length / texts.length;
    expect(Math.abs(share - EVALUATION_SHARE)).toBeLessThan(0.015);
    expect(texts.map(inEvaluationSet)).toEqual(texts.map(inEvaluationSet));
    expect(inEvaluationSet('Where is my ORDER?')).toBe(inEvaluationSet(' where is my order? '));
  });

  it('scores a real model on an evaluation set: intents and out-of-scope texts', () => {
    const model = trainIntentModel(generateIntentExamples({ seed: 3, perIntent: 30, outOfScope: 30 }), {
      ...DEFAULT_TRAIN_OPTIONS,
      folds: 3,
    });
    const held = generateIntentExamples({ seed: 4, perIntent: 10, outOfScope: 10 });
    const scored = evaluateForGate(model, held);
    expect(scored.examples).toBe(held.length);
    expect(scored.outOfScope).toBe(10);
    expect(scored.correct / scored.examples).toBeGreaterThan(0.8);
    expect(Object.values(scored.perIntent).reduce((sum, i) => sum + i.n, 0)).toBe(held.length);
  });
});
