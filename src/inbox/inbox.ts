import type { HandoffPacket } from '../escalation/index.ts';
import { type Clock, type Logger, OperationalError, silentLogger, UserError } from '../shared/index.ts';
import type {
  JobRequest,
  Store,
  StoredConversation,
  StoredConversationMessage,
  StoredEvent,
  StoredHandoff,
  StoredUser,
} from '../store/index.ts';
import { type ObservedPrecision, observedPrecision } from './observed-precision.ts';

/** The events of the inbox's actions (no customer text in them, except an agent's own note). */
export const INBOX_EVENTS = {
  assigned: 'conversation.assigned',
  reply: 'agent.reply',
  note: 'agent.note',
  handBack: 'agent.hand_back',
  closed: 'agent.closed',
  judgement: 'agent.judgement',
  /** A draft of the bot in shadow mode (written by the turn), and what an agent did with it. */
  draft: 'shadow.draft',
  draftUsed: 'shadow.draft_used',
} as const;

/** What an agent does with a shadow draft: sends it as is, sends it edited, or discards it. */
export type DraftUse = 'as_is' | 'edited' | 'discarded';

/** A line the bot planned in shadow mode and did not send (docs/pilots.md), with what an agent did with it. */
export interface ShadowDraft {
  draftId: string;
  text: string;
  stepId: string | null;
  kind: string;
  workflow: string | null;
  at: number;
  used: { how: DraftUse; by: string; at: number } | null;
}

const PRIORITY_RANK: Record<string, number> = { urgent: 0, high: 1, normal: 2, low: 3 };
/** Conversations the queue page reads at most (oldest escalations first within it). */
const QUEUE_LIMIT = 500;

export interface QueueFilters {
  channel?: string;
  workflow?: string;
  /** An escalation code. */
  reason?: string;
  /** Part of the customer's name or email, any case. */
  customer?: string;
}

export interface QueueItem {
  conversation: StoredConversation;
  handoff: StoredHandoff | null;
  /** The user id of who took it, or null. */
  assignee: string | null;
  /** Since the hand-off (or the last change), ms. */
  waitingMs: number;
}

export interface Queue {
  name: string;
  items: QueueItem[];
}

export interface ConversationDetail {
  conversation: StoredConversation;
  messages: StoredConversationMessage[];
  handoff: StoredHandoff | null;
  packet: HandoffPacket | null;
  assignee: string | null;
  notes: Array<{ text: string; by: string; at: number }>;
  judgements: Judgement[];
  /** The activity of the conversation, newest last: who took, replied, handed back, judged. */
  events: StoredEvent[];
  /** The bot's drafts in shadow mode, oldest first. */
  drafts: ShadowDraft[];
}

/** An agent's judgement of the bot's handling, on a conversation or one customer turn (`seq`). */
export interface Judgement {
  seq?: number;
  /** The bot handled it right or wrong. */
  verdict?: 'right' | 'wrong';
  /** "The bot could have resolved this": a missed automation. */
  couldHaveResolved?: boolean;
  /** The right intent for the customer turn `seq`; null: none of the model's intents. */
  intent?: string | null;
  /** A wrong or outdated knowledge-base answer: the article. */
  kbArticle?: string;
  by: string;
  at: number;
}

/** A labelled example from an agent's correction, with where it came from: ready for retraining. */
export interface Correction {
  text: string;
  /** The intent; null for "none of these" (out of scope). */
  label: string | null;
  conversationId: string;
  seq: number;
  by: string;
  at: number;
  eventId: number;
}

/**
 * The agent inbox's reads and actions over the store: queues of escalated conversations, a conversation with its
 * packet, and the actions, each one change of the conversation with its event (take, reply, note, hand back,
 * close, judge). A reply or hand-back of a helpdesk conversation also queues its delivery (`deliveries`).
 *
 * @example
 * const inbox = createInbox({ store, clock, deliveries: (c) => channels.deliveryJobs(c) });
 * const queues = await inbox.queues({ reason: 'human_requested' });
 * await inbox.take({ conversationId: 'c1', user });
 * await inbox.reply({ conversationId: 'c1', user, text: 'Your refund is on its way.' });
 */
export interface Inbox {
  queues(filters?: QueueFilters): Promise<Queue[]>;
  conversation(id: string): Promise<ConversationDetail | undefined>;
  /** Assigns to `user`; a conversation someone else took is a UserError `inbox.taken` naming who. */
  take(props: { conversationId: string; user: StoredUser }): Promise<void>;
  reply(props: { conversationId: string; user: StoredUser; text: string }): Promise<void>;
  note(props: { conversationId: string; user: StoredUser; text: string }): Promise<void>;
  handBack(props: { conversationId: string; user: StoredUser; reason: string }): Promise<void>;
  close(props: { conversationId: string; user: StoredUser; resolved: boolean }): Promise<void>;
  judge(props: {
    conversationId: string;
    user: StoredUser;
    judgement: Omit<Judgement, 'by' | 'at'>;
  }): Promise<void>;
  /**
   * Uses a shadow draft once: `as_is` sends its text as the agent's reply, `edited` sends `text` instead,
   * `discarded` sends nothing; each records `shadow.draft_used` {draftId, how, by} (in the reply's transaction). A
   * draft already used, or not of this conversation, is a UserError (`inbox.draft_used`, `inbox.draft_not_found`).
   */
  useDraft(props: {
    conversationId: string;
    user: StoredUser;
    draftId: string;
    how: DraftUse;
    /** The edited text (`edited` only). */
    text?: string;
  }): Promise<void>;
  /** Every intent correction so far, oldest first. */
  corrections(): Promise<Correction[]>;
  /** The precision of automated answers as agents judged them, against the active model's target. */
  observedPrecision(): Promise<ObservedPrecision>;
}

export function createInbox(props: {
  store: Store;
  clock: Clock;
  /** The delivery jobs of a conversation whose channel is a helpdesk (none for the widget and the API). */
  deliveries: (conversation: StoredConversation) => JobRequest[];
  /** The active model's target precision (null without a model): judgements are measured against it. */
  target?: () => number | null;
  logger?: Logger;
}): Inbox {
  const { store, clock } = props;
  const logger = props.logger ?? silentLogger;
  const measure = () => observedPrecision({ store, target: props.target?.() ?? null });
  const by = (user: StoredUser) => `user:${user.id}`;

  async function assigneeOf(conversationId: string): Promise<string | null> {
    const events = await store.listEvents({ limit: 1000, conversationId, type: INBOX_EVENTS.assigned });
    const last = events.at(-1);
    return typeof last?.payload.to === 'string' ? last.payload.to : null;
  }

  /** Whether this process said the observed precision fell under the target (see `judge`). */
  let warnedBelowTarget = false;

  async function existing(conversationId: string): Promise<StoredConversation> {
    const conversation = await store.findConversation(conversationId);
    if (!conversation) {
      throw new UserError('conversation.not_found', 'no such conversation', { field: 'conversationId' });
    }
    return conversation;
  }

  function text(value: string, field: string, max = 4000): string {
    const trimmed = value.trim();
    if (!trimmed) throw new UserError('inbox.empty', `${field} is empty`, { field });
    if (trimmed.length > max)
      throw new UserError('inbox.too_long', `${field} has more than ${max} characters`, { field });
    return trimmed;
  }

  return {
    async queues(filters = {}) {
      const found: StoredConversation[] = [];
      let cursor: string | null | undefined;
      do {
        const page = await store.listConversations({ owner: 'human', limit: 100, cursor });
        found.push(...page.conversations.filter((c) => c.status !== 'closed'));
        cursor = page.nextCursor;
      } while (cursor && found.length < QUEUE_LIMIT);
      const now = clock.now();
      const search = filters.customer?.trim().toLowerCase();
      const items: QueueItem[] = [];
      for (const conversation of found) {
        if (filters.channel && conversation.channel !== filters.channel) continue;
        if (filters.workflow && conversation.workflowId !== filters.workflow) continue;
        if (search) {
          const who =
            `${conversation.customer.name ?? ''} ${conversation.customer.email ?? ''}`.toLowerCase();
          if (!who.includes(search)) continue;
        }
        const handoff = (await store.listHandoffs({ conversationId: conversation.id })).at(-1) ?? null;
        if (filters.reason && handoff?.code !== filters.reason) continue;
        items.push({
          conversation,
          handoff,
          assignee: await assigneeOf(conversation.id),
          waitingMs: now - (handoff?.createdAt ?? conversation.updatedAt),
        });
      }
      const byQueue = new Map<string, QueueItem[]>();
      for (const item of items) {
        const name = item.handoff?.queue ?? 'unqueued';
        byQueue.set(name, [...(byQueue.get(name) ?? []), item]);
      }
      return [...byQueue.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, list]) => ({
          name,
          items: list.sort(
            (a, b) =>
              (PRIORITY_RANK[a.handoff?.priority ?? 'normal'] ?? 2) -
                (PRIORITY_RANK[b.handoff?.priority ?? 'normal'] ?? 2) || b.waitingMs - a.waitingMs,
          ),
        }));
    },

    async conversation(id) {
      const found = await store.getConversation(id);
      if (!found) return undefined;
      const [handoffs, events] = await Promise.all([
        store.listHandoffs({ conversationId: id }),
        store.listEvents({ limit: 10_000, conversationId: id }),
      ]);
      const handoff = handoffs.at(-1) ?? null;
      const assigned = events.filter((e) => e.type === INBOX_EVENTS.assigned).at(-1);
      return {
        ...found,
        handoff,
        packet: (handoff?.packet as HandoffPacket | undefined) ?? null,
        assignee: typeof assigned?.payload.to === 'string' ? assigned.payload.to : null,
        notes: events
          .filter((e) => e.type === INBOX_EVENTS.note)
          .map((e) => ({ text: String(e.payload.text), by: String(e.payload.by), at: e.at })),
        judgements: events.filter((e) => e.type === INBOX_EVENTS.judgement).map((e) => judgementOf(e)),
        events,
        drafts: draftsOf(events),
      };
    },

    async useDraft({ conversationId, user, draftId, how, text: edited }) {
      if (!['as_is', 'edited', 'discarded'].includes(how)) {
        throw new UserError('inbox.bad_draft_use', 'send as is, edit, or discard', { field: 'how' });
      }
      for (let attempt = 0; ; attempt++) {
        const conversation = await existing(conversationId);
        const events = await store.listEvents({ limit: 10_000, conversationId });
        const draft = draftsOf(events).find((d) => d.draftId === draftId);
        if (!draft) {
          throw new UserError('inbox.draft_not_found', 'no such draft in this conversation', {
            field: 'draftId',
          });
        }
        if (draft.used) {
          throw new UserError('inbox.draft_used', 'this draft has been used already', { field: 'draftId' });
        }
        const used = { type: INBOX_EVENTS.draftUsed, payload: { draftId, how, by: user.id } };
        const at = clock.now();
        const reply = how === 'discarded' ? null : how === 'as_is' ? draft.text : text(edited ?? '', 'text');
        try {
          // On the revision read: two agents using one draft at once send it once.
          await store.changeConversation({
            conversationId,
            expectedRevision: conversation.revision,
            ...(reply === null
              ? { events: [used] }
              : {
                  owner: 'human' as const,
                  messages: [{ role: 'agent' as const, text: reply, at }],
                  events: [{ type: INBOX_EVENTS.reply, payload: { by: user.id } }, used],
                  jobs: props.deliveries(conversation),
                }),
            by: by(user),
            at,
          });
          return;
        } catch (error) {
          const conflict = error instanceof OperationalError && error.code === 'conversation.conflict';
          if (!conflict || attempt >= 5) throw error;
        }
      }
    },

    async take({ conversationId, user }) {
      for (let attempt = 0; ; attempt++) {
        const conversation = await existing(conversationId);
        const assignee = await assigneeOf(conversationId);
        if (assignee === user.id) return;
        if (assignee !== null) {
          const other = await store.findUser({ id: assignee });
          throw new UserError(
            'inbox.taken',
            `${other?.name ?? other?.email ?? 'someone'} has taken this conversation`,
            {
              field: 'conversationId',
            },
          );
        }
        try {
          await store.changeConversation({
            conversationId,
            expectedRevision: conversation.revision,
            owner: 'human',
            events: [{ type: INBOX_EVENTS.assigned, payload: { to: user.id } }],
            by: by(user),
            at: clock.now(),
          });
          return;
        } catch (error) {
          // Someone changed it since it was read: read again (and find who took it, if someone did).
          const conflict = error instanceof OperationalError && error.code === 'conversation.conflict';
          if (!conflict || attempt >= 5) throw error;
        }
      }
    },

    async reply({ conversationId, user, text: raw }) {
      const conversation = await existing(conversationId);
      const at = clock.now();
      // The event says which agent line was written here (same time): it goes to the helpdesk, unlike the agent
      // lines that came from the helpdesk.
      await store.changeConversation({
        conversationId,
        owner: 'human',
        messages: [{ role: 'agent', text: text(raw, 'reply'), at }],
        events: [{ type: INBOX_EVENTS.reply, payload: { by: user.id } }],
        jobs: props.deliveries(conversation),
        by: by(user),
        at,
      });
    },

    async note({ conversationId, user, text: raw }) {
      await existing(conversationId);
      await store.changeConversation({
        conversationId,
        events: [{ type: INBOX_EVENTS.note, payload: { text: text(raw, 'note'), by: user.id } }],
        by: by(user),
        at: clock.now(),
      });
    },

    async handBack({ conversationId, user, reason }) {
      const conversation = await existing(conversationId);
      await store.changeConversation({
        conversationId,
        owner: 'bot',
        status: 'open',
        events: [
          { type: INBOX_EVENTS.assigned, payload: { to: null } },
          { type: INBOX_EVENTS.handBack, payload: { reason: text(reason, 'reason', 500), by: user.id } },
        ],
        jobs: props.deliveries(conversation),
        by: by(user),
        at: clock.now(),
      });
    },

    async close({ conversationId, user, resolved }) {
      const conversation = await existing(conversationId);
      await store.changeConversation({
        conversationId,
        status: 'closed',
        events: [
          { type: INBOX_EVENTS.assigned, payload: { to: null } },
          { type: INBOX_EVENTS.closed, payload: { resolved, by: user.id } },
        ],
        jobs: props.deliveries(conversation),
        by: by(user),
        at: clock.now(),
      });
    },

    async judge({ conversationId, user, judgement }) {
      const found = await store.getConversation(conversationId);
      if (!found)
        throw new UserError('conversation.not_found', 'no such conversation', { field: 'conversationId' });
      if (judgement.seq !== undefined) {
        const line = found.messages.find((m) => m.seq === judgement.seq);
        if (line?.role !== 'customer') {
          throw new UserError('inbox.bad_turn', 'a judgement of a turn names a customer message', {
            field: 'seq',
          });
        }
      }
      const payload: Record<string, unknown> = { by: user.id };
      for (const [key, value] of Object.entries(judgement)) if (value !== undefined) payload[key] = value;
      await store.changeConversation({
        conversationId,
        events: [{ type: INBOX_EVENTS.judgement, payload }],
        by: by(user),
        at: clock.now(),
      });
      // The promise of the thresholds, checked on live traffic each time agents say something new about it.
      const observed = await measure();
      const below = observed.status === 'below_target';
      // Said once when the precision falls under the target (again only after it recovered), not per judgement.
      const crossed = below && !warnedBelowTarget;
      warnedBelowTarget = below;
      if (crossed) {
        logger.warn(
          {
            observedPrecision: Number(observed.precision?.toFixed(3)),
            target: observed.target,
            judged: observed.judged,
            low: Number(observed.interval?.low.toFixed(3)),
            high: Number(observed.interval?.high.toFixed(3)),
          },
          'automated answers judged by agents fall under the target precision: recalibrate (nlu calibrate) or retrain',
        );
      }
    },
    observedPrecision: measure,

    async corrections() {
      const out: Correction[] = [];
      for (let afterId = 0; ; ) {
        const page = await store.listEvents({ type: INBOX_EVENTS.judgement, afterId, limit: 1000 });
        for (const event of page) {
          const j = judgementOf(event);
          if (j.intent === undefined || j.seq === undefined || !event.conversationId) continue;
          const [line] = await store.listConversationMessages({
            conversationId: event.conversationId,
            seqs: [j.seq],
          });
          if (!line) continue;
          out.push({
            text: line.text,
            label: j.intent,
            conversationId: event.conversationId,
            seq: j.seq,
            by: j.by,
            at: j.at,
            eventId: event.id,
          });
        }
        if (page.length < 1000) return out;
        afterId = page.at(-1)?.id ?? afterId;
      }
    },
  };
}

function draftsOf(events: readonly StoredEvent[]): ShadowDraft[] {
  const uses = new Map<string, ShadowDraft['used']>();
  for (const e of events) {
    const how = e.payload.how;
    if (e.type !== INBOX_EVENTS.draftUsed || typeof e.payload.draftId !== 'string') continue;
    if (how !== 'as_is' && how !== 'edited' && how !== 'discarded') continue;
    if (!uses.has(e.payload.draftId))
      uses.set(e.payload.draftId, { how, by: String(e.payload.by), at: e.at });
  }
  return events
    .filter((e) => e.type === INBOX_EVENTS.draft && typeof e.payload.draftId === 'string')
    .map((e) => {
      const draftId = String(e.payload.draftId);
      return {
        draftId,
        text: String(e.payload.text ?? ''),
        stepId: typeof e.payload.stepId === 'string' ? e.payload.stepId : null,
        kind: String(e.payload.kind ?? 'reply'),
        workflow: typeof e.payload.workflow === 'string' ? e.payload.workflow : null,
        at: e.at,
        used: uses.get(draftId) ?? null,
      };
    });
}

function judgementOf(event: StoredEvent): Judgement {
  const p = event.payload;
  return {
    ...(typeof p.seq === 'number' ? { seq: p.seq } : {}),
    ...(p.verdict === 'right' || p.verdict === 'wrong' ? { verdict: p.verdict } : {}),
    ...(typeof p.couldHaveResolved === 'boolean' ? { couldHaveResolved: p.couldHaveResolved } : {}),
    ...(typeof p.intent === 'string' || p.intent === null ? { intent: p.intent as string | null } : {}),
    ...(typeof p.kbArticle === 'string' ? { kbArticle: p.kbArticle } : {}),
    by: String(p.by),
    at: event.at,
  };
}
