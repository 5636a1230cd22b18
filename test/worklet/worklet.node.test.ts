/**
 * The same prebuilt worklet module in node-web-audio-api's AudioWorklet (in Node): identical
 * output to the chain run directly, and a Mixer session in one node identical to Mixer. (Its worklet thread polls, so renders are slow and erratic
 * on a loaded machine: the signal is short and the timeout generous.)
 */
import { describe, expect, it } from 'vitest';
import { createMasterbusNode, createMixerNode } from '../../src/worklet/index.js';
import { multiChannel } from '../support/signals.js';
import { mixInNode, testInputs, testSession } from './mixer-support.js';
import { BUNDLE, maxAbsDiff, runInNode, testChain } from './support.js';

const FS = 48000;

describe('AudioWorklet in node-web-audio-api', () => {
  it('renders every processor class exactly as the chain run directly, through createMasterbusNode', async () => {
    const { AudioBufferSourceNode, AudioWorkletNode, OfflineAudioContext } = await import('node-web-audio-api');
    const frames = 12800;
    const input = multiChannel(2, frames, 21);
    const chain = testChain();
    const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: frames, sampleRate: FS });
    const buffer = ctx.createBuffer(2, frames, FS);
    input.forEach((d, c) => buffer.copyToChannel(d as Float32Array<ArrayBuffer>, c));
    const src = new AudioBufferSourceNode(ctx, { buffer });
    const master = await createMasterbusNode(ctx as never, { moduleUrl: BUNDLE, chain, channels: 2, AudioWorkletNode: AudioWorkletNode as never });
    const errors: string[] = [];
    const frames0: number[] = [];
    master.onerror = (m) => errors.push(m);
    master.onmeters = (m, frame) => {
      if (m[7]?.gainReductionDb !== undefined) frames0.push(frame);
    };
    src.connect(master.node as never).connect(ctx.destination);
    src.start();
    const rendered = await ctx.startRendering();
    const out = [rendered.getChannelData(0), rendered.getChannelData(1)];
    expect(errors).toEqual([]);
    const diff = maxAbsDiff(out, runInNode(chain, input, FS).output);
    console.log(`node-web-audio-api worklet vs direct: max abs diff ${diff}`);
    // The bound is 1e-6; the same V8 math on both sides makes it exact.
    expect(diff).toBe(0);
    expect(maxAbsDiff(out, input)).toBeGreaterThan(0.01);
    // Meter posts arrive too, with frames on the post grid (every 19 quanta at 48 kHz).
    await new Promise((r) => setTimeout(r, 300));
    expect(frames0.length).toBeGreaterThan(0);
    for (const f of frames0) expect(f % (19 * 128)).toBe(0);
  }, 120_000);

  it('rejects ready and reports through onerror when the chain cannot be built', async () => {
    const { AudioWorkletNode, OfflineAudioContext } = await import('node-web-audio-api');
    const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: 1280, sampleRate: FS });
    const master = await createMasterbusNode(ctx as never, { moduleUrl: BUNDLE, chain: [{ type: 'Limitr', params: {} }], AudioWorkletNode: AudioWorkletNode as never });
    const errors: string[] = [];
    master.onerror = (m) => errors.push(m);
    master.node.onprocessorerror = null;
    await expect(master.ready).rejects.toThrow(/the chain could not be built: TypeError: processorFromJSON: unknown processor type "Limitr"/);
  }, 60_000);

  it('runs a Mixer session in one node (one input per track) exactly as Mixer does, with automation and a frame-stamped solo', async () => {
    const { AudioBufferSourceNode, AudioWorkletNode, OfflineAudioContext } = await import('node-web-audio-api');
    const frames = 12800;
    const session = testSession();
    const sources = testInputs(frames);
    const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: frames, sampleRate: FS });
    const mix = await createMixerNode(ctx as never, session, { moduleUrl: BUNDLE, AudioWorkletNode: AudioWorkletNode as never });
    const errors: string[] = [];
    mix.onerror = (m) => errors.push(m);
    sources.forEach((chans, t) => {
      if (chans.length === 0) return;
      const buffer = ctx.createBuffer(chans.length, frames, FS);
      chans.forEach((d, c) => buffer.copyToChannel(d as Float32Array<ArrayBuffer>, c));
      const src = new AudioBufferSourceNode(ctx, { buffer });
      src.connect(mix.node as never, 0, t);
      src.start();
    });
    (mix.node as unknown as { connect(n: unknown): void }).connect(ctx.destination);
    await mix.ready;
    mix.automate('tracks.keys.faderDb').setValue(-3, { frame: 1000 }).linearRamp(-20, { frame: 9000 });
    mix.setTrack('vox', { solo: true }, { frame: 5000 });
    await mix.sync();
    const rendered = await ctx.startRendering();
    const out = [rendered.getChannelData(0), rendered.getChannelData(1)];
    expect(errors).toEqual([]);
    const ref = mixInNode(session, sources, frames, [{ frame: 5000, apply: (m) => m.setTrack('vox', { solo: true }) }], {
      'tracks.keys.faderDb': [
        { kind: 'set', value: -3, frame: 1000 },
        { kind: 'linear', value: -20, frame: 9000 },
      ],
    });
    const diff = maxAbsDiff(out, ref);
    console.log(`node-web-audio-api mixer worklet vs Mixer: max abs diff ${diff}`);
    expect(diff).toBe(0);
    expect(maxAbsDiff(out, mixInNode(session, sources, frames))).toBeGreaterThan(0.01);
  }, 120_000);
});
