/**
 * The source tree's layering (docs/DESIGN: core → filters → dynamics → stereo → color → modulation
 * → space → metering → chains → worklet → node → cli): a file may import from its own layer and
 * from layers before it, never from a later one. `src/index.ts` and `src/registry.ts` are the
 * top-level aggregators and may import anything. The registry gathers the processor layers (up to
 * chains), so the layers after it (worklet, node, cli) may import it; nothing may import the
 * package entry `src/index.ts`. Every relative import of every file under src/ is checked (static
 * and type-only imports, re-exports and dynamic `import()`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Layer order: a layer may import only from itself and the layers before it. */
export const LAYERS = ['core', 'filters', 'dynamics', 'stereo', 'color', 'modulation', 'space', 'metering', 'chains', 'worklet', 'node', 'cli'] as const;
/**
 * Files at the top of src/ that may import from every layer, with their own place in the order as
 * an import target: the registry sits between chains and worklet, the package entry after all.
 */
const AGGREGATORS = new Map<string, number>([
  ['registry.ts', LAYERS.indexOf('chains') + 0.5],
  ['schema.ts', LAYERS.indexOf('chains') + 0.75],
  ['index.ts', Infinity],
]);

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|mts|cts|js|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

/** The relative module specifiers a source text imports (comments removed first). */
export function relativeImports(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const specs: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*['"]([^'"]+)['"]/g, // import … from '…', export … from '…'
    /\bimport\s*['"]([^'"]+)['"]/g, // import '…' (side effects)
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, // import('…')
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) if (m[1].startsWith('.')) specs.push(m[1]);
  return specs;
}

/** The layer of a path relative to src/ (`undefined` for a top-level aggregator). */
function layerOf(rel: string): string | undefined {
  const parts = rel.split(sep);
  return parts.length === 1 ? undefined : parts[0];
}

/** Every import in `files` (paths relative to src/ → their text) that goes against the layer order. */
export function layerViolations(files: ReadonlyMap<string, string>): string[] {
  const bad: string[] = [];
  for (const [file, text] of files) {
    const from = layerOf(file);
    if (from === undefined) {
      if (!AGGREGATORS.has(file)) bad.push(`${file}: a file at the top of src/ that is not an aggregator (${[...AGGREGATORS.keys()].join(', ')})`);
      continue;
    }
    const rank = LAYERS.indexOf(from as (typeof LAYERS)[number]);
    if (rank < 0) {
      bad.push(`${file}: directory "${from}" is not a known layer (${LAYERS.join(', ')})`);
      continue;
    }
    for (const spec of relativeImports(text)) {
      // Specifiers name the emitted .js file; the source is the .ts beside it.
      const target = relative(SRC, resolve(SRC, dirname(file), spec)).replace(/\.(m?js|cjs)$/, '.ts');
      if (target.startsWith('..')) {
        bad.push(`${file} imports ${spec}, outside src/`);
        continue;
      }
      const to = layerOf(target);
      const toRank = to === undefined ? (AGGREGATORS.get(target) ?? Infinity) : LAYERS.indexOf(to as (typeof LAYERS)[number]);
      if (!(toRank <= rank)) bad.push(`${file} (layer ${from}) imports ${spec} (${to === undefined ? 'a top-level aggregator' : `layer ${to}`})`);
    }
  }
  return bad;
}

describe('source layering', () => {
  it('no file under src/ imports from a later layer', () => {
    const files = new Map<string, string>();
    for (const p of sourceFiles(SRC)) files.set(relative(SRC, p), readFileSync(p, 'utf8'));
    expect(files.size).toBeGreaterThan(20);
    expect(layerViolations(files)).toEqual([]);
  });

  it('the check itself finds what it should (negative controls)', () => {
    const files = new Map<string, string>([
      [join('dynamics', 'a.ts'), "import { x } from '../metering/true-peak.js';"],
      [join('dynamics', 'b.ts'), "import type { Y } from '../worklet/node.js';\nexport { z } from '../chains/z.js';"],
      [join('core', 'c.ts'), "const m = await import('../filters/f.js');"],
      [join('filters', 'd.ts'), "import '../stereo/side-effect.js';"],
      [join('core', 'e.ts'), "import { registry } from '../registry.js';"],
      [join('metering', 'g.ts'), "import { everything } from '../index.js';"],
      [join('mystery', 'f.ts'), "import { a } from '../core/db.js';"],
      // Allowed: own layer, earlier layers, packages, and text in comments.
      [join('metering', 'ok.ts'), "import { a } from '../core/db.js';\nimport { b } from './k-weighting.js';\nimport fc from 'fast-check';\n// import { c } from '../worklet/node.js';\n/* import { d } from '../chains/x.js'; */"],
      [join('worklet', 'ok.ts'), "import { a } from '../metering/true-peak.js';\nimport { b } from '../dynamics/limiter.js';\nimport { c } from '../registry.js';"],
      ['index.ts', "export * from './worklet/node.js';"],
    ]);
    const bad = layerViolations(files);
    expect(bad).toHaveLength(8);
    for (const f of ['a.ts', 'b.ts', 'c.ts', 'd.ts', 'e.ts', 'f.ts', 'g.ts']) expect(bad.some((b) => b.includes(f))).toBe(true);
    expect(bad.filter((b) => b.includes('b.ts'))).toHaveLength(2);
  });
});
