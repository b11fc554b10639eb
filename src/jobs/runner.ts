import { randomUUID } from 'node:crypto';
import { isSwitchboardError, type Logger, silentLogger } from '../shared/index.ts';
import type { ChangeFeed, ClaimedJob, JobFailure, JobQueue } from '../store/index.ts';

/**
 * What a job does. Return nothing (or `{ ok: true }`) when done, `{ ok: false, failure }` for an expected failure
 * (retried with backoff when retryable, else dead-lettered). A thrown OperationalError is retried, a thrown
 * UserError is dead-lettered at once, anything else (a bug) is retried until its attempts are spent. Handlers must
 * be idempotent: a job runs at least once.
 *
 * @example
 * const handlers: Record<string, JobHandler> = {
 *   'conversation.turn': async (job) => { await service.runTurns(String(job.payload.conversationId)); },
 * };
 */
export type JobHandler = (
  job: ClaimedJob,
  context: { signal: AbortSignal },
) => Promise<JobOutcome | undefined>;

export type JobOutcome = { ok: true } | { ok: false; failure: JobFailure };

export interface JobRunnerOptions {
  queue: JobQueue;
  handlers: Readonly<Record<string, JobHandler>>;
  /** Jobs run at once by this process (default 4). */
  concurrency?: number;
  workerId?: string;
  /** Wakes the runner when jobs are enqueued (here or, on PostgreSQL, anywhere). */
  changes?: ChangeFeed;
  /** Looks for due jobs at least this often, for scheduled jobs and retries (default 1 s). */
  pollIntervalMs?: number;
  logger?: Logger;
  /** After every attempt, for metrics: never customer data. */
  onAttempt?: (attempt: JobAttempt) => void;
}

export interface JobAttempt {
  queue: string;
  outcome: 'done' | 'retry' | 'dead';
  code?: string;
  durationMs: number;
}

export interface JobRunner {
  readonly workerId: string;
  /** Starts claiming and running jobs until `stop`. */
  start(): void;
  /** Stops claiming; waits up to `graceMs` (default 10 s) for the jobs running now. */
  stop(graceMs?: number): Promise<void>;
  /**
   * Runs every job that can run now, and the jobs those enqueue, until none is left that can run now (scheduled
   * jobs wait): the CLI's and tests' way to run jobs without a loop. Returns how many attempts ran.
   */
  drain(): Promise<number>;
}

/**
 * Runs jobs of the handlers' queues: claims up to `concurrency` at a time, runs each under its deadline (aborting
 * the handler's signal when the job's timeout passes), and ends each attempt with complete or fail. Sleeps until a
 * change says jobs were enqueued, or the poll interval passes.
 *
 * @example
 * const runner = createJobRunner({ queue: store.jobs, handlers, changes: store.changes, concurrency: 8 });
 * runner.start();
 * // ... on SIGTERM:
 * await runner.stop();
 */
export function createJobRunner(options: JobRunnerOptions): JobRunner {
  const { queue, handlers } = options;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const workerId = options.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const logger = options.logger ?? silentLogger;
  const queues = Object.keys(handlers);
  const running = new Set<Promise<void>>();
  let started = false;
  let stopping = false;
  let claiming = false;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let unsubscribe: (() => void) | undefined;

  async function attempt(job: ClaimedJob): Promise<JobAttempt['outcome']> {
    const started = performance.now();
    const handler = handlers[job.queue];
    const controller = new AbortController();
    let deadline: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<JobOutcome>((resolve) => {
      deadline = setTimeout(() => {
        controller.abort();
        resolve({
          ok: false,
          failure: {
            code: 'job.timeout',
            message: `did not finish within ${job.timeoutMs} ms`,
            retryable: true,
          },
        });
      }, job.timeoutMs);
    });
    let outcome: JobOutcome;
    try {
      outcome = handler
        ? ((await Promise.race([handler(job, { signal: controller.signal }), timedOut])) ?? { ok: true })
        : {
            ok: false,
            failure: { code: 'job.no_handler', message: `no handler for ${job.queue}`, retryable: false },
          };
    } catch (error) {
      outcome = { ok: false, failure: failureOf(error) };
    } finally {
      clearTimeout(deadline);
    }
    let result: JobAttempt['outcome'] = 'done';
    try {
      if (outcome.ok) await queue.complete(job);
      else result = await queue.fail(job, outcome.failure);
    } catch (error) {
      // The store is unreachable: the claim runs out and the job runs again.
      logger.error({ queue: job.queue, job: job.id, code: failureOf(error).code }, 'cannot finish a job');
    }
    const durationMs = performance.now() - started;
    if (!outcome.ok) {
      const { code } = outcome.failure;
      const fields = { queue: job.queue, job: job.id, attempt: job.attempt, code, durationMs };
      if (result === 'dead') logger.error(fields, 'job dead-lettered');
      else logger.warn(fields, 'job failed; will retry');
    }
    options.onAttempt?.({
      queue: job.queue,
      outcome: result,
      ...(outcome.ok ? {} : { code: outcome.failure.code }),
      durationMs,
    });
    return result;
  }

  /** Claims while there is room; each finished job makes room and claims again. */
  async function fill(): Promise<void> {
    if (claiming) {
      again = true;
      return;
    }
    claiming = true;
    try {
      do {
        again = false;
        while (!stopping && running.size < concurrency) {
          const jobs = await queue.claim({ queues, limit: concurrency - running.size, workerId });
          if (jobs.length === 0) break;
          for (const job of jobs) {
            const run: Promise<void> = attempt(job).then<void, void>(
              () => {
                running.delete(run);
                // On the next turn of the event loop: requests waiting (new connections among them) go first.
                if (started && !stopping) setImmediate(() => void fill());
              },
              () => {
                running.delete(run);
              },
            );
            running.add(run);
          }
        }
      } while (again && !stopping);
    } catch (error) {
      logger.error({ code: failureOf(error).code }, 'cannot claim jobs; trying again shortly');
    } finally {
      claiming = false;
    }
  }

  const schedule = () => {
    if (!started || stopping) return;
    timer = setTimeout(() => {
      void fill().finally(schedule);
    }, pollIntervalMs);
    timer.unref?.();
  };

  return {
    workerId,
    start() {
      if (started) return;
      started = true;
      unsubscribe = options.changes?.subscribe((change) => {
        if (change.topic === 'jobs' || change.topic === 'any') setImmediate(() => void fill());
      });
      void fill();
      schedule();
    },
    async stop(graceMs = 10_000) {
      stopping = true;
      clearTimeout(timer);
      unsubscribe?.();
      const all = Promise.allSettled([...running]);
      await Promise.race([all, new Promise((resolve) => setTimeout(resolve, graceMs).unref?.())]);
    },
    async drain() {
      let attempts = 0;
      for (;;) {
        const jobs = await queue.claim({ queues, limit: concurrency, workerId });
        if (jobs.length === 0) return attempts;
        attempts += jobs.length;
        await Promise.all(jobs.map((job) => attempt(job)));
      }
    },
  };
}

/** A thrown error as a job failure: operational errors are worth retrying, user errors are not. */
export function failureOf(error: unknown): JobFailure {
  if (isSwitchboardError(error)) {
    return {
      code: error.code,
      message: error.message.split('\n')[0] ?? error.code,
      retryable: error.kind !== 'user',
    };
  }
  const name = error instanceof Error ? error.name : typeof error;
  return { code: 'job.error', message: `the handler threw ${name}`, retryable: true };
}
