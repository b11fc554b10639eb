import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeClock } from '../../shared/index.ts';
import { capturingLogger } from '../capturing-logger.ts';
import { createConnectorRegistry } from '../registry.ts';
import { helpdeskConnector, zendeskAuthorization } from './connector.ts';
import { type FakeZendesk, startFakeZendesk } from './fake-zendesk.ts';

const EMAIL = 'bot@sablebramble.example';
const TOKEN = 'zd-token-6b1f0c2e9a7d';
const REQUESTER = 'aiko.tanaka@mail.example';

let zendesk: FakeZendesk;
beforeAll(async () => {
  zendesk = await startFakeZendesk({
    email: EMAIL,
    apiToken: TOKEN,
    clock: fakeClock(Date.UTC(2026, 2, 2, 8, 15)),
  });
});
afterAll(async () => {
  await zendesk.close();
});
beforeEach(() => {
  zendesk.requests.length = 0;
});

function setup(apiToken = TOKEN) {
  const logger = capturingLogger();
  const registry = createConnectorRegistry({
    connectors: [
      {
        definition: helpdeskConnector,
        config: { baseUrl: zendesk.url, email: EMAIL, apiToken },
      },
    ],
    clock: fakeClock(),
    logger,
    sleep: async () => {},
  });
  const call = (operation: string, input: unknown, retries = 2) =>
    registry.call({ connector: 'helpdesk', version: 1, operation, input, timeoutMs: 2000, retries });
  return { logger, call };
}

async function createTicket(call: ReturnType<typeof setup>['call']): Promise<number> {
  const outcome = await call('createTicket', {
    subject: 'Chat handoff: password reset loop',
    body: 'Customer could not reset password after 3 attempts.',
    requesterEmail: REQUESTER,
    requesterName: 'Aiko Tanaka',
    tags: ['bot_handoff', 'password_reset'],
    priority: 'high',
  });
  if (!outcome.result.ok) throw new Error(`createTicket failed: ${outcome.result.error.code}`);
  return (outcome.result.value as { ticketId: number }).ticketId;
}

describe('helpdesk connector against a fake Zendesk', () => {
  it('creates a ticket whose first comment is an internal note', async () => {
    const { call } = setup();
    const ticketId = await createTicket(call);
    expect(zendesk.requests).toEqual([{ method: 'POST', path: '/api/v2/tickets.json', authorized: true }]);
    const ticket = zendesk.tickets.get(ticketId)!;
    expect(ticket).toMatchObject({
      subject: 'Chat handoff: password reset loop',
      status: 'new',
      priority: 'high',
      tags: ['bot_handoff', 'password_reset'],
      requester: { email: REQUESTER, name: 'Aiko Tanaka' },
    });
    expect(ticket.comments).toMatchObject([
      { body: 'Customer could not reset password after 3 attempts.', public: false },
    ]);
  });

  it('adds internal notes, replaces tags and sets the status, ticket ids as text or numbers', async () => {
    const { call } = setup();
    const ticketId = await createTicket(call);
    expect(
      (await call('addInternalNote', { ticketId: String(ticketId), body: 'Bot: refund proposed.' })).result,
    ).toEqual({
      ok: true,
      value: { ok: true },
    });
    expect((await call('setTags', { ticketId, tags: ['billing', 'bot_triaged'] })).result).toEqual({
      ok: true,
      value: { tags: ['billing', 'bot_triaged'] },
    });
    expect((await call('setStatus', { ticketId, status: 'pending' })).result).toEqual({
      ok: true,
      value: { status: 'pending' },
    });
    const ticket = zendesk.tickets.get(ticketId)!;
    expect(ticket.comments.map((c) => [c.body, c.public])).toEqual([
      ['Customer could not reset password after 3 attempts.', false],
      ['Bot: refund proposed.', false],
    ]);
    expect(ticket.tags).toEqual(['billing', 'bot_triaged']);
    expect(ticket.status).toBe('pending');
    expect(zendesk.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v2/tickets.json',
      `PUT /api/v2/tickets/${ticketId}.json`,
      `POST /api/v2/tickets/${ticketId}/tags.json`,
      `PUT /api/v2/tickets/${ticketId}.json`,
    ]);
  });

  it('sends Zendesk token auth', () => {
    expect(zendeskAuthorization({ baseUrl: zendesk.url, email: EMAIL, apiToken: TOKEN })).toBe(
      `Basic ${Buffer.from(`${EMAIL}/token:${TOKEN}`).toString('base64')}`,
    );
  });

  it('fails without retrying on a wrong token (401), an unknown ticket (404) or a refused update (422)', async () => {
    const wrong = await setup('not-the-token').call('addInternalNote', { ticketId: 1, body: 'x' });
    expect(wrong.attempts).toBe(1);
    expect(wrong.result).toMatchObject({ ok: false, error: { code: 'http_401', retryable: false } });

    const { call } = setup();
    const missing = await call('setStatus', { ticketId: 999_999, status: 'open' });
    expect(missing.result).toMatchObject({ ok: false, error: { code: 'http_404', retryable: false } });

    const ticketId = await createTicket(call);
    await call('setStatus', { ticketId, status: 'closed' });
    const refused = await call('addInternalNote', { ticketId, body: 'too late' });
    expect(refused.attempts).toBe(1);
    expect(refused.result).toMatchObject({ ok: false, error: { code: 'http_422', retryable: false } });
  });

  it('retries 503 and 429', async () => {
    const { call } = setup();
    zendesk.failNext(503);
    zendesk.failNext(429);
    const outcome = await call('createTicket', {
      subject: 'Retry me',
      body: 'Body',
      requesterEmail: REQUESTER,
    });
    expect(outcome.attempts).toBe(3);
    expect(outcome.result.ok).toBe(true);
  });

  it('refuses bad input before calling Zendesk', async () => {
    const { call } = setup();
    const outcome = await call('setTags', { ticketId: 'abc', tags: ['two words'] });
    expect(outcome.result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    if (!outcome.result.ok) {
      expect(outcome.result.error.message).toContain('input field ticketId:');
      expect(outcome.result.error.message).toContain('input field tags.0:');
    }
    expect(zendesk.requests).toEqual([]);
  });

  it('never logs the token, the requester or the note', async () => {
    const { call, logger } = setup();
    const ticketId = await createTicket(call);
    await call('addInternalNote', { ticketId, body: 'Card ending 4242 was charged twice.' });
    zendesk.failNext(503);
    await call('setStatus', { ticketId, status: 'open' });
    await setup('wrong').call('setStatus', { ticketId, status: 'open' });
    expect(logger.lines.length).toBeGreaterThanOrEqual(4);
    const text = logger.text();
    for (const value of [TOKEN, REQUESTER, '4242', 'password', EMAIL]) expect(text).not.toContain(value);
  });
});

describe('fake Zendesk', () => {
  const auth = { authorization: `Basic ${Buffer.from(`${EMAIL}/token:${TOKEN}`).toString('base64')}` };
  const send = (method: string, path: string, body: unknown) =>
    fetch(new URL(path, zendesk.url), {
      method,
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('rejects a comment that does not say whether it is public, as Zendesk would misfile it', async () => {
    const res = await send('POST', '/api/v2/tickets.json', {
      ticket: { subject: 'x', comment: { body: 'y' }, requester: { email: REQUESTER } },
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({
      error: 'RecordInvalid',
      details: { 'ticket.comment.public': [{}] },
    });
  });

  it('answers a created ticket with 201, a Location header and the ticket', async () => {
    const res = await send('POST', '/api/v2/tickets', {
      ticket: { subject: 'Hello', comment: { body: 'First', public: true }, requester: { email: REQUESTER } },
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { ticket: { id: number; description: string; status: string } };
    expect(res.headers.get('location')).toBe(`${zendesk.url}/api/v2/tickets/${body.ticket.id}.json`);
    expect(body.ticket).toMatchObject({ description: 'First', status: 'new', is_public: true });
    const comments = await fetch(new URL(`/api/v2/tickets/${body.ticket.id}/comments.json`, zendesk.url), {
      headers: auth,
    });
    expect(await comments.json()).toMatchObject({ comments: [{ body: 'First', public: true }], count: 1 });
  });
});
