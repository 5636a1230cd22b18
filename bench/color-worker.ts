/**
 * One colour/modulation bench group in its own process (spawned by `bench/color.ts`):
 *
 *   node --import tsx/esm bench/color-worker.ts masterbus|nwa
 *
 * 30 s of the music-like stereo programme at 48 kHz.
 * masterbus: the Saturator (tanh, +12 dB drive) at 4× with the IIR and the linear-phase filters, at
 * 128 and 4096 frames; other curves and factors at 128. The Chorus (4 voices) at 128 and 4096.
 * node-web-audio-api: a WaveShaperNode with a tanh curve of the same drive (a 4096-point table
 * over [−1, 1], as Web Audio apps build them) at oversample '4x', '2x' and 'none', rendered by an
 * OfflineAudioContext in 128-frame quanta, and the same graph without the shaper.
 * Warm-up, then R timed runs; prints JSON.
 */
import { performance } from 'node:perf_hooks';
import { loadMasterbus } from './biquad.common.js';
import { makeMusic, timeRow as time, type TimedRow } from './harness.js';

const group = process.argv[2];
const music = makeMusic(30);
const fs = music.sampleRate;
const frames = music.frames;
const DRIVE_DB = 12;

const rows: TimedRow[] = [];
if (group === 'masterbus') {
  const mb = await loadMasterbus();
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  const views = (block: number): Float32Array[][] => {
    const v: Float32Array[][] = [];
    for (let p = 0; p < frames; p += block) v.push([left.subarray(p, p + block), right.subarray(p, p + block)]);
    return v;
  };
  const run = async (id: string, block: number, p: { prepare: (s: { sampleRate: number; maxBlockSize: number; channels: number }) => void; process: (b: Float32Array[]) => void }) => {
    p.prepare({ sampleRate: fs, maxBlockSize: block, channels: 2 });
    const v = views(block);
    rows.push(
      await time(id, String(block), () => {
        left.set(music.channels[0]);
        right.set(music.channels[1]);
        const t0 = performance.now();
        for (let b = 0; b < v.length; b++) p.process(v[b]);
        return performance.now() - t0;
      }),
    );
  };
  for (const block of [128, 4096]) {
    await run('masterbus Saturator tanh 4× IIR', block, new mb.Saturator({ curve: 'tanh', driveDb: DRIVE_DB, oversampling: 4 }));
  }
  await run('masterbus Saturator tanh 4× linear phase', 128, new mb.Saturator({ curve: 'tanh', driveDb: DRIVE_DB, oversampling: 4, oversamplingFilter: 'linear-phase' }));
  for (const curve of ['cubic', 'hard', 'tube', 'tape'] as const) {
    await run(`masterbus Saturator ${curve} 4× IIR`, 128, new mb.Saturator({ curve, driveDb: DRIVE_DB, oversampling: 4 }));
  }
  for (const f of [1, 2, 8] as const) {
    await run(`masterbus Saturator tanh ${f}× IIR`, 128, new mb.Saturator({ curve: 'tanh', driveDb: DRIVE_DB, oversampling: f }));
  }
  await run('masterbus Saturator tanh 4× IIR, mix 0.5', 128, new mb.Saturator({ curve: 'tanh', driveDb: DRIVE_DB, oversampling: 4, mix: 0.5 }));
  for (const block of [128, 4096]) await run('masterbus Chorus 4 voices', block, new mb.Chorus({ voices: 4, feedback: 0.3 }));
  await run('masterbus Chorus 1 voice', 128, new mb.Chorus({ voices: 1, feedback: 0.3 }));
  await run('masterbus Chorus 8 voices', 128, new mb.Chorus({ voices: 8, feedback: 0.3 }));
  {
    // The same 4-voice chorus on one channel.
    const c = new mb.Chorus({ voices: 4, feedback: 0.3 });
    c.prepare({ sampleRate: fs, maxBlockSize: 128, channels: 1 });
    const v: Float32Array[][] = [];
    for (let p = 0; p < frames; p += 128) v.push([left.subarray(p, p + 128)]);
    rows.push(
      await time('masterbus Chorus 4 voices, mono', '128', () => {
        left.set(music.channels[0]);
        const t0 = performance.now();
        for (let b = 0; b < v.length; b++) c.process(v[b]);
        return performance.now() - t0;
      }),
    );
  }
} else if (group === 'nwa') {
  const { AudioBuffer, AudioBufferSourceNode, DelayNode, GainNode, OscillatorNode, WaveShaperNode, OfflineAudioContext } = await import('node-web-audio-api');
  const buffer = new AudioBuffer({ numberOfChannels: 2, length: frames, sampleRate: fs });
  buffer.copyToChannel(music.channels[0], 0);
  buffer.copyToChannel(music.channels[1], 1);
  const g = Math.pow(10, DRIVE_DB / 20);
  const curve = new Float32Array(4096);
  for (let i = 0; i < curve.length; i++) curve[i] = Math.tanh(g * ((2 * i) / (curve.length - 1) - 1));
  const render = (oversample: 'none' | '2x' | '4x' | null) => async (): Promise<number> => {
    const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: frames, sampleRate: fs });
    const src = new AudioBufferSourceNode(ctx, { buffer });
    if (oversample) src.connect(new WaveShaperNode(ctx, { curve, oversample })).connect(ctx.destination);
    else src.connect(ctx.destination);
    src.start();
    const t0 = performance.now();
    await ctx.startRendering();
    return performance.now() - t0;
  };
  rows.push(await time("node-web-audio-api WaveShaperNode tanh '4x'", '128 (render quantum)', render('4x')));
  rows.push(await time("node-web-audio-api WaveShaperNode tanh '2x'", '128 (render quantum)', render('2x')));
  rows.push(await time("node-web-audio-api WaveShaperNode tanh 'none'", '128 (render quantum)', render('none')));
  rows.push(await time('node-web-audio-api graph without shaper', '128 (render quantum)', render(null)));
  // The chorus a Web Audio app would build: per voice a DelayNode whose delayTime an
  // OscillatorNode (through a depth GainNode) modulates, voices summed at 1/4 and mixed with the
  // dry signal at 0.5, feedback 0.3 through a GainNode (Web Audio allows cycles with a delay).
  const chorus = async (): Promise<number> => {
    const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: frames, sampleRate: fs });
    const src = new AudioBufferSourceNode(ctx, { buffer });
    const wet = new GainNode(ctx, { gain: 0.25 });
    const out = new GainNode(ctx, { gain: 0.5 });
    const fb = new GainNode(ctx, { gain: 0.3 });
    for (let v = 0; v < 4; v++) {
      const delay = new DelayNode(ctx, { maxDelayTime: 0.05, delayTime: 0.012 });
      const lfo = new OscillatorNode(ctx, { frequency: 0.8 });
      const depth = new GainNode(ctx, { gain: 0.0025 });
      lfo.connect(depth).connect(delay.delayTime);
      lfo.start(v * 0.3);
      src.connect(delay);
      fb.connect(delay);
      delay.connect(wet);
    }
    wet.connect(fb);
    wet.connect(out);
    src.connect(new GainNode(ctx, { gain: 0.5 })).connect(ctx.destination);
    out.connect(ctx.destination);
    src.start();
    const t0 = performance.now();
    await ctx.startRendering();
    return performance.now() - t0;
  };
  rows.push(await time('node-web-audio-api chorus graph (4 modulated DelayNodes)', '128 (render quantum)', chorus));
} else {
  throw new RangeError(`color worker: unknown group ${group}`);
}
process.stdout.write(`${JSON.stringify({ group, seconds: frames / fs, rows })}\n`);
