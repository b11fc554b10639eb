import { termOf } from './text.ts';

/**
 * Words customers and help articles use for the same thing. A question word in a group also searches for the
 * others, and a passage that has any of them covers it. Kept small and about support vocabulary: a wrong
 * synonym costs precision on every question that uses the word.
 */
export const SYNONYM_GROUPS: readonly (readonly string[])[] = [
  ['parcel', 'package'],
  ['courier', 'carrier'],
  ['login', 'log', 'sign', 'signin'],
  ['subscription', 'membership', 'member'],
  ['voucher', 'coupon', 'promo', 'discount'],
  ['postage', 'shipping', 'delivery'],
  ['cost', 'price', 'fee'],
  ['broken', 'damaged', 'smashed', 'cracked', 'chipped', 'shattered'],
  ['wash', 'clean'],
  ['colleague', 'team', 'staff'],
  ['declined', 'rejected', 'refused'],
  ['hacked', 'compromised'],
  ['warranty', 'guarantee'],
  ['faulty', 'defective'],
  ['unsubscribe', 'newsletter', 'marketing'],
];

const groupOf = new Map<string, string[]>();
for (const group of SYNONYM_GROUPS) {
  for (const word of group) {
    const stem = termOf(word);
    if (stem !== null) groupOf.set(stem, [...group]);
  }
}

/** The words to search for a term (a stem): its synonym group's words, or null when it has none. */
export function synonymWords(term: string): string[] | null {
  return groupOf.get(term) ?? null;
}

/** The stems of a term's synonym group, itself included. */
export function synonymTerms(term: string): string[] {
  const words = groupOf.get(term);
  if (!words) return [term];
  return [...new Set(words.map((w) => termOf(w)).filter((t): t is string => t !== null))];
}
