import { z } from 'zod';
import { emptyGuardrailHistory, GuardrailHistorySchema } from '../escalation/index.ts';
import { OperationalError } from '../shared/index.ts';
import { WorkflowStateSchema } from '../workflows/index.ts';

/**
 * A connector call the engine asked for, committed with the turn and carried out afterwards by a job. Everything
 * the job needs is here, so the job's payload only names the conversation and the call.
 */
export const PendingCallSchema = z.object({
  callId: z.string(),
  /** Sent to the connector: a retry of this call is recognised as the same call. */
  idempotencyKey: z.string(),
  connector: z.string(),
  version: z.number().int(),
  operation: z.string(),
  input: z.record(z.string(), z.unknown()),
  timeoutMs: z.number().int().positive(),
  retries: z.number().int().min(0),
  /** Epoch ms: when the turn that asked for it committed. */
  requestedAt: z.number().int(),
  /** The customer message whose turn led to the call (streams say when its answer is complete). */
  customerSeq: z.number().int().nullable().default(null),
});
export type PendingCall = z.infer<typeof PendingCallSchema>;

/**
 * What the conversation runtime keeps in the store beside the conversation: plain, versioned JSON, checked when
 * read. Version 2 added `pendingCall` (turns commit before they act); a version 1 state reads as version 2 with
 * no call pending.
 */
export const RuntimeStateSchema = z.object({
  version: z.literal(2),
  workflow: WorkflowStateSchema.nullable(),
  guardrails: GuardrailHistorySchema,
  pendingCall: PendingCallSchema.nullable(),
});
export type RuntimeState = z.infer<typeof RuntimeStateSchema>;

const RuntimeStateV1Schema = z.object({
  version: z.literal(1),
  workflow: WorkflowStateSchema.nullable(),
  guardrails: GuardrailHistorySchema,
});

export function emptyRuntimeState(): RuntimeState {
  return { version: 2, workflow: null, guardrails: emptyGuardrailHistory(), pendingCall: null };
}

/**
 * The stored state of a conversation, checked: null (nothing stored yet) is the empty state; a state that is not
 * one we wrote is an OperationalError `conversation.bad_state` naming the first wrong field (never its value), so
 * the job handling it is dead-lettered where a person sees it instead of the bot acting on garbage.
 *
 * @example
 * const state = readRuntimeState(conversation.id, conversation.state);
 * state.pendingCall?.callId; // 'c1:0' while a connector call is outstanding
 */
export function readRuntimeState(conversationId: string, value: unknown): RuntimeState {
  if (value === null || value === undefined) return emptyRuntimeState();
  const current = RuntimeStateSchema.safeParse(value);
  if (current.success) return current.data;
  const old = RuntimeStateV1Schema.safeParse(value);
  if (old.success) return { ...old.data, version: 2, pendingCall: null };
  const issue = current.error.issues[0];
  throw new OperationalError(
    'conversation.bad_state',
    `the stored state of conversation ${JSON.stringify(conversationId)} is not valid: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    { field: 'state' },
  );
}
