/**
 * Panner: a mono source placed in the stereo field with a choice of pan law, or the balance of a
 * stereo source, with a smoothed (click-free) pan position.
 *
 * Pan laws, for pan p in [−1, 1] and θ = (p + 1)·π/4 (the classic sine/cosine law, e.g. Griesinger,
 * "Stereo and surround panning in practice", AES 112, 2002; Roads, *The Computer Music Tutorial*):
 *
 * | law | left gain | right gain | centre |
 * |---|---|---|---|
 * | `'0dB'` (linear balance) | 1 − max(p, 0) | 1 + min(p, 0) | 0 dB |
 * | `'-3dB'` (constant power) | cos θ | sin θ | −3.01 dB |
 * | `'-4.5dB'` (compromise) | √(cos θ · (1 − p)/2) | √(sin θ · (1 + p)/2) | −4.52 dB |
 * | `'-6dB'` (linear) | (1 − p)/2 | (1 + p)/2 | −6.02 dB |
 *
 * The −4.5 dB law is the geometric mean of the −3 dB and −6 dB laws. The default is −3 dB
 * (constant power): L² + R² stays 1 at every position, so a source keeps its loudness as it moves
 * across a stereo system, where the two speakers' signals add in power; −6 dB keeps L + R constant,
 * which suits material that will be summed to mono; 0 dB never attenuates at the centre.
 *
 * Stereo input is balanced instead: each channel keeps its own side, and the side the pan moves
 * away from is scaled by its law gain relative to the centre (so the centre passes unchanged and
 * p = ±1 silences the other side).
 *
 * @module
 */
import { DEFAULT_SMOOTHING_MS, LiveNumbers, SMOOTHING_RANGE, numberOptionRange } from '../core/options.js';
import { safeFrameCount, usableChannels, validateSpec, type ProcessSpec, type Processor, type ProcessorJSON } from '../core/processor.js';
import { SmoothedValue } from '../core/smoothed-value.js';
import { validateOptions, type NumberRange, type OptionRule } from '../core/validate.js';
import { STEREO_ONLY, NO_METERS, type MeterName } from '../core/processor.js';
import { paramsFromJSON, processorJSON } from '../core/json.js';
import { primeChanges, primeProcessor } from '../core/prime.js';

/** The pan laws of {@link Panner}, named by their centre attenuation. */
export const PAN_LAWS = ['0dB', '-3dB', '-4.5dB', '-6dB'] as const;
/** A pan law: see {@link Panner}. */
export type PanLaw = (typeof PAN_LAWS)[number];

/** Options of {@link Panner}. */
export interface PannerOptions {
  /** Position, [−1, 1]: −1 hard left, 0 centre, 1 hard right. Smoothed. @defaultValue 0 */
  pan: number;
  /** Pan law for mono input (and the balance curve for stereo input). @defaultValue `"-3dB"` */
  law: PanLaw;
  /**
   * `'mono'`: channel 0 is the source, and the block's two channels become its left and right.
   * `'stereo'`: the two channels are balanced in place.
   * @defaultValue `"mono"`
   */
  input: 'mono' | 'stereo';
  /** Ramp time of pan changes in ms, [0, 1000]. @defaultValue 20 */
  smoothingMs: number;
}

/** Defaults of {@link PannerOptions}: a mono source at the centre, constant-power law. */
export const PANNER_DEFAULTS: Readonly<PannerOptions> = Object.freeze({
  pan: 0,
  law: '-3dB',
  input: 'mono',
  smoothingMs: DEFAULT_SMOOTHING_MS,
});

/** Validation rules of {@link PannerOptions}. */
export const PANNER_RULES: { readonly [K in keyof PannerOptions]: OptionRule } = Object.freeze({
  pan: { kind: 'number', range: { min: -1, max: 1 } },
  law: { kind: 'enum', values: PAN_LAWS },
  input: { kind: 'enum', values: ['mono', 'stereo'] },
  smoothingMs: { kind: 'number', range: SMOOTHING_RANGE },
});

/** The number option mirrored in Panner.live (what setParam() changes), and its slot. */
const LIVE_KEYS = ['pan'] as const;
const N_PAN = 0;
/** Number options that `setParam()` leaves alone. */
const PANNER_FIXED: readonly string[] = ['smoothingMs'];

const OWNER = 'Panner';
const CHUNK = 256;
const QUARTER_PI = Math.PI / 4;

// Pan laws by their index in PAN_LAWS.
/** `'0dB'`: linear balance. */
const LAW_0DB = 0;
/** `'-3dB'`: constant power. */
const LAW_3DB = 1;
/** `'-4.5dB'`: the compromise law. (Index 3, `'-6dB'`, linear, is the remaining case.) */
const LAW_4_5DB = 2;

// Slots of Panner.st (Int32Array).
/** The pan law: its index in PAN_LAWS (LAW_0DB, LAW_3DB, LAW_4_5DB, or 3 for `'-6dB'`). */
const ST_LAW = 0;
/** YES for stereo input (balance), NO for a mono source. */
const ST_STEREO = 1;
const ST_SLOTS = 2;
const NO = 0;
const YES = 1;

// Slots of Panner.steady (Float64Array): the gains at the target pan.
const STEADY_LEFT = 0;
const STEADY_RIGHT = 1;

/**
 * Left and right gains for the pans in `pan[0..n)` under law `law` (an index into
 * {@link PAN_LAWS}); with `balance`, relative to the centre and never above 1 on the near side.
 * One loop per law, so no per-sample branching on the law.
 */
function lawGains(law: number, balance: boolean, pan: Float64Array, n: number, gl: Float64Array, gr: Float64Array): void {
  if (law === LAW_0DB) {
    for (let i = 0; i < n; i++) {
      const p = pan[i];
      gl[i] = p > 0 ? 1 - p : 1;
      gr[i] = p < 0 ? 1 + p : 1;
    }
  } else if (law === LAW_3DB) {
    for (let i = 0; i < n; i++) {
      const t = (pan[i] + 1) * QUARTER_PI;
      gl[i] = Math.cos(t);
      gr[i] = Math.sin(t);
    }
  } else if (law === LAW_4_5DB) {
    for (let i = 0; i < n; i++) {
      const p = pan[i];
      const t = (p + 1) * QUARTER_PI;
      gl[i] = Math.sqrt(Math.cos(t) * (1 - p) * 0.5);
      gr[i] = Math.sqrt(Math.sin(t) * (1 + p) * 0.5);
    }
  } else {
    // '-6dB'
    for (let i = 0; i < n; i++) {
      const p = pan[i];
      gl[i] = (1 - p) * 0.5;
      gr[i] = (1 + p) * 0.5;
    }
  }
  if (balance) {
    // Relative to the centre gain (the same for both sides), and 1 on the side the pan moves to.
    const c = CENTRE[law];
    for (let i = 0; i < n; i++) {
      const p = pan[i];
      gl[i] = p > 0 ? gl[i] / c : 1;
      gr[i] = p < 0 ? gr[i] / c : 1;
    }
  }
}

/** Centre gain of each law (the same expressions as lawGains at p = 0). */
const CENTRE = Float64Array.of(1, Math.cos(QUARTER_PI), Math.sqrt(Math.cos(QUARTER_PI) * 0.5), 0.5);

/**
 * Pans a mono source into stereo with one of four pan laws, or balances a stereo source; the pan
 * position is smoothed. Works on two channels in place; a block with fewer arrays is left as it is.
 *
 * @example
 * ```ts
 * import { Panner } from 'masterbus';
 * const panner = new Panner({ pan: -0.4 });                  // constant power (−3 dB law)
 * panner.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
 * const voice = new Float32Array(128).fill(0.5), right = new Float32Array(128);
 * panner.process([voice, right]);   // voice becomes the left channel, right gets its share
 * panner.set({ pan: 0.4 });         // moves over 20 ms, no click
 * ```
 */
export class Panner implements Processor<PannerOptions> {
  /** Type name used by {@link Panner.toJSON}. */
  static readonly type = 'Panner';
  /** Exactly two channels (stereo only). */
  readonly channelRange = STEREO_ONLY;
  /** No read-outs. */
  readonly meterNames: readonly MeterName[] = NO_METERS;
  /** No read-outs: writes nothing. */
  readMeters(_out: Float64Array, _offset: number): void {}
  /** Always 0. */
  readonly latency = 0;
  private opts: PannerOptions;
  private spec: ProcessSpec | undefined;
  private readonly pan = new SmoothedValue('linear', 0);
  private panBuf = new Float64Array(0);
  private gl = new Float64Array(0);
  private gr = new Float64Array(0);
  /** Gains at the target pan, at the slots STEADY_LEFT, STEADY_RIGHT. */
  private readonly steady = new Float64Array(2);
  /** Settings for the audio path, at the slots ST_LAW, ST_STEREO. */
  private readonly st = new Int32Array(ST_SLOTS);
  /** The pan as derived state reads it (see {@link LiveNumbers}); also update()'s one-sample input. */
  private readonly live = new LiveNumbers(LIVE_KEYS, PANNER_RULES);
  /** One-sample outputs of update(): the left and the right gain. */
  private readonly oneL = new Float64Array(1);
  private readonly oneR = new Float64Array(1);

  /** Create a panner; omitted options take {@link PANNER_DEFAULTS}. Throws on bad options. */
  constructor(options: Partial<PannerOptions> = {}) {
    this.opts = { ...PANNER_DEFAULTS, ...validateOptions<PannerOptions>(OWNER, options, PANNER_RULES) };
    this.live.load(this.opts);
    this.pan.setImmediate(this.opts.pan);
    this.update();
  }

  /** Defaults of its options. */
  static readonly defaults = PANNER_DEFAULTS;
  /** Validation rules of its options: the one source of their ranges and units (see `describeOptions`). */
  static readonly rules = PANNER_RULES;

  /** Rebuild from {@link Panner.toJSON} output (validated like the constructor's options). */
  static fromJSON(json: ProcessorJSON): Panner {
    return new Panner(paramsFromJSON(Panner, json));
  }

  /** The current parameters (the pan is the target of a ramp in progress). */
  get params(): PannerOptions {
    this.live.sync(this.opts);
    return { ...this.opts };
  }

  /**
   * The left and right gains of a mono source at `pan` under `law` (for meters, UIs and tests).
   *
   * @example
   * ```ts
   * import { Panner } from 'masterbus';
   * Panner.gains(0, '-3dB');   // [0.7071…, 0.7071…]
   * ```
   */
  static gains(pan: number, law: PanLaw = PANNER_DEFAULTS.law): [number, number] {
    const o = validateOptions<PannerOptions>(OWNER, { pan, law }, PANNER_RULES);
    const l = new Float64Array(1);
    const r = new Float64Array(1);
    lawGains(PAN_LAWS.indexOf(o.law as PanLaw), false, Float64Array.of(pan), 1, l, r);
    return [l[0], r[0]];
  }

  /** Change parameters (validated first: a bad value throws and changes nothing). The pan ramps. */
  set(options: Partial<PannerOptions>): this {
    const o = validateOptions<PannerOptions>(OWNER, options, PANNER_RULES);
    this.live.sync(this.opts);
    this.opts = { ...this.opts, ...o };
    this.live.load(this.opts);
    const fs = this.spec?.sampleRate;
    if (o.smoothingMs !== undefined && fs !== undefined) this.pan.setRampLength(fs, o.smoothingMs / 1000);
    if (o.pan !== undefined) {
      if (fs !== undefined) this.pan.setTarget(o.pan);
      else this.pan.setImmediate(o.pan);
    }
    this.update();
    return this;
  }

  /** The range of `pan`, the option {@link Panner.setParam} can change (`smoothingMs` is not). */
  paramRange(name: string): NumberRange | undefined {
    return numberOptionRange(PANNER_RULES, name, PANNER_FIXED);
  }

  /** Change the pan without allocating (for automation; the contract's `setParam`): it ramps, as with `set()`. */
  setParam(name: string, values: Float64Array, index: number): void {
    const live = this.live;
    if (!live.put(live.slot(name), values, index)) return;
    // (From a typed array: a number passed to a call that is not inlined is boxed.)
    if (this.spec !== undefined) this.pan.setTargetAt(live.values, N_PAN);
    else this.pan.setImmediate(live.values[N_PAN]);
    this.update();
  }

  prepare(spec: ProcessSpec): void {
    const s = validateSpec(OWNER, spec, this.channelRange);
    this.spec = s;
    const n = Math.min(CHUNK, s.maxBlockSize);
    this.panBuf = new Float64Array(n);
    this.gl = new Float64Array(n);
    this.gr = new Float64Array(n);
    this.pan.reset(s.sampleRate, this.opts.smoothingMs / 1000);
    primeProcessor(this, s);
    primeChanges(this, s);
    this.reset();
  }

  process(block: readonly Float32Array[], frames?: number): void {
    if (this.spec === undefined || usableChannels(block, 2) < 2) return;
    const n = safeFrameCount(block, 2, frames);
    const l = block[0];
    const r = block[1];
    const stereo = this.st[ST_STEREO] === YES;
    const law = this.st[ST_LAW];
    const step = this.panBuf.length;
    for (let pos = 0; pos < n; pos += step) {
      const k = n - pos < step ? n - pos : step;
      if (this.pan.isSmoothing) {
        // Per-sample gains from the per-sample pan (the same function as the steady gains).
        const pb = this.panBuf;
        const gl = this.gl;
        const gr = this.gr;
        this.pan.fill(pb, k);
        lawGains(law, stereo, pb, k, gl, gr);
        if (stereo) {
          for (let i = 0; i < k; i++) {
            l[pos + i] *= gl[i];
            r[pos + i] *= gr[i];
          }
        } else {
          for (let i = 0; i < k; i++) {
            const x = l[pos + i];
            l[pos + i] = x * gl[i];
            r[pos + i] = x * gr[i];
          }
        }
      } else {
        const a = this.steady[STEADY_LEFT];
        const b = this.steady[STEADY_RIGHT];
        if (stereo) {
          // Only the side the pan moves away from changes (the other gain is exactly 1).
          if (a !== 1) for (let i = 0; i < k; i++) l[pos + i] *= a;
          if (b !== 1) for (let i = 0; i < k; i++) r[pos + i] *= b;
        } else {
          for (let i = 0; i < k; i++) {
            const x = l[pos + i];
            l[pos + i] = x * a;
            r[pos + i] = x * b;
          }
        }
      }
    }
  }

  reset(): void {
    this.pan.jumpToTarget();
  }

  toJSON(): ProcessorJSON {
    return processorJSON(Panner.type, this.params);
  }

  /** Typed-array copies of the settings for the audio path, and the gains at the target pan. */
  private update(): void {
    const o = this.opts;
    this.st[ST_LAW] = PAN_LAWS.indexOf(o.law);
    this.st[ST_STEREO] = o.input === 'stereo' ? YES : NO;
    // (Through preallocated one-sample arrays, the pan from the live mirror: setParam() runs this
    // on the audio thread.)
    lawGains(this.st[ST_LAW], this.st[ST_STEREO] === YES, this.live.values, 1, this.oneL, this.oneR);
    this.steady[STEADY_LEFT] = this.oneL[0];
    this.steady[STEADY_RIGHT] = this.oneR[0];
  }
}
