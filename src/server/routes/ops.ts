import type { ServerApp, ServerContext } from '../context.ts';
import { sendProblem } from '../problems.ts';

/** Answers within this or the dependency counts as down. */
const READY_TIMEOUT_MS = 2000;

/**
 * Operations: `/healthz` (the process answers), `/readyz` (the store and the job queue answer: take traffic),
 * `/metrics` (Prometheus text).
 */
export function registerOpsRoutes(app: ServerApp, context: ServerContext): void {
  const { store } = context.deployment;
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const checks = await Promise.all([
      within(store.findConversation('readyz-probe').then(() => 'ok' as const)),
      within(store.jobs.counts().then(() => 'ok' as const)),
    ]);
    const [storeState, queueState] = checks;
    if (storeState === 'ok' && queueState === 'ok') {
      return c.json({
        status: 'ready',
        store: storeState,
        queue: queueState,
        versions: context.deployment.versions(),
      });
    }
    return sendProblem(c, {
      status: 503,
      code: 'not_ready',
      detail: `store: ${storeState}, job queue: ${queueState}`,
    });
  });
  app.get('/metrics', async (c) => {
    const text = await context.metrics.registry.metrics();
    return c.body(text, 200, { 'content-type': context.metrics.registry.contentType });
  });
}

async function within(check: Promise<'ok'>): Promise<'ok' | 'unavailable' | 'timeout'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), READY_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check.catch(() => 'unavailable' as const), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
