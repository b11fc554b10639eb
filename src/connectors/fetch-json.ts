import { err, ok, type Result } from '../shared/index.ts';
import type { ConnectorFailure } from './connector.ts';

export interface JsonResponse {
  status: number;
  /** The parsed JSON body; null when the body is empty. */
  body: unknown;
  headers: Headers;
}

export interface FetchJsonProps {
  url: URL;
  method: string;
  headers?: Record<string, string>;
  /** Sent as JSON when defined. */
  body?: unknown;
  signal: AbortSignal;
}

/**
 * One HTTP exchange with a JSON API, its failures sorted the way the registry retries them: timeouts, refused
 * connections, 429 and 5xx are retryable; other 4xx and unreadable bodies are not. Messages name the method and
 * status only, never the URL, headers or body (they can hold customer data and credentials).
 *
 * @example
 * const res = await fetchJson({ url: new URL('http://127.0.0.1:8080/orders'), method: 'GET', signal });
 * if (res.ok) console.log(res.value.status, res.value.body);
 */
export async function fetchJson(props: FetchJsonProps): Promise<Result<JsonResponse, ConnectorFailure>> {
  const { url, method, signal } = props;
  const headers: Record<string, string> = { accept: 'application/json', ...props.headers };
  if (props.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method,
      headers,
      signal,
      ...(props.body !== undefined ? { body: JSON.stringify(props.body) } : {}),
    });
    text = await response.text();
  } catch (cause) {
    if (signal.aborted) return err({ code: 'timeout', message: `${method} timed out`, retryable: true });
    const name = cause instanceof Error ? cause.name : 'Error';
    return err({ code: 'network', message: `${method} failed before a response (${name})`, retryable: true });
  }
  const { status } = response;
  if (status >= 400) {
    const retryable = status >= 500 || status === 429;
    return err({ code: `http_${status}`, message: `${method} answered HTTP ${status}`, retryable });
  }
  if (text.trim() === '') return ok({ status, body: null, headers: response.headers });
  try {
    return ok({ status, body: JSON.parse(text) as unknown, headers: response.headers });
  } catch {
    return err({
      code: 'bad_response',
      message: `${method} answered HTTP ${status} with a body that is not JSON`,
      retryable: false,
    });
  }
}
