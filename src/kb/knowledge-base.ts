import MiniSearch, { type Query, type SearchResult } from 'minisearch';
import { type AnswerSituation, type EffectivePolicy, uncalibratedPolicy } from './answer-policy.ts';
import type { Audience } from './article.ts';
import type { IndexedArticle, KnowledgeIndex } from './knowledge-index.ts';
import type { Passage } from './passages.ts';
import { miniSearchOptions, type PassageDocument } from './search-options.ts';
import { synonymTerms, synonymWords } from './synonyms.ts';
import { termOf, tokenize } from './text.ts';

/**
 * Below this score `searchKnowledge` finds nothing. Chosen on the fixture questions (see docs/kb.md): at 0.6
 * no off-topic question is answered and about 3 in 4 answerable ones are, from the right article.
 */
export const DEFAULT_MIN_SCORE = 0.6;

/**
 * A question word the knowledge base has never seen weighs this share of ln(1 + passages), the weight of a
 * word found in no passage: "mortgage" in "I need a mortgage quote" counts fully against the score.
 */
export const UNKNOWN_TERM_WEIGHT = 1;

/** One ranked passage. */
export interface KnowledgeHit {
  passageId: string;
  articleId: string;
  title: string;
  /** The article's url, else its path in the imported folder. */
  url: string;
  heading: string;
  passage: string;
  /** 0..1: the share of the question's weighted terms this passage (with its title, tags, heading) contains. */
  score: number;
  /** MiniSearch's BM25 score, which orders the hits; its scale depends on the question. */
  relevance: number;
}

/** The best passage for a question, as the workflow `answer` step takes it. */
export interface KnowledgeAnswer {
  passage: string;
  title: string;
  url: string;
  score: number;
  articleId: string;
}

export interface SearchOptions {
  /** Default 10. */
  limit?: number;
  /** Only articles for this audience; `all` for every article (what `kb search` shows). Default `customers`. */
  audience?: Audience | 'all';
}

/** What the `answer` step decides for a question: the passage it would quote, and whether it may. */
export interface AnswerDecision {
  /** The best passage the situation allows (of an article tagged with the intent, when there is one). */
  hit: KnowledgeHit | null;
  situation: AnswerSituation;
  /**
   * 0..1, what a calibrated policy's thresholds apply to: the passage's score (its agreement with the question)
   * times its article's lead over the next article that could be quoted (with an intent, the next of the
   * intent's articles), `1 - score2 * relevance2 / relevance`: a close second that also covers the question
   * halves it. With no such second article, the score.
   */
  confidence: number;
  /** What this situation needs (of `confidence`; of `hit.score` for an uncalibrated index or a fixed floor); null: never. */
  minScore: number | null;
  /** `hit` reaches `minScore`: the customer gets it. */
  answered: boolean;
  /** Distinct article ids in the order the decision sees them: the intent's articles first. */
  ranking: string[];
}

export interface AnswerOptions {
  /** The turn's intent (the running workflow's): articles tagged with it come first, others of known intents never. */
  intent?: string | null;
  /** Default `customers`. */
  audience?: Audience | 'all';
  /** Replaces the policy's thresholds with this one floor (tests, `kb search`); default: the index's policy. */
  minScore?: number;
}

export interface KnowledgeBase {
  readonly articles: readonly IndexedArticle[];
  readonly passages: readonly Passage[];
  /** How `answer` decides: the index's calibrated policy, else one DEFAULT_MIN_SCORE floor. */
  readonly policy: EffectivePolicy;
  /** Ranked passages, best first (BM25 with title/tag boosts, typo-tolerant); each with its 0..1 score. */
  search(query: string, options?: SearchOptions): KnowledgeHit[];
  /** The best passage if its score is at least `minScore` (default DEFAULT_MIN_SCORE), else null. */
  searchKnowledge(
    query: string,
    options?: { minScore?: number; audience?: Audience | 'all' },
  ): KnowledgeAnswer | null;
  /**
   * The `answer` step's decision: the search, the turn's intent and the articles' tags, and the threshold the
   * policy (calibrated for a target precision, see `calibrateAnswerPolicy`) sets for that situation.
   */
  answer(query: string, options?: AnswerOptions): AnswerDecision;
}

/**
 * Loads an index built by `buildKnowledgeIndex` (MiniSearch.loadJS: no re-tokenising, a few milliseconds for
 * hundreds of articles).
 *
 * The score is query coverage, 0..1: each distinct question term (stop words, numbers and dates dropped,
 * stemmed) weighs its IDF, ln(1 + passages / passages containing it), or ln(1 + passages) when no passage has
 * it; a passage scores the weight of the terms it contains (a synonym counts in full, a typo or prefix match
 * by `closeness`) over the weight of all of them. A long message also gets the coverage of each of its
 * sentences of two or more terms, and keeps the best. 1 means every term of the question (or of one of its
 * sentences) is in the passage, its heading or its article's title or tags, whatever the question's length;
 * words the knowledge base has never seen ("mortgage", "weather") pull the score down, which is how off-topic
 * questions fall below the threshold. Hits are ranked by BM25 relevance times the coverage of the whole
 * message squared.
 *
 * @example
 * const kb = loadKnowledgeBase(readKnowledgeIndex('.switchboard/kb-index.json'));
 * kb.searchKnowledge('how long does a refund take');
 * // { title: 'Refunds: when you get your money back', score: 1, passage: 'Once your return reaches ...', ... }
 */
export function loadKnowledgeBase(index: KnowledgeIndex): KnowledgeBase {
  const mini = MiniSearch.loadJS<PassageDocument>(index.search, miniSearchOptions());
  const articles = new Map(index.articles.map((a) => [a.id, a]));
  const passages = new Map(index.passages.map((p) => [p.id, p]));
  const counts = new Map(Object.entries(index.termPassageCounts));
  const total = Math.max(1, index.passages.length);
  const unknownWeight = UNKNOWN_TERM_WEIGHT * Math.log(1 + total);
  const idf = (term: string) => {
    const df = counts.get(term);
    return df ? Math.log(1 + total / df) : undefined;
  };
  // A word the index lacks but whose synonym it has ("package" for "parcel") weighs as the synonym does.
  const weightOf = (alts: readonly string[]) => Math.max(...alts.map((t) => idf(t) ?? 0)) || unknownWeight;

  function search(query: string, options: SearchOptions = {}): KnowledgeHit[] {
    const limit = options.limit ?? 10;
    const audience = options.audience ?? 'customers';
    const terms = questionTerms(query);
    if (terms.length === 0 || limit <= 0) return [];
    // A long message is scored on its best-covered sentence too, so a greeting, a name or the story around
    // the question does not sink it; a sentence needs two terms to count.
    const parts = [
      terms,
      ...sentences(query)
        .map(questionTerms)
        .filter((p) => p.length >= 2 && p.length < terms.length),
    ];
    const partWeights = parts.map((p) => p.map((t) => weightOf(t.alts)));
    const tree: Query = {
      combineWith: 'OR',
      queries: terms.map((t) => (t.words.length > 1 ? { combineWith: 'OR', queries: t.words } : t.words[0]!)),
    };
    const candidates: { hit: KnowledgeHit; whole: number }[] = [];
    for (const result of mini.search(tree)) {
      const passage = passages.get(String(result.id));
      const article = passage && articles.get(passage.articleId);
      if (!passage || !article) continue;
      if (audience !== 'all' && article.audience !== audience) continue;
      const shares = parts.map((p, i) => coverage(p, partWeights[i]!, result));
      const hit: KnowledgeHit = {
        passageId: passage.id,
        articleId: article.id,
        title: article.title,
        url: article.link,
        heading: passage.heading,
        passage: passage.text,
        score: round(Math.max(...shares)),
        relevance: round(result.score),
      };
      candidates.push({ hit, whole: shares[0]! });
      if (candidates.length >= RERANK_DEPTH) break;
    }
    // BM25 alone favours a passage that repeats one boosted word; weighing it by its coverage of the whole
    // message favours the passage that answers all of it.
    const rank = (c: { hit: KnowledgeHit; whole: number }) => c.hit.relevance * c.whole ** COVERAGE_EXPONENT;
    return candidates
      .sort((a, b) => rank(b) - rank(a) || b.hit.relevance - a.hit.relevance)
      .slice(0, limit)
      .map((c) => c.hit);
  }

  const policy: EffectivePolicy = index.answerPolicy ?? uncalibratedPolicy(DEFAULT_MIN_SCORE);
  const knownIntents = new Set(policy.intents);
  const servesIntent = (articleId: string, intent: string) => articles.get(articleId)?.tags.includes(intent);
  const otherIntent = (articleId: string) =>
    articles.get(articleId)?.tags.some((t) => knownIntents.has(t)) ?? false;

  function answer(query: string, options: AnswerOptions = {}): AnswerDecision {
    const audience = options.audience ?? 'customers';
    const intent = options.intent ?? null;
    const hits = search(query, { limit: RERANK_DEPTH, audience });
    const served =
      intent !== null &&
      index.articles.some((a) => a.tags.includes(intent) && (audience === 'all' || a.audience === audience));
    if (served) {
      // Only an article tagged with the intent is quoted; the others stay in the ranking for `kb eval`.
      const mine = hits.filter((h) => servesIntent(h.articleId, intent));
      const ranked = [...mine, ...hits.filter((h) => !servesIntent(h.articleId, intent))];
      const agrees = mine[0] !== undefined && mine[0].articleId === hits[0]?.articleId;
      // The lead that counts is over the intent's other articles: the rest cannot be quoted.
      return decided(mine[0] ?? null, agrees ? 'intent_agrees' : 'intent_only', ranked, mine, options);
    }
    // An intent no article serves: an article tagged for another known intent is not its answer.
    const ranked = intent !== null ? hits.filter((h) => !otherIntent(h.articleId)) : hits;
    return decided(ranked[0] ?? null, 'no_intent', ranked, ranked, options);
  }

  function decided(
    hit: KnowledgeHit | null,
    situation: AnswerSituation,
    ranked: readonly KnowledgeHit[],
    rivals: readonly KnowledgeHit[],
    options: AnswerOptions,
  ): AnswerDecision {
    const rival = hit && rivals.find((h) => h.articleId !== hit.articleId);
    const confidence = hit === null ? 0 : round(hit.score * lead(hit, rival ?? undefined));
    // A fixed floor (tests, `kb search`) is on the score, as before calibration existed.
    const fixed = options.minScore;
    const minScore = fixed ?? policy.minScore[situation];
    const value = fixed !== undefined || policy.calibration === null ? (hit?.score ?? 0) : confidence;
    return {
      hit,
      situation,
      minScore,
      confidence,
      answered: hit !== null && minScore !== null && value >= minScore,
      ranking: [...new Set(ranked.map((h) => h.articleId))],
    };
  }

  return {
    articles: index.articles,
    passages: index.passages,
    policy,
    search,
    answer,
    searchKnowledge(query, options = {}) {
      const best = search(query, { limit: 1, audience: options.audience ?? 'customers' })[0];
      if (!best || best.score < (options.minScore ?? DEFAULT_MIN_SCORE)) return null;
      return {
        passage: best.passage,
        title: best.title,
        url: best.url,
        score: best.score,
        articleId: best.articleId,
      };
    },
  };
}

/** 1 minus the share of the best passage's standing a passage of another article has (1 with none). */
function lead(best: KnowledgeHit, rival: KnowledgeHit | undefined): number {
  if (!rival || best.relevance <= 0) return 1;
  return Math.max(0, 1 - (rival.score * rival.relevance) / best.relevance);
}

/** How many BM25 results are re-ranked by coverage. */
const RERANK_DEPTH = 60;
const COVERAGE_EXPONENT = 2;

interface QuestionTerm {
  /** The stem. */
  term: string;
  /** The stems that count as this term: itself and its synonyms. */
  alts: string[];
  /** The words to search for. */
  words: string[];
}

/** The distinct terms of a question, each with its synonyms. */
function questionTerms(query: string): QuestionTerm[] {
  const out = new Map<string, QuestionTerm>();
  for (const word of tokenize(query)) {
    const term = termOf(word);
    if (term === null || out.has(term)) continue;
    out.set(term, { term, alts: synonymTerms(term), words: synonymWords(term) ?? [word] });
  }
  return [...out.values()];
}

/**
 * The share of the question's term weight a result contains: exact matches (or a synonym's) in full; typo-tolerant
 * and prefix matches by how close the matched word is (1 - edits / length, or the prefix's share of the word).
 */
function coverage(terms: readonly QuestionTerm[], weights: readonly number[], result: SearchResult): number {
  const matched = Object.keys(result.match);
  const reached = new Set(result.queryTerms);
  let covered = 0;
  let total = 0;
  terms.forEach((t, i) => {
    total += weights[i]!;
    if (t.alts.some((alt) => Object.hasOwn(result.match, alt))) covered += weights[i]!;
    else if (t.alts.some((alt) => reached.has(alt))) {
      let best = 0;
      for (const alt of t.alts) for (const m of matched) best = Math.max(best, closeness(alt, m));
      covered += best * weights[i]!;
    }
  });
  return total > 0 ? covered / total : 0;
}

/** A message cut into sentences and lines (a subject line is a sentence of its own). */
function sentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+|\n+/).filter((s) => s.trim() !== '');
}

/** 1 for the same word; a prefix's share of the longer word; else 1 - edit distance / longer length. */
export function closeness(a: string, b: string): number {
  if (a === b) return 1;
  if (b.startsWith(a) || a.startsWith(b)) return Math.min(a.length, b.length) / Math.max(a.length, b.length);
  return Math.max(0, 1 - editDistance(a, b) / Math.max(a.length, b.length));
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j]! + 1,
        row[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length]!;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
