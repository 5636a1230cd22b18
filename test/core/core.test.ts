/** Core helpers: SmoothedValue, validation messages, dB conversions, spec checks. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dbToGain, gainToDb, powerToDb } from '../../src/core/db.js';
import { safeFrameCount, usableChannels, validateSpec } from '../../src/core/processor.js';
import { SmoothedValue } from '../../src/core/smoothed-value.js';
import { checkKnownKeys, checkNumber, checkOneOf, checkOption, defineRules, describeValue, validateOptions, type OptionRules } from '../../src/core/validate.js';
import { runs } from '../support/signals.js';

describe('SmoothedValue', () => {
  it('ramps linearly: half way is the arithmetic mean, the end is the exact target', () => {
    const s = new SmoothedValue('linear', 0);
    s.reset(1000, 0.1); // 100 samples
    s.setTarget(1);
    s.skip(50);
    expect(s.current).toBeCloseTo(0.5, 12);
    s.skip(50);
    expect(s.current).toBe(1);
    expect(s.isSmoothing).toBe(false);
  });

  it('ramps multiplicatively: half way is the geometric mean', () => {
    const s = new SmoothedValue('multiplicative', 100);
    s.reset(1000, 0.1);
    s.setTarget(10000);
    s.skip(50);
    expect(s.current).toBeCloseTo(1000, 9);
    s.skip(1000);
    expect(s.current).toBe(10000);
  });

  it('skip(n), fill(n) and n × next() agree exactly, for any split (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<'linear' | 'multiplicative'>('linear', 'multiplicative'),
        fc.double({ min: 0.1, max: 1000, noNaN: true }),
        fc.double({ min: 0.1, max: 1000, noNaN: true }),
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 20 }),
        (kind, a, b, length, splits) => {
          const mk = () => {
            const s = new SmoothedValue(kind, a);
            s.reset(1000, length / 1000);
            s.setTarget(b);
            return s;
          };
          const byNext = mk();
          const byFill = mk();
          const bySkip = mk();
          const buf = new Float64Array(64);
          for (const n of splits) {
            let last = NaN;
            for (let i = 0; i < n; i++) last = byNext.next();
            byFill.fill(buf, n);
            bySkip.skip(n);
            expect(buf[n - 1]).toBe(last);
            expect(bySkip.current).toBe(last);
          }
        },
      ),
      { numRuns: runs(200) },
    );
  });

  it('jumps at once with a zero ramp, and after reset() or setImmediate()', () => {
    const s = new SmoothedValue('linear', 1);
    s.reset(48000, 0);
    s.setTarget(2);
    expect(s.current).toBe(2);
    s.reset(48000, 0.02);
    s.setTarget(3);
    expect(s.isSmoothing).toBe(true);
    s.setImmediate(4);
    expect([s.current, s.target, s.isSmoothing]).toEqual([4, 4, false]);
    expect(s.rampLength).toBe(960);
  });
});

describe('validation', () => {
  it('names the owner, the parameter, the range and the value', () => {
    expect(() => checkNumber('Comp', 'ratio', 0.5, { min: 1, max: 100 })).toThrow(new RangeError('Comp.ratio must be in [1, 100], got 0.5'));
    expect(() => checkNumber('Comp', 'ratio', NaN, { min: 1, max: 100 })).toThrow(/got NaN/);
    expect(() => checkNumber('F', 'frequencyHz', 0, { min: 0, max: 24000, minOpen: true, maxOpen: true, unit: 'Hz' })).toThrow(
      new RangeError('F.frequencyHz must be in (0, 24000) Hz, got 0'),
    );
    expect(() => checkNumber('F', 'q', '1', { min: 0, max: 1 })).toThrow(TypeError);
    expect(() => checkOneOf('F', 'type', 'bell', ['peaking', 'notch'])).toThrow(new TypeError('F.type must be one of "peaking", "notch", got "bell"'));
    expect(() => checkKnownKeys('F', { frequncyHz: 1 }, ['frequencyHz'])).toThrow(/unknown option "frequncyHz"/);
  });

  it('checks specs', () => {
    expect(validateSpec('X', { sampleRate: 48000, maxBlockSize: 128, channels: 2 })).toEqual({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
    expect(() => validateSpec('X', { sampleRate: 500000, maxBlockSize: 128, channels: 2 })).toThrow(/sampleRate must be a number in \[8000, 384000\] Hz, got 500000/);
    expect(() => validateSpec('X', null as never)).toThrow(TypeError);
  });

  it('safeFrameCount clamps to the shortest channel and never returns a bad count', () => {
    const b = [new Float32Array(10), new Float32Array(6)];
    expect(safeFrameCount(b, 2, undefined)).toBe(6);
    expect(safeFrameCount(b, 1, undefined)).toBe(10);
    expect(safeFrameCount(b, 2, 4.7)).toBe(4);
    expect(safeFrameCount(b, 2, NaN)).toBe(0);
    expect(safeFrameCount(b, 2, -3)).toBe(0);
    expect(safeFrameCount([], 2, 5)).toBe(0);
    expect(safeFrameCount(b, 2, 5n)).toBe(5);
    expect(safeFrameCount(b, 2, 10n ** 40n)).toBe(6);
    expect(safeFrameCount(b, 2, -1n)).toBe(0);
    expect(safeFrameCount(b, 2, null)).toBe(6);
    expect(safeFrameCount(b, 2, '4')).toBe(0);
    expect(safeFrameCount(null as never, 2, 4)).toBe(0);
    expect(safeFrameCount([b[0], null] as never, 2, undefined)).toBe(10);
  });

  it('usableChannels counts the leading Float32Arrays, up to the spec', () => {
    const a = new Float32Array(4);
    expect(usableChannels([a, a, a], 2)).toBe(2);
    expect(usableChannels([a, undefined, a], 3)).toBe(1);
    expect(usableChannels(new Array(2), 2)).toBe(0);
    expect(usableChannels(null, 2)).toBe(0);
    expect(usableChannels('ab', 2)).toBe(0);
    expect(usableChannels([new Float64Array(4)], 1)).toBe(0);
  });

  it('shows values in messages briefly: long strings are cut, BigInts keep their n', () => {
    const huge = 'x'.repeat(5_000_000);
    let message = '';
    try {
      checkOneOf('F', 'type', huge, ['peaking']);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.length).toBeLessThan(200);
    expect(message).toMatch(/a string of 5000000 characters/);
    expect(describeValue(12n)).toBe('12n');
    expect(describeValue(-0)).toBe('-0');
    expect(() => validateSpec('X', { sampleRate: '48000', maxBlockSize: 128, channels: 2 } as never)).toThrow(new TypeError('X.prepare(spec): spec.sampleRate must be a number, got "48000"'));
  });
});

describe('validation rule tables (validateOptions)', () => {
  interface Opts {
    gainDb: number;
    voices: number;
    mode: 'a' | 'b';
    on: boolean;
    weights: number[] | null;
    bands: { freq?: number; bypass?: boolean }[];
    inner: { depth?: number };
  }
  const RULES: OptionRules<Opts> = defineRules<Opts>({
    gainDb: { kind: 'number', range: { min: -48, max: 48, unit: 'dB' } },
    voices: { kind: 'number', range: { min: 1, max: 8 }, integer: true },
    mode: { kind: 'enum', values: ['a', 'b'] },
    on: { kind: 'boolean' },
    weights: { kind: 'array', items: { kind: 'number', range: { min: 0, max: 10 } }, minLength: 1, maxLength: 4, nullable: true },
    bands: {
      kind: 'array',
      items: {
        kind: 'object',
        noun: 'a band options object',
        rules: { freq: { kind: 'number', range: { min: 0, max: 1000, minOpen: true, unit: 'Hz' } }, bypass: { kind: 'boolean' } },
      },
      maxLength: 3,
    },
    inner: { kind: 'object', rules: { depth: { kind: 'number', range: { min: 0, max: 1 } } } },
  });
  const check = (o: unknown) => validateOptions<Opts>('Owner', o, RULES);
  /** The error `f` throws (undefined if none). */
  const thrown = (f: () => unknown): Error | undefined => {
    try {
      f();
    } catch (e) {
      return e as Error;
    }
    return undefined;
  };

  it('accepts good values and returns copies holding only the given keys', () => {
    const weights = [1, 1, 1.41];
    const bands = [{ freq: 100 }, { bypass: true, freq: undefined }];
    const out = check({ gainDb: -3, voices: 2, mode: 'b', on: false, weights, bands, inner: {} });
    expect(out).toEqual({ gainDb: -3, voices: 2, mode: 'b', on: false, weights: [1, 1, 1.41], bands: [{ freq: 100 }, { bypass: true }], inner: {} });
    expect(out.weights).not.toBe(weights);
    expect(out.bands?.[0]).not.toBe(bands[0]);
    expect(Object.keys(out.bands?.[1] ?? {})).toEqual(['bypass']); // undefined counts as absent
    expect(check({ weights: null })).toEqual({ weights: null });
    expect(check({ gainDb: undefined })).toEqual({});
    // A misspelt key is rejected even when its value is undefined.
    expect(() => check({ gian: undefined })).toThrow(/unknown option "gian"/);
  });

  it('names the full path, the range and the value of a bad nested value', () => {
    expect(thrown(() => check({ bands: [{}, {}, { freq: 2000 }] }))).toEqual(new RangeError('Owner.bands[2].freq must be in (0, 1000] Hz, got 2000'));
    expect(thrown(() => check({ bands: [{ freq: '1' }] }))).toEqual(new TypeError('Owner.bands[0].freq must be a number in (0, 1000] Hz, got "1"'));
    expect(thrown(() => check({ bands: [{ frq: 1 }] }))).toEqual(new TypeError('Owner.bands[0]: unknown option "frq"; valid options are freq, bypass'));
    expect(thrown(() => check({ inner: { depth: NaN } }))).toEqual(new RangeError('Owner.inner.depth must be in [0, 1], got NaN'));
    expect(thrown(() => check({ inner: 5 }))).toEqual(new TypeError('Owner.inner must be an options object, got 5'));
    expect(thrown(() => check({ weights: [1, -0.5] }))).toEqual(new RangeError('Owner.weights[1] must be in [0, 10], got -0.5'));
    expect(thrown(() => check({ voices: 2.5 }))).toEqual(new RangeError('Owner.voices must be an integer in [1, 8], got 2.5'));
    expect(thrown(() => check({ voices: 9 }))).toEqual(new RangeError('Owner.voices must be in [1, 8], got 9'));
  });

  it('rejects non-arrays, holes and bad lengths', () => {
    expect(thrown(() => check({ bands: {} }))).toEqual(new TypeError('Owner.bands must be an array, got a value of type object'));
    expect(thrown(() => check({ bands: 'abc' }))).toEqual(new TypeError('Owner.bands must be an array, got "abc"'));
    expect(thrown(() => check({ weights: 3 }))).toEqual(new TypeError('Owner.weights must be null or an array, got 3'));
    expect(thrown(() => check({ bands: null }))).toEqual(new TypeError('Owner.bands must be an array, got null'));
    // eslint-disable-next-line no-sparse-arrays
    expect(thrown(() => check({ bands: [, {}] }))).toEqual(new TypeError('Owner.bands[0] must be a band options object, got undefined'));
    expect(thrown(() => check({ bands: [{}, undefined] }))).toEqual(new TypeError('Owner.bands[1] must be a band options object, got undefined'));
    expect(thrown(() => check({ bands: [[]] }))).toEqual(new TypeError('Owner.bands[0] must be a band options object, got an array'));
    // eslint-disable-next-line no-sparse-arrays
    expect(thrown(() => check({ weights: [1, , 2] }))).toEqual(new TypeError('Owner.weights[1] must be a number in [0, 10], got undefined'));
    expect(thrown(() => check({ weights: [] }))).toEqual(new RangeError('Owner.weights must have between 1 and 4 items, got 0'));
    expect(thrown(() => check({ weights: [1, 1, 1, 1, 1] }))).toEqual(new RangeError('Owner.weights must have between 1 and 4 items, got 5'));
    expect(thrown(() => check({ bands: new Array(1e9) }))).toEqual(new RangeError('Owner.bands must have at most 3 items, got 1000000000'));
    // A hole is a hole even when the prototype chain has a value at that index.
    const withProto = Object.setPrototypeOf([], Object.assign(Object.create(Array.prototype), { 0: { freq: 1 } })) as unknown[];
    withProto.length = 1;
    expect(thrown(() => check({ bands: withProto }))).toBeInstanceOf(TypeError);
  });

  it('checks single values with checkOption, and freezes rule tables deeply', () => {
    expect(checkOption('X', 'w', [0, 10], { kind: 'array', items: { kind: 'number', range: { min: 0, max: 10 } } })).toEqual([0, 10]);
    expect(() => checkOption('X', 'w', null, { kind: 'boolean' })).toThrow(new TypeError('X.w must be a boolean, got null'));
    expect(Object.isFrozen(RULES)).toBe(true);
    const bands = RULES.bands;
    expect(bands.kind === 'array' && Object.isFrozen(bands.items)).toBe(true);
    const gain = RULES.gainDb;
    expect(gain.kind === 'number' && Object.isFrozen(gain.range)).toBe(true);
    expect(() => {
      (RULES as { gainDb: unknown }).gainDb = { kind: 'boolean' };
    }).toThrow(TypeError);
  });
});

describe('dB helpers', () => {
  it('convert amplitude and power ratios', () => {
    expect(dbToGain(-6.0206)).toBeCloseTo(0.5, 5);
    expect(dbToGain(-Infinity)).toBe(0);
    expect(gainToDb(0)).toBe(-Infinity);
    expect(gainToDb(-2)).toBeCloseTo(6.0206, 4);
    expect(powerToDb(0.5)).toBeCloseTo(-3.0103, 4);
    fc.assert(fc.property(fc.double({ min: -120, max: 40, noNaN: true }), (db) => Math.abs(gainToDb(dbToGain(db)) - db) < 1e-9));
  });
});
