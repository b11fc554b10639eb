import { existsSync } from 'node:fs';
import {
  countMatches,
  DEFAULT_MIN_SCORE,
  type KnowledgeBase,
  loadKnowledgeBase,
  type MatchCounts,
  readKnowledgeIndex,
} from '../kb/index.ts';
import type { Store, StoredTicket } from '../store/index.ts';
import type { KnowledgeSearch } from './conversation-runtime.ts';

/** Where `kb import` writes the index when `--index` is not given, relative to the working directory. */
export const DEFAULT_KB_INDEX = '.switchboard/kb-index.json';

/**
 * The knowledge base for the conversation runtime's `answer` step: null when no index has been imported (the
 * runtime then has no knowledge base and `answer` steps take their fallback), a UserError when the file is
 * damaged. Only articles for customers are quoted. Scores are 0..1 (see docs/kb.md); nothing below `minScore`
 * (default DEFAULT_MIN_SCORE) is returned, and a step's own `minScore` can only raise that floor.
 *
 * @example
 * const searchKnowledge = openKnowledge('.switchboard/kb-index.json');
 * const runtime = createConversationRuntime({ ...options, ...(searchKnowledge ? { searchKnowledge } : {}) });
 * searchKnowledge?.('how long do refunds take'); // { passage, title, url, score: 1 } or null
 */
export function openKnowledge(
  indexFile: string,
  options: { minScore?: number } = {},
): KnowledgeSearch | null {
  if (!existsSync(indexFile)) return null;
  const kb = loadKnowledgeBase(readKnowledgeIndex(indexFile));
  const minScore = options.minScore ?? DEFAULT_MIN_SCORE;
  return (query) => {
    const hit = kb.searchKnowledge(query, { minScore });
    return hit ? { passage: hit.passage, title: hit.title, url: hit.url, score: hit.score } : null;
  };
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
