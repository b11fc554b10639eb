import {
  createRandom,
  type DemoCategory,
  type DemoTicket,
  generateDemoTickets,
  type Random,
} from '../demo/index.ts';

/** Where a simulated customer writes from: the web widget, or the helpdesk's chat (Chatwoot). */
export type SimulatedChannel = 'widget' | 'helpdesk';

/** How a simulated customer behaves, drawn once per conversation from its seed. */
export interface CustomerBehaviour {
  /** Answers "did this resolve your issue?"; otherwise stays silent (the answer is then assumed to have helped). */
  answersDidItHelp: boolean;
  /** Leaves at the bot's first question and never comes back (abandoned). */
  abandons: boolean;
  /** Asks for a person when the bot asks a second question. */
  asksForPerson: boolean;
  /** Comes back this long after a resolution with a follow-up (reopened within 72 h); null: does not. */
  reopensAfterMs: number | null;
  /** Answers the satisfaction survey after close. */
  answersSurvey: boolean;
  /** How long the customer takes to answer the bot, in ms. */
  thinkMs: number;
}

/** One customer's conversation of the simulated fortnight: who, when, what they want, how they behave. */
export interface SimulatedConversation {
  /** Stable for the seed and the ticket: the idempotency key of everything sent for it. */
  key: string;
  /** The demo history's ticket it is drawn from (the helpdesk's conversation number). */
  ticketId: number;
  channel: SimulatedChannel;
  /** The customer's first message, epoch ms. */
  at: number;
  /** What the customer wants (the ground truth the bot's intent is judged against). */
  category: DemoCategory;
  customer: { email: string; name: string; plan: string };
  opening: string;
  orderId: string | null;
  /** The customer's later lines in the ticket ("still not working", more facts). */
  followUps: readonly string[];
  /** What a person of the team answered this kind of ticket (the ticket's first public agent reply). */
  agentAnswer: string | null;
  angry: boolean;
  behaviour: CustomerBehaviour;
  /** The satisfaction the customer starts from (1-5): the ticket's rating, else drawn. */
  mood: number;
}

export interface SimulationPlanProps {
  days: number;
  seed: number;
  /** Conversations a day on average (weekends have fewer: the demo history's arrivals). */
  perDay: number;
  /** The first day's midnight (epoch ms): conversations start after it. */
  startMs: number;
  /** The end of the simulated window (epoch ms, now): conversations start at least 6 hours before it. */
  endMs: number;
  /** Tells this run's keys from another's (a second simulation of the same days starts new conversations). */
  run: string;
  /** Share of customers on the helpdesk channel (the rest use the widget). Default 0.3. */
  helpdeskShare?: number;
}

const HOUR_MS = 3_600_000;
/** The demo shop's in-process customers hold the world's first 20,000 customers: the seed's pool stays inside. */
export const SIMULATION_SHOP_SEED = 7;

/**
 * The simulated fortnight's customers, a pure function of its props: tickets of the demo shop's history generator
 * (the same world as the demo shop connector's customers and orders, seed 7), each turned into a live conversation
 * with its customer's behaviour drawn from the simulation's seed. The last 6 hours of the window start nothing, so
 * the day's conversations have time to unfold.
 *
 * @example
 * const plan = planSimulation({ days: 14, seed: 1, perDay: 30, run: 'r1', startMs, endMs: Date.now() });
 * plan[0]; // { key: 'sim-1-r1-100001', channel: 'widget', category: 'order_status', opening: 'Hi, where is ...', ... }
 */
export function planSimulation(props: SimulationPlanProps): SimulatedConversation[] {
  // Six hours for the last conversations to unfold, unless the day has just begun: then what there is of it.
  const windowEnd = Math.max(props.endMs - 6 * HOUR_MS, Math.min(props.endMs, props.startMs + HOUR_MS));
  const tickets = generateDemoTickets({
    tickets: Math.max(1, Math.round(props.days * props.perDay)),
    seed: SIMULATION_SHOP_SEED,
    anchorMs: windowEnd,
    windowDays: Math.max(0, windowEnd - props.startMs) / (24 * HOUR_MS),
  });
  const helpdeskShare = props.helpdeskShare ?? 0.3;
  const plan: SimulatedConversation[] = [];
  for (const ticket of tickets) {
    const rng = createRandom(`${props.seed}:simulation:${ticket.id}`);
    const conversation = fromTicket(ticket, rng, `${props.seed}-${props.run}`, helpdeskShare);
    if (conversation) plan.push(conversation);
  }
  return plan.sort((a, b) => a.at - b.at || a.ticketId - b.ticketId);
}

function fromTicket(
  ticket: DemoTicket,
  rng: Random,
  prefix: string,
  helpdeskShare: number,
): SimulatedConversation | null {
  const customerLines = ticket.messages.filter((m) => m.authorRole === 'customer').map((m) => m.body);
  const opening = customerLines[0];
  if (!opening) return null;
  const agentAnswer = ticket.messages.find((m) => m.authorRole === 'agent' && m.public)?.body ?? null;
  return {
    key: `sim-${prefix}-${ticket.id}`,
    ticketId: ticket.id,
    channel: rng.chance(helpdeskShare) ? 'helpdesk' : 'widget',
    at: ticket.createdAt,
    category: ticket.category,
    customer: { email: ticket.customer.email, name: ticket.customer.name, plan: ticket.customer.plan },
    opening,
    orderId: ticket.orderId,
    followUps: customerLines.slice(1),
    agentAnswer,
    angry: ticket.truth.angry,
    behaviour: {
      answersDidItHelp: rng.chance(0.75),
      abandons: rng.chance(0.05),
      asksForPerson: ticket.truth.angry ? rng.chance(0.5) : rng.chance(0.05),
      reopensAfterMs: rng.chance(0.05) ? Math.round(rng.int(2, 48) * HOUR_MS) : null,
      answersSurvey: rng.chance(0.45),
      thinkMs: Math.round(rng.lognormal(40_000, 0.6)),
    },
    mood: ticket.csat ?? rng.pick([5, 5, 5, 5, 4, 4, 4, 3, 3, 2]),
  };
}
