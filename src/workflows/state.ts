import { z } from 'zod';
import { CustomerProfileSchema, EntityValueSchema, EscalationCodeSchema } from '../domain/index.ts';

/** Bumped when the shape changes; `step` refuses a state of another version with a clear error. */
export const STATE_VERSION = 1;

export const WorkflowStatusSchema = z.enum([
  /** Waiting for the customer to answer an `ask` (or a clarification). */
  'awaiting_input',
  /** Waiting for a `callResult`. */
  'awaiting_call',
  /** Waiting for an `answerResult`. */
  'awaiting_answer',
  /** Waiting for the customer's yes or no to a `confirm`. */
  'awaiting_confirm',
  'resolved',
  'escalated',
]);
export type WorkflowStatus = z.infer<typeof WorkflowStatusSchema>;

/** One step the workflow went through, and how it ended: the "steps tried" of a handoff packet. */
export const TrailEntrySchema = z.object({
  stepId: z.string(),
  type: z.string(),
  /** entered, asked, filled, invalid, failed, called, call_failed, answered, not_found, yes, no, took:<target>, ... */
  outcome: z.string(),
  at: z.number().int(),
});
export type TrailEntry = z.infer<typeof TrailEntrySchema>;

/** A connector call and its result: the "connector results" of a handoff packet. */
export const CallRecordSchema = z.object({
  callId: z.string(),
  stepId: z.string(),
  connector: z.string(),
  operation: z.string(),
  input: z.record(z.string(), z.unknown()),
  ok: z.boolean().optional(),
  output: z.unknown().optional(),
  error: z.string().optional(),
  at: z.number().int(),
});
export type CallRecord = z.infer<typeof CallRecordSchema>;

/**
 * The state of one workflow run: plain, versioned JSON, so a conversation resumes after a restart from the
 * copy in the store. Everything `step` needs is here; nothing lives in closures.
 */
export const WorkflowStateSchema = z.object({
  version: z.literal(STATE_VERSION),
  workflowId: z.string(),
  workflowVersion: z.number().int(),
  conversationId: z.string(),
  status: WorkflowStatusSchema,
  /** The step waiting for an event, or the terminal step; null before the first step and after an outside escalation. */
  stepId: z.string().nullable(),
  slots: z.record(z.string(), z.unknown()),
  vars: z.record(z.string(), z.unknown()),
  customer: CustomerProfileSchema,
  channel: z.string(),
  intent: z.string().nullable(),
  /** Entities from every customer message so far, in order. */
  entities: z.array(EntityValueSchema),
  /** The customer's last message (the default knowledge-base query). */
  lastMessage: z.string(),
  /** Invalid answers per ask step, attempts per call step. */
  attempts: z.record(z.string(), z.number().int()),
  /** The call the workflow is waiting for. */
  pendingCallId: z.string().nullable(),
  /** Counts calls, so call ids are unique within the conversation. */
  callCount: z.number().int(),
  /** The last knowledge-base answer, for templates. */
  answer: z
    .object({ passage: z.string(), title: z.string(), url: z.string().optional(), score: z.number() })
    .nullable(),
  trail: z.array(TrailEntrySchema),
  calls: z.array(CallRecordSchema),
  /** Customer turns handled, and the turn at which the workflow last made progress. */
  turns: z.number().int(),
  lastProgressTurn: z.number().int(),
  outcome: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('resolved'), summary: z.string().optional() }),
      z.object({
        type: z.literal('escalated'),
        code: EscalationCodeSchema,
        reason: z.string(),
        workflowReason: z.string().optional(),
      }),
    ])
    .nullable(),
  startedAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type WorkflowState = z.infer<typeof WorkflowStateSchema>;
