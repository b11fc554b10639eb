import type { FetchLike } from './api-client.ts';
import { parseJson, toProblem } from './conversation.ts';
import { backoffDelayMs } from './retry.ts';
import { createSseParser, type SseEvent } from './sse-parser.ts';

export interface EventStreamProps {
  url: string;
  token: string;
  /** Called after every successful (re)connection; `resumed` is false when no Last-Event-ID was sent, so
   *  events from before this connection may be missing and the caller should reload the conversation. */
  onOpen(info: { resumed: boolean }): void;
  onEvent(event: SseEvent): void;
  /** The token or the conversation is no longer valid (401, 403, 404): the stream stops for good. */
  onGone(status: number): void;
  fetch?: FetchLike;
  /** Without a byte (heartbeats come every 15 s) for this long, the connection is presumed dead. */
  idleTimeoutMs?: number;
  backoff?: (attempt: number) => number;
}

export interface EventStream {
  close(): void;
  /** Skips the wait before the next reconnection (the browser came back online, the tab became visible). */
  reconnectNow(): void;
}

/**
 * Reads the conversation's server-sent events with fetch (EventSource cannot send an Authorization header),
 * reconnecting with backoff and `Last-Event-ID` so that no event is lost across drops.
 *
 * @example
 * const stream = openEventStream({
 *   url: api.eventsUrl(id), token,
 *   onOpen: ({ resumed }) => { if (!resumed) void reload(); },
 *   onEvent: (e) => console.log(e.event, e.data),
 *   onGone: () => forgetConversation(),
 * });
 */
export function openEventStream(props: EventStreamProps): EventStream {
  const fetchFn: FetchLike = props.fetch ?? ((url, init) => fetch(url, init));
  const idleTimeoutMs = props.idleTimeoutMs ?? 45_000;
  const backoff = props.backoff ?? backoffDelayMs;
  let closed = false;
  let lastEventId: string | undefined;
  let connection: AbortController | undefined;
  let wake: (() => void) | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => done(), ms);
      const done = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
      wake = done;
    });

  /** Reads one response body to its end; true when any byte arrived (the connection was good). */
  async function read(body: ReadableStream<Uint8Array>, abort: AbortController): Promise<boolean> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const parser = createSseParser();
    let received = false;
    let watchdog = setTimeout(() => abort.abort(), idleTimeoutMs);
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || closed) break;
        received = true;
        clearTimeout(watchdog);
        watchdog = setTimeout(() => abort.abort(), idleTimeoutMs);
        for (const event of parser.push(decoder.decode(value, { stream: true }))) {
          if (closed) break;
          lastEventId = event.id || lastEventId;
          props.onEvent(event);
        }
        lastEventId = parser.lastEventId || lastEventId;
      }
    } catch {
      // dropped, aborted by the watchdog or by close(): the loop decides what next
    } finally {
      clearTimeout(watchdog);
      reader.cancel().catch(() => undefined);
    }
    return received;
  }

  async function run(): Promise<void> {
    let attempt = 0;
    while (!closed) {
      const abort = new AbortController();
      connection = abort;
      const resumed = lastEventId !== undefined;
      const headers: Record<string, string> = {
        Accept: 'text/event-stream',
        Authorization: `Bearer ${props.token}`,
      };
      if (lastEventId !== undefined) headers['Last-Event-ID'] = lastEventId;
      let status = 0;
      let code: string | undefined;
      try {
        const response = await fetchFn(props.url, {
          headers,
          signal: abort.signal,
          cache: 'no-store',
          credentials: 'omit',
        });
        status = response.status;
        if (response.ok && response.body) {
          props.onOpen({ resumed });
          if (await read(response.body, abort)) attempt = 0;
        } else {
          code = toProblem(parseJson(await response.text()))?.code;
        }
      } catch {
        // network failure: back off below
      }
      if (closed) return;
      if (status === 400 && code === 'stream.bad_last_event_id' && resumed) {
        lastEventId = undefined; // not this conversation's id: start over (onOpen asks for a reload)
        continue;
      }
      if (status === 401 || status === 403 || status === 404) {
        closed = true;
        props.onGone(status);
        return;
      }
      await sleep(backoff(attempt++));
    }
  }

  void run();
  return {
    close() {
      closed = true;
      connection?.abort();
      wake?.();
    },
    reconnectNow() {
      wake?.();
    },
  };
}
