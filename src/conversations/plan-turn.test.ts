import { describe, expect, it } from 'vitest';
import { buildConnectorRegistry, DEMO_SHOP_IN_PROCESS } from '../app/connectors.ts';
import { openStore } from '../app/open-store.ts';
import { DEMO_WORKFLOWS_DIR } from '../app/workflows-dir.ts';
import { DEFAULT_GUARDRAILS, type TurnAnalysis } from '../domain/index.ts';
import { fakeClock, silentLogger } from '../shared/index.ts';
import { loadWorkflowDir } from '../workflows/index.ts';
import { type KnowledgeSearch, workflowSet } from './plan-turn.ts';
import { createConversationRuntime } from './runtime.ts';

/** Every message read as an accepted `intent`. */
const analyseAs =
  (intent: string) =>
  (text: string): TurnAnalysis => ({
    text,
    intent,
    confidence: 0.99,
    outOfScope: false,
    reason: 'accepted',
    entities: [],
    sentiment: { score: 0, label: 'neutral', frustration: 0, cues: [] },
    humanRequested: false,
    exclusions: [],
  });

describe('the answer step', () => {
  it("searches the knowledge base with the running workflow's intent", async () => {
    const store = await openStore({ db: ':memory:' });
    const clock = fakeClock(Date.UTC(2026, 10, 2, 9));
    const asked: { query: string; intent: string | null | undefined }[] = [];
    const search: KnowledgeSearch = (query, turn) => {
      asked.push({ query, intent: turn?.intent });
      return { passage: 'You are billed on the 1st of each month.', title: 'Billing dates', score: 0.9 };
    };
    const runtime = createConversationRuntime({
      store,
      analyse: analyseAs('billing_question'),
      workflows: workflowSet(loadWorkflowDir(DEMO_WORKFLOWS_DIR).workflows.map((w) => w.definition)),
      connectors: buildConnectorRegistry({
        config: { connectors: DEMO_SHOP_IN_PROCESS },
        clock,
        logger: silentLogger,
      }),
      guardrails: DEFAULT_GUARDRAILS,
      clock,
      knowledge: () => search,
    });
    await runtime.startConversation({ id: 'k1', customer: { attributes: {} }, channel: 'chat' });
    const turn = await runtime.handleCustomerMessage({ conversationId: 'k1', text: 'when am I billed?' });
    expect(asked).toEqual([{ query: 'when am I billed?', intent: 'billing_question' }]);
    expect(turn.bot[0]?.text).toContain('You are billed on the 1st of each month.');
    await store.close();
  });
});
