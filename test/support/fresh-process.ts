/**
 * Allocation measured in a fresh Node process (the first time a path runs is what counts, and a
 * test worker has run it before). The child scripts embed {@link MEASURE_YOUNG}: it runs a loop
 * and reports how much V8's young generation grew and how many GCs that empty it (scavenges and
 * full collections) started *during* the loop.
 * A GC that starts after it (the memory reducer runs on a timer once a busy process goes idle)
 * hides nothing and is not counted: counting it made these tests fail now and then in CI.
 */
import { execFileSync } from 'node:child_process';

/** Source of `async measureYoung(loop)` → `{ grew, gcs }`, for a child's `--input-type=module` script. */
export const MEASURE_YOUNG = `
  const measureYoung = await (async () => {
    const v8 = await import('node:v8');
    const { PerformanceObserver, performance } = await import('node:perf_hooks');
    const used = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_used_size;
    return async (loop) => {
      const starts = [];
      // Scavenges (kind 1) and full collections (4) empty the young generation and would hide
      // growth; incremental marking steps (8) and weak callbacks (16) do not.
      const obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.detail.kind & 5) starts.push(e.startTime); });
      obs.observe({ entryTypes: ['gc'] });
      const t0 = performance.now();
      const before = used();
      loop();
      const grew = used() - before;
      const t1 = performance.now();
      await new Promise((res) => setTimeout(res, 30));
      for (const e of obs.takeRecords()) if (e.detail.kind & 5) starts.push(e.startTime);
      obs.disconnect();
      return { grew, gcs: starts.filter((s) => s >= t0 && s <= t1).length };
    };
  })();`;

/** Runs `script` (an ES module's text) in a fresh `node --expose-gc` with `flags`; parses the JSON it prints. */
export function runFresh<T>(script: string, flags: string[], cwd: string): T {
  const text = execFileSync(process.execPath, ['--expose-gc', ...flags, '--input-type=module', '-e', script], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(text.trim()) as T;
}
