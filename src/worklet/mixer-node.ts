/**
 * The main-thread side of a mix in one AudioWorkletNode: load the worklet module, create the node
 * with one input per track, and drive the mixer with typed, frame-stamped commands.
 * @module
 */
import type { BusOptions, Mixer, TrackOptions } from '../chains/mixer.js';
import type { MixerAutomationEvent, MixerCommand, MixerEvent, MixerProcessorOptions } from './mixer-processor.js';
import type { WorkletContextLike, WorkletNodeConstructor, WorkletNodeLike } from './node.js';

/** The name the prebuilt module (`masterbus/worklet-processor`) registers the mixer processor under. */
export const MIXER_PROCESSOR_NAME = 'masterbus-mixer';

/** A session as {@link Mixer.toJSON} writes it. */
export type MixerSessionJSON = ReturnType<Mixer['toJSON']>;

/**
 * When a command applies: a number is a time in seconds on the context's clock (as AudioParam
 * methods take it; rounded to the nearest frame), `{ frame }` a context frame. Omitted: at the
 * next render quantum.
 */
export type MixerWhen = number | { frame: number };

/** What {@link MixerNode.setTrack} changes (as {@link Mixer.setTrack}). */
export type MixerTrackChange = Partial<Pick<TrackOptions, 'faderDb' | 'pan' | 'panLaw' | 'trimDb' | 'invertPolarity' | 'mute' | 'solo'>> & { sendLevelsDb?: readonly number[] };
/** What {@link MixerNode.setBus} changes (as {@link Mixer.setBus}). */
export type MixerBusChange = Partial<Pick<BusOptions, 'faderDb' | 'pan' | 'mute' | 'solo' | 'soloSafe'>>;

/**
 * One automation lane of the mixer in the worklet (see {@link Mixer.automate}): events as on an
 * `AudioParam`, at context times (seconds) or frames. Methods return the lane, for chaining.
 */
export interface MixerLaneHandle {
  setValue(value: number, when: MixerWhen): MixerLaneHandle;
  linearRamp(value: number, when: MixerWhen): MixerLaneHandle;
  exponentialRamp(value: number, when: MixerWhen): MixerLaneHandle;
  /** Approach `value` from `when` on; `timeConstant` in seconds, or `{ frames }`. */
  setTarget(value: number, when: MixerWhen, timeConstant: number | { frames: number }): MixerLaneHandle;
  /** Remove every event at or after `when`. */
  cancel(when: MixerWhen): MixerLaneHandle;
}

/** Options of {@link createMixerNode}. */
export interface MixerNodeOptions<N extends WorkletNodeLike> {
  /** URL of the worklet module: the built `masterbus/worklet-processor`, or yours. */
  moduleUrl: string;
  /** Name your module registered with `registerMixerProcessor`. @defaultValue `"masterbus-mixer"` */
  processorName?: string;
  /** Meter posts per second (0: none). @defaultValue 20 */
  meterHz?: number;
  /** Skip `addModule` (the module is already loaded in this context). */
  moduleLoaded?: boolean;
  /** The AudioWorkletNode class; default: the global one. */
  AudioWorkletNode?: WorkletNodeConstructor<N>;
}

/** A created mixer node: the AudioWorkletNode plus typed commands and events. */
export interface MixerNode<N extends WorkletNodeLike> {
  /** Connect track t's source to input t (`source.connect(mix.node, 0, t)`), and the node's output onwards. */
  readonly node: N;
  /** Number of tracks (= node inputs). */
  readonly tracks: number;
  /**
   * The mixer's latency in samples, its track count and the meter labels, once the worklet has
   * built it; rejects if the session could not be built or the processor failed.
   */
  readonly ready: Promise<{ latency: number; tracks: number; labels: string[] }>;
  /** Change a track's fader, pan, trim, polarity, mute, solo or send levels at `when` (ramps over 10 ms). */
  setTrack(track: string | number, options: MixerTrackChange, when?: MixerWhen): void;
  /** Change a bus's fader, pan, mute, solo or solo-safe state at `when`. */
  setBus(bus: string | number, options: MixerBusChange, when?: MixerWhen): void;
  /** Change the master fader at `when`. */
  setMaster(options: { faderDb?: number }, when?: MixerWhen): void;
  /** The automation lane at `path` (as {@link Mixer.automate}: `tracks.vox.faderDb`, `buses.verb.pan`, `master.faderDb` …). */
  automate(path: string): MixerLaneHandle;
  /** Clear every insert's state and restart the mixer's clock at `when` (settings and automation events are kept). */
  reset(when?: MixerWhen): void;
  /**
   * Resolves once the worklet has received every command sent before it (they are then queued
   * with their frames): await it before `OfflineAudioContext.startRendering()`, so that commands
   * scheduled ahead are in place when rendering starts.
   */
  sync(): Promise<void>;
  /** Called with the read-outs by {@link Mixer.meterLabels} (`tracks.vox.peakDb`, `master.momentaryLufs` …), `meterHz` times a second. */
  onmeters: ((meters: Record<string, number>, frame: number) => void) | null;
  /** Called when a command fails in the worklet (a bad value, an unknown track) or the processor fails. */
  onerror: ((message: string) => void) | null;
}

/**
 * Load the worklet module into `context` and create one AudioWorkletNode that runs the whole
 * {@link Mixer} of `session`: one input per track (connect track t's source to input t), one stereo
 * output. Inputs take up to 2 channels ("clamped-max"): a mono source stays mono, more channels
 * are down-mixed to stereo; a stereo source on a mono track is mixed to 0.5·(L + R).
 *
 * Commands carry the time they apply at, and the worklet applies them at that very sample.
 *
 * @example
 * ```ts
 * import { Compressor, Mixer } from 'masterbus';
 * import { createMixerNode } from 'masterbus/worklet';
 * async function start(ctx: AudioContext, vocal: AudioNode, keys: AudioNode) {
 *   const session = new Mixer({
 *     tracks: [{ name: 'vocal', channels: 1, inserts: [new Compressor({ ratio: 3 })] }, { name: 'keys', faderDb: -4 }],
 *   });
 *   const mix = await createMixerNode(ctx, session, { AudioWorkletNode, moduleUrl: '/masterbus-worklet.js' });
 *   vocal.connect(mix.node, 0, 0);
 *   keys.connect(mix.node, 0, 1);
 *   mix.node.connect(ctx.destination);
 *   mix.automate('tracks.keys.faderDb').setValue(-4, ctx.currentTime).linearRamp(-20, ctx.currentTime + 8);
 *   mix.setTrack('vocal', { solo: true }, ctx.currentTime + 4);
 *   mix.onmeters = (m) => console.log(m['master.momentaryLufs']);
 * }
 * void start;
 * ```
 */
export async function createMixerNode<N extends WorkletNodeLike>(
  context: WorkletContextLike,
  session: Mixer | MixerSessionJSON,
  options: MixerNodeOptions<N>,
): Promise<MixerNode<N>> {
  const Ctor = options.AudioWorkletNode ?? (globalThis as unknown as { AudioWorkletNode?: WorkletNodeConstructor<N> }).AudioWorkletNode;
  if (typeof Ctor !== 'function') throw new TypeError('createMixerNode: no AudioWorkletNode class (pass options.AudioWorkletNode outside a browser)');
  const json = (session !== null && typeof session === 'object' && 'prepare' in session ? session.toJSON() : session) as MixerSessionJSON;
  const trackList = (json as { session?: { tracks?: unknown } } | null)?.session?.tracks;
  if (!Array.isArray(trackList)) throw new TypeError('createMixerNode: session must be a Mixer or its toJSON() output (with session.tracks)');
  const tracks = trackList.length;
  const meterHz = options.meterHz ?? 20;
  if (typeof meterHz !== 'number' || !(meterHz >= 0) || meterHz > 1000) throw new RangeError(`createMixerNode: meterHz must be in [0, 1000], got ${String(meterHz)}`);
  const fs = context.sampleRate;
  const frameOf = (when: MixerWhen, what: string): number => {
    const f = typeof when === 'number' ? Math.round(when * fs) : when?.frame;
    if (typeof f !== 'number' || !Number.isFinite(f) || f < 0) throw new RangeError(`createMixerNode: ${what}: the time must be seconds ≥ 0 or { frame ≥ 0 }, got ${String(typeof when === 'object' ? JSON.stringify(when) : when)}`);
    return f;
  };
  if (!options.moduleLoaded) await context.audioWorklet.addModule(options.moduleUrl);
  const processorOptions: MixerProcessorOptions = { session: json, meterHz };
  const node = new Ctor(context as never, options.processorName ?? MIXER_PROCESSOR_NAME, {
    numberOfInputs: tracks,
    numberOfOutputs: 1,
    outputChannelCount: [2],
    channelCount: 2,
    channelCountMode: 'clamped-max',
    channelInterpretation: 'speakers',
    processorOptions,
  });
  let resolveReady: (v: { latency: number; tracks: number; labels: string[] }) => void = () => {};
  let rejectReady: (e: Error) => void = () => {};
  let failed = false;
  let labels: string[] = [];
  const ready = new Promise<{ latency: number; tracks: number; labels: string[] }>((res, rej) => {
    resolveReady = res;
    rejectReady = rej;
  });
  ready.catch(() => {});
  const send = (cmd: MixerCommand) => node.port.postMessage(cmd);
  const waiting = new Map<number, () => void>();
  let nextSync = 0;
  const at = (when: MixerWhen | undefined, what: string) => (when === undefined ? {} : { frame: frameOf(when, what) });
  const automate = (path: string): MixerLaneHandle => {
    const event = (ev: MixerAutomationEvent) => {
      send({ type: 'automate', path, event: ev });
      return lane;
    };
    const lane: MixerLaneHandle = {
      setValue: (value, when) => event({ kind: 'set', value, frame: frameOf(when, `automate(${path}).setValue`) }),
      linearRamp: (value, when) => event({ kind: 'linear', value, frame: frameOf(when, `automate(${path}).linearRamp`) }),
      exponentialRamp: (value, when) => event({ kind: 'exponential', value, frame: frameOf(when, `automate(${path}).exponentialRamp`) }),
      setTarget: (value, when, timeConstant) =>
        event({ kind: 'target', value, frame: frameOf(when, `automate(${path}).setTarget`), timeConstant: typeof timeConstant === 'number' ? timeConstant * fs : timeConstant?.frames }),
      cancel: (when) => event({ kind: 'cancel', frame: frameOf(when, `automate(${path}).cancel`) }),
    };
    return lane;
  };
  const handle: MixerNode<N> = {
    node,
    tracks,
    ready,
    setTrack: (track, o, when) => send({ type: 'setTrack', track, options: o as Record<string, unknown>, ...at(when, 'setTrack') }),
    setBus: (bus, o, when) => send({ type: 'setBus', bus, options: o as Record<string, unknown>, ...at(when, 'setBus') }),
    setMaster: (o, when) => send({ type: 'setMaster', options: o as Record<string, unknown>, ...at(when, 'setMaster') }),
    automate,
    reset: (when) => send({ type: 'reset', ...at(when, 'reset') }),
    sync: () =>
      new Promise<void>((resolve) => {
        const id = nextSync++;
        waiting.set(id, resolve);
        send({ type: 'sync', id });
      }),
    onmeters: null,
    onerror: null,
  };
  node.port.onmessage = (e) => {
    const ev = e.data as MixerEvent;
    if (ev.type === 'meters') {
      if (handle.onmeters === null) return;
      const m: Record<string, number> = {};
      for (let i = 0; i < labels.length; i++) m[labels[i]] = ev.values[i];
      handle.onmeters(m, ev.frame);
    } else if (ev.type === 'synced') {
      waiting.get(ev.id)?.();
      waiting.delete(ev.id);
    } else if (ev.type === 'error') {
      handle.onerror?.(ev.message);
      if (ev.fatal) {
        failed = true;
        rejectReady(new Error(`masterbus worklet: the mixer could not be built: ${ev.message}`));
      }
    } else if (ev.type === 'ready' && !failed) {
      labels = ev.labels;
      resolveReady({ latency: ev.latency, tracks: ev.tracks, labels: ev.labels });
    }
  };
  node.onprocessorerror = (event: unknown) => {
    const message = `processorerror: ${String((event as { message?: unknown })?.message ?? 'the worklet processor threw')}`;
    handle.onerror?.(message);
    rejectReady(new Error(`masterbus worklet: ${message}`));
  };
  return handle;
}
