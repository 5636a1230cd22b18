import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The allocation check (test/support/alloc.ts) needs `global.gc` and a young generation large
    // enough that no scavenge can run during its measured loop.
    execArgv: ['--expose-gc', '--max-semi-space-size=64'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
