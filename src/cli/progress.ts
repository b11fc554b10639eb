import cliProgress from 'cli-progress';
import type { CliIo } from './io.ts';

export interface ProgressReporter {
  update(done: number, extra?: Record<string, string | number>): void;
  stop(): void;
}

/**
 * A progress bar (rate and ETA) when stderr is a terminal; nothing otherwise, since a log file wants the plain
 * summary lines the command prints at the end.
 */
export function progressBar(io: CliIo, total: number, unit: string): ProgressReporter {
  if (!io.stderr.isTTY || total <= 0) return { update: () => {}, stop: () => {} };
  const started = performance.now();
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr as NodeJS.WritableStream,
      format: `{bar} {percentage}% | {rate} ${unit}/s | ETA {eta_formatted} | {records} records`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { rate: 0, records: 0 });
  return {
    update(done, extra = {}) {
      const seconds = (performance.now() - started) / 1000;
      const records = Number(extra.records ?? 0);
      bar.update(Math.min(done, total), { ...extra, rate: seconds > 0 ? Math.round(records / seconds) : 0 });
    },
    stop: () => bar.stop(),
  };
}
