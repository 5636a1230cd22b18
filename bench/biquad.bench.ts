/**
 * Biquad benchmarks: masterbus `BiquadFilter` / 5-band `ParametricEQ` against node-web-audio-api
 * (`OfflineAudioContext` + `BiquadFilterNode`s) and fili (`IirFilter` cascades), on the same input.
 *
 * The contenders live in one module per library (`biquad.common.ts` for masterbus and the shared
 * definitions, `biquad.fili.ts`, `biquad.nwa.ts`); this module imports them only dynamically, so
 * {@link runGroup} loads just the library of the group it times. Merely loading
 * node-web-audio-api slows unrelated JS in the same process (see RESULTS.md notes), hence one
 * process per group (`bench/worker.ts`, spawned by `bench/run.ts`).
 */
import { blockRunner, runInterleaved, wholeRunner, type BenchOptions, type BenchResult, type BlockFn, type Runner, type Signal } from './harness.js';
import { BLOCK_SIZES, IDS, NWA_BLOCK, mbBiquad, mbEq, loadMasterbus, type Group, type Masterbus } from './biquad.common.js';

export { BLOCK_SIZES, EQ_BANDS, GROUPS, IDS, NWA_BLOCK, SINGLE, loadMasterbus, type Group, type Masterbus } from './biquad.common.js';

// ---------------------------------------------------------------------------------------------
// Equivalence check (untimed): every contender filters the same input to the same output.
// It loads all three libraries into one process, so it must not share a process with timing.

export interface CheckResult {
  readonly what: string;
  /** max |peer − masterbus| over the whole signal, both channels. */
  readonly maxAbsDiff: number;
  readonly note: string;
}

function maxAbsDiff(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let m = 0;
  for (let ch = 0; ch < a.length; ch++) {
    for (let i = 0; i < a[ch].length; i++) {
      const d = Math.abs(a[ch][i] - b[ch][i]);
      if (d > m) m = d;
    }
  }
  return m;
}

function runBlocks(signal: Signal, blockFrames: number, fn: BlockFn): Float32Array[] {
  const out = signal.channels.map((c) => c.slice());
  for (let pos = 0; pos < signal.frames; pos += blockFrames) fn(out.map((c) => c.subarray(pos, pos + blockFrames)));
  return out;
}

export async function checkEquivalence(signal: Signal): Promise<CheckResult[]> {
  const mb = await loadMasterbus();
  const { filiBlock, filiEqSections, filiSingleSections, filiFiltersInPlace } = await import('./biquad.fili.js');
  const { NWA_EQ, NWA_SINGLE, nwaBuffer, nwaRender } = await import('./biquad.nwa.js');
  const fs = signal.sampleRate;
  const buffer = nwaBuffer(signal);
  const results: CheckResult[] = [];

  const filiNote = filiFiltersInPlace(fs) ? 'multiStep(Float32Array, true) returns the same Float32Array, filtered in place' : 'multiStep did NOT filter the Float32Array in place';

  for (const [label, mbFn, filiSections, nwaBands] of [
    ['single peaking', mbBiquad, filiSingleSections, NWA_SINGLE],
    ['5-band EQ', mbEq, filiEqSections, NWA_EQ],
  ] as const) {
    const ref = runBlocks(signal, 128, mbFn(mb, fs, 128));
    const ref4096 = runBlocks(signal, 4096, mbFn(mb, fs, 4096));
    results.push({ what: `${label}: masterbus 4096-frame blocks vs 128`, maxAbsDiff: maxAbsDiff(ref4096, ref), note: 'must be 0 (block-size invariance)' });
    const fili = runBlocks(signal, 128, filiBlock(() => filiSections(fs)));
    results.push({ what: `${label}: fili vs masterbus`, maxAbsDiff: maxAbsDiff(fili, ref), note: filiNote });
    const nwa = await nwaRender(buffer, signal, nwaBands);
    results.push({ what: `${label}: node-web-audio-api vs masterbus`, maxAbsDiff: maxAbsDiff(nwa, ref), note: 'differences at float32 rounding level' });
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Timing

export interface KeyedResult {
  readonly id: string;
  readonly result: BenchResult;
}

/** Build the runners of one group, loading only that group's library. */
async function groupRunners(group: Group, signal: Signal, options: BenchOptions): Promise<[string, Runner][]> {
  const fs = signal.sampleRate;
  const entries: [string, Runner][] = [];
  if (group === 'masterbus') {
    const mb: Masterbus = await loadMasterbus();
    for (const n of BLOCK_SIZES) entries.push([IDS.mbBiquad, blockRunner(IDS.mbBiquad, n, mbBiquad(mb, fs, n), signal, options)]);
    for (const n of BLOCK_SIZES) entries.push([IDS.mbEq, blockRunner(IDS.mbEq, n, mbEq(mb, fs, n), signal, options)]);
  } else if (group === 'fili') {
    const { filiBlock, filiEqSections, filiSingleSections } = await import('./biquad.fili.js');
    for (const n of BLOCK_SIZES) entries.push([IDS.filiBiquad, blockRunner(IDS.filiBiquad, n, filiBlock(() => filiSingleSections(fs)), signal, options)]);
    for (const n of BLOCK_SIZES) entries.push([IDS.filiEq, blockRunner(IDS.filiEq, n, filiBlock(() => filiEqSections(fs)), signal, options)]);
  } else if (group === 'nwa') {
    const { NWA_EQ, NWA_SINGLE, nwaBuffer, nwaRenderTimed } = await import('./biquad.nwa.js');
    const buffer = nwaBuffer(signal);
    entries.push([IDS.nwaBiquad, wholeRunner(IDS.nwaBiquad, NWA_BLOCK, () => nwaRenderTimed(buffer, signal, NWA_SINGLE), signal, options)]);
    entries.push([IDS.nwaEq, wholeRunner(IDS.nwaEq, NWA_BLOCK, () => nwaRenderTimed(buffer, signal, NWA_EQ), signal, options)]);
  } else {
    throw new RangeError(`unknown bench group ${String(group)}`);
  }
  return entries;
}

/**
 * Time the contenders of one group side by side on `signal`: all are built and warmed up, then
 * their timed runs are interleaved (see {@link runInterleaved}). Loads only the group's library,
 * so call it in a process of its own (see `bench/worker.ts`).
 */
export async function runGroup(group: Group, signal: Signal, options: BenchOptions = {}): Promise<KeyedResult[]> {
  const entries = await groupRunners(group, signal, options);
  const results = await runInterleaved(entries.map(([, r]) => r), options);
  return results.map((result, i) => ({ id: entries[i][0], result }));
}
