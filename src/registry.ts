/**
 * Rebuilding processors from their JSON descriptions.
 * @module
 */
import type { Processor, ProcessorJSON } from './core/processor.js';
import { checkObject, describeValue } from './core/validate.js';
import { Dither } from './core/dither.js';
import { Saturator } from './color/saturator.js';
import { Chorus } from './modulation/chorus.js';
import { Delay } from './space/delay.js';
import { Phaser } from './modulation/phaser.js';
import { Reverb } from './space/reverb.js';
import { Convolver } from './space/convolver.js';
import { Compressor } from './dynamics/compressor.js';
import { Limiter } from './dynamics/limiter.js';
import { Gate } from './dynamics/gate.js';
import { MultibandCompressor } from './dynamics/multiband-compressor.js';
import { BiquadFilter } from './filters/biquad-filter.js';
import { ParametricEQ } from './filters/parametric-eq.js';
import { LoudnessMeter } from './metering/loudness-meter.js';
import { Panner } from './stereo/panner.js';
import { StereoWidener } from './stereo/stereo-widener.js';
import { Chain, MAX_NESTING } from './chains/chain.js';
import { MidSide } from './chains/mid-side.js';
import { Parallel } from './chains/parallel.js';
import { MasteringChain } from './chains/mastering-chain.js';

/**
 * A class that can rebuild itself from {@link ProcessorJSON}. Containers (a {@link Chain}) get
 * `build` to rebuild their children, so a registry is handed in, never imported.
 */
export interface ProcessorClass {
  readonly type: string;
  fromJSON(json: ProcessorJSON, build: (json: ProcessorJSON) => Processor): Processor;
}

/** Every processor class of the library, by its `type` name. */
export const PROCESSOR_CLASSES: Readonly<Record<string, ProcessorClass>> = Object.freeze({
  [BiquadFilter.type]: BiquadFilter,
  [ParametricEQ.type]: ParametricEQ,
  [LoudnessMeter.type]: LoudnessMeter,
  [Compressor.type]: Compressor,
  [Limiter.type]: Limiter,
  [Gate.type]: Gate,
  [MultibandCompressor.type]: MultibandCompressor,
  [Panner.type]: Panner,
  [StereoWidener.type]: StereoWidener,
  [Saturator.type]: Saturator,
  [Chorus.type]: Chorus,
  [Delay.type]: Delay,
  [Phaser.type]: Phaser,
  [Reverb.type]: Reverb,
  [Convolver.type]: Convolver,
  [Dither.type]: Dither,
  [Chain.type]: Chain,
  [MidSide.type]: MidSide,
  [Parallel.type]: Parallel,
  [MasteringChain.type]: MasteringChain,
});

/**
 * Rebuild a processor from `processor.toJSON()` output (e.g. after `JSON.parse`).
 * Throws a `TypeError` for an unknown type and the processor's own errors for bad params.
 *
 * @example
 * ```ts
 * import { BiquadFilter, processorFromJSON } from 'masterbus';
 * const saved = JSON.stringify(new BiquadFilter({ type: 'lowpass', frequencyHz: 5000 }));
 * const copy = processorFromJSON(JSON.parse(saved));
 * ```
 */
export function processorFromJSON(json: ProcessorJSON, classes: Readonly<Record<string, ProcessorClass>> = PROCESSOR_CLASSES): Processor {
  return build(json, classes, 0);
}

/** Deepest nesting of containers in one JSON description (a guard against hostile input); the containers' own limit (`MAX_NESTING`). */
export const MAX_JSON_NESTING = MAX_NESTING;

function build(json: ProcessorJSON, classes: Readonly<Record<string, ProcessorClass>>, depth: number): Processor {
  if (depth > MAX_JSON_NESTING) throw new RangeError(`processorFromJSON: containers nested deeper than ${MAX_JSON_NESTING} levels`);
  const j = checkObject('processorFromJSON', 'json', json);
  const cls = typeof j.type === 'string' && Object.prototype.hasOwnProperty.call(classes, j.type) ? classes[j.type] : undefined;
  if (!cls) {
    throw new TypeError(`processorFromJSON: unknown processor type ${describeValue(j.type)}; known types are ${Object.keys(classes).join(', ')}`);
  }
  return cls.fromJSON(json, (child) => build(child, classes, depth + 1));
}
