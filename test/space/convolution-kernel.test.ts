/**
 * The Convolver's spectral products: the WebAssembly SIMD kernel (convolution-kernel.wat,
 * embedded as base64) and the JavaScript one must give the same output to the bit for any IR
 * (mono, stereo, true stereo; a few taps to over a second), rate, block partition and input (NaN,
 * ±∞, 1e30), and the engine must fall back to JavaScript when a WebAssembly memory cannot be
 * made; the first change of each kind after a long steady run allocates nothing, on the sources and
 * on dist/.
 * (The embedded bytes are checked against the .wat in reverb-kernel.test.ts, for every
 * kernel; the built package without WebAssembly is checked there too.)
 */
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Convolver } from '../../src/space/convolver.js';
import { PartitionedConvolution, useConvolutionWasm, type ConvolutionPath } from '../../src/space/partitioned-convolution.js';
import { cutsFromSizes, render } from '../support/conformance.js';
import { MEASURE_YOUNG, runFresh } from '../support/fresh-process.js';
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
      const c = new Convolver({ impulseResponse: h });
      c.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
      expect((c as unknown as { cur: { mac: unknown } }).cur.mac, 'the JavaScript products').toBeUndefined();
      expect(firstDifference(renderWith(true, h, 48000, x, [128]), want)).toBe('none');
    } finally {
      api.Memory = real;
    }
  });

  describe('the first change of each kind after a long steady run allocates nothing in process() (a fresh process: the sources and the built package)', () => {
    const script = (from: string) => `
      const { Convolver } = await import(${JSON.stringify('%FROM%')});
      ${MEASURE_YOUNG}
      const ir = (s) => [0, 1].map((c) => Float32Array.from({ length: 6000 }, (_, i) => Math.sin(i * (c + s)) * Math.exp(-i / 1500)));
      const conv = new Convolver({ impulseResponse: ir(1.3) });
      conv.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
      const x = [new Float32Array(128), new Float32Array(128)];
      let b = 0;
      const block = () => { b++; for (let i = 0; i < 128; i++) { x[0][i] = Math.sin((b * 128 + i) * 0.01); x[1][i] = -x[0][i]; } conv.process(x); };
      for (let i = 0; i < 20000; i++) block();
      const out = {};
      for (const [name, change] of [['a new IR', { impulseResponse: ir(2.1) }], ['mix', { mix: 0.5 }], ['preDelayMs', { preDelayMs: 20 }], ['wetGainDb', { wetGainDb: -6 }], ['no IR', { impulseResponse: null }], ['an IR again', { impulseResponse: ir(0.7) }]]) {
        conv.set(change);
        globalThis.gc(); // (the change's own garbage, on the control side)
        out[name] = await measureYoung(() => { for (let i = 0; i < 200; i++) block(); });
      }
      console.log(JSON.stringify(out));`.replace('%FROM%', from);
    const root = new URL('../../', import.meta.url).pathname;
    for (const [name, flags, from] of [
      ['sources', ['--import', 'tsx/esm'], `${root}src/space/convolver.ts`],
      ['dist/index.js', [], `${root}dist/index.js`],
    ] as [string, string[], string][]) {
      it.skipIf(!existsSync(from))(name, () => {
        const result = runFresh<Record<string, { grew: number; gcs: number }>>(script(from), flags, root);
        // Before: a deoptimised process() boxed 0.1–4 MB after each first change. (The measurement
        // itself takes about 2 kB.)
        for (const [change, r] of Object.entries(result)) {
          expect(r.gcs, `${change}: ${JSON.stringify(result)}`).toBe(0);
          expect(r.grew, `${change}: ${JSON.stringify(result)}`).toBeLessThan(6 * 1024);
        }
      }, 60_000);
    }
  });
});
