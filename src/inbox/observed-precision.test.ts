import { describe, expect, it } from 'vitest';
import { openStore } from '../app/open-store.ts';
import { capturingLogger } from '../connectors/index.ts';
import { fakeClock } from '../shared/index.ts';
import type { Store, StoredUser } from '../store/index.ts';
import { anAnalysis } from '../store/test-builders.ts';
import { createInbox } from './inbox.ts';
import { observedPrecision } from './observed-precision.ts';

const T0 = Date.parse('2026-12-07T10:00:00Z');

/** A conversation whose customer turns the NLU read as `intents` (null: refused, low confidence). */
async function conversation(store: Store, id: string, intents: Array<string | null>) {
  await store.createConversation({ id, customer: { attributes: {} }, channel: 'widget', at: T0 });
  for (const [i, intent] of intents.entries()) {
    const { message } = await store.receiveMessage({ conversationId: id, text: `message ${i}`, at: T0 + i });
    const current = await store.findConversation(id);
    await store.recordTurn({
      conversationId: id,
      expectedRevision: current?.revision ?? 0,
      messages: [],
      handled: [
        {
          seq: message.seq,
          analysis: anAnalysis(
            `message ${i}`,
            intent ? { intent } : { intent: 'order_status', reason: 'low_confidence' },
          ),
        },
      ],
      at: T0 + i,
    });
  }
}

const judge = (store: Store, id: string, payload: Record<string, unknown>) =>
  store.changeConversation({
    conversationId: id,
    events: [{ type: 'agent.judgement', payload: { by: 'u_1', ...payload } }],
    by: 'user:u_1',
    at: T0,
  });

describe('observedPrecision', () => {
  it('counts the accepted turns agents judged: a named intent, or a conversation handled right', async () => {
    const store = await openStore({ db: ':memory:' });
    await conversation(store, 'a', ['refund', 'order_status', null]);
    await conversation(store, 'b', ['refund']);
    await conversation(store, 'c', ['order_status']);
    await judge(store, 'a', { seq: 0, intent: 'cancel' }); // wrong
    await judge(store, 'a', { seq: 1, intent: 'order_status' }); // right
    await judge(store, 'a', { seq: 2, intent: 'refund' }); // refused turn: not an automated answer
    await judge(store, 'b', { verdict: 'right' }); // its accepted turn is right
    await judge(store, 'c', { verdict: 'wrong' }); // which turn? left out
    const observed = await observedPrecision({ store, target: 0.97 });
    expect(observed).toMatchObject({ judged: 3, right: 2, status: 'too_few', target: 0.97 });
    expect(observed.precision).toBeCloseTo(2 / 3);
    expect(observed.byIntent).toEqual([
      { intent: 'refund', judged: 2, right: 1 },
      { intent: 'order_status', judged: 1, right: 1 },
    ]);
    // A later judgement of the same turn wins.
    await judge(store, 'a', { seq: 0, intent: 'refund' });
    expect((await observedPrecision({ store, target: 0.97 })).right).toBe(3);
    expect((await observedPrecision({ store, target: null })).status).toBe('no_model');
    await store.close();
  });

  it('warns through the inbox once 20 judged answers fall under the target', async () => {
    const store = await openStore({ db: ':memory:' });
    const logger = capturingLogger();
    const inbox = createInbox({
      store,
      clock: fakeClock(T0),
      logger,
      deliveries: () => [],
      target: () => 0.97,
    });
    const user = { id: 'u_1', email: 'a@shop.example', role: 'agent' } as StoredUser;
    for (let i = 0; i < 20; i++) {
      await conversation(store, `w${i}`, ['refund']);
      // 18 right, 2 wrong: 90% < 97%.
      await inbox.judge({
        conversationId: `w${i}`,
        user,
        judgement: { seq: 0, intent: i < 2 ? 'cancel' : 'refund' },
      });
    }
    const observed = await inbox.observedPrecision();
    expect(observed).toMatchObject({ judged: 20, right: 18, status: 'below_target' });
    const warnings = logger.lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.fields).toMatchObject({ observedPrecision: 0.9, target: 0.97, judged: 20 });
    expect(warnings[0]?.message).toMatch(/under the target precision/);
    // Once, not on every judgement after: a busy inbox would fill the log with the same line.
    for (let i = 20; i < 25; i++) {
      await conversation(store, `w${i}`, ['refund']);
      await inbox.judge({ conversationId: `w${i}`, user, judgement: { seq: 0, intent: 'cancel' } });
    }
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    await store.close();
  });
});
