import {
  type ConversationView,
  type Message,
  type Problem,
  parseJson,
  toConversationView,
  toMessage,
  toProblem,
} from './conversation.ts';
import { retryAfterMs } from './retry.ts';

/** What the widget knows about the signed-in customer (from the script tag), sent when it creates a conversation. */
export interface CustomerIdentity {
  email?: string;
  name?: string;
  signature?: string;
}

/** A conversation this page may talk to: its id and the bearer token the server issued for it. */
export interface ConversationAccess {
  id: string;
  token: string;
}

export type ApiFailure = {
  ok: false;
  /** The HTTP status; 0 when no response came (network down, CORS, aborted) or the body was unreadable. */
  status: number;
  problem: Problem | undefined;
  retryAfterMs: number | undefined;
};
export type ApiResult<T> = { ok: true; value: T } | ApiFailure;

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** The four JSON calls of the conversation API (the event stream is `openEventStream`). */
export interface ConversationApi {
  createConversation(props: {
    widgetKey: string;
    customer: CustomerIdentity | undefined;
  }): Promise<ApiResult<{ conversation: ConversationView; token: string }>>;
  getConversation(access: ConversationAccess): Promise<ApiResult<ConversationView>>;
  postMessage(
    props: ConversationAccess & { text: string; idempotencyKey: string },
  ): Promise<ApiResult<{ message: Message; duplicate: boolean }>>;
  /** "Did this resolve your issue?" (`resolved`), the survey after close (`rating` 1-5), a comment. */
  postFeedback(
    props: ConversationAccess & { resolved?: boolean; rating?: number; comment?: string },
  ): Promise<ApiResult<true>>;
  eventsUrl(id: string): string;
}

const failure = (status: number, problem?: Problem, retryAfter?: number): ApiFailure => ({
  ok: false,
  status,
  problem,
  retryAfterMs: retryAfter,
});

/**
 * A client for the conversation API at `baseUrl`. Every call resolves (never rejects) with a result value.
 *
 * @example
 * const api = createConversationApi({ baseUrl: 'https://support.example' });
 * const created = await api.createConversation({ widgetKey: 'sb_pk_demo', customer: undefined });
 * if (created.ok) console.log(created.value.conversation.id);
 */
export function createConversationApi(props: { baseUrl: string; fetch?: FetchLike }): ConversationApi {
  const base = props.baseUrl.replace(/\/+$/, '');
  const fetchFn: FetchLike = props.fetch ?? ((url, init) => fetch(url, init));
  const path = (id: string, rest = '') => `${base}/v1/conversations/${encodeURIComponent(id)}${rest}`;

  async function call<T>(
    url: string,
    init: { method: string; token: string; body?: unknown; headers?: Record<string, string> },
    read: (json: unknown) => T | undefined,
  ): Promise<ApiResult<T>> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: `Bearer ${init.token}`,
    };
    if (init.body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await fetchFn(url, {
        method: init.method,
        headers: { ...headers, ...init.headers },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        cache: 'no-store',
        credentials: 'omit',
      });
      text = await response.text();
    } catch {
      return failure(0);
    }
    const json = parseJson(text);
    if (!response.ok) {
      return failure(
        response.status,
        toProblem(json),
        retryAfterMs(response.headers.get('Retry-After'), Date.now()),
      );
    }
    const value = read(json);
    // A success with an unreadable body is treated like a lost response: safe to retry (idempotency key).
    return value === undefined ? failure(0) : { ok: true, value };
  }

  const record = (json: unknown): Record<string, unknown> | undefined =>
    typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : undefined;

  return {
    createConversation({ widgetKey, customer }) {
      const body: { channel: string; customer?: CustomerIdentity } = { channel: 'widget' };
      if (customer && Object.keys(customer).length > 0) body.customer = customer;
      return call(`${base}/v1/conversations`, { method: 'POST', token: widgetKey, body }, (json) => {
        const conversation = toConversationView(record(json)?.conversation);
        const token = record(json)?.token;
        return conversation && typeof token === 'string' ? { conversation, token } : undefined;
      });
    },
    getConversation({ id, token }) {
      return call(path(id), { method: 'GET', token }, toConversationView);
    },
    postMessage({ id, token, text, idempotencyKey }) {
      return call(
        path(id, '/messages'),
        { method: 'POST', token, body: { text }, headers: { 'Idempotency-Key': idempotencyKey } },
        (json) => {
          const message = toMessage(record(json)?.message);
          return message ? { message, duplicate: record(json)?.duplicate === true } : undefined;
        },
      );
    },
    postFeedback({ id, token, resolved, rating, comment }) {
      const body = {
        ...(resolved !== undefined ? { resolved } : {}),
        ...(rating !== undefined ? { rating } : {}),
        ...(comment !== undefined ? { comment } : {}),
      };
      return call(path(id, '/feedback'), { method: 'POST', token, body }, () => true as const);
    },
    eventsUrl: (id) => path(id, '/events'),
  };
}
