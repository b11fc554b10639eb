export {
  createPilots,
  MAX_WHY_LENGTH,
  type PilotHistoryItem,
  type PilotListItem,
  type Pilots,
  type PilotWorkflow,
  parseSettings,
} from './pilot-service.ts';
export {
  EMPTY_PILOT_STATE,
  foldPilotEvents,
  type KillEntry,
  killStateOf,
  type PilotEntry,
  type PilotState,
  pilotDecisions,
} from './pilot-state.ts';
