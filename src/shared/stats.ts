/** Quantile by linear interpolation between closest ranks (the same definition as numpy's default). */
export function quantile(sorted: ArrayLike<number>, q: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

export function sortedNumbers(values: Iterable<number>): Float64Array {
  const arr = Float64Array.from(values);
  arr.sort();
  return arr;
}

/**
 * The 95% Wilson score interval of a proportion: honest at small samples and near 0 or 1, where the normal
 * approximation gives intervals outside [0, 1].
 *
 * @example
 * wilsonInterval(8, 10); // { rate: 0.8, low: 0.49, high: 0.94 } (rounded)
 */
export function wilsonInterval(successes: number, trials: number, z = 1.96) {
  if (trials <= 0) return null;
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  return { rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}
