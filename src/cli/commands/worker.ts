import type { Command } from 'commander';
import { createLogger, logLevelFromEnv } from '../../app/index.ts';
import { DEFAULT_CONFIG_FILE } from '../../config/index.ts';
import { UserError } from '../../shared/index.ts';
import type { CliIo } from '../io.ts';
import { tuneHeapForService } from '../service-heap.ts';
import { MODEL_HELP, openDeploymentFromOptions, parsePositiveInt } from './options.ts';
import { parseQueues } from './serve.ts';

interface WorkerOpts {
  config?: string;
  db?: string;
  model?: string;
  workflows?: string;
  concurrency?: string;
  queues?: string;
}

/**
 * `switchboard worker`: runs the deployment's jobs (turns, connector calls, sweeps) without serving HTTP, until
 * SIGINT / SIGTERM. PostgreSQL only: on SQLite the `serve` process runs them.
 *
 * @example
 * DATABASE_URL=postgres://sb@db/switchboard switchboard worker --concurrency 16
 */
export function registerWorker(program: Command, io: CliIo): void {
  program
    .command('worker')
    .description('run the jobs (turns, connector calls) without serving HTTP; PostgreSQL')
    .option('--config <file>', `deployment configuration (default: ./${DEFAULT_CONFIG_FILE} when it exists)`)
    .option('--db <path>', "postgres:// URL (default: DATABASE_URL, else the configuration's)")
    .option('--model <file>', MODEL_HELP)
    .option('--workflows <dir>', "workflow folder (default: the configuration's, else ./workflows)")
    .option('--concurrency <n>', "jobs run at once (default: the configuration's, 8)")
    .option('--queues <list>', 'only these queues, comma-separated (conversation.turn, connector.call, ...)')
    .action(async (opts: WorkerOpts) => {
      const concurrency =
        opts.concurrency !== undefined ? parsePositiveInt(opts.concurrency, '--concurrency') : undefined;
      const logger = createLogger({ level: logLevelFromEnv(io.env) });
      tuneHeapForService();
      const deployment = await openDeploymentFromOptions(opts, io, logger);
      if (!deployment.store.capabilities.concurrentWriters) {
        await deployment.close();
        throw new UserError(
          'worker.needs_postgres',
          'on SQLite `switchboard serve` runs the jobs; separate workers need PostgreSQL (DATABASE_URL)',
          { field: '--db' },
        );
      }
      let queues: string[] | undefined;
      try {
        queues = parseQueues(opts.queues, deployment.jobQueues());
      } catch (error) {
        await deployment.close();
        throw error;
      }
      const runner = deployment.createRunner({
        ...(concurrency ? { concurrency } : {}),
        ...(queues ? { queues } : {}),
      });
      deployment.watch();
      runner.start();
      await deployment.conversations.scheduleSweep();
      io.stdout.write(
        `Switchboard worker ${runner.workerId}: running ${queues?.join(', ') ?? 'every queue'} on ${deployment.store.capabilities.location} (Ctrl-C stops it)\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void runner
            .stop()
            .then(() => deployment.close())
            .finally(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
