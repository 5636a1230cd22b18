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
 * @module
 */
import { DEFAULT_SMOOTHING_MS, SMOOTHING_RANGE } from '../core/options.js';
import { SPEC_LIMITS, safeFrameCount, usableChannels, validateSpec, type ProcessSpec, type ProcessorJSON, type SidechainProcessor } from '../core/processor.js';
import { SmoothedValue } from '../core/smoothed-value.js';
import { checkObject, validateOptions, type OptionRule, describeValue } from '../core/validate.js';
import { primeProcessor } from '../core/prime.js';
import { writeRbjCoefficients } from '../filters/biquad-coefficients.js';
import { biquadMonoInto, sanitize } from '../filters/biquad-kernel.js';
import { MovingAverage } from './windows.js';
import { ANY_CHANNELS, type MeterName } from '../core/processor.js';

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
export const COMPRESSOR_DEFAULTS: Readonly<CompressorOptions> = Object.freeze({
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
export const COMPRESSOR_RULES: { readonly [K in keyof CompressorOptions]: OptionRule } = Object.freeze({
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
 * The static gain reduction in dB (≥ 0) for a level of `levelDb`: Giannoulis et al. eq. 4 with
 * threshold T, ratio R and knee width W. For plotting transfer curves.
 *
 * @example
 * ```ts
 * import { compressorGainReductionDb } from 'masterbus';
 * compressorGainReductionDb(-6, -18, 4, 0);   // 9: 12 dB over a 4:1 threshold comes out 3 dB over
 * ```
 */
export function compressorGainReductionDb(levelDb: number, thresholdDb: number, ratio: number, kneeDb: number): number {
  const slope = 1 - 1 / ratio;
  const over = levelDb - thresholdDb;
  if (2 * over <= -kneeDb) return 0;
  if (2 * over < kneeDb) {
    const d = over + kneeDb / 2;
    return (slope * d * d) / (2 * kneeDb);
  }
  return slope * over;
}

const OWNER = 'Compressor';
const CHUNK = 256;

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
  /** Per channel: peak-hold state [held, candidate, held age, candidate age] (see `peakHold`). */
  private holds: Float64Array[] = [];
  private rms: MovingAverage[] = [];
  /** Per channel: the detector level delay (for lookahead changes while running), length delay + 1. */
  private levelLines: Float64Array[] = [];
  /** Per channel: the audio delay line, length `delay`. */
  private lines: Float32Array[] = [];
  private levels: Float64Array[] = [];
  private makeupBuf = new Float64Array(0);
  private mixBuf = new Float64Array(0);
  /** Per channel: [z1, z2] of the sidechain high-pass. */
  private hpState = new Float64Array(0);
  /** High-pass coefficients b0, b1, b2, a1, a2. */
  private readonly hp = new Float64Array(5);
  /** Per channel: the gain reduction envelope y (dB). */
  private env = new Float64Array(0);
  /**
   * Everything `process()` reads, in typed arrays (never `this.opts`: `set()` replaces that object,
   * and objects of changing shapes or double fields in the audio path make V8 box numbers):
   * [α_attack, α_release, threshold, slope (1 − 1/R), knee, knee start (linear level), level
   * scale (20 peak, 10 RMS), current GR, max GR, stereo link, last level seen by the gain
   * computer, its GR, steady makeup (fast path)].
   */
  private readonly k = new Float64Array(13);
  /**
   * [line index, level-line index, detector advance (samples), high-pass on, peak mode, delay,
   * single shared detector in use, peak hold (samples), one gain computer for all channels].
   */
  private readonly st = new Int32Array(9);
  private linkMax = new Float64Array(0);

  /** Create a compressor; omitted options take {@link COMPRESSOR_DEFAULTS}. Throws on bad options. */
  constructor(options: Partial<CompressorOptions> = {}) {
    this.opts = { ...COMPRESSOR_DEFAULTS, ...validateOptions<CompressorOptions>(OWNER, options, COMPRESSOR_RULES) };
    this.makeup.setImmediate(this.makeupTargetDb());
    this.mixValue.setImmediate(this.opts.mix);
    this.updateCoefficients();
  }

  /** Rebuild a compressor from {@link Compressor.toJSON} output. */
  static fromJSON(json: ProcessorJSON): Compressor {
    const j = checkObject(OWNER, 'json', json);
    if (j.type !== Compressor.type) throw new TypeError(`Compressor.fromJSON: expected type "Compressor", got ${describeValue(j.type)}`);
    const params = { ...checkObject(OWNER, 'json.params', j.params) };
    if (params.ratio === 'Infinity') params.ratio = Infinity;
    return new Compressor(params as Partial<CompressorOptions>);
  }

  /** The current parameters. */
  get params(): CompressorOptions {
    return { ...this.opts };
  }

  /** Delay in samples: round(lookaheadMs · fs / 1000) at `prepare()` (0 before). */
  get latency(): number {
    return this.delay;
  }

  /** Current gain reduction in dB (≥ 0; the largest over channels). Makeup is not included. */
  get gainReductionDb(): number {
    return this.k[7];
  }

  /** Largest gain reduction in dB since `prepare()`, `reset()` or {@link Compressor.resetMeters}. */
  get maxGainReductionDb(): number {
    return this.k[8];
  }

  /** Restart the maximum gain-reduction read-out. */
  resetMeters(): void {
    this.k[8] = this.k[7];
  }

  /** Change parameters. Validated first: a bad value throws and changes nothing. */
  set(options: Partial<CompressorOptions>): this {
    const o = validateOptions<CompressorOptions>(OWNER, options, COMPRESSOR_RULES);
    this.opts = { ...this.opts, ...o };
    const fs = this.spec?.sampleRate;
    if (o.smoothingMs !== undefined && fs !== undefined) {
      this.makeup.setRampLength(fs, o.smoothingMs / 1000);
      this.mixValue.setRampLength(fs, o.smoothingMs / 1000);
    }
    if (fs !== undefined) {
      this.makeup.setTarget(this.makeupTargetDb());
      this.mixValue.setTarget(this.opts.mix);
    } else {
      this.makeup.setImmediate(this.makeupTargetDb());
      this.mixValue.setImmediate(this.opts.mix);
    }
    this.updateCoefficients();
    return this;
  }

  prepare(spec: ProcessSpec): void {
    const s = validateSpec(OWNER, spec, this.channelRange);
    const fs = s.sampleRate;
    this.spec = s;
    this.delay = Math.round((this.opts.lookaheadMs * fs) / 1000);
    const rmsCap = Math.max(1, Math.round((MAX_RMS_MS * fs) / 1000));
    this.holds = [];
    this.rms = [];
    this.levelLines = [];
    this.lines = [];
    this.levels = [];
    for (let c = 0; c < s.channels; c++) {
      this.holds.push(new Float64Array(4));
      this.rms.push(new MovingAverage(rmsCap));
      this.levelLines.push(new Float64Array(this.delay + 1));
      this.lines.push(new Float32Array(Math.max(1, this.delay)));
      this.levels.push(new Float64Array(CHUNK));
    }
    this.makeupBuf = new Float64Array(CHUNK);
    this.linkMax = new Float64Array(CHUNK);
    this.mixBuf = new Float64Array(CHUNK);
    this.hpState = new Float64Array(2 * s.channels);
    this.env = new Float64Array(s.channels);
    this.makeup.reset(fs, this.opts.smoothingMs / 1000);
    this.mixValue.reset(fs, this.opts.smoothingMs / 1000);
    this.updateCoefficients();
    primeProcessor(this, s);
    this.reset();
  }

  reset(): void {
    for (const h of this.holds) h.fill(0);
    for (const r of this.rms) r.reset();
    for (const l of this.levelLines) l.fill(0);
    for (const l of this.lines) l.fill(0);
    this.hpState.fill(0);
    this.env.fill(0);
    this.makeup.setImmediate(this.makeup.target);
    this.mixValue.setImmediate(this.mixValue.target);
    this.st[0] = 0;
    this.st[1] = 0;
    this.st[6] = 0;
    this.st[8] = 0;
    this.k[7] = 0;
    this.k[8] = 0;
    this.k[10] = -1;
    this.k[11] = 0;
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
    for (let pos = 0; pos < n; pos += CHUNK) {
      const len = n - pos < CHUNK ? n - pos : CHUNK;
      if (sc === undefined) this.chunk(block, channels, pos, len, block, channels);
      else this.chunk(block, channels, pos, len, sc, scCount);
    }
  }

  private chunk(block: readonly Float32Array[], channels: number, pos: number, n: number, source: readonly Float32Array[], sources: number): void {
    const k = this.k;
    const st = this.st;
    const peakMode = st[4] === 1;
    const linked = channels === 1 || k[9] === 1;
    // The common case in one pass: peak detector, full link, mono or stereo, the input as its own
    // detector, no high-pass, no lookahead, steady makeup, fully wet. Same arithmetic as below.
    if (
      peakMode && linked && channels <= 2 && source === block && st[3] === 0 && st[5] === 0 &&
      !this.makeup.isSmoothing && !this.mixValue.isSmoothing && this.mixValue.target === 1
    ) {
      if (st[6] === 0) st[6] = 1;
      k[7] = 0;
      k[12] = this.makeup.target;
      compressPeakLinked(block[0], block[channels - 1], pos, n, this.holds[0], st[7], k, this.env);
      return;
    }
    const levels = this.levels;
    // A full link in peak mode: the held maximum over channels is (up to the hold's bookkeeping)
    // the maximum of the per-channel held maxima, so one detector on max_c |v| does the work.
    const single = linked && peakMode;
    const fused = single && channels === 2 && st[3] === 0 && sources >= 2;
    // 1–2: detector level per channel (after the sidechain high-pass): |v| or v².
    if (fused) detectMax2(source[0], source[1], pos, n, levels[0]);
    else for (let c = 0; c < channels; c++) detect(source[c < sources ? c : sources - 1], pos, n, levels[c], this.hp, this.hpState, 2 * c, st[3], st[4]);
    if (single && channels > 1 && !fused) {
      const l0 = levels[0];
      for (let c = 1; c < channels; c++) {
        const lc = levels[c];
        for (let i = 0; i < n; i++) if (lc[i] > l0[i]) l0[i] = lc[i];
      }
    }
    if (st[6] === 1 && !single) this.unlink(channels);
    st[6] = single ? 1 : 0;
    const detectors = single ? 1 : channels;
    for (let c = 0; c < detectors; c++) {
      const lvl = levels[c];
      if (peakMode) peakHold(lvl, n, this.holds[c], st[7]);
      else this.rms[c].process(lvl, lvl, n);
      // 3: lookahead. The level line delays the level by (latency − advance) samples.
      delayLevels(lvl, n, this.levelLines[c], st, 1, st[5] - st[2]);
    }
    advanceLine(st, 1, n, st[5] + 1);
    // 4: stereo link (RMS, or partial link): (1 − λ)·own + λ·max over channels. With a full link
    // every channel gets the same level, max over channels: computed once, into channel 0, and
    // one gain computer serves all channels.
    const link = k[9];
    const shared = linked;
    if (!shared && st[8] === 1) for (let c = 1; c < channels; c++) this.env[c] = this.env[0];
    st[8] = shared ? 1 : 0;
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
    this.mixValue.fill(this.mixBuf, n);
    k[7] = 0;
    const computers = shared ? 1 : channels;
    for (let c = 0; c < computers; c++) gainComputer(levels[c], n, k, this.env, c, this.makeupBuf);
    // 7: mix with the delayed audio. Common case first: no lookahead, fully wet, one gain.
    if (st[5] === 0 && single && !this.mixValue.isSmoothing && this.mixValue.target === 1) {
      const g = levels[0];
      for (let c = 0; c < channels; c++) {
        const x = block[c];
        for (let i = 0; i < n; i++) x[pos + i] *= g[i];
      }
    } else {
      for (let c = 0; c < channels; c++) {
        applyGain(block[c], pos, n, this.lines[c], st, st[5], levels[shared ? 0 : c], this.mixBuf);
      }
    }
    advanceLine(st, 0, n, st[5]);
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
    const params: Record<string, unknown> = { ...this.opts };
    if (params.ratio === Infinity) params.ratio = 'Infinity';
    return { type: Compressor.type, params };
  }

  /** The makeup the smoother heads for: manual plus, with autoMakeup, the reduction at 0 dBFS. */
  private makeupTargetDb(): number {
    const o = this.opts;
    return o.makeupDb + (o.autoMakeup ? compressorGainReductionDb(0, o.thresholdDb, o.ratio, o.kneeDb) : 0);
  }

  private updateCoefficients(): void {
    const o = this.opts;
    const fs = this.spec?.sampleRate ?? 48000;
    const k = this.k;
    k[0] = o.attackMs > 0 ? Math.exp(-1000 / (o.attackMs * fs)) : 0;
    k[1] = Math.exp(-1000 / (o.releaseMs * fs));
    k[2] = o.thresholdDb;
    k[3] = 1 - 1 / o.ratio;
    k[4] = o.kneeDb;
    const peak = o.detector === 'peak';
    k[6] = peak ? 20 : 10;
    k[9] = o.stereoLink;
    // The gain computer's one-entry cache is for these settings only.
    k[10] = -1;
    this.st[4] = peak ? 1 : 0;
    this.st[5] = this.delay;
    // Levels at or below the knee's start get no reduction: compare linearly, skip the log.
    k[5] = Math.pow(10, (o.thresholdDb - o.kneeDb / 2) / k[6]);
    if (this.spec) {
      this.st[7] = Math.max(1, Math.round((o.peakHoldMs * fs) / 1000));
      for (const r of this.rms) r.setWindow(Math.max(1, Math.round((o.rmsWindowMs * fs) / 1000)));
      this.st[2] = Math.min(this.delay, Math.round((o.lookaheadMs * fs) / 1000));
      const f = o.sidechainHighpassHz;
      this.st[3] = f > 0 ? 1 : 0;
      if (f > 0) writeRbjCoefficients(this.hp, 0, 'highpass', f, fs, Math.SQRT1_2, 0, 1);
    }
  }
}

/**
 * Detector input of one channel into `lvl[0..n)`: the source through the optional high-pass
 * (the library's TDF-II kernel, state at hps[so], hps[so + 1]), then |v| (peak) or v² (RMS).
 * Non-finite or absurd values are ignored (read as 0), and a poisoned or denormal-bound filter
 * state restarts from silence.
 */
function detect(src: Float32Array, pos: number, n: number, lvl: Float64Array, hp: Float64Array, hps: Float64Array, so: number, hpOn: number, peak: number): void {
  if (hpOn === 1) {
    biquadMonoInto(src, pos, n, lvl, hp, 0, hps, so);
    sanitize(hps, so, so + 2);
  } else {
    for (let i = 0; i < n; i++) lvl[i] = src[pos + i];
  }
  if (peak === 1) {
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
 * Delay `lvl[0..n)` by `lag` samples through `line` (write index st[at], not advanced here), so
 * the detector runs (latency − lag) samples ahead of the audio. lag 0 only records the history.
 */
function delayLevels(lvl: Float64Array, n: number, line: Float64Array, st: Int32Array, at: number, lag: number): void {
  const len = line.length;
  if (len < 2) return;
  let w = st[at];
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

/** Advance the ring index st[at] by n within a ring of `len` (no-op for len < 2). */
function advanceLine(st: Int32Array, at: number, n: number, len: number): void {
  if (len < 2) return;
  st[at] = (st[at] + n) % len;
}

/**
 * Gain computer, ballistics and gain over one detector: `lvl` (linear level) becomes the linear
 * gain 10^((makeup − y)/20), y the GR envelope in dB. k: [α_A, α_R, T, slope, W, knee start,
 * scale, current GR, max GR, link, last level, its GR]. The level repeats often (a held peak stays
 * put for many samples), so the last one's GR is reused instead of taking the logarithm again.
 * The power of ten is 2^z by table and polynomial ({@link pow2}): a library call per sample
 * would cost more than everything else here.
 */
function gainComputer(lvl: Float64Array, n: number, k: Float64Array, env: Float64Array, c: number, makeup: Float64Array): void {
  const aA = k[0], aR = k[1], thr = k[2], slope = k[3], knee = k[4], kneeStart = k[5], scale = k[6];
  const halfKnee = knee / 2;
  const invTwoKnee = knee > 0 ? 1 / (2 * knee) : 0;
  let lastLevel = k[10];
  let lastGr = k[11];
  let maxGr = k[8];
  let y = env[c];
  for (let i = 0; i < n; i++) {
    const l = lvl[i];
    let gr = 0;
    if (l === lastLevel) gr = lastGr;
    else if (l > kneeStart) {
      const over = scale * Math.log10(l) - thr;
      if (over >= halfKnee) gr = slope * over;
      else {
        const d = over + halfKnee;
        gr = slope * d * d * invTwoKnee;
      }
      lastLevel = l;
      lastGr = gr;
    }
    y = gr > y ? aA * y + (1 - aA) * gr : aR * y + (1 - aR) * gr;
    if (y > maxGr) maxGr = y;
    // 10^((makeup − y)/20) = 2^z.
    const z = (makeup[i] - y) * LOG2_10_20;
    let g = 1;
    if (z !== 0) g = pow2(z);
    lvl[i] = g;
  }
  // Far below any audible reduction: snap to 0 (keeps 1:1 exact and avoids denormals).
  if (y < 1e-30) y = 0;
  env[c] = y;
  if (y > k[7]) k[7] = y;
  k[8] = maxGr;
  k[10] = lastLevel;
  k[11] = lastGr;
}

const LOG2_10_20 = Math.log2(10) / 20;
/** 2^(i/64 − 1000) for i in [0, 128000]: the whole and 1/64 parts of 2^z in one lookup. */
const POW2_STEPS = 64;
const POW2_OFFSET = 1000 * POW2_STEPS;
const POW2 = new Float64Array(2 * POW2_OFFSET + 1).map((_, i) => Math.pow(2, (i - POW2_OFFSET) / POW2_STEPS));

/**
 * 2^z to within 1e-10 (relative): 2^(j/64) from the table (j = round(64·z)), times e^r for the
 * remainder |r| ≤ ln2/128 by its Taylor series to r³ (error < r⁴/24 ≈ 1e-10). Small enough to be
 * inlined (a returned double is only boxed when it is not).
 */
function pow2(z: number): number {
  let j = Math.round(z * POW2_STEPS);
  if (j < -POW2_OFFSET) j = -POW2_OFFSET;
  else if (j > POW2_OFFSET) j = POW2_OFFSET;
  const r = (z - j / POW2_STEPS) * Math.LN2;
  return POW2[j + POW2_OFFSET] * (1 + r * (1 + r * (0.5 + r * (1 / 6))));
}

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
 * for between `hold` and 2·`hold` samples. st: [held, candidate, held age, candidate age].
 */
function peakHold(lvl: Float64Array, n: number, st: Float64Array, hold: number): void {
  let a = st[0];
  let b = st[1];
  let ageA = st[2];
  let ageB = st[3];
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
  st[0] = a;
  st[1] = b;
  st[2] = ageA;
  st[3] = ageB;
}

/**
 * out = dry + mix·(dry·g − dry) in place, with dry the input delayed by d samples through `line`
 * (read/write index st[0], not advanced here).
 */
function applyGain(x: Float32Array, pos: number, n: number, line: Float32Array, st: Int32Array, d: number, g: Float64Array, mix: Float64Array): void {
  let idx = st[0];
  for (let i = 0; i < n; i++) {
    let dry = x[pos + i];
    if (d > 0) {
      const v = line[idx];
      line[idx] = dry;
      dry = v;
      idx++;
      if (idx === d) idx = 0;
    }
    const wet = dry * g[i];
    const m = mix[i];
    x[pos + i] = m === 1 ? wet : dry + m * (wet - dry);
  }
}

/**
 * The whole compressor for its most common setting, in one pass: `l` and `r` (the same array for
 * mono) are their own detector (max |x|), peak hold, gain computer, ballistics and a steady makeup
 * k[12], fully wet, no lookahead. Exactly the arithmetic of detectMax2 → peakHold → gainComputer
 * → gain, fused so that each sample is loaded and stored once.
 */
function compressPeakLinked(l: Float32Array, r: Float32Array, pos: number, n: number, hs: Float64Array, hold: number, k: Float64Array, env: Float64Array): void {
  const aA = k[0], aR = k[1], thr = k[2], slope = k[3], knee = k[4], kneeStart = k[5], scale = k[6];
  const makeup = k[12];
  const halfKnee = knee / 2;
  const invTwoKnee = knee > 0 ? 1 / (2 * knee) : 0;
  let lastLevel = k[10];
  let lastGr = k[11];
  let maxGr = k[8];
  let y = env[0];
  let ha = hs[0];
  let hb = hs[1];
  let ageA = hs[2];
  let ageB = hs[3];
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
      const over = scale * Math.log10(lv) - thr;
      if (over >= halfKnee) gr = slope * over;
      else {
        const d = over + halfKnee;
        gr = slope * d * d * invTwoKnee;
      }
      lastLevel = lv;
      lastGr = gr;
    }
    y = gr > y ? aA * y + (1 - aA) * gr : aR * y + (1 - aR) * gr;
    if (y > maxGr) maxGr = y;
    const z = (makeup - y) * LOG2_10_20;
    if (z !== 0) {
      const g = pow2(z);
      l[pos + i] = xl * g;
      // For mono l and r are the same array: scale once.
      if (r !== l) r[pos + i] = xr * g;
    }
  }
  if (y < 1e-30) y = 0;
  env[0] = y;
  if (y > k[7]) k[7] = y;
  k[8] = maxGr;
  k[10] = lastLevel;
  k[11] = lastGr;
  hs[0] = ha;
  hs[1] = hb;
  hs[2] = ageA;
  hs[3] = ageB;
}
