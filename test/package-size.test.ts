/**
 * The package as an app consumes it: `npm pack` of the built package, unpacked into a scratch
 * `node_modules/masterbus`, then bundled by esbuild (minified) the way an app's bundler would,
 * and loaded by Node.
 *
 * - A bundle keeps only what is imported: `{ dbToGain }` under 2 kB, `{ BiquadFilter }` under
 *   26 kB (the whole library is far more).
 * - Importing the package does no work worth measuring: no tables built at import time.
 * - `import 'masterbus/worklet-processor'` is not dropped as side-effect free (it registers the
 *   processor), and a worklet module of your own bundles with esbuild as docs/worklet.md says.
 *
 * `npm test` builds first (the `pretest` script).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Compressor, Limiter } from '../src/index.js';
import { identical, multiChannel } from './support/signals.js';

const root = fileURLToPath(new URL('..', import.meta.url));
let app = ''; // scratch app folder with node_modules/masterbus from the tarball

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'masterbus-consumer-'));
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', app], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [{ filename }] = JSON.parse(out) as { filename: string }[];
  execFileSync('tar', ['-xzf', join(app, filename), '-C', app]);
  mkdirSync(join(app, 'node_modules'));
  renameSync(join(app, 'package'), join(app, 'node_modules', 'masterbus'));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
}, 60_000);

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

/** esbuild, minified, as an app bundler would run it on `code` (an entry in the scratch app). */
async function bundle(code: string, options: esbuild.BuildOptions = {}): Promise<{ text: string; bytes: number; warnings: esbuild.Message[] }> {
  const r = await esbuild.build({
    stdin: { contents: code, resolveDir: app, sourcefile: 'entry.js', loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    ...options,
  });
  const text = r.outputFiles![0].text;
  return { text, bytes: Buffer.byteLength(text), warnings: r.warnings };
}

const use = (names: string) => `import { ${names} } from 'masterbus';\nconsole.log(${names});\n`;

describe('an app bundle keeps only what it imports (esbuild, minified)', () => {
  it('import { dbToGain }: under 2 kB', async () => {
    const { bytes, text } = await bundle(use('dbToGain'));
    console.log(`{ dbToGain }: ${bytes} bytes`);
    expect(text).toMatch(/Math\.pow\(10,/);
    expect(bytes).toBeLessThan(2_000);
  });

  it('import { BiquadFilter }: under 26 kB, without the other processors or the JSON registry', async () => {
    const { bytes, text } = await bundle(use('BiquadFilter'));
    console.log(`{ BiquadFilter }: ${bytes} bytes`);
    expect(text).toMatch(/"BiquadFilter"/);
    for (const other of ['Compressor', 'Limiter', 'LoudnessMeter', 'Saturator', 'Chorus', 'Reverb', 'Panner', 'StereoWidener', 'unknown processor type']) {
      expect(text, other).not.toContain(other);
    }
    // (About 24 kB: the filter, its smoothing, validation and JSON, since insert automation its
    // allocation-free setParam/paramRange, and since 2026-12-02 the priming of its signal and change
    // paths, about 3 kB, which keeps the first odd block and the first change allocation-free.)
    expect(bytes).toBeLessThan(26_000);
  });

  it('each processor alone is well below the whole library', async () => {
    const whole = (await bundle(use('processorFromJSON'))).bytes;
    const sizes: Record<string, number> = {};
    for (const name of ['BiquadFilter', 'ParametricEQ', 'LoudnessMeter', 'Compressor', 'Limiter', 'Panner', 'StereoWidener', 'Saturator', 'Chorus', 'Reverb', 'Convolver']) {
      sizes[name] = (await bundle(use(name))).bytes;
    }
    console.log(`whole library (processorFromJSON): ${whole} bytes; alone: ${JSON.stringify(sizes)}`);
    for (const [name, bytes] of Object.entries(sizes)) expect(bytes, name).toBeLessThan(whole / 2);
  });
});

describe('importing the package does no import-time work', () => {
  // A fresh Node process per format; ArrayBuffer memory after a full GC is exact and free of
  // compilation noise (the ESM loader's file buffers are collected). A table built at import
  // time, like a 1 MB power table, shows up here at once.
  const measure = (load: string, type: 'module' | 'commonjs') => {
    // After the import, one macrotask turn before the final GC: on a busy machine the loader can
    // still hold a file's buffer right after the import resolves (seen once in CI: 260 kB, the
    // size of a source file, then 0 on every rerun).
    const after = `setTimeout(() => { gc(); gc(); console.log(process.memoryUsage().arrayBuffers - before); }, 20);`;
    const script =
      type === 'module'
        ? `gc(); const before = process.memoryUsage().arrayBuffers; globalThis.keep = await import('masterbus'); ${after}`
        : `gc(); const before = process.memoryUsage().arrayBuffers; globalThis.keep = require('masterbus'); ${after}`;
    const r = spawnSync(process.execPath, ['--expose-gc', `--input-type=${type}`, '-e', script], { cwd: app, encoding: 'utf8' });
    expect(r.status, `${load}: ${r.stderr}`).toBe(0);
    return Number(r.stdout.trim());
  };

  for (const type of ['module', 'commonjs'] as const) {
    it(`${type === 'module' ? 'import' : 'require'}('masterbus') allocates under 64 kB of typed arrays`, () => {
      const bytes = measure('masterbus', type);
      console.log(`${type}: ${bytes} bytes of ArrayBuffers at import`);
      expect(bytes).toBeLessThan(64 * 1024);
    });
  }
});

describe('class names survive the build', () => {
  it('Compressor.name is "Compressor" from the packed ESM and CommonJS builds', async () => {
    const esm = (await import(pathToFileURL(join(app, 'node_modules', 'masterbus', 'dist', 'index.js')).href)) as { Compressor: { name: string } };
    const cjs = createRequire(join(app, 'index.js'))('masterbus') as { Compressor: { name: string } };
    expect(esm.Compressor.name).toBe('Compressor');
    expect(cjs.Compressor.name).toBe('Compressor');
  });
});

describe('worklet modules', () => {
  it("import 'masterbus/worklet-processor' is kept by a bundler (it registers the processor)", async () => {
    const { text } = await bundle(`import 'masterbus/worklet-processor';\n`);
    expect(text).toContain('masterbus-chain');
    expect(text).toMatch(/registerProcessor/);
  });

  it("require('masterbus/worklet-processor') throws an Error that says how to load it", () => {
    expect(() => createRequire(join(app, 'index.js'))('masterbus/worklet-processor')).toThrow(/is an ES module for audioWorklet\.addModule\(\).*do not require\(\) it/);
  });

  it('your own worklet module bundles with esbuild (the docs/worklet.md recipe) and runs as the chain does in Node', async () => {
    // The recipe's worklet entry, verbatim in spirit: registration plus two processors.
    const entry = [
      `import { Compressor, Limiter } from 'masterbus';`,
      `import { registerMasterbusProcessor } from 'masterbus/worklet';`,
      `registerMasterbusProcessor('my-master', (params) => [new Compressor(params as object), new Limiter()]);`,
    ].join('\n');
    const { text, bytes } = await bundle(entry, { sourcemap: false });
    console.log(`worklet module with Compressor + Limiter: ${bytes} bytes`);
    expect(text).not.toMatch(/^\s*import\s|\bimport\s*\(|\brequire\s*\(/m); // one self-contained module
    expect(text).not.toContain('Saturator'); // only what it uses
    expect(text).not.toContain('unknown processor type');

    // Load it in a stand-in AudioWorkletGlobalScope and run a few quanta through it.
    type Fake = { process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean; port: { sent: unknown[] } };
    const g = globalThis as unknown as Record<string, unknown>;
    const registered = new Map<string, new (options: object) => Fake>();
    g.sampleRate = 48000;
    g.currentFrame = 0;
    g.AudioWorkletProcessor = class {
      readonly port = { sent: [] as unknown[], onmessage: null, postMessage(m: unknown) { this.sent.push(m); } };
    };
    g.registerProcessor = (name: string, ctor: new (options: object) => Fake) => registered.set(name, ctor);
    try {
      const file = join(app, 'my-worklet.mjs');
      writeFileSync(file, text);
      await import(pathToFileURL(file).href);
      const Ctor = registered.get('my-master');
      expect(Ctor).toBeTypeOf('function');
      const node = new Ctor!({ processorOptions: { params: { ratio: 3, thresholdDb: -24 }, channels: 2, meterHz: 0 }, outputChannelCount: [2] });
      expect(node.port.sent[0]).toMatchObject({ type: 'ready', latency: 240, channels: 2 });

      const quanta = 40;
      const input = multiChannel(2, 128 * quanta, 5).map((c) => c.map((v) => v * 2)); // loud enough to compress and limit
      const viaWorklet = [new Float32Array(128 * quanta), new Float32Array(128 * quanta)];
      for (let q = 0; q < quanta; q++) {
        const inputs = [input.map((c) => c.slice(q * 128, q * 128 + 128))];
        const outputs = [[new Float32Array(128), new Float32Array(128)]];
        node.process(inputs, outputs);
        outputs[0].forEach((c, ch) => viaWorklet[ch].set(c, q * 128));
      }
      // The same chain from the source, run directly.
      const chain = [new Compressor({ ratio: 3, thresholdDb: -24 }), new Limiter()];
      for (const p of chain) p.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
      const direct = input.map((c) => c.slice());
      for (let q = 0; q < quanta; q++) {
        const block = direct.map((c) => c.subarray(q * 128, q * 128 + 128));
        for (const p of chain) p.process(block);
      }
      expect(identical(viaWorklet, direct)).toBe(true);
      expect(Math.max(...viaWorklet[0].map(Math.abs))).toBeGreaterThan(0.1);
    } finally {
      for (const k of ['sampleRate', 'currentFrame', 'AudioWorkletProcessor', 'registerProcessor']) delete g[k];
    }
  });
});
