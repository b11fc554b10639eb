import { z } from 'zod';
import type { ConnectorFailure } from '../../connectors/index.ts';
import type { CustomerProfile, EscalationPriority } from '../../domain/index.ts';
import { ok, type Result } from '../../shared/index.ts';
import {
  type Channel,
  defineChannel,
  type InboundEvent,
  type ParsedDelivery,
  type SendContext,
  type SendResult,
  type WebhookProblem,
  type WebhookRequest,
} from '../channel.ts';
import { BaseUrl, callHelpdesk, EnvVariableName } from '../helpdesk-api.ts';
import { parseWith, readJsonBody, timeOf } from '../payload.ts';
import { checkSignature, hmac } from '../signature.ts';

export const ChatwootConfigSchema = z.strictObject({
  /** `https://chat.example.com` (the installation, not the account). */
  baseUrl: BaseUrl,
  accountId: z.number().int().positive(),
  /** The environment variable holding the agent bot's access token. */
  botTokenEnv: EnvVariableName,
  /** The environment variable holding the webhook secret; without one, deliveries are not signature-checked. */
  webhookSecretEnv: EnvVariableName.optional(),
  /**
   * What the installation signs: `timestamp.body` (X-Chatwoot-Timestamp, a dot, the raw body: Chatwoot 4.x) or
   * `body` (the raw body alone). Installations differ (../shared/formats/live-channels.md): check yours.
   */
  signatureContent: z.enum(['timestamp.body', 'body']).default('timestamp.body'),
  /** Escalation queue -> Chatwoot team id: a hand-off to that queue is assigned to the team. */
  teams: z.record(z.string(), z.number().int().positive()).default({}),
});
export type ChatwootConfig = z.infer<typeof ChatwootConfigSchema>;

const Id = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);
const Sender = z
  .object({
    id: z.union([z.number(), z.string()]).nullish(),
    name: z.string().nullish(),
    email: z.string().nullish(),
    identifier: z.string().nullish(),
    type: z.string().nullish(),
    custom_attributes: z.record(z.string(), z.unknown()).nullish(),
  })
  .loose();
const ConversationShape = z
  .object({
    id: Id,
    status: z.string(),
    timestamp: z.number().nullish(),
    meta: z.object({ sender: Sender.nullish() }).loose().nullish(),
    changed_attributes: z.array(z.record(z.string(), z.unknown())).nullish(),
  })
  .loose();
const Account = z.object({ id: Id }).loose().nullish();

const MessageEvent = z
  .object({
    event: z.enum(['message_created', 'message_updated']),
    id: Id,
    content: z.string().nullish(),
    created_at: z.union([z.string(), z.number()]).nullish(),
    // A string here, an integer inside conversation.messages[] (live-channels.md).
    message_type: z.union([z.enum(['incoming', 'outgoing', 'activity', 'template']), z.number().int()]),
    content_type: z.string().nullish(),
    content_attributes: z.record(z.string(), z.unknown()).nullish(),
    private: z.boolean().nullish(),
    sender: Sender.nullish(),
    attachments: z.array(z.object({ file_type: z.string().nullish() }).loose()).nullish(),
    conversation: ConversationShape,
    account: Account,
  })
  .loose();
/** Conversation events carry the conversation at the top level; `id` is its display id. */
const ConversationEvent = ConversationShape.extend({
  event: z.string(),
  account: Account,
});
const Envelope = z.object({ event: z.string({ error: 'event: a Chatwoot event name is required' }) }).loose();

const STATUS_EVENTS = new Set([
  'conversation_opened',
  'conversation_resolved',
  'conversation_status_changed',
  'conversation_updated',
]);
const MESSAGE_TYPES = ['incoming', 'outgoing', 'activity', 'template'] as const;

/** Chatwoot's status -> who owns the conversation (live-channels.md: `pending` is the bot's, `open` people's). */
const SIGNAL_OF_STATUS: Record<string, 'bot' | 'human' | 'closed' | undefined> = {
  pending: 'bot',
  open: 'human',
  resolved: 'closed',
};

const PRIORITY: Record<EscalationPriority, string> = {
  low: 'low',
  normal: 'medium',
  high: 'high',
  urgent: 'urgent',
};

const MessageResponse = z.object({ id: Id }).loose();
const AnyResponse = z.unknown();
const LabelsResponse = z.object({ payload: z.array(z.string()) }).loose();

/**
 * Chatwoot through an agent bot (../shared/formats/chatwoot-agent-bot.md): the bot's `outgoing_url` points at
 * `/channels/<name>/webhook`; customer messages of the bot's conversations come in, replies go out with the
 * messages API, a hand-off is a private note with the packet and `toggle_status` to `open`, and an agent hands
 * back by setting the conversation to `pending` (seen by an account webhook on the same URL).
 *
 * @example
 * const channel = chatwootChannel.create({
 *   name: 'chat', mode: 'live', credentials: { token: 'token' },
 *   config: ChatwootConfigSchema.parse({ baseUrl: 'https://chat.example.com', accountId: 1, botTokenEnv: 'CHATWOOT_BOT_TOKEN' }),
 * });
 * const delivery = channel.parse({ header: () => undefined, body, receivedAt: Date.now() });
 */
export const chatwootChannel = defineChannel<ChatwootConfig>({
  type: 'chatwoot',
  config: ChatwootConfigSchema,
  credentialVariables: (config) => ({ token: config.botTokenEnv, webhookSecret: config.webhookSecretEnv }),
  create({ name, mode, config, credentials }): Channel {
    const { token, webhookSecret: secret } = credentials;
    const api = <T>(
      method: 'GET' | 'POST',
      path: string,
      body: unknown,
      response: z.ZodType<T>,
      context: SendContext,
      what: string,
    ) =>
      callHelpdesk({
        baseUrl: config.baseUrl,
        method,
        path: `api/v1/accounts/${config.accountId}/${path}`,
        headers: { api_access_token: token },
        ...(body !== undefined ? { body } : {}),
        context,
        response,
        what,
      });
    const display = (conversation: string) => conversation.split(':')[1] ?? conversation;

    const message = async (conversation: string, text: string, secret: boolean, context: SendContext) => {
      const res = await api(
        'POST',
        `conversations/${display(conversation)}/messages`,
        { content: text, message_type: 'outgoing', private: secret },
        MessageResponse,
        context,
        secret ? 'private note' : 'reply',
      );
      return res.ok ? ok({ externalId: String(res.value.id) }) : res;
    };
    const toggle = (conversation: string, status: string, context: SendContext) =>
      api(
        'POST',
        `conversations/${display(conversation)}/toggle_status`,
        { status },
        AnyResponse,
        context,
        'status',
      );
    const addLabels = async (
      conversation: string,
      tags: readonly string[],
      context: SendContext,
    ): Promise<Result<unknown, ConnectorFailure>> => {
      // POST replaces the set: read it first, add ours.
      const path = `conversations/${display(conversation)}/labels`;
      const current = await api('GET', path, undefined, LabelsResponse, context, 'labels');
      if (!current.ok) return current;
      const labels = [...new Set([...current.value.payload, ...tags.map(labelOf)])];
      return api('POST', path, { labels }, AnyResponse, context, 'labels');
    };

    return {
      name,
      type: 'chatwoot',
      mode,
      capabilities: { priority: true, timestampedSignatures: config.signatureContent === 'timestamp.body' },
      verify(request) {
        if (!secret) return ok(undefined);
        return checkSignature({
          request,
          header: 'x-chatwoot-signature',
          prefix: 'sha256=',
          ...(config.signatureContent === 'timestamp.body'
            ? { timestampHeader: 'x-chatwoot-timestamp' }
            : {}),
          expected: (timestamp) =>
            hmac(
              'sha256',
              secret,
              timestamp === undefined ? [request.body] : [`${timestamp}.`, request.body],
              'hex',
            ),
        });
      },
      parse: (request) => parseChatwoot(request, config.accountId),
      async send(conversation, operation, context): Promise<SendResult> {
        switch (operation.type) {
          case 'reply':
            return message(conversation, operation.text, false, context);
          case 'note':
            return message(conversation, operation.text, true, context);
          case 'handoff': {
            const team = config.teams[operation.queue];
            if (team !== undefined) {
              const assigned = await api(
                'POST',
                `conversations/${display(conversation)}/assignments`,
                { team_id: team },
                AnyResponse,
                context,
                'assignment',
              );
              if (!assigned.ok) return assigned;
            }
            const labelled = await addLabels(conversation, operation.tags, context);
            if (!labelled.ok) return labelled;
            const prioritised = await api(
              'POST',
              `conversations/${display(conversation)}/toggle_priority`,
              { priority: PRIORITY[operation.priority] },
              AnyResponse,
              context,
              'priority',
            );
            if (!prioritised.ok) return prioritised;
            const opened = await toggle(conversation, 'open', context);
            return opened.ok ? ok({}) : opened;
          }
          case 'handBack': {
            const pending = await toggle(conversation, 'pending', context);
            return pending.ok ? ok({}) : pending;
          }
          case 'close': {
            const resolved = await toggle(conversation, 'resolved', context);
            return resolved.ok ? ok({}) : resolved;
          }
          case 'tag': {
            const labelled = await addLabels(conversation, operation.tags, context);
            return labelled.ok ? ok({}) : labelled;
          }
        }
      },
    };
  },
});

/** Chatwoot labels are lower-case words with `-` and `_`. */
function labelOf(tag: string): string {
  return tag.toLowerCase().replace(/[^a-z0-9_-]+/g, '_');
}

export function parseChatwoot(
  request: WebhookRequest,
  accountId: number,
): Result<ParsedDelivery, WebhookProblem> {
  const body = readJsonBody(request);
  if (!body.ok) return body;
  const envelope = parseWith(Envelope, body.value, 'Chatwoot delivery');
  if (!envelope.ok) return envelope;
  const { event } = envelope.value;
  if (event === 'message_created' || event === 'message_updated') {
    const parsed = parseWith(MessageEvent, body.value, `Chatwoot ${event} delivery`);
    if (!parsed.ok) return parsed;
    return ok(messageEvents(parsed.value, accountId, request.receivedAt));
  }
  if (STATUS_EVENTS.has(event)) {
    const parsed = parseWith(ConversationEvent, body.value, `Chatwoot ${event} delivery`);
    if (!parsed.ok) return parsed;
    return ok(statusEvents(parsed.value, accountId, request.receivedAt));
  }
  return ok({ events: [], ignored: `event ${event} is not one the bot acts on` });
}

function messageEvents(
  m: z.infer<typeof MessageEvent>,
  accountId: number,
  receivedAt: number,
): ParsedDelivery {
  const account = m.account?.id ?? accountId;
  if (account !== accountId) return { events: [], ignored: 'a delivery of another account' };
  const external = `${account}:${m.conversation.id}`;
  const at = timeOf(m.created_at, receivedAt);
  const type = typeof m.message_type === 'number' ? MESSAGE_TYPES[m.message_type] : m.message_type;

  if (m.event === 'message_updated') {
    const csat = csatOf(m);
    if (!csat) return { events: [], ignored: 'a message update that is not a survey answer' };
    return {
      events: [{ type: 'csat', external, deliveryKey: `csat:${account}:${m.id}`, at, ...csat }],
    };
  }
  if (m.private) return { events: [], ignored: 'a private note' };
  if (type === 'incoming') {
    const attachments = (m.attachments ?? []).map((a) => a.file_type ?? 'file');
    const text = m.content?.trim()
      ? m.content
      : attachments.length > 0
        ? `[attachment: ${attachments.join(', ')}]`
        : '';
    if (!text) return { events: [], ignored: 'an empty message' };
    const owner = SIGNAL_OF_STATUS[m.conversation.status];
    return {
      events: [
        {
          type: 'customer_message',
          external,
          deliveryKey: `message:${account}:${m.id}`,
          at,
          messageId: String(m.id),
          text,
          customer: customerOf(m.sender ?? m.conversation.meta?.sender ?? null),
          ...(owner === 'bot' || owner === 'human' ? { owner } : {}),
        },
      ],
    };
  }
  if (type === 'outgoing' && m.sender?.type === 'user' && m.content?.trim()) {
    return {
      events: [
        {
          type: 'agent_message',
          external,
          deliveryKey: `message:${account}:${m.id}`,
          at,
          messageId: String(m.id),
          text: m.content,
          agentId: String(m.sender.id ?? 'unknown'),
          private: false,
        },
      ],
    };
  }
  return {
    events: [],
    ignored:
      type === 'outgoing' ? 'a message of a bot (this one or another)' : `a ${type ?? 'unknown'} message`,
  };
}

function statusEvents(
  c: z.infer<typeof ConversationEvent>,
  accountId: number,
  receivedAt: number,
): ParsedDelivery {
  const account = c.account?.id ?? accountId;
  if (account !== accountId) return { events: [], ignored: 'a delivery of another account' };
  const changedStatus = (c.changed_attributes ?? []).some((change) => 'status' in change);
  // conversation_updated fires for any change (labels, assignee): only a change of status is a signal.
  if (c.event === 'conversation_updated' && !changedStatus) {
    return { events: [], ignored: 'an update that does not change the status' };
  }
  // Read the status, not the event name (examples exist where they disagree).
  const signal = SIGNAL_OF_STATUS[c.status];
  if (!signal) return { events: [], ignored: `status ${c.status} says nothing about who answers` };
  const at = timeOf(c.timestamp, receivedAt);
  const event: InboundEvent = {
    type: 'status',
    external: `${account}:${c.id}`,
    deliveryKey: `status:${account}:${c.id}:${c.status}:${c.timestamp ?? receivedAt}`,
    at,
    signal,
    by: 'helpdesk',
  };
  return { events: [event] };
}

const CsatResponse = z
  .object({
    rating: z.coerce.number().int().min(1).max(5).optional(),
    feedback_message: z.string().nullish(),
  })
  .loose();

function csatOf(m: z.infer<typeof MessageEvent>): { rating?: number; comment?: string } | null {
  if (m.content_type !== 'input_csat') return null;
  const submitted = (m.content_attributes?.submitted_values as Record<string, unknown> | undefined)
    ?.csat_survey_response;
  const parsed = CsatResponse.safeParse(submitted);
  if (!parsed.success || parsed.data.rating === undefined) return null;
  return {
    rating: parsed.data.rating,
    ...(parsed.data.feedback_message ? { comment: parsed.data.feedback_message } : {}),
  };
}

function customerOf(sender: z.infer<typeof Sender> | null): CustomerProfile {
  if (!sender) return { attributes: {} };
  return {
    ...(sender.identifier
      ? { id: sender.identifier }
      : sender.id != null
        ? { id: `chatwoot:${sender.id}` }
        : {}),
    ...(sender.name ? { name: sender.name } : {}),
    ...(sender.email ? { email: sender.email } : {}),
    attributes: { ...(sender.custom_attributes ?? {}) },
  };
}
