import { describe, expect, it } from 'vitest';
import { DEMO_WORKFLOWS_DIR } from '../app/workflows-dir.ts';
import type { StoredConversationMessage } from '../store/index.ts';
import { loadWorkflowDir } from '../workflows/index.ts';
import {
  ANSWER_MATCH_THRESHOLD,
  answerMatcher,
  type WorkflowAnswers,
  workflowAnswersOf,
} from './workflow-answers.ts';

const demo = workflowAnswersOf(loadWorkflowDir(DEMO_WORKFLOWS_DIR).workflows.map((w) => w.definition));

function agentLine(text: string, seq = 3): StoredConversationMessage {
  return { id: seq, seq, role: 'agent', text, at: 0 };
}

/**
 * The examples the threshold was chosen on (docs/metrics.md, "False negatives"): agents' answers written by hand
 * against the demo workflows' reply lines. Reworded answers of a workflow must match it; answers about something
 * else must match nothing.
 */
const REWORDED: Array<[string, string]> = [
  [
    'order-status',
    'Hi Olivia, your order SB-482913 shipped with DHL yesterday, the tracking number is 00340434. You can follow the parcel at https://dhl.example/track/00340434 and it should arrive by Friday.',
  ],
  [
    'order-status',
    'Good news: it has shipped! Carrier is UPS, tracking number 1Z999. Follow it here: https://ups.example/1Z999',
  ],
  [
    'order-status',
    'Your order SB-100200 is still being prepared in our warehouse. We expect to deliver it by 12 December, and you will receive an email with the tracking link once it ships.',
  ],
  [
    'order-status',
    'Thanks for waiting. The order is being prepared right now; an email with tracking will follow when it ships.',
  ],
  [
    'order-status',
    'The carrier shows order SB-555 as delivered on Tuesday. Could you check with a neighbour or the reception of your building?',
  ],
  [
    'order-status',
    'I can see that order SB-123456 was cancelled. The payment of 45.00 EUR will go back to your card within 5-10 working days.',
  ],
  [
    'password-reset',
    'I have just sent you a link to reset your password. It expires in 30 minutes, so please check your spam folder if you do not see it.',
  ],
  [
    'password-reset',
    'A password reset email is on its way to you; the link is valid for half an hour. Look in spam if it does not arrive.',
  ],
  [
    'refund-request',
    'I have refunded 25.00 on order SB-7788 for you. The money goes back to the card you paid with within 5 to 10 working days.',
  ],
  [
    'refund-request',
    'All done, refund issued! Expect it on your original payment method in 5-10 business days.',
  ],
  [
    'invoice-request',
    'I have emailed you the invoice for order SB-4411; it should arrive in a few minutes. Do check the spam folder if not.',
  ],
  [
    'order-cancellation',
    'That order has already shipped so I cannot cancel it any more. You can return it within 30 days of delivery from your orders page with the prepaid label and we will refund you when it arrives.',
  ],
];
const UNRELATED = [
  'Your order number is on the confirmation email we sent when you ordered.',
  'We do not ship to that country yet, sorry. We hope to add it next year.',
  'I am sorry the courier was rude. I have reported the driver to the carrier.',
  'The discount code only works on full-price items, not on the sale.',
  'Yes, you can pay by bank transfer; the details are on the invoice.',
  'I have merged your two accounts; you can now sign in with either email.',
  'The item is back in stock next week. I can put one aside for you.',
  'Your payment failed because the card expired. Please update it in your account settings.',
  'I have updated the delivery address on your account to 12 High Street. Anything else I can do?',
  'Sorry about the damaged item. I will send a replacement today at no cost.',
  'Our opening hours are 9 to 5, Monday to Friday. We are closed on public holidays.',
  'I can confirm your subscription has been upgraded to the Pro plan, effective immediately.',
  'Thanks, done!',
  'Let me check that for you, one moment please.',
  'I have passed your complaint to the quality team; they will contact you within two days.',
  'Your invoice for order SB-123 is attached as a PDF.',
  'Unfortunately we cannot accept returns after 30 days, sorry about that.',
];

describe('workflowAnswersOf', () => {
  it("keeps each workflow's reply steps, Liquid tags out; asks, confirms, closings and hand-offs are not answers", () => {
    const orderStatus = demo.find((w) => w.workflow === 'order-status');
    expect(orderStatus?.lines.map((l) => l.step)).toEqual([
      'say_shipped_tracked',
      'say_shipped',
      'say_processing',
      'say_delivered',
      'say_cancelled',
      'say_status',
    ]);
    expect(orderStatus?.lines[0]?.text).toBe(
      'Order has shipped with , tracking number . You can follow it here: It should arrive by .',
    );
    // billing-faq answers from the knowledge base only: nothing known in advance to compare with.
    expect(demo.map((w) => w.workflow)).not.toContain('billing-faq');
  });
});

describe('answerMatcher, on the examples the threshold was chosen on', () => {
  const match = answerMatcher(demo);

  it.each(REWORDED)("a workflow's answer reworded matches %s", (workflow, text) => {
    const found = match([agentLine(text)]);
    expect(found?.workflow).toBe(workflow);
    expect(found?.similarity).toBeGreaterThanOrEqual(ANSWER_MATCH_THRESHOLD);
    expect(found?.seq).toBe(3);
  });

  it.each(UNRELATED.map((t) => [t]))('an answer about something else matches nothing: %s', (text) => {
    expect(match([agentLine(text)])).toBeNull();
  });

  it('takes the best of the agent lines; deterministic; a workflow alone in the list still matches', () => {
    const lines = [agentLine('Let me check that for you.', 2), agentLine(REWORDED[6]?.[1] ?? '', 4)];
    expect(match(lines)).toEqual(match(lines));
    expect(match(lines)).toMatchObject({ workflow: 'password-reset', step: 'say_sent', seq: 4 });
    const alone: WorkflowAnswers[] = [
      { workflow: 'reset', lines: [{ step: 'say_sent', text: 'I have sent a password reset link.' }] },
    ];
    expect(
      answerMatcher(alone)([agentLine('I sent you a link to reset your password just now.')]),
    ).toMatchObject({ workflow: 'reset' });
  });
});
