/**
 * One reverb bench group in its own process (spawned by `bench/reverb.ts`):
 *
 *   node --import tsx/esm bench/reverb-worker.ts masterbus|nwa
 *
 * 30 s of the music-like stereo programme at 48 kHz.
 * masterbus: Reverb (16-line FDN, defaults: 2 s, mix 0.3) in 128- and 4096-frame blocks, in place;
 * a row with a 10 s decay at size 2 (the longest lines), one with parameters gliding (decay and
 * damping changed every 100 ms), a mono row, and one with the JavaScript network kernel (what runs
 * where there is no WebAssembly SIMD).
 * node-web-audio-api: a ConvolverNode with a 2 s stereo impulse response (exponentially decaying
 * noise, the length of the algorithmic reverb's tail) rendered by an OfflineAudioContext in
 * 128-frame quanta, and the same graph without the convolver. Warm-up, then R timed runs; prints
 * JSON.
 */
import { performance } from 'node:perf_hooks';
import { loadMasterbus } from './biquad.common.js';
import { makeMusic, timeRow as time, type TimedRow } from './harness.js';

const group = process.argv[2];
const music = makeMusic(30);
const fs = music.sampleRate;
const frames = music.frames;

const rows: TimedRow[] = [];
if (group === 'masterbus') {
  const mb = await loadMasterbus();
  // The kernel switch is internal (not in the package's API): from the module that defines it.
  const { useReverbWasm } = (await import(new URL('../dist/space/reverb.js', import.meta.url).href)) as { useReverbWasm: (enabled: boolean) => boolean };
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  for (const block of [128, 4096]) {
    const views: Float32Array[][] = [];
    const monoViews: Float32Array[][] = [];
    for (let p = 0; p < frames; p += block) {
      views.push([left.subarray(p, p + block), right.subarray(p, p + block)]);
      monoViews.push([left.subarray(p, p + block)]);
    }
    const run = (label: string, opts: Record<string, number>, channels = 2, automate = false, wasm = true) => {
      const reverb = new mb.Reverb(opts);
      useReverbWasm(wasm);
      reverb.prepare({ sampleRate: fs, maxBlockSize: block, channels });
      useReverbWasm(true);
      const every = Math.max(1, Math.round((0.1 * fs) / block));
      const v = channels === 2 ? views : monoViews;
      return time(label, String(block), () => {
        left.set(music.channels[0]);
        right.set(music.channels[1]);
        const t0 = performance.now();
        for (let b = 0; b < v.length; b++) {
          if (automate && b % every === 0) reverb.set({ decaySeconds: reverb.params.decaySeconds > 2 ? 1.5 : 3, highDecayRatio: reverb.params.highDecayRatio > 0.5 ? 0.3 : 0.7 });
          reverb.process(v[b]);
        }
        return performance.now() - t0;
      });
    };
    rows.push(await run('masterbus Reverb (16-line FDN, 2 s)', {}));
    if (block === 128) {
      rows.push(await run('masterbus Reverb, 10 s at size 2', { decaySeconds: 10, size: 2 }));
      rows.push(await run('masterbus Reverb, decay and damping gliding (changed every 100 ms)', {}, 2, true));
      rows.push(await run('masterbus Reverb, mono', {}, 1));
      rows.push(await run('masterbus Reverb, JavaScript kernel (no WebAssembly)', {}, 2, false, false));
    }
  }
} else if (group === 'nwa') {
  const { AudioBuffer, AudioBufferSourceNode, ConvolverNode, OfflineAudioContext } = await import('node-web-audio-api');
  const buffer = new AudioBuffer({ numberOfChannels: 2, length: frames, sampleRate: fs });
  buffer.copyToChannel(music.channels[0], 0);
  buffer.copyToChannel(music.channels[1], 1);
  // A 2 s stereo reverb tail: decaying noise (T60 2 s), seeded.
  const irFrames = 2 * fs;
  const ir = new AudioBuffer({ numberOfChannels: 2, length: irFrames, sampleRate: fs });
  let s = 12345;
  for (let c = 0; c < 2; c++) {
    const x = new Float32Array(irFrames);
    for (let i = 0; i < irFrames; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      x[i] = (s / 2147483648 - 1) * Math.exp((-6.91 * i) / (2 * fs));
    }
    ir.copyToChannel(x, c);
  }
  const render = (withConvolver: boolean) => async (): Promise<number> => {
    const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: frames, sampleRate: fs });
    const src = new AudioBufferSourceNode(ctx, { buffer });
    if (withConvolver) src.connect(new ConvolverNode(ctx, { buffer: ir, disableNormalization: true })).connect(ctx.destination);
    else src.connect(ctx.destination);
    src.start();
    const t0 = performance.now();
    await ctx.startRendering();
    return performance.now() - t0;
  };
  rows.push(await time('node-web-audio-api ConvolverNode (2 s stereo IR)', '128 (render quantum)', render(true)));
  rows.push(await time('node-web-audio-api graph without convolver', '128 (render quantum)', render(false)));
} else {
  throw new RangeError(`reverb worker: unknown group ${group}`);
}
process.stdout.write(`${JSON.stringify({ group, seconds: frames / fs, rows })}\n`);
