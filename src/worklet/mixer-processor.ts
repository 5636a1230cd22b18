/**
 * The AudioWorklet side of a whole mix: one `AudioWorkletProcessor` that runs a {@link Mixer},
 * with one node input per track and one stereo output.
 *
 * Design choices:
 * - The session comes as JSON ({@link Mixer.toJSON}'s output) in `processorOptions.session` and
 *   is rebuilt with `build` (default: {@link processorFromJSON}), then prepared for the context's
 *   sample rate, 128-frame blocks and a stereo output.
 * - Input t feeds track t. An input with nothing connected is silence (a preallocated zero
 *   buffer); a mono input feeds a mono track as is, and a stereo track on both sides (the Web
 *   Audio "speakers" up-mix); a stereo input to a mono track is down-mixed to 0.5·(L + R) (the
 *   Web Audio "speakers" stereo-to-mono down-mix, W3C Web Audio API § 4.4.1.3).
 * - Commands (`setTrack`, `setBus`, `setMaster`, `reset`) carry the context frame at which they
 *   apply, and they apply at that very sample: the quantum is cut there and the mixer runs the two
 *   parts (its output does not depend on how blocks are cut, so the result equals a mixer run
 *   offline that makes the same change at the same frame, bit for bit). A command without a frame,
 *   or whose frame has passed, applies at the start of the next quantum.
 * - Automation events (`automate`) go onto their lane at the start of the next quantum; their
 *   frames are context frames, turned into the mixer's clock (which starts at 0 at the node's
 *   first quantum, and again at a `reset`); an event before that start moves to it.
 * - Meter read-outs ({@link Mixer.readMeters}: peak, momentary loudness and gain reduction per
 *   track and bus, the master's loudness) go into one preallocated array and are posted at a
 *   bounded rate (`meterHz`, default 20 per second) as a copy of that array; the labels come once,
 *   with the `ready` event.
 * - `sync` is answered at once: after it, every command sent before it is queued (with its frame).
 * - Nothing is thrown on the audio thread: a session that cannot be built posts a fatal error (the
 *   node then outputs silence), a bad command posts an error and changes nothing.
 * - `process()` allocates nothing, commands aside (a command builds its new settings, between
 *   blocks, as `Mixer.setTrack` does on any thread).
 *
 * @module
 */
import type { ProcessorJSON } from '../core/processor.js';
import { describeValue } from '../core/validate.js';
import type { ProcessorBuilder } from '../chains/chain.js';
import { Mixer, type AutomationEvent } from '../chains/mixer.js';
import { processorFromJSON } from '../registry.js';
import { MIXER_PROCESSOR_NAME } from './mixer-node.js';
import { RENDER_QUANTUM, type WorkletScope } from './processor.js';


/** What the node's constructor passes as `processorOptions`. */
export interface MixerProcessorOptions {
  /** The session, as {@link Mixer.toJSON} writes it. */
  session: unknown;
  /** Meter posts per second, 0 for none. @defaultValue 20 */
  meterHz?: number;
}

/** An automation event of {@link MixerCommand} `automate`: the session's events, or a cancel; `frame` is a context frame. */
export type MixerAutomationEvent = AutomationEvent | { kind: 'cancel'; frame: number };

/**
 * Messages the main thread sends to the mixer processor. `frame` (a context frame, as
 * `AudioWorkletGlobalScope.currentFrame` counts) is when the command applies; omitted, at the next
 * quantum.
 */
export type MixerCommand =
  | { type: 'setTrack'; track: string | number; options: Record<string, unknown>; frame?: number }
  | { type: 'setBus'; bus: string | number; options: Record<string, unknown>; frame?: number }
  | { type: 'setMaster'; options: Record<string, unknown>; frame?: number }
  | { type: 'automate'; path: string; event: MixerAutomationEvent }
  | { type: 'reset'; frame?: number }
  /** Answered at once with `synced` (every command sent before it has been received). */
  | { type: 'sync'; id: number };

/** Messages the mixer processor posts back. */
export type MixerEvent =
  | { type: 'ready'; latency: number; tracks: number; labels: string[] }
  | { type: 'meters'; frame: number; values: Float64Array }
  | { type: 'error'; message: string; fatal?: boolean }
  | { type: 'synced'; id: number };


/** A queued command and the frame it applies at (−Infinity: the next quantum). */
interface Pending {
  at: number;
  cmd: MixerCommand;
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/**
 * Register the mixer processor as `name`. The prebuilt module (`masterbus/worklet-processor`)
 * calls it for you; call it yourself in your own worklet module to rebuild inserts of your own
 * types (`build`). Throws a `TypeError` outside an AudioWorkletGlobalScope.
 */
export function registerMixerProcessor(name: string = MIXER_PROCESSOR_NAME, build: ProcessorBuilder = (j: ProcessorJSON) => processorFromJSON(j)): void {
  const scope = globalThis as unknown as WorkletScope;
  if (typeof scope.registerProcessor !== 'function' || typeof scope.AudioWorkletProcessor !== 'function') {
    throw new TypeError(`registerMixerProcessor("${name}"): must run inside an AudioWorkletGlobalScope (a module loaded with audioWorklet.addModule())`);
  }

  class MixerWorkletProcessor extends scope.AudioWorkletProcessor {
    private readonly mixer: Mixer | undefined;
    private readonly tracks: number;
    /** Channels of each track (1 or 2). */
    private readonly channels: Int32Array;
    /** What `mixer.process()` gets as track inputs (entries swapped per block, never reallocated). */
    private readonly trackIn: Float32Array[][];
    /** Per track: silence of its channel count. */
    private readonly zeros: Float32Array[][];
    /** Per track: the input from the cut of a quantum on, as one and as two channels (same buffers). */
    private readonly part1: Float32Array[][];
    private readonly part2: Float32Array[][];
    /** Per mono track: the down-mix of a stereo input. */
    private readonly mono: Float32Array[][];
    /** The output from a cut on. */
    private readonly outPart: Float32Array[];
    private readonly meterValues: Float64Array;
    private readonly meterEvery: number;
    private blocks = 0;
    /** Commands in the order they apply; `head` is the next one. */
    private readonly pending: Pending[] = [];
    private head = 0;
    /** The context frame where the mixer's clock is 0 (NaN until the first quantum). */
    private origin = NaN;

    constructor(options?: { processorOptions?: MixerProcessorOptions; numberOfInputs?: number }) {
      super();
      const po = (options?.processorOptions ?? {}) as Partial<MixerProcessorOptions>;
      let mixer: Mixer | undefined;
      let failure: string | undefined;
      try {
        mixer = Mixer.fromJSON(po.session, build);
        mixer.prepare({ sampleRate: scope.sampleRate, maxBlockSize: RENDER_QUANTUM, channels: 2 });
      } catch (err) {
        mixer = undefined;
        failure = errorText(err);
      }
      this.mixer = mixer;
      const channels = mixer === undefined ? [] : (mixer.toJSON().session.tracks as { channels: number }[]).map((t) => t.channels);
      this.tracks = channels.length;
      this.channels = Int32Array.from(channels);
      const buffers = (n: number) => Array.from({ length: n }, () => new Float32Array(RENDER_QUANTUM));
      this.zeros = channels.map((c) => buffers(c));
      this.mono = channels.map(() => buffers(1));
      this.part2 = channels.map(() => buffers(2));
      this.part1 = this.part2.map((p) => [p[0]]);
      this.trackIn = this.zeros.map((z) => z);
      this.outPart = buffers(2);
      const labels = mixer?.meterLabels ?? [];
      this.meterValues = new Float64Array(labels.length);
      const hz = po.meterHz ?? 20;
      this.meterEvery = typeof hz === 'number' && hz > 0 && mixer !== undefined ? Math.max(1, Math.round(scope.sampleRate / RENDER_QUANTUM / hz)) : 0;
      this.port.onmessage = (e) => this.receive(e.data);
      if (failure !== undefined) this.post({ type: 'error', message: failure, fatal: true });
      else if (options?.numberOfInputs !== undefined && options.numberOfInputs !== this.tracks) {
        this.post({ type: 'error', message: `masterbus mixer: the node has ${options.numberOfInputs} inputs for ${this.tracks} tracks (give it numberOfInputs = ${this.tracks}; missing inputs are silence)` });
      }
      if (mixer !== undefined) this.post({ type: 'ready', latency: mixer.latency, tracks: this.tracks, labels });
    }

    process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
      const out = outputs[0];
      if (out === undefined || out.length === 0) return true;
      const n = out[0].length;
      const mixer = this.mixer;
      if (mixer === undefined || out.length < 2) {
        for (let c = 0; c < out.length; c++) out[c].fill(0);
        return true;
      }
      for (let c = 2; c < out.length; c++) out[c].fill(0);
      // Number(): a host may give currentFrame as a BigInt (node-web-audio-api 1.0.9).
      const now = Number(scope.currentFrame);
      if (this.origin !== this.origin) this.origin = now;
      let start = 0;
      const pending = this.pending;
      while (this.head < pending.length) {
        const p = pending[this.head];
        const at = p.at - now;
        if (at >= n) break;
        if (at > start) {
          this.render(inputs, out, start, at);
          start = at;
        }
        this.head++;
        this.apply(p.cmd, now + start);
      }
      if (this.head > 0 && this.head === pending.length) {
        pending.length = 0;
        this.head = 0;
      }
      this.render(inputs, out, start, n);
      if (this.meterEvery > 0 && ++this.blocks >= this.meterEvery) {
        this.blocks = 0;
        try {
          mixer.readMeters(this.meterValues, 0);
          this.post({ type: 'meters', frame: now + n, values: this.meterValues.slice() });
        } catch (err) {
          this.post({ type: 'error', message: `meters: ${String(err)}` });
        }
      }
      return true;
    }

    /** Mix frames `from … to` of the quantum, in pieces of at most 128. */
    private render(inputs: Float32Array[][], out: Float32Array[], from: number, to: number): void {
      const mixer = this.mixer!;
      for (let s = from; s < to; s += RENDER_QUANTUM) {
        const e = to - s < RENDER_QUANTUM ? to : s + RENDER_QUANTUM;
        const len = e - s;
        const trackIn = this.trackIn;
        for (let t = 0; t < this.tracks; t++) {
          const input = t < inputs.length ? inputs[t] : undefined;
          const have = input === undefined ? 0 : input.length;
          // (A host's arrays are at least one quantum long; a shorter one counts as silence.)
          if (have === 0 || input![0].length < e) {
            trackIn[t] = this.zeros[t];
            continue;
          }
          const x = input!;
          if (this.channels[t] === 1 && have >= 2) {
            const m = this.mono[t][0];
            const l = x[0];
            const r = x[1];
            for (let i = 0; i < len; i++) m[i] = 0.5 * (l[s + i] + r[s + i]);
            trackIn[t] = this.mono[t];
          } else if (s === 0) {
            trackIn[t] = x;
          } else {
            const part = this.part2[t];
            const used = have < this.channels[t] ? have : this.channels[t];
            for (let c = 0; c < used; c++) {
              const src = x[c];
              const dst = part[c];
              for (let i = 0; i < len; i++) dst[i] = src[s + i];
            }
            trackIn[t] = used === 1 ? this.part1[t] : part;
          }
        }
        if (s === 0) mixer.process(trackIn, out, len);
        else {
          const o = this.outPart;
          mixer.process(trackIn, o, len);
          for (let c = 0; c < 2; c++) {
            const src = o[c];
            const dst = out[c];
            for (let i = 0; i < len; i++) dst[s + i] = src[i];
          }
        }
      }
    }

    private post(ev: MixerEvent): void {
      this.port.postMessage(ev);
    }

    /** Queue a command by the frame it applies at (commands of one frame keep their order). */
    private receive(data: unknown): void {
      try {
        if (data === null || typeof data !== 'object') throw new TypeError(`masterbus mixer: a command must be an object, got ${describeValue(data)}`);
        const cmd = data as MixerCommand;
        if (cmd.type === 'sync') {
          this.post({ type: 'synced', id: cmd.id });
          return;
        }
        let at = -Infinity;
        if (cmd.type !== 'automate' && 'frame' in cmd && cmd.frame !== undefined) {
          const f = cmd.frame;
          if (typeof f !== 'number' || !Number.isFinite(f) || f < 0) throw new RangeError(`masterbus mixer: ${String(cmd.type)}: frame must be a finite number ≥ 0, got ${describeValue(f)}`);
          at = Math.round(f);
        }
        const pending = this.pending;
        // Drop the commands already applied (here, on the control side, where allocating is fine).
        if (this.head > 0) {
          pending.splice(0, this.head);
          this.head = 0;
        }
        let k = pending.length;
        while (k > this.head && pending[k - 1].at > at) k--;
        pending.splice(k, 0, { at, cmd });
      } catch (err) {
        this.post({ type: 'error', message: errorText(err) });
      }
    }

    /** Apply one command; `frame` is the context frame of the sample it applies before. */
    private apply(cmd: MixerCommand, frame: number): void {
      const mixer = this.mixer!;
      try {
        switch (cmd.type) {
          case 'setTrack':
            mixer.setTrack(cmd.track, cmd.options);
            break;
          case 'setBus':
            mixer.setBus(cmd.bus, cmd.options);
            break;
          case 'setMaster':
            mixer.setMaster(cmd.options);
            break;
          case 'reset':
            mixer.reset();
            this.origin = frame;
            break;
          case 'automate': {
            const lane = mixer.automate(cmd.path);
            const ev = cmd.event;
            if (ev === null || typeof ev !== 'object') throw new TypeError(`masterbus mixer: automate(${describeValue(cmd.path)}): event must be an object, got ${describeValue(ev)}`);
            if (typeof ev.frame !== 'number' || Number.isNaN(ev.frame)) throw new TypeError(`masterbus mixer: automate(${describeValue(cmd.path)}): event.frame must be a number, got ${describeValue(ev.frame)}`);
            const f = Math.max(0, ev.frame - this.origin);
            if (ev.kind === 'set') lane.setValue(ev.value, f);
            else if (ev.kind === 'linear') lane.linearRamp(ev.value, f);
            else if (ev.kind === 'exponential') lane.exponentialRamp(ev.value, f);
            else if (ev.kind === 'target') lane.setTarget(ev.value, f, ev.timeConstant as number);
            else if (ev.kind === 'cancel') lane.cancel(f);
            else throw new TypeError(`masterbus mixer: automate(${describeValue(cmd.path)}): unknown event kind ${describeValue((ev as { kind: unknown }).kind)}`);
            break;
          }
          default:
            throw new TypeError(`masterbus mixer: unknown command type ${describeValue((cmd as { type: unknown }).type)}`);
        }
      } catch (err) {
        this.post({ type: 'error', message: errorText(err) });
      }
    }
  }

  scope.registerProcessor(name, MixerWorkletProcessor);
}
