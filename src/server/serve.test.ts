import { request as httpRequest } from 'node:http';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../access/index.ts';
import type { Deployment } from '../app/index.ts';
import { openDemoDeployment, trainDemoIntentModel } from '../app/testing.ts';
import type { IntentModel } from '../nlu/index.ts';
import { type RunningServer, startServer } from './serve.ts';

// The API over a real loopback socket: what app.request() in app.test.ts does not cross (Node's request and
// response objects, bodies read from the socket, headers written by the adapter).

let model: IntentModel;
beforeAll(async () => {
  model = await trainDemoIntentModel();
}, 120_000);

const SHOP = 'https://shop.example';
const running: Array<{ server: RunningServer; deployment: Deployment }> = [];
afterEach(async () => {
  for (const { server, deployment } of running.splice(0)) {
    await server.close(1000);
    await deployment.close();
  }
});

async function serve() {
  const deployment = await openDemoDeployment({
    model,
    server: { corsOrigins: [SHOP], bodyLimitBytes: 4096 },
  });
  const server = await startServer({
    deployment,
    host: '127.0.0.1',
    port: 0,
    widget: async () => null,
  });
  running.push({ server, deployment });
  const { secret } = await createApiKey({
    store: deployment.store,
    name: 'backend',
    scopes: ['conversations'],
    by: 'test',
    at: Date.now(),
  });
  return { server, deployment, key: secret };
}

/** A POST through node:http, the body sent in the given chunks without a Content-Length (chunked). */
function postChunked(url: string, auth: string, chunks: string[]) {
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>(
    (resolve, reject) => {
      const req = httpRequest(
        url,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        },
      );
      req.on('error', reject);
      for (const chunk of chunks) req.write(chunk);
      req.end();
    },
  );
}

describe('the API over a socket', () => {
  it('answers a turn, with the CORS and safety headers on answers and on problems', async () => {
    const { server, key } = await serve();
    const started = await fetch(`${server.url}/v1/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', origin: SHOP },
      body: JSON.stringify({ customer: { email: 'olivia.okafor@example.net' } }),
    });
    expect(started.status).toBe(201);
    expect(started.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(started.headers.get('access-control-expose-headers')).toMatch(/idempotent-replayed/);
    expect(started.headers.get('vary')).toMatch(/Origin/);
    expect(started.headers.get('x-content-type-options')).toBe('nosniff');
    expect(started.headers.get('cache-control')).toBe('no-store');
    const { conversation, token } = (await started.json()) as {
      conversation: { id: string };
      token: string;
    };

    // A byte-order mark before the JSON is read past, as fetch's Request.text() does.
    const posted = await fetch(`${server.url}/v1/conversations/${conversation.id}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', prefer: 'wait=5' },
      body: `\uFEFF${JSON.stringify({ text: 'where is my order?' })}`,
    });
    expect(posted.status).toBe(200);
    const answer = (await posted.json()) as { replies: Array<{ role: string; text: string }> };
    expect(answer.replies.length).toBeGreaterThan(0);
    expect(answer.replies.every((r) => r.role === 'bot')).toBe(true);

    const refused = await fetch(`${server.url}/v1/conversations/${conversation.id}/messages`, {
      method: 'POST',
      headers: { authorization: 'Bearer sb_ct_nope', 'content-type': 'application/json', origin: SHOP },
      body: JSON.stringify({ text: 'hi' }),
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    // The widget's page can read why it was refused.
    expect(refused.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');

    const elsewhere = await fetch(`${server.url}/v1/conversations/${conversation.id}`, {
      headers: { authorization: `Bearer ${token}`, origin: 'https://evil.example' },
    });
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a body past the limit, declared or chunked, and stores nothing', async () => {
    const { server, deployment, key } = await serve();
    const url = `${server.url}/v1/conversations`;
    const customer = { customer: { email: 'olivia.okafor@example.net', name: 'x'.repeat(5000) } };

    const declared = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(customer),
    });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ code: 'request.too_large', status: 413 });

    const text = JSON.stringify(customer);
    const chunked = await postChunked(url, key, [
      text.slice(0, 2000),
      text.slice(2000, 4000),
      text.slice(4000),
    ]);
    expect(chunked.status).toBe(413);
    expect(chunked.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(chunked.body)).toMatchObject({ code: 'request.too_large' });

    // Under the limit, in chunks: read whole.
    const small = JSON.stringify({ customer: { email: 'olivia.okafor@example.net' } });
    const fine = await postChunked(url, key, [small.slice(0, 10), small.slice(10)]);
    expect(fine.status).toBe(201);
    expect((await deployment.store.listConversations({ limit: 10 })).conversations).toHaveLength(1);
  });
});
