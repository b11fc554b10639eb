import type { KnowledgeIndex } from './knowledge-index.ts';
import { cosine, tfidfVectors } from './near-duplicates.ts';
import type { QuestionPair } from './question-pairs.ts';

/** A question from history with the agent's reply to it, and the intent it was filed under when known. */
export interface AnsweredQuestion {
  question: string;
  reply: string;
  intent?: string | null;
}

/**
 * A reply matches an article when the cosine similarity of their TF-IDF vectors reaches this; below it the
 * agent answered in words of their own and the question is left out. See docs/kb.md ("Calibration").
 */
export const DEFAULT_REPLY_SIMILARITY = 0.6;

/** What `pairsFromHistory` made of the replies. */
export interface HistoryPairs {
  pairs: QuestionPair[];
  /** Replies that link to an article (its url or path) or name its title. */
  cited: number;
  /** Replies whose words match an article's. */
  matched: number;
  /** Neither, but filed under an intent exactly one article is tagged with: that article. */
  byIntent: number;
  /** None of these: not used. */
  skipped: number;
}

/**
 * The deployment's own question -> article pairs: a question whose agent reply cites an article (links to its
 * url or path, or names its title) or says what an article says (TF-IDF cosine of the reply and the article at
 * least `minSimilarity`) is a question that article answers; so is one filed under an intent exactly one
 * article is tagged with (the agents' filing says what it was about, the tags which article serves that).
 * Calibration then learns from the questions customers really ask, not only those whose replies quote us.
 *
 * @example
 * const { pairs } = pairsFromHistory({ index, answered: [{ question: 'refund?', reply: 'See Refunds (https://...)' }] });
 */
export function pairsFromHistory(props: {
  index: Pick<KnowledgeIndex, 'articles' | 'passages'>;
  answered: Iterable<AnsweredQuestion>;
  minSimilarity?: number;
}): HistoryPairs {
  const { articles, passages } = props.index;
  const minSimilarity = props.minSimilarity ?? DEFAULT_REPLY_SIMILARITY;
  const textOf = new Map(articles.map((a) => [a.id, [a.title]]));
  for (const p of passages) textOf.get(p.articleId)?.push(p.heading, p.text);
  const vectors = tfidfVectors(articles.map((a) => textOf.get(a.id)!.join('\n')));
  const citations = articles.map((a) => ({
    id: a.id,
    marks: [a.url, a.link, a.title.length >= 12 ? a.title.toLowerCase() : undefined].filter(
      (m): m is string => m !== undefined,
    ),
  }));
  const servedBy = new Map<string, string[]>();
  for (const a of articles) for (const tag of a.tags) servedBy.set(tag, [...(servedBy.get(tag) ?? []), a.id]);
  const out: HistoryPairs = { pairs: [], cited: 0, matched: 0, byIntent: 0, skipped: 0 };
  for (const item of props.answered) {
    const reply = item.reply.toLowerCase();
    let articleId = citations.find((c) => c.marks.some((m) => reply.includes(m.toLowerCase())))?.id;
    if (articleId !== undefined) out.cited++;
    else {
      const v = vectors.vectorOf(item.reply);
      let best = -1;
      let bestSimilarity = minSimilarity;
      vectors.forEach((a, i) => {
        const similarity = cosine(v, a);
        if (similarity >= bestSimilarity) [best, bestSimilarity] = [i, similarity];
      });
      const only = item.intent ? servedBy.get(item.intent) : undefined;
      if (best >= 0) {
        articleId = articles[best]!.id;
        out.matched++;
      } else if (only?.length === 1) {
        articleId = only[0]!;
        out.byIntent++;
      } else {
        out.skipped++;
        continue;
      }
    }
    out.pairs.push({
      question: item.question,
      articleId,
      ...(item.intent ? { intent: item.intent } : {}),
      line: 0,
    });
  }
  return out;
}
