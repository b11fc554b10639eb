import { OpenAPIHono } from '@hono/zod-openapi';
import { routePath } from 'hono/route';
import type { DemoPageSource, Deployment } from '../app/index.ts';
import { createAuthenticator } from './auth.ts';
import type { ServerApp, ServerContext } from './context.ts';
import { apiHeaders, clientAddress, corsAllowlist, readBodyLimited } from './http-basics.ts';
import { createServiceMetrics, type ServiceMetrics } from './metrics.ts';
import { problemOfError, sendProblem } from './problems.ts';
import { createRateLimiter } from './rate-limit.ts';
import { registerChannelRoutes } from './routes/channels.ts';
import { registerConversationRoutes } from './routes/conversations.ts';
import { registerInboxRoutes } from './routes/inbox.ts';
import { registerOpsRoutes } from './routes/ops.ts';
import { registerStreamRoute } from './routes/stream.ts';
import { registerWebRoutes } from './routes/web.ts';

export interface CreateServerAppProps {
  deployment: Deployment;
  /** The demo page's data (the demo deployment); null: `/` answers where the API is. */
  demo?: DemoPageSource | null;
  /** The widget script; see `loadWidgetScript`. */
  widget: ServerContext['widget'];
  metrics?: ServiceMetrics;
  /** Longest `Prefer: wait` honoured (default 10 s). */
  maxWaitMs?: number;
}

/**
 * The HTTP API over a deployment (Hono, with zod schemas that give both the checks and `/openapi.json`): the REST
 * channel (`/v1/conversations...`), the event stream, the widget and the demo page, health and metrics. Errors are
 * problem documents; customer text and credentials never reach the logs. `app.request()` runs it in-process.
 *
 * @example
 * const { app } = createServerApp({ deployment, widget: loadWidgetScript() });
 * const res = await app.request('/healthz');
 */
export function createServerApp(props: CreateServerAppProps): {
  app: ServerApp;
  context: ServerContext;
  /** Stops feeding the metrics from the deployment's turns. */
  dispose: () => void;
} {
  const { deployment } = props;
  const { server, logger } = deployment;
  const metrics = props.metrics ?? createServiceMetrics({ jobs: deployment.store.jobs });
  const dispose = deployment.conversations.subscribe((turn) => metrics.onTurn(turn, deployment.clock.now()));
  const context: ServerContext = {
    deployment,
    auth: createAuthenticator({ store: deployment.store }),
    metrics,
    limits: {
      perKey: createRateLimiter({ perMinute: server.rateLimit.perKeyPerMinute }),
      perAddress: createRateLimiter({ perMinute: server.rateLimit.perAddressPerMinute }),
    },
    demo: props.demo ?? null,
    widget: props.widget,
    maxWaitMs: props.maxWaitMs ?? 10_000,
  };

  const app: ServerApp = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (result.success) return;
      return sendProblem(c, {
        status: 400,
        code: 'request.invalid',
        detail: 'the request does not match the API (see errors, and /openapi.json)',
        errors: result.error.issues.map((issue) => ({
          field: issue.path.map(String).join('.') || '(body)',
          message: issue.message,
        })),
      });
    },
  });

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    const route = routePath(c, -1) || 'unmatched';
    const seconds = (performance.now() - started) / 1000;
    metrics.onRequest({
      method: c.req.method,
      route: route === '*' ? 'unmatched' : route,
      status: c.res.status,
      seconds,
    });
    // Method, route pattern, status and time only: no path (it holds ids), no query, no body, no header.
    logger.debug(
      { method: c.req.method, route, status: c.res.status, ms: Math.round(seconds * 1000) },
      'request',
    );
  });

  app.use('/v1/*', corsAllowlist(server.corsOrigins));
  app.use('/v1/*', apiHeaders());
  app.use('/v1/*', async (c, next) => {
    if (c.req.method === 'OPTIONS') return next();
    const taken = context.limits.perAddress.take(`address:${clientAddress(c, server.trustProxy)}`);
    if (!taken.ok) {
      return sendProblem(
        c,
        {
          status: 429,
          code: 'rate_limited',
          detail: `too many requests from this address; retry in ${taken.retryAfterSeconds} s`,
        },
        { 'retry-after': String(taken.retryAfterSeconds) },
      );
    }
    await next();
  });
  app.use('/v1/*', async (c, next) => {
    if (c.req.method === 'POST' && !/^application\/json\b/i.test(c.req.header('content-type') ?? '')) {
      return sendProblem(c, {
        status: 415,
        code: 'request.content_type',
        detail: 'send JSON: Content-Type: application/json',
      });
    }
    return next();
  });
  app.use('/v1/*', readBodyLimited(server.bodyLimitBytes));
  app.use('/channels/*', apiHeaders());
  app.use('/channels/*', readBodyLimited(server.webhookBodyLimitBytes, { raw: true }));

  registerConversationRoutes(app, context);
  registerChannelRoutes(app, context);
  registerInboxRoutes(app, context);
  registerStreamRoute(app, context);
  registerOpsRoutes(app, context);
  registerWebRoutes(app, context);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key (sb_sk_..., sb_pk_... for the widget) or a conversation token (sb_ct_...).',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Switchboard',
      version: '1',
      description:
        'Customer-support automation: start conversations, post customer messages, stream the replies. Errors are RFC 9457 problem documents.',
    },
  });

  app.notFound((c) => sendProblem(c, { status: 404, code: 'not_found', detail: 'no such route' }));
  app.onError((error, c) => {
    const found = problemOfError(error);
    if (found.status >= 500) {
      logger.error({ code: found.code, route: routePath(c, -1) }, 'request failed');
    }
    // Malformed JSON bodies surface here from the validator.
    if (error instanceof SyntaxError || (error as { status?: number }).status === 400) {
      return sendProblem(c, {
        status: 400,
        code: 'request.malformed_json',
        detail: 'the body is not valid JSON',
      });
    }
    return sendProblem(c, found);
  });
  return { app, context, dispose };
}
