import { z } from 'zod';
import { type ConnectorFailure, fetchJson } from '../connectors/index.ts';
import { err, ok, type Result } from '../shared/index.ts';
import type { SendContext } from './channel.ts';

/** An environment variable's name: tokens and secrets are named in the configuration, never written in it. */
export const EnvVariableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name (letters, digits, _)');

export const BaseUrl = z.url({ protocol: /^https?$/ });

/** One call to a helpdesk gives up after this long (Chatwoot's own webhook timeout is 5 s; its API is quicker). */
export const HELPDESK_CALL_TIMEOUT_MS = 10_000;

/**
 * One call to a helpdesk's JSON API: the idempotency key goes in the `Idempotency-Key` header (honoured by the
 * APIs that support it, harmless elsewhere); failures are sorted as fetchJson sorts them (timeouts, network,
 * 429 and 5xx retryable). Messages name the method and status only: URLs hold ids, bodies customer text.
 */
export async function callHelpdesk<T>(props: {
  baseUrl: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  body?: unknown;
  context: SendContext;
  response: z.ZodType<T>;
  what: string;
}): Promise<Result<T, ConnectorFailure>> {
  const base = props.baseUrl.endsWith('/') ? props.baseUrl : `${props.baseUrl}/`;
  const res = await fetchJson({
    url: new URL(props.path.replace(/^\//, ''), base),
    method: props.method,
    headers: { ...props.headers, 'idempotency-key': props.context.idempotencyKey },
    ...(props.body !== undefined ? { body: props.body } : {}),
    signal: AbortSignal.any([props.context.signal, AbortSignal.timeout(HELPDESK_CALL_TIMEOUT_MS)]),
  });
  if (!res.ok) return err({ ...res.error, message: `${props.what}: ${res.error.message}` });
  const parsed = props.response.safeParse(res.value.body);
  if (!parsed.success) {
    return err({
      code: 'bad_response',
      message: `${props.what}: the helpdesk answered with an unexpected shape`,
      retryable: false,
    });
  }
  return ok(parsed.data);
}
