/**
 * StereoWidener: mid/side width, separate mid and side gains, optional bass mono below a
 * Linkwitz-Riley crossover, and read-outs of phase correlation and balance for meters.
 *
 * Mid/side (the sum/difference matrix, e.g. Zölzer, *DAFX* 2nd ed., §5.3): m = (L + R)/2,
 * s = (L − R)/2; out L = g_m·m + w·g_s·s, out R = g_m·m − w·g_s·s. Width w = 0 is mono, 1 leaves
 * the image as it is, 2 doubles the side.
 *
 * Bass mono: the side signal keeps only its part above the crossover f_c, s' = HP(s), with a
 * 4th-order Linkwitz-Riley high-pass; the mid goes through the matching all-pass LP(m) + HP(m), so
 * both paths have the same phase and L + R = 2·g_m·(LP + HP)(m) keeps a flat magnitude (an
 * LR4 pair sums to an all-pass). Below f_c both channels carry the same signal: correlation +1.
 * Switching bass mono on or off cross-fades between the two paths over `smoothingMs`.
 *
 * Read-outs, over the output with a 300 ms exponential window (the integration time of common
 * correlation meters): correlation = E[LR] / √(E[L²]·E[R²]) in [−1, 1] (0 for silence) and
 * balance = (E[R²] − E[L²]) / (E[R²] + E[L²]) in [−1, 1] (−1: everything on the left).
 *
 * @module
 */
import { DEFAULT_SMOOTHING_MS, LiveNumbers, SMOOTHING_RANGE, numberOptionRange } from '../core/options.js';
import { safeFrameCount, usableChannels, validateSpec, type ProcessSpec, type Processor, type ProcessorJSON } from '../core/processor.js';
import { SmoothedValue } from '../core/smoothed-value.js';
import { validateOptions, type NumberRange, type OptionRule } from '../core/validate.js';
import { writeFilterCoefficients } from '../filters/biquad-coefficients.js';
import { biquadMono, sanitize } from '../filters/biquad-kernel.js';
import { STEREO_ONLY, type MeterName } from '../core/processor.js';
import { paramsFromJSON, processorJSON } from '../core/json.js';
import { primeChanges, primeProcessor } from '../core/prime.js';

/** Options of {@link StereoWidener}. */
export interface StereoWidenerOptions {
  /** Width, [0, 2]: 0 mono, 1 unchanged, 2 twice the side signal. Smoothed. @defaultValue 1 */
  width: number;
  /** Gain of the mid (L + R) signal in dB, [-24, 24]. Smoothed. @defaultValue 0 */
  midGainDb: number;
  /** Gain of the side (L − R) signal in dB, [-24, 24]. Smoothed. @defaultValue 0 */
  sideGainDb: number;
  /**
   * Bass mono crossover in Hz, [0, 500]; 0 turns bass mono off. Turning it on or off cross-fades
   * over `smoothingMs`; a new frequency applies at once.
   * @defaultValue 0
   */
  bassMonoHz: number;
  /** Ramp time of changes in ms, [0, 1000]. @defaultValue 20 */
  smoothingMs: number;
}

/** Defaults of {@link StereoWidenerOptions}: unchanged width, no bass mono. */
export const STEREO_WIDENER_DEFAULTS: Readonly<StereoWidenerOptions> = Object.freeze({
  width: 1,
  midGainDb: 0,
  sideGainDb: 0,
  bassMonoHz: 0,
  smoothingMs: DEFAULT_SMOOTHING_MS,
});

/** Validation rules of {@link StereoWidenerOptions}. */
export const STEREO_WIDENER_RULES: { readonly [K in keyof StereoWidenerOptions]: OptionRule } = Object.freeze({
  width: { kind: 'number', range: { min: 0, max: 2 } },
  midGainDb: { kind: 'number', range: { min: -24, max: 24, unit: 'dB' } },
  sideGainDb: { kind: 'number', range: { min: -24, max: 24, unit: 'dB' } },
  bassMonoHz: { kind: 'number', range: { min: 0, max: 500, unit: 'Hz' } },
  smoothingMs: { kind: 'number', range: SMOOTHING_RANGE },
});

/** Number options that `setParam()` leaves alone (a crossover change designs filters). */
const STEREO_WIDENER_FIXED: readonly string[] = ['bassMonoHz', 'smoothingMs'];
/** The number options mirrored in StereoWidener.live (what setParam() changes), and their slots. */
const LIVE_KEYS = ['width', 'midGainDb', 'sideGainDb'] as const;
const N_WIDTH = 0;
const N_MID = 1;
const N_SIDE = 2;

const OWNER = 'StereoWidener';

const CHUNK = 256;
/** Integration time of the correlation and balance read-outs. */
const METER_SECONDS = 0.3;

// Slots of StereoWidener.meter (Float64Array).
/** One-pole average of L·R. */
const M_LR = 0;
/** One-pole average of L². */
const M_LL = 1;
/** One-pole average of R². */
const M_RR = 2;
/** The averages' pole α = exp(−1/(METER_SECONDS·fs)). */
const M_ALPHA = 3;
const M_SLOTS = 4;

// Slots of StereoWidener.flags (Int32Array), each YES or NO.
/** The targets leave the image unchanged (width·side gain 1, mid gain 1, no bass mono). */
const F_IDENTITY = 0;
/** Bass mono is on (its target). */
const F_BASS_MONO = 1;
const F_SLOTS = 2;
const NO = 0;
const YES = 1;

// Offsets in StereoWidener.coefs: the LR4 low-pass, then the LR4 high-pass, each two biquad
// sections of SECTION_COEFS coefficients.
const C_LOWPASS = 0;
const C_HIGHPASS = 10;
const SECTION_COEFS = 5;
const COEF_SIZE = 20;
// Offsets in StereoWidener.state: three LR4 filters, each two sections of SECTION_STATE values [z1, z2].
/** The mid's low-pass. */
const S_MID_LOW = 0;
/** The mid's high-pass. */
const S_MID_HIGH = 4;
/** The side's high-pass. */
const S_SIDE_HIGH = 8;
const SECTION_STATE = 2;
const STATE_SIZE = 12;

/**
 * Mid/side stereo width with mid and side gains, bass mono below a Linkwitz-Riley crossover, and
 * correlation / balance read-outs. Works on two channels in place; fewer arrays are left as they are.
 *
 * @example
 * ```ts
 * import { StereoWidener } from 'masterbus';
 * const widener = new StereoWidener({ width: 1.3, bassMonoHz: 120 });
 * widener.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
 * const left = new Float32Array(128), right = new Float32Array(128);
 * widener.process([left, right]);
 * console.log(widener.correlation, widener.balance);   // for a correlation meter
 * ```
 */
export class StereoWidener implements Processor<StereoWidenerOptions> {
  /** Type name used by {@link StereoWidener.toJSON}. */
  static readonly type = 'StereoWidener';
  /** Exactly two channels (stereo only). */
  readonly channelRange = STEREO_ONLY;
  /** The read-outs {@link StereoWidener.readMeters} writes: `correlation`, `balance`. */
  readonly meterNames: readonly MeterName[] = Object.freeze(['correlation', 'balance'] as const);
  /** Write {@link StereoWidener.meterNames}' values into `out[offset …]`; allocates nothing. */
  readMeters(out: Float64Array, offset: number): void {
    out[offset] = this.correlation;
    out[offset + 1] = this.balance;
  }
  /** Always 0 (the crossover is minimum phase). */
  readonly latency = 0;
  private opts: StereoWidenerOptions;
  private spec: ProcessSpec | undefined;
  private readonly side = new SmoothedValue('linear', 1);
  private readonly mid = new SmoothedValue('linear', 1);
  private readonly bass = new SmoothedValue('linear', 0);
  /** The three smoothers, for index loops that allocate nothing (reset() runs on the audio thread). */
  private readonly smoothed: readonly SmoothedValue[] = [this.side, this.mid, this.bass];
  /** [side target, mid target] handed to the smoothers by setParam(). */
  private readonly targets = new Float64Array(2);
  private sBuf = new Float64Array(0);
  private mBuf = new Float64Array(0);
  private aBuf = new Float64Array(0);
  /** Scratch: mid, mid low-pass, side high-pass (float32, filtered in place). */
  private mid32 = new Float32Array(0);
  private low32 = new Float32Array(0);
  private side32 = new Float32Array(0);
  /** LR4 low-pass sections then high-pass sections (C_LOWPASS, C_HIGHPASS). */
  private readonly coefs = new Float64Array(COEF_SIZE);
  /** Filter state: mid LP, mid HP, side HP (S_MID_LOW, S_MID_HIGH, S_SIDE_HIGH). */
  private readonly state = new Float64Array(STATE_SIZE);
  /** Meter state at the slots M_LR … M_ALPHA. */
  private readonly meter = new Float64Array(M_SLOTS);
  /** Flags for the audio path at the slots F_IDENTITY, F_BASS_MONO. */
  private readonly flags = new Int32Array(F_SLOTS);
  /** The number options as derived state reads them (see {@link LiveNumbers}). */
  private readonly live = new LiveNumbers(LIVE_KEYS, STEREO_WIDENER_RULES);

  /** Create a widener; omitted options take {@link STEREO_WIDENER_DEFAULTS}. Throws on bad options. */
  constructor(options: Partial<StereoWidenerOptions> = {}) {
    this.opts = { ...STEREO_WIDENER_DEFAULTS, ...validateOptions<StereoWidenerOptions>(OWNER, options, STEREO_WIDENER_RULES) };
    this.live.load(this.opts);
    this.side.setImmediate(this.sideTarget());
    this.mid.setImmediate(dbToGain(this.opts.midGainDb));
    this.bass.setImmediate(this.opts.bassMonoHz > 0 ? 1 : 0);
    this.updateBassFlag();
    this.updateFlags();
  }

  private updateFlags(): void {
    // (Written out, from the live mirror and the flags: setParam() runs this on the audio thread,
    // where a number returned from a call that is not inlined would be boxed, and so would a
    // number read from `this.opts` once set() had given options objects several shapes.)
    const n = this.live.values;
    const side = n[N_WIDTH] * Math.pow(10, n[N_SIDE] / 20);
    this.flags[F_IDENTITY] = side === 1 && Math.pow(10, n[N_MID] / 20) === 1 && this.flags[F_BASS_MONO] === NO ? YES : NO;
  }

  /** F_BASS_MONO from the options (control side: the constructor and set()). */
  private updateBassFlag(): void {
    this.flags[F_BASS_MONO] = this.opts.bassMonoHz > 0 ? YES : NO;
  }

  /** Defaults of its options. */
  static readonly defaults = STEREO_WIDENER_DEFAULTS;
  /** Validation rules of its options: the one source of their ranges and units (see `describeOptions`). */
  static readonly rules = STEREO_WIDENER_RULES;

  /** Rebuild from {@link StereoWidener.toJSON} output (validated like the constructor's options). */
  static fromJSON(json: ProcessorJSON): StereoWidener {
    return new StereoWidener(paramsFromJSON(StereoWidener, json));
  }

  /** The current parameters. */
  get params(): StereoWidenerOptions {
    this.live.sync(this.opts);
    return { ...this.opts };
  }

  /** Phase correlation of the output, [−1, 1], over the last ~300 ms (0 for silence). */
  get correlation(): number {
    const m = this.meter;
    const d = Math.sqrt(m[M_LL] * m[M_RR]);
    return d > 1e-30 ? Math.max(-1, Math.min(1, m[M_LR] / d)) : 0;
  }

  /** Power balance of the output, [−1, 1] (−1 all left, +1 all right), over the last ~300 ms. */
  get balance(): number {
    const m = this.meter;
    const t = m[M_LL] + m[M_RR];
    return t > 1e-30 ? (m[M_RR] - m[M_LL]) / t : 0;
  }

  /** Change parameters (validated first: a bad value throws and changes nothing). */
  set(options: Partial<StereoWidenerOptions>): this {
    const o = validateOptions<StereoWidenerOptions>(OWNER, options, STEREO_WIDENER_RULES);
    this.live.sync(this.opts);
    this.opts = { ...this.opts, ...o };
    this.live.load(this.opts);
    const fs = this.spec?.sampleRate;
    if (o.smoothingMs !== undefined && fs !== undefined) {
      for (const v of this.smoothed) v.setRampLength(fs, o.smoothingMs / 1000);
    }
    const apply = (v: SmoothedValue, x: number) => (fs !== undefined ? v.setTarget(x) : v.setImmediate(x));
    apply(this.side, this.sideTarget());
    apply(this.mid, dbToGain(this.live.values[N_MID]));
    apply(this.bass, this.opts.bassMonoHz > 0 ? 1 : 0);
    // (500 Hz, the largest crossover, is below Nyquist at every allowed sample rate.)
    if (o.bassMonoHz !== undefined && o.bassMonoHz > 0 && this.spec) this.design(this.spec.sampleRate);
    this.updateBassFlag();
    this.updateFlags();
    return this;
  }

  /** The range of `width`, `midGainDb` or `sideGainDb`, the options {@link StereoWidener.setParam} can change. */
  paramRange(name: string): NumberRange | undefined {
    return numberOptionRange(STEREO_WIDENER_RULES, name, STEREO_WIDENER_FIXED);
  }

  /** Change `width`, `midGainDb` or `sideGainDb` without allocating (for automation; the contract's `setParam`): they ramp, as with `set()`. */
  setParam(name: string, values: Float64Array, index: number): void {
    const live = this.live;
    if (!live.put(live.slot(name), values, index)) return;
    // Targets through a typed array: a number passed to a call that is not inlined is boxed.
    const n = live.values;
    const t = this.targets;
    t[0] = n[N_WIDTH] * Math.pow(10, n[N_SIDE] / 20);
    t[1] = Math.pow(10, n[N_MID] / 20);
    if (this.spec !== undefined) {
      this.side.setTargetAt(t, 0);
      this.mid.setTargetAt(t, 1);
    } else {
      this.side.setImmediate(t[0]);
      this.mid.setImmediate(t[1]);
    }
    this.updateFlags();
  }

  prepare(spec: ProcessSpec): void {
    const s = validateSpec(OWNER, spec, this.channelRange);
    this.spec = s;
    const n = Math.min(CHUNK, s.maxBlockSize);
    this.sBuf = new Float64Array(n);
    this.mBuf = new Float64Array(n);
    this.aBuf = new Float64Array(n);
    this.mid32 = new Float32Array(n);
    this.low32 = new Float32Array(n);
    this.side32 = new Float32Array(n);
    for (const v of this.smoothed) v.reset(s.sampleRate, this.opts.smoothingMs / 1000);
    this.meter[M_ALPHA] = Math.exp(-1 / (METER_SECONDS * s.sampleRate));
    this.design(s.sampleRate);
    this.reset();
    primeProcessor(this, s);
    primeChanges(this, s);
    this.reset();
  }

  reset(): void {
    for (let i = 0; i < this.smoothed.length; i++) this.smoothed[i].jumpToTarget();
    this.state.fill(0);
    this.meter[M_LR] = 0;
    this.meter[M_LL] = 0;
    this.meter[M_RR] = 0;
  }

  process(block: readonly Float32Array[], frames?: number): void {
    if (this.spec === undefined || usableChannels(block, 2) < 2) return;
    const n = safeFrameCount(block, 2, frames);
    const l = block[0];
    const r = block[1];
    const step = this.sBuf.length;
    for (let pos = 0; pos < n; pos += step) {
      const k = n - pos < step ? n - pos : step;
      const ramping = this.side.isSmoothing || this.mid.isSmoothing || this.bass.isSmoothing;
      // (Flags from set(), not the smoothers' `target` getters: a double returned from a getter
      // that V8 does not inline is boxed.)
      const bassOn = this.bass.isSmoothing || this.flags[F_BASS_MONO] === YES;
      // Unchanged image, no bass mono, nothing ramping: the samples pass bit-exactly.
      if (!ramping && this.flags[F_IDENTITY] === YES) {
        this.measure(l, r, pos, k);
        continue;
      }
      const sg = this.sBuf;
      const mg = this.mBuf;
      const a = this.aBuf;
      this.side.fill(sg, k);
      this.mid.fill(mg, k);
      this.bass.fill(a, k);
      if (bassOn) {
        const m32 = this.mid32;
        const low = this.low32;
        const s32 = this.side32;
        for (let i = 0; i < k; i++) {
          const x = l[pos + i];
          const y = r[pos + i];
          m32[i] = (x + y) * 0.5;
          low[i] = m32[i];
          s32[i] = (x - y) * 0.5;
        }
        const c = this.coefs;
        const st = this.state;
        // Mid: LR4 low-pass (a copy, in `low`) and high-pass (in place); side: LR4 high-pass (in
        // place). The direct paths for the cross-fade are recomputed from the input below.
        biquadMono(low, 0, k, c, C_LOWPASS, st, S_MID_LOW);
        biquadMono(low, 0, k, c, C_LOWPASS + SECTION_COEFS, st, S_MID_LOW + SECTION_STATE);
        biquadMono(m32, 0, k, c, C_HIGHPASS, st, S_MID_HIGH);
        biquadMono(m32, 0, k, c, C_HIGHPASS + SECTION_COEFS, st, S_MID_HIGH + SECTION_STATE);
        biquadMono(s32, 0, k, c, C_HIGHPASS, st, S_SIDE_HIGH);
        biquadMono(s32, 0, k, c, C_HIGHPASS + SECTION_COEFS, st, S_SIDE_HIGH + SECTION_STATE);
        for (let i = 0; i < k; i++) {
          const x = l[pos + i];
          const y = r[pos + i];
          const md = (x + y) * 0.5;
          const sd = (x - y) * 0.5;
          const f = a[i];
          // Cross-fade between the direct and the bass-mono paths.
          const mm = md + f * (low[i] + m32[i] - md);
          const ss = sd + f * (s32[i] - sd);
          const g = mg[i];
          const w = sg[i];
          l[pos + i] = g * mm + w * ss;
          r[pos + i] = g * mm - w * ss;
        }
        sanitize(st, 0, STATE_SIZE);
      } else {
        for (let i = 0; i < k; i++) {
          const x = l[pos + i];
          const y = r[pos + i];
          const md = (x + y) * 0.5;
          const sd = (x - y) * 0.5;
          const g = mg[i];
          const w = sg[i];
          l[pos + i] = g * md + w * sd;
          r[pos + i] = g * md - w * sd;
        }
        if (!this.bass.isSmoothing) this.state.fill(0);
      }
      this.measure(l, r, pos, k);
    }
  }

  toJSON(): ProcessorJSON {
    return processorJSON(StereoWidener.type, this.params);
  }

  /** One-pole averages of LR, L² and R² over the output (for the read-outs). */
  private measure(l: Float32Array, r: Float32Array, pos: number, k: number): void {
    const m = this.meter;
    const alpha = m[M_ALPHA];
    const b = 1 - alpha;
    let lr = m[M_LR];
    let ll = m[M_LL];
    let rr = m[M_RR];
    for (let i = 0; i < k; i++) {
      const x = l[pos + i];
      const y = r[pos + i];
      lr = alpha * lr + b * x * y;
      ll = alpha * ll + b * x * x;
      rr = alpha * rr + b * y * y;
    }
    // Non-finite audio must not poison the meter for good; tiny values flush to 0.
    m[M_LR] = lr > -1e30 && lr < 1e30 && (lr > 1e-30 || lr < -1e-30) ? lr : 0;
    m[M_LL] = ll < 1e30 && ll > 1e-30 ? ll : 0;
    m[M_RR] = rr < 1e30 && rr > 1e-30 ? rr : 0;
  }

  /** Side gain target: width × side gain. */
  private sideTarget(): number {
    const n = this.live.values;
    return n[N_WIDTH] * dbToGain(n[N_SIDE]);
  }

  /** LR4 low-pass and high-pass coefficients at the crossover (two sections each). */
  private design(sampleRate: number): void {
    const f = this.opts.bassMonoHz > 0 ? this.opts.bassMonoHz : 100;
    const base = { frequencyHz: f, q: Math.SQRT1_2, gainDb: 0, shelfSlope: 1, rolloffDbPerOctave: 24 as const };
    writeFilterCoefficients(this.coefs, C_LOWPASS, { ...base, type: 'linkwitz-riley-lowpass' }, sampleRate);
    writeFilterCoefficients(this.coefs, C_HIGHPASS, { ...base, type: 'linkwitz-riley-highpass' }, sampleRate);
  }
}

function dbToGain(db: number): number {
  return Math.pow(10, db / 20);
}
