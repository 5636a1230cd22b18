/** TruePeakDetector: the folded, skipping kernels against a direct evaluation; the filter's response. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TRUE_PEAK_TAPS, truePeakFilter } from '../../src/core/true-peak-kernel.js';
import { TruePeakDetector } from '../../src/metering/true-peak.js';
import { lcg, runs } from '../support/signals.js';

/** Direct polyphase evaluation: every phase, every output, no folding, no skipping. */
function directTruePeak(x: Float32Array, L: number): number {
  const h = truePeakFilter(L);
  const T = TRUE_PEAK_TAPS;
  const padded = new Float64Array(x.length + 2 * T);
  padded.set(x, T - 1);
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  for (let m = 0; m + T <= padded.length; m++) {
    for (let p = 0; p < L - 1; p++) {
      let y = 0;
      for (let k = 0; k < T; k++) y += h[p * T + k] * padded[m + k];
      peak = Math.max(peak, Math.abs(y));
    }
  }
  return peak;
}

describe('TruePeakDetector', () => {
  it('equals a direct polyphase evaluation for any signal and block partition (fast-check)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.constantFrom(48000, 96000), fc.integer({ min: 1, max: 300 }), fc.double({ min: 0.01, max: 2, noNaN: true }), (seed, rate, block, amp) => {
        const r = lcg(seed);
        const x = new Float32Array(3000);
        let lp = 0;
        for (let i = 0; i < x.length; i++) {
          lp = 0.5 * lp + 0.5 * r();
          x[i] = amp * (i % 700 < 350 ? lp : 0.3 * r());
        }
        const d = new TruePeakDetector(rate, 1, 300);
        for (let p = 0; p < x.length; p += block) d.process(0, x, p, Math.min(x.length, p + block));
        d.flush(0);
        const expected = directTruePeak(x, rate < 88200 ? 4 : 2);
        expect(Math.abs(d.peaks[0] - expected) / expected).toBeLessThan(1e-12);
      }),
      { numRuns: runs(60) },
    );
  });

  it('has every 4× phase within 0.1 dB of unity gain up to 20 kHz at 48 kHz', () => {
    const h = truePeakFilter(4);
    const T = TRUE_PEAK_TAPS;
    for (let p = 1; p < 4; p++) {
      for (let f = 100; f <= 20000; f += 100) {
        const w = (2 * Math.PI * f) / 48000;
        let re = 0;
        let im = 0;
        for (let k = 0; k < T; k++) {
          re += h[(p - 1) * T + k] * Math.cos(w * k);
          im -= h[(p - 1) * T + k] * Math.sin(w * k);
        }
        expect(Math.abs(20 * Math.log10(Math.hypot(re, im))), `phase ${p} at ${f} Hz`).toBeLessThan(0.1);
      }
    }
  });

  it('ignores non-finite samples', () => {
    const d = new TruePeakDetector(48000, 1, 64);
    const x = new Float32Array(64).map((_, i) => 0.25 * Math.sin(i / 3));
    x[10] = Infinity;
    x[20] = NaN;
    d.process(0, x, 0, 64);
    d.process(0, new Float32Array(64), 0, 64);
    expect(Number.isFinite(d.peaks[0]) && Number.isFinite(d.samplePeaks[0])).toBe(true);
    expect(d.samplePeaks[0]).toBeLessThanOrEqual(0.25);
  });
});
