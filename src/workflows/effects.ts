import type { EscalationCode, EscalationPriority } from '../domain/index.ts';

/**
 * What the engine asks the runtime to do. Effects are data: the engine never sends, calls or stores anything
 * itself. The runtime (app/) carries them out in order and feeds results back as events.
 */
export type Effect =
  /** Say something to the customer. */
  | { type: 'reply'; stepId: string; text: string }
  /** Ask the customer for a slot; the next customer message answers it. */
  | { type: 'ask'; stepId: string; slot: string; text: string; choices?: string[] }
  /** Call a connector operation; the runtime answers with a `callResult` event carrying `callId`. */
  | {
      type: 'call';
      stepId: string;
      callId: string;
      connector: string;
      /** The connector version the workflow was written for. */
      version: number;
      operation: string;
      input: Record<string, unknown>;
      timeoutMs: number;
      retries: number;
    }
  /** Ask "Did this resolve your issue?" (or the step's question); the next customer message answers yes or no. */
  | { type: 'confirm'; stepId: string; text: string }
  /** Search the knowledge base; the runtime answers with an `answerResult` event. */
  | { type: 'answer'; stepId: string; query: string; minScore: number }
  /** The conversation is resolved by automation. */
  | { type: 'resolve'; stepId: string | null; text?: string; summary?: string }
  /** The conversation goes to a person; the runtime builds the handoff packet. */
  | {
      type: 'escalate';
      stepId: string | null;
      code: EscalationCode;
      /** One sentence for the agent. */
      reason: string;
      /** The workflow's own reason, for `workflow_escalated`. */
      workflowReason?: string;
      queue: string;
      priority: EscalationPriority;
      /** Said to the customer, when the workflow gives a text. */
      text?: string;
    }
  /** Who owns the conversation now. */
  | { type: 'setOwner'; owner: 'bot' | 'human' };

export type EffectType = Effect['type'];
