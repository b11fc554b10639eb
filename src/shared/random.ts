/**
 * A small seeded generator (mulberry32): training shuffles and fold splits depend only on the seed, so the
 * same data and seed give the same model on every machine.
 *
 * @example
 * const next = seededRandom(42);
 * next(); // 0 <= x < 1, the same sequence for seed 42 everywhere
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher-Yates shuffle in place. */
export function shuffleInPlace<T>(items: T[] | Int32Array, random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
}

/**
 * Stratified k-fold assignment: each label's examples are shuffled and dealt round-robin over the folds, so
 * every fold sees every label that has at least k examples. Returns the fold index of each example.
 */
export function stratifiedFolds(labels: ArrayLike<number>, k: number, seed: number): Int32Array {
  const random = seededRandom(seed);
  const byLabel = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    let list = byLabel.get(label);
    if (!list) {
      list = [];
      byLabel.set(label, list);
    }
    list.push(i);
  }
  const folds = new Int32Array(labels.length);
  // A running offset spreads the labels' remainders over the folds instead of piling them on fold 0.
  let offset = 0;
  for (const label of [...byLabel.keys()].sort((a, b) => a - b)) {
    const list = byLabel.get(label)!;
    shuffleInPlace(list, random);
    for (let j = 0; j < list.length; j++) folds[list[j]!] = (offset + j) % k;
    offset = (offset + list.length) % k;
  }
  return folds;
}
