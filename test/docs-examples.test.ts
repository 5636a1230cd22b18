/**
 * Examples in the docs must run: every ```ts block in README.md and docs/*.md, and every
 * ```ts block inside a TSDoc `@example` in src/, is extracted, pointed at the source instead of
 * the package name, and executed. The README's offline recipe (`processOffline`) is also checked
 * for what it promises: output as long as the input and aligned with it sample for sample.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Compressor, Limiter, type Processor } from '../src/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'test', '.doc-examples');

function blocksOf(markdown: string): string[] {
  return [...markdown.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
}

function tsdocBlocks(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const text = m[1].replace(/^\s*\* ?/gm, '');
    if (text.includes('@example')) out.push(...blocksOf(text));
  }
  return out;
}

function srcFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? srcFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const examples: { name: string; code: string }[] = [];
for (const f of ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]) {
  blocksOf(readFileSync(join(root, f), 'utf8'))
    // Interface listings that only state the contract are not programs.
    .filter((code) => /\bimport\b/.test(code))
    .forEach((code, i) => examples.push({ name: `${f} #${i + 1}`, code }));
}
for (const f of srcFiles(join(root, 'src'))) {
  tsdocBlocks(readFileSync(f, 'utf8')).forEach((code, i) => examples.push({ name: `${f.slice(root.length)} @example #${i + 1}`, code }));
}

describe('documentation examples run', () => {
  mkdirSync(outDir, { recursive: true });
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('finds the examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(6);
  });

  examples.forEach(({ name, code }, i) => {
    it(name, async () => {
      const body = (code.includes('function processOffline') ? `${code}\nexport { processOffline };\n` : code)
        .replace(/from 'masterbus\/worklet'/g, `from '${join(root, 'src', 'worklet', 'index.ts')}'`)
        .replace(/from 'masterbus\/node'/g, `from '${join(root, 'src', 'node', 'index.ts')}'`)
        .replace(/from 'masterbus'/g, `from '${join(root, 'src', 'index.ts')}'`);
      // Names used by @example snippets that reference their own module without importing it.
      const file = join(outDir, `example-${i}.ts`);
      writeFileSync(file, body.includes('import ') ? body : `import * as mb from '${join(root, 'src', 'index.ts')}';\nconst { ${exportNames()} } = mb;\n${body}`);
      const mod = await import(file);
      if (typeof mod.processOffline === 'function') offline.fn = mod.processOffline;
    });
  });

  it('README: processOffline gives an output as long as the input and aligned with it', () => {
    const f = offline.fn;
    expect(f, 'README.md defines processOffline').toBeTypeOf('function');
    if (!f) return;
    const fs = 48000;
    const n = 10007; // not a multiple of any block size
    // Sparse impulses, one on the very last sample (the tail must not be lost). The chain only
    // applies a gain in (0, 1] to a delayed input (no filtering, no makeup), so after trimming
    // the output must be non-zero exactly where the input is, with the same sign, not larger.
    const input = [new Float32Array(n), new Float32Array(n)];
    for (const [c, i, v] of [[0, 0, 0.2], [0, 100, 0.25], [1, 5000, -0.1], [0, 9000, 0.05], [1, n - 1, -0.25]] as const) input[c][i] = v;
    // Lookahead 5 ms each: round(0.005 · 48000) = 240 samples, 480 for the chain.
    const chain: Processor[] = [new Compressor({ thresholdDb: -30, ratio: 4, lookaheadMs: 5 }), new Limiter({ ceilingDb: -1 })];
    for (const blockSize of [4096, 1000, 128]) {
      const out = f(chain, input, fs, blockSize);
      expect(chain.reduce((s, p) => s + p.latency, 0)).toBe(480);
      expect(out.map((y) => y.length)).toEqual([n, n]);
      for (let c = 0; c < 2; c++) {
        for (let i = 0; i < n; i++) {
          if (input[c][i] === 0) expect(out[c][i], `channel ${c} sample ${i}`).toBe(0);
          else {
            const g = out[c][i] / input[c][i];
            expect(g > 0 && g <= 1 + 1e-6, `channel ${c} sample ${i}: gain ${g}`).toBe(true);
          }
        }
      }
    }
  });
});

/** Filled by the README example that defines `processOffline` (it exports it, see above). */
const offline: { fn?: (chain: Processor[], input: Float32Array[], sampleRate: number, blockSize?: number) => Float32Array[] } = {};

function exportNames(): string {
  const src = readFileSync(join(root, 'src', 'index.ts'), 'utf8');
  const names = new Set<string>();
  for (const m of src.matchAll(/export \{([^}]*)\}/g)) for (const n of m[1].split(',')) if (n.trim()) names.add(n.trim());
  return [...names].join(', ');
}
