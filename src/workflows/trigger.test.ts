import { describe, expect, it } from 'vitest';
import { type WorkflowInput, WorkflowSchema } from './definition.ts';
import { selectWorkflow, triggerMatches } from './trigger.ts';

const workflow = (id: string, trigger: WorkflowInput['trigger'], extra: Partial<WorkflowInput> = {}) =>
  WorkflowSchema.parse({ id, version: 1, trigger, steps: [{ id: 'done', type: 'resolve' }], ...extra });

const context = (
  intent: string | null,
  more: { plan?: string; channel?: string; entities?: string[] } = {},
) => ({
  turn: { intent, entities: (more.entities ?? []).map((type) => ({ type, value: 'x', start: 0, end: 1 })) },
  customer: { attributes: {}, ...(more.plan ? { plan: more.plan } : {}) },
  channel: more.channel ?? 'chat',
});

describe('triggerMatches', () => {
  it('needs the intent, and every condition that is given', () => {
    const w = workflow('w', {
      intents: ['refund_request'],
      segments: ['pro'],
      channels: ['chat'],
      entities: ['order_number'],
    });
    expect(triggerMatches(w, context('refund_request', { plan: 'pro', entities: ['order_number'] }))).toBe(
      true,
    );
    expect(triggerMatches(w, context('order_status', { plan: 'pro', entities: ['order_number'] }))).toBe(
      false,
    );
    expect(triggerMatches(w, context('refund_request', { plan: 'free', entities: ['order_number'] }))).toBe(
      false,
    );
    expect(
      triggerMatches(
        w,
        context('refund_request', { plan: 'pro', channel: 'email', entities: ['order_number'] }),
      ),
    ).toBe(false);
    expect(triggerMatches(w, context('refund_request', { plan: 'pro' }))).toBe(false);
    expect(triggerMatches(w, context(null))).toBe(false);
  });
});

describe('selectWorkflow', () => {
  it('prefers the most specific trigger, then the first', () => {
    const general = workflow('general', { intents: ['refund_request'] });
    const pro = workflow('pro', { intents: ['refund_request'], segments: ['pro'] });
    expect(selectWorkflow([general, pro], context('refund_request', { plan: 'pro' }))?.id).toBe('pro');
    expect(selectWorkflow([general, pro], context('refund_request', { plan: 'free' }))?.id).toBe('general');
    expect(selectWorkflow([general, pro], context('password_reset'))).toBeNull();
  });
});
