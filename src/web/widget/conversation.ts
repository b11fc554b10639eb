// The wire format of the conversation API, with light checks: the widget never trusts the shape of what it
// reads, it drops what does not fit rather than throwing half-way through a render.

export type Role = 'customer' | 'bot' | 'agent' | 'system';
export type MessageKind = 'reply' | 'ask' | 'confirm' | 'resolve' | 'escalate' | 'clarify';
export type Owner = 'bot' | 'human';
export type ConversationStatus = 'open' | 'resolved' | 'escalated' | 'closed';

export interface Message {
  seq: number;
  role: Role;
  text: string;
  at: string;
  kind?: MessageKind;
  choices?: string[];
}

/** The parts of the server's ConversationView the widget uses (it ignores channel, createdAt, updatedAt). */
export interface ConversationView {
  id: string;
  owner: Owner;
  status: ConversationStatus;
  messages: Message[];
}

/** An application/problem+json body. */
export interface Problem {
  title?: string;
  detail?: string;
  code?: string;
}

const ROLES: readonly string[] = ['customer', 'bot', 'agent', 'system'];
const KINDS: readonly string[] = ['reply', 'ask', 'confirm', 'resolve', 'escalate', 'clarify'];
const OWNERS: readonly string[] = ['bot', 'human'];
const STATUSES: readonly string[] = ['open', 'resolved', 'escalated', 'closed'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A message from the server, or undefined when it does not have the documented shape. */
export function toMessage(value: unknown): Message | undefined {
  if (!isRecord(value)) return undefined;
  const { seq, role, text, at, kind, choices } = value;
  if (typeof seq !== 'number' || !Number.isInteger(seq) || typeof text !== 'string') return undefined;
  if (typeof role !== 'string' || !ROLES.includes(role)) return undefined;
  const message: Message = { seq, role: role as Role, text, at: typeof at === 'string' ? at : '' };
  if (typeof kind === 'string' && KINDS.includes(kind)) message.kind = kind as MessageKind;
  if (Array.isArray(choices)) message.choices = choices.filter((c): c is string => typeof c === 'string');
  return message;
}

export function toMessages(value: unknown): Message[] {
  return Array.isArray(value) ? value.map(toMessage).filter((m): m is Message => m !== undefined) : [];
}

export function toOwnerState(value: unknown): { owner: Owner; status: ConversationStatus } | undefined {
  if (!isRecord(value)) return undefined;
  const { owner, status } = value;
  if (typeof owner !== 'string' || !OWNERS.includes(owner)) return undefined;
  if (typeof status !== 'string' || !STATUSES.includes(status)) return undefined;
  return { owner: owner as Owner, status: status as ConversationStatus };
}

export function toConversationView(value: unknown): ConversationView | undefined {
  if (!isRecord(value) || typeof value.id !== 'string') return undefined;
  const state = toOwnerState(value);
  if (!state) return undefined;
  return { id: value.id, ...state, messages: toMessages(value.messages) };
}

/** Parses JSON without throwing; undefined for malformed text. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function toProblem(value: unknown): Problem | undefined {
  if (!isRecord(value)) return undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { title: str(value.title), detail: str(value.detail), code: str(value.code) };
}
