/**
 * The AudioWorklet side: turn any masterbus processor, or a chain of them, into an
 * `AudioWorkletProcessor` registered under a name.
 *
 * Design choices:
 * - Parameters change through typed messages on the node's port (`{ type: 'set', index, params }`),
 *   not AudioParams: every masterbus parameter is already smoothed per sample by the processor
 *   itself, validation errors can be reported back, and one message can change several parameters
 *   at once. A message arrives between two render quanta, so it applies at a block boundary.
 * - A chain that fails to build posts a fatal error (and `ready` rejects on the main thread); the
 *   node then passes its input through. The chain is prepared for `processorOptions.channels`
 *   (default: the output channel count); give the node that many output channels, as
 *   `createMasterbusNode` does: extra channels would pass unprocessed.
 * - The worklet hosts ONE processor through the processor contract alone (no casts, no lists of
 *   names): a factory that returns a list gets a {@link Chain} of it.
 * - Meter read-outs (each processor's `meterNames`: loudness, gain reduction, correlation,
 *   balance…) are collected with `readMeters()` into one preallocated array and posted at a
 *   bounded rate (`meterHz`, default 20 per second). Nothing is allocated on the audio thread in
 *   between; a post itself allocates its message, about 20 times a second.
 * - Bypass cross-fades over 20 ms between the processed signal and the input delayed by the
 *   chain's latency ({@link BypassFade}), so the two line up in time. The chain keeps running
 *   while bypassed, so it comes back without a jump in its state.
 *
 * Nothing here touches worklet globals at import time: the module loads anywhere, and
 * {@link registerMasterbusProcessor} checks that it runs in an AudioWorkletGlobalScope.
 * @module
 */
import { BypassFade } from '../core/delay-line.js';
import type { MeterName, Processor } from '../core/processor.js';
import { describeValue } from '../core/validate.js';
import { Chain } from '../chains/chain.js';

/** The quantum of Web Audio rendering. */
export const RENDER_QUANTUM = 128;

/** What the node's constructor passes as `processorOptions`. */
export interface MasterbusProcessorOptions {
  /** Passed to the factory (for the built-in chain processor: `{ chain: ProcessorJSON[] }`). */
  params?: unknown;
  /** Channels the chain is prepared for; default: the node's output channel count, else 2. */
  channels?: number;
  /** Meter posts per second, 0 for none. @defaultValue 20 */
  meterHz?: number;
}

/** Messages the main thread sends to the processor. */
export type MasterbusCommand =
  | { type: 'set'; index: number; params: Record<string, unknown> }
  | { type: 'bypass'; value: boolean }
  | { type: 'reset' };

/** Read-outs of one processor of the chain, by {@link MeterName} (only those it offers). */
export type ProcessorMeters = Partial<Record<MeterName, number>>;

/** Messages the processor posts back. */
export type MasterbusEvent =
  | { type: 'meters'; frame: number; meters: (ProcessorMeters | null)[] }
  | { type: 'error'; message: string; fatal?: boolean }
  | { type: 'ready'; latency: number; channels: number };

/** Builds the chain inside the worklet, from `processorOptions.params`: one processor, or a list (run as a {@link Chain}). */
export type ChainFactory = (params: unknown) => Processor | readonly Processor[];

/** What the worklet hosts need of a processor's `port`. @internal */
export interface PortLike {
  postMessage(message: unknown): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

/** What the worklet hosts need of the AudioWorkletGlobalScope. @internal */
export interface WorkletScope {
  sampleRate: number;
  currentFrame: number | bigint;
  registerProcessor?: (name: string, ctor: unknown) => void;
  AudioWorkletProcessor: new () => { readonly port: PortLike };
}

const BYPASS_FADE_SECONDS = 0.02;

/**
 * Register `factory`'s chain as an AudioWorkletProcessor named `name`. Call it in your worklet
 * module (it throws a `TypeError` anywhere else):
 *
 * @example
 * ```ts
 * // my-worklet.ts, bundled into one ES module and loaded with audioWorklet.addModule():
 * import { Compressor, Limiter } from 'masterbus';
 * import { registerMasterbusProcessor } from 'masterbus/worklet';
 * if (typeof registerProcessor === 'function') {
 *   registerMasterbusProcessor('my-master', () => [new Compressor({ ratio: 3 }), new Limiter()]);
 * }
 * ```
 */
export function registerMasterbusProcessor(name: string, factory: ChainFactory): void {
  const scope = globalThis as unknown as WorkletScope;
  if (typeof scope.registerProcessor !== 'function' || typeof scope.AudioWorkletProcessor !== 'function') {
    throw new TypeError(`registerMasterbusProcessor("${name}"): must run inside an AudioWorkletGlobalScope (a module loaded with audioWorklet.addModule())`);
  }

  class MasterbusWorkletProcessor extends scope.AudioWorkletProcessor {
    /** The hosted processor (a Chain when the factory gave a list). */
    private readonly host: Processor;
    /** The slots `set` addresses: the chain's processors, or the one processor. */
    private readonly slots: readonly Processor[];
    private readonly channels: number;
    private readonly meterEvery: number;
    /** Every slot's read-outs, slot after slot (see `meterNames`). */
    private readonly meterValues: Float64Array;
    private blocks = 0;
    /** Frames of the last quantum (for the meter frame). */
    private lastN = RENDER_QUANTUM;
    private readonly bypass: BypassFade;

    constructor(options?: { processorOptions?: MasterbusProcessorOptions; outputChannelCount?: number[] }) {
      super();
      const po = options?.processorOptions ?? {};
      this.channels = po.channels ?? options?.outputChannelCount?.[0] ?? 2;
      const spec = { sampleRate: scope.sampleRate, maxBlockSize: RENDER_QUANTUM, channels: this.channels };
      let host: Processor = new Chain();
      let slots: readonly Processor[] = [];
      let failure: string | undefined;
      try {
        const made = factory(po.params);
        if (Array.isArray(made)) {
          slots = [...(made as readonly Processor[])];
          host = new Chain(slots);
        } else {
          host = made as Processor;
          slots = [host];
        }
        host.prepare(spec);
      } catch (err) {
        // A bad chain (an unknown type, a bad parameter) is reported, and the node passes its
        // input through rather than dying silently.
        host = new Chain();
        host.prepare(spec);
        slots = [];
        failure = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      }
      this.host = host;
      this.slots = slots;
      let count = 0;
      for (const p of slots) count += p.meterNames.length;
      this.meterValues = new Float64Array(count);
      this.bypass = new BypassFade(this.channels, host.latency, RENDER_QUANTUM, Math.max(1, Math.round(BYPASS_FADE_SECONDS * scope.sampleRate)));
      const hz = po.meterHz ?? 20;
      this.meterEvery = hz > 0 && count > 0 ? Math.max(1, Math.round(scope.sampleRate / RENDER_QUANTUM / hz)) : 0;
      this.port.onmessage = (e) => this.command(e.data as MasterbusCommand);
      if (failure !== undefined) this.port.postMessage({ type: 'error', message: failure, fatal: true } satisfies MasterbusEvent);
      this.port.postMessage({ type: 'ready', latency: host.latency, channels: this.channels } satisfies MasterbusEvent);
    }

    process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
      const out = outputs[0];
      if (out === undefined || out.length === 0) return true;
      const input = inputs[0];
      const n = out[0].length;
      const channels = out.length < this.channels ? out.length : this.channels;
      for (let c = 0; c < out.length; c++) {
        const x = input !== undefined && c < input.length ? input[c] : undefined;
        if (x !== undefined) out[c].set(x);
        else out[c].fill(0);
      }
      // The input delayed by the chain's latency, for bypass (kept current, so that a bypass
      // fades between signals that line up in time). Sized for 128-frame quanta: a host with
      // larger ones gets no bypass rather than a throw.
      const bypass = this.bypass;
      const canBypass = n <= RENDER_QUANTUM;
      if (canBypass && bypass.needsCapture) bypass.capture(out, channels, n);
      this.host.process(out, n);
      if (canBypass && bypass.active) bypass.mix(out, channels, n);
      if (this.meterEvery > 0 && ++this.blocks >= this.meterEvery) {
        this.blocks = 0;
        this.lastN = n;
        // process() must never throw: a host stops calling a processor that does.
        try {
          this.postMeters();
        } catch (err) {
          this.port.postMessage({ type: 'error', message: `meters: ${String(err)}` } satisfies MasterbusEvent);
        }
      }
      return true;
    }

    private postMeters(): void {
      const values = this.meterValues;
      this.host.readMeters(values, 0);
      let offset = 0;
      const meters: (ProcessorMeters | null)[] = [];
      for (const p of this.slots) {
        const names = p.meterNames;
        if (names.length === 0) {
          meters.push(null);
          continue;
        }
        const m: ProcessorMeters = {};
        for (let i = 0; i < names.length; i++) m[names[i]] = values[offset + i];
        offset += names.length;
        meters.push(m);
      }
      // Number(): node-web-audio-api 1.0.9 gives currentFrame as a BigInt, and BigInt + number
      // throws (which froze its rendering at the first meter post).
      this.port.postMessage({ type: 'meters', frame: Number(scope.currentFrame) + this.lastN, meters } satisfies MasterbusEvent);
    }

    private command(cmd: MasterbusCommand): void {
      try {
        if (cmd === null || typeof cmd !== 'object') throw new TypeError(`masterbus worklet: a command must be an object, got ${describeValue(cmd)}`);
        if (cmd.type === 'set') {
          const index = cmd.index;
          if (typeof index !== 'number' || !Number.isInteger(index) || !(0 <= index && index < this.slots.length)) {
            throw new RangeError(`masterbus worklet: set: index must be an integer in [0, ${this.slots.length - 1}], got ${describeValue(index)}`);
          }
          this.slots[index].set(cmd.params);
        } else if (cmd.type === 'bypass') {
          if (typeof cmd.value !== 'boolean') throw new TypeError(`masterbus worklet: bypass: value must be a boolean, got ${describeValue(cmd.value)}`);
          this.bypass.setBypassed(cmd.value);
        } else if (cmd.type === 'reset') {
          this.host.reset();
          this.bypass.reset();
        } else {
          throw new TypeError(`masterbus worklet: unknown command type ${describeValue((cmd as { type: unknown }).type)}`);
        }
      } catch (err) {
        this.port.postMessage({ type: 'error', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) } satisfies MasterbusEvent);
      }
    }
  }

  scope.registerProcessor(name, MasterbusWorkletProcessor);
}
