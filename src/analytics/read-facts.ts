import type { Store, StoredEvent } from '../store/index.ts';
import type { ConversationFacts } from './outcomes.ts';

const PAGE = 1000;

/** Every event of a query, page by page (keyset on the id). */
export async function allEvents(
  store: Store,
  query: { type?: string; conversationId?: string },
): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  for (let afterId = 0; ; ) {
    const page = await store.listEvents({ ...query, afterId, limit: PAGE });
    events.push(...page);
    if (page.length < PAGE) return events;
    afterId = page.at(-1)?.id ?? afterId;
  }
}

/**
 * The facts of every conversation started in [from, to) (epoch ms), read from the store: which conversations
 * from their `conversation.started` events, then each one's events, transcript and profile. Everything the
 * metrics show comes from here, so any day can be recomputed.
 *
 * @example
 * const facts = await readConversationFacts({ store, from: Date.parse('2026-12-07'), to: Date.parse('2026-12-08') });
 */
export async function readConversationFacts(props: {
  store: Store;
  from: number;
  to: number;
}): Promise<ConversationFacts[]> {
  const { store, from, to } = props;
  const started = (await allEvents(store, { type: 'conversation.started' })).filter(
    (e) => e.conversationId !== null && e.at >= from && e.at < to,
  );
  const facts: ConversationFacts[] = [];
  for (const start of started) {
    const id = start.conversationId as string;
    const conversation = await store.findConversation(id);
    if (!conversation) continue;
    const events = await allEvents(store, { conversationId: id });
    const messages = await store.listConversationMessages({ conversationId: id });
    facts.push({
      id,
      channel: conversation.channel,
      segment: conversation.customer.segment ?? null,
      customerName: conversation.customer.name ?? null,
      workflow: firstWorkflow(events) ?? conversation.workflowId,
      startedAt: start.at,
      events,
      messages,
    });
  }
  return facts;
}

/** The workflow of the conversation's first turn that ran one. */
function firstWorkflow(events: readonly StoredEvent[]): string | null {
  for (const e of events) {
    if (e.type === 'conversation.turn' && typeof e.payload.workflow === 'string') return e.payload.workflow;
  }
  return null;
}
