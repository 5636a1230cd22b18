/**
 * The built package (dist/) as users load it, for checks that must run on the shipped code rather
 * than on src/: esbuild's bundle differs from the source in ways V8 notices (module-level `const`
 * becomes `var`, so a constant read in a hot loop is a load of unknown type rather than a folded
 * number; see docs/processor-contract.md), and a process() that allocates nothing from src/ can
 * allocate from dist/.
 *
 * Both formats are loaded by Node itself, not through vitest's module runner (which would rewrite
 * the ES module into a function body and so test different code): through `require()`, which
 * loads dist/index.js as the ES module it is (Node ≥ 20.19 `require(esm)`; a dynamic `import()`
 * in a test file goes through the runner).
 *
 * `npm test` builds first (the `pretest` script); running a test file alone needs `npm run build`.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ProcessSpec, Processor } from '../../src/core/processor.js';
import { ALLOCATION_BLOCKS, allocationFree, measureAllocation, measureAllocationSettled, type AllocationReport } from './alloc.js';
import { clone, multiChannel } from './signals.js';

/** The library's public API (what dist/index.js and dist/index.cjs export). */
export type MasterbusModule = typeof import('../../src/index.js');

/** A built entry point: its format and the module loaded from it. */
export interface DistModule {
  format: 'esm' | 'cjs';
  file: string;
  mod: MasterbusModule;
}

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Absolute path of a file in dist/. */
export function distFile(name: string): string {
  return `${root}dist/${name}`;
}

/**
 * Load dist/index.js (as an ES module) and dist/index.cjs (as CommonJS), both natively. Throws an
 * error that says to build when either is missing.
 */
export function loadDist(): DistModule[] {
  const esm = distFile('index.js');
  const cjs = distFile('index.cjs');
  for (const f of [esm, cjs]) {
    if (!existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\` first (\`npm test\` does it through the pretest script)`);
  }
  const req = createRequire(import.meta.url);
  const esmModule = req(esm) as MasterbusModule & { [Symbol.toStringTag]?: string };
  // (require() of an ES module returns its namespace object: check it really loaded as one.)
  if (esmModule[Symbol.toStringTag] !== 'Module') throw new Error(`${esm} did not load as an ES module (Node ≥ 20.19 needed for require(esm))`);
  return [
    { format: 'esm', file: esm, mod: esmModule },
    { format: 'cjs', file: cjs, mod: req(cjs) as MasterbusModule },
  ];
}

/** One processor configuration to check on every built module. */
export interface DistAllocationCase<P extends Processor = Processor> {
  /** Test title. */
  name: string;
  /** A new, configured, unprepared processor, built from the module given. */
  create: (mod: MasterbusModule) => P;
  channels?: number;
  sampleRate?: number;
  /**
   * Put a prepared processor into its busiest path (ramps, cross-fades); when given, the
   * allocation check also runs while it is in that path (3000 blocks of 16 frames).
   */
  ramp?: (p: P) => void;
}

/** The reports of {@link checkAllocation}: `report` decides, `first` is for the message. */
export interface AllocationResult {
  report: AllocationReport;
  first: AllocationReport;
}

/**
 * The conformance suite's allocation check on a processor from `create` (e.g. built from a dist
 * module): ALLOCATION_BLOCKS blocks of 128 frames (25 000; 100 000 under SOAK=1;
 * measureAllocationSettled), and with `ramp`, 3000 blocks
 * of 16 frames in the busiest path with a 16 kB limit (one boxed number per call would be 48 kB).
 */
export async function checkAllocation<P extends Processor>(
  create: () => P,
  { channels = 2, sampleRate = 48000, ramp }: { channels?: number; sampleRate?: number; ramp?: (p: P) => void } = {},
): Promise<{ steady: AllocationResult; ramp?: AllocationResult }> {
  const spec = (maxBlockSize: number): ProcessSpec => ({ sampleRate, maxBlockSize, channels });
  const p = create();
  p.prepare(spec(128));
  const src = multiChannel(channels, 128, 3);
  const block = clone(src);
  const steady = await measureAllocationSettled(() => {
    for (let ch = 0; ch < channels; ch++) block[ch].set(src[ch]);
    p.process(block, 128);
  }, ALLOCATION_BLOCKS);
  if (!ramp) return { steady };

  const q = create();
  q.prepare(spec(16));
  const src16 = multiChannel(channels, 16, 3);
  const block16 = clone(src16);
  const step = () => {
    for (let ch = 0; ch < channels; ch++) block16[ch].set(src16[ch]);
    q.process(block16, 16);
  };
  for (let w = 0; w < 3; w++) {
    ramp(q);
    for (let i = 0; i < 3000; i++) step();
  }
  const settle = () => {
    ramp(q);
    for (let i = 0; i < 3000; i++) step();
  };
  const measure = () => measureAllocation(step, 3000, { warmup: 0, settle, setup: () => ramp(q) });
  const first = await measure();
  return { steady, ramp: { report: rampClean(first) ? first : await measure(), first } };
}

/** The busy-path limit: no GC, no ArrayBuffer growth, under 16 kB of young-generation growth. */
export function rampClean(r: AllocationReport): boolean {
  return r.gcEvents === 0 && r.arrayBuffersDeltaBytes === 0 && r.newSpaceDeltaBytes < 16 * 1024;
}

/**
 * A vitest suite: for dist/index.js and dist/index.cjs, every case's process() allocates nothing
 * (steady, and in its busiest path when the case has `ramp`).
 */
export function describeDistAllocation(title: string, cases: readonly DistAllocationCase<Processor>[]): void {
  describe(title, () => {
    for (const format of ['esm', 'cjs'] as const) {
      for (const c of cases) {
        it(`${c.name}: process() allocates nothing, loaded from dist/index.${format === 'esm' ? 'js' : 'cjs'}`, async () => {
          const dist = loadDist().find((d) => d.format === format)!;
          const r = await checkAllocation(() => c.create(dist.mod), { channels: c.channels, sampleRate: c.sampleRate, ramp: c.ramp });
          expect(allocationFree(r.steady.report), `steady, ${dist.file}: ${JSON.stringify(r.steady)}`).toBe(true);
          if (r.ramp) expect(rampClean(r.ramp.report), `ramping, ${dist.file}: ${JSON.stringify(r.ramp)}`).toBe(true);
        });
      }
    }
  });
}
