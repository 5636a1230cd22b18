/**
 * `masterbus/worklet`: run masterbus processors inside a Web Audio AudioWorklet.
 *
 * - In your worklet module, {@link registerMasterbusProcessor} turns a chain into a registered
 *   AudioWorkletProcessor; or load the prebuilt `masterbus/worklet-processor`, which registers
 *   `"masterbus-chain"` and builds any chain from JSON.
 * - On the main thread, {@link createMasterbusNode} loads the module and creates the node.
 * - A whole mix in one node: {@link createMixerNode} runs a `Mixer` session in the
 *   `"masterbus-mixer"` processor of the prebuilt module, one node input per track.
 *
 * @module
 */
export type { ChainFactory, MasterbusCommand, MasterbusEvent, MasterbusProcessorOptions, ProcessorMeters } from './processor.js';
export { RENDER_QUANTUM, registerMasterbusProcessor } from './processor.js';
export type { EventHandlerLike, MasterbusNode, MasterbusNodeOptions, SlotIndex, SlotParams, WorkletContextLike, WorkletNodeConstructor, WorkletNodeLike } from './node.js';
export { CHAIN_PROCESSOR_NAME, createMasterbusNode } from './node.js';
export type { MixerBusChange, MixerLaneHandle, MixerNode, MixerNodeOptions, MixerSessionJSON, MixerTrackChange, MixerWhen } from './mixer-node.js';
export { MIXER_PROCESSOR_NAME, createMixerNode } from './mixer-node.js';
export type { MixerAutomationEvent, MixerCommand, MixerEvent, MixerProcessorOptions } from './mixer-processor.js';
