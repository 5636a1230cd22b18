/** The streaming window operators against brute force, for any window, partition and history. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExactMovingSum, MovingAverage, SlidingMax } from '../../src/dynamics/windows.js';
import { runs } from '../support/signals.js';

/** Feed `x` in blocks of the given sizes (cycled), returning the concatenated output. */
function stream(process: (input: Float64Array, output: Float64Array, n: number) => void, x: Float64Array, sizes: number[]): Float64Array {
  const out = new Float64Array(x.length);
  let pos = 0;
  let k = 0;
  while (pos < x.length) {
    const n = Math.min(sizes[k++ % sizes.length], x.length - pos);
    const o = new Float64Array(n);
    process(x.slice(pos, pos + n), o, n);
    out.set(o, pos);
    pos += n;
  }
  return out;
}

const valuesArb = fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 700 });
const sizesArb = fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 6 });

describe('SlidingMax (van Herk / Gil-Werman) equals the brute-force moving maximum', () => {
  it('for any window (1 to 300, across the 32-sample block size), history value and partition', () => {
    fc.assert(
      fc.property(valuesArb, fc.integer({ min: 1, max: 300 }), fc.double({ min: -20, max: 0, noNaN: true }), sizesArb, (values, w, initial, sizes) => {
        const x = Float64Array.from(values);
        const m = new SlidingMax(300, initial);
        m.setWindow(w);
        const out = stream((i, o, n) => m.process(i, o, n), x, sizes);
        for (let t = 0; t < x.length; t++) {
          let e = -Infinity;
          for (let j = t - w + 1; j <= t; j++) e = Math.max(e, j >= 0 ? x[j] : initial);
          if (out[t] !== e) throw new Error(`window ${w}, t ${t}: ${out[t]} vs ${e}`);
        }
      }),
      { numRuns: runs(200) },
    );
  });

  it('when the window changes mid-stream (also between short and long), and after reset()', () => {
    fc.assert(
      fc.property(valuesArb, fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 120 }), fc.integer({ min: 0, max: 700 }), (values, w1, w2, at) => {
        const x = Float64Array.from(values);
        const m = new SlidingMax(120);
        m.setWindow(w1);
        const cut = Math.min(at, x.length);
        const a = new Float64Array(cut);
        m.process(x.subarray(0, cut), a, cut);
        m.setWindow(w2);
        const b = new Float64Array(x.length - cut);
        m.process(x.subarray(cut), b, x.length - cut);
        for (let t = 0; t < x.length; t++) {
          const w = t < cut ? w1 : w2;
          let e = -Infinity;
          for (let j = t - w + 1; j <= t; j++) e = Math.max(e, j >= 0 ? x[j] : 0);
          const got = t < cut ? a[t] : b[t - cut];
          if (got !== e) throw new Error(`t ${t}: ${got} vs ${e}`);
        }
        m.reset();
        m.setWindow(w1);
        const again = new Float64Array(cut);
        m.process(x.subarray(0, cut), again, cut);
        expect(again).toEqual(a);
      }),
      { numRuns: runs(200) },
    );
  });

  it('keeps going exactly across the wrap of its 2^30 time counter', () => {
    const m = new SlidingMax(100);
    m.setWindow(77);
    const x = Float64Array.from({ length: 5000 }, (_, i) => Math.sin(i * 0.37) + Math.sin(i * 0.011));
    // Jump the counter to just before the wrap (internal state: [time, window, …]).
    const st = (m as unknown as { st: Int32Array }).st;
    st[0] = 2 ** 30 - 1000 + 0; // a block-aligned position
    st[0] -= st[0] % 32;
    const out = new Float64Array(5000);
    m.process(x, out, 5000);
    for (let t = 200; t < 5000; t++) {
      let e = -Infinity;
      for (let j = t - 76; j <= t; j++) e = Math.max(e, x[j]);
      expect(out[t]).toBe(e);
    }
  });
});

describe('ExactMovingSum and MovingAverage', () => {
  it('ExactMovingSum is exact for integers, in any partition', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 28 }), { minLength: 1, maxLength: 500 }), fc.integer({ min: 1, max: 64 }), sizesArb, (values, len, sizes) => {
        const x = Float64Array.from(values);
        const s = new ExactMovingSum(len, 5);
        const out = stream((i, o, n) => s.process(i, o, n), x, sizes);
        for (let t = 0; t < x.length; t++) {
          let e = 0;
          for (let j = t - len + 1; j <= t; j++) e += j >= 0 ? x[j] : 5;
          if (out[t] !== e) throw new Error(`t ${t}: ${out[t]} vs ${e}`);
        }
      }),
      { numRuns: runs(100) },
    );
  });

  it('MovingAverage matches the direct mean within 1e-12 (relative to the window energy), in any partition', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 4, noNaN: true }), { minLength: 1, maxLength: 800 }), fc.integer({ min: 1, max: 100 }), sizesArb, (values, w, sizes) => {
        const x = Float64Array.from(values);
        const a = new MovingAverage(100);
        a.setWindow(w);
        const out = stream((i, o, n) => a.process(i, o, n), x, sizes);
        for (let t = 0; t < x.length; t++) {
          let e = 0;
          for (let j = t - w + 1; j <= t; j++) e += j >= 0 ? x[j] : 0;
          e /= w;
          if (!(Math.abs(out[t] - e) <= 1e-12 * Math.max(1, e))) throw new Error(`t ${t}: ${out[t]} vs ${e}`);
        }
      }),
      { numRuns: runs(100) },
    );
  });
});
