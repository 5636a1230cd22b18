/**
 * The built package as users consume it: ESM and CommonJS entry points from dist/, the same
 * output as the source, and a core bundle that can load in an AudioWorklet (no Node built-ins,
 * no dynamic code). `npm test` builds first (the `pretest` script).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as source from '../src/index.js';
import { identical, multiChannel } from './support/signals.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = (f: string) => `${root}dist/${f}`;

describe('the built package (dist/)', () => {
  it('exists (run `npm run build`)', () => {
    for (const f of ['index.js', 'index.cjs', 'index.d.ts', 'index.d.cts']) expect(existsSync(dist(f)), f).toBe(true);
  });

  const render = (mod: typeof source): Float32Array[] => {
    const eq = new mod.ParametricEQ({ bands: [{ type: 'lowshelf', frequencyHz: 200, gainDb: 3 }, { type: 'peaking', frequencyHz: 3000, gainDb: -4, q: 2 }] });
    eq.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
    const x = multiChannel(2, 4096, 3);
    for (let p = 0; p < 4096; p += 128) eq.process(x.map((c) => c.subarray(p, p + 128)));
    return x;
  };

  it('loads as ESM and gives the same output as the source', async () => {
    const esm = (await import(dist('index.js'))) as typeof source;
    expect(identical(render(esm), render(source))).toBe(true);
  });

  it('loads as CommonJS through require() and gives the same output', () => {
    const cjs = createRequire(import.meta.url)(dist('index.cjs')) as typeof source;
    expect(identical(render(cjs), render(source))).toBe(true);
  });

  it('exports the same names from ESM, CommonJS and the source', async () => {
    const esm = await import(dist('index.js'));
    const cjs = createRequire(import.meta.url)(dist('index.cjs'));
    const names = Object.keys(source).sort();
    expect(Object.keys(esm).sort()).toEqual(names);
    expect(Object.keys(cjs).sort()).toEqual(names);
  });

  it('can load in an AudioWorklet: no Node built-ins, no require of anything, no eval or new Function', () => {
    const code = readFileSync(dist('index.js'), 'utf8');
    expect(code).not.toMatch(/from\s*["']node:|from\s*["'](fs|path|os|crypto|stream|buffer|module|url)["']/);
    expect(code).not.toMatch(/\brequire\s*\(|\bimport\s*\(/);
    expect(code).not.toMatch(/\beval\s*\(|new\s+Function\s*\(/);
    expect(code).not.toMatch(/\b(process|window|document|setTimeout|setInterval)\./);
  });

  it('has zero runtime dependencies and an exports map for import and require', () => {
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.exports['.'].import.types).toBe('./dist/index.d.ts');
    expect(pkg.exports['.'].require.types).toBe('./dist/index.d.cts');
    for (const cond of ['import', 'require']) expect(existsSync(`${root}${pkg.exports['.'][cond].default.slice(2)}`)).toBe(true);
  });
});
