/**
 * One multiband bench group in its own process (spawned by `bench/multiband.ts`):
 *
 *   node --import tsx/esm bench/multiband-worker.ts masterbus|nwa
 *
 * 30 s of the music-like stereo programme at 48 kHz through a 4-band compressor (crossovers 120 Hz,
 * 1 kHz, 5 kHz, Linkwitz-Riley 24 dB/oct). masterbus: MultibandCompressor, streamed in 128- and
 * 4096-frame blocks, in place (the input is restored, untimed, before every pass). Web Audio has
 * no multiband node: the nearest graph is BiquadFilterNode crossovers (each LR4 filter two
 * Butterworth sections, the lower bands' all-pass compensation as allpass nodes) feeding one
 * DynamicsCompressorNode per band, summed at the destination, rendered by node-web-audio-api's
 * OfflineAudioContext in 128-frame quanta (graph built before the clock starts). Warm-up, then
 * 7 timed runs; prints JSON.
 */
import { performance } from 'node:perf_hooks';
import { loadMasterbus } from './biquad.common.js';
import { makeMusic, timeRow, type TimedRow } from './harness.js';

const group = process.argv[2];
const signal = makeMusic(30);
const fs = signal.sampleRate;

/** The split and the bands' compressor settings (the same on both sides where both have them). */
export const CROSSOVERS = [120, 1000, 5000] as const;
export const BAND = { thresholdDb: -24, ratio: 3, kneeDb: 6, attackMs: 10, releaseMs: 120 } as const;

const rows: TimedRow[] = [];
if (group === 'masterbus') {
  const mb = await loadMasterbus();
  const work = signal.channels.map((c) => new Float32Array(c.length));
  for (const block of [128, 4096]) {
    const views: Float32Array[][] = [];
    for (let p = 0; p < signal.frames; p += block) views.push(work.map((w) => w.subarray(p, p + block)));
    const pass = (p: { process(b: readonly Float32Array[]): void }) => (): number => {
      for (let c = 0; c < work.length; c++) work[c].set(signal.channels[c]);
      const t0 = performance.now();
      for (let b = 0; b < views.length; b++) p.process(views[b]);
      return performance.now() - t0;
    };
    const comp = new mb.MultibandCompressor({ crossoversHz: [...CROSSOVERS], bands: CROSSOVERS.concat([0] as never).map(() => ({ ...BAND })) });
    comp.prepare({ sampleRate: fs, maxBlockSize: block, channels: 2 });
    rows.push(await timeRow('masterbus MultibandCompressor (4 bands, LR4)', String(block), pass(comp)));
    if (block === 128) {
      const lr8 = new mb.MultibandCompressor({ crossoversHz: [...CROSSOVERS], rolloffDbPerOctave: 48, bands: CROSSOVERS.concat([0] as never).map(() => ({ ...BAND })) });
      lr8.prepare({ sampleRate: fs, maxBlockSize: block, channels: 2 });
      rows.push(await timeRow('masterbus MultibandCompressor (4 bands, LR8)', String(block), pass(lr8)));
      const single = new mb.Compressor({ ...BAND });
      single.prepare({ sampleRate: fs, maxBlockSize: block, channels: 2 });
      rows.push(await timeRow('masterbus Compressor (one band, for scale)', String(block), pass(single)));
    }
  }
} else if (group === 'nwa') {
  const { AudioBuffer, AudioBufferSourceNode, BiquadFilterNode, DynamicsCompressorNode, OfflineAudioContext } = await import('node-web-audio-api');
  type Ctx = InstanceType<typeof OfflineAudioContext>;
  type Node = InstanceType<typeof BiquadFilterNode> | InstanceType<typeof AudioBufferSourceNode>;
  const buffer = new AudioBuffer({ numberOfChannels: 2, length: signal.frames, sampleRate: fs });
  signal.channels.forEach((c, ch) => buffer.copyToChannel(c, ch));
  // Web Audio's low/high-pass Q is in dB (spec: alpha = sin(w0)/(2·10^(Q/20))); the all-pass Q is linear.
  const butterworthDb = 20 * Math.log10(Math.SQRT1_2);
  const chain = (ctx: Ctx, from: Node, type: 'lowpass' | 'highpass' | 'allpass', f: number): InstanceType<typeof BiquadFilterNode> => {
    const q = type === 'allpass' ? Math.SQRT1_2 : butterworthDb;
    const a = new BiquadFilterNode(ctx, { type, frequency: f, Q: q });
    from.connect(a);
    if (type === 'allpass') return a;
    const b = new BiquadFilterNode(ctx, { type, frequency: f, Q: q });
    a.connect(b);
    return b;
  };
  const render = (withBands: boolean) => async (): Promise<number> => {
    const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: signal.frames, sampleRate: fs });
    const src = new AudioBufferSourceNode(ctx, { buffer });
    if (withBands) {
      let rest: Node = src;
      for (let k = 0; k <= CROSSOVERS.length; k++) {
        let band: Node;
        if (k < CROSSOVERS.length) {
          band = chain(ctx, rest, 'lowpass', CROSSOVERS[k]);
          for (let j = k + 1; j < CROSSOVERS.length; j++) band = chain(ctx, band, 'allpass', CROSSOVERS[j]);
          rest = chain(ctx, rest, 'highpass', CROSSOVERS[k]);
        } else band = rest;
        const comp = new DynamicsCompressorNode(ctx, { threshold: BAND.thresholdDb, knee: BAND.kneeDb, ratio: BAND.ratio, attack: BAND.attackMs / 1000, release: BAND.releaseMs / 1000 });
        band.connect(comp).connect(ctx.destination);
      }
    } else src.connect(ctx.destination);
    src.start();
    const t0 = performance.now();
    await ctx.startRendering();
    return performance.now() - t0;
  };
  rows.push(await timeRow('node-web-audio-api BiquadFilterNode crossovers + 4 DynamicsCompressorNodes', '128 (render quantum)', render(true)));
  rows.push(await timeRow('node-web-audio-api graph without the bands', '128 (render quantum)', render(false)));
} else {
  throw new RangeError(`multiband worker: unknown group ${group}`);
}
process.stdout.write(`${JSON.stringify({ group, seconds: signal.frames / fs, rows })}\n`);
