/**
 * The interpolation kernel of the project's true-peak estimate (ITU-R BS.1770-5, Annex 2), shared
 * by the meter (`TruePeakDetector`, metering layer) and the true-peak `Limiter` (dynamics
 * layer), which must use the very same filter so that what the limiter holds is what the meter reads.
 *
 * Filter design (our own): a Kaiser-windowed sinc, `h[n] = sinc(n/L)·w_Kaiser(β = 4)[n]`,
 * n = −8L..8L (16 taps per phase, 16L + 1 taps in all). Its cutoff sits exactly at the input's
 * Nyquist frequency, so it is an L-th band ("Nyquist") filter: every L-th tap is zero except the
 * centre one, phase 0 reproduces the input samples exactly, and only the L − 1 other phases need
 * computing. (Kaiser window: J. F. Kaiser, "Nonrecursive digital filter design using the I0-sinh
 * window function", 1974; windowed-sinc interpolation: Oppenheim & Schafer, Discrete-Time Signal
 * Processing, §4.6 and §7.5.)
 *
 * @module
 */
import { besselI0 } from './bessel.js';

/** Taps per phase of the interpolation filter. */
export const TRUE_PEAK_TAPS = 16;
/** Kaiser window shape parameter of the prototype. */
const BETA = 4;

/**
 * The polyphase interpolation filter for factor `L`: `phases[p][k]` is the weight of input sample
 * `x[n − T/2 + 1 + k]` for the output at time `n + p/L` (p = 1..L−1; phase 0 is the input itself).
 * Returned flat: `(L − 1) · T` values, phase-major.
 */
export function truePeakFilter(L: number): Float64Array {
  const T = TRUE_PEAK_TAPS;
  const half = (T / 2) * L; // prototype taps n = −half..half
  const out = new Float64Array((L - 1) * T);
  const i0b = besselI0(BETA);
  for (let p = 1; p < L; p++) {
    for (let k = 0; k < T; k++) {
      // Output at n + p/L uses x[m] with m = n − T/2 + 1 + k; prototype index = (n + p/L − m)·L.
      const j = (T / 2 - 1 - k) * L + p;
      const t = j / L;
      const sinc = Math.sin(Math.PI * t) / (Math.PI * t);
      const ratio = j / half;
      const w = besselI0(BETA * Math.sqrt(Math.max(0, 1 - ratio * ratio))) / i0b;
      out[(p - 1) * T + k] = sinc * w;
    }
  }
  return out;
}

/**
 * The largest Σ|h| over the phases of a {@link truePeakFilter} (at least 1, for phase 0): a bound
 * on |interpolated value| / max|x over the filter's span|.
 * @internal
 */
export function truePeakGainBound(coefs: Float64Array, L: number): number {
  let bound = 1;
  for (let p = 0; p < L - 1; p++) {
    let s = 0;
    for (let k = 0; k < TRUE_PEAK_TAPS; k++) s += Math.abs(coefs[p * TRUE_PEAK_TAPS + k]);
    if (s > bound) bound = s;
  }
  return bound;
}

/**
 * Fold the filter by its symmetries (it is a symmetric prototype sampled at offsets p/L):
 * phase L/2 is symmetric, h[k] = h[T−1−k]; phases p and L−p are mirror images. So with
 * s_k = x_k + x_{T−1−k} and t_k = x_k − x_{T−1−k} (k < T/2):
 *   y_{L/2} = Σ c_k s_k,   y_1 + y_3 = Σ (h1_k + h1_{T−1−k}) s_k,   y_1 − y_3 = Σ (h1_k − h1_{T−1−k}) t_k,
 * and max(|y_1|, |y_3|) = (|y_1 + y_3| + |y_1 − y_3|)/2: 24 multiplications per input sample
 * for all three phases of 4× instead of 48. Layout: [c (T/2) | sums (T/2) | differences (T/2)]
 * (at L = 2 only the first T/2 values are set).
 * @internal
 */
export function foldTruePeakFilter(coefs: Float64Array, L: number): Float64Array {
  const T = TRUE_PEAK_TAPS;
  const H = T / 2;
  const out = new Float64Array(3 * H);
  if (L < 2) return out;
  const mid = (L / 2 - 1) * T;
  for (let k = 0; k < H; k++) out[k] = coefs[mid + k];
  if (L === 4) {
    for (let k = 0; k < H; k++) {
      out[H + k] = coefs[k] + coefs[T - 1 - k];
      out[2 * H + k] = coefs[k] - coefs[T - 1 - k];
    }
  }
  return out;
}
