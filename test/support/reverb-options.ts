/** fast-check arbitrary of Reverb options over their whole documented ranges (shared by the Reverb tests). */
import fc from 'fast-check';
import type { ReverbOptions } from '../../src/space/reverb.js';

/** Every option drawn from its range; `partial` leaves each one out at random (the defaults apply). */
export function reverbOptions(partial?: false): fc.Arbitrary<ReverbOptions>;
export function reverbOptions(partial: true): fc.Arbitrary<Partial<ReverbOptions>>;
export function reverbOptions(partial = false): fc.Arbitrary<Partial<ReverbOptions>> {
  return fc.record(
    {
      decaySeconds: fc.double({ min: 0.2, max: 20, noNaN: true }),
      preDelayMs: fc.double({ min: 0, max: 500, noNaN: true }),
      size: fc.double({ min: 0.25, max: 2, noNaN: true }),
      diffusion: fc.double({ min: 0, max: 1, noNaN: true }),
      lowDecayRatio: fc.double({ min: 0.25, max: 4, noNaN: true }),
      highDecayRatio: fc.double({ min: 0.1, max: 1, noNaN: true }),
      lowCrossoverHz: fc.double({ min: 20, max: 2000, noNaN: true }),
      highCrossoverHz: fc.double({ min: 1000, max: 20000, noNaN: true }),
      width: fc.double({ min: 0, max: 1, noNaN: true }),
      mix: fc.double({ min: 0, max: 1, noNaN: true }),
      smoothingMs: fc.double({ min: 0, max: 1000, noNaN: true }),
    },
    partial ? { requiredKeys: [] } : undefined,
  );
}
