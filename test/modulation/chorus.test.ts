/**
 * Chorus: identity at mix 0, a pure delay at depth 0, the LFO's rate, depth and stereo phase read
 * back from a ramp input, bounded output with feedback at its maximum, smooth voice and spread
 * changes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Chorus, type ChorusOptions } from '../../src/modulation/chorus.js';
import { cutsFromSizes, render } from '../support/conformance.js';
import { identical, maxStep, noise, runs, sine } from '../support/signals.js';

const FS = 48000;

function run(opts: Partial<ChorusOptions>, input: Float32Array[], block = 128): Float32Array[] {
  const ch = new Chorus(opts);
  ch.prepare({ sampleRate: FS, maxBlockSize: block, channels: input.length });
  return render(ch, input, cutsFromSizes([block], input[0].length));
}

/**
 * A ramp input x[n] = ε·n read back through the delay line gives y[n] = ε·(n − D(n)): the delay
 * trajectory D(n) itself (cubic Hermite interpolation is exact on straight lines).
 */
function delayTrajectory(opts: Partial<ChorusOptions>, channels: number, seconds: number): Float64Array[] {
  const n = Math.round(seconds * FS);
  const eps = 1 / n;
  const ramp = new Float32Array(n);
  for (let i = 0; i < n; i++) ramp[i] = eps * i;
  const out = run({ voices: 1, feedback: 0, mix: 1, ...opts }, Array.from({ length: channels }, () => ramp.slice()));
  return out.map((y) => {
    const d = new Float64Array(n);
    // ε·n in float32 carries about 1e-7 relative error: D to about 0.01 samples.
    for (let i = 0; i < n; i++) d[i] = i - y[i] / eps;
    return d;
  });
}

/**
 * Upward zero crossings of d − centre (linear interpolation), from sample `from`, with hysteresis:
 * a crossing counts only after the signal has been below −`arm` (the read-back carries ~0.04
 * samples of float32 noise, which would otherwise cross many times at slow rates).
 */
function crossings(d: Float64Array, centre: number, from: number, arm = 10): number[] {
  const t: number[] = [];
  let armed = false;
  for (let i = from + 1; i < d.length; i++) {
    const a = d[i - 1] - centre;
    const b = d[i] - centre;
    if (b < -arm) armed = true;
    if (armed && a < 0 && b >= 0) {
      t.push(i - 1 + a / (a - b));
      armed = false;
    }
  }
  return t;
}

describe('Chorus', () => {
  it('mix 0 passes the input bit-exactly, whatever the other settings (−0 and ±Infinity too)', () => {
    const x = [noise(9600, 3, 0.7), noise(9600, 4, 0.7)];
    x[0][100] = -0;
    x[0][200] = Infinity;
    x[1][300] = -Infinity;
    for (const opts of [{}, { voices: 8, feedback: 0.95, rateHz: 9, depthMs: 10, baseDelayMs: 40 }, { voices: 1, feedback: -0.95, spread: 1 }]) {
      const y = run({ ...opts, mix: 0 }, x.map((c) => c.slice()));
      expect(identical(y, x)).toBe(true);
    }
  });

  it('depth 0 is a pure delay by the base delay: exact for a whole number of samples', () => {
    const x = noise(9600, 5, 0.8);
    const [y] = run({ voices: 3, depthMs: 0, baseDelayMs: 10, mix: 1, feedback: 0 }, [x.slice()]);
    const d = 480;
    let err = 0;
    for (let i = d; i < x.length; i++) err = Math.max(err, Math.abs(y[i] - x[i - d]));
    // Three voices of 1/3 each: only the rounding of their sum.
    expect(err).toBeLessThan(1e-6);
  });

  it('depth 0 with a fractional delay matches the exact delayed sine within the cubic interpolator\'s error', () => {
    for (const [hz, bound] of [
      [200, 2e-6],
      [1000, 2e-4],
      [4000, 1e-2],
    ] as const) {
      const x = sine(9600, hz, FS, 0.5);
      const baseDelayMs = 10.0104; // 480.4992 samples
      const [y] = run({ voices: 2, depthMs: 0, baseDelayMs, mix: 1, feedback: 0 }, [x.slice()]);
      const D = (baseDelayMs * FS) / 1000;
      let err = 0;
      for (let i = 1000; i < x.length; i++) err = Math.max(err, Math.abs(y[i] - 0.5 * Math.sin((2 * Math.PI * hz * (i - D)) / FS)));
      expect(err, `${hz} Hz`).toBeLessThan(bound);
      expect(err, `${hz} Hz`).toBeGreaterThan(0);
    }
  });

  it('the LFO rate measured from the delay trajectory matches the set rate within 1 %, and the depth within 1 %', () => {
    for (const rateHz of [0.3, 1, 5, 13]) {
      const seconds = Math.max(2, 4 / rateHz);
      const [d] = delayTrajectory({ rateHz, depthMs: 3, baseDelayMs: 10 }, 1, seconds);
      const centre = (10 * FS) / 1000;
      const t = crossings(d, centre, 2000);
      expect(t.length).toBeGreaterThanOrEqual(2);
      const period = (t[t.length - 1] - t[0]) / (t.length - 1);
      const measured = FS / period;
      expect(Math.abs(measured / rateHz - 1), `${rateHz} Hz: measured ${measured}`).toBeLessThan(0.01);
      let hi = -Infinity;
      let lo = Infinity;
      for (let i = 2000; i < d.length; i++) {
        hi = Math.max(hi, d[i]);
        lo = Math.min(lo, d[i]);
      }
      const depth = (3 * FS) / 1000;
      expect(Math.abs((hi - centre) / depth - 1), `${rateHz} Hz: peak ${hi - centre}`).toBeLessThan(0.01);
      expect(Math.abs((centre - lo) / depth - 1), `${rateHz} Hz: trough ${centre - lo}`).toBeLessThan(0.01);
    }
  });

  it('spread sets the LFO phase between the channels: 0 → in phase, 1 → opposite, 0.5 → a quarter period', () => {
    const centre = (10 * FS) / 1000;
    for (const [spread, lagFraction] of [
      [0, 0],
      [1, 0.5],
      [0.5, 0.25],
    ] as const) {
      const [l, r] = delayTrajectory({ rateHz: 2, depthMs: 3, baseDelayMs: 10, spread }, 2, 2);
      const tl = crossings(l, centre, 2000);
      const tr = crossings(r, centre, 2000);
      const period = FS / 2;
      // How far the right channel's crossing lags the left one's, as a fraction of a period.
      let lag = (((tl[0] - tr[0]) / period) % 1 + 1) % 1;
      if (lag > 0.99) lag -= 1;
      expect(Math.abs(lag - lagFraction), `spread ${spread}: lag ${lag}`).toBeLessThan(0.005);
    }
  });

  it('the Hermite kernel\'s ℓ1 norm, the basis of the bounds below, is at most 1.25 (at half a sample)', () => {
    // Read a unit impulse at every fraction: the four weights are the outputs around it.
    let worst = 0;
    for (let f = 0; f <= 100; f++) {
      const d = 480 + f / 100;
      const x = new Float32Array(1200);
      x[100] = 1;
      const [y] = run({ voices: 1, depthMs: 0, baseDelayMs: (d * 1000) / FS, mix: 1, feedback: 0 }, [x]);
      let l1 = 0;
      for (const v of y) l1 += Math.abs(v);
      worst = Math.max(worst, l1);
    }
    expect(worst).toBeLessThanOrEqual(1.25 + 1e-6);
    expect(worst).toBeGreaterThan(1.249);
  });

  const settings = (feedback: fc.Arbitrary<number>) =>
    fc.record({
      voices: fc.integer({ min: 1, max: 8 }),
      rateHz: fc.double({ min: 0.01, max: 20, noNaN: true }),
      baseDelayMs: fc.double({ min: 1, max: 40, noNaN: true }),
      depthFraction: fc.double({ min: 0, max: 1, noNaN: true }),
      feedback,
      mix: fc.double({ min: 0, max: 1, noNaN: true }),
      spread: fc.double({ min: 0, max: 1, noNaN: true }),
    });
  /** Noise plus a sine at the comb's first peak, and full-scale alternating clicks: hard cases. */
  const hardInput = (seed: number, baseDelayMs: number) => {
    const x = noise(12000, seed, 1);
    const f0 = 1000 / baseDelayMs;
    for (let i = 0; i < x.length; i++) x[i] = 0.5 * x[i] + 0.5 * Math.sin((2 * Math.PI * f0 * i) / FS);
    for (let i = 500; i < x.length; i += 97) x[i] = i % 2 ? 1 : -1;
    return x;
  };

  it('for |feedback| < 0.8 the output stays within (1 − mix) + mix·1.25/(1 − 1.25·|feedback|) of the input\'s peak (fast-check)', () => {
    fc.assert(
      fc.property(settings(fc.double({ min: -0.79, max: 0.79, noNaN: true })), fc.integer({ min: 1, max: 1000 }), ({ depthFraction, ...o }, seed) => {
        const depthMs = Math.min(10, (o.baseDelayMs - 0.5) * depthFraction);
        const [y] = run({ ...o, depthMs }, [hardInput(seed, o.baseDelayMs)]);
        // |line| ≤ 1 + 1.25·|fb|·max|line|, and a voice reads at most 1.25·max|line|.
        const bound = 1 - o.mix + (o.mix * 1.25) / (1 - 1.25 * Math.abs(o.feedback));
        for (const v of y) expect(Math.abs(v)).toBeLessThanOrEqual(bound * (1 + 1e-6));
      }),
      { numRuns: runs(15) },
    );
  });

  it('with feedback up to ±0.95 the output stays finite and within the clamp\'s bound (1 − mix) + mix·1.25·64 (fast-check)', () => {
    fc.assert(
      fc.property(settings(fc.constantFrom(0.95, -0.95, 0.9, -0.85)), fc.integer({ min: 1, max: 1000 }), ({ depthFraction, ...o }, seed) => {
        const depthMs = Math.min(10, (o.baseDelayMs - 0.5) * depthFraction);
        const [y] = run({ ...o, depthMs }, [hardInput(seed, o.baseDelayMs)]);
        const bound = 1 - o.mix + o.mix * 1.25 * 64;
        for (const v of y) {
          expect(Number.isFinite(v)).toBe(true);
          expect(Math.abs(v)).toBeLessThanOrEqual(bound);
        }
      }),
      { numRuns: runs(10) },
    );
  });

  it('changing the number of voices and the spread glides: no step beyond the steady signal\'s own', () => {
    const x = sine(48000, 220, FS, 0.5);
    const ch = new Chorus({ voices: 2, mix: 0.5, depthMs: 4 });
    ch.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    const out = render(ch, [x.slice(), x.slice()], cutsFromSizes([128], x.length), [
      { at: 12000, apply: (p) => p.set({ voices: 7 }) },
      { at: 24000, apply: (p) => p.set({ spread: 0 }) },
      { at: 36000, apply: (p) => p.set({ voices: 1, spread: 1 }) },
    ]);
    // The input's own largest step, scaled by the largest sum of gains (dry + wet ≤ 1 + 1.25).
    const bound = maxStep(x, 0, x.length) * 1.25 * 1.05;
    for (const y of out) expect(maxStep(y, 4000, y.length)).toBeLessThanOrEqual(bound);
  });

  it('runs channels beyond the block\'s arrays on silence and leaves fewer arrays alone', () => {
    const ch = new Chorus();
    ch.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    const mono = [noise(1024, 2, 0.5)];
    expect(() => ch.process(mono)).not.toThrow();
    for (const v of mono[0]) expect(Number.isFinite(v)).toBe(true);
  });
});
