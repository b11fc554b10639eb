export interface BackoffOptions {
  /** The first delay. Default 1 s. */
  baseMs?: number;
  /** The ceiling. Default 15 s. */
  maxMs?: number;
  /** Spread as a fraction of the delay (0.2: +/- 20%), so that many widgets do not reconnect in step. */
  jitter?: number;
  /** A number in [0, 1). Default Math.random. */
  random?: () => number;
}

/**
 * The delay before retry number `attempt` (0-based): 1 s, 2 s, 4 s, 8 s, then 15 s, each with jitter and never
 * above `maxMs`.
 *
 * @example
 * backoffDelayMs(2, { random: () => 0.5 }); // 4000
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions = {}): number {
  const { baseMs = 1000, maxMs = 15_000, jitter = 0.2, random = Math.random } = options;
  const delay = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(Math.min(maxMs, delay * (1 - jitter + 2 * jitter * random())));
}

/** Whether a request that ended with this HTTP status (0: no response, the network failed) may be retried as is. */
export function isRetryableStatus(status: number): boolean {
  return status === 0 || status === 429 || status >= 500;
}

/** A `Retry-After` header (seconds or an HTTP date) as a delay, capped at `maxMs`; undefined when absent or bad. */
export function retryAfterMs(header: string | null, nowMs: number, maxMs = 60_000): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  const ms = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - nowMs;
  return Number.isFinite(ms) ? Math.min(maxMs, Math.max(0, ms)) : undefined;
}
