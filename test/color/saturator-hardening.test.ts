/**
 * Saturator hardening (issue 11, section 2): no subnormal numbers in any state after a signal
 * stops, and bit-identical output for any block partition when the 'tube' curve's DC blocker
 * starts on a decaying tail.
 *
 * Subnormals are detected directly in the processor's typed arrays (test/support/denormal.ts), not
 * by timing: this project's test CPU hides most of their cost.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SATURATION_CURVES } from '../../src/color/curves.js';
import { OVERSAMPLING_FILTERS, Saturator } from '../../src/color/saturator.js';
import { OVERSAMPLING_FACTORS } from '../../src/color/oversampling.js';
import { cutsFromSizes, render } from '../support/conformance.js';
import { countFloatArrays, countSubnormals, countSubnormalState, subnormalState } from '../support/denormal.js';
import { firstDifference, identical, multiChannel, noise, runs } from '../support/signals.js';

const fs = 48000;

describe('the subnormal counter (test/support/denormal.ts)', () => {
  it('counts subnormal doubles and floats, not zeros or normal numbers, and finds nested arrays', () => {
    const st = { a: Float64Array.of(0, -0, 5e-324, -2.2e-308, 2.2250738585072014e-308, 1e-300), b: [{ c: Float32Array.of(1e-39, 1.2e-38, 0) }] };
    expect(countSubnormals(st.a)).toBe(2);
    expect(countSubnormals(st.b[0].c)).toBe(1);
    expect(countSubnormalState(st)).toBe(3);
    expect([...subnormalState(st).keys()]).toEqual(['this.a', 'this.b[0].c']);
  });
});

describe('Saturator: no subnormal state after noise then silence', () => {
  // Mono, 0.5 s of noise then 1 s of silence in 100-frame blocks (not a divisor of any internal
  // grid, so the state is read at every phase of it); the state is read every 10th block of the
  // silence, and the silent output is checked too. Before the fix, the IIR oversampler's all-pass
  // states settled into subnormal limit cycles within 0.2 s of silence, for good.
  for (const filter of OVERSAMPLING_FILTERS) {
    for (const factor of OVERSAMPLING_FACTORS) {
      it(`${filter}, ${factor}×: every curve`, () => {
        for (const curve of SATURATION_CURVES) {
          const p = new Saturator({ curve, oversampling: factor, oversamplingFilter: filter, driveDb: 12 });
          p.prepare({ sampleRate: fs, maxBlockSize: 128, channels: 1 });
          // (The walk must reach the oversampler's and DC blocker's arrays.)
          expect(countFloatArrays(p)).toBeGreaterThan(8);
          const loud = noise(fs / 2, 3, 0.8);
          const block = new Float32Array(100);
          let outSubnormals = 0;
          let worst = '';
          for (let pos = 0, b = 0; pos < 3 * (fs / 2); pos += 100, b++) {
            block.fill(0);
            if (pos < loud.length) block.set(loud.subarray(pos, pos + 100));
            p.process([block]);
            if (pos >= loud.length) {
              outSubnormals += countSubnormals(block);
              if (b % 10 === 0 && !worst && countSubnormalState(p) > 0) worst = `${((pos - loud.length) / fs).toFixed(3)} s into silence: ${JSON.stringify(Object.fromEntries(subnormalState(p)))}`;
            }
          }
          expect(worst, `${curve}: subnormal state`).toBe('');
          expect(countSubnormalState(p), curve).toBe(0);
          expect(outSubnormals, `${curve}: subnormal output samples`).toBe(0);
        }
      });
    }
  }
});

describe('Saturator: any partition gives bit-identical output', () => {
  // Regression: the DC blocker flushed its state below 1e-30 at the end of each chunk, and chunks
  // end on block boundaries, so a 'tube' blocker that started on the decaying tail of a signal
  // (values around 1e-30) gave outputs differing by ~1e-33 (and +0 vs −0) between partitions.
  const frames = 3000;
  const input = multiChannel(2, frames, 5);
  for (const ch of input) ch.fill(0, 1000);
  for (const filter of OVERSAMPLING_FILTERS) {
    for (const factor of [4, 8] as const) {
      it(`curve change to 'tube' on a decaying tail, ${factor}×, ${filter} (fast-check partitions)`, () => {
        const make = () => {
          const p = new Saturator({ curve: 'tanh', driveDb: 12, oversampling: factor, oversamplingFilter: filter });
          p.prepare({ sampleRate: fs, maxBlockSize: 256, channels: 2 });
          return p;
        };
        fc.assert(
          fc.property(fc.constantFrom(1500, 1600, 1700, 1800, 1900), fc.array(fc.integer({ min: 1, max: 256 }), { minLength: 1, maxLength: 8 }), (at, sizes) => {
            const automation = [{ at, apply: (p: Saturator) => p.set({ curve: 'tube' }) }];
            const reference = render(make(), input, cutsFromSizes([128], frames), automation);
            const out = render(make(), input, cutsFromSizes(sizes, frames), automation);
            expect(identical(reference, out), firstDifference(reference, out)).toBe(true);
          }),
          { numRuns: runs(12), seed: 11 },
        );
      });
    }
  }
});
