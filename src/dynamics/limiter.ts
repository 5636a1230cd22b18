/**
 * A lookahead brickwall limiter with a true-peak (dBTP, the default) or sample-peak (dBFS)
 * ceiling: the last stage of a master.
 *
 * How the gain is made (after the lookahead designs of Sanfilippo & Zölzer-style peak limiters,
 * DAFX 2nd ed. §4.2.2, with a moving-minimum hold so the ceiling is a guarantee, not a goal):
 * 1. Peak per segment. For every interval between two samples j and j+1 of the driven input, a
 *    peak estimate Q_j (see `segmentPeaks4`): the two samples, the meter's own 4× interpolated
 *    values in between (same filter, same arithmetic as {@link TruePeakDetector}) and a parabolic
 *    refinement that recovers most of what a 4× grid misses. Sample-peak mode uses the samples only.
 * 2. Required gain r_j = min(1, c / Q_j), c the ceiling; with stereo link λ, each channel takes
 *    (1 − λ)·r_own + λ·min over channels (never more than its own, so the guarantee holds for any λ).
 * 3. Hold: the minimum of r over the last W = L + 15 segments (a moving minimum), so that the
 *    gain stays at or below r_j over the whole 16-sample support of the interpolation filter
 *    around segment j, plus the L samples that the smoothing below needs.
 * 4. Release: e = min(hold, 1 − (1 − e_prev)·α_r), α_r = exp(−1/(τ_r·fs)), a one-pole return
 *    towards unity gain; with `autoRelease`, also min(…, s) where s follows the held requirement
 *    with a one-pole of 5·τ_r: a short peak barely moves s and releases at τ_r; sustained limiting
 *    pulls s down with it, and the gain then comes back at s's pace (about 5·τ_r).
 * 5. Smoothing: two moving averages of lengths L₁ + L₂ − 1 = L (a triangular kernel), computed
 *    on integers (e quantised down to multiples of 2⁻²⁸) so the sums are exact forever. Every
 *    average over a window in which e ≤ r_j is ≤ r_j: at the peaks the gain is exactly what the
 *    hold asks for, and in between it moves as a smooth S-curve, by at most 1/L₂ per sample.
 * 6. Output y = g·x(t − D) with D = L + 14 (the latency). The output is also clamped to the
 *    ceiling (rounded down to a float32 value), which only ever catches rounding, and
 *    non-finite input is output as silence.
 *
 * Guarantees, and their conditions (tested with fast-check in test/dynamics/limiter*.test.ts):
 * - Sample-peak mode: no output sample exceeds the ceiling, for any input.
 * - True-peak mode, the project's BS.1770 meter (`TruePeakDetector`, `measureLoudness`; 4× at
 *   44.1/48 kHz): never reads above the ceiling, for any content (band-limited programme, steady
 *   and swept tones up to Nyquist, squares, clipped signals, full-band noise) and any settings.
 *   The target sits `limiterTargetMarginDb` below the ceiling (0.01 dB from 32 samples of
 *   smoothing on, more below): the gain still moves inside an interpolation support, and that
 *   margin is calibrated, with a 2× reserve, on measured worst cases rather than proven.
 * - True-peak mode, an independent band-limited reference (16× long windowed sinc): at most
 *   0.05 dB above the ceiling for band-limited content (tones and sweeps up to 20 kHz at 48 and
 *   96 kHz, up to 18 kHz at 44.1 kHz, band-limited squares). Full-band content is not covered: the
 *   meter's 16-tap filter and a long sinc disagree above 20 kHz, and white noise reads about
 *   1–1.7 dB above the ceiling on the reference, a full-scale period-2 square (a Nyquist tone with
 *   hard edges) about 2.4 dB.
 * - Only the complete output counts: the last `latency` samples of a stream are still inside the
 *   limiter. Render `latency` more samples (silence) before measuring a finite signal; cutting the
 *   output mid-signal is a step the limiter never saw (steady fs/4 and fs/6 tones cut that way read
 *   0.11 and 0.38 dB above a −1 dBTP ceiling; an exactly scaled tone, no limiter, cut alike, too).
 * A signal whose peaks stay under the ceiling passes bit-exactly, delayed by `latency`.
 *
 * @module
 */
import { DEFAULT_SMOOTHING_MS, LiveNumbers, SMOOTHING_RANGE, numberOptionRange } from '../core/options.js';
import { safeFrameCount, usableChannels, validateSpec, type ProcessSpec, type Processor, type ProcessorJSON } from '../core/processor.js';
import { SmoothedValue } from '../core/smoothed-value.js';
import { validateOptions, type NumberRange, type OptionRule } from '../core/validate.js';
import { TRUE_PEAK_TAPS } from '../core/true-peak-kernel.js';
import { primeChanges, primeProcessor } from '../core/prime.js';
import { SEG_BOUND, SEG_SLOTS, SEG_THRESHOLD, foldedTruePeakFilter4, samplePeaks, segmentPeaks4 } from './segment-peaks.js';
import { FloorSlidingMax } from './windows.js';
import { ANY_CHANNELS, type MeterName } from '../core/processor.js';
import { paramsFromJSON, processorJSON } from '../core/json.js';

/** Options of {@link Limiter}. */
export interface LimiterOptions {
  /**
   * The ceiling in dB, [-60, 0]: dBTP in `true-peak` mode, dBFS in `sample-peak` mode. A change
   * applies to audio entering after it (so to the output from `latency` samples later).
   * @defaultValue -1
   */
  ceilingDb: number;
  /**
   * What the ceiling bounds: the true (inter-sample) peak per ITU-R BS.1770, or the sample values.
   * May change while running.
   * @defaultValue `"true-peak"`
   */
  mode: LimiterMode;
  /** Input gain in dB, [-24, 48], applied before limiting; smoothed. @defaultValue 0 */
  driveDb: number;
  /**
   * Lookahead in ms, [0.5, 10]: the attack ramp plus the interpolation filter's span. Sets
   * `latency` = max(round(lookaheadMs·fs/1000), 15) samples; a change takes effect at the next
   * `prepare()` (latency is constant while running).
   * @defaultValue 5
   */
  lookaheadMs: number;
  /** Release time constant in ms, [1, 5000]: the time to recover 63 % of the gain. @defaultValue 100 */
  releaseMs: number;
  /** Programme-dependent release: sustained limiting releases over about 5× `releaseMs`. @defaultValue false */
  autoRelease: boolean;
  /** Stereo link, [0, 1]: 1 gives every channel the same gain (no image shift). @defaultValue 1 */
  stereoLink: number;
  /** Ramp time of `driveDb` changes in ms, [0, 1000]. @defaultValue 20 */
  smoothingMs: number;
}

/** The two ceiling modes of {@link Limiter}. */
export type LimiterMode = 'true-peak' | 'sample-peak';

/** Defaults of {@link LimiterOptions}: a −1 dBTP mastering limiter with 5 ms lookahead. */
export const LIMITER_DEFAULTS: Readonly<LimiterOptions> = Object.freeze({
  ceilingDb: -1,
  mode: 'true-peak',
  driveDb: 0,
  lookaheadMs: 5,
  releaseMs: 100,
  autoRelease: false,
  stereoLink: 1,
  smoothingMs: DEFAULT_SMOOTHING_MS,
});

/** Validation rules of {@link LimiterOptions}. */
export const LIMITER_RULES: { readonly [K in keyof LimiterOptions]: OptionRule } = Object.freeze({
  ceilingDb: { kind: 'number', range: { min: -60, max: 0, unit: 'dB' } },
  mode: { kind: 'enum', values: ['true-peak', 'sample-peak'] },
  driveDb: { kind: 'number', range: { min: -24, max: 48, unit: 'dB' } },
  lookaheadMs: { kind: 'number', range: { min: 0.5, max: 10, unit: 'ms' } },
  releaseMs: { kind: 'number', range: { min: 1, max: 5000, unit: 'ms' } },
  autoRelease: { kind: 'boolean' },
  stereoLink: { kind: 'number', range: { min: 0, max: 1 } },
  smoothingMs: { kind: 'number', range: SMOOTHING_RANGE },
});

/** Number options that `setParam()` leaves alone (the lookahead sets the latency). */
const LIMITER_FIXED: readonly string[] = ['lookaheadMs', 'smoothingMs'];
/** The number options mirrored in Limiter.live (what setParam() changes), and their slots. */
const LIVE_KEYS = ['ceilingDb', 'driveDb', 'releaseMs', 'stereoLink'] as const;
const N_CEILING = 0;
const N_DRIVE = 1;
const N_RELEASE = 2;
const N_LINK = 3;

const OWNER = 'Limiter';
/** e is quantised down to multiples of 2^-28 so the moving sums stay exact integers below 2^53. */
const Q_SCALE = 2 ** 28;
/** Extra latency beyond the smoothing length L: the filter's support (15) minus one. */
const EXTRA_LATENCY = TRUE_PEAK_TAPS - 2;
/** Samples per internal chunk (scratch size). */
const CHUNK = 256;
/**
 * The gain is computed for a target at least 0.01 dB below the ceiling (this constant; see
 * `limiterTargetMarginDb` for short smoothing lengths). The hold makes the gain ≤ r_j over
 * the whole interpolation support of every segment, but not constant there: where it still moves
 * (fast ramps at short lookahead and release), the interpolated output can exceed g·x̂ slightly.
 * With a smoothing length L ≥ 32 samples the largest excess found (random band-limited programme,
 * full-band noise, clipped and square-ish signals, drive up to +40 dB, release down to 1 ms) was
 * 0.0038 dB; the margin keeps 2.6× that in reserve and also covers the float32 rounding of the
 * output samples.
 */
export const LIMITER_TARGET_MARGIN_DB = 0.01;
/** Below this smoothing length (samples) the margin grows (see `limiterTargetMarginDb`). */
const FULL_SMOOTHING = 32;

/**
 * The margin in dB between the ceiling and the limiter's target for a smoothing length of `l`
 * samples (l = latency − 14): 0.01 dB + max(0, 1/l − 1/32) dB. Short smoothing makes the gain move
 * fast inside an interpolation support, and the interpolated output then exceeds g·x̂ by more:
 * measured on full-band noise with 1–10 ms release and up to +40 dB drive (worst of 72 runs per
 * length), 0.26 dB at l = 1, 0.13 at 2, 0.079 at 4, 0.075 at 6, 0.054 at 8, 0.022 at 10, 0.0075
 * at 16, 0.0039 at 20, under 0.0005 from 24 on. This margin is 1.9× or more each of those (0.98,
 * 0.48, 0.23, 0.15, 0.10, 0.079, 0.041, 0.029 dB). At 48 kHz l ≥ 32 from 0.96 ms of lookahead.
 * @internal
 */
export function limiterTargetMarginDb(l: number): number {
  return LIMITER_TARGET_MARGIN_DB + Math.max(0, 1 / l - 1 / FULL_SMOOTHING);
}

// Slots of GainChain.env (float64 state of one gain computer).
/** The fast envelope e (release towards 1, never above the held requirement). */
const ENV_FAST = 0;
/** The slow envelope s of the automatic release. */
const ENV_SLOW = 1;
/** The first moving sum (exact integer). */
const ENV_SUM1 = 2;
/** The second moving sum (exact integer). */
const ENV_SUM2 = 3;
/** The smallest gain of the last run(), for the meters. */
const ENV_MIN_GAIN = 4;
const ENV_SLOTS = 5;

// Slots of GainChain.idx.
const IDX_RING1 = 0;
const IDX_RING2 = 1;

// Slots of Limiter.coef (the audio path's parameters, float64).
/** α_release = exp(−1/(τ_r·fs)). */
const C_RELEASE = 0;
/** α of the slow envelope (5·τ_r). */
const C_SLOW = 1;
/** Stereo link λ in [0, 1]. */
const C_LINK = 2;
/** 1/norm, norm = 2^28·L1·L2: scales the second moving sum back to a gain. */
const C_INV_NORM = 3;
/** Target peak (linear): the float32 ceiling minus the margin. */
const C_TARGET = 4;
/** Output clamp: the ceiling rounded down to float32. */
const C_CLAMP = 5;
/** Drive gain (linear), the drive ramp's target. */
const C_DRIVE = 6;
const COEF_SLOTS = 7;

// Slots of Limiter.st (the audio path's integer state and modes).
/** Chains out of sync (RESYNC after a full link was left), else IN_SYNC. */
const ST_SYNC = 0;
/** Ceiling mode: MODE_TRUE_PEAK or MODE_SAMPLE_PEAK. */
const ST_MODE = 1;
/** Release mode: RELEASE_AUTO or RELEASE_FIXED. */
const ST_RELEASE = 2;
const ST_SLOTS = 3;
const IN_SYNC = 0;
const RESYNC = 1;
const MODE_SAMPLE_PEAK = 0;
const MODE_TRUE_PEAK = 1;
const RELEASE_FIXED = 0;
const RELEASE_AUTO = 1;

// Slots of Limiter.meters (linear gains; the dB read-outs are computed when read).
/** Smallest gain since reset() or resetMeters(). */
const M_MIN_GAIN = 0;
/** The last output sample's gain (smallest over channels). */
const M_LAST_GAIN = 1;

/** One gain computer (one per channel, or one shared when fully linked). */
class GainChain {
  readonly hold: FloorSlidingMax;
  /** The two moving sums' rings (lengths L1 and L2), of exact integers. */
  private readonly ring1: Float64Array;
  private readonly ring2: Float64Array;
  /** Float64 state, by the ENV_* slots. */
  readonly env = new Float64Array(ENV_SLOTS);
  /** Ring write positions, by the IDX_* slots. */
  private readonly idx = new Int32Array(2);

  constructor(window: number, l1: number, l2: number) {
    // The hold runs on −r (a moving maximum of −r is minus the moving minimum of r), which is
    // −1 (r = 1) wherever no reduction is needed and before the first sample.
    this.hold = new FloorSlidingMax(window, -1);
    this.ring1 = new Float64Array(l1);
    this.ring2 = new Float64Array(l2);
    this.reset();
  }

  reset(): void {
    this.hold.reset();
    this.ring1.fill(Q_SCALE);
    // (A loop, not fill(): Q_SCALE · l1 is beyond a small integer, and a double handed to the
    // fill() builtin is boxed on the heap; reset() runs on the audio thread.)
    const ring2 = this.ring2;
    const full = Q_SCALE * this.ring1.length;
    for (let i = 0; i < ring2.length; i++) ring2[i] = full;
    this.env[ENV_FAST] = 1;
    this.env[ENV_SLOW] = 1;
    this.env[ENV_SUM1] = Q_SCALE * this.ring1.length;
    this.env[ENV_SUM2] = Q_SCALE * this.ring1.length * this.ring2.length;
    this.env[ENV_MIN_GAIN] = 1;
    this.idx[IDX_RING1] = 0;
    this.idx[IDX_RING2] = 0;
  }

  copyFrom(o: GainChain): void {
    this.hold.copyFrom(o.hold);
    this.ring1.set(o.ring1);
    this.ring2.set(o.ring2);
    this.env.set(o.env);
    this.idx.set(o.idx);
  }

  /**
   * Turn the negated required gains nr[0..n) (overwritten) into the applied gains g[0..n).
   * coef: the limiter's C_* slots; release: RELEASE_AUTO or RELEASE_FIXED. One pass after the
   * hold: release, quantisation, both moving sums (exact integers) and the scaling.
   */
  run(nr: Float64Array, g: Float64Array, n: number, coef: Float64Array, release: number): void {
    this.hold.process(nr, nr, n);
    const env = this.env;
    const ring1 = this.ring1;
    const ring2 = this.ring2;
    const l1 = ring1.length;
    const l2 = ring2.length;
    let i1 = this.idx[IDX_RING1];
    let i2 = this.idx[IDX_RING2];
    let e = env[ENV_FAST];
    let s = env[ENV_SLOW];
    let sum1 = env[ENV_SUM1];
    let sum2 = env[ENV_SUM2];
    const ar = coef[C_RELEASE];
    const as = coef[C_SLOW];
    const inv = coef[C_INV_NORM];
    const auto = release === RELEASE_AUTO;
    let gmin = inv / inv; // 1.0, computed as a float64 (see the note on constants in chunk())
    for (let i = 0; i < n; i++) {
      const h = -nr[i];
      e = 1 - (1 - e) * ar;
      if (h < e) e = h;
      let v = e;
      if (auto) {
        // The slow envelope follows the held requirement (not e, which would keep pulling it
        // down while e itself recovers): it only sinks under sustained limiting.
        s = h + (s - h) * as;
        if (s < v) v = s;
      }
      const q = Math.floor(v * Q_SCALE);
      sum1 += q - ring1[i1];
      ring1[i1] = q;
      if (++i1 === l1) i1 = 0;
      sum2 += sum1 - ring2[i2];
      ring2[i2] = sum1;
      if (++i2 === l2) i2 = 0;
      const gi = sum2 * inv;
      g[i] = gi;
      if (gi < gmin) gmin = gi;
    }
    env[ENV_MIN_GAIN] = gmin;
    env[ENV_FAST] = e;
    env[ENV_SLOW] = s;
    env[ENV_SUM1] = sum1;
    env[ENV_SUM2] = sum2;
    this.idx[IDX_RING1] = i1;
    this.idx[IDX_RING2] = i2;
  }
}

/**
 * Lookahead brickwall limiter: true-peak (default) or sample-peak ceiling, drive, release with an
 * optional programme-dependent mode, stereo link and gain-reduction read-outs. Processes in
 * place with a delay of `latency` samples.
 *
 * What the ceiling guarantees: in `sample-peak` mode no output sample exceeds it; in `true-peak`
 * mode the library's BS.1770 meter never reads above it, for any content and settings (with a
 * target a little under the ceiling, 0.01 dB at lookaheads ≥ about 1 ms, up to 0.1 dB at 0.5 ms
 * and 44.1 kHz); an independent band-limited (16× long-sinc) reference reads at most 0.05 dB
 * above it for band-limited content (up to 20 kHz at 48/96 kHz, 18 kHz at 44.1 kHz), while
 * full-band content (white noise, hard-edged squares) can read 1–2.4 dB above it there. The
 * guarantee is about the complete output: render `latency` samples of silence after a finite
 * signal before measuring it (see docs/dynamics.md).
 *
 * @example
 * ```ts
 * import { Limiter } from 'masterbus';
 * const limiter = new Limiter({ ceilingDb: -1, driveDb: 6 });   // −1 dBTP, 5 ms lookahead
 * limiter.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
 * const left = new Float32Array(128), right = new Float32Array(128);
 * limiter.process([left, right]);
 * console.log(limiter.latency, limiter.gainReductionDb);     // 240 samples, 0 dB
 * ```
 */
export class Limiter implements Processor<LimiterOptions> {
  /** Type name used by {@link Limiter.toJSON}. */
  static readonly type = 'Limiter';
  /** Any channel count. */
  readonly channelRange = ANY_CHANNELS;
  /** The read-outs {@link Limiter.readMeters} writes: `gainReductionDb`, `maxGainReductionDb`. */
  readonly meterNames: readonly MeterName[] = Object.freeze(['gainReductionDb', 'maxGainReductionDb'] as const);
  /** Write {@link Limiter.meterNames}' values into `out[offset …]`; allocates nothing. */
  readMeters(out: Float64Array, offset: number): void {
    out[offset] = this.gainReductionDb;
    out[offset + 1] = this.maxGainReductionDb;
  }
  private opts: LimiterOptions;
  private spec: ProcessSpec | undefined;
  private readonly drive = new SmoothedValue('multiplicative', 1);
  /** [drive target] handed to the smoother by setParam(). */
  private readonly driveTarget = new Float64Array(1);
  private delay = 0;
  /** Target / ceiling (linear), from the smoothing length: set by prepare(). */
  private targetMargin = Math.pow(10, -LIMITER_TARGET_MARGIN_DB / 20);
  private chains: GainChain[] = [];
  /**
   * Per channel: the driven input (float64): H = max(latency, 16) samples of history, then the
   * chunk. The interpolation reads the last 16 of the history; the output reads the sample
   * `latency` before, so this is also the delay line.
   */
  private tp: Float64Array[] = [];
  /** History length H of `tp`. */
  private history = TRUE_PEAK_TAPS;
  private q: Float64Array[] = [];
  private r: Float64Array[] = [];
  private g: Float64Array[] = [];
  private driveGains = new Float64Array(0);
  private readonly filter = foldedTruePeakFilter4();
  /** segmentPeaks4's numbers, by the SEG_* slots: the filter's Σ|h| bound, the threshold, scratch. */
  private readonly limits = new Float64Array(SEG_SLOTS);
  /** The audio path's parameters, by the C_* slots. */
  private readonly coef = new Float64Array(COEF_SLOTS);
  /** One float32 word and its bits, for float32AtMost() (no allocation when setParam() runs it). */
  private readonly word = new Float32Array(1);
  private readonly wordBits = new Uint32Array(this.word.buffer);
  /** The number options as derived state reads them (see {@link LiveNumbers}). */
  private readonly live = new LiveNumbers(LIVE_KEYS, LIMITER_RULES);
  /**
   * The audio path's integer state and modes, by the ST_* slots. (`process()` never reads
   * `this.opts`: see the note on the Compressor's state arrays.)
   */
  private readonly st = new Int32Array(ST_SLOTS);
  /** Gain read-outs (linear), by the M_* slots: the dB values are computed when read. */
  private readonly meters = new Float64Array(2);

  /** Create a limiter; omitted options take {@link LIMITER_DEFAULTS}. Throws on bad options. */
  constructor(options: Partial<LimiterOptions> = {}) {
    this.opts = { ...LIMITER_DEFAULTS, ...validateOptions<LimiterOptions>(OWNER, options, LIMITER_RULES) };
    this.live.load(this.opts);
    this.limits[SEG_BOUND] = this.filter.gainBound;
    this.drive.setImmediate(dbToGainExact(this.opts.driveDb));
    this.updateCoefficients();
  }

  /** Defaults of its options. */
  static readonly defaults = LIMITER_DEFAULTS;
  /** Validation rules of its options: the one source of their ranges and units (see `describeOptions`). */
  static readonly rules = LIMITER_RULES;

  /** Rebuild from {@link Limiter.toJSON} output (validated like the constructor's options). */
  static fromJSON(json: ProcessorJSON): Limiter {
    return new Limiter(paramsFromJSON(Limiter, json));
  }

  /** The current parameters. */
  get params(): LimiterOptions {
    this.live.sync(this.opts);
    return { ...this.opts };
  }

  /** Delay in samples: max(round(lookaheadMs · fs / 1000), 15), fixed at `prepare()` (0 before). */
  get latency(): number {
    return this.delay;
  }

  /** Current gain reduction in dB (≥ 0; the largest over channels, at the output). */
  get gainReductionDb(): number {
    const g = this.meters[M_LAST_GAIN];
    return g < 1 ? -20 * Math.log10(g) : 0;
  }

  /** Largest gain reduction in dB since `prepare()`, `reset()` or {@link Limiter.resetMeters}. */
  get maxGainReductionDb(): number {
    const g = this.meters[M_MIN_GAIN];
    return g < 1 ? -20 * Math.log10(g) : 0;
  }

  /** Restart the maximum gain-reduction read-out. */
  resetMeters(): void {
    this.meters[M_MIN_GAIN] = this.meters[M_LAST_GAIN];
  }

  /**
   * Change parameters. Validated first (a bad value throws and changes nothing). Drive ramps
   * over `smoothingMs`; a lower ceiling, the release and the link go through the limiter's own
   * attack and release, so nothing clicks; `lookaheadMs` applies at the next `prepare()`.
   */
  set(options: Partial<LimiterOptions>): this {
    const o = validateOptions<LimiterOptions>(OWNER, options, LIMITER_RULES);
    this.live.sync(this.opts);
    const wasLinked = this.opts.stereoLink === 1;
    this.opts = { ...this.opts, ...o };
    this.live.load(this.opts);
    if (o.smoothingMs !== undefined && this.spec) this.drive.setRampLength(this.spec.sampleRate, o.smoothingMs / 1000);
    if (o.driveDb !== undefined) {
      if (this.spec) this.drive.setTarget(dbToGainExact(o.driveDb));
      else this.drive.setImmediate(dbToGainExact(o.driveDb));
    }
    if (wasLinked && this.opts.stereoLink !== 1) this.st[ST_SYNC] = RESYNC;
    this.updateCoefficients();
    return this;
  }

  /** The range of `ceilingDb`, `driveDb`, `releaseMs` or `stereoLink`, the options {@link Limiter.setParam} can change. */
  paramRange(name: string): NumberRange | undefined {
    return numberOptionRange(LIMITER_RULES, name, LIMITER_FIXED);
  }

  /** Change `ceilingDb`, `driveDb` (ramped), `releaseMs` or `stereoLink` without allocating (for automation; the contract's `setParam`), as `set()` would. */
  setParam(name: string, values: Float64Array, index: number): void {
    const live = this.live;
    const n = live.values;
    const wasLinked = n[N_LINK] === 1;
    const slot = live.slot(name);
    if (!live.put(slot, values, index)) return;
    if (slot === N_DRIVE) {
      // The target through a typed array: a number passed to a call that is not inlined is boxed.
      this.driveTarget[0] = Math.pow(10, n[N_DRIVE] / 20);
      if (this.spec) this.drive.setTargetAt(this.driveTarget, 0);
      else this.drive.setImmediate(this.driveTarget[0]);
    }
    if (wasLinked && n[N_LINK] !== 1) this.st[ST_SYNC] = RESYNC;
    this.updateCoefficients();
  }

  prepare(spec: ProcessSpec): void {
    const s = validateSpec(OWNER, spec, this.channelRange);
    const fs = s.sampleRate;
    const d = Math.max(Math.round((this.opts.lookaheadMs * fs) / 1000), EXTRA_LATENCY + 1);
    const l = d - EXTRA_LATENCY;
    const l1 = Math.max(1, Math.floor((l + 1) / 2));
    const l2 = l + 1 - l1;
    this.delay = d;
    this.targetMargin = Math.pow(10, -limiterTargetMarginDb(l) / 20);
    this.chains = [];
    this.tp = [];
    this.history = Math.max(d, TRUE_PEAK_TAPS);
    this.q = [];
    this.r = [];
    this.g = [];
    for (let c = 0; c < s.channels; c++) {
      this.chains.push(new GainChain(l + TRUE_PEAK_TAPS - 1, l1, l2));
      this.tp.push(new Float64Array(this.history + CHUNK));
      this.q.push(new Float64Array(CHUNK));
      this.r.push(new Float64Array(CHUNK));
      this.g.push(new Float64Array(CHUNK));
    }
    this.driveGains = new Float64Array(CHUNK);
    this.coef[C_INV_NORM] = 1 / (Q_SCALE * l1 * l2);
    this.spec = s;
    this.drive.reset(fs, this.opts.smoothingMs / 1000);
    this.updateCoefficients();
    primeProcessor(this, s);
    primeChanges(this, s);
    this.reset();
  }

  reset(): void {
    for (let i = 0; i < this.chains.length; i++) this.chains[i].reset();
    for (let i = 0; i < this.tp.length; i++) this.tp[i].fill(0);
    this.drive.jumpToTarget();
    this.st[ST_SYNC] = IN_SYNC;
    this.meters.fill(1);
  }

  process(block: readonly Float32Array[], frames?: number): void {
    const spec = this.spec;
    if (spec === undefined) return;
    const channels = usableChannels(block, spec.channels);
    const n = safeFrameCount(block, channels, frames);
    if (n === 0) return;
    const linked = this.coef[C_LINK] === 1 || channels === 1;
    if (!linked && this.st[ST_SYNC] === RESYNC) {
      for (let c = 1; c < this.chains.length; c++) this.chains[c].copyFrom(this.chains[0]);
      this.st[ST_SYNC] = IN_SYNC;
    }
    for (let pos = 0; pos < n; pos += CHUNK) {
      const k = n - pos < CHUNK ? n - pos : CHUNK;
      this.chunk(block, channels, pos, k, linked);
    }
  }

  /** One chunk of k ≤ CHUNK frames at `pos`. */
  private chunk(block: readonly Float32Array[], channels: number, pos: number, k: number, linked: boolean): void {
    const dg = this.driveGains;
    // Decided before fill(): a ramp that ends inside this chunk still needs its values.
    const steadyDrive = !this.drive.isSmoothing;
    if (!steadyDrive) this.drive.fill(dg, k);
    const coef = this.coef;
    const target = coef[C_TARGET];
    const truePeak = this.st[ST_MODE] === MODE_TRUE_PEAK;
    const folded = this.filter.folded;
    const limits = this.limits;
    limits[SEG_THRESHOLD] = target;
    // Not `this.drive.target`: a double returned from a getter V8 does not inline is boxed.
    const drive = coef[C_DRIVE];
    for (let c = 0; c < channels; c++) {
      const x = block[c];
      const buf = this.tp[c];
      const q = this.q[c];
      // (The same values either way: a finished ramp fills with exactly its target.)
      const h = this.history;
      if (steadyDrive) for (let i = 0; i < k; i++) buf[h + i] = x[pos + i] * drive;
      else for (let i = 0; i < k; i++) buf[h + i] = x[pos + i] * dg[i];
      if (truePeak) segmentPeaks4(buf, h - TRUE_PEAK_TAPS, k, folded, limits, q);
      else samplePeaks(buf, h - TRUE_PEAK_TAPS, k, q);
    }
    const release = this.st[ST_RELEASE];
    if (linked) {
      // The smallest required gain over channels is target / (largest peak): one division.
      // Written negated, for the hold (a moving maximum of −r).
      const nr = this.r[0];
      const q0 = this.q[0];
      const q1 = this.q[channels > 1 ? 1 : 0];
      // NaN (non-finite input) asks for silence: as a huge peak. Computed, not a literal or the
      // global `Infinity`: a phi of a float64 and a constant can make V8 box the float64.
      const huge = target * 1e300;
      for (let i = 0; i < k; i++) {
        let p = q0[i];
        if (p !== p) p = huge;
        if (channels === 2) {
          const pc = q1[i];
          if (pc !== pc) p = huge;
          else if (pc > p) p = pc;
        } else {
          for (let c = 1; c < channels; c++) {
            const pc = this.q[c][i];
            if (pc !== pc) p = huge;
            else if (pc > p) p = pc;
          }
        }
        nr[i] = p > target ? -(target / p) : -1;
      }
      this.chains[0].run(nr, this.g[0], k, coef, release);
    } else {
      // Blend each channel's required gain with the smallest of all: never above its own.
      const link = coef[C_LINK];
      const lo = this.g[0];
      for (let c = 0; c < channels; c++) {
        const q = this.q[c];
        const r = this.r[c];
        for (let i = 0; i < k; i++) {
          const p = q[i];
          r[i] = p > target ? target / p : p === p ? 1 : 0; // NaN: silence
        }
      }
      const r0 = this.r[0];
      for (let i = 0; i < k; i++) lo[i] = r0[i];
      for (let c = 1; c < channels; c++) {
        const rc = this.r[c];
        for (let i = 0; i < k; i++) if (rc[i] < lo[i]) lo[i] = rc[i];
      }
      for (let c = 0; c < channels; c++) {
        const r = this.r[c];
        for (let i = 0; i < k; i++) r[i] = -((1 - link) * r[i] + link * lo[i]);
      }
      // (lo lives in g[0]: the chains run only once every blend is done.)
      for (let c = 0; c < channels; c++) this.chains[c].run(this.r[c], this.g[c], k, coef, release);
    }
    const clamp = coef[C_CLAMP];
    const meters = this.meters;
    let minGain = meters[M_MIN_GAIN];
    let lastGain = 1;
    const h = this.history;
    // The sample `latency` before output i is buf[h + i − latency].
    const back = h - this.delay;
    for (let c = 0; c < channels; c++) {
      const x = block[c];
      const buf = this.tp[c];
      const g = linked ? this.g[0] : this.g[c];
      if (c === 0 || !linked) {
        const m = this.chains[c].env[ENV_MIN_GAIN];
        if (m < minGain) minGain = m;
      }
      for (let i = 0; i < k; i++) {
        let y = buf[back + i] * g[i];
        // Catches rounding only (and turns NaN into silence).
        if (!(y <= clamp)) y = y > clamp ? clamp : 0;
        else if (!(y >= -clamp)) y = -clamp;
        x[pos + i] = y;
      }
      if (c === 0 || g[k - 1] < lastGain) lastGain = g[k - 1];
      // Keep the last h samples as the history of the next chunk (a native memmove).
      buf.copyWithin(0, k, k + h);
    }
    meters[M_MIN_GAIN] = minGain;
    meters[M_LAST_GAIN] = lastGain;
  }

  toJSON(): ProcessorJSON {
    return processorJSON(Limiter.type, this.params);
  }

  private updateCoefficients(): void {
    const fs = this.spec?.sampleRate ?? 48000;
    const o = this.opts;
    // Number options from the live mirror (setParam() changes them there, on the audio thread:
    // hence no helper calls that would take or return a number below).
    const n = this.live.values;
    this.coef[C_RELEASE] = Math.exp(-1000 / (n[N_RELEASE] * fs));
    this.coef[C_SLOW] = Math.exp(-1000 / (5 * n[N_RELEASE] * fs));
    this.coef[C_LINK] = n[N_LINK];
    this.st[ST_MODE] = o.mode === 'true-peak' ? MODE_TRUE_PEAK : MODE_SAMPLE_PEAK;
    this.st[ST_RELEASE] = o.autoRelease ? RELEASE_AUTO : RELEASE_FIXED;
    this.coef[C_DRIVE] = Math.pow(10, n[N_DRIVE] / 20);
    // The ceiling as the largest float32 value at most 10^(ceilingDb/20): when rounding to float32
    // went up, the next float32 below (its bit pattern minus one; `wordBits` views `word`).
    const c = Math.pow(10, n[N_CEILING] / 20);
    let c32 = Math.fround(c);
    if (c32 > c) {
      this.word[0] = c32;
      this.wordBits[0] -= 1;
      c32 = this.word[0];
    }
    this.coef[C_TARGET] = c32 * this.targetMargin;
    this.coef[C_CLAMP] = c32;
  }
}

/** 10^(dB/20). */
function dbToGainExact(db: number): number {
  return Math.pow(10, db / 20);
}

