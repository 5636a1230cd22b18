/**
 * The page side of the Chromium mixer bench: bundled by mixer-browser.ts (esbuild) and loaded into
 * headless Chromium, where it exposes `window.mixBench`:
 *
 * - `setup({ frames, session })` generates the 32 track inputs in the page (mixer-session.ts's
 *   `trackSignal`, the same signals as the Node bench) into AudioBuffers shared by every render;
 * - `build(kind)` builds an OfflineAudioContext (2 channels, 48 kHz, `frames` long) with either the
 *   native node graph of the session (`native`, `bare`: without EQs and compressors) or one
 *   `masterbus-mixer` AudioWorkletNode (`masterbus`, awaiting its `ready` and `sync`), untimed;
 * - `render()` times only `await startRendering()` of the context built last (ms);
 * - `check(kind)` reads the last output rendered of that kind, untimed: all finite, RMS and peak per channel.
 */
import { createMixerNode, type MixerSessionJSON } from '../src/worklet/mixer-node.js';
import { buildWebAudioSession, FS, TRACKS, trackSignal, type WebAudioKit } from './mixer-session.js';

export type Kind = 'native' | 'bare' | 'masterbus';

/** What `check()` returns. */
export interface OutputCheck {
  finite: boolean;
  rmsDb: number[];
  peakDb: number[];
  errors: string[];
}

let frames = 0;
let session: MixerSessionJSON | null = null;
let buffers: AudioBuffer[] = [];
let built: { kind: Kind; ctx: OfflineAudioContext; errors: string[] } | null = null;
/** The last output of each kind, and the worklet errors during its render. */
const rendered = new Map<Kind, { out: AudioBuffer; errors: string[] }>();

function setup(opts: { frames: number; session: MixerSessionJSON }): number {
  frames = opts.frames;
  session = opts.session;
  buffers = Array.from({ length: TRACKS }, (_, t) => {
    const buffer = new AudioBuffer({ numberOfChannels: 2, length: frames, sampleRate: FS });
    trackSignal(t, frames).forEach((x, c) => buffer.copyToChannel(x, c));
    return buffer;
  });
  return buffers.length;
}

async function build(kind: Kind): Promise<number> {
  const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: frames, sampleRate: FS });
  const errors: string[] = [];
  let latency = 0;
  if (kind === 'masterbus') {
    const mix = await createMixerNode(ctx, session!, { moduleUrl: '/masterbus-worklet.js', meterHz: 0 });
    mix.onerror = (m) => errors.push(m);
    const node = mix.node as unknown as AudioNode;
    buffers.forEach((buffer, t) => {
      const src = new AudioBufferSourceNode(ctx, { buffer });
      src.connect(node, 0, t);
      src.start();
    });
    node.connect(ctx.destination);
    latency = (await mix.ready).latency;
    await mix.sync();
  } else {
    buildWebAudioSession(ctx, globalThis as unknown as WebAudioKit, buffers, kind === 'native');
  }
  built = { kind, ctx, errors };
  return latency;
}

async function render(): Promise<number> {
  const { kind, ctx, errors } = built!;
  built = null;
  const t0 = performance.now();
  const out = await ctx.startRendering();
  const ms = performance.now() - t0;
  rendered.set(kind, { out, errors });
  return ms;
}

function check(kind: Kind): OutputCheck {
  const { out, errors } = rendered.get(kind)!;
  let finite = true;
  const rmsDb: number[] = [];
  const peakDb: number[] = [];
  for (let c = 0; c < out.numberOfChannels; c++) {
    const x = out.getChannelData(c);
    let sum = 0;
    let peak = 0;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (!Number.isFinite(v)) finite = false;
      sum += v * v;
      peak = Math.max(peak, Math.abs(v));
    }
    rmsDb.push(10 * Math.log10(sum / x.length));
    peakDb.push(20 * Math.log10(peak));
  }
  return { finite, rmsDb, peakDb, errors };
}

(globalThis as unknown as { mixBench: unknown }).mixBench = { setup, build, render, check };
