import type { Random } from '../demo/index.ts';
import type { SimulatedConversation } from './plan.ts';

/** A bot line as the customer sees it: its text, and for the widget what it does and its choices. */
export interface SeenLine {
  text: string;
  kind?: string;
  choices?: readonly string[];
}

/** What the simulated customer does next. */
export type CustomerMove =
  | { type: 'say'; text: string }
  /** "Did this resolve your issue?" answered (the widget's buttons; a helpdesk customer types it). */
  | { type: 'answer'; resolved: boolean; text?: string }
  /** Says nothing more: left, satisfied in silence, or waiting for a person. */
  | { type: 'stop'; why: 'left' | 'silent' | 'waiting' | 'done' };

/** Lines of a customer who gives up on the bot. */
const ASK_FOR_PERSON = "This isn't working, I'd like to talk to a person please.";
const YES = 'yes, that sorted it, thanks';
const NO = "no, that doesn't answer my question";
const NEW_ADDRESS = '12 Mill Lane, Leeds LS6 2AB';

/**
 * The customer's next move after the bot's lines since their last message (pure; `rng` is the conversation's).
 * `understood`: the bot took the request for what it is (its intent is the customer's category), which is what
 * makes an answer help. `turn` counts the customer's messages so far.
 *
 * @example
 * customerMove({ conversation, lines: [{ text: 'What is your order number?', kind: 'ask' }], turn: 1, understood: true, rng });
 * // { type: 'say', text: 'SB-204113' }
 */
export function customerMove(props: {
  conversation: SimulatedConversation;
  lines: readonly SeenLine[];
  turn: number;
  understood: boolean;
  /** The customer already said whether it helped: what follows is the bot's goodbye. */
  answered: boolean;
  rng: Random;
}): CustomerMove {
  const { conversation: c, turn, understood, rng } = props;
  const last = props.lines.at(-1);
  if (!last) return { type: 'stop', why: 'waiting' };
  const kind = last.kind ?? kindOfText(last.text);
  if (kind === 'escalate') return { type: 'stop', why: 'waiting' };
  if (turn >= 6) return { type: 'stop', why: 'left' };
  if (kind === 'ask' || kind === 'clarify') {
    if (c.behaviour.abandons) return { type: 'stop', why: 'left' };
    if (c.behaviour.asksForPerson && turn >= 2) return { type: 'say', text: ASK_FOR_PERSON };
    const choice = pickChoice(last.choices ?? [], c);
    if (choice) return { type: 'say', text: choice };
    if (/order/i.test(last.text) && c.orderId) return { type: 'say', text: c.orderId };
    if (/e-?mail/i.test(last.text)) return { type: 'say', text: c.customer.email };
    if (/address/i.test(last.text)) return { type: 'say', text: NEW_ADDRESS };
    if (kind === 'clarify') return { type: 'say', text: c.followUps[0] ?? c.opening };
    return { type: 'say', text: c.followUps[turn - 1] ?? `It's about ${c.category.replace(/_/g, ' ')}.` };
  }
  if (props.answered) return { type: 'stop', why: 'done' };
  if (!c.behaviour.answersDidItHelp) return { type: 'stop', why: 'silent' };
  const resolved = understood ? rng.chance(0.9) : rng.chance(0.1);
  if (kind === 'confirm') {
    // "Does that answer your question?": answered in words (or the choice that says it).
    const yes = last.choices?.find((x) => /^(yes|y)\b/i.test(x));
    const no = last.choices?.find((x) => /^(no|n)\b/i.test(x));
    return { type: 'answer', resolved, text: resolved ? (yes ?? YES) : (no ?? NO) };
  }
  // An answer (reply or resolve): "did this resolve your issue?", the widget's buttons.
  return { type: 'answer', resolved };
}

/** A helpdesk customer reads text only: what the line does, from its words. */
function kindOfText(text: string): string {
  if (/\b(a person|colleague|team member|agent)\b.*\b(will|shortly|soon|take over|get back)\b/i.test(text))
    return 'escalate';
  if (/did (this|that) (answer|help|resolve)|does (this|that) (answer|help)/i.test(text)) return 'confirm';
  if (/\?\s*$/.test(text.trim())) return 'ask';
  return 'resolve';
}

/** The choice naming the customer's order, else the one closest to what they want, else the first. */
function pickChoice(choices: readonly string[], c: SimulatedConversation): string | undefined {
  if (choices.length === 0) return undefined;
  if (c.orderId) {
    const order = choices.find((x) => x.includes(c.orderId as string));
    if (order) return order;
  }
  const opening = c.opening.toLowerCase();
  const words = c.category.split('_');
  return (
    choices.find((x) => opening.includes(x.toLowerCase())) ??
    choices.find((x) => words.some((w) => x.toLowerCase().includes(w))) ??
    choices.find((x) => /something else|other/i.test(x)) ??
    choices[0]
  );
}

/** The customer's words for the answer, on a channel without buttons. */
export function answerText(resolved: boolean): string {
  return resolved ? YES : NO;
}

/** The rating the customer gives after close (1-5): their mood, lowered by a bad experience. */
export function surveyRating(props: {
  conversation: SimulatedConversation;
  outcome: 'resolved_by_bot' | 'resolved_by_person' | 'not_resolved';
  waitedMs: number;
  rng: Random;
}): number {
  let rating = props.conversation.mood;
  if (props.outcome === 'not_resolved') rating -= 2;
  if (props.waitedMs > 4 * 3_600_000) rating -= 1;
  if (props.conversation.angry) rating -= 1;
  if (props.outcome === 'resolved_by_bot' && props.rng.chance(0.3)) rating += 1;
  return Math.max(1, Math.min(5, Math.round(rating)));
}
