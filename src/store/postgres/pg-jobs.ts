import { createHash } from 'node:crypto';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { BugError, type Logger } from '../../shared/index.ts';
import {
  addCount,
  type ClaimedJob,
  DEFAULT_JOB_TIMEOUT_MS,
  DEFAULT_MAX_ATTEMPTS,
  type DeadJob,
  type JobCounts,
  type JobQueue,
  type JobRequest,
} from '../job-queue.ts';

/** Runs one statement on a connection: the pool's, or a transaction's. */
export type SqlExecutor = (text: string, values?: unknown[]) => Promise<{ rows: unknown[] }>;

export interface PgJobQueue extends JobQueue {
  /** Creates the queues (pg-boss needs a queue before a job can be sent to it); cached, so cheap when known. */
  prepare(queues: readonly string[]): Promise<void>;
  /** Sends jobs on the caller's connection, inside the caller's transaction. Call `prepare` first. */
  enqueueIn(executor: SqlExecutor, jobs: readonly JobRequest[]): Promise<void>;
  /** Completes a job on the caller's connection, inside the caller's transaction (its lock goes with `complete`). */
  completeIn(executor: SqlExecutor, job: ClaimedJob): Promise<void>;
}

/** A job fetched while another process started one of its key goes back to wait this long. */
const KEY_BUSY_RETRY_MS = 25;
/** Failed (dead) jobs stay in pg-boss's job table, where `listDead` reads them, this long. */
const DEAD_KEPT_SECONDS = 30 * 24 * 3600;
/** Finished jobs stay (and their ids keep deduplicating keys) this long before pg-boss archives them. */
const FINISHED_KEPT_SECONDS = 12 * 3600;

/**
 * The PostgreSQL job queue, on pg-boss 10 (the last line that runs on Node 20), in its own schema beside the
 * store's. What we add on top:
 * - Transactional enqueue: `enqueueIn` sends through the caller's transaction (pg-boss's `db` option), so a turn
 *   and its jobs commit together.
 * - Idempotent keys: a job's id is a UUID derived from its key, and pg-boss inserts with ON CONFLICT DO NOTHING.
 * - Exclusive keys: pg-boss's singleton policies block the whole queue while one key runs (its fetch fails when
 *   the oldest job's key is active), so claims use a fetch of our own on pg-boss's table (the same update pg-boss
 *   makes) that leaves out jobs whose key has a job active, through an index of ours on active keys; and a claimed
 *   job takes a session advisory lock on its key, on one connection per process, which settles two processes
 *   fetching one key at once (the loser's job goes back to wait, unchanged). A killed process's session ends and
 *   its locks go with it. Jobs of one key run one at a time, not necessarily in order (`fifoWithinExclusiveKey`).
 * - Dead letters: a job out of attempts, or failed for good, is left `failed` in pg-boss's table with its error.
 * - Recovery: a job whose process died is failed by pg-boss's maintenance once its `expire_in` (the job's
 *   timeout) has passed, and retried; maintenance runs every `maintenanceIntervalSeconds`.
 */
export function openPgJobQueue(props: {
  url: string;
  pool: pg.Pool;
  /** pg-boss's schema: its tables live apart from the store's. */
  schema: string;
  logger: Logger;
  onEnqueued: () => void;
  maintenanceIntervalSeconds?: number;
}): PgJobQueue {
  const { pool, schema, logger } = props;
  const maintenanceIntervalSeconds = props.maintenanceIntervalSeconds ?? 5;
  const poolExecutor: SqlExecutor = (text, values) => pool.query(text, values as unknown[]);
  const boss = new PgBoss({
    db: { executeSql: poolExecutor },
    schema,
    supervise: true,
    schedule: false,
    migrate: true,
    maintenanceIntervalSeconds,
    archiveCompletedAfterSeconds: FINISHED_KEPT_SECONDS,
    archiveFailedAfterSeconds: DEAD_KEPT_SECONDS,
  });
  boss.on('error', (error: Error & { code?: string }) => {
    logger.warn({ code: error.code ?? error.name }, 'job queue: pg-boss reported an error');
  });
  const table = `${quoteIdent(schema)}.job`;
  // Started on first use: a store that only imports tickets never creates pg-boss's schema or its timers.
  let starting: Promise<unknown> | null = null;
  let stopped = false;
  const started = () => {
    starting ??= boss.start().then(() => createActiveKeyIndex(pool, table));
    return starting;
  };

  const known = new Set<string>();
  // One creation per queue in this process: two requests enqueueing to a new queue at once (two webhook
  // deliveries of one message) made pg-boss create it twice, and PostgreSQL detected a deadlock.
  const creating = new Map<string, Promise<void>>();
  const create = (queue: string) => {
    let done = creating.get(queue);
    if (!done) {
      done = createQueueOnce(boss, queue).then(
        () => {
          known.add(queue);
        },
        (error: unknown) => {
          creating.delete(queue);
          throw error;
        },
      );
      creating.set(queue, done);
    }
    return done;
  };
  const prepare = async (queues: readonly string[]) => {
    if (queues.every((q) => known.has(q))) return;
    await started();
    for (const queue of queues) if (!known.has(queue)) await create(queue);
  };
  const locks = createLockHolder(props.url, schema);

  const send = async (executor: SqlExecutor, job: JobRequest) => {
    if (!known.has(job.queue)) {
      throw new BugError('jobs.unknown_queue', `queue "${job.queue}" was not prepared before enqueueing`);
    }
    const maxAttempts = job.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    const timeoutMs = job.timeoutMs ?? DEFAULT_JOB_TIMEOUT_MS;
    const options: PgBoss.SendOptions = {
      retryLimit: Math.max(0, maxAttempts - 1),
      retryDelay: 1,
      retryBackoff: true,
      expireInSeconds: Math.max(1, Math.ceil(timeoutMs / 1000)),
      db: { executeSql: executor },
    };
    if (job.key !== undefined) options.id = uuidOf(`${job.queue}\u0000${job.key}`);
    if (job.exclusiveKey !== undefined) options.singletonKey = job.exclusiveKey;
    if (job.runAt !== undefined) options.startAfter = new Date(job.runAt);
    await boss.send(job.queue, { payload: job.payload, createdAt: Date.now() }, options);
  };

  const held = new Map<string, string>();
  const unlock = async (job: ClaimedJob) => {
    const key = held.get(job.id);
    if (key === undefined) return;
    held.delete(job.id);
    await locks.unlock(key);
  };

  let nextQueue = 0;
  return {
    capabilities: { fifoWithinExclusiveKey: false, recoveryDelayMs: maintenanceIntervalSeconds * 1000 },
    prepare,
    async enqueueIn(executor, jobs) {
      for (const job of jobs) await send(executor, job);
    },
    async completeIn(executor, job) {
      await started();
      await boss.complete(job.queue, job.id, {}, { db: { executeSql: executor } });
    },
    async enqueue(jobs) {
      if (jobs.length === 0) return;
      await prepare(jobs.map((j) => j.queue));
      const client = await pool.connect();
      try {
        await client.query('begin');
        for (const job of jobs) await send((text, values) => client.query(text, values as unknown[]), job);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
      props.onEnqueued();
    },
    async claim(request) {
      if (request.limit <= 0 || request.queues.length === 0 || stopped) return [];
      await prepare(request.queues);
      const claimed: ClaimedJob[] = [];
      // Start at another queue each time, so a busy queue cannot starve the others.
      const order = request.queues.map((_, i) => request.queues[(nextQueue + i) % request.queues.length]!);
      nextQueue = (nextQueue + 1) % request.queues.length;
      for (const queue of order) {
        const rows = await fetchRunnable(pool, table, queue, request.limit - claimed.length);
        for (const row of rows) {
          const claimedJob: ClaimedJob = {
            id: row.id,
            workerId: request.workerId,
            queue,
            payload: row.data?.payload ?? {},
            key: null,
            exclusiveKey: row.singleton_key,
            attempt: row.retry_count + 1,
            maxAttempts: row.retry_limit + 1,
            timeoutMs: Number(row.expire_seconds) * 1000,
            createdAt: row.data?.createdAt ?? row.created_on.getTime(),
          };
          if (claimedJob.exclusiveKey !== null) {
            // Held until the job ends. Two processes may fetch jobs of one key at once (neither saw the other's
            // still uncommitted claim): the lock settles it, and the job that lost goes back to wait, as it was.
            if (!(await locks.lock(claimedJob.exclusiveKey))) {
              await pool.query(
                `update ${table} set state = 'created', started_on = null,
                   start_after = now() + $3 * interval '1 millisecond'
                 where name = $1 and id = $2 and state = 'active'`,
                [queue, row.id, KEY_BUSY_RETRY_MS],
              );
              continue;
            }
            held.set(row.id, claimedJob.exclusiveKey);
          }
          claimed.push(claimedJob);
        }
      }
      return claimed;
    },
    async complete(job) {
      try {
        await boss.complete(job.queue, job.id);
      } finally {
        await unlock(job);
      }
    },
    async fail(job, failure) {
      try {
        const output = { code: failure.code, message: failure.message.slice(0, 2000) };
        const retry = failure.retryable && job.attempt < job.maxAttempts;
        if (!retry) {
          // Out of attempts (or never worth another): pg-boss fails a job for good once its count is spent.
          await pool.query(`update ${table} set retry_limit = retry_count where name = $1 and id = $2`, [
            job.queue,
            job.id,
          ]);
        }
        await boss.fail(job.queue, job.id, output);
        if (retry && failure.retryInMs !== undefined) {
          await pool.query(
            `update ${table} set start_after = now() + $3 * interval '1 millisecond'
             where name = $1 and id = $2 and state = 'retry'`,
            [job.queue, job.id, failure.retryInMs],
          );
        }
        return retry ? 'retry' : 'dead';
      } finally {
        await unlock(job);
      }
    },
    async counts() {
      await started();
      const { rows } = await pool.query<{ name: string; state: string; later: boolean; n: string }>(
        `select name, state::text as state, (start_after > now()) as later, count(*) as n from ${table}
         where state in ('created', 'retry', 'active', 'failed') group by name, state, later`,
      );
      const counts: JobCounts = { queued: 0, scheduled: 0, active: 0, dead: 0, byQueue: {} };
      for (const row of rows) {
        const bucket =
          row.state === 'active'
            ? 'active'
            : row.state === 'failed'
              ? 'dead'
              : row.later
                ? 'scheduled'
                : 'queued';
        addCount(counts, row.name, bucket, Number(row.n));
      }
      return counts;
    },
    async listDead({ limit, queue }) {
      await started();
      const { rows } = await pool.query<{
        id: string;
        name: string;
        singleton_key: string | null;
        retry_count: number;
        output: { code?: string; message?: string; value?: { message?: string } } | null;
        created_on: Date;
        completed_on: Date | null;
      }>(
        `select id, name, singleton_key, retry_count, output, created_on, completed_on from ${table}
         where state = 'failed' and ($1::text is null or name = $1)
         order by completed_on desc nulls last, id limit $2`,
        [queue ?? null, limit],
      );
      return rows.map(
        (row): DeadJob => ({
          id: row.id,
          queue: row.name,
          key: null,
          exclusiveKey: row.singleton_key,
          attempts: row.retry_count + 1,
          code: row.output?.code ?? 'job.timeout',
          error: row.output?.message ?? row.output?.value?.message ?? '',
          createdAt: row.created_on.getTime(),
          failedAt: (row.completed_on ?? row.created_on).getTime(),
        }),
      );
    },
    async retryDead(ids) {
      if (ids.length === 0) return 0;
      await started();
      const { rows } = await pool.query<{ id: string }>(
        `update ${table} set state = 'retry', retry_limit = retry_count + $2, start_after = now(),
           completed_on = null, output = null
         where id = any($1::uuid[]) and state = 'failed' returning id`,
        [ids.filter(isUuid), DEFAULT_MAX_ATTEMPTS],
      );
      if (rows.length > 0) props.onEnqueued();
      return rows.length;
    },
    async close() {
      stopped = true;
      if (starting) {
        await starting.catch(() => undefined);
        await boss.stop({ graceful: false, close: false, wait: true });
      }
      await locks.close();
    },
  };
}

interface FetchedRow {
  id: string;
  data: { payload?: Record<string, unknown>; createdAt?: number } | null;
  singleton_key: string | null;
  retry_count: number;
  retry_limit: number;
  expire_seconds: string;
  created_on: Date;
}

/**
 * pg-boss's fetch (oldest first, skipping rows other fetches hold, counting a retry as pg-boss does), leaving out
 * jobs whose exclusive key already has an active job in any queue: a conversation with a turn running and more
 * messages queued does not stand in front of the others.
 */
async function fetchRunnable(
  pool: pg.Pool,
  table: string,
  queue: string,
  limit: number,
): Promise<FetchedRow[]> {
  const { rows } = await pool.query<FetchedRow>(
    `with next as (
       select id from ${table} j
       where name = $1 and state < 'active' and start_after < now()
         and (singleton_key is null or not exists (
           select 1 from ${table} a where a.singleton_key = j.singleton_key and a.state = 'active'))
       order by priority desc, created_on, id
       limit $2
       for update skip locked
     )
     update ${table} j set
       state = 'active',
       started_on = now(),
       retry_count = case when started_on is not null then retry_count + 1 else retry_count end
     from next
     where j.name = $1 and j.id = next.id
     returning j.id, j.data, j.singleton_key, j.retry_count, j.retry_limit,
       extract(epoch from j.expire_in)::text as expire_seconds, j.created_on`,
    [queue, limit],
  );
  // One per key: two waiting jobs of an idle key may both have been taken; the later goes back.
  return rows.sort((a, b) => a.created_on.getTime() - b.created_on.getTime() || a.id.localeCompare(b.id));
}

/** The index the fetch's "no active job of this key" reads (pg-boss has none on keys alone); created once. */
async function createActiveKeyIndex(pool: pg.Pool, table: string): Promise<void> {
  try {
    await pool.query(
      `create index if not exists switchboard_job_active_key on ${table} (singleton_key) where state = 'active'`,
    );
  } catch (error) {
    // Another process created it at the same moment.
    const code = (error as { code?: string }).code;
    if (code !== '23505' && code !== '42P07') throw error;
  }
}

/**
 * Session advisory locks on one connection: held while a job runs, released with the job or, if the process
 * dies, with the session. Keys are hashed with the schema so two deployments on one database never collide.
 */
function createLockHolder(url: string, namespace: string) {
  // Advisory locks are re-entrant within a session: two jobs of one key in this process are kept apart here.
  const local = new Set<string>();
  let client: pg.Client | null = null;
  let connecting: Promise<pg.Client> | null = null;
  const connection = async () => {
    if (client) return client;
    connecting ??= (async () => {
      const next = new pg.Client({ connectionString: url });
      next.on('error', () => {
        // The session is gone, and its locks with it; the next lock opens a new one.
        if (client === next) client = null;
      });
      await next.connect();
      client = next;
      connecting = null;
      return next;
    })();
    return connecting;
  };
  const text = (key: string) => `${namespace}\u001f${key}`;
  return {
    /** Takes the key's lock if no job of it runs, here or in another process; false when one does. */
    async lock(key: string): Promise<boolean> {
      if (local.has(key)) return false;
      local.add(key);
      try {
        const c = await connection();
        const { rows } = await c.query<{ ok: boolean }>(
          'select pg_try_advisory_lock(hashtextextended($1, 0)) as ok',
          [text(key)],
        );
        if (rows[0]?.ok) return true;
      } catch (error) {
        local.delete(key);
        throw error;
      }
      local.delete(key);
      return false;
    },
    async unlock(key: string): Promise<void> {
      const c = client;
      if (c) {
        await c
          .query('select pg_advisory_unlock(hashtextextended($1, 0))', [text(key)])
          .catch(() => undefined);
      }
      local.delete(key);
    },
    async close() {
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}

/** A UUID (version 5 layout) from a key: the same key always gives the same job id. */
export function uuidOf(key: string): string {
  const hex = createHash('sha1').update(key).digest('hex');
  const variant = ((Number.parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new BugError(
      'jobs.bad_schema',
      `job schema name ${JSON.stringify(name)} is not a plain identifier`,
    );
  }
  return `"${name}"`;
}

/**
 * Creates a pg-boss queue (idempotent in pg-boss), trying again when another process creating the same queue at
 * the same moment makes PostgreSQL report a deadlock (40P01) or a duplicate (23505): the other one won.
 */
async function createQueueOnce(boss: PgBoss, queue: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await boss.createQueue(queue, { name: queue, policy: 'standard' });
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if ((code !== '40P01' && code !== '23505') || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}
