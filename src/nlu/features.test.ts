import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_SETTINGS, fitVectoriser, forEachCharNgram, tokenise } from './features.ts';

describe('tokenise', () => {
  it('lowercases, applies NFKC, joins apostrophes and replaces numbers, URLs and emails', () => {
    expect(tokenise('I DON’T see ｒｅｆｕｎｄ 1,200.50 at https://x.io/a or me@x.io')).toEqual([
      'i',
      'dont',
      'see',
      'refund',
      '_num_',
      'at',
      '_url_',
      'or',
      '_email_',
    ]);
  });
  it('keeps currency symbols as tokens', () => {
    expect(tokenise('£5 fee')).toEqual(['£', '_num_', 'fee']);
  });
});

describe('character n-grams', () => {
  it('stays inside word boundaries, padded with spaces', () => {
    const grams: string[] = [];
    forEachCharNgram(['card', 'ok'], [3, 4], (g) => grams.push(g));
    expect(grams).toEqual([' ca', 'car', 'ard', 'rd ', ' car', 'card', 'ard ', ' ok', 'ok ', ' ok ']);
  });
});

describe('vectoriser', () => {
  const texts = ['my card has not arrived', 'card arrived broken', 'top up failed', 'top up pending'];
  const v = fitVectoriser(texts, { ...DEFAULT_FEATURE_SETTINGS, minDf: 1 });

  it('gives each block unit L2 norm times its weight', () => {
    const x = v.transform('my card has arrived');
    const wordCount = v.state.wordTerms.length;
    let word = 0;
    let char = 0;
    x.indices.forEach((f, i) => {
      const value = x.values[i]!;
      if (f < wordCount) word += value * value;
      else char += value * value;
    });
    expect(word).toBeCloseTo(1, 5);
    expect(char).toBeCloseTo(1, 5);
  });

  it('ignores unknown terms and still shares char n-grams with a typo', () => {
    const clean = v.transform('card');
    const typo = v.transform('arived');
    expect(clean.indices.length).toBeGreaterThan(0);
    expect(typo.indices.length).toBeGreaterThan(0);
    expect(v.transform('zzzz qqqq').indices.length).toBe(0);
  });

  it('weighs the word block by IDF, and the char block too only with charIdf', () => {
    const words = v.state.wordTerms.length;
    const idf = [...v.state.idf];
    expect(Math.min(...idf)).toBeGreaterThan(1);
    const noCharIdf = fitVectoriser(texts, { ...DEFAULT_FEATURE_SETTINGS, minDf: 1, charIdf: false });
    expect(noCharIdf.state.idf.slice(0, words)).toEqual(v.state.idf.slice(0, words));
    expect([...noCharIdf.state.idf.slice(words)].every((x) => x === 1)).toBe(true);
  });

  it('is deterministic and drops rare terms with minDf', () => {
    const again = fitVectoriser(texts, { ...DEFAULT_FEATURE_SETTINGS, minDf: 1 });
    expect(again.state.wordTerms).toEqual(v.state.wordTerms);
    const pruned = fitVectoriser(texts, { ...DEFAULT_FEATURE_SETTINGS, minDf: 2 });
    expect(pruned.state.wordTerms).toEqual(['arrived', 'card', 'top', 'top up', 'up']);
  });
});
