import type { BotLineKind, EscalationCode, TurnAnalysis } from '../domain/index.ts';
import type { Store } from '../store/index.ts';
import { anAnalysis } from '../store/test-builders.ts';

export const HOUR = 3_600_000;
/** 2026-12-01 00:00 UTC: the day the hand-built logs start. */
export const DAY0 = Date.parse('2026-12-01T00:00:00Z');

export interface TurnScript {
  /** When the customer wrote; the bot answers `botDelayMs` later (default 2 s). */
  at: number;
  /** What the customer wrote (default "a message"). */
  text?: string;
  botDelayMs?: number;
  /** What the NLU made of the message. */
  analysis?: Partial<TurnAnalysis>;
  /** The bot's lines, by kind (none: the bot stayed silent). */
  bot?: BotLineKind[];
  workflow?: string;
  step?: string;
  /** The turn resolves the request (status `resolved`, by the bot). */
  resolve?: boolean;
  /** The turn hands over to a person with this code. */
  escalate?: EscalationCode;
}

/**
 * A conversation written through the real store API, step by step, for the analytics' hand-built logs: the same
 * rows and events the live service writes (turns through recordTurn, feedback through recordFeedback, agents'
 * actions through changeConversation), so the metrics are read exactly as in production.
 *
 * @example
 * const c = await aConversation(store, { id: 'a', at: DAY0 });
 * await c.turn({ at: DAY0, bot: ['reply', 'confirm'], workflow: 'order-status', resolve: true });
 * await c.feedback({ at: DAY0 + HOUR, resolved: true, rating: 5 });
 */
export async function aConversation(
  store: Store,
  props: { id: string; at: number; channel?: string; segment?: string; name?: string },
) {
  const { id } = props;
  await store.createConversation({
    id,
    customer: {
      name: props.name ?? 'Test Customer',
      attributes: {},
      ...(props.segment ? { segment: props.segment } : {}),
    },
    channel: props.channel ?? 'widget',
    at: props.at,
  });
  const revision = async () => (await store.findConversation(id))?.revision ?? 0;
  return {
    id,
    async turn(script: TurnScript) {
      const { message } = await store.receiveMessage({
        conversationId: id,
        text: script.text ?? 'a message',
        at: script.at,
      });
      const at = script.at + (script.botDelayMs ?? 2000);
      const analysis = anAnalysis(script.text ?? 'a message', script.analysis);
      await store.recordTurn({
        conversationId: id,
        expectedRevision: await revision(),
        handled: [{ seq: message.seq, analysis }],
        messages: (script.bot ?? []).map((kind) => ({ role: 'bot' as const, kind, text: `bot ${kind}`, at })),
        ...(script.workflow ? { workflowId: script.workflow, workflowVersion: 1 } : {}),
        ...(script.resolve ? { status: 'resolved' as const } : {}),
        ...(script.escalate
          ? {
              status: 'escalated' as const,
              owner: 'human' as const,
              handoff: { code: script.escalate, queue: 'support', priority: 'normal' as const, packet: {} },
            }
          : {}),
        events: [
          {
            type: 'conversation.turn',
            payload: {
              seq: message.seq,
              done: true,
              intent: analysis.intent,
              confidence: analysis.confidence,
              outOfScope: analysis.outOfScope,
              guardrail: script.escalate ? 'escalate' : 'continue',
              workflow: script.workflow ?? null,
              step: script.step ?? null,
            },
          },
        ],
        at,
      });
      return message.seq;
    },
    feedback(input: { at: number; resolved?: boolean; rating?: number }) {
      return store.recordFeedback({ conversationId: id, source: 'widget', ...input });
    },
    /** An agent's line (a reply from the inbox). */
    agentReply(at: number, text = 'an agent reply') {
      return store.changeConversation({
        conversationId: id,
        messages: [{ role: 'agent', text, at }],
        events: [{ type: 'agent.reply', payload: { by: 'u_1' } }],
        by: 'user:u_1',
        at,
      });
    },
    event(at: number, type: string, payload: Record<string, unknown>) {
      return store.changeConversation({
        conversationId: id,
        events: [{ type, payload }],
        by: 'user:u_1',
        at,
      });
    },
    judge(at: number, payload: Record<string, unknown>) {
      return this.event(at, 'agent.judgement', { by: 'u_1', ...payload });
    },
    close(at: number, resolved: boolean) {
      return store.changeConversation({
        conversationId: id,
        status: 'closed',
        events: [{ type: 'agent.closed', payload: { resolved, by: 'u_1' } }],
        by: 'user:u_1',
        at,
      });
    },
  };
}
