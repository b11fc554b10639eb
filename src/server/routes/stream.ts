import type { ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { createRoute, z } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import type { StreamingApi } from 'hono/utils/stream';
import type {
  Store,
  StoredConversationMessage,
  StoredEvent,
  WrittenToConversation,
} from '../../store/index.ts';
import { type ServerApp, type ServerContext, untyped } from '../context.ts';
import { EXPOSE_HEADERS } from '../http-basics.ts';
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
      // Set by every change, cleared before each pass: a change that lands while sending is not slept through.
      let dirty = false;
      // The log must be read: at the start, after a change that does not say what it wrote (another process's,
      // PostgreSQL's), or when what this process wrote may not follow on from the last read (see below).
      let mustRead = true;
      // What this process's commits wrote to the conversation since the last pass, in commit order.
      let pushed: WrittenToConversation[] = [];
      const epochOf = store.changes.epoch ? () => store.changes.epoch!() : null;
      const unsubscribe = store.changes.subscribe((change) => {
        if ((change.topic === 'conversation' && change.id === conversationId) || change.topic === 'any') {
          if (change.written && epochOf) pushed.push(change.written);
          else mustRead = true;
          dirty = true;
          wake?.();
        }
      });
      sink.onClose(() => wake?.());
      try {
        // The state as of the stream's start, moved on by the state events it passes on.
        const now = await store.findConversation(conversationId);
        const state = { owner: now?.owner ?? 'bot', status: now?.status ?? 'open' };
        if (given === undefined) {
          sink.write(sse({ event: 'ready', id: String(cursor), data: JSON.stringify(state) }));
        }
        // The epoch when the log was last read: what this process wrote since, in that same epoch, is exactly
        // what follows the cursor (no other process wrote in between; ours are all announced, in order).
        let readAtEpoch = -1;
        while (!sink.closed) {
          dirty = false;
          let events: StoredEvent[];
          let written: StoredConversationMessage[] = [];
          let fullPage = false;
          if (!mustRead && pushed.every((w) => w.epoch === readAtEpoch)) {
            events = pushed
              .flatMap((w) => w.events)
              .filter((e) => e.id > cursor && e.conversationId === conversationId);
            written = pushed.flatMap((w) => w.messages);
            pushed = [];
          } else {
            mustRead = false;
            pushed = [];
            readAtEpoch = epochOf ? epochOf() : -1;
            events = await store.listEvents({ conversationId, afterId: cursor, limit: PAGE });
            fullPage = events.length === PAGE;
          }
          // Everything in one write: a turn's events reach the client together, in one packet.
          const text = await pageToSse(store, conversationId, events, state, written);
          if (events.length > 0) cursor = events[events.length - 1]!.id;
          if (text) sink.write(text);
          if (fullPage || dirty) continue;
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
    'access-control-expose-headers': EXPOSE_HEADERS,
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

/**
 * What the client sees of a page of the log, as server-sent events: the messages of the page's events read in one
 * query, state events from the events themselves (`state` is moved along), nothing for events it has no use for.
 */
async function pageToSse(
  store: Store,
  conversationId: string,
  events: readonly StoredEvent[],
  state: { owner: string; status: string },
  /** Messages at hand (what this process just wrote): read only the others. */
  known: readonly StoredConversationMessage[] = [],
): Promise<string> {
  const seqsOf = (event: StoredEvent) =>
    event.type === 'conversation.messages' && Array.isArray(event.payload.seqs)
      ? event.payload.seqs.filter((s): s is number => typeof s === 'number')
      : [];
  const bySeq = new Map(known.map((m) => [m.seq, m]));
  const missing = events.flatMap(seqsOf).filter((seq) => !bySeq.has(seq));
  if (missing.length > 0) {
    for (const m of await store.listConversationMessages({ conversationId, seqs: missing }))
      bySeq.set(m.seq, m);
  }
  let text = '';
  for (const event of events) {
    const id = String(event.id);
    const payload = event.payload;
    switch (event.type) {
      case 'conversation.messages': {
        // A customer message read after its turn committed is no longer pending; the stream says it as it was sent.
        const found = seqsOf(event).flatMap((seq) => {
          const message = bySeq.get(seq);
          return message ? [messageView(message)] : [];
        });
        text += sse({ event: 'message', id, data: JSON.stringify({ messages: found }) });
        break;
      }
      case 'conversation.status_changed':
      case 'conversation.owner_changed': {
        if (typeof payload.to !== 'string') break;
        if (event.type === 'conversation.status_changed') state.status = payload.to;
        else state.owner = payload.to;
        text += sse({
          event: 'state',
          id,
          data: JSON.stringify({ owner: state.owner, status: state.status }),
        });
        break;
      }
      case 'conversation.turn':
      case 'conversation.call_result':
        if (payload.done === false || typeof payload.seq !== 'number') break;
        text += sse({ event: 'turn', id, data: JSON.stringify({ seq: payload.seq }) });
        break;
      default:
        break;
    }
  }
  return text;
}
