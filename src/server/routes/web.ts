import { signCustomerIdentity } from '../../access/index.ts';
import { DEMO_CSS, renderDemoPage } from '../../web/index.ts';
import type { ServerApp, ServerContext } from '../context.ts';
import { sendProblem } from '../problems.ts';

/** The pages' Content-Security-Policy: nothing but this origin's own script, style and API. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The widget script (`/widget.js`, for any site to embed: CORP cross-origin, no cookies) and, when the deployment
 * serves it, the demo shop page at `/` with its stylesheet.
 */
export function registerWebRoutes(app: ServerApp, context: ServerContext): void {
  app.get('/widget.js', async (c) => {
    const widget = await context.widget();
    if (!widget) {
      return sendProblem(c, {
        status: 503,
        code: 'widget.not_built',
        detail: 'the widget script is not built: run `npm run build`',
      });
    }
    if (c.req.header('if-none-match') === widget.etag) return c.body(null, 304, { etag: widget.etag });
    return c.body(widget.code, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=300',
      'cross-origin-resource-policy': 'cross-origin',
      'x-content-type-options': 'nosniff',
      etag: widget.etag,
    });
  });

  const demo = context.demo;
  if (!demo) {
    app.get('/', (c) =>
      c.json({ service: 'switchboard', api: '/v1', openapi: '/openapi.json', health: '/healthz' }),
    );
    return;
  }
  app.get('/demo.css', (c) =>
    c.body(DEMO_CSS, 200, {
      'content-type': 'text/css; charset=utf-8',
      'cache-control': 'public, max-age=300',
      'x-content-type-options': 'nosniff',
    }),
  );
  app.get('/', async (c) => {
    const { widgetKey, identitySecret } = await demo.key();
    const wanted = c.req.query('customer');
    const chosen =
      wanted === undefined
        ? (demo.customers[0] ?? null)
        : (demo.customers.find((d) => d.email === wanted.trim().toLowerCase()) ?? null);
    const html = renderDemoPage({
      widgetKey,
      scriptUrl: '/widget.js',
      customer: chosen
        ? {
            ...chosen,
            ...(identitySecret ? { signature: signCustomerIdentity(identitySecret, chosen.email) } : {}),
          }
        : null,
      customers: [...demo.customers],
      tryThis: [...demo.tryThis],
    });
    return c.html(html, 200, {
      'content-security-policy': PAGE_CSP,
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
    });
  });
}
