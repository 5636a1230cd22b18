/** ParametricEQ: combined response, equivalence with chained filters, bands, bypass, gain. */
import { describe, expect, it } from 'vitest';
import { designFilter } from '../../src/filters/biquad-coefficients.js';
import { BiquadFilter } from '../../src/filters/biquad-filter.js';
import { FILTER_DEFAULTS } from '../../src/filters/filter-stage.js';
import { MAX_EQ_BANDS, ParametricEQ, type EqBandOptions } from '../../src/filters/parametric-eq.js';
import { abs, analogResponse, butterworthMagnitude, logGrid, referenceCascade, toDb, warp } from '../support/analog.js';
import { render } from '../support/conformance.js';
import { clone, identical, maxAbsDiff, noise, sine } from '../support/signals.js';

const fs = 48000;
const BANDS: Partial<EqBandOptions>[] = [
  { type: 'butterworth-highpass', frequencyHz: 35, rolloffDbPerOctave: 24 },
  { type: 'lowshelf', frequencyHz: 120, gainDb: 2.5, shelfSlope: 0.8 },
  { type: 'peaking', frequencyHz: 400, q: 1.4, gainDb: -3.5 },
  { type: 'peaking', frequencyHz: 2500, q: 3, gainDb: 4 },
  { type: 'highshelf', frequencyHz: 9000, gainDb: -2 },
];

function blocks(frames: number, size: number): number[] {
  const cuts: number[] = [];
  for (let p = size; p < frames; p += size) cuts.push(p);
  return cuts;
}

describe('ParametricEQ', () => {
  it('has the product of its bands’ analog prototypes (times the output gain) as its response, within 0.01 dB', () => {
    const eq = new ParametricEQ({ bands: BANDS, outputGainDb: -1.5 });
    const grid = logGrid(20, 20000, 121);
    const mag = new Float64Array(grid.length);
    eq.getFrequencyResponse(grid, mag, undefined, fs);
    grid.forEach((f, i) => {
      let expected = Math.pow(10, -1.5 / 20);
      for (const b of BANDS) {
        const d = { ...FILTER_DEFAULTS, ...b };
        const w = warp(f, d.frequencyHz, fs);
        expected *= d.type === 'butterworth-highpass' ? butterworthMagnitude(d.rolloffDbPerOctave / 6, w, true) : abs(analogResponse(d, w));
      }
      if (expected > 1e-4) expect(Math.abs(toDb(mag[i]) - toDb(expected)), `at ${f.toFixed(1)} Hz`).toBeLessThan(0.01);
    });
  });

  it('gives bit-identical output to the same filters chained as BiquadFilters', () => {
    const eq = new ParametricEQ({ bands: BANDS });
    const chain = BANDS.map((b) => new BiquadFilter(b));
    const spec = { sampleRate: fs, maxBlockSize: 256, channels: 2 };
    eq.prepare(spec);
    for (const f of chain) f.prepare(spec);
    const x = [noise(20_000, 1, 0.5), noise(20_000, 2, 0.5)];
    const a = render(eq, x, blocks(20_000, 256));
    let b = clone(x);
    for (const f of chain) b = render(f, b, blocks(20_000, 256));
    expect(identical(a, b)).toBe(true);
  });

  it('matches a float64 reference cascade within 1e-6 of full scale', () => {
    const eq = new ParametricEQ({ bands: BANDS, outputGainDb: 2 });
    eq.prepare({ sampleRate: fs, maxBlockSize: 128, channels: 1 });
    const x = noise(20_000, 4, 0.4);
    const y = render(eq, [x], blocks(20_000, 128))[0];
    const sections = BANDS.flatMap((b) => designFilter({ ...FILTER_DEFAULTS, ...b }, fs));
    const ref = referenceCascade(sections, x).map((v) => v * Math.pow(10, 2 / 20));
    expect(maxAbsDiff([y], [ref])).toBeLessThan(1e-6);
  });

  it('passes a bypassed band through untouched: output equals the EQ without that band', () => {
    const withBypass = new ParametricEQ({ bands: BANDS.map((b, i) => (i === 3 ? { ...b, bypass: true } : b)) });
    const without = new ParametricEQ({ bands: BANDS.filter((_, i) => i !== 3) });
    const spec = { sampleRate: fs, maxBlockSize: 128, channels: 2 };
    withBypass.prepare(spec);
    without.prepare(spec);
    const x = [noise(9600, 5), noise(9600, 6)];
    expect(identical(render(withBypass, x, blocks(9600, 128)), render(without, x, blocks(9600, 128)))).toBe(true);
    const m = new Float64Array(1);
    withBypass.getFrequencyResponse([2500], m);
    const n = new Float64Array(1);
    without.getFrequencyResponse([2500], n);
    expect(m[0]).toBe(n[0]);
  });

  it('is exactly a gain stage with no bands, and an identity at 0 dB', () => {
    const eq = new ParametricEQ();
    eq.prepare({ sampleRate: fs, maxBlockSize: 128, channels: 2 });
    const x = [noise(1024, 1), noise(1024, 2)];
    expect(identical(render(eq, x, blocks(1024, 128)), x)).toBe(true);
    const g = new ParametricEQ({ outputGainDb: -6 });
    g.prepare({ sampleRate: fs, maxBlockSize: 128, channels: 1 });
    const y = render(g, [x[0]], blocks(1024, 128))[0];
    const k = Math.pow(10, -6 / 20);
    for (let i = 0; i < y.length; i++) expect(y[i]).toBe(Math.fround(x[0][i] * k));
  });

  it('ramps the output gain smoothly and lands on the exact target', () => {
    const eq = new ParametricEQ({ smoothingMs: 10 });
    eq.prepare({ sampleRate: fs, maxBlockSize: 128, channels: 1 });
    const x = [new Float32Array(2400).fill(0.5)];
    const y = render(eq, x, blocks(2400, 128), [{ at: 256, apply: (p) => p.set({ outputGainDb: -12 }) }])[0];
    const target = 0.5 * Math.pow(10, -12 / 20);
    for (let i = 257; i < 256 + 480; i++) expect(y[i]).toBeLessThanOrEqual(y[i - 1]); // monotonic fade
    expect(Math.max(...Array.from(y.subarray(256, 736), (v, i) => Math.abs(v - (i ? y[255 + i] : y[255]))))).toBeLessThan(0.5 / 400);
    expect(y[2399]).toBeCloseTo(target, 7);
  });

  it('adds, replaces and removes bands; new bands fade in while running', () => {
    const eq = new ParametricEQ({ bands: [{ type: 'peaking', frequencyHz: 1000, gainDb: 6 }] });
    expect(eq.bandCount).toBe(1);
    const i = eq.addBand({ type: 'lowpass', frequencyHz: 5000 });
    expect(i).toBe(1);
    expect(eq.getBand(1).type).toBe('lowpass');
    eq.prepare({ sampleRate: fs, maxBlockSize: 128, channels: 1 });
    // A band added while running starts at its bypassed (dry) output and fades in.
    const x = [sine(4800, 3000, fs, 0.5)];
    const y = render(eq, x, blocks(4800, 128), [{ at: 1280, apply: (p) => p.addBand({ type: 'peaking', frequencyHz: 3000, gainDb: 12 }) }])[0];
    const maxStep = (from: number, to: number): number => {
      let m = 0;
      for (let k = from; k < to; k++) m = Math.max(m, Math.abs(y[k] - y[k - 1]));
      return m;
    };
    // During the fade the output never moves faster than it does once the band is fully in.
    expect(maxStep(1281, 2400)).toBeLessThan(maxStep(3200, 4800) * 1.01);
    eq.removeBand(0);
    expect(eq.params.bands.map((b) => b.type)).toEqual(['lowpass', 'peaking']);
    eq.set({ bands: [{ type: 'notch', frequencyHz: 60 }] });
    expect(eq.bandCount).toBe(1);
    expect(eq.getBand(0)).toEqual({ ...FILTER_DEFAULTS, type: 'notch', frequencyHz: 60 });
  });

  it('validates everything before changing anything', () => {
    const eq = new ParametricEQ({ bands: BANDS });
    const before = JSON.stringify(eq.params);
    expect(() => eq.set({ outputGainDb: 3, bands: [{ gainDb: 1 }, { q: -1 }] })).toThrow(/bands\[1\]\.q/);
    expect(JSON.stringify(eq.params)).toBe(before);
    expect(() => eq.removeBand(-1)).toThrow(RangeError);
    expect(() => new ParametricEQ({ bands: [{ frequencyHz: 1000 }], outputGainDb: 100 })).toThrow(/outputGainDb must be in \[-48, 48\] dB, got 100/);
  });

  it('checks every band against Nyquist when prepared', () => {
    const eq = new ParametricEQ({ bands: [{ frequencyHz: 100 }, { frequencyHz: 30_000 }] });
    expect(() => eq.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 })).toThrow(/bands\[1\]\.frequencyHz.*Nyquist at 48000/);
    expect(() => eq.prepare({ sampleRate: 96000, maxBlockSize: 128, channels: 2 })).not.toThrow();
  });

  it('serialises to JSON that rebuilds the same EQ', () => {
    const eq = new ParametricEQ({ bands: BANDS, outputGainDb: 1 });
    const copy = ParametricEQ.fromJSON(JSON.parse(JSON.stringify(eq)));
    expect(copy.params).toEqual(eq.params);
    expect(() => ParametricEQ.fromJSON({ type: 'BiquadFilter', params: {} })).toThrow(/expected type "ParametricEQ"/);
  });

  it('rejects holes and non-object bands with a TypeError naming the index', () => {
    const spec = { sampleRate: fs, maxBlockSize: 128, channels: 2 };
    // A sparse array: before, the constructor accepted it and prepare() threw a raw TypeError.
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [, { frequencyHz: 500 }] as unknown as Partial<EqBandOptions>[];
    expect(() => new ParametricEQ({ bands: sparse }).prepare(spec)).toThrow(new TypeError('ParametricEQ.bands[0] must be a band options object, got undefined'));
    const trailingHole = [{ frequencyHz: 500 }] as Partial<EqBandOptions>[];
    trailingHole.length = 2;
    expect(() => new ParametricEQ({ bands: trailingHole })).toThrow(new TypeError('ParametricEQ.bands[1] must be a band options object, got undefined'));
    for (const [bad, shown] of [
      [undefined, 'undefined'],
      [null, 'null'],
      [42, '42'],
      ['peaking', '"peaking"'],
      [[], 'an array'],
    ] as const) {
      expect(() => new ParametricEQ({ bands: [{}, bad as never] })).toThrow(new TypeError(`ParametricEQ.bands[1] must be a band options object, got ${shown}`));
    }
    // set() validates the same way and changes nothing.
    const eq = new ParametricEQ({ bands: BANDS });
    eq.prepare(spec);
    const before = JSON.stringify(eq.params);
    expect(() => eq.set({ bands: sparse, outputGainDb: 3 })).toThrow(/ParametricEQ\.bands\[0\] must be a band options object, got undefined/);
    expect(JSON.stringify(eq.params)).toBe(before);
  });

  it(`caps the band count at MAX_EQ_BANDS (${MAX_EQ_BANDS}) with a RangeError`, () => {
    expect(MAX_EQ_BANDS).toBe(64);
    const band = { type: 'peaking', frequencyHz: 1000, gainDb: 1 } as const;
    const full = new ParametricEQ({ bands: Array.from({ length: MAX_EQ_BANDS }, () => band) });
    expect(full.bandCount).toBe(MAX_EQ_BANDS);
    expect(() => new ParametricEQ({ bands: Array.from({ length: MAX_EQ_BANDS + 1 }, () => band) })).toThrow(
      new RangeError(`ParametricEQ.bands must have at most ${MAX_EQ_BANDS} items, got ${MAX_EQ_BANDS + 1}`),
    );
    // The length is checked before any item: a huge sparse array is rejected at once.
    expect(() => new ParametricEQ({ bands: new Array(10_000) })).toThrow(RangeError);
    expect(() => full.addBand(band)).toThrow(RangeError);
    expect(() => full.addBand(band)).toThrow(/at most 64 bands/);
    expect(full.bandCount).toBe(MAX_EQ_BANDS);
    expect(() => full.set({ bands: Array.from({ length: 10_000 }, () => band) })).toThrow(RangeError);
    // A full EQ still runs, and gives the response of its 64 bands (each +1 dB at 1 kHz).
    full.prepare({ sampleRate: fs, maxBlockSize: 128, channels: 2 });
    const m = new Float64Array(1);
    full.getFrequencyResponse([1000], m);
    expect(20 * Math.log10(m[0])).toBeCloseTo(MAX_EQ_BANDS, 9);
  });

  it('names the full path of a bad nested value', () => {
    expect(() => new ParametricEQ({ bands: [{}, {}, {}, { gainDb: 99 }] })).toThrow(new RangeError('ParametricEQ.bands[3].gainDb must be in [-48, 48] dB, got 99'));
    expect(() => new ParametricEQ({ bands: [{}, { gian: 1 } as never] })).toThrow(/^ParametricEQ\.bands\[1\]: unknown option "gian"/);
    expect(() => new ParametricEQ({ bands: [{ type: 'bell' as never }] })).toThrow(TypeError);
    expect(() => new ParametricEQ({ bands: [{ type: 'bell' as never }] })).toThrow(/^ParametricEQ\.bands\[0\]\.type must be one of "lowpass", .*, got "bell"$/);
    expect(() => new ParametricEQ({ bands: {} as never })).toThrow(new TypeError('ParametricEQ.bands must be an array, got a value of type object'));
    expect(() => new ParametricEQ().addBand({ q: 0 })).toThrow(new RangeError('ParametricEQ.bands[0].q must be in [0.001, 100], got 0'));
  });

  it('keeps its own copy of the bands: changing the caller’s objects later changes nothing', () => {
    const bands: Partial<EqBandOptions>[] = [{ type: 'peaking', frequencyHz: 1000, gainDb: 3 }];
    const eq = new ParametricEQ({ bands });
    bands[0].gainDb = 40;
    bands.push({ type: 'notch' });
    expect(eq.bandCount).toBe(1);
    expect(eq.getBand(0).gainDb).toBe(3);
  });
});
