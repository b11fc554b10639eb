import { existsSync } from 'node:fs';
import type { KnowledgeSearch } from '../conversations/index.ts';
import {
  countMatches,
  DEFAULT_MIN_SCORE,
  type KnowledgeBase,
  type KnowledgeIndex,
  loadKnowledgeBase,
  type MatchCounts,
  parseKnowledgeIndex,
  readKnowledgeIndex,
} from '../kb/index.ts';
import type { Store, StoredArtifact, StoredTicket } from '../store/index.ts';

/**
 * The knowledge base of an index file (`kb import DIR --index FILE`, for offline use) for the `answer` step:
 * null when the file does not exist (the conversations then have no knowledge base and `answer` steps take
 * their fallback), a UserError when it is damaged. A deployment reads the store's active version instead
 * (`readActiveKnowledgeIndex`).
 *
 * @example
 * const searchKnowledge = openKnowledge('kb-index.json');
 * searchKnowledge?.('how long do refunds take'); // { passage, title, url, score: 1 } or null
 */
export function openKnowledge(
  indexFile: string,
  options: { minScore?: number } = {},
): KnowledgeSearch | null {
  if (!existsSync(indexFile)) return null;
  return createKnowledgeSearch(readKnowledgeIndex(indexFile), options);
}

/**
 * The `answer` step's search over an index. Only articles for customers are quoted. Scores are 0..1 (see
 * docs/kb.md); nothing below `minScore` (default DEFAULT_MIN_SCORE) is returned, and a step's own `minScore`
 * can only raise that floor.
 *
 * @example
 * const search = createKnowledgeSearch(index);
 * search('do gift cards expire?'); // { passage, title, url, score } or null
 */
export function createKnowledgeSearch(
  index: KnowledgeIndex,
  options: { minScore?: number } = {},
): KnowledgeSearch {
  const kb = loadKnowledgeBase(index);
  const minScore = options.minScore ?? DEFAULT_MIN_SCORE;
  return (query) => {
    const hit = kb.searchKnowledge(query, { minScore });
    return hit ? { passage: hit.passage, title: hit.title, url: hit.url, score: hit.score } : null;
  };
}

/**
 * The store's active knowledge-base index with its version record, or null when no version is active. A
 * version this build cannot read is a UserError naming it (`kb-index v3: ...`).
 *
 * @example
 * const active = await readActiveKnowledgeIndex(store);
 * if (active) loadKnowledgeBase(active.index).search('refund'); // active.artifact.version: 3
 */
export async function readActiveKnowledgeIndex(
  store: Store,
): Promise<{ index: KnowledgeIndex; artifact: StoredArtifact } | null> {
  const artifact = await store.getArtifact('kb-index', 'active');
  if (!artifact) return null;
  return { index: parseKnowledgeIndex(artifact.content, `kb-index v${artifact.version}`), artifact };
}

/**
 * Replays the opening of every stored ticket (subject and first customer message) against the knowledge base:
 * the record of matches `kb audit` needs for "never matched" articles. Reads the store a page at a time.
 *
 * @example
 * const matches = await replayTicketQuestions({ store, kb, minScore: 0.6 });
 * matches.byArticle.get('refunds'); // how many tickets the refunds article would have answered
 */
export async function replayTicketQuestions(props: {
  store: Store;
  kb: KnowledgeBase;
  minScore?: number;
  pageSize?: number;
}): Promise<MatchCounts> {
  const { store, kb } = props;
  const pageSize = props.pageSize ?? 1000;
  const minScore = props.minScore ?? DEFAULT_MIN_SCORE;
  const total: MatchCounts = { questions: 0, answered: 0, byArticle: new Map() };
  let afterId: number | undefined;
  for (;;) {
    const page = await store.listTickets({
      limit: pageSize,
      withMessages: true,
      ...(afterId !== undefined ? { afterId } : {}),
    });
    const counts = countMatches(
      kb,
      page.map(openingQuestion).filter((q) => q.trim() !== ''),
      minScore,
    );
    total.questions += counts.questions;
    total.answered += counts.answered;
    for (const [id, n] of counts.byArticle) total.byArticle.set(id, (total.byArticle.get(id) ?? 0) + n);
    if (page.length < pageSize) return total;
    afterId = (page[page.length - 1] as StoredTicket).id;
  }
}

/** What the customer first asked: the subject and the first customer message. */
function openingQuestion(ticket: StoredTicket): string {
  const first = ticket.messages?.find((m) => m.authorRole === 'customer')?.body ?? '';
  return [ticket.subject ?? '', first].filter(Boolean).join('\n');
}
