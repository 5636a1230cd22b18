/**
 * Chorus: identity at mix 0, a pure delay at depth 0, the LFO's rate, depth and stereo phase read
 * back from a ramp input, bounded output with feedback at its maximum, smooth voice and spread
 * changes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Chorus, type ChorusOptions } from '../../src/modulation/chorus.js';
import { cutsFromSizes, render } from '../support/conformance.js';
import { identical, noise, runs, sine } from '../support/signals.js';

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
  it('mix 0 passes the input bit-exactly, whatever the other settings', () => {
    const x = [noise(9600, 3, 0.7), noise(9600, 4, 0.7)];
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

  it('output stays bounded with feedback up to ±0.95, any voices, rates and depths (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.record({
          voices: fc.integer({ min: 1, max: 8 }),
          rateHz: fc.double({ min: 0.01, max: 20, noNaN: true }),
          baseDelayMs: fc.double({ min: 1, max: 40, noNaN: true }),
          depthFraction: fc.double({ min: 0, max: 1, noNaN: true }),
          feedback: fc.constantFrom(0.95, -0.95, 0.9, -0.5),
          mix: fc.double({ min: 0, max: 1, noNaN: true }),
          spread: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        fc.integer({ min: 1, max: 1000 }),
        ({ depthFraction, ...o }, seed) => {
          const depthMs = Math.min(10, (o.baseDelayMs - 0.5) * depthFraction);
          const x = noise(12000, seed, 1);
          // A resonant part too: a sine at the comb's first peak.
          const f0 = 1000 / o.baseDelayMs;
          for (let i = 0; i < x.length; i++) x[i] = 0.5 * x[i] + 0.5 * Math.sin((2 * Math.PI * f0 * i) / FS);
          const [y] = run({ ...o, depthMs }, [x]);
          // Linear analysis: the loop gain is at most |feedback| (the interpolator's gain is ≤ 1
          // at every frequency), so the line stays within 1/(1 − |fb|) of the input's peak, and
          // a voice read within 1.25× the line (the Hermite kernel's ℓ1 norm).
          const bound = (1 - o.mix) * 1 + o.mix * (1.25 / (1 - Math.abs(o.feedback)));
          for (const v of y) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
        },
      ),
      { numRuns: runs(15) },
    );
  });

  it('a clamp bounds the line for any input, even +60 dBFS with full feedback', () => {
    const x = noise(24000, 9, 1000);
    const [y] = run({ feedback: 0.95, mix: 1, voices: 1, depthMs: 0, baseDelayMs: 5 }, [x]);
    for (const v of y) expect(Math.abs(v)).toBeLessThanOrEqual(1.25 * 64);
  });

  it('changing the number of voices and the spread glides: no step beyond the steady signal\'s own', () => {
    const x = sine(48000, 220, FS, 0.5);
    const maxStep = (y: Float32Array, from: number, to: number) => {
      let m = 0;
      for (let i = from + 1; i < to; i++) m = Math.max(m, Math.abs(y[i] - y[i - 1]));
      return m;
    };
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
