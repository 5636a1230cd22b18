/** node-web-audio-api contenders of the biquad benches (imports node-web-audio-api only). */
import { performance } from 'node:perf_hooks';
import { AudioBuffer, AudioBufferSourceNode, BiquadFilterNode, OfflineAudioContext } from 'node-web-audio-api';
import { CHANNELS, type Signal } from './harness.js';
import { EQ_BANDS, SINGLE } from './biquad.common.js';

export type NwaBands = readonly { type: BiquadFilterType; frequency: number; Q: number; gain: number }[];

export const NWA_SINGLE: NwaBands = [{ type: 'peaking', frequency: SINGLE.frequencyHz, Q: SINGLE.q, gain: SINGLE.gainDb }];
export const NWA_EQ: NwaBands = EQ_BANDS.map((b) => ({ type: b.type, frequency: b.frequencyHz, Q: b.q, gain: b.gainDb }));

/** A whole-signal node-web-audio-api graph: source → biquads → destination. */
export function nwaGraph(buffer: AudioBuffer, signal: Signal, bands: NwaBands): OfflineAudioContext {
  const ctx = new OfflineAudioContext({ numberOfChannels: CHANNELS, length: signal.frames, sampleRate: signal.sampleRate });
  const src = new AudioBufferSourceNode(ctx, { buffer });
  let node: AudioNode = src;
  for (const b of bands) {
    const f = new BiquadFilterNode(ctx, b);
    node.connect(f);
    node = f;
  }
  node.connect(ctx.destination);
  src.start();
  return ctx;
}

export function nwaBuffer(signal: Signal): AudioBuffer {
  const buffer = new AudioBuffer({ numberOfChannels: CHANNELS, length: signal.frames, sampleRate: signal.sampleRate });
  signal.channels.forEach((c, ch) => buffer.copyToChannel(c, ch));
  return buffer;
}

/** Render once; the graph is built before the clock starts, only `startRendering()` is timed. */
export async function nwaRenderTimed(buffer: AudioBuffer, signal: Signal, bands: NwaBands): Promise<number> {
  const ctx = nwaGraph(buffer, signal, bands);
  const t0 = performance.now();
  await ctx.startRendering();
  return performance.now() - t0;
}

/** Render the whole signal once through `bands` and return the output channels. */
export async function nwaRender(buffer: AudioBuffer, signal: Signal, bands: NwaBands): Promise<Float32Array[]> {
  const rendered = await nwaGraph(buffer, signal, bands).startRendering();
  return Array.from({ length: CHANNELS }, (_, ch) => rendered.getChannelData(ch).slice());
}
