/**
 * Saturator: curves against their closed forms, odd symmetry, bounds, the linear region, aliasing
 * (measured with a coherent DFT), the oversampling filters, latency and dry/wet alignment, auto
 * gain, DC removal, click-free curve changes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CURVE_BOUNDS, SATURATION_CURVES, TUBE_BIAS, saturationCurve, type SaturationCurve } from '../../src/color/curves.js';
import { IIR_OVERSAMPLING_STAGES, iirHalfBandCoefficients } from '../../src/color/iir-oversampling.js';
import { OVERSAMPLING_STAGES, halfBandImpulse, oversamplingLatency, type OversamplingFactor } from '../../src/color/oversampling.js';
import { AUTO_GAIN_REFERENCE_DB, OVERSAMPLING_FILTERS, Saturator, type OversamplingFilter, type SaturatorOptions } from '../../src/color/saturator.js';
import { cutsFromSizes, render } from '../support/conformance.js';
import { maxStep, noise, runs, sine } from '../support/signals.js';
import { dftAmplitude, strongestAliasDb } from '../support/spectrum.js';

const FS = 48000;
const FACTORS: OversamplingFactor[] = [1, 2, 4, 8];

/** Independent closed forms of the curves (Math.tanh / Math.atan). */
const TB = Math.tanh(TUBE_BIAS);
const closedForm: Record<SaturationCurve, (x: number) => number> = {
  tanh: Math.tanh,
  cubic: (x) => (Math.abs(x) >= 1.5 ? Math.sign(x) : x - (4 * x ** 3) / 27),
  hard: (x) => Math.max(-1, Math.min(1, x)),
  tube: (x) => (Math.tanh(x + TUBE_BIAS) - TB) / (1 - TB * TB),
  tape: (x) => (2 / Math.PI) * Math.atan((Math.PI / 2) * x),
};
const SYMMETRIC: SaturationCurve[] = ['tanh', 'cubic', 'hard', 'tape'];

/** Run a mono signal through a prepared saturator in 128-frame blocks. */
function process(opts: Partial<SaturatorOptions>, x: Float32Array, block = 128): { y: Float32Array; latency: number; sat: Saturator } {
  const sat = new Saturator(opts);
  sat.prepare({ sampleRate: FS, maxBlockSize: block, channels: 1 });
  const y = x.slice();
  for (let p = 0; p < y.length; p += block) sat.process([y.subarray(p, Math.min(y.length, p + block))]);
  return { y, latency: sat.latency, sat };
}

function rms(x: ArrayLike<number>, from: number, to: number): number {
  let s = 0;
  let mean = 0;
  for (let i = from; i < to; i++) mean += x[i];
  mean /= to - from;
  for (let i = from; i < to; i++) s += (x[i] - mean) ** 2;
  return Math.sqrt(s / (to - from));
}

describe('Saturator curves', () => {
  const tolerance: Record<SaturationCurve, number> = { tanh: 7e-6, cubic: 1e-15, hard: 0, tube: 1e-5, tape: 1e-8 };
  for (const curve of SATURATION_CURVES) {
    it(`${curve}: matches its closed form within ${tolerance[curve]} on [−20, 20]`, () => {
      let worst = 0;
      for (let i = -20000; i <= 20000; i++) {
        const x = i / 1000;
        worst = Math.max(worst, Math.abs(saturationCurve(curve, x) - closedForm[curve](x)));
      }
      expect(worst).toBeLessThanOrEqual(tolerance[curve]);
    });
  }

  it('has unit slope at 0 (within 1e-6) and f(0) = 0 exactly', () => {
    for (const curve of SATURATION_CURVES) {
      expect(saturationCurve(curve, 0)).toBe(0);
      const h = 1e-7;
      const slope = (saturationCurve(curve, h) - saturationCurve(curve, -h)) / (2 * h);
      expect(Math.abs(slope - 1), curve).toBeLessThan(1e-6);
    }
  });

  it('symmetric curves are exactly odd: f(−x) = −f(x) for every x (fast-check)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SYMMETRIC), fc.double({ noNaN: true }), (curve, x) => {
        expect(saturationCurve(curve, -x) === -saturationCurve(curve, x)).toBe(true);
      }),
      { numRuns: runs(500) },
    );
  });

  it('the tube curve is not odd: it makes even harmonics', () => {
    expect(saturationCurve('tube', 0.5) + saturationCurve('tube', -0.5)).toBeLessThan(-0.05);
  });

  it('every curve is bounded by CURVE_BOUNDS, finite and non-decreasing for any input (fast-check)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SATURATION_CURVES.map((c, i) => [c, i] as const)), fc.double({ noNaN: true }), fc.double({ noNaN: true }), ([curve, i], a, b) => {
        const fa = saturationCurve(curve, a);
        const fb = saturationCurve(curve, b);
        expect(Number.isFinite(fa)).toBe(true);
        expect(Math.abs(fa)).toBeLessThanOrEqual(CURVE_BOUNDS[i]);
        if (a <= b) expect(fa).toBeLessThanOrEqual(fb);
      }),
      { numRuns: runs(500) },
    );
  });

  it('CURVE_BOUNDS are the curves\' suprema (within 1e-5)', () => {
    SATURATION_CURVES.forEach((curve, i) => {
      const sup = Math.max(Math.abs(closedForm[curve](1e6)), Math.abs(closedForm[curve](-1e6)));
      expect(Math.abs(CURVE_BOUNDS[i] - sup), curve).toBeLessThan(1e-5);
    });
  });

  it('rejects an unknown curve name', () => {
    expect(() => saturationCurve('fuzz' as SaturationCurve, 0)).toThrow(TypeError);
  });
});

describe('Oversampling filters', () => {
  /** |H(f)| of an IIR half-band from its coefficients, evaluated independently: ½|A₀(z²) + z⁻¹A₁(z²)|. */
  function iirMagnitude(a: Float64Array, f: number): number {
    const w = 2 * Math.PI * f;
    let re0 = 1, im0 = 0, re1 = 1, im1 = 0;
    a.forEach((c, i) => {
      // (c + z⁻²)/(1 + c·z⁻²) at z = e^{jω}
      const nr = c + Math.cos(2 * w), ni = -Math.sin(2 * w);
      const dr = 1 + c * Math.cos(2 * w), di = -c * Math.sin(2 * w);
      const d = dr * dr + di * di;
      const hr = (nr * dr + ni * di) / d, hi = (ni * dr - nr * di) / d;
      if (i % 2 === 0) [re0, im0] = [re0 * hr - im0 * hi, re0 * hi + im0 * hr];
      else [re1, im1] = [re1 * hr - im1 * hi, re1 * hi + im1 * hr];
    });
    // z⁻¹·A₁
    const r1 = re1 * Math.cos(w) + im1 * Math.sin(w), i1 = im1 * Math.cos(w) - re1 * Math.sin(w);
    return 0.5 * Math.hypot(re0 + r1, im0 + i1);
  }
  /** |H(f)| of a linear-phase half-band from its impulse response. */
  function firMagnitude(h: Float64Array, f: number): number {
    const mid = (h.length - 1) / 2;
    let re = 0;
    for (let k = 0; k < h.length; k++) re += h[k] * Math.cos(2 * Math.PI * f * (k - mid));
    return Math.abs(re);
  }
  // Band edges of stage s (1-based) relative to its output rate: pass to 0.42/2^s, stop from (2^(s−1) − 0.42)/2^s.
  const edges = (s: number) => ({ pass: 0.42 / 2 ** s, stop: (2 ** (s - 1) - 0.42) / 2 ** s });
  const expected = { iir: [94, 100, 101], fir: [88, 95, 82] };

  for (let s = 1; s <= 3; s++) {
    it(`stage ${s}: flat to 0.42·fs and ≥ ${expected.iir[s - 1]} dB (IIR) / ${expected.fir[s - 1]} dB (FIR) down where it must reject`, () => {
      const { pass, stop } = edges(s);
      const st = IIR_OVERSAMPLING_STAGES[s - 1];
      const a = iirHalfBandCoefficients(st.coefficients, st.transition);
      const h = halfBandImpulse(OVERSAMPLING_STAGES[s - 1]);
      let iirPass = 0, iirStop = 0, firPass = 0, firStop = 0;
      for (let i = 0; i <= 2000; i++) {
        const fp = (pass * i) / 2000;
        const fsb = stop + ((0.5 - stop) * i) / 2000;
        iirPass = Math.max(iirPass, Math.abs(20 * Math.log10(iirMagnitude(a, fp))));
        firPass = Math.max(firPass, Math.abs(20 * Math.log10(firMagnitude(h, fp))));
        iirStop = Math.max(iirStop, iirMagnitude(a, fsb));
        firStop = Math.max(firStop, firMagnitude(h, fsb));
      }
      expect(iirPass).toBeLessThan(1e-6);
      expect(firPass).toBeLessThan(0.001);
      expect(-20 * Math.log10(iirStop)).toBeGreaterThan(expected.iir[s - 1]);
      expect(-20 * Math.log10(firStop)).toBeGreaterThan(expected.fir[s - 1]);
    });
  }

  it('FIR half-bands: every even tap but the centre is 0, the centre is ½, DC gain 1', () => {
    for (const st of OVERSAMPLING_STAGES) {
      const h = halfBandImpulse(st);
      const mid = (h.length - 1) / 2;
      let sum = 0;
      h.forEach((v, k) => {
        sum += v;
        if ((k - mid) % 2 === 0 && k !== mid) expect(v).toBe(0);
      });
      expect(h[mid]).toBe(0.5);
      expect(Math.abs(sum - 1)).toBeLessThan(1e-15);
    }
  });

  it('IIR coefficients are stable all-pass coefficients in (0, 1), ascending', () => {
    for (const st of IIR_OVERSAMPLING_STAGES) {
      const a = iirHalfBandCoefficients(st.coefficients, st.transition);
      for (let i = 0; i < a.length; i++) {
        expect(a[i] > 0 && a[i] < 1).toBe(true);
        if (i > 0) expect(a[i]).toBeGreaterThan(a[i - 1]);
      }
    }
  });
});

describe('Saturator: linear region, latency and alignment', () => {
  const A = 0.01; // −40 dBFS
  const twoTone = (n: number) => {
    const x = sine(n, 1000, FS, A / 2);
    const y = sine(n, 5000, FS, A / 2, 1);
    for (let i = 0; i < n; i++) x[i] += y[i];
    return x;
  };

  it('linear-phase filters: latency 0/35/41/43 samples, and the hard curve at 0 dB returns the input delayed (within 1e-4 of its peak)', () => {
    const x = twoTone(8192);
    for (const f of FACTORS) {
      const { y, latency } = process({ curve: 'hard', driveDb: 0, oversampling: f, oversamplingFilter: 'linear-phase' }, x);
      expect(latency).toBe([0, 35, 41, 43][FACTORS.indexOf(f)]);
      expect(latency).toBe(oversamplingLatency(f).latency);
      let err = 0;
      for (let i = 2000; i < x.length; i++) err = Math.max(err, Math.abs(y[i] - x[i - latency]));
      expect(err, `${f}×`).toBeLessThan(1e-4 * A);
    }
  });

  it('IIR filters: the reported latency is the low-frequency delay (a 50 Hz sine lines up within 0.5 samples)', () => {
    const x = sine(48000, 50, FS, 0.5);
    for (const f of FACTORS) {
      const { y, latency } = process({ curve: 'hard', driveDb: 0, oversampling: f }, x);
      expect(latency).toBe(Saturator.latencyOf(f));
      // Phase delay at 50 Hz from the DFT of input and output over whole periods.
      const ph = (s: ArrayLike<number>) => {
        let re = 0, im = 0;
        for (let i = 24000; i < 48000; i++) {
          re += s[i] * Math.cos((2 * Math.PI * 50 * i) / FS);
          im -= s[i] * Math.sin((2 * Math.PI * 50 * i) / FS);
        }
        return Math.atan2(im, re);
      };
      const delay = ((ph(x) - ph(y)) / (2 * Math.PI * 50)) * FS;
      expect(Math.abs(delay - latency), `${f}×: delay ${delay}, latency ${latency}`).toBeLessThanOrEqual(0.5);
      expect(latency).toBeLessThanOrEqual(4);
    }
  });

  it('IIR filters: the magnitude is flat within 0.001 dB from 20 Hz to 0.4·fs', () => {
    for (const f of [2, 4, 8] as const) {
      for (const hz of [20, 1000, 10000, 17000, 19200]) {
        const x = sine(48000, hz, FS, 0.5);
        const { y } = process({ curve: 'hard', driveDb: 0, oversampling: f }, x);
        const db = 20 * Math.log10(dftAmplitude(y, 24000, 24000, hz, FS) / dftAmplitude(x, 24000, 24000, hz, FS));
        expect(Math.abs(db), `${f}× at ${hz} Hz: ${db} dB`).toBeLessThan(0.001);
      }
    }
  });

  // The curve's own deviation from the identity at drive 0 for |x| ≤ a (independent closed forms).
  const deviation = (curve: SaturationCurve, a: number) => {
    let d = 0;
    for (let i = -1000; i <= 1000; i++) d = Math.max(d, Math.abs(closedForm[curve](a * (i / 1000)) - a * (i / 1000)));
    return d;
  };

  for (const filter of OVERSAMPLING_FILTERS) {
    it(`${filter}: at 0 dB drive a −40 dBFS input changes by no more than the curve's deviation from x over |x| ≤ 1.2·peak (×1.2, plus 1e-6 of the peak)`, () => {
      const x = twoTone(8192);
      for (const f of FACTORS) {
        // The same filters with an identity curve ('hard' below 1) are the reference.
        const ref = process({ curve: 'hard', driveDb: 0, oversampling: f, oversamplingFilter: filter }, x).y;
        for (const curve of SATURATION_CURVES) {
          const { y } = process({ curve, driveDb: 0, oversampling: f, oversamplingFilter: filter }, x);
          // The tube curve's DC is removed, so compare around each signal's own mean.
          const bound = 1.2 * deviation(curve, 1.2 * A) + 1e-6 * A;
          let err = 0;
          const mean = (s: Float32Array) => s.subarray(4096).reduce((p, v) => p + v, 0) / 4096;
          const my = curve === 'tube' ? mean(y) : 0;
          const mr = curve === 'tube' ? mean(ref) : 0;
          for (let i = 4096; i < x.length; i++) err = Math.max(err, Math.abs(y[i] - my - (ref[i] - mr)));
          expect(err, `${curve} ${f}×: ${err} vs ${bound}`).toBeLessThanOrEqual(bound);
          if (curve !== 'hard') expect(err).toBeGreaterThan(0);
        }
      }
    });
  }

  it('the dry and wet paths line up: mix 0.5 is the mean of mix 0 and mix 1 (within 1e-6), with both filters', () => {
    const x = noise(8192, 5, 0.8);
    for (const filter of OVERSAMPLING_FILTERS) {
      for (const f of FACTORS) {
        const o = { curve: 'tanh' as const, driveDb: 18, oversampling: f, oversamplingFilter: filter };
        const dry = process({ ...o, mix: 0 }, x).y;
        const wet = process({ ...o, mix: 1 }, x).y;
        const half = process({ ...o, mix: 0.5 }, x).y;
        let err = 0;
        for (let i = 0; i < x.length; i++) err = Math.max(err, Math.abs(half[i] - 0.5 * (dry[i] + wet[i])));
        expect(err, `${filter} ${f}×`).toBeLessThan(1e-6);
      }
    }
  });

  it('mix 0 with linear-phase filters is the input delayed (within 1e-4 of the peak, content below 0.4·fs)', () => {
    const x = sine(8192, 3000, FS, 0.9);
    const { y, latency } = process({ curve: 'tanh', driveDb: 30, mix: 0, oversampling: 4, oversamplingFilter: 'linear-phase' }, x);
    let err = 0;
    for (let i = 2000; i < x.length; i++) err = Math.max(err, Math.abs(y[i] - x[i - latency]));
    expect(err).toBeLessThan(1e-4 * 0.9);
  });
});

describe('Saturator: aliasing (coherent DFT of a saturated 7 kHz sine at 48 kHz)', () => {
  // 7 kHz at 48 kHz repeats every 48 samples, so the steady state is a line spectrum on a 1 kHz
  // grid: 7, 14, 21 kHz are harmonics, every other line is aliased.
  const x = sine(48000, 7000, FS, 0.5);
  const measure = (opts: Partial<SaturatorOptions>) => {
    const { y } = process(opts, x);
    return strongestAliasDb(y, 24000, 4800, 7000, 1000, FS);
  };

  it('tanh at +18 dB: the strongest alias is at least 30 dB lower with 4× oversampling than at 1× (both filters)', () => {
    const one = measure({ curve: 'tanh', driveDb: 18, oversampling: 1 });
    expect(one.offGridDb).toBeLessThan(-120); // the method: nothing off the line grid
    expect(one.db).toBeGreaterThan(-25); // strong aliasing without oversampling
    for (const filter of OVERSAMPLING_FILTERS) {
      const four = measure({ curve: 'tanh', driveDb: 18, oversampling: 4, oversamplingFilter: filter });
      expect(four.offGridDb).toBeLessThan(-120);
      expect(four.db, `${filter}: ${four.db} dB vs ${one.db} dB`).toBeLessThan(one.db - 30);
      // The figure in docs/color.md: −86 dB (folding at the 4× rate itself dominates).
      expect(four.db).toBeLessThan(-80);
    }
  });

  it('every curve aliases less at every higher factor, and 8× beats 1× by at least 30 dB', () => {
    for (const curve of SATURATION_CURVES) {
      let last = Infinity;
      const dbs: number[] = [];
      for (const f of FACTORS) {
        const { db } = measure({ curve, driveDb: 18, oversampling: f });
        dbs.push(db);
        expect(db, `${curve} ${f}×: ${dbs.join(', ')}`).toBeLessThan(last);
        last = db;
      }
      expect(dbs[3]).toBeLessThan(dbs[0] - 30);
    }
  });

  it('the decimation filters reject: a pure cubic (|x| < 1.5) on 11 kHz puts its 33 kHz harmonic, aliased to 15 kHz at 1×, 100 dB down at 2×, 4× and 8×', () => {
    const tone = sine(48000, 11000, FS, 0.7);
    for (const filter of OVERSAMPLING_FILTERS) {
      for (const f of FACTORS) {
        const { y } = process({ curve: 'cubic', driveDb: 6, oversampling: f, oversamplingFilter: filter }, tone);
        const fund = dftAmplitude(y, 24000, 4800, 11000, FS);
        const alias = 20 * Math.log10(dftAmplitude(y, 24000, 4800, 15000, FS) / fund);
        if (f === 1) expect(alias).toBeGreaterThan(-30);
        else expect(alias, `${filter} ${f}×`).toBeLessThan(-100);
      }
    }
  });
});

describe('Saturator: gain, DC and changes', () => {
  it('auto gain keeps a −18 dBFS RMS sine at its level (within 0.1 dB) for every curve and drive, and trim adds exactly its gain', () => {
    const a = Math.pow(10, AUTO_GAIN_REFERENCE_DB / 20) * Math.SQRT2;
    const x = sine(24000, 500, FS, a);
    const inRms = rms(x, 12000, 24000);
    for (const curve of SATURATION_CURVES) {
      for (const driveDb of [-12, 0, 12, 24, 36]) {
        const { y } = process({ curve, driveDb, autoGain: true }, x);
        const db = 20 * Math.log10(rms(y, 12000, 24000) / inRms);
        expect(Math.abs(db), `${curve} at ${driveDb} dB: ${db}`).toBeLessThan(0.1);
        const trimmed = process({ curve, driveDb, autoGain: true, trimDb: -7 }, x).y;
        expect(Math.abs(20 * Math.log10(rms(trimmed, 12000, 24000) / rms(y, 12000, 24000)) + 7)).toBeLessThan(1e-4);
      }
    }
    // Without auto gain, heavy drive is much louder: the compensation does something.
    const loud = process({ curve: 'tanh', driveDb: 24 }, x).y;
    expect(20 * Math.log10(rms(loud, 12000, 24000) / inRms)).toBeGreaterThan(10);
  });

  it('the tube curve\'s DC is removed (its static DC is over 2 % of the signal; the output mean under 0.01 %)', () => {
    const x = sine(96000, 1000, FS, 0.5);
    const g = Math.pow(10, 12 / 20);
    // DC of the curve itself over one period (independent closed form).
    let dc = 0;
    for (let i = 0; i < 48; i++) dc += closedForm.tube(g * x[i]) / 48;
    const { y } = process({ curve: 'tube', driveDb: 12 }, x);
    const r = rms(y, 48000, 96000);
    expect(Math.abs(dc)).toBeGreaterThan(0.02 * r);
    const mean = y.subarray(48000).reduce((p, v) => p + v, 0) / 48000;
    expect(Math.abs(mean)).toBeLessThan(1e-4 * r);
  });

  it('a curve change cross-fades: each step stays within the steady signal\'s own plus the fade\'s slope, where an instant switch jumps', () => {
    // A slow sine, so that the steady signal moves little per sample; hard → tape at a peak,
    // where the two curves differ by about 0.24.
    const x = sine(24000, 20, FS, 0.8);
    const cut = 12000 + 600; // a positive peak (period 2400 samples)
    const run = (smoothingMs: number) => {
      const sat = new Saturator({ curve: 'hard', driveDb: 6, smoothingMs });
      sat.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
      return render(sat, [x.slice()], cutsFromSizes([128], x.length), [{ at: cut, apply: (p) => p.set({ curve: 'tape' }) }])[0];
    };
    const before = process({ curve: 'hard', driveDb: 6 }, x).y;
    const after = process({ curve: 'tape', driveDb: 6 }, x).y;
    const steady = Math.max(maxStep(before, 4000, 24000), maxStep(after, 4000, 24000));
    const jump = Math.abs(before[cut] - after[cut]);
    expect(jump).toBeGreaterThan(0.2);
    const smooth = run(20);
    expect(maxStep(smooth, cut - 100, cut + 2000)).toBeLessThanOrEqual(steady + (2 * jump) / 960);
    const instant = run(0);
    expect(maxStep(instant, cut - 100, cut + 100)).toBeGreaterThan(steady + jump / 2);
  });

  it('a curve change during a cross-fade waits for it: three quick changes make no step beyond the fade\'s slope', () => {
    const x = sine(24000, 20, FS, 0.8);
    const sat = new Saturator({ curve: 'hard', driveDb: 6 });
    sat.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
    const cut = 12600;
    const [y] = render(sat, [x.slice()], cutsFromSizes([64], x.length), [
      { at: cut, apply: (p) => p.set({ curve: 'tape' }) },
      { at: cut + 160, apply: (p) => p.set({ curve: 'tube' }) },
      { at: cut + 320, apply: (p) => p.set({ curve: 'cubic' }) },
    ]);
    let steady = 0;
    for (const curve of ['hard', 'tape', 'cubic'] as const) steady = Math.max(steady, maxStep(process({ curve, driveDb: 6 }, x).y, 4000, 24000));
    // Each fade moves by at most (largest curve difference ≈ 0.3) / 960 samples per sample.
    expect(maxStep(y, cut - 100, cut + 4000)).toBeLessThanOrEqual(steady + (2 * 0.3) / 960);
    expect(sat.params.curve).toBe('cubic');
  });

  it('a drive change at mix 0 leaves the dry path alone (linear phase: the input delayed, within 1e-4 of its peak)', () => {
    const x = sine(24000, 1000, FS, 0.5);
    const sat = new Saturator({ curve: 'tanh', driveDb: -24, mix: 0, oversamplingFilter: 'linear-phase' });
    sat.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 1 });
    const [y] = render(sat, [x.slice()], cutsFromSizes([128], x.length), [{ at: 6000, apply: (p) => p.set({ driveDb: 48 }) }]);
    let err = 0;
    for (let i = 2000; i < x.length; i++) err = Math.max(err, Math.abs(y[i] - x[i - sat.latency]));
    expect(err).toBeLessThan(1e-4 * 0.5);
  });

  it('the IIR latency does not depend on maxBlockSize', () => {
    for (const f of [2, 4, 8] as const) {
      for (const maxBlockSize of [1, 7, 128, 4096]) {
        const sat = new Saturator({ oversampling: f });
        sat.prepare({ sampleRate: FS, maxBlockSize, channels: 1 });
        expect(sat.latency, `${f}× at maxBlockSize ${maxBlockSize}`).toBe(Saturator.latencyOf(f));
      }
    }
  });

  it('output never exceeds Saturator.outputBound, for any settings and input up to ±4 (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.record({
          curve: fc.constantFrom(...SATURATION_CURVES),
          driveDb: fc.double({ min: -24, max: 48, noNaN: true }),
          trimDb: fc.double({ min: -48, max: 24, noNaN: true }),
          mix: fc.double({ min: 0, max: 1, noNaN: true }),
          autoGain: fc.boolean(),
          oversampling: fc.constantFrom<OversamplingFactor>(...FACTORS),
          oversamplingFilter: fc.constantFrom<OversamplingFilter>(...OVERSAMPLING_FILTERS),
        }),
        fc.double({ min: 0, max: 4, noNaN: true }),
        fc.integer({ min: 1, max: 1000 }),
        (opts, amp, seed) => {
          const x = noise(2048, seed, amp);
          // Full-scale clicks too: the worst case for filter overshoot.
          for (let i = 300; i < 2048; i += 211) x[i] = i % 2 ? amp : -amp;
          // The bound of the input as stored (float32): a peak such as 7e-46 is stored as the
          // nearest float32, 1.4e-45, above it (a counterexample fast-check found).
          let peak = 0;
          for (const v of x) peak = Math.max(peak, Math.abs(v));
          const { y } = process(opts, x);
          const bound = Saturator.outputBound(opts, peak);
          for (const v of y) {
            expect(Number.isFinite(v)).toBe(true);
            expect(Math.abs(v)).toBeLessThanOrEqual(bound);
          }
        },
      ),
      {
        numRuns: runs(40),
        // Found in CI: an input peak below the smallest float32 subnormal.
        examples: [[{ curve: 'tanh', driveDb: 0, trimDb: 0, mix: 0, autoGain: false, oversampling: 1, oversamplingFilter: 'iir' }, 7.006492321624087e-46, 1]],
      },
    );
  });

  it('oversampling applies at the next prepare(); latencyOf() agrees with prepare()', () => {
    const sat = new Saturator({ oversampling: 2, oversamplingFilter: 'linear-phase' });
    sat.prepare({ sampleRate: FS, maxBlockSize: 64, channels: 2 });
    expect(sat.latency).toBe(35);
    sat.set({ oversampling: 8 });
    expect(sat.latency).toBe(35);
    sat.prepare({ sampleRate: FS, maxBlockSize: 64, channels: 2 });
    expect(sat.latency).toBe(Saturator.latencyOf(8, 'linear-phase'));
    expect(sat.params.oversampling).toBe(8);
    expect(() => Saturator.latencyOf(3 as OversamplingFactor)).toThrow(TypeError);
  });
});
