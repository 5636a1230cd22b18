/**
 * True-peak measurement (ITU-R BS.1770-5, Annex 2): the peak of the signal reconstructed between
 * samples, estimated by oversampling with a polyphase interpolation filter.
 *
 * Oversampling factor L: 4× below 88.2 kHz, 2× below 176.4 kHz, 1× (sample peak) above — i.e.
 * the reconstructed signal is always examined at ≥ 176.4 kHz, as the Annex asks for 4× at 48 kHz.
 *
 * Filter: the Kaiser-windowed sinc of `src/core/true-peak-kernel.ts` (16 taps per phase, a Nyquist
 * filter, so phase 0 is the input itself and only the L − 1 other phases need computing).
 * At L = 4, 48 kHz every phase is within 0.1 dB (measured 0.09) of unity gain up to 20 kHz (the image
 * of 20 kHz at 28 kHz is ≥ 45 dB down). At 44.1 kHz the half-sample phase is −0.5 dB at 19 kHz and
 * −2.4 dB at 20 kHz (0.91 of Nyquist): no short filter is flat that close to Nyquist, so steady
 * tones above 19 kHz at 44.1 kHz may read low. The remaining error is the
 * 4× grid itself: a peak between two oversampled points reads up to 20·log10(cos(π·f/(4·fs)))
 * low (−0.17 dB for a 12 kHz sine at 48 kHz), within Tech 3341's +0.2 / −0.4 dB.
 *
 * Speed: an interpolated value can only exceed the running maximum if the input near it is large
 * enough: |y| ≤ Σ|h_phase|·max|x over the filter's span|. The detector checks that bound once per
 * chunk of 16 samples and skips chunks that cannot raise the maximum, which is most of the time on
 * programme material once the first peaks are seen. The result is exactly the same.
 * @module
 */
import { TRUE_PEAK_TAPS, foldTruePeakFilter, truePeakFilter, truePeakGainBound } from '../core/true-peak-kernel.js';

export { TRUE_PEAK_TAPS, truePeakFilter } from '../core/true-peak-kernel.js';

const CHUNK = 16;

/** Oversampling factor used for true-peak measurement at `sampleRate`. */
export function truePeakOversampling(sampleRate: number): number {
  return sampleRate < 88200 ? 4 : sampleRate < 176400 ? 2 : 1;
}

/**
 * Streaming true-peak detector for one or more channels: feed blocks with `process`, read the
 * maximum absolute reconstructed value per channel. Allocates only in its constructor.
 */
export class TruePeakDetector {
  /** Oversampling factor. */
  readonly factor: number;
  /** The filter folded by its symmetries (see `foldTruePeakFilter` in src/core/true-peak-kernel.ts). */
  private readonly sym: Float64Array;
  /** Largest Σ|h| over the phases: bound on |y| / max|x| for any output. */
  private readonly gainBound: number;
  /** Per channel: T − 1 samples of history followed by room for one block. */
  private readonly buffers: Float64Array[];
  /** Per-channel maximum |reconstructed value| (linear), sample values included. */
  readonly peaks: Float64Array;
  /** Per-channel maximum |sample value| (linear). */
  readonly samplePeaks: Float64Array;
  private readonly maxBlock: number;

  constructor(sampleRate: number, channels: number, maxBlockSize: number) {
    this.factor = truePeakOversampling(sampleRate);
    const coefs = this.factor > 1 ? truePeakFilter(this.factor) : new Float64Array(0);
    this.gainBound = truePeakGainBound(coefs, this.factor);
    this.sym = foldTruePeakFilter(coefs, this.factor);
    this.maxBlock = maxBlockSize;
    this.buffers = [];
    for (let c = 0; c < channels; c++) this.buffers.push(new Float64Array(TRUE_PEAK_TAPS - 1 + maxBlockSize));
    this.peaks = new Float64Array(channels);
    this.samplePeaks = new Float64Array(channels);
  }

  /** Clear the history and the peaks. */
  reset(): void {
    for (let i = 0; i < this.buffers.length; i++) this.buffers[i].fill(0);
    this.peaks.fill(0);
    this.samplePeaks.fill(0);
  }

  /**
   * Feed `x[start..end)` of channel `ch` (at most maxBlockSize samples). The interpolated values
   * between the last T/2 samples are computed when the following samples arrive, so the detector
   * lags T/2 samples; {@link TruePeakDetector.peaks} includes every sample value at once.
   */
  process(ch: number, x: Float32Array, start: number, end: number): void {
    const n = end - start;
    const T = TRUE_PEAK_TAPS;
    const buf = this.buffers[ch];
    let sp = this.samplePeaks[ch];
    // Append the block after the history; sample values count at once.
    for (let i = 0; i < n; i++) {
      const v = x[start + i];
      buf[T - 1 + i] = v;
      const a = v < 0 ? -v : v;
      if (a > sp && a < Infinity) sp = a;
    }
    this.samplePeaks[ch] = sp;
    if (sp > this.peaks[ch]) this.peaks[ch] = sp;
    // Non-finite input (NaN, ±Infinity) is not audio: it never becomes a peak, and it leaves the
    // history after T − 1 samples.
    if (this.factor === 4) interpolate4(buf, n, this.sym, this.gainBound, this.peaks, ch);
    else if (this.factor === 2) interpolate2(buf, n, this.sym, this.gainBound, this.peaks, ch);
    // Keep the last T − 1 samples as history for the next block.
    for (let i = 0; i < T - 1; i++) buf[i] = buf[n + i];
  }

  /**
   * Feed T − 1 zeros (without counting them as programme) so the values between the last real
   * samples are examined too: call once at the end of a finite signal.
   */
  flush(ch: number): void {
    const zeros = this.zeros;
    let left = TRUE_PEAK_TAPS - 1;
    while (left > 0) {
      const n = left < this.maxBlock ? left : this.maxBlock;
      this.process(ch, zeros, 0, n);
      left -= n;
    }
  }

  private readonly zeros = new Float32Array(TRUE_PEAK_TAPS);

  /** Largest block `process` accepts. */
  get maxBlockSize(): number {
    return this.maxBlock;
  }
}

/**
 * 4× interpolation of buf[0 .. n + T − 1) (T − 1 samples of history first), raising peaks[ch] to
 * the largest |value|. Chunks whose inputs cannot beat the current peak are skipped.
 * Written out for T = 16 with everything in locals: no coefficient or sample is loaded twice.
 */
function interpolate4(buf: Float64Array, n: number, f: Float64Array, bound: number, peaks: Float64Array, ch: number): void {
  const c0 = f[0], c1 = f[1], c2 = f[2], c3 = f[3], c4 = f[4], c5 = f[5], c6 = f[6], c7 = f[7];
  const g0 = f[8], g1 = f[9], g2 = f[10], g3 = f[11], g4 = f[12], g5 = f[13], g6 = f[14], g7 = f[15];
  const q0 = f[16], q1 = f[17], q2 = f[18], q3 = f[19], q4 = f[20], q5 = f[21], q6 = f[22], q7 = f[23];
  // Second-level bound per output: the four centre taps exactly, the twelve outer ones bounded by
  // their |h| sum times the chunk's largest |x| (|s_k|, |t_k| ≤ 2·span).
  const om = 2 * (abs(c0) + abs(c1) + abs(c2) + abs(c3) + abs(c4) + abs(c5));
  const os = 2 * (abs(g0) + abs(g1) + abs(g2) + abs(g3) + abs(g4) + abs(g5));
  const od = 2 * (abs(q0) + abs(q1) + abs(q2) + abs(q3) + abs(q4) + abs(q5));
  let peak = peaks[ch];
  for (let m0 = 0; m0 < n; m0 += CHUNK) {
    const m1 = m0 + CHUNK < n ? m0 + CHUNK : n;
    let span = 0;
    for (let j = m0; j < m1 + 15; j++) {
      const v = buf[j];
      const a = v < 0 ? -v : v;
      if (a > span) span = a;
    }
    if (span * bound <= peak) continue;
    const omS = om * span;
    const sideS = (os + od) * span;
    for (let m = m0; m < m1; m++) {
      const x6 = buf[m + 6], x7 = buf[m + 7], x8 = buf[m + 8], x9 = buf[m + 9];
      const s6 = x6 + x9, s7 = x7 + x8, t6 = x6 - x9, t7 = x7 - x8;
      const mc = c6 * s6 + c7 * s7;
      const sc = g6 * s6 + g7 * s7;
      const dc = q6 * t6 + q7 * t7;
      const mcA = mc < 0 ? -mc : mc;
      const sideC = (sc < 0 ? -sc : sc) + (dc < 0 ? -dc : dc);
      // Skip when neither bound can beat the peak (NaN input skips too: it is ignored anyway).
      if (!(mcA + omS > peak) && !((sideC + sideS) * 0.5 > peak)) continue;
      const x0 = buf[m], x1 = buf[m + 1], x2 = buf[m + 2], x3 = buf[m + 3], x4 = buf[m + 4], x5 = buf[m + 5];
      const x10 = buf[m + 10], x11 = buf[m + 11], x12 = buf[m + 12], x13 = buf[m + 13], x14 = buf[m + 14], x15 = buf[m + 15];
      const s0 = x0 + x15, s1 = x1 + x14, s2 = x2 + x13, s3 = x3 + x12, s4 = x4 + x11, s5 = x5 + x10;
      const t0 = x0 - x15, t1 = x1 - x14, t2 = x2 - x13, t3 = x3 - x12, t4 = x4 - x11, t5 = x5 - x10;
      const mid = c0 * s0 + c1 * s1 + c2 * s2 + c3 * s3 + c4 * s4 + c5 * s5 + mc;
      const sum = g0 * s0 + g1 * s1 + g2 * s2 + g3 * s3 + g4 * s4 + g5 * s5 + sc;
      const dif = q0 * t0 + q1 * t1 + q2 * t2 + q3 * t3 + q4 * t4 + q5 * t5 + dc;
      const am = mid < 0 ? -mid : mid;
      const side = ((sum < 0 ? -sum : sum) + (dif < 0 ? -dif : dif)) * 0.5;
      // `< Infinity` also rejects NaN: non-finite input is not audio and never becomes a peak.
      if (am > peak && am < Infinity) peak = am;
      if (side > peak && side < Infinity) peak = side;
    }
  }
  peaks[ch] = peak;
}

function abs(x: number): number {
  return x < 0 ? -x : x;
}

/** 2× interpolation (the symmetric half-sample phase only), as {@link interpolate4}. */
function interpolate2(buf: Float64Array, n: number, f: Float64Array, bound: number, peaks: Float64Array, ch: number): void {
  const c0 = f[0], c1 = f[1], c2 = f[2], c3 = f[3], c4 = f[4], c5 = f[5], c6 = f[6], c7 = f[7];
  let peak = peaks[ch];
  for (let m0 = 0; m0 < n; m0 += CHUNK) {
    const m1 = m0 + CHUNK < n ? m0 + CHUNK : n;
    let span = 0;
    for (let j = m0; j < m1 + 15; j++) {
      const v = buf[j];
      const a = v < 0 ? -v : v;
      if (a > span) span = a;
    }
    if (span * bound <= peak) continue;
    for (let m = m0; m < m1; m++) {
      const y =
        c0 * (buf[m] + buf[m + 15]) + c1 * (buf[m + 1] + buf[m + 14]) + c2 * (buf[m + 2] + buf[m + 13]) + c3 * (buf[m + 3] + buf[m + 12]) +
        c4 * (buf[m + 4] + buf[m + 11]) + c5 * (buf[m + 5] + buf[m + 10]) + c6 * (buf[m + 6] + buf[m + 9]) + c7 * (buf[m + 7] + buf[m + 8]);
      const a = y < 0 ? -y : y;
      if (a > peak && a < Infinity) peak = a;
    }
  }
  peaks[ch] = peak;
}
