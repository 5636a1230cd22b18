/**
 * reset() allocates nothing, from the built bundle dist/index.js as Node loads it (esbuild's output
 * can differ for V8: see test/support/dist.ts; `npm test` builds first). The cases and the
 * measurement: test/support/reset-cases.ts.
 */
import { loadDist } from '../support/dist.js';
import { describeResetAllocation } from '../support/reset-cases.js';

describeResetAllocation('reset() allocates nothing (dist/index.js)', () => loadDist().find((d) => d.format === 'esm')!.mod);
