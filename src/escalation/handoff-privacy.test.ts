import { describe, expect, it } from 'vitest';
import type { TranscriptLine } from '../domain/index.ts';
import { WorkflowStateSchema } from '../workflows/state.ts';
import { renderTemplate } from '../workflows/template.ts';
import { buildHandoffPacket } from './handoff.ts';
import { renderHandoffHtml, renderHandoffMarkdown, renderHandoffNote } from './render-handoff.ts';

const T0 = Date.UTC(2026, 10, 27, 10, 0, 0);
const EMAIL = "o'brien@example.net";

/** A refund conversation where the customer wrote an email, an order number and a card with its CVV. */
function packet() {
  const reply = renderTemplate('We will write to {{ slots.email }} about order {{ slots.order_number }}.', {
    slots: { email: EMAIL, order_number: 'SB-123456' },
  });
  const transcript: TranscriptLine[] = [
    { role: 'customer', text: `Refund SB-123456 to card 4111 1111 1111 1111 cvv 123, mail ${EMAIL}`, at: T0 },
    { role: 'bot', text: reply, at: T0 + 1000, stepId: 'confirm' },
  ];
  const state = WorkflowStateSchema.parse({
    version: 1,
    workflowId: 'refund',
    workflowVersion: 1,
    conversationId: 'c1',
    status: 'escalated',
    stepId: 'lookup',
    slots: { order_number: 'SB-123456', email: EMAIL, card: '4111111111111111' },
    vars: {},
    customer: { attributes: {} },
    channel: 'chat',
    intent: 'refund',
    entities: [],
    lastMessage: '',
    attempts: {},
    pendingCallId: null,
    callCount: 1,
    answer: null,
    trail: [],
    calls: [
      {
        callId: 'c1:1',
        stepId: 'lookup',
        connector: 'demo-shop',
        operation: 'refund',
        input: { order_number: 'SB-123456', card: '4111 1111 1111 1111' },
        ok: false,
        error: 'declined',
        at: T0 + 1000,
      },
    ],
    turns: 1,
    lastProgressTurn: 1,
    outcome: null,
    startedAt: T0,
    updatedAt: T0 + 1000,
  });
  return buildHandoffPacket({
    conversationId: 'c1',
    at: T0 + 2000,
    transcript,
    state,
    escalation: { code: 'human_requested', reason: 'asked', queue: 'support', priority: 'normal' },
    customer: { email: EMAIL, attributes: {} },
  });
}

describe('handoff packets and personal data', () => {
  const p = packet();
  const outputs = {
    json: JSON.stringify(p),
    markdown: renderHandoffMarkdown(p),
    html: renderHandoffHtml(p),
    note: renderHandoffNote(p),
  };

  it('mask a full card number and its CVV, keep the last four and the order number', () => {
    for (const [name, text] of Object.entries(outputs)) {
      expect(text, name).not.toMatch(/4111[ -]?1111[ -]?1111[ -]?1111/);
      expect(text, name).not.toContain('cvv 123');
      expect(text, name).toContain('SB-123456');
      expect(text, name).toContain('1111');
    }
    expect(p.transcript[0]?.text).toBe(
      `Refund SB-123456 to card [card ending 1111] cvv [cvv], mail ${EMAIL}`,
    );
    expect(p.workflow?.slots.card).toBe('[card ending 1111]');
  });

  it('store plain text and escape it once when rendering', () => {
    expect(p.transcript[1]?.text).toBe(`We will write to ${EMAIL} about order SB-123456.`);
    expect(outputs.note).toContain(EMAIL);
    expect(outputs.note).not.toContain('&#39;');
    expect(outputs.html).toContain('o&#39;brien@example.net');
    expect(outputs.html).not.toContain('&amp;#39;');
    expect(outputs.markdown).not.toContain('&#39;');
    expect(outputs.markdown).toContain("o'brien@example.net");
  });
});
