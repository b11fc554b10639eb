import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { DemoPageSource, Deployment } from '../app/index.ts';
import type { Authenticator, Principal } from './auth.ts';
import type { ServiceMetrics } from './metrics.ts';
import { sendProblem } from './problems.ts';
import type { RateLimiter } from './rate-limit.ts';

/** What the routes share: the deployment (the only way into the store and the runtime), access, limits, metrics. */
export interface ServerContext {
  deployment: Deployment;
  auth: Authenticator;
  metrics: ServiceMetrics;
  limits: { perKey: RateLimiter; perAddress: RateLimiter };
  /** The demo page's data, when the deployment serves it. */
  demo: DemoPageSource | null;
  /** The widget script, built at install (dist/web/widget.js) or, from the sources, on first request. */
  widget: () => Promise<{ code: string; etag: string } | null>;
  /** Longest `Prefer: wait` honoured, ms. */
  maxWaitMs: number;
}

export type ServerApp = OpenAPIHono<{ Variables: { principal?: Principal } }>;

/** Counts a request against its key's bucket; a problem response when the bucket is empty. */
export function overKeyLimit(c: Context, context: ServerContext, principal: Principal): Response | null {
  const taken = context.limits.perKey.take(principal.rateKey);
  if (taken.ok) return null;
  return sendProblem(
    c,
    {
      status: 429,
      code: 'rate_limited',
      detail: `too many requests for this credential; retry in ${taken.retryAfterSeconds} s`,
    },
    { 'retry-after': String(taken.retryAfterSeconds) },
  );
}

/**
 * A problem response where a typed route handler returns. Hono's typed routes type the JSON bodies they declare;
 * problem documents are declared in the OpenAPI too, but sent as plain Responses, which the types cannot follow.
 */
export function untyped(response: Response): never {
  return response as never;
}
