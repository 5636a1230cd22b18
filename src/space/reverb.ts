/**
 * Reverb: an algorithmic reverberator, a 16-line feedback delay network (FDN) with
 * frequency-dependent decay, pre-delay, input diffusion, stereo width and dry/wet.
 *
 * Signal path: the input (the mean of the channels) → pre-delay → four Schroeder all-pass
 * diffusers in series → into each of the 16 delay lines with gain ±¼ → each line's output through
 * its absorption filter → the 16 × 16 orthogonal feedback matrix → back into the lines. The left
 * and right outputs are rows 5 and 10 of the matrix applied to the filtered line outputs (two
 * orthogonal ±¼ combinations, computed by the matrix anyway), so their late fields are
 * uncorrelated; `width` scales their side signal.
 *
 * - FDN: Jot & Chaigne, "Digital delay networks for designing artificial reverberators", AES 90th
 *   Convention, 1991, preprint 3030; Jot, "An analysis/synthesis approach to real-time artificial
 *   reverberation", ICASSP 1992. The feedback matrix is the Sylvester–Hadamard matrix H₁₆/4
 *   (orthogonal: H·Hᵀ = 16·I; every entry ±¼, so every line feeds every other at equal energy),
 *   applied as a fast Walsh–Hadamard transform (64 additions per sample), as proposed for FDNs by
 *   Jot & Chaigne 1991 and Rocchesso, "Maximally diffusive yet efficient feedback delay networks
 *   for artificial reverberation", IEEE Signal Processing Letters 4(9), 1997.
 * - Decay (Jot's absorption filters): for a reverberation time T(f), a line of m samples must
 *   attenuate by |Hᵢ(f)| = 10^(−3·m/(fs·T(f))) (−60 dB after T seconds of travel whatever the
 *   path, so every mode of the network decays at the same rate). Each line's filter is the product
 *   of a constant g_mid, a first-order low shelf (DC gain g_low/g_mid) and a first-order high shelf
 *   (Nyquist gain g_high/g_mid), with T = decay·lowDecayRatio, decay, decay·highDecayRatio; the
 *   shelves are analog prototypes H(s) = (s + ω_c√G)/(s + ω_c/√G) (low) and
 *   G·(s + ω_c/√G)/(s + ω_c√G) (high), gain √G at ω_c, through the bilinear transform with
 *   prewarping (the first-order case of Jot, "Proportional parametric equalizers", AES 139th
 *   Convention, 2015). Crossovers above 0.45·fs are taken as 0.45·fs.
 * - Diffusion: four all-passes v[n] = x[n] + g·v[n−M], y[n] = v[n−M] − g·v[n] (Schroeder 1962),
 *   with the lengths and gain ratios of Dattorro's input diffusers ("Effect Design, Part 1", JAES
 *   45(9), 1997: 142, 107, 379, 277 samples at 29 761 Hz; gains 0.75, 0.75, 0.625, 0.625), their
 *   gains scaled by `diffusion`.
 * - Lengths: distinct primes (so mutually prime: no two lines share echo times), spread
 *   geometrically from 23 ms to 67 ms at size 1, scaled by `size`.
 * - Stability and bounds: with an orthogonal matrix the network is stable when every absorption
 *   filter has a gain below 1 at every frequency (Jot & Chaigne 1991). Each shelf is monotonic
 *   between its two asymptotes, and `highDecayRatio` ≤ 1, so |Hᵢ| ≤ max(g_low, g_mid) < 1. A
 *   clamp of every filter output (which carries the matrix's ¼) to ±2500 on its way into the
 *   lines and the taps bounds the output for any input and setting: |wet| ≤ 16 · 2500 = 4·10⁴ per
 *   channel. (A filter's own state is the unclamped output of a stable filter whose input is a
 *   line sample, at most 16·2500 + ¼·10⁶ after the input clamp: finite, so no NaN can arise.)
 *   The clamp is never reached in practice: full-scale noise into the longest, least damped
 *   setting gives peaks below 4.
 * - Blocks: every line is at least as long as the chunk processed at once (≤ 128 samples), so a
 *   chunk reads all 16 lines' outputs first, filters them, mixes them by the matrix as whole
 *   vectors and writes them back: exactly the per-sample recursion, in any partition.
 * - Kernel: where WebAssembly SIMD is available (Node, every current browser, an AudioWorklet)
 *   the network runs in a small WebAssembly module (reverb-kernel.wat, embedded: the core stays
 *   dependency-free), two lines per f64x2 vector; elsewhere in JavaScript. Both perform the same
 *   IEEE operations in the same order, so their outputs are equal to the bit (tested).
 * - Denormals: every value written into the lines (the filter outputs, clamped and flushed) and
 *   every diffuser state is set to 0 below 1e-30 in magnitude, per sample; the filters' own states
 *   keep their unclamped outputs (so the clamp and flush stay off the recursion's critical path)
 *   and are set to 0 below 1e-30 at every 128 samples of absolute time (a chunk ends there), too
 *   soon for a value below 1e-30 to decay into the subnormal range. After the input stops the
 *   network empties to exact zeros instead of decaying into subnormal numbers.
 * - Changes: decay, ratios, crossovers and diffusion glide (the filters are redesigned every 32
 *   samples of absolute time while they ramp); mix and width ramp per sample; size and pre-delay
 *   cross-fade the line reads from the old lengths to the new over 20 ms (a new change during a
 *   cross-fade restarts it from the lengths it started from).
 *
 * @module
 */
import { DEFAULT_SMOOTHING_MS, SMOOTHING_RANGE } from '../core/options.js';
import { primeProcessor } from '../core/prime.js';
import { NO_METERS, safeFrameCount, usableChannels, validateSpec, type ChannelRange, type MeterName, type ProcessSpec, type Processor, type ProcessorJSON } from '../core/processor.js';
import { SmoothedValue } from '../core/smoothed-value.js';
import { defineRules, validateOptions, type OptionRules } from '../core/validate.js';
import { paramsFromJSON, processorJSON } from '../core/json.js';
import { REVERB_KERNEL_BASE64 } from './reverb-kernel.js';
import { compileWasm, instantiateWithMemory, type WasmModule } from '../core/webassembly.js';

/** Options of {@link Reverb}. */
export interface ReverbOptions {
  /** Reverberation time RT60 at mid frequencies, in seconds, [0.2, 20]. Glides. @defaultValue 2 */
  decaySeconds: number;
  /** Delay before the reverberation starts, in ms, [0, 500]. Cross-fades. @defaultValue 10 */
  preDelayMs: number;
  /** Room size: scales the delay lengths (23–67 ms at 1), [0.25, 2]. Cross-fades. @defaultValue 1 */
  size: number;
  /** Input diffusion, [0, 1]: the all-pass gains (0.75 at 1); at 0 the input passes undiffused, the four all-passes then being plain delays (about 30.5 ms in all, which the first echo arrives later by). Glides. @defaultValue 0.7 */
  diffusion: number;
  /** Decay time below `lowCrossoverHz` as a multiple of `decaySeconds`, [0.25, 4]. Glides. @defaultValue 1.2 */
  lowDecayRatio: number;
  /** Decay time above `highCrossoverHz` as a multiple of `decaySeconds`, [0.1, 1] (damping). Glides. @defaultValue 0.5 */
  highDecayRatio: number;
  /** Transition of the low shelf, in Hz, [20, 2000]. Glides. @defaultValue 250 */
  lowCrossoverHz: number;
  /** Transition of the high shelf, in Hz, [1000, 20000] (at most 0.45·fs is used). Glides. @defaultValue 4000 */
  highCrossoverHz: number;
  /** Stereo width of the reverberation, [0, 1]: 0 mono, 1 fully decorrelated. Smoothed. @defaultValue 1 */
  width: number;
  /** Dry/wet mix, [0, 1]: 0 passes the input unchanged, 1 is the reverberation only. Smoothed. @defaultValue 0.3 */
  mix: number;
  /** Ramp time of parameter changes in ms, [0, 1000]. @defaultValue 20 */
  smoothingMs: number;
}

/** Defaults of {@link ReverbOptions}: a medium hall, 2 s, darker highs. */
export const REVERB_DEFAULTS: Readonly<ReverbOptions> = Object.freeze({
  decaySeconds: 2,
  preDelayMs: 10,
  size: 1,
  diffusion: 0.7,
  lowDecayRatio: 1.2,
  highDecayRatio: 0.5,
  lowCrossoverHz: 250,
  highCrossoverHz: 4000,
  width: 1,
  mix: 0.3,
  smoothingMs: DEFAULT_SMOOTHING_MS,
});

/** Validation rules of {@link ReverbOptions}. */
export const REVERB_RULES: OptionRules<ReverbOptions> = defineRules<ReverbOptions>({
  decaySeconds: { kind: 'number', range: { min: 0.2, max: 20, unit: 's' }, description: 'Reverberation time RT60 at mid frequencies' },
  preDelayMs: { kind: 'number', range: { min: 0, max: 500, unit: 'ms' }, description: 'Delay before the reverberation' },
  size: { kind: 'number', range: { min: 0.25, max: 2 }, description: 'Room size (scales the delay lengths)' },
  diffusion: { kind: 'number', range: { min: 0, max: 1 }, description: 'Input diffusion' },
  lowDecayRatio: { kind: 'number', range: { min: 0.25, max: 4 }, description: 'Low-frequency decay time / decay time' },
  highDecayRatio: { kind: 'number', range: { min: 0.1, max: 1 }, description: 'High-frequency decay time / decay time (damping)' },
  lowCrossoverHz: { kind: 'number', range: { min: 20, max: 2000, unit: 'Hz' }, description: 'Low shelf transition' },
  highCrossoverHz: { kind: 'number', range: { min: 1000, max: 20000, unit: 'Hz' }, description: 'High shelf transition' },
  width: { kind: 'number', range: { min: 0, max: 1 }, description: 'Stereo width of the reverberation' },
  mix: { kind: 'number', range: { min: 0, max: 1 }, description: 'Dry/wet mix' },
  smoothingMs: { kind: 'number', range: SMOOTHING_RANGE, description: 'Ramp time of parameter changes' },
});

const OWNER = 'Reverb';
/** Mono or stereo. */
const MONO_OR_STEREO: ChannelRange = Object.freeze({ min: 1, max: 2 });
/** Channel counts whose change paths have been primed in this realm (see `primeChanges`). */
const changesPrimed: boolean[] = [];
/** Changes the priming makes, and the frames it runs after each (a cross-fade lasts 20 ms). */
const PRIME_CHANGE_ROUNDS = 18;
const PRIME_CHANGE_FRAMES = 1536;
/** Glides the priming steps through directly (250 filter redesigns each). */
const PRIME_GLIDE_ROUNDS = 12;

/** Delay lines of the network (a power of two: the Hadamard matrix). */
export const REVERB_LINES = 16;
const N = REVERB_LINES;
/** Longest chunk processed at once. */
const CHUNK = 128;
/** Control grid (samples of absolute time) for redesigning the filters while parameters glide. */
const GRID = 32;
/** Shortest and longest line at size 1, in seconds. */
const LINE_MIN_S = 0.023;
const LINE_MAX_S = 0.067;
/** Largest size (for the line memory). */
const MAX_SIZE = 2;
/** Longest pre-delay, in seconds. */
const MAX_PRE_S = 0.5;
/** Dattorro's input diffusers: lengths at 29 761 Hz and gains at diffusion 1. */
const DIFF_SAMPLES_29761 = [142, 107, 379, 277] as const;
const DIFF_GAINS = [0.75, 0.75, 0.625, 0.625] as const;
const STAGES = 4;
/** Cross-fade of size and pre-delay changes, in seconds. */
const FADE_S = 0.02;
/** Signs of the input vector (pseudo-random: the input reaches the outputs by many paths at once). */
const B_SIGNS = [1, -1, 1, 1, -1, 1, -1, -1, 1, 1, -1, 1, -1, -1, -1, 1] as const;

// Slots of `ist` (Int32Array).
/** Write index of the delay lines (also of the pre-delay and diffusers, each masked by its own size). */
const W = 0;
/** Absolute time modulo GRID. */
const PHASE = 1;
/** YES while the designed parameters glide. */
const GLIDING = 2;
/** Samples into the size/pre-delay cross-fade. */
const FADE_POS = 3;
/** Length of the cross-fade (0: none running). */
const FADE_LEN = 4;
/** Longest chunk: the shortest line length, old or new, at most CHUNK. */
const KMAX = 5;
/** Pre-delay in samples: the one faded from, the one faded to. */
const PRE_OLD = 6;
const PRE_NEW = 7;
/** Write index of the pre-delay and diffuser rings. */
const WD = 8;
/** Absolute time modulo STATE_GRID. */
const T_STATE = 9;
/** Every STATE_GRID samples of absolute time the filters' states are flushed (a chunk ends there). */
const STATE_GRID = 128;
const NO = 0;
const YES = 1;

// Slots of `st` (Float64Array): the glided values at the current grid step (decay, ratios,
// crossovers, diffusion), the sample rate.
const ST_DECAY = 0;
const ST_LOW = 1;
const ST_HIGH = 2;
const ST_FLOW = 3;
const ST_FHIGH = 4;
const ST_DIFF = 5;
const ST_FS = 6;

// Per line, in `coef` at i·CF: the absorption filter y = b0·x + b1·x1 + b2·x2 − a1·y1 − a2·y2.
const CF = 5;
const B0 = 0;
const B1 = 1;
const B2 = 2;
const A1 = 3;
const A2 = 4;
// Per line, in `fst` at i·FS: x1, x2, y1, y2.
const FS = 4;

// The network's memory (byte offsets): coefficients, states, input gains, lengths, the chunk's
// input and taps 1 KiB apart, then the lines from 8 KiB.
const MEM_COEF = 0;
const MEM_FST = MEM_COEF + N * CF * 8;
const MEM_B = MEM_FST + N * FS * 8;
const MEM_D = MEM_B + N * 8;
const MEM_U = 4096;
const MEM_WL = MEM_U + 1024;
const MEM_WR = MEM_WL + 1024;
const MEM_LINES = 8192;

/** The WebAssembly kernel's `network` export (byte offsets into its memory; see reverb-kernel.wat). */
type NetworkKernel = (lines: number, size: number, w: number, k: number, coef: number, fst: number, d: number, b: number, u: number, wl: number, wr: number) => void;

let kernelEnabled = true;

/** The compiled SIMD kernel, or null (disabled, or no WebAssembly SIMD: the JavaScript kernels, bit for bit the same, run). */
function reverbKernel(): WasmModule | null {
  return kernelEnabled ? compileWasm(REVERB_KERNEL_BASE64) : null;
}

/**
 * Use the WebAssembly kernel in reverbs prepared from now on (true, where available: the default)
 * or the JavaScript one (false); returns whether the WebAssembly kernel is available. For tests
 * and measurements: both give the same output, bit for bit.
 * @internal
 */
export function useReverbWasm(enabled: boolean): boolean {
  kernelEnabled = enabled;
  return compileWasm(REVERB_KERNEL_BASE64) !== null;
}

/**
 * An algorithmic stereo reverb: a 16-line feedback delay network with Jot's absorption filters.
 * Mono or stereo in place; latency 0 (the dry signal is not delayed).
 *
 * @example
 * ```ts
 * import { Reverb } from 'masterbus';
 * const reverb = new Reverb({ decaySeconds: 2.5, preDelayMs: 20, mix: 1 }); // on an aux bus
 * reverb.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
 * const block = [new Float32Array(128), new Float32Array(128)];
 * block[0][0] = block[1][0] = 1;            // an impulse
 * reverb.process(block);                    // in place: the start of the impulse response
 * reverb.set({ highDecayRatio: 0.3 });      // darker: glides
 * ```
 */
export class Reverb implements Processor<ReverbOptions> {
  /** Type name used by {@link Reverb.toJSON}. */
  static readonly type = 'Reverb';
  /** Defaults of its options. */
  static readonly defaults = REVERB_DEFAULTS;
  /** Validation rules of its options: the one source of their ranges and units (see `describeOptions`). */
  static readonly rules = REVERB_RULES;
  /** One or two channels. */
  readonly channelRange = MONO_OR_STEREO;
  /** No read-outs. */
  readonly meterNames: readonly MeterName[] = NO_METERS;
  /** No read-outs: writes nothing. */
  readMeters(_out: Float64Array, _offset: number): void {}
  /** Always 0. */
  readonly latency = 0;
  private opts: ReverbOptions;
  private spec: ProcessSpec | undefined;
  private readonly ist = new Int32Array(12);
  private readonly st = new Float64Array(8);
  /** The 16 lines, one ring of `size` samples each, line i at i·size. */
  private lines = new Float64Array(0);
  private size = 0;
  private mask = 0;
  /** Line lengths in samples: faded from, faded to. */
  private readonly dOld = new Int32Array(N);
  private dNew = new Int32Array(N);
  private coef = new Float64Array(N * CF);
  /** Input gains: ±¼. */
  private bIn = new Float64Array(N);
  private fst = new Float64Array(N * FS);
  /** The WebAssembly network kernel over this reverb's memory, or undefined (JavaScript kernels). */
  private network: NetworkKernel | undefined;
  /** Pre-delay ring and the diffusers' rings (STAGES rings of `dsize`, one array). */
  private pre = new Float64Array(0);
  private pmask = 0;
  private diff = new Float64Array(0);
  private dsize = 0;
  private dmask = 0;
  /** Mask of the pre-delay and diffuser write index (the larger ring's). */
  private wdmask = 0;
  private readonly dLen = new Int32Array(STAGES);
  private readonly dGain = new Float64Array(STAGES);
  /** Scratch: the input, the wet outputs, ramps. */
  private u = new Float64Array(CHUNK);
  private wl = new Float64Array(CHUNK);
  private wr = new Float64Array(CHUNK);
  private fade = new Float64Array(CHUNK);
  private mixBuf = new Float64Array(CHUNK);
  private widthBuf = new Float64Array(CHUNK);
  private readonly decay = new SmoothedValue('multiplicative', 1);
  private readonly lowRatio = new SmoothedValue('multiplicative', 1);
  private readonly highRatio = new SmoothedValue('multiplicative', 1);
  private readonly fLow = new SmoothedValue('multiplicative', 1);
  private readonly fHigh = new SmoothedValue('multiplicative', 1);
  private readonly diffusion = new SmoothedValue('linear', 0);
  private readonly mixer = new SmoothedValue('linear', 0);
  private readonly widthS = new SmoothedValue('linear', 0);

  /** Create a reverb; omitted options take {@link REVERB_DEFAULTS}. Throws on bad options. */
  constructor(options: Partial<ReverbOptions> = {}) {
    this.opts = { ...REVERB_DEFAULTS, ...validateOptions<ReverbOptions>(OWNER, options, REVERB_RULES) };
    for (let i = 0; i < N; i++) this.bIn[i] = 0.25 * B_SIGNS[i];
    this.targets(false);
  }

  /** Rebuild from {@link Reverb.toJSON} output (validated like the constructor's options). */
  static fromJSON(json: ProcessorJSON): Reverb {
    return new Reverb(paramsFromJSON(Reverb, json));
  }

  /** The current parameters (ramping values are given as their targets). */
  get params(): ReverbOptions {
    return { ...this.opts };
  }

  /** The delay lengths of the 16 lines in samples at the current size (distinct primes), after `prepare()`. */
  get lineLengths(): number[] {
    return Array.from(this.dNew);
  }

  /** Change parameters (validated first: a bad value throws and changes nothing). */
  set(options: Partial<ReverbOptions>): this {
    const o = validateOptions<ReverbOptions>(OWNER, options, REVERB_RULES);
    const before = this.opts;
    const next = { ...before, ...o };
    this.opts = next;
    const spec = this.spec;
    if (!spec) {
      this.targets(false);
      return this;
    }
    if (o.smoothingMs !== undefined) for (const v of this.smoothed) v.setRampLength(spec.sampleRate, next.smoothingMs / 1000);
    this.targets(true);
    if (next.size !== before.size || next.preDelayMs !== before.preDelayMs) {
      const ist = this.ist;
      // Fade from the lengths in use (the older ones, if a fade is running) to the new ones.
      if (ist[FADE_LEN] === 0) {
        this.dOld.set(this.dNew);
        ist[PRE_OLD] = ist[PRE_NEW];
      }
      this.lengths(spec.sampleRate, next.size, next.preDelayMs);
      ist[FADE_POS] = 0;
      ist[FADE_LEN] = Math.max(1, Math.round(FADE_S * spec.sampleRate));
      this.updateKmax();
      this.design();
    }
    return this;
  }

  prepare(spec: ProcessSpec): void {
    const s = validateSpec(OWNER, spec, this.channelRange);
    this.spec = s;
    const fs = s.sampleRate;
    this.st[ST_FS] = fs;
    // Line memory: the longest line at the largest size, plus a chunk.
    const longest = nextPrime(Math.round(LINE_MAX_S * MAX_SIZE * fs) + 2 * N);
    this.size = pow2AtLeast(longest + CHUNK + 1);
    this.mask = this.size - 1;
    const psize = pow2AtLeast(Math.ceil(MAX_PRE_S * fs) + CHUNK + 1);
    this.pre = new Float64Array(psize);
    this.pmask = psize - 1;
    let dmax = 0;
    for (let k = 0; k < STAGES; k++) {
      this.dLen[k] = nextPrime(Math.max(2, Math.round((DIFF_SAMPLES_29761[k] * fs) / 29761)));
      dmax = Math.max(dmax, this.dLen[k]);
    }
    this.dsize = pow2AtLeast(dmax + CHUNK + 1);
    this.dmask = this.dsize - 1;
    this.diff = new Float64Array(STAGES * this.dsize);
    this.wdmask = Math.max(psize, this.dsize) - 1;
    // The network's state and the chunk's input and outputs live in one memory: a WebAssembly
    // instance's when its SIMD kernel is available, else an ArrayBuffer (the layout of MEM_*).
    const lineBytes = N * this.size * 8;
    const bytes = MEM_LINES + lineBytes;
    const instance = instantiateWithMemory(reverbKernel(), bytes);
    this.network = instance?.exports.network as NetworkKernel | undefined;
    const buffer = instance?.buffer ?? new ArrayBuffer(bytes);
    this.coef = new Float64Array(buffer, MEM_COEF, N * CF);
    this.fst = new Float64Array(buffer, MEM_FST, N * FS);
    const b = new Float64Array(buffer, MEM_B, N);
    b.set(this.bIn);
    this.bIn = b;
    const d = new Int32Array(buffer, MEM_D, N);
    d.set(this.dNew);
    this.dNew = d;
    this.u = new Float64Array(buffer, MEM_U, CHUNK);
    this.wl = new Float64Array(buffer, MEM_WL, CHUNK);
    this.wr = new Float64Array(buffer, MEM_WR, CHUNK);
    this.lines = new Float64Array(buffer, MEM_LINES, N * this.size);
    const scratch = new Float64Array(3 * CHUNK);
    this.fade = scratch.subarray(0, CHUNK);
    this.mixBuf = scratch.subarray(CHUNK, 2 * CHUNK);
    this.widthBuf = scratch.subarray(2 * CHUNK, 3 * CHUNK);
    for (const v of this.smoothed) v.reset(fs, this.opts.smoothingMs / 1000);
    this.reset();
    // Priming with the network full of small non-integer values, a few beyond the clamp: from empty
    // lines the JavaScript kernels would first see only zeros (which V8 holds as small integers)
    // and never the clamp, be compiled for that, and be deoptimised by the first real audio.
    fillNoise(this.lines);
    fillNoise(this.diff);
    primeProcessor(this, s);
    if (!changesPrimed[s.channels]) {
      changesPrimed[s.channels] = true;
      this.primeChanges(s);
    }
    this.reset();
  }

  /**
   * Run the paths of a change (cross-fades of size and pre-delay, glides of the filter design, mix
   * and width ramps), with silence, with values beyond the clamp and with noise, until V8 has
   * optimised them for all three, then restore the options (the caller resets).
   * Unprimed, the first change after a long steady run executed them unoptimised on the audio
   * thread, boxing every double: megabytes of garbage in the 20 ms of a cross-fade. Once per
   * channel count and realm (the code is shared by every instance): about 60–100 ms the first time.
   */
  private primeChanges(spec: ProcessSpec): void {
    const keep = this.opts;
    const n = Math.min(spec.maxBlockSize, CHUNK);
    const block: Float32Array[] = [];
    for (let c = 0; c < spec.channels; c++) block.push(new Float32Array(n));
    let seed = 1;
    const noise = () => {
      for (const x of block) {
        for (let i = 0; i < n; i++) {
          seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
          x[i] = seed / 4294967296 - 0.5;
        }
      }
    };
    for (let round = 0; round < PRIME_CHANGE_ROUNDS; round++) {
      const odd = round % 2 === 1;
      // Each change three ways: into an empty network with silence (exact zeros: the flush
      // paths), into one holding values beyond the clamp, and with noise.
      const kind = round % 3;
      if (kind === 0) {
        this.lines.fill(0);
        this.diff.fill(0);
        this.pre.fill(0);
        this.fst.fill(0);
        for (const x of block) x.fill(0);
      } else if (kind === 1) fillNoise(this.lines);
      this.set({
        size: odd ? 1.3 : 0.8,
        preDelayMs: odd ? 30 : 5,
        decaySeconds: odd ? 3 : 1.5,
        highDecayRatio: odd ? 0.3 : 0.6,
        lowDecayRatio: odd ? 1.5 : 1,
        lowCrossoverHz: odd ? 300 : 200,
        highCrossoverHz: odd ? 5000 : 3000,
        diffusion: odd ? 0.5 : 0.8,
        mix: odd ? 0.6 : 0.2,
        width: odd ? 0.5 : 1,
        smoothingMs: 20,
      });
      for (let t = 0; t < PRIME_CHANGE_FRAMES; t += n) {
        if (kind !== 0) noise();
        this.process(block, n);
      }
    }
    // A glide redesigns the filters every 32 samples: too few calls above to make that code hot.
    // Long ramps (1 s: at least 250 steps at 8 kHz), stepped directly.
    for (let round = 0; round < PRIME_GLIDE_ROUNDS; round++) {
      const odd = round % 2 === 1;
      this.set({ decaySeconds: odd ? 4 : 1, lowDecayRatio: odd ? 2 : 0.8, highDecayRatio: odd ? 0.2 : 0.7, lowCrossoverHz: odd ? 500 : 150, highCrossoverHz: odd ? 6000 : 2500, diffusion: odd ? 0.3 : 0.9, smoothingMs: 1000 });
      for (let i = 0; i < 250; i++) this.glide();
    }
    this.opts = keep;
    for (const v of this.smoothed) v.reset(spec.sampleRate, keep.smoothingMs / 1000);
    this.targets(false);
  }

  reset(): void {
    const spec = this.spec;
    const sm = this.smoothed;
    for (let i = 0; i < sm.length; i++) sm[i].jumpToTarget();
    this.lines.fill(0);
    this.pre.fill(0);
    this.diff.fill(0);
    this.fst.fill(0);
    this.ist.fill(0);
    if (!spec) return;
    this.lengths(spec.sampleRate, this.opts.size, this.opts.preDelayMs);
    this.dOld.set(this.dNew);
    this.ist[PRE_OLD] = this.ist[PRE_NEW];
    this.updateKmax();
    this.design();
  }

  process(block: readonly Float32Array[], frames?: number): void {
    const spec = this.spec;
    if (spec === undefined) return;
    const channels = usableChannels(block, spec.channels);
    const n = safeFrameCount(block, channels, frames);
    const ist = this.ist;
    for (let pos = 0; pos < n; ) {
      if (ist[GLIDING] === YES && ist[PHASE] === 0) this.glide();
      let k = n - pos < ist[KMAX] ? n - pos : ist[KMAX];
      if (ist[GLIDING] === YES && GRID - ist[PHASE] < k) k = GRID - ist[PHASE];
      // A cross-fade ends at a chunk's end, so its last sample is the same in every partition.
      if (ist[FADE_LEN] > 0 && ist[FADE_LEN] - ist[FADE_POS] < k) k = ist[FADE_LEN] - ist[FADE_POS];
      if (STATE_GRID - ist[T_STATE] < k) k = STATE_GRID - ist[T_STATE];
      // 1. The input: the channels' mean, read as 0 when not finite and clamped to ±1e6.
      const u = this.u;
      if (channels === 0) u.fill(0, 0, k);
      else inputMean(u, block[0], block[channels - 1], pos, k, channels === 2 ? 1 : 0);
      // 2. Pre-delay and diffusers.
      const fading = ist[FADE_LEN] > 0;
      if (fading) this.fillFade(k);
      this.preDelay(k, fading);
      this.diffuse(k);
      // 3. Read, filter and tap every line; 4. mix by the matrix and write back.
      // The filtered outputs go where the chunk's new samples will be written (that slot of every
      // line is older than any line reads): everything moves through memory in step.
      const lines = this.lines;
      if (fading) {
        for (let i = 0; i < N; i++) readLineFading(lines, i * this.size, ist[W], this.dNew[i], this.dOld[i], this.mask, k, this.coef, this.fst, i, this.fade);
        hadamardInner(lines, this.size, ist[W], this.mask, k);
      }
      const network = this.network;
      if (network !== undefined && !fading) {
        // The same arithmetic as the JavaScript below, two lines per SIMD lane pair.
        network(MEM_LINES, this.size, ist[W], k, MEM_COEF, MEM_FST, MEM_D, MEM_B, MEM_U, MEM_WL, MEM_WR);
      } else {
        // Four lines at a time, with the first half of the transform: the same arithmetic as
        // readLine then hadamardInner, four independent filter recursions in flight at once.
        if (!fading) for (let g = 0; g < N; g += 4) readLines4(lines, this.size, ist[W], this.dNew, this.mask, k, this.coef, this.fst, g);
        // The outputs are two rows of the matrix product (orthogonal rows: uncorrelated late fields).
        hadamardOuterWrite(lines, this.size, ist[W], this.mask, k, u, this.bIn, 0, 0, this.wl);
        hadamardOuterWrite(lines, this.size, ist[W], this.mask, k, u, this.bIn, 1, 1, this.wl);
        hadamardOuterWrite(lines, this.size, ist[W], this.mask, k, u, this.bIn, 2, 2, this.wr);
        hadamardOuterWrite(lines, this.size, ist[W], this.mask, k, u, this.bIn, 3, 0, this.wl);
      }
      // 5. Output.
      const mixing = this.mixer.isSmoothing || this.widthS.isSmoothing;
      this.mixer.fill(this.mixBuf, mixing ? k : 1);
      this.widthS.fill(this.widthBuf, mixing ? k : 1);
      if (channels === 2) mixStereo(block[0], block[1], pos, k, this.wl, this.wr, this.mixBuf, this.widthBuf, mixing ? 1 : 0);
      else if (channels === 1) mixMono(block[0], pos, k, this.wl, this.mixBuf, mixing ? 1 : 0);
      ist[W] = (ist[W] + k) & this.mask;
      ist[WD] = (ist[WD] + k) & this.wdmask;
      ist[PHASE] = (ist[PHASE] + k) & (GRID - 1);
      ist[T_STATE] = (ist[T_STATE] + k) & (STATE_GRID - 1);
      if (ist[T_STATE] === 0) flushStates(this.fst);
      if (fading) {
        const fp = ist[FADE_POS] + k;
        if (fp >= ist[FADE_LEN]) {
          ist[FADE_LEN] = 0;
          ist[FADE_POS] = 0;
          this.dOld.set(this.dNew);
          ist[PRE_OLD] = ist[PRE_NEW];
          this.updateKmax();
        } else ist[FADE_POS] = fp;
      }
      pos += k;
    }
  }

  toJSON(): ProcessorJSON {
    return processorJSON(Reverb.type, this.params);
  }

  /** Every smoother, made once (reset() runs on the audio thread: it must not build the array). */
  private readonly smoothed: readonly SmoothedValue[] = [this.decay, this.lowRatio, this.highRatio, this.fLow, this.fHigh, this.diffusion, this.mixer, this.widthS];

  /** Hand the options to the smoothers: ramps when `running`, else jumps (and a redesign). */
  private targets(running: boolean): void {
    const o = this.opts;
    const pairs: [SmoothedValue, number][] = [
      [this.decay, o.decaySeconds],
      [this.lowRatio, o.lowDecayRatio],
      [this.highRatio, o.highDecayRatio],
      [this.fLow, o.lowCrossoverHz],
      [this.fHigh, o.highCrossoverHz],
      [this.diffusion, o.diffusion],
      [this.mixer, o.mix],
      [this.widthS, o.width],
    ];
    for (const [v, x] of pairs) {
      if (running) v.setTarget(x);
      else v.setImmediate(x);
    }
    if (!running) return;
    const gliding = this.decay.isSmoothing || this.lowRatio.isSmoothing || this.highRatio.isSmoothing || this.fLow.isSmoothing || this.fHigh.isSmoothing || this.diffusion.isSmoothing;
    if (gliding) this.ist[GLIDING] = YES;
    else this.design(); // an immediate change (smoothingMs 0)
  }

  /** One grid step of the glide: advance the designed parameters by GRID samples and redesign. */
  private glide(): void {
    this.decay.skip(GRID);
    this.lowRatio.skip(GRID);
    this.highRatio.skip(GRID);
    this.fLow.skip(GRID);
    this.fHigh.skip(GRID);
    this.diffusion.skip(GRID);
    this.design();
    const still = this.decay.isSmoothing || this.lowRatio.isSmoothing || this.highRatio.isSmoothing || this.fLow.isSmoothing || this.fHigh.isSmoothing || this.diffusion.isSmoothing;
    this.ist[GLIDING] = still ? YES : NO;
  }

  /** Line and pre-delay lengths for a size and pre-delay (distinct primes, ascending). */
  private lengths(fs: number, size: number, preDelayMs: number): void {
    let last = 1;
    for (let i = 0; i < N; i++) {
      const t = LINE_MIN_S * Math.pow(LINE_MAX_S / LINE_MIN_S, i / (N - 1)) * size * fs;
      const p = nextPrime(Math.max(last + 1, Math.round(t)));
      this.dNew[i] = p;
      last = p;
    }
    this.ist[PRE_NEW] = Math.round((preDelayMs * fs) / 1000);
  }

  private updateKmax(): void {
    let k = CHUNK;
    for (let i = 0; i < N; i++) k = Math.min(k, this.dOld[i], this.dNew[i]);
    this.ist[KMAX] = k;
  }

  /** Design the absorption filters and diffuser gains from the glided values (Jot 1992, see the module notes). */
  private design(): void {
    const st = this.st;
    this.decay.writeCurrent(st, ST_DECAY);
    this.lowRatio.writeCurrent(st, ST_LOW);
    this.highRatio.writeCurrent(st, ST_HIGH);
    this.fLow.writeCurrent(st, ST_FLOW);
    this.fHigh.writeCurrent(st, ST_FHIGH);
    this.diffusion.writeCurrent(st, ST_DIFF);
    designFilters(st, this.dNew, this.coef);
    for (let k = 0; k < STAGES; k++) this.dGain[k] = st[ST_DIFF] * DIFF_GAINS[k];
  }

  /** Cross-fade weights (of the new lengths) for the next k samples. */
  private fillFade(k: number): void {
    const ist = this.ist;
    const len = ist[FADE_LEN];
    const p0 = ist[FADE_POS];
    const f = this.fade;
    for (let j = 0; j < k; j++) {
      const p = p0 + j + 1;
      f[j] = p >= len ? 1 : p / len;
    }
  }

  /** Write the input into the pre-delay ring and read it back delayed (cross-fading while lengths change). */
  private preDelay(k: number, fading: boolean): void {
    const ring = this.pre;
    const m = this.pmask;
    const u = this.u;
    const w = this.ist[WD];
    const dn = this.ist[PRE_NEW];
    const dol = this.ist[PRE_OLD];
    const f = this.fade;
    for (let j = 0; j < k; j++) {
      ring[(w + j) & m] = u[j];
      const a = ring[(w + j - dn) & m];
      if (fading) {
        const b = ring[(w + j - dol) & m];
        u[j] = b + f[j] * (a - b);
      } else u[j] = a;
    }
  }

  /** The four input all-passes in series, in place on `u` (states below 1e-30 set to 0). */
  private diffuse(k: number): void {
    diffuse4(this.diff, this.dsize, this.dmask, this.ist[WD], this.dLen, this.dGain, this.u, k);
  }
}

/**
 * The four Schroeder all-passes in series (see the module notes), in place on `u`, one sample
 * through all four stages at a time: v = x + g·r, y = r − g·v with r the ring's sample d back;
 * states below 1e-30 set to 0. Every ring is longer than a chunk, so no read sees a write of the
 * same chunk.
 */
function diffuse4(ring: Float64Array, dsize: number, m: number, w: number, d: Int32Array, g: Float64Array, u: Float64Array, k: number): void {
  const o1 = dsize, o2 = 2 * dsize, o3 = 3 * dsize;
  const d0 = w - d[0], d1 = w - d[1], d2 = w - d[2], d3 = w - d[3];
  const g0 = g[0], g1 = g[1], g2 = g[2], g3 = g[3];
  for (let j = 0; j < k; j++) {
    const p = (w + j) & m;
    const r0 = ring[(d0 + j) & m];
    let v0 = u[j] + g0 * r0;
    if (!(Math.abs(v0) >= 1e-30)) v0 = 0;
    ring[p] = v0;
    const x1 = r0 - g0 * v0;
    const r1 = ring[o1 + ((d1 + j) & m)];
    let v1 = x1 + g1 * r1;
    if (!(Math.abs(v1) >= 1e-30)) v1 = 0;
    ring[o1 + p] = v1;
    const x2 = r1 - g1 * v1;
    const r2 = ring[o2 + ((d2 + j) & m)];
    let v2 = x2 + g2 * r2;
    if (!(Math.abs(v2) >= 1e-30)) v2 = 0;
    ring[o2 + p] = v2;
    const x3 = r2 - g2 * v2;
    const r3 = ring[o3 + ((d3 + j) & m)];
    let v3 = x3 + g3 * r3;
    if (!(Math.abs(v3) >= 1e-30)) v3 = 0;
    ring[o3 + p] = v3;
    u[j] = r3 - g3 * v3;
  }
}

/**
 * The absorption filters (Jot 1992): for line i of length m, gains g = 10^(−3m/(fs·T)) at
 * T = decay·low, decay, decay·high; filter = g_mid · lowShelf(g_low/g_mid) · highShelf(g_high/g_mid),
 * first-order shelves from their analog prototypes by the prewarped bilinear transform
 * (K = tan(π·f_c/fs)): low shelf b = [(1 + K√G), (K√G − 1)] / (1 + K/√G), a1 = (K/√G − 1)/(1 + K/√G);
 * high shelf b = G·[(1 + K/√G), (K/√G − 1)] / (1 + K√G), a1 = (K√G − 1)/(1 + K√G).
 */
function designFilters(st: Float64Array, d: Int32Array, coef: Float64Array): void {
  const fs = st[ST_FS];
  const decay = st[ST_DECAY];
  const tl = decay * st[ST_LOW];
  const th = decay * st[ST_HIGH];
  const nyq = 0.45 * fs;
  const kl = Math.tan((Math.PI * Math.min(st[ST_FLOW], nyq)) / fs);
  const kh = Math.tan((Math.PI * Math.min(st[ST_FHIGH], nyq)) / fs);
  for (let i = 0; i < N; i++) {
    const m = d[i];
    const gm = Math.pow(10, (-3 * m) / (fs * decay));
    const gl = Math.pow(10, (-3 * m) / (fs * tl));
    const gh = Math.pow(10, (-3 * m) / (fs * th));
    // Low shelf, DC gain G1 = gl/gm.
    const r1 = Math.sqrt(gl / gm);
    const n1 = 1 / (1 + kl / r1);
    const p0 = (1 + kl * r1) * n1;
    const p1 = (kl * r1 - 1) * n1;
    const q1 = (kl / r1 - 1) * n1;
    // High shelf, Nyquist gain G2 = gh/gm.
    const g2 = gh / gm;
    const r2 = Math.sqrt(g2);
    const n2 = 1 / (1 + kh * r2);
    const s0 = g2 * (1 + kh / r2) * n2;
    const s1 = g2 * (kh / r2 - 1) * n2;
    const q2 = (kh * r2 - 1) * n2;
    // Product (p0 + p1·z⁻¹)(s0 + s1·z⁻¹) / ((1 + q1·z⁻¹)(1 + q2·z⁻¹)), times gm.
    const c = i * CF;
    // (With the matrix's ¼ folded in.)
    coef[c + B0] = 0.25 * gm * p0 * s0;
    coef[c + B1] = 0.25 * gm * (p0 * s1 + p1 * s0);
    coef[c + B2] = 0.25 * gm * p1 * s1;
    coef[c + A1] = q1 + q2;
    coef[c + A2] = q1 * q2;
  }
}

/**
 * u[j] = ½·(a[pos + j] + b[pos + j]) for a stereo input (`two` 1), a[pos + j] for mono; bad samples
 * read as 0, clamped to ±1e6. (A flag, not the double ½ as an argument: V8 would box it per call.)
 */
function inputMean(u: Float64Array, a: Float32Array, b: Float32Array, pos: number, k: number, two: number): void {
  for (let j = 0; j < k; j++) {
    const xa = a[pos + j];
    let v = two === 1 ? 0.5 * (xa + b[pos + j]) : xa;
    if (!(v - v === 0)) v = 0;
    v = Math.min(1e6, Math.max(-1e6, v));
    u[j] = v;
  }
}

/**
 * Read k samples of lines g … g+3 (lengths d[g …]), filter each by its absorption filter, then
 * take the 4-point transform of {@link hadamardInner} over the outputs clamped to ±2500 and set
 * to 0 below 1e-30 (the filters' states keep the unclamped outputs: the clamp and the flush stay
 * off the recursion, which then costs one multiply and one subtraction per sample), written into
 * lines g … g+3 at the write index (the slot the chunk will overwrite, older than any read). In one
 * pass, four independent recursions in flight at once. reverb-kernel.wat does the same, in the
 * same order, two lines per SIMD vector.
 */
function readLines4(lines: Float64Array, size: number, w: number, d: Int32Array, mask: number, k: number, coef: Float64Array, fst: Float64Array, g: number): void {
  const c0 = g * CF, c1 = c0 + CF, c2 = c1 + CF, c3 = c2 + CF;
  const p0 = coef[c0 + B0], p1 = coef[c0 + B1], p2 = coef[c0 + B2], p3 = coef[c0 + A1], p4 = coef[c0 + A2];
  const q0 = coef[c1 + B0], q1 = coef[c1 + B1], q2 = coef[c1 + B2], q3 = coef[c1 + A1], q4 = coef[c1 + A2];
  const r0 = coef[c2 + B0], r1 = coef[c2 + B1], r2 = coef[c2 + B2], r3 = coef[c2 + A1], r4 = coef[c2 + A2];
  const t0 = coef[c3 + B0], t1 = coef[c3 + B1], t2 = coef[c3 + B2], t3 = coef[c3 + A1], t4 = coef[c3 + A2];
  const s0 = g * FS, s1 = s0 + FS, s2 = s1 + FS, s3 = s2 + FS;
  let ax1 = fst[s0], ax2 = fst[s0 + 1], ay1 = fst[s0 + 2], ay2 = fst[s0 + 3];
  let bx1 = fst[s1], bx2 = fst[s1 + 1], by1 = fst[s1 + 2], by2 = fst[s1 + 3];
  let cx1 = fst[s2], cx2 = fst[s2 + 1], cy1 = fst[s2 + 2], cy2 = fst[s2 + 3];
  let dx1 = fst[s3], dx2 = fst[s3 + 1], dy1 = fst[s3 + 2], dy2 = fst[s3 + 3];
  const oa = g * size, ob = oa + size, oc = ob + size, od = oc + size;
  const ra = w - d[g], rb = w - d[g + 1], rc = w - d[g + 2], rd = w - d[g + 3];
  for (let j = 0; j < k; j++) {
    const xa = lines[oa + ((ra + j) & mask)];
    const xb = lines[ob + ((rb + j) & mask)];
    const xc = lines[oc + ((rc + j) & mask)];
    const xd = lines[od + ((rd + j) & mask)];
    let va = p0 * xa + p1 * ax1 + p2 * ax2 - p4 * ay2 - p3 * ay1;
    let vb = q0 * xb + q1 * bx1 + q2 * bx2 - q4 * by2 - q3 * by1;
    let vc = r0 * xc + r1 * cx1 + r2 * cx2 - r4 * cy2 - r3 * cy1;
    let vd = t0 * xd + t1 * dx1 + t2 * dx2 - t4 * dy2 - t3 * dy1;
    ax2 = ax1; ax1 = xa; ay2 = ay1; ay1 = va;
    bx2 = bx1; bx1 = xb; by2 = by1; by1 = vb;
    cx2 = cx1; cx1 = xc; cy2 = cy1; cy1 = vc;
    dx2 = dx1; dx1 = xd; dy2 = dy1; dy1 = vd;
    const aa = Math.abs(va), ab = Math.abs(vb), ac = Math.abs(vc), ad = Math.abs(vd);
    if (!(aa >= 1e-30 && aa <= 2500)) va = aa > 2500 ? (va > 0 ? 2500 : -2500) : 0;
    if (!(ab >= 1e-30 && ab <= 2500)) vb = ab > 2500 ? (vb > 0 ? 2500 : -2500) : 0;
    if (!(ac >= 1e-30 && ac <= 2500)) vc = ac > 2500 ? (vc > 0 ? 2500 : -2500) : 0;
    if (!(ad >= 1e-30 && ad <= 2500)) vd = ad > 2500 ? (vd > 0 ? 2500 : -2500) : 0;
    const h0 = va + vb;
    const h1 = va - vb;
    const h2 = vc + vd;
    const h3 = vc - vd;
    const p = (w + j) & mask;
    lines[oa + p] = h0 + h2;
    lines[ob + p] = h1 + h3;
    lines[oc + p] = h0 - h2;
    lines[od + p] = h1 - h3;
  }
  fst[s0] = ax1; fst[s0 + 1] = ax2; fst[s0 + 2] = ay1; fst[s0 + 3] = ay2;
  fst[s1] = bx1; fst[s1 + 1] = bx2; fst[s1 + 2] = by1; fst[s1 + 3] = by2;
  fst[s2] = cx1; fst[s2 + 1] = cx2; fst[s2 + 2] = cy1; fst[s2 + 3] = cy2;
  fst[s3] = dx1; fst[s3 + 1] = dx2; fst[s3 + 2] = dy1; fst[s3 + 3] = dy2;
}

/** One line of {@link readLines4} (without the transform: {@link hadamardInner} follows) while cross-fading: the line read at length `dOld` blended into length `d` by `fade[j]`. */
function readLineFading(lines: Float64Array, off: number, w: number, d: number, dOld: number, mask: number, k: number, coef: Float64Array, fst: Float64Array, i: number, fade: Float64Array): void {
  const c = i * CF;
  const b0 = coef[c + B0];
  const b1 = coef[c + B1];
  const b2 = coef[c + B2];
  const a1 = coef[c + A1];
  const a2 = coef[c + A2];
  const s = i * FS;
  let x1 = fst[s];
  let x2 = fst[s + 1];
  let y1 = fst[s + 2];
  let y2 = fst[s + 3];
  const r = w - d;
  const ro = w - dOld;
  for (let j = 0; j < k; j++) {
    let x = lines[off + ((r + j) & mask)];
    const xo = lines[off + ((ro + j) & mask)];
    x = xo + fade[j] * (x - xo);
    let v = b0 * x + b1 * x1 + b2 * x2 - a2 * y2 - a1 * y1;
    x2 = x1;
    x1 = x;
    y2 = y1;
    y1 = v;
    const av = Math.abs(v);
    if (!(av >= 1e-30 && av <= 2500)) v = av > 2500 ? (v > 0 ? 2500 : -2500) : 0;
    lines[off + ((w + j) & mask)] = v;
  }
  fst[s] = x1;
  fst[s + 1] = x2;
  fst[s + 2] = y1;
  fst[s + 3] = y2;
}

/**
 * First half of the Sylvester–Hadamard transform H₁₆ = H₄ ⊗ H₄ of the 16 lines' filtered outputs
 * (k samples from the write index `w`), in place: a 4-point transform [a+b+c+d, a−b+c−d, a+b−c−d,
 * a−b−c+d] over lines 4g..4g+3.
 */
function hadamardInner(lines: Float64Array, size: number, w: number, mask: number, k: number): void {
  for (let g = 0; g < N; g += 4) {
    const r0 = g * size;
    const r1 = r0 + size;
    const r2 = r1 + size;
    const r3 = r2 + size;
    for (let j = 0; j < k; j++) {
      const p = (w + j) & mask;
      const a = lines[r0 + p];
      const b = lines[r1 + p];
      const c = lines[r2 + p];
      const d = lines[r3 + p];
      const s0 = a + b;
      const s1 = a - b;
      const s2 = c + d;
      const s3 = c - d;
      lines[r0 + p] = s0 + s2;
      lines[r1 + p] = s1 + s3;
      lines[r2 + p] = s0 - s2;
      lines[r3 + p] = s1 - s3;
    }
  }
}

/**
 * Second half of H₁₆ over lines g, g+4, g+8, g+12 (their slots at the write index, holding the
 * first half's output), in place: line i gets ¼·(H₁₆ y)ᵢ + bᵢ·u (the rows already carry the ¼, from the filters). `tap` 1 also writes the left
 * output ¼·(H₁₆ y)₅ to `t` (g = 1), `tap` 2 the right output ¼·(H₁₆ y)₁₀ (g = 2).
 */
function hadamardOuterWrite(lines: Float64Array, size: number, w: number, mask: number, k: number, u: Float64Array, b: Float64Array, g: number, tap: number, t: Float64Array): void {
  const b0 = b[g];
  const b1 = b[g + 4];
  const b2 = b[g + 8];
  const b3 = b[g + 12];
  const o0 = g * size;
  const o1 = o0 + 4 * size;
  const o2 = o1 + 4 * size;
  const o3 = o2 + 4 * size;
  for (let j = 0; j < k; j++) {
    const p = (w + j) & mask;
    const a = lines[o0 + p];
    const b = lines[o1 + p];
    const c = lines[o2 + p];
    const d = lines[o3 + p];
    const s0 = a + b;
    const s1 = a - b;
    const s2 = c + d;
    const s3 = c - d;
    const q0 = s0 + s2;
    const q1 = s1 + s3;
    const q2 = s0 - s2;
    const q3 = s1 - s3;
    const x = u[j];
    lines[o0 + p] = q0 + b0 * x;
    lines[o1 + p] = q1 + b1 * x;
    lines[o2 + p] = q2 + b2 * x;
    lines[o3 + p] = q3 + b3 * x;
    if (tap === 1) t[j] = q1;
    else if (tap === 2) t[j] = q2;
  }
}

/** Stereo out: wet = mid ± width·side, then x + mix·(wet − x) (mix 0 leaves x bit-exact, mix 1 gives the wet signal exactly); `per` 1: ramps per sample. */
function mixStereo(l: Float32Array, r: Float32Array, pos: number, k: number, wl: Float64Array, wr: Float64Array, mb: Float64Array, wb: Float64Array, per: number): void {
  for (let j = 0; j < k; j++) {
    const mx = mb[j * per];
    const wd = wb[j * per];
    const a = wl[j];
    const b = wr[j];
    const mid = 0.5 * (a + b);
    const side = 0.5 * wd * (a - b);
    let el = mid + side;
    let er = mid - side;
    if (!(Math.abs(el) >= 1e-30)) el = 0;
    if (!(Math.abs(er) >= 1e-30)) er = 0;
    const dl = l[pos + j];
    const dr = r[pos + j];
    // Mix 1 is the wet signal exactly (dl + 1·(el − dl) would cancel a huge dry sample to 0, and a
    // NaN would pass); a wet share below 1e-30 adds nothing (a tiny mix would make subnormals).
    let al = mx * (el - dl);
    let ar = mx * (er - dr);
    if (!(Math.abs(al) >= 1e-30)) al = 0;
    if (!(Math.abs(ar) >= 1e-30)) ar = 0;
    l[pos + j] = mx === 0 ? dl : mx === 1 ? el : dl + al;
    r[pos + j] = mx === 0 ? dr : mx === 1 ? er : dr + ar;
  }
}

/** Mono out: the left tap as the wet signal. */
function mixMono(x: Float32Array, pos: number, k: number, wl: Float64Array, mb: Float64Array, per: number): void {
  for (let j = 0; j < k; j++) {
    const mx = mb[j * per];
    let e = wl[j];
    if (!(Math.abs(e) >= 1e-30)) e = 0;
    const d = x[pos + j];
    let a = mx * (e - d);
    if (!(Math.abs(a) >= 1e-30)) a = 0;
    x[pos + j] = mx === 0 ? d : mx === 1 ? e : d + a;
  }
}

/**
 * Set the absorption filters' states below 1e-30 (or NaN) to 0. Called at every 128 samples of
 * absolute time: the states are not flushed per sample (see {@link readLines4}), and a state
 * below 1e-30 cannot decay into the subnormal range within 128 samples.
 */
function flushStates(fst: Float64Array): void {
  for (let i = 0; i < fst.length; i++) if (!(Math.abs(fst[i]) >= 1e-30)) fst[i] = 0;
}

/** Fill `x` with small non-zero, non-integer values (±1e-3, a golden-ratio sequence). */
function fillNoise(x: Float64Array): void {
  let v = 0.5;
  for (let i = 0; i < x.length; i++) {
    v += 0.6180339887498949;
    if (v >= 1) v -= 1;
    x[i] = (v - 0.5) * 2e-3 + 1e-9;
  }
  // Large values, beyond the filters' clamp, on both signs, every 257 samples.
  for (let i = 0; i < x.length; i += 257) x[i] = i % 2 === 0 ? 1e5 : -1e5;
}

/** Smallest prime ≥ n (trial division; n is at most a few hundred thousand). */
function nextPrime(n: number): number {
  let p = Math.max(2, Math.ceil(n));
  for (;;) {
    let prime = true;
    for (let q = 2; q * q <= p; q++) {
      if (p % q === 0) {
        prime = false;
        break;
      }
    }
    if (prime) return p;
    p++;
  }
}

function pow2AtLeast(n: number): number {
  let s = 1;
  while (s < n) s *= 2;
  return s;
}
