import { describe, expect, it } from 'vitest';
import type { CustomerProfile } from './conversation.ts';
import { decidePilot, type PilotSettings, PilotSettingsSchema, pilotBucket, pilotKey } from './pilot.ts';

const settings = (over: Partial<PilotSettings>): PilotSettings =>
  PilotSettingsSchema.parse({ mode: 'live', ...over });
const customer = (over: Partial<CustomerProfile> = {}): CustomerProfile => ({ attributes: {}, ...over });

function decide(
  s: PilotSettings | undefined,
  props: { customer?: CustomerProfile; channel?: string; category?: string | null; id?: string } = {},
) {
  return decidePilot({
    settings: s,
    workflowId: 'refund',
    workflowIntents: ['refund_request', 'return_item'],
    conversation: {
      id: props.id ?? 'conv-1',
      customer: props.customer ?? customer(),
      channel: props.channel ?? 'api',
    },
    category: props.category === undefined ? null : props.category,
  });
}

describe('decidePilot', () => {
  it('is live for everyone without settings, and off for everyone in mode off', () => {
    expect(decide(undefined)).toBe('live');
    expect(decide(settings({ mode: 'off' }))).toBe('off');
    expect(decide(settings({ mode: 'shadow' }))).toBe('shadow');
  });

  it('lets in the segments named: the profile’s segment, else attributes.segment', () => {
    const vip = settings({ mode: 'shadow', segments: ['vip', 'pro'] });
    expect(decide(vip, { customer: customer({ segment: 'vip' }) })).toBe('shadow');
    expect(decide(vip, { customer: customer({ attributes: { segment: 'pro' } }) })).toBe('shadow');
    expect(decide(vip, { customer: customer({ segment: 'basic' }) })).toBe('off');
    expect(decide(vip, { customer: customer() })).toBe('off');
  });

  it('lets in the channels named', () => {
    const widget = settings({ channels: ['widget'] });
    expect(decide(widget, { channel: 'widget' })).toBe('live');
    expect(decide(widget, { channel: 'chatwoot' })).toBe('off');
  });

  it('lets in the categories named: the conversation’s when known, else the workflow’s intents', () => {
    const refunds = settings({ categories: ['refund_request'] });
    expect(decide(refunds, { category: 'refund_request' })).toBe('live');
    expect(decide(refunds, { category: 'return_item' })).toBe('off');
    expect(decide(refunds, { category: null })).toBe('live');
    expect(decide(settings({ categories: ['order_status'] }), { category: null })).toBe('off');
  });

  it('needs every list that is not empty', () => {
    const s = settings({ segments: ['vip'], channels: ['widget'] });
    expect(decide(s, { customer: customer({ segment: 'vip' }), channel: 'widget' })).toBe('live');
    expect(decide(s, { customer: customer({ segment: 'vip' }), channel: 'api' })).toBe('off');
    expect(decide(s, { customer: customer({ segment: 'x' }), channel: 'widget' })).toBe('off');
  });

  it.each([0, 1, 10, 25, 50, 90, 100])(
    'holds %i%% of 10,000 customers within one point, each decided the same way every time',
    (percent) => {
      const s = settings({ mode: 'shadow', percent });
      let inPilot = 0;
      for (let i = 0; i < 10_000; i++) {
        const c = customer({ id: `cust-${i}` });
        const first = decide(s, { customer: c, id: `conv-a-${i}` });
        // Sticky: another conversation of the same customer, another day, gets the same answer.
        expect(decide(s, { customer: c, id: `conv-b-${i}` })).toBe(first);
        if (first === 'shadow') inPilot++;
      }
      expect(Math.abs(inPilot / 100 - percent)).toBeLessThanOrEqual(1);
      if (percent === 0) expect(inPilot).toBe(0);
      if (percent === 100) expect(inPilot).toBe(10_000);
    },
  );

  it('only adds customers when the percentage widens, and draws each workflow apart', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => customer({ email: `Person${i}@Shop.Example` }));
    const at = (percent: number) =>
      new Set(
        ids.filter((c) => decide(settings({ percent }), { customer: c }) === 'live').map((c) => c.email),
      );
    const ten = at(10);
    const thirty = at(30);
    for (const email of ten) expect(thirty.has(email)).toBe(true);
    expect(thirty.size).toBeGreaterThan(ten.size);
    // The same customer falls elsewhere for another workflow: pilots do not all take the same customers.
    const key = (c: CustomerProfile) => pilotKey(c, 'x');
    const differs = ids.filter((c) => pilotBucket(key(c), 'refund') !== pilotBucket(key(c), 'order-status'));
    expect(differs.length).toBeGreaterThan(1900);
  });

  it('keys a customer by id, else email (any case), else the conversation', () => {
    expect(pilotKey(customer({ id: 'k1', email: 'a@b.c' }), 'conv')).toBe('id:k1');
    expect(pilotKey(customer({ email: ' A@B.C ' }), 'conv')).toBe('email:a@b.c');
    expect(pilotKey(customer(), 'conv-9')).toBe('conversation:conv-9');
    // An anonymous customer is decided per conversation: about half of 2,000 conversations at 50%.
    const s = settings({ percent: 50 });
    const live = Array.from({ length: 2000 }, (_, i) => decide(s, { id: `anon-${i}` })).filter(
      (m) => m === 'live',
    ).length;
    expect(live).toBeGreaterThan(900);
    expect(live).toBeLessThan(1100);
  });
});
