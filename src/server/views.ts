import type {
  StoredConversation,
  StoredConversationMessage,
  StoredFeedback,
  StoredHandoff,
} from '../store/index.ts';

/** What the API shows of a message: never the NLU's analysis or the idempotency key. */
export interface MessageView {
  seq: number;
  role: StoredConversationMessage['role'];
  text: string;
  at: string;
  kind?: NonNullable<StoredConversationMessage['kind']>;
  choices?: string[];
  pending?: boolean;
}

export function messageView(m: StoredConversationMessage): MessageView {
  return {
    seq: m.seq,
    role: m.role,
    text: m.text,
    at: new Date(m.at).toISOString(),
    ...(m.kind ? { kind: m.kind } : {}),
    ...(m.choices ? { choices: m.choices } : {}),
    ...(m.pending ? { pending: true } : {}),
  };
}

export function conversationView(props: {
  conversation: StoredConversation;
  messages: readonly StoredConversationMessage[];
  handoff?: StoredHandoff;
  feedback?: StoredFeedback;
}) {
  const { conversation: c, handoff, feedback } = props;
  return {
    id: c.id,
    channel: c.channel,
    owner: c.owner,
    status: c.status,
    outcome: {
      type: c.status,
      ...(c.status === 'escalated' && handoff ? { escalationCode: handoff.code, queue: handoff.queue } : {}),
      ...(feedback ? { feedback: { resolved: feedback.resolved, rating: feedback.rating } } : {}),
    },
    createdAt: new Date(c.createdAt).toISOString(),
    updatedAt: new Date(c.updatedAt).toISOString(),
    messages: props.messages.map(messageView),
  };
}
