import { describe, expect, it } from 'vitest';
import { buildConnectorRegistry, DEMO_SHOP_IN_PROCESS } from '../app/connectors.ts';
import { openStore } from '../app/open-store.ts';
import { DEMO_WORKFLOWS_DIR } from '../app/workflows-dir.ts';
import { DEFAULT_GUARDRAILS } from '../domain/index.ts';
import { fakeClock, silentLogger } from '../shared/index.ts';
import { loadWorkflowDir, WorkflowSchema } from '../workflows/index.ts';
import { createConversationService } from './conversation-service.ts';
import { type KnowledgeSearch, workflowSet } from './plan-turn.ts';
import { createConversationRuntime } from './runtime.ts';
import { analyseAs } from './testing.ts';

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

/** A workflow whose reply after the first answer spends the render budget (250 ms): the template fails. */
const failing = WorkflowSchema.parse({
  id: 'greeting',
  version: 1,
  trigger: { intents: ['greeting'] },
  slots: { name: { type: 'text', prompt: 'Hello! What is your name?' } },
  steps: [
    { id: 'ask_name', type: 'ask', slot: 'name' },
    {
      id: 'boom',
      type: 'reply',
      text: '{% for a in (1..2000) %}{% for b in (1..2000) %}{{ slots.name }}{% endfor %}{% endfor %}',
    },
    { id: 'done', type: 'resolve' },
  ],
});

describe('a template that fails while a turn runs', () => {
  it('stores the message and escalates with bot_error, the failing template named in the reason', async () => {
    const store = await openStore({ db: ':memory:' });
    const clock = fakeClock(Date.UTC(2026, 10, 2, 9));
    const service = createConversationService({
      store,
      analyse: analyseAs('greeting'),
      workflows: workflowSet([failing]),
      connectors: buildConnectorRegistry({ config: { connectors: {} }, clock, logger: silentLogger }),
      guardrails: DEFAULT_GUARDRAILS,
      clock,
      mode: 'inline',
    });
    await service.start({ id: 'c1', customer: { attributes: {} }, channel: 'chat' });
    await service.receive({ conversationId: 'c1', text: 'hi there' });
    const [first] = await service.processPending('c1');
    expect(first?.bot.map((b) => b.text)).toEqual(['Hello! What is your name?']);

    await service.receive({ conversationId: 'c1', text: 'My name is Ada' });
    const [turn] = await service.processPending('c1');
    expect(turn?.owner).toBe('human');
    expect(turn?.status).toBe('escalated');
    expect(turn?.escalation?.code).toBe('bot_error');
    expect(turn?.escalation?.reason).toMatch(
      /^The automation failed while answering \(a workflow template could not be rendered\)\. template "\{% for a in/,
    );
    expect(turn?.bot.map((b) => b.kind)).toEqual(['escalate']);

    const stored = await store.getConversation('c1');
    expect(stored?.conversation.owner).toBe('human');
    expect(stored?.conversation.status).toBe('escalated');
    expect(stored?.messages.filter((m) => m.role === 'customer').map((m) => m.text)).toEqual([
      'hi there',
      'My name is Ada',
    ]);
    expect((await store.listHandoffs({ conversationId: 'c1' }))[0]?.code).toBe('bot_error');
    await store.close();
  });
});
