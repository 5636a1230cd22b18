import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BypassFade, DelayLine, delayInPlace } from '../../src/core/delay-line.js';
import { allocationFree, measureAllocationSettled } from '../support/alloc.js';
import { cutsFromSizes } from '../support/conformance.js';
import { multiChannel, runs } from '../support/signals.js';

/** Run `f(views, n)` over `x` (copied) cut at `cuts`. */
function blocks(x: Float32Array[], cuts: number[], f: (views: Float32Array[], n: number) => void): Float32Array[] {
  const y = x.map((c) => c.slice());
  const points = [0, ...cuts, y[0].length];
  for (let k = 0; k + 1 < points.length; k++) f(y.map((c) => c.subarray(points[k], points[k + 1])), points[k + 1] - points[k]);
  return y;
}

describe('DelayLine', () => {
  it('delays by exactly D samples: y[n] = x[n − D], zeros first (direct reference)', () => {
    for (const d of [0, 1, 7, 128, 1000]) {
      const x = multiChannel(2, 3000, 4);
      const line = new DelayLine(2, d);
      const y = blocks(x, [100, 101, 1500], (v, n) => line.process(v, n));
      for (let c = 0; c < 2; c++) for (let i = 0; i < 3000; i++) expect(y[c][i]).toBe(i < d ? 0 : x[c][i - d]);
    }
  });

  it('gives bit-identical output for any block partition (fast-check)', () => {
    const x = multiChannel(2, 2048, 8);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 700 }), fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 20 }), (d, sizes) => {
        const a = new DelayLine(2, d);
        const b = new DelayLine(2, d);
        const ya = blocks(x, [], (v, n) => a.process(v, n));
        const yb = blocks(x, cutsFromSizes(sizes, 2048), (v, n) => b.process(v, n));
        expect(yb).toEqual(ya);
      }),
      { numRuns: runs(50) },
    );
  });

  it('keeps channels that are not passed aligned (they take silence)', () => {
    const line = new DelayLine(2, 3);
    const l = Float32Array.of(1, 2, 3, 4);
    line.process([l], 4, 0, 1);
    const l2 = new Float32Array(4);
    const r2 = new Float32Array(4);
    line.process([l2, r2], 4);
    expect(Array.from(l2)).toEqual([2, 3, 4, 0]);
    expect(Array.from(r2)).toEqual([0, 0, 0, 0]);
  });

  it('reset() clears the line; bad sizes throw naming the parameter', () => {
    const line = new DelayLine(1, 2);
    line.process([Float32Array.of(5, 6)], 2);
    line.reset();
    const y = Float32Array.of(1, 1);
    line.process([y], 2);
    expect(Array.from(y)).toEqual([0, 0]);
    expect(() => new DelayLine(1, 1.5)).toThrow(/DelayLine.delay/);
    expect(() => new DelayLine(0, 1)).toThrow(RangeError);
    expect(() => new DelayLine(1, -1)).toThrow(/DelayLine.delay must be in/);
    expect(() => new DelayLine(1, NaN)).toThrow(RangeError);
  });

  it('delayInPlace with an empty ring is the identity', () => {
    const x = Float32Array.of(1, 2, 3);
    expect(delayInPlace(new Float32Array(0), 0, x, 0, 3)).toBe(0);
    expect(Array.from(x)).toEqual([1, 2, 3]);
  });
});

describe('BypassFade', () => {
  const L = 37;
  const FADE = 100;
  /** A stand-in for processing with latency L: delay by L, then scale by 0.5. */
  function processing() {
    const line = new DelayLine(2, L);
    return (v: Float32Array[], n: number) => {
      line.process(v, n);
      for (const c of v) for (let i = 0; i < n; i++) c[i] *= 0.5;
    };
  }

  it('while bypassed, outputs the input delayed by the latency, bit-exact; not bypassed, the processed signal untouched', () => {
    const x = multiChannel(2, 1000, 3);
    for (const bypassed of [true, false]) {
      const fade = new BypassFade(2, L, 128, FADE);
      fade.setBypassedImmediate(bypassed);
      const run = processing();
      const y = blocks(x, [128, 256, 384, 512, 640, 768, 896], (v, n) => {
        fade.capture(v, 2, n);
        run(v, n);
        fade.mix(v, 2, n);
      });
      for (let c = 0; c < 2; c++) for (let i = 0; i < 1000; i++) expect(y[c][i]).toBe(i < L ? 0 : bypassed ? x[c][i - L] : Math.fround(0.5 * x[c][i - L]));
    }
  });

  it('fades linearly over the fade length (closed form m = k / FADE), the same for any partition', () => {
    const frames = 600;
    const x = [new Float32Array(frames).fill(1), new Float32Array(frames).fill(-1)];
    const at = 200;
    const render = (cuts: number[]) => {
      const fade = new BypassFade(2, L, 128, FADE);
      const run = processing();
      let pos = 0;
      return blocks(x, cuts, (v, n) => {
        if (pos === at) fade.setBypassed(true);
        fade.capture(v, 2, n);
        run(v, n);
        fade.mix(v, 2, n);
        pos += n;
      });
    };
    const cuts = [100, at, 300, 301, 400, 500];
    const y = render(cuts);
    for (let i = 0; i < frames; i++) {
      // Processed: 0.5 (after L), dry: 1 (after L); mix m after k samples of the fade is min(k/FADE, 1).
      const m = i < at ? 0 : Math.min(1, (i - at + 1) / FADE);
      const wet = i < L ? 0 : 0.5;
      const dry = i < L ? 0 : 1;
      expect(y[0][i]).toBeCloseTo(wet + m * (dry - wet), 6);
      expect(y[1][i]).toBeCloseTo(-(wet + m * (dry - wet)), 6);
    }
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 128 }), { minLength: 1, maxLength: 10 }), (sizes) => {
        const c = [...new Set([...cutsFromSizes(sizes, frames), at])].sort((a, b) => a - b);
        expect(render(c)).toEqual(y);
      }),
      { numRuns: runs(30) },
    );
  });

  it('allocates nothing while fading back and forth', async () => {
    const fade = new BypassFade(2, L, 128, FADE);
    const block = multiChannel(2, 128, 1);
    let k = 0;
    const { report, first } = await measureAllocationSettled(() => {
      if (k++ % 3 === 0) fade.setBypassed(!fade.bypassed);
      fade.capture(block, 2, 128);
      fade.mix(block, 2, 128);
    }, 100_000);
    expect(allocationFree(report), JSON.stringify({ report, first })).toBe(true);
  });
});
