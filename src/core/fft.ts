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
 * O[k] = ½(X[k] − X*[m−k])·W^(−k), z = IDFT_m(E + i·O)). The spectrum is stored interleaved:
 * bin k at `[2k]` (real) and `[2k + 1]` (imaginary), k = 0 … m (n + 2 numbers; the imaginary parts
 * of bins 0 and m are 0). Sign convention:
 * X[k] = Σ x[j]·e^(−2πijk/n); {@link RealFFT.inverse} is the exact inverse (it divides by n).
 *
 * Accuracy: the twiddles are computed directly with `Math.cos`/`Math.sin` (not by recurrence), so
 * the round-off grows like O(ε·log n) (ε = 2.2e-16): about 1e-15 relative at n = 32768.
 *
 * @example
 * ```ts
 * import { RealFFT } from 'masterbus';
 * const fft = new RealFFT(8);
 * const spectrum = new Float64Array(10); // 5 bins, (re, im) pairs
 * fft.forward(new Float64Array([1, 0, 0, 0, 0, 0, 0, 0]), spectrum); // an impulse: flat spectrum
 * const x = new Float64Array(8);
 * fft.inverse(spectrum, x); // back to [1, 0, 0, …]
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
  /** Work array: m complex values, interleaved (re, im). */
  private readonly z: Float64Array;

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
    this.z = new Float64Array(2 * m);
  }

  /**
   * Spectrum of `x[0 … n)` into `spectrum[at … at + n + 2)`, interleaved: bin k's real part at
   * `at + 2k`, its imaginary part at `at + 2k + 1` (`at` defaults to 0, and lets one array hold
   * many spectra without views). `x` is not changed; the arrays must be long enough (not checked:
   * this runs on the audio thread).
   */
  forward(x: Float64Array, spectrum: Float64Array, at = 0): void {
    const m = this.m;
    const z = this.z;
    const rev = this.rev;
    for (let k = 0; k < m; k++) {
      const r = 2 * rev[k];
      z[r] = x[2 * k];
      z[r + 1] = x[2 * k + 1];
    }
    this.complex(-1);
    // Split step: k = 0 and k = m are real.
    const out = spectrum;
    out[at] = z[2 * 0] + z[2 * 0 + 1];
    out[at + 1] = 0;
    out[at + 2 * m] = z[2 * 0] - z[2 * 0 + 1];
    out[at + 2 * m + 1] = 0;
    const cn = this.cosN;
    const sn = this.sinN;
    for (let k = 1; k <= m >> 1; k++) {
      const j = m - k;
      const ar = z[2 * k];
      const ai = z[2 * k + 1];
      const br = z[2 * j];
      const bi = z[2 * j + 1];
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
      out[at + 2 * k] = er + tr;
      out[at + 2 * k + 1] = ei + ti;
      // X[j] = E*[k] + W^j·O*[k] = E*[k] − (W^k·O[k])*, since W^(m−k) = −conj(W^k).
      out[at + 2 * j] = er - tr;
      out[at + 2 * j + 1] = ti - ei;
    }
  }

  /**
   * Real signal `x[0 … n)` whose spectrum is `spectrum` (bins 0 … n/2 interleaved as written by
   * {@link RealFFT.forward}, from index `at`, default 0; the imaginary parts of bins 0 and n/2 are
   * ignored, as a real signal has none). The exact inverse of {@link RealFFT.forward}. `spectrum`
   * is not changed.
   */
  inverse(spectrum: Float64Array, x: Float64Array, at = 0): void {
    const sp = spectrum;
    const m = this.m;
    const z = this.z;
    const rev = this.rev;
    const cn = this.cosN;
    const sn = this.sinN;
    // k = 0: E = ½(X0 + Xm), O = ½(X0 − Xm).
    {
      const a = sp[at];
      const b = sp[at + 2 * m];
      z[2 * 0] = 0.5 * (a + b);
      z[2 * 0 + 1] = 0.5 * (a - b);
    }
    for (let k = 1; k <= m >> 1; k++) {
      const j = m - k;
      const ar = sp[at + 2 * k];
      const ai = sp[at + 2 * k + 1];
      const br = sp[at + 2 * j];
      const bi = -sp[at + 2 * j + 1];
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
      z[2 * k] = er - oi;
      z[2 * k + 1] = ei + or;
      z[2 * j] = er + oi;
      z[2 * j + 1] = or - ei;
    }
    // Bit-reverse in place (pairs swapped once), then the inverse complex FFT.
    for (let k = 0; k < m; k++) {
      const r = rev[k];
      if (r > k) {
        const t = z[2 * k];
        z[2 * k] = z[2 * r];
        z[2 * r] = t;
        const u = z[2 * k + 1];
        z[2 * k + 1] = z[2 * r + 1];
        z[2 * r + 1] = u;
      }
    }
    this.complex(1);
    const g = 1 / m;
    for (let k = 0; k < m; k++) {
      x[2 * k] = z[2 * k] * g;
      x[2 * k + 1] = z[2 * k + 1] * g;
    }
  }

  /**
   * In-place decimation-in-time FFT of the interleaved work array z, in bit-reversed order, with kernel
   * e^(sign·2πi/m) (unnormalised): one radix-2 stage when log2(m) is odd, then radix-4 passes,
   * each doing two radix-2 stages in one sweep over memory (same arithmetic as radix 2, half the
   * loads and stores).
   */
  private complex(sign: number): void {
    const m = this.m;
    const z = this.z;
    const cm = this.cosM;
    const sm = this.sinM;
    let h = 1;
    let bits = 0;
    while (1 << bits < m) bits++;
    if (bits & 1) {
      for (let i = 0; i + 1 < m; i += 2) {
        const ar = z[2 * i];
        const ai = z[2 * i + 1];
        const br = z[2 * (i + 1)];
        const bi = z[2 * (i + 1) + 1];
        z[2 * i] = ar + br;
        z[2 * i + 1] = ai + bi;
        z[2 * (i + 1)] = ar - br;
        z[2 * (i + 1) + 1] = ai - bi;
      }
      h = 2;
    }
    if (h === 1 && m >= 4) {
      // First radix-4 pass: every twiddle is 1 (stage A) or sign·i (stage B).
      for (let b = 0; b < 2 * m; b += 8) {
        const x0r = z[b];
        const x0i = z[b + 1];
        const x1r = z[b + 2];
        const x1i = z[b + 3];
        const x2r = z[b + 4];
        const x2i = z[b + 5];
        const x3r = z[b + 6];
        const x3i = z[b + 7];
        const a0r = x0r + x1r;
        const a0i = x0i + x1i;
        const a1r = x0r - x1r;
        const a1i = x0i - x1i;
        const a2r = x2r + x3r;
        const a2i = x2i + x3i;
        const u3r = -sign * (x2i - x3i);
        const u3i = sign * (x2r - x3r);
        z[b] = a0r + a2r;
        z[b + 1] = a0i + a2i;
        z[b + 4] = a0r - a2r;
        z[b + 5] = a0i - a2i;
        z[b + 2] = a1r + u3r;
        z[b + 3] = a1i + u3i;
        z[b + 6] = a1r - u3r;
        z[b + 7] = a1i - u3i;
      }
      h = 4;
    }
    // Sub-transforms of size h → 4h. Stage A (size 2h) pairs (i0, i1) and (i2, i3) with
    // wA = W_2h^j; stage B (size 4h) pairs (i0, i2) with wB = W_4h^j and (i1, i3) with
    // W_4h^(j+h) = wB·(sign·i).
    for (; h < m; h <<= 2) {
      const step = (m / (4 * h)) | 0;
      const h4 = 4 * h;
      for (let b = 0; b < m; b += h4) {
        for (let j = 0; j < h; j++) {
          const tb = j * step;
          const wbr = cm[tb];
          const wbi = sign * sm[tb];
          const war = cm[2 * tb];
          const wai = sign * sm[2 * tb];
          const i0 = b + j;
          const i1 = i0 + h;
          const i2 = i1 + h;
          const i3 = i2 + h;
          const x0r = z[2 * i0];
          const x0i = z[2 * i0 + 1];
          const x2r = z[2 * i2];
          const x2i = z[2 * i2 + 1];
          const x1r = z[2 * i1];
          const x1i = z[2 * i1 + 1];
          const x3r = z[2 * i3];
          const x3i = z[2 * i3 + 1];
          // wA·x1, wA·x3.
          const t1r = x1r * war - x1i * wai;
          const t1i = x1r * wai + x1i * war;
          const t3r = x3r * war - x3i * wai;
          const t3i = x3r * wai + x3i * war;
          const a0r = x0r + t1r;
          const a0i = x0i + t1i;
          const a1r = x0r - t1r;
          const a1i = x0i - t1i;
          const a2r = x2r + t3r;
          const a2i = x2i + t3i;
          const a3r = x2r - t3r;
          const a3i = x2i - t3i;
          // wB·a2; wB·a3·(sign·i).
          const u2r = a2r * wbr - a2i * wbi;
          const u2i = a2r * wbi + a2i * wbr;
          const q3r = a3r * wbr - a3i * wbi;
          const q3i = a3r * wbi + a3i * wbr;
          const u3r = -sign * q3i;
          const u3i = sign * q3r;
          z[2 * i0] = a0r + u2r;
          z[2 * i0 + 1] = a0i + u2i;
          z[2 * i2] = a0r - u2r;
          z[2 * i2 + 1] = a0i - u2i;
          z[2 * i1] = a1r + u3r;
          z[2 * i1 + 1] = a1i + u3i;
          z[2 * i3] = a1r - u3r;
          z[2 * i3 + 1] = a1i - u3i;
        }
      }
    }
  }
}
