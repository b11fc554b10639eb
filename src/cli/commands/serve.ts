import type { Command } from 'commander';
import { createLogger, type Deployment, demoPageSource, logLevelFromEnv } from '../../app/index.ts';
import { DEFAULT_CONFIG_FILE } from '../../config/index.ts';
import { loadWidgetScript, startServer } from '../../server/index.ts';
import { UserError } from '../../shared/index.ts';
import type { CliIo } from '../io.ts';
import { tuneHeapForService } from '../service-heap.ts';
import { DB_HELP, MODEL_HELP, openDeploymentFromOptions, parsePort, parsePositiveInt } from './options.ts';

interface ServeOpts {
  config?: string;
  db?: string;
  model?: string;
  workflows?: string;
  host?: string;
  port?: string;
  jobs: boolean;
  concurrency?: string;
  queues?: string;
}

/**
 * `switchboard serve`: the HTTP API, the chat widget and (in the demo deployment) the demo page, with the jobs
 * run in the same process unless `--no-jobs`. Runs until SIGINT / SIGTERM, then stops taking requests and jobs
 * and lets the running ones finish. On PostgreSQL, run as many `serve` and `worker` processes as you like.
 *
 * @example
 * switchboard serve --port 8080
 * DATABASE_URL=postgres://sb@db/switchboard switchboard serve --no-jobs   # beside `switchboard worker`s
 */
export function registerServe(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('serve the API, the chat widget and the demo page; runs the jobs too unless --no-jobs')
    .option('--config <file>', `deployment configuration (default: ./${DEFAULT_CONFIG_FILE} when it exists)`)
    .option('--db <path>', DB_HELP)
    .option('--model <file>', MODEL_HELP)
    .option('--workflows <dir>', "workflow folder (default: the configuration's, else ./workflows)")
    .option('--host <host>', "address to listen on (default: the configuration's, 127.0.0.1)")
    .option('--port <n>', "port (default: the configuration's, 8080)")
    .option('--no-jobs', 'serve only; `switchboard worker` processes run the jobs (PostgreSQL)')
    .option('--concurrency <n>', "jobs run at once (default: the configuration's, 8)")
    .option(
      '--queues <list>',
      'run only these job queues, comma-separated (conversation.turn, connector.call, ...)',
    )
    .action(async (opts: ServeOpts) => {
      const port = opts.port !== undefined ? parsePort(opts.port) : undefined;
      const concurrency =
        opts.concurrency !== undefined ? parsePositiveInt(opts.concurrency, '--concurrency') : undefined;
      const deployment = await openDeploymentFromOptions(
        opts,
        io,
        createLogger({ level: logLevelFromEnv(io.env) }),
      );
      let queues: string[] | undefined;
      try {
        queues = parseQueues(opts.queues, deployment.jobQueues());
      } catch (error) {
        await deployment.close();
        throw error;
      }
      if (!opts.jobs && !deployment.store.capabilities.concurrentWriters) {
        await deployment.close();
        throw new UserError(
          'serve.sqlite_needs_jobs',
          'on SQLite the serving process runs the jobs: --no-jobs needs PostgreSQL (DATABASE_URL)',
          { field: '--no-jobs' },
        );
      }
      await serveDeployment({
        deployment,
        io,
        ...(opts.host ? { host: opts.host } : {}),
        ...(port !== undefined ? { port } : {}),
        jobs: opts.jobs,
        ...(concurrency ? { concurrency } : {}),
        ...(queues ? { queues } : {}),
        tryThis: false,
      });
    });
}

/**
 * Serves an open deployment until SIGINT / SIGTERM, then shuts down in order (requests, jobs, store). Prints the
 * URL and, for the demo deployment, what to try there.
 */
export async function serveDeployment(props: {
  deployment: Deployment;
  io: CliIo;
  host?: string;
  port?: number;
  jobs?: boolean;
  concurrency?: number;
  queues?: readonly string[];
  tryThis: boolean;
  /** The demo agent of `switchboard start`, to print with the inbox's address. */
  demoAgent?: { email: string; password: string };
}): Promise<void> {
  const { deployment, io } = props;
  const { server: config } = deployment;
  tuneHeapForService();
  let running: Awaited<ReturnType<typeof startServer>>;
  try {
    running = await startServer({
      deployment,
      host: props.host ?? config.host,
      port: props.port ?? config.port,
      widget: loadWidgetScript(),
      demo: config.demoPage ? demoPageSource(deployment) : null,
      jobs: props.jobs !== false,
      ...(props.concurrency ? { concurrency: props.concurrency } : {}),
      ...(props.queues ? { queues: props.queues } : {}),
    });
  } catch (error) {
    await deployment.close();
    throw error;
  }
  const versions = deployment.versions();
  io.stdout.write(
    [
      '',
      `Switchboard is serving on ${running.url}  (Ctrl-C stops it)`,
      `  store ${deployment.store.capabilities.location}; NLU model ${versions.nlu === null ? 'none' : `v${versions.nlu}`}; ` +
        `knowledge base ${versions.kb === null ? 'none' : `v${versions.kb}`}; ${deployment.workflows.length} workflows; ` +
        `jobs ${props.jobs === false ? 'in worker processes' : 'in this process'}`,
      ...(config.demoPage
        ? [
            `  the demo shop with the chat widget   ${running.url}/`,
            ...(props.tryThis
              ? [
                  '    open it, click the chat button and ask "Where is my order?": pick an order, answer "No" to',
                  '    "Does that answer your question?", and watch the hand-off to a person',
                ]
              : []),
          ]
        : []),
      `  the agent inbox                      ${running.url}/inbox   ${
        props.demoAgent
          ? `(sign in as ${props.demoAgent.email}, password ${props.demoAgent.password})`
          : '(people: switchboard users add)'
      }`,
      `  the API                              ${running.url}/openapi.json   (keys: switchboard keys create)`,
      `  health and metrics                   ${running.url}/readyz   ${running.url}/metrics`,
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.stdout.write('\nstopping: finishing the jobs in flight...\n');
      void running
        .close()
        .then(() => deployment.close())
        .finally(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `--queues a,b`: names checked against the deployment's queues; undefined when absent (every queue). */
export function parseQueues(text: string | undefined, known: readonly string[]): string[] | undefined {
  if (text === undefined) return undefined;
  const queues = text
    .split(',')
    .map((q) => q.trim())
    .filter(Boolean);
  const unknown = queues.filter((q) => !known.includes(q));
  if (queues.length === 0 || unknown.length > 0) {
    throw new UserError(
      'cli.bad_queue',
      `unknown queue ${unknown.join(', ') || '(none given)'} (queues: ${known.join(', ')})`,
      { field: '--queues' },
    );
  }
  return queues;
}
