/**
 * StereoWidener: the processor contract, identity, mono, mid preservation, bass mono (correlation
 * +1 below the crossover, flat summed response) and the read-outs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StereoWidener, type StereoWidenerOptions } from '../../src/stereo/stereo-widener.js';
import { cutsFromSizes, describeProcessor, render } from '../support/conformance.js';
import { firstDifference, identical, multiChannel, noise, runs, sine } from '../support/signals.js';

const FS = 48000;

describeProcessor<StereoWidener>({
  name: 'StereoWidener',
  create: () => new StereoWidener({ width: 1.4, bassMonoHz: 120 }),
  channels: [2],
  automation: [
    { at: 300, apply: (p) => p.set({ width: 0.3, sideGainDb: 3 }) },
    { at: 900, apply: (p) => p.set({ bassMonoHz: 0, midGainDb: -2 }) },
    { at: 1500, apply: (p) => p.set({ width: 2, smoothingMs: 5 }) },
    { at: 2200, apply: (p) => p.set({ bassMonoHz: 250 }) },
    { at: 3000, apply: (p) => p.set({ width: 1, midGainDb: 0, sideGainDb: 0, bassMonoHz: 0 }) },
  ],
  ramp: (p) => {
    const on = p.params.bassMonoHz === 0;
    p.set({ smoothingMs: 1000, width: on ? 0.2 : 1.8, bassMonoHz: on ? 150 : 0 });
  },
  readings: (p) => [p.correlation, p.balance],
  // The crossover filters' tails decay (to 7e-12 after 50 ms here), not to exact zeros.
  silence: { exact: true, tailSeconds: 0.05, level: 1e-6 },
  badParams: [
    { label: 'width 2.5', call: (p) => p.set({ width: 2.5 }), error: RangeError, message: /StereoWidener\.width must be in \[0, 2\], got 2\.5/ },
    { label: 'NaN width', call: (p) => p.set({ width: NaN }), error: RangeError, message: /width/ },
    { label: 'mid gain +30 dB', call: (p) => p.set({ midGainDb: 30 }), error: RangeError, message: /midGainDb/ },
    { label: 'bass mono at 1 kHz', call: (p) => p.set({ bassMonoHz: 1000 }), error: RangeError, message: /bassMonoHz must be in \[0, 500\] Hz/ },
    { label: 'a typo', call: (p) => p.set({ widht: 1 } as never), error: TypeError, message: /unknown option "widht"/ },
  ],
});

function run(p: StereoWidener, x: Float32Array[], block = 128): Float32Array[] {
  return render(p, x, cutsFromSizes([block], x[0].length));
}

function prepared(opts: Partial<StereoWidenerOptions>): StereoWidener {
  const p = new StereoWidener(opts);
  p.prepare({ sampleRate: FS, maxBlockSize: 256, channels: 2 });
  return p;
}

describe('StereoWidener: width and gains', () => {
  it('width 1 without bass mono is a bit-exact identity (fast-check partitions)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.array(fc.integer({ min: 1, max: 256 }), { minLength: 1, maxLength: 8 }), (seed, sizes) => {
        const x = multiChannel(2, 3000, seed);
        const y = render(prepared({}), x, cutsFromSizes(sizes, 3000));
        expect(identical(y, x), firstDifference(y, x)).toBe(true);
      }),
      { numRuns: runs(30) },
    );
  });

  it('width 0 gives L = R = (L + R)/2', () => {
    const x = multiChannel(2, 4096, 3);
    const y = run(prepared({ width: 0 }), x);
    for (let i = 0; i < 4096; i++) {
      expect(y[0][i]).toBe(y[1][i]);
      expect(y[0][i]).toBe(Math.fround((x[0][i] + x[1][i]) / 2));
    }
  });

  it('the mid signal is unchanged by any width and side gain (fast-check)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 2, noNaN: true }), fc.double({ min: -24, max: 24, noNaN: true }), fc.integer({ min: 1, max: 1000 }), (width, sideGainDb, seed) => {
        const x = multiChannel(2, 2048, seed);
        const y = run(prepared({ width, sideGainDb }), x);
        for (let i = 0; i < 2048; i++) {
          const before = (x[0][i] + x[1][i]) / 2;
          const after = (y[0][i] + y[1][i]) / 2;
          if (!(Math.abs(after - before) <= 1e-6)) throw new Error(`sample ${i}: mid ${after} vs ${before}`);
        }
      }),
      { numRuns: runs(50) },
    );
  });

  it('width and gains scale side and mid exactly as the matrix says', () => {
    const x = multiChannel(2, 2048, 9);
    const y = run(prepared({ width: 1.5, midGainDb: -6, sideGainDb: 3 }), x);
    const gm = 10 ** (-6 / 20);
    const gs = 1.5 * 10 ** (3 / 20);
    for (let i = 0; i < 2048; i++) {
      const m = (x[0][i] + x[1][i]) / 2;
      const s = (x[0][i] - x[1][i]) / 2;
      expect(Math.abs(y[0][i] - (gm * m + gs * s))).toBeLessThan(1e-6);
      expect(Math.abs(y[1][i] - (gm * m - gs * s))).toBeLessThan(1e-6);
    }
  });

  it('output is bounded for any settings: |out| ≤ (g_m + g_s)·max|in| (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.record({
          width: fc.double({ min: 0, max: 2, noNaN: true }),
          midGainDb: fc.double({ min: -24, max: 24, noNaN: true }),
          sideGainDb: fc.double({ min: -24, max: 24, noNaN: true }),
          bassMonoHz: fc.oneof(fc.constant(0), fc.double({ min: 20, max: 500, noNaN: true })),
        }),
        fc.integer({ min: 1, max: 1000 }),
        (opts, seed) => {
          const x = [noise(4000, seed, 1), noise(4000, seed + 1, 1)];
          const y = run(prepared(opts), x);
          // The LR4 filters can overshoot a little on noise; 2× covers it with room.
          const bound = 2 * (10 ** (opts.midGainDb / 20) + opts.width * 10 ** (opts.sideGainDb / 20));
          for (const ch of y) for (const v of ch) if (!(Math.abs(v) <= bound)) throw new Error(`${v} > ${bound}`);
        },
      ),
      { numRuns: runs(40) },
    );
  });
});

/** Correlation of two arrays over [from, to). */
function correlation(a: Float32Array, b: Float32Array, from: number, to: number): number {
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

describe('StereoWidener: bass mono', () => {
  it('content below the crossover ends with correlation +1; content above keeps its image', () => {
    // 50 Hz in quadrature (correlation 0) and 3 kHz in opposite phase (correlation −1).
    const n = 48000;
    const l = sine(n, 50, FS, 0.5);
    const r = sine(n, 50, FS, 0.5, Math.PI / 2);
    const y = run(prepared({ bassMonoHz: 150 }), [l, r]);
    expect(correlation(l, r, 24000, n)).toBeCloseTo(0, 2);
    expect(correlation(y[0], y[1], 24000, n)).toBeGreaterThan(0.999);
    const hl = sine(n, 3000, FS, 0.5);
    const hr = sine(n, 3000, FS, -0.5);
    const z = run(prepared({ bassMonoHz: 150 }), [hl, hr]);
    expect(correlation(z[0], z[1], 24000, n)).toBeLessThan(-0.999);
  });

  it('the summed response L + R stays flat within 0.1 dB (an LR4 pair sums to an all-pass)', () => {
    for (const f of [40, 120, 250, 500]) {
      const n = 16384;
      const l = new Float32Array(n);
      l[0] = 1;
      const r = new Float32Array(n);
      const y = run(prepared({ bassMonoHz: f, width: 1.5 }), [l, r]);
      const sum = y[0].map((v, i) => v + y[1][i]);
      // |H| of the impulse response at 20 Hz … 20 kHz (a direct DFT, independent of the code).
      for (let k = 0; k < 40; k++) {
        const hz = 20 * Math.pow(1000, k / 39);
        let re = 0;
        let im = 0;
        for (let i = 0; i < n; i++) {
          re += sum[i] * Math.cos((2 * Math.PI * hz * i) / FS);
          im -= sum[i] * Math.sin((2 * Math.PI * hz * i) / FS);
        }
        const db = 20 * Math.log10(Math.hypot(re, im));
        expect(Math.abs(db), `crossover ${f} Hz, ${hz.toFixed(0)} Hz: ${db} dB`).toBeLessThan(0.1);
      }
    }
  });

  it('phase-coherent: a left-only signal keeps a smooth left response, −6 dB below the crossover to 0 dB above, no comb', () => {
    const n = 16384;
    const l = new Float32Array(n);
    l[0] = 1;
    const y = run(prepared({ bassMonoHz: 150 }), [l, new Float32Array(n)]);
    for (let k = 0; k < 60; k++) {
      const hz = 20 * Math.pow(1000, k / 59);
      let re = 0;
      let im = 0;
      for (let i = 0; i < n; i++) {
        re += y[0][i] * Math.cos((2 * Math.PI * hz * i) / FS);
        im -= y[0][i] * Math.sin((2 * Math.PI * hz * i) / FS);
      }
      const db = 20 * Math.log10(Math.hypot(re, im));
      // LR4 low and high outputs are in phase: |LP/2 + HP| lies between −6.02 and 0 dB.
      expect(db, `${hz.toFixed(0)} Hz`).toBeGreaterThan(-6.03);
      expect(db, `${hz.toFixed(0)} Hz`).toBeLessThan(0.01);
    }
  });

  it('switching bass mono on cross-fades: no sample step larger than the signal allows', () => {
    const n = 9600;
    const l = sine(n, 60, FS, 0.8);
    const r = sine(n, 60, FS, 0.8, Math.PI / 2);
    const p = prepared({});
    const y = [l.slice(), r.slice()];
    p.process([y[0].subarray(0, 4800), y[1].subarray(0, 4800)]);
    p.set({ bassMonoHz: 200 });
    p.process([y[0].subarray(4800), y[1].subarray(4800)]);
    let worst = 0;
    for (let i = 1; i < n; i++) worst = Math.max(worst, Math.abs(y[0][i] - y[0][i - 1]), Math.abs(y[1][i] - y[1][i - 1]));
    // A 60 Hz sine of 0.8 moves at most 2π·60/48000·0.8 = 0.0063 per sample; a click would be far more.
    expect(worst).toBeLessThan(0.013);
  });
});

describe('StereoWidener: read-outs', () => {
  const n = 48000;
  const x = noise(n, 4, 0.5);
  const cases: [string, Float32Array, Float32Array, number, number][] = [
    ['identical channels', x, x, 1, 0],
    ['opposite channels', x, x.map((v) => -v), -1, 0],
    ['left only', x, new Float32Array(n), 0, -1],
    ['right only', new Float32Array(n), x, 0, 1],
  ];
  for (const [label, l, r, corr, bal] of cases) {
    it(`${label}: correlation ${corr}, balance ${bal}`, () => {
      const p = prepared({});
      run(p, [l.slice(), r.slice()]);
      expect(p.correlation).toBeCloseTo(corr, 6);
      expect(p.balance).toBeCloseTo(bal, 6);
    });
  }

  it('uncorrelated noise reads near 0, and reset() clears the read-outs', () => {
    const p = prepared({});
    run(p, [noise(n, 1, 0.5), noise(n, 2, 0.5)]);
    expect(Math.abs(p.correlation)).toBeLessThan(0.05);
    p.reset();
    expect(p.correlation).toBe(0);
    expect(p.balance).toBe(0);
  });
});
