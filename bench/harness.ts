/**
 * Benchmark harness (not part of the tests).
 *
 * - {@link makeSignal}: a deterministic stereo 48 kHz test signal (noise + sines), one
 *   `Float32Array` per channel, whose length is a multiple of every block size we bench.
 * - {@link benchBlocks} / {@link blockRunner}: times a block-based processor `(block) => void` (in
 *   place) over the whole signal cut into blocks of N frames. The block views are cut with
 *   `subarray` before timing, and the working copy is restored from the pristine signal *outside*
 *   the timed region before each pass, so every pass filters the same input and the timed loop
 *   allocates nothing.
 * - {@link benchWhole} / {@link wholeRunner}: the same statistics for peers that are not block
 *   based (e.g. an `OfflineAudioContext` render): the caller builds whatever it needs and returns
 *   the elapsed time of the part that is to be measured.
 * - {@link runInterleaved}: several runners side by side, their timed runs interleaved.
 *
 * Both report the median over R timed runs (after a warm-up) of frames/s, samples/s
 * (frames · channels / s) and × real time (frames/s ÷ sample rate).
 */
import { performance } from 'node:perf_hooks';

export const SAMPLE_RATE = 48000;
export const CHANNELS = 2;
/** Largest block size benched; the signal length is a multiple of it (and so of 128). */
export const MAX_BLOCK = 4096;

export interface Signal {
  readonly sampleRate: number;
  readonly frames: number;
  readonly channels: readonly Float32Array<ArrayBuffer>[];
}

/** mulberry32: small deterministic PRNG, uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Deterministic stereo test signal of about `seconds` (rounded down to a multiple of
 * {@link MAX_BLOCK} frames): white noise at ±0.1 plus four sines (55 Hz … 9.7 kHz, slightly
 * different per channel). Peak below 0.6, never silent (no denormal-bound tails).
 */
export function makeSignal(seconds = 20, seed = 0x5eed): Signal {
  const frames = Math.floor((seconds * SAMPLE_RATE) / MAX_BLOCK) * MAX_BLOCK;
  const rand = mulberry32(seed);
  const tones = [
    { f: 55, a: 0.2 },
    { f: 440, a: 0.15 },
    { f: 3100, a: 0.1 },
    { f: 9700, a: 0.05 },
  ];
  const channels: Float32Array<ArrayBuffer>[] = [];
  for (let ch = 0; ch < CHANNELS; ch++) {
    const x = new Float32Array(frames);
    const detune = 1 + 0.003 * ch;
    for (let i = 0; i < frames; i++) {
      let v = 0.2 * (rand() - 0.5);
      for (let k = 0; k < tones.length; k++) {
        v += tones[k].a * Math.sin((2 * Math.PI * tones[k].f * detune * i) / SAMPLE_RATE + k + ch);
      }
      x[i] = v;
    }
    channels.push(x);
  }
  return { sampleRate: SAMPLE_RATE, frames, channels };
}

/** Processes one block (one `Float32Array` per channel) in place. */
export type BlockFn = (block: readonly Float32Array[]) => void;

export interface BenchOptions {
  /** Timed runs; the median is reported. @defaultValue 7 */
  runs?: number;
  /** Minimum warm-up time in ms (at least 2 passes). @defaultValue 300 */
  warmupMs?: number;
  /** Each timed run repeats whole-signal passes until it lasts at least this long. @defaultValue 200 */
  minRunMs?: number;
}

export interface BenchResult {
  readonly name: string;
  /** Block size in frames, or a label such as "128 (render quantum)". */
  readonly block: string;
  readonly frames: number;
  readonly channels: number;
  readonly sampleRate: number;
  /** Time of one pass over the whole signal, per timed run, in ms. */
  readonly passMs: readonly number[];
  readonly medianPassMs: number;
  readonly framesPerSec: number;
  readonly samplesPerSec: number;
  readonly realtime: number;
  /** (slowest − fastest run) / median, over the timed runs. */
  readonly spread: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function summarize(name: string, block: string, signal: Signal, passMs: number[]): BenchResult {
  const med = median(passMs);
  const framesPerSec = signal.frames / (med / 1000);
  return {
    name,
    block,
    frames: signal.frames,
    channels: signal.channels.length,
    sampleRate: signal.sampleRate,
    passMs,
    medianPassMs: med,
    framesPerSec,
    samplesPerSec: framesPerSec * signal.channels.length,
    realtime: framesPerSec / signal.sampleRate,
    spread: (Math.max(...passMs) - Math.min(...passMs)) / med,
  };
}

/** Let a pending GC / the event loop settle between benches (no effect on timing loops). */
function settle(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
  return new Promise((resolve) => setTimeout(resolve, 20));
}

/**
 * One contender, ready to be timed: `warmup()` once, then `run()` R times; each `run()` resolves
 * to the time of one pass over the whole signal in ms (averaged over the passes of that run).
 */
export interface Runner {
  readonly name: string;
  readonly block: string;
  readonly signal: Signal;
  warmup(): Promise<void>;
  run(): Promise<number>;
}

/**
 * A runner for a block-based processor: `process` runs over `signal` cut into blocks of
 * `blockFrames` frames. `process` must be ready to run (e.g. a processor prepared with
 * `maxBlockSize >= blockFrames`); its state carries over from pass to pass, as in a stream.
 */
export function blockRunner(name: string, blockFrames: number, process: BlockFn, signal: Signal, options: BenchOptions = {}): Runner {
  const { warmupMs = 300, minRunMs = 200 } = options;
  if (signal.frames % blockFrames !== 0) throw new RangeError(`signal length ${signal.frames} is not a multiple of ${blockFrames}`);
  const src = signal.channels;
  const work = src.map((c) => new Float32Array(c.length));
  const count = signal.frames / blockFrames;
  // Block views cut once, before any timing.
  const blocks: Float32Array[][] = [];
  for (let b = 0; b < count; b++) blocks.push(work.map((w) => w.subarray(b * blockFrames, (b + 1) * blockFrames)));

  const pass = (): number => {
    for (let ch = 0; ch < work.length; ch++) work[ch].set(src[ch]); // untimed restore of the input
    const t0 = performance.now();
    for (let b = 0; b < count; b++) process(blocks[b]);
    return performance.now() - t0;
  };

  let passesPerRun = 1;
  return {
    name,
    block: String(blockFrames),
    signal,
    async warmup() {
      // At least two passes and warmupMs; the passes also calibrate the passes per run.
      const warm: number[] = [];
      const w0 = performance.now();
      while (warm.length < 2 || performance.now() - w0 < warmupMs) warm.push(pass());
      passesPerRun = Math.max(1, Math.ceil(minRunMs / Math.max(median(warm), 1e-3)));
    },
    async run() {
      let t = 0;
      for (let p = 0; p < passesPerRun; p++) t += pass();
      return t / passesPerRun;
    },
  };
}

/**
 * A runner for a whole-signal renderer: `render()` renders all of `signal` once (building
 * whatever it needs first, untimed) and resolves to the elapsed time in ms of the measured part.
 * Like {@link blockRunner}, each timed run repeats renders until it lasts at least `minRunMs`
 * (calibrated during the warm-up) and reports the mean time of one render.
 */
export function wholeRunner(name: string, blockLabel: string, render: () => Promise<number>, signal: Signal, options: BenchOptions = {}): Runner {
  const { warmupMs = 300, minRunMs = 200 } = options;
  let rendersPerRun = 1;
  return {
    name,
    block: blockLabel,
    signal,
    async warmup() {
      const warm: number[] = [];
      const w0 = performance.now();
      while (warm.length < 2 || performance.now() - w0 < warmupMs) warm.push(await render());
      rendersPerRun = Math.max(1, Math.ceil(minRunMs / Math.max(median(warm), 1e-3)));
    },
    async run() {
      let t = 0;
      for (let p = 0; p < rendersPerRun; p++) t += await render();
      return t / rendersPerRun;
    },
  };
}

/**
 * Warm every runner up, then time R runs of each, interleaved round-robin (run r of every runner
 * before run r + 1 of any, starting at a rotating runner), so that slow phases of a shared machine
 * hit all contenders alike and the ratios stay meaningful. Reports each runner's median.
 */
export async function runInterleaved(runners: readonly Runner[], options: BenchOptions = {}): Promise<BenchResult[]> {
  const { runs = 7 } = options;
  for (const r of runners) {
    await settle();
    await r.warmup();
  }
  const times: number[][] = runners.map(() => []);
  for (let k = 0; k < runs; k++) {
    for (let j = 0; j < runners.length; j++) {
      const i = (j + k) % runners.length;
      times[i].push(await runners[i].run());
    }
  }
  return runners.map((r, i) => summarize(r.name, r.block, r.signal, times[i]));
}

/** Time one block-based processor on its own (see {@link blockRunner}). */
export async function benchBlocks(name: string, blockFrames: number, process: BlockFn, signal: Signal, options: BenchOptions = {}): Promise<BenchResult> {
  return (await runInterleaved([blockRunner(name, blockFrames, process, signal, options)], options))[0];
}

/** Time one whole-signal renderer on its own (see {@link wholeRunner}). */
export async function benchWhole(name: string, blockLabel: string, render: () => Promise<number>, signal: Signal, options: BenchOptions = {}): Promise<BenchResult> {
  return (await runInterleaved([wholeRunner(name, blockLabel, render, signal, options)], options))[0];
}

/**
 * A music-like programme (kick, bass, chords, hats, sections at different levels, a limited
 * master peaking near −1 dBFS): what a mastering meter mostly sees. Deterministic.
 */
export function makeMusic(seconds: number): Signal {
  const sr = 48000;
  const frames = Math.floor((seconds * sr) / 4096) * 4096;
  const l = new Float32Array(frames);
  const r = new Float32Array(frames);
  let seed = 0x1234;
  const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  let n1 = 0;
  let n2 = 0;
  for (let i = 0; i < frames; i++) {
    const t = i / sr;
    const section = [0.5, 0.8, 0.65, 1][Math.floor(t / 15) % 4];
    const beat = t % 0.5;
    const kick = Math.exp(-beat * 18) * Math.sin(2 * Math.PI * (50 + 120 * Math.exp(-beat * 30)) * beat);
    const bass = 0.35 * Math.sin(2 * Math.PI * 55 * t) * (0.7 + 0.3 * Math.sin(2 * Math.PI * 0.25 * t));
    const chord = 0.1 * (Math.sin(2 * Math.PI * 220 * t) + Math.sin(2 * Math.PI * 277.2 * t + 1) + Math.sin(2 * Math.PI * 329.6 * t + 2));
    n1 = 0.6 * n1 + 0.4 * rnd();
    n2 = 0.6 * n2 + 0.4 * rnd();
    const hat = t % 0.25 < 0.03 ? 0.25 : 0.05;
    l[i] = Math.tanh(1.5 * section * (0.7 * kick + bass + chord + hat * n1)) * 0.85;
    r[i] = Math.tanh(1.5 * section * (0.7 * kick + bass + 0.9 * chord + hat * n2)) * 0.85;
  }
  return { sampleRate: sr, frames, channels: [l, r] };
}

/** One timed row of a bench worker: a label, the block size shown, the median time in ms. */
export interface TimedRow {
  id: string;
  block: string;
  ms: number;
}

/** Run `fn` (which returns its own measured ms) twice to warm up, then `runs` times; the median. */
export async function timeRow(id: string, block: string, fn: () => Promise<number> | number, runs = 7): Promise<TimedRow> {
  await fn();
  await fn();
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) ms.push(await fn());
  return { id, block, ms: median(ms) };
}
