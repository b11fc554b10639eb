import { beforeAll, describe, expect, it } from 'vitest';
import { buildConnectorRegistry, DEMO_SHOP_IN_PROCESS } from '../app/connectors.ts';
import { openStore } from '../app/open-store.ts';
import { DEMO_WORKFLOWS_DIR } from '../app/workflows-dir.ts';
import { loadExclusionRules } from '../audit/index.ts';
import { FIXTURE_CUSTOMER_ONE_ORDER } from '../connectors/demo-shop/index.ts';
import { demoTicketToRecord, generateDemoTickets } from '../demo/index.ts';
import { DEFAULT_GUARDRAILS } from '../domain/index.ts';
import {
  createNlu,
  DEFAULT_TRAIN_OPTIONS,
  type Nlu,
  trainIntentModel,
  trainingExamplesFromTickets,
} from '../nlu/index.ts';
import { fakeClock, silentLogger } from '../shared/index.ts';
import { loadWorkflowDir, type WorkflowDefinition } from '../workflows/index.ts';
import { workflowSet } from './plan-turn.ts';
import { type ConversationRuntime, createConversationRuntime } from './runtime.ts';
import { createTurnAnalyser } from './turn-analysis.ts';

let nlu: Nlu;
let workflows: WorkflowDefinition[];

beforeAll(() => {
  // An intent model trained on the demo history, as `npm start` trains it (smaller, for speed).
  const tickets = Array.from(generateDemoTickets({ tickets: 1200, seed: 3 }), demoTicketToRecord);
  const examples = trainingExamplesFromTickets(
    tickets.map((t, i) => ({
      ...t,
      id: i + 1,
      customer: null,
      firstResponseSeconds: null,
      resolutionSeconds: null,
      customerMessageCount: 0,
      agentMessageCount: 0,
      agentStarted: false,
      messages: t.messages.map((m, seq) => ({
        id: seq,
        seq,
        externalId: null,
        authorRole: m.authorRole,
        authorId: null,
        body: m.body,
        createdAt: m.createdAt,
        public: true,
      })),
    })),
  );
  nlu = createNlu({ model: trainIntentModel(examples, DEFAULT_TRAIN_OPTIONS) });
  workflows = loadWorkflowDir(DEMO_WORKFLOWS_DIR).workflows.map((w) => w.definition);
}, 60_000);

async function setUp(
  props: { connectors?: Parameters<typeof buildConnectorRegistry>[0]['config']; withModel?: boolean } = {},
) {
  const store = await openStore({ db: ':memory:' });
  const clock = fakeClock(Date.UTC(2026, 10, 2, 9));
  const runtime = createConversationRuntime({
    store,
    analyse: createTurnAnalyser({
      nlu: props.withModel === false ? null : nlu,
      exclusions: loadExclusionRules(),
    }),
    workflows: workflowSet(workflows),
    // Retries without waiting: the failures below are real (a refused loopback connection), the backoff is not.
    connectors: buildConnectorRegistry({
      config: props.connectors ?? { connectors: DEMO_SHOP_IN_PROCESS },
      clock,
      logger: silentLogger,
      sleep: async () => {},
    }),
    guardrails: DEFAULT_GUARDRAILS,
    clock,
  });
  return { store, runtime, clock };
}

async function converse(runtime: ConversationRuntime, id: string, turns: string[], email?: string) {
  await runtime.startConversation({
    id,
    customer: { ...(email ? { email } : {}), attributes: {} },
    channel: 'chat',
  });
  const reports = [];
  for (const text of turns) reports.push(await runtime.handleCustomerMessage({ conversationId: id, text }));
  return reports;
}

describe('conversation runtime', () => {
  it('a connector failing after its retries escalates with the error stated', async () => {
    // Nothing listens on port 1: every attempt is refused.
    const { runtime, store } = await setUp({
      connectors: { connectors: { 'demo-shop': { baseUrl: 'http://127.0.0.1:1' } } },
    });
    const [turn] = await converse(runtime, 'c1', ['where is my order SB-100001?']);
    expect(turn?.escalation?.code).toBe('connector_failed');
    expect(turn?.escalation?.reason).toMatch(/demo-shop getOrder failed: /);
    expect(turn?.owner).toBe('human');
    const handoff = turn?.handoff;
    expect(handoff?.escalation.code).toBe('connector_failed');
    expect(JSON.stringify(handoff)).toContain('getOrder');
    expect((await store.listHandoffs({ conversationId: 'c1' }))[0]?.code).toBe('connector_failed');
    await store.close();
  });

  it('masks a card number and its CVV before the customer text is stored, and keeps the order number', async () => {
    const { runtime, store } = await setUp();
    const [turn] = await converse(runtime, 'c-card', [
      'refund order SB-100001 to my card 4111 1111 1111 1111 cvv 123 please, ann@example.com',
    ]);
    const stored = await store.getConversation('c-card');
    const text = stored?.messages.find((m) => m.role === 'customer')?.text;
    expect(text).toBe(
      'refund order SB-100001 to my card [card ending 1111] cvv [cvv] please, ann@example.com',
    );
    expect(JSON.stringify(stored)).not.toMatch(/4111 1111 1111 1111|cvv 123/);
    expect(JSON.stringify(turn)).not.toMatch(/4111 1111 1111 1111|cvv 123/);
    await store.close();
  });

  it('without a model: one clarifying question, then a person', async () => {
    const { runtime } = await setUp({ withModel: false });
    const [first, second] = await converse(runtime, 'c2', ['hello there', 'I need help with something']);
    expect(first?.guardrail).toBe('clarify');
    expect(first?.bot[0]?.kind).toBe('clarify');
    expect(second?.guardrail).toBe('escalate');
    expect(second?.escalation?.code).toBe('out_of_scope');
  });

  it('an exclusion is never automated, whatever the intent', async () => {
    const { runtime } = await setUp();
    const [turn] = await converse(runtime, 'c3', [
      'my account was hacked and someone placed an order, where is my order?',
    ]);
    expect(turn?.escalation?.code).toBe('excluded');
    expect(turn?.workflow).toBeNull();
  });

  it('stays silent while a person owns the conversation, and answers again once handed back', async () => {
    const { runtime, store, clock } = await setUp();
    const [, escalated] = await converse(
      runtime,
      'c4',
      ['where is my order', 'let me talk to a human'],
      FIXTURE_CUSTOMER_ONE_ORDER.email,
    );
    expect(escalated?.owner).toBe('human');
    const silent = await runtime.handleCustomerMessage({ conversationId: 'c4', text: 'hello?' });
    expect(silent.bot).toEqual([]);

    clock.advance(60_000);
    await store.setConversationOwner({
      conversationId: 'c4',
      owner: 'bot',
      by: 'agent:ana',
      at: clock.now(),
    });
    const back = await runtime.handleCustomerMessage({ conversationId: 'c4', text: 'where is my order?' });
    expect(back.owner).toBe('bot');
    expect(back.bot[0]?.text).toMatch(/SB-100001 has shipped/);

    const owners = (
      await store.listEvents({ limit: 100, conversationId: 'c4', type: 'conversation.owner_changed' })
    ).map((e) => e.payload);
    expect(owners).toEqual([
      { from: 'bot', to: 'human' },
      { from: 'human', to: 'bot', by: 'agent:ana' },
    ]);
    const stored = await store.getConversation('c4');
    expect(stored?.messages.filter((m) => m.role === 'customer').map((m) => m.text)).toEqual([
      'where is my order',
      'let me talk to a human',
      'hello?',
      'where is my order?',
    ]);
  });

  it('resumes a conversation from the store after a restart (a new runtime on the same store)', async () => {
    const { runtime, store } = await setUp();
    await converse(runtime, 'c5', ['where is my order?']);
    const clock = fakeClock(Date.UTC(2026, 10, 2, 10));
    const restarted = createConversationRuntime({
      store,
      analyse: createTurnAnalyser({ nlu, exclusions: loadExclusionRules() }),
      workflows: workflowSet(workflows),
      connectors: buildConnectorRegistry({
        config: { connectors: DEMO_SHOP_IN_PROCESS },
        clock,
        logger: silentLogger,
      }),
      guardrails: DEFAULT_GUARDRAILS,
      clock,
    });
    const turn = await restarted.handleCustomerMessage({ conversationId: 'c5', text: 'it is order #100002' });
    expect(turn.bot[0]?.text).toMatch(/SB-100002.*being prepared/);
  });
});
