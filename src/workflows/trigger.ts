import type { CustomerProfile, TurnAnalysis } from '../domain/index.ts';
import type { WorkflowDefinition } from './definition.ts';

/** What a trigger is matched against: the first customer turn of a conversation and who wrote it. */
export interface TriggerContext {
  turn: Pick<TurnAnalysis, 'intent' | 'entities'>;
  customer: CustomerProfile;
  channel: string;
}

/**
 * Whether a workflow's trigger matches: the intent is one of its intents, and the customer's segment (or
 * plan), the channel and the entities satisfy its optional conditions.
 *
 * @example
 * triggerMatches(orderStatus, { turn: { intent: 'order_status', entities: [] }, customer: { attributes: {} }, channel: 'chat' });
 * // true
 */
export function triggerMatches(definition: WorkflowDefinition, context: TriggerContext): boolean {
  const { trigger } = definition;
  const intent = context.turn.intent;
  if (intent === null || !trigger.intents.includes(intent)) return false;
  if (trigger.segments) {
    const segment = context.customer.segment ?? context.customer.plan;
    if (segment === undefined || !trigger.segments.includes(segment)) return false;
  }
  if (trigger.channels && !trigger.channels.includes(context.channel)) return false;
  if (trigger.entities) {
    const found = new Set(context.turn.entities.map((e) => e.type));
    if (!trigger.entities.every((type) => found.has(type))) return false;
  }
  return true;
}

/**
 * The workflow to start for a turn, or null. `workflows check` refuses overlapping triggers, so at most one
 * matches in a checked set; should several match anyway, the most specific trigger (most conditions) wins,
 * then the first in the list.
 */
export function selectWorkflow(
  definitions: readonly WorkflowDefinition[],
  context: TriggerContext,
): WorkflowDefinition | null {
  let best: WorkflowDefinition | null = null;
  let bestScore = -1;
  for (const definition of definitions) {
    if (!triggerMatches(definition, context)) continue;
    const t = definition.trigger;
    const score = (t.segments ? 1 : 0) + (t.channels ? 1 : 0) + (t.entities ? 1 : 0);
    if (score > bestScore) {
      best = definition;
      bestScore = score;
    }
  }
  return best;
}
