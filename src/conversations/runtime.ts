import type { CustomerProfile } from '../domain/index.ts';
import type { StoredConversation } from '../store/index.ts';
import type { TurnReport } from './commit-turn.ts';
import { type ConversationServiceOptions, createConversationService } from './conversation-service.ts';

/**
 * Everything that came of one customer message, across the turns it led to (the message's turn, then the result
 * of each connector call): the bot's lines in order, and the state the last turn left.
 */
export type MessageReport = Omit<TurnReport, 'trigger' | 'revision' | 'pendingCall'>;

export interface ConversationRuntime {
  startConversation(props: {
    id: string;
    customer: CustomerProfile;
    channel: string;
  }): Promise<StoredConversation>;
  /** Stores the message and handles it to the end: connector calls made, their results committed. */
  handleCustomerMessage(props: { conversationId: string; text: string }): Promise<MessageReport>;
}

/**
 * The conversation runtime in one task, for what runs on a throwaway store and reaches nothing live: replay and
 * the demo tour. Turns still plan, commit, then act; the connector call a turn asks for is made right after its
 * commit instead of by a job.
 *
 * @example
 * const runtime = createConversationRuntime({ store, analyse, workflows: workflowSet(list), connectors, guardrails, clock });
 * await runtime.startConversation({ id: 'c1', customer: { attributes: {} }, channel: 'chat' });
 * const report = await runtime.handleCustomerMessage({ conversationId: 'c1', text: 'Where is my order?' });
 * report.bot.map((line) => line.text);
 */
export function createConversationRuntime(
  options: Omit<ConversationServiceOptions, 'mode'>,
): ConversationRuntime {
  const service = createConversationService({ ...options, mode: 'inline' });
  return {
    startConversation: (props) => service.start(props),
    async handleCustomerMessage({ conversationId, text }) {
      const before = await options.store.findConversation(conversationId);
      await service.receive({ conversationId, text });
      const reports = await service.processPending(conversationId);
      return mergeTurnReports(conversationId, reports, before ?? null);
    },
  };
}

/** One report of the turns a message led to; with none (a person owns it), the conversation as it stands. */
export function mergeTurnReports(
  conversationId: string,
  reports: readonly TurnReport[],
  conversation: StoredConversation | null,
): MessageReport {
  const first = reports[0];
  const last = reports[reports.length - 1];
  if (!first || !last) {
    return {
      conversationId,
      analysis: null,
      bot: [],
      status: conversation?.status ?? 'open',
      owner: conversation?.owner ?? 'bot',
      workflow: null,
      guardrail: 'continue',
      effects: [],
      connectorMs: 0,
    };
  }
  const escalated = [...reports].reverse().find((r) => r.escalation);
  return {
    conversationId,
    analysis: first.analysis,
    bot: reports.flatMap((r) => r.bot),
    status: last.status,
    owner: last.owner,
    workflow: last.workflow,
    guardrail: first.guardrail,
    ...(escalated?.escalation ? { escalation: escalated.escalation } : {}),
    ...(escalated?.handoff ? { handoff: escalated.handoff } : {}),
    effects: reports.flatMap((r) => r.effects),
    connectorMs: reports.reduce((sum, r) => sum + r.connectorMs, 0),
  };
}
