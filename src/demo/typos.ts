import type { Random } from './random.ts';

/** A space-separated token that may get a typo: a word of 3+ letters, maybe followed by punctuation. */
const ELIGIBLE = /^([A-Za-z]{3,})([.,!?;:]*)$/;

export const isTypoEligible = (token: string): boolean => ELIGIBLE.test(token);

/**
 * Misspells each eligible word with probability `rate`: swaps two neighbouring letters, drops one or doubles
 * one, the slips people make typing fast. Emails, order numbers and other tokens with digits or symbols are
 * left alone, so the ticket's facts stay readable.
 */
export function injectTypos(text: string, rate: number, rng: Random): { text: string; typos: number } {
  if (rate <= 0) return { text, typos: 0 };
  // Jump from one chosen token to the next (geometric gaps) instead of drawing for every token: same odds,
  // far fewer draws on the millions of messages of a big file.
  const logKeep = Math.log1p(-Math.min(rate, 0.999999));
  let out = '';
  let copied = 0;
  let typos = 0;
  let start = 0;
  let remaining = gap(rng, logKeep);
  while (start <= text.length) {
    let end = text.indexOf(' ', start);
    if (end < 0) end = text.length;
    if (remaining === 0) {
      const match = ELIGIBLE.exec(text.slice(start, end));
      if (match) {
        out += text.slice(copied, start) + misspell(match[1] as string, rng) + (match[2] as string);
        copied = end;
        typos++;
      }
      remaining = gap(rng, logKeep);
    } else {
      remaining--;
    }
    start = end + 1;
  }
  return typos === 0 ? { text, typos } : { text: out + text.slice(copied), typos };
}

/** Tokens to pass over before the next typo. */
const gap = (rng: Random, logKeep: number) => Math.floor(Math.log(1 - rng.next()) / logKeep);

function misspell(word: string, rng: Random): string {
  const kind = rng.int(0, 2);
  // Keep the first letter: people rarely get that wrong, and it keeps the word recognisable.
  const at = rng.int(1, word.length - 1);
  if (kind === 0 && at < word.length - 1 && word[at] !== word[at + 1]) {
    return word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2);
  }
  if (kind === 1) return word.slice(0, at) + word.slice(at + 1);
  return word.slice(0, at) + word[at] + word.slice(at);
}
