import { z } from 'zod';
import type { ConnectorFailure } from '../../connectors/index.ts';
import { type CustomerProfile, htmlToText } from '../../domain/index.ts';
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

export const IntercomConfigSchema = z.strictObject({
  /** The workspace's region: `https://api.intercom.io` (US), `https://api.eu.intercom.io`, `https://api.au.intercom.io`. */
  baseUrl: BaseUrl.default('https://api.intercom.io'),
  /** The environment variable holding the app's access token (sent as `Authorization: Bearer`). */
  accessTokenEnv: EnvVariableName,
  /** The environment variable holding the app's client secret (it signs webhooks); without one, none is checked. */
  webhookSecretEnv: EnvVariableName.optional(),
  /** The bot's admin (teammate) id: it writes the replies, and a conversation assigned to it is the bot's. */
  adminId: z.number().int().positive(),
  /** Escalation queue -> Intercom team id: a hand-off to that queue is assigned to the team (else unassigned). */
  teams: z.record(z.string(), z.number().int().positive()).default({}),
});
export type IntercomConfig = z.infer<typeof IntercomConfigSchema>;

/** The API version the request and response shapes here are read from (../shared/formats/intercom-conversations.md). */
export const INTERCOM_API_VERSION = '2.11';

// Ids are strings in Intercom's JSON, but some deliveries carry numbers: both are read as strings.
const Id = z.union([z.string().min(1), z.number().int().transform(String)]);
const OptionalId = z.union([z.string(), z.number().int().transform(String)]).nullish();
// Epoch seconds, as integers or (one official fixture) as strings.
const Time = z.union([z.number(), z.string()]).nullish();
const Author = z
  .object({
    type: z.string().nullish(),
    id: OptionalId,
    name: z.string().nullish(),
    email: z.string().nullish(),
  })
  .loose();
const Attachment = z.object({ name: z.string().nullish(), content_type: z.string().nullish() }).loose();
const Reference = z.object({ type: z.string().nullish(), id: OptionalId }).loose();
const Part = z
  .object({
    id: Id,
    part_type: z.string(),
    body: z.string().nullish(),
    created_at: Time,
    author: Author.nullish(),
    assigned_to: Reference.nullish(),
    attachments: z.array(Attachment).nullish(),
  })
  .loose();
/** The opening message: `source` (2.x) or `conversation_message` (1.x). */
const Opening = z
  .object({
    id: Id,
    body: z.string().nullish(),
    author: Author.nullish(),
    attachments: z.array(Attachment).nullish(),
  })
  .loose();
/**
 * The customer's CSAT of the conversation (section 4): 1 to 5 and a remark; null until rated. Read apart from the
 * delivery (`conversation_rating` is `unknown` in Conversation): a rating of an odd shape never costs a message.
 */
const Rating = z
  .object({
    rating: z.number().int().min(1).max(5),
    remark: z.string().nullish(),
    created_at: Time,
    updated_at: Time,
  })
  .loose();
const Conversation = z
  .object({
    id: Id,
    created_at: Time,
    updated_at: Time,
    source: Opening.nullish(),
    conversation_message: Opening.nullish(),
    contacts: z
      .object({
        contacts: z.array(z.object({ id: OptionalId, external_id: z.string().nullish() }).loose()),
      })
      .loose()
      .nullish(),
    /** 1.x: the customer. */
    user: Author.extend({ user_id: z.string().nullish() }).nullish(),
    /** 1.x and webhooks: `{type: "nobody_admin", id: null}` when unassigned. */
    assignee: Reference.nullish(),
    admin_assignee_id: OptionalId,
    team_assignee_id: OptionalId,
    conversation_parts: z
      .object({ conversation_parts: z.array(Part) })
      .loose()
      .nullish(),
    conversation_rating: z.unknown(),
  })
  .loose();
type ConversationItem = z.infer<typeof Conversation>;
type PartItem = z.infer<typeof Part>;

const Envelope = z
  .object({
    type: z.literal('notification_event').optional(),
    topic: z.string({ error: 'topic: an Intercom webhook topic is required' }),
    id: z.string().nullish(),
    created_at: Time,
  })
  .loose();
const ConversationDelivery = Envelope.extend({ data: z.object({ item: Conversation }).loose() });
type Delivery = z.infer<typeof ConversationDelivery>;

const CUSTOMER_AUTHORS = new Set(['user', 'lead', 'contact']);
const ASSIGNMENT_PARTS = new Set([
  'assignment',
  'assign_and_reopen',
  'default_assignment',
  'away_mode_assignment',
]);
const STATUS_TOPICS: Record<string, 'closed' | 'open'> = {
  'conversation.admin.closed': 'closed',
  'conversation.admin.opened': 'open',
};
/** Assumed from Intercom's webhook topics, not in the format notes (they list "topics such as"). */
const RATING_TOPIC = 'conversation.rating.added';
const CONVERSATION_TOPICS = new Set([
  RATING_TOPIC,
  'conversation.user.created',
  'conversation.user.replied',
  'conversation.admin.replied',
  'conversation.operator.replied',
  'conversation.admin.noted',
  'conversation.admin.assigned',
  ...Object.keys(STATUS_TOPICS),
]);

const AnyResponse = z.unknown();
/** Reply and parts answer with the conversation; its newest part is what was created. */
const ConversationResponse = z
  .object({
    conversation_parts: z
      .object({ conversation_parts: z.array(z.object({ id: Id }).loose()) })
      .loose()
      .nullish(),
  })
  .loose();
const TagResponse = z.object({ id: Id }).loose();

/**
 * Intercom through an app's webhooks and REST API (../shared/formats/intercom-conversations.md sections 1, 2, 6):
 * the app's webhook URL is `/channels/<name>/webhook`, subscribed to the conversation topics; the bot writes as
 * one admin (`adminId`), a hand-off is a private note with the packet and an assignment to the queue's team (or
 * to nobody: the inbox), and people hand back by assigning the conversation to the bot's admin.
 *
 * Assumed, not in the format notes: tags are created by name with `POST /tags {name}` (answering `{id}`), and a
 * hand-off's priority is not set (Intercom has only `priority` / `not_priority`, with no documented write).
 *
 * @example
 * const channel = intercomChannel.create({
 *   name: 'support', mode: 'live', credentials: { token: 'token' },
 *   config: IntercomConfigSchema.parse({ accessTokenEnv: 'INTERCOM_TOKEN', adminId: 7300001 }),
 * });
 * const delivery = channel.parse({ header: () => undefined, body, receivedAt: Date.now() });
 */
export const intercomChannel = defineChannel<IntercomConfig>({
  type: 'intercom',
  config: IntercomConfigSchema,
  credentialVariables: (config) => ({ token: config.accessTokenEnv, webhookSecret: config.webhookSecretEnv }),
  create({ name, mode, config, credentials }): Channel {
    const { token, webhookSecret: secret } = credentials;
    const admin = config.adminId;
    const api = <T>(
      path: string,
      body: unknown,
      response: z.ZodType<T>,
      context: SendContext,
      what: string,
    ) =>
      callHelpdesk({
        baseUrl: config.baseUrl,
        method: 'POST',
        path,
        headers: {
          authorization: `Bearer ${token}`,
          'intercom-version': INTERCOM_API_VERSION,
          accept: 'application/json',
        },
        body,
        context,
        response,
        what,
      });
    const conversationPath = (conversation: string, rest: string) =>
      `conversations/${encodeURIComponent(conversation)}/${rest}`;

    const reply = async (
      conversation: string,
      text: string,
      kind: 'comment' | 'note',
      context: SendContext,
    ): Promise<SendResult> => {
      // admin_id is a number in the reply request (live-channels.md), a string elsewhere.
      const res = await api(
        conversationPath(conversation, 'reply'),
        { message_type: kind, type: 'admin', admin_id: admin, body: htmlOf(text) },
        ConversationResponse,
        context,
        kind === 'note' ? 'private note' : 'reply',
      );
      if (!res.ok) return res;
      const created = res.value.conversation_parts?.conversation_parts.at(-1);
      return ok(created ? { externalId: created.id } : {});
    };
    const part = async (conversation: string, body: Record<string, unknown>, context: SendContext) => {
      const res = await api(
        conversationPath(conversation, 'parts'),
        { ...body, admin_id: String(admin) },
        AnyResponse,
        context,
        String(body.message_type),
      );
      return res.ok ? ok({}) : res;
    };
    const addTags = async (
      conversation: string,
      tags: readonly string[],
      context: SendContext,
    ): Promise<Result<unknown, ConnectorFailure>> => {
      for (const tag of tags) {
        const created = await api('tags', { name: tag }, TagResponse, context, 'tag');
        if (!created.ok) return created;
        const applied = await api(
          conversationPath(conversation, 'tags'),
          { id: created.value.id, admin_id: String(admin) },
          AnyResponse,
          context,
          'conversation tag',
        );
        if (!applied.ok) return applied;
      }
      return ok(undefined);
    };

    return {
      name,
      type: 'intercom',
      mode,
      capabilities: { priority: false, timestampedSignatures: false },
      verify(request) {
        if (!secret) return ok(undefined);
        // HMAC-SHA1 of the raw body with the client secret; Intercom signs no timestamp.
        return checkSignature({
          request,
          header: 'x-hub-signature',
          prefix: 'sha1=',
          expected: () => hmac('sha1', secret, [request.body], 'hex'),
        });
      },
      parse: (request) => parseIntercom(request, String(admin)),
      async send(conversation, operation, context): Promise<SendResult> {
        switch (operation.type) {
          case 'reply':
            return reply(conversation, operation.text, 'comment', context);
          case 'note':
            return reply(conversation, operation.text, 'note', context);
          case 'handoff': {
            const tagged = await addTags(conversation, operation.tags, context);
            if (!tagged.ok) return tagged;
            const team = config.teams[operation.queue];
            // Last: once assigned, people have it; a retry after a failure above redoes only idempotent calls.
            return part(
              conversation,
              team !== undefined
                ? { message_type: 'assignment', type: 'team', assignee_id: String(team) }
                : { message_type: 'assignment', type: 'admin', assignee_id: '0' },
              context,
            );
          }
          case 'handBack':
            return part(
              conversation,
              { message_type: 'assignment', type: 'admin', assignee_id: String(admin) },
              context,
            );
          case 'close':
            return part(conversation, { message_type: 'close', type: 'admin' }, context);
          case 'tag': {
            const tagged = await addTags(conversation, operation.tags, context);
            return tagged.ok ? ok({}) : tagged;
          }
        }
      },
    };
  },
});

/** Plain text as an Intercom body: escaped, line breaks kept (htmlToText reads it back as the same text). */
export function htmlOf(text: string): string {
  const escaped = text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '<br>');
  return `<p>${escaped}</p>`;
}

/**
 * A delivery's events. `botAdmin` is the bot's admin id: its own replies are echoed back (on two topics) and
 * ignored, and an assignment to it hands the conversation back to the bot.
 */
export function parseIntercom(
  request: WebhookRequest,
  botAdmin: string,
): Result<ParsedDelivery, WebhookProblem> {
  const body = readJsonBody(request);
  if (!body.ok) return body;
  const envelope = parseWith(Envelope, body.value, 'Intercom notification');
  if (!envelope.ok) return envelope;
  const { topic } = envelope.value;
  if (!CONVERSATION_TOPICS.has(topic)) {
    // The topic is the sender's text: named only when it looks like one.
    const named = /^[a-z_.]{1,80}$/.test(topic) ? `topic ${topic}` : 'a topic';
    return ok({ events: [], ignored: `${named} is not one the bot acts on` });
  }
  const parsed = parseWith(ConversationDelivery, body.value, `Intercom ${topic} notification`);
  if (!parsed.ok) return parsed;
  const delivery = parsed.value;
  const at = (time: unknown) =>
    timeOf(time, timeOf(delivery.created_at, timeOf(delivery.data.item.updated_at, request.receivedAt)));
  const parsedTopic = topicEvents(topic, delivery, botAdmin, at);
  // The conversation carries its rating on every topic: a rating seen on any delivery is recorded (once).
  const rating = ratingOf(delivery.data.item, at);
  if (!rating) {
    return ok(topic === RATING_TOPIC ? { events: [], ignored: 'a rating that is not 1 to 5' } : parsedTopic);
  }
  return ok({ ...parsedTopic, events: [...parsedTopic.events, rating] });
}

function topicEvents(topic: string, delivery: Delivery, botAdmin: string, at: At): ParsedDelivery {
  switch (topic) {
    case RATING_TOPIC:
      return { events: [] };
    case 'conversation.user.created':
      return conversationStarted(delivery, botAdmin, at);
    case 'conversation.user.replied':
      return customerReplied(delivery, botAdmin, at);
    case 'conversation.admin.replied':
    case 'conversation.operator.replied':
      return adminReplied(delivery, botAdmin, at);
    case 'conversation.admin.noted':
      return { events: [], ignored: 'a private note' };
    case 'conversation.admin.assigned':
      return assigned(delivery, botAdmin, at);
    default:
      return statusChanged(delivery, STATUS_TOPICS[topic] ?? 'open', at);
  }
}

/**
 * The conversation's rating as a survey answer, or null (none, or not a whole 1 to 5). Keyed by the rating's
 * time: the same rating seen again (every later delivery carries it) is one answer, a changed one a new answer.
 */
function ratingOf(item: ConversationItem, at: At): InboundEvent | null {
  const parsed = Rating.safeParse(item.conversation_rating);
  if (!parsed.success) return null;
  const rated = parsed.data;
  const when = at(rated.updated_at ?? rated.created_at);
  const remark = rated.remark?.trim();
  return {
    type: 'csat',
    external: item.id,
    deliveryKey: `rating:${item.id}:${when}`,
    at: when,
    rating: rated.rating,
    ...(remark ? { comment: remark } : {}),
  };
}

type At = (time: unknown) => number;

function conversationStarted(delivery: Delivery, botAdmin: string, at: At): ParsedDelivery {
  const item = delivery.data.item;
  const opening = item.source ?? item.conversation_message;
  if (!opening) return { events: [], ignored: 'a new conversation without its opening message' };
  if (opening.author?.type && !CUSTOMER_AUTHORS.has(opening.author.type)) {
    return {
      events: [],
      ignored: `a conversation opened by ${opening.author.type === 'bot' ? 'a bot' : 'a teammate'}`,
    };
  }
  return customerMessage(item, opening, at(item.created_at), botAdmin);
}

function customerReplied(delivery: Delivery, botAdmin: string, at: At): ParsedDelivery {
  const item = delivery.data.item;
  const part = newest(
    partsOf(item).filter((p) => p.part_type === 'comment' && CUSTOMER_AUTHORS.has(p.author?.type ?? '')),
  );
  if (!part) return { events: [], ignored: 'a reply without a comment by the customer' };
  return customerMessage(item, part, at(part.created_at), botAdmin);
}

function customerMessage(
  item: ConversationItem,
  message: z.infer<typeof Opening>,
  at: number,
  botAdmin: string,
): ParsedDelivery {
  const attachments = (message.attachments ?? []).map((a) => a.content_type ?? a.name ?? 'file');
  const body = textOf(message.body);
  const text = body.trim() ? body : attachments.length > 0 ? `[attachment: ${attachments.join(', ')}]` : '';
  if (!text) return { events: [], ignored: 'an empty message' };
  const owner = ownerOf(assigneeOf(item), botAdmin);
  return {
    events: [
      {
        type: 'customer_message',
        external: item.id,
        deliveryKey: `part:${message.id}`,
        at,
        messageId: message.id,
        text,
        customer: customerOf(item, message.author ?? null),
        ...(owner ? { owner } : {}),
      },
    ],
  };
}

function adminReplied(delivery: Delivery, botAdmin: string, at: At): ParsedDelivery {
  const item = delivery.data.item;
  const parts = partsOf(item).filter((p) => !CUSTOMER_AUTHORS.has(p.author?.type ?? ''));
  const comment = newest(parts.filter((p) => p.part_type === 'comment'));
  if (!comment) {
    const other = newest(parts);
    return {
      events: [],
      ignored: other ? `a part_type ${other.part_type}, not a comment` : 'no teammate part',
    };
  }
  // Bot replies come back on both admin.replied and operator.replied: the part id is the key of either.
  if (comment.author?.id === botAdmin) return { events: [], ignored: "the bot's own message" };
  if (comment.author?.type !== 'admin') {
    return { events: [], ignored: 'a message of another bot (Operator, Fin or an app)' };
  }
  const text = textOf(comment.body);
  if (!text.trim()) return { events: [], ignored: 'an empty message' };
  return {
    events: [
      {
        type: 'agent_message',
        external: item.id,
        deliveryKey: `part:${comment.id}`,
        at: at(comment.created_at),
        messageId: comment.id,
        text,
        agentId: comment.author.id ?? 'unknown',
        private: false,
      },
    ],
  };
}

function assigned(delivery: Delivery, botAdmin: string, at: At): ParsedDelivery {
  const item = delivery.data.item;
  const part = newest(partsOf(item).filter((p) => ASSIGNMENT_PARTS.has(p.part_type)));
  const assignee = part?.assigned_to ? assigneeOfReference(part.assigned_to) : assigneeOf(item);
  // Unassigned is the team inbox: people pick it up.
  const signal = ownerOf(assignee, botAdmin) ?? 'human';
  const event: InboundEvent = {
    type: 'status',
    external: item.id,
    deliveryKey: part ? `part:${part.id}` : `assigned:${item.id}:${delivery.id ?? item.updated_at}`,
    at: at(part?.created_at),
    signal,
    by: byOf(part),
  };
  return { events: [event] };
}

function statusChanged(delivery: Delivery, signal: 'closed' | 'open', at: At): ParsedDelivery {
  const item = delivery.data.item;
  const part = newest(partsOf(item).filter((p) => p.part_type === (signal === 'closed' ? 'close' : 'open')));
  const event: InboundEvent = {
    type: 'status',
    external: item.id,
    deliveryKey: part ? `part:${part.id}` : `${signal}:${item.id}:${delivery.id ?? item.updated_at}`,
    at: at(part?.created_at),
    signal,
    by: byOf(part),
  };
  return { events: [event] };
}

/** An HTML body as the plain text a customer or agent typed (no-break spaces as spaces). */
function textOf(body: string | null | undefined): string {
  return body ? htmlToText(body).replace(/\u00a0/g, ' ') : '';
}

function partsOf(item: ConversationItem): PartItem[] {
  return item.conversation_parts?.conversation_parts ?? [];
}

/** The latest part (by time; the last listed of equal times). */
function newest(parts: readonly PartItem[]): PartItem | undefined {
  let found: PartItem | undefined;
  for (const part of parts) {
    if (!found || timeOf(part.created_at, 0) >= timeOf(found.created_at, 0)) found = part;
  }
  return found;
}

function byOf(part: PartItem | undefined): string {
  return part?.author?.type === 'admin' && part.author.id ? part.author.id : 'helpdesk';
}

type Assignee = { kind: 'admin' | 'team'; id: string } | { kind: 'nobody' };

function assigneeOfReference(ref: z.infer<typeof Reference>): Assignee {
  if (!ref.id || ref.id === '0' || ref.type === 'nobody_admin') return { kind: 'nobody' };
  return { kind: ref.type === 'team' ? 'team' : 'admin', id: ref.id };
}

/** Who the conversation is assigned to: an admin before a team (the admin answers), the 1.x `assignee` else. */
function assigneeOf(item: ConversationItem): Assignee {
  if (item.admin_assignee_id && item.admin_assignee_id !== '0') {
    return { kind: 'admin', id: item.admin_assignee_id };
  }
  if (item.team_assignee_id && item.team_assignee_id !== '0') {
    return { kind: 'team', id: item.team_assignee_id };
  }
  return item.assignee ? assigneeOfReference(item.assignee) : { kind: 'nobody' };
}

/**
 * Who answers, as the assignment says: the bot's admin is the bot, another admin people. A team alone or nobody
 * says nothing here: Intercom's routing puts new conversations in team inboxes before anyone answers.
 */
function ownerOf(assignee: Assignee, botAdmin: string): 'bot' | 'human' | undefined {
  if (assignee.kind === 'admin') return assignee.id === botAdmin ? 'bot' : 'human';
  return undefined;
}

function customerOf(item: ConversationItem, author: z.infer<typeof Author> | null): CustomerProfile {
  const contact = item.contacts?.contacts[0];
  const user = item.user;
  const externalId = contact?.external_id ?? user?.user_id;
  const intercomId =
    contact?.id ?? user?.id ?? (author && CUSTOMER_AUTHORS.has(author.type ?? '') ? author.id : null);
  const name = author?.name ?? user?.name;
  const email = author?.email ?? user?.email;
  return {
    ...(externalId ? { id: externalId } : intercomId ? { id: `intercom:${intercomId}` } : {}),
    ...(name ? { name } : {}),
    ...(email ? { email } : {}),
    attributes: {},
  };
}
