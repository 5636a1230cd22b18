import { describe, expect, it } from 'vitest';
import { describeOptions, paramsFromJSON, paramsToJSON } from '../../src/core/json.js';
import { BiquadFilter } from '../../src/filters/biquad-filter.js';
import { ParametricEQ } from '../../src/filters/parametric-eq.js';
import { LIMITER_DEFAULTS, LIMITER_RULES, Limiter } from '../../src/dynamics/limiter.js';
import { Panner } from '../../src/stereo/panner.js';
import { PROCESSOR_CLASSES, processorFromJSON } from '../../src/registry.js';
import { Compressor } from '../../src/dynamics/compressor.js';

describe('the shared JSON path', () => {
  it('writes ±Infinity as strings and reads them back where the rule is a number rule (also nested)', () => {
    expect(paramsToJSON({ a: Infinity, b: -Infinity, c: [1, Infinity], d: { e: -Infinity }, f: 'x' })).toEqual({ a: 'Infinity', b: '-Infinity', c: [1, 'Infinity'], d: { e: '-Infinity' }, f: 'x' });
    const cls = {
      type: 'T',
      defaults: { ratio: 4, names: ['a'] },
      rules: { ratio: { kind: 'number', range: { min: 1, max: Infinity } }, names: { kind: 'array', items: { kind: 'enum', values: ['a', 'Infinity'] } } },
    } as const;
    expect(paramsFromJSON(cls as never, { type: 'T', params: { ratio: 'Infinity', names: ['Infinity'] } })).toEqual({ ratio: Infinity, names: ['Infinity'] });
  });

  it('rejects the wrong type, a non-object, unknown keys (typos in a preset), with the class named', () => {
    expect(() => Limiter.fromJSON({ type: 'Compressor', params: {} })).toThrow(/Limiter.fromJSON: expected type "Limiter", got "Compressor"/);
    expect(() => Limiter.fromJSON(null as never)).toThrow(TypeError);
    expect(() => Limiter.fromJSON({ type: 'Limiter', params: { ceilingDB: -1 } })).toThrow(/unknown option "ceilingDB"/);
    expect(() => Limiter.fromJSON({ type: 'Limiter', params: { ceilingDb: 3 } })).toThrow(/Limiter.ceilingDb must be in \[-60, 0\] dB, got 3/);
    expect(() => Limiter.fromJSON({ type: 'Limiter', params: { ceilingDb: 'Infinity' } })).toThrow(/Limiter.ceilingDb must be in \[-60, 0\] dB, got Infinity/);
    expect(() => processorFromJSON({ type: 'x'.repeat(100_000), params: {} })).toThrow(/a string of 100000 characters/);
  });

  it('a missing params object means all defaults', () => {
    expect(new Limiter().toJSON()).toEqual(Limiter.fromJSON({ type: 'Limiter' } as never).toJSON());
  });

  it('round-trips every option of a configured processor', () => {
    const eq = new ParametricEQ({ bands: [{ type: 'butterworth-highpass', frequencyHz: 30, rolloffDbPerOctave: 24 }, { type: 'peaking', frequencyHz: 300, gainDb: -3, q: 2 }], outputGainDb: -1 });
    expect(ParametricEQ.fromJSON(JSON.parse(JSON.stringify(eq))).params).toEqual(eq.params);
    const p = new Panner({ pan: 0.25, law: '-6dB' });
    expect(Panner.fromJSON(JSON.parse(JSON.stringify(p))).params).toEqual(p.params);
  });
});

describe('describeOptions', () => {
  it('lists every option with its kind, default and range from the class’s own tables', () => {
    const rows = describeOptions(Limiter);
    expect(rows.map((r) => r.name)).toEqual(Object.keys(LIMITER_RULES));
    expect(rows.map((r) => r.name).sort()).toEqual(Object.keys(LIMITER_DEFAULTS).sort());
    const ceiling = rows.find((r) => r.name === 'ceilingDb')!;
    expect(ceiling).toMatchObject({ kind: 'number', default: -1, rangeText: '[-60, 0] dB', range: { min: -60, max: 0, unit: 'dB', minOpen: false, maxOpen: false } });
    expect(rows.find((r) => r.name === 'mode')).toMatchObject({ kind: 'enum', values: ['true-peak', 'sample-peak'], default: 'true-peak' });
    expect(describeOptions(ParametricEQ).find((r) => r.name === 'bands')).toMatchObject({ kind: 'array' });
    expect(describeOptions(BiquadFilter).find((r) => r.name === 'frequencyHz')?.range?.unit).toBe('Hz');
    // Plain data: survives JSON.
    expect(JSON.parse(JSON.stringify(rows))).toEqual(rows);
  });
});

describe('every processor class speaks the shared JSON path', () => {
  it('has defaults and rules over the same option names, listable by describeOptions', () => {
    for (const [type, cls] of Object.entries(PROCESSOR_CLASSES)) {
      if (type === 'Chain' || type === 'MidSide' || type === 'Parallel') continue; // containers: their JSON holds children
      const c = cls as unknown as { defaults: object; rules: object };
      expect(Object.keys(c.rules).sort(), type).toEqual(Object.keys(c.defaults).sort());
      expect(describeOptions(c as never).length, type).toBe(Object.keys(c.defaults).length);
      // Defaults pass their own rules.
      expect(() => processorFromJSON({ type, params: { ...c.defaults } }), type).not.toThrow();
    }
  });

  it('a compressor with ratio ∞ (a limiter-like setting) survives JSON, which has no Infinity', () => {
    const c = new Compressor({ ratio: Infinity, thresholdDb: -10 });
    const text = JSON.stringify(c);
    expect(text).toContain('"ratio":"Infinity"');
    expect((processorFromJSON(JSON.parse(text)) as Compressor).params.ratio).toBe(Infinity);
  });
});
