/**
 * Programme analysis: what a mastering engineer checks on a finished stereo mix before and after
 * mastering, as plain data: loudness (BS.1770 / EBU R 128), tonal balance (1/3-octave long-term
 * spectrum), translation to other players (mono fold-down, correlation, low-frequency share, lossy
 * encoding headroom), clipping in the source and silence, plus plain-language warnings. An offline
 * analysis (isomorphic, no dependencies), not a processor: of a whole buffer
 * ({@link analyzeProgramme}), or of a programme of any length fed block by block in constant memory
 * ({@link ProgrammeAnalyzer}, which `analyzeProgramme` runs: the same result for any partition).
 *
 * @remarks
 * - **Loudness** comes from {@link LoudnessMeter} run exactly as {@link measureLoudness} runs it
 *   (same options, same result), with its momentary / short-term history for plots.
 * - **Tonal balance** is {@link longTermSpectrum} in 1/3-octave bands (`tonal-balance.ts`),
 *   normalised to loudness: each band's level is given as measured and as it would be if the
 *   programme were scaled to {@link TONAL_BALANCE_REFERENCE_LUFS} (−23 LUFS), so two programmes of
 *   the same balance at different loudness give the same normalised curve.
 * - **Mono fold-down** is the constant-power sum M = (L + R)/√2 measured as one channel of weight
 *   1; this is the same energy as the plain average (L + R)/2 played on both loudspeakers (dual
 *   mono, weight 2), which is how a mono player or a summed PA presents it. With this convention a
 *   centred source (L = R) keeps its loudness (change 0 LU), uncorrelated channels of equal level
 *   lose 3.01 LU, and anti-phase channels (R = −L) cancel to silence: the change measures what
 *   phase cancellation and width lose, nothing else.
 * - **Correlation** is Pearson's coefficient of L and R over the programme, `cov(L,R)/(σ_L·σ_R)`
 *   (means removed), and per 3 s window (the EBU short-term window, one every 100 ms, windows
 *   whose short-term loudness is below the −70 LUFS absolute gate left out, as a fade-out's noise
 *   floor would otherwise read as random correlation).
 * - **Lossy-encoding headroom**: the true-peak margin to −1 dBTP (the ceiling the streaming
 *   services recommend for lossy encoding), and a *proxy* for what an encoder's low-pass does to
 *   the peaks: the true peak after a zero-phase low-pass at 16 kHz (a 4th-order Butterworth run
 *   forward and backward: magnitude |H|², −6 dB at 16 kHz, 48 dB/octave; MP3 and AAC encoders at
 *   usual bit rates cut near 16–17 kHz). Removing the top octave changes the waveform's peaks; the
 *   proxy shows that part only, not the overshoot from quantisation noise, which needs the codec.
 * - **Clipping**: runs of at least `clipMinRun` (3) consecutive samples with |x| ≥ `clipLevel`
 *   (0.999) in a channel, as a clipped converter or a hard clipper leaves them; samples at exactly
 *   ±1.0 and above it are counted separately.
 * - **Silence**: a programme with no 400 ms block above the −70 LUFS absolute gate has no integrated
 *   loudness; it is flagged `silent` and every level that would be −∞ is `null`.
 *
 * Every number in the result is finite; `null` stands for "not defined" (−∞ dB, no loudness, no
 * correlation), so the result survives `JSON.stringify` / `JSON.parse` unchanged (no NaN, no
 * ±Infinity, no typed arrays). Non-finite input samples are counted and treated as silence (0),
 * as the loudness meter does.
 *
 * @example
 * ```ts
 * import { analyzeProgramme, programmeWarnings } from 'masterbus';
 * const sampleRate = 48000;
 * const left = new Float32Array(sampleRate * 5).map((_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / sampleRate));
 * const right = left.map((v) => -v); // anti-phase: vanishes in mono
 * const a = analyzeProgramme([left, right], sampleRate);
 * console.log(a.loudness.integrated, a.translation.correlation); // ≈ −11.4 LUFS, −1
 * console.log(programmeWarnings(a).map((w) => w.code)); // ['mono-incompatible', 'heavy-limiting'] (a steady tone has no crest)
 * ```
 * @module
 */
import { SPEC_LIMITS } from '../core/processor.js';
import { defineRules, describeValue, validateOptions, type OptionRules } from '../core/validate.js';
import { designFilter } from '../filters/biquad-coefficients.js';
import { LoudnessMeter, defaultChannelWeights } from './loudness-meter.js';
import { TruePeakDetector } from './true-peak.js';
import { LongTermSpectrumAccumulator, THIRD_OCTAVE_NOMINAL_HZ, spectrumPowerBetween, thirdOctaveBandPowers } from './tonal-balance.js';

const OWNER = 'analyzeProgramme';

/** Options of {@link analyzeProgramme}. */
export interface ProgrammeAnalysisOptions {
  /**
   * BS.1770 power weight of each channel (see {@link LoudnessMeterOptions.channelWeights}); `null`
   * takes the default layout for the channel count. Also weights the channels of the spectrum.
   * @defaultValue null
   */
  channelWeights: number[] | null;
  /**
   * Upper edge of the low-frequency share, Hz: roughly where small loudspeakers (phones, laptops,
   * smart speakers) stop reproducing bass. Range [40, 500] Hz.
   * @defaultValue 120
   */
  lowFrequencyHz: number;
  /**
   * Cut-off of the lossy-encoding low-pass proxy, Hz (skipped when it is not below 0.9 × Nyquist).
   * Range [4000, 24000] Hz.
   * @defaultValue 16000
   */
  lossyLowpassHz: number;
  /**
   * |x| at or above which a sample counts as clipped. Range [0.5, 1].
   * @defaultValue 0.999
   */
  clipLevel: number;
  /**
   * Consecutive clipped samples that make a clipping run (one or two samples at full scale happen
   * in healthy masters). Range [1, 1000] samples.
   * @defaultValue 3
   */
  clipMinRun: number;
}

/** Defaults of {@link ProgrammeAnalysisOptions}. */
export const PROGRAMME_ANALYSIS_DEFAULTS: Readonly<ProgrammeAnalysisOptions> = Object.freeze({
  channelWeights: null,
  lowFrequencyHz: 120,
  lossyLowpassHz: 16000,
  clipLevel: 0.999,
  clipMinRun: 3,
});

/** Validation rules of {@link ProgrammeAnalysisOptions} (the one source of their ranges). */
export const PROGRAMME_ANALYSIS_RULES: OptionRules<ProgrammeAnalysisOptions> = defineRules<ProgrammeAnalysisOptions>({
  channelWeights: {
    kind: 'array',
    items: { kind: 'number', range: { min: 0, max: 10 } },
    minLength: 1,
    maxLength: SPEC_LIMITS.maxChannels,
    nullable: true,
    description: 'Power weight of each channel (BS.1770 Table 3); null: from the channel count',
  },
  lowFrequencyHz: { kind: 'number', range: { min: 40, max: 500, unit: 'Hz' }, description: 'Upper edge of the low-frequency share' },
  lossyLowpassHz: { kind: 'number', range: { min: 4000, max: 24000, unit: 'Hz' }, description: 'Cut-off of the lossy-encoding low-pass proxy' },
  clipLevel: { kind: 'number', range: { min: 0.5, max: 1 }, description: '|x| at or above which a sample counts as clipped' },
  clipMinRun: { kind: 'number', range: { min: 1, max: 1000, unit: 'samples' }, integer: true, description: 'Consecutive clipped samples that make a run' },
});

/** The spectrum is reported as if the programme had this integrated loudness, LUFS (EBU R 128's target). */
export const TONAL_BALANCE_REFERENCE_LUFS = -23;
/** True-peak ceiling recommended before lossy encoding, dBTP (EBU R 128 s1, AES TD1004, the streaming services). */
export const LOSSY_CEILING_DBTP = -1;
/** Lower edge of the low-frequency share and of its total, Hz (below it is rumble or DC, inaudible). */
const LOW_SHARE_FLOOR_HZ = 20;
/** Upper edge of the total the low-frequency share is a share of, Hz. */
const LOW_SHARE_TOP_HZ = 20000;
/** Bands averaged for {@link ProgrammeTranslation.lowVsMidDb}: nominal 25–80 Hz (centres below 100 Hz) … */
const LOW_BANDS: readonly number[] = [25, 31.5, 40, 50, 63, 80];
/** … against 800–1250 Hz (the 1 kHz region). */
const MID_BANDS: readonly number[] = [800, 1000, 1250];
/** BS.1770 absolute gate, LUFS: short-term windows below it carry no correlation reading. */
const ABSOLUTE_GATE = -70;
/** Short-term window, in 100 ms steps (3 s, EBU Tech 3341). */
const SHORT_TERM_STEPS = 30;
/** Block size fed to the meters (the same as {@link measureLoudness}). */
const BLOCK = 4096;

/** Loudness and peaks (BS.1770-5 / EBU R 128). `null` stands for −∞ (nothing measured). */
export interface ProgrammeLoudness {
  /** Gated integrated loudness, LUFS; `null` if no 400 ms block is above −70 LUFS (silence). */
  integrated: number | null;
  /** Loudness range (EBU Tech 3342), LU; 0 when there is no spread to measure. */
  lra: number;
  /** Highest true peak over all channels (4× oversampled at 44.1/48 kHz), dBTP; `null` for all-zero input. */
  truePeak: number | null;
  /** Highest sample magnitude over all channels, dBFS; `null` for all-zero input. */
  samplePeak: number | null;
  /** True peak per channel, dBTP (`null`: that channel is all zero). */
  truePeakPerChannel: (number | null)[];
  /** Sample peak per channel, dBFS (`null`: that channel is all zero). */
  samplePeakPerChannel: (number | null)[];
  /** Peak-to-loudness ratio, true peak − integrated, dB; `null` if either is. */
  plr: number | null;
  /** Highest momentary (400 ms) loudness, LUFS; `null` for all-zero input. */
  momentaryMax: number | null;
  /** Highest short-term (3 s) loudness, LUFS; `null` for all-zero input. */
  shortTermMax: number | null;
}

/**
 * Readings over time for plots: value i is measured at `startSeconds + i·intervalSeconds` (the end
 * of its window; windows that began before the programme count the time before it as silence).
 */
export interface ProgrammeSeries {
  /** Seconds between values (0.1). */
  intervalSeconds: number;
  /** Time of the first value, seconds from the start (0.1; later if the history was longer than 24 h). */
  startSeconds: number;
  /** Momentary loudness (400 ms), LUFS rounded to 0.01; `null` for a silent window. */
  momentary: (number | null)[];
  /** Short-term loudness (3 s), LUFS rounded to 0.01; `null` for a silent window. */
  shortTerm: (number | null)[];
  /**
   * L/R correlation of the 3 s window ending at each time, rounded to 0.001; `null` before the
   * first full window, for windows below the −70 LUFS gate or with a constant channel, and
   * everywhere unless the programme has exactly 2 channels.
   */
  correlation: (number | null)[];
}

/** The 1/3-octave long-term average spectrum. */
export interface ProgrammeTonalBalance {
  /** Nominal band centres, Hz (25 … 20 000). */
  nominalHz: number[];
  /** Exact base-ten centres 10^(n/10), Hz. */
  centresHz: number[];
  /**
   * Band levels as measured, dB re mean square 1 (a full-scale sine in one band of one channel
   * reads −3.01 dB), channels summed with their BS.1770 weights; `null` for a band with no power
   * (−∞ dB) or above Nyquist (lower edge ≥ fs/2).
   */
  levelsDb: (number | null)[];
  /**
   * The same levels with the programme scaled to {@link TONAL_BALANCE_REFERENCE_LUFS}:
   * `levelsDb + (−23 − integrated)`, dB; all `null` if the programme has no integrated loudness.
   */
  normalizedDb: (number | null)[];
  /** The loudness the normalised levels refer to, LUFS (−23). */
  referenceLufs: number;
  /** Bin spacing of the spectrum below {@link ProgrammeTonalBalance.seamHz}, Hz (2.9 at 48 kHz). */
  lowBinHz: number;
  /** Bin spacing above it, Hz (11.7 at 48 kHz). */
  highBinHz: number;
  /** Where the two resolutions of the spectrum meet, Hz (354.8: see `tonal-balance.ts`). */
  seamHz: number;
}

/** Headroom for lossy encoding. */
export interface LossyHeadroom {
  /** The ceiling the margins refer to, dBTP ({@link LOSSY_CEILING_DBTP}, −1). */
  ceilingDbtp: number;
  /** Ceiling − true peak, dB: positive is headroom, negative is how far the peaks are over; `null` for all-zero input. */
  truePeakMarginDb: number | null;
  /**
   * True peak after the zero-phase low-pass at `lowpassHz` (a proxy for an encoder's low-pass; see
   * the module comment), dBTP; `null` for all-zero input. Equal to the true peak when the low-pass
   * was skipped.
   */
  lowpassTruePeak: number | null;
  /** Ceiling − {@link LossyHeadroom.lowpassTruePeak}, dB; `null` for all-zero input. */
  lowpassMarginDb: number | null;
  /** Cut-off of the proxy, Hz. */
  lowpassHz: number;
  /** False when the cut-off was not below 0.9 × Nyquist (the signal has little above it; nothing to remove). */
  lowpassApplied: boolean;
}

/** How the programme will translate to other players. */
export interface ProgrammeTranslation {
  /**
   * Integrated loudness of the mono fold-down (L + R)/√2, LUFS; `null` if it is silent (e.g.
   * anti-phase channels) or the programme does not have exactly 2 channels.
   */
  monoIntegrated: number | null;
  /**
   * Mono fold-down loudness − stereo loudness, LU (0 for L = R, −3.01 for uncorrelated channels of
   * equal level, negative when the fold-down loses loudness); `null` when either is `null`.
   */
  monoChange: number | null;
  /** True when the stereo programme has a loudness but its fold-down is silent (anti-phase channels cancel). */
  monoCancels: boolean;
  /** Pearson correlation of L and R over the programme, −1 … 1; `null` unless 2 channels that are not constant. */
  correlation: number | null;
  /** Fraction (0 … 1) of the 3 s windows above the gate whose correlation is below 0; `null` if there are none. */
  negativeCorrelationShare: number | null;
  /** Lowest correlation of a 3 s window above the gate; `null` if there are none. */
  shortTermCorrelationMin: number | null;
  /**
   * Share (0 … 1) of the programme's power between 20 Hz and `lowFrequencyHz` (120 Hz) in its power
   * between 20 Hz and 20 kHz (or Nyquist): the part small speakers do not reproduce. Pink noise
   * gives 0.26. Unweighted, channels weighted as for loudness; `null` for no power.
   */
  lowFrequencyShare: number | null;
  /** Upper edge of {@link ProgrammeTranslation.lowFrequencyShare}, Hz. */
  lowFrequencyHz: number;
  /**
   * Mean power of the 1/3-octave bands 25–80 Hz against the bands 800–1250 Hz, dB (0 for pink
   * noise, positive for a bass-heavy balance); `null` if either has no power.
   */
  lowVsMidDb: number | null;
  /** Headroom for lossy encoding. */
  lossy: LossyHeadroom;
}

/** Clipping and over-range samples found in the source. */
export interface ProgrammeClipping {
  /** Runs of ≥ `minRun` consecutive samples with |x| ≥ `level`, summed over channels. */
  runs: number;
  /** Samples inside those runs, summed over channels. */
  clippedSamples: number;
  /** Time during which at least one channel is inside a run, seconds. */
  clippedSeconds: number;
  /** Samples at exactly ±1.0 (full scale), all channels. */
  fullScaleSamples: number;
  /** Finite samples with |x| > 1 (only float sources can hold them), all channels. */
  overFullScaleSamples: number;
  /** NaN or ±Infinity samples (not audio: treated as 0 everywhere), all channels. */
  nonFiniteSamples: number;
  /** The `clipLevel` used. */
  level: number;
  /** The `clipMinRun` used, samples. */
  minRun: number;
}

/** Everything {@link analyzeProgramme} measures. JSON-safe: finite numbers, `null`, booleans, plain arrays. */
export interface ProgrammeAnalysis {
  /** Sample rate, Hz. */
  sampleRate: number;
  /** Channel count. */
  channels: number;
  /** Length, samples per channel. */
  frames: number;
  /** Length, seconds. */
  duration: number;
  /** No 400 ms block above the −70 LUFS absolute gate: the programme has no integrated loudness. */
  silent: boolean;
  /** Every sample is 0 (non-finite samples aside). */
  digitalSilence: boolean;
  loudness: ProgrammeLoudness;
  series: ProgrammeSeries;
  tonalBalance: ProgrammeTonalBalance;
  translation: ProgrammeTranslation;
  clipping: ProgrammeClipping;
}

/** A finite number, or `null` for −∞ / NaN / +∞. */
function finiteOrNull(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/**
 * `v` rounded to 1/`per` (`per` = 100: two decimals), as the shortest decimal JSON writes for it
 * (a correctly rounded division, so 0.3 and not 0.30000000000000004), never −0; `null` if not finite.
 */
function round(v: number, per: number): number | null {
  return Number.isFinite(v) ? Math.round(v * per) / per + 0 : null;
}

// Slots of the clipping scan's counts (over all channels).
const SC_FULL = 0;
const SC_OVER = 1;
const SC_NONFINITE = 2;
const SC_SLOTS = 3;

/**
 * Scan x[0 … n) of one channel, frames `pos` … `pos + n` of the programme, continuing a run of
 * `run` clipped samples that ended the previous block: clipping runs that end in the block are
 * appended to `runList` (start, end frame), full-scale, over-range and non-finite samples counted
 * into `out`. Returns the length of the run still open at the end of the block. Only |x| ≥ level
 * (or NaN) leaves the fast path.
 */
function scanBlock(x: Float32Array, n: number, pos: number, run: number, level: number, minRun: number, out: Float64Array, runList: number[]): number {
  let full = 0;
  let over = 0;
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    const a = v < 0 ? -v : v;
    if (a < level) {
      if (run >= minRun) runList.push(pos + i - run, pos + i);
      run = 0;
      continue;
    }
    // Rare: a clipped, full-scale or over-range sample, or a non-finite one (NaN fails a < level too).
    if (!(a < Infinity)) {
      bad++;
      if (run >= minRun) runList.push(pos + i - run, pos + i);
      run = 0;
      continue;
    }
    if (a === 1) full++;
    else if (a > 1) over++;
    run++;
  }
  out[SC_FULL] += full;
  out[SC_OVER] += over;
  out[SC_NONFINITE] += bad;
  return run;
}

/** Frames covered by the union of the [start, end) intervals in `flat` (pairs), from any channel. */
function unionLength(flat: number[]): number {
  const count = flat.length / 2;
  if (count === 0) return 0;
  const order = Array.from({ length: count }, (_, k) => k).sort((p, q) => flat[2 * p] - flat[2 * q]);
  let total = 0;
  let curStart = flat[2 * order[0]];
  let curEnd = flat[2 * order[0] + 1];
  for (let j = 1; j < count; j++) {
    const s0 = flat[2 * order[j]];
    const e0 = flat[2 * order[j] + 1];
    if (s0 > curEnd) {
      total += curEnd - curStart;
      curStart = s0;
      curEnd = e0;
    } else if (e0 > curEnd) curEnd = e0;
  }
  return total + curEnd - curStart;
}

/**
 * Pearson correlation from the raw sums of n sample pairs, `(Σlr − ΣlΣr/n) / √((Σl² − (Σl)²/n)(Σr² − (Σr)²/n))`,
 * or NaN when a channel's variance is lost in rounding (a constant channel). In float64 the
 * cancellation costs about ε·(DC/AC)² of relative accuracy: 2e-12 for a DC offset 60 dB above
 * the signal, so the sums need no centring pass.
 */
function pearson(n: number, sl: number, sr: number, sll: number, srr: number, slr: number): number {
  const vl = sll - (sl * sl) / n;
  const vr = srr - (sr * sr) / n;
  // A constant channel leaves only rounding residue in its variance: no correlation to speak of.
  if (!(vl > 1e-9 * sll && vr > 1e-9 * srr)) return NaN;
  const r = (slr - (sl * sr) / n) / (Math.sqrt(vl) * Math.sqrt(vr));
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

/** Chunk length of the streaming zero-phase low-pass (and the true-peak detector's block). */
const LP_CHUNK = 8192;

/**
 * Samples after which the impulse response of the biquad cascade `c` (two sections) has decayed
 * below 1e-13 of its start: ln(1e-13)/ln(r) for the largest pole radius r, plus margin for the
 * polynomial factor of repeated-ish poles; at least 64.
 */
function decayLength(c: Float64Array): number {
  let r = 0;
  for (let s = 0; s < 2; s++) {
    const a1 = c[5 * s + 3];
    const a2 = c[5 * s + 4];
    const disc = a1 * a1 - 4 * a2;
    const radius = disc < 0 ? Math.sqrt(a2) : Math.max(Math.abs((-a1 + Math.sqrt(disc)) / 2), Math.abs((-a1 - Math.sqrt(disc)) / 2));
    if (radius > r) r = radius;
  }
  const n = r > 0 ? Math.ceil(Math.log(1e-13) / Math.log(r)) : 0;
  return Math.max(64, 2 * n + 32);
}

/**
 * Forward pass of the two-section cascade (TDF-II, float64 state carried between calls in
 * st[0 … 3] = z1, z2, w1, w2 for `xa` and st[4 … 7] for `xb`) over x[from … to) of two channels
 * at once (two independent recursions in flight: the loop is latency-bound) into
 * fa/fb[from − base …]. Non-finite samples enter as 0.
 */
function forwardPass(xa: Float32Array, xb: Float32Array, from: number, to: number, c: Float64Array, st: Float64Array, fa: Float32Array, fb: Float32Array, base: number): void {
  const b0 = c[0], b1 = c[1], b2 = c[2], a1 = c[3], a2 = c[4];
  const d0 = c[5], d1 = c[6], d2 = c[7], e1 = c[8], e2 = c[9];
  let z1 = st[0], z2 = st[1], w1 = st[2], w2 = st[3];
  let q1 = st[4], q2 = st[5], v1 = st[6], v2 = st[7];
  for (let i = from; i < to; i++) {
    const va = xa[i];
    const vb = xb[i];
    const xi = va - va === 0 ? va : 0;
    const xj = vb - vb === 0 ? vb : 0;
    const y = b0 * xi + z1;
    const yb = b0 * xj + q1;
    z1 = b1 * xi + z2 - a1 * y;
    q1 = b1 * xj + q2 - a1 * yb;
    z2 = b2 * xi - a2 * y;
    q2 = b2 * xj - a2 * yb;
    const u = d0 * y + w1;
    const ub = d0 * yb + v1;
    w1 = d1 * y + w2 - e1 * u;
    v1 = d1 * yb + v2 - e1 * ub;
    w2 = d2 * y - e2 * u;
    v2 = d2 * yb - e2 * ub;
    fa[i - base] = u;
    fb[i - base] = ub;
  }
  st[0] = z1;
  st[1] = z2;
  st[2] = w1;
  st[3] = w2;
  st[4] = q1;
  st[5] = q2;
  st[6] = v1;
  st[7] = v2;
}

/**
 * Backward pass of the cascade over fa/fb[0 … have) from rest at its end, two channels at once;
 * outputs for indices below `keep` go to oa/ob[…] (the rest only warms the state up).
 */
function backwardPass(fa: Float32Array, fb: Float32Array, have: number, keep: number, c: Float64Array, oa: Float32Array, ob: Float32Array): void {
  const b0 = c[0], b1 = c[1], b2 = c[2], a1 = c[3], a2 = c[4];
  const d0 = c[5], d1 = c[6], d2 = c[7], e1 = c[8], e2 = c[9];
  let z1 = 0, z2 = 0, w1 = 0, w2 = 0;
  let q1 = 0, q2 = 0, v1 = 0, v2 = 0;
  for (let i = have - 1; i >= 0; i--) {
    const xi = fa[i];
    const xj = fb[i];
    const y = b0 * xi + z1;
    const yb = b0 * xj + q1;
    z1 = b1 * xi + z2 - a1 * y;
    q1 = b1 * xj + q2 - a1 * yb;
    z2 = b2 * xi - a2 * y;
    q2 = b2 * xj - a2 * yb;
    const u = d0 * y + w1;
    const ub = d0 * yb + v1;
    w1 = d1 * y + w2 - e1 * u;
    v1 = d1 * yb + v2 - e1 * ub;
    w2 = d2 * y - e2 * u;
    v2 = d2 * yb - e2 * ub;
    if (i < keep) {
      oa[i] = u;
      ob[i] = ub;
    }
  }
}

/**
 * The highest true peak of a pair of channels through the two-section cascade `c` run forward and
 * backward (zero phase, magnitude |H|²: the forward-backward method, e.g. F. Gustafsson, IEEE
 * Trans. Signal Process. 44 (4), 1996, without its edge matching), fed block by block.
 * The forward pass consumes the input as it arrives (state carried in float64); the output is
 * made in chunks of {@link LP_CHUNK}: the backward pass of a chunk starts from rest `tail`
 * samples after it, where the response to the later samples has decayed below 1e-13
 * ({@link decayLength}), far below float32 resolution: the result equals the whole-signal
 * filter's to float rounding, with memory independent of the length (2·(LP_CHUNK + tail) floats
 * of forward output, 2·LP_CHUNK of chunk output, a 2-channel true-peak detector).
 */
class LowpassPair {
  /** Forward outputs from the current chunk's start on (`have` of them). */
  private readonly fa: Float32Array;
  private readonly fb: Float32Array;
  private readonly oa = new Float32Array(LP_CHUNK);
  private readonly ob = new Float32Array(LP_CHUNK);
  private readonly st = new Float64Array(8);
  private readonly tp: TruePeakDetector;
  private have = 0;

  constructor(
    sampleRate: number,
    private readonly c: Float64Array,
    tail: number,
  ) {
    this.fa = new Float32Array(LP_CHUNK + tail);
    this.fb = new Float32Array(LP_CHUNK + tail);
    this.tp = new TruePeakDetector(sampleRate, 2, LP_CHUNK);
  }

  /** Filter xa/xb[0 … n) forward; output every chunk whose look-ahead is complete. `peak[0]`: the running maximum over all pairs. */
  push(xa: Float32Array, xb: Float32Array, n: number, peak: Float64Array): void {
    const cap = this.fa.length;
    for (let from = 0; from < n; ) {
      const k = Math.min(n - from, cap - this.have);
      // forwardPass writes fa[i − base] for i in [from, from + k): base = from − have puts them after what is held.
      forwardPass(xa, xb, from, from + k, this.c, this.st, this.fa, this.fb, from - this.have);
      this.have += k;
      from += k;
      if (this.have === cap) this.chunk(LP_CHUNK, peak);
    }
  }

  /** Backward pass over everything held, the first `len` outputs kept and peak-detected; the held samples move up by `len`. */
  private chunk(len: number, peak: Float64Array): void {
    const { fa, fb, oa, ob, tp } = this;
    backwardPass(fa, fb, this.have, len, this.c, oa, ob);
    tp.process(0, oa, 0, len);
    tp.process(1, ob, 0, len);
    // Only the largest peak is wanted: let each channel's detector start from the larger running
    // maximum, so it skips the stretches that cannot beat it (the maximum stays exact).
    const m = Math.max(tp.peaks[0], tp.peaks[1], peak[0]);
    tp.peaks[0] = m;
    tp.peaks[1] = m;
    fa.copyWithin(0, len, this.have);
    fb.copyWithin(0, len, this.have);
    this.have -= len;
  }

  /** The chunks left (their look-ahead cut at the end of the programme), the detectors' tails; the pair's peak joins `peak[0]`. */
  finish(peak: Float64Array): void {
    while (this.have > 0) this.chunk(Math.min(LP_CHUNK, this.have), peak);
    this.tp.flush(0);
    this.tp.flush(1);
    peak[0] = Math.max(this.tp.peaks[0], this.tp.peaks[1], peak[0]);
  }
}

// Slots of the stereo sums (SEG_SLOTS per 100 ms segment, and the totals).
const S_L = 0;
const S_R = 1;
const S_LL = 2;
const S_RR = 3;
const S_LR = 4;
const SEG_SLOTS = 5;

/**
 * The stereo measurements, fed block by block: the mono fold-down (L + R)/√2 (as (L + R)/2 into a
 * meter of channel weight 2, which cannot overflow float32), and per segment of `seg` samples the
 * sums Σl, Σr, Σl², Σr², Σlr (non-finite samples as 0), kept for complete segments (5 numbers per
 * 100 ms) and totalled over everything. A segment cut by a block boundary is carried over.
 */
class StereoSums {
  readonly monoMeter: LoudnessMeter;
  private readonly mono: Float32Array;
  private readonly monoBlock: Float32Array[];
  /** Sums of the segment in progress, of `fill` samples. */
  private readonly part = new Float64Array(SEG_SLOTS);
  private fill = 0;
  readonly totals = new Float64Array(SEG_SLOTS);
  /** SEG_SLOTS sums per complete segment (grown by doubling). */
  sums: Float64Array;
  segments = 0;

  constructor(
    sampleRate: number,
    readonly seg: number,
    expectedSegments: number,
  ) {
    this.monoMeter = new LoudnessMeter({ channelWeights: [2], truePeak: false, historySeconds: 0 });
    this.monoMeter.prepare({ sampleRate, maxBlockSize: seg, channels: 1 });
    this.mono = new Float32Array(seg);
    this.monoBlock = [this.mono];
    this.sums = new Float64Array(SEG_SLOTS * Math.max(16, expectedSegments));
  }

  push(L: Float32Array, R: Float32Array, n: number): void {
    const { mono, part, seg } = this;
    for (let i = 0; i < n; ) {
      const k = Math.min(n - i, seg - this.fill);
      let sl = part[S_L], sr = part[S_R], sll = part[S_LL], srr = part[S_RR], slr = part[S_LR];
      for (let j = 0, f = this.fill; j < k; j++, f++) {
        const a = L[i + j];
        const b = R[i + j];
        mono[f] = (a + b) * 0.5;
        const x = a - a === 0 ? a : 0;
        const y = b - b === 0 ? b : 0;
        sl += x;
        sr += y;
        sll += x * x;
        srr += y * y;
        slr += x * y;
      }
      part[S_L] = sl;
      part[S_R] = sr;
      part[S_LL] = sll;
      part[S_RR] = srr;
      part[S_LR] = slr;
      this.fill += k;
      i += k;
      if (this.fill === seg) {
        this.endSegment();
        if (this.sums.length < SEG_SLOTS * (this.segments + 1)) {
          const grown = new Float64Array(2 * this.sums.length);
          grown.set(this.sums);
          this.sums = grown;
        }
        this.sums.set(part, SEG_SLOTS * this.segments);
        this.segments++;
        part.fill(0);
      }
    }
  }

  /** Meter the segment in progress and add its sums to the totals. */
  private endSegment(): void {
    this.monoMeter.process(this.monoBlock, this.fill);
    const t = this.totals;
    const p = this.part;
    t[S_L] += p[S_L];
    t[S_R] += p[S_R];
    t[S_LL] += p[S_LL];
    t[S_RR] += p[S_RR];
    t[S_LR] += p[S_LR];
    this.fill = 0;
  }

  /** The incomplete last segment: metered and totalled (not kept as a segment). */
  finish(): void {
    if (this.fill > 0) this.endSegment();
  }
}

/** dB of a linear peak, `null` for 0. */
function peakDb(v: number): number | null {
  return v > 0 ? 20 * Math.log10(v) : null;
}

function checkInput(channels: readonly Float32Array[], sampleRate: number): void {
  if (!Array.isArray(channels) || channels.length === 0) {
    throw new TypeError(`${OWNER}: channels must be a non-empty array of Float32Array, got ${describeValue(channels)}`);
  }
  if (channels.length > SPEC_LIMITS.maxChannels) {
    throw new RangeError(`${OWNER}: channels must hold 1 to ${SPEC_LIMITS.maxChannels} arrays, got ${channels.length}`);
  }
  // (An index loop: every() skips the holes of a sparse array.)
  for (let c = 0; c < channels.length; c++) {
    if (!(channels[c] instanceof Float32Array)) throw new TypeError(`${OWNER}: channels[${c}] must be a Float32Array, got ${describeValue(channels[c])}`);
  }
  const frames = channels[0].length;
  if (!channels.every((c) => c.length === frames)) throw new RangeError(`${OWNER}: all channels must have the same length`);
  checkSampleRate(OWNER, sampleRate);
}

function checkSampleRate(owner: string, sampleRate: unknown): void {
  const range = `[${SPEC_LIMITS.minSampleRate}, ${SPEC_LIMITS.maxSampleRate}] Hz`;
  if (typeof sampleRate !== 'number') throw new TypeError(`${owner}.sampleRate must be a number in ${range}, got ${describeValue(sampleRate)}`);
  if (!(SPEC_LIMITS.minSampleRate <= sampleRate && sampleRate <= SPEC_LIMITS.maxSampleRate)) {
    throw new RangeError(`${owner}.sampleRate must be in ${range}, got ${describeValue(sampleRate)}`);
  }
}

/** The options with their defaults, validated (in the name of `owner`), the channel weights checked against the channel count. */
function resolveOptions(owner: string, options: Partial<ProgrammeAnalysisOptions>, channels: number): ProgrammeAnalysisOptions {
  const o: ProgrammeAnalysisOptions = { ...PROGRAMME_ANALYSIS_DEFAULTS, ...validateOptions<ProgrammeAnalysisOptions>(owner, options, PROGRAMME_ANALYSIS_RULES) };
  const weights = o.channelWeights ?? defaultChannelWeights(channels);
  if (!weights || weights.length !== channels) {
    throw new RangeError(`${owner}.channelWeights: ${weights ? `${weights.length} weights for ${channels} channels` : `no default BS.1770 layout for ${channels} channels; pass one weight per channel`}`);
  }
  return o;
}

/** Options of {@link ProgrammeAnalyzer}: the analysis options, and the length to expect. */
export interface ProgrammeAnalyzerOptions extends ProgrammeAnalysisOptions {
  /**
   * The programme's length in frames, if known: sizes the loudness history (and the correlation's
   * segment list) once. Without it the history holds the last 24 h (about 7 MB, allocated at
   * construction). A programme longer than announced keeps the last `expectedFrames` of history.
   * @defaultValue undefined
   */
  expectedFrames: number | undefined;
}

const ANALYZER = 'ProgrammeAnalyzer';

/**
 * {@link analyzeProgramme} fed block by block: the same analysis of a programme of any length in
 * memory independent of that length, apart from the results over time (the loudness history and
 * the correlation's 100 ms segment sums: about 60 bytes per 100 ms, or the last 24 h when the
 * length is not announced) and the list of clipping runs (two numbers per run).
 *
 * @remarks
 * Every measurement streams: the loudness meter, the clipping scan (a run may span blocks), the
 * stereo sums and the mono fold-down (a 100 ms segment cut by a block boundary is carried over),
 * the long-term spectrum ({@link LongTermSpectrumAccumulator}) and the zero-phase low-pass of the
 * lossy-headroom proxy (forward pass as the samples arrive, backward pass per chunk with its
 * look-ahead). The pushed blocks are regrouped into blocks of 4096 frames, so any partition of
 * the programme into pushes gives the same result, equal to {@link analyzeProgramme}'s to the last
 * bit, except the tonal balance of a programme of more than one channel (weighted channels add
 * their periodograms in another order: a relative difference of the order of 1e-15 in the band
 * powers) and the fields derived from it (`lowFrequencyShare`, `lowVsMidDb`).
 *
 * @example
 * ```ts
 * import { ProgrammeAnalyzer } from 'masterbus';
 * const sampleRate = 48000;
 * const analyzer = new ProgrammeAnalyzer(2, sampleRate);
 * const block = [new Float32Array(4800), new Float32Array(4800)];
 * for (let b = 0; b < 50; b++) {
 *   // 5 s in blocks of 100 ms, as a decoder would deliver them
 *   for (let i = 0; i < 4800; i++) block[0][i] = block[1][i] = 0.3 * Math.sin((2 * Math.PI * 440 * (b * 4800 + i)) / sampleRate);
 *   analyzer.push(block, 4800);
 * }
 * const a = analyzer.finish(); // what analyzeProgramme() gives for the whole programme
 * console.log(a.loudness.integrated, a.translation.correlation); // ≈ −11.1 LUFS, 1
 * ```
 */
export class ProgrammeAnalyzer {
  private readonly o: ProgrammeAnalysisOptions;
  private readonly nch: number;
  private readonly sampleRate: number;
  private readonly meter: LoudnessMeter;
  /** Pushed frames waiting for a whole block (`fill` of them). */
  private readonly pending: Float32Array[];
  private fill = 0;
  private readonly views: Float32Array[];
  private frames = 0;
  private finished = false;
  // Clipping.
  private readonly runLengths: Float64Array;
  private readonly counts = new Float64Array(SC_SLOTS);
  private readonly runList: number[] = [];
  // Stereo (2 channels only).
  private readonly stereo: StereoSums | null;
  // Spectrum.
  private readonly spectrum: LongTermSpectrumAccumulator;
  // Low-pass proxy: one filter per pair of coded channels (null when not applied).
  private readonly lowpass: { pair: LowpassPair; a: number; b: number }[] | null;
  private readonly lowpassPeak = new Float64Array(1);

  /**
   * @param channels - channel count, 1 … 32
   * @param sampleRate - Hz, 8000 … 384000
   * @param options - {@link ProgrammeAnalysisOptions}, and `expectedFrames`
   */
  constructor(channels: number, sampleRate: number, options: Partial<ProgrammeAnalyzerOptions> = {}) {
    if (typeof channels !== 'number' || !(Number.isInteger(channels) && channels >= 1 && channels <= SPEC_LIMITS.maxChannels)) {
      throw new RangeError(`${ANALYZER}: channels must be an integer in [1, ${SPEC_LIMITS.maxChannels}], got ${describeValue(channels)}`);
    }
    checkSampleRate(ANALYZER, sampleRate);
    const { expectedFrames, ...rest } = (options ?? {}) as Partial<ProgrammeAnalyzerOptions>;
    if (expectedFrames !== undefined && !(typeof expectedFrames === 'number' && Number.isInteger(expectedFrames) && expectedFrames >= 0)) {
      throw new RangeError(`${ANALYZER}.expectedFrames must be a whole number of frames ≥ 0, got ${describeValue(expectedFrames)}`);
    }
    const o = resolveOptions(ANALYZER, rest, channels);
    const weights = o.channelWeights ?? defaultChannelWeights(channels)!;
    this.o = o;
    this.nch = channels;
    this.sampleRate = sampleRate;
    const historySeconds = expectedFrames === undefined ? 86400 : Math.min(86400, Math.ceil(expectedFrames / sampleRate) + 1);
    this.meter = new LoudnessMeter({ channelWeights: o.channelWeights, historySeconds });
    this.meter.prepare({ sampleRate, maxBlockSize: BLOCK, channels });
    this.pending = Array.from({ length: channels }, () => new Float32Array(BLOCK));
    this.views = new Array<Float32Array>(channels);
    this.runLengths = new Float64Array(channels);
    // 100 ms segments on the meter's own grid (10 hops of round(fs/100) samples), so segment j
    // ends where the meter's history step j ends.
    const seg = 10 * Math.max(1, Math.round(sampleRate / 100));
    this.stereo = channels === 2 ? new StereoSums(sampleRate, seg, expectedFrames === undefined ? 0 : Math.floor(expectedFrames / seg)) : null;
    this.spectrum = new LongTermSpectrumAccumulator(channels, sampleRate, weights);
    if (o.lossyLowpassHz < 0.45 * sampleRate) {
      const [s1, s2] = designFilter({ type: 'butterworth-lowpass', frequencyHz: o.lossyLowpassHz, q: Math.SQRT1_2, gainDb: 0, shelfSlope: 1, rolloffDbPerOctave: 24 }, sampleRate);
      const coefs = Float64Array.of(s1.b0, s1.b1, s1.b2, s1.a1, s1.a2, s2.b0, s2.b1, s2.b2, s2.a1, s2.a2);
      const tail = decayLength(coefs);
      // Channels the loudness ignores (weight 0: the LFE) are not encoded as programme; the rest go
      // in pairs (a lone one is paired with itself).
      const coded: number[] = [];
      for (let c = 0; c < channels; c++) if (weights[c] > 0) coded.push(c);
      this.lowpass = [];
      for (let k = 0; k < coded.length; k += 2) this.lowpass.push({ pair: new LowpassPair(sampleRate, coefs, tail), a: coded[k], b: coded[Math.min(k + 1, coded.length - 1)] });
    } else this.lowpass = null;
  }

  /** Frames pushed so far. */
  get length(): number {
    return this.frames;
  }

  /**
   * Add the next `frames` frames: block[c][0 … frames) for each channel c (the arrays may be
   * longer; they are read, not kept). Any partition of the programme into pushes gives the same
   * analysis.
   */
  push(block: readonly Float32Array[], frames: number): void {
    if (this.finished) throw new Error(`${ANALYZER}.push: the analyzer is finished (finish() was called)`);
    if (!Array.isArray(block) || block.length < this.nch) throw new TypeError(`${ANALYZER}.push: block must be an array of ${this.nch} Float32Array, got ${describeValue(block)}`);
    if (!(typeof frames === 'number' && Number.isInteger(frames) && frames >= 0)) throw new RangeError(`${ANALYZER}.push: frames must be a whole number ≥ 0, got ${describeValue(frames)}`);
    for (let c = 0; c < this.nch; c++) {
      const x = block[c];
      if (!(x instanceof Float32Array)) throw new TypeError(`${ANALYZER}.push: block[${c}] must be a Float32Array, got ${describeValue(x)}`);
      if (x.length < frames) throw new RangeError(`${ANALYZER}.push: block[${c}] has ${x.length} samples, fewer than frames (${frames})`);
    }
    const pend = this.pending;
    let off = 0;
    while (off < frames) {
      if (this.fill === 0 && frames - off >= BLOCK) {
        // A whole block straight from the caller's arrays.
        for (let c = 0; c < this.nch; c++) this.views[c] = block[c].subarray(off, off + BLOCK);
        this.consume(this.views, BLOCK);
        off += BLOCK;
        continue;
      }
      const k = Math.min(frames - off, BLOCK - this.fill);
      for (let c = 0; c < this.nch; c++) pend[c].set(block[c].subarray(off, off + k), this.fill);
      this.fill += k;
      off += k;
      if (this.fill === BLOCK) {
        this.consume(pend, BLOCK);
        this.fill = 0;
      }
    }
  }

  /** One block of `n` frames (a whole block of 4096 but for the last) through every measurement. */
  private consume(x: readonly Float32Array[], n: number): void {
    const o = this.o;
    this.meter.process(x, n);
    for (let c = 0; c < this.nch; c++) this.runLengths[c] = scanBlock(x[c], n, this.frames, this.runLengths[c], o.clipLevel, o.clipMinRun, this.counts, this.runList);
    this.stereo?.push(x[0], x[1], n);
    this.spectrum.push(x, n);
    if (this.lowpass !== null) for (const p of this.lowpass) p.pair.push(x[p.a], x[p.b], n, this.lowpassPeak);
    this.frames += n;
  }

  /** The analysis of everything pushed (see {@link ProgrammeAnalysis}). Call once; the analyzer cannot be fed afterwards. */
  finish(): ProgrammeAnalysis {
    if (this.finished) throw new Error(`${ANALYZER}.finish: called twice`);
    if (this.fill > 0) this.consume(this.pending, this.fill);
    this.fill = 0;
    this.finished = true;
    const { o, sampleRate, nch, frames, meter } = this;

    // --- Loudness, peaks, history: measureLoudness's meter, plus its history. ---
    meter.finish();
    const r = meter.reading();
    const history = meter.history();
    const integrated = finiteOrNull(r.integrated);
    const truePeak = finiteOrNull(r.truePeak);
    const loudness: ProgrammeLoudness = {
      integrated,
      lra: r.lra,
      truePeak,
      samplePeak: finiteOrNull(r.samplePeak),
      truePeakPerChannel: r.truePeakPerChannel.map(finiteOrNull),
      samplePeakPerChannel: r.samplePeakPerChannel.map(finiteOrNull),
      plr: truePeak !== null && integrated !== null ? truePeak - integrated : null,
      momentaryMax: finiteOrNull(r.momentaryMax),
      shortTermMax: finiteOrNull(r.shortTermMax),
    };

    // --- Clipping and sample statistics (runs still open at the end close there). ---
    const runList = this.runList;
    for (let c = 0; c < nch; c++) {
      const run = this.runLengths[c];
      if (run >= o.clipMinRun) runList.push(frames - run, frames);
    }
    let clippedSamples = 0;
    for (let k = 0; k < runList.length; k += 2) clippedSamples += runList[k + 1] - runList[k];
    const scan = this.counts;
    const clipping: ProgrammeClipping = {
      runs: runList.length / 2,
      clippedSamples,
      clippedSeconds: unionLength(runList) / sampleRate,
      fullScaleSamples: scan[SC_FULL],
      overFullScaleSamples: scan[SC_OVER],
      nonFiniteSamples: scan[SC_NONFINITE],
      level: o.clipLevel,
      minRun: o.clipMinRun,
    };

    // --- Series (loudness from the meter; correlation below). ---
    const steps = history.momentary.length;
    const series: ProgrammeSeries = {
      intervalSeconds: history.intervalSeconds,
      startSeconds: history.startSeconds,
      momentary: Array.from(history.momentary, (v) => round(v, 100)),
      shortTerm: Array.from(history.shortTerm, (v) => round(v, 100)),
      correlation: new Array<number | null>(steps).fill(null),
    };

    // --- Stereo: mono fold-down loudness and correlation. ---
    let monoIntegrated: number | null = null;
    let correlation: number | null = null;
    let negativeShare: number | null = null;
    let stMin: number | null = null;
    const st = this.stereo;
    if (st !== null) {
      st.finish();
      const t = st.totals;
      const sums = st.sums;
      const segments = st.segments;
      monoIntegrated = finiteOrNull(st.monoMeter.integrated);
      correlation = finiteOrNull(pearson(frames, t[S_L], t[S_R], t[S_LL], t[S_RR], t[S_LR]));
      // 3 s windows (30 segments) ending at each segment from the 30th on, gated by the short-term loudness.
      const firstStep = segments - steps; // history step of series index 0
      let counted = 0;
      let negative = 0;
      let lowest = Infinity;
      for (let j = SHORT_TERM_STEPS - 1; j < segments; j++) {
        const idx = j - firstStep;
        const stl = idx >= 0 ? history.shortTerm[idx] : Infinity; // beyond the history: no gate
        if (!(stl > ABSOLUTE_GATE)) continue;
        // The window's sums afresh from its 30 segments (a running sum would carry rounding residue
        // from loud passages into quiet ones).
        let wl = 0, wr = 0, wll = 0, wrr = 0, wlr = 0;
        for (let k = SEG_SLOTS * (j + 1 - SHORT_TERM_STEPS); k < SEG_SLOTS * (j + 1); k += SEG_SLOTS) {
          wl += sums[k + S_L];
          wr += sums[k + S_R];
          wll += sums[k + S_LL];
          wrr += sums[k + S_RR];
          wlr += sums[k + S_LR];
        }
        const rho = pearson(SHORT_TERM_STEPS * st.seg, wl, wr, wll, wrr, wlr);
        if (!Number.isFinite(rho)) continue;
        counted++;
        if (rho < 0) negative++;
        if (rho < lowest) lowest = rho;
        if (idx >= 0) series.correlation[idx] = round(rho, 1000);
      }
      if (counted > 0) {
        negativeShare = negative / counted;
        stMin = lowest;
      }
    }

    // --- Tonal balance and low-frequency share. ---
    const spectrum = this.spectrum.finish();
    const bands = thirdOctaveBandPowers(spectrum);
    const levelsDb = bands.powers.map((p) => (p !== null && p > 0 ? 10 * Math.log10(p) : null));
    const normalizedDb = levelsDb.map((l) => (l !== null && integrated !== null ? l + (TONAL_BALANCE_REFERENCE_LUFS - integrated) : null));
    const meanPower = (which: readonly number[]) => {
      let s = 0;
      for (const f of which) s += bands.powers[THIRD_OCTAVE_NOMINAL_HZ.indexOf(f)] ?? 0;
      return s / which.length;
    };
    const low = meanPower(LOW_BANDS);
    const mid = meanPower(MID_BANDS);
    const total = spectrumPowerBetween(spectrum, LOW_SHARE_FLOOR_HZ, LOW_SHARE_TOP_HZ);
    const lowShare = total > 0 ? spectrumPowerBetween(spectrum, LOW_SHARE_FLOOR_HZ, o.lowFrequencyHz) / total : null;

    // --- Lossy headroom: true peak after a zero-phase 16 kHz low-pass. ---
    const lowpassApplied = this.lowpass !== null;
    let lowpassPeak = truePeak;
    if (this.lowpass !== null && frames > 0) {
      for (const p of this.lowpass) p.pair.finish(this.lowpassPeak);
      lowpassPeak = peakDb(this.lowpassPeak[0]);
    }
    const margin = (tpDb: number | null) => (tpDb === null ? null : LOSSY_CEILING_DBTP - tpDb);

    return {
      sampleRate,
      channels: nch,
      frames,
      duration: frames / sampleRate,
      silent: integrated === null,
      digitalSilence: r.samplePeak === -Infinity, // the meter's sample peak ignores non-finite samples
      loudness,
      series,
      tonalBalance: {
        nominalHz: bands.nominalHz,
        centresHz: bands.centresHz,
        levelsDb,
        normalizedDb,
        referenceLufs: TONAL_BALANCE_REFERENCE_LUFS,
        lowBinHz: spectrum.low.binHz,
        highBinHz: spectrum.high.binHz,
        seamHz: spectrum.seamHz,
      },
      translation: {
        monoIntegrated,
        monoChange: monoIntegrated !== null && integrated !== null ? monoIntegrated - integrated : null,
        monoCancels: nch === 2 && integrated !== null && monoIntegrated === null,
        correlation,
        negativeCorrelationShare: negativeShare,
        shortTermCorrelationMin: stMin,
        lowFrequencyShare: lowShare,
        lowFrequencyHz: o.lowFrequencyHz,
        lowVsMidDb: low > 0 && mid > 0 ? 10 * Math.log10(low / mid) : null,
        lossy: {
          ceilingDbtp: LOSSY_CEILING_DBTP,
          truePeakMarginDb: margin(truePeak),
          lowpassTruePeak: lowpassPeak,
          lowpassMarginDb: margin(lowpassPeak),
          lowpassHz: o.lossyLowpassHz,
          lowpassApplied,
        },
      },
      clipping,
    };
  }
}

/**
 * Analyse a whole programme (one `Float32Array` per channel, equal lengths) at `sampleRate`: see
 * {@link ProgrammeAnalysis} and the module comment. A {@link ProgrammeAnalyzer} fed the whole
 * programme: it allocates little in proportion to the input (the loudness history and the
 * correlation's segment sums, about 60 bytes per 100 ms; two numbers per clipping run). Throws a
 * `TypeError` / `RangeError` on bad input or options.
 */
export function analyzeProgramme(channels: readonly Float32Array[], sampleRate: number, options: Partial<ProgrammeAnalysisOptions> = {}): ProgrammeAnalysis {
  checkInput(channels, sampleRate);
  const frames = channels[0].length;
  const o = resolveOptions(OWNER, options, channels.length); // errors in analyzeProgramme's name
  const analyzer = new ProgrammeAnalyzer(channels.length, sampleRate, { ...o, expectedFrames: frames });
  analyzer.push(channels, frames);
  return analyzer.finish();
}

/** Thresholds of {@link programmeWarnings} (heuristics from mastering practice; each says why). */
export const PROGRAMME_WARNING_LIMITS = Object.freeze({
  /**
   * Mono fold-down losing more than this, LU, is mono-incompatible. With the constant-power
   * fold-down, 3.01 LU is what width alone costs, without any cancellation: uncorrelated channels
   * of equal level, or a programme on one channel only, lose exactly that. So the limit sits above
   * it: 4.5 LU is what equal channels with a correlation of −0.3 lose (−10·log10((1 + r)/2)),
   * cancellation that is clearly audible. (The correlation limit below catches negative r as such.)
   */
  monoLossLu: 4.5,
  /**
   * A programme correlation below this is mono-incompatible: more anti-phase than in-phase content.
   * Not 0 itself: decorrelated channels (wide reverbs, independent noises) read 0 give or take a
   * few hundredths, of either sign; −0.1 is unambiguously negative.
   */
  correlationMin: -0.1,
  /** A peak-to-loudness ratio below this, dB, means a heavily limited source (little crest left for mastering). */
  plrMinDb: 6,
  /**
   * More than this share of the 20 Hz–20 kHz power below `lowFrequencyHz` (120 Hz) is excessive: a
   * small speaker reproduces little of the programme's energy, and a loudness-normalising player
   * turns down bass the listener cannot hear. Pink noise (equal power per band) gives 0.26; 0.7
   * takes the bands from 20 to 120 Hz about 8.2 dB above a pink balance of the rest
   * (2.58 octaves·g / (2.58 octaves·g + 7.38 octaves) = 0.7 for g = 10^0.82). The Francium excerpt reads 0.33.
   */
  lowFrequencyShareMax: 0.7,
  /** True peak above this, dBTP, risks clipping after lossy encoding ({@link LOSSY_CEILING_DBTP}). */
  truePeakMaxDbtp: LOSSY_CEILING_DBTP,
  /** An integrated loudness below this, LUFS, is near-silence (far below any delivery target; mastering it means > 40 dB of gain). */
  nearSilenceLufs: -60,
});

/** Codes of {@link programmeWarnings}. */
export type ProgrammeWarningCode =
  | 'silence'
  | 'near-silence'
  | 'source-clipping'
  | 'non-finite-samples'
  | 'mono-incompatible'
  | 'heavy-limiting'
  | 'excessive-low-frequency'
  | 'lossy-encoding-risk';

/** One warning: a stable code and a plain-language message with the figures. */
export interface ProgrammeWarning {
  code: ProgrammeWarningCode;
  message: string;
}

const f1 = (v: number) => v.toFixed(1);

/**
 * Plain-language warnings about a programme analysed by {@link analyzeProgramme}, against
 * {@link PROGRAMME_WARNING_LIMITS}: silence or near-silence, clipping in the source, non-finite
 * samples, mono incompatibility, heavy limiting (low PLR), excessive low-frequency share, and a
 * true peak too high for lossy encoding. Empty for a healthy programme.
 */
export function programmeWarnings(a: ProgrammeAnalysis): ProgrammeWarning[] {
  const parts = a !== null && typeof a === 'object' ? [a.loudness, a.translation, a.clipping] : [];
  if (parts.length === 0 || !parts.every((x) => x !== null && typeof x === 'object')) {
    throw new TypeError(`programmeWarnings: a must be the result of analyzeProgramme() (an object with loudness, translation and clipping), got ${describeValue(a)}`);
  }
  const out: ProgrammeWarning[] = [];
  const lim = PROGRAMME_WARNING_LIMITS;
  const { loudness: ld, translation: tr, clipping: cl } = a;
  if (a.silent) {
    out.push({
      code: 'silence',
      message: a.digitalSilence
        ? 'The programme is digital silence: every sample is zero. There is nothing to master.'
        : 'The programme is silent: no 400 ms stretch reaches −70 LUFS, so it has no integrated loudness. Check that the right file was given.',
    });
  } else if (ld.integrated !== null && ld.integrated < lim.nearSilenceLufs) {
    out.push({
      code: 'near-silence',
      message: `The programme is nearly silent (${f1(ld.integrated)} LUFS): bringing it to a delivery target takes over ${Math.floor(-14 - ld.integrated)} dB of gain, which raises its noise as much.`,
    });
  }
  if (cl.runs > 0) {
    out.push({
      code: 'source-clipping',
      message: `The source is clipped: ${cl.runs} run${cl.runs === 1 ? '' : 's'} of ${cl.minRun} or more samples at full scale (${cl.clippedSamples} samples, ${cl.clippedSeconds < 1 ? `${(1000 * cl.clippedSeconds).toFixed(2)} ms` : `${cl.clippedSeconds.toFixed(2)} s`}). Mastering cannot undo clipping; ask for a mix with headroom.`,
    });
  }
  if (cl.nonFiniteSamples > 0) {
    out.push({ code: 'non-finite-samples', message: `The source holds ${cl.nonFiniteSamples} samples that are not numbers (NaN or infinity); they were treated as silence.` });
  }
  const reasons: string[] = [];
  if (tr.monoCancels) reasons.push('its left and right channels cancel in mono: the mono fold-down is silent');
  else if (tr.monoChange !== null && tr.monoChange < -lim.monoLossLu) reasons.push(`it loses ${f1(-tr.monoChange)} LU when folded down to mono`);
  if (tr.correlation !== null && tr.correlation < lim.correlationMin) reasons.push(`its left/right correlation is ${tr.correlation.toFixed(2)} (out of phase)`);
  if (reasons.length > 0) {
    out.push({ code: 'mono-incompatible', message: `The programme is not mono-compatible: ${reasons.join(', and ')}. On a phone, a mono speaker or a summed PA parts of it will vanish.` });
  }
  if (ld.plr !== null && ld.plr < lim.plrMinDb) {
    out.push({
      code: 'heavy-limiting',
      message: `The source is heavily limited: its peaks are only ${f1(ld.plr)} dB above its loudness (PLR). Little dynamics are left; more loudness will cost distortion and punch.`,
    });
  }
  if (tr.lowFrequencyShare !== null && tr.lowFrequencyShare > lim.lowFrequencyShareMax) {
    out.push({
      code: 'excessive-low-frequency',
      message: `${Math.round(100 * tr.lowFrequencyShare)} % of the programme's energy lies below ${tr.lowFrequencyHz} Hz, which small speakers (phones, laptops) do not reproduce: it will sound thin there, and players that normalise loudness will turn it down for bass the listener cannot hear.`,
    });
  }
  const lp = tr.lossy.lowpassTruePeak;
  if (ld.truePeak !== null && ld.truePeak > lim.truePeakMaxDbtp) {
    out.push({
      code: 'lossy-encoding-risk',
      message: `The true peak is ${f1(ld.truePeak)} dBTP, above ${lim.truePeakMaxDbtp} dBTP: MP3/AAC encoding will likely clip. Keep true peaks at or below ${lim.truePeakMaxDbtp} dBTP.`,
    });
  } else if (lp !== null && lp > lim.truePeakMaxDbtp) {
    out.push({
      code: 'lossy-encoding-risk',
      message: `The true peak is within ${lim.truePeakMaxDbtp} dBTP, but without the content above ${tr.lossy.lowpassHz / 1000} kHz (which lossy encoders remove) it rises to ${f1(lp)} dBTP: encoding will likely clip. Lower the ceiling a little.`,
    });
  }
  return out;
}
