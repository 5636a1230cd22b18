/**
 * Biquad benchmarks: masterbus `BiquadFilter` / 5-band `ParametricEQ` against node-web-audio-api
 * (`OfflineAudioContext` + `BiquadFilterNode`s) and fili (`IirFilter` cascades), on the same input.
 *
 * masterbus is loaded from the built bundle (`dist/index.js`, run `npm run build` first); its
 * types come from `src/` so this file type-checks without a build.
 */
import { performance } from 'node:perf_hooks';
import Fili, { type FiliSection } from 'fili';
import { AudioBuffer, AudioBufferSourceNode, BiquadFilterNode, OfflineAudioContext } from 'node-web-audio-api';
import { blockRunner, CHANNELS, runInterleaved, wholeRunner, type BenchOptions, type BenchResult, type BlockFn, type Runner, type Signal } from './harness.js';

type Masterbus = typeof import('../src/index.js');

const DIST = new URL('../dist/index.js', import.meta.url);

/** Import masterbus from `dist/index.js`, with a clear message if it has not been built. */
export async function loadMasterbus(): Promise<Masterbus> {
  try {
    return (await import(DIST.href)) as Masterbus;
  } catch (e) {
    throw new Error(`bench: cannot import ${DIST.pathname}; run \`npm run build\` first (${(e as Error).message})`);
  }
}

export const BLOCK_SIZES = [128, 4096] as const;

/** The single filter: peaking, 1 kHz, Q 1, +6 dB. */
export const SINGLE = { type: 'peaking', frequencyHz: 1000, q: 1, gainDb: 6 } as const;

type BandType = 'lowshelf' | 'peaking' | 'highshelf';
/**
 * The five EQ bands. The brief leaves the peaking bands' Q open; they use √½, masterbus's default Q
 * and the Q that fili's `CalcCascades` forces on order-1 sections, so all three libraries run
 * exactly the same filter. Shelves use shelf slope S = 1 (masterbus default, Web Audio's fixed
 * slope, and fili's Q = √½ shelf, which is the same thing).
 */
export const EQ_BANDS: readonly { type: BandType; frequencyHz: number; gainDb: number; q: number }[] = [
  { type: 'lowshelf', frequencyHz: 100, gainDb: 3, q: Math.SQRT1_2 },
  { type: 'peaking', frequencyHz: 300, gainDb: -2, q: Math.SQRT1_2 },
  { type: 'peaking', frequencyHz: 1000, gainDb: 2, q: Math.SQRT1_2 },
  { type: 'peaking', frequencyHz: 3000, gainDb: -1, q: Math.SQRT1_2 },
  { type: 'highshelf', frequencyHz: 8000, gainDb: 2, q: Math.SQRT1_2 },
];

/** Identifiers of the six contenders (a result's key is `${id}@${block}`). */
export const IDS = {
  mbBiquad: 'masterbus BiquadFilter',
  mbEq: 'masterbus ParametricEQ 5-band',
  nwaBiquad: 'nwa 1 BiquadFilterNode',
  nwaEq: 'nwa 5 chained BiquadFilterNodes',
  filiBiquad: 'fili IirFilter 1 section',
  filiEq: 'fili IirFilter 5-section cascade',
} as const;

export const NWA_BLOCK = '128 (render quantum)';

// ---------------------------------------------------------------------------------------------
// Contenders

function mbBiquad(mb: Masterbus, sampleRate: number, blockFrames: number): BlockFn {
  const f = new mb.BiquadFilter({ ...SINGLE });
  f.prepare({ sampleRate, maxBlockSize: blockFrames, channels: CHANNELS });
  return (block) => f.process(block);
}

function mbEq(mb: Masterbus, sampleRate: number, blockFrames: number): BlockFn {
  const eq = new mb.ParametricEQ({ bands: EQ_BANDS.map((b) => ({ type: b.type, frequencyHz: b.frequencyHz, gainDb: b.gainDb, q: b.q })) });
  eq.prepare({ sampleRate, maxBlockSize: blockFrames, channels: CHANNELS });
  return (block) => eq.process(block);
}

const filiBandName = { lowshelf: 'lowshelf', peaking: 'peak', highshelf: 'highshelf' } as const;

/** fili sections for the single filter. `CalcCascades` forces Q = √½ on order-1 sections (its
 * Butterworth Q table), so the Q = 1 peak is designed with `IirCoeffs.peak`, the per-section
 * function `CalcCascades` itself calls. */
export function filiSingleSections(sampleRate: number): FiliSection[] {
  return [new Fili.IirCoeffs().peak({ Fs: sampleRate, Fc: SINGLE.frequencyHz, Q: SINGLE.q, gain: SINGLE.gainDb })];
}

/** fili sections for the EQ: one order-1 `CalcCascades` design per band, concatenated into one cascade. */
export function filiEqSections(sampleRate: number): FiliSection[] {
  const cascades = new Fili.CalcCascades();
  return EQ_BANDS.flatMap((b) =>
    cascades[filiBandName[b.type]]({ order: 1, characteristic: 'butterworth', Fs: sampleRate, Fc: b.frequencyHz, gain: b.gainDb }),
  );
}

/** One `IirFilter` per channel over the given sections, processed with `multiStep(x, true)`. */
function filiBlock(sections: () => FiliSection[]): BlockFn {
  const filters = Array.from({ length: CHANNELS }, () => new Fili.IirFilter(sections()));
  const l = filters[0];
  const r = filters[1];
  return (block) => {
    l.multiStep(block[0], true);
    r.multiStep(block[1], true);
  };
}

/** A whole-signal node-web-audio-api graph: source → biquads → destination. */
function nwaGraph(buffer: AudioBuffer, signal: Signal, bands: readonly { type: BiquadFilterType; frequency: number; Q: number; gain: number }[]) {
  const ctx = new OfflineAudioContext({ numberOfChannels: CHANNELS, length: signal.frames, sampleRate: signal.sampleRate });
  const src = new AudioBufferSourceNode(ctx, { buffer });
  let node: AudioNode = src;
  for (const b of bands) {
    const f = new BiquadFilterNode(ctx, b);
    node.connect(f);
    node = f;
  }
  node.connect(ctx.destination);
  src.start();
  return ctx;
}

const NWA_SINGLE = [{ type: 'peaking' as const, frequency: SINGLE.frequencyHz, Q: SINGLE.q, gain: SINGLE.gainDb }];
const NWA_EQ = EQ_BANDS.map((b) => ({ type: b.type, frequency: b.frequencyHz, Q: b.q, gain: b.gainDb }));

function nwaBuffer(signal: Signal): AudioBuffer {
  const buffer = new AudioBuffer({ numberOfChannels: CHANNELS, length: signal.frames, sampleRate: signal.sampleRate });
  signal.channels.forEach((c, ch) => buffer.copyToChannel(c, ch));
  return buffer;
}

/** Render once; the graph is built before the clock starts, only `startRendering()` is timed. */
async function nwaRenderTimed(buffer: AudioBuffer, signal: Signal, bands: typeof NWA_SINGLE | typeof NWA_EQ): Promise<number> {
  const ctx = nwaGraph(buffer, signal, bands);
  const t0 = performance.now();
  await ctx.startRendering();
  return performance.now() - t0;
}

// ---------------------------------------------------------------------------------------------
// Equivalence check (untimed): every contender filters the same input to the same output.

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

export async function checkEquivalence(mb: Masterbus, signal: Signal): Promise<CheckResult[]> {
  const fs = signal.sampleRate;
  const buffer = nwaBuffer(signal);
  const results: CheckResult[] = [];

  // What fili does with a Float32Array and overwrite = true.
  const probe = new Float32Array([0.1, 0.2, 0.3, 0.4]);
  const ret = new Fili.IirFilter(filiSingleSections(fs)).multiStep(probe, true);
  const filiInPlace = ret === probe && probe instanceof Float32Array && probe[0] !== 0.1;
  const filiNote = filiInPlace ? 'multiStep(Float32Array, true) returns the same Float32Array, filtered in place' : 'multiStep did NOT filter the Float32Array in place';

  for (const [label, mbFn, filiSections, nwaBands] of [
    ['single peaking', mbBiquad, filiSingleSections, NWA_SINGLE],
    ['5-band EQ', mbEq, filiEqSections, NWA_EQ],
  ] as const) {
    const ref = runBlocks(signal, 128, mbFn(mb, fs, 128));
    const ref4096 = runBlocks(signal, 4096, mbFn(mb, fs, 4096));
    results.push({ what: `${label}: masterbus 4096-frame blocks vs 128`, maxAbsDiff: maxAbsDiff(ref4096, ref), note: 'must be 0 (block-size invariance)' });
    const fili = runBlocks(signal, 128, filiBlock(() => filiSections(fs)));
    results.push({ what: `${label}: fili vs masterbus`, maxAbsDiff: maxAbsDiff(fili, ref), note: filiNote });
    const ctx = nwaGraph(buffer, signal, nwaBands);
    const rendered = await ctx.startRendering();
    const nwa = Array.from({ length: CHANNELS }, (_, ch) => rendered.getChannelData(ch));
    results.push({ what: `${label}: node-web-audio-api vs masterbus`, maxAbsDiff: maxAbsDiff(nwa, ref), note: 'differences at float32 rounding level' });
  }
  return results;
}

// ---------------------------------------------------------------------------------------------

export interface KeyedResult {
  readonly id: string;
  readonly result: BenchResult;
}

/**
 * Run every biquad contender once, side by side on `signal`: all are built and warmed up, then
 * their timed runs are interleaved (see {@link runInterleaved}).
 */
export async function runBiquadBenches(mb: Masterbus, signal: Signal, options: BenchOptions = {}): Promise<KeyedResult[]> {
  const fs = signal.sampleRate;
  const buffer = nwaBuffer(signal);
  const entries: [string, Runner][] = [];
  for (const n of BLOCK_SIZES) entries.push([IDS.mbBiquad, blockRunner(IDS.mbBiquad, n, mbBiquad(mb, fs, n), signal, options)]);
  for (const n of BLOCK_SIZES) entries.push([IDS.mbEq, blockRunner(IDS.mbEq, n, mbEq(mb, fs, n), signal, options)]);
  entries.push([IDS.nwaBiquad, wholeRunner(IDS.nwaBiquad, NWA_BLOCK, () => nwaRenderTimed(buffer, signal, NWA_SINGLE), signal, options)]);
  entries.push([IDS.nwaEq, wholeRunner(IDS.nwaEq, NWA_BLOCK, () => nwaRenderTimed(buffer, signal, NWA_EQ), signal, options)]);
  for (const n of BLOCK_SIZES) entries.push([IDS.filiBiquad, blockRunner(IDS.filiBiquad, n, filiBlock(() => filiSingleSections(fs)), signal, options)]);
  for (const n of BLOCK_SIZES) entries.push([IDS.filiEq, blockRunner(IDS.filiEq, n, filiBlock(() => filiEqSections(fs)), signal, options)]);
  const results = await runInterleaved(entries.map(([, r]) => r), options);
  return results.map((result, i) => ({ id: entries[i][0], result }));
}
