/**
 * A real FFT on `Float64Array`s: precomputed twiddle and bit-reversal tables, no allocation per
 * transform. Used by the convolution reverb; free of dependencies like the rest of the core.
 *
 * @remarks
 * A real sequence x of even length n is transformed through one complex FFT of length m = n/2
 * (the "two real halves in one complex FFT" method: Cooley & Tukey's radix-2 decimation in time
 * on z[k] = x[2k] + i·x[2k+1], then a split step; see E. O. Brigham, *The Fast Fourier Transform
 * and its Applications*, 1988, §9-3, or Numerical Recipes, 3rd ed., §12.3.1):
 *
 *   Z = DFT_m(z),  E[k] = ½(Z[k] + Z*[m−k]),  O[k] = −½i·(Z[k] − Z*[m−k]),
 *   X[k] = E[k] + W^k·O[k]   with W = e^(−2πi/n), k = 0 … m,
 *
 * and the inverse runs the same steps backwards (E[k] = ½(X[k] + X*[m−k]),
 * O[k] = ½(X[k] − X*[m−k])·W^(−k), z = IDFT_m(E + i·O)). The spectrum is stored split: real parts
 * `re[0 … m]` and imaginary parts `im[0 … m]` (`im[0]` and `im[m]` are 0). Sign convention:
 * X[k] = Σ x[j]·e^(−2πijk/n); {@link RealFFT.inverse} is the exact inverse (it divides by n).
 *
 * Accuracy: the twiddles are computed directly with `Math.cos`/`Math.sin` (not by recurrence), so
 * the round-off grows like O(ε·log n) (ε = 2.2e-16): about 1e-15 relative at n = 32768.
 *
 * @example
 * ```ts
 * import { RealFFT } from 'masterbus';
 * const fft = new RealFFT(8);
 * const re = new Float64Array(5);
 * const im = new Float64Array(5);
 * fft.forward(new Float64Array([1, 0, 0, 0, 0, 0, 0, 0]), re, im); // an impulse: flat spectrum
 * const x = new Float64Array(8);
 * fft.inverse(re, im, x); // back to [1, 0, 0, …]
 * ```
 * @module
 */

/**
 * A real FFT of one power-of-two size `n` (2 … 2^24). Transforms allocate nothing: every table
 * and work buffer is made by the constructor.
 */
export class RealFFT {
  /** Transform length n (real samples in, n/2 + 1 complex bins out). */
  readonly size: number;
  /** Number of bins, n/2 + 1. */
  readonly bins: number;
  private readonly m: number;
  /** Bit-reversal permutation of 0 … m − 1. */
  private readonly rev: Uint32Array;
  /** cos(2πk/m), sin(2πk/m) for k < m/2: the complex FFT's twiddles. */
  private readonly cosM: Float64Array;
  private readonly sinM: Float64Array;
  /** cos(2πk/n), sin(2πk/n) for k ≤ m/2: the split step's twiddles. */
  private readonly cosN: Float64Array;
  private readonly sinN: Float64Array;
  private readonly zr: Float64Array;
  private readonly zi: Float64Array;

  /** Make the tables for length `n`, a power of two in [2, 2^24]; throws a `RangeError` otherwise. */
  constructor(n: number) {
    if (!(typeof n === 'number' && Number.isInteger(n) && n >= 2 && n <= 1 << 24 && (n & (n - 1)) === 0)) {
      throw new RangeError(`RealFFT.size must be a power of two in [2, 16777216], got ${String(n)}`);
    }
    this.size = n;
    const m = n >> 1;
    this.m = m;
    this.bins = m + 1;
    let bits = 0;
    while (1 << bits < m) bits++;
    this.rev = new Uint32Array(m);
    for (let k = 0; k < m; k++) {
      let r = 0;
      for (let b = 0; b < bits; b++) if (k & (1 << b)) r |= 1 << (bits - 1 - b);
      this.rev[k] = r;
    }
    const half = m >> 1 || 1;
    this.cosM = new Float64Array(half);
    this.sinM = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      this.cosM[k] = Math.cos((2 * Math.PI * k) / m);
      this.sinM[k] = Math.sin((2 * Math.PI * k) / m);
    }
    const q = (m >> 1) + 1;
    this.cosN = new Float64Array(q);
    this.sinN = new Float64Array(q);
    for (let k = 0; k < q; k++) {
      this.cosN[k] = Math.cos((2 * Math.PI * k) / n);
      this.sinN[k] = Math.sin((2 * Math.PI * k) / n);
    }
    this.zr = new Float64Array(m);
    this.zi = new Float64Array(m);
  }

  /**
   * Spectrum of `x[0 … n)` into `re[at … at + n/2]`, `im[at … at + n/2]` (`at` defaults to 0, and
   * lets one array hold many spectra without views). `x` is not changed; the arrays must be long
   * enough (not checked: this runs on the audio thread).
   */
  forward(x: Float64Array, re: Float64Array, im: Float64Array, at = 0): void {
    const m = this.m;
    const zr = this.zr;
    const zi = this.zi;
    const rev = this.rev;
    for (let k = 0; k < m; k++) {
      const r = rev[k];
      zr[r] = x[2 * k];
      zi[r] = x[2 * k + 1];
    }
    this.complex(-1);
    // Split step: k = 0 and k = m are real.
    re[at] = zr[0] + zi[0];
    im[at] = 0;
    re[at + m] = zr[0] - zi[0];
    im[at + m] = 0;
    const cn = this.cosN;
    const sn = this.sinN;
    for (let k = 1; k <= m >> 1; k++) {
      const j = m - k;
      const ar = zr[k];
      const ai = zi[k];
      const br = zr[j];
      const bi = zi[j];
      // E = ½(Z[k] + Z*[j]), O = −½i(Z[k] − Z*[j]).
      const er = 0.5 * (ar + br);
      const ei = 0.5 * (ai - bi);
      const or = 0.5 * (ai + bi);
      const oi = -0.5 * (ar - br);
      // W^k = cos − i·sin (angle 2πk/n).
      const c = cn[k];
      const s = sn[k];
      const tr = or * c + oi * s;
      const ti = oi * c - or * s;
      re[at + k] = er + tr;
      im[at + k] = ei + ti;
      // X[j] = E*[k] + W^j·O*[k] = E*[k] − (W^k·O[k])*, since W^(m−k) = −conj(W^k).
      re[at + j] = er - tr;
      im[at + j] = ti - ei;
    }
  }

  /**
   * Real signal `x[0 … n)` whose spectrum is `re`, `im` (bins 0 … n/2 from index `at`, default 0;
   * the imaginary parts of bins 0 and n/2 are ignored, as a real signal has none). The exact
   * inverse of {@link RealFFT.forward}. `re` and `im` are not changed.
   */
  inverse(re: Float64Array, im: Float64Array, x: Float64Array, at = 0): void {
    const m = this.m;
    const zr = this.zr;
    const zi = this.zi;
    const rev = this.rev;
    const cn = this.cosN;
    const sn = this.sinN;
    // k = 0: E = ½(X0 + Xm), O = ½(X0 − Xm).
    {
      const a = re[at];
      const b = re[at + m];
      zr[0] = 0.5 * (a + b);
      zi[0] = 0.5 * (a - b);
    }
    for (let k = 1; k <= m >> 1; k++) {
      const j = m - k;
      const ar = re[at + k];
      const ai = im[at + k];
      const br = re[at + j];
      const bi = -im[at + j];
      // E = ½(X[k] + X*[j]); D = ½(X[k] − X*[j]); O = D·W^(−k) (angle +2πk/n).
      const er = 0.5 * (ar + br);
      const ei = 0.5 * (ai + bi);
      const dr = 0.5 * (ar - br);
      const di = 0.5 * (ai - bi);
      const c = cn[k];
      const s = sn[k];
      const or = dr * c - di * s;
      const oi = di * c + dr * s;
      // Z[k] = E + i·O; Z[j] = E*[k] + i·O*[k]... (E[j] = E*[k], O[j] = O*[k] for real halves.)
      zr[k] = er - oi;
      zi[k] = ei + or;
      zr[j] = er + oi;
      zi[j] = or - ei;
    }
    // Bit-reverse in place (pairs swapped once), then the inverse complex FFT.
    for (let k = 0; k < m; k++) {
      const r = rev[k];
      if (r > k) {
        const t = zr[k];
        zr[k] = zr[r];
        zr[r] = t;
        const u = zi[k];
        zi[k] = zi[r];
        zi[r] = u;
      }
    }
    this.complex(1);
    const g = 1 / m;
    for (let k = 0; k < m; k++) {
      x[2 * k] = zr[k] * g;
      x[2 * k + 1] = zi[k] * g;
    }
  }

  /**
   * In-place radix-2 decimation-in-time FFT of (zr, zi), already in bit-reversed order, with
   * kernel e^(sign·2πi/m) (unnormalised).
   */
  private complex(sign: number): void {
    const m = this.m;
    const zr = this.zr;
    const zi = this.zi;
    const cm = this.cosM;
    const sm = this.sinM;
    // Stage of length 2: no multiplications.
    for (let i = 0; i + 1 < m; i += 2) {
      const ar = zr[i];
      const ai = zi[i];
      const br = zr[i + 1];
      const bi = zi[i + 1];
      zr[i] = ar + br;
      zi[i] = ai + bi;
      zr[i + 1] = ar - br;
      zi[i + 1] = ai - bi;
    }
    // Stage of length 4: twiddles 1 and ∓i.
    if (m >= 4) {
      for (let i = 0; i < m; i += 4) {
        const ar = zr[i];
        const ai = zi[i];
        const br = zr[i + 2];
        const bi = zi[i + 2];
        zr[i] = ar + br;
        zi[i] = ai + bi;
        zr[i + 2] = ar - br;
        zi[i + 2] = ai - bi;
        // w = sign·i: (br, bi)·w = (−sign·bi, sign·br).
        const cr = zr[i + 1];
        const ci = zi[i + 1];
        const dr = zr[i + 3];
        const di = zi[i + 3];
        const tr = -sign * di;
        const ti = sign * dr;
        zr[i + 1] = cr + tr;
        zi[i + 1] = ci + ti;
        zr[i + 3] = cr - tr;
        zi[i + 3] = ci - ti;
      }
    }
    for (let len = 8; len <= m; len <<= 1) {
      const half = len >> 1;
      const step = m / len;
      for (let j = 0; j < half; j++) {
        const wr = cm[j * step];
        const wi = sign * sm[j * step];
        for (let i = j; i < m; i += len) {
          const k = i + half;
          const br = zr[k];
          const bi = zi[k];
          const tr = br * wr - bi * wi;
          const ti = br * wi + bi * wr;
          const ar = zr[i];
          const ai = zi[i];
          zr[i] = ar + tr;
          zi[i] = ai + ti;
          zr[k] = ar - tr;
          zi[k] = ai - ti;
        }
      }
    }
  }
}
