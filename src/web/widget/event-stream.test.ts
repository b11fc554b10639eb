import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FetchLike } from './api-client.ts';
import { type EventStream, openEventStream } from './event-stream.ts';
import type { SseEvent } from './sse-parser.ts';

/** Polls an assertion; generous, so that a loaded CI machine does not fail the timing-free checks. */
const waitFor = (assertion: () => void) => vi.waitFor(assertion, { timeout: 5000, interval: 10 });

type Reply = { status: number; body?: string; keepOpen?: boolean };

/** A fetch that answers the queued replies in turn and records the Last-Event-ID of each request. */
function scriptedFetch(replies: Reply[]) {
  const lastIds: Array<string | null> = [];
  const fetch: FetchLike = async (_url, init) => {
    lastIds.push(new Headers(init.headers).get('Last-Event-ID'));
    const reply = replies.shift() ?? { status: 503 };
    if (reply.status !== 200) return new Response(reply.body ?? '{}', { status: reply.status });
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        if (reply.body) c.enqueue(new TextEncoder().encode(reply.body));
        if (!reply.keepOpen) c.close();
        init.signal?.addEventListener('abort', () => c.error(new Error('aborted')));
      },
    });
    return new Response(body, { status: 200 });
  };
  return { fetch, lastIds };
}

const streams: EventStream[] = [];
afterEach(() => {
  for (const s of streams.splice(0)) s.close();
});

function open(fetch: FetchLike, idleTimeoutMs = 10_000) {
  const events: SseEvent[] = [];
  const opens: boolean[] = [];
  const gone: number[] = [];
  const stream = openEventStream({
    url: 'https://support.example/v1/conversations/c1/events',
    token: 't',
    fetch,
    backoff: () => 5,
    idleTimeoutMs,
    onOpen: ({ resumed }) => opens.push(resumed),
    onEvent: (e) => events.push(e),
    onGone: (status) => gone.push(status),
  });
  streams.push(stream);
  return { events, opens, gone };
}

describe('openEventStream', () => {
  it('reconnects after the server closes, resuming from the last id (an id-only block counts)', async () => {
    const { fetch, lastIds } = scriptedFetch([
      { status: 200, body: 'id: 1\n\nevent: turn\nid: 2\ndata: {"seq":1}\n\n' },
      { status: 200, body: 'id: 5\n\n' },
      { status: 200, keepOpen: true },
    ]);
    const { events, opens } = open(fetch);
    await waitFor(() => expect(lastIds).toHaveLength(3));
    expect(lastIds).toEqual([null, '2', '5']);
    expect(opens).toEqual([false, true, true]);
    expect(events.map((e) => e.event)).toEqual(['turn']);
  });

  it('presumes a silent connection dead and reconnects', async () => {
    const { fetch, lastIds } = scriptedFetch([
      { status: 200, body: 'id: 7\n\n', keepOpen: true },
      { status: 200, keepOpen: true },
    ]);
    open(fetch, 50);
    await waitFor(() => expect(lastIds).toEqual([null, '7']));
  });

  it('drops a Last-Event-ID the server refuses and reconnects without it', async () => {
    const badId = JSON.stringify({ status: 400, code: 'stream.bad_last_event_id' });
    const { fetch, lastIds } = scriptedFetch([
      { status: 200, body: 'id: old\n\n' },
      { status: 400, body: badId },
      { status: 200, keepOpen: true },
    ]);
    const { opens } = open(fetch);
    await waitFor(() => expect(opens).toEqual([false, false]));
    expect(lastIds).toEqual([null, 'old', null]);
  });

  it('backs off on 5xx and network errors, and stops for good on 401 / 404', async () => {
    const { fetch, lastIds } = scriptedFetch([{ status: 503 }, { status: 502 }, { status: 404 }]);
    const { gone } = open(fetch);
    await waitFor(() => expect(gone).toEqual([404]));
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(lastIds).toHaveLength(3);
  });

  it('stops reading and reconnecting once closed', async () => {
    const { fetch, lastIds } = scriptedFetch([{ status: 200, keepOpen: true }]);
    const { opens } = open(fetch);
    await waitFor(() => expect(opens).toHaveLength(1));
    streams[0]!.close();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(lastIds).toHaveLength(1);
  });
});
