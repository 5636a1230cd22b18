/**
 * Saturator: waveshaping distortion with drive, five curves, 1/2/4/8× oversampling, output trim,
 * dry/wet mix, automatic gain compensation and a DC blocker for the asymmetric curve.
 *
 * Signal path per channel: up-sample (IIR or linear-phase FIR half-band cascade, see
 * `iir-oversampling.ts` and `oversampling.ts`) → × drive → curve → DC blocker (the `'tube'` curve
 * only) → × trim (× auto gain), mixed with the undriven up-sampled signal → down-sample. The dry/wet mix is
 * made at the oversampled rate, so the dry signal goes through exactly the filters the wet one
 * does: the two stay phase-aligned at any mix, with either filter.
 *
 * - DC blocker: y[n] = x[n] − x[n−1] + R·y[n−1], R = exp(−2π·3 Hz/(factor·fs)) (J. O. Smith,
 *   *Introduction to Digital Filters*, "DC blocker"): −3 dB at 3 Hz, −0.1 dB at 20 Hz. Its state,
 *   like the IIR oversampler's, is flushed to 0 below 1e-30 (and when not finite) before every
 *   base-rate sample whose absolute index is a multiple of 32: no subnormals, and the same output
 *   for any block partition (a flush at chunk ends would depend on where the blocks end).
 * - Auto gain: the output gain that keeps the RMS of a −18 dBFS RMS sine (the usual 0 VU
 *   alignment) unchanged through the curve at the current drive, computed on the control side by
 *   evaluating the curve over one period (4096 points, mean removed).
 * - Every change is click-free: drive, trim, auto gain and mix ramp over `smoothingMs`; a curve
 *   change cross-fades between the old and new curve at the oversampled rate (a change during a
 *   cross-fade starts when it ends), and the DC blocker fades in and out with the `'tube'` curve. `oversampling` and `oversamplingFilter` set the
 *   latency, so they apply at the next `prepare()`.
 *
 * @module
 */
import { DEFAULT_SMOOTHING_MS, LiveNumbers, SMOOTHING_RANGE, numberOptionRange } from '../core/options.js';
import { primeChanges, primeProcessor } from '../core/prime.js';
import { safeFrameCount, usableChannels, validateSpec, type ProcessSpec, type Processor, type ProcessorJSON } from '../core/processor.js';
import { SmoothedValue } from '../core/smoothed-value.js';
import { validateOptions, type NumberRange, type OptionRule } from '../core/validate.js';
import { CURVE_BOUNDS, SATURATION_CURVES, applyCurve, type SaturationCurve } from './curves.js';
import { FLUSH_BELOW, FLUSH_GRID, IirOversampler } from './iir-oversampling.js';
import { OVERSAMPLING_FACTORS, Oversampler, type OversamplingFactor } from './oversampling.js';
import { ANY_CHANNELS, NO_METERS, type MeterName } from '../core/processor.js';
import { paramsFromJSON, processorJSON } from '../core/json.js';

/** The anti-aliasing filters of the oversampler: see {@link SaturatorOptions.oversamplingFilter}. */
export const OVERSAMPLING_FILTERS = ['iir', 'linear-phase'] as const;
/** An oversampling filter kind. */
export type OversamplingFilter = (typeof OVERSAMPLING_FILTERS)[number];

/** What the Saturator needs of an oversampler (both kinds implement it). */
interface OversamplingPath {
  readonly input: Float64Array;
  readonly inputOffset: number;
  readonly top: Float64Array;
  readonly topOffset: number;
  readonly latency: number;
  up(m: number): void;
  upFrom(x: Float32Array, pos: number, m: number, gain: Float64Array, gainStride: number): void;
  down(m: number, out: Float32Array, offset: number): void;
  reset(): void;
}

function makeOversampler(filter: OversamplingFilter, factor: OversamplingFactor, maxChunk: number): OversamplingPath {
  return filter === 'iir' ? new IirOversampler(factor, maxChunk) : new Oversampler(factor, maxChunk);
}

/** Options of {@link Saturator}. */
export interface SaturatorOptions {
  /** The waveshaping curve (see `SATURATION_CURVES` and the table in docs/color.md). @defaultValue `"tanh"` */
  curve: SaturationCurve;
  /** Gain into the curve in dB, [−24, 48]. Smoothed. @defaultValue 6 */
  driveDb: number;
  /** Output gain in dB, [−48, 24]. Smoothed. @defaultValue 0 */
  trimDb: number;
  /**
   * Dry/wet mix, [0, 1]: 0 is the dry signal (through the oversampling filters: a pure delay with
   * `'linear-phase'`), 1 fully saturated. @defaultValue 1
   */
  mix: number;
  /** Keep the level of a −18 dBFS RMS sine unchanged whatever the drive and curve. @defaultValue false */
  autoGain: boolean;
  /** Oversampling factor, 1, 2, 4 or 8. Sets the latency, so a change applies at the next `prepare()`. @defaultValue 4 */
  oversampling: OversamplingFactor;
  /**
   * The oversampler's anti-aliasing filters. `'iir'`: polyphase elliptic all-pass half-bands,
   * cheap and with 3–4 samples of latency, but with non-linear phase near the top of the band;
   * `'linear-phase'`: Kaiser-windowed half-band FIRs, a pure delay of 35 (2×) to 43 (8×) samples.
   * Both pass 0–0.42·fs flat and reject what would alias into it: IIR stages by 95–102 dB,
   * linear-phase stages by 88, 95 and 83 dB.
   * Applies at the next `prepare()`. @defaultValue `"iir"`
   */
  oversamplingFilter: OversamplingFilter;
  /** Ramp time of parameter changes and curve cross-fades in ms, [0, 1000]. @defaultValue 20 */
  smoothingMs: number;
}

/** Defaults of {@link SaturatorOptions}. */
export const SATURATOR_DEFAULTS: Readonly<SaturatorOptions> = Object.freeze({
  curve: 'tanh',
  driveDb: 6,
  trimDb: 0,
  mix: 1,
  autoGain: false,
  oversampling: 4,
  oversamplingFilter: 'iir',
  smoothingMs: DEFAULT_SMOOTHING_MS,
});

/** Validation rules of {@link SaturatorOptions}. */
export const SATURATOR_RULES: { readonly [K in keyof SaturatorOptions]: OptionRule } = Object.freeze({
  curve: { kind: 'enum', values: SATURATION_CURVES },
  driveDb: { kind: 'number', range: { min: -24, max: 48, unit: 'dB' } },
  trimDb: { kind: 'number', range: { min: -48, max: 24, unit: 'dB' } },
  mix: { kind: 'number', range: { min: 0, max: 1 } },
  autoGain: { kind: 'boolean' },
  oversampling: { kind: 'enum', values: OVERSAMPLING_FACTORS },
  oversamplingFilter: { kind: 'enum', values: OVERSAMPLING_FILTERS },
  smoothingMs: { kind: 'number', range: SMOOTHING_RANGE },
});

const OWNER = 'Saturator';
const CHUNK = 256;
const DC_BLOCKER_HZ = 3;
/** RMS level of the auto-gain reference sine, dBFS. */
export const AUTO_GAIN_REFERENCE_DB = -18;
const TUBE = SATURATION_CURVES.indexOf('tube');

// Slots of Saturator.st (Int32Array).
/** The curve (index into SATURATION_CURVES). */
const CURVE = 0;
/** The curve being faded out. */
const PREV = 1;
/** Samples (top rate) of the fade still to go. */
const FADE_LEFT = 2;
/** Length (top rate) of the fade in progress. */
const FADE_LEN = 3;
/** Curve waiting for the fade in progress to end (−1: none). */
const QUEUED = 4;
/** Fade length for `smoothingMs` (top rate). */
const FADE_SAMPLES = 5;
/** Absolute base-rate sample index modulo FLUSH_GRID (the DC blocker's flush grid). */
const FLUSH_PHASE = 6;

// Slots of one channel's DC blocker state in Saturator.dc (DC_SLOTS values from DC_SLOTS·channel).
/** x₁, the previous input. */
const DC_X1 = 0;
/** y₁, the previous output. */
const DC_Y1 = 1;
const DC_SLOTS = 2;

/** Points of one period of the auto-gain reference sine. */
const AUTO_GAIN_POINTS = 4096;
/** Number options that `setParam()` leaves alone. */
const SATURATOR_FIXED: readonly string[] = ['smoothingMs'];
/** The number options mirrored in Saturator.live (what setParam() changes), and their slots. */
const LIVE_KEYS = ['driveDb', 'trimDb', 'mix'] as const;
const N_DRIVE = 0;
const N_TRIM = 1;
const N_MIX = 2;

/**
 * The auto-gain output factor for curve index `curve` at linear drive `g`: RMS of the reference
 * sine over RMS of its saturated, DC-free version.
 */
function autoGainFactor(curve: number, g: number): number {
  const io = Float64Array.of(g, 0);
  autoGainInto(curve, io, new Float64Array(AUTO_GAIN_POINTS));
  return io[1];
}

/**
 * {@link autoGainFactor} through typed arrays, allocation-free (for the audio thread): the drive
 * from `io[0]`, the factor into `io[1]`, `buf` of AUTO_GAIN_POINTS values as scratch.
 */
function autoGainInto(curve: number, io: Float64Array, buf: Float64Array): void {
  const g = io[0];
  const n = AUTO_GAIN_POINTS;
  const rms = Math.pow(10, AUTO_GAIN_REFERENCE_DB / 20);
  const a = rms * Math.SQRT2;
  for (let i = 0; i < n; i++) buf[i] = g * a * Math.sin((2 * Math.PI * (i + 0.5)) / n);
  applyCurve(curve, buf, 0, n);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += buf[i];
  mean /= n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (buf[i] - mean) * (buf[i] - mean);
  io[1] = rms / Math.sqrt(sq / n);
}

/**
 * Worst-case gains of an oversampler, from its impulse responses: `up`, the largest ℓ1 norm over
 * the output phases of up-sampling; `down`, the ℓ1 norm of the down-sampling filter over all
 * its input phases. (The responses are followed for 64 × 64 samples, long past where the IIR
 * ones have decayed below 1e-15.)
 */
function pathGains(o: OversamplingPath, R: number): { up: number; down: number } {
  const m = 64;
  const phase = new Float64Array(R);
  const out = new Float32Array(m);
  o.reset();
  for (let b = 0; b < 64; b++) {
    o.input.fill(0, o.inputOffset, o.inputOffset + m);
    if (b === 0) o.input[o.inputOffset] = 1;
    o.up(m);
    for (let j = 0; j < R * m; j++) phase[j % R] += Math.abs(o.top[o.topOffset + j]);
  }
  const up = Math.max(...phase);
  let down = 0;
  for (let p = 0; p < R; p++) {
    o.reset();
    for (let b = 0; b < 64; b++) {
      o.top.fill(0, o.topOffset, o.topOffset + R * m);
      if (b === 0) o.top[o.topOffset + p] = 1;
      o.down(m, out, 0);
      for (let i = 0; i < m; i++) down += Math.abs(out[i]);
    }
  }
  o.reset();
  // (The responses pass through float32 outputs: allow for their rounding.)
  return { up, down: down * (1 + 1e-6) };
}

/**
 * Waveshaping saturation with oversampling. Works on every channel in place; `latency` is the
 * oversampling filters' delay: 0 at 1×; with `'linear-phase'` filters 35 samples at 2×, 41 at 4×,
 * 43 at 8×; with `'iir'` filters the low-frequency group delay rounded ({@link Saturator.latencyOf}).
 *
 * @example
 * ```ts
 * import { Saturator } from 'masterbus';
 * const sat = new Saturator({ curve: 'tape', driveDb: 12, mix: 0.5, autoGain: true });
 * sat.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
 * const block = [new Float32Array(128).fill(0.3), new Float32Array(128).fill(-0.3)];
 * sat.process(block);            // in place
 * sat.latency;                   // 3 (IIR filters): report it to the host for delay compensation
 * sat.set({ curve: 'tube' });    // cross-fades over 20 ms
 * ```
 */
export class Saturator implements Processor<SaturatorOptions> {
  /** Type name used by {@link Saturator.toJSON}. */
  static readonly type = 'Saturator';
  /** Any channel count. */
  readonly channelRange = ANY_CHANNELS;
  /** No read-outs. */
  readonly meterNames: readonly MeterName[] = NO_METERS;
  /** No read-outs: writes nothing. */
  readMeters(_out: Float64Array, _offset: number): void {}
  private opts: SaturatorOptions;
  private spec: ProcessSpec | undefined;
  private lat = 0;
  private factor: OversamplingFactor = 1;
  private os: OversamplingPath[] = [];
  private dryTop = new Float64Array(0);
  private fadeBuf = new Float64Array(0);
  private fadeRamp = new Float64Array(0);
  private driveBuf = new Float64Array(0);
  private outBuf = new Float64Array(0);
  private mixBuf = new Float64Array(0);
  private dcBuf = new Float64Array(0);
  private readonly drive = new SmoothedValue('multiplicative', 1);
  private readonly out = new SmoothedValue('multiplicative', 1);
  private readonly mixer = new SmoothedValue('linear', 1);
  private readonly dcw = new SmoothedValue('linear', 0);
  /** The four smoothers, for index loops that allocate nothing (reset() runs on the audio thread). */
  private readonly smoothed: readonly SmoothedValue[] = [this.drive, this.out, this.mixer, this.dcw];
  /** [drive, output gain, mix, DC-blocker weight] targets handed to the smoothers. */
  private readonly goals = new Float64Array(4);
  /** DC blocker state per channel, at the slots DC_X1, DC_Y1. */
  private dc = new Float64Array(0);
  /** [R of the DC blocker]. */
  private readonly k = new Float64Array(1);
  /** Integer state, at the slots CURVE … FLUSH_PHASE. */
  private readonly st = Int32Array.of(0, 0, 0, 0, -1, 0, 0);
  /** A gain of 1 for the up-sampler's input (the drive is applied at the oversampled rate). */
  private readonly one = Float64Array.of(1);
  /** The auto-gain measurement's buffer (taken when auto-gain is first on). */
  private gainBuf = new Float64Array(0);
  /** [drive in, auto-gain factor out] of autoGainInto(). */
  private readonly gainIo = new Float64Array(2);
  /** The number options as derived state reads them (see {@link LiveNumbers}). */
  private readonly live = new LiveNumbers(LIVE_KEYS, SATURATOR_RULES);

  /** Create a saturator; omitted options take {@link SATURATOR_DEFAULTS}. Throws on bad options. */
  constructor(options: Partial<SaturatorOptions> = {}) {
    this.opts = { ...SATURATOR_DEFAULTS, ...validateOptions<SaturatorOptions>(OWNER, options, SATURATOR_RULES) };
    this.live.load(this.opts);
    this.st[CURVE] = SATURATION_CURVES.indexOf(this.opts.curve);
    this.st[PREV] = this.st[CURVE];
    this.targets(false);
  }

  /** Defaults of its options. */
  static readonly defaults = SATURATOR_DEFAULTS;
  /** Validation rules of its options: the one source of their ranges and units (see `describeOptions`). */
  static readonly rules = SATURATOR_RULES;

  /** Rebuild from {@link Saturator.toJSON} output (validated like the constructor's options). */
  static fromJSON(json: ProcessorJSON): Saturator {
    return new Saturator(paramsFromJSON(Saturator, json));
  }

  /** Delay in samples: the oversampling filters' (0 at 1×); constant after `prepare()`. */
  get latency(): number {
    return this.lat;
  }

  /** The current parameters (ramping values are given as their targets). */
  get params(): SaturatorOptions {
    this.live.sync(this.opts);
    return { ...this.opts };
  }

  /**
   * Latency in samples that `oversampling` gives (the same at every sample rate): for hosts that
   * need it before `prepare()`.
   */
  static latencyOf(oversampling: OversamplingFactor, filter: OversamplingFilter = SATURATOR_DEFAULTS.oversamplingFilter): number {
    validateOptions<SaturatorOptions>(OWNER, { oversampling, oversamplingFilter: filter }, SATURATOR_RULES);
    return makeOversampler(filter, oversampling, 64).latency;
  }

  /** Change parameters (validated first: a bad value throws and changes nothing). */
  set(options: Partial<SaturatorOptions>): this {
    const o = validateOptions<SaturatorOptions>(OWNER, options, SATURATOR_RULES);
    this.live.sync(this.opts);
    this.opts = { ...this.opts, ...o };
    this.live.load(this.opts);
    const fs = this.spec?.sampleRate;
    if (o.smoothingMs !== undefined && fs !== undefined) {
      for (const v of this.smoothed) v.setRampLength(fs, o.smoothingMs / 1000);
      this.st[FADE_SAMPLES] = Math.round((o.smoothingMs * fs) / 1000) * this.factor;
    }
    if (o.curve !== undefined) {
      const next = SATURATION_CURVES.indexOf(o.curve);
      if (this.st[FADE_LEFT] > 0) {
        // A fade is in progress: the new curve waits for it to end (a click otherwise).
        this.st[QUEUED] = next === this.st[CURVE] ? -1 : next;
      } else if (next !== this.st[CURVE]) {
        this.startFade(next);
      }
    }
    this.targets(fs !== undefined);
    return this;
  }

  prepare(spec: ProcessSpec): void {
    const s = validateSpec(OWNER, spec, this.channelRange);
    this.spec = s;
    const n = Math.min(CHUNK, s.maxBlockSize);
    const f = this.opts.oversampling;
    this.factor = f;
    this.os = [];
    for (let c = 0; c < s.channels; c++) this.os.push(makeOversampler(this.opts.oversamplingFilter, f, n));
    this.lat = this.os[0].latency;
    this.dryTop = new Float64Array(n * f);
    this.fadeBuf = new Float64Array(n * f);
    this.fadeRamp = new Float64Array(n * f);
    this.driveBuf = new Float64Array(n);
    this.outBuf = new Float64Array(n);
    this.mixBuf = new Float64Array(n);
    this.dcBuf = new Float64Array(n);
    this.dc = new Float64Array(DC_SLOTS * s.channels);
    this.k[0] = Math.exp((-2 * Math.PI * DC_BLOCKER_HZ) / (s.sampleRate * f));
    for (const v of this.smoothed) v.reset(s.sampleRate, this.opts.smoothingMs / 1000);
    this.st[FADE_SAMPLES] = Math.round((this.opts.smoothingMs * s.sampleRate) / 1000) * f;
    // Every curve's loop gets its type feedback now rather than on the audio thread.
    const scratch = new Float64Array(4096);
    for (let c = 0; c < SATURATION_CURVES.length; c++) {
      for (let i = 0; i < scratch.length; i++) scratch[i] = 4 * Math.sin(i * 0.01);
      applyCurve(c, scratch, 0, scratch.length);
    }
    primeProcessor(this, s);
    primeChanges(this, s);
    this.reset();
  }

  reset(): void {
    for (let i = 0; i < this.os.length; i++) this.os[i].reset();
    this.dc.fill(0);
    for (let i = 0; i < this.smoothed.length; i++) this.smoothed[i].jumpToTarget();
    // The last curve asked for, at once.
    if (this.st[QUEUED] >= 0) this.st[CURVE] = this.st[QUEUED];
    this.st[PREV] = this.st[CURVE];
    this.st[FADE_LEFT] = 0;
    this.st[QUEUED] = -1;
    this.st[FLUSH_PHASE] = 0;
  }

  /** Cross-fade to curve `next` over `smoothingMs` (at once before prepare() or with 0 ms). */
  private startFade(next: number): void {
    const len = this.st[FADE_SAMPLES];
    this.st[PREV] = len > 0 ? this.st[CURVE] : next;
    this.st[CURVE] = next;
    this.st[FADE_LEFT] = len;
    this.st[FADE_LEN] = len;
    this.st[QUEUED] = -1;
  }

  process(block: readonly Float32Array[], frames?: number): void {
    const spec = this.spec;
    if (spec === undefined) return;
    const channels = usableChannels(block, spec.channels);
    const n = safeFrameCount(block, channels, frames);
    const step = this.dcBuf.length;
    const R = this.factor;
    const st = this.st;
    for (let pos = 0; pos < n; ) {
      // The fade that a curve change waited for has ended: start the next one.
      if (st[FADE_LEFT] === 0 && st[QUEUED] >= 0) this.startFade(st[QUEUED]);
      let k = n - pos < step ? n - pos : step;
      // A fade ends on a chunk boundary, so that every sample after it takes the same path
      // whatever the block sizes.
      if (st[FADE_LEFT] > 0 && st[FADE_LEFT] < R * k) k = st[FADE_LEFT] / R;
      const top = R * k;
      const dg = this.driveBuf;
      const og = this.outBuf;
      const mg = this.mixBuf;
      const dw = this.dcBuf;
      // Steady: every gain is its target over the chunk, and one value (index 0) stands for all.
      const steady = !(this.drive.isSmoothing || this.out.isSmoothing || this.mixer.isSmoothing || this.dcw.isSmoothing);
      const len = steady ? 1 : k;
      this.drive.fill(dg, len);
      this.out.fill(og, len);
      this.mixer.fill(mg, len);
      this.dcw.fill(dw, len);
      const curve = st[CURVE];
      const old = st[PREV];
      const fading = st[FADE_LEFT] > 0;
      if (fading) {
        // Cross-fade weight of the new curve per oversampled sample (partition independent).
        const a = this.fadeRamp;
        let rem = st[FADE_LEFT];
        const fl = st[FADE_LEN];
        for (let j = 0; j < top; j++) {
          if (rem > 0) rem--;
          a[j] = 1 - rem / fl;
        }
        st[FADE_LEFT] = rem;
      }
      // While anything ramps, the general per-sample path runs (it gives the same values as the
      // steady shortcuts for the samples where they would apply).
      const needDry = !steady || mg[0] !== 1;
      const dcOn = !steady || dw[0] !== 0;
      // The chunk's first flush point of the DC blocker (k or more: none).
      const phase = st[FLUSH_PHASE];
      const flushAt = phase === 0 ? 0 : FLUSH_GRID - phase;
      st[FLUSH_PHASE] = (phase + k) % FLUSH_GRID;
      for (let c = 0; c < channels; c++) {
        const x = block[c];
        const o = this.os[c];
        // Up-sample the input (non-finite samples enter as silence: they would stay in the
        // filters' states), then drive it at the oversampled rate, keeping the undriven signal
        // as the dry path of the mix.
        o.upFrom(x, pos, k, this.one, 0);
        const t = o.top;
        const t0 = o.topOffset;
        const dry = this.dryTop;
        if (needDry) {
          for (let i = 0; i < k; i++) {
            const g = dg[steady ? 0 : i];
            for (let j = i * R, e = j + R; j < e; j++) {
              const u = t[t0 + j];
              dry[j] = u;
              t[t0 + j] = u * g;
            }
          }
        } else if (fading || !steady) {
          for (let i = 0; i < k; i++) {
            const g = dg[steady ? 0 : i];
            for (let j = t0 + i * R, e = j + R; j < e; j++) t[j] *= g;
          }
        }
        // The steady, unfaded path applies the drive inside the curve's loop (the same product).
        const driveIn = needDry || fading || !steady ? this.one : dg;
        if (fading) {
          const fb = this.fadeBuf;
          for (let j = 0; j < top; j++) fb[j] = t[t0 + j];
          applyCurve(old, fb, 0, top);
          applyCurve(curve, t, t0, t0 + top);
          const a = this.fadeRamp;
          for (let j = 0; j < top; j++) t[t0 + j] = fb[j] + a[j] * (t[t0 + j] - fb[j]);
        } else {
          applyCurve(curve, t, t0, t0 + top, driveIn);
        }
        const dc = this.dc;
        if (dcOn) {
          // DC blocker on the wet signal, faded in and out with the 'tube' curve. Where its
          // weight is 0 it is off and its state cleared, so it always starts from rest.
          const r1 = this.k[0];
          let x1 = dc[DC_SLOTS * c + DC_X1];
          let y1 = dc[DC_SLOTS * c + DC_Y1];
          for (let i = 0, f = flushAt; i < k; i++) {
            if (i === f) {
              // Flush tiny and non-finite state, on the absolute grid (see the module comment).
              f += FLUSH_GRID;
              if (!(Math.abs(x1) >= FLUSH_BELOW && Math.abs(x1) <= 1e30)) x1 = 0;
              if (!(Math.abs(y1) >= FLUSH_BELOW && Math.abs(y1) <= 1e30)) y1 = 0;
            }
            const w = dw[steady ? 0 : i];
            if (w === 0) {
              x1 = 0;
              y1 = 0;
              continue;
            }
            for (let j = t0 + i * R, e = j + R; j < e; j++) {
              const v = t[j];
              y1 = v - x1 + r1 * y1;
              x1 = v;
              t[j] = v + w * (y1 - v);
            }
          }
          dc[DC_SLOTS * c + DC_X1] = x1;
          dc[DC_SLOTS * c + DC_Y1] = y1;
        } else {
          dc[DC_SLOTS * c + DC_X1] = 0;
          dc[DC_SLOTS * c + DC_Y1] = 0;
        }
        // Output gain and mix, still at the oversampled rate: the dry signal then goes through
        // the same down-sampling filter as the wet one, so the two stay phase-aligned.
        if (needDry) {
          for (let i = 0; i < k; i++) {
            const m = mg[steady ? 0 : i];
            const gw = m * og[steady ? 0 : i];
            const gd = 1 - m;
            // (gd = 0 takes the wet-only arithmetic, so that it matches the steady path exactly.)
            if (gd === 0) for (let j = t0 + i * R, e = j + R; j < e; j++) t[j] *= gw;
            else for (let j = i * R, e = j + R; j < e; j++) t[t0 + j] = t[t0 + j] * gw + dry[j] * gd;
          }
        } else {
          const g = og[0];
          if (g !== 1) for (let j = t0; j < t0 + top; j++) t[j] *= g;
        }
        o.down(k, x, pos);
      }
      pos += k;
    }
  }

  toJSON(): ProcessorJSON {
    return processorJSON(Saturator.type, this.params);
  }

  /**
   * An upper bound on |output| for any input of peak `inputPeak` at the given settings (steady,
   * no ramp in progress): the oversampling path's worst-case gains (ℓ1 norms of its up- and
   * down-sampling responses) applied to the curve's bound, the DC blocker's (≤ 2), the output
   * gain and the dry share.
   */
  static outputBound(options: Partial<SaturatorOptions>, inputPeak: number): number {
    const o = { ...SATURATOR_DEFAULTS, ...validateOptions<SaturatorOptions>(OWNER, options, SATURATOR_RULES) };
    const curve = SATURATION_CURVES.indexOf(o.curve);
    let gain = Math.pow(10, o.trimDb / 20);
    if (o.autoGain) gain *= autoGainFactor(curve, Math.pow(10, o.driveDb / 20));
    const { up, down } = pathGains(makeOversampler(o.oversamplingFilter, o.oversampling, 64), o.oversampling);
    const wet = CURVE_BOUNDS[curve] * (curve === TUBE ? 2 : 1) * gain;
    return down * ((1 - o.mix) * up * inputPeak + o.mix * wet);
  }

  /** Set the smoothers' targets from the options (`ramp`: ramp to them, else jump). */
  private targets(ramp: boolean): void {
    // setParam() runs this on the audio thread: number options from the live mirror, the
    // auto-gain measurement into preallocated buffers, no closure, and values handed over through
    // typed arrays (a number passed to a call that is not inlined is boxed).
    const o = this.opts;
    const n = this.live.values;
    const curve = SATURATION_CURVES.indexOf(o.curve);
    const g = Math.pow(10, n[N_DRIVE] / 20);
    let outGain = Math.pow(10, n[N_TRIM] / 20);
    if (o.autoGain) {
      if (this.gainBuf.length === 0) this.gainBuf = new Float64Array(AUTO_GAIN_POINTS);
      const io = this.gainIo;
      io[0] = g;
      autoGainInto(curve, io, this.gainBuf);
      outGain *= io[1];
    }
    if (ramp) {
      const t = this.goals;
      t[0] = g;
      t[1] = outGain;
      t[2] = n[N_MIX];
      t[3] = curve === TUBE ? 1 : 0;
      this.drive.setTargetAt(t, 0);
      this.out.setTargetAt(t, 1);
      this.mixer.setTargetAt(t, 2);
      this.dcw.setTargetAt(t, 3);
    } else {
      this.drive.setImmediate(g);
      this.out.setImmediate(outGain);
      this.mixer.setImmediate(n[N_MIX]);
      this.dcw.setImmediate(curve === TUBE ? 1 : 0);
    }
  }

  /** The range of `driveDb`, `trimDb` or `mix`, the options {@link Saturator.setParam} can change. */
  paramRange(name: string): NumberRange | undefined {
    return numberOptionRange(SATURATOR_RULES, name, SATURATOR_FIXED);
  }

  /**
   * Change `driveDb`, `trimDb` or `mix` without allocating (for automation; the contract's
   * `setParam`): they ramp, as with `set()`. With `autoGain`, a drive change also measures the
   * auto-gain factor again (one period of 4096 points, about as much work as 4096 samples).
   */
  setParam(name: string, values: Float64Array, index: number): void {
    const live = this.live;
    if (live.put(live.slot(name), values, index)) this.targets(this.spec !== undefined);
  }
}
