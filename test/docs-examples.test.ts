/**
 * Examples in the docs must run: every ```ts block in README.md and docs/*.md, and every
 * ```ts block inside a TSDoc `@example` in src/, is extracted, pointed at the source instead of
 * the package name, and executed.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

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
      const body = code
        .replace(/from 'masterbus\/worklet'/g, `from '${join(root, 'src', 'worklet', 'index.ts')}'`)
        .replace(/from 'masterbus'/g, `from '${join(root, 'src', 'index.ts')}'`);
      // Names used by @example snippets that reference their own module without importing it.
      const file = join(outDir, `example-${i}.ts`);
      writeFileSync(file, body.includes('import ') ? body : `import * as mb from '${join(root, 'src', 'index.ts')}';\nconst { ${exportNames()} } = mb;\n${body}`);
      await import(file);
    });
  });
});

function exportNames(): string {
  const src = readFileSync(join(root, 'src', 'index.ts'), 'utf8');
  const names = new Set<string>();
  for (const m of src.matchAll(/export \{([^}]*)\}/g)) for (const n of m[1].split(',')) if (n.trim()) names.add(n.trim());
  return [...names].join(', ');
}
