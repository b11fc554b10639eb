import { moneyAmount, type TurnAnalysis } from '../domain/index.ts';
import {
  type Choice,
  extractSlotValue,
  type SlotDefinition,
  scopeOf,
  slotChoices,
  type WorkflowDefinition,
  type WorkflowState,
  yesOrNo,
} from '../workflows/index.ts';

/**
 * What a replayed resolution may rest on that the history does not show: `assumed_yes`, a "yes" to a closing
 * question the customer never answered (the ticket was closed after the agent's reply); `entity_from_ticket`, a
 * question answered with an entity found elsewhere in the ticket; `unchecked_text`, a free-text slot without
 * rules filled with a later message, which any message passes.
 */
export const REPLAY_ASSUMPTIONS = ['assumed_yes', 'entity_from_ticket', 'unchecked_text'] as const;
export type ReplayAssumption = (typeof REPLAY_ASSUMPTIONS)[number];

/** The question a replayed conversation waits on. */
export type Question =
  | { kind: 'ask'; stepId: string; slotName: string; slot: SlotDefinition; choices: Choice[] }
  | { kind: 'confirm'; stepId: string }
  | { kind: 'clarify'; intents: readonly string[] };

/** The question the conversation waits on after a turn, or null when it waits on nothing it could be told. */
export function questionOf(props: {
  definition: WorkflowDefinition;
  status: string | undefined;
  stepId: string | null | undefined;
  clarifying: boolean;
  state: WorkflowState | null;
}): Question | null {
  const { definition, state } = props;
  if (props.status === 'awaiting_confirm' && props.stepId) return { kind: 'confirm', stepId: props.stepId };
  if (props.status === 'awaiting_input' && props.stepId) {
    const step = definition.steps.find((s) => s.id === props.stepId);
    const slot = step?.type === 'ask' ? definition.slots[step.slot] : undefined;
    if (step?.type !== 'ask' || !slot || !state) return null;
    return {
      kind: 'ask',
      stepId: step.id,
      slotName: step.slot,
      slot,
      choices: slotChoices(slot, scopeOf(state)),
    };
  }
  if (props.clarifying) return { kind: 'clarify', intents: definition.trigger.intents };
  return null;
}

/**
 * Whether a past customer message, written to an agent, answers the bot's question, and so may be played as
 * its answer: it passes the slot's type and validation (rules included), names one of the choices by its label
 * or value (a position means nothing to someone who never saw the list), holds the entity or amount asked for,
 * or reads as a plain yes or no (a yes that asks a question is not one). For a clarifying question, the message
 * must be read as the workflow's intent. `unchecked` when a free-text slot without rules took it: any text
 * passes such a slot, so the replay cannot tell an answer from a thank-you.
 *
 * @example
 * replyAnswers({ kind: 'confirm', stepId: 'did_it_help' }, analysis('ok, how long does the inspection take?'));
 * // { answers: false, unchecked: false }
 */
export function replyAnswers(
  question: Question,
  turn: TurnAnalysis,
): { answers: boolean; unchecked: boolean } {
  const no = { answers: false, unchecked: false };
  const yes = { answers: true, unchecked: false };
  const text = turn.text.trim();
  if (text === '') return no;
  switch (question.kind) {
    case 'confirm':
      return plainYesOrNo(text) ? yes : no;
    case 'clarify':
      return turn.reason === 'accepted' && turn.intent !== null && question.intents.includes(turn.intent)
        ? yes
        : no;
    case 'ask': {
      const { slot } = question;
      if (slot.type === 'yes_no') return plainYesOrNo(text) ? yes : no;
      if (slot.type === 'choice') return namedChoice(text, question.choices) ? yes : no;
      const value = extractSlotValue({
        name: question.slotName,
        slot,
        answer: turn,
        choices: question.choices,
      });
      if (!value.ok) return no;
      if (slot.type === 'number' && slot.entity === 'money') {
        // The engine reads the first number; only an amount the customer wrote as money answers "how much?".
        const amounts = turn.entities.filter((e) => e.type === 'money').map((e) => moneyAmount(e.value));
        return amounts.includes(value.value as number) ? yes : no;
      }
      if (slot.type === 'text' && slot.rules === undefined && slot.pattern === undefined) {
        return { answers: true, unchecked: true };
      }
      return yes;
    }
  }
}

function plainYesOrNo(text: string): boolean {
  const answer = yesOrNo(text);
  return answer === false || (answer === true && !text.includes('?'));
}

/** Exactly one choice named by its label or value, as whole words. */
function namedChoice(text: string, choices: readonly Choice[]): boolean {
  const lower = text.toLowerCase();
  const names = (choice: Choice) =>
    [choice.label, typeof choice.value === 'string' ? choice.value : ''].filter((n) => n.trim().length >= 2);
  const named = choices.filter((choice) => names(choice).some((name) => hasWords(lower, name.toLowerCase())));
  return named.length === 1;
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/** `text` holds `words` with no letter or digit right before or after (a regex per choice costs too much here). */
function hasWords(text: string, words: string): boolean {
  for (let at = text.indexOf(words); at >= 0; at = text.indexOf(words, at + 1)) {
    const before = text[at - 1];
    const after = text[at + words.length];
    if (
      (before === undefined || !WORD_CHAR.test(before)) &&
      (after === undefined || !WORD_CHAR.test(after))
    ) {
      return true;
    }
  }
  return false;
}

/** A value for an entity slot from the entities in the customer's messages, one the conversation has not used. */
export function entityFromTicket(props: {
  question: Question;
  /** The customer's messages, read only when the slot takes an entity. */
  turns: () => readonly TurnAnalysis[];
  state: WorkflowState | null;
  tried: ReadonlySet<string>;
}): string | null {
  const { question } = props;
  if (question.kind !== 'ask' || question.slot.type !== 'entity' || !question.slot.entity) return null;
  const used = new Set(Object.values(props.state?.slots ?? {}).map((v) => String(v).toLowerCase()));
  for (const turn of props.turns()) {
    for (const entity of turn.entities) {
      if (entity.type !== question.slot.entity) continue;
      if (!used.has(entity.value.toLowerCase()) && !props.tried.has(entity.value)) return entity.value;
    }
  }
  return null;
}
