import type { ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { createRoute, z } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import type { StreamingApi } from 'hono/utils/stream';
import type { Store, StoredEvent } from '../../store/index.ts';
import { type ServerApp, type ServerContext, untyped } from '../context.ts';
import { PROBLEM_CONTENT_TYPE, sendProblem } from '../problems.ts';
import { ConversationIdParams, ProblemSchema } from '../schemas.ts';
import { messageView } from '../views.ts';
import { conversationAccess } from './conversations.ts';

/** A comment line this often keeps proxies from closing an idle stream. */
export const HEARTBEAT_MS = 15_000;
/** Events read per query while catching up. */
const PAGE = 200;

const streamRoute = createRoute({
  method: 'get',
  path: '/v1/conversations/{id}/events',
  summary: "Stream a conversation's events (server-sent events)",
  description: [
    'Events: `ready` (first, when no Last-Event-ID is sent: the position to resume from and the state), ',
    '`message` ({messages}: customer, bot and agent lines in seq order), `state` ({owner, status}), ',
    '`turn` ({seq}: the answer to that customer message is complete). Ids are increasing; reconnect with ',
    '`Last-Event-ID` (header, or `lastEventId` query) to get every event after it, none twice. A `: ping` comment ',
    'comes every 15 s.',
  ].join(''),
  security: [{ bearer: [] }],
  request: {
    params: ConversationIdParams,
    headers: z.object({ 'last-event-id': z.string().optional() }),
    query: z.object({ lastEventId: z.string().optional() }),
  },
  responses: {
    200: { description: 'The stream', content: { 'text/event-stream': { schema: z.string() } } },
    ...Object.fromEntries(
      [400, 401, 403, 404, 429].map((status) => [
        status,
        { description: `problem ${status}`, content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } },
      ]),
    ),
  },
});

/** The conversation's events as server-sent events, resumable from any event id the stream gave. */
export function registerStreamRoute(app: ServerApp, context: ServerContext): void {
  const { store } = context.deployment;
  app.openapi(streamRoute, async (c) => {
    const access = await conversationAccess(c, context, c.req.valid('param').id);
    if (access instanceof Response) return untyped(access);
    const conversationId = access.conversation.id;
    const given = c.req.valid('header')['last-event-id'] ?? c.req.valid('query').lastEventId;
    let cursor: number;
    if (given !== undefined) {
      const resumed = await resumeFrom(store, conversationId, given);
      if (resumed === null) {
        return untyped(
          sendProblem(c, {
            status: 400,
            code: 'stream.bad_last_event_id',
            detail:
              'Last-Event-ID is not an event of this conversation: reconnect without it and read the conversation',
            errors: [{ field: 'Last-Event-ID', message: 'not an event id of this conversation' }],
          }),
        );
      }
      cursor = resumed;
    } else {
      cursor = await latestEventId(store, conversationId);
    }
    const pump = async (sink: SseSink) => {
      let wake: (() => void) | null = null;
      // Set by every change, cleared before each read: a change that lands while reading is not slept through.
      let dirty = false;
      const unsubscribe = store.changes.subscribe((change) => {
        if ((change.topic === 'conversation' && change.id === conversationId) || change.topic === 'any') {
          dirty = true;
          wake?.();
        }
      });
      sink.onClose(() => wake?.());
      try {
        if (given === undefined) {
          const now = await store.findConversation(conversationId);
          sink.write(
            sse({
              event: 'ready',
              id: String(cursor),
              data: JSON.stringify({ owner: now?.owner ?? 'bot', status: now?.status ?? 'open' }),
            }),
          );
        }
        while (!sink.closed) {
          dirty = false;
          const events = await store.listEvents({ conversationId, afterId: cursor, limit: PAGE });
          // Everything read in one write: a turn's events reach the client together, in one packet.
          let text = '';
          for (const event of events) {
            const found = await toSse(store, conversationId, event);
            if (found) text += sse({ ...found, id: String(event.id) });
            cursor = event.id;
          }
          if (text) sink.write(text);
          if (events.length === PAGE || dirty) continue;
          const woken = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), HEARTBEAT_MS);
            wake = () => {
              clearTimeout(timer);
              resolve(true);
            };
          });
          wake = null;
          if (!woken && !sink.closed) sink.write(': ping\n\n');
        }
      } finally {
        unsubscribe();
      }
    };

    const headers: Record<string, string> = {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
      ...corsHeaders(c.req.header('origin'), context.deployment.server.corsOrigins),
    };
    // Served by Node: written straight to the socket, without the cost of web streams on every event.
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (outgoing) {
      outgoing.writeHead(200, headers);
      void pump(nodeSink(outgoing)).catch(() => outgoing.destroy());
      return untyped(RESPONSE_ALREADY_SENT);
    }
    // In process (app.request in tests): the same pump through a web stream.
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    return untyped(
      stream(c, async (web) => {
        await pump(webSink(web));
      }),
    );
  });
}

/** Where the stream's text goes: a Node response, or a web stream. */
interface SseSink {
  write(text: string): void;
  readonly closed: boolean;
  onClose(listener: () => void): void;
}

function nodeSink(outgoing: ServerResponse): SseSink {
  let closed = false;
  const listeners: Array<() => void> = [];
  outgoing.on('close', () => {
    closed = true;
    for (const listener of listeners) listener();
  });
  return {
    write(text) {
      if (!closed) outgoing.write(text);
    },
    get closed() {
      return closed;
    },
    onClose(listener) {
      listeners.push(listener);
    },
  };
}

function webSink(web: StreamingApi): SseSink {
  return {
    write(text) {
      void web.write(text).catch(() => undefined);
    },
    get closed() {
      return web.aborted || web.closed;
    },
    onClose(listener) {
      web.onAbort(listener);
    },
  };
}

function sse(message: { event: string; id: string; data: string }): string {
  return `event: ${message.event}\nid: ${message.id}\ndata: ${message.data}\n\n`;
}

/** The CORS answer for a stream (written outside Hono's middleware, which sets it on other routes). */
function corsHeaders(origin: string | undefined, allowed: readonly string[]): Record<string, string> {
  if (!origin || !allowed.includes(origin)) return {};
  return {
    'access-control-allow-origin': origin,
    vary: 'Origin',
    'access-control-expose-headers': 'location, retry-after, preference-applied, idempotent-replayed',
  };
}

/**
 * The cursor for a Last-Event-ID: 0 (from the start), or the id of one of this conversation's events; null for
 * anything else (not a number, another conversation's event, an id not given yet).
 */
async function resumeFrom(store: Store, conversationId: string, given: string): Promise<number | null> {
  if (!/^\d{1,15}$/.test(given)) return null;
  const id = Number(given);
  if (id === 0) return 0;
  const [event] = await store.listEvents({ conversationId, afterId: id - 1, limit: 1 });
  return event?.id === id ? id : null;
}

async function latestEventId(store: Store, conversationId: string): Promise<number> {
  let cursor = 0;
  for (;;) {
    const page = await store.listEvents({ conversationId, afterId: cursor, limit: 1000 });
    if (page.length === 0) return cursor;
    cursor = page[page.length - 1]!.id;
    if (page.length < 1000) return cursor;
  }
}

/** What the client sees of an event of the log; null for events it has no use for. */
async function toSse(
  store: Store,
  conversationId: string,
  event: StoredEvent,
): Promise<{ event: string; data: string } | null> {
  const payload = event.payload;
  switch (event.type) {
    case 'conversation.messages': {
      const seqs = Array.isArray(payload.seqs)
        ? payload.seqs.filter((s): s is number => typeof s === 'number')
        : [];
      const messages = await store.listConversationMessages({ conversationId, seqs });
      // A customer message read after its turn committed is no longer pending; the stream says it as it was sent.
      return { event: 'message', data: JSON.stringify({ messages: messages.map(messageView) }) };
    }
    case 'conversation.status_changed':
    case 'conversation.owner_changed': {
      const now = await store.findConversation(conversationId);
      if (!now) return null;
      return { event: 'state', data: JSON.stringify({ owner: now.owner, status: now.status }) };
    }
    case 'conversation.turn':
    case 'conversation.call_result':
      if (payload.done === false || typeof payload.seq !== 'number') return null;
      return { event: 'turn', data: JSON.stringify({ seq: payload.seq }) };
    default:
      return null;
  }
}
