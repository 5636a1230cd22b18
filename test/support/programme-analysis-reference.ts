/**
 * The programme analysis as it was before it streamed (masterbus 1a52d3c): `analyzeProgramme()` of
 * src/metering/programme-analysis.ts and `longTermSpectrum()` of src/metering/tonal-balance.ts,
 * copied verbatim (whole-buffer versions) as the reference the streaming `ProgrammeAnalyzer` is
 * checked against. Test support only: do not change it to match the new code.
 */
import { SPEC_LIMITS } from '../../src/core/processor.js';
import { RealFFT } from '../../src/core/fft.js';
import { describeValue, validateOptions } from '../../src/core/validate.js';
import { designFilter } from '../../src/filters/biquad-coefficients.js';
import { LoudnessMeter, defaultChannelWeights } from '../../src/metering/loudness-meter.js';
import { TruePeakDetector } from '../../src/metering/true-peak.js';
import {
  LOSSY_CEILING_DBTP,
  PROGRAMME_ANALYSIS_DEFAULTS,
  PROGRAMME_ANALYSIS_RULES,
  TONAL_BALANCE_REFERENCE_LUFS,
  type ProgrammeAnalysis,
  type ProgrammeAnalysisOptions,
  type ProgrammeClipping,
  type ProgrammeLoudness,
  type ProgrammeSeries,
} from '../../src/metering/programme-analysis.js';
import {
  SPECTRUM_SEAM_HZ,
  THIRD_OCTAVE_NOMINAL_HZ,
  spectrumDecimation,
  spectrumPowerBetween,
  thirdOctaveBandPowers,
  type LongTermSpectrum,
} from '../../src/metering/tonal-balance.js';

const OWNER = 'analyzeProgramme';

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

// Slots of the per-channel scan (scanChannel's `out`).
const SC_FULL = 0;
const SC_OVER = 1;
const SC_NONFINITE = 2;
const SC_SLOTS = 3;

/**
 * One pass over a channel: clipping runs (each appended to `runs` as start, end frame), full-scale,
 * over-range and non-finite counts. Only |x| ≥ level (or NaN) leaves the fast path.
 */
function scanChannel(x: Float32Array, level: number, minRun: number, out: Float64Array, runList: number[]): void {
  let run = 0;
  let full = 0;
  let over = 0;
  let bad = 0;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    const a = v < 0 ? -v : v;
    if (a < level) {
      if (run >= minRun) runList.push(i - run, i);
      run = 0;
      continue;
    }
    // Rare: a clipped, full-scale or over-range sample, or a non-finite one (NaN fails a < level too).
    if (!(a < Infinity)) {
      bad++;
      if (run >= minRun) runList.push(i - run, i);
      run = 0;
      continue;
    }
    if (a === 1) full++;
    else if (a > 1) over++;
    run++;
  }
  if (run >= minRun) runList.push(n - run, n);
  out[SC_FULL] += full;
  out[SC_OVER] += over;
  out[SC_NONFINITE] += bad;
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

/** Scratch of {@link lowpassTruePeaks}, per channel of a pair: forward outputs (LP_CHUNK + tail), chunk outputs (LP_CHUNK); filter state; a 2-channel true-peak detector. */
interface LowpassScratch {
  fa: Float32Array;
  fb: Float32Array;
  oa: Float32Array;
  ob: Float32Array;
  st: Float64Array;
  tp: TruePeakDetector;
}

/**
 * Highest true peaks (linear) of `xa` and `xb` through the two-section cascade `c` run forward and
 * backward (zero phase, magnitude |H|²: the forward-backward method, e.g. F. Gustafsson, IEEE
 * Trans. Signal Process. 44 (4), 1996, without its edge matching): the larger of them and the
 * value already in peaks[0] goes to peaks[0].
 * Streamed in chunks of {@link LP_CHUNK}: the backward pass of a chunk starts from rest `tail`
 * samples after it, where the response to the later samples has decayed below 1e-13
 * ({@link decayLength}), far below float32 resolution: the result equals the whole-signal
 * filter's to float rounding, with memory independent of the length.
 */
function lowpassTruePeaks(xa: Float32Array, xb: Float32Array, c: Float64Array, tail: number, w: LowpassScratch, peaks: Float64Array): void {
  const n = xa.length;
  const { fa, fb, oa, ob, st, tp } = w;
  st.fill(0);
  tp.reset();
  let base = 0;
  let have = 0;
  for (let s = 0; s < n; s += LP_CHUNK) {
    const e = Math.min(n, s + LP_CHUNK);
    const need = Math.min(n, e + tail);
    if (s > base) {
      fa.copyWithin(0, s - base, have);
      fb.copyWithin(0, s - base, have);
      have -= s - base;
      base = s;
    }
    forwardPass(xa, xb, base + have, need, c, st, fa, fb, base);
    have = need - base;
    backwardPass(fa, fb, have, e - s, c, oa, ob);
    tp.process(0, oa, 0, e - s);
    tp.process(1, ob, 0, e - s);
    // Only the largest peak is wanted: let each channel's detector start from the larger running
    // maximum, so it skips the stretches that cannot beat it (the maximum stays exact).
    const m = Math.max(tp.peaks[0], tp.peaks[1], peaks[0]);
    tp.peaks[0] = m;
    tp.peaks[1] = m;
  }
  tp.flush(0);
  tp.flush(1);
  peaks[0] = Math.max(tp.peaks[0], tp.peaks[1], peaks[0]);
}

// Slots of stereoPass's per-segment sums (SEG_SLOTS per 100 ms segment) and of its totals.
const S_L = 0;
const S_R = 1;
const S_LL = 2;
const S_RR = 3;
const S_LR = 4;
const SEG_SLOTS = 5;

/**
 * One pass over a stereo programme: the mono fold-down (L + R)/√2 (as (L + R)/2 into a meter of
 * channel weight 2, which cannot overflow float32) into `monoMeter`, and per
 * segment of `seg` samples the sums Σl, Σr, Σl², Σr², Σlr (non-finite samples as 0) into `sums`
 * (complete segments only) and `totals` (everything).
 */
function stereoPass(L: Float32Array, R: Float32Array, seg: number, monoMeter: LoudnessMeter, mono: Float32Array, sums: Float64Array, totals: Float64Array): void {
  const frames = L.length;
  const segments = sums.length / SEG_SLOTS;
  const block = [mono];
  for (let j = 0, p = 0; p < frames; j++, p += seg) {
    const n = Math.min(seg, frames - p);
    let sl = 0, sr = 0, sll = 0, srr = 0, slr = 0;
    for (let i = 0; i < n; i++) {
      const a = L[p + i];
      const b = R[p + i];
      mono[i] = (a + b) * 0.5;
      const x = a - a === 0 ? a : 0;
      const y = b - b === 0 ? b : 0;
      sl += x;
      sr += y;
      sll += x * x;
      srr += y * y;
      slr += x * y;
    }
    monoMeter.process(block, n);
    totals[S_L] += sl;
    totals[S_R] += sr;
    totals[S_LL] += sll;
    totals[S_RR] += srr;
    totals[S_LR] += slr;
    if (j < segments) {
      const o = SEG_SLOTS * j;
      sums[o + S_L] = sl;
      sums[o + S_R] = sr;
      sums[o + S_LL] = sll;
      sums[o + S_RR] = srr;
      sums[o + S_LR] = slr;
    }
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
  const range = `[${SPEC_LIMITS.minSampleRate}, ${SPEC_LIMITS.maxSampleRate}] Hz`;
  if (typeof sampleRate !== 'number') throw new TypeError(`${OWNER}.sampleRate must be a number in ${range}, got ${describeValue(sampleRate)}`);
  if (!(SPEC_LIMITS.minSampleRate <= sampleRate && sampleRate <= SPEC_LIMITS.maxSampleRate)) {
    throw new RangeError(`${OWNER}.sampleRate must be in ${range}, got ${describeValue(sampleRate)}`);
  }
}

/**
 * Analyse a whole programme (one `Float32Array` per channel, equal lengths) at `sampleRate`: see
 * {@link ProgrammeAnalysis} and the module comment. Allocates little in proportion to the input
 * (the loudness history and the correlation's segment sums, about 60 bytes per 100 ms; the
 * spectrum's decimated copy of one channel, 1/16 of its size; two numbers per clipping run); the
 * low-pass proxy streams in fixed chunks. Throws a `TypeError` /
 * `RangeError` on bad input or options.
 */
export function analyzeProgrammeReference(channels: readonly Float32Array[], sampleRate: number, options: Partial<ProgrammeAnalysisOptions> = {}): ProgrammeAnalysis {
  checkInput(channels, sampleRate);
  const o: ProgrammeAnalysisOptions = { ...PROGRAMME_ANALYSIS_DEFAULTS, ...validateOptions<ProgrammeAnalysisOptions>(OWNER, options, PROGRAMME_ANALYSIS_RULES) };
  const nch = channels.length;
  const frames = channels[0].length;
  const weights = o.channelWeights ?? defaultChannelWeights(nch);
  if (!weights || weights.length !== nch) {
    throw new RangeError(`${OWNER}.channelWeights: ${weights ? `${weights.length} weights for ${nch} channels` : `no default BS.1770 layout for ${nch} channels; pass one weight per channel`}`);
  }

  // --- Loudness, peaks, history: measureLoudness's meter, plus its history. ---
  const historySeconds = Math.min(86400, Math.ceil(frames / sampleRate) + 1);
  const meter = new LoudnessMeter({ channelWeights: o.channelWeights, historySeconds });
  meter.prepare({ sampleRate, maxBlockSize: BLOCK, channels: nch });
  const views: Float32Array[] = new Array<Float32Array>(nch);
  for (let p = 0; p < frames; p += BLOCK) {
    const end = Math.min(frames, p + BLOCK);
    for (let c = 0; c < nch; c++) views[c] = channels[c].subarray(p, end);
    meter.process(views);
  }
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

  // --- Clipping and sample statistics. ---
  const scan = new Float64Array(SC_SLOTS);
  const runList: number[] = [];
  for (let c = 0; c < nch; c++) scanChannel(channels[c], o.clipLevel, o.clipMinRun, scan, runList);
  let clippedSamples = 0;
  for (let k = 0; k < runList.length; k += 2) clippedSamples += runList[k + 1] - runList[k];
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
  if (nch === 2) {
    const L = channels[0];
    const R = channels[1];
    // The fold-down (L + R)/√2 is fed as (L + R)/2 with weight 2 (G·z of BS.1770 scales the mean
    // square): the same loudness and gating, and a float32 sample that cannot overflow, where
    // (L + R)/√2 of two samples above 2.4e38 is ±Infinity in the float32 buffer.
    const monoMeter = new LoudnessMeter({ channelWeights: [2], truePeak: false, historySeconds: 0 });
    // 100 ms segments on the meter's own grid (10 hops of round(fs/100) samples), so segment j
    // ends where the meter's history step j ends.
    const seg = 10 * Math.max(1, Math.round(sampleRate / 100));
    monoMeter.prepare({ sampleRate, maxBlockSize: seg, channels: 1 });
    const mono = new Float32Array(seg);
    const segments = Math.floor(frames / seg);
    const sums = new Float64Array(SEG_SLOTS * segments);
    const t = new Float64Array(SEG_SLOTS);
    stereoPass(L, R, seg, monoMeter, mono, sums, t);
    monoIntegrated = finiteOrNull(monoMeter.integrated);
    correlation = finiteOrNull(pearson(frames, t[S_L], t[S_R], t[S_LL], t[S_RR], t[S_LR]));
    // 3 s windows (30 segments) ending at each segment from the 30th on, gated by the short-term loudness.
    const firstStep = segments - steps; // history step of series index 0
    let counted = 0;
    let negative = 0;
    let lowest = Infinity;
    for (let j = SHORT_TERM_STEPS - 1; j < segments; j++) {
      const idx = j - firstStep;
      const st = idx >= 0 ? history.shortTerm[idx] : Infinity; // beyond a 24 h history: no gate
      if (!(st > ABSOLUTE_GATE)) continue;
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
      const rho = pearson(SHORT_TERM_STEPS * seg, wl, wr, wll, wrr, wlr);
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
  const spectrum = longTermSpectrumReference(channels, sampleRate, weights);
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
  const lowpassApplied = o.lossyLowpassHz < 0.45 * sampleRate;
  let lowpassPeak = truePeak;
  if (lowpassApplied && frames > 0) {
    const [s1, s2] = designFilter({ type: 'butterworth-lowpass', frequencyHz: o.lossyLowpassHz, q: Math.SQRT1_2, gainDb: 0, shelfSlope: 1, rolloffDbPerOctave: 24 }, sampleRate);
    const coefs = Float64Array.of(s1.b0, s1.b1, s1.b2, s1.a1, s1.a2, s2.b0, s2.b1, s2.b2, s2.a1, s2.a2);
    const tail = decayLength(coefs);
    const scratch: LowpassScratch = {
      fa: new Float32Array(LP_CHUNK + tail),
      fb: new Float32Array(LP_CHUNK + tail),
      oa: new Float32Array(LP_CHUNK),
      ob: new Float32Array(LP_CHUNK),
      st: new Float64Array(8),
      tp: new TruePeakDetector(sampleRate, 2, LP_CHUNK),
    };
    // Channels the loudness ignores (weight 0: the LFE) are not encoded as programme; the rest go
    // in pairs (a lone one is paired with itself).
    const coded = channels.filter((_, c) => weights[c] > 0);
    const pair = new Float64Array(1);
    for (let c = 0; c < coded.length; c += 2) lowpassTruePeaks(coded[c], coded[Math.min(c + 1, coded.length - 1)], coefs, tail, scratch, pair);
    const peak = pair[0];
    lowpassPeak = peakDb(peak);
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


// --- longTermSpectrum (tonal-balance.ts) ---

/** Moving-average stages of the low tier's decimation filter. */
const CIC_STAGES = 4;

/** Smallest power of two ≥ max(256, x). */
function pow2AtLeast(x: number): number {
  let n = 256;
  while (n < x) n *= 2;
  return n;
}

/**
 * Hann window over `length` samples at half-sample offsets, `sin²(π(i + ½)/length)`: the periodic
 * Hann window delayed by half a sample (same |W|, so the same leakage), never zero, symmetric, with
 * Σw² = 3·length/8 exactly for length ≥ 2 (and 1 for length 1).
 */
function hann(length: number, out: Float64Array): number {
  let e = 0;
  for (let i = 0; i < length; i++) {
    const s = Math.sin((Math.PI * (i + 0.5)) / length);
    out[i] = s * s;
    e += out[i] * out[i];
  }
  return e;
}

/** Work buffers and frame plan of one Welch estimate. */
interface Welch {
  fft: RealFFT;
  n: number;
  /** Window length (N, or the signal length if shorter). */
  len: number;
  window: Float64Array;
  windowEnergy: number;
  starts: number[];
  buf: Float64Array;
  spec: Float64Array;
}

function planWelch(n: number, frames: number, hop: number): Welch {
  const len = frames < n ? frames : n;
  const window = new Float64Array(len);
  const windowEnergy = hann(len, window);
  const starts: number[] = [];
  if (frames > 0) {
    for (let s = 0; s + len <= frames; s += hop) starts.push(s);
    if (starts[starts.length - 1] + len < frames) starts.push(frames - len);
  }
  return { fft: new RealFFT(n), n, len, window, windowEnergy, starts, buf: new Float64Array(n), spec: new Float64Array(n + 2) };
}

/** Window one frame of `x` from `start` into `buf` (non-finite samples as 0). */
function windowFrame(x: Float32Array, start: number, w: Float64Array, len: number, buf: Float64Array): void {
  for (let i = 0; i < len; i++) {
    const v = x[start + i];
    buf[i] = v - v === 0 ? v * w[i] : 0;
  }
}

/** Add g·|X[k]|² of the interleaved spectrum to power[k], k = 0 … half. */
function addPower(spec: Float64Array, half: number, g: number, power: Float64Array): void {
  for (let k = 0; k <= half; k++) {
    const re = spec[2 * k];
    const im = spec[2 * k + 1];
    power[k] += g * (re * re + im * im);
  }
}

/** Welch-accumulate `x` (weight g) into `power` (unscaled |X|² sums). */
function accumulate(x: Float32Array, g: number, p: Welch, power: Float64Array): void {
  const half = p.n >> 1;
  for (const s of p.starts) {
    windowFrame(x, s, p.window, p.len, p.buf);
    p.fft.forward(p.buf, p.spec);
    addPower(p.spec, half, g, power);
  }
}

/** Parseval scaling of the accumulated |X|² sums into one-sided mean square per bin, for `channelsDone` channels' worth of frames. */
function scalePower(power: Float64Array, p: Welch): void {
  const half = p.n >> 1;
  if (p.starts.length === 0) return;
  // Σ_k |X[k]|² over all N bins = N·Σ (w·x)², and Σ (w·x)² / Σ w² estimates the mean square.
  const scale = 1 / (p.n * p.windowEnergy * p.starts.length);
  power[0] *= scale;
  power[half] *= scale;
  for (let k = 1; k < half; k++) power[k] *= 2 * scale;
}

/**
 * Taps of the low tier's decimation filter: `CIC_STAGES` moving averages of length D in cascade
 * (a CIC filter, E. B. Hogenauer, IEEE Trans. ASSP 29 (2), 1981, as an FIR), gain 1 at DC.
 */
function cicTaps(d: number): Float64Array {
  let h = new Float64Array([1]);
  for (let s = 0; s < CIC_STAGES; s++) {
    const next = new Float64Array(h.length + d - 1);
    for (let i = 0; i < h.length; i++) for (let j = 0; j < d; j++) next[i + j] += h[i] / d;
    h = next;
  }
  return h;
}

/** Power response of the decimation filter at f Hz: `(sin(πfD/fs) / (D·sin(πf/fs)))^(2·stages)`. */
function cicPowerResponse(f: number, d: number, fs: number): number {
  if (f === 0 || d === 1) return 1;
  const r = Math.sin((Math.PI * f * d) / fs) / (d * Math.sin((Math.PI * f) / fs));
  return Math.pow(r * r, CIC_STAGES);
}

/**
 * `x` filtered by `h` and kept every `d`-th output: y[m] = Σ_j h[j]·x[m·d + j] (x = 0 past its end;
 * non-finite samples as 0: an output they reach is summed again without them).
 */
function decimate(x: Float32Array, h: Float64Array, d: number, out: Float32Array): void {
  const n = x.length;
  const K = h.length;
  for (let m = 0; m < out.length; m++) {
    const s = m * d;
    const end = s + K < n ? K : n - s;
    let acc = 0;
    for (let j = 0; j < end; j++) acc += h[j] * x[s + j];
    if (!(acc - acc === 0)) {
      acc = 0;
      for (let j = 0; j < end; j++) {
        const v = x[s + j];
        if (v - v === 0) acc += h[j] * v;
      }
    }
    out[m] = acc;
  }
}

/**
 * Long-term average spectrum of `channels` at `sampleRate` (Welch: Hann frames in two
 * resolutions; see the module comment). `weights` are the channels' power weights (default 1
 * each; a channel of weight 0 is skipped). Allocates its tables and the result.
 */
export function longTermSpectrumReference(channels: readonly Float32Array[], sampleRate: number, weights?: readonly number[]): LongTermSpectrum {
  const frames = channels.length > 0 ? channels[0].length : 0;
  const d = spectrumDecimation(sampleRate);
  const lowRate = sampleRate / d;
  const hiSize = pow2AtLeast(sampleRate / 12);
  const hi = planWelch(hiSize, frames, hiSize);
  const lowFrames = Math.ceil(frames / d);
  const loSize = pow2AtLeast(lowRate / 3);
  const lo = planWelch(loSize, lowFrames, loSize >> 1);
  const hiPower = new Float64Array((hi.n >> 1) + 1);
  const loPower = new Float64Array((lo.n >> 1) + 1);
  const taps = cicTaps(d);
  const y = new Float32Array(lowFrames);
  for (let c = 0; c < channels.length; c++) {
    const g = weights ? weights[c] : 1;
    if (!(g > 0)) continue;
    accumulate(channels[c], g, hi, hiPower);
    decimate(channels[c], taps, d, y);
    accumulate(y, g, lo, loPower);
  }
  scalePower(hiPower, hi);
  scalePower(loPower, lo);
  // Divide out the decimation filter's droop below the seam (where it is ≥ −1 dB at 44.1/48 kHz).
  const loBin = lowRate / lo.n;
  for (let k = 0; k < loPower.length && (k - 0.5) * loBin < SPECTRUM_SEAM_HZ; k++) loPower[k] /= cicPowerResponse(k * loBin, d, sampleRate);
  return {
    sampleRate,
    seamHz: SPECTRUM_SEAM_HZ,
    decimation: d,
    low: { sampleRate: lowRate, fftSize: lo.n, binHz: loBin, frames: lo.starts.length, power: loPower },
    high: { sampleRate, fftSize: hi.n, binHz: sampleRate / hi.n, frames: hi.starts.length, power: hiPower },
  };
}

