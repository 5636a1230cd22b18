/**
 * A serial chain of processors that is itself a processor (after JUCE's `ProcessorChain`, built on
 * the contract alone: it configures, bypasses, meters and serialises children it did not create).
 *
 * - Each slot runs in place on the same block, in order; `latency` is the sum of the slots'.
 * - Bypassing a slot cross-fades (20 ms) between its output and its input delayed by its latency
 *   ({@link BypassFade}), so the chain's timing never changes and nothing clicks; the slot keeps
 *   running while bypassed, so switching it back is seamless too.
 * - `channelRange` is the intersection of the slots' ranges; `prepare()` prepares every slot with
 *   the chain's spec.
 * - Read-outs: `meterNames` lists the slots' names in slot order; `readMeters()` writes them all.
 *   For per-slot read-outs, use `at(i).meterNames` / `at(i).readMeters()`.
 * - Blocks longer than `maxBlockSize` are run through the slots in pieces, through the chain's own
 *   scratch buffers (no allocation).
 *
 * @module
 */
import { BypassFade } from '../core/delay-line.js';
import {
  ANY_CHANNELS,
  safeFrameCount,
  usableChannels,
  validateSpec,
  type ChannelRange,
  type MeterName,
  type ProcessSpec,
  type Processor,
  type ProcessorJSON,
} from '../core/processor.js';
import { checkBoolean, checkKnownKeys, checkObject, describeValue } from '../core/validate.js';

/** Options of {@link Chain}. */
export interface ChainOptions {
  /** Per slot: whether it is bypassed (cross-faded out, its latency kept). Missing entries: false. */
  bypassed: readonly boolean[];
}

/** Length of the bypass cross-fade, in seconds. */
export const CHAIN_BYPASS_FADE_SECONDS = 0.02;

/** Longest chain. */
export const MAX_CHAIN_LENGTH = 256;

const OWNER = 'Chain';

/** Turns one element of a chain's JSON back into a processor (the registry's `processorFromJSON`). */
export type ProcessorBuilder = (json: ProcessorJSON) => Processor;

/**
 * A serial chain of processors, itself a {@link Processor}.
 *
 * @example
 * ```ts
 * import { Chain, Compressor, Limiter, ParametricEQ } from 'masterbus';
 * const master = new Chain([
 *   new ParametricEQ({ bands: [{ type: 'highshelf', frequencyHz: 8000, gainDb: 1.5 }] }),
 *   new Compressor({ thresholdDb: -18, ratio: 2 }),
 *   new Limiter({ ceilingDb: -1 }),
 * ]);
 * master.prepare({ sampleRate: 48000, maxBlockSize: 128, channels: 2 });
 * const block = [new Float32Array(128), new Float32Array(128)];
 * master.process(block);
 * master.setBypassed(1, true);                 // fades the compressor out over 20 ms
 * console.log(master.latency, master.meterNames);
 * ```
 */
export class Chain implements Processor<ChainOptions> {
  /** Type name used by {@link Chain.toJSON}. */
  static readonly type = 'Chain';
  /** The intersection of the slots' channel ranges. */
  readonly channelRange: ChannelRange;
  /** The slots' read-out names, in slot order. */
  readonly meterNames: readonly MeterName[];
  private readonly slots: readonly Processor[];
  private readonly bypass: boolean[];
  private fades: BypassFade[] = [];
  private scratch: Float32Array[] = [];
  private spec: ProcessSpec | undefined;
  private lat = 0;

  /** Build a chain of `processors` (configured, not yet prepared: the chain prepares them). */
  constructor(processors: readonly Processor[] = [], options: Partial<ChainOptions> = {}) {
    if (!Array.isArray(processors)) throw new TypeError(`${OWNER}: processors must be an array of processors, got ${describeValue(processors)}`);
    if (processors.length > MAX_CHAIN_LENGTH) throw new RangeError(`${OWNER}: at most ${MAX_CHAIN_LENGTH} processors, got ${processors.length}`);
    const slots: Processor[] = [];
    let min = ANY_CHANNELS.min;
    let max = ANY_CHANNELS.max;
    const names: MeterName[] = [];
    for (let i = 0; i < processors.length; i++) {
      const p = processors[i] as unknown;
      if (!isProcessor(p)) throw new TypeError(`${OWNER}: processors[${i}] must be a processor (prepare, process, reset, latency, readMeters …), got ${describeValue(p)}`);
      if (slots.includes(p)) throw new TypeError(`${OWNER}: processors[${i}] is already in the chain (one object cannot run twice per block)`);
      slots.push(p);
      min = Math.max(min, p.channelRange.min);
      max = Math.min(max, p.channelRange.max);
      names.push(...p.meterNames);
    }
    if (min > max) throw new RangeError(`${OWNER}: no channel count suits every processor (they need between ${min} and ${max} channels)`);
    this.slots = Object.freeze(slots);
    this.channelRange = Object.freeze({ min, max });
    this.meterNames = Object.freeze(names);
    this.bypass = slots.map(() => false);
    this.set(options);
  }

  /**
   * Rebuild a chain from {@link Chain.toJSON} output; `build` turns each element back into a
   * processor (pass `processorFromJSON`, or your own registry's).
   */
  static fromJSON(json: ProcessorJSON, build: ProcessorBuilder): Chain {
    const j = checkObject(OWNER, 'json', json);
    if (j.type !== Chain.type) throw new TypeError(`Chain.fromJSON: expected type "Chain", got ${describeValue(j.type)}`);
    const params = checkObject(OWNER, 'json.params', j.params);
    checkKnownKeys(OWNER, params, ['processors', 'bypassed']);
    const list = params.processors ?? [];
    if (!Array.isArray(list)) throw new TypeError(`${OWNER}: json.params.processors must be an array, got ${describeValue(list)}`);
    if (list.length > MAX_CHAIN_LENGTH) throw new RangeError(`${OWNER}: at most ${MAX_CHAIN_LENGTH} processors, got ${list.length}`);
    const processors: Processor[] = [];
    for (let i = 0; i < list.length; i++) {
      if (!(i in list)) throw new TypeError(`${OWNER}: json.params.processors[${i}] is missing (a hole in the array)`);
      processors.push(build(list[i] as ProcessorJSON));
    }
    return new Chain(processors, params.bypassed === undefined ? {} : { bypassed: params.bypassed as boolean[] });
  }

  /** Number of slots. */
  get length(): number {
    return this.slots.length;
  }

  /** The processor in slot `index`. */
  at(index: number): Processor {
    return this.slots[this.checkIndex(index)];
  }

  /** Sum of the slots' latencies, in samples (0 before `prepare()`). */
  get latency(): number {
    return this.lat;
  }

  /** The current options. */
  get params(): ChainOptions {
    return { bypassed: [...this.bypass] };
  }

  /** Change options (validated first: a bad value throws and changes nothing). */
  set(options: Partial<ChainOptions>): this {
    const o = checkObject(OWNER, 'options', options);
    checkKnownKeys(OWNER, o, ['bypassed']);
    if (o.bypassed !== undefined) {
      const b = o.bypassed;
      if (!Array.isArray(b)) throw new TypeError(`${OWNER}.bypassed must be an array of booleans, got ${describeValue(b)}`);
      if (b.length > this.slots.length) throw new RangeError(`${OWNER}.bypassed has ${b.length} entries for ${this.slots.length} slots`);
      for (let i = 0; i < b.length; i++) {
        if (!(i in b)) throw new TypeError(`${OWNER}.bypassed[${i}] must be a boolean, got undefined (a hole in the array)`);
        checkBoolean(OWNER, `bypassed[${i}]`, b[i]);
      }
      for (let i = 0; i < this.slots.length; i++) this.setBypassed(i, i < b.length ? (b[i] as boolean) : false);
    }
    return this;
  }

  /** Bypass slot `index` (true) or bring it back (false): a 20 ms cross-fade once running. */
  setBypassed(index: number, value: boolean): void {
    const i = this.checkIndex(index);
    checkBoolean(OWNER, `setBypassed(${index}, value): value`, value);
    this.bypass[i] = value;
    const fade = this.fades[i];
    if (fade === undefined) return;
    if (this.spec === undefined) fade.setBypassedImmediate(value);
    else fade.setBypassed(value);
  }

  /** Whether slot `index` is bypassed (the target of its fade). */
  isBypassed(index: number): boolean {
    return this.bypass[this.checkIndex(index)];
  }

  prepare(spec: ProcessSpec): void {
    const s = validateSpec(OWNER, spec, this.channelRange);
    let latency = 0;
    const fades: BypassFade[] = [];
    const fadeSamples = Math.max(1, Math.round(CHAIN_BYPASS_FADE_SECONDS * s.sampleRate));
    for (let i = 0; i < this.slots.length; i++) {
      const p = this.slots[i];
      p.prepare(s);
      latency += p.latency;
      const fade = new BypassFade(s.channels, p.latency, s.maxBlockSize, fadeSamples);
      fade.setBypassedImmediate(this.bypass[i]);
      fades.push(fade);
    }
    this.fades = fades;
    this.scratch = [];
    for (let c = 0; c < s.channels; c++) this.scratch.push(new Float32Array(s.maxBlockSize));
    this.lat = latency;
    this.spec = s;
  }

  process(block: readonly Float32Array[], frames?: number): void {
    const spec = this.spec;
    if (spec === undefined) return;
    const channels = usableChannels(block, spec.channels);
    const n = safeFrameCount(block, channels, frames);
    if (n === 0) return;
    const max = spec.maxBlockSize;
    if (n <= max) {
      this.run(block, channels, n);
      return;
    }
    // Longer than maxBlockSize: in pieces through the scratch buffers (no views, no allocation).
    const scratch = this.scratch;
    for (let pos = 0; pos < n; pos += max) {
      const len = n - pos < max ? n - pos : max;
      for (let c = 0; c < channels; c++) {
        const x = block[c];
        const t = scratch[c];
        for (let i = 0; i < len; i++) t[i] = x[pos + i];
      }
      this.run(scratch, channels, len);
      for (let c = 0; c < channels; c++) {
        const x = block[c];
        const t = scratch[c];
        for (let i = 0; i < len; i++) x[pos + i] = t[i];
      }
    }
  }

  /** Every slot over `n` ≤ maxBlockSize frames of `block`, with its bypass fade. */
  private run(block: readonly Float32Array[], channels: number, n: number): void {
    const slots = this.slots;
    const fades = this.fades;
    for (let i = 0; i < slots.length; i++) {
      const fade = fades[i];
      if (fade.needsCapture) fade.capture(block, channels, n);
      slots[i].process(block, n);
      if (fade.active) fade.mix(block, channels, n);
    }
  }

  reset(): void {
    for (const p of this.slots) p.reset();
    for (const f of this.fades) f.reset();
  }

  /** Every slot's read-outs, in the order of {@link Chain.meterNames}; allocates nothing. */
  readMeters(out: Float64Array, offset: number): void {
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const p = slots[i];
      p.readMeters(out, offset);
      offset += p.meterNames.length;
    }
  }

  /** `{ type: "Chain", params: { processors: [...each toJSON()], bypassed } }`. */
  toJSON(): ProcessorJSON {
    return { type: Chain.type, params: { processors: this.slots.map((p) => p.toJSON()), bypassed: [...this.bypass] } };
  }

  private checkIndex(index: number): number {
    if (typeof index !== 'number' || !Number.isInteger(index) || !(0 <= index && index < this.slots.length)) {
      throw new RangeError(`${OWNER}: slot index must be an integer in [0, ${this.slots.length - 1}], got ${describeValue(index)}`);
    }
    return index;
  }
}

/** Whether `p` has the members of the processor contract (duck typing: any class can take part). */
export function isProcessor(p: unknown): p is Processor {
  if (p === null || typeof p !== 'object') return false;
  const q = p as Record<string, unknown>;
  return (
    typeof q.prepare === 'function' &&
    typeof q.process === 'function' &&
    typeof q.reset === 'function' &&
    typeof q.toJSON === 'function' &&
    typeof q.set === 'function' &&
    typeof q.readMeters === 'function' &&
    Array.isArray(q.meterNames) &&
    q.channelRange !== null &&
    typeof q.channelRange === 'object'
  );
}
