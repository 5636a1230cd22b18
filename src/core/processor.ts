/**
 * The processor contract that every masterbus module implements: filters, dynamics, meters,
 * chains and the mixer's buses. Modelled on JUCE's `prepare / process / reset` (in-place
 * "replacing" context) so that any processor can be dropped into a chain, a mixer slot or an
 * AudioWorklet.
 *
 * @module
 */
import { describeValue, type NumberRange } from './validate.js';

/** What a processor is told before it runs: the only place it may allocate. */
export interface ProcessSpec {
  /** Sample rate in Hz, 8000 to 384000. */
  readonly sampleRate: number;
  /** The largest `frames` value `process()` will be called with (integer, 1 to 65536). */
  readonly maxBlockSize: number;
  /** Number of channel arrays `process()` will be handed (integer, 1 to 64). */
  readonly channels: number;
}

/** A processor serialised as plain JSON: enough to rebuild it with `processorFromJSON`. */
export interface ProcessorJSON {
  /** Class name, e.g. `"BiquadFilter"`. */
  readonly type: string;
  /** The processor's options, as accepted by its constructor. */
  readonly params: Record<string, unknown>;
}

/** Limits of a valid {@link ProcessSpec}. */
export const SPEC_LIMITS = Object.freeze({
  minSampleRate: 8000,
  maxSampleRate: 384000,
  maxBlockSize: 65536,
  maxChannels: 64,
});

/** The channel counts a processor accepts in `prepare()` (inclusive bounds). */
export interface ChannelRange {
  readonly min: number;
  readonly max: number;
}

/** Any channel count from 1 to {@link SPEC_LIMITS}.maxChannels: processors that treat channels alike. */
export const ANY_CHANNELS: ChannelRange = Object.freeze({ min: 1, max: SPEC_LIMITS.maxChannels });
/** Exactly two channels: stereo processors (panner, widener). */
export const STEREO_ONLY: ChannelRange = Object.freeze({ min: 2, max: 2 });

/**
 * The read-outs processors can offer, by name (a container's list may repeat a name, once per
 * child that offers it). Each is one number:
 * - `gainReductionDb`, `maxGainReductionDb`: dynamics, dB ≥ 0 (now, and the largest since reset);
 * - `momentaryLufs`, `shortTermLufs`, `integratedLufs` (LUFS), `loudnessRangeLu` (LU),
 *   `truePeakDbtp` (dBTP), `samplePeakDbfs` (dBFS): loudness meters per ITU-R BS.1770 / EBU R 128,
 *   `-Infinity` while nothing has been measured;
 * - `correlation`, `balance`: stereo image, −1 to 1.
 */
export const METER_NAMES = Object.freeze([
  'gainReductionDb',
  'maxGainReductionDb',
  'momentaryLufs',
  'shortTermLufs',
  'integratedLufs',
  'loudnessRangeLu',
  'truePeakDbtp',
  'samplePeakDbfs',
  'correlation',
  'balance',
] as const);

/** One of {@link METER_NAMES}. */
export type MeterName = (typeof METER_NAMES)[number];

/** For processors without read-outs: `meterNames = NO_METERS`. */
export const NO_METERS: readonly MeterName[] = Object.freeze([]);

/**
 * The one shape of every masterbus processor, generic over its options type `O`.
 *
 * Rules every implementation keeps (the conformance suite in `test/support` checks them):
 * - `prepare()` validates the spec (including {@link Processor.channelRange}), allocates every
 *   buffer and computes coefficients.
 * - `process()` works **in place** on one `Float32Array` per channel, allocates nothing and never
 *   throws. `frames` defaults to the length of the first channel array; it is clamped to the
 *   shortest channel array. Blocks larger than `maxBlockSize` are split internally, so the output
 *   is the same as for smaller blocks. Before `prepare()` it leaves the audio untouched. Input that
 *   is not audio (`null`, holes, non-`Float32Array` entries, a garbage frame count) is no audio.
 * - Any partition of a signal into blocks gives the same output; parameter smoothing advances per
 *   sample, not per call.
 * - `reset()` clears state (delay lines, filter memories, envelopes) and keeps parameters. It
 *   allocates nothing: a worklet host calls it on the audio thread.
 * - `latency` is in samples and constant after `prepare()`.
 *
 * Containers (chains, the mixer, the worklet host) use nothing but this interface: they configure
 * a child with `set()`, read its options from `params`, check its `channelRange` against their
 * own spec, sum `latency` for delay compensation and collect `readMeters()` into one
 * preallocated array, without knowing its class.
 */
export interface Processor<O extends object = object> {
  /** Validate the spec and allocate everything `process()` will need. May throw `RangeError`/`TypeError`. */
  prepare(spec: ProcessSpec): void;
  /** Process `frames` samples of every channel in place. Allocates nothing, never throws. */
  process(block: readonly Float32Array[], frames?: number): void;
  /** Clear internal state (filter memories, delay lines, envelopes); parameters are kept. Allocates nothing. */
  reset(): void;
  /** Delay the processor adds, in samples; constant after `prepare()`. */
  readonly latency: number;
  /** Describe the processor as plain JSON (see `processorFromJSON`). */
  toJSON(): ProcessorJSON;
  /** The current options (a copy; targets of ramps in progress). */
  readonly params: Readonly<O>;
  /**
   * Change options. Validated first: a bad value throws a `TypeError`/`RangeError` naming the
   * option, its range and the value, and changes nothing. While running, changes that would click
   * are smoothed.
   */
  set(options: Partial<O>): this;
  /** The channel counts `prepare()` accepts; others are rejected there with a `RangeError`. */
  readonly channelRange: ChannelRange;
  /** Names of the values {@link Processor.readMeters} writes, in order; fixed for the object's life. */
  readonly meterNames: readonly MeterName[];
  /**
   * Write the current read-outs, in the order of {@link Processor.meterNames}, into
   * `out[offset …]`. Allocates nothing (safe on the audio thread); values are those after the last
   * `process()` call.
   */
  readMeters(out: Float64Array, offset: number): void;
  /**
   * Optional, for automation (the mixer's insert lanes): the range of the numeric option `name`
   * that {@link Processor.setParam} accepts, or `undefined` when `name` cannot be changed that way
   * (not an option, not a number, or a change that would allocate, such as a lookahead that sets
   * the latency). Nested options are named by dotted paths, e.g. `bands.2.gainDb`.
   */
  paramRange?(name: string): NumberRange | undefined;
  /**
   * Optional, for automation: set option `name` to `values[index]` without allocating (safe on the
   * audio thread, between two `process()` calls), with the same effect as
   * `set({ [name]: values[index] })` (smoothed where `set()` smooths). The value comes in a typed
   * array because a number passed to a call V8 does not inline is boxed on the heap.
   * Never throws: the caller validates against {@link Processor.paramRange} on the control side;
   * a value outside the range is clamped to it, NaN and names without a range are ignored.
   */
  setParam?(name: string, values: Float64Array, index: number): void;
  /**
   * Optional, for containers: the processors this one holds directly (a Chain's slots, MidSide's
   * paths, Parallel's wet processor). Containers use it to refuse cycles, one object in two
   * places and nesting deeper than `MAX_JSON_NESTING`.
   */
  children?(): readonly Processor[];
}

/**
 * A processor whose detector can listen to another signal (a compressor ducking under a kick,
 * say). When `sidechain` is omitted, the main input is the detector input.
 */
export interface SidechainProcessor<O extends object = object> extends Processor<O> {
  process(block: readonly Float32Array[], frames?: number, sidechain?: readonly Float32Array[]): void;
}

/**
 * A processor that passes audio through unchanged and exposes readings (a loudness meter,
 * a correlation meter). It is still a `Processor`, so it can sit anywhere in a chain.
 */
export interface Meter<O extends object = object> extends Processor<O> {
  readonly passesAudioUnchanged: true;
}


/**
 * Check a {@link ProcessSpec}, and its channel count against the processor's `range`; throws a
 * `TypeError`/`RangeError` naming the field, the value and the valid range. Returns a frozen copy, so later mutation of the caller's object changes nothing.
 */
export function validateSpec(owner: string, spec: ProcessSpec, range: ChannelRange = ANY_CHANNELS): ProcessSpec {
  if (spec === null || typeof spec !== 'object') {
    throw new TypeError(`${owner}.prepare(spec): spec must be an object { sampleRate, maxBlockSize, channels }, got ${describeValue(spec)}`);
  }
  const { sampleRate, maxBlockSize, channels } = spec;
  for (const [name, value] of [['sampleRate', sampleRate], ['maxBlockSize', maxBlockSize], ['channels', channels]] as const) {
    if (typeof value !== 'number') {
      throw new TypeError(`${owner}.prepare(spec): spec.${name} must be a number, got ${describeValue(value)}`);
    }
  }
  if (typeof sampleRate !== 'number' || !(SPEC_LIMITS.minSampleRate <= sampleRate && sampleRate <= SPEC_LIMITS.maxSampleRate)) {
    throw new RangeError(
      `${owner}.prepare(spec): spec.sampleRate must be a number in [${SPEC_LIMITS.minSampleRate}, ${SPEC_LIMITS.maxSampleRate}] Hz, got ${String(sampleRate)}`,
    );
  }
  if (typeof maxBlockSize !== 'number' || !Number.isInteger(maxBlockSize) || !(1 <= maxBlockSize && maxBlockSize <= SPEC_LIMITS.maxBlockSize)) {
    throw new RangeError(
      `${owner}.prepare(spec): spec.maxBlockSize must be an integer in [1, ${SPEC_LIMITS.maxBlockSize}], got ${String(maxBlockSize)}`,
    );
  }
  if (typeof channels !== 'number' || !Number.isInteger(channels) || !(1 <= channels && channels <= SPEC_LIMITS.maxChannels)) {
    throw new RangeError(
      `${owner}.prepare(spec): spec.channels must be an integer in [1, ${SPEC_LIMITS.maxChannels}], got ${String(channels)}`,
    );
  }
  if (!(range.min <= channels && channels <= range.max)) {
    const need = range.min === range.max ? `${range.min}` : `in [${range.min}, ${range.max}]`;
    throw new RangeError(`${owner}.prepare(spec): ${owner} needs ${need} channels, got spec.channels ${channels}`);
  }
  return Object.freeze({ sampleRate, maxBlockSize, channels });
}

/**
 * How many channels of `block` `process()` may use: the leading entries, up to `channels`, that
 * are `Float32Array`s. Anything else a host might hand over (`null`, a non-array, a hole or
 * `undefined` in the array, a plain number array) ends the count, so such input is treated as no
 * audio for those channels instead of throwing. Never throws, allocates nothing.
 */
export function usableChannels(block: unknown, channels: number): number {
  if (!Array.isArray(block)) return 0;
  const n = block.length < channels ? block.length : channels;
  for (let c = 0; c < n; c++) if (!(block[c] instanceof Float32Array)) return c;
  return n;
}

/**
 * The number of frames `process()` may safely touch: `frames` (default: the first channel's
 * length) clamped to `[0, shortest channel array]` among the first `channels` usable arrays (see
 * {@link usableChannels}). `frames` may also be a BigInt (an AudioWorklet host's frame counters
 * can be); `undefined` or `null` mean "the whole arrays"; NaN, negative numbers and values of any
 * other type mean no frames. Never throws, allocates nothing.
 */
export function safeFrameCount(block: readonly Float32Array[], channels: number, frames: unknown): number {
  channels = usableChannels(block, channels);
  if (channels === 0) return 0;
  let len = block[0].length;
  for (let c = 1; c < channels; c++) if (block[c].length < len) len = block[c].length;
  if (frames === undefined || frames === null) return len;
  let f = 0;
  if (typeof frames === 'number') f = frames;
  else if (typeof frames === 'bigint') f = frames > 0 ? (frames < len ? Number(frames) : len) : 0;
  else return 0;
  // `!(f > 0)` is also true for NaN.
  if (!(f > 0)) return 0;
  // `| 0` keeps the count a small integer in V8 (Math.floor alone yields a float64). Math.floor
  // runs on every call, not only for a count below the arrays' length: code first reached after a
  // long run of full blocks has no type feedback, and V8 would deoptimise the caller there.
  const whole = Math.floor(f);
  return whole < len ? whole | 0 : len;
}
