import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import { type Clock, systemClock } from '../../shared/index.ts';
import {
  CreateTicketRequestSchema,
  TagsRequestSchema,
  UpdateTicketRequestSchema,
  type ZENDESK_PRIORITIES,
  type ZENDESK_STATUSES,
} from './zendesk-shapes.ts';

export interface FakeZendeskTicket {
  id: number;
  subject: string;
  status: (typeof ZENDESK_STATUSES)[number];
  priority: (typeof ZENDESK_PRIORITIES)[number] | null;
  tags: string[];
  requester: { email: string; name?: string };
  comments: Array<{ id: number; body: string; public: boolean; created_at: string }>;
  created_at: string;
  updated_at: string;
}

export interface FakeZendesk {
  /** `http://127.0.0.1:PORT` (no trailing slash, as a Zendesk base URL is usually written). */
  url: string;
  tickets: Map<number, FakeZendeskTicket>;
  /** Every request seen, in order: method, path and whether its credentials were right. */
  requests: Array<{ method: string; path: string; authorized: boolean }>;
  /** Answers the next `times` requests with `status` (503 to test retries, 429 for rate limits). */
  failNext(status: number, times?: number): void;
  close(): Promise<void>;
}

const USER_ID = 4_100_099;

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Zendesk's 422 body: `details` keyed by field, each a list of `{description}`. */
function recordInvalid(res: ServerResponse, error: z.ZodError | string): void {
  const details: Record<string, Array<{ description: string }>> = {};
  if (typeof error === 'string') details.base = [{ description: error }];
  else {
    for (const issue of error.issues) {
      const field = issue.path.map(String).join('.') || 'base';
      details[field] = [...(details[field] ?? []), { description: issue.message }];
    }
  }
  send(res, 422, { error: 'RecordInvalid', description: 'Record validation errors', details });
}

/**
 * A local stand-in for Zendesk Support's ticket API, for tests: checks Basic token auth and that request
 * bodies have the documented shapes (../shared/formats/zendesk-tickets.md, section 6), keeps tickets in
 * memory, and answers in Zendesk's response shapes. Loopback only.
 *
 * @example
 * const zendesk = await startFakeZendesk({ email: 'bot@shop.example', apiToken: 'test-token' });
 * // point the helpdesk connector at zendesk.url, then inspect zendesk.tickets
 * await zendesk.close();
 */
export async function startFakeZendesk(options: {
  email: string;
  apiToken: string;
  clock?: Clock;
  firstTicketId?: number;
}): Promise<FakeZendesk> {
  const clock = options.clock ?? systemClock;
  const expectedAuth = `Basic ${Buffer.from(`${options.email}/token:${options.apiToken}`).toString('base64')}`;
  const tickets = new Map<number, FakeZendeskTicket>();
  const requests: FakeZendesk['requests'] = [];
  let nextTicketId = options.firstTicketId ?? 48_001;
  let nextCommentId = 9_001_001;
  let nextAuditId = 5_500_001;
  const failures: number[] = [];
  let base = '';

  const now = () => new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const view = (t: FakeZendeskTicket) => ({
    id: t.id,
    url: `${base}/api/v2/tickets/${t.id}.json`,
    external_id: null,
    type: null,
    subject: t.subject,
    raw_subject: t.subject,
    description: t.comments[0]?.body ?? '',
    priority: t.priority,
    status: t.status,
    requester_id: 3_900_001,
    submitter_id: USER_ID,
    assignee_id: null,
    group_id: null,
    tags: t.tags,
    custom_fields: [],
    is_public: t.comments.some((c) => c.public),
    via: { channel: 'api', source: { from: {}, to: {}, rel: null } },
    created_at: t.created_at,
    updated_at: t.updated_at,
  });
  const addComment = (t: FakeZendeskTicket, comment: { body: string; public: boolean }) => {
    const added = { id: nextCommentId++, ...comment, created_at: now() };
    t.comments.push(added);
    return added;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const authorized = req.headers.authorization === expectedAuth;
    requests.push({ method, path, authorized });
    const failure = failures.shift();
    if (failure !== undefined) return send(res, failure, { error: 'Unavailable' }, { 'retry-after': '1' });
    if (!authorized) return send(res, 401, { error: "Couldn't authenticate you" });
    if (method !== 'GET' && !String(req.headers['content-type']).startsWith('application/json')) {
      return send(res, 400, { error: 'Unsupported content type' });
    }

    if (method === 'POST' && /^\/api\/v2\/tickets(\.json)?$/.test(path)) {
      const parsed = CreateTicketRequestSchema.safeParse(await readBody(req));
      if (!parsed.success) return recordInvalid(res, parsed.error);
      const { ticket } = parsed.data;
      const created: FakeZendeskTicket = {
        id: nextTicketId++,
        subject: ticket.subject,
        status: 'new',
        priority: ticket.priority ?? null,
        tags: ticket.tags ?? [],
        requester: ticket.requester,
        comments: [],
        created_at: now(),
        updated_at: now(),
      };
      addComment(created, ticket.comment);
      tickets.set(created.id, created);
      return send(
        res,
        201,
        { ticket: view(created) },
        { location: `${base}/api/v2/tickets/${created.id}.json` },
      );
    }

    const match = /^\/api\/v2\/tickets\/(\d+)(\/tags|\/comments)?(\.json)?$/.exec(path);
    const ticket = match ? tickets.get(Number(match[1])) : undefined;
    if (!match || !ticket) return send(res, 404, { error: 'RecordNotFound', description: 'Not found' });
    const sub = match[2];

    if (!sub && method === 'GET') return send(res, 200, { ticket: view(ticket) });
    if (!sub && method === 'PUT') {
      const parsed = UpdateTicketRequestSchema.safeParse(await readBody(req));
      if (!parsed.success) return recordInvalid(res, parsed.error);
      if (ticket.status === 'closed') return recordInvalid(res, 'Status: closed prevents ticket update');
      const update = parsed.data.ticket;
      const events: unknown[] = [];
      if (update.comment) {
        const comment = addComment(ticket, update.comment);
        events.push({
          id: comment.id,
          type: 'Comment',
          body: comment.body,
          public: comment.public,
          author_id: USER_ID,
        });
      }
      if (update.status && update.status !== ticket.status) {
        events.push({
          type: 'Change',
          field_name: 'status',
          value: update.status,
          previous_value: ticket.status,
        });
        ticket.status = update.status;
      }
      if (update.tags) {
        events.push({ type: 'Change', field_name: 'tags', value: update.tags, previous_value: ticket.tags });
        ticket.tags = update.tags;
      }
      ticket.updated_at = now();
      const audit = {
        id: nextAuditId++,
        ticket_id: ticket.id,
        author_id: USER_ID,
        created_at: now(),
        events,
      };
      return send(res, 200, { ticket: view(ticket), audit });
    }
    if (sub === '/tags' && (method === 'POST' || method === 'PUT')) {
      const parsed = TagsRequestSchema.safeParse(await readBody(req));
      if (!parsed.success) return recordInvalid(res, parsed.error);
      // POST replaces the tags, PUT adds to them.
      ticket.tags =
        method === 'POST' ? parsed.data.tags : [...new Set([...ticket.tags, ...parsed.data.tags])];
      ticket.updated_at = now();
      return send(res, 200, { tags: ticket.tags });
    }
    if (sub === '/comments' && method === 'GET') {
      const comments = ticket.comments.map((c) => ({
        ...c,
        type: 'Comment',
        author_id: USER_ID,
        attachments: [],
      }));
      return send(res, 200, { comments, next_page: null, previous_page: null, count: comments.length });
    }
    send(res, 405, { error: 'MethodNotAllowed' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, { error: 'InternalError' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    tickets,
    requests,
    failNext: (status, times = 1) => {
      for (let i = 0; i < times; i++) failures.push(status);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
