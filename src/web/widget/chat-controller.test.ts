import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FetchLike } from './api-client.ts';
import { type ChatController, createChatController } from './chat-controller.ts';
import { chatEntries, isTyping } from './chat-state.ts';
import type { Message } from './conversation.ts';
import type { KeyValueStore } from './conversation-storage.ts';

/** Polls an assertion; generous, so that a loaded CI machine does not fail the timing-free checks. */
const waitFor = (assertion: () => void) => vi.waitFor(assertion, { timeout: 5000, interval: 10 });

// An in-memory conversation API speaking the documented wire format, with knobs to break the network.
function fakeServer() {
  const encoder = new TextEncoder();
  const requests: Array<{ method: string; path: string; headers: Headers; body: unknown }> = [];
  const messages: Message[] = [{ seq: 1, role: 'bot', text: 'Hi! How can I help?', at: '', kind: 'reply' }];
  const events: Array<{ id: string; text: string }> = [];
  const streams = new Set<ReadableStreamDefaultController<Uint8Array>>();
  const byKey = new Map<string, Message>();
  const server = {
    requests,
    messages,
    token: 'sb_ct_1',
    /** POSTs of messages to fail before answering: 'network' (after the server stored it) or a status. */
    failPosts: [] as Array<'network' | number>,
    owner: 'bot' as 'bot' | 'human',
    status: 'open' as 'open' | 'closed',
    /** Feedback POSTs to answer 503 before one is stored. */
    failFeedback: 0,
    emit(event: string, data: unknown) {
      const id = `e${String(events.length + 1).padStart(4, '0')}`;
      const text = `event: ${event}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`;
      events.push({ id, text });
      for (const c of streams) c.enqueue(encoder.encode(text));
    },
    forgetEvents() {
      events.length = 0;
    },
    drop() {
      for (const c of streams) c.error(new Error('connection reset'));
      streams.clear();
    },
    get openStreams() {
      return streams.size;
    },
    reply(customer: Message) {
      server.emit('message', { messages: [customer] });
      const bot: Message = {
        seq: messages.length + 1,
        role: 'bot',
        text: `You said: ${customer.text}`,
        at: '',
      };
      messages.push(bot);
      server.emit('message', { messages: [bot] });
      server.emit('turn', { seq: customer.seq });
    },
  };
  const json = (status: number, body: unknown) =>
    new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  const view = () => ({
    id: 'c1',
    channel: 'widget',
    owner: server.owner,
    status: server.status,
    createdAt: '',
    updatedAt: '',
    messages,
  });

  const fetch: FetchLike = async (url, init) => {
    const headers = new Headers(init.headers);
    const path = new URL(url).pathname;
    const method = init.method ?? 'GET';
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    requests.push({ method, path, headers, body });
    const auth = headers.get('Authorization');
    if (method === 'POST' && path === '/v1/conversations')
      return json(201, { conversation: view(), token: server.token });
    if (auth !== `Bearer ${server.token}`) return json(401, { status: 401, code: 'auth.invalid_token' });
    if (method === 'GET' && path === '/v1/conversations/c1') return json(200, view());
    if (method === 'POST' && path === '/v1/conversations/c1/messages') {
      const key = headers.get('Idempotency-Key') ?? '';
      let message = byKey.get(key);
      const duplicate = message !== undefined;
      if (!message) {
        message = { seq: messages.length + 1, role: 'customer', text: body.text, at: '' };
        messages.push(message);
        byKey.set(key, message);
        const stored = message;
        setTimeout(() => server.reply(stored), 5);
      }
      const failure = server.failPosts.shift();
      if (failure === 'network') throw new TypeError('Failed to fetch');
      if (failure !== undefined) return json(failure, { status: failure, code: 'unavailable' });
      return json(202, { message, duplicate });
    }
    if (method === 'GET' && path === '/v1/conversations/c1/events') {
      const last = headers.get('Last-Event-ID');
      const from = last === null ? events.length : events.findIndex((e) => e.id === last) + 1;
      if (last !== null && from === 0) return json(400, { status: 400, code: 'stream.bad_last_event_id' });
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(encoder.encode(': ping\n\n'));
          for (const e of events.slice(from)) c.enqueue(encoder.encode(e.text));
          streams.add(c);
          init.signal?.addEventListener('abort', () => {
            streams.delete(c);
            c.error(new Error('aborted'));
          });
        },
      });
      return new Response(stream, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
    }
    if (method === 'POST' && path === '/v1/conversations/c1/feedback') {
      if (server.failFeedback > 0) {
        server.failFeedback--;
        return json(503, { status: 503, code: 'unavailable' });
      }
      return json(201, {});
    }
    return json(404, { status: 404, code: 'not_found' });
  };
  return { server, fetch };
}

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

const controllers: ChatController[] = [];
afterEach(() => {
  for (const c of controllers.splice(0)) c.stop();
});

function setUp(props: { store?: ReturnType<typeof memoryStore>; fake?: ReturnType<typeof fakeServer> } = {}) {
  const fake = props.fake ?? fakeServer();
  const store = props.store ?? memoryStore();
  let n = 0;
  const chat = createChatController({
    widgetKey: 'sb_pk_test',
    customer: { email: 'olivia@example.net', name: 'Olivia' },
    apiBase: 'https://support.example',
    store,
    storageKey: 'k',
    fetch: fake.fetch,
    newId: () => `id-${++n}`,
    backoff: () => 5,
  });
  controllers.push(chat);
  return { chat, store, ...fake };
}

const shown = (chat: ChatController) =>
  chatEntries(chat.getState()).map((e) => (e.type === 'message' ? `${e.role}:${e.text}` : e.type));

describe('createChatController', () => {
  it('creates the conversation with the first message, then shows the reply from the stream once', async () => {
    const { chat, server, store } = setUp();
    chat.start();
    expect(server.requests).toHaveLength(0); // nothing is created before the customer writes
    chat.send('  Where is my order?  ');
    expect(isTyping(chat.getState())).toBe(true);
    await waitFor(() => expect(shown(chat)).toContain('bot:You said: Where is my order?'));
    await waitFor(() => expect(isTyping(chat.getState())).toBe(false));
    expect(shown(chat)).toEqual([
      'bot:Hi! How can I help?',
      'customer:Where is my order?',
      'bot:You said: Where is my order?',
    ]);
    const create = server.requests[0]!;
    expect(create.headers.get('Authorization')).toBe('Bearer sb_pk_test');
    expect(create.body).toEqual({
      channel: 'widget',
      customer: { email: 'olivia@example.net', name: 'Olivia' },
    });
    expect(JSON.parse(store.data.get('k')!)).toEqual({ id: 'c1', token: 'sb_ct_1', feedbackSeq: 0 });
  });

  it('reconnects a dropped stream with Last-Event-ID and repeats no message', async () => {
    const { chat, server } = setUp();
    chat.send('first');
    await waitFor(() => expect(shown(chat)).toContain('bot:You said: first'));
    server.drop();
    // while the stream is down, the bot says something
    server.messages.push({
      seq: 4,
      role: 'bot',
      text: 'Anything else?',
      at: '',
      kind: 'ask',
      choices: ['No'],
    });
    server.emit('message', { messages: [server.messages[3]] });
    await waitFor(() => expect(shown(chat)).toContain('bot:Anything else?'));
    const reconnect = server.requests.filter((r) => r.path.endsWith('/events')).at(-1)!;
    expect(reconnect.headers.get('Last-Event-ID')).toBe('e0003');
    chat.send('No');
    await waitFor(() => expect(shown(chat)).toContain('bot:You said: No'));
    expect(shown(chat)).toEqual([
      'bot:Hi! How can I help?',
      'customer:first',
      'bot:You said: first',
      'bot:Anything else?',
      'customer:No',
      'bot:You said: No',
    ]);
  });

  it('retries a send lost on the network under the same Idempotency-Key, without a double message', async () => {
    const { chat, server } = setUp();
    chat.send('warm up');
    await waitFor(() => expect(shown(chat)).toContain('bot:You said: warm up'));
    server.failPosts.push('network', 503);
    chat.send('hello');
    await waitFor(() => expect(shown(chat)).toContain('bot:You said: hello'));
    await waitFor(() => expect(chat.getState().sends.every((s) => s.status === 'sent')).toBe(true));
    const posts = server.requests.filter((r) => r.path.endsWith('/messages'));
    expect(posts.map((p) => p.body)).toEqual([
      { text: 'warm up' },
      { text: 'hello' },
      { text: 'hello' },
      { text: 'hello' },
    ]);
    expect(new Set(posts.slice(1).map((p) => p.headers.get('Idempotency-Key'))).size).toBe(1);
    expect(shown(chat).filter((t) => t === 'customer:hello')).toHaveLength(1);
  });

  it('marks a send failed after four attempts and retries it with the same key on request', async () => {
    const { chat, server } = setUp();
    chat.send('warm up');
    await waitFor(() => expect(shown(chat)).toContain('bot:You said: warm up'));
    server.failPosts.push(503, 503, 503, 503);
    chat.send('are you there?');
    await waitFor(() => expect(chat.getState().sends[1]?.status).toBe('failed'));
    expect(chatEntries(chat.getState()).at(-1)).toMatchObject({ status: 'failed', text: 'are you there?' });
    chat.retry(chat.getState().sends[1]!.localId);
    await waitFor(() => expect(chat.getState().sends[1]?.status).toBe('sent'));
    const keys = server.requests
      .filter((r) => r.path.endsWith('/messages'))
      .map((r) => r.headers.get('Idempotency-Key'));
    expect(keys.slice(1)).toEqual(Array(5).fill(keys[1]));
    await waitFor(() => expect(shown(chat).filter((t) => t === 'customer:are you there?')).toHaveLength(1));
  });

  it('resumes a remembered conversation after a reload: GET, then the stream', async () => {
    const first = setUp();
    first.chat.send('hello');
    await waitFor(() => expect(shown(first.chat)).toContain('bot:You said: hello'));
    first.chat.stop();
    const { chat, server } = setUp({
      store: first.store,
      fake: { server: first.server, fetch: first.fetch },
    });
    chat.start();
    await waitFor(() => expect(shown(chat)).toEqual(shown(first.chat)));
    expect(isTyping(chat.getState())).toBe(false);
    server.owner = 'human';
    server.emit('state', { owner: 'human', status: 'escalated' });
    await waitFor(() => expect(shown(chat).at(-1)).toBe('notice'));
  });

  it('starts over when the remembered token is no longer valid', async () => {
    const store = memoryStore();
    store.setItem('k', JSON.stringify({ id: 'c1', token: 'sb_ct_expired', feedbackSeq: 0 }));
    const { chat, server } = setUp({ store });
    chat.start();
    await waitFor(() => expect(store.data.has('k')).toBe(false));
    expect(chat.getState().messages).toEqual([]);
    chat.send('hello again');
    await waitFor(() => expect(shown(chat)).toContain('bot:You said: hello again'));
    expect(server.requests.filter((r) => r.method === 'POST' && r.path === '/v1/conversations')).toHaveLength(
      1,
    );
    expect(JSON.parse(store.data.get('k')!)).toMatchObject({ token: 'sb_ct_1' });
  });

  it('drops a Last-Event-ID the server does not know, then reloads the conversation from GET', async () => {
    const { chat, server } = setUp();
    chat.send('hello');
    await waitFor(() => expect(shown(chat)).toContain('bot:You said: hello'));
    // the server restarts: its event ids are gone, and an agent wrote meanwhile
    server.forgetEvents();
    server.messages.push({ seq: 4, role: 'agent', text: 'Sam here', at: '' });
    const seen = server.requests.length;
    server.drop();
    await waitFor(() => expect(shown(chat)).toContain('agent:Sam here'));
    const after = server.requests
      .slice(seen)
      .map((r) => `${r.method} ${r.path} ${r.headers.get('Last-Event-ID')}`);
    expect(after.slice(0, 3)).toEqual([
      'GET /v1/conversations/c1/events e0003',
      'GET /v1/conversations/c1/events null',
      'GET /v1/conversations/c1 null',
    ]);
    expect(shown(chat).filter((t) => t === 'customer:hello')).toHaveLength(1);
  });

  it('sends feedback on the last resolve message and remembers it', async () => {
    const { chat, server, store } = setUp();
    chat.send('thanks');
    await waitFor(() => expect(shown(chat)).toContain('bot:You said: thanks'));
    server.messages.push({ seq: 4, role: 'bot', text: 'Glad I could help', at: '', kind: 'resolve' });
    server.emit('message', { messages: [server.messages[3]] });
    await waitFor(() => expect(shown(chat).at(-1)).toBe('feedback'));
    chat.sendFeedback(true);
    await waitFor(() =>
      expect(chatEntries(chat.getState()).find((e) => e.type === 'feedback')).toMatchObject({
        status: 'sent',
      }),
    );
    expect(server.requests.at(-1)).toMatchObject({
      path: '/v1/conversations/c1/feedback',
      body: { resolved: true },
    });
    expect(JSON.parse(store.data.get('k')!)).toMatchObject({ feedbackSeq: 4 });
  });

  it('asks the survey after "Yes" to the bot\'s resolution, also after a reload, and not after "No"', async () => {
    const resolveThenAnswer = async (answer: boolean) => {
      const setup = setUp();
      setup.chat.send('thanks');
      await waitFor(() => expect(shown(setup.chat)).toContain('bot:You said: thanks'));
      setup.server.messages.push({ seq: 4, role: 'bot', text: 'Glad I could help', at: '', kind: 'resolve' });
      setup.server.emit('message', { messages: [setup.server.messages[3]] });
      await waitFor(() => expect(shown(setup.chat).at(-1)).toBe('feedback'));
      expect(shown(setup.chat)).not.toContain('survey');
      setup.chat.sendFeedback(answer);
      await waitFor(() => expect(setup.chat.getState().feedbackDoneSeq).toBe(4));
      return setup;
    };

    const no = await resolveThenAnswer(false);
    expect(shown(no.chat).at(-1)).toBe('feedback');
    expect(JSON.parse(no.store.data.get('k')!).confirmedSeq).toBeUndefined();

    const first = await resolveThenAnswer(true);
    expect(shown(first.chat).slice(-2)).toEqual(['feedback', 'survey']);
    expect(JSON.parse(first.store.data.get('k')!)).toMatchObject({ feedbackSeq: 4, confirmedSeq: 4 });
    first.chat.sendFeedback(true); // answered already: not posted again
    first.chat.stop();

    const { chat, server, store } = setUp({
      store: first.store,
      fake: { server: first.server, fetch: first.fetch },
    });
    chat.start();
    await waitFor(() => expect(shown(chat).at(-1)).toBe('survey'));
    expect(shown(chat)).not.toContain('feedback');
    chat.rateSurvey(5);
    chat.sendSurvey('');
    await waitFor(() => expect(chatEntries(chat.getState()).at(-1)).toMatchObject({ status: 'sent' }));
    expect(
      server.requests.filter((r) => r.path === '/v1/conversations/c1/feedback').map((r) => r.body),
    ).toEqual([{ resolved: true }, { rating: 5 }]);
    expect(JSON.parse(store.data.get('k')!)).toMatchObject({ confirmedSeq: 4, surveyDone: true });
  });

  it('stops streaming a closed conversation and starts a new one when the customer writes again', async () => {
    const { chat, server, store } = setUp();
    chat.send('hello');
    await waitFor(() => expect(shown(chat)).toContain('bot:You said: hello'));
    server.emit('state', { owner: 'bot', status: 'closed' });
    await waitFor(() => expect(server.openStreams).toBe(0));
    expect(shown(chat).slice(-2)).toEqual(['notice', 'survey']);
    server.token = 'sb_ct_2';
    chat.send('one more thing');
    await waitFor(() => expect(shown(chat)).toContain('bot:You said: one more thing'));
    expect(JSON.parse(store.data.get('k')!)).toMatchObject({ token: 'sb_ct_2' });
    expect(server.requests.filter((r) => r.method === 'POST' && r.path === '/v1/conversations')).toHaveLength(
      2,
    );
    expect(shown(chat)).not.toContain('notice');
    expect(shown(chat)).not.toContain('survey');
  });

  it('asks the survey once closed, sends the rating and the comment, retries a failure, and not again after a reload', async () => {
    const first = setUp();
    first.chat.send('hello');
    await waitFor(() => expect(shown(first.chat)).toContain('bot:You said: hello'));
    first.server.status = 'closed';
    first.server.emit('state', { owner: 'human', status: 'closed' });
    await waitFor(() => expect(shown(first.chat).slice(-2)).toEqual(['notice', 'survey']));
    const feedbackPosts = () =>
      first.server.requests.filter((r) => r.path === '/v1/conversations/c1/feedback');

    first.chat.sendSurvey('no rating yet');
    expect(feedbackPosts()).toEqual([]);
    first.chat.rateSurvey(4);
    first.server.failFeedback = 1;
    first.chat.sendSurvey('  quick and kind  ');
    await waitFor(() =>
      expect(chatEntries(first.chat.getState()).at(-1)).toMatchObject({ status: 'failed' }),
    );
    expect(JSON.parse(first.store.data.get('k')!).surveyDone).toBeUndefined();
    first.chat.sendSurvey('quick and kind');
    await waitFor(() =>
      expect(chatEntries(first.chat.getState()).at(-1)).toEqual({
        type: 'survey',
        key: 'survey',
        status: 'sent',
        rating: 4,
      }),
    );
    expect(feedbackPosts().map((r) => r.body)).toEqual([
      { rating: 4, comment: 'quick and kind' },
      { rating: 4, comment: 'quick and kind' },
    ]);
    expect(feedbackPosts()[0]?.headers.get('Authorization')).toBe('Bearer sb_ct_1');
    expect(JSON.parse(first.store.data.get('k')!)).toMatchObject({ id: 'c1', surveyDone: true });
    first.chat.stop();

    const { chat } = setUp({ store: first.store, fake: { server: first.server, fetch: first.fetch } });
    chat.start();
    await waitFor(() => expect(chat.getState().status).toBe('closed'));
    expect(shown(chat).at(-1)).toBe('notice');
    expect(shown(chat)).not.toContain('survey');
  });
});
