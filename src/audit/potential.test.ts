import { describe, expect, it } from 'vitest';
import { quantile } from '../shared/stats.ts';
import {
  baselineOf,
  CategoryAccumulator,
  histogramQuantile,
  mergedSpread,
  type TicketFacts,
  threadConsistency,
} from './accumulate.ts';
import { assessPotential } from './potential.ts';
import { jaccard, meanPairwiseSimilarity, shingles } from './similarity.ts';

const HOUR = 3600;
function facts(overrides: Partial<TicketFacts> = {}): TicketFacts {
  return {
    createdAt: Date.UTC(2026, 0, 10),
    agentStarted: false,
    firstResponseSeconds: HOUR,
    resolutionSeconds: 10 * HOUR,
    csatScore: 1,
    handleTimeSeconds: 300,
    reopens: 0,
    messages: 2,
    customerMessages: 1,
    firstAgentReply: 'Here is your reset link, it works for one hour.',
    firstReplyPrivate: false,
    customerText: 'I cannot log in',
    openingText: 'I cannot log in',
    entityTypes: new Set(),
    exclusions: [],
    ...overrides,
  };
}

describe('similarity', () => {
  it('masks numbers and computes Jaccard of 3-shingles', () => {
    expect([...shingles('Your order 123 ships today')]).toEqual([
      'your order 0',
      'order 0 ships',
      '0 ships today',
    ]);
    expect(jaccard(shingles('a b c d'), shingles('a b c e'))).toBeCloseTo(1 / 3);
    expect(meanPairwiseSimilarity(['a b c d', 'a b c d', 'x y z w'])).toBeCloseTo(1 / 3);
    expect(meanPairwiseSimilarity(['only one'])).toBeNull();
  });
});

describe('baselineOf', () => {
  it('computes volume, quantiles, CSAT, reopen and exclusion rates', () => {
    const acc = new CategoryAccumulator('x');
    acc.add(facts({ firstResponseSeconds: 100, resolutionSeconds: 1000, csatScore: 1, reopens: 0 }));
    acc.add(facts({ firstResponseSeconds: 200, resolutionSeconds: 2000, csatScore: 0, reopens: 2 }));
    acc.add(facts({ firstResponseSeconds: 300, resolutionSeconds: null, csatScore: null, reopens: null }));
    acc.add(
      facts({
        createdAt: Date.UTC(2026, 1, 3),
        firstResponseSeconds: null,
        messages: 5,
        customerMessages: 3,
        exclusions: ['legal_compliance'],
        entityTypes: new Set(['order_number']),
      }),
    );
    const b = baselineOf(acc, 8, 2);
    expect(b.tickets).toBe(4);
    expect(b.share).toBe(0.5);
    expect(b.monthlyVolume).toBe(2);
    expect(b.perMonth).toEqual({ '2026-01': 3, '2026-02': 1 });
    expect(b.firstResponseSeconds).toEqual({ median: 200, p90: 280 });
    expect(b.resolutionSeconds.median).toBe(2000);
    expect(b.csat).toEqual({ mean: 2 / 3, count: 3 });
    expect(b.reopenRate).toBeCloseTo(1 / 3);
    expect(b.messagesPerTicket).toBe(11 / 4);
    expect(b.medianExchanges).toBe(1);
    expect(b.exclusionRate).toBe(0.25);
    expect(b.exclusionsByRule).toEqual({ legal_compliance: 1 });
    expect(b.entityShare).toEqual({ order_number: 0.25 });
    expect(threadConsistency(acc)).toBe(0.75);
  });

  it('keeps samples bounded', () => {
    const acc = new CategoryAccumulator('x', { replies: 5, texts: 2 });
    for (let i = 0; i < 1000; i++)
      acc.add(facts({ firstAgentReply: `reply ${i}`, customerText: `text ${i}` }));
    expect(acc.replySample).toHaveLength(5);
    expect(acc.textSample).toHaveLength(2);
    expect(acc.tickets).toBe(1000);
  });
});

describe('histogramQuantile and mergedSpread', () => {
  it('agree with quantile over the expanded values', () => {
    const values = [1, 1, 2, 2, 2, 3, 7, 7];
    const histogram = new Map<number, number>();
    for (const v of values) histogram.set(v, (histogram.get(v) ?? 0) + 1);
    for (const q of [0, 0.25, 0.5, 0.9, 1])
      expect(histogramQuantile(histogram, q)).toBeCloseTo(quantile(values, q)!);
    expect(histogramQuantile(new Map(), 0.5)).toBeNull();
    expect(mergedSpread([[3, 1], [2], []])).toEqual({ median: 2, p90: 2.8 });
  });
});

describe('assessPotential', () => {
  it('rates scripted, short, clean categories high and simple', () => {
    const a = assessPotential({
      replySimilarity: 0.5,
      medianExchanges: 1,
      exclusionRate: 0,
      consistency: 0.9,
      entitiesNeeded: [],
    });
    expect(a.simplicity).toBe(0.985);
    expect(a.potential).toBe('high');
    expect(a.complexity).toBe('simple');
    expect(a.reasons[0]).toBe('first replies scripted (similarity 0.50)');
  });

  it('rates a scripted lookup moderate and bespoke long threads low', () => {
    const lookup = assessPotential({
      replySimilarity: 0.35,
      medianExchanges: 2,
      exclusionRate: 0.02,
      consistency: 0.8,
      entitiesNeeded: ['order_number'],
    });
    expect(lookup.potential).toBe('high');
    expect(lookup.complexity).toBe('moderate');
    const bespoke = assessPotential({
      replySimilarity: 0.03,
      medianExchanges: 4,
      exclusionRate: 0.6,
      consistency: 0.4,
      entitiesNeeded: [],
    });
    expect(bespoke.simplicity).toBeCloseTo(0.4 * (0.03 / 0.35) + 0.15 * 0.4, 3);
    expect(bespoke.potential).toBe('low');
    expect(bespoke.complexity).toBe('complex');
  });

  it('keeps a category with many exclusions out of high', () => {
    const a = assessPotential({
      replySimilarity: 0.6,
      medianExchanges: 1,
      exclusionRate: 0.15,
      consistency: 1,
      entitiesNeeded: [],
    });
    expect(a.simplicity).toBeGreaterThan(0.6);
    expect(a.potential).toBe('medium');
  });
});
