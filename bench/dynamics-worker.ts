/**
 * One dynamics bench group in its own process (spawned by `bench/dynamics.ts`):
 *
 *   node --import tsx/esm bench/dynamics-worker.ts masterbus|nwa
 *
 * 30 s of the music-like stereo programme at 48 kHz. masterbus: Compressor (stereo, peak, soft
 * knee) and Limiter (true peak, 5 ms lookahead, +6 dB drive so it works), streamed in 128- and
 * 4096-frame blocks, in place (the input is restored, untimed, before every pass).
 * node-web-audio-api: DynamicsCompressorNode with the same threshold, knee, ratio, attack and
 * release, rendered by an OfflineAudioContext in 128-frame quanta (graph built before the clock
 * starts), plus the same graph without the compressor, to show the graph's own cost.
 * Warm-up, then R timed runs; prints JSON.
 */
import { performance } from 'node:perf_hooks';
import { loadMasterbus } from './biquad.common.js';
import { makeMusic, median } from './harness.js';

const group = process.argv[2];
const runs = 7;
const signal = makeMusic(30);
const fs = signal.sampleRate;

/** Shared compressor settings (Web Audio's parameter set). */
export const COMP = { thresholdDb: -24, kneeDb: 6, ratio: 4, attackMs: 10, releaseMs: 100 } as const;

interface Row {
  id: string;
  block: string;
  ms: number;
  rangeMs: [number, number];
  reductionDb?: number;
}

async function time(id: string, block: string, fn: () => Promise<number> | number, reduction?: () => number): Promise<Row> {
  await fn(); // warm-up
  await fn();
  const ms: number[] = [];
  for (let r = 0; r < runs; r++) ms.push(await fn());
  return { id, block, ms: median(ms), rangeMs: [Math.min(...ms), Math.max(...ms)], reductionDb: reduction?.() };
}

const rows: Row[] = [];
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
    const comp = new mb.Compressor({ ...COMP, detector: 'peak' });
    comp.prepare({ sampleRate: fs, maxBlockSize: block, channels: 2 });
    rows.push(await time('masterbus Compressor (peak, 6 dB knee, linked)', String(block), pass(comp), () => comp.maxGainReductionDb));
    if (block === 128) {
      // RMS detection and a sidechain high-pass take the general (unfused) path; with a partial
      // link every channel also needs its own gain computer.
      const rms = new mb.Compressor({ ...COMP, detector: 'rms', sidechainHighpassHz: 80 });
      rms.prepare({ sampleRate: fs, maxBlockSize: block, channels: 2 });
      rows.push(await time('masterbus Compressor (RMS 10 ms, linked, sidechain HPF)', String(block), pass(rms), () => rms.maxGainReductionDb));
      const rmsHalf = new mb.Compressor({ ...COMP, detector: 'rms', stereoLink: 0.5, sidechainHighpassHz: 80 });
      rmsHalf.prepare({ sampleRate: fs, maxBlockSize: block, channels: 2 });
      rows.push(await time('masterbus Compressor (RMS 10 ms, 50 % link, sidechain HPF)', String(block), pass(rmsHalf), () => rmsHalf.maxGainReductionDb));
    }
    const limiter = new mb.Limiter({ ceilingDb: -1, driveDb: 6, lookaheadMs: 5, mode: 'true-peak' });
    limiter.prepare({ sampleRate: fs, maxBlockSize: block, channels: 2 });
    rows.push(await time('masterbus Limiter (true peak, 5 ms, +6 dB drive)', String(block), pass(limiter), () => limiter.maxGainReductionDb));
  }
} else if (group === 'nwa') {
  const { AudioBuffer, AudioBufferSourceNode, DynamicsCompressorNode, OfflineAudioContext } = await import('node-web-audio-api');
  const buffer = new AudioBuffer({ numberOfChannels: 2, length: signal.frames, sampleRate: fs });
  signal.channels.forEach((c, ch) => buffer.copyToChannel(c, ch));
  const render = (withCompressor: boolean) => async (): Promise<number> => {
    const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: signal.frames, sampleRate: fs });
    const src = new AudioBufferSourceNode(ctx, { buffer });
    if (withCompressor) {
      const comp = new DynamicsCompressorNode(ctx, {
        threshold: COMP.thresholdDb,
        knee: COMP.kneeDb,
        ratio: COMP.ratio,
        attack: COMP.attackMs / 1000,
        release: COMP.releaseMs / 1000,
      });
      src.connect(comp).connect(ctx.destination);
    } else src.connect(ctx.destination);
    src.start();
    const t0 = performance.now();
    await ctx.startRendering();
    return performance.now() - t0;
  };
  rows.push(await time('node-web-audio-api DynamicsCompressorNode', '128 (render quantum)', render(true)));
  rows.push(await time('node-web-audio-api graph without compressor', '128 (render quantum)', render(false)));
} else {
  throw new RangeError(`dynamics worker: unknown group ${group}`);
}
process.stdout.write(`${JSON.stringify({ group, seconds: signal.frames / fs, rows })}\n`);
