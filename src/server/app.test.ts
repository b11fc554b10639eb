import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, signCustomerIdentity } from '../access/index.ts';
import { createLogger, type Deployment, demoPageSource, openStore } from '../app/index.ts';
import { openDemoDeployment, trainDemoIntentModel } from '../app/testing.ts';
import type { ServerConfig } from '../config/index.ts';
import type { JobRunner } from '../jobs/index.ts';
import type { IntentModel } from '../nlu/index.ts';
import { createServerApp } from './app.ts';
import type { ServerApp } from './context.ts';

let model: IntentModel;
beforeAll(async () => {
  model = await trainDemoIntentModel();
}, 120_000);

const OLIVIA = 'olivia.okafor@example.net';
const LIAM = 'liam.garcia@mail.example';

interface Harness {
  deployment: Deployment;
  app: ServerApp;
  runner: JobRunner;
  /** A secret key with the conversations scope. */
  backend: string;
  /** A publishable widget key for https://shop.example that verifies identity, and its secret. */
  widget: { key: string; identitySecret: string };
  /** Everything the service logged, as text. */
  logs: () => string;
}

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.runner.stop(1000);
    await h.deployment.close();
  }
});

async function harness(server: Partial<ServerConfig> = {}, db?: string): Promise<Harness> {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  });
  const deployment = await openDemoDeployment({
    model,
    server: { corsOrigins: ['https://shop.example'], demoPage: true, ...server },
    logger,
    ...(db ? { db } : {}),
  });
  const { app, context } = createServerApp({
    deployment,
    widget: async () => ({ code: 'window.__widget = 1;', etag: '"w1"' }),
    demo: demoPageSource(deployment),
  });
  const runner = deployment.createRunner({
    concurrency: 2,
    onAttempt: (attempt) => context.metrics.onJobAttempt(attempt),
  });
  runner.start();
  const at = Date.now();
  const backend = await createApiKey({
    store: deployment.store,
    name: 'backend',
    scopes: ['conversations'],
    by: 'test',
    at,
  });
  const widget = await createApiKey({
    store: deployment.store,
    name: 'site',
    scopes: ['widget'],
    origins: ['https://shop.example'],
    verifyIdentity: true,
    by: 'test',
    at,
  });
  const h: Harness = {
    deployment,
    app,
    runner,
    backend: backend.secret,
    widget: { key: widget.secret, identitySecret: widget.identitySecret! },
    logs: () => lines.join(''),
  };
  open.push(h);
  return h;
}

function request(
  h: Harness,
  method: string,
  path: string,
  options: { auth?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.auth) headers.authorization = `Bearer ${options.auth}`;
  const hasBody = options.body !== undefined || options.raw !== undefined;
  if (hasBody && !headers['content-type']) headers['content-type'] = 'application/json';
  return h.app.request(path, {
    method,
    headers,
    ...(hasBody ? { body: options.raw ?? JSON.stringify(options.body) } : {}),
  });
}

async function start(
  h: Harness,
  customer: Record<string, unknown> = { email: OLIVIA, name: 'Olivia Okafor' },
) {
  const res = await request(h, 'POST', '/v1/conversations', { auth: h.backend, body: { customer } });
  expect(res.status).toBe(201);
  return (await res.json()) as { conversation: { id: string }; token: string };
}

/** Reads server-sent events from a response until `until` holds for what was read, or the time runs out. */
async function readEvents(
  res: Response,
  until: (events: SseEvent[]) => boolean,
  ms = 8000,
): Promise<SseEvent[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let buffer = '';
  const deadline = Date.now() + ms;
  try {
    while (!until(events) && Date.now() < deadline) {
      const chunk = await Promise.race([
        reader.read(),
        new Promise<{ done: true; value: undefined }>((resolve) =>
          setTimeout(() => resolve({ done: true, value: undefined }), Math.max(1, deadline - Date.now())),
        ),
      ]);
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: SseEvent = { event: 'message', id: null, data: '' };
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event.event = line.slice(6).trim();
          else if (line.startsWith('id:')) event.id = line.slice(3).trim();
          else if (line.startsWith('data:')) event.data += line.slice(5).trim();
        }
        if (block.split('\n').some((l) => !l.startsWith(':'))) events.push(event);
        end = buffer.indexOf('\n\n');
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return events;
}

interface SseEvent {
  event: string;
  id: string | null;
  data: string;
}

const messagesOf = (events: SseEvent[]) =>
  events
    .filter((e) => e.event === 'message')
    .flatMap(
      (e) =>
        (
          JSON.parse(e.data) as {
            messages: Array<{ seq: number; role: string; text: string; kind?: string }>;
          }
        ).messages,
    );

describe('the REST channel', () => {
  it('starts a conversation, takes a message, and answers it when asked to wait', async () => {
    const h = await harness();
    const { conversation, token } = await start(h);
    expect(token).toMatch(/^sb_ct_/);
    const res = await request(h, 'POST', `/v1/conversations/${conversation.id}/messages`, {
      auth: token,
      body: { text: 'Where is my order? It has been a week.' },
      headers: { 'idempotency-key': 'm-1', prefer: 'wait=8' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('preference-applied')).toBe('wait=8');
    const answer = (await res.json()) as {
      message: { seq: number; role: string };
      replies: Array<{ text: string; kind: string }>;
      conversation: { owner: string; status: string };
    };
    expect(answer.message).toMatchObject({ seq: 0, role: 'customer' });
    expect(answer.replies.map((r) => r.kind)).toEqual(['reply', 'confirm']);
    expect(answer.replies[0]?.text).toMatch(/SB-100001 has shipped/);
    expect(answer.conversation).toEqual({ owner: 'bot', status: 'open' });

    const read = await request(h, 'GET', `/v1/conversations/${conversation.id}`, { auth: h.backend });
    expect(read.status).toBe(200);
    const view = (await read.json()) as { messages: unknown[]; owner: string; outcome: { type: string } };
    expect(view.messages).toHaveLength(3);
    expect(view).toMatchObject({ owner: 'bot', outcome: { type: 'open' } });
    expect(JSON.stringify(view)).not.toContain('analysis');
  });

  it('takes a retried message once (Idempotency-Key) and refuses the key for another text', async () => {
    const h = await harness();
    const { conversation, token } = await start(h);
    const path = `/v1/conversations/${conversation.id}/messages`;
    const send = (text: string) =>
      request(h, 'POST', path, { auth: token, body: { text }, headers: { 'idempotency-key': 'k-42' } });
    const first = await send('I forgot my password');
    const again = await send('I forgot my password');
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    // The first answer, again, marked as a replay.
    expect(await again.json()).toEqual(await first.json());
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await send('something else');
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ code: 'conversation.idempotency_key_reused', status: 422 });
    await h.runner.drain();
    const stored = await h.deployment.store.listConversationMessages({ conversationId: conversation.id });
    expect(stored.filter((m) => m.role === 'customer').map((m) => m.text)).toEqual(['I forgot my password']);

    // A retried start with the same key is the same conversation, with a new token; the old one stops working.
    const startWith = () =>
      request(h, 'POST', '/v1/conversations', {
        auth: h.backend,
        body: { customer: { email: OLIVIA } },
        headers: { 'idempotency-key': 'start-1' },
      });
    const s1 = (await (await startWith()).json()) as { conversation: { id: string }; token: string };
    const s2 = (await (await startWith()).json()) as { conversation: { id: string }; token: string };
    expect(s2.conversation.id).toBe(s1.conversation.id);
    expect(s2.token).not.toBe(s1.token);
    expect(
      (await request(h, 'GET', `/v1/conversations/${s1.conversation.id}`, { auth: s1.token })).status,
    ).toBe(401);
    expect(
      (await request(h, 'GET', `/v1/conversations/${s1.conversation.id}`, { auth: s2.token })).status,
    ).toBe(200);
  });

  it('streams the conversation: ready, messages in order, the end of each turn; resumes after Last-Event-ID', async () => {
    const h = await harness();
    const { conversation, token } = await start(h, { email: LIAM, name: 'Liam Garcia' });
    const path = `/v1/conversations/${conversation.id}/events`;
    const stream = await request(h, 'GET', path, { auth: token });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reading = readEvents(stream, (events) => events.some((e) => e.event === 'turn'));
    await request(h, 'POST', `/v1/conversations/${conversation.id}/messages`, {
      auth: token,
      body: { text: 'Can you tell me the status of my order?' },
    });
    const events = await reading;
    expect(events[0]?.event).toBe('ready');
    const messages = messagesOf(events);
    expect(messages.map((m) => [m.seq, m.role])).toEqual([
      [0, 'customer'],
      [1, 'bot'],
    ]);
    expect(messages[1]).toMatchObject({ kind: 'ask' });
    expect((messages[1] as { choices?: string[] }).choices).toHaveLength(3);
    expect(JSON.parse(events.find((e) => e.event === 'turn')!.data)).toEqual({ seq: 0 });
    const ids = events.map((e) => Number(e.id));
    expect([...ids].sort((x, y) => x - y)).toEqual(ids);

    // Resume after the first message event: the same later events, none twice, none lost.
    const firstMessage = events.find((e) => e.event === 'message')!;
    const resumed = await readEvents(
      await request(h, 'GET', path, { auth: token, headers: { 'last-event-id': firstMessage.id! } }),
      (got) => got.some((e) => e.event === 'turn'),
    );
    const after = events.filter((e) => Number(e.id) > Number(firstMessage.id));
    expect(resumed.map((e) => [e.event, e.id])).toEqual(after.map((e) => [e.event, e.id]));

    // An id that is not one of this conversation's events.
    for (const stale of ['99999999', 'abc', '-1']) {
      const bad = await request(h, 'GET', path, { auth: token, headers: { 'last-event-id': stale } });
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-type')).toBe('application/problem+json');
      expect(await bad.json()).toMatchObject({ code: 'stream.bad_last_event_id' });
    }
  });

  it('streams what another process wrote to the conversation too, in order, though its own writes come pushed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-stream-'));
    const path = join(dir, 'shared.db');
    const h = await harness({}, path);
    // A second connection to the same file: another process, as far as SQLite can tell.
    const elsewhere = await openStore({ db: path });
    try {
      const { conversation, token } = await start(h, { email: LIAM, name: 'Liam Garcia' });
      const stream = await request(h, 'GET', `/v1/conversations/${conversation.id}/events`, { auth: token });
      const reading = readEvents(stream, (events) =>
        events.some((e) => e.event === 'turn' && JSON.parse(e.data).seq === 1),
      );
      await elsewhere.receiveMessage({ conversationId: conversation.id, text: 'hello?', at: Date.now() });
      await request(h, 'POST', `/v1/conversations/${conversation.id}/messages`, {
        auth: token,
        body: { text: 'Can you tell me the status of my order?' },
      });
      const events = await reading;
      const messages = messagesOf(events);
      expect(messages.slice(0, 2).map((m) => [m.seq, m.role, m.text])).toEqual([
        [0, 'customer', 'hello?'],
        [1, 'customer', 'Can you tell me the status of my order?'],
      ]);
      expect(messages.map((m) => m.seq)).toEqual(
        [...new Set(messages.map((m) => m.seq))].sort((a, b) => a - b),
      );
    } finally {
      await elsewhere.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hands the conversation to a person when the customer says it did not resolve the issue', async () => {
    const h = await harness();
    const { conversation, token } = await start(h);
    await request(h, 'POST', `/v1/conversations/${conversation.id}/messages`, {
      auth: token,
      body: { text: 'where is my order?' },
      headers: { prefer: 'wait=8' },
    });
    const res = await request(h, 'POST', `/v1/conversations/${conversation.id}/feedback`, {
      auth: token,
      body: { resolved: false, comment: 'the tracking link does not work' },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ feedback: { resolved: false, rating: null } });
    await h.runner.drain();
    const view = (await (
      await request(h, 'GET', `/v1/conversations/${conversation.id}`, { auth: token })
    ).json()) as {
      owner: string;
      status: string;
      outcome: { type: string; escalationCode?: string; feedback?: { resolved: boolean } };
      messages: Array<{ kind?: string }>;
    };
    expect(view).toMatchObject({
      owner: 'human',
      status: 'escalated',
      outcome: { type: 'escalated', escalationCode: 'not_resolved', feedback: { resolved: false } },
    });
    expect(view.messages.at(-1)?.kind).toBe('escalate');
    const [handoff] = await h.deployment.store.listHandoffs({ conversationId: conversation.id });
    expect(handoff?.code).toBe('not_resolved');
    // The comment is kept for people, never put in the event log.
    const events = await h.deployment.store.listEvents({ conversationId: conversation.id, limit: 100 });
    expect(JSON.stringify(events)).not.toContain('tracking link does not work');
  });
});

describe('access', () => {
  it('says who is missing, wrong, revoked or not allowed, without leaking which conversations exist', async () => {
    const h = await harness();
    const { conversation, token } = await start(h);
    const other = await start(h);
    const path = `/v1/conversations/${conversation.id}`;
    const missing = await request(h, 'GET', path);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await missing.json()).toMatchObject({ code: 'auth.missing' });
    for (const bad of ['nonsense', `${token}x`, other.token, `sb_sk_aaaaaaaaaaaa_${'A'.repeat(43)}`]) {
      const res = await request(h, 'GET', path, { auth: bad });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'auth.invalid' });
    }
    // A token never learns whether another id exists.
    expect((await request(h, 'GET', '/v1/conversations/c_nope', { auth: token })).status).toBe(401);
    expect((await request(h, 'GET', '/v1/conversations/c_nope', { auth: h.backend })).status).toBe(404);
    // The publishable key starts conversations, nothing else.
    const widgetRead = await request(h, 'GET', path, { auth: h.widget.key });
    expect(widgetRead.status).toBe(403);
    expect(await widgetRead.json()).toMatchObject({ code: 'auth.scope' });

    const revokedKey = await createApiKey({
      store: h.deployment.store,
      name: 'old',
      scopes: ['conversations'],
      by: 'test',
      at: Date.now(),
    });
    await h.deployment.store.revokeApiKey({ id: revokedKey.key.id, by: 'test', at: Date.now() });
    expect((await request(h, 'GET', path, { auth: revokedKey.secret })).status).toBe(401);
  });

  it('lets a widget key start conversations from its own site, trusting an email only with its signature', async () => {
    const h = await harness();
    const origin = { origin: 'https://shop.example' };
    const begin = (customer: Record<string, unknown>, headers = origin) =>
      request(h, 'POST', '/v1/conversations', { auth: h.widget.key, body: { customer }, headers });
    const elsewhere = await begin({}, { origin: 'https://evil.example' });
    expect(elsewhere.status).toBe(403);
    expect(await elsewhere.json()).toMatchObject({ code: 'auth.origin' });
    const forged = await begin({ email: OLIVIA, signature: 'ab'.repeat(32) });
    expect(forged.status).toBe(403);
    expect(await forged.json()).toMatchObject({ code: 'identity.bad_signature' });
    const signed = await begin({
      email: OLIVIA,
      name: 'Olivia',
      signature: signCustomerIdentity(h.widget.identitySecret, OLIVIA),
    });
    expect(signed.status).toBe(201);
    const { conversation } = (await signed.json()) as { conversation: { id: string; channel: string } };
    expect(conversation.channel).toBe('widget');
    const stored = await h.deployment.store.findConversation(conversation.id);
    expect(stored?.customer).toMatchObject({ email: OLIVIA, attributes: { identityVerified: true } });

    // A widget key without identity verification: the email is a claim, never used to look anything up.
    const open = await createApiKey({
      store: h.deployment.store,
      name: 'open',
      scopes: ['widget'],
      by: 'test',
      at: Date.now(),
    });
    const claimed = await request(h, 'POST', '/v1/conversations', {
      auth: open.secret,
      body: { customer: { email: OLIVIA, name: 'Olivia' } },
    });
    const claimedId = ((await claimed.json()) as { conversation: { id: string } }).conversation.id;
    const claimedStored = await h.deployment.store.findConversation(claimedId);
    expect(claimedStored?.customer.email).toBeUndefined();
    expect(claimedStored?.customer.attributes).toMatchObject({
      claimedEmail: OLIVIA,
      identityVerified: false,
    });
  });

  it('limits requests per key and per address, with Retry-After', async () => {
    const h = await harness({ rateLimit: { perKeyPerMinute: 3, perAddressPerMinute: 1000 } });
    const { conversation, token } = await start(h);
    const codes: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 5; i++) {
      last = await request(h, 'GET', `/v1/conversations/${conversation.id}`, { auth: token });
      codes.push(last.status);
    }
    expect(codes).toEqual([200, 200, 200, 429, 429]);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await last?.json()).toMatchObject({ code: 'rate_limited' });

    const byAddress = await harness({ rateLimit: { perKeyPerMinute: 1000, perAddressPerMinute: 2 } });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await request(byAddress, 'GET', '/v1/conversations/x')).status);
    expect(statuses).toEqual([401, 401, 429]);
  });

  it('answers CORS preflights for the configured origins only', async () => {
    const h = await harness();
    const preflight = (origin: string) =>
      request(h, 'OPTIONS', '/v1/conversations', {
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,idempotency-key',
        },
      });
    const ok = await preflight('https://shop.example');
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/idempotency-key/);
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('bad input', () => {
  it('answers each with its problem document and status, and stores nothing half-way', async () => {
    const h = await harness({ bodyLimitBytes: 8192 });
    const { conversation, token } = await start(h);
    const path = `/v1/conversations/${conversation.id}/messages`;
    const cases: Array<[string, Parameters<typeof request>[3], number, string]> = [
      ['malformed JSON', { auth: token, raw: '{"text": "hi' }, 400, 'request.malformed_json'],
      ['wrong type', { auth: token, body: { text: 42 } }, 400, 'request.invalid'],
      ['unknown field', { auth: token, body: { text: 'hi', admin: true } }, 400, 'request.invalid'],
      ['blank text', { auth: token, body: { text: '   ' } }, 400, 'request.invalid'],
      ['too long a text', { auth: token, body: { text: 'x'.repeat(4001) } }, 400, 'request.invalid'],
      [
        'oversized body',
        { auth: token, raw: JSON.stringify({ text: 'y'.repeat(9000) }) },
        413,
        'request.too_large',
      ],
      [
        'not JSON',
        { auth: token, raw: 'text=hi', headers: { 'content-type': 'text/plain' } },
        415,
        'request.content_type',
      ],
      [
        'bad idempotency key',
        { auth: token, body: { text: 'hi' }, headers: { 'idempotency-key': 'a b' } },
        400,
        'request.invalid',
      ],
    ];
    for (const [name, options, status, code] of cases) {
      const res = await request(h, 'POST', path, options);
      expect(res.status, name).toBe(status);
      expect(res.headers.get('content-type'), name).toBe('application/problem+json');
      const body = (await res.json()) as { code: string; status: number; type: string; instance: string };
      expect(body, name).toMatchObject({
        code,
        status,
        type: `urn:switchboard:problem:${code}`,
        instance: path,
      });
      expect(JSON.stringify(body), name).not.toMatch(/at .*\.ts:\d+/);
    }
    const invalid = await request(h, 'POST', path, { auth: token, body: { text: 42 } });
    expect(((await invalid.json()) as { errors: Array<{ field: string }> }).errors[0]?.field).toBe('text');
    expect(await h.deployment.store.listConversationMessages({ conversationId: conversation.id })).toEqual(
      [],
    );

    const unknown = await request(h, 'POST', '/v1/conversations/c_nope/messages', {
      auth: h.backend,
      body: { text: 'hi' },
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'conversation.not_found' });
    const route = await request(h, 'GET', '/v2/anything');
    expect(route.status).toBe(404);
    expect(await route.json()).toMatchObject({ code: 'not_found' });
    const feedback = await request(h, 'POST', `/v1/conversations/${conversation.id}/feedback`, {
      auth: token,
      body: {},
    });
    expect(feedback.status).toBe(400);
    expect(await h.deployment.store.listFeedback({ conversationId: conversation.id })).toEqual([]);

    await h.deployment.store.closeConversation({
      conversationId: conversation.id,
      by: 'agent:ana',
      at: Date.now(),
    });
    const closed = await request(h, 'POST', path, { auth: token, body: { text: 'hello again' } });
    expect(closed.status).toBe(409);
    expect(await closed.json()).toMatchObject({ code: 'conversation.closed' });
  });

  it('never logs customer text, emails or credentials', async () => {
    const h = await harness();
    const { conversation, token } = await start(h, { email: OLIVIA, name: 'Olivia Okafor' });
    await request(h, 'POST', `/v1/conversations/${conversation.id}/messages`, {
      auth: token,
      body: { text: 'my secret pony is called Bartholomew' },
      headers: { prefer: 'wait=5' },
    });
    await request(h, 'GET', `/v1/conversations/${conversation.id}`, { auth: 'sb_ct_wrong' });
    const logs = h.logs();
    expect(logs).toContain('"route"');
    for (const secret of ['Bartholomew', OLIVIA, 'Olivia', token, h.backend, conversation.id]) {
      expect(logs).not.toContain(secret);
    }
  });
});

describe('operations and pages', () => {
  it('serves health, readiness, Prometheus metrics and the OpenAPI document', async () => {
    const h = await harness();
    const { conversation, token } = await start(h);
    await request(h, 'POST', `/v1/conversations/${conversation.id}/messages`, {
      auth: token,
      body: { text: 'I want to talk to a person' },
      headers: { prefer: 'wait=5' },
    });
    expect(await (await request(h, 'GET', '/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await request(h, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ready',
      store: 'ok',
      queue: 'ok',
      versions: { nlu: 1, kb: 1 },
    });

    const metrics = await (await request(h, 'GET', '/metrics')).text();
    expect(metrics).toMatch(
      /switchboard_http_requests_total\{method="POST",route="\/v1\/conversations",status="201"\} 1/,
    );
    expect(metrics).toMatch(/switchboard_escalations_total\{code="human_requested"\} 1/);
    expect(metrics).toMatch(/switchboard_turns_total\{trigger="message",guardrail="escalate"\} 1/);
    expect(metrics).toMatch(/switchboard_turn_duration_seconds_count\{trigger="message"\} 1/);
    expect(metrics).toMatch(/switchboard_jobs\{queue="all",state="dead"\} 0/);
    expect(metrics).toMatch(/switchboard_job_attempts_total\{queue="conversation.turn",outcome="done"\} \d+/);
    expect(metrics).not.toContain(conversation.id);

    const doc = (await (await request(h, 'GET', '/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/v1/conversations',
      '/v1/conversations/{id}',
      '/v1/conversations/{id}/events',
      '/v1/conversations/{id}/feedback',
      '/v1/conversations/{id}/messages',
    ]);
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Problem', 'Message', 'Conversation', 'PostMessage', 'Feedback']),
    );
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('serves the demo page under a strict CSP, signed for the chosen customer, and the widget script', async () => {
    const h = await harness();
    const page = await request(h, 'GET', `/?customer=${encodeURIComponent(LIAM)}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
    const html = await page.text();
    expect(html).toMatch(/<script src="\/widget\.js"[^>]*data-key="sb_pk_/);
    expect(html).toContain(
      `data-customer-signature="${signCustomerIdentity(await identitySecretOf(h), LIAM)}"`,
    );
    expect(html).not.toMatch(/<script>[^<]/);
    const script = await request(h, 'GET', '/widget.js');
    expect(script.headers.get('content-type')).toMatch(/text\/javascript/);
    expect(script.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect((await request(h, 'GET', '/widget.js', { headers: { 'if-none-match': '"w1"' } })).status).toBe(
      304,
    );
    expect((await request(h, 'GET', '/demo.css')).headers.get('content-type')).toMatch(/text\/css/);
    // The page reuses its key: one demo-page key however many times it is served.
    await request(h, 'GET', '/');
    expect((await h.deployment.store.listApiKeys()).filter((k) => k.name === 'demo-page')).toHaveLength(1);
  });
});

async function identitySecretOf(h: Harness): Promise<string> {
  const key = (await h.deployment.store.listApiKeys()).find((k) => k.name === 'demo-page');
  return key!.identitySecret!;
}
