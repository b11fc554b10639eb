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
