import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../app/open-store.ts';
import type { Store } from '../store/index.ts';
import { dropTestSchema, testPostgresAvailable, testPostgresUrl } from '../store/postgres/testing.ts';
import { type CostInputs, computeMetrics, matchesFilter } from './metrics.ts';
import { aConversation, DAY0, HOUR } from './metrics-testing.ts';
import type { ConversationFacts } from './outcomes.ts';
import { readConversationFacts } from './read-facts.ts';

const MIN = 60_000;
const NOW = DAY0 + 5 * 24 * HOUR;
const COSTS: CostInputs = {
  handleTimeSeconds: 600,
  costPerHumanConversation: 10,
  currency: 'EUR',
  source: 'test',
};

const pgAvailable = await testPostgresAvailable();
const schema = `sb_analytics_${process.pid}_${Date.now().toString(36)}`;
const STORES: Array<{
  name: string;
  skip: boolean;
  open: () => Promise<Store>;
  cleanUp: () => Promise<void>;
}> = [
  { name: 'sqlite', skip: false, open: () => openStore({ db: ':memory:' }), cleanUp: async () => {} },
  {
    name: pgAvailable ? 'postgres' : 'postgres: not reachable, skipped',
    skip: !pgAvailable,
    open: () => openStore({ db: testPostgresUrl, schema }),
    cleanUp: () => dropTestSchema(schema),
  },
];

/** The same hand-built day on each store: the metrics read only the store interface, so they agree. */
for (const { name, skip, open, cleanUp } of STORES) {
  describe.skipIf(skip)(name, () => {
    let store: Store;
    let facts: ConversationFacts[];

    /**
     * One day's hand-built log with known answers (2026-12-01):
     * a confirmed (yes, 5 stars) · b assumed · c escalated no_progress, agent replies after 10 min, closes resolved after
     * 1 h, 3 stars, "could have resolved" · d reopened after 30 h · e abandoned after asking 4 times at one step (one
     * turn asked for a person) · f people only (agent after 5 min, 1 star) · g shadow (agent after 20 min): 4 drafts (as is, edited,
     * discarded, undecided) · h the next day (not counted).
     */
    beforeAll(async () => {
      store = await open();
      const at = (h: number) => DAY0 + h * HOUR;

      const a = await aConversation(store, { id: 'a', at: at(1), segment: 'pro' });
      await a.turn({ at: at(1), bot: ['reply', 'confirm'], workflow: 'order-status', step: 'did_it_help' });
      await a.turn({ at: at(1) + MIN, bot: ['resolve'], resolve: true, workflow: 'order-status' });
      await a.feedback({ at: at(1) + 2 * MIN, resolved: true, rating: 5 });
      await a.judge(at(2), { seq: 0, intent: 'order_status' }); // the NLU said order_status: right

      const b = await aConversation(store, { id: 'b', at: at(2), segment: 'basic' });
      await b.turn({ at: at(2), bot: ['resolve'], resolve: true, workflow: 'order-status' });

      const c = await aConversation(store, { id: 'c', at: at(3), segment: 'pro', channel: 'chatwoot' });
      await c.turn({ at: at(3), bot: ['ask'], workflow: 'refund', step: 'ask_order' });
      await c.turn({ at: at(3) + MIN, bot: ['escalate'], escalate: 'no_progress', workflow: 'refund' });
      const handoffAt = at(3) + MIN + 2000;
      await c.agentReply(handoffAt + 10 * MIN);
      await c.close(handoffAt + HOUR, true);
      await c.feedback({ at: handoffAt + HOUR + MIN, rating: 3 });
      await c.judge(handoffAt + 2 * HOUR, { couldHaveResolved: true });
      await c.judge(handoffAt + 2 * HOUR, { seq: 0, intent: 'refund' }); // the NLU said order_status: wrong

      const d = await aConversation(store, { id: 'd', at: at(4), segment: 'pro' });
      await d.turn({ at: at(4), bot: ['resolve'], resolve: true, workflow: 'order-status' });
      await d.turn({ at: at(34), bot: ['reply'], workflow: 'order-status' });

      const e = await aConversation(store, { id: 'e', at: at(5), segment: 'pro' });
      await e.turn({
        at: at(5),
        bot: ['ask'],
        workflow: 'refund',
        step: 'ask_order',
        analysis: { humanRequested: true },
      });
      for (let i = 1; i < 4; i++)
        await e.turn({ at: at(5) + i * MIN, bot: ['ask'], workflow: 'refund', step: 'ask_order' });

      const f = await aConversation(store, { id: 'f', at: at(6) });
      await f.turn({ at: at(6) });
      await f.agentReply(at(6) + 2000 + 5 * MIN - 2000);
      await f.feedback({ at: at(7), rating: 1 });

      const g = await aConversation(store, { id: 'g', at: at(7) });
      await g.turn({ at: at(7), bot: ['reply'] });
      await g.agentReply(at(7) + 20 * MIN); // a person answered after 20 min: the draft did not
      for (const [i, how] of ['as_is', 'edited', 'discarded', null].entries()) {
        await g.event(at(7), 'shadow.draft', { draftId: `d${i}`, stepId: 's', kind: 'reply' });
        if (how) await g.event(at(8), 'shadow.draft_used', { draftId: `d${i}`, how, by: 'u_1' });
      }
      await g.event(at(9), 'shadow.draft_used', { draftId: 'd0', how: 'edited', by: 'u_1' }); // the newest wins

      const h = await aConversation(store, { id: 'h', at: at(25) });
      await h.turn({ at: at(25), bot: ['resolve'], resolve: true });

      facts = await readConversationFacts({ store, from: DAY0, to: DAY0 + 24 * HOUR });
    });
    afterAll(async () => {
      await store.close();
      await cleanUp();
    });

    describe('computeMetrics on a hand-built day', () => {
      it('counts conversations, outcomes and the rates built on them', () => {
        const m = computeMetrics(facts, { now: NOW, costs: COSTS });
        expect(m).toMatchObject({
          conversations: 7,
          automated: 5,
          shadow: 1,
          outcomes: {
            confirmed_resolved: 1,
            assumed_resolved: 1,
            escalated: 1,
            abandoned: 1,
            reopened: 1,
            pending: 0,
          },
          decided: 5,
          resolutionRate: { confirmed: 0.2, assumed: 0.2, total: 0.4 },
          escalationRate: 0.2,
          escalationsByReason: [{ code: 'no_progress', count: 1, rate: 0.2 }],
          abandonmentRate: 0.2,
          reopenRate: 0.2,
          falsePositives: { count: 1, rate: 0.2, reopened: 1, saidNo: 0, judgedWrong: 0 },
          falseNegatives: { count: 1, rate: 1, judged: 1, matchedWorkflow: 0, byWorkflow: [] },
          intentAccuracy: { judged: 2, correct: 1, rate: 0.5 },
        });
        expect(m.involvementRate).toBeCloseTo(5 / 7, 4);
        expect(m.automationRate).toBeCloseTo((5 / 7) * 0.4, 4);
      });

      it('counts shadow drafts by what agents did, the newest choice winning', () => {
        const m = computeMetrics(facts, { now: NOW, costs: COSTS });
        expect(m.drafts).toEqual({ drafts: 4, asIs: 0, edited: 2, discarded: 1, undecided: 1 });
      });

      it('CSAT, first response and resolution time of the bot and of people, apart', () => {
        const m = computeMetrics(facts, { now: NOW, costs: COSTS });
        expect(m.csat).toEqual({
          automated: { mean: 5, score: 1, count: 1 },
          people: { mean: 2, score: 0.25, count: 2 },
        });
        expect(m.firstResponseSeconds).toEqual({
          bot: { median: 2, p90: 2, count: 5 },
          people: { median: 600, p90: 1080, count: 3 },
          // The bot's 2 s in a to e, people's 300 s in f and 1,200 s in g (shadow: its bot line was a draft).
          all: { median: 2, p90: 660, count: 7 },
        });
        expect(m.resolutionSeconds.bot).toEqual({ median: 32, p90: 56, count: 2 });
        expect(m.resolutionSeconds.people).toEqual({ median: 3600, p90: 3600, count: 1 });
      });

      it('cost per conversation and hours saved from the cost settings', () => {
        const m = computeMetrics(facts, { now: NOW, costs: COSTS });
        // People handled c (escalated), f (no bot) and g (shadow): 3 x 10 over 7 conversations; a and b resolved.
        expect(m.cost).toEqual({
          peopleHandled: 3,
          costPerConversation: 4.29,
          costWithoutAutomation: 10,
          hoursSaved: 0.33,
          costSaved: 20,
        });
      });

      it('the escalation bars: a request for a person not handed over, four turns stuck at one step', () => {
        const m = computeMetrics(facts, { now: NOW, costs: COSTS });
        expect(m.escalationBars).toEqual({
          humanRequestNotHandedOver: 1,
          exclusionNotHandedOver: 0,
          negativeSentimentNotHandedOver: 0,
          overMaxExchanges: 1,
        });
        const lenient = computeMetrics(facts, {
          now: NOW,
          costs: COSTS,
          bars: { maxExchangesBeforeHandoff: 4, negativeSentimentBelow: -0.5, frustrationAbove: 0.8 },
        });
        expect(lenient.escalationBars.overMaxExchanges).toBe(0);
      });

      it('filters by channel, segment and workflow', () => {
        const by = (filter: Parameters<typeof matchesFilter>[1]) =>
          computeMetrics(
            facts.filter((f) => matchesFilter(f, filter)),
            { now: NOW, costs: COSTS },
          );
        expect(by({ channel: 'chatwoot' })).toMatchObject({
          conversations: 1,
          automated: 1,
          outcomes: { escalated: 1 },
        });
        expect(by({ segment: 'pro' })).toMatchObject({ conversations: 4, automated: 4 });
        expect(by({ workflow: 'refund' })).toMatchObject({
          conversations: 2,
          outcomes: { escalated: 1, abandoned: 1 },
        });
        expect(by({ segment: 'none' })).toMatchObject({ conversations: 2, automated: 0, involvementRate: 0 });
      });

      it('is recomputable as of an earlier moment: before the customer of d came back, d was assumed resolved', () => {
        const m = computeMetrics(facts, { now: DAY0 + 30 * HOUR, costs: COSTS });
        expect(m.outcomes).toMatchObject({ assumed_resolved: 2, reopened: 0 });
        // Before 24 h passed nothing was assumed: b, d and e are pending, and rates leave pending conversations out.
        const early = computeMetrics(facts, { now: DAY0 + 12 * HOUR, costs: COSTS });
        expect(early.outcomes).toMatchObject({ pending: 3, confirmed_resolved: 1, escalated: 1 });
        expect(early.decided).toBe(2);
        expect(early.resolutionRate.total).toBe(0.5);
      });
    });
  });
}
