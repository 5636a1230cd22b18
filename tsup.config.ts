import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library and `masterbus/worklet` (registration and main-thread helpers).
    entry: { index: 'src/index.ts', worklet: 'src/worklet/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: false, // (npm run build empties dist first: two configs cleaning would race)
    sourcemap: true,
    target: 'es2022',
    platform: 'neutral',
    splitting: false,
    treeshake: true,
  },
  {
    // `masterbus/worklet-processor`: one self-contained ES module for audioWorklet.addModule()
    // (a worklet cannot follow imports of shared chunks in every host, so no splitting).
    entry: { 'masterbus-worklet': 'src/worklet/chain-processor.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
    sourcemap: true,
    target: 'es2022',
    platform: 'browser',
    splitting: false,
    treeshake: true,
  },
]);
