/**
 * The prebuilt worklet module (`masterbus/worklet-processor`, dist/masterbus-worklet.js): one
 * self-contained ES module that registers `"masterbus-chain"`, which builds its chain from
 * `processorOptions.params.chain`, a list of `ProcessorJSON`, and `"masterbus-mixer"`, which
 * runs a whole `Mixer` session (see `createMixerNode`).
 * @module
 */
import type { ProcessorJSON } from '../core/processor.js';
import { processorFromJSON } from '../registry.js';
import { CHAIN_PROCESSOR_NAME } from './node.js';
import { registerMixerProcessor } from './mixer-processor.js';
import { registerMasterbusProcessor } from './processor.js';

registerMasterbusProcessor(CHAIN_PROCESSOR_NAME, (params) => {
  const chain = (params as { chain?: unknown } | undefined)?.chain;
  if (!Array.isArray(chain)) throw new TypeError('masterbus-chain: processorOptions.params.chain must be an array of ProcessorJSON');
  return chain.map((j) => processorFromJSON(j as ProcessorJSON));
});

registerMixerProcessor();
