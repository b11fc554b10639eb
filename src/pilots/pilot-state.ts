import {
  type CustomerProfile,
  decidePilot,
  type KillState,
  type PilotMode,
  type PilotSettings,
  PilotSettingsSchema,
} from '../domain/index.ts';
import type { StoredEvent } from '../store/index.ts';

/** A workflow's settings as last changed: what, when, by whom, why. */
export interface PilotEntry {
  workflowId: string;
  settings: PilotSettings;
  at: number;
  by: string;
  why: string;
}

/** A kill as recorded: the workflow (null: all automation), who and why. */
export interface KillEntry {
  workflowId: string | null;
  at: number;
  by: string;
  why: string;
}

/** The pilots' settings and the kill switch, folded from the store's pilot events (the newest wins). */
export interface PilotState {
  /** The newest pilot event folded in (0: none): what a process compares to notice a change. */
  lastEventId: number;
  pilots: ReadonlyMap<string, PilotEntry>;
  /** Kills in force: `null` is the kill of all automation. */
  kills: ReadonlyMap<string | null, KillEntry>;
}

export const EMPTY_PILOT_STATE: PilotState = { lastEventId: 0, pilots: new Map(), kills: new Map() };

/**
 * Folds pilot events (in id order) onto a state. An event whose payload does not parse (written by a later build)
 * is skipped rather than trusted.
 *
 * @example
 * const state = foldPilotEvents(EMPTY_PILOT_STATE, await store.listPilotEvents());
 * state.pilots.get('refund')?.settings.mode; // 'shadow'
 */
export function foldPilotEvents(state: PilotState, events: readonly StoredEvent[]): PilotState {
  const pilots = new Map(state.pilots);
  const kills = new Map(state.kills);
  let lastEventId = state.lastEventId;
  for (const event of events) {
    lastEventId = Math.max(lastEventId, event.id);
    const p = event.payload;
    const by = typeof p.by === 'string' ? p.by : 'unknown';
    const why = typeof p.why === 'string' ? p.why : '';
    if (event.type === 'pilot.changed' && typeof p.workflowId === 'string') {
      const parsed = PilotSettingsSchema.safeParse(p.after);
      if (parsed.success) {
        pilots.set(p.workflowId, { workflowId: p.workflowId, settings: parsed.data, at: event.at, by, why });
      }
    } else if (event.type === 'automation.killed' || event.type === 'automation.resumed') {
      const workflowId = typeof p.workflowId === 'string' ? p.workflowId : null;
      if (event.type === 'automation.killed') kills.set(workflowId, { workflowId, at: event.at, by, why });
      else kills.delete(workflowId);
    }
  }
  return { lastEventId, pilots, kills };
}

export function killStateOf(state: PilotState): KillState {
  return {
    all: state.kills.has(null),
    workflows: new Set([...state.kills.keys()].filter((k): k is string => k !== null)),
  };
}

/**
 * What a turn asks (PlanContext): the mode of a workflow for a conversation, and whether a workflow is stopped.
 *
 * @example
 * const decide = pilotDecisions(state);
 * decide.pilotFor({ conversation, workflow: definition, category: 'refund_request' }); // 'live' | 'shadow' | 'off'
 * decide.killed('refund'); // true after `switchboard pilot kill refund`
 */
export function pilotDecisions(state: PilotState): {
  pilotFor: (props: {
    conversation: { id: string; customer: CustomerProfile; channel: string };
    workflow: { id: string; intents: readonly string[] };
    category: string | null;
  }) => PilotMode;
  /** Whether a workflow is stopped; `null`: whether all automation is. */
  killed: (workflowId: string | null) => boolean;
} {
  const kill = killStateOf(state);
  return {
    pilotFor: ({ conversation, workflow, category }) =>
      decidePilot({
        settings: state.pilots.get(workflow.id)?.settings,
        workflowId: workflow.id,
        workflowIntents: workflow.intents,
        conversation,
        category,
      }),
    killed: (workflowId) => kill.all || (workflowId !== null && kill.workflows.has(workflowId)),
  };
}
