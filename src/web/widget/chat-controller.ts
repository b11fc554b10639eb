import {
  type ApiFailure,
  type ConversationAccess,
  type CustomerIdentity,
  createConversationApi,
  type FetchLike,
} from './api-client.ts';
import {
  type ChatAction,
  type ChatState,
  chatReducer,
  initialChatState,
  lastResolveSeq,
  MAX_SURVEY_COMMENT_LENGTH,
} from './chat-state.ts';
import { parseJson, toMessages, toOwnerState } from './conversation.ts';
import {
  forgetConversation,
  type KeyValueStore,
  loadConversation,
  type SavedConversation,
  saveConversation,
} from './conversation-storage.ts';
import { type EventStream, openEventStream } from './event-stream.ts';
import { backoffDelayMs, isRetryableStatus } from './retry.ts';
import type { SseEvent } from './sse-parser.ts';
import { uuid } from './uuid.ts';

export const MAX_MESSAGE_LENGTH = 4000;

export interface ChatControllerProps {
  widgetKey: string;
  customer: CustomerIdentity | undefined;
  apiBase: string;
  store: KeyValueStore | undefined;
  storageKey: string;
  fetch?: FetchLike;
  newId?: () => string;
  backoff?: (attempt: number) => number;
  /** Attempts of one send (network errors, 5xx, 429) before its bubble shows "not sent" with a retry button. */
  maxSendAttempts?: number;
  idleTimeoutMs?: number;
}

export interface ChatController {
  getState(): ChatState;
  subscribe(listener: (state: ChatState) => void): () => void;
  /** Resumes the remembered conversation, if any (the first message creates one otherwise). */
  start(): void;
  /** Sends a customer message; false when it is empty or longer than 4,000 characters. */
  send(text: string): boolean;
  retry(localId: string): void;
  sendFeedback(resolved: boolean): void;
  /** Picks a rating (1-5) in the survey (shown after close, or after "Yes" to the bot's resolution). */
  rateSurvey(rating: number): void;
  /** Sends the picked rating and the comment (optional, up to 2,000 characters); again after a failure. */
  sendSurvey(comment: string): void;
  /** The browser is back online or the page visible again: reconnect the stream without waiting. */
  wake(): void;
  stop(): void;
}

/** `restart`: the conversation was gone (401 / 404) and has been forgotten, so the send may go to a new one. */
type Sent = { ok: true } | (ApiFailure & { restart?: boolean });

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function failureText(failure: ApiFailure): string {
  if (failure.status === 0) return 'Not sent: check your connection.';
  if (isRetryableStatus(failure.status)) return 'Not sent: the service is busy.';
  return failure.problem?.detail || failure.problem?.title || 'Not sent.';
}

/**
 * The widget without its DOM: conversation creation and resumption, the event stream, ordered sends with
 * retries under one idempotency key, feedback. The view subscribes to its state and calls its methods.
 *
 * @example
 * const chat = createChatController({ widgetKey: 'sb_pk_demo', customer: undefined,
 *   apiBase: 'https://support.example', store: localStorage, storageKey: 'switchboard:v1:sb_pk_demo:' });
 * chat.subscribe((state) => render(state));
 * chat.start();
 * chat.send('Where is my order?');
 */
export function createChatController(props: ChatControllerProps): ChatController {
  const api = createConversationApi({ baseUrl: props.apiBase, fetch: props.fetch });
  const newId = props.newId ?? (() => uuid());
  const backoff = props.backoff ?? backoffDelayMs;
  const maxSendAttempts = props.maxSendAttempts ?? 4;
  let conversation: SavedConversation | undefined = loadConversation(props.store, props.storageKey);
  let state = initialChatState({
    feedbackDoneSeq: conversation?.feedbackSeq,
    confirmedSeq: conversation?.confirmedSeq,
    surveyDone: conversation?.surveyDone,
  });
  let stream: EventStream | undefined;
  let creating: Promise<ConversationAccess | ApiFailure> | undefined;
  let stopped = false;
  const listeners = new Set<(state: ChatState) => void>();
  const queue: string[] = [];
  let pumping = false;

  function dispatch(action: ChatAction): void {
    const next = chatReducer(state, action);
    if (next === state) return;
    state = next;
    // A closed conversation takes no more events; the next message starts a new one.
    if (state.status === 'closed' && stream) {
      stream.close();
      stream = undefined;
    }
    for (const listener of listeners) listener(state);
  }

  function connect(c: SavedConversation): void {
    stream?.close();
    stream = openEventStream({
      url: api.eventsUrl(c.id),
      token: c.token,
      fetch: props.fetch,
      backoff,
      idleTimeoutMs: props.idleTimeoutMs,
      onOpen: ({ resumed }) => {
        if (!resumed) void reload(c, 0);
      },
      onEvent: (event) => {
        if (conversation === c) onEvent(event);
      },
      onGone: () => {
        if (conversation === c) forget();
      },
    });
  }

  /** Fills what the stream cannot replay (its first connection, a rejected Last-Event-ID) from the GET. */
  async function reload(c: SavedConversation, attempt: number): Promise<void> {
    const result = await api.getConversation(c);
    if (conversation !== c || stopped) return;
    if (result.ok) dispatch({ type: 'loaded', view: result.value });
    else if (result.status === 401 || result.status === 404) forget();
    else if (isRetryableStatus(result.status) && attempt < 5) {
      await sleep(result.retryAfterMs ?? backoff(attempt));
      await reload(c, attempt + 1);
    }
  }

  function onEvent(event: SseEvent): void {
    const data = parseJson(event.data);
    const record = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
    if (event.event === 'message') {
      dispatch({ type: 'messages', messages: toMessages(record.messages) });
    } else if (event.event === 'state') {
      const ownerState = toOwnerState(record);
      if (ownerState) dispatch({ type: 'state', ...ownerState });
    } else if (event.event === 'turn' && typeof record.seq === 'number') {
      dispatch({ type: 'turn', seq: record.seq });
    }
  }

  function forget(): void {
    stream?.close();
    stream = undefined;
    conversation = undefined;
    forgetConversation(props.store, props.storageKey);
    dispatch({ type: 'reset' });
  }

  function ensureConversation(): Promise<ConversationAccess | ApiFailure> {
    if (conversation) return Promise.resolve(conversation);
    creating ??= api
      .createConversation({ widgetKey: props.widgetKey, customer: props.customer })
      .then((result) => {
        creating = undefined;
        if (!result.ok) return result;
        const c: SavedConversation = {
          id: result.value.conversation.id,
          token: result.value.token,
          feedbackSeq: 0,
        };
        conversation = c;
        saveConversation(props.store, props.storageKey, c);
        dispatch({ type: 'loaded', view: result.value.conversation });
        if (!stopped) connect(c);
        return c;
      });
    return creating;
  }

  async function postOnce(localId: string): Promise<Sent> {
    const access = await ensureConversation();
    if ('ok' in access) return access;
    const send = state.sends.find((s) => s.localId === localId);
    if (!send) return { ok: true };
    const result = await api.postMessage({ ...access, text: send.text, idempotencyKey: send.idempotencyKey });
    if (!result.ok) {
      // The token died with the conversation: start a new one and send there (once).
      if ((result.status === 401 || result.status === 404) && conversation === access) {
        forget();
        return { ...result, restart: true };
      }
      return result;
    }
    if (conversation === access) dispatch({ type: 'sent', localId, message: result.value.message });
    return { ok: true };
  }

  async function deliver(localId: string): Promise<void> {
    let restarted = false;
    for (let attempt = 0; ; attempt++) {
      if (stopped || state.sends.find((s) => s.localId === localId)?.status !== 'sending') return;
      const result = await postOnce(localId);
      if (result.ok) return;
      if (result.restart && !restarted) {
        restarted = true;
        continue;
      }
      if (isRetryableStatus(result.status) && attempt + 1 < maxSendAttempts) {
        await sleep(result.retryAfterMs ?? backoff(attempt));
        continue;
      }
      dispatch({ type: 'send-failed', localId, error: failureText(result) });
      return;
    }
  }

  /** Delivers sends one at a time, in the order they were typed. */
  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      while (queue.length > 0) {
        await deliver(queue[0]!);
        queue.shift();
      }
    } finally {
      pumping = false;
    }
  }

  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      if (conversation) connect(conversation);
    },
    send(text) {
      const trimmed = text.trim();
      if (trimmed.length === 0 || trimmed.length > MAX_MESSAGE_LENGTH) return false;
      // A closed conversation takes no more messages: writing again starts a new one.
      if (state.status === 'closed') forget();
      const localId = newId();
      dispatch({ type: 'send', localId, idempotencyKey: newId(), text: trimmed });
      queue.push(localId);
      void pump();
      return true;
    },
    retry(localId) {
      if (state.sends.find((s) => s.localId === localId)?.status !== 'failed') return;
      dispatch({ type: 'retry', localId });
      queue.push(localId);
      void pump();
    },
    sendFeedback(resolved) {
      const seq = lastResolveSeq(state);
      const c = conversation;
      if (seq === undefined || !c || seq <= state.feedbackDoneSeq || state.feedback?.status === 'sending')
        return;
      dispatch({ type: 'feedback', seq, resolved, status: 'sending' });
      void api.postFeedback({ ...c, resolved }).then((result) => {
        if (conversation !== c) return;
        dispatch({ type: 'feedback', seq, resolved, status: result.ok ? 'sent' : 'failed' });
        if (result.ok) {
          c.feedbackSeq = seq;
          // "Yes" is remembered: the survey that follows it is still asked after a reload.
          if (resolved) c.confirmedSeq = seq;
          saveConversation(props.store, props.storageKey, c);
        }
      });
    },
    rateSurvey(rating) {
      dispatch({ type: 'survey-rate', rating });
    },
    sendSurvey(comment) {
      const c = conversation;
      const survey = state.survey;
      if (!c || survey?.rating === undefined || survey.status === 'sending' || survey.status === 'sent')
        return;
      const text = comment.trim().slice(0, MAX_SURVEY_COMMENT_LENGTH);
      dispatch({ type: 'survey', status: 'sending' });
      void api
        .postFeedback({ ...c, rating: survey.rating, ...(text ? { comment: text } : {}) })
        .then((result) => {
          if (conversation !== c) return;
          dispatch({ type: 'survey', status: result.ok ? 'sent' : 'failed' });
          if (result.ok) {
            c.surveyDone = true;
            saveConversation(props.store, props.storageKey, c);
          }
        });
    },
    wake() {
      stream?.reconnectNow();
    },
    stop() {
      stopped = true;
      stream?.close();
    },
  };
}
