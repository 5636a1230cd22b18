/** reset() allocates nothing, from the source (see test/support/reset-cases.ts; dist/: reset-allocation-dist.test.ts). */
import * as src from '../../src/index.js';
import type { MasterbusModule } from '../support/dist.js';
import { describeResetAllocation } from '../support/reset-cases.js';

describeResetAllocation('reset() allocates nothing (src/)', () => src as unknown as MasterbusModule);
