import {
  AccountSchema,
  type Customer,
  demoShopConnector,
  FIXTURE_CUSTOMER_LOCKED,
  FIXTURE_CUSTOMER_ONE_ORDER,
  FIXTURE_CUSTOMER_THREE_ORDERS,
  FIXTURE_ORDER_CANCELLED,
  FIXTURE_ORDER_DELIVERED,
  FIXTURE_ORDER_PROCESSING,
  FIXTURE_ORDER_SHIPPED,
} from '../connectors/demo-shop/index.ts';
import type { ConnectorRegistry } from '../connectors/index.ts';
import type { ConversationRuntime, MessageReport } from '../conversations/index.ts';
import type { ConversationOwner, ConversationStatus, CustomerProfile } from '../domain/index.ts';
import type { HandoffPacket } from '../escalation/index.ts';
import type { WorkflowDefinition } from '../workflows/index.ts';

type TurnReport = MessageReport;

/** A scripted conversation: who the customer is and what they type, one string per turn. */
export interface TourScript {
  /** What the conversation shows, for its heading. */
  title: string;
  customer: CustomerProfile;
  channel: string;
  turns: readonly string[];
}

/** Per workflow: a conversation the bot resolves and one it hands to a person. */
export interface WorkflowTourScripts {
  resolves: TourScript;
  escalates: TourScript;
}

/** A demo shop customer as the conversations see them: the tour's customers and `chat --customer`'s. */
export function demoCustomerProfile(c: Pick<Customer, 'email' | 'name' | 'plan'>): CustomerProfile {
  return { id: c.email, email: c.email, name: c.name, plan: c.plan, segment: c.plan, attributes: {} };
}

/**
 * The profile of a demo shop customer, looked up through the deployment's demo shop connector (its `getAccount`),
 * as the tour's customers are: null when the deployment has no demo shop or the shop has no such account.
 *
 * @example
 * await lookUpDemoCustomer(deployment.connectors, 'olivia.okafor@example.net');
 * // { id: 'olivia.okafor@example.net', email: ..., name: 'Olivia Okafor', plan: 'pro', segment: 'pro', attributes: {} }
 */
export async function lookUpDemoCustomer(
  connectors: Pick<ConnectorRegistry, 'call' | 'catalogue'>,
  email: string,
): Promise<CustomerProfile | null> {
  const shop = connectors.catalogue().connectors.find((c) => c.name === demoShopConnector.name);
  if (!shop?.operations.some((o) => o.name === 'getAccount')) return null;
  const { result } = await connectors.call({
    connector: shop.name,
    version: shop.version,
    operation: 'getAccount',
    input: { email },
    timeoutMs: 5000,
    retries: 0,
  });
  const found = result.ok ? AccountSchema.safeParse((result.value as { account?: unknown }).account) : null;
  return found?.success ? demoCustomerProfile(found.data) : null;
}

const olivia = demoCustomerProfile(FIXTURE_CUSTOMER_ONE_ORDER);
const liam = demoCustomerProfile(FIXTURE_CUSTOMER_THREE_ORDERS);
const amara = demoCustomerProfile(FIXTURE_CUSTOMER_LOCKED);
const anonymous: CustomerProfile = { attributes: {} };

/**
 * The scripts of the demo workflows (src/demo/workflows), written against the demo shop's fixtures, which are
 * the same whatever the seed. demo-tour.test.ts plays every one of them, so a workflow change that breaks a
 * script fails there rather than in `npm start`.
 */
export const DEMO_TOUR_SCRIPTS: Readonly<Record<string, WorkflowTourScripts>> = {
  'order-status': {
    resolves: {
      title: 'a known customer with one shipped order',
      customer: olivia,
      channel: 'chat',
      turns: ['Hi, where is my order? It has been a week.', 'yes thanks'],
    },
    escalates: {
      title: 'the customer asks for a person',
      customer: liam,
      channel: 'chat',
      turns: ['where is my order', 'I want to talk to a real person please'],
    },
  },
  'password-reset': {
    resolves: {
      title: 'a reset link to the address on the account',
      customer: olivia,
      channel: 'chat',
      turns: ["I forgot my password and can't log in", 'yes, all sorted'],
    },
    escalates: {
      title: 'a locked account goes to the security team',
      customer: amara,
      channel: 'chat',
      turns: ["I can't sign in, I think I forgot my password"],
    },
  },
  'billing-faq': {
    resolves: {
      title: 'answered from the knowledge base',
      customer: liam,
      channel: 'chat',
      turns: ['what is this charge on my card statement', 'yes, thanks'],
    },
    escalates: {
      title: 'the answer did not help: the billing team takes over',
      customer: liam,
      channel: 'chat',
      turns: ['what is this charge on my card statement', 'no, that does not explain it'],
    },
  },
  'address-change': {
    resolves: {
      title: 'a signed-in customer moves house',
      customer: olivia,
      channel: 'chat',
      turns: [
        'How do I update my delivery address? I moved to Cork.',
        'my address',
        '14 Harbour Street, Cork T12 X285',
        'yes please',
      ],
    },
    escalates: {
      title: 'the customer asks for a person',
      customer: olivia,
      channel: 'chat',
      turns: ['How do I update my delivery address? I moved to Cork.', 'can I just talk to a human please'],
    },
  },
  'invoice-request': {
    resolves: {
      title: 'the invoice of the one order of a known customer',
      customer: olivia,
      channel: 'chat',
      turns: ['Can you send me the invoice for my order? I need it for my accounts.', 'yes thanks'],
    },
    escalates: {
      title: 'a cancelled order has no invoice: the billing team takes over',
      customer: anonymous,
      channel: 'chat',
      turns: [
        `Can you send me a VAT invoice for order ${FIXTURE_ORDER_CANCELLED}? I need it for my accounts.`,
      ],
    },
  },
  'order-cancellation': {
    resolves: {
      title: 'an order still being prepared is cancelled',
      customer: liam,
      channel: 'chat',
      turns: [`Please cancel my order ${FIXTURE_ORDER_PROCESSING}.`, 'yes'],
    },
    escalates: {
      title: 'the customer asks for a person',
      customer: liam,
      channel: 'chat',
      turns: [
        `Please cancel my order ${FIXTURE_ORDER_PROCESSING}.`,
        'I want to talk to a real person please',
      ],
    },
  },
  'refund-request': {
    resolves: {
      title: 'part of an order, below the limit: refunded at once',
      customer: olivia,
      channel: 'chat',
      turns: [
        `Hi, I'd like a refund for order ${FIXTURE_ORDER_SHIPPED} please.`,
        'part of it',
        '20 euros',
        'yes, all good',
      ],
    },
    escalates: {
      // Another customer's order than the one `resolves` refunds part of: an order refunded before is answered
      // with its refund status instead (the workflow never refunds twice on its own).
      title: 'the whole order is above the limit: the billing team approves it',
      customer: liam,
      channel: 'chat',
      turns: [`Hi, I'd like a refund for order ${FIXTURE_ORDER_DELIVERED} please.`, 'the whole order'],
    },
  },
};

/** One conversation of the tour: the opportunity it shows, the workflow that handles it, the script. */
export interface TourStop {
  category: string;
  workflow: string;
  expected: 'resolves' | 'escalates';
  script: TourScript;
}

export interface TourPlan {
  stops: TourStop[];
  /** Categories no workflow is triggered by. */
  withoutWorkflow: string[];
  /** Workflows with no script (a project's own, not the demo's). */
  withoutScript: string[];
}

/**
 * The tour of the top opportunities: one conversation per category that a workflow is triggered by (the
 * first such workflow; a workflow shown once), played by its resolving script, except the last, which plays
 * the escalating one so that the tour shows a handoff.
 *
 * @example
 * const plan = planDemoTour({ categories: ['password_reset', 'how_to', 'order_status'], workflows });
 * plan.stops.map((s) => `${s.workflow}:${s.expected}`); // ['password-reset:resolves', 'order-status:escalates']
 * plan.withoutWorkflow; // ['how_to']
 */
export function planDemoTour(props: {
  categories: readonly string[];
  workflows: readonly WorkflowDefinition[];
  scripts?: Readonly<Record<string, WorkflowTourScripts>>;
}): TourPlan {
  const scripts = props.scripts ?? DEMO_TOUR_SCRIPTS;
  const plan: TourPlan = { stops: [], withoutWorkflow: [], withoutScript: [] };
  const shown = new Set<string>();
  const chosen: Array<{ category: string; workflow: string; scripts: WorkflowTourScripts }> = [];
  for (const category of props.categories) {
    const workflow = props.workflows.find((w) => w.trigger.intents.includes(category));
    if (!workflow) {
      plan.withoutWorkflow.push(category);
      continue;
    }
    if (shown.has(workflow.id)) continue;
    shown.add(workflow.id);
    const own = scripts[workflow.id];
    if (!own) plan.withoutScript.push(workflow.id);
    else chosen.push({ category, workflow: workflow.id, scripts: own });
  }
  chosen.forEach((c, i) => {
    const expected = i === chosen.length - 1 ? 'escalates' : 'resolves';
    plan.stops.push({ category: c.category, workflow: c.workflow, expected, script: c.scripts[expected] });
  });
  return plan;
}

const TURN_GAP_MS = 20_000;

/** One line of a played conversation; bot text is as the runtime produced it (HTML-escaped by templates). */
export interface TourLine {
  role: 'customer' | 'bot';
  text: string;
  choices?: string[];
}

export interface TourConversation extends TourStop {
  conversationId: string;
  lines: TourLine[];
  status: ConversationStatus;
  owner: ConversationOwner;
  /** The workflow that ran, or null when a guardrail stopped the conversation before one started. */
  ranWorkflow: string | null;
  escalation?: NonNullable<TurnReport['escalation']>;
  handoff?: HandoffPacket;
}

/**
 * Plays the tour's scripts through a conversation runtime, one conversation each, and stops a script early
 * once the conversation is resolved or a person owns it (later turns would get no bot reply).
 *
 * @example
 * const played = await playDemoTour({ runtime, stops: plan.stops });
 * played.find((c) => c.handoff)?.handoff?.escalation.queue; // 'billing'
 */
export async function playDemoTour(props: {
  runtime: ConversationRuntime;
  stops: readonly TourStop[];
  /** Conversation ids are `<idPrefix>-<n>-<workflow>` (default `tour`); ids must be new to the store. */
  idPrefix?: string;
  /** The runtime's fake clock, moved on TURN_GAP_MS after each customer turn so the transcript reads in time. */
  clock?: { advance(ms: number): void };
}): Promise<TourConversation[]> {
  const played: TourConversation[] = [];
  for (const [i, stop] of props.stops.entries()) {
    const conversationId = `${props.idPrefix ?? 'tour'}-${i + 1}-${stop.workflow}`;
    await props.runtime.startConversation({
      id: conversationId,
      customer: stop.script.customer,
      channel: stop.script.channel,
    });
    const conversation: TourConversation = {
      ...stop,
      conversationId,
      lines: [],
      status: 'open',
      owner: 'bot',
      ranWorkflow: null,
    };
    for (const text of stop.script.turns) {
      const turn = await props.runtime.handleCustomerMessage({ conversationId, text });
      props.clock?.advance(TURN_GAP_MS);
      conversation.lines.push({ role: 'customer', text });
      for (const line of turn.bot) {
        conversation.lines.push({
          role: 'bot',
          text: line.text,
          ...(line.choices && line.choices.length > 0 ? { choices: [...line.choices] } : {}),
        });
      }
      conversation.status = turn.status;
      conversation.owner = turn.owner;
      conversation.ranWorkflow = turn.workflow?.id ?? conversation.ranWorkflow;
      if (turn.escalation) conversation.escalation = turn.escalation;
      if (turn.handoff) conversation.handoff = turn.handoff;
      if (turn.status === 'resolved' || turn.owner === 'human') break;
    }
    played.push(conversation);
  }
  return played;
}
