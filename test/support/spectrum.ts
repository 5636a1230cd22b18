/**
 * Spectrum measurement for periodic steady states. With coherent sampling (an integer number of
 * periods in the window, no window function) a periodic signal's DFT is exactly a set of lines on
 * the grid of its fundamental period, so harmonics and aliases can be read without leakage.
 */

/** Complex DFT magnitude (peak amplitude) of `y[start .. start + n)` at `freq` Hz. */
export function dftAmplitude(y: ArrayLike<number>, start: number, n: number, freq: number, sampleRate: number): number {
  const w = (2 * Math.PI * freq) / sampleRate;
  let re = 0;
  let im = 0;
  // Rotate a phasor instead of calling sin/cos per sample (renormalised every 1024 steps).
  let c = 1;
  let s = 0;
  const cw = Math.cos(w);
  const sw = Math.sin(w);
  for (let i = 0; i < n; i++) {
    const v = y[start + i];
    re += v * c;
    im -= v * s;
    const c2 = c * cw - s * sw;
    s = s * cw + c * sw;
    c = c2;
    if ((i & 1023) === 1023) {
      const r = Math.hypot(c, s);
      c /= r;
      s /= r;
    }
  }
  const edge = freq === 0 || 2 * freq === sampleRate;
  return (Math.hypot(re, im) * (edge ? 1 : 2)) / n;
}

/**
 * The line spectrum of a periodic signal whose period is `sampleRate / gridHz` samples: the
 * amplitude at every multiple of `gridHz` from 0 to Nyquist, plus the energy left off the grid
 * (total mean square minus the lines' — near 0 when the signal is periodic, which checks the
 * method itself).
 */
export function lineSpectrum(y: ArrayLike<number>, start: number, n: number, gridHz: number, sampleRate: number): { amplitudes: number[]; offGridRms: number } {
  const amplitudes: number[] = [];
  let lineMs = 0;
  for (let k = 0; k * gridHz <= sampleRate / 2; k++) {
    const a = dftAmplitude(y, start, n, k * gridHz, sampleRate);
    amplitudes.push(a);
    const edge = k === 0 || 2 * k * gridHz === sampleRate;
    lineMs += edge ? a * a : (a * a) / 2;
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += y[start + i] * y[start + i];
  return { amplitudes, offGridRms: Math.sqrt(Math.max(0, total / n - lineMs)) };
}

/**
 * Strongest aliased component of a saturated sine of `f0` Hz, in dB relative to the fundamental:
 * the largest line that is not a harmonic below Nyquist (k·f0 for k ≥ 1) and not DC.
 */
export function strongestAliasDb(y: ArrayLike<number>, start: number, n: number, f0: number, gridHz: number, sampleRate: number): { db: number; atHz: number; offGridDb: number } {
  const { amplitudes, offGridRms } = lineSpectrum(y, start, n, gridHz, sampleRate);
  const fundamental = amplitudes[Math.round(f0 / gridHz)];
  let worst = 0;
  let at = 0;
  for (let k = 1; k < amplitudes.length; k++) {
    const f = k * gridHz;
    if (Math.abs(f / f0 - Math.round(f / f0)) < 1e-9) continue; // a harmonic
    if (amplitudes[k] > worst) {
      worst = amplitudes[k];
      at = f;
    }
  }
  return { db: 20 * Math.log10(worst / fundamental), atHz: at, offGridDb: 20 * Math.log10(offGridRms / (fundamental / Math.SQRT2)) };
}
