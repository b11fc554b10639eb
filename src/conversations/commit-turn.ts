import type { TranscriptLine, TurnAnalysis } from '../domain/index.ts';
import { buildHandoffPacket, type HandoffPacket } from '../escalation/index.ts';
import type { ClaimedJob, JobRequest, Store, StoredConversation } from '../store/index.ts';
import { transcriptOf } from './bot-lines.ts';
import { callJob } from './jobs.ts';
import type { TurnPlan } from './plan-turn.ts';

/** What a committed turn produced, for the surfaces (chat, replay, the tour, metrics). */
export interface TurnReport {
  conversationId: string;
  /** What started the turn. */
  trigger: TurnPlan['trigger']['type'];
  /** What the NLU made of the customer's message (message turns only). */
  analysis: TurnAnalysis | null;
  bot: TurnPlan['bot'];
  status: TurnPlan['status'];
  owner: TurnPlan['owner'];
  workflow: { id: string; version: number; stepId: string | null; status: string } | null;
  guardrail: TurnPlan['guardrail'];
  escalation?: NonNullable<TurnPlan['escalation']>;
  handoff?: HandoffPacket;
  effects: TurnPlan['effects'];
  /** The connector call this turn asked for, still to be made (durable mode: a job). */
  pendingCall: TurnPlan['pendingCall'];
  /** Time the connector took (call-result turns): left out of turn latency figures. */
  connectorMs: number;
  /** The revision the turn committed. */
  revision: number;
}

/**
 * Commits a planned turn in one transaction: marks the customer message handled (with its analysis), appends the
 * bot's lines, stores the new state, status and owner, the handoff packet when the turn escalates (built from the
 * transcript read now), the events, and the jobs: the pending connector call when `durable`, and the turn job
 * when customer messages wait behind a call that has now answered. A stale revision is refused by the store
 * (`conversation.conflict`): the caller reads again and plans again.
 */
export async function commitTurn(props: {
  store: Store;
  conversation: StoredConversation;
  plan: TurnPlan;
  /** Write the pending call as a job (live service), or leave it to the caller (inline: replay, the tour). */
  durable: boolean;
  /** Extra jobs of this turn (the turn job for messages that waited). */
  jobs?: readonly JobRequest[];
  /** The job this turn finishes, completed in the same transaction. */
  completes?: ClaimedJob;
  at: number;
}): Promise<TurnReport> {
  const { store, conversation, plan, at } = props;
  const { trigger } = plan;
  const lines = transcriptOf(plan.bot, at);
  const handled = trigger.type === 'message' ? [{ seq: trigger.seq, analysis: trigger.analysis }] : [];

  let handoff: HandoffPacket | undefined;
  if (plan.escalation) {
    // Only a handoff needs the whole transcript.
    const stored = await store.listConversationMessages({ conversationId: conversation.id });
    const transcript: TranscriptLine[] = stored.map((m) =>
      trigger.type === 'message' && m.seq === trigger.seq ? { ...m, analysis: trigger.analysis } : m,
    );
    handoff = buildHandoffPacket({
      conversationId: conversation.id,
      at,
      transcript: [...transcript, ...lines],
      state: plan.state.workflow,
      escalation: plan.escalation,
      customer: conversation.customer,
      ...(plan.definition ? { definition: plan.definition } : {}),
    });
  }

  const jobs: JobRequest[] = [...(props.jobs ?? [])];
  if (props.durable && plan.pendingCall) jobs.push(callJob(conversation.id, plan.pendingCall));
  const workflow = plan.state.workflow;
  const committed = await store.recordTurn({
    conversationId: conversation.id,
    expectedRevision: conversation.revision,
    handled,
    messages: lines,
    state: plan.state,
    ...(workflow ? { workflowId: workflow.workflowId, workflowVersion: workflow.workflowVersion } : {}),
    status: plan.status,
    owner: plan.owner,
    ...(handoff && plan.escalation
      ? {
          handoff: {
            code: plan.escalation.code,
            queue: plan.escalation.queue,
            priority: plan.escalation.priority,
            packet: handoff,
          },
        }
      : {}),
    events: plan.events,
    jobs,
    ...(props.completes ? { completes: props.completes } : {}),
    at,
  });

  return {
    conversationId: conversation.id,
    trigger: trigger.type,
    analysis: trigger.type === 'message' ? trigger.analysis : null,
    bot: plan.bot,
    status: plan.status,
    owner: plan.owner,
    workflow: workflow
      ? {
          id: workflow.workflowId,
          version: workflow.workflowVersion,
          stepId: workflow.stepId,
          status: workflow.status,
        }
      : null,
    guardrail: plan.guardrail,
    ...(plan.escalation ? { escalation: plan.escalation } : {}),
    ...(handoff ? { handoff } : {}),
    effects: plan.effects,
    pendingCall: plan.pendingCall,
    connectorMs: trigger.type === 'callResult' ? trigger.durationMs : 0,
    revision: committed.revision,
  };
}
