/** The streaming window operators against brute force, for any window, partition and history. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FloorSlidingMax, MovingAverage } from '../../src/dynamics/windows.js';
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

/** Inputs at the floor −1 most of the time, with runs of values above it (like the limiter's −r). */
const floorValuesArb = fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.double({ min: -1, max: 0, noNaN: true }) }), {
  minLength: 1,
  maxLength: 700,
});

function bruteMax(x: Float64Array, t: number, w: number, before: number): number {
  let e = -Infinity;
  for (let j = t - w + 1; j <= t; j++) e = Math.max(e, j >= 0 ? x[j] : before);
  return e;
}

describe('FloorSlidingMax equals the brute-force moving maximum', () => {
  it('for any window and any partition, inputs mostly at the floor', () => {
    fc.assert(
      fc.property(floorValuesArb, fc.integer({ min: 1, max: 300 }), sizesArb, (values, w, sizes) => {
        const x = Float64Array.from(values);
        const m = new FloorSlidingMax(300, -1);
        m.setWindow(w);
        const out = stream((i, o, n) => m.process(i, o, n), x, sizes);
        for (let t = 0; t < x.length; t++) {
          const e = bruteMax(x, t, w, -1);
          if (out[t] !== e) throw new Error(`window ${w}, t ${t}: ${out[t]} vs ${e}`);
        }
      }),
      { numRuns: runs(200) },
    );
  });

  it('when the window changes mid-stream, after reset(), and with dense input above the floor', () => {
    fc.assert(
      fc.property(valuesArb, fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 120 }), fc.integer({ min: 0, max: 700 }), (values, w1, w2, at) => {
        // Shifted so every value is above the floor −11: the deque holds everything.
        const x = Float64Array.from(values);
        const m = new FloorSlidingMax(120, -11);
        m.setWindow(w1);
        const cut = Math.min(at, x.length);
        const a = new Float64Array(cut);
        m.process(x.subarray(0, cut), a, cut);
        m.setWindow(w2);
        const b = new Float64Array(x.length - cut);
        m.process(x.subarray(cut), b, x.length - cut);
        for (let t = 0; t < x.length; t++) {
          // A window that grows mid-stream cannot bring back values the shorter one already dropped:
          // compare against the shorter of the two windows across the change.
          const w = t < cut ? w1 : t - cut + 1 < w2 && w2 > w1 ? Math.min(w2, w1 + (t - cut) + 1) : w2;
          const got = t < cut ? a[t] : b[t - cut];
          const e = bruteMax(x, t, w, -11);
          if (got !== e) throw new Error(`t ${t} (w ${w}): ${got} vs ${e}`);
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
    const m = new FloorSlidingMax(100, -1);
    m.setWindow(77);
    const x = Float64Array.from({ length: 5000 }, (_, i) => (i % 9 < 3 ? -1 : Math.max(-1, Math.min(0, Math.sin(i * 0.37) - 0.5))));
    // Jump the counter to just before the wrap (internal state: [head, size, time, window]).
    (m as unknown as { st: Int32Array }).st[2] = 2 ** 30 - 1000;
    const out = new Float64Array(5000);
    m.process(x, out, 5000);
    for (let t = 0; t < 5000; t++) expect(out[t]).toBe(bruteMax(x, t, 77, -1));
  });
});

describe('MovingAverage', () => {
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
