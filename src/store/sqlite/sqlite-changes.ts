import type Database from 'better-sqlite3';
import { type Change, type ChangeFeed, createLocalChanges } from '../change-feed.ts';

/** How often the file's data version is read while someone listens: another process's write is heard this late. */
export const DATA_VERSION_POLL_MS = 250;

/**
 * Changes on SQLite: the store emits its own writes after they commit; writes by another process on the same file
 * (a `switchboard chat` beside `serve`) show as a new `PRAGMA data_version`, read every DATA_VERSION_POLL_MS while
 * anyone listens and after each of this process's commits, and are announced as `any` (read again). Each time it
 * is seen to have changed, the epoch moves on.
 */
export function createSqliteChanges(raw: Database.Database): ChangeFeed & {
  emit: (change: Change) => void;
  /** After one of this process's commits: looks for writes by others since the last look; the epoch now. */
  afterOwnCommit: () => number;
  epoch: () => number;
  close: () => void;
} {
  const local = createLocalChanges();
  // Prepared once: it is read after every commit (raw.pragma() prepares the statement at each call).
  const versionStatement = raw.prepare('PRAGMA data_version').pluck();
  const dataVersion = (): number => {
    try {
      return Number(versionStatement.get());
    } catch {
      // The database is closed: nothing more will change.
      return -1;
    }
  };
  let listeners = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let version = dataVersion();
  let epoch = 0;
  const poll = () => {
    const now = dataVersion();
    if (now !== version) {
      version = now;
      epoch++;
      local.emit({ topic: 'any', id: null });
    }
  };
  return {
    subscribe(listener) {
      const stop = local.subscribe(listener);
      if (listeners++ === 0) {
        version = dataVersion();
        timer = setInterval(poll, DATA_VERSION_POLL_MS);
        timer.unref();
      }
      let stopped = false;
      return () => {
        if (stopped) return;
        stopped = true;
        stop();
        if (--listeners === 0 && timer) {
          clearInterval(timer);
          timer = undefined;
        }
      };
    },
    async publish(change) {
      local.emit(change);
    },
    emit: local.emit,
    afterOwnCommit() {
      poll();
      return epoch;
    },
    epoch: () => epoch,
    close() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
