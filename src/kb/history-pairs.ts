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

function argmax(values: readonly number[], allowed: (i: number) => boolean): number {
  let best = -1;
  values.forEach((v, i) => {
    if (allowed(i) && (best < 0 || v > values[best]!)) best = i;
  });
  return best;
}

/**
 * Among the articles of the intent a ticket was filed under, the reply names the one it is closest to when
 * their cosine reaches this: the choice is between a few articles, so a weak likeness is enough (see
 * docs/kb.md: at 0.1, 92.6% of these pairs name the right article on the benchmark's coarse intents).
 */
export const DEFAULT_INTENT_REPLY_SIMILARITY = 0.1;

/** What `pairsFromHistory` made of the replies. */
export interface HistoryPairs {
  pairs: QuestionPair[];
  /** Replies that link to an article (its url or path) or name its title. */
  cited: number;
  /** Replies whose words match an article's. */
  matched: number;
  /**
   * Neither, but filed under an intent some articles are tagged with: the one of them the reply is closest to
   * (with one article, that one).
   */
  byIntent: number;
  /** None of these: not used. */
  skipped: number;
}

/**
 * The deployment's own question -> article pairs: a question whose agent reply cites an article (links to its
 * url or path, or names its title) or says what an article says (TF-IDF cosine of the reply and the article at
 * least `minSimilarity`) is a question that article answers. Failing both, a ticket filed under an intent
 * some articles are tagged with is paired with the one of them its reply is closest to (the agents' filing
 * says what it was about, the tags which articles serve that, the reply which of them).
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
      const similarities = vectors.map((a) => cosine(v, a));
      const best = argmax(similarities, () => true);
      const served = item.intent ? servedBy.get(item.intent) : undefined;
      // Among the few articles of the filed intent, the one the reply is closest to (one article: that one).
      const mine = served ? argmax(similarities, (i) => served.includes(articles[i]!.id)) : -1;
      if (best >= 0 && similarities[best]! >= minSimilarity) {
        articleId = articles[best]!.id;
        out.matched++;
      } else if (
        mine >= 0 &&
        (served!.length === 1 || similarities[mine]! >= DEFAULT_INTENT_REPLY_SIMILARITY)
      ) {
        articleId = articles[mine]!.id;
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
