export { type CreateServerAppProps, createServerApp } from './app.ts';
export type { ServerContext } from './context.ts';
export { createServiceMetrics, type ServiceMetrics } from './metrics.ts';
export { PAGE_CSP } from './routes/web.ts';
export { type RunningServer, startServer } from './serve.ts';
export { loadWidgetScript } from './widget-asset.ts';
