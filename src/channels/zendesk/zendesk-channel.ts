import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CustomerProfile, EscalationPriority } from '../../domain/index.ts';
import { err, ok, type Result } from '../../shared/index.ts';
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

export const ZendeskConfigSchema = z.strictObject({
  /** `https://acme.zendesk.com` (the account's subdomain). */
  baseUrl: BaseUrl,
  /** The bot agent's email: the API's Basic auth is `{email}/token:{token}`. */
  email: z.email(),
  /** The environment variable holding the API token. */
  apiTokenEnv: EnvVariableName,
  /** The environment variable holding the webhook's signing secret; without one, deliveries are not checked. */
  webhookSecretEnv: EnvVariableName.optional(),
  /** The bot agent's user id: its own comments and changes come back as events, and are ignored. */
  botUserId: z.number().int().positive(),
  /** Escalation queue -> Zendesk group id: a hand-off to that queue is assigned to the group. */
  groups: z.record(z.string(), z.number().int().positive()).default({}),
});
export type ZendeskConfig = z.infer<typeof ZendeskConfigSchema>;

/** The tag by which an agent gives a ticket back to the bot (and the bot marks a ticket it answers again). */
export const BOT_TAG = 'switchboard_bot';

/** The headers Zendesk signs deliveries with: base64(HMAC-SHA256(secret, timestamp + raw body)). */
export const SIGNATURE_HEADER = 'x-zendesk-webhook-signature';
export const TIMESTAMP_HEADER = 'x-zendesk-webhook-signature-timestamp';

/**
 * The body the support lead pastes into the trigger's webhook (request format JSON), for the trigger style of
 * delivery. Every placeholder is quoted, so every value arrives as a string. The trigger's conditions must
 * include "Comment is Public" (and, to spare a request, "Current user is not" the bot agent): the body carries
 * the latest public comment, and a trigger fired without a new one would deliver an old comment again.
 *
 * - `comment` is `{{ticket.latest_public_comment}}` (plain text), its author the update's `current_user`.
 * - `comment_id` (a Liquid loop over the newest public comment) is optional: when it renders an id, the comment
 *   has the same delivery key as its `comment_added` event (one message if both styles are set up); Zendesk's
 *   Liquid comment `id` is not verified here, and when it renders empty the key is the ticket id, `updated_at`
 *   and a hash of the comment (stable across Zendesk's retries, but different from the event's key: set up one
 *   style per ticket, or both with a working `comment_id`).
 * - `status` solved or closed is a close signal. Hand-backs (the `switchboard_bot` tag) and assignments are read
 *   from the event style only: the trigger body shows the state, not what changed.
 *
 * @example
 * // The trigger's action "Notify active webhook", JSON body:
 * // {
 * //   "ticket_id": "{{ticket.id}}",
 * //   "updated_at": "{{ticket.updated_at_with_timestamp}}",
 * //   "status": "{{ticket.status}}",
 * //   "tags": "{{ticket.tags}}",
 * //   "requester_id": "{{ticket.requester.id}}",
 * //   "requester_name": "{{ticket.requester.name}}",
 * //   "requester_email": "{{ticket.requester.email}}",
 * //   "requester_external_id": "{{ticket.requester.external_id}}",
 * //   "comment_id": "{% for c in ticket.public_comments limit:1 %}{{c.id}}{% endfor %}",
 * //   "comment": "{{ticket.latest_public_comment}}",
 * //   "author_id": "{{current_user.id}}",
 * //   "author_name": "{{current_user.name}}",
 * //   "author_role": "{{current_user.role}}"
 * // }
 */
export const TRIGGER_BODY_TEMPLATE = {
  ticket_id: '{{ticket.id}}',
  updated_at: '{{ticket.updated_at_with_timestamp}}',
  status: '{{ticket.status}}',
  tags: '{{ticket.tags}}',
  requester_id: '{{ticket.requester.id}}',
  requester_name: '{{ticket.requester.name}}',
  requester_email: '{{ticket.requester.email}}',
  requester_external_id: '{{ticket.requester.external_id}}',
  comment_id: '{% for c in ticket.public_comments limit:1 %}{{c.id}}{% endfor %}',
  comment: '{{ticket.latest_public_comment}}',
  author_id: '{{current_user.id}}',
  author_name: '{{current_user.name}}',
  author_role: '{{current_user.role}}',
} as const;

/** An id as Zendesk sends it: a number from the API, a string in event webhooks, `""` (or null) when empty. */
const Id = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String);
const OptionalId = z
  .union([z.number().int(), z.string(), z.null()])
  .optional()
  .transform((v) => (v === null || v === undefined || v === '' ? undefined : String(v)));
/** Tags: an array, or one space-separated string (both are seen). */
const Tags = z
  .union([z.array(z.string()), z.string(), z.null()])
  .optional()
  .transform((v) => tagList(v));

const Detail = z
  .object({
    id: Id,
    actor_id: OptionalId,
    assignee_id: OptionalId,
    requester_id: OptionalId,
    status: z.string().nullish(),
    tags: Tags,
    updated_at: z.string().nullish(),
  })
  .loose();
const Author = z
  .object({ id: OptionalId, is_staff: z.boolean().nullish(), name: z.string().nullish() })
  .loose();
const CommentAdded = z
  .object({
    comment: z
      .object({
        id: Id,
        body: z.string().nullish(),
        is_public: z.boolean(),
        author: Author,
      })
      .loose(),
  })
  .loose();
const EventDelivery = z
  .object({
    type: z.string(),
    id: z.string().min(1, 'id: the event UUID is required'),
    time: z.string(),
    subject: z.string().nullish(),
    detail: Detail,
    event: z.record(z.string(), z.unknown()).nullish(),
  })
  .loose();

const TriggerDelivery = z
  .object({
    ticket_id: z.union([z.number().int(), z.string().regex(/^\d+$/)], {
      error: 'ticket_id: the ticket id ("{{ticket.id}}") is required',
    }),
    updated_at: z.string({ error: "updated_at: the ticket's update time is required" }).min(1),
    status: z.string().default(''),
    tags: Tags,
    requester_id: OptionalId,
    requester_name: z.string().default(''),
    requester_email: z.string().default(''),
    requester_external_id: z.string().default(''),
    comment_id: OptionalId,
    comment: z.string().default(''),
    author_id: OptionalId,
    author_name: z.string().default(''),
    author_role: z.string().default(''),
  })
  .loose();

const EVENT_PREFIX = 'zen:event-type:';
const CLOSED_STATUSES = new Set(['solved', 'closed']);
const OPEN_STATUSES = new Set(['new', 'open', 'pending', 'hold']);

const PRIORITY: Record<EscalationPriority, string> = {
  low: 'low',
  normal: 'normal',
  high: 'high',
  urgent: 'urgent',
};

/** `PUT /api/v2/tickets/{id}` answers the ticket and the audit; a comment's id is the audit's Comment event. */
const UpdateResponse = z
  .object({
    ticket: z.object({ id: z.number() }).loose(),
    audit: z
      .object({
        events: z.array(z.object({ id: z.number().nullish(), type: z.string().nullish() }).loose()).nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();

/**
 * Zendesk Support through webhooks (../shared/formats/zendesk-tickets.md sections 6 and 7): deliveries of a
 * ticket-event webhook (`zen:event-type:ticket.*`) or of a trigger's webhook (the body is TRIGGER_BODY_TEMPLATE)
 * come to `/channels/<name>/webhook`; the bot writes with `PUT /api/v2/tickets/{id}`: replies as public comments,
 * notes (the hand-off packet, shadow drafts) as private ones, a hand-off sets status `open`, the tags, the group
 * and the priority. Zendesk has no "bot owns it" state: Switchboard keeps the owner, and reads as signals an
 * agent's public comment (taken over), the `switchboard_bot` tag added by an agent (handed back), an assignment
 * to a person other than the bot (taken over) and status solved or closed.
 *
 * @example
 * const channel = zendeskChannel.create({
 *   name: 'desk', mode: 'live', credentials: { token: 'token' },
 *   config: ZendeskConfigSchema.parse({
 *     baseUrl: 'https://acme.zendesk.com', email: 'bot@acme.example', apiTokenEnv: 'ZENDESK_TOKEN', botUserId: 4100099,
 *   }),
 * });
 * await channel.send('48213', { type: 'reply', text: 'Your parcel left today.' }, { idempotencyKey, signal });
 */
export const zendeskChannel = defineChannel<ZendeskConfig>({
  type: 'zendesk',
  config: ZendeskConfigSchema,
  credentialVariables: (config) => ({ token: config.apiTokenEnv, webhookSecret: config.webhookSecretEnv }),
  create({ name, mode, config, credentials }): Channel {
    const { token, webhookSecret: secret } = credentials;
    const authorization = `Basic ${Buffer.from(`${config.email}/token:${token}`).toString('base64')}`;
    const botUserId = String(config.botUserId);

    const update = async (
      ticket: string,
      fields: Record<string, unknown>,
      context: SendContext,
      what: string,
    ): Promise<SendResult> => {
      const res = await callHelpdesk({
        baseUrl: config.baseUrl,
        method: 'PUT',
        path: `api/v2/tickets/${encodeURIComponent(ticket)}`,
        headers: { authorization },
        body: { ticket: fields },
        context,
        response: UpdateResponse,
        what,
      });
      if (!res.ok) return res;
      const comment = res.value.audit?.events?.find((e) => e.type === 'Comment')?.id;
      return ok(comment != null ? { externalId: String(comment) } : {});
    };

    return {
      name,
      type: 'zendesk',
      mode,
      capabilities: { priority: true, timestampedSignatures: true },
      verify(request) {
        if (!secret) return ok(undefined);
        return verifyZendesk(request, secret);
      },
      parse: (request) => parseZendesk(request, botUserId),
      send(ticket, operation, context): Promise<SendResult> {
        switch (operation.type) {
          case 'reply':
            return update(ticket, { comment: { body: operation.text, public: true } }, context, 'reply');
          case 'note':
            // `public` always explicit: a ticket's first `public` value otherwise persists (section 6).
            return update(ticket, { comment: { body: operation.text, public: false } }, context, 'note');
          case 'handoff': {
            const group = config.groups[operation.queue];
            return update(
              ticket,
              {
                status: 'open',
                additional_tags: operation.tags.map(tagOf),
                remove_tags: [BOT_TAG],
                priority: PRIORITY[operation.priority],
                ...(group !== undefined ? { group_id: group } : {}),
              },
              context,
              'hand-off',
            );
          }
          case 'handBack':
            return update(ticket, { status: 'open', additional_tags: [BOT_TAG] }, context, 'hand-back');
          case 'close':
            return update(ticket, { status: 'solved' }, context, 'close');
          case 'tag':
            return update(ticket, { additional_tags: operation.tags.map(tagOf) }, context, 'tags');
        }
      },
    };
  },
});

/** Zendesk tags are lower-case words without spaces. */
function tagOf(tag: string): string {
  return tag.toLowerCase().replace(/[^a-z0-9_:-]+/g, '_');
}

function tagList(value: readonly string[] | string | null | undefined): string[] {
  if (value == null) return [];
  const list = typeof value === 'string' ? value.split(/\s+/) : value;
  return list.map((t) => t.trim().toLowerCase()).filter((t) => t.length > 0);
}

/**
 * The signature over the timestamp header's text followed by the raw body. Zendesk's timestamp is ISO 8601
 * (`2026-03-02T08:31:07Z`), which checkSignature's age check reads as a number: it is given epoch seconds for
 * the check, and the HMAC is computed over the header as it came.
 */
export function verifyZendesk(request: WebhookRequest, secret: string): Result<void, WebhookProblem> {
  return checkSignature({
    request,
    header: SIGNATURE_HEADER,
    timestampHeader: TIMESTAMP_HEADER,
    // base64(HMAC-SHA256(secret, timestamp as sent + raw body)).
    expected: (timestamp) => hmac('sha256', secret, [timestamp ?? '', request.body], 'base64'),
  });
}

export function parseZendesk(
  request: WebhookRequest,
  botUserId: string,
): Result<ParsedDelivery, WebhookProblem> {
  const body = readJsonBody(request);
  if (!body.ok) return body;
  const value = body.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return err({
      status: 400,
      code: 'webhook.invalid',
      detail: 'the body is not a Zendesk delivery (a JSON object)',
      errors: [{ field: '(body)', message: 'expected a JSON object' }],
    });
  }
  if ('type' in value) {
    const type = (value as { type: unknown }).type;
    if (typeof type === 'string' && !type.startsWith(`${EVENT_PREFIX}ticket.`)) {
      return ok({ events: [], ignored: `event ${type} is not one the bot acts on` });
    }
    const parsed = parseWith(EventDelivery, value, 'Zendesk ticket event');
    if (!parsed.ok) return parsed;
    return eventOf(parsed.value, botUserId, request.receivedAt);
  }
  const parsed = parseWith(TriggerDelivery, value, 'Zendesk trigger delivery (see TRIGGER_BODY_TEMPLATE)');
  if (!parsed.ok) return parsed;
  return ok(triggerEvents(parsed.value, botUserId, request.receivedAt));
}

function eventOf(
  e: z.infer<typeof EventDelivery>,
  botUserId: string,
  receivedAt: number,
): Result<ParsedDelivery, WebhookProblem> {
  const kind = e.type.slice(`${EVENT_PREFIX}ticket.`.length);
  const external = e.detail.id;
  const at = timeOf(e.time, receivedAt);
  const key = `event:${e.id}`;

  if (kind === 'comment_added') {
    const parsed = parseWith(CommentAdded, e.event ?? {}, 'Zendesk comment_added event');
    if (!parsed.ok) return prefixed(parsed.error, 'event');
    const { comment } = parsed.value;
    // The bot's own replies and notes fire comment_added too.
    if (comment.author.id === botUserId) return ok({ events: [], ignored: "the bot's own comment" });
    if (!comment.is_public) return ok({ events: [], ignored: 'a private note' });
    const text = comment.body ?? '';
    if (!text.trim()) return ok({ events: [], ignored: 'an empty comment' });
    const base = { external, deliveryKey: commentKey(external, comment.id), at, messageId: comment.id };
    if (comment.author.is_staff) {
      return ok({
        events: [
          {
            ...base,
            type: 'agent_message',
            text,
            agentId: comment.author.id ?? 'unknown',
            private: false,
          },
        ],
      });
    }
    const customer: CustomerProfile = {
      ...(e.detail.requester_id ? { id: `zendesk:${e.detail.requester_id}` } : {}),
      ...(comment.author.name ? { name: comment.author.name } : {}),
      attributes: {},
    };
    return ok({ events: [{ ...base, type: 'customer_message', text, customer }] });
  }
  // Every other change the bot made itself comes back too (its status, its tags).
  if (e.detail.actor_id === botUserId) return ok({ events: [], ignored: "the bot's own change" });
  const by = e.detail.actor_id ?? 'helpdesk';
  const status = (signal: 'bot' | 'human' | 'closed' | 'open'): ParsedDelivery => ({
    events: [{ type: 'status', external, deliveryKey: key, at, signal, by }],
  });

  if (kind === 'status_changed') {
    // Read the ticket's status (upper-case in events), not the event's own fields.
    const current = (e.detail.status ?? '').toLowerCase();
    if (CLOSED_STATUSES.has(current)) return ok(status('closed'));
    const previous = String(e.event?.previous ?? '').toLowerCase();
    if (OPEN_STATUSES.has(current) && CLOSED_STATUSES.has(previous)) return ok(status('open'));
    return ok({ events: [], ignored: `status ${current || 'unknown'} says nothing about who answers` });
  }
  if (kind === 'tags_changed') {
    if (addedTags(e.event).includes(BOT_TAG)) return ok(status('bot'));
    return ok({ events: [], ignored: `no ${BOT_TAG} tag added` });
  }
  if (kind === 'agent_assignment_changed') {
    const assignee = e.detail.assignee_id;
    if (assignee === undefined) return ok({ events: [], ignored: 'the ticket was unassigned' });
    if (assignee === botUserId) return ok({ events: [], ignored: 'assigned to the bot' });
    return ok(status('human'));
  }
  // ticket.created among them: the first comment is read from its own comment_added event (or the trigger).
  return ok({ events: [], ignored: `event ${e.type} is not one the bot acts on` });
}

/**
 * The tags a tags_changed event adds. Its `event` shape is not in the format notes: read
 * `{tags: {added: {tags}}}`, `{tags: {added: [...]}}` and `{added: ...}`, each an array or a space-separated string.
 */
function addedTags(event: Record<string, unknown> | null | undefined): string[] {
  if (!event) return [];
  const tags = event.tags as Record<string, unknown> | undefined;
  const added = (typeof tags === 'object' && tags !== null ? tags.added : undefined) ?? event.added;
  const list =
    typeof added === 'object' && added !== null && !Array.isArray(added)
      ? (added as Record<string, unknown>).tags
      : added;
  const parsed = z.union([z.array(z.string()), z.string()]).safeParse(list);
  return parsed.success ? tagList(parsed.data) : [];
}

function triggerEvents(
  t: z.infer<typeof TriggerDelivery>,
  botUserId: string,
  receivedAt: number,
): ParsedDelivery {
  const external = String(t.ticket_id);
  if (t.author_id === botUserId) return { events: [], ignored: "the bot's own update" };
  // The keys use updated_at as written (stable across retries); its time, when it reads as one, orders signals.
  const at = timeOf(t.updated_at, receivedAt);
  const events: InboundEvent[] = [];
  const text = t.comment;
  if (text.trim()) {
    const deliveryKey = t.comment_id
      ? commentKey(external, t.comment_id)
      : `trigger:${external}:${t.updated_at}:${hashOf(text)}`;
    const messageId = t.comment_id ?? deliveryKey;
    const role = t.author_role.trim().toLowerCase();
    const byRequester = t.author_id !== undefined && t.author_id === t.requester_id;
    if (!byRequester && role !== '' && role !== 'end-user' && role !== 'end user') {
      events.push({
        type: 'agent_message',
        external,
        deliveryKey,
        at,
        messageId,
        text,
        agentId: t.author_id ?? 'unknown',
        private: false,
      });
    } else {
      const customer: CustomerProfile = {
        ...(t.requester_external_id
          ? { id: t.requester_external_id }
          : t.requester_id
            ? { id: `zendesk:${t.requester_id}` }
            : {}),
        ...(t.requester_name ? { name: t.requester_name } : {}),
        ...(t.requester_email ? { email: t.requester_email } : {}),
        attributes: {},
      };
      events.push({ type: 'customer_message', external, deliveryKey, at, messageId, text, customer });
    }
  }
  const status = t.status.trim().toLowerCase();
  if (CLOSED_STATUSES.has(status)) {
    events.push({
      type: 'status',
      external,
      deliveryKey: `trigger:${external}:${t.updated_at}:${status}`,
      at,
      signal: 'closed',
      by: t.author_id ?? 'helpdesk',
    });
  }
  if (events.length === 0) return { events, ignored: 'no public comment and no close' };
  return { events };
}

/** One key per comment, whichever webhook style delivers it. */
function commentKey(ticket: string, comment: string): string {
  return `comment:${ticket}:${comment}`;
}

function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

/** A nested schema's problem, its fields named from the body's top. */
function prefixed(problem: WebhookProblem, at: string): Result<never, WebhookProblem> {
  return err({
    ...problem,
    ...(problem.errors ? { errors: problem.errors.map((e) => ({ ...e, field: `${at}.${e.field}` })) } : {}),
  });
}
