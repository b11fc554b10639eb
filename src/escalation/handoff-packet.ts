import { z } from 'zod';
import {
  CustomerProfileSchema,
  EscalationCodeSchema,
  EscalationPrioritySchema,
  TranscriptLineSchema,
} from '../domain/index.ts';

/** Bumped when the shape changes; stored packets of an older version are read with their own schema. */
export const HANDOFF_PACKET_VERSION = 1;

/** What the NLU made of one customer line, as an agent needs it. */
export const HandoffTurnSchema = z.object({
  intent: z.string().nullable(),
  confidence: z.number(),
  reason: z.enum(['accepted', 'out_of_scope', 'low_confidence']),
  sentiment: z.enum(['negative', 'neutral', 'positive']),
  sentimentScore: z.number(),
  /** Frustration cues the sentiment analysis found (repeat_contact, still_not, ...). */
  cues: z.array(z.string()),
  humanRequested: z.boolean(),
  exclusions: z.array(z.string()),
});
export type HandoffTurn = z.infer<typeof HandoffTurnSchema>;

export const HandoffLineSchema = TranscriptLineSchema.pick({
  role: true,
  text: true,
  at: true,
  stepId: true,
}).extend({ turn: HandoffTurnSchema.optional() });
export type HandoffLine = z.infer<typeof HandoffLineSchema>;

/** A step the workflow went through, with its title when the definition was at hand. */
export const HandoffStepSchema = z.object({
  stepId: z.string(),
  title: z.string().optional(),
  type: z.string(),
  outcome: z.string(),
  at: z.number().int(),
});
export type HandoffStep = z.infer<typeof HandoffStepSchema>;

/** A connector call: input and output summarised (a large output is outlined, not copied whole). */
export const HandoffCallSchema = z.object({
  callId: z.string(),
  stepId: z.string(),
  connector: z.string(),
  operation: z.string(),
  /** null while no result came back. */
  ok: z.boolean().nullable(),
  input: z.string(),
  output: z.string().optional(),
  error: z.string().optional(),
  at: z.number().int(),
});
export type HandoffCall = z.infer<typeof HandoffCallSchema>;

/**
 * Everything an agent needs to pick up an escalated conversation without asking the customer again: stored
 * with the conversation and rendered as Markdown, HTML and a helpdesk internal note.
 */
export const HandoffPacketSchema = z.object({
  version: z.literal(HANDOFF_PACKET_VERSION),
  conversationId: z.string(),
  createdAt: z.number().int(),
  escalation: z.object({
    code: EscalationCodeSchema,
    /** The code's sentence (ESCALATION_SENTENCES). */
    sentence: z.string(),
    /** The sentence with the specifics: which rule, which score, how many exchanges, which error. */
    reason: z.string(),
    workflowReason: z.string().optional(),
    queue: z.string(),
    priority: EscalationPrioritySchema,
  }),
  customer: CustomerProfileSchema,
  /** The conversation's intent: the workflow's, else the last one the NLU accepted. */
  intent: z.string().nullable(),
  transcript: z.array(HandoffLineSchema),
  workflow: z
    .object({
      id: z.string(),
      version: z.number().int(),
      status: z.string(),
      stepId: z.string().nullable(),
      steps: z.array(HandoffStepSchema),
      slots: z.record(z.string(), z.unknown()),
      calls: z.array(HandoffCallSchema),
    })
    .nullable(),
  suggestedNextStep: z.string(),
});
export type HandoffPacket = z.infer<typeof HandoffPacketSchema>;
