/**
 * RealFFT against a direct O(n²) DFT (independent math: X[k] = Σ x[j]·e^(−2πijk/n), with the
 * phase reduced exactly as (j·k mod n) before the cosine), and the inverse as its exact inverse.
 */
import { describe, expect, it } from 'vitest';
import { RealFFT } from '../../src/core/fft.js';
import { lcg } from '../support/signals.js';
import { measureAllocation } from '../support/alloc.js';

function dft(x: Float64Array): { re: Float64Array; im: Float64Array } {
  const n = x.length;
  const re = new Float64Array(n / 2 + 1);
  const im = new Float64Array(n / 2 + 1);
  for (let k = 0; k <= n / 2; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const a = (2 * Math.PI * ((j * k) % n)) / n;
      sr += x[j] * Math.cos(a);
      si -= x[j] * Math.sin(a);
    }
    re[k] = sr;
    im[k] = si;
  }
  return { re, im };
}

function randomSignal(n: number, seed: number): Float64Array {
  const r = lcg(seed);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = r();
  return x;
}

describe('RealFFT', () => {
  for (const n of [2, 4, 8, 16, 32, 64, 256, 1024, 4096]) {
    it(`forward equals the direct DFT at n = ${n} (max error < 1e-13 of the largest bin)`, () => {
      const x = randomSignal(n, n + 3);
      const { re, im } = dft(x);
      const fft = new RealFFT(n);
      const sp = new Float64Array(n + 2);
      fft.forward(x, sp);
      const r = sp.filter((_, j) => j % 2 === 0);
      const i = sp.filter((_, j) => j % 2 === 1);
      let err = 0;
      let mag = 0;
      for (let k = 0; k <= n / 2; k++) {
        err = Math.max(err, Math.abs(r[k] - re[k]), Math.abs(i[k] - im[k]));
        mag = Math.max(mag, Math.hypot(re[k], im[k]));
      }
      expect(err).toBeLessThan(1e-13 * mag + 1e-14);
      expect(fft.bins).toBe(n / 2 + 1);
    });

    it(`inverse(forward(x)) = x at n = ${n}, and inverse matches the direct inverse DFT`, () => {
      const x = randomSignal(n, 2 * n + 1);
      const fft = new RealFFT(n);
      const sp = new Float64Array(n + 2);
      fft.forward(x, sp);
      const y = new Float64Array(n);
      fft.inverse(sp, y);
      for (let j = 0; j < n; j++) expect(Math.abs(y[j] - x[j])).toBeLessThan(1e-14);
      // A spectrum that is not from forward(): the direct inverse of a Hermitian spectrum.
      const rnd = lcg(n + 77);
      const r = new Float64Array(n / 2 + 1);
      const i = new Float64Array(n / 2 + 1);
      for (let k = 0; k <= n / 2; k++) {
        r[k] = rnd();
        i[k] = k === 0 || k === n / 2 ? 0 : rnd();
        sp[2 * k] = r[k];
        sp[2 * k + 1] = i[k];
      }
      // Stored at an offset, as the convolver does.
      const shifted = new Float64Array(n + 12);
      shifted.set(sp, 10);
      fft.inverse(shifted, y, 10);
      for (let j = 0; j < n; j++) {
        let s = r[0] + (n > 1 ? r[n / 2] * (j % 2 === 0 ? 1 : -1) : 0);
        for (let k = 1; k < n / 2; k++) {
          const a = (2 * Math.PI * ((j * k) % n)) / n;
          s += 2 * (r[k] * Math.cos(a) - i[k] * Math.sin(a));
        }
        expect(Math.abs(y[j] - s / n)).toBeLessThan(1e-13);
      }
    });
  }

  it('transforms closed forms: an impulse is flat, a cosine at bin 3 is n/2 at bin 3', () => {
    const n = 64;
    const fft = new RealFFT(n);
    const sp = new Float64Array(66 + 4);
    const x = new Float64Array(n);
    x[0] = 1;
    fft.forward(x, sp, 4);
    for (let k = 0; k <= 32; k++) {
      expect(sp[4 + 2 * k]).toBeCloseTo(1, 14);
      expect(sp[4 + 2 * k + 1]).toBeCloseTo(0, 14);
    }
    for (let j = 0; j < n; j++) x[j] = Math.cos((2 * Math.PI * 3 * j) / n);
    fft.forward(x, sp);
    for (let k = 0; k <= 32; k++) {
      expect(sp[2 * k]).toBeCloseTo(k === 3 ? 32 : 0, 12);
      expect(sp[2 * k + 1]).toBeCloseTo(0, 12);
    }
  });

  it('rejects sizes that are not powers of two with a RangeError', () => {
    for (const n of [0, 1, 3, 12, 2.5, NaN, 1 << 25]) expect(() => new RealFFT(n)).toThrow(/RealFFT.size must be a power of two/);
  });

  it('allocates nothing per transform', async () => {
    const fft = new RealFFT(1024);
    const x = randomSignal(1024, 5);
    const sp = new Float64Array(1026);
    const report = await measureAllocation(() => {
      fft.forward(x, sp);
      fft.inverse(sp, x);
    }, 20000);
    expect(report.gcEvents).toBe(0);
    expect(report.arrayBuffersDeltaBytes).toBe(0);
  });
});
