import { type Clock, UserError } from '../shared/index.ts';
import type { Store, StoredEvent } from '../store/index.ts';

/** The event an agent's judgement is (inbox/), and the one a lead's review of it is. */
export const JUDGEMENT_EVENT = 'agent.judgement';
export const REVIEW_EVENT = 'correction.reviewed';

export type CandidateStatus = 'candidate' | 'accepted' | 'rejected';

/**
 * A training example an agent's judgement proposes, with where it came from: a customer message, the intent the
 * agent says is right (null: "none of these", out of scope; a lead may name a new intent for it), and the review.
 */
export interface CandidateExample {
  /** The judgement event's id: what `accept` and `reject` name. */
  id: number;
  text: string;
  /** The agent's label; null for out of scope. */
  proposed: string | null;
  /** The label a lead accepted it with (the proposed one, or another). */
  label: string | null;
  /** What the NLU said of the message when it came. */
  predicted: string | null;
  /** "The bot could have resolved this": a missed automation. */
  missedAutomation: boolean;
  status: CandidateStatus;
  conversationId: string;
  seq: number;
  /** The agent (user id) and when. */
  by: string;
  at: number;
  reviewedBy: string | null;
  /** When the newest review was made (epoch ms), or null. */
  reviewedAt: number | null;
  /** Other candidates with nearly the same text and another label: decide them together. */
  conflicts: number[];
}

/** Two texts are "the same request" past this token overlap (Jaccard), for conflict detection. */
const SIMILAR = 0.8;

function tokens(text: string): Set<string> {
  return new Set(
    text
      .toLowerCase()
      .normalize('NFKC')
      .split(/[^\p{L}\p{N}]+/u)
      .filter((t) => t.length > 1),
  );
}

function similar(a: Set<string>, b: Set<string>): boolean {
  if (a.size === 0 || b.size === 0) return false;
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return shared / (a.size + b.size - shared) >= SIMILAR;
}

async function allEvents(store: Store, type: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for (let afterId = 0; ; ) {
    const page = await store.listEvents({ type, afterId, limit: 1000 });
    out.push(...page);
    if (page.length < 1000) return out;
    afterId = page.at(-1)?.id ?? afterId;
  }
}

/**
 * Every candidate example, oldest first: each agent judgement that names the right intent of a customer message
 * (or "none of these"), with its review status (the newest review wins) and the candidates it conflicts with
 * (nearly the same text, another label).
 *
 * @example
 * const candidates = await listCandidates({ store });
 * candidates.filter((c) => c.status === 'candidate' && c.conflicts.length > 0);
 */
export async function listCandidates(props: { store: Store }): Promise<CandidateExample[]> {
  const { store } = props;
  const [judgements, reviews] = await Promise.all([
    allEvents(store, JUDGEMENT_EVENT),
    allEvents(store, REVIEW_EVENT),
  ]);
  const review = new Map<number, StoredEvent>();
  for (const r of reviews) review.set(Number(r.payload.judgementId), r);
  const candidates: CandidateExample[] = [];
  for (const event of judgements) {
    const p = event.payload;
    const names = typeof p.intent === 'string' || p.intent === null;
    if (!names || typeof p.seq !== 'number' || !event.conversationId) continue;
    const [message] = await store.listConversationMessages({
      conversationId: event.conversationId,
      seqs: [p.seq],
    });
    if (message?.role !== 'customer') continue;
    const proposed = p.intent as string | null;
    const r = review.get(event.id);
    const status: CandidateStatus = r
      ? r.payload.decision === 'accepted'
        ? 'accepted'
        : 'rejected'
      : 'candidate';
    candidates.push({
      id: event.id,
      text: message.text,
      proposed,
      label: status === 'accepted' ? ((r?.payload.label as string | null | undefined) ?? proposed) : proposed,
      predicted: message.analysis?.intent ?? null,
      missedAutomation: p.couldHaveResolved === true,
      status,
      conversationId: event.conversationId,
      seq: p.seq,
      by: String(p.by),
      at: event.at,
      reviewedBy: r ? String(r.payload.by) : null,
      reviewedAt: r ? r.at : null,
      conflicts: [],
    });
  }
  const bags = candidates.map((c) => tokens(c.text));
  for (let i = 0; i < candidates.length; i++) {
    for (let j = i + 1; j < candidates.length; j++) {
      const a = candidates[i] as CandidateExample;
      const b = candidates[j] as CandidateExample;
      if (a.status === 'rejected' || b.status === 'rejected' || a.label === b.label) continue;
      if (similar(bags[i] as Set<string>, bags[j] as Set<string>)) {
        a.conflicts.push(b.id);
        b.conflicts.push(a.id);
      }
    }
  }
  return candidates;
}

/**
 * A lead's decision on candidates: accepted (with the proposed label, or `label` instead: a corrected label, or a
 * new intent's name for an out-of-scope message), or rejected. One `correction.reviewed` event per candidate, on
 * its conversation, with who decided. An id that is not a candidate is a UserError naming it, and nothing is
 * written.
 *
 * @example
 * await reviewCandidates({ store, clock, ids: [412, 415], decision: 'accepted', by: 'user:u_lea' });
 * await reviewCandidates({ store, clock, ids: [420], decision: 'accepted', label: 'gift_card_balance', by: 'cli' });
 */
export async function reviewCandidates(props: {
  store: Store;
  clock: Clock;
  ids: readonly number[];
  decision: 'accepted' | 'rejected';
  label?: string | null;
  by: string;
}): Promise<CandidateExample[]> {
  const { store, ids } = props;
  if (props.label !== undefined && props.label !== null && !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(props.label)) {
    throw new UserError('corrections.bad_label', 'a label is lower-case letters, digits, - and _', {
      field: 'label',
    });
  }
  const candidates = new Map((await listCandidates({ store })).map((c) => [c.id, c]));
  const unknown = ids.filter((id) => !candidates.has(id));
  if (unknown.length > 0) {
    throw new UserError('corrections.unknown', `no candidate example ${unknown.join(', ')}`, { field: 'id' });
  }
  for (const id of ids) {
    const candidate = candidates.get(id) as CandidateExample;
    await store.changeConversation({
      conversationId: candidate.conversationId,
      events: [
        {
          type: REVIEW_EVENT,
          payload: {
            judgementId: id,
            decision: props.decision,
            ...(props.decision === 'accepted' && props.label !== undefined ? { label: props.label } : {}),
            by: props.by,
          },
        },
      ],
      by: props.by,
      at: props.clock.now(),
    });
  }
  const after = new Map((await listCandidates({ store })).map((c) => [c.id, c]));
  return ids.map((id) => after.get(id) as CandidateExample);
}
