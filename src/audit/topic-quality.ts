/**
 * Clustering agreement between gold labels and found clusters, label names ignored.
 *
 * @example
 * normalisedMutualInformation(['a', 'a', 'b', 'b'], [1, 1, 0, 0]); // 1: the same partition
 * adjustedRandIndex(['a', 'a', 'b', 'b'], [0, 1, 0, 1]); // -0.5: worse than chance
 */
interface Contingency {
  n: number;
  /** Counts per (gold, found) pair, per gold class and per found cluster. */
  cells: number[];
  gold: number[];
  found: number[];
}

function contingency<A, B>(gold: readonly A[], found: readonly B[]): Contingency {
  if (gold.length !== found.length) throw new RangeError('gold and found must have the same length');
  const goldIds = new Map<A, number>();
  const foundIds = new Map<B, number>();
  const cells = new Map<string, number>();
  const goldCounts: number[] = [];
  const foundCounts: number[] = [];
  gold.forEach((g, i) => {
    const f = found[i]!;
    const gi = goldIds.get(g) ?? goldIds.set(g, goldIds.size).size - 1;
    const fi = foundIds.get(f) ?? foundIds.set(f, foundIds.size).size - 1;
    goldCounts[gi] = (goldCounts[gi] ?? 0) + 1;
    foundCounts[fi] = (foundCounts[fi] ?? 0) + 1;
    const key = `${gi},${fi}`;
    cells.set(key, (cells.get(key) ?? 0) + 1);
  });
  return { n: gold.length, cells: [...cells.values()], gold: goldCounts, found: foundCounts };
}

function entropy(counts: readonly number[], n: number): number {
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / n) * Math.log(c / n);
  return h;
}

/**
 * NMI with arithmetic normalisation, I(G;F) / ((H(G) + H(F)) / 2), as scikit-learn's default. Two single-cluster
 * partitions score 1 (they agree), as in scikit-learn.
 */
export function normalisedMutualInformation<A, B>(gold: readonly A[], found: readonly B[]): number {
  const t = contingency(gold, found);
  if (t.n === 0) return 1;
  const hGold = entropy(t.gold, t.n);
  const hFound = entropy(t.found, t.n);
  if (hGold === 0 && hFound === 0) return 1;
  // I = H(G) + H(F) - H(G,F)
  const mutual = hGold + hFound - entropy(t.cells, t.n);
  const denominator = (hGold + hFound) / 2;
  return denominator <= 0 ? 0 : Math.max(0, mutual / denominator);
}

const pairs = (x: number) => (x * (x - 1)) / 2;

/** Adjusted Rand index (Hubert and Arabie): 1 for identical partitions, about 0 for random ones. */
export function adjustedRandIndex<A, B>(gold: readonly A[], found: readonly B[]): number {
  const t = contingency(gold, found);
  const index = t.cells.reduce((s, c) => s + pairs(c), 0);
  const goldPairs = t.gold.reduce((s, c) => s + pairs(c), 0);
  const foundPairs = t.found.reduce((s, c) => s + pairs(c), 0);
  const total = pairs(t.n);
  if (total === 0) return 1;
  const expected = (goldPairs * foundPairs) / total;
  const max = (goldPairs + foundPairs) / 2;
  // Both partitions all-singletons or both one cluster: identical, and the formula is 0/0.
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}
