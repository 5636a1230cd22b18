/**
 * The Convolver's spectral products: the WebAssembly SIMD kernel (convolution-kernel.wat,
 * embedded as base64) and the JavaScript one must give the same output to the bit for any IR
 * (mono, stereo, true stereo; a few taps to over a second), rate, block partition and input (NaN,
 * ±∞, 1e30), and the engine must fall back to JavaScript when a WebAssembly memory cannot be
 * made. (The embedded bytes are checked against the .wat in reverb-kernel.test.ts, for every
 * kernel; the built package without WebAssembly is checked there too.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Convolver } from '../../src/space/convolver.js';
import { PartitionedConvolution, useConvolutionWasm, type ConvolutionPath } from '../../src/space/partitioned-convolution.js';
import { cutsFromSizes, render } from '../support/conformance.js';
import { firstDifference, noise, runs } from '../support/signals.js';

/** A decaying noise IR of `n` taps per channel. */
function ir(channels: number, n: number, seed: number): Float32Array[] {
  return Array.from({ length: channels }, (_, c) => noise(n, seed + c).map((v, i) => v * Math.exp(-i / (0.3 * n + 1))));
}

/** Render `x` through a Convolver built with the given kernel, cut into blocks of `sizes` (cycled). */
function renderWith(wasm: boolean, h: Float32Array[], sampleRate: number, x: Float32Array[], sizes: number[]): Float32Array[] {
  useConvolutionWasm(wasm);
  const c = new Convolver({ impulseResponse: h, mix: 0.8 });
  c.prepare({ sampleRate, maxBlockSize: Math.max(...sizes), channels: x.length });
  useConvolutionWasm(true);
  return render(c, x, cutsFromSizes(sizes, x[0].length));
}

describe('Convolver kernels', () => {
  it('the WebAssembly kernel is available here (Node has WebAssembly SIMD)', () => {
    expect(useConvolutionWasm(true)).toBe(true);
  });

  it('WebAssembly and JavaScript give the same output to the bit: any IR, rate, partition and input (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 4),
        fc.oneof(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 600, max: 70_000 })),
        fc.constantFrom(8000, 44100, 48000, 96000),
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1000 }),
        (irChannels, taps, sampleRate, sizes, hostile, seed) => {
          const h = ir(irChannels, taps, seed);
          const channels = irChannels === 1 ? 1 : 2;
          const x = Array.from({ length: channels }, (_, c) => noise(20_000, seed + 11 + c, 0.7));
          if (hostile) for (const c of x) for (const [i, v] of [[500, Number.NaN], [501, Infinity], [9000, 1e30], [9001, -1e30]] as const) c[i] = v;
          const difference = firstDifference(renderWith(true, h, sampleRate, x, sizes), renderWith(false, h, sampleRate, x, sizes));
          if (difference !== 'none') throw new Error(`WebAssembly vs JavaScript: ${difference}`);
        },
      ),
      { numRuns: runs(12, 300) },
    );
  });

  it('the engine’s double-precision output is the same to the bit (the float32 output would hide a difference in the last bits): every partition size, many partitions per segment', () => {
    // Engine level: a reordered sum changes doubles in their last bits, which rounding to float32
    // mostly hides.
    for (const [irs, paths] of [
      [2, [{ input: 0, ir: 0, output: 0 }, { input: 1, ir: 1, output: 1 }]],
      [4, [{ input: 0, ir: 0, output: 0 }, { input: 0, ir: 1, output: 1 }, { input: 1, ir: 2, output: 0 }, { input: 1, ir: 3, output: 1 }]],
    ] as [number, ConvolutionPath[]][]) {
      const h = ir(irs, 90_000, 21).map((c) => Float64Array.from(c));
      const x = [Float64Array.from(noise(40_000, 5)), Float64Array.from(noise(40_000, 6))];
      const out = [true, false].map((wasm) => {
        useConvolutionWasm(wasm);
        const e = new PartitionedConvolution(h, paths, 2, 2);
        useConvolutionWasm(true);
        const y = [new Float64Array(40_000), new Float64Array(40_000)];
        for (let p = 0; p < 40_000; ) {
          const n = Math.min(e.untilBoundary, 40_000 - p, 50);
          e.run(x.map((c) => c.subarray(p, p + n)), n, y, p);
          p += n;
        }
        return y;
      });
      for (let c = 0; c < 2; c++) {
        const i = out[0][c].findIndex((v, j) => !Object.is(v, out[1][c][j]));
        expect(i, `${irs} IRs, output ${c}: first difference at ${i}`).toBe(-1);
      }
    }
  });

  it('the same bits with long IRs too (1.5 s true stereo, 2.5 s stereo: every partition size, many partitions per segment)', () => {
    for (const [channels, seconds] of [[4, 1.5], [2, 2.5]] as const) {
      const h = ir(channels, Math.round(seconds * 48000), 9);
      const x = [noise(30_000, 3, 0.5), noise(30_000, 4, 0.5)];
      expect(firstDifference(renderWith(true, h, 48000, x, [128, 77, 1000]), renderWith(false, h, 48000, x, [128, 77, 1000])), `${channels} channels, ${seconds} s`).toBe('none');
    }
  });

  it('falls back to the JavaScript kernel, with the same output, when a WebAssembly memory cannot be made', () => {
    const api = (globalThis as unknown as { WebAssembly: { Memory: unknown } }).WebAssembly;
    const real = api.Memory;
    const h = ir(2, 30_000, 5);
    const x = [noise(40_000, 1), noise(40_000, 2)];
    const want = renderWith(true, h, 48000, x, [128]);
    api.Memory = function () {
      throw new RangeError('WebAssembly.Memory(): could not allocate memory');
    };
    try {
      expect(firstDifference(renderWith(true, h, 48000, x, [128]), want)).toBe('none');
    } finally {
      api.Memory = real;
    }
  });
});
