import { describe, expect, it } from 'vitest';
import type { CandidateExample } from './corrections.ts';
import { proposeNewIntents } from './new-intents.ts';

let id = 0;
const candidate = (
  text: string,
  proposed: string | null = null,
  status: CandidateExample['status'] = 'candidate',
): CandidateExample => ({
  id: ++id,
  text,
  proposed,
  label: proposed,
  predicted: 'billing_question',
  missedAutomation: false,
  status,
  conversationId: `c${id}`,
  seq: 0,
  by: 'u_ana',
  at: 0,
  reviewedBy: null,
  reviewedAt: null,
  conflicts: [],
});

describe('new intents from "none of these" messages', () => {
  it('clusters the waiting out-of-scope messages into named proposals, leaving the others out', () => {
    const gift = [
      'do you sell gift cards',
      'can I buy a gift card for my sister',
      'gift card for a birthday present',
      'how much is a gift card',
      'are gift cards available online',
      'gift card balance check',
    ];
    const crypto = [
      'can I pay with bitcoin',
      'do you accept crypto payments',
      'pay in ethereum or bitcoin',
      'bitcoin payment accepted?',
      'crypto wallet payment option',
      'paying with cryptocurrency',
    ];
    const candidates = [
      ...gift.map((t) => candidate(t)),
      ...crypto.map((t) => candidate(t)),
      candidate('where is my order', 'order_status'),
      candidate('gift card please', null, 'rejected'),
    ];
    const proposals = proposeNewIntents(candidates);
    expect(proposals.length).toBeGreaterThanOrEqual(2);
    const byTexts = proposals.map((p) => p.ids.map((i) => candidates.find((c) => c.id === i)?.text ?? ''));
    const giftCluster = byTexts.find((texts) => texts.some((t) => t.includes('gift')));
    expect(giftCluster?.every((t) => t.includes('gift'))).toBe(true);
    expect(giftCluster?.length).toBeGreaterThanOrEqual(4);
    const cryptoCluster = byTexts.find((texts) => texts.some((t) => /bitcoin|crypto/.test(t)));
    expect(cryptoCluster?.every((t) => /bitcoin|crypto|ethereum/.test(t))).toBe(true);
    expect(proposals.flatMap((p) => p.ids)).not.toContain(candidates.at(-1)?.id);
    expect(proposals.flatMap((p) => p.ids)).not.toContain(candidates.at(-2)?.id);
    expect(proposals[0]?.examples.length).toBeGreaterThan(0);
    expect(proposeNewIntents(candidates.slice(0, 3))).toEqual([]);
  });
});
