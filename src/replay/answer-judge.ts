import type { KnowledgeSearch } from '../conversations/index.ts';

type Hit = NonNullable<ReturnType<KnowledgeSearch>>;

/** A knowledge-base answer the replay does not count as being about what was asked. */
export interface WeakAnswer {
  title: string;
  score: number;
  /** `low_score`: below the bar; `other_intent`: the article is tagged for intents other than the turn's. */
  why: 'low_score' | 'other_intent';
  /** For `other_intent`: the intents the article serves, and the turn's. */
  articleIntents?: string[];
  turnIntent?: string | null;
}

/** Judges knowledge-base answers against the replay's bar. */
export interface AnswerJudge {
  minScore: number;
  /** Null when the answer counts; else why not. `topics` are the turn's intent and the ticket's category. */
  judge(
    hit: Hit,
    topics: { intent: string | null; category: string | null },
    stepMinScore: number,
  ): WeakAnswer | null;
}

/**
 * An answer counts when it scores at least `minScore` (or the step's own, when higher) and, when the knowledge
 * base says which intents the article serves (tags that are intents the NLU knows), one of them is the turn's
 * intent or the ticket's category. The article is found by its title (and url when both have one): the search
 * result carries no tags.
 *
 * @example
 * const judge = answerJudge({ minScore: 0.7, articles, knownIntents: ['billing_question', 'order_change'] });
 * judge.judge({ title: 'Change an order', score: 0.64, passage }, { intent: 'billing_question', category: null }, 0.3);
 * // { title: 'Change an order', score: 0.64, why: 'low_score' }
 */
export function answerJudge(props: {
  minScore: number;
  articles: readonly { title: string; url?: string | undefined; tags: readonly string[] }[];
  knownIntents: readonly string[];
}): AnswerJudge {
  const intents = new Set(props.knownIntents);
  const byTitle = new Map<string, Array<{ url?: string | undefined; intents: string[] }>>();
  for (const article of props.articles) {
    const list = byTitle.get(article.title) ?? [];
    list.push({ url: article.url, intents: article.tags.filter((t) => intents.has(t)) });
    byTitle.set(article.title, list);
  }
  const articleIntents = (hit: Hit): string[] => {
    const candidates = byTitle.get(hit.title) ?? [];
    const article =
      candidates.length > 1 && hit.url !== undefined
        ? (candidates.find((c) => c.url === hit.url) ?? candidates[0])
        : candidates[0];
    return article?.intents ?? [];
  };
  return {
    minScore: props.minScore,
    judge(hit, topics, stepMinScore) {
      const bar = Math.max(props.minScore, stepMinScore);
      if (hit.score < bar) return { title: hit.title, score: hit.score, why: 'low_score' };
      const served = articleIntents(hit);
      const on = [topics.intent, topics.category].filter((t): t is string => t !== null);
      if (served.length > 0 && !served.some((i) => on.includes(i))) {
        return {
          title: hit.title,
          score: hit.score,
          why: 'other_intent',
          articleIntents: served,
          turnIntent: topics.intent,
        };
      }
      return null;
    },
  };
}
