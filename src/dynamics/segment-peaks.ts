/**
 * Per-segment peak estimates for the Limiter: for every interval between two samples of the
 * driven input, a value never below what the project's BS.1770 meter reads there (true-peak
 * mode, {@link segmentPeaks4}) or the larger of its two samples (sample-peak mode,
 * {@link samplePeaks}). Uses the meter's interpolation kernel from `src/core/true-peak-kernel.ts`.
 *
 * @internal
 * @module
 */
import { foldTruePeakFilter, truePeakFilter, truePeakGainBound } from '../core/true-peak-kernel.js';

// Slots of segmentPeaks4's `limits` array (numbers passed in a typed array: a double passed to or
// returned from a call V8 does not inline is boxed).
/** The filter's Σ|h| bound (foldedTruePeakFilter4().gainBound). */
export const SEG_BOUND = 0;
/** Segments whose peak cannot exceed this value read as 0. */
export const SEG_THRESHOLD = 1;
/** Scratch for phase3's result. */
export const SEG_SCRATCH = 2;
export const SEG_SLOTS = 3;

// The staged bounds after the folded filter (24 values) in foldedTruePeakFilter4's array, per unit
// of the chunk's largest |x|: what the taps not yet added can contribute.
/** Mid phase, after the centre 4 taps (stage A). */
const F_MID_A = 24;
/** (|sum| + |dif|)/2, after the centre 4 taps. */
const F_SIDE_A = 25;
/** Mid phase, after the centre 8 taps (stage B). */
const F_MID_B = 26;
/** (|sum| + |dif|)/2, after the centre 8 taps. */
const F_SIDE_B = 27;
const F_SLOTS = 28;

/**
 * The meter's 4× interpolation filter, folded (see `foldTruePeakFilter`), and the bound Σ|h| over
 * its phases, followed by the staged bounds {@link segmentPeaks4} uses (28 values in all).
 * @internal
 */
export function foldedTruePeakFilter4(): { folded: Float64Array; gainBound: number } {
  const coefs = truePeakFilter(4);
  const bound = truePeakGainBound(coefs, 4);
  const fold = foldTruePeakFilter(coefs, 4);
  // Followed by the staged bounds of segmentPeaks4: what the taps not yet added can contribute per
  // unit of max|x| (|s_k|, |t_k| ≤ 2·max|x|), for the mid phase and for (|sum| + |dif|)/2, after
  // the centre 4 taps (A) and after the centre 8 (B).
  const f = new Float64Array(F_SLOTS);
  f.set(fold);
  const a = (i: number) => Math.abs(fold[i]);
  f[F_MID_A] = 2 * (a(0) + a(1) + a(2) + a(3) + a(4) + a(5));
  f[F_SIDE_A] = a(8) + a(9) + a(10) + a(11) + a(12) + a(13) + a(16) + a(17) + a(18) + a(19) + a(20) + a(21);
  f[F_MID_B] = 2 * (a(0) + a(1) + a(2) + a(3));
  f[F_SIDE_B] = a(8) + a(9) + a(10) + a(11) + a(16) + a(17) + a(18) + a(19);
  return { folded: f, gainBound: bound };
}

/** Segments per coarse skip test in segmentPeaks4 (their 15 + SEGMENT_CHUNK samples' largest |x|). */
const SEGMENT_CHUNK = 64;

/** Largest factor the parabolic refinement may raise a grid value by (1/cos(π/8): a tone at Nyquist). */
const MAX_REFINEMENT = 1.0824;

/**
 * Per-segment peak estimate of the signal in `buf[off .. off + n + T)` (T = 16 samples of history
 * first): for each m in [0, n), `out[m]` estimates max|x(t)| for t between the samples
 * `buf[off + m + 8]` and `buf[off + m + 9]`, or is 0 when no value there can exceed `limits[SEG_THRESHOLD]` (`limits[SEG_BOUND]` is the filter's
 * Σ|h| bound from {@link foldedTruePeakFilter4}).
 *
 * The estimate is never below what the meter (`TruePeakDetector`) reads for that segment
 * (up to the last bit: the sums are added in another order): it is the largest of the two
 * samples and the meter's three 4× interpolated values (the same filter), raised, where the largest grid point is a local extremum, to the
 * vertex of the parabola through it and its two grid neighbours. The parabola recovers most of what a 4×
 * grid misses between its points (for a 20 kHz tone at 48 kHz the grid reads up to 0.47 dB low,
 * the vertex about 0.04 dB low). Every value depends only on the 17 samples around its segment,
 * so the result does not depend on how a stream is cut into calls.
 * @internal
 */
export function segmentPeaks4(buf: Float64Array, off: number, n: number, f: Float64Array, limits: Float64Array, out: Float64Array): void {
  const bound = limits[SEG_BOUND];
  const threshold = limits[SEG_THRESHOLD];
  const c0 = f[0], c1 = f[1], c2 = f[2], c3 = f[3], c4 = f[4], c5 = f[5], c6 = f[6], c7 = f[7];
  const g0 = f[8], g1 = f[9], g2 = f[10], g3 = f[11], g4 = f[12], g5 = f[13], g6 = f[14], g7 = f[15];
  const q0 = f[16], q1 = f[17], q2 = f[18], q3 = f[19], q4 = f[20], q5 = f[21], q6 = f[22], q7 = f[23];
  // The refined estimate is at most MAX_REFINEMENT × the grid maximum, so the skip bounds must cover it.
  const skip = threshold / (bound * MAX_REFINEMENT);
  const skipSegment = threshold / MAX_REFINEMENT;
  // Bounds of the taps not yet added, per unit of the chunk's largest |x| (see foldedTruePeakFilter4).
  const omA = f[F_MID_A], osA = f[F_SIDE_A], omB = f[F_MID_B], osB = f[F_SIDE_B];
  for (let m0 = 0; m0 < n; m0 += SEGMENT_CHUNK) {
    const m1 = m0 + SEGMENT_CHUNK < n ? m0 + SEGMENT_CHUNK : n;
    // NaN-aware: a NaN makes span NaN, so the group is never skipped and the NaN segment is
    // reported (and silenced by the caller). Ignoring it let the skip decide, and the groups
    // start at each call's first segment: the output depended on the block partition.
    let span = 0;
    for (let j = off + m0 + 1; j < off + m1 + 16; j++) {
      const v = buf[j];
      const a = v < 0 ? -v : v;
      if (a > span || a !== a) span = a;
    }
    if (span <= skip) {
      for (let m = m0; m < m1; m++) out[m] = 0;
      continue;
    }
    // Per segment, in stages: the centre taps exactly and the rest bounded by the chunk's largest
    // |x| (as in interpolate4), then more taps; most segments stop at an early stage.
    const oA = omA * span;
    const oAs = osA * span;
    const oB = omB * span;
    const oBs = osB * span;
    // prev3: phase 3 of the segment before (for the parabola centred on its end sample); when
    // that segment was skipped it is recomputed before it is needed.
    let prev3 = 0;
    let prevValid = false;
    for (let m = m0; m < m1; m++) {
      const b = off + m + 1;
      const x6 = buf[b + 6], x7 = buf[b + 7], x8 = buf[b + 8], x9 = buf[b + 9];
      const s6 = x6 + x9, s7 = x7 + x8, t6 = x6 - x9, t7 = x7 - x8;
      let mid = c6 * s6 + c7 * s7;
      let sum = g6 * s6 + g7 * s7;
      let dif = q6 * t6 + q7 * t7;
      const a7 = x7 < 0 ? -x7 : x7;
      const a8 = x8 < 0 ? -x8 : x8;
      const a78 = a7 > a8 ? a7 : a8;
      // Stage A: taps 6–9 exact. (NaN fails every `<=` and goes on to the full computation.)
      let bnd = (mid < 0 ? -mid : mid) + oA;
      let side = ((sum < 0 ? -sum : sum) + (dif < 0 ? -dif : dif)) * 0.5 + oAs;
      if (bnd <= skipSegment && side <= skipSegment && a78 <= skipSegment) {
        out[m] = 0;
        prevValid = false;
        continue;
      }
      // Stage B: taps 4–11 exact.
      const x4 = buf[b + 4], x5 = buf[b + 5], x10 = buf[b + 10], x11 = buf[b + 11];
      const s4 = x4 + x11, s5 = x5 + x10, t4 = x4 - x11, t5 = x5 - x10;
      mid += c4 * s4 + c5 * s5;
      sum += g4 * s4 + g5 * s5;
      dif += q4 * t4 + q5 * t5;
      bnd = (mid < 0 ? -mid : mid) + oB;
      side = ((sum < 0 ? -sum : sum) + (dif < 0 ? -dif : dif)) * 0.5 + oBs;
      if (bnd <= skipSegment && side <= skipSegment && a78 <= skipSegment) {
        out[m] = 0;
        prevValid = false;
        continue;
      }
      // Stage C: all 16 taps.
      const x0 = buf[b], x1 = buf[b + 1], x2 = buf[b + 2], x3 = buf[b + 3];
      const x12 = buf[b + 12], x13 = buf[b + 13], x14 = buf[b + 14], x15 = buf[b + 15];
      const s0 = x0 + x15, s1 = x1 + x14, s2 = x2 + x13, s3 = x3 + x12;
      const t0 = x0 - x15, t1 = x1 - x14, t2 = x2 - x13, t3 = x3 - x12;
      mid += c0 * s0 + c1 * s1 + c2 * s2 + c3 * s3;
      sum += g0 * s0 + g1 * s1 + g2 * s2 + g3 * s3;
      dif += q0 * t0 + q1 * t1 + q2 * t2 + q3 * t3;
      const y2 = mid;
      if (!prevValid) {
        // Written into limits[SEG_SCRATCH], not returned: a returned double could be boxed.
        phase3(buf, off + m, f, limits);
        prev3 = limits[SEG_SCRATCH];
      }
      prevValid = true;
      const y1 = (sum + dif) * 0.5;
      const y3 = (sum - dif) * 0.5;
      let peak = x7 < 0 ? -x7 : x7;
      let a = x8 < 0 ? -x8 : x8;
      if (a > peak) peak = a;
      // The meter reads max(|y1|, |y3|) as (|sum| + |dif|) / 2; include that exact value.
      a = ((sum < 0 ? -sum : sum) + (dif < 0 ? -dif : dif)) * 0.5;
      if (a > peak) peak = a;
      a = y2 < 0 ? -y2 : y2;
      if (a > peak) peak = a;
      // Refinement can raise the grid maximum by MAX_REFINEMENT at most: below the threshold even
      // then, the segment reads as 0 like a skipped one.
      if (peak * MAX_REFINEMENT <= threshold && y2 === y2) {
        out[m] = 0;
        prev3 = y3;
        continue;
      }
      // Parabola through the largest of the grid points x7, y1, y2, y3 and its two neighbours
      // (x8 is the next segment's x7). Written inline: a helper returning a double would be boxed.
      let pa = prev3;
      let pb = x7;
      let pc = y1;
      let mb = x7 < 0 ? -x7 : x7;
      a = y1 < 0 ? -y1 : y1;
      if (a > mb) {
        pa = x7;
        pb = y1;
        pc = y2;
        mb = a;
      }
      a = y2 < 0 ? -y2 : y2;
      if (a > mb) {
        pa = y1;
        pb = y2;
        pc = y3;
        mb = a;
      }
      a = y3 < 0 ? -y3 : y3;
      if (a > mb) {
        pa = y2;
        pb = y3;
        pc = x8;
        mb = a;
      }
      if (pb < 0) {
        pa = -pa;
        pb = -pb;
        pc = -pc;
      }
      // A local maximum of positive values only (NaN fails every comparison).
      if (pb >= pa && pb >= pc && pa > 0 && pc > 0) {
        const den = 2 * pb - pa - pc;
        if (den > 0) {
          const dd = pa - pc;
          let v = pb + (dd * dd) / (8 * den);
          const cap = pb * MAX_REFINEMENT;
          if (v > cap) v = cap;
          if (v > peak) peak = v;
        }
      }
      prev3 = y3;
      // Any NaN in the support makes y2 NaN: report it (the caller silences it). Not the literal
      // `NaN`: a phi of a float64 and that constant can make V8 box the float64.
      out[m] = y2 === y2 ? peak : y2;
    }
  }
}

/**
 * Phase 3 (the value 3/4 of the way) of the segment before the one at m (its support starts at
 * buf[m]), with the same staged expressions as segmentPeaks4, written into out[SEG_SCRATCH].
 */
function phase3(buf: Float64Array, m: number, f: Float64Array, out: Float64Array): void {
  const b = m;
  const s0 = buf[b] + buf[b + 15], s1 = buf[b + 1] + buf[b + 14], s2 = buf[b + 2] + buf[b + 13], s3 = buf[b + 3] + buf[b + 12];
  const s4 = buf[b + 4] + buf[b + 11], s5 = buf[b + 5] + buf[b + 10], s6 = buf[b + 6] + buf[b + 9], s7 = buf[b + 7] + buf[b + 8];
  const t0 = buf[b] - buf[b + 15], t1 = buf[b + 1] - buf[b + 14], t2 = buf[b + 2] - buf[b + 13], t3 = buf[b + 3] - buf[b + 12];
  const t4 = buf[b + 4] - buf[b + 11], t5 = buf[b + 5] - buf[b + 10], t6 = buf[b + 6] - buf[b + 9], t7 = buf[b + 7] - buf[b + 8];
  let sum = f[14] * s6 + f[15] * s7;
  let dif = f[22] * t6 + f[23] * t7;
  sum += f[12] * s4 + f[13] * s5;
  dif += f[20] * t4 + f[21] * t5;
  sum += f[8] * s0 + f[9] * s1 + f[10] * s2 + f[11] * s3;
  dif += f[16] * t0 + f[17] * t1 + f[18] * t2 + f[19] * t3;
  out[SEG_SCRATCH] = (sum - dif) * 0.5;
}

/**
 * Sample-peak mode: the segment between buf[off + m + 8] and buf[off + m + 9] peaks at one of its
 * samples; out[m] is the larger |sample| (NaN when either is NaN).
 * @internal
 */
export function samplePeaks(buf: Float64Array, off: number, n: number, out: Float64Array): void {
  for (let m = 0; m < n; m++) {
    const a = buf[off + m + 8];
    const b = buf[off + m + 9];
    const aa = a < 0 ? -a : a;
    const bb = b < 0 ? -b : b;
    // NaN propagates (the caller silences it); `a + b` rather than the constant NaN, which can make
    // V8 box the other branch's float64.
    out[m] = a !== a || b !== b ? a + b : aa > bb ? aa : bb;
  }
}
