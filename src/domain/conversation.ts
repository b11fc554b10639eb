import { z } from 'zod';

/** Who answers a conversation now: automation, or a person (automation stays silent until handed back). */
export const ConversationOwnerSchema = z.enum(['bot', 'human']);
export type ConversationOwner = z.infer<typeof ConversationOwnerSchema>;

export const ConversationStatusSchema = z.enum(['open', 'resolved', 'escalated', 'closed']);
export type ConversationStatus = z.infer<typeof ConversationStatusSchema>;

/** What a workflow and a handoff packet know about the customer. */
export const CustomerProfileSchema = z.object({
  id: z.string().optional(),
  name: z.string().optional(),
  email: z.string().optional(),
  segment: z.string().optional(),
  plan: z.string().optional(),
  attributes: z.record(z.string(), z.unknown()).default({}),
});
export type CustomerProfile = z.infer<typeof CustomerProfileSchema>;

/** An entity found in a message (the same shape the NLU returns). */
export const EntityValueSchema = z.object({
  type: z.string(),
  value: z.string(),
  start: z.number().int(),
  end: z.number().int(),
});
export type EntityValue = z.infer<typeof EntityValueSchema>;

/**
 * What the NLU and the exclusion rules said about one customer turn: the input of the guardrails and of the
 * engine, and one line of the handoff packet.
 */
export const TurnAnalysisSchema = z.object({
  text: z.string(),
  /** The most likely intent, or null when there is no model. */
  intent: z.string().nullable(),
  confidence: z.number().min(0).max(1),
  /**
   * No intent fits (`reason` out_of_scope). Turns stored before December 2026 have it set for low_confidence too:
   * read `reason`.
   */
  outOfScope: z.boolean(),
  /** accepted | out_of_scope | low_confidence (as the NLU says). */
  reason: z.enum(['accepted', 'out_of_scope', 'low_confidence']),
  entities: z.array(EntityValueSchema),
  sentiment: z.object({
    score: z.number(),
    label: z.enum(['negative', 'neutral', 'positive']),
    frustration: z.number(),
    cues: z.array(z.string()),
  }),
  humanRequested: z.boolean(),
  /** Ids of the exclusion rules the text matches. */
  exclusions: z.array(z.string()),
});
export type TurnAnalysis = z.infer<typeof TurnAnalysisSchema>;

/**
 * What a bot line does: tell (`reply`), ask for a detail (`ask`, maybe with choices), ask whether the answer
 * resolved the issue (`confirm`), close the request (`resolve`), hand over to a person (`escalate`), or ask the
 * customer to rephrase (`clarify`). Channels render them differently (choices as buttons, a hand-off notice).
 */
export const BotLineKindSchema = z.enum(['reply', 'ask', 'confirm', 'resolve', 'escalate', 'clarify']);
export type BotLineKind = z.infer<typeof BotLineKindSchema>;

/** One line of a conversation's transcript. */
export const TranscriptLineSchema = z.object({
  role: z.enum(['customer', 'bot', 'agent', 'system']),
  text: z.string(),
  at: z.number().int(),
  /** Customer lines carry what the NLU made of them. */
  analysis: TurnAnalysisSchema.optional(),
  /** Bot lines carry the workflow step that said them. */
  stepId: z.string().optional(),
  /** Bot lines: what the line does. */
  kind: BotLineKindSchema.optional(),
  /** Bot lines that ask with choices: the choices, in order (the text lists them too, numbered). */
  choices: z.array(z.string()).optional(),
});
export type TranscriptLine = z.infer<typeof TranscriptLineSchema>;
