/**
 * Panner: the processor contract, every pan law against its closed form, constant power, hard
 * left/right, stereo balance, smoothing and properties.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PAN_LAWS, Panner, type PanLaw, type PannerOptions } from '../../src/stereo/panner.js';
import { cutsFromSizes, describeProcessor, render } from '../support/conformance.js';
import { firstDifference, identical, multiChannel, noise, runs } from '../support/signals.js';

const FS = 48000;

describeProcessor<Panner>({
  name: 'Panner',
  create: () => new Panner({ pan: -0.3 }),
  channels: [2],
  automation: [
    { at: 300, apply: (p) => p.set({ pan: 0.8 }) },
    { at: 900, apply: (p) => p.set({ law: '-4.5dB', smoothingMs: 5 }) },
    { at: 1500, apply: (p) => p.set({ input: 'stereo', pan: -1 }) },
    { at: 2200, apply: (p) => p.set({ law: '0dB', pan: 0.5 }) },
    { at: 3000, apply: (p) => p.set({ law: '-6dB', input: 'mono', pan: 0 }) },
  ],
  ramp: (p) => {
    p.set({ smoothingMs: 1000, pan: p.params.pan > 0 ? -1 : 1 });
  },
  silence: { exact: true, tailSeconds: 0.01, level: 0 },
  badParams: [
    { label: 'pan 1.5', call: (p) => p.set({ pan: 1.5 }), error: RangeError, message: /Panner\.pan must be in \[-1, 1\], got 1\.5/ },
    { label: 'NaN pan', call: (p) => p.set({ pan: NaN }), error: RangeError, message: /pan.*NaN/ },
    { label: 'an unknown law', call: (p) => p.set({ law: '-3' as PanLaw }), error: TypeError, message: /law must be one of "0dB", "-3dB", "-4.5dB", "-6dB"/ },
    { label: 'an unknown input', call: (p) => p.set({ input: 'surround' as 'mono' }), error: TypeError, message: /input must be one of/ },
    { label: 'a typo', call: (p) => p.set({ pann: 0 } as never), error: TypeError, message: /unknown option "pann"/ },
    { label: 'a bad constructor option', call: () => new Panner({ pan: -2 }), error: RangeError, message: /Panner\.pan/ },
  ],
});

/** The closed forms, written independently of the implementation (θ = (p + 1)·π/4). */
function expected(law: PanLaw, p: number): [number, number] {
  const theta = ((p + 1) * Math.PI) / 4;
  const cp: [number, number] = [Math.cos(theta), Math.sin(theta)];
  const lin6: [number, number] = [(1 - p) / 2, (1 + p) / 2];
  switch (law) {
    case '0dB':
      return [Math.min(1, 1 - p), Math.min(1, 1 + p)];
    case '-3dB':
      return cp;
    case '-4.5dB':
      return [Math.sqrt(cp[0] * lin6[0]), Math.sqrt(cp[1] * lin6[1])];
    case '-6dB':
      return lin6;
  }
}

/** Pan a unit DC mono source and read the two gains back from the output. */
function measuredGains(law: PanLaw, pan: number): [number, number] {
  const p = new Panner({ law, pan });
  p.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
  const l = new Float32Array(64).fill(1);
  const r = new Float32Array(64);
  p.process([l, r]);
  return [l[63], r[63]];
}

describe('Panner: pan laws', () => {
  for (const law of PAN_LAWS) {
    it(`${law}: gains at −1, −0.5, 0, 0.5, 1 match the closed form within 1e-6`, () => {
      for (const pan of [-1, -0.5, 0, 0.5, 1]) {
        const [l, r] = measuredGains(law, pan);
        const [el, er] = expected(law, pan);
        expect(Math.abs(l - el), `${law} at ${pan}: left ${l} vs ${el}`).toBeLessThan(1e-6);
        expect(Math.abs(r - er), `${law} at ${pan}: right ${r} vs ${er}`).toBeLessThan(1e-6);
        // Panner.gains gives the same numbers (in float64).
        const [gl, gr] = Panner.gains(pan, law);
        expect(Math.abs(gl - el)).toBeLessThan(1e-12);
        expect(Math.abs(gr - er)).toBeLessThan(1e-12);
      }
    });
  }

  it('the centre attenuations are 0, −3.01, −4.52 and −6.02 dB', () => {
    const centre = PAN_LAWS.map((law) => 20 * Math.log10(Panner.gains(0, law)[0]));
    expect(centre[0]).toBe(0);
    expect(centre[1]).toBeCloseTo(-3.0103, 3);
    expect(centre[2]).toBeCloseTo(-4.5154, 3);
    expect(centre[3]).toBeCloseTo(-6.0206, 3);
  });

  it('constant power (−3 dB) keeps L² + R² = 1 at every position (fast-check)', () => {
    fc.assert(
      fc.property(fc.double({ min: -1, max: 1, noNaN: true }), (pan) => {
        const [l, r] = Panner.gains(pan, '-3dB');
        expect(Math.abs(l * l + r * r - 1)).toBeLessThan(1e-12);
      }),
      { numRuns: runs(200) },
    );
  });

  it('hard left and hard right put all the energy on one side, in every law', () => {
    for (const law of PAN_LAWS) {
      expect(measuredGains(law, -1)).toEqual([1, 0]);
      const [l, r] = measuredGains(law, 1);
      expect(Math.abs(l)).toBeLessThan(1e-7); // cos(π/2) in float64, then float32
      expect(r).toBe(1);
    }
  });

  it('gains never exceed 1 and move monotonically with the pan, in every law (fast-check)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PAN_LAWS), fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), (law, a, b) => {
        const [p, q] = a < b ? [a, b] : [b, a];
        const [lp, rp] = Panner.gains(p, law);
        const [lq, rq] = Panner.gains(q, law);
        for (const g of [lp, rp, lq, rq]) expect(g >= 0 && g <= 1).toBe(true);
        expect(lq).toBeLessThanOrEqual(lp + 1e-15);
        expect(rq).toBeGreaterThanOrEqual(rp - 1e-15);
      }),
      { numRuns: runs(200) },
    );
  });
});

describe('Panner: stereo balance and smoothing', () => {
  it('balance: the centre passes bit-exactly; ±1 silences the other side and leaves its own', () => {
    const x = multiChannel(2, 2048, 4);
    for (const law of PAN_LAWS) {
      const centre = new Panner({ input: 'stereo', law });
      centre.prepare({ sampleRate: FS, maxBlockSize: 256, channels: 2 });
      const y = render(centre, x, cutsFromSizes([256], 2048));
      expect(identical(y, x), firstDifference(y, x)).toBe(true);
      const right = new Panner({ input: 'stereo', law, pan: 1 });
      right.prepare({ sampleRate: FS, maxBlockSize: 256, channels: 2 });
      const z = render(right, x, cutsFromSizes([256], 2048));
      for (let i = 0; i < 2048; i++) {
        expect(Math.abs(z[0][i])).toBeLessThan(1e-7);
        expect(z[1][i]).toBe(x[1][i]);
      }
    }
  });

  it('balance halfway follows the law relative to its centre (−3 dB law: cos(3π/8)/cos(π/4) on the far side)', () => {
    const p = new Panner({ input: 'stereo', law: '-3dB', pan: 0.5 });
    p.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    const l = new Float32Array(16).fill(1);
    const r = new Float32Array(16).fill(1);
    p.process([l, r]);
    expect(l[0]).toBeCloseTo(Math.cos((3 * Math.PI) / 8) / Math.cos(Math.PI / 4), 6);
    expect(r[0]).toBe(1);
  });

  it('a pan change ramps over smoothingMs: no gain step larger than the ramp allows', () => {
    const p = new Panner({ pan: -1, smoothingMs: 20 });
    p.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    const l = new Float32Array(4800).fill(1);
    const r = new Float32Array(4800);
    p.process([l.subarray(0, 480), r.subarray(0, 480)]);
    p.set({ pan: 1 });
    p.process([l.subarray(480), r.subarray(480)]);
    let worst = 0;
    for (let i = 1; i < 4800; i++) worst = Math.max(worst, Math.abs(l[i] - l[i - 1]), Math.abs(r[i] - r[i - 1]));
    // A pan sweep of 2 over 960 samples: the sine/cosine gains move by at most (π/4)·(2/960) per sample.
    expect(worst).toBeLessThanOrEqual((Math.PI / 4) * (2 / 960) + 1e-6);
    expect(l[4799]).toBeLessThan(1e-7);
    expect(r[4799]).toBe(1);
  });

  it('mono input: output bounded by the input, for any law, pan and partition (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.record({ law: fc.constantFrom(...PAN_LAWS), pan: fc.double({ min: -1, max: 1, noNaN: true }), smoothingMs: fc.double({ min: 0, max: 50, noNaN: true }) }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.array(fc.integer({ min: 1, max: 256 }), { minLength: 1, maxLength: 8 }),
        (opts: Partial<PannerOptions>, to, sizes) => {
          const p = new Panner(opts);
          p.prepare({ sampleRate: FS, maxBlockSize: 256, channels: 2 });
          const src = noise(3000, 5, 1);
          const x = [src.slice(), new Float32Array(3000)];
          const y = render(p, x, cutsFromSizes(sizes, 3000), [{ at: 700, apply: (q) => q.set({ pan: to }) }]);
          for (let i = 0; i < 3000; i++) {
            if (!(Math.abs(y[0][i]) <= Math.abs(src[i]) && Math.abs(y[1][i]) <= Math.abs(src[i]))) throw new Error(`sample ${i}`);
          }
        },
      ),
      { numRuns: runs(50) },
    );
  });

  it('leaves a block with fewer than two channels untouched', () => {
    const p = new Panner({ pan: 0.5 });
    p.prepare({ sampleRate: FS, maxBlockSize: 128, channels: 2 });
    const x = new Float32Array(64).fill(0.3);
    p.process([x]);
    expect(x.every((v) => v === Math.fround(0.3))).toBe(true);
  });
});
