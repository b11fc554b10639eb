/**
 * How the demo shop honours idempotency keys, as payment APIs do: the first request with a key is carried out and
 * its answer kept; a request that repeats the key gets the kept answer and changes nothing; the key with another
 * operation or input is refused. Keys are kept for the life of the shop (a demo; a real service expires them).
 */
export interface IdempotencyLedger {
  /** Runs `perform` once per key; without a key, every time. */
  run(
    key: string | undefined,
    operation: string,
    input: unknown,
    perform: () => unknown,
  ): { ok: true; output: unknown; replayed: boolean } | { ok: false; reason: 'key_reused' };
  /** Every key seen, with how many requests carried it. */
  entries(): Array<{ key: string; operation: string; requests: number }>;
}

export function createIdempotencyLedger(): IdempotencyLedger {
  const kept = new Map<string, { operation: string; input: string; output: unknown; requests: number }>();
  return {
    run(key, operation, input, perform) {
      if (key === undefined) return { ok: true, output: perform(), replayed: false };
      const fingerprint = JSON.stringify(input);
      const earlier = kept.get(key);
      if (earlier) {
        if (earlier.operation !== operation || earlier.input !== fingerprint)
          return { ok: false, reason: 'key_reused' };
        earlier.requests++;
        return { ok: true, output: structuredClone(earlier.output), replayed: true };
      }
      const output = perform();
      kept.set(key, { operation, input: fingerprint, output: structuredClone(output), requests: 1 });
      return { ok: true, output, replayed: false };
    },
    entries() {
      return [...kept].map(([key, e]) => ({ key, operation: e.operation, requests: e.requests }));
    },
  };
}
