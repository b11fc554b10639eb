import { type ExclusionRule, matchExclusions } from '../audit/index.ts';
import type { TurnAnalysis } from '../domain/index.ts';
import { analyseSentiment, detectHumanRequest, extractEntities, type Nlu } from '../nlu/index.ts';

/** Reads one customer turn: the NLU (when a model is loaded) plus the exclusion rules. */
export type TurnAnalyser = (text: string) => TurnAnalysis;

/**
 * Builds the analyser the runtime runs on every customer turn. Without a model every turn is out of scope
 * (so the guardrails send it to a person), but entities, sentiment, human requests and exclusions still work.
 *
 * @example
 * const analyse = createTurnAnalyser({ nlu, exclusions: loadExclusionRules() });
 * analyse('Where is my order SB-123456?').intent; // 'order_status'
 */
export function createTurnAnalyser(props: {
  nlu: Nlu | null;
  exclusions: readonly ExclusionRule[];
}): TurnAnalyser {
  const { nlu, exclusions } = props;
  return (text) => {
    if (nlu) {
      const p = nlu.predict(text);
      return {
        text,
        intent: p.label,
        confidence: p.confidence,
        outOfScope: p.outOfScope,
        reason: p.reason,
        entities: p.entities,
        sentiment: p.sentiment,
        humanRequested: p.humanRequested,
        exclusions: matchExclusions(text, p.entities, exclusions),
      };
    }
    const entities = extractEntities(text);
    return {
      text,
      intent: null,
      confidence: 0,
      outOfScope: true,
      reason: 'out_of_scope',
      entities,
      sentiment: analyseSentiment(text),
      humanRequested: detectHumanRequest(text).requested,
      exclusions: matchExclusions(text, entities, exclusions),
    };
  };
}
