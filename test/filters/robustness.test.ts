/**
 * BiquadFilter and ParametricEQ under hostile input: non-finite samples inside one long
 * `process()` call, and block-partition independence down to the last bit (the sign of zero) when
 * the state decays into the flush range during silence.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Processor } from '../../src/core/processor.js';
import { BiquadFilter } from '../../src/filters/biquad-filter.js';
import { STATE_CHECK_INTERVAL, stateCheckInterval } from '../../src/filters/filter-stage.js';
import { ParametricEQ } from '../../src/filters/parametric-eq.js';
import { cutsFromSizes, render, type Automation } from '../support/conformance.js';
import { clone, firstDifference, identical, noise, runs } from '../support/signals.js';

const fs = 48000;

interface Subject {
  name: string;
  create: () => Processor;
  automation: Automation<Processor>[];
}

const SUBJECTS: Subject[] = [
  {
    name: 'BiquadFilter',
    create: () => new BiquadFilter({ type: 'peaking', frequencyHz: 2000, q: 1.5, gainDb: 9 }),
    automation: [
      { at: 1000, apply: (p) => (p as BiquadFilter).set({ frequencyHz: 400, gainDb: -6, smoothingMs: 50 }) },
      { at: 1600, apply: (p) => (p as BiquadFilter).set({ bypass: true }) },
      { at: 5000, apply: (p) => (p as BiquadFilter).set({ bypass: false, q: 4 }) },
      { at: 8000, apply: (p) => (p as BiquadFilter).set({ type: 'butterworth-lowpass', rolloffDbPerOctave: 48, frequencyHz: 3000 }) },
      { at: 14100, apply: (p) => (p as BiquadFilter).set({ frequencyHz: 800, smoothingMs: 100 }) },
    ],
  },
  {
    name: 'ParametricEQ',
    create: () =>
      new ParametricEQ({
        bands: [
          { type: 'butterworth-highpass', frequencyHz: 200, rolloffDbPerOctave: 24 },
          { type: 'lowshelf', frequencyHz: 150, gainDb: 3 },
          { type: 'peaking', frequencyHz: 900, q: 2, gainDb: -4 },
          { type: 'highshelf', frequencyHz: 7000, gainDb: 2.5, shelfSlope: 0.7 },
          { type: 'notch', frequencyHz: 3000, q: 8 },
        ],
        outputGainDb: -1,
      }),
    automation: [
      { at: 1000, apply: (p) => (p as ParametricEQ).setBand(2, { gainDb: 6, frequencyHz: 1500 }) },
      { at: 1600, apply: (p) => (p as ParametricEQ).setBand(4, { bypass: true }) },
      { at: 5000, apply: (p) => (p as ParametricEQ).set({ outputGainDb: 3 }) },
      { at: 8000, apply: (p) => (p as ParametricEQ).addBand({ type: 'lowpass', frequencyHz: 12000 }) },
      { at: 14100, apply: (p) => (p as ParametricEQ).setBand(1, { frequencyHz: 300 }) },
    ],
  },
];

/** Noise with stretches of exact silence (where the state decays into the flush range). */
function burstsAndSilence(frames: number): Float32Array[] {
  const x = [noise(frames, 3, 0.5), noise(frames, 4, 0.5)];
  for (const ch of x) {
    ch.fill(0, 1500, 9000);
    ch.fill(0, 14000);
  }
  return x;
}

function nonFinite(x: Float32Array): number {
  let n = 0;
  for (const v of x) if (!Number.isFinite(v)) n++;
  return n;
}

describe('the partition check itself', () => {
  it('tells -0 from +0 and compares bit patterns (a check that cannot fail proves nothing)', () => {
    expect(identical([new Float32Array([0])], [new Float32Array([-0])])).toBe(false);
    expect(firstDifference([new Float32Array([0])], [new Float32Array([-0])])).toBe('channel 0 sample 0: 0 (0x00000000) vs -0 (0x80000000)');
    expect(identical([new Float32Array([NaN, 1])], [new Float32Array([NaN, 1])])).toBe(true);
    expect(identical([new Float32Array([1, 2])], [new Float32Array([1, 2, 3])])).toBe(false);
    // Subarray views are compared from their own offset.
    const a = new Float32Array([5, 1, 2]);
    expect(identical([a.subarray(1)], [new Float32Array([1, 2])])).toBe(true);
  });
});

for (const s of SUBJECTS) {
  describe(`${s.name}: state checks on an absolute grid`, () => {
    it('recovers from a NaN inside one long process() call within one maxBlockSize chunk', () => {
      // 10 s of stereo noise, one NaN at sample 1000 of the left channel, ONE process() call.
      const frames = 10 * fs;
      const maxBlockSize = 128;
      const clean = [noise(frames, 11, 0.5), noise(frames, 12, 0.5)];
      const x = clone(clean);
      x[0][1000] = NaN;
      const p = s.create();
      p.prepare({ sampleRate: fs, maxBlockSize, channels: 2 });
      p.process(x);
      // The promise: finite again within one maxBlockSize chunk of the bad sample.
      for (let i = 1000 + maxBlockSize; i < frames; i++) if (!Number.isFinite(x[0][i])) expect.fail(`sample ${i} is ${x[0][i]}`);
      expect(nonFinite(x[0])).toBeLessThanOrEqual(maxBlockSize);
      // The other channel never saw the NaN: it equals the clean run exactly.
      const q = s.create();
      q.prepare({ sampleRate: fs, maxBlockSize, channels: 2 });
      const y = clone(clean);
      q.process(y);
      expect(identical([x[1]], [y[1]]), firstDifference([x[1]], [y[1]])).toBe(true);
      // Recovery means a restart from silence at the first grid point after the NaN: from there on
      // the output is that of a fresh processor fed the rest of the signal.
      const g = Math.ceil(1001 / stateCheckInterval(maxBlockSize)) * stateCheckInterval(maxBlockSize);
      const fresh = s.create();
      fresh.prepare({ sampleRate: fs, maxBlockSize, channels: 1 });
      const rest = [clean[0].slice(g)];
      fresh.process(rest);
      expect(identical([x[0].subarray(g)], rest), firstDifference([x[0].subarray(g)], rest)).toBe(true);
    });

    it('gives the same bits for a NaN-hit signal in one call, in maxBlockSize blocks and in any partition (fast-check)', () => {
      const frames = fs;
      const x = [noise(frames, 21, 0.5), noise(frames, 22, 0.5)];
      x[0][1000] = NaN;
      x[1][20_000] = Infinity;
      x[0][30_001] = -Infinity;
      for (const maxBlockSize of [128, 37, 1024]) {
        const spec = { sampleRate: fs, maxBlockSize, channels: 2 };
        const prepared = (): Processor => {
          const p = s.create();
          p.prepare(spec);
          return p;
        };
        const one = render(prepared(), x, []);
        const blocks = render(prepared(), x, cutsFromSizes([maxBlockSize], frames));
        expect(identical(one, blocks), `maxBlockSize ${maxBlockSize}: ${firstDifference(one, blocks)}`).toBe(true);
        // Three bad samples poison at most one grid step each.
        expect(nonFinite(one[0]) + nonFinite(one[1])).toBeLessThanOrEqual(3 * Math.min(maxBlockSize, STATE_CHECK_INTERVAL));
        fc.assert(
          fc.property(fc.array(fc.integer({ min: 1, max: maxBlockSize }), { minLength: 1, maxLength: 20 }), (sizes) => {
            const out = render(prepared(), x, cutsFromSizes(sizes, frames));
            if (!identical(out, one)) throw new Error(`maxBlockSize ${maxBlockSize}, partition ${sizes.join(',')}: ${firstDifference(out, one)}`);
          }),
          { numRuns: runs(10) },
        );
      }
    });

    it('is partition-independent to the last bit (sign of zero) through silence, ramps and bypass fades (fast-check)', () => {
      const frames = 30_000;
      const x = burstsAndSilence(frames);
      for (const maxBlockSize of [128, 37]) {
        const spec = { sampleRate: fs, maxBlockSize, channels: 2 };
        const prepared = (): Processor => {
          const p = s.create();
          p.prepare(spec);
          return p;
        };
        for (const automation of [[], s.automation]) {
          const reference = render(prepared(), x, cutsFromSizes([maxBlockSize], frames), automation);
          // The silent stretches really contain signed zeros: the check is not vacuous.
          let negativeZeros = 0;
          for (const ch of reference) for (const v of ch) if (Object.is(v, -0)) negativeZeros++;
          expect(negativeZeros).toBeGreaterThan(0);
          fc.assert(
            fc.property(fc.array(fc.integer({ min: 1, max: maxBlockSize }), { minLength: 1, maxLength: 20 }), (sizes) => {
              const out = render(prepared(), x, cutsFromSizes(sizes, frames), automation);
              if (!identical(out, reference)) throw new Error(`partition ${sizes.join(',')}: ${firstDifference(out, reference)}`);
            }),
            { numRuns: runs(15) },
          );
        }
      }
    });
  });
}
