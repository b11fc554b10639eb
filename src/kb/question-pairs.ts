import { z } from 'zod';
import { UserError } from '../shared/index.ts';
import type { IndexedArticle } from './knowledge-index.ts';

/**
 * One customer question and the article that answers it (null: none does, so any answer is wrong), with the
 * turn's intent when it is known. What `kb eval` measures and `kb calibrate` chooses thresholds on.
 */
export interface QuestionPair {
  question: string;
  /** An article id of the index, or null for a question the knowledge base should not answer. */
  articleId: string | null;
  intent?: string;
  /** 1-based line in the pairs file (0 when built in memory). */
  line: number;
}

const PairLineSchema = z.strictObject({
  question: z.string().trim().min(1, 'the question cannot be empty'),
  article: z.string().trim().min(1, 'an article id or path, or null').nullable(),
  intent: z.string().trim().min(1, 'the intent cannot be empty').optional(),
});

/**
 * Reads question -> article pairs, JSON Lines: `{"question": "...", "article": "refunds" | "billing/vat.md" |
 * null, "intent": "refund_request"}` (`intent` optional; blank lines skipped). The article is an id, a path
 * under the imported folder or an article's url. Every problem is a UserError with the file and line: bad
 * JSON, a missing or unknown key, an article the index does not have.
 *
 * @example
 * parseQuestionPairs('{"question":"how long do refunds take","article":"refunds"}', 'pairs.jsonl', index.articles);
 * // [{ question: 'how long do refunds take', articleId: 'refunds', line: 1 }]
 */
export function parseQuestionPairs(
  text: string,
  file: string,
  articles: readonly Pick<IndexedArticle, 'id' | 'path' | 'url'>[],
): QuestionPair[] {
  const byName = new Map<string, string>();
  for (const a of articles) {
    byName.set(a.id, a.id);
    byName.set(a.path, a.id);
    if (a.url !== undefined) byName.set(a.url, a.id);
  }
  const pairs: QuestionPair[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch (error) {
      throw new UserError(
        'kb.bad_pairs',
        'not a JSON object: one {"question", "article"} per line',
        { file, line },
        { cause: error },
      );
    }
    const parsed = PairLineSchema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path.map(String).join('.');
      throw new UserError('kb.bad_pairs', issue.message, { file, line, ...(field ? { field } : {}) });
    }
    const { question, article, intent } = parsed.data;
    let articleId: string | null = null;
    if (article !== null) {
      const id = byName.get(article) ?? byName.get(article.replace(/\.md$/i, ''));
      if (id === undefined) {
        throw new UserError(
          'kb.bad_pairs',
          `no article "${article}" in the knowledge base (an id such as "${articles[0]?.id ?? 'refunds'}", a path or a url)`,
          { file, line, field: 'article' },
        );
      }
      articleId = id;
    }
    pairs.push({ question, articleId, ...(intent !== undefined ? { intent } : {}), line });
  });
  if (pairs.length === 0) {
    throw new UserError('kb.bad_pairs', 'no question -> article pairs in this file', { file, line: 1 });
  }
  return pairs;
}
