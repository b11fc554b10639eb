import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConnectorRegistry, DEMO_SHOP_IN_PROCESS } from '../app/connectors.ts';
import { openKnowledge } from '../app/knowledge.ts';
import { openStore } from '../app/open-store.ts';
import { trainDemoIntentModel } from '../app/testing.ts';
import { DEMO_WORKFLOWS_DIR } from '../app/workflows-dir.ts';
import { loadExclusionRules } from '../audit/index.ts';
import {
  type ConversationRuntime,
  createConversationRuntime,
  createTurnAnalyser,
  type KnowledgeSearch,
  workflowSet,
} from '../conversations/index.ts';
import { DEMO_KB_DIR } from '../demo/index.ts';
import { DEFAULT_GUARDRAILS } from '../domain/index.ts';
import { buildKnowledgeIndex, readArticles, writeKnowledgeIndex } from '../kb/index.ts';
import { createNlu } from '../nlu/index.ts';
import { fakeClock, silentLogger } from '../shared/index.ts';
import type { Store } from '../store/index.ts';
import { loadWorkflowDir, type WorkflowDefinition } from '../workflows/index.ts';
import { DEMO_TOUR_SCRIPTS, planDemoTour, playDemoTour, type TourStop } from './demo-tour.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-demo-tour-'));
let workflows: WorkflowDefinition[];
let runtime: ConversationRuntime;
let store: Store;
let searchKnowledge: KnowledgeSearch | undefined;
let runtimeProps: Parameters<typeof createConversationRuntime>[0];

/** Another runtime over the same deployment, with a demo shop of its own (orders as the data set has them). */
const freshRuntime = () =>
  createConversationRuntime({
    ...runtimeProps,
    connectors: buildConnectorRegistry({
      config: { connectors: DEMO_SHOP_IN_PROCESS },
      clock: runtimeProps.clock,
      logger: silentLogger,
    }),
  });

beforeAll(async () => {
  // The deployment `npm start` leaves, smaller: an NLU trained on the demo history with the demo's entity
  // patterns, the demo knowledge base, the demo workflows and the in-process demo shop.
  const model = await trainDemoIntentModel();
  const nlu = createNlu({ model });
  const indexFile = join(dir, 'kb-index.json');
  writeKnowledgeIndex(indexFile, buildKnowledgeIndex(readArticles(fileURLToPath(DEMO_KB_DIR)), 0));
  searchKnowledge = openKnowledge(indexFile) ?? undefined;
  workflows = loadWorkflowDir(DEMO_WORKFLOWS_DIR).workflows.map((w) => w.definition);
  const clock = fakeClock(Date.UTC(2026, 9, 31, 12));
  store = await openStore({ db: ':memory:' });
  runtimeProps = {
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
    knowledge: () => searchKnowledge ?? null,
  };
  runtime = createConversationRuntime(runtimeProps);
}, 90_000);
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('planDemoTour', () => {
  it('one stop per category with a workflow, each workflow once, the last one escalating', () => {
    const plan = planDemoTour({
      categories: ['password_reset', 'how_to', 'order_status', 'billing_question'],
      workflows,
    });
    expect(plan.stops.map((s) => [s.category, s.workflow, s.expected])).toEqual([
      ['password_reset', 'password-reset', 'resolves'],
      ['order_status', 'order-status', 'resolves'],
      ['billing_question', 'billing-faq', 'escalates'],
    ]);
    expect(plan.stops[2]?.script).toBe(DEMO_TOUR_SCRIPTS['billing-faq']?.escalates);
    expect(plan.withoutWorkflow).toEqual(['how_to']);
    expect(plan.withoutScript).toEqual([]);
  });

  it('lists workflows it has no script for, and plans nothing without categories', () => {
    const own = { ...workflows[0], id: 'our-own', trigger: { intents: ['shipping'] } } as WorkflowDefinition;
    const plan = planDemoTour({ categories: ['shipping', 'shipping'], workflows: [own] });
    expect(plan).toEqual({ stops: [], withoutWorkflow: [], withoutScript: ['our-own'] });
    expect(planDemoTour({ categories: [], workflows }).stops).toEqual([]);
  });
});

describe('refund-request against the demo shop', () => {
  it('never refunds an order twice on its own: an order refunded before gets its refund status', async () => {
    const refund = DEMO_TOUR_SCRIPTS['refund-request']!;
    const stop = (script: TourStop['script']): TourStop => ({
      category: 'refund_request',
      workflow: 'refund-request',
      expected: 'resolves',
      script,
    });
    const again = { ...refund.resolves, turns: [refund.resolves.turns[0]!, 'yes, thanks'] };
    const [first, second] = await playDemoTour({
      runtime: freshRuntime(),
      stops: [stop(refund.resolves), stop(again)],
      idPrefix: 'refund-twice',
    });
    const botSaid = (c: typeof first) =>
      c!.lines
        .filter((l) => l.role === 'bot')
        .map((l) => l.text)
        .join('\n');
    expect(botSaid(first)).toMatch(/I have refunded 20 EUR on order SB-100001/);
    expect(botSaid(second)).toMatch(/Order SB-100001 has already been refunded \d+(\.\d+)? EUR/);
    expect(botSaid(second)).not.toMatch(/I have refunded/);
    expect(second!.status).toBe('resolved');
  });
});

describe('DEMO_TOUR_SCRIPTS', () => {
  it('has both scripts for every demo workflow', () => {
    expect(Object.keys(DEMO_TOUR_SCRIPTS).sort()).toEqual(workflows.map((w) => w.id).sort());
  });

  // Every script, played as `npm start` would play it: a workflow change that breaks one fails here.
  const stops = (expected: TourStop['expected']): TourStop[] =>
    Object.entries(DEMO_TOUR_SCRIPTS).map(([workflow, scripts]) => ({
      category: workflow,
      workflow,
      expected,
      script: scripts[expected],
    }));

  it('each resolving script is resolved by its workflow, with no handoff', async () => {
    const played = await playDemoTour({ runtime, stops: stops('resolves'), idPrefix: 'resolves' });
    for (const c of played) {
      expect({ workflow: c.workflow, ran: c.ranWorkflow, status: c.status, owner: c.owner }).toEqual({
        workflow: c.workflow,
        ran: c.workflow,
        status: 'resolved',
        owner: 'bot',
      });
      expect(c.handoff).toBeUndefined();
      expect(c.lines[0]).toEqual({ role: 'customer', text: c.script.turns[0] });
      expect(c.lines.filter((l) => l.role === 'customer')).toHaveLength(c.script.turns.length);
    }
  });

  it('each escalating script hands the conversation to a person with a handoff packet', async () => {
    const played = await playDemoTour({ runtime, stops: stops('escalates'), idPrefix: 'escalates' });
    for (const c of played) {
      expect({ workflow: c.workflow, ran: c.ranWorkflow, owner: c.owner }).toEqual({
        workflow: c.workflow,
        ran: c.workflow,
        owner: 'human',
      });
      expect(c.escalation?.code).toMatch(/^(workflow_escalated|human_requested)$/);
      expect(c.handoff?.conversationId).toBe(c.conversationId);
    }
    // The packet names one intent: the reason's "Last intent" is the packet's "Intent", not the guess the NLU
    // made of "can I just talk to a human please".
    for (const c of played) {
      const named = /Last intent: ([\w-]+)\./.exec(c.handoff?.escalation.reason ?? '')?.[1];
      if (named !== undefined)
        expect({ workflow: c.workflow, intent: named }).toEqual({
          workflow: c.workflow,
          intent: c.handoff?.intent,
        });
    }
    expect(played.filter((c) => c.escalation?.code === 'human_requested').length).toBeGreaterThanOrEqual(2);
    const byWorkflow = Object.fromEntries(played.map((c) => [c.workflow, c]));
    expect(byWorkflow['order-status']?.escalation?.code).toBe('human_requested');
    expect(byWorkflow['password-reset']?.escalation?.queue).toBe('security');
    expect(byWorkflow['refund-request']?.handoff?.escalation.workflowReason).toBe('refund_above_limit');
  });
});
