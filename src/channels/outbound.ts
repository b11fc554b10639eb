import { createHash } from 'node:crypto';
import type { EscalationCode, EscalationPriority } from '../domain/index.ts';
import { type HandoffPacket, renderHandoffNote } from '../escalation/index.ts';
import type { StoredConversationMessage, StoredEvent, StoredHandoff } from '../store/index.ts';
import type { OutboundOperation } from './channel.ts';

/** The event that records one operation done in the helpdesk (its key: what was delivered). */
export const DELIVERED_EVENT = 'channel.delivered';
/** The event that records an operation the helpdesk kept refusing: an operator sees it, a later job retries. */
export const DELIVERY_FAILED_EVENT = 'channel.delivery_failed';

/**
 * One operation to do in the helpdesk, keyed by what it delivers: `m:<seq>` a line, `h:<handoff id>` a hand-off,
 * `s:<event id>` the bot's resolution, `b:` / `c:<event id>` an agent's hand-back or close in the inbox.
 */
export interface PlannedDelivery {
  key: string;
  operation: OutboundOperation;
  /** When the line, hand-off or change it delivers happened (epoch ms). */
  at: number;
}

/** The tags a hand-off puts on the helpdesk's conversation. */
export function handoffTags(code: EscalationCode): string[] {
  return ['switchboard', 'switchboard_handoff', `switchboard_${code}`];
}

/**
 * What a conversation still owes its helpdesk, in order, from what the store holds (pure): the bot's lines as
 * public replies, each hand-off as a private note with the packet followed by the hand-off itself, and a
 * resolution by the bot as the helpdesk's close, a workflow's shadow drafts (`shadow.draft`) as private notes;
 * minus what the `channel.delivered` events say is done. In
 * `shadow` mode every reply is a private draft for an agent and nothing changes the helpdesk's state: people
 * answer, the bot only suggests.
 *
 * The transcript is the outbox: a line is delivered exactly when it is stored, so a turn and what it sends commit
 * together, and a delivery job that runs twice finds its work done.
 */
export function planDeliveries(props: {
  messages: readonly StoredConversationMessage[];
  handoffs: readonly StoredHandoff[];
  events: readonly StoredEvent[];
  mode: 'live' | 'shadow';
}): PlannedDelivery[] {
  const done = new Set(
    props.events.filter((e) => e.type === DELIVERED_EVENT).map((e) => String(e.payload.key)),
  );
  const shadow = props.mode === 'shadow';
  // Agent lines written in Switchboard's inbox (an `agent.reply` event at the same time) go to the helpdesk; those
  // that came from the helpdesk are there already.
  const inboxReplies = new Set(props.events.filter((e) => e.type === 'agent.reply').map((e) => e.at));
  // Sorted by time; at the same time lines come first (a hand-off's own line says "a colleague will help").
  const items: Array<PlannedDelivery & { rank: number; order: number }> = [];
  for (const m of props.messages) {
    if (m.role === 'agent' && inboxReplies.has(m.at)) {
      items.push({
        key: `m:${m.seq}`,
        operation: { type: 'reply', text: m.text },
        at: m.at,
        rank: 0,
        order: m.seq,
      });
      continue;
    }
    if (m.role !== 'bot') continue;
    const operation: OutboundOperation = shadow
      ? { type: 'note', text: `Switchboard draft (shadow mode, not sent to the customer):\n\n${m.text}` }
      : { type: 'reply', text: m.text, ...(m.choices ? { choices: m.choices } : {}) };
    items.push({ key: `m:${m.seq}`, operation, at: m.at, rank: 0, order: m.seq });
  }
  for (const h of props.handoffs) {
    const note = renderHandoffNote(h.packet as HandoffPacket);
    items.push({
      key: `h:${h.id}:note`,
      operation: { type: 'note', text: note },
      at: h.createdAt,
      rank: 1,
      order: h.id,
    });
    if (!shadow) {
      items.push({
        key: `h:${h.id}`,
        operation: {
          type: 'handoff',
          code: h.code,
          queue: h.queue,
          priority: h.priority as EscalationPriority,
          tags: handoffTags(h.code),
        },
        at: h.createdAt,
        rank: 2,
        order: h.id,
      });
    }
  }
  for (const e of props.events) {
    // A workflow in shadow mode (docs/pilots.md): its drafts go to the helpdesk's agents as private notes.
    if (e.type === 'shadow.draft' && typeof e.payload.draftId === 'string') {
      items.push({
        key: `d:${e.payload.draftId}`,
        operation: {
          type: 'note',
          text: `Switchboard draft (shadow mode, not sent to the customer):\n\n${String(e.payload.text ?? '')}`,
        },
        at: e.at,
        rank: 1,
        order: e.id,
      });
    }
  }
  if (!shadow) {
    for (const e of props.events) {
      // People's actions in the inbox, mirrored in the helpdesk.
      if (e.type === 'agent.hand_back') {
        items.push({ key: `b:${e.id}`, operation: { type: 'handBack' }, at: e.at, rank: 3, order: e.id });
      } else if (e.type === 'agent.closed') {
        items.push({ key: `c:${e.id}`, operation: { type: 'close' }, at: e.at, rank: 3, order: e.id });
      }
      // The bot's own resolution (no `by`): people's closes happened in the helpdesk already.
      if (
        e.type === 'conversation.status_changed' &&
        e.payload.to === 'resolved' &&
        e.payload.by === undefined
      ) {
        items.push({ key: `s:${e.id}`, operation: { type: 'close' }, at: e.at, rank: 3, order: e.id });
      }
    }
  }
  return items
    .filter((item) => !done.has(item.key))
    .sort((a, b) => a.at - b.at || a.rank - b.rank || a.order - b.order)
    .map(({ key, operation, at }) => ({ key, operation, at }));
}

/**
 * The idempotency key a helpdesk receives for one delivery: the same on every retry of it, different for every
 * other. Hashed: conversation ids come from outside.
 */
export function deliveryIdempotencyKey(conversationId: string, key: string): string {
  const digest = createHash('sha256').update(`${conversationId}\u0000${key}`).digest();
  return `sb_${digest.toString('base64url').slice(0, 32)}`;
}
