/**
 * Phaser against independent math: notch frequencies at a frozen LFO from the analytic phase of
 * the bilinear first-order all-pass cascade (solved numerically here), a direct per-sample
 * reference of the documented equations (LFO, sweep, stereo phase, feedback), no zipper noise
 * while sweeping, stability at any feedback in range.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Phaser, type PhaserOptions } from '../../src/modulation/phaser.js';
import { cutsFromSizes, render } from '../support/conformance.js';
import { countSubnormalState, countSubnormals } from '../support/denormal.js';
import { identical, maxAbsDiff, maxStep, noise, runs, sine } from '../support/signals.js';

const FS = 48000;

function run(opts: Partial<PhaserOptions>, input: Float32Array[], block = 128): Float32Array[] {
  const p = new Phaser(opts);
  p.prepare({ sampleRate: FS, maxBlockSize: block, channels: input.length });
  return render(p, input.map((c) => c.slice()), cutsFromSizes([block], input[0].length));
}

/** Phase of the bilinear first-order all-pass (1 − s/ω_b)/(1 + s/ω_b) at ω (rad/sample): −2·atan(tan(ω/2)/tan(ω_b/2)). */
const stagePhase = (w: number, wb: number) => -2 * Math.atan(Math.tan(w / 2) / Math.tan(wb / 2));

/** Notches of N stages at break frequency fb: ω where N·φ(ω) = −(2k + 1)π, by bisection (φ falls monotonically). */
function predictedNotches(N: number, fb: number): number[] {
  const wb = (2 * Math.PI * fb) / FS;
  const out: number[] = [];
  for (let k = 0; 2 * k + 1 < N; k++) {
    const target = -(2 * k + 1) * Math.PI;
    let lo = 1e-9;
    let hi = Math.PI - 1e-9;
    for (let it = 0; it < 200; it++) {
      const mid = (lo + hi) / 2;
      if (N * stagePhase(mid, wb) > target) lo = mid;
      else hi = mid;
    }
    out.push(((lo + hi) / 2) * (FS / (2 * Math.PI)));
  }
  return out;
}

/** |H(f)| of an impulse response by direct evaluation of its DTFT. */
function magnitude(h: Float32Array, f: number): number {
  const w = (2 * Math.PI * f) / FS;
  const c = Math.cos(w);
  const s = Math.sin(w);
  let re = 0;
  let im = 0;
  let cr = 1;
  let ci = 0;
  for (let n = 0; n < h.length; n++) {
    re += h[n] * cr;
    im -= h[n] * ci;
    const t = cr * c - ci * s;
    ci = ci * c + cr * s;
    cr = t;
  }
  return Math.hypot(re, im);
}

/** The frequency of least |H| within [lo, hi] (golden-section search). */
function minimumBetween(h: Float32Array, lo: number, hi: number): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let x1 = b - g * (b - a);
  let x2 = a + g * (b - a);
  let f1 = magnitude(h, x1);
  let f2 = magnitude(h, x2);
  for (let i = 0; i < 40; i++) {
    if (f1 < f2) {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - g * (b - a);
      f1 = magnitude(h, x1);
    } else {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + g * (b - a);
      f2 = magnitude(h, x2);
    }
  }
  return (a + b) / 2;
}

/**
 * The documented equations, sample by sample, with the coefficient computed exactly at every
 * sample (`hold` > 1 instead holds it for `hold` samples: the zipper-prone way).
 */
function reference(o: PhaserOptions, x: Float32Array[], hold = 1): Float32Array[] {
  const C = x.length;
  return x.map((xc, c) => {
    const y = new Float32Array(xc.length);
    const s = new Float64Array(o.stages);
    let wp = 0;
    let a = 0;
    for (let n = 0; n < xc.length; n++) {
      if (n % hold === 0) {
        let q = (o.rateHz * n) / FS + (C > 1 ? ((o.stereoPhaseDeg / 360) * c) / (C - 1) : 0);
        q -= Math.floor(q);
        const lfo = o.lfoShape === 'sine' ? Math.sin(2 * Math.PI * q) : q < 0.25 ? 4 * q : q < 0.75 ? 2 - 4 * q : 4 * q - 4;
        const f = Math.min(0.45 * FS, Math.max(10, o.centerHz * 2 ** ((o.depth * o.sweepOctaves * lfo) / 2)));
        const t = Math.tan((Math.PI * f) / FS);
        a = (t - 1) / (t + 1);
      }
      const u = xc[n] + o.feedback * wp;
      let v = u;
      for (let k = 0; k < o.stages; k++) {
        const w = a * v + s[k];
        s[k] = v - a * w;
        v = w;
      }
      wp = v;
      y[n] = xc[n] + o.mix * (0.5 * (u + v) - xc[n]);
    }
    return y;
  });
}

describe('Phaser', () => {
  it('at a frozen LFO (depth 0) the notches lie where the analytic cascade phase is an odd multiple of π, within 1 %, at any feedback', () => {
    const cases: [number, number, number][] = [
      [2, 700, 0],
      [4, 300, 0.5],
      [8, 700, 0],
      [8, 1500, 0.9],
      [8, 700, -0.95],
      [12, 2500, -0.6],
      [24, 1000, 0.4],
      [24, 4000, 0],
    ];
    for (const [stages, centerHz, feedback] of cases) {
      const x = new Float32Array(16384);
      x[0] = 1;
      const [h] = run({ stages, centerHz, feedback, depth: 0, mix: 1 }, [x]);
      let peak = 0;
      for (let f = 20; f < 20000; f *= 1.05) peak = Math.max(peak, magnitude(h, f));
      const notches = predictedNotches(stages, centerHz).filter((f) => f > 30 && f < 20000);
      expect(notches.length).toBeGreaterThanOrEqual(Math.min(1, stages / 2));
      for (const f of notches) {
        const found = minimumBetween(h, f * 0.97, f * 1.03);
        expect(Math.abs(found / f - 1), `${stages} stages, ${centerHz} Hz, feedback ${feedback}: notch ${f} Hz found at ${found} Hz`).toBeLessThan(0.01);
        // A real notch: at least 60 dB below the response's peak.
        expect(magnitude(h, f) / peak, `${stages} stages, notch ${f} Hz depth`).toBeLessThan(1e-3);
      }
    }
  });

  it('the notches follow the closed form tan(ω/2) = tan(π·f_b/fs)·tan((2k + 1)π/(2N)) (the numeric solver is right)', () => {
    for (const [N, fb] of [[8, 700], [5, 2000], [24, 100]] as const) {
      const got = predictedNotches(N, fb);
      got.forEach((f, k) => {
        const w = 2 * Math.atan(Math.tan((Math.PI * fb) / FS) * Math.tan(((2 * k + 1) * Math.PI) / (2 * N)));
        expect(f).toBeCloseTo((w * FS) / (2 * Math.PI), 6);
      });
    }
  });

  const base: PhaserOptions = { stages: 8, centerHz: 700, sweepOctaves: 4, lfoShape: 'sine', rateHz: 2, syncNote: null, bpm: 120, depth: 1, feedback: 0.7, stereoPhaseDeg: 90, mix: 1, smoothingMs: 20 };

  it('sweeping: matches the direct per-sample reference (LFO shape, rate, sweep, stereo phase, feedback) within 1e-3', () => {
    for (const o of [
      base,
      { ...base, stages: 24, centerHz: 1200, sweepOctaves: 6, lfoShape: 'triangle', rateHz: 1, depth: 0.8, feedback: -0.9, stereoPhaseDeg: 180, mix: 0.6 },
      { ...base, stages: 3, centerHz: 300, sweepOctaves: 8, rateHz: 0.5, feedback: 0.95, stereoPhaseDeg: 0 },
      { ...base, stages: 13, lfoShape: 'triangle', rateHz: 0.05, stereoPhaseDeg: 45 },
    ] as PhaserOptions[]) {
      const x = [noise(24000, 3, 0.5), noise(24000, 4, 0.5)];
      const d = maxAbsDiff(run(o, x), reference(o, x));
      expect(d, `${o.stages} stages, ${o.lfoShape}`).toBeLessThan(1e-3);
    }
  });

  it('no zipper noise while sweeping: the largest sample-to-sample step is that of the per-sample reference (coefficients held per 1024 samples exceed it)', () => {
    for (const o of [
      base,
      { ...base, stages: 24, centerHz: 1200, sweepOctaves: 6, lfoShape: 'triangle', rateHz: 7, depth: 0.8, feedback: -0.9, stereoPhaseDeg: 180, mix: 0.6 },
      { ...base, sweepOctaves: 6, rateHz: 10 },
    ] as PhaserOptions[]) {
      const x = [sine(48000, 100, FS, 0.5), sine(48000, 100, FS, 0.5)];
      const y = run(o, x);
      const r = reference(o, x);
      const held = reference(o, x, 1024);
      for (let c = 0; c < 2; c++) {
        const bound = maxStep(r[c], 1000, 48000) * 1.01;
        expect(maxStep(y[c], 1000, 48000), `${o.stages} stages, channel ${c}`).toBeLessThanOrEqual(bound);
        expect(maxStep(held[c], 1000, 48000), `negative control, ${o.stages} stages`).toBeGreaterThan(bound);
      }
    }
  });

  it('is stable at any feedback in [−0.95, 0.95], any stage count and sweep: the tail decays (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.record({
          stages: fc.integer({ min: 2, max: 24 }),
          feedback: fc.oneof(fc.double({ min: -0.95, max: 0.95, noNaN: true }), fc.constantFrom(0.95, -0.95)),
          centerHz: fc.double({ min: 50, max: 5000, noNaN: true }),
          sweepOctaves: fc.double({ min: 0, max: 8, noNaN: true }),
          rateHz: fc.double({ min: 0.01, max: 20, noNaN: true }),
          depth: fc.double({ min: 0, max: 1, noNaN: true }),
          lfoShape: fc.constantFrom('sine' as const, 'triangle' as const),
        }),
        fc.integer({ min: 1, max: 1000 }),
        (o, seed) => {
          const n = 4800;
          const total = n + 48000;
          const x = [noise(total, seed, 1), noise(total, seed + 1, 1)];
          for (const c of x) c.fill(0, n);
          const y = run({ ...o, mix: 1 }, x);
          for (const c of y) {
            let early = 0;
            let late = 0;
            for (let i = n; i < n + 4800; i++) early = Math.max(early, Math.abs(c[i]));
            for (let i = total - 4800; i < total; i++) late = Math.max(late, Math.abs(c[i]));
            expect(Number.isFinite(early)).toBe(true);
            expect(late).toBeLessThanOrEqual(early + 1e-9);
          }
        },
      ),
      { numRuns: runs(10) },
    );
  });

  it('mix 0 passes the input bit-exactly', () => {
    const x = [noise(9600, 3, 0.7), noise(9600, 4, 0.7)];
    x[0][100] = -0;
    x[1][200] = Infinity;
    expect(identical(run({ mix: 0, feedback: 0.9 }, x), x)).toBe(true);
  });

  it('tempo sync: one LFO cycle per note value (a half note at 96 bpm is 0.8 Hz); rates outside [0.01, 20] Hz are rejected', () => {
    expect(new Phaser({ syncNote: '1/2', bpm: 96 }).effectiveRateHz).toBeCloseTo(0.8, 12);
    // The synced phaser equals the free one at the same rate, sample for sample.
    const x = [noise(9600, 5, 0.5)];
    expect(identical(run({ syncNote: '1/4', bpm: 120 }, x), run({ rateHz: 2 }, x))).toBe(true);
    expect(() => new Phaser({ syncNote: '1/64t', bpm: 400 })).toThrow(/Phaser\.syncNote "1\/64t" at 400 bpm is 160 Hz, outside the LFO's \[0\.01, 20\] Hz/);
  });

  it('changing the stage count cross-fades: no step beyond the steady signal\'s own', () => {
    const x = sine(48000, 220, FS, 0.5);
    const p = new Phaser({ stages: 4, depth: 0, feedback: 0.5 });
    p.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
    const y = render(p, [x.slice()], cutsFromSizes([128], x.length), [
      { at: 12000, apply: (q) => q.set({ stages: 16 }) },
      { at: 12300, apply: (q) => q.set({ stages: 2 }) }, // during the fade
      { at: 30000, apply: (q) => q.set({ stages: 24 }) },
    ])[0];
    // With depth 0 the response is fixed: a 220 Hz sine's step is at most 2π·220/fs times the
    // largest gain 1/(1 − 0.5) of the loop.
    const bound = ((2 * Math.PI * 220) / FS) * 0.5 * 2;
    expect(maxStep(y, 2000, y.length)).toBeLessThanOrEqual(bound);
    expect(new Phaser({ stages: 16 }).params.stages).toBe(16);
  });

  it('no subnormal numbers in its state or output after noise then silence, and exact zeros in the end (feedback ±0.95, 0.3, 1e-300)', () => {
    for (const feedback of [0.95, -0.95, 1e-300, 0.3]) {
      const p = new Phaser({ feedback, stages: 24, centerHz: 5000, sweepOctaves: 8 });
      p.prepare({ sampleRate: 8000, maxBlockSize: 128, channels: 2 });
      p.process([noise(4000, 3, 0.5), noise(4000, 5, 0.5)]);
      const s = [new Float32Array(100), new Float32Array(100)];
      let sub = 0;
      // 100 s of silence (strong feedback through 24 stages rings for long at −600 dB).
      for (let b = 0; b < 8000; b++) {
        s[0].fill(0);
        s[1].fill(0);
        p.process(s);
        sub += countSubnormals(s[0]) + countSubnormals(s[1]);
        if (b < 400 || b % 100 === 0) expect(countSubnormalState(p), `feedback ${feedback}, block ${b}`).toBe(0);
      }
      expect(sub).toBe(0);
      // The state has emptied to exact zeros: the flush cannot keep itself alive (no limit cycle).
      expect(s[0].every((v) => v === 0) && s[1].every((v) => v === 0), `feedback ${feedback}`).toBe(true);
      expect((p as unknown as { state: Float64Array }).state.every((v) => v === 0), `feedback ${feedback}: state`).toBe(true);
    }
  });
});
