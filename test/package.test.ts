/**
 * The built package as users consume it: ESM and CommonJS entry points from dist/, the same
 * output as the source, names kept, and ES modules that can load in an AudioWorklet (no Node
 * built-ins, no dynamic code). `npm test` builds first (the `pretest` script). How an app's
 * bundler sees the packed package: test/package-size.test.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

  it('keeps every exported class and function name (ESM and CommonJS): Compressor.name is "Compressor"', async () => {
    const esm = (await import(dist('index.js'))) as Record<string, unknown>;
    const cjs = createRequire(import.meta.url)(dist('index.cjs')) as Record<string, unknown>;
    expect((esm.Compressor as { name: string }).name).toBe('Compressor');
    expect((cjs.Compressor as { name: string }).name).toBe('Compressor');
    for (const [label, mod] of [['esm', esm], ['cjs', cjs]] as const) {
      const wrong = Object.entries(mod).filter(([k, v]) => typeof v === 'function' && v.name !== k).map(([k, v]) => `${k}: ${(v as { name: string }).name}`);
      expect(wrong, label).toEqual([]);
    }
  });

  it('can load in an AudioWorklet: no Node built-ins, no require of anything, no eval or new Function (every ES module of the core, everything but node/ and cli/)', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === 'node' || e.name === 'cli' ? [] : files(join(dir, e.name))) : e.name.endsWith('.js') ? [join(dir, e.name)] : []));
    const esm = files(dist('')).filter((f) => !f.endsWith('masterbus-worklet.js'));
    expect(esm.length).toBeGreaterThan(20); // one module per source module
    for (const f of esm) {
      const code = readFileSync(f, 'utf8');
      expect(code, f).not.toMatch(/from\s*["']node:|from\s*["'](fs|path|os|crypto|stream|buffer|module|url)["']/);
      expect(code, f).not.toMatch(/\brequire\s*\(|\bimport\s*\(/);
      expect(code, f).not.toMatch(/\beval\s*\(|new\s+Function\s*\(/);
      expect(code, f).not.toMatch(/\b(process|window|document|setTimeout|setInterval)\./);
      // Relative imports only, each with its file extension (browsers and Node need it).
      for (const m of code.matchAll(/^(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']/gm)) expect(m[1], f).toMatch(/^\.\.?\/.*\.js$/);
    }
  });

  it('ships external source maps, one per file, without sources inlined', () => {
    for (const f of ['index.js', 'filters/biquad-filter.js', 'index.cjs', 'worklet.js', 'masterbus-worklet.js']) {
      const code = readFileSync(dist(f), 'utf8');
      const refs = [...code.matchAll(/\/\/# sourceMappingURL=(.*)$/gm)].map((m) => m[1]);
      expect(refs, f).toEqual([`${f.split('/').pop()}.map`]);
      const map = JSON.parse(readFileSync(dist(`${f}.map`), 'utf8')) as { sources: string[]; sourcesContent?: unknown };
      expect(map.sourcesContent, f).toBeUndefined();
      // The sources it names are the shipped src/ files.
      for (const src of map.sources) expect(existsSync(join(dist(f), '..', src)), `${f} → ${src}`).toBe(true);
    }
  });

  it('the prebuilt worklet module is minified', () => {
    const code = readFileSync(dist('masterbus-worklet.js'), 'utf8');
    expect(code.split('\n').length).toBeLessThan(10);
    // It holds every processor class (processorFromJSON) and the Mixer: about 174 kB with the
    // space and movement effects (Delay, Phaser, Gate), growing with each class. The limit
    // catches an unminified or duplicated bundle (several times this size), not one more class.
    expect(code.length).toBeLessThan(300_000);
  });

  it('the core has zero runtime dependencies (only node/ and cli/ import packages); an exports map for import and require', () => {
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
    // Every module the core entry points reach imports only relative modules (checked above for
    // each ES module outside node/ and cli/); the CommonJS bundles and the worklet module require
    // nothing. The dependencies serve masterbus/node and the bin.
    for (const f of ['index.cjs', 'worklet.cjs', 'masterbus-worklet.js', 'worklet.js']) {
      const code = readFileSync(dist(f), 'utf8');
      expect(code, f).not.toMatch(/\brequire\s*\(\s*["'][^."']/);
      expect(code, f).not.toMatch(/(?:^|[;}]\s*)import\s*[^;()]*?\bfrom\s*["'][^."']/m);
    }
    const deps = Object.keys(pkg.dependencies ?? {});
    const used = new Set<string>();
    const scan = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) scan(join(dir, e.name));
        else if (e.name.endsWith('.js')) for (const m of readFileSync(join(dir, e.name), 'utf8').matchAll(/(?:from|import\()\s*["']((?:@[^/"']+\/)?[^./"'][^/"']*)/g)) if (!m[1].startsWith('node:')) used.add(m[1]);
      }
    };
    scan(dist('node'));
    scan(dist('cli'));
    expect([...used].filter((d) => !deps.includes(d)), 'imported but not a dependency').toEqual([]);
    expect(pkg.bin).toEqual({ masterbus: 'dist/cli/main.js' });
    // Only the prebuilt worklet module has side effects (it registers its processor).
    expect(pkg.sideEffects).toEqual(['./dist/masterbus-worklet.js']);
    expect(pkg.exports['.'].import.types).toBe('./dist/index.d.ts');
    expect(pkg.exports['.'].require.types).toBe('./dist/index.d.cts');
    for (const cond of ['import', 'require']) expect(existsSync(`${root}${pkg.exports['.'][cond].default.slice(2)}`)).toBe(true);
  });
});
