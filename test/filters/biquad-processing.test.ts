/**
 * Time-domain behaviour of BiquadFilter: against a float64 reference loop written in the test,
 * fast-check properties (linearity, stability, identities, reset, channel independence),
 * click-free parameter changes and denormal / non-finite hygiene.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FILTER_TYPES, designFilter, type FilterType, type Rolloff } from '../../src/filters/biquad-coefficients.js';
import { BiquadFilter, type BiquadFilterOptions } from '../../src/filters/biquad-filter.js';
import { FILTER_DEFAULTS } from '../../src/filters/filter-stage.js';
import { referenceCascade } from '../support/analog.js';
import { render } from '../support/conformance.js';
import { clone, identical, maxAbsDiff, noise, runs, sine } from '../support/signals.js';

/** fast-check arbitrary for any valid filter at sample rate `fs`. */
function arbFilter(fs: number): fc.Arbitrary<Partial<BiquadFilterOptions>> {
  return fc.record({
    type: fc.constantFrom(...FILTER_TYPES),
    // log-uniform from 10 Hz to 0.49·fs
    frequencyHz: fc.double({ min: Math.log(10), max: Math.log(0.49 * fs), noNaN: true }).map(Math.exp),
    q: fc.double({ min: Math.log(0.05), max: Math.log(30), noNaN: true }).map(Math.exp),
    gainDb: fc.double({ min: -30, max: 30, noNaN: true }),
    shelfSlope: fc.double({ min: 0.05, max: 1, noNaN: true }),
    rolloffDbPerOctave: fc.constantFrom<Rolloff>(12, 24, 36, 48),
  });
}

function run(filter: BiquadFilter, input: readonly Float32Array[], block = 128): Float32Array[] {
  const cuts: number[] = [];
  for (let p = block; p < input[0].length; p += block) cuts.push(p);
  return render(filter, input, cuts);
}

function prepared(o: Partial<BiquadFilterOptions>, fs: number, channels: number, maxBlockSize = 128): BiquadFilter {
  const f = new BiquadFilter(o);
  f.prepare({ sampleRate: fs, maxBlockSize, channels });
  return f;
}

describe('BiquadFilter against a float64 reference loop', () => {
  it('matches a direct-form-I float64 cascade within 1e-6 of full scale, for every type', () => {
    const fs = 48000;
    for (const type of FILTER_TYPES) {
      for (const frequencyHz of [80, 1500, 15000]) {
        const o = { ...FILTER_DEFAULTS, type, frequencyHz, q: 1.3, gainDb: 8, shelfSlope: 0.8, rolloffDbPerOctave: 36 as Rolloff };
        const x = [noise(9600, 11, 0.5), noise(9600, 12, 0.5)];
        const y = run(prepared(o, fs, 2), x, 100);
        const sections = designFilter(o, fs);
        const ref = x.map((ch) => referenceCascade(sections, ch));
        expect(maxAbsDiff(y, ref), `${type} ${frequencyHz} Hz`).toBeLessThan(1e-6);
      }
    }
  });
});

describe('BiquadFilter properties (fast-check)', () => {
  it('is linear: f(a·x + b·y) = a·f(x) + b·f(y) within 1e-5', () => {
    fc.assert(
      fc.property(arbFilter(48000), fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), fc.integer({ min: 1, max: 1e6 }), (o, a, b, seed) => {
        const x = noise(2048, seed, 0.4);
        const y = noise(2048, seed + 1, 0.4);
        const mix = x.map((v, i) => a * v + b * y[i]);
        const fx = run(prepared(o, 48000, 1), [x])[0];
        const fy = run(prepared(o, 48000, 1), [y])[0];
        const fm = run(prepared(o, 48000, 1), [mix])[0];
        // Scale the tolerance by the filter's own output level (high-Q boosts reach tens of ×).
        let peak = 1;
        for (let i = 0; i < fm.length; i++) peak = Math.max(peak, Math.abs(fx[i]), Math.abs(fy[i]));
        let err = 0;
        for (let i = 0; i < fm.length; i++) err = Math.max(err, Math.abs(fm[i] - (a * fx[i] + b * fy[i])));
        expect(err / peak).toBeLessThan(1e-5);
      }),
      { numRuns: runs(60) },
    );
  });

  it('is stable: 10 s of full-scale noise stays finite and within the ℓ1 bound Σ|h[n]| at any valid setting', () => {
    fc.assert(
      fc.property(fc.constantFrom(44100, 48000, 96000), fc.integer({ min: 1, max: 1e6 }), (fs, seed) => {
        const o = fc.sample(arbFilter(fs), { numRuns: 1, seed })[0];
        const frames = 10 * fs;
        // |y[n]| ≤ Σ_{k≤n} |h[k]| · max|x|: the impulse response over the signal's length bounds the output.
        const sections = designFilter({ ...FILTER_DEFAULTS, ...o }, fs);
        const impulse = new Float64Array(frames);
        impulse[0] = 1;
        const h = referenceCascade(sections, impulse);
        let l1 = 0;
        for (let i = 0; i < frames; i++) l1 += Math.abs(h[i]);
        const x = noise(frames, seed, 1);
        const y = run(prepared(o, fs, 1, 4096), [x], 4096)[0];
        let peak = 0;
        for (let i = 0; i < frames; i++) {
          if (!Number.isFinite(y[i])) throw new Error(`non-finite output at ${i} for ${JSON.stringify(o)}`);
          peak = Math.max(peak, Math.abs(y[i]));
        }
        expect(peak, JSON.stringify(o)).toBeLessThanOrEqual(l1 * (1 + 1e-5) + 1e-6);
      }),
      { numRuns: runs(12, 200) },
    );
  });

  it('stays finite and bounded while parameters ramp between random settings (time-varying stability)', () => {
    fc.assert(
      fc.property(fc.array(arbFilter(48000), { minLength: 2, maxLength: 8 }), fc.integer({ min: 1, max: 1e6 }), (settings, seed) => {
        const rolloff = settings[0].rolloffDbPerOctave; // rolloff/type changes are not ramps
        const type = settings[0].type;
        const f = prepared({ ...settings[0], smoothingMs: 30 }, 48000, 1);
        const x = [noise(48000, seed, 1)];
        const y = render(f, x, [], settings.slice(1).map((o, k) => ({ at: 4000 * (k + 1), apply: (p) => p.set({ ...o, type, rolloffDbPerOctave: rolloff }) })))[0];
        // Every frozen setting keeps |y| below its ℓ1 gain; ramps between them must not add more
        // than a modest factor (the largest ℓ1 gain of this parameter space is far below 1e4).
        for (let i = 0; i < y.length; i++) if (!(Math.abs(y[i]) < 1e4)) throw new Error(`|y| = ${y[i]} at ${i}`);
      }),
      { numRuns: runs(20, 300) },
    );
  });

  it('is an identity at 0 dB for peaking and shelves (within 1e-6)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<FilterType>('peaking', 'lowshelf', 'highshelf'),
        arbFilter(48000),
        fc.integer({ min: 1, max: 1e6 }),
        (type, o, seed) => {
          const x = noise(4096, seed, 0.9);
          const y = run(prepared({ ...o, type, gainDb: 0 }, 48000, 1), [x])[0];
          expect(maxAbsDiff([y], [x])).toBeLessThanOrEqual(1e-6);
        },
      ),
      { numRuns: runs(60) },
    );
  });

  it('restores its initial state on reset(): the same input gives the same output', () => {
    fc.assert(
      fc.property(arbFilter(48000), fc.integer({ min: 1, max: 1e6 }), (o, seed) => {
        const f = prepared(o, 48000, 2);
        const x = [noise(3000, seed, 0.5), noise(3000, seed + 5, 0.5)];
        const a = run(f, x, 77);
        run(f, [noise(1000, seed + 9), noise(1000, seed + 10)], 64);
        f.reset();
        const b = run(f, x, 77);
        expect(identical(a, b)).toBe(true);
      }),
      { numRuns: runs(50) },
    );
  });

  it('keeps channels independent: each channel equals the same signal filtered alone', () => {
    fc.assert(
      fc.property(arbFilter(48000), fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 2, max: 6 }), (o, seed, channels) => {
        const x = Array.from({ length: channels }, (_, c) => noise(2000, seed + c, 0.5));
        const together = run(prepared(o, 48000, channels), x, 90);
        for (let c = 0; c < channels; c++) {
          const alone = run(prepared(o, 48000, 1), [x[c]], 90);
          expect(identical([together[c]], alone), `channel ${c}`).toBe(true);
        }
      }),
      { numRuns: runs(30) },
    );
  });
});

describe('BiquadFilter parameter changes', () => {
  const fs = 48000;

  it('applies options given before prepare() at once (no ramp)', () => {
    const a = new BiquadFilter({ type: 'peaking', frequencyHz: 500, gainDb: 12 });
    const b = new BiquadFilter({ type: 'lowpass', frequencyHz: 9000 }).set({ type: 'peaking', frequencyHz: 500, gainDb: 12, q: Math.SQRT1_2 });
    for (const f of [a, b]) f.prepare({ sampleRate: fs, maxBlockSize: 128, channels: 1 });
    const x = [noise(4096, 3)];
    expect(identical(run(a, x), run(b, x))).toBe(true);
  });

  /**
   * Click detector: the peak third difference |y[n] − 3y[n−1] + 3y[n−2] − y[n−3]| (a steep
   * high-pass) around a parameter change, relative to its value on the settled output. A smooth
   * change keeps it at the level of the steady signal; a step in the filter shows as a spike.
   */
  function clickRatio(o: Partial<BiquadFilterOptions>, change: Partial<BiquadFilterOptions>, freq: number): number {
    const x = [sine(fs, freq, fs, 0.5)];
    const y = render(prepared(o, fs, 1), x, [12_000], [{ at: 12_000, apply: (p) => p.set(change) }])[0];
    const d3 = (from: number, to: number): number => {
      let m = 0;
      for (let i = from; i < to; i++) m = Math.max(m, Math.abs(y[i] - 3 * y[i - 1] + 3 * y[i - 2] - y[i - 3]));
      return m;
    };
    return d3(11_990, 14_000) / Math.max(d3(3, 12_000), d3(36_000, 48_000));
  }

  it('ramps gain and frequency changes without clicks (and the detector does catch an unsmoothed change)', () => {
    const cases: [Partial<BiquadFilterOptions>, Partial<BiquadFilterOptions>, number][] = [
      [{ type: 'peaking', frequencyHz: 100, q: 1, gainDb: 0 }, { gainDb: 12 }, 100],
      [{ type: 'lowpass', frequencyHz: 300, q: 0.7 }, { frequencyHz: 5000 }, 1000],
      [{ type: 'highshelf', frequencyHz: 300 }, { gainDb: -12 }, 1000],
    ];
    for (const [o, change, freq] of cases) {
      const smooth = clickRatio({ ...o, smoothingMs: 20 }, change, freq);
      const instant = clickRatio({ ...o, smoothingMs: 0 }, change, freq);
      expect(smooth, `${o.type} smoothed`).toBeLessThan(1.5);
      expect(instant, `${o.type} instant (control)`).toBeGreaterThan(3);
    }
  });

  it('ramps a change made in the same call as a new smoothingMs (over the new time), and changes the time without a jump', () => {
    const x = [sine(fs, 150, fs, 0.5)];
    const run = (change: Partial<BiquadFilterOptions>) => {
      const f = prepared({ type: 'lowpass', frequencyHz: 200, q: 0.7 }, fs, 1);
      return render(f, x, [12_000], [{ at: 12_000, apply: (p) => p.set(change) }])[0];
    };
    const steps = (y: Float32Array) => {
      let m = 0;
      for (let i = 11_990; i < 14_000; i++) m = Math.max(m, Math.abs(y[i] - 3 * y[i - 1] + 3 * y[i - 2] - y[i - 3]));
      return m;
    };
    const together = run({ frequencyHz: 10000, smoothingMs: 100 });
    const plain = run({ frequencyHz: 10000 });
    const instant = run({ frequencyHz: 10000, smoothingMs: 0 });
    expect(steps(together)).toBeLessThan(steps(instant) / 3);
    expect(steps(plain)).toBeLessThan(steps(instant) / 3);
    // A 100 ms ramp is still moving 50 ms after the change; a 20 ms one has arrived.
    const f = prepared({ type: 'lowpass', frequencyHz: 200, q: 0.7 }, fs, 1);
    f.process([new Float32Array(64)]);
    f.set({ frequencyHz: 10000, smoothingMs: 100 });
    f.process([new Float32Array(2400)]);
    const freq = (f as unknown as { stage: { freq: { current: number; isSmoothing: boolean } } }).stage.freq;
    expect(freq.isSmoothing).toBe(true);
    const mid = freq.current;
    f.set({ smoothingMs: 20 }); // shorter ramp from here: no jump
    expect(freq.current).toBe(mid);
    f.process([new Float32Array(1024)]);
    expect(freq.isSmoothing).toBe(false);
  });

  it('applies changes at once with smoothingMs 0 (no interpolation)', () => {
    const a = prepared({ type: 'peaking', frequencyHz: 500, gainDb: 0, smoothingMs: 0 }, fs, 1);
    const b = prepared({ type: 'peaking', frequencyHz: 500, gainDb: 9 }, fs, 1);
    const x = [noise(4096, 2)];
    a.process([x[0].slice(0, 100)]);
    a.set({ gainDb: 9 });
    // From here `a` runs the target coefficients: its impulse response equals b's.
    a.reset();
    const ia = new Float32Array(256);
    const ib = new Float32Array(256);
    ia[0] = ib[0] = 1;
    a.process([ia]);
    b.process([ib]);
    expect(identical([ia], [ib])).toBe(true);
    const c = prepared({ type: 'peaking', frequencyHz: 500, gainDb: 0, smoothingMs: 0 }, fs, 1);
    c.process([new Float32Array(37)]); // mid control interval
    c.set({ gainDb: 9 });
    const stage = c as unknown as { stage: { needsControlRate: boolean } };
    expect(stage.stage.needsControlRate).toBe(false);
  });

  it('reaches the target response once the ramp is over', () => {
    const x = [noise(fs, 8, 0.5)];
    const ramped = prepared({ type: 'lowshelf', frequencyHz: 200, gainDb: 0, smoothingMs: 20 }, fs, 1);
    const y = render(ramped, x, [4800], [{ at: 4800, apply: (p) => p.set({ gainDb: -9, frequencyHz: 400 }) }])[0];
    const fixed = prepared({ type: 'lowshelf', frequencyHz: 400, gainDb: -9 }, fs, 1);
    const z = run(fixed, x)[0];
    // 20 ms ramp from 0.1 s, then the low-shelf's memory of the ramp decays (~0.3 s to < 1e-6).
    expect(maxAbsDiff([y.subarray(fs / 2)], [z.subarray(fs / 2)])).toBeLessThan(1e-6);
  });

  it('sweeps frequency geometrically: half way through the ramp it sits at the geometric mean', () => {
    const f = prepared({ type: 'peaking', frequencyHz: 100, gainDb: 12, q: 4, smoothingMs: 100 }, fs, 1);
    f.process([new Float32Array(128)]);
    f.set({ frequencyHz: 10000 });
    // Advance 50 ms: the coefficient smoother then stands at √(100·10000) = 1000 Hz.
    const half = 0.05 * fs;
    const buf = new Float32Array(half);
    f.process([buf]);
    const stage = (f as unknown as { stage: { freq: { current: number } } }).stage;
    // Coefficients update per 32-sample control interval (aligned to the absolute sample count).
    expect(stage.freq.current / 1000).toBeGreaterThan(Math.pow(100, 32 / half) ** -1);
    expect(Math.abs(Math.log(stage.freq.current / 1000))).toBeLessThan(Math.log(100) * (64 / (0.1 * fs)));
  });

  it('bypass cross-fades: no step at the switch, and the dry signal afterwards', () => {
    const x = [sine(fs, 200, fs, 0.5)];
    const f = prepared({ type: 'peaking', frequencyHz: 200, gainDb: 12, q: 1 }, fs, 1);
    const y = render(f, x, [24_000], [{ at: 24_000, apply: (p) => p.set({ bypass: true }) }])[0];
    let step = 0;
    for (let i = 24_000 - 50; i < 24_000 + 2000; i++) step = Math.max(step, Math.abs(y[i] - y[i - 1]));
    const bound = ((2 * Math.PI * 200) / fs) * 0.5 * Math.pow(10, 12 / 20);
    expect(step).toBeLessThan(bound * 1.01);
    // After the 20 ms fade the output is the input, bit for bit.
    expect(identical([y.subarray(24_000 + 960)], [x[0].subarray(24_000 + 960)])).toBe(true);
  });

  it('changing rolloff while running starts the new sections from silence and stays finite', () => {
    const f = prepared({ type: 'butterworth-lowpass', frequencyHz: 2000, rolloffDbPerOctave: 12 }, fs, 2);
    const x = [noise(9600, 1, 0.5), noise(9600, 2, 0.5)];
    const y = render(f, x, [4800], [{ at: 4800, apply: (p) => p.set({ rolloffDbPerOctave: 48 }) }]);
    for (const ch of y) for (const v of ch) expect(Number.isFinite(v)).toBe(true);
    expect(f.coefficients()).toHaveLength(4);
  });
});

describe('BiquadFilter state hygiene', () => {
  it('flushes a decaying state to exact zero instead of running on in denormals', () => {
    const f = prepared({ type: 'lowpass', frequencyHz: 20, q: 10 }, 48000, 1, 4096);
    const x = new Float32Array(4096);
    x[0] = 1;
    f.process([x]);
    const state = (f as unknown as { stage: { state: Float64Array } }).stage.state;
    expect(state.some((v) => v !== 0)).toBe(true);
    // 20 Hz, Q 10: τ = 2Q/ω0 ≈ 7600 samples; from 1 to the 1e-50 flush level takes ≈ 870 000 samples.
    let blocks = 0;
    while (state.some((v) => v !== 0) && blocks < 400) {
      x.fill(0);
      f.process([x]);
      blocks++;
    }
    expect(blocks).toBeLessThan(400);
    for (const v of state) expect(v).toBe(0);
  });

  it('recovers from NaN and Infinity input within one block', () => {
    const f = prepared({ type: 'peaking', frequencyHz: 1000, gainDb: 6 }, 48000, 2);
    const bad = [new Float32Array(128).fill(NaN), new Float32Array(128).fill(Infinity)];
    f.process(bad);
    const ok = [noise(128, 1), noise(128, 2)];
    f.process(ok);
    for (const ch of ok) for (const v of ch) expect(Number.isFinite(v)).toBe(true);
  });

  it('leaves channels beyond the prepared count untouched', () => {
    const f = prepared({ type: 'highpass', frequencyHz: 1000 }, 48000, 1);
    const x = [noise(128, 1), noise(128, 2)];
    const before = clone(x);
    f.process(x);
    expect(identical([x[1]], [before[1]])).toBe(true);
    expect(identical([x[0]], [before[0]])).toBe(false);
  });
});
