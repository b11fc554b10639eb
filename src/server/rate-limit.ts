/**
 * Token buckets, one per key (an API key, a client address): `perMinute` requests a minute on average, bursts up
 * to the same number. In memory, per process: with several processes each allows its own share (docs/serve.md).
 */
export interface RateLimiter {
  /** Takes one request's token; when none is left, says how many seconds until one is. */
  take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number };
}

export function createRateLimiter(props: {
  perMinute: number;
  now?: () => number;
  maxKeys?: number;
}): RateLimiter {
  const capacity = props.perMinute;
  const refillPerMs = props.perMinute / 60_000;
  const now = props.now ?? (() => performance.now());
  const maxKeys = props.maxKeys ?? 100_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(key) {
      const t = now();
      let bucket = buckets.get(key);
      if (!bucket) {
        // Forget the oldest buckets first: a flood of new addresses cannot grow memory without bound.
        if (buckets.size >= maxKeys) {
          const oldest = buckets.keys().next().value;
          if (oldest !== undefined) buckets.delete(oldest);
        }
        bucket = { tokens: capacity, at: t };
        buckets.set(key, bucket);
      } else {
        bucket.tokens = Math.min(capacity, bucket.tokens + (t - bucket.at) * refillPerMs);
        bucket.at = t;
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { ok: true };
      }
      return {
        ok: false,
        retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerMs / 1000)),
      };
    },
  };
}
