import { DEMO_SHOP_ANCHOR_MS } from '../connectors/demo-shop/index.ts';
import {
  createConversationRuntime,
  type KnowledgeSearch,
  type TurnAnalyser,
  workflowSet,
} from '../conversations/index.ts';
import { planDemoTour, playDemoTour, type TourConversation, type TourPlan } from '../demo-tour/index.ts';
import { DEFAULT_GUARDRAILS } from '../domain/index.ts';
import { fakeClock, silentLogger } from '../shared/index.ts';
import type { WorkflowDefinition } from '../workflows/index.ts';
import { buildConnectorRegistry, DEMO_SHOP_IN_PROCESS } from './connectors.ts';
import { openStore } from './open-store.ts';

export interface RunDemoTourProps {
  /** The audit's top categories, best first. */
  categories: readonly string[];
  analyse: TurnAnalyser;
  workflows: readonly WorkflowDefinition[];
  searchKnowledge?: KnowledgeSearch | null;
}

/**
 * The tour `npm start` ends with: plans it from the top categories and plays it against the deployment's model,
 * workflows and knowledge base with the demo shop answered in process, in a throwaway in-memory store. The user's
 * store is never written: a demo conversation is not a customer's, and a second run would find the ids taken.
 * The clock stands at the demo shop's "today", so delivery dates in the replies match its orders.
 *
 * @example
 * const { plan, conversations } = await runDemoTour({ categories: ['order_status'], analyse, workflows });
 */
export async function runDemoTour(
  props: RunDemoTourProps,
): Promise<{ plan: TourPlan; conversations: TourConversation[] }> {
  const store = await openStore({ db: ':memory:' });
  try {
    const clock = fakeClock(DEMO_SHOP_ANCHOR_MS);
    const search = props.searchKnowledge ?? null;
    const runtime = createConversationRuntime({
      store,
      analyse: props.analyse,
      workflows: workflowSet(props.workflows),
      connectors: buildConnectorRegistry({
        config: { connectors: DEMO_SHOP_IN_PROCESS },
        clock,
        logger: silentLogger,
      }),
      guardrails: DEFAULT_GUARDRAILS,
      clock,
      knowledge: () => search,
    });
    const plan = planDemoTour({ categories: props.categories, workflows: props.workflows });
    return { plan, conversations: await playDemoTour({ runtime, stops: plan.stops, clock }) };
  } finally {
    await store.close();
  }
}
