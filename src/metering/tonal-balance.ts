/**
 * Tonal balance: the long-term average spectrum of a programme in 1/3-octave bands, for offline
 * analysis (not a processor): of a whole buffer ({@link longTermSpectrum}), or fed block by block
 * in memory independent of the programme's length ({@link LongTermSpectrumAccumulator}).
 *
 * @remarks
 * **Bands.** Base-ten 1/3-octave bands of IEC 61260-1:2014 / ANSI S1.11: exact centres
 * `f_m = 10^(n/10)` Hz (n = 14 … 43, nominally 25 Hz … 20 kHz; `f_m = 1000·G^(x/3)` with
 * G = 10^(3/10)), edges `f_m·10^(∓1/20)`. Adjacent bands share edges, and the ratio of
 * their widths is exactly 10^(1/10) (+1 dB for white noise).
 *
 * **Spectrum.** Welch's method (P. D. Welch, "The use of fast Fourier transform for the estimation
 * of power spectra", IEEE Trans. Audio Electroacoust. 15 (2), 1967): Hann-windowed frames of
 * N samples (50 % overlap in the low tier, none in the high tier: see below), one more frame
 * aligned to the end when the hops do not reach it (a
 * signal shorter than N is one frame, windowed over its own length and zero-padded), periodograms
 * averaged. Scaled by Parseval so that the bins add up to the mean square of the signal:
 * `P[k] = c_k·Σ_frames |X[k]|² / (N·Σ_frames Σ_i w[i]²)`, c_k = 2 for 0 < k < N/2, 1 at DC and
 * Nyquist. A sine of amplitude A within a band therefore adds A²/2 to it, wherever it lies between
 * bins. Channels are summed with their BS.1770 power weights G (as the loudness is), so the
 * spectrum and the loudness of a programme move together.
 *
 * **Two resolutions.** A 1/3-octave band is 23 % of its centre wide: 5.8 Hz at 25 Hz, 4.6 kHz at
 * 20 kHz. One FFT fine enough for the bottom band (≤ 3 Hz bins: 16 384 points at 48 kHz) costs
 * about twice as much per sample as a 4096-point one, for nothing above a few hundred hertz. So:
 * - above the seam at 354.8 Hz (the edge between the 315 and 400 Hz bands) the programme is analysed
 *   at its own rate with N = the smallest power of two ≥ fs/12 (4096 at 44.1/48 kHz: 10.8/11.7 Hz
 *   bins, ≥ 7.8 bins per band). Its frames do not overlap: with 8 or more bins per band and a
 *   frame every 85 ms a band averages ≥ 16 independent values per frame, so overlap would buy
 *   little variance for half the cost (this tier is 3/4 of the spectrum's time);
 * - below it, the programme decimated by D (the largest power of two with fs/D ≥ 2.4 kHz: 16 at
 *   44.1/48 kHz) with N = the smallest power of two ≥ (fs/D)/3 (1024: 2.7/2.9 Hz bins, 2 bins in the
 *   25 Hz band), frames overlapping by 50 %. The decimation filter is four moving averages of length D in cascade (a CIC
 *   filter, Hogenauer 1981), whose power response `(sin(πfD/fs)/(D·sin(πf/fs)))^8` is divided out of
 *   the low bins (at the seam −0.8 dB at 48 kHz, at most −1.3 dB at any rate; exactly known). Its
 *   nulls sit on the multiples of fs/D, so what folds onto 0–355 Hz comes from within ±355 Hz of
 *   them, where the filter is at least 58 dB below its gain at the frequency folded onto (66 dB at
 *   44.1 kHz, 70 dB at 48 kHz; computed from the response at every rate from 8 to 384 kHz).
 * The leakage of the Hann window smooths the spectrum over ±2 bins; integrated over a band with
 * fractional-bin edges this shifts a smooth spectrum by about (σ/f)² (σ = 0.58 bin, the rms width
 * of Hann's power kernel): 0.02 dB at 25 Hz for pink noise. A pure tone within 2 bins of a band
 * edge is shared with the neighbouring band.
 *
 * **Band power.** Bin k stands for the frequencies [(k − ½)Δ, (k + ½)Δ] (Δ the bin spacing; half a
 * bin at DC and Nyquist); a band takes each bin's power in proportion to the part of that interval
 * inside its edges (fractional-bin edges), so the band powers are a partition of the total power
 * and a smooth spectrum is integrated without the steps whole bins would give. A band whose lower
 * edge is at or above Nyquist is not measured (`null`); one that straddles Nyquist is integrated
 * up to it (a sampled signal has no power above it).
 *
 * Non-finite samples (NaN, ±Infinity) count as 0.
 *
 * @example
 * ```ts
 * import { longTermSpectrum, thirdOctaveBandPowers } from 'masterbus';
 * const sampleRate = 48000;
 * const x = new Float32Array(sampleRate).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / sampleRate));
 * const spectrum = longTermSpectrum([x], sampleRate);
 * const bands = thirdOctaveBandPowers(spectrum);
 * // bands.powers[bands.nominalHz.indexOf(1000)] ≈ 0.125 (A²/2)
 * ```
 * @module
 */
import { RealFFT } from '../core/fft.js';

/** Nominal centre frequencies (Hz) of the 1/3-octave bands analysed, as IEC 61260-1 labels them. */
export const THIRD_OCTAVE_NOMINAL_HZ: readonly number[] = Object.freeze([
  25, 31.5, 40, 50, 63, 80, 100, 125, 160, 200, 250, 315, 400, 500, 630, 800, 1000, 1250, 1600, 2000, 2500, 3150, 4000, 5000, 6300, 8000, 10000, 12500,
  16000, 20000,
]);

/** Band number n of the first band (exact centre 10^(n/10) Hz: 25.12 Hz). */
const FIRST_BAND = 14;

/** Exact base-ten centre frequencies 10^(n/10) Hz of {@link THIRD_OCTAVE_NOMINAL_HZ}. */
export const THIRD_OCTAVE_CENTRES_HZ: readonly number[] = Object.freeze(THIRD_OCTAVE_NOMINAL_HZ.map((_, i) => Math.pow(10, (FIRST_BAND + i) / 10)));

/** Half a band in frequency ratio: edges are centre·10^(∓1/20). */
const HALF_BAND = Math.pow(10, 1 / 20);

/** Lower and upper edges (Hz) of the band with exact centre `centreHz`. */
export function thirdOctaveEdges(centreHz: number): [number, number] {
  return [centreHz / HALF_BAND, centreHz * HALF_BAND];
}

/** One resolution of a {@link LongTermSpectrum}: a Welch estimate at one (possibly decimated) rate. */
export interface SpectrumTier {
  /** Sample rate of the signal this tier analysed, Hz (fs, or fs/decimation). */
  sampleRate: number;
  /** FFT length N, samples. */
  fftSize: number;
  /** Bin spacing, Hz. */
  binHz: number;
  /** Number of frames averaged per channel (0 for an empty signal). */
  frames: number;
  /**
   * Power of each bin 0 … N/2 (one-sided mean square, summed over the channels with their
   * weights). In the high tier the bins add up to the weighted mean square of the programme; in the
   * low tier the decimation filter's droop is divided out below {@link LongTermSpectrum.seamHz}.
   */
  power: Float64Array;
}

/**
 * A long-term average power spectrum in two resolutions (see the module comment): `low` for
 * frequencies below `seamHz`, `high` above. Read band powers with {@link spectrumPowerBetween}.
 */
export interface LongTermSpectrum {
  /** Sample rate of the programme, Hz. */
  sampleRate: number;
  /** Frequency where the low tier hands over to the high tier, Hz (354.8, the edge between the 315 and 400 Hz bands). */
  seamHz: number;
  /** Decimation factor D of the low tier (16 at 44.1 and 48 kHz). */
  decimation: number;
  /** Bands below the seam: the programme decimated by D (≈ 2.9 Hz bins at 44.1/48 kHz). */
  low: SpectrumTier;
  /** Bands above the seam: the programme at its own rate (≈ 11 Hz bins at 44.1/48 kHz). */
  high: SpectrumTier;
}

/** Edge between the 315 Hz and 400 Hz bands, 10^2.55 Hz: below it the low tier is read. */
export const SPECTRUM_SEAM_HZ = Math.pow(10, 2.55);
/** Moving-average stages of the low tier's decimation filter. */
const CIC_STAGES = 4;
/** Lowest rate of the low tier, Hz: its first alias image (fs/D − seam) stays ≥ 1.7 kHz away. */
const MIN_LOW_RATE = 2400;

/** Smallest power of two ≥ max(256, x). */
function pow2AtLeast(x: number): number {
  let n = 256;
  while (n < x) n *= 2;
  return n;
}

/** Decimation factor of the low tier at `sampleRate`: the largest power of two D with fs/D ≥ 2400 Hz (at least 1). */
export function spectrumDecimation(sampleRate: number): number {
  let d = 1;
  while (sampleRate / (2 * d) >= MIN_LOW_RATE) d *= 2;
  return d;
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

/**
 * One tier of the Welch estimate for one channel, fed in pieces: the frames of length N start at
 * 0, hop, 2·hop … and are windowed as soon as their last sample has arrived; the frame aligned to
 * the end (when the hops do not reach it) and the short frame of a signal shorter than N are
 * windowed by {@link WelchStream.finish}. Holds the last N samples (2N of buffer), nothing more.
 */
class WelchStream {
  /** Samples from absolute index `base` to `count` (at least the last N of them). */
  private readonly buf: Float32Array;
  private base = 0;
  private count = 0;
  private nextStart = 0;
  /** Σ_frames g·|X[k]|², k = 0 … N/2 (unscaled). */
  readonly power: Float64Array;

  constructor(
    private readonly plan: WelchPlan,
    private readonly g: number,
  ) {
    this.buf = new Float32Array(2 * plan.n);
    this.power = new Float64Array((plan.n >> 1) + 1);
  }

  /** Append x[from … to). */
  push(x: Float32Array, from: number, to: number): void {
    const { n, hop } = this.plan;
    const buf = this.buf;
    const cap = buf.length;
    while (from < to) {
      let held = this.count - this.base;
      if (held === cap) {
        // Keep the last N samples: every frame still to come (the next hop, the end frame) lies within them.
        buf.copyWithin(0, cap - n, cap);
        this.base += cap - n;
        held = n;
      }
      const k = Math.min(to - from, cap - held);
      buf.set(x.subarray(from, from + k), held);
      from += k;
      this.count += k;
      while (this.nextStart + n <= this.count) {
        this.frame(this.nextStart - this.base, n, this.plan.window);
        this.nextStart += hop;
      }
    }
  }

  /** Window the frame at buf[at …] (length `len`, window `w`), transform, accumulate. */
  private frame(at: number, len: number, w: Float64Array): void {
    const p = this.plan;
    windowFrame(this.buf, at, w, len, p.buf);
    p.fft.forward(p.buf, p.spec);
    addPower(p.spec, p.n >> 1, this.g, this.power);
  }

  /** The frame aligned to the end, or the one short frame; returns Σw² of the window used (0 if none). */
  finish(): number {
    const { n, hop } = this.plan;
    const total = this.count;
    if (total === 0) return 0;
    if (total < n) {
      const w = new Float64Array(total);
      const e = hann(total, w);
      this.plan.buf.fill(0);
      this.frame(0, total, w);
      return e;
    }
    if (this.nextStart - hop + n < total) this.frame(total - n - this.base, n, this.plan.window);
    return this.plan.windowEnergy;
  }
}

/** Frames of a Welch estimate over `total` samples: hops of `hop` while a frame of N fits, one more aligned to the end if they miss it; one short frame below N. */
function welchFrames(total: number, n: number, hop: number): number {
  if (total === 0) return 0;
  if (total < n) return 1;
  const last = Math.floor((total - n) / hop) * hop;
  return Math.floor((total - n) / hop) + 1 + (last + n < total ? 1 : 0);
}

/** FFT, window and work buffers of one tier, shared by its channels. */
interface WelchPlan {
  fft: RealFFT;
  n: number;
  hop: number;
  window: Float64Array;
  windowEnergy: number;
  buf: Float64Array;
  spec: Float64Array;
}

function planWelch(n: number, hop: number): WelchPlan {
  const window = new Float64Array(n);
  const windowEnergy = hann(n, window);
  return { fft: new RealFFT(n), n, hop, window, windowEnergy, buf: new Float64Array(n), spec: new Float64Array(n + 2) };
}

/** Window `len` samples of `x` from `start` into `buf` (non-finite samples as 0). */
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

/**
 * Parseval scaling of the accumulated |X|² sums (`frames` per channel, window energy Σw²) into
 * one-sided mean square per bin: Σ_k |X[k]|² over all N bins = N·Σ (w·x)², and Σ (w·x)² / Σ w²
 * estimates the mean square.
 */
function scalePower(power: Float64Array, n: number, windowEnergy: number, frames: number): void {
  const half = n >> 1;
  if (frames === 0) return;
  const scale = 1 / (n * windowEnergy * frames);
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
 * y[m] = Σ_{j < len} h[j]·x[at + j] (non-finite samples as 0: an output they reach is summed again
 * without them).
 */
function firOutput(x: Float32Array, at: number, h: Float64Array, len: number): number {
  let acc = 0;
  for (let j = 0; j < len; j++) acc += h[j] * x[at + j];
  if (!(acc - acc === 0)) {
    acc = 0;
    for (let j = 0; j < len; j++) {
      const v = x[at + j];
      if (v - v === 0) acc += h[j] * v;
    }
  }
  return acc;
}

/**
 * {@link firOutput} (all taps) for the four outputs at x[at], x[at + d], x[at + 2d], x[at + 3d]
 * into y[i … i + 4): each sum in the same order as alone (the same result to the bit), four in
 * flight at once.
 */
function firOutputs4(x: Float32Array, at: number, d: number, h: Float64Array, y: Float32Array, i: number): void {
  const K = h.length;
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  for (let j = 0; j < K; j++) {
    const hj = h[j];
    a0 += hj * x[at + j];
    a1 += hj * x[at + d + j];
    a2 += hj * x[at + 2 * d + j];
    a3 += hj * x[at + 3 * d + j];
  }
  y[i] = a0 - a0 === 0 ? a0 : firOutput(x, at, h, K);
  y[i + 1] = a1 - a1 === 0 ? a1 : firOutput(x, at + d, h, K);
  y[i + 2] = a2 - a2 === 0 ? a2 : firOutput(x, at + 2 * d, h, K);
  y[i + 3] = a3 - a3 === 0 ? a3 : firOutput(x, at + 3 * d, h, K);
}

/**
 * The decimation of one channel, fed in pieces: y[m] = Σ_j h[j]·x[m·D + j] (x = 0 past its end),
 * each output computed once its K = len(h) inputs have arrived (the last ones, which reach past
 * the end, by {@link Decimator.finish}), and passed on to the low tier. Holds fewer than K + one
 * piece of input.
 */
class Decimator {
  private readonly buf: Float32Array;
  /** Absolute index of buf[0], samples in, next output m. */
  private base = 0;
  private count = 0;
  private m = 0;
  private readonly y: Float32Array;

  constructor(
    private readonly h: Float64Array,
    private readonly d: number,
    private readonly piece: number,
    private readonly out: WelchStream,
  ) {
    this.buf = new Float32Array(h.length + piece);
    this.y = new Float32Array(Math.ceil(piece / d) + 1);
  }

  push(x: Float32Array, from: number, to: number): void {
    const { h, d, buf, y } = this;
    const K = h.length;
    while (from < to) {
      // Drop what no output needs any more (everything before m·D).
      const keepFrom = this.m * d;
      if (keepFrom > this.base) {
        buf.copyWithin(0, keepFrom - this.base, this.count - this.base);
        this.base = keepFrom;
      }
      const k = Math.min(to - from, buf.length - (this.count - this.base), this.piece);
      buf.set(x.subarray(from, from + k), this.count - this.base);
      from += k;
      this.count += k;
      let ny = 0;
      // Four outputs at a time while their taps are all in (four independent sums in flight).
      while ((this.m + 3) * d + K <= this.count && ny + 4 <= y.length) {
        firOutputs4(buf, this.m * d - this.base, d, h, y, ny);
        ny += 4;
        this.m += 4;
      }
      while (this.m * d + K <= this.count) {
        y[ny++] = firOutput(buf, this.m * d - this.base, h, K);
        this.m++;
        if (ny === y.length) {
          this.out.push(y, 0, ny);
          ny = 0;
        }
      }
      this.out.push(y, 0, ny);
    }
  }

  /** The outputs whose taps reach past the end (taps truncated there), ⌈n/D⌉ outputs in all. */
  finish(): void {
    const { h, d, buf, y } = this;
    const n = this.count;
    const outputs = Math.ceil(n / d);
    let ny = 0;
    for (; this.m < outputs; this.m++) {
      const s = this.m * d;
      y[ny++] = firOutput(buf, s - this.base, h, Math.min(h.length, n - s));
      if (ny === y.length) {
        this.out.push(y, 0, ny);
        ny = 0;
      }
    }
    this.out.push(y, 0, ny);
  }
}

/**
 * The long-term spectrum computed as the programme arrives, block by block, in memory independent
 * of its length (per channel the last frame of each tier and the decimator's taps): push blocks
 * with {@link LongTermSpectrumAccumulator.push}, read the result with
 * {@link LongTermSpectrumAccumulator.finish}. The frames, the decimation and the windows are those
 * of {@link longTermSpectrum} (which is this class fed the whole programme); only the order in which
 * the channels' periodograms are added differs from a channel-after-channel sum, by float64
 * rounding: at most a few ulps per frame averaged, relative (1e-13 for an hour).
 *
 * @example
 * ```ts
 * import { LongTermSpectrumAccumulator, thirdOctaveBandPowers } from 'masterbus';
 * const acc = new LongTermSpectrumAccumulator(1, 48000);
 * const block = new Float32Array(1000);
 * for (let b = 0; b < 48; b++) {
 *   for (let i = 0; i < 1000; i++) block[i] = 0.5 * Math.sin((2 * Math.PI * 1000 * (b * 1000 + i)) / 48000);
 *   acc.push([block], 1000);
 * }
 * const bands = thirdOctaveBandPowers(acc.finish());
 * // bands.powers[bands.nominalHz.indexOf(1000)] ≈ 0.125 (A²/2), as longTermSpectrum() of the whole second
 * ```
 */
export class LongTermSpectrumAccumulator {
  private readonly sampleRate: number;
  private readonly d: number;
  private readonly hi: WelchPlan;
  private readonly lo: WelchPlan;
  private readonly hiStreams: (WelchStream | null)[];
  private readonly loStreams: (WelchStream | null)[];
  private readonly decimators: (Decimator | null)[];
  private readonly channels: number;
  private total = 0;
  private done = false;

  /**
   * @param channels - channel count (1 … 32)
   * @param sampleRate - Hz
   * @param weights - power weight of each channel (default 1 each; a channel of weight 0 is skipped)
   */
  constructor(channels: number, sampleRate: number, weights?: readonly number[]) {
    if (!(Number.isInteger(channels) && channels >= 1 && channels <= 32)) throw new RangeError(`LongTermSpectrumAccumulator: channels must be an integer in [1, 32], got ${channels}`);
    if (!(sampleRate > 0 && sampleRate < Infinity)) throw new RangeError(`LongTermSpectrumAccumulator: sampleRate must be a positive number of Hz, got ${sampleRate}`);
    if (weights !== undefined && weights.length !== channels) throw new RangeError(`LongTermSpectrumAccumulator: ${weights.length} weights for ${channels} channels`);
    this.channels = channels;
    this.sampleRate = sampleRate;
    const d = (this.d = spectrumDecimation(sampleRate));
    const hiSize = pow2AtLeast(sampleRate / 12);
    const loSize = pow2AtLeast(sampleRate / d / 3);
    this.hi = planWelch(hiSize, hiSize);
    this.lo = planWelch(loSize, loSize >> 1);
    const taps = cicTaps(d);
    this.hiStreams = [];
    this.loStreams = [];
    this.decimators = [];
    for (let c = 0; c < channels; c++) {
      const g = weights ? weights[c] : 1;
      const on = g > 0;
      this.hiStreams.push(on ? new WelchStream(this.hi, g) : null);
      const lo = on ? new WelchStream(this.lo, g) : null;
      this.loStreams.push(lo);
      this.decimators.push(lo ? new Decimator(taps, d, 4096, lo) : null);
    }
  }

  /** Add the next `frames` samples of every channel (block[c][0 … frames)). Non-finite samples count as 0. */
  push(block: readonly Float32Array[], frames: number): void {
    if (this.done) throw new Error('LongTermSpectrumAccumulator.push: called after finish()');
    for (let c = 0; c < this.channels; c++) {
      const x = block[c];
      this.hiStreams[c]?.push(x, 0, frames);
      this.decimators[c]?.push(x, 0, frames);
    }
    this.total += frames;
  }

  /** The spectrum of everything pushed (see {@link longTermSpectrum}). Call once. */
  finish(): LongTermSpectrum {
    if (this.done) throw new Error('LongTermSpectrumAccumulator.finish: called twice');
    this.done = true;
    const { hi, lo, d, sampleRate } = this;
    const lowRate = sampleRate / d;
    const hiPower = new Float64Array((hi.n >> 1) + 1);
    const loPower = new Float64Array((lo.n >> 1) + 1);
    let hiEnergy = 0;
    let loEnergy = 0;
    const hiFrames = welchFrames(this.total, hi.n, hi.hop);
    const loFrames = welchFrames(Math.ceil(this.total / d), lo.n, lo.hop);
    for (let c = 0; c < this.channels; c++) {
      const hs = this.hiStreams[c];
      const ls = this.loStreams[c];
      if (hs === null || ls === null) continue;
      hiEnergy = hs.finish();
      this.decimators[c]!.finish();
      loEnergy = ls.finish();
      for (let k = 0; k < hiPower.length; k++) hiPower[k] += hs.power[k];
      for (let k = 0; k < loPower.length; k++) loPower[k] += ls.power[k];
    }
    scalePower(hiPower, hi.n, hiEnergy, hiFrames);
    scalePower(loPower, lo.n, loEnergy, loFrames);
    // Divide out the decimation filter's droop below the seam (where it is ≥ −1 dB at 44.1/48 kHz).
    const loBin = lowRate / lo.n;
    for (let k = 0; k < loPower.length && (k - 0.5) * loBin < SPECTRUM_SEAM_HZ; k++) loPower[k] /= cicPowerResponse(k * loBin, d, sampleRate);
    return {
      sampleRate,
      seamHz: SPECTRUM_SEAM_HZ,
      decimation: d,
      low: { sampleRate: lowRate, fftSize: lo.n, binHz: loBin, frames: loFrames, power: loPower },
      high: { sampleRate, fftSize: hi.n, binHz: sampleRate / hi.n, frames: hiFrames, power: hiPower },
    };
  }
}

/**
 * Long-term average spectrum of `channels` at `sampleRate` (Welch: Hann frames in two
 * resolutions; see the module comment). `weights` are the channels' power weights (default 1
 * each; a channel of weight 0 is skipped). Allocates its tables and the result; for a programme
 * that does not fit in memory, feed a {@link LongTermSpectrumAccumulator} block by block.
 */
export function longTermSpectrum(channels: readonly Float32Array[], sampleRate: number, weights?: readonly number[]): LongTermSpectrum {
  const acc = new LongTermSpectrumAccumulator(Math.max(1, channels.length), sampleRate, weights ?? (channels.length === 0 ? [0] : undefined));
  if (channels.length > 0) acc.push(channels, channels[0].length);
  return acc.finish();
}

/** Power of one tier between a and b Hz (fractional bins), clipped to [0, its Nyquist]. */
function tierPowerBetween(t: SpectrumTier, lowHz: number, highHz: number): number {
  const { power, binHz } = t;
  const half = power.length - 1;
  const nyquist = half * binHz;
  const a = Math.max(0, lowHz);
  const b = Math.min(nyquist, highHz);
  if (!(b > a)) return 0;
  // Bins whose intervals can overlap [a, b].
  const k0 = Math.max(0, Math.floor(a / binHz + 0.5));
  const k1 = Math.min(half, Math.ceil(b / binHz + 0.5));
  let sum = 0;
  for (let k = k0; k <= k1; k++) {
    const lo = k === 0 ? 0 : (k - 0.5) * binHz;
    const hi = k === half ? nyquist : (k + 0.5) * binHz;
    const overlap = Math.min(hi, b) - Math.max(lo, a);
    if (overlap > 0) sum += (power[k] * overlap) / (hi - lo);
  }
  return sum;
}

/**
 * Power of `spectrum` between `lowHz` and `highHz` (clipped to [0, Nyquist]): the low tier below
 * the seam, the high tier above it, each bin taken in proportion to the part of its interval
 * [(k − ½)Δ, (k + ½)Δ] inside the range.
 */
export function spectrumPowerBetween(spectrum: LongTermSpectrum, lowHz: number, highHz: number): number {
  const seam = spectrum.seamHz;
  const nyquist = spectrum.sampleRate / 2;
  const b = Math.min(highHz, nyquist);
  let sum = 0;
  if (lowHz < seam) sum += tierPowerBetween(spectrum.low, lowHz, Math.min(b, seam));
  if (b > seam) sum += tierPowerBetween(spectrum.high, Math.max(lowHz, seam), b);
  return sum;
}

/** The 1/3-octave band powers of a spectrum. */
export interface ThirdOctaveBands {
  /** Nominal centres, Hz ({@link THIRD_OCTAVE_NOMINAL_HZ}). */
  nominalHz: number[];
  /** Exact centres 10^(n/10), Hz. */
  centresHz: number[];
  /**
   * Power in each band (mean square, summed over the weighted channels); `null` for a band whose
   * lower edge lies at or above Nyquist.
   */
  powers: (number | null)[];
}

/** The 1/3-octave band powers (25 Hz … 20 kHz nominal) of `spectrum`. */
export function thirdOctaveBandPowers(spectrum: LongTermSpectrum): ThirdOctaveBands {
  const nyquist = spectrum.sampleRate / 2;
  const powers: (number | null)[] = [];
  for (const fc of THIRD_OCTAVE_CENTRES_HZ) {
    const [lo, hi] = thirdOctaveEdges(fc);
    powers.push(lo < nyquist ? spectrumPowerBetween(spectrum, lo, hi) : null);
  }
  return { nominalHz: [...THIRD_OCTAVE_NOMINAL_HZ], centresHz: [...THIRD_OCTAVE_CENTRES_HZ], powers };
}
