import { describe, expect, it } from 'vitest';
import { openStore } from '../app/open-store.ts';
import { fakeClock } from '../shared/index.ts';
import type { Store } from '../store/index.ts';
import { anAnalysis } from '../store/test-builders.ts';
import { listCandidates, reviewCandidates } from './corrections.ts';

const T0 = Date.parse('2026-12-07T10:00:00Z');

async function message(store: Store, id: string, text: string, intent: string) {
  if (!(await store.findConversation(id))) {
    await store.createConversation({ id, customer: { attributes: {} }, channel: 'widget', at: T0 });
  }
  const { message: m } = await store.receiveMessage({ conversationId: id, text, at: T0 });
  const current = await store.findConversation(id);
  await store.recordTurn({
    conversationId: id,
    expectedRevision: current?.revision ?? 0,
    messages: [],
    handled: [{ seq: m.seq, analysis: anAnalysis(text, { intent }) }],
    at: T0,
  });
  return m.seq;
}

async function judge(store: Store, id: string, payload: Record<string, unknown>): Promise<number> {
  await store.changeConversation({
    conversationId: id,
    events: [{ type: 'agent.judgement', payload: { by: 'u_ana', ...payload } }],
    by: 'user:u_ana',
    at: T0 + 1,
  });
  return (await store.listEvents({ type: 'agent.judgement', limit: 1000 })).at(-1)?.id ?? 0;
}

describe('candidate examples from agents’ corrections', () => {
  it('lists each intent judgement with its provenance, status and conflicts, and records a lead’s review', async () => {
    const store = await openStore({ db: ':memory:' });
    const a = await message(store, 'c1', 'I want my money back for the broken kettle', 'order_status');
    const b = await message(store, 'c2', 'I want my money back for the broken kettle!', 'refund_request');
    const c = await message(store, 'c3', 'do you sell gift cards', 'billing_question');
    const first = await judge(store, 'c1', { seq: a, intent: 'refund_request', couldHaveResolved: true });
    const second = await judge(store, 'c2', { seq: b, intent: 'complaint' });
    const third = await judge(store, 'c3', { seq: c, intent: null });
    await judge(store, 'c3', { verdict: 'wrong' }); // no intent named: not a candidate

    const listed = await listCandidates({ store });
    expect(listed.map((x) => [x.id, x.proposed, x.predicted, x.status, x.missedAutomation])).toEqual([
      [first, 'refund_request', 'order_status', 'candidate', true],
      [second, 'complaint', 'refund_request', 'candidate', false],
      [third, null, 'billing_question', 'candidate', false],
    ]);
    expect(listed[0]).toMatchObject({
      conversationId: 'c1',
      seq: a,
      by: 'u_ana',
      text: 'I want my money back for the broken kettle',
    });
    // Nearly the same text, two labels: decide together.
    expect(listed[0]?.conflicts).toEqual([second]);
    expect(listed[1]?.conflicts).toEqual([first]);

    const clock = fakeClock(T0 + 10);
    await reviewCandidates({ store, clock, ids: [second], decision: 'rejected', by: 'cli' });
    await reviewCandidates({ store, clock, ids: [first], decision: 'accepted', by: 'cli' });
    const [gift] = await reviewCandidates({
      store,
      clock,
      ids: [third],
      decision: 'accepted',
      label: 'gift_cards',
      by: 'user:u_lea',
    });
    expect(gift).toMatchObject({
      status: 'accepted',
      label: 'gift_cards',
      proposed: null,
      reviewedBy: 'user:u_lea',
    });
    const after = await listCandidates({ store });
    expect(after.map((x) => [x.status, x.label, x.conflicts])).toEqual([
      ['accepted', 'refund_request', []],
      ['rejected', 'complaint', []],
      ['accepted', 'gift_cards', []],
    ]);
    await store.close();
  });

  it('refuses an unknown id or a bad label and writes nothing', async () => {
    const store = await openStore({ db: ':memory:' });
    const seq = await message(store, 'c1', 'where is my parcel', 'order_status');
    const id = await judge(store, 'c1', { seq, intent: 'shipping_delay' });
    const clock = fakeClock(T0);
    await expect(
      reviewCandidates({ store, clock, ids: [id, 999], decision: 'accepted', by: 'cli' }),
    ).rejects.toMatchObject({
      code: 'corrections.unknown',
      message: expect.stringContaining('999'),
    });
    await expect(
      reviewCandidates({ store, clock, ids: [id], decision: 'accepted', label: 'Not A Label', by: 'cli' }),
    ).rejects.toMatchObject({ code: 'corrections.bad_label' });
    expect(await store.listEvents({ type: 'correction.reviewed', limit: 10 })).toEqual([]);
    await store.close();
  });
});
