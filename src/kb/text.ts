import { stemmer } from 'stemmer';

/**
 * Words that say nothing about which article answers a question: English function words and the small talk
 * customers wrap questions in ("hi", "please", "thanks", "I need help"). Dropped before indexing and searching,
 * so they neither match passages nor lower the score of a question that is otherwise covered.
 */
const STOPWORDS = new Set(
  (
    'a about above after again all also am an and any anyone anything are as at be because been before being ' +
    'but by can cannot could did do does doing done dont for from get gets getting got had has have having he ' +
    'her here hers him his how i id if im in into is it its ive just know let like me mine more most much must ' +
    'my myself need needs no nor not now of off ok okay on once only or other our ours out own please pls ' +
    'really same she should so some someone something still such than thank thanks thx that thats the their ' +
    'them then there theres these they this those through to too under until up us very want wanted was we ' +
    'were what whats when where which while who whom why will with wondering would yes yet you your yours ' +
    'hi hello hey dear help question tell anybody guys team arent cant couldnt didnt doesnt hasnt havent ' +
    'isnt shouldnt wasnt werent wont wouldnt regards kind best wishes cheers appreciate appreciated concern ' +
    'sorry bother hope hoping looking forward hearing hiya sincerely faithfully many advance asap urgent ' +
    'everyone customer service support sable bramble since ago ' +
    // Days and months, like numbers, say which order a message is about, not which article answers it.
    'monday tuesday wednesday thursday friday saturday sunday january february march april june july ' +
    'august september october november december jan feb mar apr jun jul aug sep sept oct nov dec'
  ).split(' '),
);

const stems = new Map<string, string>();

/** The Porter stem of a lower-case word, cached: the same few thousand words come back on every search. */
function stemOf(word: string): string {
  let stem = stems.get(word);
  if (stem === undefined) {
    stem = stemmer(word);
    if (stems.size < 50_000) stems.set(word, stem);
  }
  return stem;
}

/** Splits text into raw words: letters and digits, accents folded, apostrophes closed up ("don't" -> "dont"). */
export function tokenize(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’]s\b/g, '')
    .replace(/['’]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/**
 * One raw word as an index term: null for stop words, single letters and anything with a digit (order numbers,
 * amounts and dates say which order, never which article), else its stem.
 */
export function termOf(word: string): string | null {
  if (word.length < 2 || STOPWORDS.has(word) || /\d/.test(word)) return null;
  return stemOf(word);
}

/**
 * The index terms of a text, in order, repeats kept: what MiniSearch indexes and what a question is scored on.
 *
 * @example
 * searchTerms("Hi, where's my parcel? It hasn't been delivered"); // ['parcel', 'deliv']
 */
export function searchTerms(text: string): string[] {
  const out: string[] = [];
  for (const word of tokenize(text)) {
    const term = termOf(word);
    if (term !== null) out.push(term);
  }
  return out;
}

/** The number of words in a text, as people count them (for passage sizes). */
export function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}
