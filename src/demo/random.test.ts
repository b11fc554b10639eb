import { describe, expect, it } from 'vitest';
import { createRandom, weightedTable } from './random.ts';

const draws = (seed: string | number, n: number) => {
  const rng = createRandom(seed);
  return Array.from({ length: n }, () => rng.next());
};

describe('createRandom', () => {
  it('repeats its stream for the same seed and differs for another', () => {
    expect(draws('a', 50)).toEqual(draws('a', 50));
    expect(draws('a', 50)).not.toEqual(draws('b', 50));
    expect(draws(1, 5)).toEqual(draws('1', 5));
  });

  it('draws uniforms in [0, 1) with the right mean', () => {
    const xs = draws(7, 100_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 2);
  });

  it('picks whole numbers within bounds, both ends included', () => {
    const rng = createRandom(3);
    const seen = new Set(Array.from({ length: 2000 }, () => rng.int(2, 5)));
    expect([...seen].sort()).toEqual([2, 3, 4, 5]);
  });

  it('follows the weights of a weighted table', () => {
    const rng = createRandom(4);
    const table = weightedTable([
      ['a', 70],
      ['b', 20],
      ['c', 10],
      ['never', 0],
    ] as const);
    const counts = new Map<string, number>();
    for (let i = 0; i < 50_000; i++) {
      const x = rng.weighted(table);
      counts.set(x, (counts.get(x) ?? 0) + 1);
    }
    expect(counts.get('a')! / 50_000).toBeCloseTo(0.7, 1);
    expect(counts.get('c')! / 50_000).toBeCloseTo(0.1, 1);
    expect(counts.has('never')).toBe(false);
    expect(() => weightedTable([['x', 0]])).toThrow();
  });

  it('draws normals and lognormals with the asked centre and spread', () => {
    const rng = createRandom(5);
    const normals = Array.from({ length: 50_000 }, () => rng.normal(10, 2));
    const mean = normals.reduce((s, x) => s + x, 0) / normals.length;
    const sd = Math.sqrt(normals.reduce((s, x) => s + (x - mean) ** 2, 0) / normals.length);
    expect(mean).toBeCloseTo(10, 1);
    expect(sd).toBeCloseTo(2, 1);
    const logs = Array.from({ length: 50_000 }, () => rng.lognormal(90, 1)).sort((a, b) => a - b);
    expect(logs[25_000]! / 90).toBeGreaterThan(0.95);
    expect(logs[25_000]! / 90).toBeLessThan(1.05);
  });
});
