import type { AddressInfo } from 'node:net';
import { serve as serveNode } from '@hono/node-server';
import type { DemoPageSource, Deployment } from '../app/index.ts';
import { UserError } from '../shared/index.ts';
import { createServerApp } from './app.ts';
import type { ServerContext } from './context.ts';
import { createServiceMetrics } from './metrics.ts';

export interface RunningServer {
  /** `http://host:port`. */
  url: string;
  port: number;
  /** Stops taking requests and jobs, lets running jobs finish (up to `graceMs`), and closes the listener. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Serves a deployment over HTTP and, unless `jobs` is false, runs its jobs in the same process (on SQLite this
 * process is the one that runs them). Watches the store for newly activated models, sweeps for messages left
 * unanswered by a process that died, and feeds the metrics.
 *
 * @example
 * const server = await startServer({ deployment, host: '127.0.0.1', port: 8080, widget: loadWidgetScript() });
 * // ... on SIGTERM:
 * await server.close();
 */
export async function startServer(props: {
  deployment: Deployment;
  host: string;
  port: number;
  widget: ServerContext['widget'];
  demo?: DemoPageSource | null;
  /** Run the jobs here too (default true). */
  jobs?: boolean;
  /** Only these job queues (default all). */
  queues?: readonly string[];
  concurrency?: number;
}): Promise<RunningServer> {
  const { deployment } = props;
  const metrics = createServiceMetrics({ jobs: deployment.store.jobs });
  const { app, dispose } = createServerApp({
    deployment,
    widget: props.widget,
    metrics,
    ...(props.demo ? { demo: props.demo } : {}),
  });
  deployment.watch();

  const server = serveNode({ fetch: app.fetch, hostname: props.host, port: props.port });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new UserError(
            'serve.port_in_use',
            `port ${props.port} on ${props.host} is in use: choose another with --port`,
            {
              field: '--port',
            },
          ),
        );
      } else if (error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL') {
        reject(
          new UserError(
            'serve.cannot_listen',
            `cannot listen on ${props.host}:${props.port} (${error.code})`,
            { field: '--host' },
          ),
        );
      } else reject(error);
    });
  });
  const { port } = server.address() as AddressInfo;

  const runner =
    props.jobs === false
      ? null
      : deployment.createRunner({
          ...(props.queues ? { queues: props.queues } : {}),
          ...(props.concurrency ? { concurrency: props.concurrency } : {}),
          onAttempt: (attempt) => metrics.onJobAttempt(attempt),
        });
  if (runner) {
    runner.start();
    // Messages a dead process left unanswered, now and every minute (one sweep a minute across processes).
    await deployment.conversations.sweep().catch(() => 0);
    await deployment.conversations.scheduleSweep();
  }

  return {
    url: `http://${props.host.includes(':') ? `[${props.host}]` : props.host}:${port}`,
    port,
    async close(graceMs = 10_000) {
      dispose();
      await runner?.stop(graceMs);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open streams would hold close() forever: they are cut, and clients resume with Last-Event-ID.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}
