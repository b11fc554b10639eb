import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the heap grow past what the last full collection kept, in percent, in a service process
 * (`serve`, `worker`, `start` while it serves). V8's own factor lets a busy server's heap reach about three times
 * its live size before collecting: bench:serve measured a peak RSS of 357-429 MB with ~80 MB live; at 50 %, 218-267
 * MB at the same turns/s (docs/serve.md, "Measured").
 */
export const SERVICE_HEAP_GROWING_PERCENT = 50;

const HEAP_FLAGS = /^--(heap-growing-percent|max-old-space-size|max-semi-space-size|max-heap-size)(=|$)/;

/**
 * Sets the service's heap growth, unless the operator chose heap flags of their own (on the command line or in
 * NODE_OPTIONS): theirs win. Returns whether it set it. The flag is read at each collection, so setting it at
 * start-up takes effect.
 */
export function tuneHeapForService(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): boolean {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)];
  if (given.some((flag) => HEAP_FLAGS.test(flag))) return false;
  setFlagsFromString(`--heap-growing-percent=${SERVICE_HEAP_GROWING_PERCENT}`);
  return true;
}
