/**
 * A feed-forward compressor after Giannoulis, Massberg & Reiss, "Digital Dynamic Range Compressor
 * Design — A Tutorial and Analysis", JAES 60(6), 2012: level detection, a log-domain gain computer
 * with a quadratic soft knee (their eq. 4), and smooth branching attack/release ballistics applied
 * to the gain reduction in dB (their eq. 17, the "log-domain, decoupled from the level detector"
 * topology of their §3.3, which they recommend for its smooth, artefact-free envelopes).
 *
 * Signal flow per sample and channel:
 * 1. Detector input: the main input or an external sidechain, through an optional 12 dB/oct
 *    Butterworth high-pass (RBJ cookbook) so bass does not pump the compressor.
 * 2. Level: `peak` holds the largest |x| over the last `peakHoldMs` (a moving maximum), which reads
 *    the exact peak of a steady tone down to 1/(2·hold) Hz instead of rippling with every cycle
 *    (the ripple a plain peak detector turns into distortion with fast release); `rms` is the
 *    mean square over `rmsWindowMs`.
 * 3. Lookahead: the audio is delayed by `latency` samples, so the detector acts that much early.
 * 4. Stereo link λ: each channel's level becomes (1 − λ)·own + λ·max over channels.
 * 5. Gain computer (dB), with threshold T, ratio R, knee width W and x the level in dB:
 *    GR = 0 below T − W/2; (1 − 1/R)·(x − T + W/2)² / (2W) inside the knee; (1 − 1/R)·(x − T) above.
 * 6. Ballistics on GR: y ← α·y + (1 − α)·GR with α = α_A when GR > y (attack), else α_R;
 *    α = exp(−1 / (τ·fs)), so a step in GR is 1 − 1/e complete after τ (the attack or release time).
 * 7. Output: wet = x·10^((makeup − y)/20), out = dry + mix·(wet − dry) (parallel compression).
 *
 * Every parameter can change while running without clicks: makeup and mix ramp over
 * `smoothingMs`; threshold, ratio, knee, detector settings, link and lookahead change what the
 * detector asks for, and the ballistics make the gain follow at the attack or release speed.
 *
 * Hostile input: NaN, ±Infinity and |x| ≥ 1e30 in the detector input (main or sidechain) are read
 * as 0, sample by sample and before the sidechain high-pass, so they never reach a state (the
 * audio itself passes through, scaled by the gain). Denormal-bound state (the envelope, the
 * high-pass) is flushed at fixed points of the absolute sample count, every 256 samples. Both
 * keep the output bit-identical for any block partition.
 *
 * @module
 */
import { DEFAULT_SMOOTHING_MS, LiveNumbers, SMOOTHING_RANGE, numberOptionRange } from '../core/options.js';
import { SPEC_LIMITS, safeFrameCount, usableChannels, validateSpec, type ProcessSpec, type ProcessorJSON, type SidechainProcessor } from '../core/processor.js';
import { SmoothedValue } from '../core/smoothed-value.js';
import { validateOptions, type NumberRange, type OptionRule } from '../core/validate.js';
import { primeChanges, primeProcessor } from '../core/prime.js';
import { writeRbjCoefficients } from '../filters/biquad-coefficients.js';
import { sanitize } from '../filters/biquad-kernel.js';
import { MovingAverage } from './windows.js';
import { ANY_CHANNELS, type MeterName } from '../core/processor.js';
import { paramsFromJSON, processorJSON } from '../core/json.js';
import { delayInPlace } from '../core/delay-line.js';

/** Options of {@link Compressor}. */
export interface CompressorOptions {
  /** Threshold in dBFS, [-100, 20] (peak or RMS level, per `detector`). @defaultValue -18 */
  thresholdDb: number;
  /** Ratio, [1, ∞]: 1 does nothing, `Infinity` limits (in JSON it is written as `"Infinity"`). @defaultValue 4 */
  ratio: number;
  /** Soft-knee width in dB, [0, 48]; 0 is a hard knee. @defaultValue 6 */
  kneeDb: number;
  /** Attack time constant in ms, [0, 1000]: 63 % of a rise in gain reduction after this long. @defaultValue 10 */
  attackMs: number;
  /** Release time constant in ms, [1, 10000]: 63 % of a fall in gain reduction after this long. @defaultValue 100 */
  releaseMs: number;
  /** Level detector: sample peak (held over `peakHoldMs`) or RMS (over `rmsWindowMs`). @defaultValue `"peak"` */
  detector: CompressorDetector;
  /** Peak detector hold in ms, [0, 50]; 0 follows |x| sample by sample. @defaultValue 10 */
  peakHoldMs: number;
  /** RMS detector window in ms, [1, 300]. @defaultValue 10 */
  rmsWindowMs: number;
  /** Stereo link, [0, 1] (0–100 %): 1 gives all channels the same gain. @defaultValue 1 */
  stereoLink: number;
  /** Makeup gain in dB, [-24, 48]; smoothed. @defaultValue 0 */
  makeupDb: number;
  /**
   * Add the gain reduction a 0 dBFS level gets (Giannoulis et al. §2.3), so full scale stays full
   * scale; on top of `makeupDb`.
   * @defaultValue false
   */
  autoMakeup: boolean;
  /** Dry/wet mix, [0, 1]: 1 is fully compressed, 0.5 parallel compression. Smoothed. @defaultValue 1 */
  mix: number;
  /**
   * Lookahead in ms, [0, 20]. `latency` is set from it at `prepare()`; while running, smaller
   * values move the detector back in time at once, larger ones are capped at the prepared
   * latency until the next `prepare()`.
   * @defaultValue 0
   */
  lookaheadMs: number;
  /** High-pass frequency of the detector input in Hz, [0, 2000]; 0 turns it off. @defaultValue 0 */
  sidechainHighpassHz: number;
  /** Ramp time of makeup and mix changes in ms, [0, 1000]. @defaultValue 20 */
  smoothingMs: number;
}

/** Level detectors of {@link Compressor}. */
export type CompressorDetector = 'peak' | 'rms';

/** Defaults of {@link CompressorOptions}: a 4:1 bus compressor at −18 dBFS with a 6 dB knee. */
export const COMPRESSOR_DEFAULTS: Readonly<CompressorOptions> = /* @__PURE__ */ Object.freeze({
  thresholdDb: -18,
  ratio: 4,
  kneeDb: 6,
  attackMs: 10,
  releaseMs: 100,
  detector: 'peak',
  peakHoldMs: 10,
  rmsWindowMs: 10,
  stereoLink: 1,
  makeupDb: 0,
  autoMakeup: false,
  mix: 1,
  lookaheadMs: 0,
  sidechainHighpassHz: 0,
  smoothingMs: DEFAULT_SMOOTHING_MS,
});

const MAX_HOLD_MS = 50;
const MAX_RMS_MS = 300;
const MAX_LOOKAHEAD_MS = 20;

/** Validation rules of {@link CompressorOptions}. */
export const COMPRESSOR_RULES: { readonly [K in keyof CompressorOptions]: OptionRule } = /* @__PURE__ */ Object.freeze({
  thresholdDb: { kind: 'number', range: { min: -100, max: 20, unit: 'dB' } },
  ratio: { kind: 'number', range: { min: 1, max: Infinity } },
  kneeDb: { kind: 'number', range: { min: 0, max: 48, unit: 'dB' } },
  attackMs: { kind: 'number', range: { min: 0, max: 1000, unit: 'ms' } },
  releaseMs: { kind: 'number', range: { min: 1, max: 10000, unit: 'ms' } },
  detector: { kind: 'enum', values: ['peak', 'rms'] },
  peakHoldMs: { kind: 'number', range: { min: 0, max: MAX_HOLD_MS, unit: 'ms' } },
  rmsWindowMs: { kind: 'number', range: { min: 1, max: MAX_RMS_MS, unit: 'ms' } },
  stereoLink: { kind: 'number', range: { min: 0, max: 1 } },
  makeupDb: { kind: 'number', range: { min: -24, max: 48, unit: 'dB' } },
  autoMakeup: { kind: 'boolean' },
  mix: { kind: 'number', range: { min: 0, max: 1 } },
  lookaheadMs: { kind: 'number', range: { min: 0, max: MAX_LOOKAHEAD_MS, unit: 'ms' } },
  sidechainHighpassHz: { kind: 'number', range: { min: 0, max: 2000, unit: 'Hz' } },
  smoothingMs: { kind: 'number', range: SMOOTHING_RANGE },
});

/**
 * Giannoulis, Massberg & Reiss 2012, eq. 4, written as gain reduction (dB) for a level `over` =
 * x − T dB relative to the threshold, with slope = 1 − 1/R, halfKnee = W/2, invTwoKnee = 1/(2W)
 * (0 for a hard knee): (1 − 1/R)·(x − T) at or above T + W/2, (1 − 1/R)·(x − T + W/2)²/(2W)
 * inside the knee. Valid for over > −W/2; callers give 0 below the knee's start themselves (the
 * audio path compares the linear level with the knee's start and skips the logarithm there).
 *
 * The definition of the curve. The two audio loops (`gainComputer`, `compressPeakLinked`) write
 * the same expression out rather than call it: they reach it about once per block, a call site
 * too cold for V8 to be sure to inline, and a call it does not inline boxes its doubles
 * (allocation in `process()`; see docs/processor-contract.md). The tests hold all three to the
 * same closed form.
 */
const kneeGainReduction = function (over: number, slope: number, halfKnee: number, invTwoKnee: number): number {
  if (over >= halfKnee) return slope * over;
  const d = over + halfKnee;
  return slope * d * d * invTwoKnee;
};

/**
 * One step of the smooth branching ballistics (Giannoulis et al. eq. 17) on the gain reduction
 * envelope y (dB): attack coefficient while the target `gr` is above y, release otherwise.
 */
const ballistics = function (y: number, gr: number, attack: number, release: number): number {
  return gr > y ? attack * y + (1 - attack) * gr : release * y + (1 - release) * gr;
};

/**
 * The static gain reduction in dB (≥ 0) for a level of `levelDb`: Giannoulis et al. eq. 4 with
 * threshold T, ratio R and knee width W. For plotting transfer curves. The compressor's audio
 * path computes the same curve with the same function (`kneeGainReduction`).
 *
 * @example
 * ```ts
 * import { compressorGainReductionDb } from 'masterbus';
 * compressorGainReductionDb(-6, -18, 4, 0);   // 9: 12 dB over a 4:1 threshold comes out 3 dB over
 * ```
 */
export function compressorGainReductionDb(levelDb: number, thresholdDb: number, ratio: number, kneeDb: number): number {
  const over = levelDb - thresholdDb;
  if (2 * over <= -kneeDb) return 0;
  return kneeGainReduction(over, 1 - 1 / ratio, kneeDb / 2, kneeDb > 0 ? 1 / (2 * kneeDb) : 0);
}

/** Number options that `setParam()` leaves alone. */
const COMPRESSOR_FIXED: readonly string[] = ['lookaheadMs', 'smoothingMs'];
/** The number options mirrored in Compressor.live (what setParam() changes), and their slots. */
const LIVE_KEYS = ['thresholdDb', 'ratio', 'kneeDb', 'attackMs', 'releaseMs', 'peakHoldMs', 'rmsWindowMs', 'stereoLink', 'makeupDb', 'mix', 'sidechainHighpassHz'] as const;
const N_THRESHOLD = 0;
const N_RATIO = 1;
const N_KNEE = 2;
const N_ATTACK = 3;
const N_RELEASE = 4;
const N_HOLD = 5;
const N_RMS_WINDOW = 6;
const N_LINK = 7;
const N_MAKEUP = 8;
const N_MIX = 9;
const N_HIGHPASS = 10;

const OWNER = 'Compressor';
/**
 * Work is done in chunks of at most CHUNK samples (the size of the scratch arrays), cut on a grid
 * of the absolute sample count: chunk boundaries, and the denormal flush done at each grid point
 * (`Compressor.flush`), fall on the same samples whatever the block partition.
 */
const CHUNK = 256;
/** An envelope below this (dB of gain reduction) is set to 0 at grid points: inaudible, and far above subnormals. */
const ENVELOPE_FLOOR = 1e-30;

// Slots of `Compressor.k` (Float64Array): parameters for the audio path, and read-outs.
/** Attack coefficient α_A = exp(−1/(τ_A·fs)) (0 for attackMs 0). */
const K_ATTACK = 0;
/** Release coefficient α_R. */
const K_RELEASE = 1;
/** Threshold T, dB. */
const K_THRESHOLD = 2;
/** 1 − 1/R. */
const K_SLOPE = 3;
/** Half the knee width, W/2 (dB). */
const K_HALF_KNEE = 4;
/** The knee's start T − W/2 as a linear level (amplitude for peak, power for RMS). */
const K_KNEE_START = 5;
/** dB per decade of the level: 20 (peak, an amplitude) or 10 (RMS, a mean square). */
const K_LEVEL_SCALE = 6;
/** Read-out: current gain reduction (dB), the largest over channels. */
const K_GR = 7;
/** Read-out: largest gain reduction since prepare/reset/resetMeters. */
const K_MAX_GR = 8;
/** Stereo link λ. */
const K_LINK = 9;
/** The last level the gain computer took the logarithm of (−1: none), and its gain reduction. */
const K_LAST_LEVEL = 10;
const K_LAST_GR = 11;
/** The makeup (dB) of the fused path, which runs only while makeup is not ramping. */
const K_STEADY_MAKEUP = 12;
/** 1/(2W), 0 for a hard knee. */
const K_INV_TWO_KNEE = 13;
const K_SIZE = 14;

// Slots of `Compressor.st` (Int32Array): indices, counts and modes.
/** Write index of the audio delay lines. */
const ST_LINE_INDEX = 0;
/** Write index of the level delay lines. */
const ST_LEVEL_INDEX = 1;
/** How far the detector runs ahead of the audio now (samples, ≤ ST_DELAY). */
const ST_ADVANCE = 2;
/** HIGHPASS_ON or HIGHPASS_OFF. */
const ST_HIGHPASS = 3;
/** DETECTOR_PEAK or DETECTOR_RMS. */
const ST_DETECTOR = 4;
/** The prepared latency (samples). */
const ST_DELAY = 5;
/** YES while one shared detector (channel 0's state) serves all channels (full link, peak). */
const ST_SINGLE_DETECTOR = 6;
/** Peak hold in samples (≥ 1). */
const ST_HOLD = 7;
/** YES while one gain computer (channel 0's envelope) serves all channels (full link). */
const ST_SHARED_COMPUTER = 8;
/** Absolute sample count modulo CHUNK: where the next grid point is. */
const ST_GRID_PHASE = 9;
const ST_SIZE = 10;

const DETECTOR_RMS = 0;
const DETECTOR_PEAK = 1;
const HIGHPASS_OFF = 0;
const HIGHPASS_ON = 1;
const NO = 0;
const YES = 1;

// Slots of a peak-hold state (one Float64Array per channel), see `peakHold`.
const HOLD_HELD = 0;
const HOLD_CANDIDATE = 1;
const HOLD_HELD_AGE = 2;
const HOLD_CANDIDATE_AGE = 3;
const HOLD_SIZE = 4;

// Sidechain high-pass: coefficients in writeRbjCoefficients' layout, state [z1, z2] per channel.
const HP_B0 = 0;
const HP_B1 = 1;
const HP_B2 = 2;
const HP_A1 = 3;
const HP_A2 = 4;
const HP_Z1 = 0;
const HP_Z2 = 1;
const HP_STATE_SIZE = 2;

/**
 * Feed-forward compressor with soft knee, peak or RMS detection, stereo link, makeup (manual and
 * automatic), dry/wet mix, lookahead, an external sidechain with its own high-pass filter, and
 * gain-reduction read-outs.
 *
 * @example
 * ```ts
 * import { Compressor } from 'masterbus';
 * const comp = new Compressor({ thresholdDb: -24, ratio: 3, attackMs: 5, releaseMs: 120, makeupDb: 4 });
 * comp.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
 * const left = new Float32Array(128), right = new Float32Array(128);
 * const kick = new Float32Array(128);
 * comp.process([left, right]);                // detector listens to the input
 * comp.process([left, right], 128, [kick]);   // ducking: detector listens to the kick
 * console.log(comp.gainReductionDb, comp.maxGainReductionDb);
 * ```
 */
export class Compressor implements SidechainProcessor<CompressorOptions> {
  /** Type name used by {@link Compressor.toJSON}. */
  static readonly type = 'Compressor';
  /** Any channel count. */
  readonly channelRange = ANY_CHANNELS;
  /** The read-outs {@link Compressor.readMeters} writes: `gainReductionDb`, `maxGainReductionDb`. */
  readonly meterNames: readonly MeterName[] = Object.freeze(['gainReductionDb', 'maxGainReductionDb'] as const);
  /** Write {@link Compressor.meterNames}' values into `out[offset …]`; allocates nothing. */
  readMeters(out: Float64Array, offset: number): void {
    out[offset] = this.gainReductionDb;
    out[offset + 1] = this.maxGainReductionDb;
  }
  private opts: CompressorOptions;
  private spec: ProcessSpec | undefined;
  private delay = 0;
  private readonly makeup = new SmoothedValue('linear', 0);
  private readonly mixValue = new SmoothedValue('linear', 1);
  /** Per channel: peak-hold state (HOLD_* slots, see `peakHold`). */
  private holds: Float64Array[] = [];
  private rms: MovingAverage[] = [];
  /** Per channel: the detector level delay (for lookahead changes while running), length delay + 1. */
  private levelLines: Float64Array[] = [];
  /** Per channel: the audio delay line, length `delay`. */
  private lines: Float32Array[] = [];
  private levels: Float64Array[] = [];
  private makeupBuf = new Float64Array(0);
  /** [makeup target dB, mix target] handed to the smoothers. */
  private readonly targets = new Float64Array(2);
  private mixBuf = new Float64Array(0);
  /** Per channel: [z1, z2] of the sidechain high-pass (HP_STATE_SIZE values from 2·c). */
  private hpState = new Float64Array(0);
  /** High-pass coefficients (HP_* slots). */
  private readonly hp = new Float64Array(5);
  /** Per channel: the gain reduction envelope y (dB). */
  private env = new Float64Array(0);
  /** The shared table of `pow2` (taken at the first `prepare()`). */
  private pow2Table: Float64Array = new Float64Array(0);
  /**
   * Everything `process()` reads, in typed arrays (never `this.opts`: `set()` replaces that object,
   * and objects of changing shapes or double fields in the audio path make V8 box numbers).
   * Slots K_* (doubles) and ST_* (integers).
   */
  private readonly k = new Float64Array(K_SIZE);
  private readonly st = new Int32Array(ST_SIZE);
  private linkMax = new Float64Array(0);
  /** The number options as derived state reads them (see {@link LiveNumbers}). */
  private readonly live = new LiveNumbers(LIVE_KEYS, COMPRESSOR_RULES);

  /** Create a compressor; omitted options take {@link COMPRESSOR_DEFAULTS}. Throws on bad options. */
  constructor(options: Partial<CompressorOptions> = {}) {
    this.opts = { ...COMPRESSOR_DEFAULTS, ...validateOptions<CompressorOptions>(OWNER, options, COMPRESSOR_RULES) };
    this.live.load(this.opts);
    this.makeup.setImmediate(this.makeupTargetDb());
    this.mixValue.setImmediate(this.opts.mix);
    this.updateCoefficients();
  }

  /** Defaults of its options. */
  static readonly defaults = COMPRESSOR_DEFAULTS;
  /** Validation rules of its options: the one source of their ranges and units (see `describeOptions`). */
  static readonly rules = COMPRESSOR_RULES;

  /** Rebuild from {@link Compressor.toJSON} output (validated like the constructor's options). */
  static fromJSON(json: ProcessorJSON): Compressor {
    return new Compressor(paramsFromJSON(Compressor, json));
  }

  /** The current parameters. */
  get params(): CompressorOptions {
    this.live.sync(this.opts);
    return { ...this.opts };
  }

  /** Delay in samples: round(lookaheadMs · fs / 1000) at `prepare()` (0 before). */
  get latency(): number {
    return this.delay;
  }

  /** Current gain reduction in dB (≥ 0; the largest over channels). Makeup is not included. */
  get gainReductionDb(): number {
    return this.k[K_GR];
  }

  /** Largest gain reduction in dB since `prepare()`, `reset()` or {@link Compressor.resetMeters}. */
  get maxGainReductionDb(): number {
    return this.k[K_MAX_GR];
  }

  /** Restart the maximum gain-reduction read-out. */
  resetMeters(): void {
    this.k[K_MAX_GR] = this.k[K_GR];
  }

  /** Change parameters. Validated first: a bad value throws and changes nothing. */
  set(options: Partial<CompressorOptions>): this {
    const o = validateOptions<CompressorOptions>(OWNER, options, COMPRESSOR_RULES);
    this.live.sync(this.opts);
    this.opts = { ...this.opts, ...o };
    this.live.load(this.opts);
    const fs = this.spec?.sampleRate;
    if (o.smoothingMs !== undefined && fs !== undefined) {
      this.makeup.setRampLength(fs, o.smoothingMs / 1000);
      this.mixValue.setRampLength(fs, o.smoothingMs / 1000);
    }
    this.apply();
    return this;
  }

  /**
   * The range of a number option {@link Compressor.setParam} can change: every number option but
   * `lookaheadMs` (it sets the latency) and `smoothingMs`.
   */
  paramRange(name: string): NumberRange | undefined {
    return numberOptionRange(COMPRESSOR_RULES, name, COMPRESSOR_FIXED);
  }

  /** Change one number option without allocating (for automation; the contract's `setParam`): as `set()` would, clamped to its range. */
  setParam(name: string, values: Float64Array, index: number): void {
    // (The mirrored options are exactly the automatable ones: no rule table read on the audio thread.)
    const live = this.live;
    if (live.put(live.slot(name), values, index)) this.apply();
  }

  /** Smoother targets and coefficients from the options (after a change). */
  private apply(): void {
    if (this.spec !== undefined) {
      // (Through typed arrays: this runs on the audio thread from setParam(), and a number passed
      // to a call that is not inlined is boxed.)
      const n = this.live.values;
      const t = this.targets;
      t[0] = n[N_MAKEUP];
      if (this.opts.autoMakeup) t[0] += compressorGainReductionDb(0, n[N_THRESHOLD], n[N_RATIO], n[N_KNEE]);
      t[1] = n[N_MIX];
      this.makeup.setTargetAt(t, 0);
      this.mixValue.setTargetAt(t, 1);
    } else {
      this.makeup.setImmediate(this.makeupTargetDb());
      this.mixValue.setImmediate(this.live.values[N_MIX]);
    }
    this.updateCoefficients();
  }

  prepare(spec: ProcessSpec): void {
    const s = validateSpec(OWNER, spec, this.channelRange);
    const fs = s.sampleRate;
    this.spec = s;
    this.pow2Table = pow2Table();
    this.delay = Math.round((this.opts.lookaheadMs * fs) / 1000);
    const rmsCap = Math.max(1, Math.round((MAX_RMS_MS * fs) / 1000));
    this.holds = [];
    this.rms = [];
    this.levelLines = [];
    this.lines = [];
    this.levels = [];
    for (let c = 0; c < s.channels; c++) {
      this.holds.push(new Float64Array(HOLD_SIZE));
      this.rms.push(new MovingAverage(rmsCap));
      this.levelLines.push(new Float64Array(this.delay + 1));
      this.lines.push(new Float32Array(Math.max(1, this.delay)));
      this.levels.push(new Float64Array(CHUNK));
    }
    this.makeupBuf = new Float64Array(CHUNK);
    this.linkMax = new Float64Array(CHUNK);
    this.mixBuf = new Float64Array(CHUNK);
    this.hpState = new Float64Array(HP_STATE_SIZE * s.channels);
    this.env = new Float64Array(s.channels);
    this.makeup.reset(fs, this.opts.smoothingMs / 1000);
    this.mixValue.reset(fs, this.opts.smoothingMs / 1000);
    this.updateCoefficients();
    primeProcessor(this, s);
    primeChanges(this, s);
    this.reset();
  }

  reset(): void {
    for (let i = 0; i < this.holds.length; i++) this.holds[i].fill(0);
    for (let i = 0; i < this.rms.length; i++) this.rms[i].reset();
    for (let i = 0; i < this.levelLines.length; i++) this.levelLines[i].fill(0);
    for (let i = 0; i < this.lines.length; i++) this.lines[i].fill(0);
    this.hpState.fill(0);
    this.env.fill(0);
    this.makeup.jumpToTarget();
    this.mixValue.jumpToTarget();
    const st = this.st;
    st[ST_LINE_INDEX] = 0;
    st[ST_LEVEL_INDEX] = 0;
    st[ST_SINGLE_DETECTOR] = NO;
    st[ST_SHARED_COMPUTER] = NO;
    st[ST_GRID_PHASE] = 0;
    const k = this.k;
    k[K_GR] = 0;
    k[K_MAX_GR] = 0;
    k[K_LAST_LEVEL] = -1;
    k[K_LAST_GR] = 0;
  }

  /**
   * Compress `block` in place. With `sidechain` (one array per channel, or fewer: channel c uses
   * `sidechain[min(c, length − 1)]`) the detector listens to it instead of the input; `frames` is
   * then also clamped to the sidechain arrays' length.
   */
  process(block: readonly Float32Array[], frames?: number, sidechain?: readonly Float32Array[]): void {
    const spec = this.spec;
    if (spec === undefined) return;
    const channels = usableChannels(block, spec.channels);
    let n = safeFrameCount(block, channels, frames);
    // The sidechain's usable arrays (see usableChannels); none usable: the detector hears the input.
    const scCount = sidechain === undefined ? 0 : usableChannels(sidechain, SPEC_LIMITS.maxChannels);
    const sc = scCount > 0 ? sidechain : undefined;
    if (sc !== undefined) for (let i = 0; i < scCount; i++) if (sc[i].length < n) n = sc[i].length;
    if (!(n > 0)) return;
    const st = this.st;
    let pos = 0;
    while (pos < n) {
      // Up to the next grid point (or the end of the block).
      const phase = st[ST_GRID_PHASE];
      const len = n - pos < CHUNK - phase ? n - pos : CHUNK - phase;
      if (sc === undefined) this.chunk(block, channels, pos, len, block, channels);
      else this.chunk(block, channels, pos, len, sc, scCount);
      pos += len;
      if (phase + len === CHUNK) {
        st[ST_GRID_PHASE] = 0;
        this.flush();
      } else st[ST_GRID_PHASE] = phase + len;
    }
  }

  /**
   * At each grid point: envelopes below ENVELOPE_FLOOR become 0, and high-pass state that is
   * denormal-bound (below 1e-50) or absurd is cleared (`sanitize`). Between grid points (≤ CHUNK
   * samples) no decay takes them from there into the subnormal range (< 2.2e-308): over 256
   * samples a 1 ms release at 8 kHz falls by e^−32, the fastest high-pass state by about 1e-98.
   */
  private flush(): void {
    const env = this.env;
    for (let c = 0; c < env.length; c++) if (env[c] < ENVELOPE_FLOOR) env[c] = 0;
    sanitize(this.hpState, 0, this.hpState.length);
  }

  private chunk(block: readonly Float32Array[], channels: number, pos: number, n: number, source: readonly Float32Array[], sources: number): void {
    const k = this.k;
    const st = this.st;
    const detector = st[ST_DETECTOR];
    const highpass = st[ST_HIGHPASS];
    const delay = st[ST_DELAY];
    const peakMode = detector === DETECTOR_PEAK;
    const linked = channels === 1 || k[K_LINK] === 1;
    // The common case in one pass: peak detector, full link, mono or stereo, the input as its own
    // detector, no high-pass, no lookahead, steady makeup, fully wet. Same arithmetic as below.
    if (
      peakMode && linked && channels <= 2 && source === block && highpass === HIGHPASS_OFF && delay === 0 &&
      !this.makeup.isSmoothing && this.mixValue.isSteadyAt(1)
    ) {
      if (st[ST_SINGLE_DETECTOR] === NO) st[ST_SINGLE_DETECTOR] = YES;
      k[K_GR] = 0;
      // (Written by the smoother itself: a double read from a getter V8 does not inline is boxed.)
      this.makeup.writeTarget(k, K_STEADY_MAKEUP);
      compressPeakLinked(block[0], block[channels - 1], pos, n, this.holds[0], st[ST_HOLD], k, this.env, this.pow2Table);
      return;
    }
    const levels = this.levels;
    // A full link in peak mode: the held maximum over channels is (up to the hold's bookkeeping)
    // the maximum of the per-channel held maxima, so one detector on max_c |v| does the work.
    const single = linked && peakMode;
    const fused = single && channels === 2 && highpass === HIGHPASS_OFF && sources >= 2;
    // 1–2: detector level per channel (after the sidechain high-pass): |v| or v².
    if (fused) detectMax2(source[0], source[1], pos, n, levels[0]);
    else {
      for (let c = 0; c < channels; c++) {
        detect(source[c < sources ? c : sources - 1], pos, n, levels[c], this.hp, this.hpState, HP_STATE_SIZE * c, highpass, detector);
      }
    }
    if (single && channels > 1 && !fused) {
      const l0 = levels[0];
      for (let c = 1; c < channels; c++) {
        const lc = levels[c];
        for (let i = 0; i < n; i++) if (lc[i] > l0[i]) l0[i] = lc[i];
      }
    }
    if (st[ST_SINGLE_DETECTOR] === YES && !single) this.unlink(channels);
    st[ST_SINGLE_DETECTOR] = single ? YES : NO;
    const detectors = single ? 1 : channels;
    const hold = st[ST_HOLD];
    for (let c = 0; c < detectors; c++) {
      const lvl = levels[c];
      if (peakMode) peakHold(lvl, n, this.holds[c], hold);
      else this.rms[c].process(lvl, lvl, n);
      // 3: lookahead. The level line delays the level by (latency − advance) samples.
      delayLevels(lvl, n, this.levelLines[c], st[ST_LEVEL_INDEX], delay - st[ST_ADVANCE]);
    }
    advanceLine(st, ST_LEVEL_INDEX, n, delay + 1);
    // 4: stereo link (RMS, or partial link): (1 − λ)·own + λ·max over channels. With a full link
    // every channel gets the same level, max over channels: computed once, into channel 0, and
    // one gain computer serves all channels.
    const link = k[K_LINK];
    const shared = linked;
    if (!shared && st[ST_SHARED_COMPUTER] === YES) for (let c = 1; c < channels; c++) this.env[c] = this.env[0];
    st[ST_SHARED_COMPUTER] = shared ? YES : NO;
    if (shared && !single && channels > 1) {
      const l0 = levels[0];
      for (let c = 1; c < channels; c++) {
        const lc = levels[c];
        for (let i = 0; i < n; i++) if (lc[i] > l0[i]) l0[i] = lc[i];
      }
    } else if (!single && channels > 1 && link > 0) {
      const l0 = levels[0];
      const m = this.linkMax;
      for (let i = 0; i < n; i++) m[i] = l0[i];
      for (let c = 1; c < channels; c++) {
        const lc = levels[c];
        for (let i = 0; i < n; i++) if (lc[i] > m[i]) m[i] = lc[i];
      }
      for (let c = 0; c < channels; c++) {
        const lc = levels[c];
        for (let i = 0; i < n; i++) lc[i] = lc[i] + link * (m[i] - lc[i]);
      }
    }
    // 5–6: gain computer and ballistics; each level array becomes its gain (linear, with makeup).
    this.makeup.fill(this.makeupBuf, n);
    // Fully wet for this whole chunk only if the mix was steady at 1 before it: asked after
    // fill(), a ramp ending inside the chunk would read as steady and skip its last samples.
    const wet = this.mixValue.isSteadyAt(1);
    this.mixValue.fill(this.mixBuf, n);
    k[K_GR] = 0;
    const computers = shared ? 1 : channels;
    for (let c = 0; c < computers; c++) gainComputer(levels[c], n, k, this.env, c, this.makeupBuf, this.pow2Table);
    // 7: mix with the delayed audio. Common case first: no lookahead, fully wet, one gain.
    if (delay === 0 && single && wet) {
      const g = levels[0];
      for (let c = 0; c < channels; c++) {
        const x = block[c];
        for (let i = 0; i < n; i++) x[pos + i] *= g[i];
      }
    } else {
      const at = st[ST_LINE_INDEX];
      for (let c = 0; c < channels; c++) {
        applyGain(block[c], pos, n, this.lines[c], at, delay, levels[shared ? 0 : c], this.mixBuf);
      }
    }
    advanceLine(st, ST_LINE_INDEX, n, delay);
  }

  /** Leaving the single-detector path: every channel's detector takes over the shared state. */
  private unlink(channels: number): void {
    for (let c = 1; c < channels; c++) {
      this.holds[c].set(this.holds[0]);
      this.levelLines[c].set(this.levelLines[0]);
      this.env[c] = this.env[0];
    }
  }

  toJSON(): ProcessorJSON {
    return processorJSON(Compressor.type, this.params);
  }

  /** The makeup the smoother heads for: manual plus, with autoMakeup, the reduction at 0 dBFS. */
  private makeupTargetDb(): number {
    const n = this.live.values;
    return n[N_MAKEUP] + (this.opts.autoMakeup ? compressorGainReductionDb(0, n[N_THRESHOLD], n[N_RATIO], n[N_KNEE]) : 0);
  }

  private updateCoefficients(): void {
    const o = this.opts;
    // Number options from the live mirror (setParam() changes them there).
    const n = this.live.values;
    const fs = this.spec?.sampleRate ?? 48000;
    const k = this.k;
    const st = this.st;
    k[K_ATTACK] = n[N_ATTACK] > 0 ? Math.exp(-1000 / (n[N_ATTACK] * fs)) : 0;
    k[K_RELEASE] = Math.exp(-1000 / (n[N_RELEASE] * fs));
    k[K_THRESHOLD] = n[N_THRESHOLD];
    k[K_SLOPE] = 1 - 1 / n[N_RATIO];
    k[K_HALF_KNEE] = n[N_KNEE] / 2;
    k[K_INV_TWO_KNEE] = n[N_KNEE] > 0 ? 1 / (2 * n[N_KNEE]) : 0;
    const peak = o.detector === 'peak';
    k[K_LEVEL_SCALE] = peak ? 20 : 10;
    k[K_LINK] = n[N_LINK];
    // The gain computer's one-entry cache is for these settings only.
    k[K_LAST_LEVEL] = -1;
    st[ST_DETECTOR] = peak ? DETECTOR_PEAK : DETECTOR_RMS;
    st[ST_DELAY] = this.delay;
    // Levels at or below the knee's start get no reduction: compare linearly, skip the log.
    k[K_KNEE_START] = Math.pow(10, (n[N_THRESHOLD] - n[N_KNEE] / 2) / k[K_LEVEL_SCALE]);
    if (this.spec) {
      st[ST_HOLD] = Math.max(1, Math.round((n[N_HOLD] * fs) / 1000));
      const window = Math.max(1, Math.round((n[N_RMS_WINDOW] * fs) / 1000));
      for (let c = 0; c < this.rms.length; c++) this.rms[c].setWindow(window);
      st[ST_ADVANCE] = Math.min(this.delay, Math.round((o.lookaheadMs * fs) / 1000));
      const f = n[N_HIGHPASS];
      st[ST_HIGHPASS] = f > 0 ? HIGHPASS_ON : HIGHPASS_OFF;
      if (f > 0) writeRbjCoefficients(this.hp, 0, 'highpass', f, fs, Math.SQRT1_2, 0, 1);
    }
  }
}

/**
 * Detector input of one channel into `lvl[0..n)`: the source through the optional high-pass,
 * then |v| (peak) or v² (RMS). Non-finite or absurd values (|x| ≥ 1e30) are read as 0, sample by
 * sample and before the filter, so they never reach its state: the output cannot depend on where
 * blocks end.
 */
function detect(src: Float32Array, pos: number, n: number, lvl: Float64Array, hp: Float64Array, hps: Float64Array, so: number, highpass: number, detector: number): void {
  if (highpass === HIGHPASS_ON) highpassInto(src, pos, n, lvl, hp, hps, so);
  else for (let i = 0; i < n; i++) lvl[i] = src[pos + i];
  if (detector === DETECTOR_PEAK) {
    for (let i = 0; i < n; i++) {
      const v = lvl[i];
      const a = v < 0 ? -v : v;
      lvl[i] = a < 1e30 ? a : 0;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const a = lvl[i] * lvl[i];
      lvl[i] = a < 1e30 ? a : 0;
    }
  }
}

/**
 * The sidechain high-pass (RBJ cookbook Butterworth, TDF-II as in filters/biquad-kernel.ts) over
 * `src[pos..pos + n)` into `out`, each input sample read as 0 when it is NaN, ±Infinity or
 * |x| ≥ 1e30. A stable filter fed bounded input keeps a bounded state: no sample can poison it.
 */
function highpassInto(src: Float32Array, pos: number, n: number, out: Float64Array, c: Float64Array, state: Float64Array, so: number): void {
  const b0 = c[HP_B0], b1 = c[HP_B1], b2 = c[HP_B2], a1 = c[HP_A1], a2 = c[HP_A2];
  let z1 = state[so + HP_Z1];
  let z2 = state[so + HP_Z2];
  for (let i = 0; i < n; i++) {
    let x = src[pos + i];
    if (!(x < 1e30 && x > -1e30)) x = 0;
    const y = b0 * x + z1;
    z1 = b1 * x + z2 - a1 * y;
    z2 = b2 * x - a2 * y;
    out[i] = y;
  }
  state[so + HP_Z1] = z1;
  state[so + HP_Z2] = z2;
}

/**
 * Delay `lvl[0..n)` by `lag` samples through `line` (write index `w`, advanced by the caller), so
 * the detector runs (latency − lag) samples ahead of the audio. lag 0 only records the history.
 */
function delayLevels(lvl: Float64Array, n: number, line: Float64Array, w: number, lag: number): void {
  const len = line.length;
  if (len < 2) return;
  if (lag > 0) {
    for (let i = 0; i < n; i++) {
      let r = w - lag;
      if (r < 0) r += len;
      line[w] = lvl[i];
      lvl[i] = line[r];
      w++;
      if (w === len) w = 0;
    }
  } else {
    for (let i = 0; i < n; i++) {
      line[w] = lvl[i];
      w++;
      if (w === len) w = 0;
    }
  }
}

/** Advance the ring index st[slot] by n within a ring of `len` (no-op for len < 2). */
function advanceLine(st: Int32Array, slot: number, n: number, len: number): void {
  if (len < 2) return;
  st[slot] = (st[slot] + n) % len;
}

/**
 * Gain computer, ballistics and gain over one detector: `lvl` (linear level) becomes the linear
 * gain 10^((makeup − y)/20), y the GR envelope in dB (env[c]). The level repeats often (a held
 * peak stays put for many samples), so the last one's GR is reused instead of taking the
 * logarithm again. The power of ten is 2^z by table and polynomial (`pow2`): a library call
 * per sample would cost more than everything else here.
 */
function gainComputer(lvl: Float64Array, n: number, k: Float64Array, env: Float64Array, c: number, makeup: Float64Array, table: Float64Array): void {
  const attack = k[K_ATTACK], release = k[K_RELEASE], thr = k[K_THRESHOLD], slope = k[K_SLOPE];
  const halfKnee = k[K_HALF_KNEE], invTwoKnee = k[K_INV_TWO_KNEE], kneeStart = k[K_KNEE_START], scale = k[K_LEVEL_SCALE];
  let lastLevel = k[K_LAST_LEVEL];
  let lastGr = k[K_LAST_GR];
  let maxGr = k[K_MAX_GR];
  let y = env[c];
  for (let i = 0; i < n; i++) {
    const l = lvl[i];
    let gr = 0;
    if (l === lastLevel) gr = lastGr;
    else if (l > kneeStart) {
      // kneeGainReduction, written out: this branch runs about once per block (when the held
      // level changes), too rarely for V8 to be sure to inline a call, and a call it does not
      // inline boxes its double arguments and result (16 B per block, seen in CI).
      const over = scale * Math.log10(l) - thr;
      if (over >= halfKnee) gr = slope * over;
      else {
        const d = over + halfKnee;
        gr = slope * d * d * invTwoKnee;
      }
      lastLevel = l;
      lastGr = gr;
    }
    y = ballistics(y, gr, attack, release);
    if (y > maxGr) maxGr = y;
    // 10^((makeup − y)/20) = 2^z.
    const z = (makeup[i] - y) * LOG2_10_20;
    let g = 1;
    if (z !== 0) g = pow2(table, z);
    lvl[i] = g;
  }
  env[c] = y;
  if (y > k[K_GR]) k[K_GR] = y;
  k[K_MAX_GR] = maxGr;
  k[K_LAST_LEVEL] = lastLevel;
  k[K_LAST_GR] = lastGr;
}

/** log2(10)/20: 10^(x/20) = 2^(x·LOG2_10_20). A literal, so that importing the module computes nothing. */
const LOG2_10_20 = 0.1660964047443681;
/** 2^(i/64 − 1000) for i in [0, 128000]: the whole and 1/64 parts of 2^z in one lookup. */
const POW2_STEPS = 64;
/** 1000 · POW2_STEPS: the table covers 2^−1000 to 2^1000. */
const POW2_OFFSET = 64000;
/** The table of `pow2` (1 MB), built by the first `prepare()` of any compressor and shared. */
let pow2Shared: Float64Array | undefined;

/** The shared table of `pow2`, built on first use: importing the module does no work. */
function pow2Table(): Float64Array {
  if (pow2Shared === undefined) {
    const t = new Float64Array(2 * POW2_OFFSET + 1);
    for (let i = 0; i < t.length; i++) t[i] = Math.pow(2, (i - POW2_OFFSET) / POW2_STEPS);
    pow2Shared = t;
  }
  return pow2Shared;
}

/**
 * The table once some compressor has been prepared, `undefined` before. For tests.
 * @internal
 */
export function compressorPow2TableIfBuilt(): Float64Array | undefined {
  return pow2Shared;
}

/**
 * 2^z to within 1e-10 (relative): 2^(j/64) from the table (j = round(64·z)), times e^r for the
 * remainder |r| ≤ ln2/128 by its Taylor series to r³ (error < r⁴/24 ≈ 1e-10). Small enough to
 * be inlined (a returned double is only boxed when it is not). The table is an argument: it is
 * built at the first `prepare()`, not at import.
 */
const pow2 = function (table: Float64Array, z: number): number {
  let j = Math.round(z * POW2_STEPS);
  if (j < -POW2_OFFSET) j = -POW2_OFFSET;
  else if (j > POW2_OFFSET) j = POW2_OFFSET;
  const r = (z - j / POW2_STEPS) * Math.LN2;
  return table[j + POW2_OFFSET] * (1 + r * (1 + r * (0.5 + r * (1 / 6))));
};

/** Stereo peak detector input without a high-pass: max(|l|, |r|) into lvl (non-finite ignored). */
function detectMax2(l: Float32Array, r: Float32Array, pos: number, n: number, lvl: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const a = l[pos + i];
    const b = r[pos + i];
    let aa = a < 0 ? -a : a;
    let bb = b < 0 ? -b : b;
    if (!(aa < 1e30)) aa = 0;
    if (!(bb < 1e30)) bb = 0;
    lvl[i] = aa > bb ? aa : bb;
  }
}

/**
 * Peak hold over `hold` samples, O(1) per sample: the level is the largest |x| seen since it was
 * taken (refreshed by any value at least as large), and when it is `hold` samples old it gives way
 * to the largest value seen after it (a second slot). For a steady tone whose half period is
 * shorter than the hold this is its exact peak, without ripple; after a drop the old peak is held
 * for between `hold` and 2·`hold` samples. State: HOLD_* slots of `hs`.
 */
function peakHold(lvl: Float64Array, n: number, hs: Float64Array, hold: number): void {
  let a = hs[HOLD_HELD];
  let b = hs[HOLD_CANDIDATE];
  let ageA = hs[HOLD_HELD_AGE];
  let ageB = hs[HOLD_CANDIDATE_AGE];
  for (let i = 0; i < n; i++) {
    const v = lvl[i];
    if (v >= a) {
      a = v;
      ageA = 0;
      b = 0;
      ageB = 0;
    } else if (v >= b) {
      b = v;
      ageB = 0;
    }
    if (ageA >= hold) {
      a = b;
      ageA = ageB;
      b = v;
      ageB = 0;
    }
    lvl[i] = a;
    ageA++;
    ageB++;
  }
  hs[HOLD_HELD] = a;
  hs[HOLD_CANDIDATE] = b;
  hs[HOLD_HELD_AGE] = ageA;
  hs[HOLD_CANDIDATE_AGE] = ageB;
}

/**
 * out = dry + mix·(dry·g − dry) in place, with dry the input delayed by d samples through `line`
 * (read/write index `idx`, advanced by the caller).
 */
function applyGain(x: Float32Array, pos: number, n: number, line: Float32Array, idx: number, d: number, g: Float64Array, mix: Float64Array): void {
  // The lookahead: the library's one delay kernel (core/delay-line.ts), in place, then the gain.
  if (d > 0) delayInPlace(line, idx, x, pos, n);
  for (let i = 0; i < n; i++) {
    const dry = x[pos + i];
    const wet = dry * g[i];
    const m = mix[i];
    x[pos + i] = m === 1 ? wet : dry + m * (wet - dry);
  }
}

/**
 * The whole compressor for its most common setting, in one pass: `l` and `r` (the same array for
 * mono) are their own detector (max |x|), peak hold, gain computer, ballistics and a steady makeup
 * K_STEADY_MAKEUP, fully wet, no lookahead. Exactly the arithmetic of detectMax2 → peakHold →
 * gainComputer → gain, fused so that each sample is loaded and stored once.
 */
function compressPeakLinked(l: Float32Array, r: Float32Array, pos: number, n: number, hs: Float64Array, hold: number, k: Float64Array, env: Float64Array, table: Float64Array): void {
  const attack = k[K_ATTACK], release = k[K_RELEASE], thr = k[K_THRESHOLD], slope = k[K_SLOPE];
  const halfKnee = k[K_HALF_KNEE], invTwoKnee = k[K_INV_TWO_KNEE], kneeStart = k[K_KNEE_START], scale = k[K_LEVEL_SCALE];
  const makeup = k[K_STEADY_MAKEUP];
  let lastLevel = k[K_LAST_LEVEL];
  let lastGr = k[K_LAST_GR];
  let maxGr = k[K_MAX_GR];
  let y = env[0];
  let ha = hs[HOLD_HELD];
  let hb = hs[HOLD_CANDIDATE];
  let ageA = hs[HOLD_HELD_AGE];
  let ageB = hs[HOLD_CANDIDATE_AGE];
  for (let i = 0; i < n; i++) {
    const xl = l[pos + i];
    const xr = r[pos + i];
    let aa = xl < 0 ? -xl : xl;
    let bb = xr < 0 ? -xr : xr;
    if (!(aa < 1e30)) aa = 0;
    if (!(bb < 1e30)) bb = 0;
    const v = aa > bb ? aa : bb;
    if (v >= ha) {
      ha = v;
      ageA = 0;
      hb = 0;
      ageB = 0;
    } else if (v >= hb) {
      hb = v;
      ageB = 0;
    }
    if (ageA >= hold) {
      ha = hb;
      ageA = ageB;
      hb = v;
      ageB = 0;
    }
    ageA++;
    ageB++;
    const lv = ha;
    let gr = 0;
    if (lv === lastLevel) gr = lastGr;
    else if (lv > kneeStart) {
      // kneeGainReduction, written out: this branch runs about once per block (when the held
      // level changes), too rarely for V8 to be sure to inline a call, and a call it does not
      // inline boxes its double arguments and result (16 B per block, seen in CI).
      const over = scale * Math.log10(lv) - thr;
      if (over >= halfKnee) gr = slope * over;
      else {
        const d = over + halfKnee;
        gr = slope * d * d * invTwoKnee;
      }
      lastLevel = lv;
      lastGr = gr;
    }
    y = ballistics(y, gr, attack, release);
    if (y > maxGr) maxGr = y;
    const z = (makeup - y) * LOG2_10_20;
    if (z !== 0) {
      const g = pow2(table, z);
      l[pos + i] = xl * g;
      // For mono l and r are the same array: scale once.
      if (r !== l) r[pos + i] = xr * g;
    }
  }
  env[0] = y;
  if (y > k[K_GR]) k[K_GR] = y;
  k[K_MAX_GR] = maxGr;
  k[K_LAST_LEVEL] = lastLevel;
  k[K_LAST_GR] = lastGr;
  hs[HOLD_HELD] = ha;
  hs[HOLD_CANDIDATE] = hb;
  hs[HOLD_HELD_AGE] = ageA;
  hs[HOLD_CANDIDATE_AGE] = ageB;
}
