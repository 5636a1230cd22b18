/**
 * Convolution reverb: any impulse response (mono, stereo or true-stereo), up to
 * {@link MAX_IMPULSE_RESPONSE_SAMPLES} taps, with no added latency and the same output for every
 * block partition.
 *
 * - **Engine**: a direct-form head of 64 taps plus non-uniformly partitioned overlap-save FFT
 *   convolution on a fixed grid of absolute sample time (Gardner, JAES 1995; Wefers 2015); see
 *   `partitioned-convolution.ts`. The output equals the direct convolution Σ h[m]·x[t − m] to
 *   double-precision round-off (about −280 dB; the tests check −100 dB against an O(N·M) sum).
 * - **Channels**: a mono IR is applied to every channel; a stereo IR applies IR channel c mod 2 to
 *   channel c; a 4-channel IR is true stereo, in the order of the Web Audio specification
 *   (L→L, L→R, R→L, R→R): `outL = inL∗h0 + inR∗h2`, `outR = inL∗h1 + inR∗h3`, and needs 2 channels.
 * - **IR changes** (`set({ impulseResponse | normalize | preDelayMs | irSampleRate })`): the new IR is
 *   cut and transformed in `set()` (never in `process()`), and the wet signal cross-fades
 *   linearly from the old engine to the new one over `crossfadeMs` from the next sample. The new
 *   engine starts empty (it has not heard the past input), so the old reverb tail fades out with
 *   the old engine. A change made during a cross-fade waits for it to end (only the last one is
 *   kept).
 * - **Sample rate**: an IR recorded at another rate (`irSampleRate`) is resampled in `prepare()` /
 *   `set()` with a windowed-sinc interpolator (Blackman window, 64 zero crossings; cut-off at
 *   0.95 × the lower Nyquist frequency). With `irSampleRate: null` the IR is taken to be at the
 *   processing rate.
 * - **Normalisation**: `'energy'` scales the IR so that each output's IR energy (Σ h², averaged
 *   over the outputs; summed over both paths into an output for true stereo) is 1, so white noise
 *   keeps its level; `'none'` uses the IR as given.
 * - **Input hygiene**: non-finite input samples enter the convolution as 0 (else one NaN would sit
 *   in the reverb's memory for the IR's length); samples below 1e-30 in magnitude too, and IR
 *   values below 1e-30 are stored as 0. No state is then ever subnormal: every stored value is 0
 *   or at least 1e-30 in magnitude, and the FFTs and products combine them with twiddles of at
 *   least 1e-5 and IR values of at least 1e-30, far above the subnormal range (below 2.2e-308).
 * - **JSON**: `toJSON()` embeds the IR (as arrays of numbers, exact for Float32 samples) only when it
 *   has at most `embedLimit` samples in all (16384 by default, about 200 kB of JSON); larger IRs
 *   are written as `impulseResponse: null`, and the application keeps the IR itself (a file,
 *   an asset name) and hands it back with `set({ impulseResponse })` after rebuilding.
 *
 * @module
 */
import { DEFAULT_SMOOTHING_MS, SMOOTHING_RANGE } from '../core/options.js';
import { primeProcessor } from '../core/prime.js';
import { ANY_CHANNELS, NO_METERS, STEREO_ONLY, safeFrameCount, usableChannels, validateSpec, type ChannelRange, type MeterName, type ProcessSpec, type Processor, type ProcessorJSON } from '../core/processor.js';
import { SmoothedValue } from '../core/smoothed-value.js';
import { describeValue, validateOptions, type OptionRule } from '../core/validate.js';
import { paramsFromJSON, processorJSON } from '../core/json.js';
import { dbToGain } from '../core/db.js';
import { HEAD_TAPS, PartitionedConvolution, type ConvolutionPath } from './partitioned-convolution.js';

/** An impulse response: 1, 2 or 4 channels of equal length (Float32Array, Float64Array or numbers). */
export type ImpulseResponse = readonly (Float32Array | Float64Array | readonly number[])[];

/** Options of {@link Convolver}. */
export interface ConvolverOptions {
  /**
   * The impulse response: 1 (mono), 2 (stereo) or 4 (true stereo L→L, L→R, R→L, R→R) channels of
   * equal length, 1 to {@link MAX_IMPULSE_RESPONSE_SAMPLES} samples, finite, |h| ≤ 1e6; `null` for
   * none (the wet signal is silent). Copied (values below 1e-30 in magnitude as 0); `params` gives
   * it back as `Float32Array`s.
   * @defaultValue null
   */
  impulseResponse: ImpulseResponse | null;
  /** Sample rate of the IR in Hz, [8000, 384000]; `null`: the processing rate. @defaultValue null */
  irSampleRate: number | null;
  /** `'none'`: the IR as given; `'energy'`: unit energy per output. @defaultValue 'none' */
  normalize: ConvolverNormalization;
  /** Pre-delay of the wet signal in ms, [0, 500] (zeros put before the IR). @defaultValue 0 */
  preDelayMs: number;
  /** Dry/wet mix, [0, 1]: 0 passes the input unchanged, 1 is the wet signal only. Smoothed. @defaultValue 1 */
  mix: number;
  /** Gain of the wet signal in dB, [−60, 24]. Smoothed. @defaultValue 0 */
  wetGainDb: number;
  /** Cross-fade time of IR changes in ms, [0, 2000]. @defaultValue 50 */
  crossfadeMs: number;
  /** Ramp time of `mix` and `wetGainDb` changes in ms, [0, 1000]. @defaultValue 20 */
  smoothingMs: number;
  /** Largest IR (samples over all channels) that `toJSON()` embeds, an integer in [0, 4194304]. @defaultValue 16384 */
  embedLimit: number;
}

/** IR normalisations of {@link ConvolverOptions.normalize}. */
export const CONVOLVER_NORMALIZATIONS = Object.freeze(['none', 'energy'] as const);
/** One of {@link CONVOLVER_NORMALIZATIONS}. */
export type ConvolverNormalization = (typeof CONVOLVER_NORMALIZATIONS)[number];

/** Longest IR per channel: 2^20 samples (21.8 s at 48 kHz, 10.9 s at 96 kHz). */
export const MAX_IMPULSE_RESPONSE_SAMPLES = 1 << 20;
/** Largest IR sample magnitude accepted. */
const MAX_IR_VALUE = 1e6;

/** Defaults of {@link ConvolverOptions}: no IR yet, fully wet (an aux-bus reverb). */
export const CONVOLVER_DEFAULTS: Readonly<ConvolverOptions> = Object.freeze({
  impulseResponse: null,
  irSampleRate: null,
  normalize: 'none',
  preDelayMs: 0,
  mix: 1,
  wetGainDb: 0,
  crossfadeMs: 50,
  smoothingMs: DEFAULT_SMOOTHING_MS,
  embedLimit: 16384,
});

/** Validation rules of {@link ConvolverOptions} (the IR's equal channel lengths are checked too). */
export const CONVOLVER_RULES: { readonly [K in keyof ConvolverOptions]: OptionRule } = Object.freeze({
  impulseResponse: {
    kind: 'array',
    nullable: true,
    minLength: 1,
    maxLength: 4,
    description: 'Impulse response: 1, 2 or 4 channels of equal length',
    items: { kind: 'array', minLength: 1, maxLength: MAX_IMPULSE_RESPONSE_SAMPLES, items: { kind: 'number', range: { min: -MAX_IR_VALUE, max: MAX_IR_VALUE } } },
  },
  irSampleRate: { kind: 'number', nullable: true, range: { min: 8000, max: 384000, unit: 'Hz' } },
  normalize: { kind: 'enum', values: CONVOLVER_NORMALIZATIONS },
  preDelayMs: { kind: 'number', range: { min: 0, max: 500, unit: 'ms' } },
  mix: { kind: 'number', range: { min: 0, max: 1 } },
  wetGainDb: { kind: 'number', range: { min: -60, max: 24, unit: 'dB' } },
  crossfadeMs: { kind: 'number', range: { min: 0, max: 2000, unit: 'ms' } },
  smoothingMs: { kind: 'number', range: SMOOTHING_RANGE },
  embedLimit: { kind: 'number', range: { min: 0, max: 4 * MAX_IMPULSE_RESPONSE_SAMPLES }, integer: true },
});

const OWNER = 'Convolver';

/** Channel counts whose change paths have been primed in this realm (see {@link primeChanges}). */
const changesPrimed = new Set<number>();

/**
 * Run the paths of a change (IR cross-fades, to and from no IR; pre-delay changes; mix and wet-gain
 * ramps) on a throwaway Convolver with a small IR, with noise and with silence, until V8 has
 * optimised them. Unprimed, the first change after a long steady run ran `process()` unoptimised on
 * the audio thread, boxing every double: megabytes of garbage over a cross-fade. The code is shared
 * by every instance, so once per channel count and realm.
 */
function primeChanges(spec: ProcessSpec): void {
  const ir = (seed: number) => [Float32Array.from({ length: 3000 }, (_, i) => Math.sin(i * seed) * Math.exp(-i / 700))];
  // A cross-fade of 21 ms (not a whole number of 64-sample chunks) and blocks of 128 and 100
  // frames: chunks of every length.
  const t = new Convolver({ impulseResponse: ir(1.3), crossfadeMs: 21, smoothingMs: 20 });
  t.prepare(spec);
  const block = Array.from({ length: spec.channels }, () => new Float32Array(spec.maxBlockSize));
  const changes: Partial<ConvolverOptions>[] = [{ mix: 0.5 }, { wetGainDb: -6 }, { impulseResponse: ir(2.1) }, { preDelayMs: 12 }, { impulseResponse: null }, { impulseResponse: ir(0.7) }, { mix: 1 }, { wetGainDb: 3 }, { mix: 0.2 }, { preDelayMs: 0 }];
  for (let round = 0; round < 3 * changes.length; round++) {
    t.set(changes[round % changes.length]);
    for (let b = 0; b < 40; b++) {
      const n = Math.min(spec.maxBlockSize, b % 2 === 0 ? 128 : 100);
      for (const x of block) for (let i = 0; i < n; i++) x[i] = round % 3 === 0 ? 0 : Math.sin((b * 128 + i) * 0.37 + round);
      t.process(block, n);
    }
  }
}
/** Options whose change rebuilds the engine. */
const ENGINE_KEYS = ['impulseResponse', 'irSampleRate', 'normalize', 'preDelayMs'] as const;

// `ist` slots (Int32Array): cross-fade length, samples done.
const FADE_LEN = 0;
const FADE_DONE = 1;

/**
 * A zero-latency convolution reverb.
 *
 * @example
 * ```ts
 * import { Convolver } from 'masterbus';
 * // A toy IR: a decaying noise burst, 0.5 s at 48 kHz, stereo.
 * const n = 24000;
 * const ir = [new Float32Array(n), new Float32Array(n)];
 * let seed = 1;
 * for (const ch of ir) for (let i = 0; i < n; i++) {
 *   seed = (seed * 16807) % 2147483647;
 *   ch[i] = (seed / 2147483647 - 0.5) * Math.exp(-i / 4000);
 * }
 * const verb = new Convolver({ impulseResponse: ir, normalize: 'energy', mix: 0.3, preDelayMs: 10 });
 * verb.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
 * const block = [new Float32Array(128).fill(0.1), new Float32Array(128).fill(0.1)];
 * verb.process(block); // in place, no latency
 * ```
 */
export class Convolver implements Processor<ConvolverOptions> {
  /** Type name used by {@link Convolver.toJSON}. */
  static readonly type = 'Convolver';
  /** Defaults of its options. */
  static readonly defaults = CONVOLVER_DEFAULTS;
  /** Validation rules of its options. */
  static readonly rules = CONVOLVER_RULES;
  /** No read-outs. */
  readonly meterNames: readonly MeterName[] = NO_METERS;
  /** No read-outs: writes nothing. */
  readMeters(_out: Float64Array, _offset: number): void {}
  /** Always 0: the head of the IR is convolved directly. */
  readonly latency = 0;

  private opts: ConvolverOptions;
  /** The IR as stored (copies). */
  private ir: Float32Array[] | null;
  private spec: ProcessSpec | undefined;
  private cur: PartitionedConvolution | null = null;
  private old: PartitionedConvolution | null = null;
  private pending: PartitionedConvolution | null = null;
  private hasPending = false;
  private readonly ist = new Int32Array(2);
  private readonly mixer = new SmoothedValue('linear', 1);
  private readonly gain = new SmoothedValue('linear', 1);
  private xs: Float64Array[] = [];
  private wetA: Float64Array[] = [];
  private wetB: Float64Array[] = [];
  private mixBuf = new Float64Array(HEAD_TAPS);
  private gainBuf = new Float64Array(HEAD_TAPS);

  /** Create a convolver; omitted options take {@link CONVOLVER_DEFAULTS}. Throws on bad options. */
  constructor(options: Partial<ConvolverOptions> = {}) {
    const { opts, ir } = Convolver.check({ ...CONVOLVER_DEFAULTS }, null, options, undefined);
    this.opts = opts;
    this.ir = ir;
    this.mixer.setImmediate(opts.mix);
    this.gain.setImmediate(dbToGain(opts.wetGainDb));
  }

  /** Rebuild from {@link Convolver.toJSON} output (validated like the constructor's options). */
  static fromJSON(json: ProcessorJSON): Convolver {
    return new Convolver(paramsFromJSON(Convolver, json));
  }

  /** Any channel count, or exactly 2 for a true-stereo (4-channel) IR. */
  get channelRange(): ChannelRange {
    return this.ir !== null && this.ir.length === 4 ? STEREO_ONLY : ANY_CHANNELS;
  }

  /** The current options; the IR as fresh `Float32Array` copies. */
  get params(): ConvolverOptions {
    return { ...this.opts, impulseResponse: this.ir === null ? null : this.ir.map((c) => c.slice()) };
  }

  /** Change options (validated first: a bad value throws and changes nothing). */
  set(options: Partial<ConvolverOptions>): this {
    const { opts, ir, changed } = Convolver.check(this.opts, this.ir, options, this.spec);
    let engine: PartitionedConvolution | null = null;
    if (changed && this.spec) engine = buildEngine(ir, opts, this.spec);
    this.opts = opts;
    this.ir = ir;
    if (this.spec) {
      const fs = this.spec.sampleRate;
      if (options.smoothingMs !== undefined) {
        this.mixer.setRampLength(fs, opts.smoothingMs / 1000);
        this.gain.setRampLength(fs, opts.smoothingMs / 1000);
      }
      this.mixer.setTarget(opts.mix);
      this.gain.setTarget(dbToGain(opts.wetGainDb));
      if (changed) {
        if (this.old !== null || this.ist[FADE_LEN] > 0) {
          this.pending = engine;
          this.hasPending = true;
        } else this.startFade(engine);
      }
    } else {
      this.mixer.setImmediate(opts.mix);
      this.gain.setImmediate(dbToGain(opts.wetGainDb));
    }
    return this;
  }

  /**
   * Validate `options` on top of `current` (and the IR `ir`): the rule table, then the IR by hand
   * (typed arrays are accepted, which the table's JSON form does not describe), equal channel
   * lengths, and a true-stereo IR only on 2 channels once prepared. `changed`: the engine must be
   * rebuilt.
   */
  private static check(
    current: ConvolverOptions,
    ir: Float32Array[] | null,
    options: Partial<ConvolverOptions>,
    spec: ProcessSpec | undefined,
  ): { opts: ConvolverOptions; ir: Float32Array[] | null; changed: boolean } {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new TypeError(`${OWNER}: options must be an options object, got ${describeValue(options)}`);
    }
    const { impulseResponse, ...rest } = options;
    const o = validateOptions<ConvolverOptions>(OWNER, { ...rest, ...(impulseResponse === undefined ? {} : { impulseResponse: null }) }, CONVOLVER_RULES);
    let nextIr = ir;
    let irChanged = false;
    if (impulseResponse !== undefined) {
      const candidate = impulseResponse === null ? null : checkImpulseResponse(impulseResponse);
      irChanged = !sameIr(candidate, ir);
      if (irChanged) nextIr = candidate;
    }
    if (nextIr !== null && nextIr.length === 4 && spec !== undefined && spec.channels !== 2) {
      throw new RangeError(`${OWNER}.impulseResponse: a true-stereo (4-channel) IR needs 2 channels, the convolver is prepared for ${spec.channels}`);
    }
    const next: ConvolverOptions = { ...current, ...o, impulseResponse: null };
    let changed = irChanged;
    for (const key of ENGINE_KEYS) if (key !== 'impulseResponse' && next[key] !== current[key]) changed = true;
    return { opts: next, ir: nextIr, changed };
  }

  prepare(spec: ProcessSpec): void {
    const s = validateSpec(OWNER, spec, this.channelRange);
    this.spec = s;
    const C = s.channels;
    this.xs = [];
    this.wetA = [];
    this.wetB = [];
    for (let c = 0; c < C; c++) {
      this.xs.push(new Float64Array(HEAD_TAPS));
      this.wetA.push(new Float64Array(HEAD_TAPS));
      this.wetB.push(new Float64Array(HEAD_TAPS));
    }
    this.mixBuf = new Float64Array(HEAD_TAPS);
    this.gainBuf = new Float64Array(HEAD_TAPS);
    this.mixer.reset(s.sampleRate, this.opts.smoothingMs / 1000);
    this.gain.reset(s.sampleRate, this.opts.smoothingMs / 1000);
    this.cur = buildEngine(this.ir, this.opts, s);
    this.old = null;
    this.pending = null;
    this.hasPending = false;
    this.reset();
    primeProcessor(this, s);
    this.reset();
    if (!changesPrimed.has(s.channels)) {
      changesPrimed.add(s.channels);
      primeChanges(s);
    }
  }

  reset(): void {
    if (this.hasPending) this.cur = this.pending;
    this.pending = null;
    this.hasPending = false;
    this.old = null;
    this.ist[FADE_LEN] = 0;
    this.ist[FADE_DONE] = 0;
    this.cur?.reset();
    this.mixer.jumpToTarget();
    this.gain.jumpToTarget();
    for (let c = 0; c < this.wetB.length; c++) this.wetB[c].fill(0);
  }

  process(block: readonly Float32Array[], frames?: number): void {
    const spec = this.spec;
    if (spec === undefined) return;
    const channels = usableChannels(block, spec.channels);
    const n = safeFrameCount(block, channels, frames);
    const C = spec.channels;
    const xs = this.xs;
    const wetA = this.wetA;
    const wetB = this.wetB;
    const ist = this.ist;
    for (let pos = 0; pos < n; ) {
      const cur = this.cur;
      const old = this.old;
      const left = n - pos;
      let k = left < HEAD_TAPS ? left : HEAD_TAPS;
      if (cur !== null && cur.untilBoundary < k) k = cur.untilBoundary;
      if (old !== null && old.untilBoundary < k) k = old.untilBoundary;
      const fadeLen = ist[FADE_LEN];
      const fadeDone = ist[FADE_DONE];
      // (`left` and `fadeLeft` are computed in every chunk: an operation that runs only in a rare
      // case (a short remainder, a cross-fade) has no type feedback after a long steady run, and
      // V8 would deoptimise process() on the audio thread when the case comes.)
      const fadeLeft = fadeLen - fadeDone;
      if (fadeLen > 0 && fadeLeft < k) k = fadeLeft;
      // Clean input: non-finite and tiny samples as 0.
      for (let c = 0; c < C; c++) {
        const x = xs[c];
        if (c < channels) {
          const b = block[c];
          for (let i = 0; i < k; i++) {
            const v = b[pos + i];
            const a = v < 0 ? -v : v;
            x[i] = a >= 1e-30 && a < Infinity ? v : 0;
          }
        } else x.fill(0, 0, k);
      }
      if (cur !== null) cur.run(xs, k, wetA, 0);
      else for (let c = 0; c < C; c++) wetA[c].fill(0, 0, k);
      if (fadeLen > 0) {
        if (old !== null) old.run(xs, k, wetB, 0);
        const inv = 1 / fadeLen;
        for (let c = 0; c < C; c++) {
          const a = wetA[c];
          const b = wetB[c];
          for (let i = 0; i < k; i++) {
            const g = (fadeDone + i + 1) * inv;
            const bv = old !== null ? b[i] : 0;
            a[i] = bv + g * (a[i] - bv);
          }
        }
      }
      const ramping = this.mixer.isSmoothing || this.gain.isSmoothing;
      const len = ramping ? k : 1;
      const step = ramping ? 1 : 0;
      const mb = this.mixBuf;
      const gb = this.gainBuf;
      this.mixer.fill(mb, len);
      this.gain.fill(gb, len);
      for (let c = 0; c < channels; c++) {
        const b = block[c];
        const w = wetA[c];
        for (let i = 0; i < k; i++) {
          const mx = mb[i * step];
          const wet = gb[i * step] * w[i];
          const dry = b[pos + i];
          // (Mix 1 and 0 are exact: the wet signal alone, the input untouched.)
          b[pos + i] = mx === 1 ? wet : mx === 0 ? dry : dry + mx * (wet - dry);
        }
      }
      if (fadeLen > 0) {
        if (fadeDone + k >= fadeLen) this.endFade();
        else ist[FADE_DONE] = fadeDone + k;
      }
      pos += k;
    }
  }

  toJSON(): ProcessorJSON {
    const ir = this.ir;
    let total = 0;
    if (ir !== null) for (const c of ir) total += c.length;
    const embed = ir !== null && total <= this.opts.embedLimit;
    return processorJSON(Convolver.type, { ...this.opts, impulseResponse: embed ? ir.map((c) => Array.from(c)) : null });
  }

  /** Make `engine` current, cross-fading from the current one (control side or at a fade's end). */
  private startFade(engine: PartitionedConvolution | null): void {
    const spec = this.spec!;
    this.old = this.cur;
    this.cur = engine;
    const len = Math.round((this.opts.crossfadeMs * spec.sampleRate) / 1000);
    this.ist[FADE_LEN] = len;
    this.ist[FADE_DONE] = 0;
    if (len === 0) this.old = null;
  }

  /** A cross-fade ended: drop the old engine; start the pending one, if any. */
  private endFade(): void {
    this.old = null;
    this.ist[FADE_LEN] = 0;
    this.ist[FADE_DONE] = 0;
    if (this.hasPending) {
      const next = this.pending;
      this.pending = null;
      this.hasPending = false;
      this.startFade(next);
    }
  }
}

/** Check an IR value and return Float32 copies (the path in messages is `Convolver.impulseResponse…`). */
function checkImpulseResponse(value: unknown): Float32Array[] {
  const name = `${OWNER}.impulseResponse`;
  if (!Array.isArray(value)) throw new TypeError(`${name} must be null or an array of 1, 2 or 4 channels (Float32Array, Float64Array or number arrays), got ${describeValue(value)}`);
  const n = value.length;
  if (n !== 1 && n !== 2 && n !== 4) throw new RangeError(`${name} must have 1, 2 or 4 channels, got ${n}`);
  const out: Float32Array[] = [];
  let length = -1;
  for (let c = 0; c < n; c++) {
    const ch: unknown = Object.prototype.hasOwnProperty.call(value, c) ? value[c] : undefined;
    if (!(ch instanceof Float32Array || ch instanceof Float64Array || Array.isArray(ch))) {
      throw new TypeError(`${name}[${c}] must be a Float32Array, a Float64Array or an array of numbers, got ${describeValue(ch)}`);
    }
    const len = ch.length;
    if (!(len >= 1 && len <= MAX_IMPULSE_RESPONSE_SAMPLES)) throw new RangeError(`${name}[${c}] must have between 1 and ${MAX_IMPULSE_RESPONSE_SAMPLES} samples, got ${len}`);
    if (length >= 0 && len !== length) throw new RangeError(`${name}: every channel must have the same length; channel 0 has ${length} samples, channel ${c} has ${len}`);
    length = len;
    const copy = new Float32Array(len);
    for (let i = 0; i < len; i++) {
      const v: unknown = (ch as ArrayLike<unknown>)[i];
      if (typeof v !== 'number') throw new TypeError(`${name}[${c}][${i}] must be a number in [-${MAX_IR_VALUE}, ${MAX_IR_VALUE}], got ${describeValue(v)}`);
      if (!(v >= -MAX_IR_VALUE && v <= MAX_IR_VALUE)) throw new RangeError(`${name}[${c}][${i}] must be in [-${MAX_IR_VALUE}, ${MAX_IR_VALUE}], got ${describeValue(v)}`);
      // (Below 1e-30 in magnitude, −600 dB: stored as 0, so no subnormal number enters the state.)
      copy[i] = v > -1e-30 && v < 1e-30 ? 0 : v;
    }
    out.push(copy);
  }
  return out;
}

/** Whether two stored IRs hold the same samples. */
function sameIr(a: Float32Array[] | null, b: Float32Array[] | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.length !== b.length) return false;
  for (let c = 0; c < a.length; c++) {
    const x = a[c];
    const y = b[c];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
  }
  return true;
}

/**
 * The engine for `ir` under `opts` at `spec`: resampled to the processing rate, normalised,
 * pre-delayed, with the paths of its channel layout. `null` without an IR.
 */
function buildEngine(ir: Float32Array[] | null, opts: ConvolverOptions, spec: ProcessSpec): PartitionedConvolution | null {
  if (ir === null) return null;
  const fs = spec.sampleRate;
  let irs: Float64Array[] = ir.map((c) => Float64Array.from(c));
  if (opts.irSampleRate !== null && opts.irSampleRate !== fs) {
    const from = opts.irSampleRate;
    irs = irs.map((c) => resample(c, from, fs));
  }
  const outputs = irs.length === 4 ? 2 : irs.length;
  let scale = 1;
  if (opts.normalize === 'energy') {
    let e = 0;
    for (const c of irs) for (let i = 0; i < c.length; i++) e += c[i] * c[i];
    if (e > 0) scale = 1 / Math.sqrt(e / outputs);
  }
  const delay = Math.round((opts.preDelayMs * fs) / 1000);
  const len = irs[0].length + delay;
  const taps = irs.map((c) => {
    const h = new Float64Array(len);
    for (let i = 0; i < c.length; i++) h[delay + i] = c[i] * scale;
    return h;
  });
  const C = spec.channels;
  const paths: ConvolutionPath[] = [];
  if (taps.length === 4) {
    paths.push({ input: 0, ir: 0, output: 0 }, { input: 0, ir: 1, output: 1 }, { input: 1, ir: 2, output: 0 }, { input: 1, ir: 3, output: 1 });
  } else {
    for (let c = 0; c < C; c++) paths.push({ input: c, ir: c % taps.length, output: c });
  }
  return new PartitionedConvolution(taps, paths, C, C);
}

/** Zero crossings of the resampling kernel on each side. */
const SINC_ZEROS = 32;

/**
 * Resample `x` from rate `from` to rate `to` by windowed-sinc interpolation (Smith, "Digital Audio
 * Resampling", CCRMA): y[j] = Σ_i x[i]·c·sinc(c·(t − i))·w((t − i)/W), t = j·from/to, with the
 * cut-off c = 0.95·min(1, to/from) (in units of the input's Nyquist frequency) and a Blackman window
 * w over ±W = SINC_ZEROS/c input samples. Runs on the control side (it allocates).
 */
export function resample(x: Float64Array, from: number, to: number): Float64Array {
  const ratio = from / to;
  const outLen = Math.max(1, Math.round((x.length * to) / from));
  const y = new Float64Array(outLen);
  const c = 0.95 * Math.min(1, to / from);
  const half = SINC_ZEROS / c;
  for (let j = 0; j < outLen; j++) {
    const t = j * ratio;
    const lo = Math.max(0, Math.ceil(t - half));
    const hi = Math.min(x.length - 1, Math.floor(t + half));
    let s = 0;
    for (let i = lo; i <= hi; i++) {
      const d = t - i;
      const u = c * d;
      const sinc = u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u);
      const w = 0.42 + 0.5 * Math.cos((Math.PI * d) / half) + 0.08 * Math.cos((2 * Math.PI * d) / half);
      s += x[i] * c * sinc * w;
    }
    y[j] = s;
  }
  return y;
}
