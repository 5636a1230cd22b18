/**
 * Allocation check for `process()`: after warm-up and a forced GC, run the loop with a young
 * generation large enough (vitest.config.ts: --max-semi-space-size=64) that even moderate garbage
 * cannot trigger a scavenge, and report GC events, young-generation growth and ArrayBuffer growth.
 * Code that allocates nothing shows 0 GC events, no ArrayBuffer growth and a young generation
 * that grows by at most a few kB (the measurement's own bookkeeping).
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

export interface AllocationReport {
  iterations: number;
  gcEvents: number;
  /** Growth of V8's young generation: where objects allocated by JavaScript code land. */
  newSpaceDeltaBytes: number;
  /** Growth of the whole heap (includes code the JIT compiles meanwhile; informational). */
  heapDeltaBytes: number;
  arrayBuffersDeltaBytes: number;
}

function newSpaceUsed(): number {
  for (const s of getHeapSpaceStatistics()) if (s.space_name === 'new_space') return s.space_used_size;
  throw new Error('no new_space in v8.getHeapSpaceStatistics()');
}


/**
 * Limits a loop must stay under to count as allocation-free. The young-generation limit is the
 * measure that counts: V8's optimising compiler may finish compiling a function during the loop,
 * and its code lands in the old generation (it moves `heapUsed`, not `new_space`).
 */
export const ALLOCATION_LIMITS = { gcEvents: 0, newSpaceDeltaBytes: 64 * 1024, arrayBuffersDeltaBytes: 0 };

/**
 * Blocks the processors' allocation checks measure (test/support/conformance.ts, dist.ts): 25 000
 * by default, 100 000 under SOAK=1. One boxed number per block (16 bytes) is 400 kB over 25 000,
 * six times the young-generation limit; so is one per four blocks. Only a rarer allocation (one
 * block in eight or fewer) needs the longer run to show. The measured loop was the bulk of
 * `npm test`'s time at 100 000.
 */
export const ALLOCATION_BLOCKS = process.env.SOAK ? 100_000 : 25_000;

export async function measureAllocation(
  body: () => void,
  iterations: number,
  {
    warmup = 2000,
    settle,
    setup,
  }: {
    warmup?: number;
    /**
     * Run after the forced GC, before measuring (default: 1000 more iterations). A GC deoptimises
     * compiled code that embedded objects which died meanwhile; until V8 recompiles it, that code
     * runs unoptimised and boxes numbers, so the measurement must not start right after a GC.
     */
    settle?: () => void;
    setup?: () => void;
  } = {},
): Promise<AllocationReport> {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (typeof collect !== 'function') throw new Error('measureAllocation needs node --expose-gc (set in vitest.config.ts execArgv)');
  for (let i = 0; i < warmup; i++) body();
  collect();
  collect();
  if (settle) settle();
  else for (let i = 0; i < 1000; i++) body();
  await new Promise((r) => setTimeout(r, 20));
  setup?.();
  // GCs that start during the loop (one that starts after it, such as the memory reducer's once
  // the process goes idle, hides nothing).
  const starts: number[] = [];
  // (Scavenges, kind 1, and full collections, 4: those empty the young generation.)
  const kindOf = (e: PerformanceEntry) => (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 5;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (kindOf(e) & 5) starts.push(e.startTime);
  });
  obs.observe({ entryTypes: ['gc'] });
  const t0 = performance.now();
  const before = process.memoryUsage();
  const newBefore = newSpaceUsed();
  for (let i = 0; i < iterations; i++) body();
  const newAfter = newSpaceUsed();
  const after = process.memoryUsage();
  const t1 = performance.now();
  await new Promise((r) => setTimeout(r, 50));
  for (const e of obs.takeRecords()) if (kindOf(e) & 5) starts.push(e.startTime);
  obs.disconnect();
  const gcEvents = starts.filter((s) => s >= t0 && s <= t1).length;
  return {
    iterations,
    gcEvents,
    newSpaceDeltaBytes: newAfter - newBefore,
    heapDeltaBytes: after.heapUsed - before.heapUsed,
    arrayBuffersDeltaBytes: after.arrayBuffers - before.arrayBuffers,
  };
}

/** True if the report is within {@link ALLOCATION_LIMITS}. */
export function allocationFree(r: AllocationReport): boolean {
  return (
    r.gcEvents <= ALLOCATION_LIMITS.gcEvents &&
    r.newSpaceDeltaBytes < ALLOCATION_LIMITS.newSpaceDeltaBytes &&
    r.arrayBuffersDeltaBytes <= ALLOCATION_LIMITS.arrayBuffersDeltaBytes
  );
}

/**
 * {@link measureAllocation}, measured again (up to twice more) when the first report is not
 * allocation-free. V8 may recompile a function in the middle of the measured loop (code shared by
 * several configurations of a processor is re-optimised when a path is first taken), and its
 * optimising compiler runs on a background thread that a loaded machine (two test files on two
 * cores) can starve: until the optimised code is installed, the code runs unoptimised and boxes
 * numbers. That is a transient, not an allocation of `process()`; a pause before the next
 * measurement lets the compiler finish. Allocation that `process()` really does shows in every
 * measurement (16 bytes per call is 1.6 MB over 100 000 calls), so the last report decides; the
 * first is returned for the message.
 */
export async function measureAllocationSettled(
  body: () => void,
  iterations: number,
  options: Parameters<typeof measureAllocation>[2] = {},
): Promise<{ report: AllocationReport; first: AllocationReport }> {
  const first = await measureAllocation(body, iterations, options);
  let report = first;
  for (let attempt = 0; attempt < 2 && !allocationFree(report); attempt++) {
    await new Promise((r) => setTimeout(r, 250));
    report = await measureAllocation(body, iterations, options);
  }
  return { report, first };
}
