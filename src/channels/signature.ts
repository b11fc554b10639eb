import { createHmac, timingSafeEqual } from 'node:crypto';
import { err, ok, type Result } from '../shared/index.ts';
import type { WebhookProblem, WebhookRequest } from './channel.ts';
import { timeOf } from './payload.ts';

/** A signed timestamp older (or newer) than this is refused: a captured delivery cannot be replayed later. */
export const SIGNATURE_MAX_AGE_MS = 5 * 60_000;

/** HMAC of `parts` (joined bytes, in order) with `secret`, in the encoding a helpdesk sends. */
export function hmac(
  algorithm: 'sha1' | 'sha256',
  secret: string,
  parts: ReadonlyArray<string | Uint8Array>,
  encoding: 'hex' | 'base64',
): string {
  const mac = createHmac(algorithm, secret);
  for (const part of parts) mac.update(part);
  return mac.digest(encoding);
}

/** Compares in constant time (for the same length): a signature is not guessed byte by byte from timings. */
export function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function unauthorised(code: string, detail: string): Result<never, WebhookProblem> {
  return err({ status: 401, code, detail });
}

/**
 * A signature header checked against the expected value, and the timestamp header (epoch seconds or ms, or ISO 8601)
 * within SIGNATURE_MAX_AGE_MS of the request. Messages name the header, never the values.
 */
export function checkSignature(props: {
  request: WebhookRequest;
  header: string;
  expected: (timestamp: string | undefined) => string;
  /** The header holding the signed timestamp, when the helpdesk sends one. */
  timestampHeader?: string;
  /** What precedes the value in the header (`sha256=`). */
  prefix?: string;
}): Result<void, WebhookProblem> {
  const { request, header, timestampHeader, prefix = '' } = props;
  const given = request.header(header);
  if (!given) return unauthorised('webhook.unsigned', `the delivery has no ${header} header`);
  let timestamp: string | undefined;
  if (timestampHeader) {
    timestamp = request.header(timestampHeader);
    // Epoch seconds (Chatwoot), or ISO 8601 (Zendesk).
    const ms = timestamp ? timeOf(timestamp, Number.NaN) : Number.NaN;
    if (!Number.isFinite(ms)) {
      return unauthorised('webhook.bad_timestamp', `the delivery has no usable ${timestampHeader} header`);
    }
    if (Math.abs(request.receivedAt - ms) > SIGNATURE_MAX_AGE_MS) {
      return unauthorised('webhook.stale', `${timestampHeader} is more than 5 minutes from now`);
    }
  }
  const expected = `${prefix}${props.expected(timestamp)}`;
  return sameSignature(expected, given.trim())
    ? ok(undefined)
    : unauthorised('webhook.bad_signature', `${header} does not match the delivery`);
}
