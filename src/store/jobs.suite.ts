import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClaimedJob } from './job-queue.ts';
import type { Store } from './store.ts';
import { aCustomerProfile, T0 } from './test-builders.ts';

export interface JobsSuiteOptions {
  /** Opens a second store on the same database: another process. */
  reopen: () => Promise<Store>;
  cleanup?: () => Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Claims until `predicate` holds for what was claimed, or `ms` pass. */
async function claimUntil(
  store: Store,
  request: { queues: string[]; workerId: string },
  ms: number,
): Promise<ClaimedJob[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const jobs = await store.jobs.claim({ ...request, limit: 10 });
    if (jobs.length > 0 || Date.now() > deadline) return jobs;
    await sleep(25);
  }
}

/**
 * The job queue's half of the store suite (`store.jobs`), run against every implementation: delivery, keys,
 * retries with backoff, dead letters, scheduled jobs, exclusive keys, recovery after a process dies, and jobs
 * written in the same transaction as a turn.
 */
export function jobsSuite(name: string, open: () => Promise<Store>, options: JobsSuiteOptions): void {
  describe(`jobs suite: ${name}`, () => {
    let store: Store;
    const others: Store[] = [];
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      for (const other of others.splice(0)) await other.close().catch(() => undefined);
      await store.close();
      await options.cleanup?.();
    });

    it('runs a job once: claimed with its payload, not claimed again, gone once complete', async () => {
      await store.jobs.enqueue([{ queue: 'test.a', payload: { n: 1, text: "Robert'); --" } }]);
      const [job, ...rest] = await store.jobs.claim({ queues: ['test.a'], limit: 5, workerId: 'w1' });
      expect(rest).toEqual([]);
      expect(job).toMatchObject({ queue: 'test.a', payload: { n: 1, text: "Robert'); --" }, attempt: 1 });
      expect(await store.jobs.claim({ queues: ['test.a'], limit: 5, workerId: 'w2' })).toEqual([]);
      expect((await store.jobs.counts()).active).toBe(1);
      await store.jobs.complete(job!);
      expect(await store.jobs.claim({ queues: ['test.a'], limit: 5, workerId: 'w2' })).toEqual([]);
      const counts = await store.jobs.counts();
      expect([counts.queued, counts.active, counts.dead]).toEqual([0, 0, 0]);
    });

    it('claims only the queues asked for, and counts per queue', async () => {
      await store.jobs.enqueue([
        { queue: 'test.a', payload: {} },
        { queue: 'test.b', payload: {} },
        { queue: 'test.b', payload: {} },
      ]);
      const counts = await store.jobs.counts();
      expect(counts.queued).toBe(3);
      expect(counts.byQueue['test.b']?.queued).toBe(2);
      const jobs = await store.jobs.claim({ queues: ['test.b'], limit: 5, workerId: 'w1' });
      expect(jobs.map((j) => j.queue)).toEqual(['test.b', 'test.b']);
    });

    it('drops a job whose key was enqueued before, in the same call or later', async () => {
      await store.jobs.enqueue([
        { queue: 'test.a', payload: { n: 1 }, key: 'k1' },
        { queue: 'test.a', payload: { n: 2 }, key: 'k1' },
      ]);
      await store.jobs.enqueue([{ queue: 'test.a', payload: { n: 3 }, key: 'k1' }]);
      const jobs = await store.jobs.claim({ queues: ['test.a'], limit: 5, workerId: 'w1' });
      expect(jobs.map((j) => j.payload.n)).toEqual([1]);
      await store.jobs.complete(jobs[0]!);
      await store.jobs.enqueue([{ queue: 'test.a', payload: { n: 4 }, key: 'k1' }]);
      expect(await store.jobs.claim({ queues: ['test.a'], limit: 5, workerId: 'w1' })).toEqual([]);
    });

    it('keeps one job when several requests enqueue the same key to a queue never used before, at once', async () => {
      // Three webhook deliveries of one message arrive together: on PostgreSQL the queue's creation raced.
      const job = { queue: 'test.fresh', payload: { n: 1 }, key: 'k-fresh', exclusiveKey: 'c1' };
      await Promise.all([store.jobs.enqueue([job]), store.jobs.enqueue([job]), store.jobs.enqueue([job])]);
      const jobs = await store.jobs.claim({ queues: ['test.fresh'], limit: 5, workerId: 'w1' });
      expect(jobs.map((j) => j.payload.n)).toEqual([1]);
    });

    it('retries a retryable failure after its backoff, with the attempt counted', async () => {
      await store.jobs.enqueue([{ queue: 'test.a', payload: {}, maxAttempts: 3 }]);
      const [first] = await store.jobs.claim({ queues: ['test.a'], limit: 1, workerId: 'w1' });
      const failed = await store.jobs.fail(first!, {
        code: 'connector.timeout',
        message: 'no answer',
        retryable: true,
        retryInMs: 600,
      });
      expect(failed).toBe('retry');
      expect(await store.jobs.claim({ queues: ['test.a'], limit: 1, workerId: 'w1' })).toEqual([]);
      const [second] = await claimUntil(store, { queues: ['test.a'], workerId: 'w1' }, 5000);
      expect(second?.id).toBe(first!.id);
      expect(second?.attempt).toBe(2);
    });

    it('dead-letters a job that fails for good, shows it with its error, and can put it back', async () => {
      await store.jobs.enqueue([{ queue: 'test.a', payload: { n: 1 }, exclusiveKey: 'c1', maxAttempts: 5 }]);
      const [job] = await store.jobs.claim({ queues: ['test.a'], limit: 1, workerId: 'w1' });
      expect(
        await store.jobs.fail(job!, {
          code: 'connector.invalid_input',
          message: 'bad field',
          retryable: false,
        }),
      ).toBe('dead');
      const counts = await store.jobs.counts();
      expect([counts.dead, counts.queued, counts.active]).toEqual([1, 0, 0]);
      const [dead] = await store.jobs.listDead({ limit: 10 });
      expect(dead).toMatchObject({
        id: job!.id,
        queue: 'test.a',
        exclusiveKey: 'c1',
        attempts: 1,
        code: 'connector.invalid_input',
        error: 'bad field',
      });
      expect(await store.jobs.listDead({ limit: 10, queue: 'test.other' })).toEqual([]);
      // A dead job's exclusive key does not block its conversation.
      await store.jobs.enqueue([{ queue: 'test.a', payload: { n: 2 }, exclusiveKey: 'c1' }]);
      const [next] = await store.jobs.claim({ queues: ['test.a'], limit: 1, workerId: 'w1' });
      expect(next?.payload).toEqual({ n: 2 });
      await store.jobs.complete(next!);

      expect(await store.jobs.retryDead([job!.id, 'no-such-job'])).toBe(1);
      const [again] = await claimUntil(store, { queues: ['test.a'], workerId: 'w1' }, 5000);
      expect(again?.payload).toEqual({ n: 1 });
      expect((await store.jobs.counts()).dead).toBe(0);
    });

    it('dead-letters a job once its attempts are spent', async () => {
      await store.jobs.enqueue([{ queue: 'test.a', payload: {}, maxAttempts: 2 }]);
      const [first] = await store.jobs.claim({ queues: ['test.a'], limit: 1, workerId: 'w1' });
      await store.jobs.fail(first!, { code: 'x', message: 'one', retryable: true, retryInMs: 1 });
      const [second] = await claimUntil(store, { queues: ['test.a'], workerId: 'w1' }, 5000);
      expect(second?.attempt).toBe(2);
      expect(await store.jobs.fail(second!, { code: 'x', message: 'two', retryable: true })).toBe('dead');
      expect((await store.jobs.listDead({ limit: 5 }))[0]).toMatchObject({ attempts: 2, error: 'two' });
    });

    it('holds a scheduled job until its time', async () => {
      await store.jobs.enqueue([{ queue: 'test.a', payload: {}, runAt: Date.now() + 1200 }]);
      expect((await store.jobs.counts()).scheduled).toBe(1);
      expect(await store.jobs.claim({ queues: ['test.a'], limit: 1, workerId: 'w1' })).toEqual([]);
      const started = Date.now();
      const jobs = await claimUntil(store, { queues: ['test.a'], workerId: 'w1' }, 6000);
      expect(jobs).toHaveLength(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    });

    it('never runs two jobs of one exclusive key at once, in this process or another', async () => {
      const other = await options.reopen();
      others.push(other);
      await store.jobs.enqueue([
        { queue: 'test.a', payload: { n: 1 }, exclusiveKey: 'conv-1', timeoutMs: 4000 },
        { queue: 'test.a', payload: { n: 2 }, exclusiveKey: 'conv-1', timeoutMs: 4000 },
        { queue: 'test.a', payload: { n: 3 }, exclusiveKey: 'conv-2', timeoutMs: 4000 },
      ]);
      const first = await store.jobs.claim({ queues: ['test.a'], limit: 1, workerId: 'w1' });
      const firstKey = first[0]!.exclusiveKey!;
      let firstDone = 0;
      const running = new Set([firstKey]);
      const overlaps: string[] = [];
      const seen: number[] = [first[0]!.payload.n as number];
      const finishFirst = (async () => {
        await sleep(400);
        running.delete(firstKey);
        firstDone = Date.now();
        await store.jobs.complete(first[0]!);
      })();
      // Two more workers, one in each process, take what they can while the first job runs.
      const take = async (s: Store, workerId: string) => {
        const deadline = Date.now() + 5000;
        while (seen.length < 3 && Date.now() < deadline) {
          for (const job of await s.jobs.claim({ queues: ['test.a'], limit: 1, workerId })) {
            const key = job.exclusiveKey!;
            if (running.has(key)) overlaps.push(key);
            running.add(key);
            seen.push(job.payload.n as number);
            if (key === firstKey) expect(Date.now()).toBeGreaterThanOrEqual(firstDone);
            await sleep(50);
            running.delete(key);
            await s.jobs.complete(job);
          }
          await sleep(20);
        }
      };
      await Promise.all([finishFirst, take(store, 'w2'), take(other, 'w3')]);
      expect(overlaps).toEqual([]);
      expect([...seen].sort()).toEqual([1, 2, 3]);
      expect(firstDone).toBeGreaterThan(0);
    });

    it("takes another conversation's job past the many waiting behind a running one", async () => {
      await store.jobs.enqueue([{ queue: 'test.a', payload: { n: 0 }, exclusiveKey: 'busy' }]);
      const [running] = await store.jobs.claim({ queues: ['test.a'], limit: 1, workerId: 'w1' });
      expect(running?.exclusiveKey).toBe('busy');
      await store.jobs.enqueue(
        Array.from({ length: 300 }, (_, i) => ({
          queue: 'test.a',
          payload: { n: i + 1 },
          exclusiveKey: 'busy',
        })),
      );
      await store.jobs.enqueue([{ queue: 'test.a', payload: { n: 'other' }, exclusiveKey: 'quiet' }]);
      const [next] = await claimUntil(store, { queues: ['test.a'], workerId: 'w2' }, 5000);
      expect(next?.exclusiveKey).toBe('quiet');
      await store.jobs.complete(running!);
    });

    it('starts the jobs of one exclusive key in order where the implementation says it does', async () => {
      if (!store.jobs.capabilities.fifoWithinExclusiveKey) return;
      await store.jobs.enqueue(
        [1, 2, 3].map((n) => ({ queue: 'test.a', payload: { n }, exclusiveKey: 'c' })),
      );
      const order: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        const [job] = await store.jobs.claim({ queues: ['test.a'], limit: 3, workerId: 'w1' });
        order.push(job?.payload.n);
        await store.jobs.complete(job!);
      }
      expect(order).toEqual([1, 2, 3]);
    });

    it("runs again a job whose process died, once the job's timeout has passed", async () => {
      const dying = await options.reopen();
      await store.jobs.enqueue([{ queue: 'test.a', payload: { n: 1 }, exclusiveKey: 'c9', timeoutMs: 1000 }]);
      const [claimed] = await dying.jobs.claim({ queues: ['test.a'], limit: 1, workerId: 'dying' });
      expect(claimed?.attempt).toBe(1);
      // The process dies without a word: its connections close, its job stays claimed.
      await dying.close();
      expect(await store.jobs.claim({ queues: ['test.a'], limit: 1, workerId: 'w1' })).toEqual([]);
      const started = Date.now();
      const limit = 1000 + store.jobs.capabilities.recoveryDelayMs + 3000;
      const [again] = await claimUntil(store, { queues: ['test.a'], workerId: 'w1' }, limit);
      expect(again?.id).toBe(claimed!.id);
      expect(again?.attempt).toBe(2);
      expect(Date.now() - started).toBeLessThanOrEqual(limit);
    });

    it("writes a turn's jobs in the turn's transaction: a refused turn leaves none", async () => {
      await store.createConversation({ id: 'c1', customer: aCustomerProfile(), channel: 'chat', at: T0 });
      const job = { queue: 'test.call', payload: { conversationId: 'c1' }, key: 'c1:call:0' };
      await store.recordTurn({
        conversationId: 'c1',
        expectedRevision: 0,
        messages: [],
        jobs: [job],
        at: T0,
      });
      await expect(
        store.recordTurn({
          conversationId: 'c1',
          expectedRevision: 0,
          messages: [],
          jobs: [{ ...job, key: 'c1:call:1' }],
          at: T0,
        }),
      ).rejects.toMatchObject({ code: 'conversation.conflict' });
      const jobs = await store.jobs.claim({ queues: ['test.call'], limit: 5, workerId: 'w1' });
      expect(jobs.map((j) => j.payload)).toEqual([{ conversationId: 'c1' }]);
    });

    it("writes a received message's turn job with it, and not again for a duplicate", async () => {
      await store.createConversation({ id: 'c1', customer: aCustomerProfile(), channel: 'chat', at: T0 });
      const receive = (key: string) =>
        store.receiveMessage({
          conversationId: 'c1',
          text: 'where is my order?',
          at: T0 + 1,
          idempotencyKey: key,
          jobs: [{ queue: 'test.turn', payload: { conversationId: 'c1' }, exclusiveKey: 'c1' }],
        });
      expect((await receive('k1')).duplicate).toBe(false);
      expect((await receive('k1')).duplicate).toBe(true);
      const jobs = await store.jobs.claim({ queues: ['test.turn'], limit: 5, workerId: 'w1' });
      expect(jobs).toHaveLength(1);
    });

    it('wakes listeners when jobs are enqueued', async () => {
      const heard: string[] = [];
      const stop = store.changes.subscribe((change) => heard.push(change.topic));
      await store.jobs.enqueue([{ queue: 'test.a', payload: {} }]);
      const deadline = Date.now() + 2000;
      while (!heard.includes('jobs') && Date.now() < deadline) await sleep(10);
      stop();
      expect(heard).toContain('jobs');
    });
  });
}
