/**
 * The demo song's synthesis kit: a seeded random source, band-limited oscillators, a resonant
 * state-variable filter, formant resonators and click-free envelopes. Offline code (it renders a
 * whole song into arrays), written for speed: small monomorphic classes with a `next()` per sample.
 *
 * Sources:
 * - PolyBLEP oscillators: V. Välimäki and A. Huovilainen, "Antialiasing Oscillators in Subtractive
 *   Synthesis", IEEE Signal Processing Magazine 24(2), 2007 (the two-sample polynomial residual
 *   subtracted at every discontinuity).
 * - Band-limited impulse train: T. Stilson and J. O. Smith, "Alias-Free Digital Synthesis of
 *   Classic Analog Waveforms", ICMC 1996: `sin(Mπφ) / (M sin(πφ))` with M odd is the sum of the
 *   first (M−1)/2 harmonics, none above Nyquist.
 * - State-variable filter: A. Simper, "Linear Trapezoidal Integrated SVF" (Cytomic, 2013) and
 *   V. Zavalishin, *The Art of VA Filter Design* (2018), ch. 4: the TPT SVF, stable under any
 *   per-sample cutoff modulation.
 * - Formant resonator: D. H. Klatt, "Software for a cascade/parallel formant synthesizer", JASA
 *   67(3), 1980: `y[n] = A·x[n] + B·y[n−1] + C·y[n−2]`, `C = −e^(−2π·BW/fs)`,
 *   `B = 2e^(−π·BW/fs)·cos(2πF/fs)`, `A = 1 − B − C` (unity gain at DC).
 *
 * @module
 */

/**
 * A seeded pseudo-random source (mulberry32: a 32-bit state, a Weyl step and a xorshift-multiply
 * output mix), so that one seed always renders the same song.
 */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform in [−1, 1). */
  bipolar(): number {
    return this.next() * 2 - 1;
  }
  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** Equal temperament, A4 = MIDI 69 = 440 Hz. */
export function midiToHz(midi: number): number {
  return 440 * Math.exp((midi - 69) * (Math.LN2 / 12));
}

/**
 * The PolyBLEP residual at phase `t` ∈ [0, 1) for a phase increment `dt` (cycles per sample): the
 * difference between a band-limited step and the naive one, non-zero within one sample of the
 * discontinuity at phase 0 (Välimäki & Huovilainen 2007).
 */
export function polyBlep(t: number, dt: number): number {
  if (t < dt) {
    const x = t / dt;
    return x + x - x * x - 1;
  }
  if (t > 1 - dt) {
    const x = (t - 1) / dt;
    return x * x + x + x + 1;
  }
  return 0;
}

/** A band-limited oscillator: sawtooth, square or a blend, by PolyBLEP. */
export class BlepOscillator {
  phase: number;
  constructor(phase = 0) {
    this.phase = phase;
  }
  /** One sawtooth sample (falling edge at phase 0, range ±1) at `dt` = f/fs cycles per sample. */
  saw(dt: number): number {
    const t = this.phase;
    const y = 2 * t - 1 - polyBlep(t, dt);
    this.phase = t + dt >= 1 ? t + dt - 1 : t + dt;
    return y;
  }
  /** One square sample (range ±1, 50 % duty). */
  square(dt: number): number {
    const t = this.phase;
    let y = t < 0.5 ? 1 : -1;
    y += polyBlep(t, dt);
    const t2 = t + 0.5 >= 1 ? t - 0.5 : t + 0.5;
    y -= polyBlep(t2, dt);
    this.phase = t + dt >= 1 ? t + dt - 1 : t + dt;
    return y;
  }
}

/**
 * A band-limited impulse train (Stilson & Smith 1996), one unit-area pulse per period: the glottal
 * excitation of the voice. `M` (odd) is re-chosen at every period start so that the top harmonic
 * stays below Nyquist while the pitch glides.
 */
export class Blit {
  private phase = 0;
  /** Harmonics + 1 … as M: odd, 0 before the first sample. */
  private m = 0;
  /** One sample at `dt` = f0/fs cycles per sample. */
  next(dt: number): number {
    if (this.m === 0) this.m = 2 * Math.floor(0.5 / dt) + 1;
    const t = this.phase;
    const m = this.m;
    const d = Math.sin(Math.PI * t);
    // The limit of sin(Mπφ)/(M sin πφ) at φ → 0 is 1.
    const y = d < 1e-9 ? 1 : Math.sin(Math.PI * m * t) / (m * d);
    const u = t + dt;
    if (u >= 1) {
      this.phase = u - 1;
      // A new period: M follows the pitch here, near the pulse, where every M gives about 1.
      this.m = 2 * Math.floor(0.5 / dt) + 1;
    } else this.phase = u;
    return y * m * dt;
  }
}

/**
 * The TPT state-variable filter (Simper 2013; Zavalishin 2018, ch. 4): low-, band- and high-pass
 * outputs of one 12 dB/octave section. `setup(fc, q, fs)` may be called every sample.
 */
export class Svf {
  private ic1 = 0;
  private ic2 = 0;
  private a1 = 1;
  private a2 = 0;
  private a3 = 0;
  private k = 2;
  /** Band-pass output of the last `lowpass()` / `highpass()` / `bandpass()` call. */
  band = 0;
  /** Cutoff `fc` in Hz (clamped below 0.49·fs), resonance `q` (0.5: no peak; 0.707: Butterworth). */
  setup(fc: number, q: number, fs: number): void {
    const f = fc < 0.49 * fs ? (fc > 1 ? fc : 1) : 0.49 * fs;
    const g = Math.tan((Math.PI * f) / fs);
    this.k = 1 / q;
    this.a1 = 1 / (1 + g * (g + this.k));
    this.a2 = g * this.a1;
    this.a3 = g * this.a2;
  }
  /** Low-pass output. */
  lowpass(x: number): number {
    const v3 = x - this.ic2;
    const v1 = this.a1 * this.ic1 + this.a2 * v3;
    const v2 = this.ic2 + this.a2 * this.ic1 + this.a3 * v3;
    this.ic1 = 2 * v1 - this.ic1;
    this.ic2 = 2 * v2 - this.ic2;
    this.band = v1;
    return v2;
  }
  /** High-pass output. */
  highpass(x: number): number {
    const v2 = this.lowpass(x);
    return x - this.k * this.band - v2;
  }
  /** Band-pass output, normalised to unity gain at the centre (`k·band`). */
  bandpass(x: number): number {
    this.lowpass(x);
    return this.k * this.band;
  }
}

/** A Klatt (1980) two-pole formant resonator with unity gain at DC. */
export class Resonator {
  private a = 1;
  private b = 0;
  private c = 0;
  private y1 = 0;
  private y2 = 0;
  /** Centre `f` and bandwidth `bw` in Hz. */
  setup(f: number, bw: number, fs: number): void {
    const r = Math.exp((-Math.PI * bw) / fs);
    this.c = -r * r;
    this.b = 2 * r * Math.cos((2 * Math.PI * f) / fs);
    this.a = 1 - this.b - this.c;
  }
  next(x: number): number {
    const y = this.a * x + this.b * this.y1 + this.c * this.y2;
    this.y2 = this.y1;
    this.y1 = y;
    return y;
  }
}

/**
 * An ADSR envelope as a closed form of the time since the note began, continuous everywhere (no
 * step can click): a raised-cosine attack from 0 to 1 over `attack` s, an exponential decay toward
 * `sustain` with time constant `decay` s, and after the note's `length` a release from wherever the
 * envelope stands to exactly 0 over `release` s along (1 − u)², u the fraction of the release done.
 */
export interface Adsr {
  attack: number;
  decay: number;
  sustain: number;
  release: number;
}

/** The envelope's level `t` seconds after a note of `length` seconds began. */
export function adsrAt(e: Adsr, t: number, length: number): number {
  if (t <= 0) return 0;
  if (t >= length) {
    const u = (t - length) / e.release;
    if (u >= 1) return 0;
    const v = 1 - u;
    return adsrHeld(e, length) * v * v;
  }
  return adsrHeld(e, t);
}

/** The level while the key is held. */
function adsrHeld(e: Adsr, t: number): number {
  if (t < e.attack) return 0.5 - 0.5 * Math.cos((Math.PI * t) / e.attack);
  return e.sustain + (1 - e.sustain) * Math.exp(-(t - e.attack) / e.decay);
}

/** Scale `channels` in place so that their joint sample peak is `peakDb` dBFS; returns the gain. */
export function normalizePeak(channels: readonly Float32Array[], peakDb: number): number {
  let peak = 0;
  for (const ch of channels) for (let i = 0; i < ch.length; i++) peak = Math.max(peak, Math.abs(ch[i]));
  if (peak === 0) return 1;
  const g = Math.pow(10, peakDb / 20) / peak;
  for (const ch of channels) for (let i = 0; i < ch.length; i++) ch[i] *= g;
  return g;
}
