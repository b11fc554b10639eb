import { describe, expect, it } from 'vitest';
import { axpy32, axpy64 } from './axpy.ts';

describe('axpy', () => {
  it('adds a scaled slice, for lengths that are and are not multiples of four', () => {
    const x = Float32Array.from({ length: 20 }, (_, i) => i);
    for (const n of [1, 3, 4, 7, 8]) {
      const y64 = new Float64Array(n).fill(1);
      const y32 = new Float32Array(n).fill(1);
      axpy64(y64, x, 5, 0.5, n);
      axpy32(y32, x, 5, 0.5, n);
      const expected = Array.from({ length: n }, (_, j) => 1 + 0.5 * (5 + j));
      expect([...y64]).toEqual(expected);
      expect([...y32]).toEqual(expected);
    }
  });

  it('leaves the accumulator beyond n untouched', () => {
    const y = new Float64Array(6);
    axpy64(y, Float32Array.from([1, 1, 1, 1, 1, 1]), 0, 2, 5);
    expect([...y]).toEqual([2, 2, 2, 2, 2, 0]);
  });
});
