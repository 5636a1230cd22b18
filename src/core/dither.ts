/**
 * Dither and quantisation to an N-bit grid (8, 16, 20 or 24 bits): the last stage before a
 * fixed-point file. {@link Dither} quantises in place (float in, float on the grid out);
 * {@link Dither.quantizeInto} and {@link quantizeToInt} give the same samples as integers for a
 * file writer.
 *
 * The grid: with Δ = 2^−(N−1) (one LSB of full scale 1), every output is q·Δ for an integer
 * q ∈ [−2^(N−1), 2^(N−1) − 1], so a WAV writer stores q exactly (`y · 2^(N−1)`). Values beyond the
 * grid clip to its ends. Rounding is to the nearest step, halves up: ⌊w + ½⌋ (`Math.floor`, which V8
 * compiles without a branch; `Math.round` has one that random dither mispredicts half the time,
 * measured 3× slower).
 *
 * Modes (Lipshitz, Wannamaker & Vanderkooy, "Quantization and dither: a theoretical survey",
 * *J. Audio Eng. Soc.* 40(5), 1992; Wannamaker, Lipshitz, Vanderkooy & Wright, "A theory of
 * nonsubtractive dither", *IEEE Trans. Signal Processing* 48(2), 2000):
 * - `'none'`: plain rounding. The error is a deterministic function of the signal: a low-level
 *   tone gets harmonics (distortion) instead of noise.
 * - `'tpdf'`: adds d = (u₁ − u₂)·Δ before rounding, u₁, u₂ independent and uniform on [0, 1): a
 *   triangular PDF 2Δ wide. This is the least-power dither that makes the first and second moments
 *   of the total error ε = y − x independent of the signal (the survey's central result for
 *   nonsubtractive dither): mean 0 and power Δ²/12 (rounding) + Δ²/6 (dither) = **Δ²/4**, white, whatever x
 *   is (when the quantiser does not clip). The error sounds like steady hiss, not distortion.
 * - `'shaped'`: TPDF dither inside an error-feedback loop (Lipshitz, Vanderkooy & Wannamaker,
 *   "Minimally audible noise shaping", *J. Audio Eng. Soc.* 39(11), 1991):
 *   ```
 *     v[n] = x[n] − Σₖ hₖ·e[n − k]        k = 1 … 9
 *     y[n] = Q(v[n] + d[n])               d: TPDF as above
 *     e[n] = y[n] − v[n]                  total error, dither included
 *   ```
 *   so y = x + (1 − H(z))·e with e white of power Δ²/4: the noise spectrum is
 *   (Δ²/4)·|1 − Σ hₖ e^(−jωk)|². The filter hₖ is Wannamaker's 9-tap F-weighted filter
 *   (2.412, −3.370, 3.937, −4.174, 3.353, −2.205, 1.281, −0.569, 0.0847; R. A. Wannamaker,
 *   "Psychoacoustically optimal noise shaping", *J. Audio Eng. Soc.* 40(7/8), 1992; the same
 *   table as SoX's and FFmpeg's `f_weighted`), designed at 44.1 kHz for the ear's threshold
 *   curve: −13 to −25 dB in 1–5 kHz, +27 dB at Nyquist, +18.4 dB in total power
 *   (1 + Σhₖ² = 69.2). At another rate the curve moves with it (× 48/44.1 at 48 kHz); at 88.2 kHz
 *   and above use `'tpdf'` (the hiss there is far below audibility anyway).
 *   Clip safety: when the quantiser clips, e would grow without bound; the fed-back error is
 *   clamped to ±1.5 Δ, the most a quantisation that does not clip produces (½Δ rounding + Δ of
 *   dither), so the loop's state stays within Σ|hₖ|·1.5 Δ ≈ 32 Δ whatever the input. FIR feedback
 *   of a bounded error is bounded: the loop cannot go unstable.
 *
 * Noise: a counter-based generator, so output is reproducible and independent of block sizes.
 * Channel c at absolute sample n (counted from `prepare()`/`reset()`) draws u₁, u₂ from
 * lowbias32(2n + k_c) and lowbias32(2n + 1 + k_c), where lowbias32 is C. Wellons' 32-bit integer
 * hash ("Prospecting for hash functions", 2018: x ^= x ≫ 16; x ·= 0x7feb352d; x ^= x ≫ 15;
 * x ·= 0x846ca68b; x ^= x ≫ 16) and k_c = lowbias32(lowbias32(seed) + (c + 1)·0x9e3779b9) keys
 * the channel. The counter is 32 bits: the sequence repeats after 2³¹ samples (12.4 h at 48 kHz).
 *
 * Non-finite input reads as 0 (NaN) or clips (±∞; inputs are clamped to ±2 before the loop, which
 * changes no output since both clip); the shaper state never takes a non-finite value.
 *
 * @module
 */
import { paramsFromJSON, processorJSON } from './json.js';
import { primeChanges, primeProcessor } from './prime.js';
import { ANY_CHANNELS, NO_METERS, safeFrameCount, usableChannels, validateSpec, type MeterName, type ProcessSpec, type Processor, type ProcessorJSON } from './processor.js';
import { defineRules, describeValue, validateOptions, type OptionRules } from './validate.js';

/** Quantisation mode of a {@link Dither}: plain rounding, flat TPDF dither, or noise-shaped TPDF dither. */
export type DitherMode = 'none' | 'tpdf' | 'shaped';
/** The modes a {@link Dither} offers. */
export const DITHER_MODES = Object.freeze(['none', 'tpdf', 'shaped'] as const);
/** Word length of the output grid. */
export type DitherBits = 8 | 16 | 20 | 24;
/** The word lengths a {@link Dither} offers. */
export const DITHER_BITS = Object.freeze([8, 16, 20, 24] as const);

/** Options of {@link Dither}. */
export interface DitherOptions {
  /** Word length of the output grid: 8, 16, 20 or 24 bits. @defaultValue 16 */
  bits: DitherBits;
  /** `'none'` (rounding), `'tpdf'` (flat triangular dither) or `'shaped'` (F-weighted noise shaping). @defaultValue 'tpdf' */
  mode: DitherMode;
  /** Seed of the noise, an integer in [0, 4294967295]: the same seed gives the same output. @defaultValue 0 */
  seed: number;
}

/** Defaults of {@link DitherOptions}: 16 bits, flat TPDF dither. */
export const DITHER_DEFAULTS: Readonly<DitherOptions> = Object.freeze({ bits: 16, mode: 'tpdf', seed: 0 });

/** Validation rules of {@link DitherOptions}. */
export const DITHER_RULES: OptionRules<DitherOptions> = defineRules<DitherOptions>({
  bits: { kind: 'enum', values: DITHER_BITS, description: 'Word length of the output grid' },
  mode: { kind: 'enum', values: DITHER_MODES, description: 'Rounding, flat TPDF dither or noise-shaped TPDF dither' },
  seed: { kind: 'number', range: { min: 0, max: 4294967295 }, integer: true, description: 'Seed of the dither noise' },
});

const OWNER = 'Dither';

/**
 * Wannamaker's F-weighted error filter h₁ … h₉ (JAES 40(7/8), 1992), for 44.1 kHz. The loop
 * subtracts Σ hₖ·e[n − k]; the noise transfer function is 1 − Σ hₖ z^(−k).
 */
const F_WEIGHTED = Object.freeze([2.412, -3.37, 3.937, -4.174, 3.353, -2.205, 1.281, -0.569, 0.0847]);
const TAPS = 9;

// Slots of Dither.p (Float64Array): read into locals by the loops (numbers from a typed array
// stay unboxed doubles).
/** 2^(N−1): input × SCALE is in LSBs. */
const P_SCALE = 0;
/** 2^−(N−1). */
const P_INV = 1;
/** Largest and smallest output code, 2^(N−1) − 1 and −2^(N−1). */
const P_HI = 2;
const P_LO = 3;
/** Input clamp (full-scale units), 2: anything beyond clips anyway. */
const P_CLAMP = 4;
/** Fed-back error clamp in LSBs, 1.5 (the largest error of a quantisation that does not clip). */
const P_ECLAMP = 5;
/** Fed-back errors below this magnitude (in LSBs) become 0: no subnormals in the state. */
const P_FLUSH = 6;
const P_SLOTS = 7;

// Slots of Dither.ist (Int32Array).
/** Absolute sample counter (wraps at 2^32). */
const I_COUNT = 0;
const I_MODE = 1;
const I_SLOTS = 2;
const MODE_NONE = 0;
const MODE_TPDF = 1;
const MODE_SHAPED = 2;

/** C. Wellons' lowbias32 integer hash (hash-prospector, 2018); int32 in, int32 out. */
function lowbias32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x | 0;
}

/** The noise key of channel `c` for `seed` (see the module notes). */
function channelKey(seed: number, c: number): number {
  return lowbias32((lowbias32(seed | 0) + Math.imul(c + 1, 0x9e3779b9)) | 0);
}

/**
 * Quantisation to 8, 16, 20 or 24 bits with optional TPDF or noise-shaped dither: the last stage
 * before a fixed-point file (see the module notes for the maths and its sources). Works in place
 * on any channel count; output samples are exact multiples of 2^−(N−1) in [−1, 1 − 2^−(N−1)].
 * Latency 0. The noise depends on the seed, the channel and the absolute sample index only, so
 * any block partition gives the same output, bit for bit.
 *
 * @example
 * ```ts
 * import { Dither } from 'masterbus';
 * const dither = new Dither({ bits: 16, mode: 'shaped', seed: 1 });
 * dither.prepare({ sampleRate: 44100, maxBlockSize: 128, channels: 2 });
 * const left = new Float32Array(128).fill(0.1), right = new Float32Array(128).fill(-0.1);
 * dither.process([left, right]);                 // now on the 16-bit grid
 * console.log(Number.isInteger(left[0] * 32768)); // true
 * ```
 */
export class Dither implements Processor<DitherOptions> {
  /** Type name used by {@link Dither.toJSON}. */
  static readonly type = 'Dither';
  /** Defaults of its options. */
  static readonly defaults = DITHER_DEFAULTS;
  /** Validation rules of its options: the one source of their values and ranges. */
  static readonly rules = DITHER_RULES;
  /** Any channel count. */
  readonly channelRange = ANY_CHANNELS;
  /** No read-outs. */
  readonly meterNames: readonly MeterName[] = NO_METERS;
  /** No read-outs: writes nothing. */
  readMeters(_out: Float64Array, _offset: number): void {}
  /** Always 0. */
  readonly latency = 0;
  private opts: DitherOptions;
  private spec: ProcessSpec | undefined;
  private readonly p = new Float64Array(P_SLOTS);
  private readonly ist = new Int32Array(I_SLOTS);
  /** Noise key per channel. */
  private keys = new Int32Array(0);
  /** Shaper state per channel: e[n − 1] … e[n − 9], in LSBs. */
  private err = new Float64Array(0);
  /** The filter hₖ (a typed copy of F_WEIGHTED). */
  private readonly h = Float64Array.from(F_WEIGHTED);
  /** One channel's chunk, for {@link Dither.quantizeInto}. */
  private scratch = new Float32Array(0);

  /** Create a quantiser; omitted options take {@link DITHER_DEFAULTS}. Throws on bad options. */
  constructor(options: Partial<DitherOptions> = {}) {
    this.opts = { ...DITHER_DEFAULTS, ...validateOptions<DitherOptions>(OWNER, options, DITHER_RULES) };
    this.configure();
  }

  /** Rebuild from {@link Dither.toJSON} output (validated like the constructor's options). */
  static fromJSON(json: ProcessorJSON): Dither {
    return new Dither(paramsFromJSON(Dither, json));
  }

  /** The current parameters. */
  get params(): DitherOptions {
    return { ...this.opts };
  }

  /** Change parameters (validated first: a bad value throws and changes nothing). A new word length or mode clears the shaper's error memory; a new seed starts its noise sequence at the current sample index. */
  set(options: Partial<DitherOptions>): this {
    const o = validateOptions<DitherOptions>(OWNER, options, DITHER_RULES);
    const before = this.opts;
    this.opts = { ...before, ...o };
    if (this.opts.bits !== before.bits || this.opts.mode !== before.mode) this.err.fill(0);
    this.configure();
    return this;
  }

  prepare(spec: ProcessSpec): void {
    const s = validateSpec(OWNER, spec, this.channelRange);
    this.spec = s;
    this.keys = new Int32Array(s.channels);
    this.err = new Float64Array(s.channels * TAPS);
    this.scratch = new Float32Array(s.maxBlockSize);
    this.configure();
    this.reset();
    primeProcessor(this, s);
    primeChanges(this, s);
    this.reset();
  }

  /** Clear the shaper's error memory and restart the noise at sample index 0. */
  reset(): void {
    this.err.fill(0);
    this.ist[I_COUNT] = 0;
  }

  process(block: readonly Float32Array[], frames?: number): void {
    const spec = this.spec;
    if (spec === undefined) return;
    const channels = usableChannels(block, spec.channels);
    const n = safeFrameCount(block, channels, frames);
    const count = this.ist[I_COUNT];
    for (let c = 0; c < channels; c++) this.run(block[c], 0, n, c, count);
    this.ist[I_COUNT] = (count + n) | 0;
  }

  /**
   * Quantise `frames` frames of `block` (one array per channel, `spec.channels` of them; left
   * untouched) to integers, interleaved into `out` (frame-major: `out[i·C + c]`), exactly the
   * codes `process()` would produce (`y · 2^(N−1)`), and advance like `process()`: a file written
   * in chunks gets the same codes as one written at once. An `Int16Array` takes 8 or 16 bits, an
   * `Int32Array` any word length (codes in [−2^(N−1), 2^(N−1) − 1]; a 24-bit WAV writer stores the
   * low three bytes, an 8-bit one adds 128). `frames` defaults to the shortest channel and is
   * clamped to what `out` holds. Returns the frames written. Allocates nothing.
   *
   * Throws a `TypeError` before `prepare()`, when `block` has fewer than `spec.channels`
   * `Float32Array`s, or when `out` cannot hold the word length.
   */
  quantizeInto(block: readonly Float32Array[], out: Int16Array | Int32Array, frames?: number): number {
    const spec = this.spec;
    if (spec === undefined) throw new TypeError('Dither.quantizeInto: call prepare() first');
    const C = spec.channels;
    if (usableChannels(block, C) < C) throw new TypeError(`Dither.quantizeInto: block must hold ${C} Float32Arrays (spec.channels), got ${describeValue(block)}`);
    if (!(out instanceof Int32Array) && !(out instanceof Int16Array && this.opts.bits <= 16)) {
      throw new TypeError(`Dither.quantizeInto: out must be an Int32Array${this.opts.bits <= 16 ? ' or an Int16Array' : ''} for ${this.opts.bits} bits, got ${describeValue(out)}`);
    }
    let n = safeFrameCount(block, C, frames);
    const room = Math.floor(out.length / C) | 0;
    if (n > room) n = room;
    const x = this.scratch;
    const step = x.length;
    const scale = this.p[P_SCALE];
    const count = this.ist[I_COUNT];
    for (let pos = 0; pos < n; pos += step) {
      const len = n - pos < step ? n - pos : step;
      for (let c = 0; c < C; c++) {
        const src = block[c];
        for (let i = 0; i < len; i++) x[i] = src[pos + i];
        this.run(x, 0, len, c, (count + pos) | 0);
        for (let i = 0; i < len; i++) out[(pos + i) * C + c] = x[i] * scale;
      }
    }
    this.ist[I_COUNT] = (count + n) | 0;
    return n;
  }

  toJSON(): ProcessorJSON {
    return processorJSON(Dither.type, this.params);
  }

  /** Derived state from the options: grid constants, mode, noise keys. */
  private configure(): void {
    const o = this.opts;
    const p = this.p;
    const scale = 2 ** (o.bits - 1);
    p[P_SCALE] = scale;
    p[P_INV] = 1 / scale;
    p[P_HI] = scale - 1;
    p[P_LO] = -scale;
    p[P_CLAMP] = 2;
    p[P_ECLAMP] = 1.5;
    p[P_FLUSH] = 1e-30;
    this.ist[I_MODE] = o.mode === 'none' ? MODE_NONE : o.mode === 'tpdf' ? MODE_TPDF : MODE_SHAPED;
    for (let c = 0; c < this.keys.length; c++) this.keys[c] = channelKey(o.seed, c);
  }

  /** Quantise x[start … start + len) of channel `c` in place; `count` is the absolute index of x[start]. */
  private run(x: Float32Array, start: number, len: number, c: number, count: number): void {
    const mode = this.ist[I_MODE];
    if (mode === MODE_SHAPED) shapedKernel(x, start, len, this.p, this.keys[c], count, this.err, c * TAPS, this.h);
    else if (mode === MODE_TPDF) tpdfKernel(x, start, len, this.p, this.keys[c], count);
    else roundKernel(x, start, len, this.p);
  }
}

/*
 * The kernels. Written out per mode (no per-sample branching on the mode), with every constant
 * read from the parameter array into a local: conditionals then merge doubles only, which V8
 * keeps unboxed (see docs/processor-contract.md, "the traps"). The hash is inlined for the same
 * reason (an int32 returned from a call that is not inlined may be boxed). No branch depends on
 * the noise (the CPU would mispredict it half the time): the conditionals left (clamps, NaN,
 * clipping, the flush) go one way for ordinary audio.
 */

/** Plain rounding to the grid (mode 'none'). */
const roundKernel = function (x: Float32Array, start: number, len: number, p: Float64Array): void {
  const scale = p[P_SCALE];
  const inv = p[P_INV];
  const hi = p[P_HI];
  const lo = p[P_LO];
  const cl = p[P_CLAMP];
  const ncl = -cl;
  const zero = cl - cl;
  for (let i = start; i < start + len; i++) {
    let v = x[i];
    v = v > cl ? cl : v < ncl ? ncl : v === v ? v : zero;
    let q = Math.floor(v * scale + 0.5);
    q = q > hi ? hi : q < lo ? lo : q;
    // (+ 0 turns −0 into +0: a zero code is +0.)
    x[i] = q * inv + zero;
  }
};

/** Flat TPDF dither, then rounding (mode 'tpdf'). */
const tpdfKernel = function (x: Float32Array, start: number, len: number, p: Float64Array, key: number, count: number): void {
  const scale = p[P_SCALE];
  const inv = p[P_INV];
  const hi = p[P_HI];
  const lo = p[P_LO];
  const cl = p[P_CLAMP];
  const ncl = -cl;
  const zero = cl - cl;
  let n = count;
  for (let i = start; i < start + len; i++) {
    // TPDF: the difference of two independent uniform 32-bit words, scaled to (−1, 1) LSB.
    let a = (Math.imul(n, 2) + key) | 0;
    let b = (a + 1) | 0;
    a ^= a >>> 16;
    a = Math.imul(a, 0x7feb352d);
    a ^= a >>> 15;
    a = Math.imul(a, 0x846ca68b);
    a ^= a >>> 16;
    b ^= b >>> 16;
    b = Math.imul(b, 0x7feb352d);
    b ^= b >>> 15;
    b = Math.imul(b, 0x846ca68b);
    b ^= b >>> 16;
    const d = ((a | 0) - (b | 0)) * 2.3283064365386963e-10;
    n = (n + 1) | 0;
    let v = x[i];
    v = v > cl ? cl : v < ncl ? ncl : v === v ? v : zero;
    let q = Math.floor(v * scale + d + 0.5);
    q = q > hi ? hi : q < lo ? lo : q;
    x[i] = q * inv + zero;
  }
};

/** TPDF dither inside the F-weighted error-feedback loop (mode 'shaped'). */
const shapedKernel = function (x: Float32Array, start: number, len: number, p: Float64Array, key: number, count: number, err: Float64Array, at: number, h: Float64Array): void {
  const scale = p[P_SCALE];
  const inv = p[P_INV];
  const hi = p[P_HI];
  const lo = p[P_LO];
  const cl = p[P_CLAMP];
  const ncl = -cl;
  const zero = cl - cl;
  const ecl = p[P_ECLAMP];
  const necl = -ecl;
  const flush = p[P_FLUSH];
  const h1 = h[0];
  const h2 = h[1];
  const h3 = h[2];
  const h4 = h[3];
  const h5 = h[4];
  const h6 = h[5];
  const h7 = h[6];
  const h8 = h[7];
  const h9 = h[8];
  let e1 = err[at];
  let e2 = err[at + 1];
  let e3 = err[at + 2];
  let e4 = err[at + 3];
  let e5 = err[at + 4];
  let e6 = err[at + 5];
  let e7 = err[at + 6];
  let e8 = err[at + 7];
  let e9 = err[at + 8];
  let n = count;
  for (let i = start; i < start + len; i++) {
    let a = (Math.imul(n, 2) + key) | 0;
    let b = (a + 1) | 0;
    a ^= a >>> 16;
    a = Math.imul(a, 0x7feb352d);
    a ^= a >>> 15;
    a = Math.imul(a, 0x846ca68b);
    a ^= a >>> 16;
    b ^= b >>> 16;
    b = Math.imul(b, 0x7feb352d);
    b ^= b >>> 15;
    b = Math.imul(b, 0x846ca68b);
    b ^= b >>> 16;
    const d = ((a | 0) - (b | 0)) * 2.3283064365386963e-10;
    n = (n + 1) | 0;
    let v = x[i];
    v = v > cl ? cl : v < ncl ? ncl : v === v ? v : zero;
    // In LSBs: u = the input minus the filtered past errors. The newest error enters last, so
    // that the loop's dependency chain (e → h₁·e → w → q → e) is a few operations long; the
    // older errors' sum is ready an iteration earlier (floating-point sums are not reassociated).
    const base = v * scale - (h9 * e9 + h8 * e8 + h7 * e7 + h6 * e6 + h5 * e5 + h4 * e4 + h3 * e3 + h2 * e2);
    const t = h1 * e1;
    const u = base - t;
    let q = Math.floor(base + d + 0.5 - t);
    q = q > hi ? hi : q < lo ? lo : q;
    let e = q - u;
    e = e > ecl ? ecl : e < necl ? necl : e;
    e = Math.abs(e) > flush ? e : zero;
    e9 = e8;
    e8 = e7;
    e7 = e6;
    e6 = e5;
    e5 = e4;
    e4 = e3;
    e3 = e2;
    e2 = e1;
    e1 = e;
    x[i] = q * inv + zero;
  }
  err[at] = e1;
  err[at + 1] = e2;
  err[at + 2] = e3;
  err[at + 3] = e4;
  err[at + 4] = e5;
  err[at + 5] = e6;
  err[at + 6] = e7;
  err[at + 7] = e8;
  err[at + 8] = e9;
};

/**
 * Quantise whole channels to interleaved integers for a file writer (frame-major:
 * `out[i·C + c]`): 8 and 16 bits give an `Int16Array`, 20 and 24 bits an `Int32Array`, with codes
 * in [−2^(N−1), 2^(N−1) − 1]. The same algorithm and noise as a fresh {@link Dither} with these
 * options (its `process()` output × 2^(N−1), code for code). For a file written in chunks, use
 * {@link Dither.quantizeInto} on one prepared `Dither` instead. Allocates the output (and a
 * quantiser) once; throws a `RangeError`/`TypeError` for bad options or channels.
 *
 * @example
 * ```ts
 * import { quantizeToInt } from 'masterbus';
 * const left = new Float32Array(1000).fill(0.25), right = new Float32Array(1000).fill(-0.5);
 * const pcm = quantizeToInt([left, right], 16, { mode: 'tpdf', seed: 7 }); // Int16Array, L R L R …
 * console.log(pcm.length, pcm[1]); // 2000 -16384
 * ```
 */
export function quantizeToInt(channels: readonly Float32Array[], bits: 8 | 16, options?: Partial<Omit<DitherOptions, 'bits'>>): Int16Array;
export function quantizeToInt(channels: readonly Float32Array[], bits: 20 | 24, options?: Partial<Omit<DitherOptions, 'bits'>>): Int32Array;
export function quantizeToInt(channels: readonly Float32Array[], bits: DitherBits, options?: Partial<Omit<DitherOptions, 'bits'>>): Int16Array | Int32Array;
export function quantizeToInt(channels: readonly Float32Array[], bits: DitherBits, options: Partial<Omit<DitherOptions, 'bits'>> = {}): Int16Array | Int32Array {
  const name = 'quantizeToInt';
  if (!Array.isArray(channels) || channels.length === 0 || !channels.every((c) => c instanceof Float32Array)) {
    throw new TypeError(`${name}: channels must be a non-empty array of Float32Arrays, got ${describeValue(channels)}`);
  }
  const frames = channels[0].length;
  if (!channels.every((c) => c.length === frames)) {
    throw new RangeError(`${name}: every channel must have the same length, got ${channels.map((c) => c.length).join(', ')}`);
  }
  if (options !== null && typeof options === 'object' && 'bits' in options) throw new TypeError(`${name}: give bits as the second argument, not in options`);
  const d = new Dither({ ...(options as object), bits });
  d.prepare({ sampleRate: 48000, maxBlockSize: 4096, channels: channels.length });
  const out = bits <= 16 ? new Int16Array(frames * channels.length) : new Int32Array(frames * channels.length);
  d.quantizeInto(channels, out, frames);
  return out;
}
