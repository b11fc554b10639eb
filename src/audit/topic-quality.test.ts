import { describe, expect, it } from 'vitest';
import { adjustedRandIndex, normalisedMutualInformation } from './topic-quality.ts';

describe('normalisedMutualInformation', () => {
  it('is 1 for the same partition under other names, 0 for independent ones', () => {
    expect(normalisedMutualInformation(['a', 'a', 'b', 'b'], [1, 1, 0, 0])).toBeCloseTo(1, 12);
    expect(normalisedMutualInformation(['a', 'a', 'b', 'b'], [0, 1, 0, 1])).toBeCloseTo(0, 12);
  });

  it('matches a hand-computed case (arithmetic mean of the entropies)', () => {
    // gold [a,a,a,b,b,b], found [0,0,1,1,2,2]: H(G) = ln 2, H(F) = ln 3,
    // H(G,F) over cells {a0:2, a1:1, b1:1, b2:2} = -(2/3 ln 1/3 + 2/6 ln 1/6) = 2/3 ln 3 + 1/3 ln 6,
    // I = ln 2 + ln 3 - H(G,F), NMI = I / ((ln 2 + ln 3) / 2).
    const hJoint = (2 / 3) * Math.log(3) + (1 / 3) * Math.log(6);
    const mutual = Math.log(2) + Math.log(3) - hJoint;
    const expected = mutual / ((Math.log(2) + Math.log(3)) / 2);
    expect(normalisedMutualInformation(['a', 'a', 'a', 'b', 'b', 'b'], [0, 0, 1, 1, 2, 2])).toBeCloseTo(
      expected,
      12,
    );
    expect(expected).toBeCloseTo(0.5158037429793889, 12); // sklearn's value for the same input
  });

  it('scores two single-cluster partitions as agreeing and rejects unequal lengths', () => {
    expect(normalisedMutualInformation(['a', 'a'], [3, 3])).toBe(1);
    expect(() => normalisedMutualInformation(['a'], [1, 2])).toThrow(RangeError);
  });
});

describe('adjustedRandIndex', () => {
  it('is 1 for the same partition and matches hand-computed cases', () => {
    expect(adjustedRandIndex(['a', 'a', 'b', 'b'], [5, 5, 7, 7])).toBe(1);
    // Pairs within cells 0, gold pairs 2, found pairs 2, all pairs 6: expected 2*2/6 = 2/3, max 2.
    // ARI = (0 - 2/3) / (2 - 2/3) = -0.5.
    expect(adjustedRandIndex(['a', 'a', 'b', 'b'], [0, 1, 0, 1])).toBeCloseTo(-0.5, 12);
    // gold [a,a,a,b,b,b], found [0,0,1,1,2,2]: index = 1 + 1 = 2, gold pairs 6, found pairs 3, all 15:
    // expected 6*3/15 = 1.2, max 4.5, ARI = 0.8 / 3.3.
    expect(adjustedRandIndex(['a', 'a', 'a', 'b', 'b', 'b'], [0, 0, 1, 1, 2, 2])).toBeCloseTo(0.8 / 3.3, 12);
  });

  it('is 1 for trivial agreeing partitions', () => {
    expect(adjustedRandIndex(['a'], [0])).toBe(1);
    expect(adjustedRandIndex(['a', 'b', 'c'], [0, 1, 2])).toBe(1);
  });
});
