import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints on a thread of their own. A checkpoint copies the pages committed to the WAL back into the
 * database file and syncs it: run by SQLite inside the commit that crosses `wal_autocheckpoint`, it stalls that
 * commit (and, better-sqlite3 being synchronous, the whole event loop) for 10-20 ms on this machine's disk, and
 * costs about half of what a commit costs per page (docs/serve.md, "Measured"). SQLite lets another connection
 * checkpoint while this one writes: a worker thread opens the file and runs a PASSIVE checkpoint (it never waits
 * for, nor blocks, the writer) every `everyMs`. Kept small that way, the WAL starts over from its beginning often
 * (SQLite rewinds it when a write begins with every frame copied back).
 *
 * The main connection keeps an automatic checkpoint as a backstop, far past the thread's threshold: if the
 * thread falls behind or dies, the WAL is still bounded.
 */
export interface CheckpointStats {
  checkpoints: number;
  walPages: number;
  copiedPages: number;
}

export interface BackgroundCheckpointer {
  /** Checkpoints run so far; the WAL's pages at the last one, and how many of them are copied back. */
  stats(): Promise<CheckpointStats>;
  /** Runs a last checkpoint and stops the thread. */
  close(): Promise<void>;
}

/** How often the thread checkpoints. */
export const BACKGROUND_CHECKPOINT_MS = 200;
/** The main connection's own automatic checkpoint while the thread runs: only if the thread falls far behind. */
export const BACKSTOP_CHECKPOINT_PAGES = 20_000;

// Plain CommonJS, run with `eval`: the worker needs no TypeScript loader under the tests or the dev runner.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 0');
let checkpoints = 0;
let last = { log: 0, checkpointed: 0 };
const checkpoint = () => {
  try {
    // [busy, pages in the WAL, pages copied back]: a PASSIVE checkpoint copies what no reader still needs.
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    if (row && row.log >= 0) {
      checkpoints++;
      last = { log: row.log, checkpointed: row.checkpointed };
    }
  } catch {
    // SQLITE_BUSY or LOCKED: another checkpoint runs (the main connection's backstop); try again later.
  }
};
// A PASSIVE checkpoint with nothing new to copy reads the WAL's index and returns: cheap enough to try often.
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message === 'stats') parentPort.postMessage({ checkpoints, walPages: last.log, copiedPages: last.checkpointed });
  if (message === 'close') {
    clearInterval(timer);
    checkpoint();
    db.close();
    parentPort.postMessage('closed');
  }
});
`;

export function startBackgroundCheckpointer(props: {
  path: string;
  everyMs?: number;
}): BackgroundCheckpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      path: props.path,
      driver,
      everyMs: props.everyMs ?? BACKGROUND_CHECKPOINT_MS,
    },
  });
  // It never keeps the process alive on its own.
  worker.unref();
  let failed: Error | null = null;
  worker.on('error', (error) => {
    failed = error;
  });
  const ask = <T>(message: string, answer: (reply: unknown) => T | undefined): Promise<T> =>
    new Promise((resolve, reject) => {
      if (failed) {
        reject(failed);
        return;
      }
      const onMessage = (reply: unknown) => {
        const found = answer(reply);
        if (found === undefined) return;
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        resolve(found);
      };
      const onExit = () => {
        worker.off('message', onMessage);
        reject(failed ?? new Error('the checkpoint thread stopped'));
      };
      worker.on('message', onMessage);
      worker.once('exit', onExit);
      worker.postMessage(message);
    });
  return {
    stats: () =>
      ask('stats', (reply) =>
        typeof reply === 'object' && reply !== null && 'checkpoints' in reply
          ? (reply as CheckpointStats)
          : undefined,
      ),
    async close() {
      if (!failed) {
        await ask('close', (reply) => (reply === 'closed' ? true : undefined)).catch(() => undefined);
      }
      await worker.terminate();
    },
  };
}
