import { describe, expect, it } from 'vitest';
import { buildConnectorRegistry } from '../app/connectors.ts';
import { openStore } from '../app/open-store.ts';
import { createConversationService, workflowSet } from '../conversations/index.ts';
import { analyseAs, GREETING_WORKFLOW as greeting } from '../conversations/testing.ts';
import { DEFAULT_GUARDRAILS } from '../domain/index.ts';
import { createInbox } from '../inbox/index.ts';
import { createPilots, EMPTY_PILOT_STATE, pilotDecisions } from '../pilots/index.ts';
import { fakeClock, silentLogger } from '../shared/index.ts';
import type { StoredUser } from '../store/index.ts';
import { computeMetrics } from './metrics.ts';
import { outcomeOf } from './outcomes.ts';
import { readConversationFacts } from './read-facts.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 7, 9);

const analyse = analyseAs('greeting');

/**
 * The metrics on conversations the real runtime wrote: a live one resolved with a rating, one in shadow mode
 * whose draft an agent edited in the inbox, one the kill switch stopped before the bot spoke, one that left
 * while the bot asked.
 */
describe('metrics of the live runtime, pilots and inbox', () => {
  it('reads what the services wrote', async () => {
    const store = await openStore({ db: ':memory:' });
    const clock = fakeClock(T0);
    const pilots = createPilots({ store, clock, workflows: [{ id: 'greeting', intents: ['greeting'] }] });
    let decisions = pilotDecisions(EMPTY_PILOT_STATE);
    const reload = async () => {
      decisions = pilotDecisions(await pilots.state());
    };
    const service = createConversationService({
      store,
      analyse,
      workflows: workflowSet([greeting]),
      connectors: buildConnectorRegistry({ config: { connectors: {} }, clock, logger: silentLogger }),
      guardrails: DEFAULT_GUARDRAILS,
      clock,
      mode: 'inline',
      pilots: () => decisions,
    });
    const inbox = createInbox({ store, clock, deliveries: () => [] });
    const agent = { id: 'u_1', email: 'ana@shop.example', role: 'agent' } as StoredUser;
    const say = async (conversationId: string, text: string) => {
      await service.receive({ conversationId, text });
      await service.processPending(conversationId);
      clock.advance(60_000);
    };
    const start = (id: string) => service.start({ id, customer: { attributes: {} }, channel: 'widget' });

    await start('live');
    await say('live', 'hi');
    await say('live', 'Ada');
    await service.feedback({ conversationId: 'live', rating: 4, source: 'widget' });

    await start('left');
    await say('left', 'hi'); // asked for a name, never answered

    await pilots.set({ workflowId: 'greeting', settings: { mode: 'shadow' }, by: 'cli', why: 'measure' });
    await reload();
    await start('shadow');
    await say('shadow', 'hi');
    const [draft] = await store.listEvents({ limit: 10, conversationId: 'shadow', type: 'shadow.draft' });
    await inbox.useDraft({
      conversationId: 'shadow',
      user: agent,
      draftId: String(draft?.payload.draftId),
      how: 'edited',
      text: 'Hello, who am I talking to?',
    });

    await pilots.set({ workflowId: 'greeting', settings: { mode: 'live' }, by: 'cli', why: 'go' });
    await pilots.kill({ workflowId: 'greeting', by: 'cli', why: 'wrong greetings' });
    await reload();
    await start('killed');
    await say('killed', 'hi');

    const facts = await readConversationFacts({ store, from: T0, to: T0 + 24 * HOUR });
    const now = T0 + 48 * HOUR;
    const byId = new Map(facts.map((f) => [f.id, outcomeOf(f, { now })]));
    expect(byId.get('live')?.kind).toBe('assumed_resolved'); // resolved, no "yes": assumed after 24 h
    expect(byId.get('left')?.kind).toBe('abandoned');
    expect(byId.get('shadow')).toBeUndefined();
    expect(byId.get('killed')).toBeUndefined();

    const m = computeMetrics(facts, {
      now,
      costs: { handleTimeSeconds: 360, costPerHumanConversation: 3, currency: 'USD', source: 'test' },
    });
    expect(m).toMatchObject({
      conversations: 4,
      automated: 2,
      shadow: 1,
      outcomes: { assumed_resolved: 1, abandoned: 1, escalated: 0 },
      drafts: { drafts: 1, edited: 1, asIs: 0, discarded: 0, undecided: 0 },
      csat: { automated: { mean: 4, count: 1 } },
      cost: { peopleHandled: 2, hoursSaved: 0.1 },
    });
    // The shadow conversation's first answer is the agent's edited draft, a minute after the hand-off; nobody
    // answered the killed one yet.
    expect(m.firstResponseSeconds.people).toEqual({ median: 60, p90: 60, count: 1 });
    await store.close();
  });
});
