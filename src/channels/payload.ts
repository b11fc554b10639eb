import type { z } from 'zod';
import { err, ok, type Result } from '../shared/index.ts';
import type { WebhookProblem, WebhookRequest } from './channel.ts';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The delivery's JSON body, or a 400 problem that says what is wrong with it (never the body itself). */
export function readJsonBody(request: WebhookRequest): Result<unknown, WebhookProblem> {
  let text: string;
  try {
    text = UTF8.decode(request.body);
  } catch {
    return err({ status: 400, code: 'webhook.not_utf8', detail: 'the body is not UTF-8 text' });
  }
  try {
    return ok(JSON.parse(text) as unknown);
  } catch {
    return err({ status: 400, code: 'webhook.malformed_json', detail: 'the body is not valid JSON' });
  }
}

/** Checks `value` against `schema`; a mismatch is a 400 problem listing each field and what is wrong with it. */
export function parseWith<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what: string,
): Result<z.infer<T>, WebhookProblem> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return ok(parsed.data);
  return err({
    status: 400,
    code: 'webhook.invalid',
    detail: `the body is not a ${what} this channel understands (see errors)`,
    errors: parsed.error.issues.slice(0, 20).map((issue) => ({
      field: issue.path.map(String).join('.') || '(body)',
      message: issue.message,
    })),
  });
}

/** An ISO 8601 text or epoch seconds (the helpdesks mix both) as epoch ms; `fallback` when neither. */
export function timeOf(value: unknown, fallback: number): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value > 1e12 ? value : value * 1000;
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return timeOf(Number(value), fallback);
    const ms = Date.parse(value);
    if (Number.isFinite(ms)) return ms;
  }
  return fallback;
}
