import { describe, expect, it } from 'vitest';
import type { StoredConversationMessage, StoredEvent, StoredHandoff } from '../store/index.ts';
import { planDeliveries } from './outbound.ts';

const T0 = Date.parse('2026-12-07T10:00:00Z');

const line = (
  seq: number,
  role: StoredConversationMessage['role'],
  text: string,
  at = T0 + seq,
): StoredConversationMessage => ({
  id: seq + 1,
  seq,
  role,
  text,
  at,
});
const event = (id: number, type: string, payload: Record<string, unknown>, at = T0 + id): StoredEvent => ({
  id,
  at,
  type,
  ticketId: null,
  conversationId: 'chat:1:1',
  payload,
});
const handoff = (id: number, at: number): StoredHandoff => ({
  id,
  conversationId: 'chat:1:1',
  createdAt: at,
  code: 'human_requested',
  queue: 'billing',
  priority: 'high',
  packet: {
    conversationId: 'chat:1:1',
    createdAt: at,
    escalation: {
      code: 'human_requested',
      priority: 'high',
      queue: 'billing',
      reason: 'The customer asked for a person.',
    },
    suggestedNextStep: 'Answer the customer.',
    customer: { attributes: {} },
    intent: null,
    transcript: [],
    slots: {},
    connectorCalls: [],
  },
});

describe('planDeliveries', () => {
  const messages = [
    line(0, 'customer', 'where is my order'),
    line(1, 'bot', 'Which order?'),
    line(2, 'customer', 'a person please'),
    line(3, 'bot', 'A colleague will take over.', T0 + 10),
  ];

  it("owes the bot's lines in order, then the packet as a note, then the hand-off; not the customer's", () => {
    const planned = planDeliveries({ messages, handoffs: [handoff(1, T0 + 10)], events: [], mode: 'live' });
    expect(planned.map((p) => [p.key, p.operation.type])).toEqual([
      ['m:1', 'reply'],
      ['m:3', 'reply'],
      ['h:1:note', 'note'],
      ['h:1', 'handoff'],
    ]);
    const note = planned[2]?.operation;
    expect(note?.type === 'note' && note.text).toMatch(/^Handoff from automation: human_requested/);
    expect(planned[3]?.operation).toMatchObject({
      queue: 'billing',
      priority: 'high',
      tags: expect.arrayContaining(['switchboard_human_requested']),
    });
  });

  it('leaves out what was delivered, and closes after a resolution by the bot only', () => {
    const events = [
      event(10, 'channel.delivered', { key: 'm:1' }),
      event(11, 'conversation.status_changed', { from: 'open', to: 'resolved' }, T0 + 20),
      event(12, 'conversation.status_changed', { from: 'open', to: 'resolved', by: 'agent:ana' }, T0 + 30),
    ];
    const planned = planDeliveries({ messages, handoffs: [], events, mode: 'live' });
    expect(planned.map((p) => p.key)).toEqual(['m:3', 's:11']);
    expect(planned[1]?.operation).toEqual({ type: 'close' });
  });

  it('in shadow mode, drafts every reply as a private note and changes nothing in the helpdesk', () => {
    const events = [event(11, 'conversation.status_changed', { from: 'open', to: 'resolved' }, T0 + 20)];
    const planned = planDeliveries({ messages, handoffs: [handoff(1, T0 + 10)], events, mode: 'shadow' });
    expect(planned.map((p) => [p.key, p.operation.type])).toEqual([
      ['m:1', 'note'],
      ['m:3', 'note'],
      ['h:1:note', 'note'],
    ]);
    expect(planned[0]?.operation).toMatchObject({
      text: expect.stringMatching(/shadow mode[\s\S]*Which order\?$/),
    });
  });

  it("sends a shadow workflow's drafts as private notes after the packet, once each", () => {
    const events = [
      event(
        20,
        'shadow.draft',
        { draftId: 'chat:1:1:2:0', text: 'What is your order number?', kind: 'ask' },
        T0 + 10,
      ),
      event(21, 'channel.delivered', { key: 'd:chat:1:1:2:1' }),
      event(
        22,
        'shadow.draft',
        { draftId: 'chat:1:1:2:1', text: 'Delivered already', kind: 'reply' },
        T0 + 10,
      ),
    ];
    const planned = planDeliveries({ messages, handoffs: [handoff(1, T0 + 10)], events, mode: 'live' });
    expect(planned.map((p) => [p.key, p.operation.type])).toEqual([
      ['m:1', 'reply'],
      ['m:3', 'reply'],
      ['h:1:note', 'note'],
      ['d:chat:1:1:2:0', 'note'],
      ['h:1', 'handoff'],
    ]);
    expect(planned[3]?.operation).toEqual({
      type: 'note',
      text: 'Switchboard draft (shadow mode, not sent to the customer):\n\nWhat is your order number?',
    });
  });
});
