/**
 * One convolution bench group in its own process (spawned by `bench/convolution.ts`):
 *
 *   node --import tsx/esm bench/convolution-worker.ts masterbus|nwa
 *
 * 10 s of the music-like stereo programme at 48 kHz through a 2.5 s stereo impulse response
 * (decaying noise, deterministic), L through IR L and R through IR R.
 * masterbus: Convolver (mix 1, no normalisation) in 128- and 4096-frame blocks, in place.
 * node-web-audio-api: an AudioBuffer through a ConvolverNode (normalize false, the same IR)
 * rendered by an OfflineAudioContext in 128-frame quanta, and the same graph without the
 * convolver. Warm-up, then R timed runs; prints JSON with, for the check, the masterbus output's
 * or the node's output's first 2 s (channel 0, every 7th sample) so the parent can compare them.
 */
import { performance } from 'node:perf_hooks';
import { loadMasterbus } from './biquad.common.js';
import { makeMusic, timeRow as time, type TimedRow } from './harness.js';

const group = process.argv[2];
const music = makeMusic(10);
const fs = music.sampleRate;
const frames = music.frames;

/** The 2.5 s stereo IR: noise with a 0.4 s exponential decay (RT60 ≈ 2.2 s), different per side. */
export function benchImpulseResponse(): Float32Array<ArrayBuffer>[] {
  const n = Math.round(2.5 * fs);
  const out: Float32Array<ArrayBuffer>[] = [];
  let seed = 0xc0ffee;
  for (let c = 0; c < 2; c++) {
    const h = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      h[i] = (seed / 2 ** 32 - 0.5) * 0.2 * Math.exp(-i / (0.4 * fs));
    }
    out.push(h);
  }
  return out;
}

const ir = benchImpulseResponse();
const rows: TimedRow[] = [];
let check: number[] = [];
const sample = (x: Float32Array) => {
  const s: number[] = [];
  for (let i = 0; i < 2 * fs; i += 7) s.push(x[i]);
  return s;
};
if (group === 'masterbus') {
  const mb = await loadMasterbus();
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  for (const block of [128, 4096]) {
    const views: Float32Array[][] = [];
    for (let p = 0; p < frames; p += block) views.push([left.subarray(p, p + block), right.subarray(p, p + block)]);
    const verb = new mb.Convolver({ impulseResponse: ir });
    verb.prepare({ sampleRate: fs, maxBlockSize: block, channels: 2 });
    rows.push(
      await time('masterbus Convolver (2.5 s stereo IR)', String(block), () => {
        left.set(music.channels[0]);
        right.set(music.channels[1]);
        verb.reset();
        const t0 = performance.now();
        for (let b = 0; b < views.length; b++) verb.process(views[b]);
        return performance.now() - t0;
      }),
    );
    if (block === 128) check = sample(left);
  }
} else if (group === 'nwa') {
  const { AudioBuffer, AudioBufferSourceNode, ConvolverNode, OfflineAudioContext } = await import('node-web-audio-api');
  const buffer = new AudioBuffer({ numberOfChannels: 2, length: frames, sampleRate: fs });
  buffer.copyToChannel(music.channels[0], 0);
  buffer.copyToChannel(music.channels[1], 1);
  const irBuffer = new AudioBuffer({ numberOfChannels: 2, length: ir[0].length, sampleRate: fs });
  irBuffer.copyToChannel(ir[0], 0);
  irBuffer.copyToChannel(ir[1], 1);
  let out: Float32Array | undefined;
  const render = (withConvolver: boolean) => async (): Promise<number> => {
    const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: frames, sampleRate: fs });
    const src = new AudioBufferSourceNode(ctx, { buffer });
    if (withConvolver) src.connect(new ConvolverNode(ctx, { buffer: irBuffer, disableNormalization: true })).connect(ctx.destination);
    else src.connect(ctx.destination);
    src.start();
    const t0 = performance.now();
    const rendered = await ctx.startRendering();
    const ms = performance.now() - t0;
    // A copy: the channel data can be a view of memory the rendered buffer frees when it is collected.
    if (withConvolver) out = rendered.getChannelData(0).slice();
    return ms;
  };
  rows.push(await time('node-web-audio-api ConvolverNode (same IR)', '128 (render quantum)', render(true)));
  rows.push(await time('node-web-audio-api graph without convolver', '128 (render quantum)', render(false)));
  if (out) check = sample(out);
} else {
  throw new RangeError(`convolution worker: unknown group ${group}`);
}
process.stdout.write(`${JSON.stringify({ group, seconds: frames / fs, rows, check })}\n`);
