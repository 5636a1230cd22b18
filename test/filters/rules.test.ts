/** The filters' rule tables are the single source of their validation, and readable as data. */
import { describe, expect, it } from 'vitest';
import { validateOptions, type OptionRule } from '../../src/core/validate.js';
import { FILTER_TYPES, ROLLOFFS } from '../../src/filters/biquad-coefficients.js';
import { BIQUAD_FILTER_DEFAULTS, BIQUAD_FILTER_RULES, BiquadFilter } from '../../src/filters/biquad-filter.js';
import { FILTER_DEFAULTS, FILTER_RANGES, FILTER_RULES } from '../../src/filters/filter-stage.js';
import { MAX_EQ_BANDS, PARAMETRIC_EQ_DEFAULTS, PARAMETRIC_EQ_RULES, ParametricEQ } from '../../src/filters/parametric-eq.js';
import * as api from '../../src/index.js';

/** Just inside / just outside a number rule's range, from the rule itself. */
function edges(rule: OptionRule): { inside: number[]; outside: number[] } {
  if (rule.kind !== 'number') throw new Error('not a number rule');
  const { min, max, minOpen, maxOpen } = rule.range;
  const eps = (v: number) => Math.max(Math.abs(v), 1) * 1e-9;
  return {
    inside: [minOpen ? min + eps(min) : min, maxOpen ? max - eps(max) : max],
    outside: [minOpen ? min : min - eps(min), maxOpen ? max : max + eps(max), NaN, Infinity, -Infinity],
  };
}

describe('filter rule tables', () => {
  it('cover exactly the options that have defaults, and the defaults pass them', () => {
    expect(Object.keys(BIQUAD_FILTER_RULES).sort()).toEqual(Object.keys(BIQUAD_FILTER_DEFAULTS).sort());
    expect(Object.keys(FILTER_RULES).sort()).toEqual(Object.keys(FILTER_DEFAULTS).sort());
    expect(Object.keys(PARAMETRIC_EQ_RULES).sort()).toEqual(Object.keys(PARAMETRIC_EQ_DEFAULTS).sort());
    expect(() => validateOptions('X', BIQUAD_FILTER_DEFAULTS, BIQUAD_FILTER_RULES)).not.toThrow();
    expect(() => validateOptions('X', { ...PARAMETRIC_EQ_DEFAULTS, bands: [FILTER_DEFAULTS] }, PARAMETRIC_EQ_RULES)).not.toThrow();
  });

  it('are the ranges the processors enforce: each bound accepted, just beyond it rejected', () => {
    for (const key of ['frequencyHz', 'q', 'gainDb', 'shelfSlope', 'smoothingMs'] as const) {
      const { inside, outside } = edges(BIQUAD_FILTER_RULES[key]);
      for (const v of inside) expect(() => new BiquadFilter({ [key]: v }), `${key} ${v}`).not.toThrow();
      for (const v of outside) expect(() => new BiquadFilter({ [key]: v }), `${key} ${v}`).toThrow(new RegExp(`^BiquadFilter\\.${key} must be in`));
    }
    for (const key of ['frequencyHz', 'q', 'gainDb', 'shelfSlope'] as const) {
      const { inside, outside } = edges(FILTER_RULES[key]);
      for (const v of inside) expect(() => new ParametricEQ({ bands: [{}, { [key]: v }] })).not.toThrow();
      for (const v of outside) expect(() => new ParametricEQ({ bands: [{}, { [key]: v }] })).toThrow(new RegExp(`^ParametricEQ\\.bands\\[1\\]\\.${key} must be in`));
    }
    const { inside, outside } = edges(PARAMETRIC_EQ_RULES.outputGainDb);
    for (const v of inside) expect(() => new ParametricEQ({ outputGainDb: v })).not.toThrow();
    for (const v of outside) expect(() => new ParametricEQ({ outputGainDb: v })).toThrow(/^ParametricEQ\.outputGainDb must be in/);
  });

  it('list enums, units and the band array as data a UI can read', () => {
    expect(FILTER_RULES.type).toMatchObject({ kind: 'enum', values: [...FILTER_TYPES] });
    expect(FILTER_RULES.rolloffDbPerOctave).toMatchObject({ kind: 'enum', values: [...ROLLOFFS] });
    expect(FILTER_RULES.gainDb).toMatchObject({ kind: 'number', range: { min: -48, max: 48, unit: 'dB' } });
    expect(FILTER_RULES.bypass.kind).toBe('boolean');
    expect(PARAMETRIC_EQ_RULES.bands).toMatchObject({ kind: 'array', maxLength: MAX_EQ_BANDS, items: { kind: 'object', rules: FILTER_RULES } });
    // JSON-serialisable: a CLI can print the table.
    expect(JSON.parse(JSON.stringify(PARAMETRIC_EQ_RULES))).toEqual(PARAMETRIC_EQ_RULES);
    // Frozen all the way down: readers cannot change validation.
    expect(Object.isFrozen(FILTER_RULES) && Object.isFrozen(FILTER_RULES.q) && Object.isFrozen(PARAMETRIC_EQ_RULES.bands)).toBe(true);
  });

  it('keep FILTER_RANGES (deprecated) equal to the rule ranges, and export the tables', () => {
    for (const key of ['q', 'gainDb', 'shelfSlope'] as const) {
      const rule = FILTER_RULES[key];
      expect(rule.kind === 'number' && rule.range).toBe(FILTER_RANGES[key]);
    }
    expect(api.FILTER_RULES).toBe(FILTER_RULES);
    expect(api.BIQUAD_FILTER_RULES).toBe(BIQUAD_FILTER_RULES);
    expect(api.PARAMETRIC_EQ_RULES).toBe(PARAMETRIC_EQ_RULES);
    expect(api.MAX_EQ_BANDS).toBe(64);
    expect(api.FILTER_RANGES).toBe(FILTER_RANGES);
  });
});
