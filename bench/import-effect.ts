/**
 * Reproduces the "loading node-web-audio-api slows unrelated JS" effect (see RESULTS.md notes).
 *
 *   tsx bench/import-effect.ts <load> [what]
 *
 * load: what the process loads before timing anything, and never uses:
 *   plain   nothing
 *   nwa     `import('node-web-audio-api')` (the package: its JS wrappers and the native addon)
 *   native  only the native addon (`require` of the package's `.node` file for this platform)
 *   fili    `import('fili')` (control: another package, plain JS)
 *   fili-require, nwa-require   the same packages through `createRequire(import.meta.url)`
 *   detach  nothing, but detach one ArrayBuffer (`structuredClone(b, { transfer: [b] })`)
 * what: `eq` (masterbus ParametricEQ 5-band), `biquad` (masterbus BiquadFilter), `fili-eq` (fili
 *   5-section cascade) or `all` (default); each at 128 and 4096 frames, timed with
 *   `runInterleaved` (warm-up, 7 interleaved runs, median). Prints one JSON line (Mframes/s).
 *
 * The load is a dynamic import before the contenders are built, which for this purpose is the same
 * as a top-level static import (the module is evaluated once, before any timing).
 */
import { createRequire } from 'node:module';
import { blockRunner, makeSignal, runInterleaved, type BlockFn, type Runner } from './harness.js';
import { BLOCK_SIZES, IDS, loadMasterbus, mbBiquad, mbEq } from './biquad.common.js';

const load = process.argv[2] ?? 'plain';
const what = process.argv[3] ?? 'all';

if (load === 'nwa') await import('node-web-audio-api');
else if (load === 'native') {
  const require = createRequire(import.meta.url);
  const dir = require.resolve('node-web-audio-api').replace(/index\.cjs$/, '');
  require(`${dir}node-web-audio-api.${process.platform}-${process.arch}-gnu.node`);
} else if (load === 'fili') await import('fili');
else if (load === 'fili-require') createRequire(import.meta.url)('fili');
else if (load === 'nwa-require') createRequire(import.meta.url)('node-web-audio-api');
else if (load === 'detach') {
  const b = new ArrayBuffer(8);
  structuredClone(b, { transfer: [b] }); // detaches b: invalidates V8's ArrayBufferDetaching protector
}
else if (load !== 'plain') throw new Error(`unknown load ${load}`);

const mb = await loadMasterbus();
const signal = makeSignal(20);
const fs = signal.sampleRate;
const makers: Record<string, (n: number) => Promise<BlockFn>> = {
  [IDS.mbBiquad]: async (n) => mbBiquad(mb, fs, n),
  [IDS.mbEq]: async (n) => mbEq(mb, fs, n),
  [IDS.filiEq]: async () => {
    const { filiBlock, filiEqSections } = await import('./biquad.fili.js');
    return filiBlock(() => filiEqSections(fs));
  },
};
const ids = what === 'eq' ? [IDS.mbEq] : what === 'biquad' ? [IDS.mbBiquad] : what === 'fili-eq' ? [IDS.filiEq] : [IDS.mbBiquad, IDS.mbEq, IDS.filiEq];
const runners: Runner[] = [];
for (const id of ids) for (const n of BLOCK_SIZES) runners.push(blockRunner(id, n, await makers[id](n), signal));
const results = await runInterleaved(runners, { runs: 7 });
console.log(JSON.stringify({ load, ...Object.fromEntries(results.map((r) => [`${r.name}@${r.block}`, +(r.framesPerSec / 1e6).toFixed(1)])) }));
