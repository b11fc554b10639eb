import cliProgress from 'cli-progress';
import type { CliIo } from './io.ts';

export interface ProgressReporter {
  /**
   * `done` units so far. `records` feeds the rate (records a second); `total` replaces the total, for work whose
   * size is known only once it starts (training's folds).
   */
  update(done: number, extra?: { records?: number; total?: number }): void;
  stop(): void;
}

export interface ProgressOptions {
  /** Shown before the bar: what is in progress (`replay`, `training`). */
  label?: string;
  /** `rate` (default): records a second and the record count, for streams; `count`: done/total units. */
  show?: 'rate' | 'count';
}

/**
 * A progress bar (with the rate or the count, and the ETA) when stderr is a terminal; nothing otherwise, since a
 * log file wants the plain summary lines the command prints at the end.
 *
 * @example
 * const bar = progressBar(io, tickets, 'tickets', { label: 'replay', show: 'count' });
 * bar.update(done);
 * bar.stop();
 */
export function progressBar(
  io: CliIo,
  total: number,
  unit: string,
  options: ProgressOptions = {},
): ProgressReporter {
  if (!io.stderr.isTTY || total <= 0) return { update: () => {}, stop: () => {} };
  const started = performance.now();
  const label = options.label ? `${options.label} ` : '';
  const figures =
    options.show === 'count'
      ? `{value}/{total} ${unit}`
      : `{rate} ${unit}/s | ETA {eta_formatted} | {records} records`;
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr as NodeJS.WritableStream,
      format: `${label}{bar} {percentage}% | ${figures}${options.show === 'count' ? ' | ETA {eta_formatted}' : ''}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { rate: 0, records: 0 });
  let stopped = false;
  return {
    update(done, extra = {}) {
      if (stopped) return;
      if (extra.total !== undefined && extra.total > 0) bar.setTotal(extra.total);
      const seconds = (performance.now() - started) / 1000;
      const records = extra.records ?? 0;
      bar.update(Math.min(done, bar.getTotal()), {
        records,
        rate: seconds > 0 ? Math.round(records / seconds) : 0,
      });
    },
    // Idempotent, so a `finally` can stop a bar the happy path already stopped: a bar left running keeps its
    // timer alive and the process with it.
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
