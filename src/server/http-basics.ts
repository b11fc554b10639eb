import type { IncomingMessage } from 'node:http';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { sendProblem } from './problems.ts';

/**
 * The API's plumbing middleware: CORS, the headers every answer carries, and the request body read once under a
 * size limit. Hono ships CORS and body-limit middleware; these do the same without touching `c.res` before the
 * route answers or `c.req.raw.body`, either of which turns @hono/node-server's lightweight request and response
 * into full web-standard objects (web streams, an AbortSignal) on every request: measured with bench:serve's
 * `--cpu-prof`, about 0.15 ms of the 2 ms a turn cost the server.
 */

const ALLOW_METHODS = 'GET,POST,OPTIONS';
const ALLOW_HEADERS = 'authorization,content-type,idempotency-key,last-event-id,prefer';
export const EXPOSE_HEADERS = 'location,retry-after,preference-applied,idempotent-replayed';
const PREFLIGHT_MAX_AGE = '600';

/**
 * CORS for an allowlist of origins: a preflight from a listed origin gets the methods and headers the API takes;
 * an actual request from one gets `Access-Control-Allow-Origin` for it. Other origins get no CORS header, so the
 * browser keeps their pages from reading the answers.
 */
export function corsAllowlist(origins: readonly string[]): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin');
    const allowed = origin !== undefined && origins.includes(origin);
    c.header('vary', 'Origin', { append: true });
    if (c.req.method === 'OPTIONS') {
      if (!allowed) return c.body(null, 204);
      return c.body(null, 204, {
        'access-control-allow-origin': origin,
        'access-control-allow-methods': ALLOW_METHODS,
        'access-control-allow-headers': ALLOW_HEADERS,
        'access-control-max-age': PREFLIGHT_MAX_AGE,
      });
    }
    if (allowed) {
      c.header('access-control-allow-origin', origin);
      c.header('access-control-expose-headers', EXPOSE_HEADERS);
    }
    await next();
  };
}

/** `nosniff` and `no-store` on every answer (a route may set its own cache-control). */
export function apiHeaders(): MiddlewareHandler {
  return async (c, next) => {
    c.header('x-content-type-options', 'nosniff');
    c.header('cache-control', 'no-store');
    await next();
  };
}

/**
 * Reads a request's body once, refusing it with 413 `request.too_large` past `maxBytes` (declared length or bytes
 * read, so a chunked body cannot slip past), and leaves the text where Hono's validators read it
 * (`c.req.bodyCache.text`), and with `raw` the bytes too (`c.req.arrayBuffer()`). Served by Node the bytes come straight from the socket's request; in process
 * (`app.request`) from the web request.
 */
export function readBodyLimited(maxBytes: number, options: { raw?: boolean } = {}): MiddlewareHandler {
  const tooLarge = (c: Context) =>
    sendProblem(c, {
      status: 413,
      code: 'request.too_large',
      detail: `request bodies are limited to ${maxBytes} bytes`,
    });
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    const declared = c.req.header('content-length');
    if (declared !== undefined && Number(declared) > maxBytes) return tooLarge(c);
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    const bytes = incoming ? await readIncoming(incoming, maxBytes) : await readWeb(c.req.raw, maxBytes);
    if (bytes === null) return tooLarge(c);
    // Hono keeps the body promise here (typed as the value).
    (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(UTF8.decode(bytes));
    // Webhooks: the bytes as they came, for signatures (`c.req.arrayBuffer()`).
    if (options.raw) {
      const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      (c.req.bodyCache as { arrayBuffer?: Promise<ArrayBuffer> }).arrayBuffer = Promise.resolve(copy);
    }
    await next();
  };
}

// Decoding as fetch's `Request.text()` does: a leading byte-order mark is dropped, bad sequences become U+FFFD.
const UTF8 = new TextDecoder('utf-8');

/** The body's bytes, or null once more than `maxBytes` have come (the rest is left unread). */
function readIncoming(incoming: IncomingMessage, maxBytes: number): Promise<Uint8Array | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: Uint8Array | null) => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        incoming.pause();
        done(null);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => done(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    const onError = (error: Error) => {
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      reject(error);
    };
    if (incoming.readableEnded) {
      resolve(new Uint8Array(0));
      return;
    }
    incoming.on('data', onData);
    incoming.once('end', onEnd);
    incoming.once('error', onError);
  });
}

async function readWeb(request: Request, maxBytes: number): Promise<Uint8Array | null> {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

/** The client's address: the socket's, or behind a trusted proxy the first X-Forwarded-For entry. */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // app.request() in tests has no socket.
    return 'local';
  }
}
