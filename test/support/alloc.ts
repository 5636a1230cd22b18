/**
 * Allocation check for `process()`: after warm-up and a forced GC, run the loop with a young
 * generation large enough (vitest.config.ts: --max-semi-space-size=64) that even moderate garbage
 * cannot trigger a scavenge unnoticed, and report GC events, heap growth and ArrayBuffer growth.
 * Code that allocates nothing shows 0 GC events, no ArrayBuffer growth and a heap delta near 0.
 */
import { PerformanceObserver } from 'node:perf_hooks';

export interface AllocationReport {
  iterations: number;
  gcEvents: number;
  heapDeltaBytes: number;
  arrayBuffersDeltaBytes: number;
}


/** Limits a loop must stay under to count as allocation-free. */
export const ALLOCATION_LIMITS = { gcEvents: 0, heapDeltaBytes: 512 * 1024, arrayBuffersDeltaBytes: 0 };

export async function measureAllocation(
  body: () => void,
  iterations: number,
  { warmup = 2000, setup }: { warmup?: number; setup?: () => void } = {},
): Promise<AllocationReport> {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (typeof collect !== 'function') throw new Error('measureAllocation needs node --expose-gc (set in vitest.config.ts execArgv)');
  for (let i = 0; i < warmup; i++) body();
  collect();
  collect();
  await new Promise((r) => setTimeout(r, 20));
  setup?.();
  let gcEvents = 0;
  const obs = new PerformanceObserver((list) => {
    gcEvents += list.getEntries().length;
  });
  obs.observe({ entryTypes: ['gc'] });
  const before = process.memoryUsage();
  for (let i = 0; i < iterations; i++) body();
  const after = process.memoryUsage();
  await new Promise((r) => setTimeout(r, 50));
  gcEvents += obs.takeRecords().length;
  obs.disconnect();
  return {
    iterations,
    gcEvents,
    heapDeltaBytes: after.heapUsed - before.heapUsed,
    arrayBuffersDeltaBytes: after.arrayBuffers - before.arrayBuffers,
  };
}

/** True if the report is within {@link ALLOCATION_LIMITS}. */
export function allocationFree(r: AllocationReport): boolean {
  return (
    r.gcEvents <= ALLOCATION_LIMITS.gcEvents &&
    r.heapDeltaBytes < ALLOCATION_LIMITS.heapDeltaBytes &&
    r.arrayBuffersDeltaBytes <= ALLOCATION_LIMITS.arrayBuffersDeltaBytes
  );
}
