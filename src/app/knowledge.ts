import { existsSync } from 'node:fs';
import type { KnowledgeSearch } from '../conversations/index.ts';
import {
  type AnsweredQuestion,
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
 * The `answer` step's search over an index. Only articles for customers are quoted. The decision is the
 * index's calibrated policy (`kb calibrate`: a threshold per situation, for a target precision), with the turn's
 * intent narrowing the articles; an index never calibrated needs DEFAULT_MIN_SCORE everywhere. `minScore`
 * replaces the policy with that one floor. A step's own `minScore` can only raise the bar.
 *
 * @example
 * const search = createKnowledgeSearch(index);
 * search('do gift cards expire?', { intent: 'billing_question' }); // { passage, title, url, score } or null
 */
export function createKnowledgeSearch(
  index: KnowledgeIndex,
  options: { minScore?: number } = {},
): KnowledgeSearch {
  return knowledgeSearchOf(loadKnowledgeBase(index), options);
}

/** `createKnowledgeSearch` over a loaded knowledge base. */
export function knowledgeSearchOf(kb: KnowledgeBase, options: { minScore?: number } = {}): KnowledgeSearch {
  return (query, turn) => {
    const decision = kb.answer(query, {
      intent: turn?.intent ?? null,
      ...(options.minScore !== undefined ? { minScore: options.minScore } : {}),
    });
    const hit = decision.answered ? decision.hit : null;
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
  const minScore = props.minScore ?? DEFAULT_MIN_SCORE;
  const total: MatchCounts = { questions: 0, answered: 0, byArticle: new Map() };
  await forEachTicketPage(store, props.pageSize ?? 1000, (page) => {
    const counts = countMatches(
      kb,
      page.map(openingQuestion).filter((q) => q.trim() !== ''),
      minScore,
    );
    total.questions += counts.questions;
    total.answered += counts.answered;
    for (const [id, n] of counts.byArticle) total.byArticle.set(id, (total.byArticle.get(id) ?? 0) + n);
  });
  return total;
}

/** Reads every ticket with its messages, a page at a time. */
async function forEachTicketPage(
  store: Store,
  pageSize: number,
  use: (page: StoredTicket[]) => void,
): Promise<void> {
  let afterId: number | undefined;
  for (;;) {
    const page = await store.listTickets({
      limit: pageSize,
      withMessages: true,
      ...(afterId !== undefined ? { afterId } : {}),
    });
    use(page);
    if (page.length < pageSize) return;
    afterId = (page[page.length - 1] as StoredTicket).id;
  }
}

/**
 * The store's tickets as question -> agent reply history, for `pairsFromHistory`: the opening (subject and
 * first customer message), the first agent reply after it, and the ticket's category as the intent. Tickets
 * no agent answered are left out.
 *
 * @example
 * const { pairs } = pairsFromHistory({ index, answered: await answeredQuestions(store) });
 */
export async function answeredQuestions(store: Store, pageSize = 1000): Promise<AnsweredQuestion[]> {
  const out: AnsweredQuestion[] = [];
  await forEachTicketPage(store, pageSize, (page) => {
    for (const ticket of page) {
      const messages = ticket.messages ?? [];
      const first = messages.findIndex((m) => m.authorRole === 'customer');
      const reply = first < 0 ? undefined : messages.slice(first + 1).find((m) => m.authorRole === 'agent');
      const question = openingQuestion(ticket);
      if (reply && question.trim() !== '') {
        out.push({ question, reply: reply.body, intent: ticket.category ?? null });
      }
    }
  });
  return out;
}

/** What the customer first asked: the subject and the first customer message. */
function openingQuestion(ticket: StoredTicket): string {
  const first = ticket.messages?.find((m) => m.authorRole === 'customer')?.body ?? '';
  return [ticket.subject ?? '', first].filter(Boolean).join('\n');
}
