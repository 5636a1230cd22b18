/**
 * The Reverb's two network kernels: the WebAssembly SIMD module (reverb-kernel.wat, embedded as
 * base64) and the JavaScript one must give the same output to the bit for any settings, changes,
 * block partition and input (NaN, ±∞, 1e30 bursts, silence); the embedded bytes must be the build
 * of the .wat source; the base64 decoder must agree with Node's; and the built package must fall
 * back to JavaScript, with the same output, where there is no WebAssembly (`node --jitless`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64 } from '../../src/core/base64.js';
import { REVERB_KERNEL_BASE64 } from '../../src/space/reverb-kernel.js';
import { Reverb, useReverbWasm, type ReverbOptions } from '../../src/space/reverb.js';
import { distFile } from '../support/dist.js';
import { MEASURE_YOUNG, runFresh } from '../support/fresh-process.js';
import { reverbOptions } from '../support/reverb-options.js';
import { cutsFromSizes, render } from '../support/conformance.js';
import { firstDifference, identical, noise, runs } from '../support/signals.js';

const ROOT = new URL('../../', import.meta.url).pathname;

const options = reverbOptions(true);

/** Render `x` through a reverb with the given kernel, cut into blocks of `sizes` (cycled), with `changes` at their sample times. */
function renderWith(wasm: boolean, opts: Partial<ReverbOptions>, sampleRate: number, x: Float32Array[], sizes: number[], changes: [number, Partial<ReverbOptions>][] = []): Float32Array[] {
  useReverbWasm(wasm);
  const r = new Reverb(opts);
  r.prepare({ sampleRate, maxBlockSize: Math.max(...sizes), channels: x.length });
  useReverbWasm(true);
  return render(r, x, cutsFromSizes(sizes, x[0].length), changes.map(([at, o]) => ({ at, apply: (p: Reverb) => p.set(o) })));
}

describe('Reverb kernels', () => {
  it('the WebAssembly kernel is available here (Node has WebAssembly SIMD)', () => {
    expect(useReverbWasm(true)).toBe(true);
  });

  it('every embedded module is the build of its .wat (reverb-kernel, convolution-kernel: scripts/build-wasm.mjs --check)', () => {
    expect(() => execFileSync(process.execPath, [`${ROOT}scripts/build-wasm.mjs`, '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it('decodeBase64 agrees with Node for any bytes (fast-check) and rejects other characters', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = Buffer.from(bytes).toString('base64');
        expect(Array.from(decodeBase64(text))).toEqual(Array.from(bytes));
        expect(Array.from(decodeBase64(text.replace(/=+$/, '')))).toEqual(Array.from(bytes));
      }),
      { numRuns: runs(300) },
    );
    expect(Array.from(decodeBase64(REVERB_KERNEL_BASE64).subarray(0, 4))).toEqual([0, 0x61, 0x73, 0x6d]);
    expect(() => decodeBase64('AAA*')).toThrow(TypeError);
  });

  it('WebAssembly and JavaScript give the same output to the bit: any settings, changes, partition and input (fast-check)', () => {
    fc.assert(
      fc.property(
        options,
        options,
        fc.constantFrom(8000, 44100, 48000, 96000),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 0, max: 3 }),
        (a, b, sampleRate, sizes, channels, kind) => {
          const n = 6000;
          const x = Array.from({ length: channels }, (_, c) => noise(n, 5 + c, 0.8));
          // Hostile bursts, full-scale steps, or a stop into silence.
          if (kind === 1) for (const c of x) for (const [i, v] of [[100, Number.NaN], [101, Infinity], [102, -Infinity], [2000, 1e30], [2001, -1e30], [2002, 5e-324]] as const) c[i] = v;
          if (kind === 2) for (const c of x) for (let i = 0; i < n; i++) c[i] = ((i >> 7) & 1) === 0 ? 1 : -1;
          if (kind === 3) for (const c of x) c.fill(0, 1500);
          const changes: [number, Partial<ReverbOptions>][] = [
            [700, b],
            [3100, { size: a.size ?? 1, mix: 0.7 }],
          ];
          const difference = firstDifference(renderWith(true, a, sampleRate, x, sizes, changes), renderWith(false, a, sampleRate, x, sizes, changes));
          if (difference !== 'none') throw new Error(`WebAssembly vs JavaScript: ${difference}`);
        },
      ),
      { numRuns: runs(20, 400) },
    );
  });

  it('falls back to the JavaScript kernel, with the same output, when a WebAssembly memory cannot be made', () => {
    const api = (globalThis as unknown as { WebAssembly: { Memory: unknown } }).WebAssembly;
    const real = api.Memory;
    const x = [noise(20_000, 3), noise(20_000, 4)];
    const want = renderWith(true, { decaySeconds: 1.5 }, 48000, x, [128]);
    api.Memory = function () {
      throw new RangeError('WebAssembly.Memory(): could not allocate memory');
    };
    try {
      const r = new Reverb({ decaySeconds: 1.5 });
      expect(() => r.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 })).not.toThrow();
      expect((r as unknown as { network: unknown }).network).toBeUndefined();
      expect(identical(renderWith(true, { decaySeconds: 1.5 }, 48000, x, [128]), want)).toBe(true);
    } finally {
      api.Memory = real;
    }
  });

  it('many reverbs prepared at once each get their own network (200 at 48 kHz, then 8 at 384 kHz)', () => {
    const x = [noise(4096, 8), noise(4096, 9)];
    const one = renderWith(true, {}, 48000, x, [128]);
    const many = Array.from({ length: 200 }, () => new Reverb());
    for (const r of many) r.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
    const outs = many.slice(0, 3).map(() => x.map((c) => c.slice()));
    for (let p = 0; p < 4096; p += 128) many.slice(0, 3).forEach((r, i) => r.process(outs[i].map((c) => c.subarray(p, p + 128))));
    for (const o of outs) expect(identical(o, one)).toBe(true);
    const hi = Array.from({ length: 8 }, () => new Reverb({ size: 2 }));
    for (const r of hi) r.prepare({ sampleRate: 384000, maxBlockSize: 4096, channels: 2 });
    const y = [noise(8192, 1), noise(8192, 2)];
    hi[7].process(y);
    expect(y[0].every(Number.isFinite)).toBe(true);
  });

  describe('the first change after a long steady run allocates nothing in process() (a fresh process: the sources and the built package)', () => {
    // `input`: noise, or L = −R (a silent network: exact zeros through every change path).
    const script = (from: string, input: string) => `
      const { Reverb } = await import(${JSON.stringify('%FROM%')});
      ${MEASURE_YOUNG}
      const r = new Reverb();
      r.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
      const x = [new Float32Array(128), new Float32Array(128)];
      // Noise made beforehand (a seed kept in a closure would box a number per sample itself).
      const noise = new Float32Array(128 * 97);
      for (let i = 0, seed = 1; i < noise.length; i++) { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; noise[i] = seed / 4294967296 - 0.5; }
      let b = 0;
      const block = () => {
        b = (b + 1) % 96;
        for (let i = 0; i < 128; i++) { x[0][i] = noise[b * 128 + i]; x[1][i] = ${input === 'noise' ? 'noise[b * 128 + 64 + i]' : '-x[0][i]'}; }
        r.process(x);
      };
      for (let i = 0; i < 4000; i++) block();
      globalThis.gc(); globalThis.gc();
      for (let i = 0; i < 500; i++) block();
      const out = {};
      for (const [name, change] of [['size', { size: 1.7 }], ['preDelayMs', { preDelayMs: 40 }], ['glide', { decaySeconds: 4, highDecayRatio: 0.3, diffusion: 0.4 }], ['mix and width', { mix: 0.6, width: 0.4 }]]) {
        r.set(change);
        out[name] = await measureYoung(() => { for (let i = 0; i < 200; i++) block(); });
      }
      console.log(JSON.stringify(out));`.replace('%FROM%', from);
    const cases: [string, string[], string][] = [
      ['sources', ['--import', 'tsx/esm'], `${ROOT}src/space/reverb.ts`],
      ['dist/index.js', [], distFile('index.js')],
    ];
    for (const [name, flags, from] of cases) for (const input of ['noise', 'a silent network']) {
      it.skipIf(!existsSync(from))(`${name}, ${input}`, () => {
        const result = runFresh<Record<string, { grew: number; gcs: number }>>(script(from, input === 'noise' ? 'noise' : 'silent'), flags, ROOT);
        // Before the change paths were primed, the first cross-fade alone boxed about 4 MB, and a
        // glide about 1 kB per block. (The measurement itself takes about 2 kB.)
        for (const [change, r] of Object.entries(result)) {
          expect(r.gcs, `${change}: ${JSON.stringify(result)}`).toBe(0);
          expect(r.grew, `${change}: ${JSON.stringify(result)}`).toBeLessThan(6 * 1024);
        }
      }, 60_000);
    }
  });

  it.skipIf(!existsSync(distFile('index.js')))('the built package falls back to JavaScript where there is no WebAssembly (node --jitless), with the same output (Reverb, then Convolver)', () => {
    const script = `
      const { Convolver, Reverb } = await import(${JSON.stringify(distFile('index.js'))});
      const r = new Reverb({ decaySeconds: 3, mix: 0.5 });
      r.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
      const ir = [new Float32Array(30000), new Float32Array(30000)];
      for (let i = 0; i < 30000; i++) { ir[0][i] = Math.sin(i * 1.7) * Math.exp(-i / 6000); ir[1][i] = Math.cos(i * 2.3) * Math.exp(-i / 5000); }
      const conv = new Convolver({ impulseResponse: ir, mix: 0.5 });
      conv.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
      const x = [new Float32Array(48000), new Float32Array(48000)];
      for (let i = 0; i < 48000; i++) { x[0][i] = Math.sin(i * 0.01) * (i < 9600 ? 1 : 0); x[1][i] = Math.cos(i * 0.013) * (i < 9600 ? 1 : 0); }
      for (let p = 0; p < 48000; p += 128) { const b = [x[0].subarray(p, p + 128), x[1].subarray(p, p + 128)]; r.process(b); conv.process(b); }
      let h = 0x811c9dc5;
      for (const c of x) for (const b of new Uint8Array(c.buffer)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
      console.log(JSON.stringify({ wasm: typeof WebAssembly, hash: h }));`;
    const run = (flags: string[]) => JSON.parse(execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()) as { wasm: string; hash: number };
    const jitless = run(['--jitless']);
    const normal = run([]);
    expect(jitless.wasm).toBe('undefined');
    expect(normal.wasm).toBe('object');
    expect(jitless.hash).toBe(normal.hash);
  });
});
