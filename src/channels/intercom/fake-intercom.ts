import { z } from 'zod';
import { htmlToText } from '../../domain/index.ts';
import { type FakeHelpdesk, startFakeServer, type TimelineEntry } from '../fake-helpdesk.ts';
import { hmac } from '../signature.ts';

const Digits = z.string().regex(/^\d+$/);
const ReplyBody = z.discriminatedUnion('message_type', [
  z.object({
    message_type: z.enum(['comment', 'note']),
    type: z.literal('admin'),
    // A number in the reply request (live-channels.md).
    admin_id: z.number().int(),
    body: z.string().min(1, 'body is required for comment and note'),
    attachment_urls: z.array(z.string()).max(10).optional(),
  }),
  z.object({
    message_type: z.literal('quick_reply'),
    type: z.literal('admin'),
    admin_id: z.number().int(),
    reply_options: z.array(z.object({ text: z.string(), uuid: z.string() })).min(1),
  }),
]);
const AdminId = z.union([Digits, z.number().int().transform(String)]);
const PartBody = z.discriminatedUnion('message_type', [
  z.object({
    message_type: z.literal('assignment'),
    type: z.enum(['admin', 'team']),
    admin_id: AdminId,
    assignee_id: z.union([Digits, z.number().int().transform(String)]),
    body: z.string().optional(),
  }),
  z.object({
    message_type: z.literal('close'),
    type: z.literal('admin'),
    admin_id: AdminId,
    body: z.string().optional(),
  }),
  z.object({ message_type: z.literal('open'), admin_id: AdminId }),
]);

interface Conversation {
  id: string;
  state: 'open' | 'closed';
  admin: string | null;
  team: string | null;
  tags: string[];
  parts: Array<{ id: string; part_type: string; body: string | null; created_at: number }>;
  timeline: TimelineEntry[];
}

export interface FakeIntercom extends FakeHelpdesk {
  /** The conversation as Intercom holds it: state and assignee (`null`: unassigned). */
  conversation(
    id: string,
  ): { state: 'open' | 'closed'; admin: string | null; team: string | null } | undefined;
  /** The `Intercom-Version` header of every request, in order. */
  readonly versions: Array<string | undefined>;
}

/**
 * Intercom's REST API as ../shared/formats/intercom-conversations.md section 6 documents it: reply and note
 * (`POST /conversations/{id}/reply`, `admin_id` a number, `body` required), assignment, close and open
 * (`POST /conversations/{id}/parts`), tags (`POST /tags {name}` -> `{id}`, assumed; then
 * `POST /conversations/{id}/tags {id, admin_id}`), behind `Authorization: Bearer`. A bad body gets 400 with
 * Intercom's error list; an admin other than the bot's gets 404. Conversations exist from their first call,
 * open and unassigned.
 *
 * @example
 * const intercom = await startFakeIntercom({ token: 'token', adminId: 7300001 });
 * // point an intercom channel at intercom.url; then
 * intercom.timeline('215000000000012'); // [{ kind: 'reply', text: '...' }, ...]
 */
export async function startFakeIntercom(props: { token: string; adminId: number }): Promise<FakeIntercom> {
  const conversations = new Map<string, Conversation>();
  const tagsByName = new Map<string, string>();
  const versions: Array<string | undefined> = [];
  let nextPartId = 40_000_000;
  let nextTagId = 9_911_000;
  const admin = String(props.adminId);
  const now = () => Math.floor(Date.now() / 1000);

  const touch = (id: string): Conversation => {
    let conversation = conversations.get(id);
    if (!conversation) {
      conversation = { id, state: 'open', admin: null, team: null, tags: [], parts: [], timeline: [] };
      conversations.set(id, conversation);
    }
    return conversation;
  };
  const errors = (status: number, code: string, message: string) => ({
    status,
    body: {
      type: 'error.list',
      request_id: `req-${Math.random().toString(16).slice(2)}`,
      errors: [{ code, message }],
    },
  });
  const invalid = (issues: z.core.$ZodIssue[]) =>
    errors(
      400,
      'parameter_invalid',
      issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  const addPart = (c: Conversation, part_type: string, body: string | null) => {
    const part = { id: String(nextPartId++), part_type, body, created_at: now() };
    c.parts.push(part);
    return part;
  };
  const view = (c: Conversation, newest?: { id: string; part_type: string; body: string | null }) => ({
    type: 'conversation',
    id: c.id,
    state: c.state,
    open: c.state === 'open',
    admin_assignee_id: c.admin === null ? null : Number(c.admin),
    team_assignee_id: c.team === null ? null : Number(c.team),
    tags: { type: 'tag.list', tags: c.tags.map((name) => ({ type: 'tag', id: tagsByName.get(name), name })) },
    conversation_parts: {
      type: 'conversation_part.list',
      conversation_parts: newest
        ? [{ type: 'conversation_part', ...newest, author: { type: 'admin', id: admin } }]
        : [],
      total_count: c.parts.length,
    },
  });

  const fake = await startFakeServer({
    authorized: (req) => {
      const version = req.headers['intercom-version'];
      versions.push(typeof version === 'string' ? version : undefined);
      return req.headers.authorization === `Bearer ${props.token}`;
    },
    timeline: (external) => conversations.get(external)?.timeline ?? [],
    routes: [
      {
        method: 'POST',
        path: /^\/conversations\/(\d+)\/reply$/,
        handle: ({ match, body }) => {
          const parsed = ReplyBody.safeParse(body);
          if (!parsed.success) return invalid(parsed.error.issues);
          if (String(parsed.data.admin_id) !== admin)
            return errors(404, 'admin_not_found', 'Admin not found');
          const c = touch(match[1] as string);
          if (parsed.data.message_type === 'quick_reply') {
            const part = addPart(c, 'quick_reply', null);
            c.timeline.push({
              kind: 'reply',
              text: parsed.data.reply_options.map((o) => o.text).join(' | '),
            });
            return { status: 200, body: view(c, part) };
          }
          const part = addPart(c, parsed.data.message_type, parsed.data.body);
          c.timeline.push({
            kind: parsed.data.message_type === 'note' ? 'note' : 'reply',
            text: htmlToText(parsed.data.body),
          });
          return { status: 200, body: view(c, part) };
        },
      },
      {
        method: 'POST',
        path: /^\/conversations\/(\d+)\/parts$/,
        handle: ({ match, body }) => {
          const parsed = PartBody.safeParse(body);
          if (!parsed.success) return invalid(parsed.error.issues);
          if (parsed.data.admin_id !== admin) return errors(404, 'admin_not_found', 'Admin not found');
          const c = touch(match[1] as string);
          const data = parsed.data;
          if (data.message_type === 'assignment') {
            const unassign = data.assignee_id === '0';
            if (data.type === 'team') {
              if (unassign) return errors(400, 'parameter_invalid', 'assignee_id: a team id is required');
              c.team = data.assignee_id;
              c.timeline.push({ kind: 'queue', value: `team:${data.assignee_id}` });
            } else {
              c.admin = unassign ? null : data.assignee_id;
              if (unassign) c.timeline.push({ kind: 'queue', value: 'unassigned' });
            }
            // A team or nobody: people pick it up in the inbox; the bot's admin: the bot's again.
            const owner = data.type === 'admin' && data.assignee_id === admin ? 'bot' : 'human';
            c.timeline.push({ kind: 'owner', value: owner });
            return { status: 200, body: view(c, addPart(c, 'assignment', data.body ?? null)) };
          }
          if (data.message_type === 'close') {
            c.state = 'closed';
            c.timeline.push({ kind: 'closed' });
            return { status: 200, body: view(c, addPart(c, 'close', data.body ?? null)) };
          }
          c.state = 'open';
          return { status: 200, body: view(c, addPart(c, 'open', null)) };
        },
      },
      {
        method: 'POST',
        path: /^\/tags$/,
        handle: ({ body }) => {
          const parsed = z.object({ name: z.string().min(1) }).safeParse(body);
          if (!parsed.success) return invalid(parsed.error.issues);
          let id = tagsByName.get(parsed.data.name);
          if (id === undefined) {
            id = String(nextTagId++);
            tagsByName.set(parsed.data.name, id);
          }
          return { status: 200, body: { type: 'tag', id, name: parsed.data.name } };
        },
      },
      {
        method: 'POST',
        path: /^\/conversations\/(\d+)\/tags$/,
        handle: ({ match, body }) => {
          const parsed = z.object({ id: Digits, admin_id: AdminId }).safeParse(body);
          if (!parsed.success) return invalid(parsed.error.issues);
          if (parsed.data.admin_id !== admin) return errors(404, 'admin_not_found', 'Admin not found');
          const name = [...tagsByName].find(([, id]) => id === parsed.data.id)?.[0];
          if (name === undefined) return errors(404, 'tag_not_found', 'Tag not found');
          const c = touch(match[1] as string);
          if (!c.tags.includes(name)) {
            c.tags.push(name);
            c.timeline.push({ kind: 'tags', value: [...c.tags] });
          }
          return { status: 200, body: { type: 'tag', id: parsed.data.id, name } };
        },
      },
    ],
  });
  return {
    ...fake,
    versions,
    conversation: (id) => {
      const c = conversations.get(id);
      return c ? { state: c.state, admin: c.admin, team: c.team } : undefined;
    },
  };
}

/** A delivery as Intercom posts it to the app's webhook URL: the body and its headers. */
export interface IntercomDelivery {
  body: string;
  headers: Record<string, string>;
}

type Shape = '2.x' | '1.x';
interface MessageProps {
  conversation: number;
  message: number;
  text: string;
  at: number;
}

/** Intercom's times are whole seconds: a time is rounded up to its second (so later stays later). */
const seconds = (at: number) => Math.ceil(at / 1000);

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, '<br>');

/**
 * Builds Intercom webhook deliveries in the shapes of ../shared/formats/intercom-conversations.md (sections 1, 2,
 * 6) and live-channels.md: a `notification_event` whose `data.item` is the conversation with the parts the
 * notification is about, newer deliveries with `source` and `contacts`, older (`shape: '1.x'`) with
 * `conversation_message` and `user`; signed `X-Hub-Signature: sha1=<hex>` when a secret is given. Bodies are
 * HTML (the text escaped). The content is the caller's; the rest is invented.
 */
export function intercomDeliveries(props: { adminId: number; secret?: string }) {
  const sign = (body: string): IntercomDelivery => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (props.secret) headers['x-hub-signature'] = `sha1=${hmac('sha1', props.secret, [body], 'hex')}`;
    return { body, headers };
  };
  const customer = {
    type: 'user',
    id: '6a1f00c0ffee00aa11bb2201',
    name: 'Robin Test',
    email: 'robin@mail.example',
  };
  const agent = { type: 'admin', id: '7301122', name: 'Agent Ana', email: 'ana@shop.example' };
  const bot = { type: 'admin', id: String(props.adminId), name: 'Switchboard', email: 'bot@shop.example' };
  const assigneeRef = (to: Assignee) =>
    to.type === 'nobody_admin' ? { type: 'nobody_admin', id: null } : { type: to.type, id: String(to.id) };

  const part = (p: {
    id: string | number;
    partType: string;
    body: string | null;
    at: number;
    author: Record<string, unknown>;
    assignedTo?: Assignee;
    times?: 'numbers' | 'strings';
  }) => {
    const time = p.times === 'strings' ? String(seconds(p.at)) : seconds(p.at);
    return {
      type: 'conversation_part',
      id: String(p.id),
      part_type: p.partType,
      body: p.body,
      created_at: time,
      updated_at: time,
      notified_at: time,
      assigned_to: p.assignedTo ? assigneeRef(p.assignedTo) : null,
      author: { ...p.author, from_ai_agent: false, is_ai_answer: false },
      attachments: [],
      external_id: null,
      redacted: false,
      metadata: null,
      state: p.partType === 'close' ? 'closed' : 'open',
    };
  };
  const conversation = (p: {
    conversation: number;
    at: number;
    /** When the conversation began (a minute before `at` unless given). */
    startedAt?: number;
    shape?: Shape;
    opening?: { id: number; text: string };
    parts: unknown[];
    assignee?: Assignee;
    state?: 'open' | 'closed';
    times?: 'numbers' | 'strings';
    /** The customer's rating (section 4), null when absent. */
    rating?: Rated;
  }) => {
    const time = (at: number) => (p.times === 'strings' ? String(seconds(at)) : seconds(at));
    const assignee = p.assignee ?? { type: 'nobody_admin' };
    const opening = {
      id: String(p.opening?.id ?? p.conversation * 10),
      subject: '',
      body: `<p>${escapeHtml(p.opening?.text ?? 'Hello')}</p>`,
      author: customer,
      attachments: [],
      url: null,
    };
    const common = {
      type: 'conversation',
      id: String(p.conversation),
      created_at: time(p.startedAt ?? p.at - 60_000),
      updated_at: time(p.at),
      waiting_since: null,
      snoozed_until: null,
      open: (p.state ?? 'open') === 'open',
      state: p.state ?? 'open',
      read: false,
      assignee: assigneeRef(assignee),
      conversation_parts: {
        type: 'conversation_part.list',
        conversation_parts: p.parts,
        total_count: p.parts.length,
      },
      tags: { type: 'tag.list', tags: [] },
      conversation_rating: p.rating
        ? {
            rating: p.rating.rating,
            remark: p.rating.remark,
            created_at: time(p.rating.createdAt ?? p.rating.at),
            updated_at: time(p.rating.at),
            contact: { type: 'contact', id: customer.id, external_id: 'shop-customer-31' },
            teammate: { type: 'admin', id: String(agent.id) },
          }
        : null,
    };
    if (p.shape === '1.x') {
      return {
        ...common,
        user: {
          type: 'user',
          id: customer.id,
          user_id: 'shop-customer-31',
          name: customer.name,
          email: customer.email,
        },
        conversation_message: { type: 'conversation_message', ...opening },
      };
    }
    return {
      ...common,
      priority: 'not_priority',
      admin_assignee_id: assignee.type === 'admin' ? assignee.id : null,
      team_assignee_id: assignee.type === 'team' ? assignee.id : null,
      source: { type: 'conversation', delivered_as: 'customer_initiated', redacted: false, ...opening },
      contacts: {
        type: 'contact.list',
        contacts: [{ type: 'contact', id: customer.id, external_id: 'shop-customer-31' }],
      },
      teammates: { type: 'admin.list', teammates: [] },
      custom_attributes: {},
    };
  };
  const envelope = (topic: string, item: unknown, at: number, key: string) =>
    sign(
      JSON.stringify({
        type: 'notification_event',
        app_id: 'k3x9test',
        data: { type: 'notification_event_data', item },
        links: {},
        id: `notif_${key}`,
        topic,
        delivery_status: 'pending',
        delivery_attempts: 1,
        delivered_at: 0,
        first_sent_at: seconds(at),
        created_at: seconds(at),
        self: null,
      }),
    );
  const admin = (
    topic: string,
    partType: string,
    author: Record<string, unknown>,
    p: MessageProps & { assignee?: Assignee },
  ) =>
    envelope(
      topic,
      conversation({
        ...p,
        parts: [part({ id: p.message, partType, body: `<p>${escapeHtml(p.text)}</p>`, at: p.at, author })],
      }),
      p.at,
      `${topic}-${p.message}`,
    );
  const assigned = (p: { conversation: number; at: number; to: Assignee; part?: number }) =>
    envelope(
      'conversation.admin.assigned',
      conversation({
        ...p,
        assignee: p.to,
        parts: [
          part({
            id: p.part ?? p.at,
            partType: 'assignment',
            body: null,
            at: p.at,
            author: agent,
            assignedTo: p.to,
          }),
        ],
      }),
      p.at,
      `assigned-${p.at}`,
    );

  return {
    /** Any body, signed. */
    signed: sign,
    /** `conversation.user.created`: the customer's opening message is the conversation's `source`. */
    conversationStarted: (p: MessageProps & { shape?: Shape; assignee?: Assignee }) =>
      envelope(
        'conversation.user.created',
        conversation({ ...p, startedAt: p.at, opening: { id: p.message, text: p.text }, parts: [] }),
        p.at,
        `created-${p.message}`,
      ),
    /** `conversation.user.replied`: the customer's newest comment part. */
    customerMessage: (
      p: MessageProps & { shape?: Shape; assignee?: Assignee; times?: 'numbers' | 'strings'; html?: string },
    ) =>
      envelope(
        'conversation.user.replied',
        conversation({
          ...p,
          parts: [
            part({
              id: p.message,
              partType: 'comment',
              body: p.html ?? `<p>${escapeHtml(p.text)}</p>`,
              at: p.at,
              author: p.shape === '1.x' ? { type: 'user', id: customer.id } : customer,
              ...(p.times ? { times: p.times } : {}),
            }),
          ],
        }),
        p.at,
        `replied-${p.message}`,
      ),
    /** A teammate's public reply (`conversation.admin.replied`). */
    agentMessage: (p: MessageProps) =>
      admin('conversation.admin.replied', 'comment', agent, {
        ...p,
        assignee: { type: 'admin', id: Number(agent.id) },
      }),
    /** The bot's own reply echoed back, on either of the two topics Intercom uses for it. */
    ownMessage: (p: MessageProps & { topic?: 'admin' | 'operator' }) =>
      admin(`conversation.${p.topic ?? 'admin'}.replied`, 'comment', bot, p),
    privateNote: (p: MessageProps) => admin('conversation.admin.noted', 'note', agent, p),
    /** An `admin.replied` delivery whose part is an assignment (with a message), not a comment. */
    assignmentReply: (p: MessageProps & { to: Assignee }) =>
      envelope(
        'conversation.admin.replied',
        conversation({
          ...p,
          assignee: p.to,
          parts: [
            part({
              id: p.message,
              partType: 'assignment',
              body: `<p>${escapeHtml(p.text)}</p>`,
              at: p.at,
              author: agent,
              assignedTo: p.to,
            }),
          ],
        }),
        p.at,
        `assignment-reply-${p.message}`,
      ),
    /** `conversation.admin.assigned` to an admin, a team or nobody. */
    assigned,
    /** A teammate assigns the conversation to the bot's admin: the bot answers again. */
    handBack: (p: { conversation: number; at: number; part?: number }) =>
      assigned({ ...p, to: { type: 'admin', id: props.adminId } }),
    /**
     * `conversation.rating.added` (a topic assumed, not in the format notes): the closed conversation with the
     * customer's `conversation_rating`.
     */
    rated: (p: { conversation: number; at: number; rating: Rated }) =>
      envelope(
        'conversation.rating.added',
        conversation({ ...p, state: 'closed', parts: [] }),
        p.at,
        `rated-${p.at}`,
      ),
    /** A teammate closes the conversation (it carries the rating when `rating` is given). */
    closed: (p: { conversation: number; at: number; part?: number; rating?: Rated }) =>
      envelope(
        'conversation.admin.closed',
        conversation({
          ...p,
          state: 'closed',
          parts: [part({ id: p.part ?? p.at, partType: 'close', body: null, at: p.at, author: agent })],
        }),
        p.at,
        `closed-${p.at}`,
      ),
    opened: (p: { conversation: number; at: number; part?: number }) =>
      envelope(
        'conversation.admin.opened',
        conversation({
          ...p,
          parts: [part({ id: p.part ?? p.at, partType: 'open', body: null, at: p.at, author: agent })],
        }),
        p.at,
        `opened-${p.at}`,
      ),
    unknownEvent: (at: number) =>
      envelope(
        'conversation.admin.snoozed',
        conversation({ conversation: 1, at, parts: [] }),
        at,
        `snoozed-${at}`,
      ),
  };
}

type Assignee = { type: 'admin' | 'team'; id: number } | { type: 'nobody_admin' };
/** A conversation rating: the score (1 to 5 in Intercom; anything here, to test refusals), the remark, when. */
type Rated = { rating: number | null; remark: string | null; at: number; createdAt?: number };
