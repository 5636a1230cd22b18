/**
 * The browser bundles: self-contained ES modules with no Node built-ins and no code made from
 * strings (which a worklet's CSP may forbid), and the worklet helpers fail clearly outside a
 * worklet.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { registerMasterbusProcessor } from '../../src/worklet/index.js';
import { ROOT, bundleText } from './support.js';

describe('worklet bundles', () => {
  for (const file of ['dist/masterbus-worklet.js', 'dist/worklet.js']) {
    it(`${file} is one ES module with no imports, no node: built-ins, no eval or new Function`, () => {
      const code = file === 'dist/masterbus-worklet.js' ? bundleText() : readFileSync(`${ROOT}${file}`, 'utf8');
      expect(code).not.toMatch(/^\s*import\s/m);
      expect(code).not.toMatch(/\bimport\s*\(/);
      expect(code).not.toMatch(/\brequire\s*\(/);
      expect(code).not.toMatch(/["']node:/);
      expect(code).not.toMatch(/\bnew Function\s*\(/);
      expect(code).not.toMatch(/\beval\s*\(/);
      expect(code).not.toMatch(/\bprocess\.env\b/);
    });
  }

  it('the prebuilt module registers "masterbus-chain" and "masterbus-mixer"', () => {
    expect(bundleText()).toMatch(/masterbus-chain/);
    expect(bundleText()).toMatch(/masterbus-mixer/);
    expect(bundleText()).toMatch(/registerProcessor/);
  });

  it('registerMasterbusProcessor throws a clear TypeError outside an AudioWorkletGlobalScope', () => {
    expect(() => registerMasterbusProcessor('x', () => [])).toThrow(/must run inside an AudioWorkletGlobalScope/);
  });
});
