/**
 * K-weighting (ITU-R BS.1770-5, Annex 1) for any sample rate.
 *
 * BS.1770 prints the two K-weighting stages only as 48 kHz biquad coefficients: a high-shelf
 * "pre-filter" (about +4 dB above 2 kHz, modelling the head) and the RLB high-pass (about 38 Hz).
 * To get the same filter at any rate, each 48 kHz stage is turned back into its analog prototype by
 * the inverse bilinear transform, and that prototype is re-discretised at the target rate by the
 * bilinear transform, both pre-warped at the stage's characteristic frequency f_p:
 *
 * ```
 * k(fs) = 2π·f_p / tan(π·f_p / fs)            (pre-warped bilinear constant)
 * H_a(s) = H_48k(z) with z = (k48 + s)/(k48 − s)   →   H_fs(z) = H_a(k(fs)·(1 − z⁻¹)/(1 + z⁻¹))
 * ```
 * With `r = k(fs)/k(48000)` and the 48 kHz coefficients (b0,b1,b2 | 1,a1,a2), a substitution gives
 * the new coefficients in closed form (see {@link rediscretise}). At 48 kHz r = 1 and the standard's
 * coefficients come back exactly; at other rates the response equals the analog prototype exactly
 * at DC, at f_p and wherever the warping is negligible (the whole audible band at ≥ 44.1 kHz).
 * The pre-warp frequencies are the stages' corner frequencies, i.e. the pole frequency of each
 * analog prototype: 1681.97 Hz for the shelf, 38.135 Hz for the high-pass. (f_p is a fixed point of
 * the construction: the prototype recovered with pre-warping at f_p has its poles at f_p; the test
 * suite checks this. The choice only decides where the re-discretised filter matches the
 * prototype exactly; at 48 kHz any f_p returns the table.)
 *
 * The −0.691 dB of BS.1770's loudness formula (which makes a 997 Hz sine read its RMS level) is
 * applied by the meter, not folded into the filter.
 * @module
 */
import type { BiquadCoefficients } from '../filters/biquad-coefficients.js';

/** BS.1770-5 Table 1: stage 1 (pre-filter, high shelf) at 48 kHz. */
export const BS1770_STAGE1_48K: BiquadCoefficients = Object.freeze({
  b0: 1.53512485958697,
  b1: -2.69169618940638,
  b2: 1.19839281085285,
  a1: -1.69065929318241,
  a2: 0.73248077421585,
});

/** BS.1770-5 Table 2: stage 2 (RLB high-pass) at 48 kHz. */
export const BS1770_STAGE2_48K: BiquadCoefficients = Object.freeze({
  b0: 1,
  b1: -2,
  b2: 1,
  a1: -1.99004745483398,
  a2: 0.99007225036621,
});

const F_SHELF = 1681.974450955533;
const F_HIGHPASS = 38.13547087602444;

function prewarp(fp: number, fs: number): number {
  return (2 * Math.PI * fp) / Math.tan((Math.PI * fp) / fs);
}

/**
 * Move a biquad designed at 48 kHz to `sampleRate` through its analog prototype (inverse bilinear
 * transform, then bilinear), pre-warped at `fp`. Substituting z⁻¹ = (k48 − s)/(k48 + s) gives the
 * prototype numerator n2·p² + n1·p + n0 in p = s/k48 with n2 = b0 − b1 + b2, n1 = 2(b0 − b2),
 * n0 = b0 + b1 + b2 (denominator likewise from 1, a1, a2); substituting p = r(1 − z⁻¹)/(1 + z⁻¹),
 * r = k(fs)/k48, gives the new numerator (n2r² + n1r + n0, 2(n0 − n2r²), n2r² − n1r + n0).
 */
export function rediscretise(c: BiquadCoefficients, fp: number, sampleRate: number): BiquadCoefficients {
  const r = prewarp(fp, sampleRate) / prewarp(fp, 48000);
  const r2 = r * r;
  const n2 = c.b0 - c.b1 + c.b2;
  const n1 = 2 * (c.b0 - c.b2);
  const n0 = c.b0 + c.b1 + c.b2;
  const d2 = 1 - c.a1 + c.a2;
  const d1 = 2 * (1 - c.a2);
  const d0 = 1 + c.a1 + c.a2;
  const a0 = d2 * r2 + d1 * r + d0;
  return {
    b0: (n2 * r2 + n1 * r + n0) / a0,
    b1: (2 * (n0 - n2 * r2)) / a0,
    b2: (n2 * r2 - n1 * r + n0) / a0,
    a1: (2 * (d0 - d2 * r2)) / a0,
    a2: (d2 * r2 - d1 * r + d0) / a0,
  };
}

/**
 * The two K-weighting stages at `sampleRate` (8 kHz to 384 kHz): `[shelf, highpass]`.
 *
 * @example
 * ```ts
 * import { kWeighting } from 'masterbus';
 * const [shelf, highpass] = kWeighting(44100);
 * ```
 */
export function kWeighting(sampleRate: number): [BiquadCoefficients, BiquadCoefficients] {
  return [rediscretise(BS1770_STAGE1_48K, F_SHELF, sampleRate), rediscretise(BS1770_STAGE2_48K, F_HIGHPASS, sampleRate)];
}
