/**
 * Durable background jobs: the store's job facet (`store.jobs`). It lives with the store because a turn's jobs
 * are written in the same transaction as the turn itself (`recordTurn({ jobs })`): a job exists exactly when the
 * state that asked for it does. Two implementations: SQLite (a `jobs` table in the same file) and PostgreSQL
 * (pg-boss); one shared suite (`jobs.suite.ts`).
 *
 * Delivery is at least once. A job whose process dies is run again once its `timeoutMs` has passed (plus the
 * implementation's `recoveryDelayMs`); handlers must therefore be idempotent.
 *
 * @example
 * await store.jobs.enqueue([{ queue: 'conversation.turn', payload: { conversationId: 'c1' }, exclusiveKey: 'c1' }]);
 * const [job] = await store.jobs.claim({ queues: ['conversation.turn'], limit: 1, workerId: 'w1' });
 * if (job) await store.jobs.complete(job);
 */
export interface JobQueue {
  readonly capabilities: JobQueueCapabilities;

  /**
   * Adds jobs. A job whose `key` was already enqueued (queued, running, finished or dead) is dropped: enqueueing
   * is idempotent on the key.
   */
  enqueue(jobs: readonly JobRequest[]): Promise<void>;

  /**
   * Takes up to `limit` jobs of these queues whose time has come, for `workerId`, oldest first. A job whose
   * `exclusiveKey` belongs to a running job is left alone, so two jobs of one conversation never run at once.
   * Each claimed job must end with `complete` or `fail`.
   */
  claim(request: ClaimRequest): Promise<ClaimedJob[]>;

  /** The job is done; it will not run again. */
  complete(job: ClaimedJob): Promise<void>;

  /**
   * The attempt failed. A retryable failure with attempts left runs again after a backoff (or `retryInMs`);
   * otherwise the job is dead-lettered with its error, where `listDead` shows it. Says which.
   */
  fail(job: ClaimedJob, failure: JobFailure): Promise<'retry' | 'dead'>;

  /** How many jobs wait, run, are scheduled for later, and are dead, per queue. */
  counts(): Promise<JobCounts>;

  /** Dead-lettered jobs, newest first. */
  listDead(query: { limit: number; queue?: string }): Promise<DeadJob[]>;

  /** Puts dead jobs back in their queue with fresh attempts; returns how many were found. */
  retryDead(ids: readonly string[]): Promise<number>;

  /** Stops the implementation's own timers and connections (the store's `close` calls it). */
  close(): Promise<void>;
}

export interface JobQueueCapabilities {
  /** Jobs that share an exclusive key start in the order they were enqueued (SQLite); else only one at a time. */
  fifoWithinExclusiveKey: boolean;
  /**
   * Once a dead process's job has passed its timeout, at most this long until another process may claim it
   * (PostgreSQL: pg-boss's maintenance interval; SQLite: none, the claim itself looks at the deadline).
   */
  recoveryDelayMs: number;
}

export interface JobRequest {
  /** Which handler runs it: `conversation.turn`, `connector.call`, ... */
  queue: string;
  /** Plain JSON. It is stored, never logged. */
  payload: Record<string, unknown>;
  /** Unique: a second job with this key is dropped. */
  key?: string;
  /** Jobs with the same exclusive key (a conversation id) never run at the same time. */
  exclusiveKey?: string;
  /** Not before this time (epoch ms); default now. */
  runAt?: number;
  /** Attempts in all, the first included; default DEFAULT_MAX_ATTEMPTS. */
  maxAttempts?: number;
  /** How long an attempt may take; past this the job is taken to be lost and runs again. Default 30 s. */
  timeoutMs?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_JOB_TIMEOUT_MS = 30_000;

export interface ClaimRequest {
  queues: readonly string[];
  limit: number;
  /** Recorded on the claim, for the logs and for `complete` to check the claim is still its own. */
  workerId: string;
}

export interface ClaimedJob {
  id: string;
  /** The worker holding the claim: a worker that lost its claim (its deadline passed) cannot finish the job. */
  workerId: string;
  queue: string;
  payload: Record<string, unknown>;
  key: string | null;
  exclusiveKey: string | null;
  /** 1 on the first attempt. */
  attempt: number;
  maxAttempts: number;
  timeoutMs: number;
  /** Epoch ms. */
  createdAt: number;
}

export interface JobFailure {
  /** A stable code (`connector.timeout`, `conversation.conflict`) and one line; never customer text. */
  code: string;
  message: string;
  retryable: boolean;
  retryInMs?: number;
}

export interface JobCounts {
  queued: number;
  scheduled: number;
  active: number;
  dead: number;
  byQueue: Record<string, { queued: number; scheduled: number; active: number; dead: number }>;
}

export interface DeadJob {
  id: string;
  queue: string;
  key: string | null;
  exclusiveKey: string | null;
  attempts: number;
  code: string;
  error: string;
  createdAt: number;
  failedAt: number;
}

/** Adds `n` jobs of `queue` in `bucket` to the counts (both implementations count this way). */
export function addCount(
  counts: JobCounts,
  queue: string,
  bucket: 'queued' | 'scheduled' | 'active' | 'dead',
  n: number,
): void {
  let perQueue = counts.byQueue[queue];
  if (!perQueue) {
    perQueue = { queued: 0, scheduled: 0, active: 0, dead: 0 };
    counts.byQueue[queue] = perQueue;
  }
  perQueue[bucket] += n;
  counts[bucket] += n;
}

/** Waits before the next attempt: 1 s, 2 s, 4 s, ... capped at 5 min, with up to 20% jitter. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(300_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (1 + 0.2 * random()));
}
