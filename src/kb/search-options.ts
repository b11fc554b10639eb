import type { Options, SearchOptions } from 'minisearch';
import { termOf, tokenize } from './text.ts';

/** What MiniSearch indexes for each passage: its article's title and tags, its heading path and its text. */
export interface PassageDocument {
  id: string;
  title: string;
  tags: string;
  heading: string;
  text: string;
}

/** Title and tags say what an article is about; a heading what a passage is about; the text the details. */
export const FIELD_BOOSTS = { title: 3, tags: 2.5, heading: 1.5, text: 1 } as const;

const SEARCH: SearchOptions = {
  boost: { ...FIELD_BOOSTS },
  // Stems of 4+ letters tolerate typos (1 edit up to 5 letters, 2 from 6) and match as prefixes
  // ("deliv" -> "deliveri"); shorter ones ("vat", "pin") must match exactly or they match everything.
  fuzzy: (term) => (term.length >= 4 ? 0.25 : false),
  prefix: (term) => term.length >= 4,
  combineWith: 'OR',
};

/**
 * The one MiniSearch configuration, used to build the index at import and to load it at start-up (MiniSearch
 * needs the same tokenizer and term processing both times).
 */
export function miniSearchOptions(): Options<PassageDocument> {
  return {
    idField: 'id',
    fields: ['title', 'tags', 'heading', 'text'],
    storeFields: [],
    tokenize: (text) => tokenize(text),
    processTerm: (word) => termOf(word),
    searchOptions: SEARCH,
  };
}
