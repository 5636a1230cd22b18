import { defineConfig, type Options } from 'tsup';

/**
 * Three builds, all with external source maps (one `.map` beside each file, without
 * `sourcesContent`: the maps point at `src/`, which the package ships once).
 */
const common: Options = {
  clean: false, // (npm run build empties dist first: several configs cleaning would race)
  sourcemap: true,
  target: 'es2022',
  treeshake: false, // esbuild's own; tsup's extra Rollup pass only appended a second sourceMappingURL
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
};

export default defineConfig([
  {
    // The library as ESM, one output module per source module (not bundled): with
    // `"sideEffects"` false for these files, a bundler drops every module the app does not use,
    // so `import { dbToGain } from 'masterbus'` costs a few bytes, not the library. (In one
    // bundled file every top-level `Object.freeze(…)` or typed-array constant counts as a side
    // effect, and the whole library stays in.) Names stay as written: no `__name(…)` calls,
    // which would themselves be side effects.
    ...common,
    entry: ['src/**/*.ts', '!src/worklet/**'],
    bundle: false,
    format: ['esm'],
    platform: 'neutral',
    // Bundled declarations for the two entry points (dist/index.d.ts, dist/worklet.d.ts).
    dts: { entry: { index: 'src/index.ts', worklet: 'src/worklet/index.ts', node: 'src/node/index.ts' }, compilerOptions: { types: ['node'] } },
  },
  {
    // `masterbus/worklet` as ESM: one small self-contained module (it only shares
    // `describeValue` with the library), loadable as is by a page without a bundler.
    ...common,
    entry: { worklet: 'src/worklet/index.ts' },
    format: ['esm'],
    platform: 'neutral',
    splitting: false,
    dts: false,
  },
  {
    // CommonJS: one bundle per entry point (dist/index.cjs, dist/worklet.cjs) and .d.cts types.
    // Bundling renames classes that refer to themselves (`Compressor.name` would be
    // '_Compressor'); keepNames restores the names.
    ...common,
    entry: { index: 'src/index.ts', worklet: 'src/worklet/index.ts' },
    format: ['cjs'],
    platform: 'neutral',
    splitting: false,
    keepNames: true,
    dts: true,
  },
  {
    // `masterbus/worklet-processor`: one self-contained, minified ES module for
    // audioWorklet.addModule() (a worklet cannot follow imports of shared chunks in every host).
    // Its errors name parameters from strings, not class names, so names need not be kept.
    ...common,
    entry: { 'masterbus-worklet': 'src/worklet/chain-processor.ts' },
    format: ['esm'],
    platform: 'browser',
    splitting: false,
    minify: true,
    // Types: `export {}` (the module only registers a processor), so that the entry resolves
    // in TypeScript.
    dts: true,
  },
]);
