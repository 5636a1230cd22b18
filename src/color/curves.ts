/**
 * Waveshaping curves of the {@link Saturator}. Each has unit slope at 0 (so a quiet signal passes
 * at its own level) and a bounded output:
 *
 * | curve | f(x) | bound | harmonics |
 * |---|---|---|---|
 * | `'tanh'` | tanh x | ±1 | odd, smooth onset |
 * | `'cubic'` | x − 4x³/27 for \|x\| ≤ 1.5, else ±1 | ±1 | odd; ceiling reached at x = 1.5 with zero slope |
 * | `'hard'` | clamp(x, −1, 1) | ±1 | odd; a corner, so harmonics fall only ~6 dB/octave |
 * | `'tube'` | (tanh(x + b) − tanh b) / (1 − tanh² b), b = 0.3 | +0.775 / −1.411 | even and odd (asymmetric) |
 * | `'tape'` | (2/π)·atan(πx/2) | ±1 | odd, softest knee |
 *
 * The cubic is the classic soft clipper (e.g. Välimäki et al., "Virtual analog effects", in
 * *DAFX*, 2nd ed., 2011) scaled to unit slope. The `'tube'` curve is a biased tanh: its second
 * derivative at 0 is −2·tanh b, so even a quiet signal gets a second harmonic, as a single-ended
 * triode stage does; the DC it creates is removed by the Saturator's DC blocker.
 *
 * Speed: `Math.tanh` and `Math.atan` cost 15–30 ns per call in V8, too slow at 4× or 8×
 * oversampling. `tanh` uses Lambert's continued fraction truncated to the [9/8] Padé approximant,
 * x(34459425 + 4729725x² + 135135x⁴ + 990x⁶ + x⁸)/(34459425 + 16216200x² + 945945x⁴ + 13860x⁶ + 45x⁸),
 * with its input clamped to ±6.29 (just below where it reaches 1): error below 7e-6, monotone,
 * never above 1, exactly odd.
 * `atan` reduces to [0, 1] by atan u = π/2 − atan(1/u) and uses an odd degree-17 polynomial we
 * fitted (near-minimax by iteratively reweighted least squares, slope 1 at 0 and atan 1 = π/4
 * enforced): error below 8e-9. The tests check both against `Math.tanh` / `Math.atan`.
 *
 * @module
 */
import { describeValue } from '../core/validate.js';

/** Names of the saturation curves, in the order of their internal index. */
export const SATURATION_CURVES = ['tanh', 'cubic', 'hard', 'tube', 'tape'] as const;
/** A saturation curve: see the module table. */
export type SaturationCurve = (typeof SATURATION_CURVES)[number];

// Curve numbers: the index of each curve in SATURATION_CURVES.
/** `'tanh'`. */
const CURVE_TANH = 0;
/** `'cubic'`. */
const CURVE_CUBIC = 1;
/** `'hard'`. */
const CURVE_HARD = 2;
/** `'tube'`. (4, `'tape'`, is the remaining case.) */
const CURVE_TUBE = 3;

/** Bias of the `'tube'` curve. */
export const TUBE_BIAS = 0.3;

/**
 * Input clamp of the tanh rational: just below where it reaches 1 (|x| = 6.297), so that it never
 * exceeds 1 and needs no output clamp; beyond it tanh is 1 within 7e-6. The loops write it as the
 * literals 6.29 and -6.29: `-TANH_CLAMP` is a unary operation at run time, and one that only ran
 * once a sample went below the clamp deoptimised the loop, which then boxed every sample.
 */
const TANH_CLAMP = 6.29;

/** The [9/8] Padé approximant of tanh, clamped to ±1 (see the module comment). */
function tanhRational(x: number): number {
  const v = x > TANH_CLAMP ? TANH_CLAMP : x < -TANH_CLAMP ? -TANH_CLAMP : x; // (control side only)
  const y = v * v;
  return (v * (34459425 + y * (4729725 + y * (135135 + y * (990 + y))))) / (34459425 + y * (16216200 + y * (945945 + y * (13860 + y * 45))));
}

const TUBE_T = tanhRational(TUBE_BIAS);
const TUBE_S = 1 / (1 - TUBE_T * TUBE_T);

/** Odd polynomial coefficients of atan on [0, 1] beyond the linear term (z³, z⁵, …, z¹⁷). */
const A3 = -0.33332972979632175;
const A5 = 0.19990074782329478;
const A7 = -0.14183328839201775;
const A9 = 0.10563288485467351;
const A11 = -0.07343409707571522;
const A13 = 0.04083872002603002;
const A15 = -0.01495305638805247;
const A17 = 0.00257598234555742;
const HALF_PI = Math.PI / 2;
const TWO_OVER_PI = 2 / Math.PI;

/** Largest |f(x)| of each curve, in {@link SATURATION_CURVES} order. */
export const CURVE_BOUNDS: readonly number[] = Object.freeze([1, 1, 1, (1 + TUBE_T) * TUBE_S, 1]);

/**
 * Apply curve number `curve` (an index into {@link SATURATION_CURVES}) to `gain[0]·buf[i]` for
 * i in [start, end), in place. One loop per curve, so there is no per-sample branch on the curve.
 * (The gain comes in a typed array: a double passed to a call V8 does not inline is boxed.)
 * Allocates nothing.
 */
export function applyCurve(curve: number, buf: Float64Array, start: number, end: number, gain: Float64Array = ONE): void {
  if (curve === CURVE_TANH) tanhLoop(buf, start, end, gain);
  else if (curve === CURVE_CUBIC) cubicLoop(buf, start, end, gain);
  else if (curve === CURVE_HARD) hardLoop(buf, start, end, gain);
  else if (curve === CURVE_TUBE) tubeLoop(buf, start, end, gain);
  else tapeLoop(buf, start, end, gain);
}

const ONE = Float64Array.of(1);

// One small function per curve: each gets its own optimised code in V8 (one function holding
// all five loops ran the tanh loop at half speed).

function tanhLoop(buf: Float64Array, start: number, end: number, gain: Float64Array): void {
  const g = gain[0];
  for (let i = start; i < end; i++) {
    const x = buf[i] * g;
    // Clamped at ±6.29, just below where the rational reaches 1 (6.297): no output clamp needed.
    const v = x > 6.29 ? 6.29 : x < -6.29 ? -6.29 : x;
    const y = v * v;
    buf[i] = (v * (34459425 + y * (4729725 + y * (135135 + y * (990 + y))))) / (34459425 + y * (16216200 + y * (945945 + y * (13860 + y * 45))));
  }
}

function cubicLoop(buf: Float64Array, start: number, end: number, gain: Float64Array): void {
  const g = gain[0];
  for (let i = start; i < end; i++) {
    const x = buf[i] * g;
    buf[i] = x > 1.5 ? 1 : x < -1.5 ? -1 : x - 0.14814814814814814 * x * x * x;
  }
}

function hardLoop(buf: Float64Array, start: number, end: number, gain: Float64Array): void {
  const g = gain[0];
  for (let i = start; i < end; i++) {
    const x = buf[i] * g;
    buf[i] = x > 1 ? 1 : x < -1 ? -1 : x;
  }
}

function tubeLoop(buf: Float64Array, start: number, end: number, gain: Float64Array): void {
  const g = gain[0];
  const t = TUBE_T;
  const s = TUBE_S;
  for (let i = start; i < end; i++) {
    const x = buf[i] * g + TUBE_BIAS;
    const v = x > 6.29 ? 6.29 : x < -6.29 ? -6.29 : x;
    const y = v * v;
    buf[i] = ((v * (34459425 + y * (4729725 + y * (135135 + y * (990 + y))))) / (34459425 + y * (16216200 + y * (945945 + y * (13860 + y * 45)))) - t) * s;
  }
}

function tapeLoop(buf: Float64Array, start: number, end: number, gain: Float64Array): void {
  const g = gain[0];
  for (let i = start; i < end; i++) {
    const u = HALF_PI * (buf[i] * g);
    const a = u < 0 ? -u : u;
    const big = a > 1;
    const z = big ? 1 / a : a;
    const w = z * z;
    const p = z + z * w * (A3 + w * (A5 + w * (A7 + w * (A9 + w * (A11 + w * (A13 + w * (A15 + w * A17)))))));
    const r = (big ? HALF_PI - p : p) * TWO_OVER_PI;
    buf[i] = u < 0 ? -r : r;
  }
}

/**
 * The value of a saturation curve at `x` (for plots, UIs and tests; the same arithmetic as the
 * processor). Not for audio loops: it allocates.
 *
 * @example
 * ```ts
 * import { saturationCurve } from 'masterbus';
 * saturationCurve('cubic', 1.5);   // 1
 * saturationCurve('tanh', 0.5);    // 0.46211…
 * ```
 */
export function saturationCurve(curve: SaturationCurve, x: number): number {
  const i = SATURATION_CURVES.indexOf(curve);
  if (i < 0) throw new TypeError(`saturationCurve: curve must be one of ${SATURATION_CURVES.map((c) => `"${c}"`).join(', ')}, got ${describeValue(curve)}`);
  const b = Float64Array.of(x);
  applyCurve(i, b, 0, 1);
  return b[0];
}
