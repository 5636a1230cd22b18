/**
 * One Delay/Phaser bench group in its own process (spawned by `bench/space-mod.ts`):
 *
 *   node --import tsx/esm bench/space-mod-worker.ts masterbus|nwa
 *
 * 30 s of the stereo music-like programme at 48 kHz.
 * masterbus: Delay (stereo, 375 ms, feedback 0.4, high-pass 80 Hz and low-pass 8 kHz in the loop,
 * mix 0.35) and Phaser (8 first-order stages, sine LFO 0.4 Hz, feedback 0.5, 90° stereo phase),
 * in 128- and 4096-frame blocks, in place.
 * node-web-audio-api, rendered by an OfflineAudioContext in 128-frame quanta:
 * - the delay graph: source → dry GainNode (0.65) → out; source → DelayNode (375 ms) → wet
 *   GainNode (0.35) → out; DelayNode → feedback GainNode (0.4) → BiquadFilterNode high-pass 80 Hz
 *   → BiquadFilterNode low-pass 8 kHz → back into the DelayNode;
 * - the phaser graph: source → dry GainNode (0.5) → out; source → all-pass BiquadFilterNodes
 *   (4 of them, the phase of 8 first-order stages; and a row with 8) → wet GainNode (0.5) → out,
 *   their `frequency` swept by an OscillatorNode (0.4 Hz) through a GainNode, and feedback from
 *   the last all-pass into the first through a GainNode (0.5) and the shortest DelayNode a cycle
 *   allows (one render quantum);
 * - the same source straight to the output (what the graph itself costs).
 * Warm-up, then 7 timed runs; prints JSON.
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
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  for (const block of [128, 4096]) {
    const views: Float32Array[][] = [];
    for (let p = 0; p < frames; p += block) views.push([left.subarray(p, p + block), right.subarray(p, p + block)]);
    const spec = { sampleRate: fs, maxBlockSize: block, channels: 2 };
    const delay = new mb.Delay({ mode: 'stereo', timeMs: 375, feedback: 0.4, lowCutHz: 80, highCutHz: 8000, mix: 0.35 });
    delay.prepare(spec);
    rows.push(
      await time('masterbus Delay (stereo, feedback 0.4, HP 80 Hz + LP 8 kHz in the loop)', String(block), () => {
        left.set(music.channels[0]);
        right.set(music.channels[1]);
        const t0 = performance.now();
        for (let b = 0; b < views.length; b++) delay.process(views[b]);
        return performance.now() - t0;
      }),
    );
    const phaser = new mb.Phaser({ stages: 8, rateHz: 0.4, feedback: 0.5, stereoPhaseDeg: 90 });
    phaser.prepare(spec);
    rows.push(
      await time('masterbus Phaser (8 stages, feedback 0.5, sine LFO)', String(block), () => {
        left.set(music.channels[0]);
        right.set(music.channels[1]);
        const t0 = performance.now();
        for (let b = 0; b < views.length; b++) phaser.process(views[b]);
        return performance.now() - t0;
      }),
    );
  }
} else if (group === 'nwa') {
  const { AudioBuffer, AudioBufferSourceNode, BiquadFilterNode, DelayNode, GainNode, OscillatorNode, OfflineAudioContext } = await import('node-web-audio-api');
  const buffer = new AudioBuffer({ numberOfChannels: 2, length: frames, sampleRate: fs });
  buffer.copyToChannel(music.channels[0], 0);
  buffer.copyToChannel(music.channels[1], 1);
  const render = (build: (ctx: InstanceType<typeof OfflineAudioContext>, src: InstanceType<typeof AudioBufferSourceNode>) => void) => async (): Promise<number> => {
    const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: frames, sampleRate: fs });
    const src = new AudioBufferSourceNode(ctx, { buffer });
    build(ctx, src);
    src.start();
    const t0 = performance.now();
    await ctx.startRendering();
    return performance.now() - t0;
  };
  rows.push(
    await time(
      'node-web-audio-api DelayNode + feedback GainNode + 2 BiquadFilterNodes',
      '128 (render quantum)',
      render((ctx, src) => {
        const delay = new DelayNode(ctx, { delayTime: 0.375, maxDelayTime: 1 });
        const fb = new GainNode(ctx, { gain: 0.4 });
        const hp = new BiquadFilterNode(ctx, { type: 'highpass', frequency: 80, Q: 0.7071 });
        const lp = new BiquadFilterNode(ctx, { type: 'lowpass', frequency: 8000, Q: 0.7071 });
        src.connect(new GainNode(ctx, { gain: 0.65 })).connect(ctx.destination);
        src.connect(delay);
        delay.connect(new GainNode(ctx, { gain: 0.35 })).connect(ctx.destination);
        delay.connect(fb).connect(hp).connect(lp).connect(delay);
      }),
    ),
  );
  for (const count of [4, 8]) {
    rows.push(
      await time(
        `node-web-audio-api ${count} all-pass BiquadFilterNodes + OscillatorNode LFO + feedback`,
        '128 (render quantum)',
        render((ctx, src) => {
          const lfo = new OscillatorNode(ctx, { type: 'sine', frequency: 0.4 });
          const depth = new GainNode(ctx, { gain: 500 });
          lfo.connect(depth);
          const input = new GainNode(ctx, { gain: 1 });
          src.connect(input);
          let node: AudioNode = input;
          for (let k = 0; k < count; k++) {
            const ap = new BiquadFilterNode(ctx, { type: 'allpass', frequency: 700, Q: 0.5 });
            depth.connect(ap.frequency);
            node = node.connect(ap) as AudioNode;
          }
          const fbDelay = new DelayNode(ctx, { delayTime: 128 / fs, maxDelayTime: 0.01 });
          node.connect(new GainNode(ctx, { gain: 0.5 })).connect(fbDelay).connect(input);
          node.connect(new GainNode(ctx, { gain: 0.5 })).connect(ctx.destination);
          src.connect(new GainNode(ctx, { gain: 0.5 })).connect(ctx.destination);
          lfo.start();
        }),
      ),
    );
  }
  rows.push(await time('node-web-audio-api graph without effect', '128 (render quantum)', render((ctx, src) => void src.connect(ctx.destination))));
} else {
  throw new RangeError(`space-mod worker: unknown group ${group}`);
}
process.stdout.write(`${JSON.stringify({ group, seconds: frames / fs, rows })}\n`);
