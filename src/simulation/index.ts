export { type AgentPlan, type AgentView, agentPicksUpAt, agentPlan } from './agent.ts';
export { answerText, type CustomerMove, customerMove, type SeenLine, surveyRating } from './customer.ts';
export {
  type CustomerBehaviour,
  planSimulation,
  SIMULATION_SHOP_SEED,
  type SimulatedChannel,
  type SimulatedConversation,
  type SimulationPlanProps,
} from './plan.ts';
export { runSimulation, type SimulationPorts, type SimulationSummary } from './run.ts';
