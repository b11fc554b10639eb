import MiniSearch, { type AsPlainObject } from 'minisearch';
import type { AnswerPolicy } from './answer-policy.ts';
import type { KnowledgeArticle } from './article.ts';
import { type Passage, splitPassages } from './passages.ts';
import { miniSearchOptions, type PassageDocument } from './search-options.ts';
import { searchTerms, wordCount } from './text.ts';

export const KB_INDEX_FORMAT = 'switchboard-kb-index';
export const KB_INDEX_VERSION = 1;

/** An article as the index keeps it: everything but the Markdown, which lives on in its passages. */
export interface IndexedArticle extends Omit<KnowledgeArticle, 'body'> {
  words: number;
}

/**
 * The knowledge base as one self-describing JSON document: the articles (with their content hashes, so a
 * re-import can tell what changed), their passages, how many passages hold each term (the weights of the
 * 0..1 score) and the serialised MiniSearch index, which loads without re-tokenising anything.
 */
export interface KnowledgeIndex {
  format: typeof KB_INDEX_FORMAT;
  formatVersion: typeof KB_INDEX_VERSION;
  /** ISO 8601. */
  builtAt: string;
  articles: IndexedArticle[];
  passages: Passage[];
  /** Term -> number of passages (title, tags, heading and text together) that contain it. */
  termPassageCounts: Record<string, number>;
  search: AsPlainObject;
  /**
   * The `answer` step's calibrated decision (`kb calibrate`), kept with the articles it was calibrated on; absent
   * until then (one score floor, DEFAULT_MIN_SCORE, for every question).
   */
  answerPolicy?: AnswerPolicy;
}

/** What a re-import did, by article id. */
export interface ImportChanges {
  added: string[];
  updated: string[];
  removed: string[];
  unchanged: string[];
}

/**
 * Builds the index from every article (a rebuild is cheap next to reading the files, and keeps the BM25
 * statistics exact, which patching the old index in place would not).
 *
 * @example
 * const index = buildKnowledgeIndex(articles, clock.now());
 * writeKnowledgeIndex('.switchboard/kb-index.json', index);
 */
export function buildKnowledgeIndex(
  articles: readonly KnowledgeArticle[],
  builtAtMs: number,
): KnowledgeIndex {
  const byId = new Map(articles.map((a) => [a.id, a]));
  const passages = articles.flatMap((a) => splitPassages(a));
  const counts = new Map<string, number>();
  const documents: PassageDocument[] = passages.map((p) => {
    const article = byId.get(p.articleId)!;
    const doc = {
      id: p.id,
      title: article.title,
      tags: article.tags.join(' '),
      heading: p.heading,
      text: p.text,
    };
    for (const term of new Set(searchTerms(`${doc.title} ${doc.tags} ${doc.heading} ${doc.text}`))) {
      counts.set(term, (counts.get(term) ?? 0) + 1);
    }
    return doc;
  });
  const mini = new MiniSearch<PassageDocument>(miniSearchOptions());
  mini.addAll(documents);
  return {
    format: KB_INDEX_FORMAT,
    formatVersion: KB_INDEX_VERSION,
    builtAt: new Date(builtAtMs).toISOString(),
    articles: articles.map(({ body, ...rest }) => ({ ...rest, words: wordCount(body) })),
    passages,
    termPassageCounts: Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    search: mini.toJSON(),
  };
}

/** Compares the articles of the last import with this one's, by id and content hash. */
export function diffArticles(
  previous: readonly Pick<IndexedArticle, 'id' | 'hash'>[],
  next: readonly Pick<IndexedArticle, 'id' | 'hash'>[],
): ImportChanges {
  const before = new Map(previous.map((a) => [a.id, a.hash]));
  const now = new Set(next.map((a) => a.id));
  const changes: ImportChanges = { added: [], updated: [], removed: [], unchanged: [] };
  for (const article of next) {
    const hash = before.get(article.id);
    if (hash === undefined) changes.added.push(article.id);
    else if (hash !== article.hash) changes.updated.push(article.id);
    else changes.unchanged.push(article.id);
  }
  for (const id of before.keys()) if (!now.has(id)) changes.removed.push(id);
  return changes;
}
