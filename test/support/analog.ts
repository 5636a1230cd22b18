/**
 * Independent reference math for the filter tests: analog prototypes H(s) of the RBJ cookbook
 * filters and the Butterworth / Linkwitz-Riley magnitudes, evaluated at the bilinear-warped
 * frequency, and a direct evaluation of a digital biquad's H(e^jω). None of this code is shared
 * with src/.
 */
export interface Complex {
  re: number;
  im: number;
}

const c = (re: number, im = 0): Complex => ({ re, im });
const add = (a: Complex, b: Complex): Complex => c(a.re + b.re, a.im + b.im);
const mul = (a: Complex, b: Complex): Complex => c(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
const div = (a: Complex, b: Complex): Complex => {
  const d = b.re * b.re + b.im * b.im;
  return c((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d);
};
const scale = (a: Complex, k: number): Complex => c(a.re * k, a.im * k);
export const abs = (a: Complex): number => Math.hypot(a.re, a.im);
export const arg = (a: Complex): number => Math.atan2(a.im, a.re);
export const cmul = mul;

/** a s² + b s + c at s = jΩ. */
function quad(a: number, b: number, k: number, w: number): Complex {
  return c(k - a * w * w, b * w);
}

/**
 * The bilinear transform with pre-warping at f0 maps the digital frequency f to the normalised
 * analog frequency Ω = tan(πf/fs) / tan(πf0/fs); the digital response at f equals H(jΩ) exactly.
 */
export function warp(f: number, f0: number, fs: number): number {
  return Math.tan((Math.PI * f) / fs) / Math.tan((Math.PI * f0) / fs);
}

export interface AnalogParams {
  type: string;
  q: number;
  gainDb: number;
  shelfSlope: number;
}

/**
 * Normalised analog prototypes (cutoff/centre at Ω = 1) as given in the RBJ cookbook's
 * derivation: e.g. LPF H(s) = 1/(s² + s/Q + 1), peakingEQ H(s) = (s² + s·A/Q + 1)/(s² + s/(A·Q) + 1),
 * lowShelf H(s) = A·(s² + (√A/Q)s + A)/(A·s² + (√A/Q)s + 1), with shelf Q from the slope S:
 * 1/Q = √((A + 1/A)(1/S − 1) + 2).
 */
export function analogResponse(p: AnalogParams, w: number): Complex {
  const A = Math.pow(10, p.gainDb / 40);
  const q = p.q;
  const den = quad(1, 1 / q, 1, w);
  switch (p.type) {
    case 'lowpass':
      return div(c(1), den);
    case 'highpass':
      return div(quad(1, 0, 0, w), den);
    case 'bandpass':
      return div(quad(0, 1 / q, 0, w), den);
    case 'notch':
      return div(quad(1, 0, 1, w), den);
    case 'allpass':
      return div(quad(1, -1 / q, 1, w), den);
    case 'peaking':
      return div(quad(1, A / q, 1, w), quad(1, 1 / (A * q), 1, w));
    case 'lowshelf':
    case 'highshelf': {
      const invQ = Math.sqrt((A + 1 / A) * (1 / p.shelfSlope - 1) + 2);
      const k = Math.sqrt(A) * invQ;
      return p.type === 'lowshelf'
        ? scale(div(quad(1, k, A, w), quad(A, k, 1, w)), A)
        : scale(div(quad(A, k, 1, w), quad(1, k, A, w)), A);
    }
    default:
      throw new Error(`no analog prototype for ${p.type}`);
  }
}

/** |H| of an N-th order Butterworth low-pass (high-pass: Ω → 1/Ω): 1/√(1 + Ω^(2N)). */
export function butterworthMagnitude(order: number, w: number, highpass: boolean): number {
  const x = highpass ? 1 / w : w;
  return 1 / Math.sqrt(1 + Math.pow(x, 2 * order));
}

/** |H| of an N-th order Linkwitz-Riley low-pass (a squared Butterworth of order N/2): 1/(1 + Ω^N). */
export function linkwitzRileyMagnitude(order: number, w: number, highpass: boolean): number {
  const x = highpass ? 1 / w : w;
  return 1 / (1 + Math.pow(x, order));
}

/** H(e^{jω}) of a normalised biquad, evaluated directly: (b0 + b1 z⁻¹ + b2 z⁻²)/(1 + a1 z⁻¹ + a2 z⁻²). */
export function digitalResponse(s: { b0: number; b1: number; b2: number; a1: number; a2: number }, f: number, fs: number): Complex {
  const w = (2 * Math.PI * f) / fs;
  const z1 = c(Math.cos(w), -Math.sin(w));
  const z2 = mul(z1, z1);
  const num = add(add(c(s.b0), scale(z1, s.b1)), scale(z2, s.b2));
  const den = add(add(c(1), scale(z1, s.a1)), scale(z2, s.a2));
  return div(num, den);
}

/** DTFT of a finite sequence at frequency f: Σ h[n] e^{−jωn}. */
export function dtft(h: ArrayLike<number>, f: number, fs: number): Complex {
  const w = (2 * Math.PI * f) / fs;
  let re = 0;
  let im = 0;
  for (let n = 0; n < h.length; n++) {
    re += h[n] * Math.cos(w * n);
    im -= h[n] * Math.sin(w * n);
  }
  return c(re, im);
}

/** `count` log-spaced frequencies from `lo` to `hi`. */
export function logGrid(lo: number, hi: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => lo * Math.pow(hi / lo, i / (count - 1)));
}

export const toDb = (x: number): number => 20 * Math.log10(x);

/**
 * A float64 direct-form-I biquad cascade written independently of src/ (the reference loop):
 * y[n] = b0 x[n] + b1 x[n−1] + b2 x[n−2] − a1 y[n−1] − a2 y[n−2].
 */
export function referenceCascade(sections: { b0: number; b1: number; b2: number; a1: number; a2: number }[], x: ArrayLike<number>): Float64Array {
  let sig = Float64Array.from(x);
  for (const s of sections) {
    const y = new Float64Array(sig.length);
    let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
    for (let n = 0; n < sig.length; n++) {
      const xn = sig[n];
      const yn = s.b0 * xn + s.b1 * x1 + s.b2 * x2 - s.a1 * y1 - s.a2 * y2;
      x2 = x1;
      x1 = xn;
      y2 = y1;
      y1 = yn;
      y[n] = yn;
    }
    sig = y;
  }
  return sig;
}
