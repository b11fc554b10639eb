import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What a helpdesk shows for one conversation, whatever its API: the contract suite and the end-to-end tests read
 * the fakes through this, so one assertion holds for every channel.
 */
export type TimelineEntry =
  | { kind: 'reply'; text: string }
  | { kind: 'note'; text: string }
  | { kind: 'owner'; value: 'bot' | 'human' }
  | { kind: 'closed' }
  | { kind: 'tags'; value: string[] }
  | { kind: 'queue'; value: string }
  | { kind: 'priority'; value: string };

/** A local stand-in for a helpdesk's API, on a random loopback port, for tests. */
export interface FakeHelpdesk {
  /** The base URL to configure the channel with. */
  readonly url: string;
  /** What the conversation shows (the channel's external id), in order. */
  timeline(external: string): TimelineEntry[];
  /** Every request: method, path, whether its credentials were right, its Idempotency-Key. */
  readonly requests: Array<{ method: string; path: string; authorized: boolean; idempotencyKey?: string }>;
  /** Answers the next `times` requests with `status` (500: down; 429: rate limited) and does nothing. */
  failNext(status: number, times?: number): void;
  /** Never answers the next `times` requests (the caller's timeout must end them). */
  hangNext(times?: number): void;
  /** Forgets the failures and hangs still to come: the helpdesk is back. */
  heal(): void;
  close(): Promise<void>;
}

export interface FakeRoute {
  method: string;
  /** Matched against the path (no query); groups are passed to `handle`. */
  path: RegExp;
  handle(props: { match: RegExpExecArray; body: unknown; query: URLSearchParams }): {
    status: number;
    body: unknown;
  };
}

/**
 * The HTTP half of every fake: routes, an authorization check, failures and hangs on demand, a request log.
 * Each helpdesk's fake gives its routes (in its documented shapes) and its timeline.
 */
export async function startFakeServer(props: {
  routes: readonly FakeRoute[];
  authorized: (req: IncomingMessage) => boolean;
  timeline: (external: string) => TimelineEntry[];
}): Promise<FakeHelpdesk> {
  const requests: FakeHelpdesk['requests'] = [];
  let failures: number[] = [];
  let hangs = 0;
  const hanging = new Set<ServerResponse>();

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const url = new URL(req.url ?? '/', 'http://fake');
    const authorized = props.authorized(req);
    const key = req.headers['idempotency-key'];
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      authorized,
      ...(typeof key === 'string' ? { idempotencyKey: key } : {}),
    });
    if (hangs > 0) {
      hangs--;
      hanging.add(res);
      return;
    }
    const failure = failures.shift();
    if (failure !== undefined) return send(res, failure, { error: 'fake failure' });
    if (!authorized) return send(res, 401, { error: 'Unauthorized' });
    let body: unknown;
    const text = Buffer.concat(chunks).toString('utf8');
    if (text) {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        return send(res, 400, { error: 'malformed JSON' });
      }
    }
    for (const route of props.routes) {
      if (route.method !== req.method) continue;
      const match = route.path.exec(url.pathname);
      if (!match) continue;
      const answer = route.handle({ match, body, query: url.searchParams });
      return send(res, answer.status, answer.body);
    }
    send(res, 404, { error: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    timeline: props.timeline,
    failNext(status, times = 1) {
      failures = [...failures, ...Array.from({ length: times }, () => status)];
    },
    hangNext(times = 1) {
      hangs += times;
    },
    heal() {
      failures = [];
      hangs = 0;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
