export {
  type BotLine,
  HANDOFF_TEXT,
  outcomeOfEffects,
  type TurnEscalation,
  transcriptOf,
  withChoices,
} from './bot-lines.ts';
export { commitTurn, type TurnReport } from './commit-turn.ts';
export {
  type CommittedTurn,
  type ConversationService,
  type ConversationServiceOptions,
  createConversationService,
  SWEEP_AFTER_MS,
} from './conversation-service.ts';
export {
  CONVERSATION_QUEUES,
  callIdempotencyKey,
  callJob,
  notResolvedJob,
  sweepJob,
  turnJob,
} from './jobs.ts';
export {
  type KnowledgeSearch,
  type PlanContext,
  planTurn,
  type TurnPlan,
  type TurnTrigger,
  type WorkflowSet,
  workflowSet,
} from './plan-turn.ts';
export {
  type ConversationRuntime,
  createConversationRuntime,
  type MessageReport,
  mergeTurnReports,
} from './runtime.ts';
export {
  emptyRuntimeState,
  type PendingCall,
  PendingCallSchema,
  type RuntimeState,
  RuntimeStateSchema,
  readRuntimeState,
} from './runtime-state.ts';
export { createTurnAnalyser, type TurnAnalyser } from './turn-analysis.ts';
