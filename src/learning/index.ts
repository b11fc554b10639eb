export {
  type CandidateExample,
  type CandidateStatus,
  JUDGEMENT_EVENT,
  listCandidates,
  REVIEW_EVENT,
  reviewCandidates,
} from './corrections.ts';
