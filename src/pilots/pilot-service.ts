import type { z } from 'zod';
import { type PilotSettings, PilotSettingsSchema } from '../domain/index.ts';
import { type Clock, UserError } from '../shared/index.ts';
import type { Store } from '../store/index.ts';
import {
  EMPTY_PILOT_STATE,
  foldPilotEvents,
  type KillEntry,
  type PilotEntry,
  type PilotState,
} from './pilot-state.ts';

/** A workflow as the pilots see it: its id and the intents that start it. */
export interface PilotWorkflow {
  id: string;
  intents: readonly string[];
}

/** One line of `pilot list`: a workflow, its settings (null: live for everyone, as without pilots), its kill. */
export interface PilotListItem {
  workflowId: string;
  pilot: PilotEntry | null;
  kill: KillEntry | null;
}

/** One change in the history, newest last. */
export interface PilotHistoryItem {
  id: number;
  at: number;
  type: 'pilot.changed' | 'automation.killed' | 'automation.resumed';
  /** Null: all automation (kill and resume only). */
  workflowId: string | null;
  before?: PilotSettings | null;
  after?: PilotSettings;
  by: string;
  why: string;
}

/**
 * Pilots per workflow and the kill switch: the checks and the writes behind `switchboard pilot` (and, later, the
 * leads' page). Every change is one event in the store, with who and why; bad input is a UserError naming the
 * field, and nothing is written.
 *
 * @example
 * const pilots = createPilots({ store, clock, workflows: deployment.workflows.map((w) => ({ id: w.id, intents: w.trigger.intents })) });
 * await pilots.set({ workflowId: 'refund', settings: { mode: 'shadow', percent: 10 }, by: 'cli', why: 'first week' });
 * await pilots.kill({ workflowId: null, by: 'cli', why: 'carrier outage' });
 */
export interface Pilots {
  list(): Promise<PilotListItem[]>;
  /** Replaces a workflow's settings (lists left out are empty: everyone; percent left out is 100). */
  set(props: { workflowId: string; settings: unknown; by: string; why: string }): Promise<PilotEntry>;
  /** Stops a workflow (null: all automation) on every process's next turn; `changed` is false when it already was. */
  kill(props: { workflowId: string | null; by: string; why: string }): Promise<{ changed: boolean }>;
  /** Lifts a kill (null: the kill of all automation, not the workflows' own). */
  resume(props: { workflowId: string | null; by: string; why: string }): Promise<{ changed: boolean }>;
  history(props?: { workflowId?: string }): Promise<PilotHistoryItem[]>;
  state(): Promise<PilotState>;
}

export const MAX_WHY_LENGTH = 500;

export function createPilots(props: {
  store: Store;
  clock: Clock;
  workflows: readonly PilotWorkflow[];
}): Pilots {
  const { store, clock } = props;
  const known = new Set(props.workflows.map((w) => w.id));

  const state = async () => foldPilotEvents(EMPTY_PILOT_STATE, await store.listPilotEvents());

  const workflowOf = (workflowId: string): string => {
    if (!known.has(workflowId)) {
      const list = [...known].sort().join(', ') || 'none';
      throw new UserError(
        'pilot.unknown_workflow',
        `no workflow ${JSON.stringify(workflowId)} in this deployment (its workflows: ${list})`,
        { field: 'workflow' },
      );
    }
    return workflowId;
  };
  const whyOf = (why: string): string => {
    const trimmed = why.trim();
    if (trimmed === '' || trimmed.length > MAX_WHY_LENGTH) {
      throw new UserError(
        'pilot.invalid',
        `say why, in 1 to ${MAX_WHY_LENGTH} characters: it is kept with the change`,
        { field: 'why' },
      );
    }
    return trimmed;
  };

  return {
    async list() {
      const current = await state();
      const ids = [...new Set([...known, ...current.pilots.keys()])].sort();
      return ids.map((workflowId) => ({
        workflowId,
        pilot: current.pilots.get(workflowId) ?? null,
        kill: current.kills.get(workflowId) ?? null,
      }));
    },
    async set({ workflowId, settings, by, why }) {
      const id = workflowOf(workflowId);
      const reason = whyOf(why);
      const after = parseSettings(settings);
      const before = (await state()).pilots.get(id)?.settings ?? null;
      const at = clock.now();
      await store.appendPilotEvent({
        type: 'pilot.changed',
        payload: { workflowId: id, before, after, by, why: reason },
        at,
      });
      return { workflowId: id, settings: after, at, by, why: reason };
    },
    async kill({ workflowId, by, why }) {
      const id = workflowId === null ? null : workflowOf(workflowId);
      const reason = whyOf(why);
      if ((await state()).kills.has(id)) return { changed: false };
      await store.appendPilotEvent({
        type: 'automation.killed',
        payload: { workflowId: id, by, why: reason },
        at: clock.now(),
      });
      return { changed: true };
    },
    async resume({ workflowId, by, why }) {
      const reason = whyOf(why);
      // A workflow removed from the deployment may still be killed: resuming it is allowed.
      const current = await state();
      const id = workflowId === null || current.kills.has(workflowId) ? workflowId : workflowOf(workflowId);
      if (!current.kills.has(id)) return { changed: false };
      await store.appendPilotEvent({
        type: 'automation.resumed',
        payload: { workflowId: id, by, why: reason },
        at: clock.now(),
      });
      return { changed: true };
    },
    async history(query = {}) {
      const events = await store.listPilotEvents();
      const items: PilotHistoryItem[] = events.map((event) => {
        const p = event.payload;
        const before = PilotSettingsSchema.nullable().safeParse(p.before);
        const after = PilotSettingsSchema.safeParse(p.after);
        return {
          id: event.id,
          at: event.at,
          type: event.type as PilotHistoryItem['type'],
          workflowId: typeof p.workflowId === 'string' ? p.workflowId : null,
          ...(event.type === 'pilot.changed'
            ? {
                before: before.success ? before.data : null,
                ...(after.success ? { after: after.data } : {}),
              }
            : {}),
          by: typeof p.by === 'string' ? p.by : 'unknown',
          why: typeof p.why === 'string' ? p.why : '',
        };
      });
      // A workflow's history includes the kills of all automation: they stopped it too.
      return query.workflowId === undefined
        ? items
        : items.filter((i) => i.workflowId === query.workflowId || i.workflowId === null);
    },
    state,
  };
}

/**
 * Checks pilot settings: the first problem is a UserError naming its field (`mode`, `percent`, `segments`, ...).
 *
 * @example
 * parseSettings({ mode: 'live', percent: 150 }); // throws UserError pilot.invalid, field percent: 'must be a number from 0 to 100'
 */
export function parseSettings(input: unknown): PilotSettings {
  const parsed = PilotSettingsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0] as z.core.$ZodIssue;
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'settings';
  throw new UserError('pilot.invalid', messageOf(issue), { field });
}

function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value') {
    return `must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
  }
  if (issue.code === 'too_small' || issue.code === 'too_big') {
    if (issue.path.at(-1) === 'percent') return 'must be a number from 0 to 100';
  }
  if (issue.code === 'unrecognized_keys') return `unknown setting(s): ${issue.keys.join(', ')}`;
  return issue.message;
}
