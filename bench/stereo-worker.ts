/**
 * One stereo-placement bench group in its own process (spawned by `bench/stereo.ts`):
 *
 *   node --import tsx/esm bench/stereo-worker.ts masterbus|nwa
 *
 * 30 s of a mono source (channel 0 of the music-like programme) at 48 kHz panned to 0.3.
 * masterbus: Panner (mono input, −3 dB constant-power law, the law Web Audio uses) in 128- and
 * 4096-frame blocks, in place; a second row with the pan moving (a 20 ms ramp every 100 ms).
 * Also the StereoWidener (width 1.3 with bass mono at 120 Hz) on the stereo programme; it has no
 * Web Audio counterpart.
 * node-web-audio-api: a one-channel AudioBuffer through a StereoPannerNode (its mono-input
 * algorithm, equal power) rendered by an OfflineAudioContext in 128-frame quanta, and the same
 * graph without the panner. Warm-up, then R timed runs; prints JSON.
 */
import { performance } from 'node:perf_hooks';
import { loadMasterbus } from './biquad.common.js';
import { makeMusic, timeRow as time, type TimedRow } from './harness.js';

const group = process.argv[2];
const music = makeMusic(30);
const mono = music.channels[0];
const fs = music.sampleRate;
const frames = music.frames;
const PAN = 0.3;

const rows: TimedRow[] = [];
if (group === 'masterbus') {
  const mb = await loadMasterbus();
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  for (const block of [128, 4096]) {
    const views: Float32Array[][] = [];
    for (let p = 0; p < frames; p += block) views.push([left.subarray(p, p + block), right.subarray(p, p + block)]);
    const panner = new mb.Panner({ pan: PAN, law: '-3dB' });
    panner.prepare({ sampleRate: fs, maxBlockSize: block, channels: 2 });
    rows.push(
      await time('masterbus Panner (mono → stereo, −3 dB law)', String(block), () => {
        left.set(mono);
        const t0 = performance.now();
        for (let b = 0; b < views.length; b++) panner.process(views[b]);
        return performance.now() - t0;
      }),
    );
    const widener = new mb.StereoWidener({ width: 1.3, bassMonoHz: 120 });
    widener.prepare({ sampleRate: fs, maxBlockSize: block, channels: 2 });
    rows.push(
      await time('masterbus StereoWidener (width 1.3, bass mono 120 Hz)', String(block), () => {
        left.set(music.channels[0]);
        right.set(music.channels[1]);
        const t0 = performance.now();
        for (let b = 0; b < views.length; b++) widener.process(views[b]);
        return performance.now() - t0;
      }),
    );
    if (block === 128) {
      const moving = new mb.Panner({ pan: -PAN, law: '-3dB' });
      moving.prepare({ sampleRate: fs, maxBlockSize: block, channels: 2 });
      const every = Math.round((0.1 * fs) / block);
      rows.push(
        await time('masterbus Panner, pan moving (20 ms ramp every 100 ms)', String(block), () => {
          left.set(mono);
          const t0 = performance.now();
          for (let b = 0; b < views.length; b++) {
            if (b % every === 0) moving.set({ pan: moving.params.pan > 0 ? -PAN : PAN });
            moving.process(views[b]);
          }
          return performance.now() - t0;
        }),
      );
    }
  }
} else if (group === 'nwa') {
  const { AudioBuffer, AudioBufferSourceNode, StereoPannerNode, OfflineAudioContext } = await import('node-web-audio-api');
  const buffer = new AudioBuffer({ numberOfChannels: 1, length: frames, sampleRate: fs });
  buffer.copyToChannel(mono, 0);
  const render = (withPanner: boolean) => async (): Promise<number> => {
    const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: frames, sampleRate: fs });
    const src = new AudioBufferSourceNode(ctx, { buffer });
    if (withPanner) src.connect(new StereoPannerNode(ctx, { pan: PAN })).connect(ctx.destination);
    else src.connect(ctx.destination);
    src.start();
    const t0 = performance.now();
    await ctx.startRendering();
    return performance.now() - t0;
  };
  rows.push(await time('node-web-audio-api StereoPannerNode', '128 (render quantum)', render(true)));
  rows.push(await time('node-web-audio-api graph without panner', '128 (render quantum)', render(false)));
} else {
  throw new RangeError(`stereo worker: unknown group ${group}`);
}
process.stdout.write(`${JSON.stringify({ group, seconds: frames / fs, rows })}\n`);
