import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildKnowledgeIndex, writeKnowledgeIndex } from '../../kb/index.ts';
import { demoDeployment, EXAMPLE_CHATS, steps, type Transcript } from './chat-testing.ts';

// The demo workflows beyond order status, played as scripted chats against the deployment `npm start`
// leaves: a generated history, the NLU trained on it, the demo workflows and the in-process demo shop.
const demo = demoDeployment('sb-chat-demo-');
beforeAll(() => demo.setUp(), 120_000);
afterAll(() => demo.tearDown());

/** Everything the bot said, one line per message. */
const said = (t: Transcript) => t.turns.flatMap((turn) => turn.bot.map((b) => b.text)).join('\n');

/** Plays one script of examples/chat/ in its own conversation (named after the script). */
async function play(script: string, extra: string[] = []): Promise<Transcript> {
  const run = await demo.play(join(EXAMPLE_CHATS, script), script.replace(/\.yaml$/, ''), extra);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return run.transcript as Transcript;
}

describe('invoice-request', () => {
  it('happy path: the one order of a known customer, invoice sent to the address on the order, resolved', async () => {
    const t = await play('invoice-request-happy.yaml');
    expect(t.turns[0]?.intent).toBe('invoice_request');
    expect(steps(t)).toEqual(['say_sent', 'did_it_help', 'done']);
    expect(t.turns[0]?.bot[0]?.text).toMatch(/invoice INV-\d+ for order SB-100001/);
    expect(t.outcome).toMatchObject({ status: 'resolved', owner: 'bot', workflow: 'invoice-request' });
    expect(t.handoff).toBeNull();
  });

  it('a cancelled order has no invoice: the billing team takes over', async () => {
    const t = await play('invoice-request-cancelled.yaml');
    expect(t.turns[0]?.intent).toBe('invoice_request');
    expect(steps(t)).toEqual(['invoice_not_sent']);
    expect(t.outcome).toMatchObject({ status: 'escalated', owner: 'human', workflow: 'invoice-request' });
    expect(t.handoff?.escalation).toMatchObject({
      code: 'workflow_escalated',
      workflowReason: 'invoice_not_sent',
      queue: 'billing',
    });
  });
});

describe('refund-request', () => {
  it('happy path: part of an order, 20 EUR, below the limit of 50: refunded at once', async () => {
    const t = await play('refund-request-happy.yaml');
    expect(t.turns[0]?.intent).toBe('refund_request');
    expect(steps(t)).toEqual(['ask_scope', 'ask_amount', 'say_refunded', 'did_it_help', 'done']);
    expect(t.turns[0]?.bot[0]?.text).toContain('89.99 EUR');
    expect(t.turns[2]?.bot[0]?.text).toMatch(/refunded 20 EUR on order SB-100001 \(refund RF-\d+\)/);
    expect(t.outcome).toMatchObject({ status: 'resolved', owner: 'bot', workflow: 'refund-request' });
  });

  it('no order number and several orders: the customer picks one from the list, then it is refunded', async () => {
    const t = await play('refund-request-choose.yaml');
    expect(t.turns[0]?.intent).toBe('refund_request');
    expect(t.turns[0]?.bot[0]?.text).toContain('several orders for liam.garcia@mail.example');
    expect(t.turns[1]?.bot[0]?.text).toMatch(/^Order SB-100003 came to 120 USD/);
    expect(said(t)).toMatch(/refunded 15 USD on order SB-100003 \(refund RF-\d+\)/);
    expect(steps(t)).toEqual([
      'choose_order',
      'ask_scope',
      'ask_amount',
      'say_refunded',
      'did_it_help',
      'done',
    ]);
    expect(t.outcome).toMatchObject({ status: 'resolved', owner: 'bot', workflow: 'refund-request' });
  });

  it('the whole order, 89.99 EUR, is above the limit: the billing team approves it', async () => {
    const t = await play('refund-request-above-limit.yaml');
    expect(t.turns[0]?.intent).toBe('refund_request');
    expect(steps(t)).toEqual(['ask_scope', 'above_limit']);
    expect(said(t)).toContain('up to 50 EUR');
    expect(t.handoff?.escalation).toMatchObject({
      code: 'workflow_escalated',
      workflowReason: 'refund_above_limit',
      queue: 'billing',
    });
  });

  it('a stated amount above 100 matches the exclusion rule before any workflow starts', async () => {
    const t = await play('refund-request-excluded.yaml');
    expect(t.turns[0]?.intent).toBe('refund_request');
    expect(t.turns[0]?.guardrail).toBe('escalate');
    expect(t.outcome).toMatchObject({
      status: 'escalated',
      workflow: null,
      escalation: { code: 'excluded' },
    });
  });
});

describe('address-change', () => {
  it('happy path: a signed-in customer gives the new address, confirms it, and it is changed', async () => {
    const t = await play('address-change-happy.yaml');
    expect(t.turns[0]?.intent).toBe('account_update');
    // The opening message names the change: no "address or something else?" question.
    expect(steps(t)).toEqual(['ask_address', 'confirm_address', 'done']);
    expect(t.turns[1]?.bot[0]?.text).toMatch(/Mill Lane, Dublin\. Shall I change it to 14 Harbour Street/);
    expect(t.outcome).toMatchObject({ status: 'resolved', owner: 'bot', workflow: 'address-change' });
  });

  it('any other change goes to a colleague', async () => {
    const t = await play('address-change-other.yaml');
    expect(t.turns[0]?.intent).toBe('account_update');
    expect(steps(t)).toEqual(['ask_change', 'other_change']);
    expect(t.handoff?.escalation).toMatchObject({ workflowReason: 'account_change_by_agent' });
  });
});

describe('order-cancellation', () => {
  it('happy path: an order still being prepared is cancelled after the customer confirms', async () => {
    const t = await play('order-cancellation-happy.yaml');
    expect(t.turns[0]?.intent).toBe('order_cancellation');
    expect(steps(t)).toEqual(['confirm_cancel', 'done']);
    expect(t.turns[1]?.bot[0]?.text).toMatch(/Order SB-100002 is cancelled/);
    expect(t.outcome).toMatchObject({ status: 'resolved', owner: 'bot', workflow: 'order-cancellation' });
  });

  it('a shipped order cannot be cancelled: the bot explains how to return it', async () => {
    const t = await play('order-cancellation-shipped.yaml');
    expect(t.turns[0]?.intent).toBe('order_cancellation');
    expect(steps(t)).toEqual(['say_return_route', 'did_it_help', 'resolved']);
    expect(t.turns[0]?.bot[0]?.text).toMatch(/has already shipped, so it can no longer be cancelled/);
    expect(t.outcome.status).toBe('resolved');
  });
});

describe('billing-faq', () => {
  // With an empty knowledge base the search finds nothing and the fallback runs; the answered path is tested in
  // chat.test.ts with the base `npm start` imports.
  it('no passage scores high enough: the billing team takes over', async () => {
    const empty = join(demo.dir, 'empty-kb-index.json');
    writeKnowledgeIndex(empty, buildKnowledgeIndex([], 0));
    const t = await play('billing-faq-no-answer.yaml', ['--kb', empty]);
    expect(t.turns[0]?.intent).toBe('billing_question');
    expect(steps(t)).toEqual(['no_answer']);
    expect(t.handoff?.escalation).toMatchObject({ workflowReason: 'no_kb_answer', queue: 'billing' });
  });
});
