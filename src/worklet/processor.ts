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
 * - Meter read-outs (loudness, gain reduction, correlation, balance) are posted at a bounded rate
 *   (`meterHz`, default 20 per second). Nothing is allocated on the audio thread in between; a
 *   post itself allocates its message, about 20 times a second.
 * - Bypass cross-fades over 20 ms between the processed signal and the input delayed by the
 *   chain's latency, so the two line up in time. The chain keeps running while bypassed, so it
 *   comes back without a jump in its state.
 *
 * Nothing here touches worklet globals at import time: the module loads anywhere, and
 * {@link registerMasterbusProcessor} checks that it runs in an AudioWorkletGlobalScope.
 * @module
 */
import { describeValue } from '../core/validate.js';
import type { Processor } from '../core/processor.js';

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

/** Read-outs of one processor of the chain (only those it has). */
export interface ProcessorMeters {
  /** LoudnessMeter: momentary, short-term and integrated loudness (LUFS), loudness range (LU). */
  momentary?: number;
  shortTerm?: number;
  integrated?: number;
  lra?: number;
  /** Compressor, Limiter: gain reduction now and its maximum so far (dB, ≥ 0). */
  gainReductionDb?: number;
  maxGainReductionDb?: number;
  /** StereoWidener: phase correlation (−1..1) and balance (−1..1). */
  correlation?: number;
  balance?: number;
}

/** Messages the processor posts back. */
export type MasterbusEvent =
  | { type: 'meters'; frame: number; meters: (ProcessorMeters | null)[] }
  | { type: 'error'; message: string; fatal?: boolean }
  | { type: 'ready'; latency: number; channels: number };

/** Builds the chain inside the worklet, from `processorOptions.params`. */
export type ChainFactory = (params: unknown) => Processor | readonly Processor[];

interface PortLike {
  postMessage(message: unknown): void;
  onmessage: ((event: { data: unknown }) => void) | null;
}

interface WorkletScope {
  sampleRate: number;
  currentFrame: number | bigint;
  registerProcessor?: (name: string, ctor: unknown) => void;
  AudioWorkletProcessor: new () => { readonly port: PortLike };
}

const METER_KEYS = ['momentary', 'shortTerm', 'integrated', 'lra', 'gainReductionDb', 'maxGainReductionDb', 'correlation', 'balance'] as const;
const BYPASS_FADE_SECONDS = 0.02;

/** The read-outs a processor offers, by name (found once, when the node is built). */
function meterKeys(p: Processor): (typeof METER_KEYS)[number][] {
  return METER_KEYS.filter((k) => typeof (p as unknown as Record<string, unknown>)[k] === 'number');
}

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
    private readonly chain: Processor[];
    private readonly channels: number;
    private readonly keys: (typeof METER_KEYS)[number][][];
    private readonly meterEvery: number;
    private blocks = 0;
    /** Frames of the last quantum (for the meter frame). */
    private lastN = RENDER_QUANTUM;
    /** [bypass target (0/1), bypass mix now, step per sample]. */
    private readonly fade = new Float64Array(3);
    /** Per channel: the input's last `latency` samples, then the current quantum. */
    private readonly dry: Float32Array[] = [];
    private readonly latency: number;

    constructor(options?: { processorOptions?: MasterbusProcessorOptions; outputChannelCount?: number[] }) {
      super();
      const po = options?.processorOptions ?? {};
      this.channels = po.channels ?? options?.outputChannelCount?.[0] ?? 2;
      const spec = { sampleRate: scope.sampleRate, maxBlockSize: RENDER_QUANTUM, channels: this.channels };
      let chain: Processor[] = [];
      let failure: string | undefined;
      try {
        const made = factory(po.params);
        chain = Array.isArray(made) ? [...made] : [made as Processor];
        for (const p of chain) p.prepare(spec);
      } catch (err) {
        // A bad chain (an unknown type, a bad parameter) is reported, and the node passes its
        // input through rather than dying silently.
        chain = [];
        failure = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      }
      this.chain = chain;
      let latency = 0;
      for (const p of this.chain) latency += p.latency;
      this.latency = latency;
      for (let c = 0; c < this.channels; c++) this.dry.push(new Float32Array(latency + RENDER_QUANTUM));
      this.keys = this.chain.map(meterKeys);
      const hz = po.meterHz ?? 20;
      this.meterEvery = hz > 0 && this.keys.some((k) => k.length > 0) ? Math.max(1, Math.round(scope.sampleRate / RENDER_QUANTUM / hz)) : 0;
      this.fade[2] = 1 / Math.max(1, Math.round(BYPASS_FADE_SECONDS * scope.sampleRate));
      this.port.onmessage = (e) => this.command(e.data as MasterbusCommand);
      if (failure !== undefined) this.port.postMessage({ type: 'error', message: failure, fatal: true } satisfies MasterbusEvent);
      this.port.postMessage({ type: 'ready', latency, channels: this.channels } satisfies MasterbusEvent);
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
      // fades between signals that line up in time).
      // (Sized for 128-frame quanta; a host with larger ones gets no bypass rather than a throw.)
      const L = this.latency;
      const dry = this.dry;
      const canBypass = n <= RENDER_QUANTUM;
      if (canBypass) for (let c = 0; c < channels; c++) dry[c].set(out[c], L);
      const fade = this.fade;
      const fading = canBypass && fade[1] !== fade[0];
      const bypassed = canBypass && fade[1] === 1 && fade[0] === 1;
      const chain = this.chain;
      for (let i = 0; i < chain.length; i++) chain[i].process(out, n);
      if (bypassed) {
        for (let c = 0; c < channels; c++) {
          const o = out[c];
          const d = dry[c];
          for (let i = 0; i < n; i++) o[i] = d[i];
        }
      } else if (fading) {
        const target = fade[0];
        const step = fade[2];
        let m = fade[1];
        for (let i = 0; i < n; i++) {
          m = target > m ? (m + step < target ? m + step : target) : m - step > target ? m - step : target;
          for (let c = 0; c < channels; c++) out[c][i] += m * (dry[c][i] - out[c][i]);
        }
        fade[1] = m;
      }
      if (canBypass && L > 0) for (let c = 0; c < channels; c++) dry[c].copyWithin(0, n, n + L);
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
      const meters = this.chain.map((p, i) => {
        const keys = this.keys[i];
        if (keys.length === 0) return null;
        const m: ProcessorMeters = {};
        for (const k of keys) m[k] = (p as unknown as Record<string, number>)[k];
        return m;
      });
      // Number(): node-web-audio-api 1.0.9 gives currentFrame as a BigInt, and BigInt + number
      // throws (which froze its rendering at the first meter post).
      this.port.postMessage({ type: 'meters', frame: Number(scope.currentFrame) + this.lastN, meters } satisfies MasterbusEvent);
    }

    private command(cmd: MasterbusCommand): void {
      try {
        if (cmd === null || typeof cmd !== 'object') throw new TypeError(`masterbus worklet: a command must be an object, got ${String(cmd)}`);
        if (cmd.type === 'set') {
          const p = this.chain[cmd.index] as unknown as { set?: (o: Record<string, unknown>) => unknown } | undefined;
          if (p === undefined) throw new RangeError(`masterbus worklet: set: index must be in [0, ${this.chain.length - 1}], got ${String(cmd.index)}`);
          if (typeof p.set !== 'function') throw new TypeError(`masterbus worklet: processor ${cmd.index} has no set()`);
          p.set(cmd.params);
        } else if (cmd.type === 'bypass') {
          if (typeof cmd.value !== 'boolean') throw new TypeError(`masterbus worklet: bypass: value must be a boolean, got ${describeValue(cmd.value)}`);
          this.fade[0] = cmd.value ? 1 : 0;
        } else if (cmd.type === 'reset') {
          for (const p of this.chain) p.reset();
          for (const d of this.dry) d.fill(0);
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
