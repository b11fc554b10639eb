import { z } from 'zod';

/**
 * Why a conversation went to a person. The codes are stable: reports, handoff packets and the weekly review
 * group by them, so a code is never renamed, only added.
 */
export const ESCALATION_CODES = [
  'human_requested',
  'negative_sentiment',
  'no_progress',
  'repeated_intent',
  'excluded',
  'out_of_scope',
  'low_confidence',
  'connector_failed',
  'slot_retries_exhausted',
  'not_resolved',
  'no_answer',
  'no_workflow',
  'workflow_loop',
  'workflow_escalated',
  'bot_error',
  'automation_paused',
  'shadow_mode',
] as const;
export const EscalationCodeSchema = z.enum(ESCALATION_CODES);
export type EscalationCode = z.infer<typeof EscalationCodeSchema>;

/** One sentence per code, for agents: what happened, in plain words. */
export const ESCALATION_SENTENCES: Record<EscalationCode, string> = {
  human_requested: 'The customer asked for a person.',
  negative_sentiment: 'The customer is upset (negative sentiment below the threshold).',
  no_progress: 'The conversation made no progress for several exchanges.',
  repeated_intent: 'The customer asked for the same thing several times in different words.',
  excluded: 'The request matches an exclusion rule: it always goes to a person.',
  out_of_scope: 'The request is outside what the automation handles.',
  low_confidence: 'The automation was not sure what the customer wants, even after a clarifying question.',
  connector_failed: 'A system the automation needed did not answer, even after retries.',
  slot_retries_exhausted: 'The customer could not give a detail the workflow needs.',
  not_resolved: 'The customer said the answer did not resolve the issue.',
  no_answer: 'The knowledge base has no answer that scores high enough.',
  no_workflow: 'No workflow handles this request.',
  workflow_loop: 'The workflow went round in a loop without asking or answering anything.',
  workflow_escalated: 'The workflow hands this case to a person by design.',
  bot_error: 'The automation failed while answering (a workflow template could not be rendered).',
  automation_paused:
    'The automation was stopped (kill switch) while this conversation was with the bot: a person takes over.',
  shadow_mode:
    'The workflow runs in shadow mode: the bot drafted its answer for an agent and sent the customer nothing.',
};

export const EscalationPrioritySchema = z.enum(['low', 'normal', 'high', 'urgent']);
export type EscalationPriority = z.infer<typeof EscalationPrioritySchema>;

/**
 * The guardrails applied on every customer turn, whatever the workflow says. Defaults follow the strategy:
 * a person on request at once, on negative sentiment, after three exchanges without progress or the same
 * intent three times, on any exclusion, and after one clarifying question when unsure.
 */
const guardrailFields = {
  /** Escalate at once on an explicit request for a person. */
  escalateOnHumanRequest: z.boolean(),
  /** Escalate when the sentiment score of a customer turn is at or below this (-1 .. 1). */
  negativeSentimentBelow: z.number().min(-1).max(1),
  /** Escalate when frustration (0 .. 1) reaches this. */
  frustrationAbove: z.number().min(0).max(1),
  /** Escalate after this many customer turns in a row without progress (a slot filled, a step passed). */
  maxExchangesWithoutProgress: z.number().int().min(1),
  /** Escalate when the same intent is asked this many times in different words. */
  maxSameIntent: z.number().int().min(2),
  /** Clarifying questions allowed when out of scope or unsure, before escalating. */
  clarifyingQuestions: z.number().int().min(0),
  /** Below this calibrated confidence an intent is treated as unsure. */
  minConfidence: z.number().min(0).max(1),
  /** Exclusion rule ids to ignore for this workflow (none by default: exclusions always go to people). */
  allowExclusions: z.array(z.string()),
  /** The queue escalations go to unless the escalating step names one. */
  queue: z.string(),
};

const GUARDRAIL_DEFAULTS = {
  escalateOnHumanRequest: true,
  negativeSentimentBelow: -0.5,
  frustrationAbove: 0.8,
  maxExchangesWithoutProgress: 3,
  maxSameIntent: 3,
  clarifyingQuestions: 1,
  minConfidence: 0.5,
  allowExclusions: [] as string[],
  queue: 'support',
};

export const GuardrailConfigSchema = z.object({
  escalateOnHumanRequest: guardrailFields.escalateOnHumanRequest.default(
    GUARDRAIL_DEFAULTS.escalateOnHumanRequest,
  ),
  negativeSentimentBelow: guardrailFields.negativeSentimentBelow.default(
    GUARDRAIL_DEFAULTS.negativeSentimentBelow,
  ),
  frustrationAbove: guardrailFields.frustrationAbove.default(GUARDRAIL_DEFAULTS.frustrationAbove),
  maxExchangesWithoutProgress: guardrailFields.maxExchangesWithoutProgress.default(
    GUARDRAIL_DEFAULTS.maxExchangesWithoutProgress,
  ),
  maxSameIntent: guardrailFields.maxSameIntent.default(GUARDRAIL_DEFAULTS.maxSameIntent),
  clarifyingQuestions: guardrailFields.clarifyingQuestions.default(GUARDRAIL_DEFAULTS.clarifyingQuestions),
  minConfidence: guardrailFields.minConfidence.default(GUARDRAIL_DEFAULTS.minConfidence),
  allowExclusions: guardrailFields.allowExclusions.default(() => []),
  queue: guardrailFields.queue.default(GUARDRAIL_DEFAULTS.queue),
});
export type GuardrailConfig = z.infer<typeof GuardrailConfigSchema>;

/**
 * Overrides of the global settings (a workflow's `guardrails`, a deployment's `guardrails`): any subset, with
 * no defaults of its own, so a key left out keeps the value it overrides.
 */
export const GuardrailOverridesSchema = z.strictObject(guardrailFields).partial();
export type GuardrailOverrides = z.infer<typeof GuardrailOverridesSchema>;

export const DEFAULT_GUARDRAILS: GuardrailConfig = GuardrailConfigSchema.parse({});
