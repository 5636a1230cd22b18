/**
 * Loudness meter after ITU-R BS.1770-5 and EBU R 128 (Tech 3341 "EBU Mode", Tech 3342 LRA).
 *
 * - K-weighting per channel (see `k-weighting.ts`, any sample rate), mean square per 10 ms hop
 *   (round(fs/100) samples: exact at the usual rates; at e.g. 22.05 kHz a hop is 221 samples,
 *   10.02 ms, so windows run 0.23 % long),
 *   channel weights G (L, R, C: 1.0; LFE: excluded; surrounds: 1.41).
 * - Loudness of a window: `L = −0.691 + 10·log10(Σ_i G_i · mean(y_i²))` (BS.1770 eq. 2).
 * - Momentary: the last 400 ms; short-term: the last 3 s; both updated every 10 ms (so the maxima
 *   of short bursts are caught: Tech 3341 cases 10 and 13), history kept every 100 ms.
 * - Integrated (BS.1770 Annex 1 §5): 400 ms gating blocks with 75 % overlap (one every 100 ms);
 *   absolute gate −70 LUFS, relative gate 10 LU below the loudness of the blocks above the
 *   absolute gate; the result is the loudness of the mean energy of the blocks above both gates.
 * - Loudness range (EBU Tech 3342): short-term values (3 s windows, one per 100 ms hop) above
 *   −70 LUFS, relative gate 20 LU below their energy mean, LRA = 95th − 10th percentile.
 *   (One short-term value every 100 ms, as libebur128 and ffmpeg do.)
 * - Sample peak and true peak (`true-peak.ts`) per channel.
 *
 * Memory and time per readout do not grow with programme length: gating blocks and short-term
 * values go into histograms that keep, per bin, the block count *and the sum of the blocks'
 * energies*, so the gated means are exact and only the position of the relative gate and the
 * percentiles are quantised: to ≤ 0.005 LU (the bin width) for values from −70 to +40 LUFS, to
 * ≤ 0.1 LU from +40 to +820 LUFS (22 000 + 7 800 bins, 0.95 MB per meter).
 *
 * Why these limits. Every signal within full scale stays below +40 LUFS: the K-weighting cascade
 * has ‖h‖₁ < 3.45 (10.8 dB) at every rate from 8 to 384 kHz, so |y| ≤ 3.45·max|x| and a block's
 * loudness is at most −0.691 + 10·log10(ΣG) + 10.8 dB + 20·log10(max|x|); with the largest
 * weights allowed (64 channels of weight 10, ΣG = 640: +28.1 dB) that is +38.1 LUFS at
 * max|x| = 1 (+19.4 LUFS for the 8-channel default layout). So the fine bins cover all real
 * audio, and the coarse bins cover everything finite float32 input can reach (max|x| =
 * 3.4028e38, +770.6 dB: at most +808.8 LUFS). A block above the top (impossible with finite
 * input) would count in the top bin with its exact energy. The relative gate never lies above
 * every filled bin (the loudest block is ≥ 10 LU above it), so a programme with any block above
 * the absolute gate always has an integrated loudness: loud input cannot wipe the reading.
 * A programme made loud by a single burst of huge samples reads what BS.1770 says it is: the
 * burst's energy dominates the mean, the relative gate rises to it, and the integrated loudness
 * is the burst's blocks' loudness (until a long time has diluted it).
 *
 * Non-finite input (NaN, ±Infinity) is not audio. Finite float32 input cannot make a hop's energy
 * overflow (by the bound above it stays below 1e85), so a channel whose 10 ms hop energy is not
 * finite had such samples in that hop: that channel counts as silence for that hop (its samples
 * are dropped, time goes on; the other channels count as usual), and its K-filter state is
 * cleared at the end of the hop. Dropping, not clamping: a non-finite value has no level, and
 * clamping it to the top would let one NaN outweigh the whole programme.
 * @module
 */
import { ANY_CHANNELS, SPEC_LIMITS, safeFrameCount, type MeterName, usableChannels, validateSpec, type Meter, type ProcessSpec, type ProcessorJSON } from '../core/processor.js';
import { defineRules, validateOptions, type OptionRules } from '../core/validate.js';
import { paramsFromJSON, processorJSON } from '../core/json.js';
import { kWeighting } from './k-weighting.js';
import { TruePeakDetector } from './true-peak.js';
import { primeProcessor } from '../core/prime.js';

/** Options of {@link LoudnessMeter}. */
export interface LoudnessMeterOptions {
  /**
   * Power weight G of each channel (BS.1770 Table 3), e.g. `[1, 1, 1, 0, 1.41, 1.41]` for 5.1.
   * `null` picks the weights from the channel count in WAV order: 1 → mono; 2 → L R;
   * 3 → L R C; 4 → L R Ls Rs; 5 → L R C Ls Rs; 6 → L R C LFE Ls Rs; 7 → L R C LFE Cs Ls Rs;
   * 8 → L R C LFE Lb Rb Ls Rs (LFE weight 0, surround and back channels 1.41). Weights in [0, 10],
   * at most 64 of them (`SPEC_LIMITS.maxChannels`); every entry must be a number (no holes).
   * @defaultValue null
   */
  channelWeights: number[] | null;
  /**
   * A mono signal meant for two loudspeakers (dual mono): counted twice (weight 2, +3 dB), as
   * EBU R 128 s1 asks. Only with one channel.
   * @defaultValue false
   */
  dualMono: boolean;
  /**
   * Measure true peak (4× oversampling at 44.1/48 kHz). Off saves most of the meter's time.
   * @defaultValue true
   */
  truePeak: boolean;
  /**
   * How much momentary / short-term history to keep for plots, in seconds (0 to 86 400; 0 keeps none).
   * Older values are overwritten.
   * @defaultValue 600
   */
  historySeconds: number;
}

/** Defaults of {@link LoudnessMeterOptions}. */
export const LOUDNESS_METER_DEFAULTS: Readonly<LoudnessMeterOptions> = Object.freeze({
  channelWeights: null,
  dualMono: false,
  truePeak: true,
  historySeconds: 600,
});

/** Everything the meter measured, in LUFS / LU / dBFS / dBTP; silence reads `-Infinity`. */
export interface LoudnessReading {
  /** Loudness of the last 400 ms, LUFS. */
  momentary: number;
  /** Loudness of the last 3 s, LUFS. */
  shortTerm: number;
  /** Highest momentary loudness so far, LUFS. */
  momentaryMax: number;
  /** Highest short-term loudness so far, LUFS. */
  shortTermMax: number;
  /** Gated integrated (programme) loudness, LUFS. */
  integrated: number;
  /** Loudness range, LU (0 until there is a spread to measure). */
  lra: number;
  /** Highest sample magnitude over all channels, dBFS. */
  samplePeak: number;
  /** Highest true peak over all channels, dBTP (equals `samplePeak` if true peak is off). */
  truePeak: number;
  /** Per channel, dBFS. */
  samplePeakPerChannel: number[];
  /** Per channel, dBTP. */
  truePeakPerChannel: number[];
  /** Seconds of audio measured. */
  duration: number;
}

/** Momentary and short-term loudness over time, one value per 100 ms hop. */
export interface LoudnessHistory {
  /** Seconds between values (0.1). */
  intervalSeconds: number;
  /** Time at which the first value was measured (end of its window), in seconds from the start or reset. */
  startSeconds: number;
  momentary: Float32Array;
  shortTerm: Float32Array;
}

const OWNER = 'LoudnessMeter';

/** Validation rules of {@link LoudnessMeterOptions} (the one source of their ranges). */
export const LOUDNESS_METER_RULES: OptionRules<LoudnessMeterOptions> = defineRules<LoudnessMeterOptions>({
  channelWeights: {
    kind: 'array',
    items: { kind: 'number', range: { min: 0, max: 10 } },
    minLength: 1,
    maxLength: SPEC_LIMITS.maxChannels,
    nullable: true,
    description: 'Power weight of each channel (BS.1770 Table 3); null: from the channel count',
  },
  dualMono: { kind: 'boolean', description: 'Count a single channel twice (dual mono, +3 dB)' },
  truePeak: { kind: 'boolean', description: 'Measure true peak (4× oversampling)' },
  historySeconds: { kind: 'number', range: { min: 0, max: 86400, unit: 's' }, description: 'Momentary / short-term history kept for plots' },
});
/** Gate and histogram constants (BS.1770-5, Tech 3342). */
const ABSOLUTE_GATE = -70;
const RELATIVE_GATE_I = -10;
const RELATIVE_GATE_LRA = -20;
/** Fine histogram bins: 0.005 LU from the absolute gate to +40 LUFS (all audio within full scale). */
const FINE_WIDTH = 0.005;
const FINE_TOP = 40;
const FINE_BINS = Math.round((FINE_TOP - ABSOLUTE_GATE) / FINE_WIDTH);
/** Coarse bins: 0.1 LU from +40 to +820 LUFS (beyond anything finite float32 input reaches). */
const COARSE_WIDTH = 0.1;
const HIST_TOP = 820;
const BINS = FINE_BINS + Math.round((HIST_TOP - FINE_TOP) / COARSE_WIDTH);
const TOP_BIN = BINS - 1;
/** Hops per second (10 ms hops), per momentary window, per short-term window, per 100 ms step. */
const HOPS_PER_SECOND = 100;
const HOPS_M = 40;
const HOPS_S = 300;
const HOPS_STEP = 10;

// Slots of LoudnessMeter.levels (Float64Array), in LUFS.
/** Momentary loudness (last 400 ms). */
const LV_MOMENTARY = 0;
/** Short-term loudness (last 3 s). */
const LV_SHORT_TERM = 1;
/** Highest momentary loudness so far. */
const LV_MOMENTARY_MAX = 2;
/** Highest short-term loudness so far. */
const LV_SHORT_TERM_MAX = 3;
const LV_SLOTS = 4;

// Slots of one channel's K-filter state (K_STATE_SIZE values from K_STATE_SIZE·channel).
/** Pre-filter (high shelf) z1. */
const K_Z1 = 0;
/** Pre-filter z2. */
const K_Z2 = 1;
/** RLB high-pass z1. */
const K_W1 = 2;
/** RLB high-pass z2. */
const K_W2 = 3;
const K_STATE_SIZE = 4;

// Slots of the output of LoudnessMeter.gated() (LoudnessMeter.gatedOut).
/** Integrated loudness, LUFS. */
const GATED_I = 0;
/** Loudness range, LU. */
const GATED_LRA = 1;

const SURROUND = 1.41;

/** Default BS.1770 channel weights for `channels` channels in WAV order, or null if none is defined. */
export function defaultChannelWeights(channels: number): number[] | null {
  switch (channels) {
    case 1:
    case 2:
    case 3:
      return new Array<number>(channels).fill(1);
    case 4:
      return [1, 1, SURROUND, SURROUND];
    case 5:
      return [1, 1, 1, SURROUND, SURROUND];
    case 6:
      return [1, 1, 1, 0, SURROUND, SURROUND];
    case 7:
      return [1, 1, 1, 0, SURROUND, SURROUND, SURROUND];
    case 8:
      return [1, 1, 1, 0, SURROUND, SURROUND, SURROUND, SURROUND];
    default:
      return null;
  }
}

function toDb(x: number): number {
  return 20 * Math.log10(x);
}

/** The largest value of `a`, at least 0 (no spread: allocates nothing). */
function maxOf(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i];
  return m;
}

/** K-weighting (two TDF-II sections) and the running sum of squares, for x[start..end). */
function kWeightSquares(x: Float32Array, start: number, end: number, c: Float64Array, state: Float64Array, so: number, acc: Float64Array, ai: number): void {
  const b0 = c[0], b1 = c[1], b2 = c[2], a1 = c[3], a2 = c[4];
  const e0 = c[5], e1 = c[6], e2 = c[7], f1 = c[8], f2 = c[9];
  let z1 = state[so + K_Z1], z2 = state[so + K_Z2], w1 = state[so + K_W1], w2 = state[so + K_W2];
  let sum = acc[ai];
  for (let i = start; i < end; i++) {
    const xi = x[i];
    const y = b0 * xi + z1;
    z1 = b1 * xi + z2 - a1 * y;
    z2 = b2 * xi - a2 * y;
    const v = e0 * y + w1;
    w1 = e1 * y + w2 - f1 * v;
    w2 = e2 * y - f2 * v;
    sum += v * v;
  }
  acc[ai] = sum;
  state[so + K_Z1] = z1;
  state[so + K_Z2] = z2;
  state[so + K_W1] = w1;
  state[so + K_W2] = w2;
}

/**
 * {@link kWeightSquares} for two channels at once (channels `ca` and `cb`: state at `sa`/`sb`,
 * sums at acc[ca]/acc[cb]): the same operations on each, so the same results to the bit, with two
 * independent recursions in flight (the loop is bound by the latency of one, not by throughput:
 * about 1.7× faster for a stereo programme).
 */
function kWeightSquares2(xa: Float32Array, xb: Float32Array, start: number, end: number, c: Float64Array, state: Float64Array, sa: number, sb: number, acc: Float64Array, ca: number, cb: number): void {
  const b0 = c[0], b1 = c[1], b2 = c[2], a1 = c[3], a2 = c[4];
  const e0 = c[5], e1 = c[6], e2 = c[7], f1 = c[8], f2 = c[9];
  let z1 = state[sa + K_Z1], z2 = state[sa + K_Z2], w1 = state[sa + K_W1], w2 = state[sa + K_W2];
  let q1 = state[sb + K_Z1], q2 = state[sb + K_Z2], u1 = state[sb + K_W1], u2 = state[sb + K_W2];
  let sum = acc[ca];
  let sumB = acc[cb];
  for (let i = start; i < end; i++) {
    const xi = xa[i];
    const xj = xb[i];
    const y = b0 * xi + z1;
    const yb = b0 * xj + q1;
    z1 = b1 * xi + z2 - a1 * y;
    q1 = b1 * xj + q2 - a1 * yb;
    z2 = b2 * xi - a2 * y;
    q2 = b2 * xj - a2 * yb;
    const v = e0 * y + w1;
    const vb = e0 * yb + u1;
    w1 = e1 * y + w2 - f1 * v;
    u1 = e1 * yb + u2 - f1 * vb;
    w2 = e2 * y - f2 * v;
    u2 = e2 * yb - f2 * vb;
    sum += v * v;
    sumB += vb * vb;
  }
  acc[ca] = sum;
  acc[cb] = sumB;
  state[sa + K_Z1] = z1;
  state[sa + K_Z2] = z2;
  state[sa + K_W1] = w1;
  state[sa + K_W2] = w2;
  state[sb + K_Z1] = q1;
  state[sb + K_Z2] = q2;
  state[sb + K_W1] = u1;
  state[sb + K_W2] = u2;
}

function samplePeak(x: Float32Array, start: number, end: number, peaks: Float64Array, ch: number): void {
  let p = peaks[ch];
  for (let i = start; i < end; i++) {
    const v = x[i];
    const a = v < 0 ? -v : v;
    if (a > p && a < Infinity) p = a; // non-finite input is not audio
  }
  peaks[ch] = p;
}

/**
 * A BS.1770-5 / EBU R 128 loudness meter. It passes audio through untouched (a {@link Meter}), so
 * it can sit anywhere in a chain; read it at any time.
 *
 * @example
 * ```ts
 * import { LoudnessMeter } from 'masterbus';
 * const meter = new LoudnessMeter();
 * meter.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
 * const left = new Float32Array(128), right = new Float32Array(128);
 * for (let i = 0; i < 128; i++) left[i] = right[i] = 0.1 * Math.sin(i / 5);
 * meter.process([left, right]);      // audio unchanged
 * const { integrated, truePeak } = meter.reading();
 * ```
 */
export class LoudnessMeter implements Meter<LoudnessMeterOptions> {
  /** Type name used by {@link LoudnessMeter.toJSON}. */
  static readonly type = 'LoudnessMeter';
  /** Any channel count. */
  readonly channelRange = ANY_CHANNELS;
  /** The read-outs {@link LoudnessMeter.readMeters} writes: `momentaryLufs`, `shortTermLufs`, `integratedLufs`, `loudnessRangeLu`, `truePeakDbtp`, `samplePeakDbfs`. */
  readonly meterNames: readonly MeterName[] = Object.freeze(['momentaryLufs', 'shortTermLufs', 'integratedLufs', 'loudnessRangeLu', 'truePeakDbtp', 'samplePeakDbfs'] as const);
  /** Write {@link LoudnessMeter.meterNames}' values into `out[offset …]`; allocates nothing. */
  readMeters(out: Float64Array, offset: number): void {
    out[offset] = this.momentary;
    out[offset + 1] = this.shortTerm;
    const g = this.gatedOut;
    this.gated(g);
    out[offset + 2] = g[GATED_I];
    out[offset + 3] = g[GATED_LRA];
    const tp = this.tp;
    out[offset + 4] = toDb(maxOf(tp ? tp.peaks : this.samplePeaks));
    out[offset + 5] = toDb(maxOf(tp ? tp.samplePeaks : this.samplePeaks));
  }
  readonly passesAudioUnchanged = true as const;
  /** Always 0: the meter does not delay the audio. */
  readonly latency = 0;
  private opts: LoudnessMeterOptions;
  private spec: ProcessSpec | undefined;
  private weights = new Float64Array(0);
  private coefs = new Float64Array(10);
  /** K-filter state: K_STATE_SIZE values per channel (slots K_Z1 … K_W2). */
  private kState = new Float64Array(0);
  /** Sum of squares of the current hop, per channel. */
  private hopAcc = new Float64Array(0);
  private samplePeaks = new Float64Array(0);
  /** Scratch of {@link LoudnessMeter.gated}: [integrated, loudness range]. */
  private readonly gatedOut = new Float64Array(2);
  /** Silence for channels the caller did not pass (maxBlockSize long). */
  private zeros = new Float32Array(0);
  private tp: TruePeakDetector | undefined;
  private hopLength = 4800;
  private hopRemaining = 4800;
  /** Ring of the last 300 hops' weighted energy sums (Σ G·Σy²). */
  private ringEnergy = new Float64Array(HOPS_S);
  private ringPos = 0;
  private hops = 0;
  /** Readings at the slots LV_MOMENTARY … LV_SHORT_TERM_MAX, in LUFS. */
  private readonly levels = new Float64Array(LV_SLOTS);
  private readonly histIEnergy = new Float64Array(BINS);
  private readonly histICount = new Float64Array(BINS);
  private readonly histSEnergy = new Float64Array(BINS);
  private readonly histSCount = new Float64Array(BINS);
  private historyM = new Float32Array(0);
  private historyS = new Float32Array(0);
  private historyLen = 0;
  private historyPos = 0;
  private samples = 0;

  /** Create a meter; omitted options take {@link LOUDNESS_METER_DEFAULTS}. Throws on bad options. */
  constructor(options: Partial<LoudnessMeterOptions> = {}) {
    this.opts = LoudnessMeter.withOptions(LOUDNESS_METER_DEFAULTS, LoudnessMeter.validate(options));
    this.clearReadings();
  }

  /** Defaults of its options. */
  static readonly defaults = LOUDNESS_METER_DEFAULTS;
  /** Validation rules of its options (see `describeOptions`). */
  static readonly rules = LOUDNESS_METER_RULES;

  /** Rebuild a meter from {@link LoudnessMeter.toJSON} output (validated like the constructor's options). */
  static fromJSON(json: ProcessorJSON): LoudnessMeter {
    return new LoudnessMeter(paramsFromJSON(LoudnessMeter, json));
  }

  private static validate(options: unknown): Partial<LoudnessMeterOptions> {
    return validateOptions<LoudnessMeterOptions>(OWNER, options, LOUDNESS_METER_RULES);
  }

  /** Merge options, copying the weights so a caller's later change to its array cannot reach us. */
  private static withOptions(base: LoudnessMeterOptions, o: Partial<LoudnessMeterOptions>): LoudnessMeterOptions {
    const merged = { ...base, ...o };
    return { ...merged, channelWeights: merged.channelWeights ? [...merged.channelWeights] : null };
  }

  /** Channel weights for `opts` at `channels` channels; throws a RangeError if they do not fit. */
  private static weightsFor(opts: LoudnessMeterOptions, channels: number): number[] {
    const weights = opts.channelWeights ?? defaultChannelWeights(channels);
    if (!weights) {
      throw new RangeError(`LoudnessMeter.prepare: no default BS.1770 layout for ${channels} channels; pass channelWeights (one weight per channel)`);
    }
    if (weights.length !== channels) {
      throw new RangeError(`LoudnessMeter.channelWeights has ${weights.length} weights but spec.channels is ${channels}`);
    }
    if (opts.dualMono && channels !== 1) {
      throw new RangeError(`LoudnessMeter.dualMono needs exactly 1 channel, got spec.channels = ${channels}`);
    }
    return opts.dualMono ? weights.map((w) => 2 * w) : weights;
  }

  /** The options. */
  get params(): LoudnessMeterOptions {
    return { ...this.opts, channelWeights: this.opts.channelWeights ? [...this.opts.channelWeights] : null };
  }

  /**
   * Change options. On a prepared meter this re-prepares it at once, which clears every reading
   * (a different layout or weighting makes the old readings meaningless). Validated first,
   * including against the prepared channel count: a bad value throws and changes nothing.
   */
  set(options: Partial<LoudnessMeterOptions>): this {
    const next = LoudnessMeter.withOptions(this.opts, LoudnessMeter.validate(options));
    if (this.spec) LoudnessMeter.weightsFor(next, this.spec.channels);
    this.opts = next;
    if (this.spec) this.prepare(this.spec);
    return this;
  }

  prepare(spec: ProcessSpec): void {
    const s = validateSpec(OWNER, spec, this.channelRange);
    const weights = LoudnessMeter.weightsFor(this.opts, s.channels);
    this.spec = s;
    this.weights = Float64Array.from(weights);
    this.zeros = new Float32Array(s.maxBlockSize);
    const [k1, k2] = kWeighting(s.sampleRate);
    this.coefs = Float64Array.of(k1.b0, k1.b1, k1.b2, k1.a1, k1.a2, k2.b0, k2.b1, k2.b2, k2.a1, k2.a2);
    this.kState = new Float64Array(K_STATE_SIZE * s.channels);
    this.hopAcc = new Float64Array(s.channels);
    this.samplePeaks = new Float64Array(s.channels);
    this.tp = this.opts.truePeak ? new TruePeakDetector(s.sampleRate, s.channels, s.maxBlockSize) : undefined;
    this.hopLength = Math.max(1, Math.round(s.sampleRate / HOPS_PER_SECOND));
    const capacity = Math.round((this.opts.historySeconds * HOPS_PER_SECOND) / HOPS_STEP);
    this.historyM = new Float32Array(capacity);
    this.historyS = new Float32Array(capacity);
    this.reset();
    primeProcessor(this, s);
    this.reset();
  }

  private clearReadings(): void {
    this.levels.fill(-Infinity);
  }

  /** Forget everything measured (integrated, LRA, peaks, history); keep the options. */
  reset(): void {
    this.kState.fill(0);
    this.hopAcc.fill(0);
    this.samplePeaks.fill(0);
    this.tp?.reset();
    this.hopRemaining = this.hopLength;
    this.ringEnergy.fill(0);
    this.ringPos = 0;
    this.hops = 0;
    this.histIEnergy.fill(0);
    this.histICount.fill(0);
    this.histSEnergy.fill(0);
    this.histSCount.fill(0);
    this.historyLen = 0;
    this.historyPos = 0;
    this.samples = 0;
    this.clearReadings();
  }

  process(block: readonly Float32Array[], frames?: number): void {
    const spec = this.spec;
    if (spec === undefined) return;
    const given = usableChannels(block, spec.channels);
    const channels = spec.channels;
    // Channels the caller did not pass count as silence (time and gating still advance).
    const n = safeFrameCount(block, given, frames);
    const tp = this.tp;
    let pos = 0;
    while (pos < n) {
      let seg = n - pos;
      if (seg > this.hopRemaining) seg = this.hopRemaining;
      if (seg > spec.maxBlockSize) seg = spec.maxBlockSize;
      const end = pos + seg;
      for (let ch = 0; ch < channels; ch++) {
        if (ch + 1 < given) {
          // Two channels' K-filters at once (the same results, faster).
          const x = block[ch];
          const xb = block[ch + 1];
          kWeightSquares2(x, xb, pos, end, this.coefs, this.kState, K_STATE_SIZE * ch, K_STATE_SIZE * (ch + 1), this.hopAcc, ch, ch + 1);
          if (tp) {
            tp.process(ch, x, pos, end);
            tp.process(ch + 1, xb, pos, end);
          } else {
            samplePeak(x, pos, end, this.samplePeaks, ch);
            samplePeak(xb, pos, end, this.samplePeaks, ch + 1);
          }
          ch++;
        } else if (ch < given) {
          const x = block[ch];
          kWeightSquares(x, pos, end, this.coefs, this.kState, K_STATE_SIZE * ch, this.hopAcc, ch);
          if (tp) tp.process(ch, x, pos, end);
          else samplePeak(x, pos, end, this.samplePeaks, ch);
        } else {
          kWeightSquares(this.zeros, 0, seg, this.coefs, this.kState, K_STATE_SIZE * ch, this.hopAcc, ch);
          if (tp) tp.process(ch, this.zeros, 0, seg);
        }
      }
      this.hopRemaining -= seg;
      if (this.hopRemaining === 0) this.endHop();
      pos = end;
    }
    this.samples += n;
  }

  /** Close a 10 ms hop: update M, S and their maxima; every 100 ms also the histograms and history. */
  private endHop(): void {
    const w = this.weights;
    const acc = this.hopAcc;
    // A channel whose hop energy is not finite saw NaN or ±Infinity in this hop (finite float32
    // input cannot overflow it; see the module comment): it counts as silence for this hop, so one
    // bad sample cannot poison the maxima, the histograms or the windows.
    let e = 0;
    for (let ch = 0; ch < acc.length; ch++) {
      const a = acc[ch];
      if (a < Infinity) e += w[ch] * a;
      acc[ch] = 0;
    }
    // State hygiene once per hop (on the absolute hop grid, so readings stay independent of the
    // block partition): flush K-filter state heading for denormals or poisoned by non-finite
    // input. Finite input, however large, keeps its state (|state| < 1e41 for float32 input).
    // The store is unconditional (a select of two doubles, 0 read from the cleared acc): a store
    // in a branch that first runs when a NaN arrives would deoptimise this function then.
    const st = this.kState;
    const zero = acc[0];
    for (let i = 0; i < st.length; i++) {
      const v = st[i];
      const a = v < 0 ? -v : v;
      st[i] = a < Infinity && a >= 1e-50 ? v : zero;
    }
    const ring = this.ringEnergy;
    const p = this.ringPos;
    ring[p] = e;
    this.ringPos = p + 1 === HOPS_S ? 0 : p + 1;
    this.hops++;
    this.hopRemaining = this.hopLength;
    // Sum the windows afresh each hop (a running sum would drift); zeros before the start count
    // as silence. q walks back from the newest hop.
    let em = 0;
    let q = p;
    for (let k = 0; k < HOPS_M; k++) {
      em += ring[q];
      q = q === 0 ? HOPS_S - 1 : q - 1;
    }
    let es = em;
    for (let k = HOPS_M; k < HOPS_S; k++) {
      es += ring[q];
      q = q === 0 ? HOPS_S - 1 : q - 1;
    }
    // (Inline, not via loudness(): a double returned from a call V8 does not inline is boxed.)
    const zm = em / (HOPS_M * this.hopLength);
    const zs = es / (HOPS_S * this.hopLength);
    const m = -0.691 + 10 * Math.log10(zm);
    const s = -0.691 + 10 * Math.log10(zs);
    const lv = this.levels;
    lv[LV_MOMENTARY] = m;
    lv[LV_SHORT_TERM] = s;
    if (m > lv[LV_MOMENTARY_MAX]) lv[LV_MOMENTARY_MAX] = m;
    if (s > lv[LV_SHORT_TERM_MAX]) lv[LV_SHORT_TERM_MAX] = s;
    if (this.hops % HOPS_STEP !== 0) return;
    // Every 100 ms: a 400 ms gating block (75 % overlap) and a short-term value for LRA.
    // Bins computed inline too (passing m or s to a helper would box them). The fine index i is
    // ≥ FINE_BINS exactly when the value is ≥ +40 LUFS, and the coarse index j is then ≤ i, so
    // min(i, max(j, FINE_BINS)) picks the right one without a branch; values above the top (not
    // reachable with finite input) go to the top bin. m, s ≤ +3100 LUFS (finite energy): no
    // int32 overflow.
    if (this.hops >= HOPS_M && m > ABSOLUTE_GATE) {
      const i = Math.floor((m - ABSOLUTE_GATE) / FINE_WIDTH) | 0;
      const j = (FINE_BINS + Math.floor((m - FINE_TOP) / COARSE_WIDTH)) | 0;
      const b = Math.min(Math.min(i, Math.max(j, FINE_BINS)), TOP_BIN);
      this.histIEnergy[b] += zm;
      this.histICount[b] += 1;
    }
    if (this.hops >= HOPS_S && s > ABSOLUTE_GATE) {
      const i = Math.floor((s - ABSOLUTE_GATE) / FINE_WIDTH) | 0;
      const j = (FINE_BINS + Math.floor((s - FINE_TOP) / COARSE_WIDTH)) | 0;
      const b = Math.min(Math.min(i, Math.max(j, FINE_BINS)), TOP_BIN);
      this.histSEnergy[b] += zs;
      this.histSCount[b] += 1;
    }
    const cap = this.historyM.length;
    if (cap > 0) {
      this.historyM[this.historyPos] = m;
      this.historyS[this.historyPos] = s;
      this.historyPos = this.historyPos + 1 === cap ? 0 : this.historyPos + 1;
      if (this.historyLen < cap) this.historyLen++;
    }
  }

  /**
   * The cheap read-outs, allocation-free, into `out[offset …]`: momentary, short-term, and their
   * maxima so far (LUFS). For a strip meter polled often ({@link LoudnessMeter.readMeters} also
   * computes the gated integrated loudness and range).
   */
  readLevels(out: Float64Array, offset: number): void {
    const l = this.levels;
    out[offset] = l[0];
    out[offset + 1] = l[1];
    out[offset + 2] = l[2];
    out[offset + 3] = l[3];
  }

  /** Momentary loudness (last 400 ms), LUFS; updated every 10 ms. */
  get momentary(): number {
    return this.levels[LV_MOMENTARY];
  }

  /** Short-term loudness (last 3 s), LUFS; updated every 10 ms. */
  get shortTerm(): number {
    return this.levels[LV_SHORT_TERM];
  }

  /** Highest momentary loudness so far, LUFS. */
  get momentaryMax(): number {
    return this.levels[LV_MOMENTARY_MAX];
  }

  /** Highest short-term loudness so far, LUFS. */
  get shortTermMax(): number {
    return this.levels[LV_SHORT_TERM_MAX];
  }

  /**
   * Gated integrated loudness so far, LUFS (BS.1770-5 §5); `-Infinity` until a 400 ms block lies
   * above the absolute gate (−70 LUFS), finite from then on however loud the input.
   */
  get integrated(): number {
    this.gated(this.gatedOut);
    return this.gatedOut[GATED_I];
  }

  /** Loudness range so far, LU (EBU Tech 3342). */
  get lra(): number {
    this.gated(this.gatedOut);
    return this.gatedOut[GATED_LRA];
  }

  /**
   * Integrated loudness and loudness range into `out[GATED_I]`, `out[GATED_LRA]`. Results go
   * through a typed array, not return values: a double returned from a call V8 does not inline
   * is boxed, and {@link LoudnessMeter.readMeters} must allocate nothing.
   */
  private gated(out: Float64Array): void {
    const energyI = this.histIEnergy;
    const countI = this.histICount;
    const th = this.relativeGate(energyI, countI, RELATIVE_GATE_I);
    let e = 0;
    let c = 0;
    if (th >= 0) {
      for (let i = th; i < BINS; i++) {
        e += energyI[i];
        c += countI[i];
      }
    }
    // (c = 0 gives log10(0) = −Infinity: the same expression in both cases, no literal merged in.)
    // loudness(e / c) written out (see relativeGate); c = 0 gives log10(0) = −Infinity.
    out[GATED_I] = c > 0 ? -0.691 + 10 * Math.log10(e / c) : 10 * Math.log10(c);
    const count = this.histSCount;
    const from = this.relativeGate(this.histSEnergy, count, RELATIVE_GATE_LRA);
    let n = 0;
    if (from >= 0) for (let i = from; i < BINS; i++) n += count[i];
    if (n === 0) {
      out[GATED_LRA] = 0 * n;
      return;
    }
    // Ranks as small integers: a double argument to a call V8 does not inline is boxed.
    const lo = this.percentileBin(from, Math.round((n - 1) * 0.1) | 0);
    const hi = this.percentileBin(from, Math.round((n - 1) * 0.95) | 0);
    // binCentre(hi) − binCentre(lo), written out.
    const hiCentre = hi < FINE_BINS ? ABSOLUTE_GATE + (hi + 0.5) * FINE_WIDTH : FINE_TOP + (hi - FINE_BINS + 0.5) * COARSE_WIDTH;
    const loCentre = lo < FINE_BINS ? ABSOLUTE_GATE + (lo + 0.5) * FINE_WIDTH : FINE_TOP + (lo - FINE_BINS + 0.5) * COARSE_WIDTH;
    out[GATED_LRA] = hiCentre - loCentre;
  }

  /**
   * First histogram bin above the relative gate `offset` LU below the energy mean of all blocks
   * (those above the absolute gate); −1 if there are none. A bin is in if its centre is above the
   * gate.
   */
  private relativeGate(energy: Float64Array, count: Float64Array, offset: number): number {
    let e = 0;
    let c = 0;
    for (let i = 0; i < BINS; i++) {
      e += energy[i];
      c += count[i];
    }
    if (c === 0) return -1;
    // firstBinFrom(loudness(e / c) + offset), written out: a double passed to a call V8 does not
    // inline is boxed, and this runs in readMeters(), which must allocate nothing.
    const gate = -0.691 + 10 * Math.log10(e / c) + offset;
    const f = Math.ceil((gate - ABSOLUTE_GATE) / FINE_WIDTH - 0.5);
    if (f < FINE_BINS) return f < 0 ? 0 : f | 0;
    const top = FINE_BINS + Math.ceil((gate - FINE_TOP) / COARSE_WIDTH - 0.5);
    return top < BINS ? top | 0 : TOP_BIN;
  }

  /** The bin of the value at `rank` (0-based) among the values from bin `from` on. */
  private percentileBin(from: number, rank: number): number {
    let seen = 0;
    for (let i = from; i < BINS; i++) {
      seen += this.histSCount[i];
      if (seen > rank) return i;
    }
    return TOP_BIN;
  }

  /** Highest sample magnitude of channel `ch` (or all channels), dBFS. */
  samplePeakDb(ch?: number): number {
    const peaks = this.tp ? this.tp.samplePeaks : this.samplePeaks;
    return toDb(ch === undefined ? Math.max(0, ...peaks) : peaks[ch]);
  }

  /** Highest true peak of channel `ch` (or all channels), dBTP. */
  truePeakDb(ch?: number): number {
    const peaks = this.tp ? this.tp.peaks : this.samplePeaks;
    return toDb(ch === undefined ? Math.max(0, ...peaks) : peaks[ch]);
  }

  /** All readings at once (allocates the result object: call it from the control side). */
  reading(): LoudnessReading {
    const channels = this.spec?.channels ?? 0;
    return {
      momentary: this.momentary,
      shortTerm: this.shortTerm,
      momentaryMax: this.momentaryMax,
      shortTermMax: this.shortTermMax,
      integrated: this.integrated,
      lra: this.lra,
      samplePeak: this.samplePeakDb(),
      truePeak: this.truePeakDb(),
      samplePeakPerChannel: Array.from({ length: channels }, (_, c) => this.samplePeakDb(c)),
      truePeakPerChannel: Array.from({ length: channels }, (_, c) => this.truePeakDb(c)),
      duration: this.spec ? this.samples / this.spec.sampleRate : 0,
    };
  }

  /** Momentary and short-term loudness over time (copies, oldest first). */
  history(): LoudnessHistory {
    const cap = this.historyM.length;
    const n = this.historyLen;
    const momentary = new Float32Array(n);
    const shortTerm = new Float32Array(n);
    const start = (this.historyPos - n + cap) % (cap || 1);
    for (let i = 0; i < n; i++) {
      momentary[i] = this.historyM[(start + i) % cap];
      shortTerm[i] = this.historyS[(start + i) % cap];
    }
    const steps = Math.floor(this.hops / HOPS_STEP);
    return { intervalSeconds: HOPS_STEP / HOPS_PER_SECOND, startSeconds: ((steps - n + 1) * HOPS_STEP) / HOPS_PER_SECOND, momentary, shortTerm };
  }

  /**
   * Examine the inter-sample values after the last samples too (feeds the true-peak filter's
   * tail with zeros). Call once when a finite signal has ended; loudness is not affected.
   */
  finish(): void {
    const tp = this.tp;
    if (!tp || !this.spec) return;
    for (let ch = 0; ch < this.spec.channels; ch++) tp.flush(ch);
  }

  toJSON(): ProcessorJSON {
    return processorJSON(LoudnessMeter.type, this.params);
  }
}

/** Summary returned by {@link measureLoudness}. */
export type LoudnessSummary = LoudnessReading;

/**
 * Measure a whole signal at once: integrated loudness, LRA, peaks and maxima.
 *
 * @example
 * ```ts
 * import { measureLoudness } from 'masterbus';
 * const sr = 48000;
 * const tone = new Float32Array(sr * 5).map((_, i) => 0.1 * Math.sin((2 * Math.PI * 997 * i) / sr));
 * const { integrated, truePeak } = measureLoudness([tone, tone], sr);   // ≈ −20.0 LUFS, −20.0 dBTP
 * ```
 */
export function measureLoudness(channels: readonly Float32Array[], sampleRate: number, options: Partial<LoudnessMeterOptions> = {}): LoudnessSummary {
  if (!Array.isArray(channels) || channels.length === 0 || !channels.every((c) => c instanceof Float32Array)) {
    throw new TypeError('measureLoudness: channels must be a non-empty array of Float32Array');
  }
  const frames = channels[0].length;
  if (!channels.every((c) => c.length === frames)) throw new RangeError('measureLoudness: all channels must have the same length');
  const meter = new LoudnessMeter({ historySeconds: 0, ...options });
  const block = 4096;
  meter.prepare({ sampleRate, maxBlockSize: block, channels: channels.length });
  for (let p = 0; p < frames; p += block) {
    const end = Math.min(frames, p + block);
    meter.process(channels.map((c) => c.subarray(p, end)));
  }
  meter.finish();
  return meter.reading();
}
