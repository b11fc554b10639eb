import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { isSwitchboardError } from '../shared/index.ts';

/**
 * An error answer: a problem document (RFC 9457) with a stable `code`, never a stack trace or customer text.
 * `type` names the code under a URN, so clients can switch on either.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  errors?: Array<{ field: string; message: string }>;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** HTTP status of each user-error code the service can meet; any other user error is a 400. */
const STATUS_OF_CODE: Record<string, number> = {
  'conversation.not_found': 404,
  'conversation.exists': 409,
  'conversation.closed': 409,
  'conversation.idempotency_key_reused': 422,
  'conversation.bad_cursor': 400,
  'feedback.bad_rating': 400,
  'identity.bad_signature': 403,
};

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Not authenticated',
  403: 'Not allowed',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Body too large',
  415: 'Unsupported media type',
  422: 'Unprocessable request',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Unavailable',
};

export function problem(props: {
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  errors?: Problem['errors'];
}): Problem {
  return {
    type: `urn:switchboard:problem:${props.code}`,
    title: TITLES[props.status] ?? 'Error',
    status: props.status,
    code: props.code,
    ...(props.detail ? { detail: props.detail } : {}),
    ...(props.instance ? { instance: props.instance } : {}),
    ...(props.errors ? { errors: props.errors } : {}),
  };
}

/**
 * Sends a problem document with its status and content type (through the context, so the headers middleware set
 * before the route, CORS among them, come with it).
 */
export function sendProblem(
  c: Context,
  props: Parameters<typeof problem>[0],
  headers: Record<string, string> = {},
): Response {
  const body = problem({ ...props, instance: props.instance ?? new URL(c.req.url).pathname });
  return c.body(JSON.stringify(body), body.status as ContentfulStatusCode, {
    'content-type': PROBLEM_CONTENT_TYPE,
    'cache-control': 'no-store',
    ...(body.status === 401 ? { 'www-authenticate': 'Bearer realm="switchboard"' } : {}),
    ...headers,
  });
}

/**
 * The one place errors become HTTP answers: a user error is a 4xx with its code and message (ours say what and
 * where, never a value the customer typed), an operational error a 503, anything else a 500 with no detail.
 */
export function problemOfError(error: unknown): Parameters<typeof problem>[0] {
  if (isSwitchboardError(error)) {
    if (error.kind === 'user') {
      return {
        status: STATUS_OF_CODE[error.code] ?? 400,
        code: error.code,
        detail: error.message,
        ...(error.location?.field
          ? { errors: [{ field: error.location.field, message: error.message }] }
          : {}),
      };
    }
    if (error.kind === 'operational') {
      return { status: 503, code: error.code, detail: 'a dependency is unavailable; try again shortly' };
    }
  }
  return { status: 500, code: 'internal', detail: 'something went wrong on our side' };
}
