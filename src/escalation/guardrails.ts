import { z } from 'zod';
import {
  ESCALATION_SENTENCES,
  type EscalationPriority,
  type GuardrailConfig,
  type GuardrailOverrides,
  type TurnAnalysis,
} from '../domain/index.ts';

/** What the guardrails say to the customer. Kept here, in one place. */
export const GUARDRAIL_TEXTS = {
  clarify: 'Sorry, I did not quite get that. Could you say in a few words what you need help with?',
} as const;

/** How many accepted intents the history remembers (enough for any sensible `maxSameIntent`). */
export const HISTORY_INTENTS_KEPT = 50;
/** Longer texts are compared on their first characters: the same opening is the same wording. */
const KEPT_TEXT_CHARS = 200;

export const GuardrailHistorySchema = z.object({
  version: z.literal(1),
  /**
   * Accepted, confident turns that asked for something (answers to the workflow's questions are not asks),
   * with the normalised text; the last HISTORY_INTENTS_KEPT.
   */
  intents: z.array(z.object({ intent: z.string(), text: z.string() })),
  /** Customer turns in a row, while a workflow ran, since the workflow last made progress. */
  turnsWithoutProgress: z.number().int().min(0),
  /** Clarifying questions asked since the last turn the NLU understood. */
  clarifications: z.number().int().min(0),
});
export type GuardrailHistory = z.infer<typeof GuardrailHistorySchema>;

export function emptyGuardrailHistory(): GuardrailHistory {
  return { version: 1, intents: [], turnsWithoutProgress: 0, clarifications: 0 };
}

/** The workflow made progress on this turn: the no-progress count starts again. */
export function recordProgress(history: GuardrailHistory): GuardrailHistory {
  return { ...history, turnsWithoutProgress: 0 };
}

/** The global settings with a workflow's overrides on top; a key the workflow sets replaces the global one. */
export function mergeGuardrails(global: GuardrailConfig, overrides?: GuardrailOverrides): GuardrailConfig {
  const set = Object.entries(overrides ?? {}).filter(([, value]) => value !== undefined);
  return { ...global, ...(Object.fromEntries(set) as GuardrailOverrides) };
}

/** What each guardrail escalation records, beyond its sentence. */
export interface GuardrailDetails {
  human_requested: { intent: string | null };
  excluded: { rules: string[] };
  negative_sentiment: { score: number; frustration: number; cues: string[] };
  repeated_intent: { intent: string; times: number };
  no_progress: { turns: number };
  out_of_scope: { clarifications: number; intent: string | null; confidence: number };
  low_confidence: { clarifications: number; intent: string | null; confidence: number };
}
export type GuardrailCode = keyof GuardrailDetails;

export type GuardrailEscalation = {
  [C in GuardrailCode]: {
    action: 'escalate';
    code: C;
    /** The code's sentence from ESCALATION_SENTENCES plus the specifics (never customer text). */
    reason: string;
    detail: GuardrailDetails[C];
    /** The config's queue, and how urgent this kind of escalation is. */
    queue: string;
    priority: EscalationPriority;
    history: GuardrailHistory;
  };
}[GuardrailCode];

export type GuardrailVerdict =
  | { action: 'continue'; history: GuardrailHistory }
  | {
      action: 'clarify';
      code: 'out_of_scope' | 'low_confidence';
      text: string;
      history: GuardrailHistory;
    }
  | GuardrailEscalation;

const PRIORITY: Record<GuardrailCode, EscalationPriority> = {
  human_requested: 'normal',
  excluded: 'high',
  negative_sentiment: 'high',
  repeated_intent: 'normal',
  no_progress: 'normal',
  out_of_scope: 'normal',
  low_confidence: 'normal',
};

export interface EvaluateGuardrailsProps {
  /** Global settings merged with the workflow's overrides (`mergeGuardrails`). */
  config: GuardrailConfig;
  turn: TurnAnalysis;
  history: GuardrailHistory;
  /** The workflow waits for the customer's answer (an ask or a confirm): "SB-123456" or "yes" is an answer. */
  awaitingAnswer: boolean;
  /** A workflow was running for this conversation before this turn. */
  workflowActive: boolean;
  /**
   * The intent the running workflow was started for: what the conversation is about, and what the handoff packet
   * names as its intent. Escalation reasons name it rather than this turn's guess.
   */
  workflowIntent?: string | null;
}

/**
 * The guardrails: checked on every customer turn, before the workflow engine sees it and whatever the
 * workflow says. In this order, the first that fires wins:
 *
 * 1. an explicit request for a person -> escalate `human_requested` at once (`escalateOnHumanRequest`);
 * 2. an exclusion rule matched, minus `allowExclusions` -> escalate `excluded`, naming the rules;
 * 3. sentiment score <= `negativeSentimentBelow` or frustration >= `frustrationAbove` -> `negative_sentiment`;
 * 4. the same intent asked `maxSameIntent` times in different words -> `repeated_intent`;
 * 5. `maxExchangesWithoutProgress` customer turns in a row without progress, while a workflow runs ->
 *    `no_progress` on the next turn;
 * 6. out of scope or below `minConfidence`, unless the workflow awaits an answer -> a clarifying question,
 *    up to `clarifyingQuestions` in a row, then `out_of_scope` / `low_confidence`.
 *
 * A connector that still fails after its retries is not a guardrail: the engine escalates it itself with
 * `connector_failed` and the error (or takes the call step's `onError` branch).
 *
 * The function is pure: the counters it needs live in `GuardrailHistory`, plain JSON the runtime keeps with
 * the conversation and passes back on the next turn. After the engine step, the runtime calls
 * `recordProgress` when the workflow made progress on the turn (a slot filled, a step passed).
 *
 * @example
 * const verdict = evaluateGuardrails({
 *   config: mergeGuardrails(DEFAULT_GUARDRAILS, { maxExchangesWithoutProgress: 5 }),
 *   turn: { ...turn, exclusions: ['account_security'] }, // what the NLU and the exclusion rules said
 *   history: emptyGuardrailHistory(), // or the copy stored with the conversation
 *   awaitingAnswer: false,
 *   workflowActive: false,
 * });
 * // { action: 'escalate', code: 'excluded', reason: 'The request matches an exclusion rule: it always goes to
 * //   a person. Rule: account_security.', detail: { rules: ['account_security'] }, priority: 'high', ... }
 */
export function evaluateGuardrails(props: EvaluateGuardrailsProps): GuardrailVerdict {
  const { config, turn, history, awaitingAnswer, workflowActive } = props;
  // `reason`, not `outOfScope`: turns stored before outOfScope meant only out of scope have it set for low
  // confidence too.
  const understood =
    turn.reason === 'accepted' && turn.intent !== null && turn.confidence >= config.minConfidence;

  // The history always takes the turn in, whatever the verdict, so the stored copy never misses one.
  const intents =
    understood && !awaitingAnswer && turn.intent !== null
      ? [...history.intents, { intent: turn.intent, text: normaliseText(turn.text) }].slice(
          -HISTORY_INTENTS_KEPT,
        )
      : history.intents;
  const turnsBefore = history.turnsWithoutProgress;
  const next: GuardrailHistory = {
    version: 1,
    intents,
    turnsWithoutProgress: workflowActive ? turnsBefore + 1 : turnsBefore,
    clarifications: understood ? 0 : history.clarifications,
  };
  const escalate = <C extends GuardrailCode>(
    code: C,
    specifics: string,
    detail: GuardrailDetails[C],
  ): GuardrailEscalation =>
    ({
      action: 'escalate',
      code,
      reason: `${ESCALATION_SENTENCES[code]} ${specifics}`,
      detail,
      queue: config.queue,
      priority: PRIORITY[code],
      history: next,
    }) as GuardrailEscalation;

  if (config.escalateOnHumanRequest && turn.humanRequested) {
    // The intent the conversation is about, as the handoff packet names it: the running workflow's, else the
    // last one understood; never a guess the guardrails did not accept.
    const intent =
      props.workflowIntent ?? (understood ? turn.intent : null) ?? intents.at(-1)?.intent ?? null;
    return escalate('human_requested', intent ? `Last intent: ${intent}.` : 'No intent recognised yet.', {
      intent,
    });
  }

  const rules = [...new Set(turn.exclusions)].filter((id) => !config.allowExclusions.includes(id));
  if (rules.length > 0) {
    return escalate('excluded', `Rule${rules.length > 1 ? 's' : ''}: ${rules.join(', ')}.`, { rules });
  }

  const { score, frustration, cues } = turn.sentiment;
  if (score <= config.negativeSentimentBelow || frustration >= config.frustrationAbove) {
    const cueText = cues.length > 0 ? `; cues: ${cues.join(', ')}` : '';
    return escalate(
      'negative_sentiment',
      `Sentiment ${score.toFixed(2)} (escalates at ${config.negativeSentimentBelow.toFixed(2)} or below), frustration ${frustration.toFixed(2)} (escalates at ${config.frustrationAbove.toFixed(2)} or above)${cueText}.`,
      { score, frustration, cues: [...cues] },
    );
  }

  if (intents !== history.intents && turn.intent !== null) {
    const intent = turn.intent;
    const times = new Set(intents.filter((i) => i.intent === intent).map((i) => i.text)).size;
    if (times >= config.maxSameIntent) {
      return escalate('repeated_intent', `Intent ${intent} asked ${times} times in different words.`, {
        intent,
        times,
      });
    }
  }

  // Whether this turn makes progress is only known after the engine step, so the turns counted are the ones
  // already handled: after N unproductive exchanges, the next message goes to a person.
  if (workflowActive && turnsBefore >= config.maxExchangesWithoutProgress) {
    return escalate('no_progress', `${turnsBefore} customer turns in a row without progress.`, {
      turns: turnsBefore,
    });
  }

  if (!understood && !awaitingAnswer) {
    const code = turn.reason === 'out_of_scope' || turn.intent === null ? 'out_of_scope' : 'low_confidence';
    if (history.clarifications < config.clarifyingQuestions) {
      return {
        action: 'clarify',
        code,
        text: GUARDRAIL_TEXTS.clarify,
        history: { ...next, clarifications: history.clarifications + 1 },
      };
    }
    const asked = `${history.clarifications} clarifying question${history.clarifications === 1 ? '' : 's'}`;
    const specifics =
      code === 'out_of_scope'
        ? `Still out of scope after ${asked}.`
        : `Confidence ${turn.confidence.toFixed(2)} (below ${config.minConfidence.toFixed(2)}) for ${turn.intent} after ${asked}.`;
    return escalate(code, specifics, {
      clarifications: history.clarifications,
      intent: turn.intent,
      confidence: turn.confidence,
    });
  }

  return { action: 'continue', history: next };
}

/** Lower case, punctuation and symbols dropped, spaces collapsed: "Where is my order?!" = "where is my order". */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, KEPT_TEXT_CHARS);
}
