import { describe, expect, it } from 'vitest';
import { evaluatePredictions } from './evaluate.ts';

const p = (gold: string, predicted: string, accepted = true) => ({
  gold,
  predicted,
  confidence: 0.9,
  accepted,
});

describe('evaluatePredictions', () => {
  it('computes accuracy, macro-F1, out-of-scope figures, coverage and confused pairs', () => {
    const r = evaluatePredictions(
      [
        p('a', 'a'),
        p('a', 'b'),
        p('b', 'b'),
        p('b', 'b', false),
        p('oos', 'oos', false),
        p('oos', 'a'),
        p('a', 'oos', false),
      ],
      'oos',
    );
    expect(r.accuracy).toBeCloseTo(4 / 7);
    expect(r.inScopeAccuracy).toBeCloseTo(3 / 5);
    expect(r.oosRecall).toBe(0.5);
    expect(r.oosPrecision).toBe(0.5);
    expect(r.coverage).toBeCloseTo(4 / 7);
    expect(r.acceptedPrecision).toBe(0.5);
    // F1: a: P 1/2, R 1/3 -> 0.4; b: P 2/3, R 1 -> 0.8; oos: P 1/2, R 1/2 -> 0.5
    expect(r.macroF1).toBeCloseTo((0.4 + 0.8 + 0.5) / 3);
    expect(r.confusedPairs[0]).toEqual({ gold: 'a', predicted: 'b', count: 1 });
    expect(r.confusedPairs).toHaveLength(3);
  });

  it('has no out-of-scope figures when the gold labels have none', () => {
    const r = evaluatePredictions([p('a', 'a')], 'oos');
    expect(r.oosRecall).toBeNull();
    expect(r.oosPrecision).toBeNull();
  });
});
