import type {
  BotLineKind,
  ConversationOwner,
  ConversationStatus,
  EscalationCode,
  EscalationPriority,
  TranscriptLine,
} from '../domain/index.ts';
import type { Effect } from '../workflows/index.ts';

/** One thing the bot said in a turn. */
export interface BotLine {
  kind: BotLineKind;
  text: string;
  stepId?: string;
  choices?: string[];
}

/** Why a conversation went to a person, as a turn decided it. */
export interface TurnEscalation {
  code: EscalationCode;
  reason: string;
  /** The workflow's own reason, for `workflow_escalated`. */
  workflowReason?: string;
  queue: string;
  priority: EscalationPriority;
}

/** Said when a conversation goes to a person and the workflow gave no text of its own. */
export const HANDOFF_TEXT =
  'I am passing you to a colleague, who has everything we discussed and will pick this up.';

/**
 * What the engine's effects come to for the customer and the store: the bot's lines in order, and the status,
 * owner and escalation they leave the conversation in.
 */
export function outcomeOfEffects(
  effects: readonly Effect[],
  start: { status: ConversationStatus; owner: ConversationOwner },
): { bot: BotLine[]; status: ConversationStatus; owner: ConversationOwner; escalation?: TurnEscalation } {
  const bot: BotLine[] = [];
  let { status, owner } = start;
  let escalation: TurnEscalation | undefined;
  for (const effect of effects) {
    if (effect.type === 'reply' || effect.type === 'confirm') {
      bot.push({ kind: effect.type, text: effect.text, stepId: effect.stepId });
    } else if (effect.type === 'ask') {
      bot.push({
        kind: 'ask',
        text: effect.text,
        stepId: effect.stepId,
        ...(effect.choices ? { choices: effect.choices } : {}),
      });
    } else if (effect.type === 'resolve') {
      status = 'resolved';
      if (effect.text) bot.push({ kind: 'resolve', text: effect.text, ...stepOf(effect.stepId) });
    } else if (effect.type === 'escalate') {
      status = 'escalated';
      escalation = {
        code: effect.code,
        reason: effect.reason,
        ...(effect.workflowReason ? { workflowReason: effect.workflowReason } : {}),
        queue: effect.queue,
        priority: effect.priority,
      };
      bot.push({ kind: 'escalate', text: effect.text ?? HANDOFF_TEXT, ...stepOf(effect.stepId) });
    } else if (effect.type === 'setOwner') {
      owner = effect.owner;
    }
  }
  return { bot, status, owner, ...(escalation ? { escalation } : {}) };
}

/** The bot's lines as transcript lines: a question with choices lists them too, numbered, for text channels. */
export function transcriptOf(bot: readonly BotLine[], at: number): TranscriptLine[] {
  return bot.map((line) => ({
    role: 'bot',
    text: withChoices(line),
    at,
    kind: line.kind,
    ...(line.stepId ? { stepId: line.stepId } : {}),
    ...(line.choices && line.choices.length > 0 ? { choices: line.choices } : {}),
  }));
}

/** A question with choices lists them, numbered, so the customer can answer "2". */
export function withChoices(line: Pick<BotLine, 'text' | 'choices'>): string {
  if (!line.choices || line.choices.length === 0) return line.text;
  return `${line.text}\n${line.choices.map((c, i) => `${i + 1}. ${c}`).join('\n')}`;
}

const stepOf = (stepId: string | null) => (stepId ? { stepId } : {});
