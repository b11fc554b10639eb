import type { CustomerProfile, EscalationCode, TurnAnalysis } from '../domain/index.ts';

/** What happens to a running workflow: the input of `step`. `at` is the injected time, epoch ms. */
export type EngineEvent =
  /** The workflow starts on a customer message (whose intent triggered it). */
  | {
      type: 'start';
      at: number;
      turn: TurnAnalysis;
      customer: CustomerProfile;
      channel: string;
      /** Ids for calls are derived from this, so a run is deterministic. */
      conversationId: string;
    }
  /** A later customer message. */
  | { type: 'message'; at: number; turn: TurnAnalysis }
  /** A connector call finished (after the runtime's retries). */
  | { type: 'callResult'; at: number; callId: string; ok: true; output: unknown }
  | { type: 'callResult'; at: number; callId: string; ok: false; error: string }
  /** A knowledge-base search finished. */
  | {
      type: 'answerResult';
      at: number;
      stepId: string;
      found: true;
      passage: string;
      title: string;
      url?: string;
      score: number;
    }
  | { type: 'answerResult'; at: number; stepId: string; found: false }
  /** A guardrail (outside the workflow) decided the conversation goes to a person now. */
  | { type: 'escalate'; at: number; code: EscalationCode; reason: string };

export type EngineEventType = EngineEvent['type'];
