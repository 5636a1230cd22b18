/**
 * The main-thread side: load the worklet module and create the matching `AudioWorkletNode`, with
 * typed commands and meter events.
 * @module
 */
import type { Processor, ProcessorJSON } from '../core/processor.js';
import type { MasterbusCommand, MasterbusEvent, MasterbusProcessorOptions, ProcessorMeters } from './processor.js';

/** The name the built-in chain processor (`masterbus/worklet-processor`) registers. */
export const CHAIN_PROCESSOR_NAME = 'masterbus-chain';

/** The parts of a (Offline)AudioContext the helper uses. */
export interface WorkletContextLike {
  readonly sampleRate: number;
  readonly audioWorklet: { addModule(moduleUrl: string): Promise<void> };
}

/**
 * An event handler as a property type that also accepts the DOM's handlers, whose events are
 * narrower (`MessageEvent`, `Event`): declared through a method, whose parameters TypeScript
 * checks bivariantly.
 */
export type EventHandlerLike<E> = { bivariant(event: E): void }['bivariant'];

/** The parts of an AudioWorkletNode the helper uses. */
export interface WorkletNodeLike {
  readonly port: { postMessage(message: unknown): void; onmessage: EventHandlerLike<{ data: unknown }> | null };
  onprocessorerror?: EventHandlerLike<unknown> | null;
}

/** An AudioWorkletNode constructor (the browser's, or node-web-audio-api's). */
export type WorkletNodeConstructor<N extends WorkletNodeLike> = new (context: never, name: string, options: Record<string, unknown>) => N;

/** The valid indices of a chain given as a tuple (`0 | 1 | 2`), or `number` for a list of unknown length. */
export type SlotIndex<C extends readonly unknown[]> = number extends C['length'] ? number : { [K in keyof C]: K extends `${infer I extends number}` ? I : never }[number];

/** The options type of a chain element: a processor's own (typed), or any for JSON elements. */
export type SlotParams<P> = P extends Processor<infer O> ? Partial<O> : Record<string, unknown>;

/** Options of {@link createMasterbusNode}. */
export interface MasterbusNodeOptions<N extends WorkletNodeLike, C extends readonly (Processor | ProcessorJSON)[] = readonly (Processor | ProcessorJSON)[]> {
  /** URL (or path, in Node) of the worklet module: the built `masterbus/worklet-processor`, or yours. */
  moduleUrl: string;
  /**
   * The chain for the built-in processor, as processors (configured, not prepared) or their
   * JSON; ignored with a custom `processorName`, which gets `params` instead.
   */
  chain?: C;
  /** Name your worklet registered with `registerMasterbusProcessor`. @defaultValue `"masterbus-chain"` */
  processorName?: string;
  /** Passed to a custom processor's factory. */
  params?: unknown;
  /** Channels in and out. @defaultValue 2 */
  channels?: number;
  /** Meter posts per second (0: none). @defaultValue 20 */
  meterHz?: number;
  /** Skip `addModule` (the module is already loaded in this context). */
  moduleLoaded?: boolean;
  /** The AudioWorkletNode class; default: the global one (pass node-web-audio-api's in Node). */
  AudioWorkletNode?: WorkletNodeConstructor<N>;
}

/** A created node: the AudioWorkletNode plus typed commands and events. */
export interface MasterbusNode<N extends WorkletNodeLike, C extends readonly (Processor | ProcessorJSON)[] = readonly (Processor | ProcessorJSON)[]> {
  /** Connect this in the audio graph. */
  readonly node: N;
  /**
   * Total latency of the chain in samples and its channel count, once the worklet has built it;
   * rejects if the chain could not be built (an unknown processor type, a bad parameter) or the
   * processor failed.
   */
  readonly ready: Promise<{ latency: number; channels: number }>;
  /**
   * Change parameters of processor `index` of the chain; applies at the next block boundary,
   * smoothed. Typed by the processor at that index when the chain was given as processors (a
   * misspelt option does not compile); a bad value is reported through `onerror`.
   */
  set<I extends SlotIndex<C>>(index: I, params: SlotParams<C[I]>): void;
  /**
   * Cross-fade over 20 ms to the input delayed by the chain's latency (true), or back to the
   * processed signal (false).
   */
  bypass(value: boolean): void;
  /** Clear every processor's state. */
  reset(): void;
  /** Called with the chain's read-outs, `meterHz` times a second. */
  onmeters: ((meters: (ProcessorMeters | null)[], frame: number) => void) | null;
  /** Called when a command fails in the worklet (a bad parameter, say) or the processor fails, with its message. */
  onerror: ((message: string) => void) | null;
}

/**
 * Load the worklet module into `context` and create the node running a masterbus chain.
 *
 * @example
 * ```ts
 * import { Compressor, Limiter, ParametricEQ } from 'masterbus';
 * import { createMasterbusNode } from 'masterbus/worklet';
 * async function start(ctx: AudioContext, source: AudioNode) {
 *   const master = await createMasterbusNode(ctx, {
 *     AudioWorkletNode, // the node is then typed as the DOM's AudioWorkletNode: no casts
 *     // Where your server or bundler puts dist/masterbus-worklet.js (with Vite:
 *     // `import moduleUrl from 'masterbus/worklet-processor?url'`).
 *     moduleUrl: '/masterbus-worklet.js',
 *     chain: [new ParametricEQ(), new Compressor({ ratio: 2.5 }), new Limiter({ ceilingDb: -1 })],
 *   });
 *   source.connect(master.node).connect(ctx.destination);
 *   master.onmeters = (m) => console.log(m[2]?.gainReductionDb);
 *   master.set(2, { ceilingDb: -2 });       // typed: Partial<LimiterOptions>
 * }
 * void start;
 * ```
 */
export async function createMasterbusNode<N extends WorkletNodeLike, const C extends readonly (Processor | ProcessorJSON)[] = readonly (Processor | ProcessorJSON)[]>(
  context: WorkletContextLike,
  options: MasterbusNodeOptions<N, C>,
): Promise<MasterbusNode<N, C>> {
  const Ctor = options.AudioWorkletNode ?? (globalThis as unknown as { AudioWorkletNode?: WorkletNodeConstructor<N> }).AudioWorkletNode;
  if (typeof Ctor !== 'function') throw new TypeError('createMasterbusNode: no AudioWorkletNode class (pass options.AudioWorkletNode outside a browser)');
  const channels = options.channels ?? 2;
  if (!Number.isInteger(channels) || channels < 1 || channels > 32) throw new RangeError(`createMasterbusNode: channels must be an integer in [1, 32], got ${String(channels)}`);
  const name = options.processorName ?? CHAIN_PROCESSOR_NAME;
  const params = options.processorName === undefined ? { chain: (options.chain ?? []).map((p) => ('toJSON' in p && typeof p.toJSON === 'function' ? p.toJSON() : p)) } : options.params;
  if (!options.moduleLoaded) await context.audioWorklet.addModule(options.moduleUrl);
  const processorOptions: MasterbusProcessorOptions = { params, channels, meterHz: options.meterHz ?? 20 };
  const node = new Ctor(context as never, name, {
    numberOfInputs: 1,
    numberOfOutputs: 1,
    outputChannelCount: [channels],
    channelCount: channels,
    channelCountMode: 'explicit',
    channelInterpretation: 'speakers',
    processorOptions,
  });
  let resolveReady: (v: { latency: number; channels: number }) => void = () => {};
  let rejectReady: (e: Error) => void = () => {};
  let failed = false;
  const ready = new Promise<{ latency: number; channels: number }>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  // (Awaiting `ready` is optional: an unhandled rejection must not be reported for it.)
  ready.catch(() => {});
  const send = (cmd: MasterbusCommand) => node.port.postMessage(cmd);
  const handle: MasterbusNode<N, C> = {
    node,
    ready,
    set: (index, p) => send({ type: 'set', index, params: p as Record<string, unknown> }),
    bypass: (value) => send({ type: 'bypass', value }),
    reset: () => send({ type: 'reset' }),
    onmeters: null,
    onerror: null,
  };
  node.port.onmessage = (e) => {
    const ev = e.data as MasterbusEvent;
    if (ev.type === 'meters') handle.onmeters?.(ev.meters, ev.frame);
    else if (ev.type === 'error') {
      handle.onerror?.(ev.message);
      if (ev.fatal) {
        failed = true;
        rejectReady(new Error(`masterbus worklet: the chain could not be built: ${ev.message}`));
      }
    } else if (ev.type === 'ready' && !failed) resolveReady({ latency: ev.latency, channels: ev.channels });
  };
  // A processor that throws is stopped by the host, which fires processorerror.
  node.onprocessorerror = (event: unknown) => {
    const message = `processorerror: ${String((event as { message?: unknown })?.message ?? 'the worklet processor threw')}`;
    handle.onerror?.(message);
    rejectReady(new Error(`masterbus worklet: ${message}`));
  };
  return handle;
}
