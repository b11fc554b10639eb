import { z } from 'zod';
import { type FakeHelpdesk, startFakeServer, type TimelineEntry } from '../fake-helpdesk.ts';
import { hmac } from '../signature.ts';
import { BOT_TAG, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './zendesk-channel.ts';

const STATUSES = ['new', 'open', 'pending', 'hold', 'solved', 'closed'] as const;
type Status = (typeof STATUSES)[number];

/** The fields of `PUT /api/v2/tickets/{id}` the bot uses; anything else is refused (the fake is strict). */
const TicketUpdate = z.strictObject({
  ticket: z.strictObject({
    // `public` required: the format notes' caution (a first value persists) makes it one rule for the bot.
    comment: z.strictObject({ body: z.string().min(1), public: z.boolean() }).optional(),
    status: z.enum(STATUSES).optional(),
    priority: z.enum(['low', 'normal', 'high', 'urgent']).optional(),
    group_id: z.number().int().positive().optional(),
    tags: z.array(z.string()).optional(),
    additional_tags: z.array(z.string()).optional(),
    remove_tags: z.array(z.string()).optional(),
  }),
});

interface Ticket {
  id: number;
  status: Status;
  priority: string | null;
  groupId: number | null;
  tags: string[];
  updatedAt: number;
}

export interface FakeZendesk extends FakeHelpdesk {
  /** The ticket as Zendesk holds it (`new`, no tags, until the bot changes it), or undefined before any call. */
  ticket(id: number): Readonly<Ticket> | undefined;
}

/**
 * Zendesk's ticket API as ../shared/formats/zendesk-tickets.md section 6 documents it, the part the bot uses:
 * `PUT /api/v2/tickets/{id}` with `{ticket: {comment: {body, public}, status, priority, group_id, tags,
 * additional_tags, remove_tags}}`, Basic auth `{email}/token:{token}`, 422 with Zendesk's `RecordInvalid` body
 * for a request it refuses, `{ticket, audit: {events}}` in answer. Tickets exist from their first call, `new`.
 *
 * The timeline: comments (public: reply, private: note), `queue` (`group:<id>`), `priority`, `tags` (the whole
 * set after a change), `owner` (`human` once the ticket is `open` without the `switchboard_bot` tag, `bot` when
 * the tag is on it or before any hand-off) and `closed` (solved or closed).
 *
 * @example
 * const zendesk = await startFakeZendesk({ email: 'bot@shop.example', token: 'api-token' });
 * // point a zendesk channel at zendesk.url; then
 * zendesk.timeline('48213'); // [{ kind: 'reply', text: '...' }, ...]
 */
export async function startFakeZendesk(props: { email: string; token: string }): Promise<FakeZendesk> {
  const tickets = new Map<number, Ticket>();
  const timelines = new Map<number, TimelineEntry[]>();
  const expected = `Basic ${Buffer.from(`${props.email}/token:${props.token}`).toString('base64')}`;
  let nextId = 7_700_000;
  const push = (id: number, entry: TimelineEntry) => timelines.set(id, [...(timelines.get(id) ?? []), entry]);
  const ownerOf = (t: Ticket): 'bot' | 'human' | undefined =>
    t.status === 'solved' || t.status === 'closed'
      ? undefined
      : t.status === 'open' && !t.tags.includes(BOT_TAG)
        ? 'human'
        : 'bot';
  const invalid = (field: string, description: string) => ({
    status: 422,
    body: {
      error: 'RecordInvalid',
      description: 'Record validation errors',
      details: { [field]: [{ description, error: 'InvalidValue' }] },
    },
  });

  const fake = await startFakeServer({
    authorized: (req) => req.headers.authorization === expected,
    timeline: (external) => timelines.get(Number(external)) ?? [],
    routes: [
      {
        method: 'PUT',
        path: /^\/api\/v2\/tickets\/(\d+)(?:\.json)?$/,
        handle: ({ match, body }) => {
          const parsed = TicketUpdate.safeParse(body);
          if (!parsed.success) {
            const issue = parsed.error.issues[0];
            return invalid(String(issue?.path.at(-1) ?? 'base'), issue?.message ?? 'is invalid');
          }
          const update = parsed.data.ticket;
          const id = Number(match[1]);
          const before = tickets.get(id) ?? {
            id,
            status: 'new' as Status,
            priority: null,
            groupId: null,
            tags: [],
            updatedAt: Date.now(),
          };
          let tags = update.tags ?? before.tags;
          tags = [...new Set([...tags, ...(update.additional_tags ?? [])])];
          tags = tags.filter((t) => !(update.remove_tags ?? []).includes(t));
          const after: Ticket = {
            id,
            status: update.status ?? before.status,
            priority: update.priority ?? before.priority,
            groupId: update.group_id ?? before.groupId,
            tags,
            updatedAt: Date.now(),
          };
          tickets.set(id, after);
          const events: Array<Record<string, unknown>> = [];
          if (update.comment) {
            const commentId = nextId++;
            push(id, { kind: update.comment.public ? 'reply' : 'note', text: update.comment.body });
            events.push({
              id: commentId,
              type: 'Comment',
              body: update.comment.body,
              public: update.comment.public,
            });
          }
          if (after.groupId !== before.groupId) push(id, { kind: 'queue', value: `group:${after.groupId}` });
          if (after.priority !== before.priority)
            push(id, { kind: 'priority', value: String(after.priority) });
          if (after.tags.join(' ') !== before.tags.join(' ')) push(id, { kind: 'tags', value: after.tags });
          const owner = ownerOf(after);
          if (owner !== undefined && owner !== ownerOf(before)) push(id, { kind: 'owner', value: owner });
          if (ownerOf(after) === undefined && ownerOf(before) !== undefined) push(id, { kind: 'closed' });
          return {
            status: 200,
            body: {
              ticket: {
                id,
                status: after.status,
                priority: after.priority,
                group_id: after.groupId,
                tags: after.tags,
                updated_at: new Date(after.updatedAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
              },
              audit: { id: nextId++, ticket_id: id, events },
            },
          };
        },
      },
    ],
  });
  return { ...fake, ticket: (id) => tickets.get(id) };
}

/** A delivery as Zendesk would post it to the webhook's endpoint: the body and its headers. */
export interface ZendeskDelivery {
  body: string;
  headers: Record<string, string>;
}

type Who = 'customer' | 'agent' | 'bot';

/**
 * Builds Zendesk deliveries of both styles: ticket events (`zen:event-type:ticket.*`) in the shapes of
 * ../shared/formats/zendesk-tickets.md sections 7 and 8.6 and live-channels.md (string ids in `detail`,
 * upper-case status, nanosecond `time`, `subject: "zen:ticket:<id>"`), and trigger bodies filled from
 * TRIGGER_BODY_TEMPLATE; signed as Zendesk signs them when a secret is given. The content is the caller's; the
 * people and ids are invented.
 */
export function zendeskDeliveries(props: { secret?: string; botUserId: number }) {
  const bot = { id: String(props.botUserId), is_staff: true, name: 'Switchboard' };
  const people: Record<Who, { id: string; is_staff: boolean; name: string }> = {
    customer: { id: '8800101', is_staff: false, name: 'Mira Testkundin' },
    agent: { id: '8800202', is_staff: true, name: 'Agent Oskar' },
    bot,
  };
  const seconds = (at: number) => new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const sign = (body: string, at: number): ZendeskDelivery => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (props.secret) {
      const timestamp = seconds(at);
      headers[TIMESTAMP_HEADER] = timestamp;
      headers[SIGNATURE_HEADER] = hmac('sha256', props.secret, [timestamp, body], 'base64');
    }
    return { body, headers };
  };
  let uuid = 0;
  const eventId = (at: number) =>
    `5e1d0c2a-7f3b-4c19-8a6d-${(at % 1e12).toString(16).padStart(8, '0')}${(uuid++).toString(16).padStart(4, '0')}`;
  const event = (p: {
    type: string;
    ticket: number;
    at: number;
    actor?: Who;
    status?: string;
    tags?: string[] | string;
    assignee?: string;
    event: Record<string, unknown>;
    id?: string;
  }) =>
    sign(
      JSON.stringify({
        type: `zen:event-type:ticket.${p.type}`,
        account_id: 22334455,
        id: p.id ?? eventId(p.at),
        // Nanoseconds, as Zendesk sends them.
        time: new Date(p.at).toISOString().replace('Z', '118274Z'),
        zendesk_event_version: '2022-11-06',
        subject: `zen:ticket:${p.ticket}`,
        detail: {
          actor_id: people[p.actor ?? 'customer'].id,
          assignee_id: p.assignee ?? '',
          brand_id: '31',
          created_at: seconds(p.at - 60_000),
          custom_status: '7700001',
          description: 'Paket nicht angekommen',
          external_id: null,
          form_id: '620',
          group_id: '',
          id: String(p.ticket),
          is_public: true,
          organization_id: '',
          priority: 'NORMAL',
          requester_id: people.customer.id,
          status: p.status ?? 'NEW',
          subject: 'Paket nicht angekommen',
          submitter_id: people.customer.id,
          tags: p.tags ?? ['web_widget'],
          type: null,
          updated_at: seconds(p.at),
          via: { channel: 'web' },
        },
        event: { meta: { sequence: { id: 'C0FFEE00112233445566778899AABBCC', position: 1 } }, ...p.event },
      }),
      p.at,
    );
  const comment = (p: {
    ticket: number;
    comment: number;
    text: string;
    at: number;
    author: Who;
    public?: boolean;
    status?: string;
    id?: string;
  }) =>
    event({
      type: 'comment_added',
      ticket: p.ticket,
      at: p.at,
      actor: p.author,
      ...(p.status ? { status: p.status } : {}),
      ...(p.id ? { id: p.id } : {}),
      event: {
        comment: {
          id: String(p.comment),
          body: p.text,
          is_public: p.public ?? true,
          author: people[p.author],
        },
      },
    });
  return {
    /** Any body, signed as a delivery at `at`. */
    signed: sign,
    /** `comment_added` by the customer, an agent or the bot (`public: false` for a note); `id` the event UUID. */
    comment,
    customerMessage: (p: { conversation: number; message: number; text: string; at: number; id?: string }) =>
      comment({ ...p, ticket: p.conversation, comment: p.message, author: 'customer' }),
    agentMessage: (p: { conversation: number; message: number; text: string; at: number }) =>
      comment({ ...p, ticket: p.conversation, comment: p.message, author: 'agent', status: 'OPEN' }),
    ownMessage: (p: { conversation: number; message: number; text: string; at: number }) =>
      comment({ ...p, ticket: p.conversation, comment: p.message, author: 'bot' }),
    privateNote: (p: { conversation: number; message: number; text: string; at: number }) =>
      comment({ ...p, ticket: p.conversation, comment: p.message, author: 'agent', public: false }),
    statusChanged: (p: { ticket: number; status: string; previous: string; at: number; actor?: Who }) =>
      event({
        type: 'status_changed',
        ticket: p.ticket,
        at: p.at,
        actor: p.actor ?? 'agent',
        status: p.status,
        event: { current: p.status, previous: p.previous },
      }),
    /** `tagsAs: 'string'`: the ticket's tags as one space-separated string (seen in real deliveries). */
    tagsChanged: (p: {
      ticket: number;
      added: string[];
      removed?: string[];
      at: number;
      actor?: Who;
      tagsAs?: 'array' | 'string';
    }) => {
      const tags = ['web_widget', ...p.added];
      return event({
        type: 'tags_changed',
        ticket: p.ticket,
        at: p.at,
        actor: p.actor ?? 'agent',
        status: 'OPEN',
        tags: p.tagsAs === 'string' ? tags.join(' ') : tags,
        event: {
          tags: {
            added: p.tagsAs === 'string' ? { tags: p.added.join(' ') } : { tags: p.added },
            removed: { tags: p.removed ?? [] },
          },
        },
      });
    },
    assigned: (p: { ticket: number; assignee: Who; at: number; actor?: Who }) =>
      event({
        type: 'agent_assignment_changed',
        ticket: p.ticket,
        at: p.at,
        actor: p.actor ?? 'agent',
        status: 'OPEN',
        assignee: people[p.assignee].id,
        event: { current: { id: people[p.assignee].id }, previous: null },
      }),
    /** A trigger's delivery, TRIGGER_BODY_TEMPLATE filled in (without `comment`, `comment_id` rendered empty). */
    trigger: (p: {
      ticket: number;
      text: string;
      at: number;
      author: Who;
      comment?: number;
      status?: string;
    }) => {
      const author = people[p.author];
      return sign(
        JSON.stringify({
          ticket_id: String(p.ticket),
          updated_at: seconds(p.at),
          status: p.status ?? 'Open',
          tags: 'web_widget lang_de',
          requester_id: people.customer.id,
          requester_name: people.customer.name,
          requester_email: 'mira@kunden.example',
          requester_external_id: '',
          comment_id: p.comment !== undefined ? String(p.comment) : '',
          comment: p.text,
          author_id: author.id,
          author_name: author.name,
          author_role: p.author === 'customer' ? 'End-user' : 'Agent',
        }),
        p.at,
      );
    },
    unknownEvent: (at: number) =>
      sign(
        JSON.stringify({
          type: 'zen:event-type:user.created',
          account_id: 22334455,
          id: eventId(at),
          time: new Date(at).toISOString(),
          subject: 'zen:user:8800303',
          detail: { id: '8800303' },
          event: {},
        }),
        at,
      ),
  };
}
