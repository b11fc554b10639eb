import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../app/open-store.ts';
import type { Store } from '../store/index.ts';
import { aConversation, DAY0, HOUR } from './metrics-testing.ts';
import { outcomeOf } from './outcomes.ts';
import { readConversationFacts } from './read-facts.ts';

let store: Store;
beforeEach(async () => {
  store = await openStore({ db: ':memory:' });
});
afterEach(async () => {
  await store.close();
});

/** The outcome of conversation `id` as of `now`, read back from the store. */
async function outcome(id: string, now: number) {
  const facts = await readConversationFacts({ store, from: DAY0, to: DAY0 + 30 * 24 * HOUR });
  const found = facts.find((f) => f.id === id);
  if (!found) throw new Error(`no conversation ${id}`);
  return outcomeOf(found, { now });
}

const resolvingTurn = { at: DAY0 + HOUR, bot: ['reply', 'confirm'] as const, workflow: 'order-status' };

describe('outcomeOf', () => {
  it('confirmed: the bot resolved and the customer said yes', async () => {
    const c = await aConversation(store, { id: 'a', at: DAY0 + HOUR });
    await c.turn({ ...resolvingTurn, bot: ['reply', 'confirm'] });
    await c.turn({ at: DAY0 + HOUR + 60_000, bot: ['resolve'], resolve: true });
    await c.feedback({ at: DAY0 + HOUR + 120_000, resolved: true, rating: 5 });
    const o = await outcome('a', DAY0 + 2 * HOUR);
    expect(o).toMatchObject({ kind: 'confirmed_resolved', falsePositive: [], firstCustomerAt: DAY0 + HOUR });
    expect(o?.at).toBe(DAY0 + HOUR + 62_000);
  });

  it('confirmed: the customer answered the workflow\'s "Does that answer your question?" and the bot resolved', async () => {
    const c = await aConversation(store, { id: 'a', at: DAY0 + HOUR });
    await c.turn({ at: DAY0 + HOUR, bot: ['reply', 'confirm'], workflow: 'billing-faq' });
    await c.turn({ at: DAY0 + HOUR + 60_000, bot: ['resolve'], resolve: true, workflow: 'billing-faq' });
    expect((await outcome('a', DAY0 + 2 * HOUR))?.kind).toBe('confirmed_resolved');
    // A resolution after an answer to a question that was not the confirmation is only assumed.
    const d = await aConversation(store, { id: 'd', at: DAY0 + HOUR });
    await d.turn({ at: DAY0 + HOUR, bot: ['ask'], workflow: 'order-status' });
    await d.turn({ at: DAY0 + HOUR + 60_000, bot: ['resolve'], resolve: true, workflow: 'order-status' });
    expect((await outcome('d', DAY0 + 30 * HOUR))?.kind).toBe('assumed_resolved');
  });

  it('assumed: resolved by the bot and silence for 24 h; pending before the window has passed', async () => {
    const c = await aConversation(store, { id: 'a', at: DAY0 + HOUR });
    await c.turn({ at: DAY0 + HOUR, bot: ['resolve'], resolve: true });
    expect((await outcome('a', DAY0 + 20 * HOUR))?.kind).toBe('pending');
    expect((await outcome('a', DAY0 + 26 * HOUR))?.kind).toBe('assumed_resolved');
  });

  it('assumed: an answer (not a question) and no customer message for 24 h, without a resolution event', async () => {
    const c = await aConversation(store, { id: 'a', at: DAY0 + HOUR });
    await c.turn({ at: DAY0 + HOUR, bot: ['reply', 'confirm'] });
    expect((await outcome('a', DAY0 + 26 * HOUR))?.kind).toBe('assumed_resolved');
  });

  it('abandoned: the bot asked for a detail and the customer never answered within 24 h', async () => {
    const c = await aConversation(store, { id: 'a', at: DAY0 + HOUR });
    // An answer followed by a question in the same turn is a question: the customer left mid-flow.
    await c.turn({ at: DAY0 + HOUR, bot: ['reply', 'ask'], workflow: 'refund' });
    expect((await outcome('a', DAY0 + 10 * HOUR))?.kind).toBe('pending');
    expect(await outcome('a', DAY0 + 30 * HOUR)).toMatchObject({ kind: 'abandoned', code: null });
  });

  it('reopened within 72 h: the resolution is taken back, and it is a false positive', async () => {
    const c = await aConversation(store, { id: 'a', at: DAY0 + HOUR });
    await c.turn({ at: DAY0 + HOUR, bot: ['resolve'], resolve: true });
    await c.feedback({ at: DAY0 + HOUR + 60_000, resolved: true });
    expect((await outcome('a', DAY0 + 30 * HOUR))?.kind).toBe('confirmed_resolved');
    await c.turn({ at: DAY0 + 50 * HOUR, bot: ['reply'] });
    const o = await outcome('a', DAY0 + 60 * HOUR);
    expect(o).toMatchObject({ kind: 'reopened', falsePositive: ['reopened'] });
    // Recomputed as of before the customer came back, it was resolved.
    expect((await outcome('a', DAY0 + 40 * HOUR))?.kind).toBe('confirmed_resolved');
  });

  it('a customer message after 72 h is a new request: the resolution stands', async () => {
    const c = await aConversation(store, { id: 'a', at: DAY0 + HOUR });
    await c.turn({ at: DAY0 + HOUR, bot: ['resolve'], resolve: true });
    await c.turn({ at: DAY0 + 80 * HOUR, bot: ['reply'] });
    expect((await outcome('a', DAY0 + 100 * HOUR))?.kind).toBe('assumed_resolved');
  });

  it('escalated by its code; a "could have resolved" judgement makes it a false negative', async () => {
    const c = await aConversation(store, { id: 'a', at: DAY0 + HOUR });
    await c.turn({ at: DAY0 + HOUR, bot: ['ask'], workflow: 'order-status' });
    await c.turn({ at: DAY0 + 2 * HOUR, bot: ['escalate'], escalate: 'no_progress' });
    expect(await outcome('a', DAY0 + 3 * HOUR)).toMatchObject({
      kind: 'escalated',
      code: 'no_progress',
      falseNegative: false,
    });
    await c.judge(DAY0 + 4 * HOUR, { couldHaveResolved: true });
    expect((await outcome('a', DAY0 + 5 * HOUR))?.falseNegative).toBe(true);
  });

  it('the customer said no: escalated not_resolved and a false positive', async () => {
    const c = await aConversation(store, { id: 'a', at: DAY0 + HOUR });
    await c.turn({ at: DAY0 + HOUR, bot: ['resolve'], resolve: true });
    await c.feedback({ at: DAY0 + 2 * HOUR, resolved: false });
    expect(await outcome('a', DAY0 + 3 * HOUR)).toMatchObject({
      kind: 'escalated',
      code: 'not_resolved',
      falsePositive: ['said_no'],
    });
  });

  it('an agent judging the bot wrong marks a resolved conversation a false positive', async () => {
    const c = await aConversation(store, { id: 'a', at: DAY0 + HOUR });
    await c.turn({ at: DAY0 + HOUR, bot: ['resolve'], resolve: true });
    await c.judge(DAY0 + 2 * HOUR, { verdict: 'wrong' });
    expect(await outcome('a', DAY0 + 30 * HOUR)).toMatchObject({
      kind: 'assumed_resolved',
      falsePositive: ['judged_wrong'],
    });
    await c.judge(DAY0 + 3 * HOUR, { verdict: 'right' }); // the newest verdict wins
    expect((await outcome('a', DAY0 + 30 * HOUR))?.falsePositive).toEqual([]);
  });

  it('not automated: no bot line, shadow mode, or the kill switch before the bot spoke', async () => {
    const a = await aConversation(store, { id: 'a', at: DAY0 + HOUR });
    await a.turn({ at: DAY0 + HOUR });
    const b = await aConversation(store, { id: 'b', at: DAY0 + HOUR });
    await b.turn({ at: DAY0 + HOUR, bot: ['reply'] });
    await b.event(DAY0 + HOUR, 'shadow.draft', { draftId: 'd1', stepId: 's', kind: 'reply' });
    // The shadow pilot's hand-off, even with no draft to show.
    const c = await aConversation(store, { id: 'c', at: DAY0 + HOUR });
    await c.turn({ at: DAY0 + HOUR, bot: ['escalate'], escalate: 'shadow_mode' });
    // The kill switch before the bot said anything: only its hand-off line.
    const d = await aConversation(store, { id: 'd', at: DAY0 + HOUR });
    await d.turn({ at: DAY0 + HOUR, bot: ['escalate'], escalate: 'automation_paused' });
    for (const id of ['a', 'b', 'c', 'd']) expect(await outcome(id, DAY0 + 30 * HOUR)).toBeUndefined();
    // Paused in flight, after the bot had asked: automated, escalated with the kill switch's code.
    const e = await aConversation(store, { id: 'e', at: DAY0 + HOUR });
    await e.turn({ at: DAY0 + HOUR, bot: ['ask'], workflow: 'refund' });
    await e.turn({ at: DAY0 + 2 * HOUR, bot: ['escalate'], escalate: 'automation_paused' });
    expect(await outcome('e', DAY0 + 30 * HOUR)).toMatchObject({
      kind: 'escalated',
      code: 'automation_paused',
    });
  });
});
