import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { JobRequest } from '../store/index.ts';
import type { PendingCall } from './runtime-state.ts';

/** The queues of conversation work. Every job of a conversation shares its exclusive key: one at a time. */
export const CONVERSATION_QUEUES = {
  /** Handle the conversation's pending customer messages, oldest first. */
  turn: 'conversation.turn',
  /** Make the connector call a committed turn asked for, and commit its result. */
  call: 'connector.call',
  /** The customer said the answer did not resolve the issue: hand over to a person. */
  notResolved: 'conversation.not_resolved',
  /** Now and then: find messages nobody handled (their process died) and queue their turns. */
  sweep: 'conversation.sweep',
} as const;

export const TurnJobPayload = z.object({ conversationId: z.string().min(1) });
export const CallJobPayload = z.object({ conversationId: z.string().min(1), callId: z.string().min(1) });
export const NotResolvedJobPayload = z.object({
  conversationId: z.string().min(1),
  feedbackAt: z.number().int(),
});

/** A turn job: its key (when given) makes the same wake-up idempotent. */
export function turnJob(conversationId: string, key?: string): JobRequest {
  return {
    queue: CONVERSATION_QUEUES.turn,
    payload: { conversationId },
    exclusiveKey: conversationId,
    ...(key ? { key: `turn:${key}` } : {}),
  };
}

/**
 * The job of a pending call: keyed by the call's idempotency key (committing the same turn twice cannot queue
 * it twice), with a timeout long enough for every attempt the call may make and the backoff between them.
 */
export function callJob(conversationId: string, call: PendingCall): JobRequest {
  return {
    queue: CONVERSATION_QUEUES.call,
    payload: { conversationId, callId: call.callId },
    key: `call:${call.idempotencyKey}`,
    exclusiveKey: conversationId,
    timeoutMs: call.timeoutMs * (call.retries + 1) + 5000 * call.retries + 10_000,
  };
}

export function notResolvedJob(conversationId: string, feedbackAt: number): JobRequest {
  return {
    queue: CONVERSATION_QUEUES.notResolved,
    payload: { conversationId, feedbackAt },
    key: `not-resolved:${conversationId}:${feedbackAt}`,
    exclusiveKey: conversationId,
  };
}

/** The sweep of the minute `bucket` (epoch minutes): one per minute whatever the number of processes. */
export function sweepJob(bucket: number): JobRequest {
  return {
    queue: CONVERSATION_QUEUES.sweep,
    payload: { bucket },
    key: `sweep:${bucket}`,
    runAt: bucket * 60_000,
  };
}

/**
 * The idempotency key a connector receives for a call: derived from the conversation, the turn (the revision the
 * turn committed) and the call, so every retry of the call carries the same key and no other call ever does.
 * Hashed: conversation ids are chosen by callers and may hold anything.
 *
 * @example
 * callIdempotencyKey('chat-1', 3, 'chat-1:0'); // 'sb_' + 32 characters, the same every time
 */
export function callIdempotencyKey(conversationId: string, revision: number, callId: string): string {
  const digest = createHash('sha256').update(`${conversationId}\u0000${revision}\u0000${callId}`).digest();
  return `sb_${digest.toString('base64url').slice(0, 32)}`;
}
