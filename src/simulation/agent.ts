import type { Random } from '../demo/index.ts';
import type { SimulatedConversation } from './plan.ts';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
/** The team works 08:00 to 20:00 UTC, every day. */
const OPENS_AT_HOUR = 8;
const CLOSES_AT_HOUR = 20;

/** What the scripted agent sees of an escalated conversation (from the inbox's detail). */
export interface AgentView {
  /** The intent the bot took the customer's first message for (null: none accepted). */
  firstIntent: string | null;
  firstSeq: number | null;
  /** The workflow that ran, if any. */
  workflow: string | null;
  escalationCode: string | null;
  /** The bot's shadow drafts not used yet. */
  drafts: ReadonlyArray<{ id: string; text: string }>;
}

/** What the scripted agent does with it, in order: judge, answer (maybe from a draft), close. */
export interface AgentPlan {
  judgement: {
    verdict: 'right' | 'wrong';
    couldHaveResolved: boolean;
    /** The right intent of the first customer message (null: none of them): a correction when the bot's differs. */
    intent?: { seq: number; intent: string | null };
  };
  /** What becomes of each shadow draft, in order. */
  drafts: ReadonlyArray<{ id: string; how: 'as_is' | 'edited' | 'discarded' }>;
  reply: string;
}

/**
 * When the agent gets to a conversation escalated at `at`: a queue wait of about 20 minutes in working hours, the
 * next morning's opening (plus the queue) at night.
 */
export function agentPicksUpAt(at: number, rng: Random): number {
  const wait = Math.round(rng.lognormal(20 * MINUTE_MS, 0.7));
  const hour = new Date(at).getUTCHours();
  if (hour >= OPENS_AT_HOUR && hour < CLOSES_AT_HOUR) return at + wait;
  const next = new Date(at);
  if (hour >= CLOSES_AT_HOUR) next.setUTCDate(next.getUTCDate() + 1);
  next.setUTCHours(OPENS_AT_HOUR, 0, 0, 0);
  return next.getTime() + wait + rng.int(0, 2) * HOUR_MS;
}

/**
 * The scripted agent's handling (pure): judges the bot against the customer's real request (a wrong intent is
 * corrected, to the model's label when it has one, else "none of these"), marks "the bot could have resolved this"
 * when a workflow serves the request and the bot gave up for want of confidence, uses a shadow draft when there is
 * one (as it is when the bot understood, edited otherwise, discarded now and then), and answers as the team's
 * people answered this kind of ticket.
 */
export function agentPlan(props: {
  conversation: SimulatedConversation;
  view: AgentView;
  /** The model's intents. */
  intents: ReadonlySet<string>;
  /** The intents a workflow serves. */
  workflowIntents: ReadonlySet<string>;
  rng: Random;
}): AgentPlan {
  const { conversation: c, view, rng } = props;
  const right = props.intents.has(c.category) ? c.category : null;
  const misread = view.firstIntent !== right;
  const gaveUp = ['low_confidence', 'out_of_scope', 'no_workflow', 'no_progress'].includes(
    view.escalationCode ?? '',
  );
  const judgement: AgentPlan['judgement'] = {
    verdict: misread && view.firstIntent !== null ? 'wrong' : 'right',
    couldHaveResolved: gaveUp && props.workflowIntents.has(c.category),
    // The first message's intent, confirmed or corrected (to "none of these" when no intent is right).
    ...(view.firstSeq !== null ? { intent: { seq: view.firstSeq, intent: right } } : {}),
  };
  const reply =
    c.agentAnswer ?? `Thanks for your patience, ${c.customer.name.split(' ')[0]}: I've sorted this out.`;
  if (view.drafts.length === 0) return { judgement, reply, drafts: [] };
  const how = misread ? 'discarded' : rng.chance(0.75) ? 'as_is' : rng.chance(0.8) ? 'edited' : 'discarded';
  // Sent as they are, each; edited, the first one carries the agent's text and the others go; or all discarded.
  const drafts = view.drafts.map(
    (d, i) => ({ id: d.id, how: i === 0 || how === 'as_is' ? how : 'discarded' }) as const,
  );
  const first = view.drafts[0]?.text ?? '';
  return { judgement, reply: how === 'edited' ? `${first}\n\n${reply}` : reply, drafts };
}
