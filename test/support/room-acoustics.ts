/**
 * Room-acoustic measures of impulse responses, written for the reverb tests independently of the
 * library: octave-band filtering (zero-phase, in the frequency domain, by its own FFT), Schroeder
 * backward integration and T30 (ISO 3382-1), normalised echo density (Abel & Huang 2006), the
 * correlation of two responses and the spectral flatness of a decay-compensated late response.
 */

/** In-place iterative radix-2 complex FFT (`inverse`: unscaled conjugate transform). Length: a power of two. */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  const sign = inverse ? 1 : -1;
  // Twiddles from a table of cos/sin(2πk/n) computed directly (not by recurrence: long transforms stay accurate).
  const cos = new Float64Array(n >> 1);
  const sin = new Float64Array(n >> 1);
  for (let k = 0; k < n >> 1; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = Math.sin((2 * Math.PI * k) / n);
  }
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const stride = n / len;
    for (let k = 0; k < half; k++) {
      const wr = cos[k * stride];
      const wi = sign * sin[k * stride];
      for (let i = k; i < n; i += len) {
        const j = i + half;
        const tr = re[j] * wr - im[j] * wi;
        const ti = re[j] * wi + im[j] * wr;
        re[j] = re[i] - tr;
        im[j] = im[i] - ti;
        re[i] += tr;
        im[i] += ti;
      }
    }
  }
}

/**
 * Octave band of `x` around `centreHz`, zero-phase: the spectrum weighted by 1 between the band
 * edges fc/√2 and fc·√2, with raised-cosine skirts 1/6 octave wide on either side (in log
 * frequency); the signal is zero-padded to twice its length so the skirts' time spread does not
 * wrap round onto the tail.
 */
export function octaveBand(x: ArrayLike<number>, centreHz: number, sampleRate: number): Float64Array {
  return octaveBands(x, [centreHz], sampleRate)[0];
}

/** {@link octaveBand} for several centre frequencies (one forward transform). */
export function octaveBands(x: ArrayLike<number>, centresHz: readonly number[], sampleRate: number): Float64Array[] {
  let n = 1;
  while (n < 2 * x.length) n *= 2;
  const sre = new Float64Array(n);
  const sim = new Float64Array(n);
  for (let i = 0; i < x.length; i++) sre[i] = x[i];
  fft(sre, sim);
  return centresHz.map((centreHz) => {
  const re = sre.slice();
  const im = sim.slice();
  const lo = Math.log2(centreHz) - 0.5;
  const hi = Math.log2(centreHz) + 0.5;
  const skirt = 1 / 6;
  for (let k = 0; k <= n / 2; k++) {
    const f = (k * sampleRate) / n;
    let w = 0;
    if (f > 0) {
      const o = Math.log2(f);
      if (o >= lo && o <= hi) w = 1;
      else if (o > lo - skirt && o < lo) w = 0.5 - 0.5 * Math.cos((Math.PI * (o - lo + skirt)) / skirt);
      else if (o > hi && o < hi + skirt) w = 0.5 + 0.5 * Math.cos((Math.PI * (o - hi)) / skirt);
    }
    re[k] *= w;
    im[k] *= w;
    if (k > 0 && k < n / 2) {
      re[n - k] *= w;
      im[n - k] *= w;
    }
  }
  fft(re, im, true);
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = re[i] / n;
  return y;
  });
}

/** Schroeder's backward integral E(t) = Σ_{τ ≥ t} h²(τ), in dB relative to E(0). */
export function energyDecayCurveDb(h: ArrayLike<number>): Float64Array {
  const e = new Float64Array(h.length);
  let acc = 0;
  for (let i = h.length - 1; i >= 0; i--) {
    acc += h[i] * h[i];
    e[i] = acc;
  }
  const total = e[0];
  for (let i = 0; i < e.length; i++) e[i] = 10 * Math.log10(e[i] / total);
  return e;
}

/**
 * Decay time from the energy decay curve between `fromDb` and `toDb` (T30: −5 to −35 dB, ISO
 * 3382-1), by a least-squares line through the curve there, extrapolated to 60 dB. In seconds.
 */
export function decayTime(h: ArrayLike<number>, sampleRate: number, fromDb = -5, toDb = -35): number {
  const edc = energyDecayCurveDb(h);
  let a = 0;
  while (a < edc.length && edc[a] > fromDb) a++;
  let b = a;
  while (b < edc.length && edc[b] > toDb) b++;
  if (b >= edc.length - 1 || b - a < 10) return NaN;
  let st = 0;
  let sy = 0;
  let stt = 0;
  let sty = 0;
  const m = b - a;
  for (let i = a; i < b; i++) {
    const t = (i - a) / sampleRate;
    st += t;
    sy += edc[i];
    stt += t * t;
    sty += t * edc[i];
  }
  const slope = (m * sty - st * sy) / (m * stt - st * st); // dB per second
  return -60 / slope;
}

/** erfc(1/√2): the share of a Gaussian's samples more than one standard deviation from its mean. */
export const ERFC_INV_SQRT2 = 0.31731050786291415;

/**
 * Normalised echo density (Abel & Huang, "A simple, robust measure of reverberation echo density",
 * AES 121st Convention, 2006): in a Hann window of `windowMs` centred on each sample, the
 * window-weighted share of samples whose magnitude exceeds the window's weighted standard
 * deviation, divided by erfc(1/√2). 1 for Gaussian noise; near 0 for sparse echoes. Evaluated every
 * `hop` samples; returns the values and their times (s).
 */
export function echoDensity(h: ArrayLike<number>, sampleRate: number, windowMs = 20, hop = 48): { t: number[]; eta: number[] } {
  const len = Math.round((windowMs * sampleRate) / 1000) | 1;
  const half = (len - 1) / 2;
  const w = new Float64Array(len);
  let wsum = 0;
  for (let i = 0; i < len; i++) {
    w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 1)) / (len + 1));
    wsum += w[i];
  }
  for (let i = 0; i < len; i++) w[i] /= wsum;
  const t: number[] = [];
  const eta: number[] = [];
  for (let c = half; c + half < h.length; c += hop) {
    let s2 = 0;
    for (let i = 0; i < len; i++) s2 += w[i] * h[c - half + i] ** 2;
    const sd = Math.sqrt(s2);
    let out = 0;
    for (let i = 0; i < len; i++) if (Math.abs(h[c - half + i]) > sd) out += w[i];
    t.push(c / sampleRate);
    eta.push(out / ERFC_INV_SQRT2);
  }
  return { t, eta };
}

/** Normalised cross-correlation at lag 0 of `a` and `b` over [from, to). */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>, from: number, to: number): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = from; i < to; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

/**
 * Spectral flatness (geometric over arithmetic mean of the power) between `loHz` and `hiHz` of
 * `x[from, to)` after multiplying by e^{+6.91·t/T60} (undoing a decay of `t60` seconds, so an
 * ideal late field becomes stationary noise), as a Welch average of Hann-windowed periodograms of
 * `segment` samples with half overlap. 1 for a flat spectrum; ringing modes (peaks) lower it.
 */
export function lateSpectralFlatness(x: ArrayLike<number>, from: number, to: number, t60: number, sampleRate: number, loHz: number, hiHz: number, segment = 2048): number {
  const n = to - from;
  const y = new Float64Array(n);
  const k = (3 * Math.LN10) / (t60 * sampleRate);
  for (let i = 0; i < n; i++) y[i] = x[from + i] * Math.exp(k * i);
  const power = new Float64Array(segment / 2 + 1);
  const re = new Float64Array(segment);
  const im = new Float64Array(segment);
  let count = 0;
  for (let s = 0; s + segment <= n; s += segment / 2) {
    for (let i = 0; i < segment; i++) {
      re[i] = y[s + i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / segment));
      im[i] = 0;
    }
    fft(re, im);
    for (let b = 0; b <= segment / 2; b++) power[b] += re[b] * re[b] + im[b] * im[b];
    count++;
  }
  const b0 = Math.ceil((loHz * segment) / sampleRate);
  const b1 = Math.floor((hiHz * segment) / sampleRate);
  let logSum = 0;
  let sum = 0;
  for (let b = b0; b <= b1; b++) {
    const p = power[b] / count;
    logSum += Math.log(p);
    sum += p;
  }
  const m = b1 - b0 + 1;
  return Math.exp(logSum / m) / (sum / m);
}

/** Exponentially decaying white noise (a reference late field): T60 `t60`, `frames` samples, seeded. */
export function decayingNoise(frames: number, t60: number, sampleRate: number, seed = 1): Float64Array {
  let s = seed >>> 0 || 1;
  const k = (3 * Math.LN10) / (t60 * sampleRate);
  const y = new Float64Array(frames);
  for (let i = 0; i < frames; i += 2) {
    // Box–Muller from a 32-bit LCG: Gaussian samples.
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u1 = (s + 1) / 4294967297;
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u2 = s / 4294967296;
    const r = Math.sqrt(-2 * Math.log(u1));
    y[i] = r * Math.cos(2 * Math.PI * u2) * Math.exp(-k * i);
    if (i + 1 < frames) y[i + 1] = r * Math.sin(2 * Math.PI * u2) * Math.exp(-k * (i + 1));
  }
  return y;
}
