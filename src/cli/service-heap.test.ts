import { describe, expect, it } from 'vitest';
import { tuneHeapForService } from './service-heap.ts';

describe('tuneHeapForService', () => {
  it('leaves the heap alone when the operator set heap flags, on the command line or in NODE_OPTIONS', () => {
    expect(tuneHeapForService(['--max-old-space-size=512'], '')).toBe(false);
    expect(tuneHeapForService([], '--enable-source-maps --heap-growing-percent=20')).toBe(false);
    expect(tuneHeapForService(['--max-heap-size', '600'], '')).toBe(false);
  });

  it('sets the growth otherwise', () => {
    expect(tuneHeapForService(['--enable-source-maps'], '--no-warnings')).toBe(true);
  });
});
