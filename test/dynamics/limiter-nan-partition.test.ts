/**
 * Regression (found by the Mixer's partition test): a NaN in a quiet stretch near a loud peak made
 * the true-peak limiter's output depend on the block partition. The segment-peak search skips
 * groups of 64 segments whose largest |x| is below the threshold, the groups start at each call's
 * first segment, and that largest |x| ignored NaN: whether the NaN was seen (and silenced) depended
 * on which group it fell into.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Limiter } from '../../src/dynamics/limiter.js';
import { cutsFromSizes, render } from '../support/conformance.js';
import { firstDifference, identical, noise, runs } from '../support/signals.js';

describe('Limiter: NaN near a peak, any partition', () => {
  it('gives bit-identical output for any block partition (fast-check)', () => {
    const frames = 4096;
    const x = [noise(frames, 3, 0.01), noise(frames, 4, 0.01)];
    for (const at of [1040, 2300]) for (let i = 0; i < 8; i++) x[0][at + i] = x[1][at + i] = (i % 2 ? -1 : 1) * 1.5;
    x[0][1000] = NaN;
    x[1][2250] = NaN;
    const make = () => {
      const l = new Limiter({ ceilingDb: -1, stereoLink: 1 });
      l.prepare({ sampleRate: 48000, maxBlockSize: 256, channels: 2 });
      return l;
    };
    const expected = render(make(), x, cutsFromSizes([256], frames));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 256 }), { minLength: 1, maxLength: 12 }), (sizes) => {
        const y = render(make(), x, cutsFromSizes(sizes, frames));
        if (!identical(y, expected)) throw new Error(`partition ${sizes.join(',')}: ${firstDifference(y, expected)}`);
      }),
      { numRuns: runs(40) },
    );
    // And the NaN is silenced, not passed on.
    for (const ch of expected) for (const v of ch) expect(Number.isNaN(v)).toBe(false);
  });
});
