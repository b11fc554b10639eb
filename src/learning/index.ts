export {
  type CandidateExample,
  type CandidateStatus,
  JUDGEMENT_EVENT,
  listCandidates,
  REVIEW_EVENT,
  reviewCandidates,
} from './corrections.ts';
export {
  DEFAULT_GATE,
  decideGate,
  EVALUATION_SHARE,
  evaluateForGate,
  type GateEvaluation,
  type GateReport,
  type GateSettings,
  inEvaluationSet,
  renderGateMarkdown,
} from './gate.ts';
export { type NewIntentProposal, proposeNewIntents } from './new-intents.ts';
export { fingerprintOf, type RetrainResult, retrainCandidate } from './retrain.ts';
