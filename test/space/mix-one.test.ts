/**
 * `mix: 1` is the wet signal exactly, whatever the dry sample: `dry + 1·(wet − dry)` would cancel a
 * huge dry sample (1e30) to 0 and let NaN through. Delay and Chorus (the Reverb's case is in
 * reverb.test.ts): their wet output at a sample does not depend on that sample's input (it enters a
 * delay line first), so a hostile sample must leave the output there as it is with 0 in its place.
 */
import { describe, expect, it } from 'vitest';
import { Chorus } from '../../src/modulation/chorus.js';
import { Delay } from '../../src/space/delay.js';
import type { Processor } from '../../src/core/processor.js';
import { noise } from '../support/signals.js';

function run(make: () => Processor, v: number): Float32Array[] {
  const p = make();
  p.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
  const x = [noise(9600, 1, 0.5), noise(9600, 2, 0.5)];
  for (const c of x) c[5000] = v;
  for (let pos = 0; pos < 9600; pos += 128) p.process(x.map((c) => c.subarray(pos, pos + 128)));
  return x;
}

describe('mix 1 is the wet signal exactly', () => {
  const cases: [string, () => Processor][] = [
    ['Delay', () => new Delay({ timeMs: 50, feedback: 0.5, mix: 1 })],
    ['Delay, ping-pong, modulated', () => new Delay({ mode: 'ping-pong', timeMs: 30, feedback: 0.3, modDepthMs: 2, mix: 1 })],
    ['Chorus', () => new Chorus({ voices: 3, feedback: 0.3, mix: 1 })],
  ];
  for (const [name, make] of cases) {
    it(`${name}: a 1e30, −3e38, NaN or ±Infinity input sample leaves the output at that sample unchanged`, () => {
      const ref = run(make, 0);
      expect(ref[0][5000]).not.toBe(0);
      for (const v of [1e30, -3e38, Number.NaN, Infinity, -Infinity]) {
        const y = run(make, v);
        expect(y[0][5000], `${name}, ${v}`).toBe(ref[0][5000]);
        expect(y[1][5000], `${name}, ${v}`).toBe(ref[1][5000]);
      }
    });
  }
});
